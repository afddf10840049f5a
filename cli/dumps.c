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
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"
#include "spool.h"

static bool
passes(const struct dump *d, const struct dump_filter *f)
{
	if (f->since && d->time < f->since)
		return false;
	if (f->until && d->time > f->until)
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
	return true;
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
		if (!passes(cd.d, f)) {
			dump_free(cd.d);
			continue;
		}
		cd.count = 1;
		if (dump_read_item(cd.d, DUMP_ITEM_COUNT, 64, &count) == 0) {
			cd.count = strtoull(count, NULL, 10);
			if (cd.count == 0)
				cd.count = 1;
			free(count);
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
