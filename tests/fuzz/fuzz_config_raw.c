/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes config_raw_check(), the lexer that looks at crashd.conf's bytes
 * before libconfig: any bytes, NULs included.  Every problem is one line
 * naming the file, and the count returned is the number of lines.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "config_raw.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char file[] = "/etc/crashd/crashd.conf";
	struct buf errors;
	size_t lines = 0;
	int n;

	buf_init(&errors, 0);
	n = config_raw_check(file, (const char *)data, size, &errors);
	FUZZ_CHECK(n >= 0);
	for (const char *p = errors.data; p && *p;) {
		const char *nl = strchr(p, '\n');

		FUZZ_CHECK(nl != NULL);
		FUZZ_CHECK(strncmp(p, file, strlen(file)) == 0);
		lines++;
		p = nl + 1;
	}
	FUZZ_CHECK(lines == (size_t)n);
	buf_done(&errors);
	return 0;
}
