/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.c owns where diagnostics go.  Messages are formatted once and sent to
 * each enabled target; a message never exceeds one syslog line.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int log_targets = LOG_TARGET_STDERR;
static int log_max_level = LOG_INFO;
static const char *log_ident = "crashd";

void
log_open(const char *ident, int targets, int max_level)
{
	log_ident = ident;
	log_targets = targets;
	log_max_level = max_level;
	if (targets & LOG_TARGET_SYSLOG)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(int max_level)
{
	log_max_level = max_level;
}

int
log_get_level(void)
{
	return log_max_level;
}

static const char *
log_level_name(int level)
{
	switch (level) {
	case LOG_ERR:
		return "error";
	case LOG_WARNING:
		return "warning";
	case LOG_INFO:
		return "info";
	default:
		return "debug";
	}
}

/*
 * Returns error unchanged, so that callers can "return log_...errno(r, ...)".
 * errno is set to -error (or kept) for the benefit of %m.
 */
int
log_internal(int level, int error, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;
	int saved = errno;

	if (level > log_max_level) {
		errno = saved;
		return error;
	}
	errno = error < 0 ? -error : (error > 0 ? error : saved);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	if (log_targets & LOG_TARGET_STDERR)
		fprintf(stderr, "%s: %s: %s\n", log_ident,
		    log_level_name(level), msg);
	if (log_targets & LOG_TARGET_SYSLOG)
		syslog(level, "%s", msg);
	errno = saved;
	return error;
}

void
log_lines(int level, const char *text)
{
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');
		int n = nl ? (int)(nl - p) : (int)strlen(p);

		log_internal(level, 0, "%.*s", n, p);
		p = nl ? nl + 1 : NULL;
	}
}
