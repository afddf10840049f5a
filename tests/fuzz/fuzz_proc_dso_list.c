/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes proc_dso_list() with /proc/PID/maps contents: every line it
 * lists is a path from the input, listed once.
 */
#include <errno.h>
#include <string.h>

#include "buf.h"
#include "fuzz.h"
#include "proc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *maps = (const char *)data;
	struct buf out;
	int r;

	buf_init(&out, 1 << 20);
	r = proc_dso_list(maps, size, &out);
	FUZZ_CHECK(r == 0 || r == -E2BIG);
	/* Lines, not strings: the input may hold NUL bytes. */
	for (const char *p = out.data, *end = p ? p + out.len : NULL;
	     r == 0 && p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		FUZZ_CHECK(nl != NULL);
		n = (size_t)(nl - p);
		FUZZ_CHECK(n > 0 && p[0] == '/');
		FUZZ_CHECK(memmem(maps, size, p, n) != NULL);
		/* Not listed before. */
		for (const char *q = out.data; q < p;) {
			const char *qn = memchr(q, '\n', (size_t)(p - q));

			FUZZ_CHECK(
			    (size_t)(qn - q) != n || memcmp(q, p, n) != 0);
			q = qn + 1;
		}
		p = nl + 1;
	}
	buf_done(&out);
	return 0;
}
