/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * watch.c owns the main loop.  The watch is set up before the backlog is
 * read, so a dump published meanwhile is seen by one or the other (and
 * processed once: "processed" says so).  A queue overflow rescans.
 * Unwinds run in children (unwinds.c) that the loop polls between
 * events: a slow one holds up no other dump, delivery or watchdog pet.
 * core_pattern is checked at start, on a timer and after SIGHUP.
 */
#include "watch.h"

#include <errno.h>
#include <inotifytools/inotify.h>
#include <inotifytools/inotifytools.h>
#include <string.h>
#include <time.h>

#include "action_metrics.h"
#include "config.h"
#include "log.h"
#include "registration.h"
#include "retention.h"
#include "sdnotify.h"
#include "unwinds.h"

#define RETENTION_EVERY_S 60
/* How often the loop looks at inotify while unwinds run. */
#define UNWIND_TICK_MS 50

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

int
watch_run(struct daemon *dm, volatile sig_atomic_t *reload)
{
	time_t last_sweep = 0, last_metrics = 0, last_registration;
	uint64_t told = 0;

	if (!inotifytools_initialize())
		return log_error_errno(-inotifytools_error(), "inotify: %m");
	if (!inotifytools_watch_file(
		dm->cfg.spool, IN_MOVED_TO | IN_CREATE | IN_ONLYDIR)) {
		int r = -inotifytools_error();

		inotifytools_cleanup();
		return log_error_errno(r, "watch %s: %m", dm->cfg.spool);
	}
	/* Before "watching": a change from now on is seen as one. */
	registration_check(dm);
	last_registration = time(NULL);
	sdnotify_status("processing the backlog of %s", dm->cfg.spool);
	daemon_backlog(dm);
	log_info("watching %s", dm->cfg.spool);
	sdnotify_ready(dm->cfg.spool);
	told = dm->processed;
	delivery_tick(&dm->delivery, &dm->cfg, dm->spool.dirfd);

	while (!*dm->stop) {
		struct inotify_event *ev;
		time_t now;

		/*
		 * Wakes up at least every second, and on any signal; while
		 * unwinds run, every UNWIND_TICK_MS or when one ends.
		 */
		if (unwinds_busy(&dm->unwinds)) {
			ev = inotifytools_next_event(0);
			if (ev == NULL)
				(void)unwinds_poll(dm, UNWIND_TICK_MS);
		} else {
			ev = inotifytools_next_event(1);
		}
		if (ev && (ev->mask & IN_Q_OVERFLOW)) {
			log_warn(
			    "inotify queue overflowed, rescanning the spool");
			daemon_backlog(dm);
		} else if (ev && ev->len > 0 && ev->name[0] != '.') {
			int r = daemon_process(dm, ev->name);

			if (r < 0 && r != -EINTR)
				log_warn_errno(r,
				    "%s: not processed (%m), "
				    "retried at the next start or rescan",
				    ev->name);
		}
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
		daemon_digests(dm);
		delivery_tick(&dm->delivery, &dm->cfg, dm->spool.dirfd);
		if (now - last_metrics >= METRICS_REFRESH_S) {
			last_metrics = now;
			action_metrics_refresh(&dm->cfg, dm->spool.dirfd);
		}
		if (now - last_sweep >= RETENTION_EVERY_S) {
			last_sweep = now;
			(void)retention_sweep(dm, (long long)now);
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
	inotifytools_cleanup();
	return 0;
}
