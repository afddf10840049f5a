/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Times as operators type them, systemd.time(7)'s forms: "2026-11-23",
 * "2026-11-23 10:00", "2026-11-23T10:00:00", "22:35" (today), "@1795400000",
 * "10 minutes ago", "1h ago", "-1h", "+5min", "now", "today",
 * "yesterday", "tomorrow", each with an optional " UTC"; and formatting a
 * crash time with its zone.
 */
#ifndef CRASHD_CLI_WHEN_H
#define CRASHD_CLI_WHEN_H

#include <stddef.h>

/* Parses s relative to now (epoch seconds). 0 or -EINVAL. */
int when_parse(const char *s, long long now, long long *ret);

/*
 * A time span of systemd.time(7): "10 minutes", "1h 30min", "2d", "90"
 * (seconds), the first len bytes of s, into seconds.  0, -EINVAL or
 * -ERANGE.
 */
int when_parse_span(const char *s, size_t len, long long *ret);

/* "2026-11-23 10:02:17 CET" in local time, with its zone. */
void when_format(long long t, char *buf, size_t size);

#endif
