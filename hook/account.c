/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * account.c keeps the hook's counters and charges in the state file:
 * every crash is counted, under the lock or in its journal, and nobody
 * holding the lock makes a crash unlimited or uncounted.
 */
#include "account.h"

#include <dirent.h>
#include <sys/statvfs.h>

#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "ratelimit.h"

#define STATE_LOCK_TIMEOUT_MS 200
/* For the hooks that had no state lock in time (decide_unlocked()). */
#define JOURNAL_LOCK_TIMEOUT_MS 100
/* How often a dump may ask for more room (account_grow()). */
#define ROOM_GROWS 4

void
account_grow(const struct hook_config *hc, int spool_dirfd,
    struct account_room *r, uint64_t need)
{
	struct hookstate st;
	uint64_t more;
	int fd;

	if (r->grows >= ROOM_GROWS || r->room >= r->room_max)
		return;
	r->grows++;
	fd = hookstate_lock(spool_dirfd, false, STATE_LOCK_TIMEOUT_MS);
	if (fd < 0)
		return;
	if (hookstate_read(fd, &st) == 0) {
		(void)hookstate_fold(spool_dirfd, &st);
		more = policy_grow(hc, &st, r->room, r->room_max, need);
		if (more > 0 && hookstate_write(fd, &st) == 0) {
			r->room += more;
			r->reserved += more;
		}
	}
	safe_close(fd);
}

/*
 * Adds rec to the counters in st, read under the lock held on fd (both
 * given back), or, with st NULL, as a journal record the next holder
 * folds in.  Either way the crash is counted.
 */
static void
record(int spool_dirfd, int fd, struct hookstate *st,
    const struct hookstate_record *rec)
{
	int r;

	if (st != NULL) {
		hookstate_apply(st, rec);
		r = hookstate_write(fd, st);
		safe_close(fd);
		if (r == 0)
			return;
		log_warn_errno(
		    r, "write hook state: %m, counting in its journal");
	} else {
		safe_close(fd);
	}
	r = hookstate_journal_append(spool_dirfd, rec);
	if (r < 0)
		log_error_errno(r,
		    "hook state and its journal unavailable (%m): "
		    "crash not counted");
}

/* Adds rec to the counters, under the lock when it can be had in time. */
static void
count(int spool_dirfd, const struct hookstate_record *rec)
{
	struct hookstate st;
	int fd;

	fd = hookstate_lock(spool_dirfd, true, STATE_LOCK_TIMEOUT_MS);
	if (fd >= 0 && hookstate_read(fd, &st) == 0) {
		(void)hookstate_fold(spool_dirfd, &st);
		record(spool_dirfd, fd, &st, rec);
	} else {
		record(spool_dirfd, fd, NULL, rec);
	}
}

/*
 * Dumps being written now (directories in .incoming): more than
 * POLICY_STORM_WRITERS is a storm (policy_decide()).
 */
static int
count_writers(const struct spool *spool)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	if (opendir_at(spool->incoming_fd, ".", &dir) < 0)
		return 0;
	while ((de = readdir(dir)) != NULL && n <= POLICY_STORM_WRITERS)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/* The counters rec adds for a crash decided as verdict. */
static void
tally(struct hookstate_record *rec, enum policy_verdict verdict)
{
	if (verdict == POLICY_IGNORED)
		rec->ignored = 1;
	else if (verdict != POLICY_STORE)
		rec->rate_limited = 1;
	else
		rec->stored = 1; /* see hookstate.h: "the counters add up" */
}

/*
 * The decision of a hook that had no state lock in time: the crash is
 * still counted, in the journal, and the decision is the conservative
 * one.  Stored without a core while the global limit allows it, counted
 * on what the state file says and on what the journal stored since
 * (hookstate_peek(), policy_charge_journal()); else not stored.  The
 * hooks in this case decide and append one after the other, under the
 * journal's lock: together they stay within the limit.
 */
static void
decide_unlocked(const struct config *c, int spool_dirfd, int why,
    const char *exe, struct hookstate_record *rec, struct policy_decision *ret)
{
	int64_t now = clock_now_ms(CLOCK_REALTIME);
	struct hookstate st;
	int jfd, r;

	*ret = (struct policy_decision){ .verdict = POLICY_STORE,
		.no_core_reason = "hook state busy, counted in its journal",
		.room = UINT64_MAX };
	/* Not in time either: decide on what is there, unserialized. */
	jfd = hookstate_journal_lock(spool_dirfd, JOURNAL_LOCK_TIMEOUT_MS);
	r = hookstate_peek(spool_dirfd, &st);
	ret->ignored_by = policy_ignored(&c->hook, exe);
	if (ret->ignored_by)
		ret->verdict = POLICY_IGNORED;
	else if (r < 0)
		ret->verdict = POLICY_RATE_GLOBAL;
	else {
		policy_charge_journal(&c->hook, &st, now);
		if (!ratelimit_allow(&st.tat_dump_ms, &c->hook.global, now))
			ret->verdict = POLICY_RATE_GLOBAL;
	}
	log_warn_errno(why, "hook state unavailable (%m): %s",
	    ret->verdict == POLICY_STORE ? "storing without a core"
					 : "not storing");
	tally(rec, ret->verdict);
	record(spool_dirfd, -1, NULL, rec);
	safe_close(jfd);
}

void
account_decide(const struct config *c, const struct spool *spool,
    const char *exe, struct policy_decision *ret)
{
	struct hookstate_record rec = { .magic = HOOKSTATE_MAGIC,
		.version = HOOKSTATE_VERSION,
		.seen = 1 };
	struct statvfs vfs;
	struct hookstate st;
	uint64_t free_bytes = UINT64_MAX;
	int fd, writers = 0, r;

	if (fstatvfs(spool->dirfd, &vfs) == 0)
		free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (c->hook.core_mode != CORE_MODE_NONE)
		writers = count_writers(spool);
	fd = hookstate_lock(spool->dirfd, true, STATE_LOCK_TIMEOUT_MS);
	r = fd < 0 ? fd : hookstate_read(fd, &st);
	if (r < 0) {
		safe_close(fd);
		decide_unlocked(c, spool->dirfd, r, exe, &rec, ret);
		return;
	}
	(void)hookstate_fold(spool->dirfd, &st);
	policy_decide(&c->hook, &st, exe, clock_now_ms(CLOCK_REALTIME),
	    free_bytes, writers, ret);
	tally(&rec, ret->verdict);
	record(spool->dirfd, fd, &st, &rec);
}

void
account_settle(int spool_dirfd, struct hookstate_record *delta, uint64_t bytes,
    uint64_t reserved)
{
	delta->spool_bytes = (int64_t)bytes - (int64_t)reserved;
	count(spool_dirfd, delta);
}
