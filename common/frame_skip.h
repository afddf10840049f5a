/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The rule that finds the program's own code in a crashed thread's
 * frames: which frames are machinery that every crash of a kind shares
 * (libc's abort, raise, assert and signal trampolines, libcrashd's
 * snapshot, crash-reporting handlers, C++ and Rust panic paths) and are
 * skipped, and which are "prefix" frames (string and memory functions,
 * the allocator, printf) that stay in a signature but are not where the
 * bug is: the caller is.  In the spirit of Mozilla Socorro's siggen
 * (irrelevant and prefix lists), with lists of crashd's own.
 *
 * A pattern is a glob (fnmatch(3)) on the function's name, or
 * "MODULE!FUNCTION", two globs: the module's file name (no directory)
 * and the function ("libcrashd.so*!*").  The built-in lists always
 * apply; crashd.conf adds to them (daemon.signature.skip and .prefix).
 * The signature, the duphash and the "where" line all use this rule.
 */
#ifndef CRASHD_FRAME_SKIP_H
#define CRASHD_FRAME_SKIP_H

#include <stddef.h>

enum frame_skip_kind {
	FRAME_SKIP_KEEP, /* the program's own code, or unknown */
	FRAME_SKIP_SKIP, /* machinery: left out */
	FRAME_SKIP_PREFIX, /* in the signature; the caller is the site */
	_FRAME_SKIP_MAX,
};

/* "keep", "skip", "prefix". */
const char *frame_skip_kind_to_string(enum frame_skip_kind k);

/* Frames a signature takes by default, prefix frames not counted. */
#define FRAME_SKIP_SIGNATURE_FRAMES 3
/* Prefix frames a signature takes at most, besides those. */
#define FRAME_SKIP_PREFIX_MAX 8

/*
 * What the configuration adds (none of it owned; NULL-terminated lists,
 * or NULL for none).  A NULL struct frame_skip * is the built-in rule.
 */
struct frame_skip {
	const char *const *skip;
	const char *const *prefix;
	unsigned frames; /* signature frames; 0: the default */
};

/*
 * The kind of a frame of function (flen bytes, 0: unknown) in module
 * (mlen bytes, a path or a name; 0: unknown).  A frame without a
 * function name is kept: nothing is known of it.  *ret_pattern (when not
 * NULL) is the pattern that matched, else NULL: a prefix frame is signed
 * by it, so that the CPU's variants of one function (__strlen_avx2,
 * __strlen_evex) give one signature.
 */
enum frame_skip_kind frame_skip_classify(const struct frame_skip *fs,
    const char *function, size_t flen, const char *module, size_t mlen,
    const char **ret_pattern);

/* The built-in lists (NULL-terminated), for the man page's test. */
extern const char *const frame_skip_builtin_skip[];
extern const char *const frame_skip_builtin_prefix[];

#endif
