/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing JSON: valid output for any input bytes, losslessly.  Strings are
 * made valid UTF-8 by json_text.h's rule (valid UTF-8 kept, any other byte
 * and NUL written \xNN, a backslash before "x" and two hex digits \x5c),
 * the one escaping of crashd's JSON, then quoted.
 */
#ifndef CRASHD_JSON_H
#define CRASHD_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/*
 * Appends s (len bytes, any bytes) as a JSON string, quotes included, made
 * text by json_text() with flags (JSON_TEXT_*, 0 for raw bytes).
 */
int json_write_text(struct buf *out, const char *s, size_t len, unsigned flags);

/* json_write_text() of raw bytes (flags 0). */
int json_write_string(struct buf *out, const char *s, size_t len);

/* Appends valid UTF-8 text (from json_text(), or crashd's own) quoted. */
int json_write_utf8(struct buf *out, const char *s, size_t len);

/*
 * A minimal streaming writer: it tracks commas, the caller nests.
 *   json_begin_object(w); json_key(w, "id"); json_str(w, name); ...
 */
struct json_writer {
	struct buf *out;
	int depth;
	bool need_comma[32];
	bool after_key;
	int error; /* the first error, sticky */
};

void json_writer_init(struct json_writer *w, struct buf *out);
void json_begin_object(struct json_writer *w);
void json_end_object(struct json_writer *w);
void json_begin_array(struct json_writer *w);
void json_end_array(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);
void json_str(struct json_writer *w, const char *s);
void json_strn(struct json_writer *w, const char *s, size_t len);
/* A string of any bytes made text with flags (JSON_TEXT_*). */
void json_textn(
    struct json_writer *w, const char *s, size_t len, unsigned flags);
/* A string of valid UTF-8 text, as it is. */
void json_utf8n(struct json_writer *w, const char *s, size_t len);
void json_int(struct json_writer *w, long long v);
void json_bool(struct json_writer *w, bool v);
void json_write_null(struct json_writer *w);

#endif
