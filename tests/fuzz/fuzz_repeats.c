/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes common/repeats.c, the reader of the repeats item (a dump is
 * untrusted): any bytes parse into at most REPEATS_MAX values a kind,
 * each printable ASCII of at most REPEATS_VALUE_MAX bytes, distinct; what
 * it formats parses back into the same text; a crash accounted once more
 * counts one more, and a replay of it none; describing a kind gives
 * printable ASCII.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "repeats.h"

static void
check_printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		FUZZ_CHECK(s[i] >= 0x20 && s[i] < 0x7f);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct repeats *rp = malloc(sizeof(*rp)), *again = malloc(sizeof(*rp));
	char *text = malloc(size + 1);
	struct dump d = { .name = (char *)"20260101T000000.000000Z-1-x",
		.hostname = (char *)"h\tost\xc3\xbc",
		.container = (char *)"docker 0123",
		.uid = 1000 };
	struct buf a, b;
	uint64_t total;

	FUZZ_CHECK(rp && again && text);
	memcpy(text, data, size);
	text[size] = '\0';
	repeats_parse(text, rp);
	for (int k = 0; k < _REPEATS_KIND_MAX; k++) {
		FUZZ_CHECK(rp->n[k] <= REPEATS_MAX);
		for (size_t i = 0; i < rp->n[k]; i++) {
			const char *v = rp->values[k][i].text;

			FUZZ_CHECK(strlen(v) <= REPEATS_VALUE_MAX);
			check_printable(v, strlen(v));
			FUZZ_CHECK(rp->values[k][i].count > 0);
			for (size_t j = 0; j < i; j++)
				FUZZ_CHECK(strcmp(rp->values[k][j].text, v));
		}
		buf_init(&a, 0);
		FUZZ_CHECK(repeats_describe(rp, k, &a) == 0);
		check_printable(a.data ? a.data : "", a.len);
		buf_done(&a);
	}
	check_printable(rp->last, strlen(rp->last));
	buf_init(&a, 0);
	buf_init(&b, 0);
	FUZZ_CHECK(repeats_format(rp, &a) == 0);
	repeats_parse(a.data, again);
	FUZZ_CHECK(repeats_format(again, &b) == 0);
	FUZZ_CHECK(a.len == b.len);
	FUZZ_CHECK(a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
	/* One more crash, then its replay. */
	total = repeats_total(rp);
	if (strcmp(rp->last, d.name) != 0) {
		FUZZ_CHECK(repeats_add(rp, &d) == 1);
		FUZZ_CHECK(repeats_total(rp) == total + 1 ||
		    total >= (UINT64_C(1) << 50) - 1);
	}
	total = repeats_total(rp);
	FUZZ_CHECK(repeats_add(rp, &d) == 0);
	FUZZ_CHECK(repeats_total(rp) == total);
	buf_done(&a);
	buf_done(&b);
	free(text);
	free(rp);
	free(again);
	return 0;
}
