/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmsg.c owns reading the kernel log: its reader thread, its cursor, the
 * crashes the kernel handed to no hook and feeding the kernel reports to
 * their collector (kmsg.h).
 */
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "clock.h"
#include "daemon.h"
#include "fsutil.h"
#include "hookstate.h"
#include "log.h"
#include "spool.h"

#define KMSG_PATH "/dev/kmsg"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define KMSG_RECORD_MAX 8192
#define CURSOR SPOOL_STATE "/kmsg.cursor"
/* Records taken per scan: a kernel that logs without pause holds no one. */
#define SCAN_MAX (64 * 1024)

int
kmsg_parse(const char *rec, size_t len, uint64_t *ret_seq)
{
	struct kmsg_record r;
	const char *msg;
	size_t mlen;

	if (kmsg_record_parse(rec, len, &r) < 0)
		return -EINVAL;
	*ret_seq = r.seq;
	msg = r.msg;
	mlen = r.msg_len;
	/*
	 * The comm in between is at most 16 bytes (escaped by the kernel):
	 * too short to carry the whole suffix, which is the kernel's.
	 */
	if (bytes_has_prefix(msg, mlen, "coredump: ") &&
	    bytes_has_suffix(
		msg, mlen, "): over core_pipe_limit, skipping core dump"))
		return 1;
	if (bytes_has_prefix(msg, mlen, "Pid ") &&
	    bytes_has_suffix(msg, mlen, ") over core_pipe_limit"))
		return 1;
	return 0;
}

/* The reader: blocking reads, appended to the queue while it has room. */
static void *
reader(void *arg)
{
	struct kmsg *k = arg;
	char rec[KMSG_RECORD_MAX];

	for (;;) {
		ssize_t n = read(k->fd, rec, sizeof(rec));
		uint32_t len;

		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue; /* EPIPE: overwritten; the gap says so */
		if (n <= 0) {
			pthread_mutex_lock(&k->q.lock);
			k->q.error = n < 0 ? -errno : -EIO;
			pthread_mutex_unlock(&k->q.lock);
			return NULL;
		}
		len = (uint32_t)n;
		pthread_mutex_lock(&k->q.lock);
		/* Full: dropped here, counted as the ring's (a gap). */
		if (k->q.len + sizeof(len) + len <= KMSG_QUEUE_MAX) {
			memcpy(k->q.data + k->q.len, &len, sizeof(len));
			memcpy(k->q.data + k->q.len + sizeof(len), rec, len);
			k->q.len += sizeof(len) + len;
		}
		pthread_mutex_unlock(&k->q.lock);
	}
}

/* "BOOT_ID SEQ DROPPED": 1 when read, 0 when there is none, -errno. */
static int
cursor_load(int spool_dirfd, char *boot, size_t size, uint64_t *ret_seq,
    uint64_t *ret_dropped)
{
	unsigned long long seq, dropped;
	char id[40], *text = NULL;
	size_t len;
	int r;

	r = read_file_at(spool_dirfd, CURSOR, 256, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = sscanf(text, "%39s %llu %llu", id, &seq, &dropped) == 3 ? 1
								    : -EBADMSG;
	free(text);
	if (r < 0)
		return r;
	snprintf(boot, size, "%s", id);
	*ret_seq = seq;
	*ret_dropped = dropped;
	return 1;
}

static int
cursor_save(struct kmsg *k, struct daemon *dm, uint64_t seq)
{
	char text[128];
	int n, r;

	n = snprintf(text, sizeof(text), "%s %llu %llu\n", k->boot_id,
	    (unsigned long long)seq, (unsigned long long)k->dropped);
	r = replace_file_at(
	    dm->spool.dirfd, CURSOR, text, (size_t)n, 0600, true);
	if (r < 0)
		return r;
	k->saved_seq = seq;
	k->dropped_saved = k->dropped;
	k->saved_ms = clock_now_ms(CLOCK_MONOTONIC);
	return 0;
}

/* The sequence number of the kernel log's newest record now. */
static int
newest_seq(uint64_t *ret)
{
	char rec[KMSG_RECORD_MAX];
	uint64_t seq = 0;
	int fd = open(KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec));
		uint64_t s;

		if (n < 0 && (errno == EINTR || errno == EPIPE))
			continue;
		if (n <= 0)
			break;
		if (kmsg_parse(rec, (size_t)n, &s) >= 0)
			seq = s;
	}
	safe_close(fd);
	*ret = seq;
	return 0;
}

/* Where the reports pick up: the cursor, this boot's start, or now. */
static void
open_reports(struct kmsg *k, struct daemon *dm, uint64_t newest)
{
	char boot[40] = "";
	uint64_t seq = 0, dropped = 0;
	int r;

	r = cursor_load(dm->spool.dirfd, boot, sizeof(boot), &seq, &dropped);
	if (r < 0)
		log_warn_errno(r,
		    "%s/%s: %m; following the kernel log from now on",
		    dm->cfg.spool, CURSOR);
	if (r > 0 && strcmp(boot, k->boot_id) == 0) {
		k->read_seq = seq;
		k->dropped = k->dropped_saved = dropped;
	} else if (r > 0) {
		k->read_seq = 0; /* another boot's: all of this one */
	} else {
		k->read_seq = newest; /* the first start on this spool */
	}
	k->saved_seq = k->read_seq;
	r = kernel_dumps_init(&k->dumps, dm, k->boot_id);
	if (r < 0)
		log_warn_errno(r,
		    "the kernel dumps in %s: %m; a report read again may be "
		    "written twice",
		    dm->cfg.spool);
	koops_init(&k->koops, dm->cfg.daemon.kernel.markers);
	k->reports = true;
	if (r >= 0 && (k->saved_seq != seq || strcmp(boot, k->boot_id) != 0))
		(void)cursor_save(k, dm, k->read_seq);
}

int
kmsg_open(struct kmsg *k, struct daemon *dm)
{
	struct hookstate st;
	char *boot = NULL;
	sigset_t all, old;
	uint64_t newest = 0;
	size_t len;
	int r, sr;

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	pthread_mutex_init(&k->q.lock, NULL);
	r = read_file_at(AT_FDCWD, BOOT_ID_PATH, 64, &boot, &len);
	if (r < 0)
		return r;
	boot[len > 0 && boot[len - 1] == '\n' ? len - 1 : len] = '\0';
	snprintf(k->boot_id, sizeof(k->boot_id), "%s", boot);
	k->boot = hookstate_key(boot);
	free(boot);
	r = newest_seq(&newest);
	if (r < 0)
		return r;
	sr = hookstate_snapshot(dm->spool.dirfd, &st);
	/*
	 * A reader of another boot's state starts at the oldest record the
	 * kernel keeps (crashd's hook was registered at boot, before the
	 * daemon ran); one whose state never read the kernel log (a new
	 * spool) at its end: what was dropped before is not crashd's.
	 */
	if (sr == 0 && st.kmsg_boot == k->boot)
		k->last_seq = k->seen_seq = st.kmsg_seq;
	else if (sr < 0 || st.kmsg_boot == 0)
		k->last_seq = k->seen_seq = newest;
	k->q.data = malloc(KMSG_QUEUE_MAX);
	k->batch = malloc(KMSG_QUEUE_MAX);
	if (k->q.data == NULL || k->batch == NULL)
		return -ENOMEM;
	/* Blocking: the reader waits in read(). */
	k->fd = open(KMSG_PATH, O_RDONLY | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	if (dm->cfg.daemon.kernel.enabled)
		open_reports(k, dm, newest);
	/* The daemon's signals are the main thread's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	r = -pthread_create(&k->tid, NULL, reader, k);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r < 0)
		return r;
	k->thread = true;
	return 0;
}

/* Moves what was read into the state; keeps it for later when locked. */
static void
flush(struct kmsg *k, int spool_dirfd)
{
	struct hookstate st;
	int fd;

	if (k->seen_seq == k->last_seq && k->pending == 0)
		return;
	fd = hookstate_lock(spool_dirfd, true, 100);
	if (fd < 0)
		return;
	if (hookstate_read(fd, &st) == 0) {
		(void)hookstate_fold(spool_dirfd, &st);
		if (st.kmsg_boot != k->boot)
			st.kmsg_seq = 0;
		/* Another reader (an earlier run) got as far: not twice. */
		if (st.kmsg_seq < k->seen_seq || st.kmsg_boot != k->boot) {
			st.kernel_dropped += k->pending;
			st.kmsg_seq = k->seen_seq;
			st.kmsg_boot = k->boot;
			if (hookstate_write(fd, &st) == 0) {
				if (k->pending > 0)
					log_warn("the kernel handed %llu "
						 "crash(es) to no hook: over "
						 "core_pipe_limit (counted as "
						 "kernel_dropped)",
					    (unsigned long long)k->pending);
				k->pending = 0;
				k->last_seq = k->seen_seq;
			}
		} else {
			k->pending = 0;
			k->last_seq = k->seen_seq;
		}
	}
	safe_close(fd);
}

/* Whether the record is one the reports may come from. */
static bool
accepted(const struct daemon *dm, const struct kmsg_record *r)
{
	return KMSG_FACILITY(r) == 0 ||
	    (KMSG_FACILITY(r) == 1 &&
		dm->cfg.daemon.kernel.accept_user_records);
}

/* One record: the drop count, then the reports. */
static void
take(struct kmsg *k, struct daemon *dm, const char *rec, size_t n,
    int64_t now_ms)
{
	struct kmsg_record r;
	struct koops_report rep;
	uint64_t seq;
	int drop = kmsg_parse(rec, n, &seq);

	if (drop < 0 || kmsg_record_parse(rec, n, &r) < 0)
		return;
	/* The first record read: what the cursor awaits may be gone too. */
	if (k->next_seq == 0 && k->reports && k->read_seq > 0 &&
	    seq > k->read_seq + 1)
		k->next_seq = k->read_seq + 1;
	if (k->next_seq != 0 && seq > k->next_seq) {
		log_warn("the kernel log dropped %llu record(s) before crashd "
			 "read them (records %llu-%llu)",
		    (unsigned long long)(seq - k->next_seq),
		    (unsigned long long)k->next_seq,
		    (unsigned long long)(seq - 1));
		k->dropped += seq - k->next_seq;
	}
	k->next_seq = seq + 1;
	if (seq > k->seen_seq) {
		k->seen_seq = seq;
		if (drop > 0)
			k->pending++;
	}
	if (!k->reports || seq <= k->read_seq)
		return;
	k->read_seq = seq;
	/* Turned off by a reload: what is logged meanwhile is not read. */
	if (!dm->cfg.daemon.kernel.enabled || !accepted(dm, &r))
		return;
	if (koops_feed(&k->koops, &r, now_ms, &rep) == 1)
		kernel_dumps_report(&k->dumps, dm, &rep, now_ms);
}

/* The cursor: the last record read, never past a report not written. */
static uint64_t
cursor_of(const struct kmsg *k)
{
	uint64_t c = k->read_seq, p = kernel_dumps_oldest_pending(&k->dumps);

	if (k->koops.open && k->koops.cur.first_seq <= c)
		c = k->koops.cur.first_seq - 1;
	if (p != UINT64_MAX && p <= c)
		c = p - 1;
	return c;
}

void
kmsg_scan(struct kmsg *k, struct daemon *dm)
{
	struct koops_report rep;
	uint64_t written, cursor;
	int64_t now;
	size_t len = 0;
	int error;

	if (k->fd < 0)
		return;
	pthread_mutex_lock(&k->q.lock);
	if (k->q.len > 0) {
		memcpy(k->batch, k->q.data, k->q.len);
		len = k->q.len;
		k->q.len = 0;
	}
	error = k->q.error;
	k->q.error = 0;
	pthread_mutex_unlock(&k->q.lock);
	if (error < 0)
		log_warn_errno(error,
		    "read %s: %m; the kernel log is no "
		    "longer followed",
		    KMSG_PATH);
	now = clock_now_ms(CLOCK_MONOTONIC);
	written = k->dumps.written;
	k->koops.markers = dm->cfg.daemon.kernel.markers; /* a reload's */
	for (size_t off = 0; off + sizeof(uint32_t) <= len && !*dm->stop;) {
		uint32_t n;

		memcpy(&n, k->batch + off, sizeof(n));
		off += sizeof(n);
		take(k, dm, k->batch + off, n, now);
		off += n;
	}
	flush(k, dm->spool.dirfd);
	if (!k->reports)
		return;
	if (koops_tick(&k->koops, now, false, &rep) == 1)
		kernel_dumps_report(&k->dumps, dm, &rep, now);
	kernel_dumps_tick(&k->dumps, dm, now, false);
	cursor = cursor_of(k);
	if ((cursor != k->saved_seq || k->dropped != k->dropped_saved) &&
	    (k->dumps.written != written ||
		now - k->saved_ms >= KMSG_CURSOR_SAVE_MS) &&
	    (error = cursor_save(k, dm, cursor)) < 0)
		log_warn_errno(error, "save %s/%s: %m, trying again",
		    dm->cfg.spool, CURSOR);
}

void
kmsg_close(struct kmsg *k, struct daemon *dm)
{
	if (k->thread) {
		pthread_cancel(k->tid);
		pthread_join(k->tid, NULL);
		k->thread = false;
	}
	if (k->reports) {
		/* What waits, or is still open, is read again next start. */
		(void)cursor_save(k, dm, cursor_of(k));
		kernel_dumps_done(&k->dumps);
		koops_done(&k->koops);
		k->reports = false;
	}
	pthread_mutex_destroy(&k->q.lock);
	free(k->q.data);
	free(k->batch);
	k->q.data = k->batch = NULL;
	k->fd = safe_close(k->fd);
}

uint64_t
kmsg_dropped(const struct kmsg *k)
{
	return k->dropped;
}
