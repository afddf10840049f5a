/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmsg.c owns counting, from the kernel log, the crashes the kernel
 * handed to no hook (kmsg.h).
 */
#include "kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bytes.h"
#include "fsutil.h"
#include "hookstate.h"
#include "log.h"

#define KMSG_PATH "/dev/kmsg"
#define BOOT_ID_PATH "/proc/sys/kernel/random/boot_id"
#define KMSG_RECORD_MAX 8192

int
kmsg_parse(const char *rec, size_t len, uint64_t *ret_seq)
{
	const char *p = rec, *end = rec + len, *msg, *nl;
	uint64_t seq = 0;
	size_t mlen;
	int digits = 0;

	/* PRIO, */
	while (p < end && *p >= '0' && *p <= '9')
		p++;
	if (p == rec || p == end || *p != ',')
		return -EINVAL;
	p++;
	/* SEQ, */
	for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
		if (seq > (UINT64_MAX - 9) / 10)
			return -EINVAL;
		seq = seq * 10 + (uint64_t)(*p - '0');
	}
	if (digits == 0 || p == end || *p != ',')
		return -EINVAL;
	msg = memchr(p, ';', (size_t)(end - p));
	if (msg == NULL)
		return -EINVAL;
	msg++;
	nl = memchr(msg, '\n', (size_t)(end - msg));
	mlen = nl ? (size_t)(nl - msg) : (size_t)(end - msg);
	*ret_seq = seq;
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

int
kmsg_open(struct kmsg *k, int spool_dirfd)
{
	struct hookstate st;
	char *boot = NULL;
	size_t len;
	int r;

	memset(k, 0, sizeof(*k));
	k->fd = -1;
	r = read_file_at(AT_FDCWD, BOOT_ID_PATH, 64, &boot, &len);
	if (r < 0)
		return r;
	boot[len > 0 && boot[len - 1] == '\n' ? len - 1 : len] = '\0';
	k->boot = hookstate_key(boot);
	free(boot);
	r = hookstate_snapshot(spool_dirfd, &st);
	if (r == 0 && st.kmsg_boot == k->boot)
		k->last_seq = k->seen_seq = st.kmsg_seq;
	/*
	 * A reader of another boot's state starts at the oldest record the
	 * kernel keeps (crashd's hook was registered at boot, before the
	 * daemon ran); one whose state never read the kernel log (a new
	 * spool) at its end: what was dropped before is not crashd's.
	 */
	k->fd = open(KMSG_PATH, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0)
		return -errno;
	if ((r < 0 || st.kmsg_boot == 0) && lseek(k->fd, 0, SEEK_END) < 0)
		return -errno;
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

void
kmsg_scan(struct kmsg *k, int spool_dirfd)
{
	char rec[KMSG_RECORD_MAX];

	if (k->fd < 0)
		return;
	/* Bounded: a kernel that logs without pause does not hold us. */
	for (int i = 0; i < 4096; i++) {
		ssize_t n = read(k->fd, rec, sizeof(rec));
		uint64_t seq;
		int r;

		if (n < 0 && errno == EINTR)
			continue;
		/* EPIPE: records overwritten before we read them. */
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		r = kmsg_parse(rec, (size_t)n, &seq);
		if (r < 0 || seq <= k->seen_seq)
			continue;
		k->seen_seq = seq;
		if (r > 0)
			k->pending++;
	}
	flush(k, spool_dirfd);
}

void
kmsg_close(struct kmsg *k)
{
	k->fd = safe_close(k->fd);
}
