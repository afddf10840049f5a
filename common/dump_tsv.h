/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a dump's TSV items: backtrace_frames (written by the daemon's
 * unwinder), ptree and open_fds (written by the hook).  Each is lines of
 * fields separated by tabs, the fields already escaped by their writer.
 * An item is untrusted input: any bytes parse, into lines and fields that
 * point into the text (nothing is allocated, nothing is copied).
 *
 * A line ends at '\n' or at the text's end (the text is NUL-terminated,
 * as dump_read_item() returns it); a last line without '\n' counts, an
 * empty text has no line.  A line of n tabs has n + 1 fields: an empty
 * line is one empty field, a trailing tab ends in an empty field.
 * dump_frames_next() and dump_ptree_next() walk the items by their
 * fields: the one loop over frames and over ancestors.
 */
#ifndef CRASHD_DUMP_TSV_H
#define CRASHD_DUMP_TSV_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* One field: len bytes at s, not NUL-terminated. */
struct dump_tsv_field {
	const char *s;
	size_t len;
};

/* Where a walk over a text stands; fill with dump_tsv_init(). */
struct dump_tsv {
	const char *next; /* the next line's start */
	const char *line; /* the current line */
	size_t len; /* its length, without the '\n' */
	size_t pos; /* the next field's offset in it, or len + 1 at its end */
};

/* Starts a walk over text (NULL is an empty text). */
void dump_tsv_init(struct dump_tsv *t, const char *text);

/* Steps to the next line.  Returns false at the end of the text. */
bool dump_tsv_next_line(struct dump_tsv *t);

/*
 * The next field of the current line in *ret.  Returns false when the
 * line has no more (then *ret is unchanged).
 */
bool dump_tsv_next_field(struct dump_tsv *t, struct dump_tsv_field *ret);

/*
 * Steps to the next line and splits it into at most max fields (a field
 * beyond max is not read).  Returns the number of fields (at least 1), or
 * 0 at the end of the text.  Fields past the count are set to "".
 */
size_t dump_tsv_next(struct dump_tsv *t, struct dump_tsv_field *f, size_t max);

/*
 * A field as a decimal number (an optional '-' and digits, nothing
 * else), or fallback when it is none or out of range.
 */
long long dump_tsv_number(const struct dump_tsv_field *f, long long fallback);

/*
 * backtrace_frames: one line per frame, the crashing thread first, each
 * thread's frames innermost first.  The fields, in order; the key names
 * are those of `crashd-cli info --json` and the webhook's "frames".
 */
enum dump_frame_field {
	DUMP_FRAME_TID,
	DUMP_FRAME_FRAME, /* its number in the thread, 0 innermost */
	DUMP_FRAME_PC,
	DUMP_FRAME_FUNCTION,
	DUMP_FRAME_OFFSET,
	DUMP_FRAME_MODULE,
	DUMP_FRAME_BUILD_ID,
	DUMP_FRAME_FILE,
	DUMP_FRAME_LINE,
	_DUMP_FRAME_MAX,
};
extern const char *const dump_frame_keys[_DUMP_FRAME_MAX];

/* Whether a frame's field is a number (tid, frame, line), not a string. */
bool dump_frame_field_is_number(enum dump_frame_field i);

/* The frames of backtrace_frames, one thread's or all, in order. */
struct dump_frames {
	struct dump_tsv t;
	long long tid; /* the thread walked, or DUMP_FRAMES_ALL */
};
#define DUMP_FRAMES_ALL LLONG_MIN

/*
 * The crashing thread's tid in backtrace_frames: dump_tid when frames of
 * it are listed, else the first thread listed (the unwinder puts the
 * crashing thread first).  -1 when there are no frames.
 */
long long dump_frames_crashed_tid(const char *text, long long dump_tid);

/* Starts a walk over the frames of thread tid (or DUMP_FRAMES_ALL). */
void dump_frames_init(struct dump_frames *it, const char *text, long long tid);

/*
 * The next frame's fields in f (those past the count set to "").
 * Returns their count, or 0 at the end.
 */
size_t dump_frames_next(
    struct dump_frames *it, struct dump_tsv_field f[_DUMP_FRAME_MAX]);

/* ptree: the process first, then each ancestor up to pid 1. */
enum dump_ptree_field {
	DUMP_PTREE_PID,
	DUMP_PTREE_COMM,
	DUMP_PTREE_ARGV, /* one string, shell-quoted */
	_DUMP_PTREE_MAX,
};
extern const char *const dump_ptree_keys[_DUMP_PTREE_MAX];

/*
 * Steps to the next process of a ptree walk: its fields in f (those past
 * the count ""), its pid in *ret_pid (-1 when it is no number).  Returns
 * the count of fields, or 0 at the end (then *ret_pid is unchanged).
 */
size_t dump_ptree_next(struct dump_tsv *t,
    struct dump_tsv_field f[_DUMP_PTREE_MAX], long long *ret_pid);

/*
 * What a notification (mail, webhook) shows of each ancestor's argv at
 * most, in bytes; the dump keeps it whole, crashd-cli info shows it.
 */
#define DUMP_PTREE_ARGV_SHOWN 200

/*
 * The bytes of an argv field (escaped text) kept when it is cut at max
 * (0: not cut): all when it fits, else at most max, never inside an
 * escape (a backslash and what it escapes).
 */
size_t dump_ptree_argv_keep(const struct dump_tsv_field *f, size_t max);

/*
 * Appends dump_ptree_argv_keep()'s bytes of f and, when that cut it,
 * ellipsis and " (N more bytes)", N the bytes not shown.  Returns 1 when
 * it cut, 0 when it fit, or -errno from out.
 */
int dump_ptree_argv_cut(struct buf *out, const struct dump_tsv_field *f,
    size_t max, const char *ellipsis);

#endif
