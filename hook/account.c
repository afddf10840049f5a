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

#define STATE_LOCK_TIMEOUT_MS 200
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

/*
 * When the lock cannot be had in time (or the state cannot be read), the
 * crash is still counted, in the journal, and the decision is the
 * conservative one: stored without a core while fewer records than the
 * global limit wait in the journal, else not stored (global limit).
 */
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
	int64_t pending;
	int fd, writers = 0, r;

	if (fstatvfs(spool->dirfd, &vfs) == 0)
		free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (c->hook.core_mode != CORE_MODE_NONE)
		writers = count_writers(spool);
	fd = hookstate_lock(spool->dirfd, true, STATE_LOCK_TIMEOUT_MS);
	r = fd < 0 ? fd : hookstate_read(fd, &st);
	if (r < 0) {
		safe_close(fd);
		pending = hookstate_journal_pending(spool->dirfd);
		*ret = (struct policy_decision){ .verdict = POLICY_STORE,
			.no_core_reason =
			    "hook state busy, counted in its journal",
			.room = UINT64_MAX };
		ret->ignored_by = policy_ignored(&c->hook, exe);
		if (ret->ignored_by)
			ret->verdict = POLICY_IGNORED;
		else if (pending < 0 ||
		    pending >= (int64_t)c->hook.global.count)
			ret->verdict = POLICY_RATE_GLOBAL;
		log_warn_errno(r,
		    "hook state unavailable (%m), %lld crashes wait in its "
		    "journal: %s",
		    (long long)pending,
		    ret->verdict == POLICY_STORE ? "storing without a core"
						 : "not storing");
	} else {
		(void)hookstate_fold(spool->dirfd, &st);
		policy_decide(&c->hook, &st, exe, clock_now_ms(CLOCK_REALTIME),
		    free_bytes, writers, ret);
	}
	if (ret->verdict == POLICY_IGNORED)
		rec.ignored = 1;
	else if (ret->verdict != POLICY_STORE)
		rec.rate_limited = 1;
	else
		rec.stored = 1; /* see hookstate.h: "the counters add up" */
	if (r < 0)
		record(spool->dirfd, -1, NULL, &rec); /* fd closed above */
	else
		record(spool->dirfd, fd, &st, &rec);
}

void
account_settle(int spool_dirfd, struct hookstate_record *delta, uint64_t bytes,
    uint64_t reserved)
{
	delta->spool_bytes = (int64_t)bytes - (int64_t)reserved;
	count(spool_dirfd, delta);
}
