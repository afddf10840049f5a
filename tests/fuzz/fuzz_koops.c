/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the kernel report parser (daemon/koops.c): the input's lines are
 * kernel log records (a line that is no record becomes the message of
 * one), grouped into reports, each read as the daemon reads it.  Kernel
 * log text carries what any driver prints and what any process names
 * itself.  The same bytes are read as a pstore record too
 * (daemon/pstore.c: its header and line prefixes).
 */
#include <string.h>

#include "fuzz.h"
#include "koops.h"
#include "pstore.h"

static void
check(struct koops_report *rep)
{
	struct koops_facts f;

	FUZZ_CHECK(rep->marker < _KOOPS_MARKER_MAX);
	FUZZ_CHECK(rep->text.len <= KOOPS_TEXT_MAX + 64);
	FUZZ_CHECK(rep->first_seq <= rep->last_seq);
	if (koops_analyze(rep->marker, rep->text.data ? rep->text.data : "",
		rep->text.len, &f) == 0) {
		FUZZ_CHECK(strlen(f.signature) == 16);
		FUZZ_CHECK(strlen(f.reason) < sizeof(f.reason));
		FUZZ_CHECK(strlen(f.comm) < sizeof(f.comm));
		FUZZ_CHECK(strlen(f.function) < sizeof(f.function));
		FUZZ_CHECK(strchr(f.reason, '\n') == NULL);
		koops_facts_done(&f);
	}
	koops_report_done(rep);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct koops k;
	struct koops_report rep;
	struct koops_facts f;
	uint64_t seq = 1;
	int64_t now = 0;

	{
		struct buf text;
		char why[16];

		buf_init(&text, 0);
		if (pstore_record_text(p, size, &text, why, sizeof(why)) == 0) {
			FUZZ_CHECK(strlen(why) < sizeof(why));
			FUZZ_CHECK(text.len <= size + 1);
			if (koops_analyze(KOOPS_PANIC,
				text.data ? text.data : "", text.len, &f) == 0)
				koops_facts_done(&f);
		}
		buf_done(&text);
	}
	koops_init(&k, (1u << _KOOPS_MARKER_MAX) - 1);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct kmsg_record r;

		if (kmsg_record_parse(p, n, &r) < 0) {
			memset(&r, 0, sizeof(r));
			r.seq = seq;
			r.ts_us = seq * 1000;
			r.msg = p;
			r.msg_len = n;
		}
		seq++;
		if (koops_feed(&k, &r, now++, &rep) == 1)
			check(&rep);
		p = nl ? nl + 1 : end;
	}
	if (koops_tick(&k, now, true, &rep) == 1)
		check(&rep);
	koops_done(&k);
	return 0;
}
