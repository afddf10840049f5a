/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcrashd: a snapshot of a live process, as crashd stores a crash, while
 * the process carries on.  See crashd_snapshot(3).
 *
 *   if (!CRASHD_ASSERT(req->len <= req->cap))
 *           return http_error(req, 500);   // this request, not the server
 */
#ifndef CRASHD_H
#define CRASHD_H

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Takes a snapshot: the calling thread forks; the copy, at the lowest CPU
 * and I/O priority, marks itself as a snapshot (reason: at most 1 KiB of
 * it is kept) and dumps core; the caller goes on at once.  Returns 1 when
 * a snapshot was started, 0 when the ceiling (crashd_snapshot_limit())
 * stopped it, or -errno (-EINVAL: flags is not 0; or what clone(2) said).
 * Async-signal-safe; thread-safe.
 */
int crashd_snapshot(const char *reason, unsigned flags);

/*
 * The process-wide ceiling: at most n snapshots in any per_seconds.
 * n == 0 takes none.  Default: $CRASHD_SNAPSHOT_LIMIT ("N/SECONDS") when
 * set at start, else 5 per 3600 s.  Async-signal-safe; thread-safe.
 */
void crashd_snapshot_limit(unsigned n, unsigned per_seconds);

/* For the macros below: a snapshot with "EXPR at FILE:LINE in FUNC()". */
bool crashd_assert_failed(
    const char *expr, const char *file, int line, const char *func);
bool crashd_check_failed(const char *expr, const char *file, int line,
    const char *func, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

#ifdef __cplusplus
}
#endif

/*
 * True when expr holds; otherwise false after a snapshot whose reason is
 * "assertion failed: EXPR at FILE:LINE in FUNC()", so that the caller
 * gives up the request rather than the process.  expr is evaluated once.
 */
#define CRASHD_ASSERT(expr)                                                    \
	(__builtin_expect(!!(expr), 1)                                         \
		? true                                                         \
		: crashd_assert_failed(#expr, __FILE__, __LINE__, __func__))

/* CRASHD_ASSERT with a message (printf's format) in the reason. */
#define crashd_check(expr, ...)                                                \
	(__builtin_expect(!!(expr), 1) ? true                                  \
				       : crashd_check_failed(#expr, __FILE__,  \
					     __LINE__, __func__, __VA_ARGS__))

#endif
