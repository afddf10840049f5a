/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump_writer.c owns writing and publishing the dumps crashd writes
 * itself (dump_writer.h).
 */
#include "dump_writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

int
dump_writer_begin(struct dump_writer *w, struct spool *s,
    const struct timespec *ts, long pid, const char *comm)
{
	char base[SPOOL_NAME_MAX];
	int r;

	memset(w, 0, sizeof(*w));
	w->spool = s;
	w->dirfd = -1;
	r = spool_dump_name(base, sizeof(base), ts, pid, comm, strlen(comm));
	if (r < 0)
		return r;
	r = spool_create_incoming(s, base, 0750, w->name, sizeof(w->name));
	if (r < 0)
		return r;
	w->dirfd = r;
	return 0;
}

void
dump_writer_data(
    struct dump_writer *w, const char *item, const void *data, size_t len)
{
	int fd;

	if (w->r < 0)
		return;
	fd = spool_write_item(w->dirfd, item, data, len, 0640);
	if (fd < 0)
		w->r = fd;
	else
		close(fd);
}

void
dump_writer_item(struct dump_writer *w, const char *item, const char *fmt, ...)
{
	char *text = NULL;
	va_list ap;
	int n;

	if (w->r < 0)
		return;
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		w->r = -ENOMEM;
		return;
	}
	dump_writer_data(w, item, text, (size_t)n);
	free(text);
}

int
dump_writer_publish(struct dump_writer *w)
{
	int r = w->r;

	if (r >= 0)
		r = spool_sync_dir(w->dirfd);
	w->dirfd = safe_close(w->dirfd);
	if (r < 0) {
		(void)spool_discard_incoming(w->spool, w->name);
		return r;
	}
	return spool_publish(w->spool, w->name, true);
}
