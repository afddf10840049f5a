/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * when.c owns parsing and formatting times for the CLI.
 */
#include "when.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "units.h"

static int
parse_local(const char *s, const char *fmt, long long *ret)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, fmt, &tm);
	if (end == NULL || *end != '\0')
		return -EINVAL;
	tm.tm_isdst = -1;
	*ret = (long long)mktime(&tm);
	return 0;
}

int
when_parse(const char *s, long long now, long long *ret)
{
	static const char *const formats[] = { "%Y-%m-%d %H:%M:%S",
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
		"%Y-%m-%d" };
	size_t n = strlen(s);
	uint64_t ms;
	time_t t = (time_t)now;
	struct tm tm;

	if (strcmp(s, "now") == 0) {
		*ret = now;
		return 0;
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0) {
		localtime_r(&t, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		if (s[0] == 'y')
			tm.tm_mday--;
		*ret = (long long)mktime(&tm);
		return 0;
	}
	if (s[0] == '@') {
		char *end;

		errno = 0;
		*ret = strtoll(s + 1, &end, 10);
		return errno || end == s + 1 || *end ? -EINVAL : 0;
	}
	if (n > 4 && strcmp(s + n - 4, " ago") == 0) {
		char dur[64];

		if (n - 4 >= sizeof(dur))
			return -EINVAL;
		memcpy(dur, s, n - 4);
		dur[n - 4] = '\0';
		if (units_parse_duration_ms(dur, &ms) < 0)
			return -EINVAL;
		*ret = now - (long long)(ms / 1000);
		return 0;
	}
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (parse_local(s, formats[i], ret) == 0)
			return 0;
	return -EINVAL;
}

void
when_format(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm);
}
