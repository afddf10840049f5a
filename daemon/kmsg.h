/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel log, /dev/kmsg: crashd is its one reader, for two things.
 *
 * The crashes the kernel handed to no hook: over core_pipe_limit it
 * starts no helper and says so ("coredump: PID(COMM): over
 * core_pipe_limit, skipping core dump"; before 6.x "Pid PID(COMM) over
 * core_pipe_limit").  They are counted in the hook's state
 * (kernel_dropped, crashd-cli counters).  The kernel rate-limits these
 * lines (10 per 5 s): the count is a lower bound, and non-zero whenever
 * the kernel dropped a crash.
 *
 * The kernel's reports (koops.h): oopses, BUG:, WARNING:, panics,
 * lockups, hung tasks, machine checks, OOM kills become dumps
 * (kernel_dumps.h).  Only the kernel's own records count (facility 0:
 * what user space writes to /dev/kmsg is facility user and cannot pass
 * for the kernel's), unless daemon.kernel.accept_user_records is set (for
 * tests).  Where it stopped is kept in <spool>/.state/kmsg.cursor ("BOOT_ID
 * SEQ DROPPED", fsync'd), never past a report not written yet, so that a
 * restart (even after kill -9) neither repeats nor skips one.  A cursor
 * of another boot is void: this boot's whole log is read (the reports
 * before crashd started included).  With no cursor (a new spool, crashd
 * on it for the first time) only what the kernel logs from crashd's start
 * on counts: the log before is not crashd's to tell about.
 *
 * A thread reads the records as the kernel logs them (the kernel's ring
 * is small: a burst would overwrite what a reader polling once a second
 * has not read); the main loop takes them from it every tick.  Records
 * the ring dropped before they were read (a gap in the sequence numbers)
 * are counted (crashd_kernel_log_dropped_total) and said.
 */
#ifndef CRASHD_KMSG_H
#define CRASHD_KMSG_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel_dumps.h"
#include "koops.h"

struct daemon;

/* What the reader thread holds for the main loop, at most. */
#define KMSG_QUEUE_MAX (4 * 1024 * 1024)
/* The cursor is saved this often at most while nothing is written. */
#define KMSG_CURSOR_SAVE_MS 5000

struct kmsg_queue {
	pthread_mutex_t lock;
	char *data; /* records, each a uint32_t length then its bytes */
	size_t len;
	int error; /* the thread ended: -errno */
};

struct kmsg {
	int fd; /* /dev/kmsg, or -1 */
	char boot_id[40];
	uint64_t boot; /* hookstate_key() of boot_id */
	/* The crashes over core_pipe_limit (the hook's state). */
	uint64_t last_seq; /* the last record counted (or read) */
	uint64_t seen_seq; /* the last record read */
	uint64_t pending; /* drops read, not yet in the state */
	/* The reports. */
	bool reports; /* daemon.kernel.enabled, and the cursor opened */
	uint64_t read_seq; /* the last record given to the collector */
	uint64_t saved_seq; /* the cursor on disk */
	int64_t saved_ms;
	uint64_t next_seq; /* the record expected next, 0: any */
	uint64_t dropped; /* records the ring dropped, this boot */
	uint64_t dropped_saved;
	struct koops koops;
	struct kernel_dumps dumps;
	/* The reader thread. */
	bool thread; /* started */
	pthread_t tid;
	struct kmsg_queue q;
	char *batch; /* the main loop's copy of q */
};

/*
 * Parses one /dev/kmsg record ("PRIO,SEQ,TS,FLAGS;MESSAGE\n..."): writes
 * its sequence number to *ret_seq.  Returns 1 when it tells of a crash
 * dropped over core_pipe_limit, 0 for any other record, -EINVAL when it
 * is no record.
 */
int kmsg_parse(const char *rec, size_t len, uint64_t *ret_seq);

/*
 * Opens /dev/kmsg, picks up where the state and the cursor say this
 * boot's reading stopped and starts the reader.  Returns 0 or -errno
 * (k->fd stays -1; crashd then counts no kernel drops and follows no
 * kernel report: the caller says why).
 */
int kmsg_open(struct kmsg *k, struct daemon *dm);

/*
 * Takes what the kernel logged since: counts its drops, collects its
 * reports, writes the dumps that are due.  Never waits.
 */
void kmsg_scan(struct kmsg *k, struct daemon *dm);

/*
 * Stops the reader and saves the cursor: the reports not written yet
 * (summed up, or still being read) are read again at the next start.
 * After kmsg_open(), whatever it returned.
 */
void kmsg_close(struct kmsg *k, struct daemon *dm);

/* The records the kernel's ring dropped before crashd read them. */
uint64_t kmsg_dropped(const struct kmsg *k);

#endif
