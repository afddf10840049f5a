/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the webhook bodies: json_text() on any bytes gives valid
 * UTF-8 that a JSON library takes, with no NUL, and (unless the input is
 * marked as crashd's own escaped text) reads back to exactly the input
 * by the documented rule (each \xHH is the byte 0xHH); text for people
 * has no control, separator or bidi character; a cut keeps it valid.
 * Then the input, split into the fields of a crash, is rendered in each
 * format: every body parses with jansson, and the generic body's raw
 * fields read back to their bytes.
 *
 * Input: byte 0 picks json_text()'s flags and the cut; the rest is
 * the text, and, split at 0x1e bytes, the fields of the crash.
 */
#include <jansson.h>
#include <stdbool.h>
#include <string.h>

#include "buf.h"
#include "config.h"
#include "fuzz.h"
#include "json_text.h"
#include "webhook_json.h"

/* The documented rule's inverse: each \xHH is the byte 0xHH. */
static void
decode(const char *s, size_t len, struct buf *out)
{
	FUZZ_CHECK(json_text_decode(out, s, len) == 0);
}

/* Decodes the next UTF-8 character of valid text; returns its length. */
static size_t
next_cp(const unsigned char *s, unsigned *ret_cp)
{
	if (s[0] < 0x80) {
		*ret_cp = s[0];
		return 1;
	}
	if (s[0] < 0xe0) {
		*ret_cp = (s[0] & 0x1fu) << 6 | (s[1] & 0x3fu);
		return 2;
	}
	if (s[0] < 0xf0) {
		*ret_cp =
		    (s[0] & 0x0fu) << 12 | (s[1] & 0x3fu) << 6 | (s[2] & 0x3fu);
		return 3;
	}
	*ret_cp = (s[0] & 0x07u) << 18 | (s[1] & 0x3fu) << 12 |
	    (s[2] & 0x3fu) << 6 | (s[3] & 0x3fu);
	return 4;
}

/* jansson takes it as a string, and it survives a round trip. */
static void
check_json_string(const char *s, size_t len)
{
	json_t *v = json_stringn(s, len), *back;
	char *dumped;

	FUZZ_CHECK(v != NULL);
	dumped = json_dumps(v, JSON_ENCODE_ANY);
	FUZZ_CHECK(dumped != NULL);
	back = json_loads(dumped, JSON_DECODE_ANY, NULL);
	FUZZ_CHECK(back != NULL && json_is_string(back));
	FUZZ_CHECK(json_string_length(back) == len);
	FUZZ_CHECK(memcmp(json_string_value(back), s, len) == 0);
	json_decref(back);
	json_decref(v);
	free(dumped);
}

static void
check_text(const char *in, size_t len, unsigned flags, size_t cut)
{
	struct buf out, back;

	buf_init(&out, 0);
	buf_init(&back, 0);
	FUZZ_CHECK(json_text(&out, in, len, flags) == 0);
	FUZZ_CHECK(out.len == 0 || memchr(out.data, '\0', out.len) == NULL);
	check_json_string(out.data ? out.data : "", out.len);
	if (!(flags & JSON_TEXT_ESCAPED)) {
		decode(out.data ? out.data : "", out.len, &back);
		FUZZ_CHECK(back.len == len);
		FUZZ_CHECK(len == 0 || memcmp(back.data, in, len) == 0);
	}
	if (flags & JSON_TEXT_VISIBLE) {
		const unsigned char *p = (const unsigned char *)out.data;

		for (size_t i = 0; i < out.len;) {
			unsigned cp;

			i += next_cp(p + i, &cp);
			FUZZ_CHECK(cp >= 0x20 && !(cp >= 0x7f && cp <= 0x9f));
			FUZZ_CHECK(cp != 0x2028 && cp != 0x2029);
			FUZZ_CHECK(!(cp >= 0x202a && cp <= 0x202e));
			FUZZ_CHECK(!(cp >= 0x2066 && cp <= 0x2069));
		}
	}
	if (out.len > 0) {
		size_t max = cut % (out.len + 4);
		int r = json_text_cut(&out, max, "\xe2\x80\xa6");

		FUZZ_CHECK(r == 0 || r == 1);
		FUZZ_CHECK(r == 0 || out.len <= (max > 3 ? max : 3));
		check_json_string(out.data, out.len);
	}
	buf_done(&out);
	buf_done(&back);
}

#define N_FIELDS 22

/* One field's raw value in the generic body, read back by the rule. */
static void
check_raw_field(json_t *obj, const char *key, const char *want)
{
	json_t *v = json_object_get(obj, key);
	struct buf back;

	FUZZ_CHECK(json_is_string(v));
	buf_init(&back, 0);
	decode(json_string_value(v), json_string_length(v), &back);
	FUZZ_CHECK(back.len == strlen(want));
	FUZZ_CHECK(back.len == 0 || memcmp(back.data, want, back.len) == 0);
	buf_done(&back);
}

static void
check_bodies(const char *in, size_t len, unsigned char knobs)
{
	char *f[N_FIELDS] = { NULL };
	const char *cmdline = "";
	size_t cmdline_len = 0, n = 0;
	struct webhook_crash c;

	/* Fields are the pieces between 0x1e bytes; the cmdline keeps NULs. */
	for (size_t i = 0; i <= len && n < N_FIELDS;) {
		const char *sep = memchr(in + i, 0x1e, len - i);
		size_t k = sep ? (size_t)(sep - in - i) : len - i;

		if (n == 0) {
			cmdline = in + i;
			cmdline_len = k;
		}
		f[n] = strndup(in + i, k);
		FUZZ_CHECK(f[n] != NULL);
		n++;
		if (sep == NULL)
			break;
		i += k + 1;
	}
	for (; n < N_FIELDS; n++) {
		f[n] = strdup("");
		FUZZ_CHECK(f[n] != NULL);
	}
	memset(&c, 0, sizeof(c));
	c.cmdline = cmdline;
	c.cmdline_len = cmdline_len;
	c.executable = f[1];
	c.comm = f[2];
	c.hostname = f[3];
	c.username = f[4];
	c.cwd = f[5];
	c.container = f[6];
	c.kernel = f[7];
	c.frames = f[8];
	c.ptree = f[9];
	c.backtrace = f[10];
	c.reason = f[11];
	c.summary = f[12];
	c.event_id = f[13];
	c.event = f[14];
	c.action = f[15];
	c.dump_path = f[16];
	c.name = f[17];
	c.signal_name = f[18];
	c.signature = f[19];
	c.start_time = f[20];
	c.core = f[21];
	c.count = knobs;
	c.held_back = knobs >> 4;
	c.time = knobs & 1 ? 1714564800LL + knobs : -1;
	c.pid = knobs & 2 ? 1234 : -1;
	c.ns_pid = c.tid = knobs & 4 ? 1235 : -1;
	c.uid = c.gid = knobs & 8 ? 0 : -1;
	c.core_size = knobs & 16 ? 4096 : -1;
	c.signal = knobs;
	c.executable_deleted = knobs & 32;

	for (int format = 0; format < _WEBHOOK_FORMAT_MAX; format++) {
		struct buf out;
		json_t *j;

		buf_init(&out, 0);
		FUZZ_CHECK(webhook_json_render(format, &c, &out) == 0);
		j = json_loadb(out.data, out.len, JSON_REJECT_DUPLICATES, NULL);
		FUZZ_CHECK(j != NULL);
		if (format == WEBHOOK_JSON) {
			json_t *d = json_object_get(j, "dump");

			FUZZ_CHECK(json_is_object(d));
			check_raw_field(d, "executable", c.executable);
			check_raw_field(d, "comm", c.comm);
			check_raw_field(d, "hostname", c.hostname);
			check_raw_field(d, "cwd", c.cwd);
			FUZZ_CHECK(
			    json_is_array(json_object_get(d, "cmdline")));
			FUZZ_CHECK(json_is_array(json_object_get(d, "frames")));
			FUZZ_CHECK(json_is_array(json_object_get(d, "ptree")));
		} else if (format == WEBHOOK_SLACK) {
			FUZZ_CHECK(json_is_string(json_object_get(j, "text")));
		} else {
			FUZZ_CHECK(json_is_array(j) && json_array_size(j) == 1);
		}
		json_decref(j);
		buf_done(&out);
	}
	for (size_t i = 0; i < N_FIELDS; i++)
		free(f[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data + 1;
	unsigned char knobs;

	if (size == 0)
		return 0;
	knobs = data[0];
	size--;
	check_text(s, size, knobs & 3, (size_t)knobs * 7);
	check_text(s, size, 0, size / 2);
	check_bodies(s, size, knobs);
	return 0;
}
