/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crash counters of a metrics action, in memory: read from and
 * written to the daemon's state file, and rendered in Prometheus' text
 * format for node_exporter's textfile collector.
 *
 * One series per label set {executable, hostname, signal}: how many
 * crashes, and when the last one happened.  (A state written with a
 * core label, which split one kind of crash into two series, is read
 * without it, its series merged.)  Label values are bytes the
 * crashed process chose (its executable's name, its hostname): they are
 * made valid UTF-8 text with every control character written as \xNN
 * (json_text.h's rule, reversible), then escaped as the text format
 * wants (\\ and \"), so no name can break the file or add a series.
 *
 * The state file, one line each (only crashd writes it):
 *   last DUMP                    the last dump counted (exactly once)
 *   not_stored_next SEQ          the next record of the hook's ring
 *   not_stored REASON COUNT      crashes not stored, by reason
 *   COUNT LAST_TIME {labels}     a series, labels as rendered
 */
#ifndef CRASHD_METRICS_H
#define CRASHD_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "action_tally.h"
#include "buf.h"
#include "hookstate.h"
#include "notstored.h"

struct metrics_series {
	uint64_t count;
	long long last; /* the last crash's time, seconds */
	char *labels; /* {executable="...",...}, rendered */
};

/* crashd_crashes_not_stored_total's reasons: notstored.h's, and lost. */
#define METRICS_NOT_STORED_LOST _NOTSTORED_REASON_MAX
#define METRICS_NOT_STORED_N (_NOTSTORED_REASON_MAX + 1)

struct metrics {
	char last_dump[256]; /* "" when none */
	/* The next record of the hook's ring to count (notstored.h). */
	uint64_t not_stored_next;
	uint64_t not_stored[METRICS_NOT_STORED_N]; /* by reason */
	struct metrics_series *v; /* oldest series first */
	size_t n, cap;
};

void metrics_init(struct metrics *m);
void metrics_done(struct metrics *m);

/*
 * Parses a state file's text into m (empty when it is).  A malformed line
 * is skipped.  Returns 0, or -ENOMEM.
 */
int metrics_parse(struct metrics *m, const char *text, size_t len);

/* The state file's text. Returns 0 or -errno from out. */
int metrics_format(const struct metrics *m, struct buf *out);

/*
 * One label's value, len raw bytes: visible UTF-8 text (json_text.h's
 * rule), then the text format's escapes.  Returns 0 or -errno from out.
 */
int metrics_label_value(struct buf *out, const char *s, size_t len);

/*
 * Renders the label set of one crash into out:
 *   {executable="...",hostname="...",signal="SEGV"}
 * executable and hostname are raw bytes; signal is a name without "SIG"
 * or a number.  Returns 0 or -errno from out.
 */
int metrics_labels(struct buf *out, const char *executable,
    size_t executable_len, const char *hostname, size_t hostname_len,
    const char *signal);

/*
 * The prefix of a snapshot's label set (metrics_count()'s labels): its
 * series is crashd_snapshots_total's, not crashd_crashes_total's.
 */
#define METRICS_SNAPSHOT "snapshot"

/*
 * The prefix of a kernel report's label set (kernel_dumps.h): its series,
 * {hostname="...",kind="oom"}, is crashd_kernel_reports_total's.
 */
#define METRICS_KERNEL "kernel"

/* A kernel report's label set: {hostname="...",kind="..."}.  0 or -errno. */
int metrics_kernel_labels(struct buf *out, const char *hostname,
    size_t hostname_len, const char *kind);

/*
 * Adds n more to the series of labels (counted by metrics_count() just
 * before): a kernel dump standing for n + 1 identical reports.
 */
void metrics_add(struct metrics *m, const char *labels, uint64_t n);

/* The executable and signal of the series that counts the rest. */
#define METRICS_OTHER "other"

/*
 * The label set a crash of hostname is counted under once max_series
 * label sets exist: {executable="other",hostname="...",signal="other"}.
 */
int metrics_other_labels(
    struct buf *out, const char *hostname, size_t hostname_len);

/*
 * Counts one crash of the series labels at time when.  A new series when
 * max_series exist is counted under other instead (a series of its own,
 * past max_series), never dropping one: a counter only grows.  *ret_as
 * (when not NULL) says which label set counted it.  Returns the series'
 * new count, or 0 when out of memory.
 */
uint64_t metrics_count(struct metrics *m, const char *labels, const char *other,
    long long when, size_t max_series, const char **ret_as);

/*
 * Counts record seq of the hook's ring of crashes not stored (rec, or
 * NULL when it was overwritten before it was read: counted as lost), in
 * its series and by reason, once: a seq below not_stored_next was counted
 * before.  Returns 1 when counted, 0 when counted before, or -ENOMEM.
 */
int metrics_count_not_stored(struct metrics *m, uint64_t seq,
    const struct notstored_record *rec, size_t max_series);

/* "ignored", ... for a reason of metrics.not_stored[], "lost" last. */
const char *metrics_not_stored_reason(unsigned i);

/* The .prom file's text. Returns 0 or -errno from out. */
int metrics_render(const struct metrics *m, struct buf *out);

/*
 * Appends the delivery queue's gauges (mail and webhook deliveries
 * pending and dead) to a .prom file's text.  0 or -errno from out.
 */
int metrics_render_deliveries(struct buf *out, size_t pending, size_t dead);

/*
 * Appends crashd_hook_registered (1: crashd's line is core_pattern) to a
 * .prom file's text.  0 or -errno from out.
 */
int metrics_render_registered(struct buf *out, bool registered);

/*
 * Appends the daemon's processing failures to a .prom file's text:
 * crashd_dumps_retrying (dumps whose processing failed, waiting for
 * another attempt) and crashd_dump_failures_total (failed attempts since
 * the daemon started).  0 or -errno from out.
 */
int metrics_render_retries(struct buf *out, size_t retrying, uint64_t failures);

/*
 * Appends crashd_kernel_log_dropped_total: the records of the kernel log
 * its ring overwrote before crashd read them, this boot (kmsg.h).
 */
int metrics_render_kernel_log(struct buf *out, uint64_t dropped);

/*
 * Appends crashd_spool_quarantined (what the daemon moved to the spool's
 * .quarantine: no dump, or one without what identifies its crash).
 */
int metrics_render_quarantined(struct buf *out, size_t n);

/* crashd_build_info{version="..."} 1.  0 or -errno from out. */
int metrics_render_build_info(struct buf *out, const char *version);

/*
 * The hook's counters (crashd_hook_crashes_seen_total, ..._stored_total,
 * ..., crashd_kernel_dropped_crashes_total) from its state.
 */
int metrics_render_hook(struct buf *out, const struct hookstate *st);

/* crashd_spool_bytes (the hook's estimate) and crashd_spool_dumps. */
int metrics_render_spool(struct buf *out, uint64_t bytes, size_t dumps);

/*
 * crashd_actions_total{action,outcome}, every outcome of each of the n
 * actions (nothing when n is 0).
 */
int metrics_render_actions(
    struct buf *out, const struct action_tally_entry *v, size_t n);

#endif
