/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics action (action_metrics.c): its ops are in action.h; this is
 * what the daemon's loop calls besides.
 */
#ifndef CRASHD_ACTION_METRICS_H
#define CRASHD_ACTION_METRICS_H

#include "action.h"

/* How often the loop calls action_metrics_refresh(). */
#define METRICS_REFRESH_S 10

/*
 * Writes the .prom file of every metrics action of c again, from its
 * counters and the delivery queue as they are now (the queue's gauges
 * change without a crash).  A file that cannot be written is logged once
 * until it can again.
 */
void action_metrics_refresh(const struct config *c, int spool_dirfd);

/*
 * Counts, in every metrics action of c, the crashes the hook recorded as
 * not stored (notstored.h) since the action last did, each once (its
 * state keeps the next record's seq), at most a batch a call; records
 * overwritten before they were read count as lost.  Writes the .prom
 * files that changed.  Called every loop (a second at most).
 */
void action_metrics_feed(const struct config *c, int spool_dirfd);

/*
 * What the .prom files say of the daemon's processing failures (retry.h)
 * from now on: the daemon sets it whenever it changes.
 */
void action_metrics_set_retries(size_t retrying, uint64_t failures);

/* The kernel log's dropped records (kmsg_dropped()), as the daemon sets it. */
void action_metrics_set_kernel_log(uint64_t dropped);

#endif
