/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * unwinds.c owns scheduling the unwinder's children.  A dump that wants
 * a backtrace waits here (its name and uid only: it is on disk) until a
 * slot is free, is unwound in a child, and is then handed back to
 * daemon_process_unwound(), which goes on where daemon_process() left
 * it.  Nothing of the restart-safety order changes: the backtrace is
 * written before the decision, as before, only later.
 */
#include "unwinds.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "backtrace.h"
#include "clock.h"
#include "daemon.h"
#include "dump.h"
#include "log.h"

bool
unwinds_has(const struct unwinds *u, const char *name)
{
	for (size_t i = 0; i < UNWINDS_MAX; i++)
		if (u->slot[i].name && strcmp(u->slot[i].name, name) == 0)
			return true;
	for (size_t i = 0; i < u->n_wait; i++)
		if (strcmp(u->wait[i].name, name) == 0)
			return true;
	return false;
}

bool
unwinds_busy(const struct unwinds *u)
{
	for (size_t i = 0; i < UNWINDS_MAX; i++)
		if (u->slot[i].name)
			return true;
	return u->n_wait > 0;
}

static unsigned
running_of(const struct unwinds *u, long long uid)
{
	unsigned n = 0;

	for (size_t i = 0; i < UNWINDS_MAX; i++)
		if (u->slot[i].name && u->slot[i].uid == uid)
			n++;
	return n;
}

/* Starts the unwind of <spool>/name in slot s; false when it could not. */
static bool
start(struct daemon *dm, struct unwind_slot *s, char *name, long long uid,
    uint64_t seq)
{
	/* The child takes its copy when it is forked, in backtrace_start(). */
	const struct frame_skip skip = {
		.skip = (const char *const *)dm->cfg.daemon.signature_skip,
		.prefix = (const char *const *)dm->cfg.daemon.signature_prefix,
		.frames = dm->cfg.daemon.signature_frames,
	};
	const struct backtrace_options opt = {
		.time_ms = BACKTRACE_TIME_MS,
		.kill_ms = BACKTRACE_KILL_MS,
		.debuginfod_urls = dm->cfg.daemon.debuginfod_urls,
		.debuginfod_cache = dm->cfg.daemon.debuginfod_cache,
		.skip = &skip,
	};
	struct dump *d = NULL;
	int r;

	r = dump_open(dm->spool.dirfd, name, &d);
	if (r >= 0)
		r = backtrace_start(d, &opt, &s->job);
	dump_free(d);
	if (r < 0) {
		log_warn_errno(r,
		    "%s: start the unwinder: %m, processing it "
		    "without a backtrace",
		    name);
		daemon_process_unwound(dm, name);
		free(name);
		return false;
	}
	s->name = name;
	s->uid = uid;
	s->seq = seq;
	return true;
}

/* Fills free slots from the waiting dumps, oldest first, fair per uid. */
static void
fill(struct daemon *dm)
{
	struct unwinds *u = &dm->unwinds;

	for (size_t w = 0; w < u->n_wait;) {
		struct unwind_slot *s = NULL;
		struct unwind_wait it = u->wait[w];

		for (size_t i = 0; i < UNWINDS_MAX && !s; i++)
			if (u->slot[i].name == NULL)
				s = &u->slot[i];
		if (s == NULL)
			return;
		if (running_of(u, it.uid) >= UNWINDS_PER_UID) {
			w++;
			continue;
		}
		memmove(&u->wait[w], &u->wait[w + 1],
		    (u->n_wait - w - 1) * sizeof(*u->wait));
		u->n_wait--;
		(void)start(dm, s, it.name, it.uid, it.seq);
	}
}

int
unwinds_add(struct daemon *dm, const struct dump *d)
{
	struct unwinds *u = &dm->unwinds;
	char *name;

	if (unwinds_has(u, d->name))
		return 0;
	if (u->n_wait >= UNWINDS_WAITING_MAX)
		return -ENOBUFS;
	if (u->n_wait == u->cap_wait) {
		size_t cap = u->cap_wait ? u->cap_wait * 2 : 16;
		struct unwind_wait *p = realloc(u->wait, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		u->wait = p;
		u->cap_wait = cap;
	}
	name = strdup(d->name);
	if (name == NULL)
		return -ENOMEM;
	u->wait[u->n_wait++] =
	    (struct unwind_wait){ name, d->uid, u->next_seq++ };
	fill(dm);
	return 0;
}

/*
 * Hands on the dumps whose backtrace is written, oldest first, each once
 * no older dump of its uid is still being unwound.
 */
static void
release(struct daemon *dm)
{
	struct unwinds *u = &dm->unwinds;

	for (;;) {
		struct unwind_slot *best = NULL;
		char *name;

		for (size_t i = 0; i < UNWINDS_MAX; i++) {
			struct unwind_slot *s = &u->slot[i];
			bool older = false;

			if (s->name == NULL || s->job != NULL)
				continue;
			for (size_t k = 0; k < UNWINDS_MAX; k++)
				if (u->slot[k].name &&
				    u->slot[k].uid == s->uid &&
				    u->slot[k].seq < s->seq)
					older = true;
			if (!older && (best == NULL || s->seq < best->seq))
				best = s;
		}
		if (best == NULL || *dm->stop)
			return;
		name = best->name;
		best->name = NULL;
		daemon_process_unwound(dm, name);
		free(name);
	}
}

int
unwinds_poll(struct daemon *dm, int timeout_ms)
{
	struct unwinds *u = &dm->unwinds;
	struct pollfd pfd[UNWINDS_MAX];
	int64_t now = clock_now_ms(CLOCK_MONOTONIC);
	size_t n = 0;
	int ended = 0;

	for (size_t i = 0; i < UNWINDS_MAX; i++) {
		if (u->slot[i].name == NULL || u->slot[i].job == NULL)
			continue;
		pfd[n++] = (struct pollfd){
			.fd = backtrace_job_fd(u->slot[i].job),
			.events = POLLIN,
		};
		if (backtrace_job_kill_at(u->slot[i].job) - now < timeout_ms)
			timeout_ms =
			    (int)(backtrace_job_kill_at(u->slot[i].job) - now);
	}
	/* (None running with some waiting: no busy loop either.) */
	(void)poll(n > 0 ? pfd : NULL, n, timeout_ms < 0 ? 0 : timeout_ms);
	for (size_t i = 0; i < UNWINDS_MAX; i++) {
		struct unwind_slot *s = &u->slot[i];
		struct dump *d = NULL;
		int r;

		if (s->name == NULL || s->job == NULL)
			continue;
		r = dump_open(dm->spool.dirfd, s->name, &d);
		if (r >= 0 && backtrace_job_finish(s->job, d) == 0) {
			dump_free(d);
			continue;
		}
		/* Ended (or the dump went meanwhile: nothing to write). */
		dump_free(d);
		backtrace_job_free(s->job);
		s->job = NULL;
		ended++;
	}
	release(dm);
	fill(dm);
	return ended;
}

void
unwinds_done(struct unwinds *u)
{
	for (size_t i = 0; i < UNWINDS_MAX; i++) {
		backtrace_job_free(u->slot[i].job);
		u->slot[i].job = NULL;
		free(u->slot[i].name);
		u->slot[i].name = NULL;
	}
	for (size_t i = 0; i < u->n_wait; i++)
		free(u->wait[i].name);
	free(u->wait);
	u->wait = NULL;
	u->n_wait = u->cap_wait = 0;
}
