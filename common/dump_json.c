/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump_json.c owns how a dump's items look in JSON (dump_json.h): the
 * frames, the ancestors, vectors, lines and times, for crashd-cli and the
 * webhook alike.
 */
#include "dump_json.h"

#include <string.h>
#include <time.h>

#include "dump_tsv.h"
#include "repeats.h"

void
dump_json_strv(
    struct json_writer *w, const char *data, size_t len, unsigned flags)
{
	size_t i = 0;

	json_begin_array(w);
	/* NUL-separated; the last NUL is optional. */
	while (i < len) {
		size_t n = strnlen(data + i, len - i);

		json_textn(w, data + i, n, flags);
		i += n + 1;
	}
	json_end_array(w);
}

/* A number field, or null when it is none. */
static void
number_or_null(struct json_writer *w, const struct dump_tsv_field *f)
{
	long long v = dump_tsv_number(f, -1);

	if (v < 0)
		json_write_null(w);
	else
		json_int(w, v);
}

void
dump_json_frames(struct json_writer *w, const char *text, long long tid,
    size_t max, unsigned flags)
{
	struct dump_tsv_field f[_DUMP_FRAME_MAX];
	struct dump_frames it;
	size_t n, shown = 0;

	json_begin_array(w);
	dump_frames_init(&it, text, tid);
	while (
	    (max == 0 || shown < max) && (n = dump_frames_next(&it, f)) > 0) {
		shown++;
		json_begin_object(w);
		for (size_t i = 0; i < n; i++) {
			json_key(w, dump_frame_keys[i]);
			if (dump_frame_field_is_number(i))
				number_or_null(w, &f[i]);
			else
				json_textn(w, f[i].s, f[i].len, flags);
		}
		json_end_object(w);
	}
	json_end_array(w);
}

/* An argv field cut at max bytes (dump_ptree_argv_cut()), as a string. */
static void
argv_cut(struct json_writer *w, const struct dump_tsv_field *f, size_t max,
    unsigned flags)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = dump_ptree_argv_cut(&b, f, max, "\xe2\x80\xa6");
	if (r < 0 && w->error == 0)
		w->error = r;
	json_textn(w, b.data ? b.data : "", b.len, flags);
	buf_done(&b);
}

void
dump_json_ptree(struct json_writer *w, const char *text, size_t max,
    size_t argv_max, unsigned flags)
{
	struct dump_tsv_field f[_DUMP_PTREE_MAX];
	struct dump_tsv t;
	size_t shown = 0;
	long long pid;

	json_begin_array(w);
	dump_tsv_init(&t, text);
	while ((max == 0 || shown < max) && dump_ptree_next(&t, f, &pid) > 0) {
		shown++;
		json_begin_object(w);
		json_key(w, dump_ptree_keys[DUMP_PTREE_PID]);
		if (pid < 0)
			json_write_null(w);
		else
			json_int(w, pid);
		for (size_t k = DUMP_PTREE_COMM; k < _DUMP_PTREE_MAX; k++) {
			json_key(w, dump_ptree_keys[k]);
			if (k == DUMP_PTREE_ARGV && argv_max > 0)
				argv_cut(w, &f[k], argv_max, flags);
			else
				json_textn(w, f[k].s, f[k].len, flags);
		}
		json_end_object(w);
	}
	json_end_array(w);
}

void
dump_json_repeats(
    struct json_writer *w, const struct repeats *rp, unsigned flags)
{
	json_begin_object(w);
	for (int k = 0; k < _REPEATS_KIND_MAX; k++) {
		json_key(w, repeats_kind_names[k]);
		json_begin_array(w);
		for (size_t i = 0; i < rp->n[k]; i++) {
			const struct repeats_value *v = &rp->values[k][i];

			json_begin_object(w);
			json_key(w, "value");
			json_textn(w, v->text, strlen(v->text), flags);
			json_key(w, "count");
			json_int(w, (long long)v->count);
			json_end_object(w);
		}
		json_end_array(w);
	}
	json_key(w, "more");
	json_begin_object(w);
	for (int k = 0; k < _REPEATS_KIND_MAX; k++) {
		json_key(w, repeats_kind_names[k]);
		json_int(w, (long long)rp->more[k]);
	}
	json_end_object(w);
	json_end_object(w);
}

void
dump_json_tsv(struct json_writer *w, const char *text, unsigned flags)
{
	struct dump_tsv t;
	struct dump_tsv_field f;

	json_begin_array(w);
	dump_tsv_init(&t, text);
	while (dump_tsv_next_line(&t)) {
		json_begin_array(w);
		while (dump_tsv_next_field(&t, &f))
			json_textn(w, f.s, f.len, flags);
		json_end_array(w);
	}
	json_end_array(w);
}

void
dump_json_lines(struct json_writer *w, const char *text, unsigned flags)
{
	json_begin_array(w);
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n');

		json_textn(w, p, nl ? (size_t)(nl - p) : strlen(p), flags);
		p = nl ? nl + 1 : NULL;
	}
	json_end_array(w);
}

bool
dump_json_format_rfc3339(long long t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	return t > 0 && gmtime_r(&tt, &tm) != NULL &&
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) != 0;
}

void
dump_json_rfc3339(struct json_writer *w, long long t)
{
	char when[32];

	if (dump_json_format_rfc3339(t, when, sizeof(when)))
		json_str(w, when);
	else
		json_write_null(w);
}
