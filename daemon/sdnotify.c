/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sdnotify.c owns what crashd tells systemd: sd_notify() from libsystemd,
 * which does nothing where NOTIFY_SOCKET is unset.  The watchdog is pet
 * at half the interval systemd asked for (WatchdogSec=), from the loops
 * that make progress: a loop that hangs stops petting and systemd kills
 * it.  A failure to notify is survived (systemd would see it as a hang).
 */
#include "sdnotify.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "log.h"

static uint64_t watchdog_half_us; /* 0: no watchdog */
static uint64_t watchdog_last_us;

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
sdnotify_init(void)
{
	uint64_t usec = 0;
	int r;

	/* 0 unless WATCHDOG_PID is ours (or unset) and WATCHDOG_USEC set. */
	r = sd_watchdog_enabled(0, &usec);
	if (r < 0)
		log_warn_errno(r, "WATCHDOG_USEC: %m, no watchdog, ignoring");
	watchdog_half_us = r > 0 ? usec / 2 : 0;
	watchdog_last_us = 0;
	if (watchdog_half_us > 0)
		log_debug("systemd watchdog: pet every %llu ms",
		    (unsigned long long)(watchdog_half_us / 1000));
}

static void
notify(const char *msg)
{
	int r = sd_notify(0, msg);

	if (r < 0)
		log_debug_errno(r, "sd_notify \"%s\": %m, ignoring", msg);
}

void
sdnotify_ready(const char *spool)
{
	char msg[4200];

	snprintf(msg, sizeof(msg), "READY=1\nSTATUS=watching %s", spool);
	notify(msg);
}

void
sdnotify_status(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	memcpy(msg, "STATUS=", 7);
	va_start(ap, fmt);
	vsnprintf(msg + 7, sizeof(msg) - 7, fmt, ap);
	va_end(ap);
	notify(msg);
}

void
sdnotify_stopping(void)
{
	notify("STOPPING=1\nSTATUS=stopping");
}

void
sdnotify_watchdog(void)
{
	uint64_t now;

	if (watchdog_half_us == 0)
		return;
	now = now_us();
	if (watchdog_last_us != 0 && now - watchdog_last_us < watchdog_half_us)
		return;
	watchdog_last_us = now;
	notify("WATCHDOG=1");
}
