/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hookstate.c owns the hook's state file: its format, its lock and the
 * rate-limit arithmetic done on it.
 */
#include "hookstate.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "spool.h"

int
hookstate_lock(int spool_dirfd, bool create, int timeout_ms)
{
	char path[64];
	int fd, flags = O_RDWR | O_NOFOLLOW | O_CLOEXEC;

	snprintf(path, sizeof(path), "%s/%s", SPOOL_STATE, HOOKSTATE_FILE);
	if (create)
		flags |= O_CREAT;
	fd = openat(spool_dirfd, path, flags, 0644);
	if (fd < 0 && errno == EACCES && !create)
		fd = openat(spool_dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fd_verify_regular(fd) < 0) {
		safe_close(fd);
		return -EBADFD;
	}
	for (int waited = 0;; waited++) {
		const struct timespec ms = { 0, 1000 * 1000 };

		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return fd;
		if (errno != EWOULDBLOCK || waited >= timeout_ms) {
			int r = errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;

			safe_close(fd);
			return r;
		}
		nanosleep(&ms, NULL);
	}
}

int
hookstate_read(int fd, struct hookstate *ret)
{
	struct hookstate st;
	ssize_t n;

	n = pread(fd, &st, sizeof(st), 0);
	if (n < 0)
		return -errno;
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
	return s->tat_dump_ms > s->tat_core_ms ? s->tat_dump_ms : s->tat_core_ms;
}

struct hookstate_slot *
hookstate_slot(struct hookstate *st, uint64_t key)
{
	struct hookstate_slot *victim = &st->slots[0];

	for (int i = 0; i < HOOKSTATE_SLOTS; i++) {
		struct hookstate_slot *s = &st->slots[i];

		if (s->key == key)
			return s;
		if (s->key == 0 || (victim->key != 0 &&
		    slot_recovered(s) < slot_recovered(victim)))
			victim = s;
	}
	memset(victim, 0, sizeof(*victim));
	victim->key = key;
	return victim;
}

bool
hookstate_gcra(int64_t *tat, const struct rate *rate, int64_t now_ms)
{
	int64_t window, interval, t;

	if (rate->count == 0)
		return false;
	window = (int64_t)rate->window * 1000;
	interval = window / rate->count;
	if (interval < 1)
		interval = 1;
	t = *tat;
	/* A clock that went back must not lock a key out for long. */
	if (t > now_ms + window)
		t = now_ms + window - interval;
	if (t > now_ms + window - interval)
		return false;
	*tat = (t > now_ms ? t : now_ms) + interval;
	return true;
}
