/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes common/crash_site.c and common/frame_skip.c on any bytes as a
 * dump's backtrace_frames: the where line of the first thread listed is
 * one line (no newline, no tab) of at most CRASH_SITE_MAX bytes, found
 * exactly when that thread has a frame, and the same with the built-in
 * rule as with a configured one that adds nothing; a configured rule
 * that skips everything still finds a frame.  Every frame's kind is one
 * of enum frame_skip_kind.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "crash_site.h"
#include "dump_tsv.h"
#include "frame_skip.h"
#include "fuzz.h"

static void
check_line(const struct buf *b)
{
	FUZZ_CHECK(b->len > 0 && b->len <= CRASH_SITE_MAX);
	FUZZ_CHECK(memchr(b->data, '\n', b->len) == NULL);
	FUZZ_CHECK(memchr(b->data, '\t', b->len) == NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const none[] = { NULL };
	static const char *const all[] = { "*", "*!*", NULL };
	const struct frame_skip empty = { none, none, 0 };
	const struct frame_skip skip_all = { all, none, 0 };
	char *text = malloc(size + 1);
	struct dump_tsv_field f[_DUMP_FRAME_MAX];
	struct dump_frames it;
	struct buf a, b, c;
	long long tid;
	bool any = false;
	int ra, rb, rc;

	FUZZ_CHECK(text != NULL);
	memcpy(text, data, size);
	text[size] = '\0';
	tid = dump_frames_crashed_tid(text, -1);
	dump_frames_init(&it, text, tid);
	for (size_t nf; (nf = dump_frames_next(&it, f)) > 0;) {
		enum frame_skip_kind k = frame_skip_classify(NULL,
		    f[DUMP_FRAME_FUNCTION].s, f[DUMP_FRAME_FUNCTION].len,
		    f[DUMP_FRAME_MODULE].s, f[DUMP_FRAME_MODULE].len, NULL);

		FUZZ_CHECK(k >= 0 && k < _FRAME_SKIP_MAX);
		any = any || nf > DUMP_FRAME_PC;
	}
	buf_init(&a, 0);
	buf_init(&b, 0);
	buf_init(&c, 0);
	ra = crash_site_from_frames(text, tid, NULL, &a);
	rb = crash_site_from_frames(text, tid, &empty, &b);
	rc = crash_site_from_frames(text, tid, &skip_all, &c);
	FUZZ_CHECK(ra == (any ? 1 : 0));
	FUZZ_CHECK(rb == ra && rc == ra);
	FUZZ_CHECK(a.len == b.len &&
	    (a.len == 0 || memcmp(a.data, b.data, a.len) == 0));
	if (ra == 1) {
		check_line(&a);
		check_line(&c);
	}
	buf_done(&a);
	buf_done(&b);
	buf_done(&c);
	free(text);
	return 0;
}
