/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging for all three programs: stderr, the system log (journal, syslog
 * or the kernel's log), or both.
 *
 * common/ itself never logs above debug; it returns errors and the caller
 * logs once.  log_*_errno(r, ...) sets errno from r so that "%m" works, and
 * returns r, so that "return log_error_errno(r, ...);" reads naturally.
 */
#ifndef CRASHD_LOG_H
#define CRASHD_LOG_H

#include <stdbool.h>
#include <syslog.h>

enum log_target {
	LOG_TARGET_STDERR = 1 << 0,
	/*
	 * The system log, first of: the journal's native socket (with
	 * PRIORITY, SYSLOG_IDENTIFIER, ERRNO and the context's fields),
	 * /dev/log, /dev/kmsg.  No line is dropped while one of them takes it.
	 */
	LOG_TARGET_SYSLOG = 1 << 1,
};

void log_open(const char *ident, int targets, int max_level);

/*
 * A field every message carries to the journal until cleared (value
 * NULL): CRASHD_ID while a dump is processed, say.  name and value are
 * not copied; at most LOG_CONTEXT_MAX names.
 */
#define LOG_CONTEXT_MAX 4
void log_context_set(const char *name, const char *value);

/* True when stderr is the journal's stream ($JOURNAL_STREAM names it). */
bool log_stderr_is_journal(void);

/* log_system.c: one message to the system log (see LOG_TARGET_SYSLOG). */
void log_system_send(int level, const char *ident, const char *msg, int error,
    const char *const *fields);
void log_system_close(void);
void log_set_level(int max_level);
int log_get_level(void);
int log_internal(int level, int error, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs each line of text (one message per line) at level. */
void log_lines(int level, const char *text);

#define log_error(...) log_internal(LOG_ERR, 0, __VA_ARGS__)
#define log_warn(...) log_internal(LOG_WARNING, 0, __VA_ARGS__)
#define log_info(...) log_internal(LOG_INFO, 0, __VA_ARGS__)
#define log_debug(...) log_internal(LOG_DEBUG, 0, __VA_ARGS__)
#define log_error_errno(r, ...) log_internal(LOG_ERR, (r), __VA_ARGS__)
#define log_warn_errno(r, ...) log_internal(LOG_WARNING, (r), __VA_ARGS__)
#define log_debug_errno(r, ...) log_internal(LOG_DEBUG, (r), __VA_ARGS__)

#endif
