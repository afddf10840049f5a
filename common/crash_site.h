/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crash site people read: the "where" line of mail, webhook,
 * journal and crashd-cli.  It is the crashing thread's first frame in
 * the program's own code by frame_skip.h's rule (frame #0 stays first in
 * the backtrace): "check_invariant+0x1d (/usr/bin/server) at server.c:70",
 * or "/usr/bin/server+0x1234" for a frame without a symbol.  The
 * unwinder computes it once with the configured rule and stores it as
 * the item "where"; a dump without that item (unwound by an older
 * crashd) gets it from backtrace_frames by the built-in rule.
 */
#ifndef CRASHD_CRASH_SITE_H
#define CRASHD_CRASH_SITE_H

#include "buf.h"
#include "dump.h"
#include "frame_skip.h"

/* What the item holds at most (a longer site is cut). */
#define CRASH_SITE_MAX 1024

/*
 * Appends the crash site of thread tid in backtrace_frames text (TSV,
 * dump_tsv.h; its fields escaped) to out: the first frame that is kept
 * by fs's rule, else the first that is not skipped, else frame #0.
 * Returns 1 when appended, 0 when the thread has no frame, -ENOMEM.
 */
int crash_site_from_frames(const char *frames, long long tid,
    const struct frame_skip *fs, struct buf *out);

/*
 * Appends dump d's crash site (escaped text, one line) to out: its
 * "where" item, else crash_site_from_frames() on its backtrace_frames
 * by the built-in rule.  Returns 1 when appended, 0 when the dump has
 * none (no backtrace, or no frame), or -ENOMEM.
 */
int crash_site_of_dump(const struct dump *d, struct buf *out);

#endif
