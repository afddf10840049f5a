/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crashes the kernel handed to no hook: over core_pipe_limit it starts
 * no helper and says so in the kernel log ("coredump: PID(COMM): over
 * core_pipe_limit, skipping core dump"; before 6.x "Pid PID(COMM) over
 * core_pipe_limit").  The daemon reads /dev/kmsg and counts those lines
 * in the hook's state (kernel_dropped, crashd-cli counters).  The kernel
 * rate-limits these lines (10 per 5 s): the count is a lower bound, and
 * non-zero whenever the kernel dropped a crash.
 */
#ifndef CRASHD_KMSG_H
#define CRASHD_KMSG_H

#include <stddef.h>
#include <stdint.h>

struct kmsg {
	int fd; /* /dev/kmsg, or -1 */
	uint64_t boot; /* hookstate_key() of this boot's boot_id */
	uint64_t last_seq; /* the last record counted (or read) */
	uint64_t seen_seq; /* the last record read */
	uint64_t pending; /* drops read, not yet in the state */
};

/*
 * Parses one /dev/kmsg record ("PRIO,SEQ,TS,FLAGS;MESSAGE\n..."): writes
 * its sequence number to *ret_seq.  Returns 1 when it tells of a crash
 * dropped over core_pipe_limit, 0 for any other record, -EINVAL when it
 * is no record.
 */
int kmsg_parse(const char *rec, size_t len, uint64_t *ret_seq);

/*
 * Opens /dev/kmsg and picks up where the state says this boot's reading
 * stopped (a new boot: from the oldest record kept; a state that never
 * read the kernel log, a new spool's: from now on).  Returns 0 or -errno
 * (k->fd stays -1; crashd then counts no kernel drops and said why).
 */
int kmsg_open(struct kmsg *k, int spool_dirfd);

/* Reads what the kernel logged since, and counts its drops.  Never waits. */
void kmsg_scan(struct kmsg *k, int spool_dirfd);

void kmsg_close(struct kmsg *k);

#endif
