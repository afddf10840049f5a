/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Inflating a dump's core.gz for the unwinder, bounded: no further than
 * the extent its own ELF headers declare (the end of the last segment),
 * never past CORE_INFLATE_MAX bytes in all nor CORE_INFLATE_DATA_MAX
 * bytes that are not zeros, and zeros cost nothing (sparse writes).
 */
#ifndef CRASHD_CORE_INFLATE_H
#define CRASHD_CORE_INFLATE_H

#include <stdbool.h>
#include <stdint.h>

#define CORE_INFLATE_MAX (4ULL << 30)
#define CORE_INFLATE_DATA_MAX (512ULL << 20)

struct core_inflate_result {
	uint64_t size; /* the file's size, zeros included */
	uint64_t data; /* bytes that are not zeros */
	uint64_t declared; /* what the ELF headers declare, 0: unknown */
	const char *cut; /* why it stopped short, or NULL */
};

/*
 * Inflates the gzip stream on gz_fd (taken: closed) into a new memfd,
 * until deadline_ms (CLOCK_MONOTONIC, 0: none).  Returns the memfd, or
 * -errno; *ret says how much and why it stopped.
 */
int core_inflate(
    int gz_fd, int64_t deadline_ms, struct core_inflate_result *ret);

#endif
