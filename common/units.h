/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Human-friendly values in the config: sizes ("64M"), durations ("10m")
 * and rates ("5/10m").
 */
#ifndef CRASHD_UNITS_H
#define CRASHD_UNITS_H

#include <stddef.h>
#include <stdint.h>

struct rate {
	uint32_t count;	 /* events allowed ... */
	uint64_t window; /* ... per this many seconds; 0 count: none */
};

/*
 * "123", "64K", "64M", "2G", "1T" (powers of 1024; an optional trailing
 * "B" or "iB" is accepted).  Returns 0 or -EINVAL/-ERANGE.
 */
int units_parse_size(const char *s, uint64_t *ret);

/* "30" (seconds), "500ms", "30s", "10m", "1h", "7d", "2w" into milliseconds. */
int units_parse_duration_ms(const char *s, uint64_t *ret);

/*
 * "5/10m" (5 per 10 minutes), "100/1h"; "0/1h" means none.  The window is
 * 1s to 2^32-1 s; -EINVAL or -ERANGE otherwise.
 */
int units_parse_rate(const char *s, struct rate *ret);

/* Formats a size as "64M" / "1.5G" / "512" into buf. */
void units_format_size(uint64_t v, char *buf, size_t size);

#endif
