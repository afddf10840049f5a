/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The dumps of kernel reports (koops.h): each becomes a dump directory of
 * kind kernel, oom or panic, written by crashd as the hook writes its own
 * (dump_writer.h) and processed at once, through dedupe (its key: the
 * kind and the report's signature), the notify policy and the actions.
 *
 * Throttled as the hook throttles crashes: the first report of a
 * signature is written at once (at most daemon.kernel.rate new ones); its
 * repeats (a WARNING in a hot path prints thousands of times) are summed
 * up in memory and written as one dump whose repeats item says how many
 * reports it stands for, once the burst pauses for
 * KERNEL_DUMPS_QUIET_MS (or every KERNEL_DUMPS_MAX_HOLD_MS while it
 * goes on); dedupe merges it into the first, whose count is then every
 * report's.  Nothing is dropped: a report over the rate waits its turn.
 *
 * Exactly once across a kill: every dump says which records it stands
 * for (kmsg_seq: boot id, first and last sequence number); the kernel log
 * cursor (kmsg.c) never passes a report not written yet, and a report
 * read again after a restart is not written again when a dump of its
 * signature stands for its records.
 */
#ifndef CRASHD_KERNEL_DUMPS_H
#define CRASHD_KERNEL_DUMPS_H

#include <stdbool.h>
#include <stdint.h>

#include "dump.h"
#include "koops.h"

struct daemon;

#define KERNEL_DUMPS_QUIET_MS 3000
#define KERNEL_DUMPS_MAX_HOLD_MS 60000
/* A signature's repeats are summed up this long after its last dump. */
#define KERNEL_DUMPS_HOLD_MS (10 * 60 * 1000)
#define KERNEL_DUMPS_SIGNATURES 64

struct kernel_dumps_range {
	char signature[17];
	uint64_t first, last;
};

struct kernel_dumps_sig {
	bool used;
	char signature[17];
	enum koops_marker marker;
	int64_t written_ms; /* its last dump, 0: none yet */
	int64_t since_ms, last_ms; /* the reports waiting: first, last */
	uint64_t count; /* reports waiting */
	uint64_t first_seq, last_seq;
	uint64_t ts_us; /* the first waiting one's */
	struct buf text; /* the first waiting one's */
};

struct kernel_dumps {
	char boot_id[40];
	int64_t tat; /* daemon.kernel.rate's bucket */
	struct kernel_dumps_sig sigs[KERNEL_DUMPS_SIGNATURES];
	struct kernel_dumps_range *ranges; /* this boot's dumps at start */
	size_t n_ranges;
	uint64_t written; /* dumps written by this run */
};

/* Loads what this boot's dumps in the spool stand for.  0 or -errno. */
int kernel_dumps_init(
    struct kernel_dumps *kd, struct daemon *dm, const char *boot_id);
void kernel_dumps_done(struct kernel_dumps *kd);

/*
 * A report the kernel log gave (taken: rep is emptied): written now,
 * summed up with its signature's, or not wanted (daemon.kernel.kinds).
 */
void kernel_dumps_report(struct kernel_dumps *kd, struct daemon *dm,
    struct koops_report *rep, int64_t now_ms);

/* Writes the sums that are due (all of them with force). */
void kernel_dumps_tick(
    struct kernel_dumps *kd, struct daemon *dm, int64_t now_ms, bool force);

/* The first record of a report not written yet, or UINT64_MAX. */
uint64_t kernel_dumps_oldest_pending(const struct kernel_dumps *kd);

/* The dump kind of a report's marker: oom, panic, or kernel. */
enum dump_kind kernel_dumps_kind(enum koops_marker m);

/*
 * Writes, publishes and processes the dump of a report (text, read into
 * f) of time t (seconds), standing for repeats reports; kmsg_seq (the
 * item's text) or pstore (where it was found) say where it came from.
 * Returns 0 or -errno.  pstore.c writes its panics with it.
 */
int kernel_dumps_write(struct daemon *dm, enum dump_kind kind,
    const struct koops_facts *f, const char *text, size_t len, long long t,
    uint64_t repeats, const char *kmsg_seq, const char *pstore);

#endif
