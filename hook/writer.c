/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * writer.c writes the items of one dump: what identifies the crash is
 * never cut nor left out, everything else is cut to its cap (hook.items)
 * and to the room the policy gave the dump, and whatever is cut, left
 * out or fails is noted, so that "incomplete" says so.
 */
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "acl.h"
#include "fsutil.h"
#include "items.h"
#include "policy.h"
#include "spool.h"

/* Kept of a dump's room for what is written last: core_info, incomplete. */
#define ROOM_TAIL (3 * WRITER_BLOCK)

struct writer_item {
	char name[32];
	char *data;
	size_t len;
};

void
writer_init(struct dump_writer *w, const struct config *c, uid_t uid)
{
	*w = (struct dump_writer){ .c = c,
		.uid = uid,
		.dirfd = -1,
		.room = { .room = UINT64_MAX },
		.spool_dirfd = -1,
		.held_fd = -1 };
	buf_init(&w->missing, 0);
}

void
writer_set_room(
    struct dump_writer *w, const struct policy_decision *dec, int spool_dirfd)
{
	w->room = (struct account_room){ .room = dec->room,
		.room_max = dec->room_max,
		.reserved = dec->reserved };
	w->spool_dirfd = spool_dirfd;
	w->used = WRITER_BLOCK; /* the directory */
	w->room_reason = dec->room_reason;
	w->identity_only = dec->identity_only;
}

void
writer_done(struct dump_writer *w)
{
	writer_flush(w);
	/* Never written (no directory): dropped. */
	for (size_t i = 0; i < w->n_deferred; i++)
		free(w->deferred[i].data);
	free(w->deferred);
	w->deferred = NULL;
	w->n_deferred = 0;
	safe_close(w->held_fd);
	w->held_fd = -1;
	buf_done(&w->missing);
}

void
writer_missing(struct dump_writer *w, const char *item, int r)
{
	buf_printf(&w->missing, "%s: %s\n", item, strerror(r < 0 ? -r : r));
}

static int item_write(
    struct dump_writer *w, const char *name, const void *data, size_t len);

static uint64_t item_charge(size_t len);

/* Holds an item for writer_flush(); 0, or -ENOMEM (then write it now). */
static int
item_defer(
    struct dump_writer *w, const char *name, const void *data, size_t len)
{
	struct writer_item *v, *it;

	if (strlen(name) >= sizeof(it->name))
		return -ENAMETOOLONG;
	v = realloc(w->deferred, (w->n_deferred + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	w->deferred = v;
	it = &v[w->n_deferred];
	it->data = malloc(len ? len : 1);
	if (it->data == NULL)
		return -ENOMEM;
	memcpy(it->data, data, len);
	it->len = len;
	strcpy(it->name, name);
	w->n_deferred++;
	w->deferred_charge += item_charge(len);
	return 0;
}

/* Copies the held file (writer_create() before the directory) into it. */
static void
held_write(struct dump_writer *w)
{
	int held = w->held_fd, fd, r = 0;
	struct stat st;
	off_t off = 0;

	w->held_fd = -1;
	fd = writer_create(w, w->held_name);
	if (fd < 0) {
		writer_missing(w, w->held_name, fd);
		goto out;
	}
	if (fstat(held, &st) < 0)
		r = -errno;
	while (r == 0 && off < st.st_size) {
		ssize_t n =
		    sendfile(fd, held, &off, (size_t)(st.st_size - off));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? -errno : -EIO;
	}
	safe_close(fd);
	if (r < 0) {
		if (r == -ENOSPC || r == -EDQUOT)
			w->no_space = true;
		writer_discard(w, w->held_name);
		writer_missing(w, w->held_name, r);
	}
out:
	safe_close(held);
}

void
writer_flush(struct dump_writer *w)
{
	if (w->dirfd < 0)
		return; /* held until there is a directory */
	w->defer = false;
	for (size_t i = 0; i < w->n_deferred; i++) {
		struct writer_item *it = &w->deferred[i];

		(void)item_write(w, it->name, it->data, it->len);
		free(it->data);
	}
	free(w->deferred);
	w->deferred = NULL;
	w->n_deferred = 0;
	w->deferred_charge = 0;
	/* The core last: the items, identifying ones first, have the room. */
	if (w->held_fd >= 0)
		held_write(w);
}

/*
 * What identifies the crash (collect_identity()): never cut, never left
 * out for room; a dump that lacks one is not published.
 */
static bool
item_identifies(const char *name)
{
	static const char *const names[] = { DUMP_ITEM_VERSION, DUMP_ITEM_TIME,
		DUMP_ITEM_PID, DUMP_ITEM_NS_PID, DUMP_ITEM_TID,
		DUMP_ITEM_SIGNAL, DUMP_ITEM_SIGNAL_NAME, DUMP_ITEM_UID,
		DUMP_ITEM_GID, DUMP_ITEM_DUMPABLE, DUMP_ITEM_HOSTNAME,
		DUMP_ITEM_KERNEL, DUMP_ITEM_EXECUTABLE,
		DUMP_ITEM_EXECUTABLE_DELETED, DUMP_ITEM_COMM,
		DUMP_ITEM_THREAD_COMM, DUMP_ITEM_REASON };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* The hook's own small records, charged but never cut. */
static bool
item_bookkeeping(const char *name)
{
	return strcmp(name, DUMP_ITEM_CORE_INFO) == 0 ||
	    strcmp(name, DUMP_ITEM_INCOMPLETE) == 0;
}

/* Whole blocks: what len bytes take on disk, about. */
static uint64_t
item_charge(size_t len)
{
	return ((uint64_t)len + WRITER_BLOCK - 1) / WRITER_BLOCK * WRITER_BLOCK;
}

/* What is left of the dump's room for items and core, after the tail. */
static uint64_t
room_left(const struct dump_writer *w)
{
	uint64_t room = w->room.room;

	if (room == UINT64_MAX)
		return UINT64_MAX;
	return room > w->used + ROOM_TAIL ? room - w->used - ROOM_TAIL : 0;
}

/*
 * The free bytes above the floor on the spool's file system, now, less
 * what the held items (defer) will take when they are written.
 */
static uint64_t
fs_left(const struct dump_writer *w)
{
	uint64_t floor = POLICY_FLOOR(w->c->hook.keep_free), free_bytes;
	struct statvfs vfs;

	/* Before the dump's directory exists: the spool's file system. */
	if (fstatvfs(w->dirfd >= 0 ? w->dirfd : w->spool_dirfd, &vfs) < 0)
		return UINT64_MAX;
	free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	floor += w->deferred_charge;
	return free_bytes > floor ? free_bytes - floor : 0;
}

bool
writer_room_keep_free(const struct dump_writer *w)
{
	return w->room_reason && strcmp(w->room_reason, "keep_free") == 0;
}

/*
 * Cuts an item to keep bytes at most, at the end of its last whole line
 * (or NUL-separated string: cmdline, environ) when there is one.
 */
static size_t
item_cut(const char *name, const char *data, size_t keep)
{
	char sep = strcmp(name, DUMP_ITEM_CMDLINE) == 0 ||
		strcmp(name, DUMP_ITEM_ENVIRON) == 0
	    ? '\0'
	    : '\n';

	for (size_t i = keep; i > 0; i--)
		if (data[i - 1] == sep)
			return i;
	return keep;
}

uint64_t
writer_cap(const struct dump_writer *w, const char *name)
{
	const char *key;

	return policy_item_cap(&w->c->hook, name, &key);
}

/*
 * The bytes of an item of len bytes that are kept, within its cap and
 * the dump's room; what is cut or left out is noted in "incomplete".
 */
static size_t
item_allowed(
    struct dump_writer *w, const char *name, const char *data, size_t len)
{
	const char *key, *why;
	uint64_t cap, left;
	size_t keep;

	if (item_identifies(name) || item_bookkeeping(name))
		return len;
	if (w->identity_only) {
		buf_printf(&w->missing,
		    "%s: not written: keep_free floor reached, only the "
		    "identifying items are kept\n",
		    name);
		return 0;
	}
	cap = policy_item_cap(&w->c->hook, name, &key);
	left = room_left(w);
	if (left < cap && left < item_charge(len)) {
		account_grow(&w->c->hook, w->spool_dirfd, &w->room,
		    item_charge(len) - left);
		left = room_left(w);
	}
	why = key;
	if (left < cap) {
		cap = left;
		why = writer_room_keep_free(w)
		    ? "the dump's room above hook.limits.keep_free"
		    : "the dump's room under hook.limits.spool_max";
	}
	/*
	 * The disk as it is now (other crashes are being written too): the
	 * floor is left to identifying items.
	 */
	left = fs_left(w);
	if (left < cap) {
		cap = left;
		why = "the space kept free for identifying items";
	}
	if (len <= cap)
		return len;
	keep = cap == 0 ? 0 : item_cut(name, data, (size_t)cap);
	if (keep == 0)
		buf_printf(&w->missing, "%s: not written: %zu bytes, over %s\n",
		    name, len, why);
	else
		buf_printf(&w->missing, "%s: truncated at %zu bytes (%s)\n",
		    name, keep, why);
	return keep;
}

int
writer_put(
    struct dump_writer *w, const char *name, const void *data, size_t len)
{
	if (len > 0 && data != NULL) {
		size_t keep = item_allowed(w, name, data, len);

		if (keep == 0 && !item_identifies(name) &&
		    !item_bookkeeping(name))
			return 0;
		len = keep;
	}
	w->used += item_charge(len);
	if (w->defer && item_defer(w, name, data, len) == 0)
		return 0;
	return item_write(w, name, data, len);
}

/* Writes one item; a failure is recorded in "incomplete". */
static int
item_write(
    struct dump_writer *w, const char *name, const void *data, size_t len)
{
	int fd;

	fd = spool_write_item(w->dirfd, name, data, len, 0640);
	if (fd < 0) {
		if (fd == -ENOSPC || fd == -EDQUOT)
			w->no_space = true;
		if (item_identifies(name) && w->identity_error == 0)
			w->identity_error = fd;
		writer_missing(w, name, fd);
		return fd;
	}
	if (w->share)
		(void)acl_grant_read(fd, w->uid, false);
	safe_close(fd);
	return 0;
}

int
writer_printf(struct dump_writer *w, const char *name, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n > sizeof(tmp) - 2)
		n = sizeof(tmp) - 2;
	tmp[n++] = '\n';
	return writer_put(w, name, tmp, (size_t)n);
}

int
writer_line(struct dump_writer *w, const char *name, const char *s, size_t len)
{
	struct buf b;
	int r;

	buf_init(&b, len + 2);
	r = buf_append(&b, s, len);
	if (r >= 0)
		r = buf_putc(&b, '\n');
	if (r >= 0)
		r = writer_put(w, name, b.data, b.len);
	else
		writer_missing(w, name, r);
	buf_done(&b);
	return r;
}

int
writer_buf(struct dump_writer *w, const char *name, int r, const struct buf *b)
{
	if (r == -E2BIG && b->len > 0) {
		const char *key;
		uint64_t cap = policy_item_cap(&w->c->hook, name, &key);

		/* Longer than the cap: at least one byte over it. */
		if (b->len <= cap) {
			buf_printf(&w->missing,
			    "%s: truncated at %zu bytes (%s)\n", name, b->len,
			    key);
			return writer_put(w, name, b->data, b->len);
		}
		r = 0;
	}
	if (r < 0) {
		writer_missing(w, name, r);
		return r;
	}
	return writer_put(w, name, b->data ? b->data : "", b->len);
}

void
writer_buf_init(struct dump_writer *w, struct buf *b, const char *name)
{
	buf_init(b, (size_t)writer_cap(w, name) + 1 + WRITER_BLOCK);
}

bool
writer_incomplete(struct dump_writer *w)
{
	if (w->missing.len == 0)
		return false;
	writer_put(w, DUMP_ITEM_INCOMPLETE, w->missing.data, w->missing.len);
	return true;
}

int
writer_create(struct dump_writer *w, const char *name)
{
	int fd;

	if (w->dirfd < 0) {
		/* No directory yet: in memory, written by writer_flush(). */
		if (w->held_fd >= 0 || strlen(name) >= sizeof(w->held_name))
			return -EBUSY;
		w->held_fd = memfd_create(name, MFD_CLOEXEC);
		if (w->held_fd < 0)
			return -errno;
		strcpy(w->held_name, name);
		fd = fcntl(w->held_fd, F_DUPFD_CLOEXEC, 3);
		return fd < 0 ? -errno : fd;
	}
	fd = spool_write_item(w->dirfd, name, NULL, 0, 0640);
	if (fd >= 0 && w->share)
		(void)acl_grant_read(fd, w->uid, false);
	return fd;
}

void
writer_discard(struct dump_writer *w, const char *name)
{
	if (w->held_fd >= 0 && strcmp(name, w->held_name) == 0) {
		safe_close(w->held_fd);
		w->held_fd = -1;
		return;
	}
	if (w->dirfd >= 0)
		unlinkat(w->dirfd, name, 0);
}

/* gzip adds a little to what it cannot compress: a little less. */
uint64_t
writer_core_room(const struct dump_writer *w)
{
	uint64_t left = room_left(w), fs = fs_left(w);

	if (fs < left)
		left = fs;

	if (left == UINT64_MAX)
		return left;
	left -= left / 256;
	return left > WRITER_BLOCK ? left - WRITER_BLOCK : 0;
}
