/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch.c owns the main loop.  The watch is set up before the backlog is
 * read, so a dump published meanwhile is seen by one or the other (and
 * processed once: "processed" says so).  A queue overflow rescans.
 * A dump whose processing failed is tried again with backoff (retry.h).
 * A spool moved or deleted under the daemon (its watch says so, or the
 * path no longer names the directory held, checked every second) is
 * opened again, created where it is missing, watched and rescanned.
 * Unwinds run in children (unwinds.c) that the loop polls between
 * events: a slow one holds up no other dump, delivery or watchdog pet.
 * core_pattern is checked at start, on a timer and after SIGHUP; the kernel
 * log is read every tick (kmsg.h).
 */
#include "watch.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "action_metrics.h"
#include "clock.h"
#include "config.h"
#include "kmsg.h"
#include "log.h"
#include "notstored_dumps.h"
#include "pstore.h"
#include "registration.h"
#include "retention.h"
#include "sdnotify.h"
#include "spool_watch.h"
#include "unwinds.h"

#define RETENTION_EVERY_S 60
/* How often the loop looks at inotify while unwinds run. */
#define UNWIND_TICK_MS 50
/*
 * A dump arrives by IN_MOVED_TO (or IN_CREATE).  The spool's own
 * IN_DELETE_SELF comes only once the daemon closes it: the check every
 * second sees a deleted spool first (its link count is 0).
 */
#define SPOOL_EVENTS                                                           \
	(IN_MOVED_TO | IN_CREATE | IN_ONLYDIR | IN_DELETE_SELF | IN_MOVE_SELF)
/* Retries run per turn of the loop, so that new crashes are not held. */
#define RETRIES_PER_TURN 64

static void
reload_config(struct daemon *dm)
{
	struct config c;
	struct buf errors;
	int r;

	buf_init(&errors, 0);
	r = config_load(dm->config_path, &c, &errors);
	if (r < 0) {
		for (char *line = errors.data, *nl; line && *line;
		     line = nl + 1) {
			nl = strchr(line, '\n');
			if (nl)
				*nl = '\0';
			log_error("%s", line);
			if (nl == NULL)
				break;
		}
		log_error("reload: %s is not valid, keeping the running config",
		    dm->config_path);
	} else {
		daemon_reload(dm, &c);
		log_info("reloaded %s", dm->config_path);
	}
	buf_done(&errors);
}

/* The one watch on the spool root (its buffer is 16 KiB: not on the stack). */
static struct spool_watch sw = { .fd = -1 };

/*
 * A fresh inotify instance watching the spool's path (after the spool was
 * replaced, the new directory).  Returns 0 or -errno (none left then).
 */
static int
watch_spool(const struct daemon *dm)
{
	spool_watch_close(&sw);
	return spool_watch_open(&sw, dm->cfg.spool, SPOOL_EVENTS);
}

/*
 * Whether the spool's path still names the directory the daemon holds.
 * Returns NULL when it does, else what became of it: "deleted" (the held
 * one has no name left) or "moved" (the path names another or nothing).
 */
static const char *
spool_fate(const struct daemon *dm)
{
	struct stat held, now;

	if (fstat(dm->spool.dirfd, &held) < 0)
		return NULL; /* cannot tell */
	if (held.st_nlink == 0)
		return "deleted";
	if (stat(dm->cfg.spool, &now) < 0 || held.st_dev != now.st_dev ||
	    held.st_ino != now.st_ino)
		return "moved";
	return NULL;
}

/*
 * Follows a spool that was moved or deleted: opens (creates) the one at
 * the path, watches it and processes what it holds.  Returns true when
 * the new one is watched; false when it is yet to be tried again (said
 * once per failure streak, *told).
 */
static bool
follow_spool(struct daemon *dm, const char *fate, bool *watching, bool *told)
{
	int r;

	r = daemon_reopen_spool(dm);
	if (r < 0) {
		if (!*told)
			log_error_errno(r,
			    "spool %s was %s, and cannot be opened again "
			    "(%m); trying every second",
			    dm->cfg.spool, fate);
		*told = true;
		return false;
	}
	r = watch_spool(dm);
	*watching = r >= 0;
	if (r < 0) {
		if (!*told)
			log_error_errno(r,
			    "spool %s was %s; watch the new one: %m; "
			    "trying every second",
			    dm->cfg.spool, fate);
		*told = true;
		return false;
	}
	*told = false;
	log_warn("spool %s was %s; watching the new one", dm->cfg.spool, fate);
	sdnotify_status("processing the backlog of %s", dm->cfg.spool);
	daemon_backlog(dm);
	return true;
}

/* Processes name, a failure going on the retry list. */
static void
process(struct daemon *dm, const char *name)
{
	int r = daemon_process(dm, name);

	retry_note(&dm->retry, name, r, clock_now_ms(CLOCK_MONOTONIC));
}

/* Makes the attempts that are due, at most RETRIES_PER_TURN. */
static void
retry_due(struct daemon *dm)
{
	char name[NAME_MAX + 1];

	for (int i = 0; i < RETRIES_PER_TURN && !*dm->stop; i++) {
		if (!retry_next_due(&dm->retry, clock_now_ms(CLOCK_MONOTONIC),
			name, sizeof(name)))
			break;
		process(dm, name);
		sdnotify_watchdog();
	}
}

int
watch_run(struct daemon *dm, volatile sig_atomic_t *reload)
{
	time_t last_sweep = 0, last_metrics = 0, last_registration;
	time_t last_spool_check;
	uint64_t told = 0, failures_told = 0, kmsg_dropped_told = 0;
	size_t retrying_told = 0;
	bool watching, spool_told = false;
	struct kmsg kmsg;
	int r;

	r = watch_spool(dm);
	if (r < 0)
		return log_error_errno(r, "watch %s: %m", dm->cfg.spool);
	watching = true;
	r = kmsg_open(&kmsg, dm);
	if (r < 0)
		log_warn_errno(r,
		    "kernel log: %m, crashes the kernel drops "
		    "over core_pipe_limit are not counted, kernel reports "
		    "not followed");
	kmsg_scan(&kmsg, dm);
	/* The panics of earlier boots, once (pstore.h). */
	pstore_harvest(dm);
	/* Before "watching": a change from now on is seen as one. */
	registration_check(dm);
	last_registration = time(NULL);
	sdnotify_status("processing the backlog of %s", dm->cfg.spool);
	daemon_backlog(dm);
	log_info("watching %s", dm->cfg.spool);
	sdnotify_ready(dm->cfg.spool);
	told = dm->processed;
	last_spool_check = time(NULL);
	delivery_tick(&dm->delivery, &dm->cfg, dm->spool.dirfd);

	while (!*dm->stop) {
		const struct inotify_event *ev = NULL;
		const char *fate = NULL;
		time_t now;

		/*
		 * Wakes up at least every second, and on any signal; while
		 * unwinds run, every UNWIND_TICK_MS or when one ends.
		 */
		if (unwinds_busy(&dm->unwinds)) {
			if (watching)
				ev = spool_watch_next(&sw, 0);
			if (ev == NULL)
				(void)unwinds_poll(dm, UNWIND_TICK_MS);
		} else if (watching) {
			ev = spool_watch_next(&sw, 1000);
		} else {
			(void)nanosleep(&(struct timespec){ 1, 0 }, NULL);
		}
		if (ev && (ev->mask & IN_Q_OVERFLOW)) {
			log_warn(
			    "inotify queue overflowed, rescanning the spool");
			daemon_backlog(dm);
		} else if (ev && (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF))) {
			fate = ev->mask & IN_DELETE_SELF ? "deleted" : "moved";
		} else if (ev && (ev->mask & (IN_MOVED_TO | IN_CREATE)) &&
		    ev->len > 0 && ev->name[0] != '.') {
			process(dm, ev->name);
		}
		now = time(NULL);
		if (fate == NULL && (now != last_spool_check || !watching)) {
			last_spool_check = now;
			fate = spool_fate(dm);
		}
		if (fate)
			(void)follow_spool(dm, fate, &watching, &spool_told);
		else if (!watching && watch_spool(dm) >= 0) {
			watching = true;
			spool_told = false;
			log_warn("watching %s again", dm->cfg.spool);
			daemon_backlog(dm);
		}
		retry_due(dm);
		if (*reload) {
			*reload = 0;
			reload_config(dm);
			registration_check(dm);
			last_registration = time(NULL);
		}
		now = time(NULL);
		if (now - last_registration >= REGISTRATION_CHECK_S) {
			last_registration = now;
			registration_check(dm);
		}
		/* Unwinds that ended go on; waiting ones start. */
		(void)unwinds_poll(dm, 0);
		kmsg_scan(&kmsg, dm);
		if (kmsg_dropped(&kmsg) != kmsg_dropped_told) {
			kmsg_dropped_told = kmsg_dropped(&kmsg);
			action_metrics_set_kernel_log(kmsg_dropped_told);
			last_metrics = 0; /* written now */
		}
		daemon_digests(dm);
		delivery_tick(&dm->delivery, &dm->cfg, dm->spool.dirfd);
		if (retry_pending(&dm->retry) != retrying_told ||
		    dm->retry.failures != failures_told) {
			retrying_told = retry_pending(&dm->retry);
			failures_told = dm->retry.failures;
			action_metrics_set_retries(
			    retrying_told, (uint64_t)failures_told);
			last_metrics = 0; /* written now */
		}
		action_metrics_feed(&dm->cfg, dm->spool.dirfd);
		notstored_dumps_feed(dm);
		if (now - last_metrics >= METRICS_REFRESH_S) {
			last_metrics = now;
			action_metrics_refresh(&dm->cfg, dm->spool.dirfd);
		}
		if (now - last_sweep >= RETENTION_EVERY_S) {
			struct retention_input in;

			last_sweep = now;
			retention_input_init(&in, &dm->cfg, &dm->spool);
			(void)retention_sweep(
			    &dm->retention, &in, (long long)now);
		}
		if (dm->processed != told) {
			told = dm->processed;
			sdnotify_status("watching %s: %llu dumps processed",
			    dm->cfg.spool, (unsigned long long)told);
		}
		sdnotify_watchdog();
	}
	sdnotify_stopping();
	/* Killed: no backtrace written, so they are unwound next start. */
	unwinds_done(&dm->unwinds);
	kmsg_close(&kmsg, dm);
	spool_watch_close(&sw);
	return 0;
}
