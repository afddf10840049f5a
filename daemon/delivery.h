/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Delivering what queued actions (mail, webhook) render: the runner of
 * the persistent queue in common/queue.h.  Each attempt runs in a child
 * process, at most daemon.delivery.parallel at once, killed past the
 * action's timeout, so a slow or hung receiver never blocks the watcher,
 * the other actions or the other deliveries.  A failed attempt is retried
 * with exponential backoff and jitter; after daemon.delivery.attempts it
 * is dead (kept for `crashd-cli deliveries`).  Every outcome is appended
 * to the dump's actions record while the dump exists.
 *
 * Delivery is at least once: an attempt that succeeded just before the
 * daemon died is made again at the next start, with the same id (the
 * Message-ID of a mail, the Idempotency-Key of a webhook).
 */
#ifndef CRASHD_DELIVERY_H
#define CRASHD_DELIVERY_H

#include <stdint.h>
#include <sys/types.h>

#include "action.h"
#include "buf.h"
#include "config.h"
#include "queue.h"

struct delivery_slot;

struct delivery {
	struct queue q;
	struct queue_entry *pending; /* what pending/ holds, in memory */
	size_t n_pending, cap_pending;
	struct delivery_slot *slots; /* attempts in flight */
	size_t n_slots;
	int64_t next_scan_ms; /* pending/ is read again (the CLI retries) */
	int64_t next_prune_ms;
};

/* Opens (creates) the queue of the spool and reads what is pending. */
int delivery_init(struct delivery *dl, int spool_dirfd);

/*
 * Waits up to grace_ms for the attempts in flight (recording how they
 * ended), kills the rest (they stay pending), and frees everything.
 */
void delivery_done(struct delivery *dl, const struct config *cfg,
    int spool_dirfd, int64_t grace_ms);

/*
 * Renders ev for the queued action ac (ops->render) and queues it under
 * its label, once: a label already queued, sent or dead is not queued
 * again.  Appends what happened to detail.  Returns ACTION_OK or
 * ACTION_FAILED.
 */
enum action_outcome delivery_enqueue(struct delivery *dl,
    const struct action_config *ac, const struct action_ops *ops,
    const struct action_event *ev, const char *label, struct buf *detail);

/*
 * Reaps finished attempts (recording their outcome), kills those past
 * their time, and starts the attempts that are due.  Cheap; called on
 * every turn of the main loop.
 */
void delivery_tick(
    struct delivery *dl, const struct config *cfg, int spool_dirfd);

#endif
