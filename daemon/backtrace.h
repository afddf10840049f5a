/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Backtraces from a dump's core (core.mini or core.gz) with elfutils'
 * libdwfl: every thread's frames, symbolized where the modules are found
 * (by build id, or at their paths), the crashing thread first, and a
 * signature of the crash site for dedupe.
 */
#ifndef CRASHD_BACKTRACE_H
#define CRASHD_BACKTRACE_H

#include <stdint.h>

#include "buf.h"
#include "dump.h"

#define BACKTRACE_MAX_THREADS 256
#define BACKTRACE_MAX_FRAMES 64
#define BACKTRACE_SIGNATURE_FRAMES 3
/*
 * The unwinder's time: it stops by itself after BACKTRACE_TIME_MS (checked
 * per thread, frame and module: what it has is kept, marked as cut short)
 * and is killed after BACKTRACE_KILL_MS (what libdwfl does between checks:
 * reading a core of 100,000 segments, a debuginfod fetch).
 */
#define BACKTRACE_TIME_MS 5000
#define BACKTRACE_KILL_MS 10000

struct backtrace_options {
	int64_t time_ms; /* the unwinder stops by itself */
	int64_t kill_ms; /* it is killed */
	/*
	 * debuginfod servers (DEBUGINFOD_URLS), or NULL / "": none.  Only
	 * the unwinder's child process sees them, with the cache directory
	 * (made when missing) and fetch timeouts within time_ms.
	 */
	const char *debuginfod_urls;
	const char *debuginfod_cache;
};

struct backtrace_result {
	unsigned threads;
	unsigned frames;
	char signature[17]; /* 16 hex digits, "" when none */
};

/*
 * Unwinds the core in core_fd (an uncompressed ELF core) of dump d, in
 * this process, until deadline_ms (CLOCK_MONOTONIC; 0: none).  Appends
 * the text form to text ("Thread TID (crashed):" then "#N ..." lines, and
 * a last "(cut short: ...)" line when the deadline stopped it) and the
 * structured form to frames (TSV: tid, n, pc, function, offset, module,
 * build id, file, line).  Returns 0 or -errno; text then says why.
 */
int backtrace_unwind(const struct dump *d, int core_fd, int64_t deadline_ms,
    struct buf *text, struct buf *frames, struct backtrace_result *ret);

/*
 * The daemon's backtrace step: when the dump has a core (core.mini, or
 * core.gz decompressed into memory) and no backtrace yet, unwinds it in a
 * child process within BACKTRACE_TIME_MS / BACKTRACE_KILL_MS and writes
 * the items backtrace (text), backtrace_frames (TSV) and signature.  A
 * failure (or the time limit) is written to backtrace too; the dump goes
 * on regardless.  No debuginfod.  Returns 1 when items were written, 0
 * when there was nothing to do.
 */
int backtrace_dump(struct dump *d);

/*
 * backtrace_dump() with other options: the daemon's debuginfod servers,
 * the tests' limits.
 */
int backtrace_dump_with(struct dump *d, const struct backtrace_options *opt);

#endif
