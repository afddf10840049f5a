/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dumps.c owns loading the spool for the CLI and resolving IDs.
 */
#include "dumps.h"
#include "array.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "filter.h"
#include "fsutil.h"
#include "signame.h"
#include "spool.h"

int
dump_set_field(int dirfd, const struct dump *d, const char *item, char **ret)
{
	char num[32];
	char *v = NULL;
	size_t len;
	int r;

	if (strcmp(item, "id") == 0)
		v = strdup(d->name);
	else if (strcmp(item, DUMP_ITEM_EXECUTABLE) == 0)
		v = strdup(d->executable);
	else if (strcmp(item, DUMP_ITEM_HOSTNAME) == 0)
		v = strdup(d->hostname);
	else if (strcmp(item, DUMP_ITEM_SIGNAL_NAME) == 0)
		v = strdup(d->signal_name);
	else if (strcmp(item, DUMP_ITEM_KIND) == 0)
		v = strdup(dump_kind_names[d->kind]);
	else if (strcmp(item, DUMP_ITEM_PID) == 0 ||
	    strcmp(item, DUMP_ITEM_SIGNAL) == 0 ||
	    strcmp(item, DUMP_ITEM_TIME) == 0 ||
	    (strcmp(item, DUMP_ITEM_UID) == 0 && d->uid >= 0)) {
		snprintf(num, sizeof(num), "%lld",
		    item[0] == 'p'       ? (long long)d->pid
			: item[0] == 's' ? (long long)d->signal
			: item[0] == 't' ? d->time
					 : d->uid);
		v = strdup(num);
	} else {
		r = read_file_at(dirfd, item, DUMP_ITEM_CAP, &v, &len);
		if (r < 0)
			return r;
		/* Text items end with one newline; cmdline's words with NUL. */
		while (len > 0 && (v[len - 1] == '\n' || v[len - 1] == '\0'))
			v[--len] = '\0';
		for (size_t i = 0; i < len; i++)
			if (v[i] == '\0')
				v[i] = ' ';
	}
	if (v == NULL)
		return -ENOMEM;
	*ret = v;
	return 0;
}

static bool
all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/*
 * The item a match names (into item, NUL-terminated) and the value it
 * wants (into *ret_value).
 */
static void
match_split(
    const char *m, char item[DUMPS_FIELD_MAX + 1], const char **ret_value)
{
	const char *eq = strchr(m, '='), *it;

	it = eq ? filter_field_item(m, (size_t)(eq - m)) : NULL;
	if (it) {
		size_t n = it == m ? (size_t)(eq - m) : strlen(it);

		memcpy(item, it, n);
		item[n] = '\0';
		*ret_value = eq + 1;
		return;
	}
	*ret_value = m;
	snprintf(item, DUMPS_FIELD_MAX + 1, "%s",
	    all_digits(m)        ? DUMP_ITEM_PID
		: strchr(m, '/') ? DUMP_ITEM_EXECUTABLE
				 : DUMP_ITEM_COMM);
}

static bool
match_one(int dirfd, const struct dump *d, const char *item, const char *want)
{
	char *v = NULL;
	bool ok;

	if (strcmp(item, DUMP_ITEM_SIGNAL) == 0 ||
	    strcmp(item, DUMP_ITEM_SIGNAL_NAME) == 0)
		return signame_to_number(want) == d->signal;
	if (dump_set_field(dirfd, d, item, &v) < 0)
		return false;
	ok = strcmp(v, want) == 0;
	free(v);
	return ok;
}

/* Matches of one field are alternatives; every field must match. */
static bool
matches_pass(int dirfd, const struct dump *d, const struct dump_filter *f)
{
	char item[DUMPS_FIELD_MAX + 1], other[DUMPS_FIELD_MAX + 1];
	const char *v, *w;

	for (size_t i = 0; i < f->n_matches; i++) {
		bool seen = false, ok = false;

		match_split(f->matches[i], item, &v);
		for (size_t j = 0; j < i && !seen; j++) {
			match_split(f->matches[j], other, &w);
			seen = strcmp(other, item) == 0;
		}
		if (seen)
			continue; /* that field was decided */
		for (size_t j = i; j < f->n_matches && !ok; j++) {
			match_split(f->matches[j], other, &w);
			if (strcmp(other, item) == 0)
				ok = match_one(dirfd, d, item, w);
		}
		if (!ok)
			return false;
	}
	return true;
}

static bool
in_window(long long t, const struct dump_filter *f)
{
	return (!f->since || t >= f->since) && (!f->until || t <= f->until);
}

/*
 * How many of cd's crashes fall in f's time window: its own and, for a
 * merged dump, the repeats of its occurrences item (the daemon's record,
 * oldest first); a dump merged before that record existed has its repeats
 * counted at its last_occurrence.
 */
static unsigned long long
count_in_window(const struct cli_dump *cd, const struct dump_filter *f)
{
	const struct dump *d = cd->d;
	unsigned long long n = in_window(d->time, f);
	char *v = NULL, *p, *nl;

	if (!f->since && !f->until)
		return cd->count;
	if (cd->count <= 1)
		return n;
	if (dump_read_item(d, DUMP_ITEM_OCCURRENCES, DUMP_ITEM_CAP, &v) == 0) {
		for (p = v; *p; p = nl ? nl + 1 : p + strlen(p)) {
			nl = strchr(p, '\n');
			n += in_window(atoll(p), f);
		}
		free(v);
		/* The record keeps the newest: older repeats went first. */
		return n;
	}
	if (dump_read_item(d, DUMP_ITEM_LAST_OCCURRENCE, 64, &v) == 0) {
		if (in_window(atoll(v), f))
			n += cd->count - 1;
		free(v);
	}
	return n;
}

static bool
passes(const struct cli_dump *cd, const struct dump_filter *f)
{
	const struct dump *d = cd->d;

	if ((f->since || f->until) && cd->in_window == 0)
		return false;
	if (f->exe && fnmatch(f->exe, d->executable, 0) != 0)
		return false;
	if (f->signal && d->signal != f->signal)
		return false;
	if (f->uid >= 0 && d->uid != f->uid)
		return false;
	if (f->host && fnmatch(f->host, d->hostname, 0) != 0)
		return false;
	if (f->kind >= 0 && (int)d->kind != f->kind)
		return false;
	return matches_pass(d->dirfd, d, f);
}

int
dump_set_load(
    int spool_dirfd, const struct dump_filter *f, struct dump_set *ret)
{
	struct dump_set s = { NULL, 0, 0 };
	char **names = NULL;
	size_t cap = 0, n = 0, i;
	int r;

	/* Sorted by name, which is by time: the set comes out oldest first. */
	r = spool_list(spool_dirfd, &names, &n);
	if (r < 0)
		return r;
	for (i = 0; i < n; i++) {
		struct cli_dump cd = { 0 };
		struct dump_core core;
		char *count = NULL;

		/* "lost+found", say, is no dump, nor one this user "may not
		 * read". */
		if (!spool_is_dump_name(names[i]))
			continue;
		r = dump_open(spool_dirfd, names[i], &cd.d);
		if (r == -EACCES || r == -EPERM) {
			s.hidden++;
			r = 0;
			continue;
		}
		if (r < 0) {
			r = 0; /* not a dump, or gone meanwhile */
			continue;
		}
		cd.count = 1;
		if (dump_read_item(cd.d, DUMP_ITEM_COUNT, 64, &count) == 0) {
			cd.count = strtoull(count, NULL, 10);
			if (cd.count == 0)
				cd.count = 1;
			free(count);
		}
		cd.in_window = count_in_window(&cd, f);
		if (!passes(&cd, f)) {
			dump_free(cd.d);
			continue;
		}
		if (dump_core(cd.d, &core) < 0)
			core.kind = DUMP_CORE_NONE;
		cd.core = dump_core_state(&core);
		(void)spool_dir_usage(cd.d->dirfd, &cd.size);
		cd.duplicate = faccessat(cd.d->dirfd, DUMP_ITEM_DUPLICATE_OF,
				   F_OK, AT_SYMLINK_NOFOLLOW) == 0;
		/* Keep no fd per dump: a spool may hold thousands. */
		cd.d->dirfd = safe_close(cd.d->dirfd);
		if (s.n == cap) {
			struct cli_dump *p =
			    array_grow(s.v, &cap, s.n, sizeof(*s.v), 64);

			if (p == NULL) {
				dump_free(cd.d);
				r = -ENOMEM;
				break;
			}
			s.v = p;
		}
		s.v[s.n++] = cd;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (r < 0) {
		dump_set_done(&s);
		return r;
	}
	*ret = s;
	return 0;
}

void
dump_set_done(struct dump_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		dump_free(s->v[i].d);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

/* Whether id names d: as a PID (by_pid) or as a prefix of its name. */
static bool
id_names(const struct dump *d, const char *id, size_t len, bool by_pid)
{
	if (by_pid)
		return all_digits(id) && d->pid == atol(id);
	return strncmp(d->name, id, len) == 0;
}

int
dump_set_resolve(const struct dump_set *s, const char *id, struct buf *err)
{
	size_t n = 0, len = strlen(id);
	long found = -1;

	if (len == 0) {
		buf_puts(err, "an empty ID names no dump");
		return -ENOENT;
	}
	if (strcmp(id, "last") == 0) {
		if (s->n == 0) {
			buf_puts(err, "there is no dump");
			return -ENOENT;
		}
		return (int)(s->n - 1);
	}
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].d->name, id) == 0)
			return (int)i;
	/*
	 * A number is a PID before it is a prefix: pid 2026 would otherwise
	 * be ambiguous with every dump of the year 2026.
	 */
	for (int pass = 0; pass < 2 && n == 0; pass++) {
		bool by_pid = all_digits(id) == (pass == 0);

		for (size_t i = 0; i < s->n; i++) {
			if (!id_names(s->v[i].d, id, len, by_pid))
				continue;
			if (n++ == 0)
				found = (long)i;
		}
		if (n > 1) {
			buf_printf(err, "\"%s\" is ambiguous; it names:", id);
			for (size_t i = 0; i < s->n; i++) {
				if (id_names(s->v[i].d, id, len, by_pid))
					buf_printf(
					    err, "\n  %s", s->v[i].d->name);
			}
			return -EEXIST;
		}
	}
	if (n == 0) {
		buf_printf(err,
		    "no dump is named \"%s\" (a name, a unique prefix, "
		    "a PID or \"last\")",
		    id);
		return -ENOENT;
	}
	return (int)found;
}
