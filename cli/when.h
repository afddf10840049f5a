/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Times as operators type them: "2026-11-23", "2026-11-23 10:00",
 * "2026-11-23T10:00:00", "@1795400000", "1h ago", "now", "today",
 * "yesterday"; and formatting a crash time for a table.
 */
#ifndef CRASHD_CLI_WHEN_H
#define CRASHD_CLI_WHEN_H

#include <stddef.h>

/* Parses s relative to now (epoch seconds). 0 or -EINVAL. */
int when_parse(const char *s, long long now, long long *ret);

/* "2026-11-23 10:02:17" in local time. */
void when_format(long long t, char *buf, size_t size);

#endif
