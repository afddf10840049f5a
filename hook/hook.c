/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hook.c owns one crash from start to publish, in the order DESIGN.md
 * requires: /proc first (the kernel keeps it only while the core pipe is
 * open), then the decision (account.c), the metadata (collect.c), the
 * core (coredump.c), and last the one rename that publishes the dump.
 * Failures degrade the dump; they never lose the crash or hold the
 * process for long.
 */
#include "hook.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "account.h"
#include "acl.h"
#include "clock.h"
#include "collect.h"
#include "coredump.h"
#include "escape.h"
#include "fsutil.h"
#include "log.h"
#include "notstored.h"
#include "proc.h"
#include "signame.h"
#include "spool.h"
#include "writer.h"

static void
log_not_stored(const struct proc_process *p, const char *signame,
    const struct policy_decision *dec)
{
	struct buf b;
	const char *exe = p->executable ? p->executable : p->comm;

	buf_init(&b, 0);
	escape_c(&b, exe, strlen(exe));
	log_info("\"%s\" killed by %s: not stored (%s%s%s), counted",
	    b.data ? b.data : "", signame,
	    policy_verdict_to_string(dec->verdict), dec->ignored_by ? " " : "",
	    dec->ignored_by ? dec->ignored_by : "");
	buf_done(&b);
}

/*
 * A crash that could not be stored for lack of room (what names what
 * did not fit), counted as failed.
 */
static void
log_spool_full(
    const struct proc_process *p, const char *signame, const char *what, int r)
{
	struct buf b;
	const char *exe = p->executable ? p->executable : p->comm;

	buf_init(&b, 0);
	escape_c(&b, exe, strlen(exe));
	if (r < 0)
		log_error_errno(r,
		    "\"%s\" killed by %s: not stored (spool full: "
		    "%s could not be written: %m), counted",
		    b.data ? b.data : "", signame, what);
	else
		log_warn("\"%s\" killed by %s: not stored (spool full: %s), "
			 "counted",
		    b.data ? b.data : "", signame, what);
	buf_done(&b);
}

/*
 * The record crashd counts and notifies a crash not stored by
 * (notstored.h); the counters have it already, so a record that cannot
 * be written only says so.
 */
static void
note_not_stored(int spool_dirfd, const struct hook_args *a,
    const struct proc_process *p, const struct timespec *now,
    enum notstored_reason reason, const char *detail)
{
	struct notstored_record rec;
	int r;

	notstored_fill(&rec, reason, detail,
	    (int64_t)now->tv_sec * 1000 + now->tv_nsec / 1000000, a->pid,
	    a->signal, a->uid, a->gid, p->executable ? p->executable : p->comm,
	    p->comm, a->hostname);
	r = notstored_put(spool_dirfd, &rec, NOTSTORED_LOCK_TIMEOUT_MS);
	if (r < 0)
		log_warn_errno(r,
		    "record the crash of pid %d as not stored: %m (counted)",
		    (int)a->pid);
}

/* Counted as stored when decided: it failed instead. */
static void
failed(struct hookstate_record *delta)
{
	delta->stored = -1;
	delta->failed = 1;
}

/*
 * Makes the dump's directory in .incoming (name: its name there) for w,
 * readable by the crashing uid where the security model allows it.
 */
static int
make_dump_dir(struct spool *spool, const struct hook_args *a,
    const struct proc_process *p, const struct timespec *now,
    struct dump_writer *w, char *name, size_t name_size)
{
	char base[SPOOL_NAME_MAX];
	int r;

	r = spool_dump_name(
	    base, sizeof(base), now, a->pid, p->comm, strlen(p->comm));
	if (r >= 0)
		r = spool_create_incoming(spool, base, 0750, name, name_size);
	if (r < 0)
		return r;
	w->dirfd = r;
	/* Security model: the crashing uid may read a dumpable process's dump.
	 */
	w->share = a->dumpable == 1 && a->uid != 0 &&
	    acl_grant_read(w->dirfd, a->uid, true) == 0;
	return 0;
}

int
hook_run(const struct config *c, const struct hook_args *a)
{
	struct dump_writer w;
	struct hookstate_record delta = { .magic = HOOKSTATE_MAGIC,
		.version = HOOKSTATE_VERSION };
	struct policy_decision dec;
	struct spool spool = { -1, -1 };
	struct proc_process p;
	struct timespec now;
	char signame[32], name[SPOOL_NAME_MAX + 16];
	unsigned long long bytes = 0;
	int64_t deadline;
	int procfd, r;

	clock_gettime(CLOCK_REALTIME, &now);
	deadline =
	    clock_now_ms(CLOCK_MONOTONIC) + (int64_t)c->hook.time_budget_ms;
	writer_init(&w, c, a->uid);
	if (!signame_from_number(a->signal, signame, sizeof(signame)))
		snprintf(signame, sizeof(signame), "signal %d", a->signal);

	procfd = proc_open_pid(a->pid, a->pidfd);
	if (procfd < 0)
		log_warn_errno(procfd,
		    "open /proc/%d: %m, dump will be partial", (int)a->pid);
	proc_identify(procfd, a->tid, &p);

	r = spool_open(c->spool, true, &spool);
	if (r < 0) {
		struct buf why;

		buf_init(&why, 0);
		if (r == -EPERM)
			(void)fsutil_check_root_path(c->spool, &why);
		log_error_errno(r, "open spool %s: %s, crash of pid %d lost",
		    c->spool, why.data ? why.data : strerror(-r), (int)a->pid);
		buf_done(&why);
		goto out;
	}
	account_decide(c, &spool, p.executable ? p.executable : p.comm, &dec);
	if (dec.verdict != POLICY_STORE) {
		/* Counted: let the kernel go before anything that may wait. */
		coredump_release();
		log_not_stored(&p, signame, &dec);
		note_not_stored(spool.dirfd, a, &p, &now,
		    dec.verdict == POLICY_IGNORED ? NOTSTORED_IGNORED
						  : NOTSTORED_RATE_LIMITED,
		    dec.verdict == POLICY_IGNORED
			? "hook.ignore"
			: policy_verdict_to_string(dec.verdict));
		r = 0;
		goto out;
	}
	if (dec.spool_full) {
		log_spool_full(&p, signame, "spool_max reached", 0);
		failed(&delta);
		coredump_release();
		note_not_stored(spool.dirfd, a, &p, &now, NOTSTORED_SPOOL_FULL,
		    "spool_max");
		r = 0;
		goto account;
	}
	writer_set_room(&w, &dec, spool.dirfd);

	/*
	 * Held until the pipe is released, unless a core that may take
	 * seconds is read: a hook killed meanwhile leaves its metadata for
	 * crashd to publish.  Held, the dump's directory is made after the
	 * release too (a minicore waits in memory): the process is let go
	 * once /proc is read.
	 */
	w.defer = !dec.keep_core || c->hook.core_mode == CORE_MODE_NONE ||
	    c->hook.core_mode == CORE_MODE_MINI;
	if (!w.defer) {
		r = make_dump_dir(&spool, a, &p, &now, &w, name, sizeof(name));
		if (r < 0)
			goto create_failed;
	}
	collect_identity(&w, a, &p, signame);
	collect_process(&w, procfd, a, &p);
	coredump_keep(&w, procfd, a, &p, &dec, &delta, deadline);
	if (w.dirfd < 0) {
		r = make_dump_dir(&spool, a, &p, &now, &w, name, sizeof(name));
		if (r < 0)
			goto create_failed;
	}
	/* The pipe is released by now: write what was held. */
	writer_flush(&w);
	if (w.identity_error < 0) {
		/* A dump that cannot say what crashed is no dump. */
		log_spool_full(
		    &p, signame, "its identifying items", w.identity_error);
		spool_discard_incoming(&spool, name);
		failed(&delta);
		note_not_stored(spool.dirfd, a, &p, &now, NOTSTORED_FAILED,
		    "identity items");
		r = 0;
		goto account;
	}
	if (writer_incomplete(&w))
		delta.degraded++;

	if (c->hook.sync) {
		r = spool_sync_dir(w.dirfd);
		if (r < 0)
			log_warn_errno(r, "sync dump %s: %m, ignoring", name);
	}
	(void)spool_dir_usage(w.dirfd, &bytes);
	/*
	 * Settled before it is published: crashd may remove it (a repeat)
	 * at once, taking its bytes off the estimate.
	 */
	account_settle(spool.dirfd, &delta, bytes, w.room.reserved);
	r = spool_publish(&spool, name, c->hook.sync);
	if (r < 0) {
		/* Counted as stored: crashd publishes what .incoming keeps. */
		log_error_errno(r,
		    "publish dump %s: %m, left in .incoming for crashd", name);
		goto out;
	}
	log_info("stored %s: pid %d, %s", name, (int)a->pid, signame);
	r = 1;
	goto out;
create_failed:
	log_error_errno(r, "create dump for pid %d in %s: %m, crash lost",
	    (int)a->pid, c->spool);
	failed(&delta);
	coredump_release();
	note_not_stored(spool.dirfd, a, &p, &now, NOTSTORED_FAILED, "create");
account:
	account_settle(spool.dirfd, &delta, bytes, w.room.reserved);
out:
	coredump_release();
	safe_close(w.dirfd);
	w.dirfd = -1;
	safe_close(procfd);
	spool_done(&spool);
	writer_done(&w);
	proc_process_done(&p);
	return r;
}
