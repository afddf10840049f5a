/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * retry.c owns the list of dumps to process again, their backoff, and
 * what the log says about them: one line per failed attempt (the reason,
 * the next attempt), one when a dump that failed is processed at last.
 * A short list (a full disk fails every dump: a few hundred) kept as an
 * array; each lookup is a linear scan.
 */
#include "retry.h"
#include "array.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "escape.h"
#include "log.h"

void
retry_init(struct retry *rt)
{
	memset(rt, 0, sizeof(*rt));
}

void
retry_clear(struct retry *rt)
{
	for (size_t i = 0; i < rt->n; i++)
		free(rt->v[i].name);
	rt->n = 0;
}

void
retry_done(struct retry *rt)
{
	if (rt == NULL)
		return;
	retry_clear(rt);
	free(rt->v);
	rt->v = NULL;
	rt->cap = 0;
}

static struct retry_entry *
find(const struct retry *rt, const char *name)
{
	for (size_t i = 0; i < rt->n; i++)
		if (strcmp(rt->v[i].name, name) == 0)
			return &rt->v[i];
	return NULL;
}

/* The wait after the n-th failure in a row: 1 s, 2 s, 4 s ... 5 min. */
static int64_t
backoff_ms(unsigned failures)
{
	int64_t ms = RETRY_FIRST_MS;

	for (unsigned i = 1; i < failures && ms < RETRY_MAX_MS; i++)
		ms *= 2;
	return ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS;
}

static struct retry_entry *
add(struct retry *rt, const char *name)
{
	struct retry_entry *v;
	char *copy;

	v = array_grow(rt->v, &rt->cap, rt->n, sizeof(*rt->v), 16);
	if (v == NULL)
		return NULL;
	rt->v = v;
	copy = strdup(name);
	if (copy == NULL)
		return NULL;
	rt->v[rt->n] = (struct retry_entry){ .name = copy };
	return &rt->v[rt->n++];
}

void
retry_note(struct retry *rt, const char *name, int r, int64_t now_ms)
{
	struct retry_entry *e = find(rt, name);
	struct buf q;

	if (r == -EINTR)
		return; /* a stop: neither failed nor done */
	if (r == RETRY_DEFERRED) {
		if (e != NULL)
			e->due_ms = INT64_MAX; /* until its outcome is noted */
		return;
	}
	buf_init(&q, 0);
	escape_c(&q, name, strlen(name));
	if (r >= 0) {
		if (e != NULL) {
			log_info("%s: processed at attempt %u, after %u "
				 "failed (the last: %s)",
			    q.data, e->failures + 1, e->failures,
			    strerror(-e->error));
			free(e->name);
			*e = rt->v[--rt->n];
		}
		goto out;
	}
	rt->failures++;
	if (e == NULL)
		e = add(rt, name);
	if (e == NULL) {
		log_warn_errno(r,
		    "%s: not processed (%m); out of memory for its retry, "
		    "left to the next rescan or start",
		    q.data);
		goto out;
	}
	e->failures++;
	e->error = r;
	e->due_ms = now_ms + backoff_ms(e->failures);
	log_warn_errno(r,
	    "%s: not processed (%m), failed attempt %u; "
	    "next attempt in %lld s",
	    q.data, e->failures, (long long)(backoff_ms(e->failures) / 1000));
out:
	buf_done(&q);
}

bool
retry_next_due(
    const struct retry *rt, int64_t now_ms, char *ret_name, size_t size)
{
	const struct retry_entry *best = NULL;

	for (size_t i = 0; i < rt->n; i++)
		if (rt->v[i].due_ms <= now_ms &&
		    (best == NULL || rt->v[i].due_ms < best->due_ms))
			best = &rt->v[i];
	if (best == NULL || strlen(best->name) >= size)
		return false;
	memcpy(ret_name, best->name, strlen(best->name) + 1);
	return true;
}

size_t
retry_pending(const struct retry *rt)
{
	return rt->n;
}
