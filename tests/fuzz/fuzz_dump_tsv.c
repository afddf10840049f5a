/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes common/dump_tsv.c, the reader of a dump's TSV items
 * (backtrace_frames, ptree, open_fds): any bytes walk into lines and
 * fields that lie inside the text, and joining them again with tabs and
 * newlines gives back the text (up to its first NUL, as it is read).
 * dump_tsv_next() splits a line as dump_tsv_next_field() does, and a
 * field read as a number is one.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "dump_tsv.h"
#include "fuzz.h"

static bool
is_number(const struct dump_tsv_field *f)
{
	size_t i = f->len > 0 && f->s[0] == '-' ? 1 : 0;

	if (i == f->len)
		return false;
	for (; i < f->len; i++)
		if (f->s[i] < '0' || f->s[i] > '9')
			return false;
	return true;
}

/*
 * dump_ptree_argv_cut() of a field at max bytes: the field itself when it
 * fits; else a prefix of at most max bytes that ends on no lone
 * backslash of an escape, then "~ (N more bytes)", N what is left.
 */
static void
check_cut(const struct dump_tsv_field *f, size_t max)
{
	struct buf b;
	size_t keep = 0;
	char tail[64];
	int r;

	buf_init(&b, 0);
	r = dump_ptree_argv_cut(&b, f, max, "~");
	FUZZ_CHECK(r == 0 || r == 1);
	if (r == 0) {
		FUZZ_CHECK(b.len == f->len);
		FUZZ_CHECK(f->len == 0 || memcmp(b.data, f->s, f->len) == 0);
		FUZZ_CHECK(max == 0 || f->len <= max);
		buf_done(&b);
		return;
	}
	FUZZ_CHECK(max > 0 && f->len > max);
	/* The escapes of the prefix are whole: walk them as the cut does. */
	while (keep < f->len) {
		size_t n = 1;

		if (f->s[keep] == '\\')
			n = keep + 1 < f->len && f->s[keep + 1] == 'x' ? 4 : 2;
		if (keep + n > f->len)
			n = f->len - keep;
		if (keep + n > max)
			break;
		keep += n;
	}
	FUZZ_CHECK(keep <= max && keep <= b.len);
	FUZZ_CHECK(memcmp(b.data, f->s, keep) == 0);
	snprintf(tail, sizeof(tail), "~ (%zu more bytes)", f->len - keep);
	FUZZ_CHECK(b.len == keep + strlen(tail));
	FUZZ_CHECK(memcmp(b.data + keep, tail, strlen(tail)) == 0);
	buf_done(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct dump_tsv t, u;
	struct dump_tsv_field f, g[_DUMP_FRAME_MAX];
	struct buf back;
	size_t lines = 0, len;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	len = strlen(text);
	buf_init(&back, 0);
	dump_tsv_init(&t, text);
	dump_tsv_init(&u, text);
	while (dump_tsv_next_line(&t)) {
		size_t nf = 0, ng;

		FUZZ_CHECK(t.line >= text && t.line + t.len <= text + len);
		FUZZ_CHECK(memchr(t.line, '\n', t.len) == NULL);
		if (lines++ > 0)
			FUZZ_CHECK(buf_putc(&back, '\n') == 0);
		ng = dump_tsv_next(&u, g, _DUMP_FRAME_MAX);
		FUZZ_CHECK(ng >= 1 && ng <= _DUMP_FRAME_MAX);
		FUZZ_CHECK(u.line == t.line && u.len == t.len);
		while (dump_tsv_next_field(&t, &f)) {
			FUZZ_CHECK(
			    f.s >= t.line && f.s + f.len <= t.line + t.len);
			FUZZ_CHECK(memchr(f.s, '\t', f.len) == NULL);
			if (nf > 0)
				FUZZ_CHECK(buf_putc(&back, '\t') == 0);
			FUZZ_CHECK(buf_append(&back, f.s, f.len) == 0);
			if (nf < ng)
				FUZZ_CHECK(
				    g[nf].s == f.s && g[nf].len == f.len);
			if (dump_tsv_number(&f, -7) != -7)
				FUZZ_CHECK(is_number(&f));
			check_cut(&f, nf * 3 % 11);
			nf++;
		}
		FUZZ_CHECK(nf >= 1);
		FUZZ_CHECK(ng == (nf < _DUMP_FRAME_MAX ? nf : _DUMP_FRAME_MAX));
		for (size_t i = ng; i < _DUMP_FRAME_MAX; i++)
			FUZZ_CHECK(g[i].len == 0);
		/* The line is done: no field comes again. */
		FUZZ_CHECK(!dump_tsv_next_field(&t, &f));
	}
	FUZZ_CHECK(dump_tsv_next(&u, g, _DUMP_FRAME_MAX) == 0);
	/* The text again, but for the one newline that ends its last line. */
	if (len > 0 && text[len - 1] == '\n')
		FUZZ_CHECK(buf_putc(&back, '\n') == 0);
	FUZZ_CHECK(back.len == len);
	FUZZ_CHECK(len == 0 || memcmp(back.data, text, len) == 0);
	buf_done(&back);
	free(text);
	return 0;
}
