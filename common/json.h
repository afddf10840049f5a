/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Writing JSON: valid output for any input bytes, losslessly.  Valid UTF-8
 * is kept; each byte 0xNN that is not valid UTF-8 is written as the lone
 * surrogate "\udcNN" (Python's "surrogateescape"), which no valid UTF-8
 * string can contain: bytes = s.encode("utf-8", "surrogateescape").
 */
#ifndef CRASHD_JSON_H
#define CRASHD_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Appends s (len bytes) as a JSON string, quotes included. */
int json_write_string(struct buf *out, const char *s, size_t len);

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
void json_int(struct json_writer *w, long long v);
void json_bool(struct json_writer *w, bool v);
void json_write_null(struct json_writer *w);

#endif
