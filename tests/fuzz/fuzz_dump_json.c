/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes common/dump_json.c, the encoder of a dump's items for crashd-cli
 * info --json and the webhook's generic body: any bytes, as any item
 * (frames, ptree, a TSV item, lines, a NUL-separated vector), give JSON
 * that jansson parses (no duplicate key) with the documented shape: at
 * most max frames, all of one thread when one is asked for, numbers or
 * null where a number belongs; with raw bytes (flags 0) a vector's strings
 * read back to its bytes by the \xHH rule.
 *
 * Input: byte 0 picks the flags and the frames' cap, the rest is the item.
 */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dump_json.h"
#include "dump_tsv.h"
#include "fuzz.h"
#include "json.h"
#include "json_text.h"

/* The writer's output as one JSON array. */
static json_t *
parsed(const struct json_writer *w, const struct buf *out)
{
	json_t *j;

	FUZZ_CHECK(w->error == 0);
	j = json_loadb(out->data, out->len, JSON_REJECT_DUPLICATES, NULL);
	FUZZ_CHECK(j != NULL && json_is_array(j));
	return j;
}

/* The frames (or the ptree) of text, parsed: at most max entries. */
static json_t *
encoded(
    const char *text, long long tid, size_t max, unsigned flags, bool frames)
{
	struct json_writer w;
	struct buf out;
	json_t *j;

	buf_init(&out, 0);
	json_writer_init(&w, &out);
	if (frames)
		dump_json_frames(&w, text, tid, max, flags);
	else
		dump_json_ptree(&w, text, max, max % 2 ? 0 : 7, flags);
	j = parsed(&w, &out);
	FUZZ_CHECK(max == 0 || json_array_size(j) <= max);
	buf_done(&out);
	return j;
}

static void
check_frames(const char *text, long long tid, size_t max, unsigned flags)
{
	json_t *j = encoded(text, tid, max, flags, true), *o;
	size_t i;

	json_array_foreach(j, i, o)
	{
		json_t *v;

		FUZZ_CHECK(json_is_object(o));
		FUZZ_CHECK(json_object_size(o) <= _DUMP_FRAME_MAX);
		v = json_object_get(o, "tid");
		FUZZ_CHECK(json_is_integer(v) || json_is_null(v));
		if (tid != DUMP_FRAMES_ALL)
			FUZZ_CHECK(tid < 0 ? json_is_null(v)
					   : json_integer_value(v) == tid);
		for (int k = 0; k < _DUMP_FRAME_MAX; k++) {
			v = json_object_get(o, dump_frame_keys[k]);
			if (v == NULL)
				continue;
			if (dump_frame_field_is_number(k))
				FUZZ_CHECK(
				    json_is_integer(v) || json_is_null(v));
			else
				FUZZ_CHECK(json_is_string(v));
		}
	}
	json_decref(j);
}

static void
check_ptree(const char *text, size_t max, unsigned flags)
{
	json_t *j = encoded(text, 0, max, flags, false), *o;
	size_t i;

	json_array_foreach(j, i, o)
	{
		json_t *pid = json_object_get(o, "pid");

		FUZZ_CHECK(json_object_size(o) == _DUMP_PTREE_MAX);
		FUZZ_CHECK(json_is_integer(pid) || json_is_null(pid));
		FUZZ_CHECK(json_is_string(json_object_get(o, "comm")));
		FUZZ_CHECK(json_is_string(json_object_get(o, "argv")));
	}
	json_decref(j);
}

static void
check_others(const char *data, size_t len, const char *text, unsigned flags)
{
	struct json_writer w;
	struct buf out, back;
	json_t *j, *v;
	size_t i;

	buf_init(&out, 0);
	json_writer_init(&w, &out);
	json_begin_array(&w);
	dump_json_tsv(&w, text, flags);
	dump_json_lines(&w, text, flags);
	dump_json_strv(&w, data, len, flags);
	dump_json_rfc3339(&w, (long long)len * 86400 - 86400);
	json_end_array(&w);
	j = parsed(&w, &out);
	FUZZ_CHECK(json_array_size(j) == 4);
	v = json_array_get(j, 3);
	FUZZ_CHECK(len <= 1 ? json_is_null(v) : json_is_string(v));
	/* The vector, joined with NULs again, is the input. */
	buf_init(&back, 0);
	json_array_foreach(json_array_get(j, 2), i, v)
	{
		FUZZ_CHECK(json_is_string(v));
		if (flags == 0)
			FUZZ_CHECK(json_text_decode(&back, json_string_value(v),
				       json_string_length(v)) == 0);
		FUZZ_CHECK(buf_putc(&back, '\0') == 0);
	}
	if (flags == 0 && len > 0) {
		FUZZ_CHECK(back.len == len + (data[len - 1] != '\0'));
		FUZZ_CHECK(memcmp(back.data, data, len) == 0);
	}
	buf_done(&back);
	json_decref(j);
	buf_done(&out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned flags, knobs = size > 0 ? data[0] : 0;
	size_t len = size > 0 ? size - 1 : 0, max;
	const char *in = (const char *)data + (size > 0);
	char *text;

	flags = (knobs & 1 ? JSON_TEXT_ESCAPED : 0) |
	    (knobs & 2 ? JSON_TEXT_VISIBLE : 0);
	max = (knobs >> 2) % 8;
	/* Items are read NUL-terminated; the vector keeps its NULs. */
	text = strndup(in, len);
	FUZZ_CHECK(text != NULL);
	check_frames(text, DUMP_FRAMES_ALL, max, flags);
	check_frames(text, dump_frames_crashed_tid(text, knobs), max, flags);
	check_ptree(text, max, flags);
	check_others(in, len, text, flags);
	free(text);
	return 0;
}
