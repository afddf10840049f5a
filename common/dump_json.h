/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A dump's items as JSON, the one encoder of `crashd-cli info --json` and
 * the webhook's generic body (its "dump" object): the same keys and the
 * same structure wherever both show an item.  Written with json.h's
 * writer; strings keep every byte by json_text.h's rule, with the flags
 * the caller gives (0: raw bytes, as crashd-cli promises; JSON_TEXT_ESCAPED
 * for text crashd escaped, as the webhook's schema says).  The items are
 * untrusted: any bytes give valid JSON.
 */
#ifndef CRASHD_DUMP_JSON_H
#define CRASHD_DUMP_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"

/* A NUL-separated vector (cmdline, environ) as an array of strings. */
void dump_json_strv(
    struct json_writer *w, const char *data, size_t len, unsigned flags);

/*
 * backtrace_frames (dump_tsv.h) as an array of objects {tid, frame, pc,
 * function, offset, module, build_id, file, line}: tid, frame and line
 * numbers (null when unknown), the rest strings ("" when unknown).  The
 * frames of thread tid (DUMP_FRAMES_ALL: every thread's), at most max
 * (0: all).
 */
void dump_json_frames(struct json_writer *w, const char *text, long long tid,
    size_t max, unsigned flags);

/*
 * ptree as an array of objects {pid, comm, argv}, at most max (0: all),
 * each argv cut as dump_ptree_argv_cut() does at argv_max bytes (0: not
 * cut).
 */
void dump_json_ptree(struct json_writer *w, const char *text, size_t max,
    size_t argv_max, unsigned flags);

struct repeats;

/*
 * The repeats item (repeats.h) as {"hostname": [{"value", "count"}...],
 * "container": [...], "uid": [...], "more": {"hostname": N, ...}}: the
 * values are crashd's escaped text, written with flags.
 */
void dump_json_repeats(
    struct json_writer *w, const struct repeats *rp, unsigned flags);

/* A TSV item (ptree, open_fds, namespaces) as arrays of its fields. */
void dump_json_tsv(struct json_writer *w, const char *text, unsigned flags);

/* Each line of a text item (dso_list, actions) as a string of an array. */
void dump_json_lines(struct json_writer *w, const char *text, unsigned flags);

/* A time in seconds as "2024-05-01T12:00:00Z", or null when unknown. */
void dump_json_rfc3339(struct json_writer *w, long long t);

/*
 * Writes t as "2024-05-01T12:00:00Z" to out (size bytes).  Returns false
 * when t is unknown (<= 0).
 */
bool dump_json_format_rfc3339(long long t, char *out, size_t size);

#endif
