/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.c owns where diagnostics go.  Messages are formatted once and sent to
 * each enabled target (the system log's ways: log_system.c); a message
 * never exceeds one syslog line.
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
/* name, value pairs, NULL-terminated (see log_context_set()). */
static const char *log_context[2 * LOG_CONTEXT_MAX + 1];

void
log_open(const char *ident, int targets, int max_level)
{
	log_ident = ident;
	log_targets = targets;
	log_max_level = max_level;
}

void
log_context_set(const char *name, const char *value)
{
	size_t i, n = 0;

	while (log_context[n])
		n += 2;
	for (i = 0; i < n && strcmp(log_context[i], name) != 0; i += 2)
		;
	if (i < n && value) {
		log_context[i + 1] = value;
	} else if (i < n) {
		/* Cleared: the last pair takes its place. */
		log_context[i] = log_context[n - 2];
		log_context[i + 1] = log_context[n - 1];
		log_context[n - 2] = log_context[n - 1] = NULL;
	} else if (value && n < 2 * LOG_CONTEXT_MAX) {
		log_context[n] = name;
		log_context[n + 1] = value;
	}
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
		log_system_send(level, log_ident, msg,
		    error < 0 ? -error : error, log_context);
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
