/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The unwinds in flight and those waiting for a slot: a dump with a core
 * is unwound in a child (backtrace.h) while the daemon goes on serving
 * other dumps, deliveries, the registration check and the watchdog; when
 * its backtrace is written, the dump's processing goes on from there.
 * At most UNWINDS_MAX children at once, UNWINDS_PER_UID of one uid: one
 * user's slow dumps never hold every slot.  The dumps of one uid go on
 * in the order they came (the oldest of a key stays its first); those
 * of other uids never wait for them.
 */
#ifndef CRASHD_UNWINDS_H
#define CRASHD_UNWINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UNWINDS_MAX 4
#define UNWINDS_PER_UID 2
#define UNWINDS_WAITING_MAX 100000

struct daemon;
struct dump;
struct backtrace_job;

struct unwind_slot {
	char *name; /* the dump's, NULL: free */
	long long uid;
	uint64_t seq; /* order of arrival */
	struct backtrace_job *job; /* NULL once its backtrace is written */
};

struct unwind_wait {
	char *name;
	long long uid;
	uint64_t seq;
};

struct unwinds {
	struct unwind_slot slot[UNWINDS_MAX];
	uint64_t next_seq;
	struct unwind_wait *wait; /* oldest first */
	size_t n_wait, cap_wait;
};

/* True when the dump is being unwound or waits for a slot. */
bool unwinds_has(const struct unwinds *u, const char *name);

/* True while any unwind runs or waits. */
bool unwinds_busy(const struct unwinds *u);

/*
 * Schedules the unwind of d (starting it when a slot is free).  Returns
 * 0, or -errno (it was not scheduled: found again by a rescan).
 */
int unwinds_add(struct daemon *dm, const struct dump *d);

/*
 * Waits at most timeout_ms for an unwind to end, finishes those that
 * ended (their dumps' processing goes on: daemon_process_unwound()) and
 * starts waiting ones.  Returns how many ended.
 */
int unwinds_poll(struct daemon *dm, int timeout_ms);

/* Kills every child, forgets every waiting dump (unwound next start). */
void unwinds_done(struct unwinds *u);

#endif
