/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes snapshot_parse() with what a dumping process's memfd holds: a
 * reason is kept only after the exact magic line, and never more than
 * SNAPSHOT_REASON_MAX bytes of it.
 */
#include <string.h>

#include "fuzz.h"
#include "marker.h"
#include "snapshot.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf reason;
	size_t n = strlen(SNAPSHOT_MAGIC "\n");
	int r;

	buf_init(&reason, 0);
	r = snapshot_parse((const char *)data, size, &reason);
	FUZZ_CHECK(r == 0 || r == 1);
	FUZZ_CHECK(
	    r == 1 || size < n || memcmp(data, SNAPSHOT_MAGIC "\n", n) != 0);
	if (r == 1) {
		FUZZ_CHECK(reason.len <= SNAPSHOT_REASON_MAX);
		FUZZ_CHECK(reason.len == 0 ||
		    memcmp(reason.data, data + n, reason.len) == 0);
	} else {
		FUZZ_CHECK(reason.len == 0);
	}
	buf_done(&reason);
	return 0;
}
