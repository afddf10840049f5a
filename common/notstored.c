/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notstored.c owns the ring of crashes the hook did not store: its
 * format, its lock and the checks a reader makes (notstored.h).
 */
#include "notstored.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fsutil.h"
#include "hookstate.h"
#include "spool.h"

/* Readers wait this long for a writer's few microseconds. */
#define READ_LOCK_TIMEOUT_MS 100

struct header {
	uint32_t magic;
	uint32_t version;
	uint64_t seq; /* records ever written */
};

static const char *const reason_names[_NOTSTORED_REASON_MAX] = {
	[NOTSTORED_IGNORED] = "ignored",
	[NOTSTORED_RATE_LIMITED] = "rate_limited",
	[NOTSTORED_SPOOL_FULL] = "spool_full",
	[NOTSTORED_FAILED] = "failed",
};

const char *
notstored_reason_to_string(enum notstored_reason r)
{
	return (unsigned)r < _NOTSTORED_REASON_MAX ? reason_names[r] : NULL;
}

/* Copies s into a field of size bytes; true when it was cut. */
static bool
copy_field(char *field, size_t size, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	bool cut = n >= size;

	if (cut)
		n = size - 1;
	if (n > 0)
		memcpy(field, s, n);
	field[n] = '\0';
	return cut;
}

void
notstored_fill(struct notstored_record *rec, enum notstored_reason reason,
    const char *detail, int64_t time_ms, int pid, int signal, unsigned uid,
    unsigned gid, const char *executable, const char *comm,
    const char *hostname)
{
	memset(rec, 0, sizeof(*rec));
	rec->magic = NOTSTORED_MAGIC;
	rec->version = NOTSTORED_VERSION;
	rec->reason = (uint8_t)reason;
	rec->time_ms = time_ms;
	rec->pid = pid;
	rec->signal = signal;
	rec->uid = uid;
	rec->gid = gid;
	rec->exe_key = hookstate_key(executable ? executable : "");
	(void)copy_field(rec->detail, sizeof(rec->detail), detail);
	(void)copy_field(rec->comm, sizeof(rec->comm), comm);
	(void)copy_field(rec->hostname, sizeof(rec->hostname), hostname);
	rec->truncated =
	    copy_field(rec->executable, sizeof(rec->executable), executable);
}

static off_t
slot_offset(uint64_t seq)
{
	return (off_t)NOTSTORED_RECORD_SIZE *
	    (off_t)(1 + seq % NOTSTORED_SLOTS);
}

static void
ring_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", SPOOL_STATE, NOTSTORED_FILE);
}

/* The header, or a fresh one for an empty file; -EBADMSG for garbage. */
static int
read_header(int fd, struct header *h)
{
	ssize_t n = pread(fd, h, sizeof(*h), 0);

	if (n < 0)
		return -errno;
	if (n == 0) {
		*h = (struct header){ NOTSTORED_MAGIC, NOTSTORED_VERSION, 0 };
		return 0;
	}
	if (n != (ssize_t)sizeof(*h) || h->magic != NOTSTORED_MAGIC ||
	    h->version != NOTSTORED_VERSION)
		return -EBADMSG;
	return 0;
}

int
notstored_put(int spool_dirfd, struct notstored_record *rec, int timeout_ms)
{
	struct header h;
	char path[64];
	int fd, r;

	ring_path(path, sizeof(path));
	r = mkdir_at_safe(spool_dirfd, SPOOL_STATE, SPOOL_STATE_MODE);
	if (r < 0)
		return r;
	fd = openat(
	    spool_dirfd, path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	r = fd_verify_regular(fd);
	if (r >= 0)
		r = fd_flock_timeout(fd, LOCK_EX, timeout_ms);
	if (r >= 0)
		r = read_header(fd, &h);
	if (r == -EBADMSG) {
		/* Garbage (a crash mid-way through the first write): anew. */
		h = (struct header){ NOTSTORED_MAGIC, NOTSTORED_VERSION, 0 };
		r = 0;
	}
	if (r >= 0) {
		rec->seq = h.seq;
		r = pwrite_all(fd, rec, sizeof(*rec), slot_offset(h.seq));
	}
	if (r >= 0) {
		h.seq++;
		r = pwrite_all(fd, &h, sizeof(h), 0);
	}
	safe_close(fd); /* and the lock */
	return r < 0 ? r : 0;
}

int
notstored_open(int spool_dirfd)
{
	char path[64];

	ring_path(path, sizeof(path));
	return open_regular_at(spool_dirfd, path, O_RDONLY);
}

int64_t
notstored_count(int fd)
{
	struct header h;
	int r = fd_flock_timeout(fd, LOCK_SH, READ_LOCK_TIMEOUT_MS);

	if (r >= 0)
		r = read_header(fd, &h);
	(void)flock(fd, LOCK_UN);
	return r < 0 ? r : (int64_t)h.seq;
}

bool
notstored_valid(const struct notstored_record *rec)
{
	return rec->magic == NOTSTORED_MAGIC &&
	    rec->version == NOTSTORED_VERSION &&
	    notstored_reason_to_string(rec->reason) != NULL &&
	    memchr(rec->hostname, '\0', sizeof(rec->hostname)) &&
	    memchr(rec->comm, '\0', sizeof(rec->comm)) &&
	    memchr(rec->detail, '\0', sizeof(rec->detail)) &&
	    memchr(rec->executable, '\0', sizeof(rec->executable));
}

int
notstored_get(int fd, uint64_t seq, struct notstored_record *ret)
{
	struct header h;
	ssize_t n = 0;
	int r = fd_flock_timeout(fd, LOCK_SH, READ_LOCK_TIMEOUT_MS);

	if (r >= 0)
		r = read_header(fd, &h);
	if (r >= 0 && (seq >= h.seq || h.seq - seq > NOTSTORED_SLOTS))
		r = -ESTALE;
	if (r >= 0) {
		n = pread(fd, ret, sizeof(*ret), slot_offset(seq));
		if (n < 0)
			r = -errno;
	}
	(void)flock(fd, LOCK_UN);
	if (r < 0)
		return r;
	if (n != (ssize_t)sizeof(*ret) || !notstored_valid(ret))
		return -EBADMSG;
	return ret->seq == seq ? 0 : -ESTALE;
}
