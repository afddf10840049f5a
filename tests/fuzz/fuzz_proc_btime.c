/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes proc_parse_btime() with /proc/stat contents.
 */
#include "fuzz.h"
#include "proc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned long long v = 0;

	(void)proc_parse_btime((const char *)data, size, &v);
	return 0;
}
