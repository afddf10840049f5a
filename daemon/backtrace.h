/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Backtraces from a dump's core (core.mini or core.gz) with elfutils'
 * libdwfl: every thread's frames, symbolized where the modules are found
 * (by build id, or at their paths), the crashing thread first, and a
 * signature of the crash site for dedupe.
 */
#ifndef CRASHD_BACKTRACE_H
#define CRASHD_BACKTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"
#include "crash_site.h"
#include "dump.h"
#include "frame_skip.h"
#include "sha1.h"

#define BACKTRACE_MAX_THREADS 256
#define BACKTRACE_MAX_FRAMES 64
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
	/* The signature's rule; NULL: the built-in one (frame_skip.h). */
	const struct frame_skip *skip;
};

struct backtrace_result {
	unsigned threads;
	unsigned frames;
	char signature[17]; /* 16 hex digits, "" when none */
	char duphash[SHA1_HEX_LEN + 1]; /* satyr's, "" when none */
	char where[CRASH_SITE_MAX + 1]; /* crash_site.h, "" when none */
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
 * backtrace_unwind() with the crashing thread's id known (0: none), read
 * by the unwinder's child while it may still read the dump, and the
 * signature's rule (NULL: the built-in one).
 */
int backtrace_unwind_thread(const struct dump *d, int core_fd, pid_t crashed,
    const struct frame_skip *fs, int64_t deadline_ms, struct buf *text,
    struct buf *frames, struct backtrace_result *ret);

/* True when the dump has a core (core.mini or core.gz) and no backtrace. */
bool backtrace_wanted(const struct dump *d);

/*
 * Starts unwinding dump d in a confined child process (confine.h) that
 * stops by itself at opt->time_ms and is killed at opt->kill_ms.  A
 * core.gz is inflated there within core_inflate.h's bounds.  Returns 0
 * and *ret, or -errno (no child).  d need not stay open meanwhile.
 */
struct backtrace_job;
int backtrace_start(const struct dump *d, const struct backtrace_options *opt,
    struct backtrace_job **ret);

/* Readable (end of file) when the child is gone: for poll(2). */
int backtrace_job_fd(const struct backtrace_job *j);
/* When it is killed (CLOCK_MONOTONIC ms). */
int64_t backtrace_job_kill_at(const struct backtrace_job *j);

/*
 * Never waits: returns 0 while the child runs (before its kill time);
 * else reaps it (killed when late) and writes the items backtrace (text,
 * a failure or the time limit too), backtrace_frames (TSV), signature,
 * duphash and where into d, and returns 1.
 */
int backtrace_job_finish(struct backtrace_job *j, struct dump *d);

/* Kills a child still running, reaps it, frees j. Accepts NULL. */
void backtrace_job_free(struct backtrace_job *j);

/*
 * The same, waiting: when the dump wants a backtrace, unwinds it within
 * BACKTRACE_TIME_MS / BACKTRACE_KILL_MS (no debuginfod) and writes the
 * items.  Returns 1 when items were written, 0 when there was nothing
 * to do.
 */
int backtrace_dump(struct dump *d);

/* backtrace_dump() with other options: debuginfod servers, tests' limits. */
int backtrace_dump_with(struct dump *d, const struct backtrace_options *opt);

#endif
