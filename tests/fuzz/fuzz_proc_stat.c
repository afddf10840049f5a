/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes proc_parse_stat() with /proc/PID/stat lines.
 */
#include <string.h>

#include "fuzz.h"
#include "proc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proc_stat st;

	memset(&st, 0xa5, sizeof(st));
	if (proc_parse_stat((const char *)data, size, &st) == 0) {
		FUZZ_CHECK(memchr(st.comm, '\0', sizeof(st.comm)) != NULL);
		FUZZ_CHECK(st.ppid >= 0);
	}
	return 0;
}
