/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes metrics_labels() with hostile executable and host names: the
 * label set is one line that Prometheus' text format reads as exactly
 * three labels, whatever the bytes (no raw newline, every quote and
 * backslash inside a value escaped, valid UTF-8).
 */
#include <string.h>

#include "fuzz.h"
#include "metrics.h"
#include "utf8.h"

/* Walks one "name=\"value\"" at *p; 1 when well-formed. */
static int
label(const char **p, const char *end)
{
	const char *s = *p;

	while (s < end && *s >= 'a' && *s <= 'z')
		s++;
	if (s == *p || s + 1 >= end || s[0] != '=' || s[1] != '"')
		return 0;
	for (s += 2; s < end && *s != '"'; s++) {
		if (*s == '\n')
			return 0;
		if (*s == '\\') {
			if (s + 1 >= end || (s[1] != '\\' && s[1] != '"'))
				return 0;
			s++;
		}
	}
	if (s >= end)
		return 0;
	*p = s + 1;
	return 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	const char *cut = memchr(in, '\0', size);
	size_t exe_len = cut ? (size_t)(cut - in) : size;
	const char *host = cut ? cut + 1 : "";
	size_t host_len = cut ? size - exe_len - 1 : 0;
	struct buf b;
	const char *p, *end;
	int n = 0;

	buf_init(&b, 1 << 20);
	FUZZ_CHECK(
	    metrics_labels(&b, in, exe_len, host, host_len, "SEGV") == 0);
	p = b.data;
	end = b.data + b.len;
	FUZZ_CHECK(memchr(p, '\n', b.len) == NULL);
	for (size_t i = 0; i < b.len;) {
		size_t k =
		    utf8_decode((const unsigned char *)p + i, b.len - i, NULL);

		FUZZ_CHECK(k > 0 && p[i] != '\0');
		i += k;
	}
	FUZZ_CHECK(*p == '{');
	p++;
	for (;;) {
		FUZZ_CHECK(label(&p, end));
		n++;
		if (p < end && *p == ',') {
			p++;
			continue;
		}
		break;
	}
	FUZZ_CHECK(n == 3 && p + 1 == end && *p == '}');
	buf_done(&b);
	return 0;
}
