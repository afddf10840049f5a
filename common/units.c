/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * units.c owns parsing of sizes, durations and rates.  Parsers are strict:
 * no sign, no trailing garbage, no overflow.
 */
#include "units.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Parses the leading unsigned decimal of s; *ret_end points past it. */
static int
parse_uint(const char *s, uint64_t *ret, const char **ret_end)
{
	uint64_t v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret = v;
	*ret_end = p;
	return 0;
}

static int
mul_checked(uint64_t a, uint64_t b, uint64_t *ret)
{
	if (b != 0 && a > UINT64_MAX / b)
		return -ERANGE;
	*ret = a * b;
	return 0;
}

int
units_parse_size(const char *s, uint64_t *ret)
{
	static const char suffixes[] = "KMGTP";
	const char *end, *p;
	uint64_t v, mult = 1;
	int r;

	r = parse_uint(s, &v, &end);
	if (r < 0)
		return r;
	if (*end != '\0') {
		p = strchr(suffixes, toupper((unsigned char)*end));
		if (p == NULL && toupper((unsigned char)*end) != 'B')
			return -EINVAL;
		if (p != NULL) {
			for (long i = 0; i <= p - suffixes; i++)
				mult *= 1024;
			end++;
			if (*end == 'i')
				end++;
		}
		if (toupper((unsigned char)*end) == 'B')
			end++;
		if (*end != '\0')
			return -EINVAL;
	}
	r = mul_checked(v, mult, &v);
	if (r < 0)
		return r;
	*ret = v;
	return 0;
}

int
units_parse_duration_ms(const char *s, uint64_t *ret)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
		{ "ms", 1 },
		{ "s", 1000 },
		{ "m", 60 * 1000 },
		{ "h", 3600 * 1000 },
		{ "d", 86400 * 1000 },
		{ "w", 7 * 86400 * 1000ULL },
	};
	const char *end;
	uint64_t v;
	int r;

	r = parse_uint(s, &v, &end);
	if (r < 0)
		return r;
	if (*end == '\0')
		return mul_checked(v, 1000, ret);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].suffix) == 0)
			return mul_checked(v, units[i].ms, ret);
	return -EINVAL;
}

int
units_parse_rate(const char *s, struct rate *ret)
{
	const char *end;
	uint64_t count, window_ms;
	int r;

	r = parse_uint(s, &count, &end);
	if (r < 0)
		return r;
	if (*end != '/')
		return -EINVAL;
	if (count > UINT32_MAX)
		return -ERANGE;
	r = units_parse_duration_ms(end + 1, &window_ms);
	if (r < 0)
		return r;
	/*
	 * At least a second; at most 2^32-1 seconds (136 years), so that rate
	 * limiters can add the window in milliseconds to a time in int64_t.
	 */
	if (window_ms < 1000 || window_ms / 1000 > UINT32_MAX)
		return -ERANGE;
	ret->count = (uint32_t)count;
	ret->window = window_ms / 1000;
	return 0;
}

void
units_format_size(uint64_t v, char *buf, size_t size)
{
	static const char suffixes[] = "KMGTP";
	double d = (double)v;
	int i = -1;

	while (d >= 1024 && i < 4) {
		d /= 1024;
		i++;
	}
	if (i < 0)
		snprintf(buf, size, "%llu", (unsigned long long)v);
	else if (d == (double)(uint64_t)d)
		snprintf(buf, size, "%llu%c", (unsigned long long)d,
		    suffixes[i]);
	else
		snprintf(buf, size, "%.1f%c", d, suffixes[i]);
}
