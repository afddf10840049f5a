/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hookstate.c owns the hook's state file: its format, its lock, its
 * journal, who may open it, and the rate-limit arithmetic done on it.
 */
#include "hookstate.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "notstored.h"
#include "spool.h"

/* "<.state>/<name>" for openat() on the spool root. */
static void
state_path(char *buf, size_t size, const char *name)
{
	snprintf(buf, size, "%s/%s", SPOOL_STATE, name);
}

/*
 * Replaces the file name in dirfd by a 0600 copy of it: a new inode, so
 * that whoever opened the old one (and may hold a lock on it) holds
 * nothing that matters any more.  Returns 0 or -errno.
 */
static int
replace_by_copy(int dirfd, const char *name)
{
	char tmp[64], chunk[16384];
	int in, out = -1, r = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", name, (long)getpid());
	in = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (in < 0)
		return -errno;
	r = fd_verify_regular(in);
	if (r < 0)
		goto out;
	(void)unlinkat(dirfd, tmp, 0);
	out = openat(dirfd, tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0) {
		r = -errno;
		goto out;
	}
	if (fchmod(out, 0600) < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		ssize_t n = read(in, chunk, sizeof(chunk));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		if (n == 0)
			break;
		r = write_all(out, chunk, (size_t)n);
		if (r < 0)
			goto out;
	}
	if (renameat(dirfd, tmp, dirfd, name) < 0)
		r = -errno;
out:
	if (r < 0 && out >= 0)
		(void)unlinkat(dirfd, tmp, 0);
	safe_close(out);
	safe_close(in);
	return r;
}

int
hookstate_secure(int spool_dirfd)
{
	static const char *const files[] = { HOOKSTATE_FILE, HOOKSTATE_JOURNAL,
		NOTSTORED_FILE };
	struct stat st;
	int dfd, r, changed = 0;

	if (geteuid() != 0)
		return 0;
	if (fstatat(spool_dirfd, SPOOL_STATE, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (st.st_uid != 0 || st.st_gid != 0) {
		if (fchownat(spool_dirfd, SPOOL_STATE, 0, 0,
			AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		changed = 1;
	}
	if ((st.st_mode & 07777) != SPOOL_STATE_MODE) {
		if (fchmodat(spool_dirfd, SPOOL_STATE, SPOOL_STATE_MODE, 0) < 0)
			return -errno;
		changed = 1;
	}
	dfd = open_dir_at(spool_dirfd, SPOOL_STATE);
	if (dfd < 0)
		return dfd;
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (fstatat(dfd, files[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			r = -errno;
			goto out;
		}
		if (!S_ISREG(st.st_mode)) {
			r = -EBADFD;
			goto out;
		}
		if (st.st_uid == 0 && st.st_gid == 0 &&
		    (st.st_mode & 07777) == 0600)
			continue;
		r = replace_by_copy(dfd, files[i]);
		if (r < 0)
			goto out;
		changed = 1;
	}
	r = changed;
out:
	safe_close(dfd);
	return r;
}

/* fd locked (LOCK_EX) within timeout_ms, or closed and -errno. */
static int
lock_or_close(int fd, int timeout_ms)
{
	int r = fd_flock_timeout(fd, LOCK_EX, timeout_ms);

	if (r < 0) {
		safe_close(fd);
		return r;
	}
	return fd;
}

int
hookstate_lock(int spool_dirfd, bool create, int timeout_ms)
{
	char path[64];
	int fd, flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;

	state_path(path, sizeof(path), HOOKSTATE_FILE);
	/* Before opening: never write into a file someone else holds open. */
	(void)hookstate_secure(spool_dirfd);
	if (create)
		flags |= O_CREAT;
	fd = openat(spool_dirfd, path, flags, 0600);
	if (fd < 0 && errno == EACCES && !create)
		fd = openat(
		    spool_dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fd_verify_regular(fd) < 0) {
		safe_close(fd);
		return -EBADFD;
	}
	return lock_or_close(fd, timeout_ms);
}

int
hookstate_read(int fd, struct hookstate *ret)
{
	struct hookstate st;
	ssize_t n;

	n = pread(fd, &st, sizeof(st), 0);
	if (n < 0)
		return -errno;
	/* Version 1 is version 2's prefix: keep its counters and buckets. */
	if (n >= (ssize_t)offsetof(struct hookstate, journal_off) &&
	    st.magic == HOOKSTATE_MAGIC && st.version == 1) {
		memset((char *)&st + offsetof(struct hookstate, journal_off), 0,
		    sizeof(st) - offsetof(struct hookstate, journal_off));
		st.version = HOOKSTATE_VERSION;
		n = sizeof(st);
	}
	/* A version 2 file from before reserved_at_ms: its prefix. */
	if (n >= (ssize_t)offsetof(struct hookstate, reserved_at_ms) &&
	    (size_t)n < sizeof(st) && st.magic == HOOKSTATE_MAGIC &&
	    st.version == HOOKSTATE_VERSION) {
		memset((char *)&st + n, 0, sizeof(st) - (size_t)n);
		n = sizeof(st);
	}
	if ((size_t)n != sizeof(st) || st.magic != HOOKSTATE_MAGIC ||
	    st.version != HOOKSTATE_VERSION) {
		memset(&st, 0, sizeof(st));
		st.magic = HOOKSTATE_MAGIC;
		st.version = HOOKSTATE_VERSION;
	}
	*ret = st;
	return 0;
}

int
hookstate_write(int fd, const struct hookstate *st)
{
	ssize_t n;

	n = pwrite(fd, st, sizeof(*st), 0);
	if (n < 0)
		return -errno;
	return (size_t)n == sizeof(*st) ? 0 : -EIO;
}

void
hookstate_apply(struct hookstate *st, const struct hookstate_record *rec)
{
	struct hookstate_counters *c = &st->counters;

	c->seen += (uint64_t)rec->seen;
	c->stored += (uint64_t)rec->stored;
	c->ignored += (uint64_t)rec->ignored;
	c->rate_limited += (uint64_t)rec->rate_limited;
	c->cores_kept += (uint64_t)rec->cores_kept;
	c->cores_skipped += (uint64_t)rec->cores_skipped;
	c->degraded += (uint64_t)rec->degraded;
	c->failed += (uint64_t)rec->failed;
	/* A negative delta settles a reservation: never below empty. */
	if (rec->spool_bytes >= 0)
		st->spool_bytes += (uint64_t)rec->spool_bytes;
	else if ((uint64_t)-rec->spool_bytes < st->spool_bytes)
		st->spool_bytes -= (uint64_t)-rec->spool_bytes;
	else
		st->spool_bytes = 0;
}

static int
journal_open(int spool_dirfd, int flags)
{
	char path[64];
	int fd;

	state_path(path, sizeof(path), HOOKSTATE_JOURNAL);
	fd = openat(spool_dirfd, path, flags | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (fd_verify_regular(fd) < 0) {
		safe_close(fd);
		return -EBADFD;
	}
	return fd;
}

int
hookstate_fold(int spool_dirfd, struct hookstate *st)
{
	struct hookstate_record recs[64];
	struct hookstate copy = *st;
	struct stat sb;
	int fd, folded = 0, r;

	fd = journal_open(spool_dirfd, O_RDONLY);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (fstat(fd, &sb) < 0) {
		r = -errno;
		goto out;
	}
	/* A journal removed and started again: read it from its start. */
	if ((uint64_t)sb.st_size < copy.journal_off)
		copy.journal_off = 0;
	for (;;) {
		ssize_t n =
		    pread(fd, recs, sizeof(recs), (off_t)copy.journal_off);
		size_t whole;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			goto out;
		}
		/* A record is written in one write(): a part is one being
		 * written now. */
		whole = (size_t)n / sizeof(recs[0]);
		if (whole == 0)
			break;
		for (size_t i = 0; i < whole; i++) {
			if (recs[i].magic != HOOKSTATE_MAGIC ||
			    recs[i].version != HOOKSTATE_VERSION)
				continue;
			hookstate_apply(&copy, &recs[i]);
			/* Stored without the lock: the GCRA does not know. */
			if (recs[i].stored > 0)
				copy.uncharged_stored +=
				    (uint64_t)recs[i].stored;
			folded++;
		}
		copy.journal_off += whole * sizeof(recs[0]);
	}
	*st = copy;
	r = folded;
out:
	safe_close(fd);
	return r;
}

int
hookstate_journal_append(int spool_dirfd, const struct hookstate_record *rec)
{
	ssize_t n;
	int fd;

	fd = journal_open(spool_dirfd, O_WRONLY | O_APPEND | O_CREAT);
	if (fd < 0)
		return fd;
	/* One write(2) with O_APPEND: records never interleave. */
	n = write(fd, rec, sizeof(*rec));
	if (n < 0)
		n = -errno;
	safe_close(fd);
	if (n < 0)
		return (int)n;
	return (size_t)n == sizeof(*rec) ? 0 : -EIO;
}

/*
 * hookstate_snapshot() and hookstate_peek(): lock_tries times 1 ms for a
 * shared lock, else reads until two reads are alike.
 */
static int
snapshot(int spool_dirfd, int lock_tries, struct hookstate *ret)
{
	struct hookstate *a = NULL, *b = NULL;
	char path[64];
	bool locked = false;
	int fd, r;

	state_path(path, sizeof(path), HOOKSTATE_FILE);
	fd = openat(spool_dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fd_verify_regular(fd);
	if (r < 0)
		goto out;
	/* A shared lock for a moment; the hook's wait for it is as short. */
	for (int i = 0; i < lock_tries; i++) {
		const struct timespec ms = { 0, 1000 * 1000 };

		if (flock(fd, LOCK_SH | LOCK_NB) == 0) {
			locked = true;
			break;
		}
		nanosleep(&ms, NULL);
	}
	a = malloc(sizeof(*a));
	b = malloc(sizeof(*b));
	if (a == NULL || b == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = hookstate_read(fd, a);
	/* Held by someone else: two reads alike are no torn one. */
	for (int i = 0; r >= 0 && !locked && i < 100; i++) {
		r = hookstate_read(fd, b);
		if (r < 0 || memcmp(a, b, sizeof(*a)) == 0)
			break;
		memcpy(a, b, sizeof(*a));
	}
	if (r < 0)
		goto out;
	r = hookstate_fold(spool_dirfd, a);
	if (r < 0)
		goto out;
	*ret = *a;
	r = 0;
out:
	free(a);
	free(b);
	safe_close(fd);
	return r;
}

int
hookstate_snapshot(int spool_dirfd, struct hookstate *ret)
{
	return snapshot(spool_dirfd, 100, ret);
}

int
hookstate_peek(int spool_dirfd, struct hookstate *ret)
{
	struct hookstate st = { .magic = HOOKSTATE_MAGIC,
		.version = HOOKSTATE_VERSION };
	int r;

	r = snapshot(spool_dirfd, 0, ret);
	if (r != -ENOENT)
		return r;
	r = hookstate_fold(spool_dirfd, &st);
	if (r < 0)
		return r;
	*ret = st;
	return 0;
}

int
hookstate_journal_lock(int spool_dirfd, int timeout_ms)
{
	int fd = journal_open(spool_dirfd, O_RDWR | O_APPEND | O_CREAT);

	return fd < 0 ? fd : lock_or_close(fd, timeout_ms);
}

uint64_t
hookstate_key(const char *s)
{
	uint64_t h = 14695981039346656037ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

/* When a slot's buckets are all full again: the later of the two. */
static int64_t
slot_recovered(const struct hookstate_slot *s)
{
	return s->tat_dump_ms > s->tat_core_ms ? s->tat_dump_ms
					       : s->tat_core_ms;
}

struct hookstate_slot *
hookstate_slot(struct hookstate *st, uint64_t key)
{
	struct hookstate_slot *victim = &st->slots[0];

	for (int i = 0; i < HOOKSTATE_SLOTS; i++) {
		struct hookstate_slot *s = &st->slots[i];

		if (s->key == key)
			return s;
		if (s->key == 0 ||
		    (victim->key != 0 &&
			slot_recovered(s) < slot_recovered(victim)))
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	return victim;
}
