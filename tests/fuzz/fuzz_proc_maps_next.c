/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes proc_maps_next() with /proc/PID/maps contents: the walk ends,
 * each call moves past exactly one line, and a file mapping it returns
 * names a path inside that line, after a start below its end.
 */
#include <errno.h>
#include <string.h>

#include "fuzz.h"
#include "proc.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *maps = (const char *)data, *end = maps + size;
	const char *pos = maps;
	size_t lines = 0;

	for (;;) {
		const char *line = pos, *nl;
		struct proc_map m;
		int r = proc_maps_next(&pos, end, &m);

		if (r == -ENODATA) {
			FUZZ_CHECK(line == end);
			break;
		}
		FUZZ_CHECK(r == 0 || r == 1);
		FUZZ_CHECK(line < end && pos > line && pos <= end);
		/* One line: pos is past its newline, or at the end. */
		nl = memchr(line, '\n', (size_t)(end - line));
		FUZZ_CHECK(pos == (nl ? nl + 1 : end));
		if (r == 1) {
			FUZZ_CHECK(m.start < m.end);
			FUZZ_CHECK(m.path > line && m.path_len > 0);
			FUZZ_CHECK(m.path + m.path_len <= (nl ? nl : end));
			FUZZ_CHECK(m.path[0] == '/');
		}
		lines++;
		FUZZ_CHECK(lines <= size);
	}
	return 0;
}
