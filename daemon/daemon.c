/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.c owns the daemon's state (start, reload, a spool reopened) and
 * the processing of one dump, in the order that makes a restart safe:
 *   1. the decision is appended to the dump's record (fsync'd);
 *   2. the key's state accounts the dump (idempotent: "last" names it);
 *   3. count/last_occurrence/duplicate_of/repeats are written (idempotent);
 *   4. each action: "start", run, "done" (each line fsync'd;
 *      daemon_actions.c);
 *   5. "processed"; or, for a merged duplicate to remove, the removal.
 * The digests of held-back crashes are daemon_digest.c's.
 */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "backtrace.h"
#include "clock.h"
#include "dedupe.h"
#include "dump.h"
#include "fsutil.h"
#include "hookstate.h"
#include "journal.h"
#include "log.h"
#include "notify.h"
#include "repeats.h"
#include "retention.h"
#include "sdnotify.h"
#include "trash.h"
#include "unwinds.h"

#define QUARANTINE_DIR SPOOL_QUARANTINE
#define DELIVERY_STOP_GRACE_MS 5000

static bool in_flight(struct daemon *dm, const char *name);

int
daemon_init(struct daemon *dm, struct config *cfg, const char *config_path,
    volatile sig_atomic_t *stop)
{
	pid_t holder;
	int r;

	memset(dm, 0, sizeof(*dm));
	dm->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	dm->config_path = config_path;
	dm->stop = stop;
	dm->keys_fd = -1;
	dm->spool = (struct spool){ -1, -1 };
	dm->pidfile = PIDFILE_NONE;
	retry_init(&dm->retry);
	foreign_init(&dm->foreign);
	/* Before the spool: a second daemon must not touch it. */
	r = pidfile_acquire(dm->cfg.daemon.pid_file, &dm->pidfile, &holder);
	if (r == -EBUSY && holder > 0)
		return log_error_errno(r,
		    "another crashd is running (pid %ld, pid file %s), "
		    "not starting",
		    (long)holder, dm->cfg.daemon.pid_file);
	if (r == -EBUSY)
		return log_error_errno(r,
		    "another crashd holds the pid file %s (starting, its "
		    "pid not written yet), not starting",
		    dm->cfg.daemon.pid_file);
	if (r == -EPERM)
		return log_error_errno(r,
		    "pid file %s: its directory or a file in it may be "
		    "written by someone else than root, not starting",
		    dm->cfg.daemon.pid_file);
	if (r < 0)
		return log_error_errno(
		    r, "pid file %s: %m", dm->cfg.daemon.pid_file);
	r = spool_open(dm->cfg.spool, true, &dm->spool);
	if (r == -EPERM) {
		struct buf why;

		buf_init(&why, 0);
		(void)fsutil_check_root_path(dm->cfg.spool, &why);
		log_error("open spool %s: %s, not starting", dm->cfg.spool,
		    why.data ? why.data : strerror(-r));
		buf_done(&why);
		return r;
	}
	if (r < 0)
		return log_error_errno(r, "open spool %s: %m", dm->cfg.spool);
	/* An older crashd left them readable: nobody may hold their lock. */
	r = hookstate_secure(dm->spool.dirfd);
	if (r > 0)
		log_warn(
		    "%s/%s: the hook's state was open to others, made root's "
		    "alone",
		    dm->cfg.spool, SPOOL_STATE);
	else if (r < 0)
		log_warn_errno(
		    r, "%s/%s: %m, ignoring", dm->cfg.spool, SPOOL_STATE);
	dm->keys_fd = dedupe_open_keys(dm->spool.dirfd);
	if (dm->keys_fd < 0)
		return log_error_errno(dm->keys_fd, "open %s/%s/%s: %m",
		    dm->cfg.spool, SPOOL_STATE, DEDUPE_KEYS_DIR);
	r = delivery_init(&dm->delivery, dm->spool.dirfd);
	if (r < 0)
		return log_error_errno(r, "open %s/%s/%s: %m", dm->cfg.spool,
		    SPOOL_STATE, QUEUE_DIR);
	dm->packages = package_cache_new(); /* NULL: not cached */
	trash_empty(dm->spool.dirfd);
	daemon_pending_scan(dm);
	return 0;
}

void
daemon_done(struct daemon *dm)
{
	/* Unwinds in flight are redone at the next start. */
	unwinds_done(&dm->unwinds);
	/* A delivery in flight may finish; the rest is retried next start. */
	delivery_done(
	    &dm->delivery, &dm->cfg, dm->spool.dirfd, DELIVERY_STOP_GRACE_MS);
	spool_done(&dm->spool);
	retention_free(dm->retention);
	dm->retention = NULL;
	dm->keys_fd = safe_close(dm->keys_fd);
	free(dm->pending);
	dm->pending = NULL;
	retry_done(&dm->retry);
	foreign_done(&dm->foreign);
	package_cache_free(dm->packages);
	dm->packages = NULL;
	/* Last: while it is held, no other daemon touches the spool. */
	pidfile_release(&dm->pidfile);
	config_done(&dm->cfg);
}

void
daemon_reload(struct daemon *dm, struct config *cfg)
{
	if (strcmp(cfg->spool, dm->cfg.spool) != 0)
		log_warn(
		    "spool changed to %s: takes effect at the next restart, "
		    "keeping %s",
		    cfg->spool, dm->cfg.spool);
	free(cfg->spool);
	cfg->spool = dm->cfg.spool;
	dm->cfg.spool = NULL;
	if (strcmp(cfg->daemon.pid_file, dm->cfg.daemon.pid_file) != 0)
		log_warn("pid_file changed to %s: takes effect at the next "
			 "restart, keeping %s",
		    cfg->daemon.pid_file, dm->cfg.daemon.pid_file);
	free(cfg->daemon.pid_file);
	cfg->daemon.pid_file = dm->cfg.daemon.pid_file;
	dm->cfg.daemon.pid_file = NULL;
	config_done(&dm->cfg);
	dm->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	retention_reload(dm->retention);
}

/* Moves something that is no dump out of the way, once, and says so. */
static void
quarantine(struct daemon *dm, const char *name, int why)
{
	int qfd, r;

	r = mkdir_at_safe(dm->spool.dirfd, QUARANTINE_DIR, 0700);
	qfd = r < 0 ? r : open_dir_at(dm->spool.dirfd, QUARANTINE_DIR);
	if (qfd < 0 || renameat(dm->spool.dirfd, name, qfd, name) < 0) {
		log_warn_errno(why,
		    "\"%s\" in the spool is no dump (%m); "
		    "could not quarantine it, ignoring",
		    name);
	} else {
		log_warn_errno(why,
		    "\"%s\" in the spool is no dump (%m); "
		    "moved to %s",
		    name, QUARANTINE_DIR);
	}
	safe_close(qfd);
}

/*
 * Appends the names of the identifying items d lacks (or holds garbage
 * in): time, pid, uid, signal, and executable when there is no reason
 * either.  Returns true when it lacks none.
 */
static bool
dump_identified(const struct dump *d, char *missing, size_t size)
{
	/* A kernel report's (kernel_dumps.c): its time and what it says. */
	if (DUMP_KIND_IS_KERNEL(d->kind)) {
		snprintf(missing, size, "%s%s", d->time <= 0 ? " time" : "",
		    d->reason[0] == '\0' ? " reason" : "");
		return missing[0] == '\0';
	}
	snprintf(missing, size, "%s%s%s%s%s", d->time <= 0 ? " time" : "",
	    d->pid <= 0 ? " pid" : "", d->uid < 0 ? " uid" : "",
	    d->signal <= 0 ? " signal" : "",
	    d->executable[0] == '\0' && d->reason[0] == '\0' ? " executable"
							     : "");
	return missing[0] == '\0';
}

static bool
dump_exists(struct daemon *dm, const char *name)
{
	return name[0] &&
	    faccessat(dm->spool.dirfd, name, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/*
 * Appends a repeat's "TIME NAME" line to the first dump's occurrences
 * (so that crashd-cli --since counts every crash, not only first ones),
 * keeping the newest DUMP_OCCURRENCES_MAX.  A repeat already there (the
 * daemon was stopped before "processed") is not added twice.  0 or -errno.
 */
static int
record_occurrence(const struct dump *first, const struct dump *d)
{
	char *old = NULL, line[64 + NAME_MAX];
	struct buf b;
	size_t lines = 0;
	const char *p;
	int r;

	buf_init(&b, 0);
	if (dump_read_item(first, DUMP_ITEM_OCCURRENCES, 64 * 1024, &old) ==
		0 &&
	    old[0]) {
		snprintf(line, sizeof(line), " %s", d->name);
		for (p = strstr(old, line); p; p = strstr(p + 1, line))
			if (p[strlen(line)] == '\n' ||
			    p[strlen(line)] == '\0') {
				r = 0;
				goto out;
			}
		for (p = old; *p; p++)
			lines += *p == '\n';
		lines++; /* the last line's newline was dropped */
		p = old;
		while (lines >= DUMP_OCCURRENCES_MAX && strchr(p, '\n')) {
			p = strchr(p, '\n') + 1;
			lines--;
		}
		buf_puts(&b, p);
		buf_putc(&b, '\n');
	}
	snprintf(line, sizeof(line), "%lld %s\n", d->time, d->name);
	r = buf_puts(&b, line);
	if (r >= 0)
		r = dump_replace_item(
		    first, DUMP_ITEM_OCCURRENCES, b.data, b.len);
out:
	free(old);
	buf_done(&b);
	return r;
}

/*
 * Accounts where the repeat d came from in the first dump's repeats item
 * (seeded with the first dump's own crash), and copies it into d for the
 * notifications about d.  Idempotent: a replay of d adds nothing.
 * Returns 0 or -errno.
 */
static int
write_repeats(struct dump *first, struct dump *d)
{
	struct repeats *rp;
	struct buf b;
	int r;

	rp = malloc(sizeof(*rp));
	if (rp == NULL)
		return -ENOMEM;
	buf_init(&b, 0);
	r = repeats_read(first, rp);
	if (r == 0)
		r = repeats_add(rp, first);
	if (r >= 0)
		r = repeats_add(rp, d);
	if (r >= 0)
		r = repeats_format(rp, &b);
	if (r >= 0)
		r = dump_replace_item(
		    first, DUMP_ITEM_REPEATS, b.data ? b.data : "", b.len);
	if (r >= 0)
		r = dump_replace_item(
		    d, DUMP_ITEM_REPEATS, b.data ? b.data : "", b.len);
	buf_done(&b);
	free(rp);
	return r < 0 ? r : 0;
}

/*
 * Writes what the daemon adds to a dump's items for dedupe; last_seen is
 * the key's newest crash (dumps may be processed out of time order).
 */
static void
write_counts(struct daemon *dm, struct dump *d, const struct decision *dec,
    long long last_seen)
{
	char num[64], dup[sizeof(dec->first) + 1];
	struct dump *first = NULL;
	int r;

	snprintf(num, sizeof(num), "%lld\n",
	    dec->first[0] == '\0' ? d->time : last_seen);
	if (dec->first[0] == '\0') {
		r = dump_replace_item(d, DUMP_ITEM_COUNT, "1\n", 2);
		if (r >= 0)
			r = dump_replace_item(
			    d, DUMP_ITEM_LAST_OCCURRENCE, num, strlen(num));
		if (r < 0)
			log_warn_errno(
			    r, "%s: write count: %m, ignoring", d->name);
		return;
	}
	/* A duplicate about to go needs no duplicate_of: its record says. */
	snprintf(dup, sizeof(dup), "%s\n", dec->first); /* a text item */
	r = dm->cfg.daemon.remove_duplicates
	    ? 0
	    : dump_replace_item(d, DUMP_ITEM_DUPLICATE_OF, dup, strlen(dup));
	if (r >= 0 && dump_open(dm->spool.dirfd, dec->first, &first) >= 0) {
		char count[32];

		snprintf(count, sizeof(count), "%llu\n",
		    (unsigned long long)dec->count);
		r = dump_replace_item(
		    first, DUMP_ITEM_COUNT, count, strlen(count));
		if (r >= 0)
			r = dump_replace_item(
			    first, DUMP_ITEM_LAST_OCCURRENCE, num, strlen(num));
		if (r >= 0)
			r = record_occurrence(first, d);
		if (r >= 0)
			r = write_repeats(first, d);
		if (r >= 0)
			r = dump_sync(first);
		dump_free(first);
		retention_forget(dm->retention, dec->first);
	}
	if (r < 0)
		log_warn_errno(
		    r, "%s: merge into %s: %m, ignoring", d->name, dec->first);
}

/*
 * Adds the package item (package.h) to a dump that has none yet, when a
 * package manager names its executable; nothing is written for a crash
 * it cannot speak of.
 */
static void
write_package(struct daemon *dm, struct dump *d)
{
	char text[PACKAGE_TEXT_MAX + 1], *old = NULL;
	size_t n;
	int r;

	r = dump_read_item(d, DUMP_ITEM_PACKAGE, 64, &old);
	free(old);
	if (r != -ENOENT)
		return; /* there, or unreadable: not asked again */
	r = package_lookup(dm->packages, d, text, sizeof(text) - 1);
	if (r <= 0) {
		if (r < 0)
			log_warn_errno(r,
			    "%s: package of the executable: %m, "
			    "ignoring",
			    d->name);
		return;
	}
	n = strlen(text);
	text[n++] = '\n';
	r = dump_replace_item(d, DUMP_ITEM_PACKAGE, text, n);
	if (r >= 0)
		r = dump_sync(d);
	if (r < 0)
		log_warn_errno(r, "%s: write package: %m, ignoring", d->name);
}

/* daemon_process(); may_defer: its unwind may be scheduled for later. */
static int
process(struct daemon *dm, const char *name, bool may_defer)
{
	struct keystate ks = { 0 };
	struct dump *d = NULL;
	struct journal j = { 0 };
	struct decision dec;
	struct buf key;
	char summary[512], missing[64];
	uint64_t hash;
	int r;

	if (!spool_is_dump_name(name)) {
		if (name[0] != '.')
			foreign_note(&dm->foreign, dm->cfg.spool, name);
		return 0;
	}
	if (may_defer && unwinds_has(&dm->unwinds, name))
		return RETRY_DEFERRED; /* its unwind runs or waits */
	/* Longer than the hook makes: the key state could not name it. */
	if (strlen(name) >= sizeof(ks.first)) {
		quarantine(dm, name, -ENAMETOOLONG);
		return 0;
	}
	r = dump_open(dm->spool.dirfd, name, &d);
	if (r == -ELOOP || r == -ENOTDIR) {
		quarantine(dm, name, r);
		return 0;
	}
	if (r == -ENOENT)
		return 0; /* removed meanwhile */
	if (r < 0)
		return log_error_errno(r, "open dump %s: %m", name);
	if (d->processed) {
		dump_free(d);
		return 0;
	}
	/*
	 * Untrusted input.  Without what identifies the crash there is
	 * nothing to merge, notify on or age: out of the way, said once.
	 */
	if (!dump_identified(d, missing, sizeof(missing))) {
		log_warn("%s: malformed dump (missing or garbage:%s), "
			 "not processed",
		    name, missing);
		dump_free(d);
		quarantine(dm, name, -EBADMSG);
		return 0;
	}
	if (d->executable[0] == '\0' && !DUMP_KIND_IS_KERNEL(d->kind))
		log_warn("%s: malformed dump (missing or garbage: executable), "
			 "processing what it has",
		    name);
	/*
	 * Where it died, before dedupe (the signature may be part of the
	 * key).  Unwound in a child the daemon does not wait for: the rest
	 * follows in daemon_process_unwound() (unwinds.c).  Idempotent: a
	 * dump with a backtrace is not unwound again.
	 */
	/* (Not one decided on already: that goes first, see backlog.) */
	if (may_defer && backtrace_wanted(d) && !in_flight(dm, name)) {
		r = unwinds_add(dm, d);
		dump_free(d);
		return r < 0 ? r : RETRY_DEFERRED;
	}
	write_package(dm, d);
	buf_init(&key, 0);
	r = journal_load(d->dirfd, &j);
	if (r >= 0)
		r = dedupe_key(dm->cfg.daemon.dedupe_key, d, &key, &hash);
	if (r >= 0)
		r = keystate_load(
		    dm->keys_fd, hash, key.data ? key.data : "", &ks);
	if (r < 0) {
		log_error_errno(r, "%s: read state: %m", name);
		goto out;
	}
	if (j.has_decision) {
		dec = j.decision; /* decided before an interruption */
	} else {
		notify_decide(&dm->cfg.daemon, &ks, dump_exists(dm, ks.first),
		    d, &dm->global_tat, &dec);
		r = journal_append_decision(d->dirfd, &dec);
		if (r < 0) {
			log_error_errno(r, "%s: record decision: %m", name);
			goto out;
		}
	}
	r = notify_account(&ks, d, &dec);
	if (r >= 0)
		r = keystate_save(dm->keys_fd, &ks);
	if (r < 0) {
		log_error_errno(r, "%s: save key state: %m", name);
		goto out;
	}
	if (ks.held_back > 0)
		daemon_pending_add(dm, hash);
	write_counts(dm, d, &dec, ks.last_seen);

	notify_summary(summary, sizeof(summary), dec.held,
	    ks.executable ? ks.executable : "?", d->signal, dec.since);
	r = daemon_run_actions(dm, d, dec.event, dec.count, dec.held, summary,
	    notify_decision_notifies(&dec), NULL);
	if (r == 1) {
		r = 1; /* removed by a delete action */
		goto out;
	}
	if (r < 0)
		goto out;
	/*
	 * A duplicate to remove goes without "processed": a daemon killed
	 * before the rename replays it up to here, with nothing left to run
	 * (marked processed first, it would stay in the spool for good).
	 */
	if (dec.first[0] && dm->cfg.daemon.remove_duplicates) {
		r = trash_dump(dm->spool.dirfd, name);
		if (r >= 0) {
			dm->processed++;
			r = 1;
			goto out;
		}
		log_warn_errno(r, "%s: remove duplicate: %m, keeping it", name);
	}
	r = dump_mark_processed(d);
	if (r < 0) {
		log_error_errno(r, "%s: mark processed: %m", name);
		goto out;
	}
	if (dec.first[0] && dm->cfg.daemon.remove_duplicate_cores &&
	    d->has_core && (r = dump_remove_core_at(d->dirfd)) < 0)
		log_warn_errno(
		    r, "%s: remove duplicate's core: %m, ignoring", name);
	dm->processed++;
	r = 1;
out:
	journal_done(&j);
	keystate_done(&ks);
	buf_done(&key);
	dump_free(d);
	return r;
}

int
daemon_process(struct daemon *dm, const char *name)
{
	int r;

	/* Each line said about it carries the dump's name in the journal. */
	log_context_set("CRASHD_ID", name);
	r = process(dm, name, true);
	log_context_set("CRASHD_ID", NULL);
	return r;
}

void
daemon_process_unwound(struct daemon *dm, const char *name)
{
	int r;

	log_context_set("CRASHD_ID", name);
	r = process(dm, name, false);
	log_context_set("CRASHD_ID", NULL);
	/* The outcome daemon_process() deferred (a failure is retried). */
	retry_note(&dm->retry, name, r, clock_now_ms(CLOCK_MONOTONIC));
}

/* True when a dump was decided on but not processed: interrupted. */
static bool
in_flight(struct daemon *dm, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", name, JOURNAL_ITEM);
	if (faccessat(dm->spool.dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/%s", name, DUMP_ITEM_PROCESSED);
	return faccessat(dm->spool.dirfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0;
}

/* One dump of the backlog; a failure is retried (retry.h). */
static int
backlog_one(struct daemon *dm, const char *name)
{
	int r = daemon_process(dm, name);

	retry_note(&dm->retry, name, r, clock_now_ms(CLOCK_MONOTONIC));
	return r;
}

int
daemon_backlog(struct daemon *dm)
{
	char **names = NULL;
	size_t n = 0, done = 0;
	int r;

	r = spool_list(dm->spool.dirfd, &names, &n);
	if (r < 0)
		return log_error_errno(r, "list spool %s: %m", dm->cfg.spool);
	/*
	 * A dump interrupted in flight goes first: its key's state knows it
	 * was accounted only while no other dump of the key came after it
	 * (notify_account()).  Then the rest, oldest first.
	 */
	/* A long backlog is progress: the watchdog is pet in between. */
	for (size_t i = 0; i < n; i++) {
		if (!*dm->stop && in_flight(dm, names[i]) &&
		    backlog_one(dm, names[i]) > 0)
			done++;
		sdnotify_watchdog();
	}
	for (size_t i = 0; i < n; i++) {
		if (!*dm->stop && backlog_one(dm, names[i]) > 0)
			done++;
		free(names[i]);
		sdnotify_watchdog();
	}
	free(names);
	if (done > 0)
		log_info(
		    "processed %zu dumps that arrived while crashd was down",
		    done);
	return 0;
}

int
daemon_reopen_spool(struct daemon *dm)
{
	struct spool s;
	struct delivery dl;
	int keys_fd, r;

	r = spool_open(dm->cfg.spool, true, &s);
	if (r < 0)
		return r;
	keys_fd = dedupe_open_keys(s.dirfd);
	if (keys_fd < 0) {
		spool_done(&s);
		return keys_fd;
	}
	r = delivery_init(&dl, s.dirfd);
	if (r < 0) {
		delivery_done(&dl, &dm->cfg, s.dirfd, 0);
		safe_close(keys_fd);
		spool_done(&s);
		return r;
	}
	delivery_done(
	    &dm->delivery, &dm->cfg, dm->spool.dirfd, DELIVERY_STOP_GRACE_MS);
	dm->delivery = dl;
	spool_done(&dm->spool);
	dm->spool = s;
	safe_close(dm->keys_fd);
	dm->keys_fd = keys_fd;
	retention_free(dm->retention);
	dm->retention = NULL;
	retry_clear(&dm->retry);
	foreign_done(&dm->foreign);
	foreign_init(&dm->foreign);
	dm->n_pending = 0;
	/* (The packages' cache is the executables', not the spool's: kept.) */
	trash_empty(dm->spool.dirfd);
	daemon_pending_scan(dm);
	return 0;
}
