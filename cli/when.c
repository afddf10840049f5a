/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * when.c owns parsing and formatting times for the CLI.  The forms are
 * systemd.time(7)'s, as coredumpctl --since takes them.
 */
#include "when.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* systemd.time(7)'s span units, longest spelling first where they share. */
static const struct {
	const char *unit;
	long long seconds;
} span_units[] = {
	{ "seconds", 1 },
	{ "second", 1 },
	{ "sec", 1 },
	{ "s", 1 },
	{ "minutes", 60 },
	{ "minute", 60 },
	{ "min", 60 },
	{ "months", 2629800 },
	{ "month", 2629800 },
	{ "msec", 0 },
	{ "ms", 0 },
	{ "m", 60 },
	{ "M", 2629800 },
	{ "hours", 3600 },
	{ "hour", 3600 },
	{ "hr", 3600 },
	{ "h", 3600 },
	{ "days", 86400 },
	{ "day", 86400 },
	{ "d", 86400 },
	{ "weeks", 604800 },
	{ "week", 604800 },
	{ "w", 604800 },
	{ "years", 31557600 },
	{ "year", 31557600 },
	{ "y", 31557600 },
	{ "usec", 0 },
	{ "us", 0 },
};

int
when_parse_span(const char *s, size_t len, long long *ret)
{
	const char *p = s, *end = s + len;
	long long total = 0;
	bool any = false;

	while (p < end) {
		long long v = 0, unit = -1;
		size_t ul = 0;

		while (p < end && isspace((unsigned char)*p))
			p++;
		if (p == end)
			break;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (; p < end && isdigit((unsigned char)*p); p++) {
			if (v > (LLONG_MAX - 9) / 10)
				return -ERANGE;
			v = v * 10 + (*p - '0');
		}
		while (p < end && *p == ' ')
			p++;
		for (size_t i = 0;
		     i < sizeof(span_units) / sizeof(span_units[0]); i++) {
			size_t n = strlen(span_units[i].unit);

			if ((size_t)(end - p) >= n &&
			    strncmp(p, span_units[i].unit, n) == 0 &&
			    (p + n == end || !isalpha((unsigned char)p[n]))) {
				unit = span_units[i].seconds;
				ul = n;
				break;
			}
		}
		if (unit < 0) {
			/* A bare number is seconds, and only last. */
			if (p != end && !isspace((unsigned char)p[-1]))
				return -EINVAL;
			if (p != end && !isdigit((unsigned char)*p))
				return -EINVAL;
			unit = 1;
		}
		if (unit > 0 && v > LLONG_MAX / unit)
			return -ERANGE;
		total += v * unit;
		if (total < 0)
			return -ERANGE;
		p += ul;
		any = true;
	}
	if (!any)
		return -EINVAL;
	*ret = total;
	return 0;
}

/*
 * strptime() with fmt must read all of s.  utc: the time is UTC, else
 * local (mktime()).  Returns 0 or -EINVAL.
 */
static int
parse_absolute(const char *s, const char *fmt, bool utc, const struct tm *base,
    long long *ret)
{
	struct tm tm;
	const char *end;
	time_t t;

	tm = *base;
	end = strptime(s, fmt, &tm);
	if (end == NULL || *end != '\0')
		return -EINVAL;
	tm.tm_isdst = -1;
	t = utc ? timegm(&tm) : mktime(&tm);
	if (t == (time_t)-1)
		return -EINVAL;
	*ret = (long long)t;
	return 0;
}

int
when_parse(const char *in, long long now, long long *ret)
{
	static const char *const dates[] = { "%Y-%m-%d %H:%M:%S",
		"%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M",
		"%Y-%m-%d" };
	static const char *const clocks[] = { "%H:%M:%S", "%H:%M" };
	char s[128];
	size_t n = strlen(in);
	time_t t = (time_t)now;
	long long span;
	bool utc = false;
	struct tm tm, zero;

	if (n == 0 || n >= sizeof(s))
		return -EINVAL;
	memcpy(s, in, n + 1);
	/* A trailing " UTC" or "Z" says the time is UTC, not local. */
	if (n > 4 && strcmp(s + n - 4, " UTC") == 0) {
		s[n -= 4] = '\0';
		utc = true;
	} else if (n > 1 && s[n - 1] == 'Z' &&
	    isdigit((unsigned char)s[n - 2])) {
		s[--n] = '\0';
		utc = true;
	}
	if (strcmp(s, "now") == 0) {
		*ret = now;
		return 0;
	}
	if (strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0 ||
	    strcmp(s, "tomorrow") == 0) {
		if (utc)
			gmtime_r(&t, &tm);
		else
			localtime_r(&t, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		tm.tm_mday += s[0] == 'y'        ? -1
		    : s[1] == 'o' && s[2] == 'm' ? 1
						 : 0;
		t = utc ? timegm(&tm) : mktime(&tm);
		*ret = (long long)t;
		return t == (time_t)-1 ? -EINVAL : 0;
	}
	if (s[0] == '@') {
		char *end;

		errno = 0;
		*ret = strtoll(s + 1, &end, 10);
		return errno || end == s + 1 || *end ? -EINVAL : 0;
	}
	/* "-1h", "+5min": relative to now. */
	if ((s[0] == '-' || s[0] == '+') &&
	    when_parse_span(s + 1, n - 1, &span) == 0) {
		*ret = s[0] == '-' ? now - span : now + span;
		return 0;
	}
	/* "10 minutes ago", "1h30m ago", "5min left". */
	if (n > 4 && strcmp(s + n - 4, " ago") == 0 &&
	    when_parse_span(s, n - 4, &span) == 0) {
		*ret = now - span;
		return 0;
	}
	if (n > 5 && strcmp(s + n - 5, " left") == 0 &&
	    when_parse_span(s, n - 5, &span) == 0) {
		*ret = now + span;
		return 0;
	}
	memset(&zero, 0, sizeof(zero));
	/* A date starts with a four-digit year (strptime's %Y takes "26"). */
	for (size_t i = 0; i < sizeof(dates) / sizeof(dates[0]); i++)
		if (n >= 10 && s[4] == '-' &&
		    parse_absolute(s, dates[i], utc, &zero, ret) == 0)
			return 0;
	/* "22:35": that time today. */
	if (utc)
		gmtime_r(&t, &tm);
	else
		localtime_r(&t, &tm);
	tm.tm_sec = 0;
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++)
		if (parse_absolute(s, clocks[i], utc, &tm, ret) == 0)
			return 0;
	return -EINVAL;
}

void
when_format(long long t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M:%S %Z", &tm);
}
