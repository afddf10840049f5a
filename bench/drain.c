/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * drain: the benchmark's baseline core_pattern helper.  It reads the core
 * from stdin to EOF and throws it away: what any pipe helper costs a
 * crashing process before it does real work.  It reads in the same chunk
 * size as crashd-hook's core copy, so the two differ only in what they do
 * with the bytes.
 */
#include <errno.h>
#include <unistd.h>

#define CHUNK (128 * 1024)

int
main(void)
{
	static char buf[CHUNK];

	for (;;) {
		ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));

		if (n > 0)
			continue;
		if (n < 0 && errno == EINTR)
			continue;
		break;
	}
	return 0;
}
