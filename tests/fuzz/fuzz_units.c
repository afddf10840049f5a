/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes the parsers of config values: sizes, durations, rates and signal
 * names (the input up to its first NUL is the string).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "signame.h"
#include "units.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1), buf[32];
	struct rate rate;
	uint64_t v;
	int r;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	r = units_parse_size(s, &v);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0) {
		units_format_size(v, buf, sizeof(buf));
		FUZZ_CHECK(buf[0] >= '0' && buf[0] <= '9');
	}
	r = units_parse_duration_ms(s, &v);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	r = units_parse_rate(s, &rate);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -ERANGE);
	if (r == 0)
		FUZZ_CHECK(rate.window >= 1 && rate.window <= UINT32_MAX);

	r = signame_to_number(s);
	FUZZ_CHECK(r == -EINVAL || (r >= 1 && r <= SIGRTMAX));
	if (r > 0 && !(s[0] >= '0' && s[0] <= '9')) {
		/* A name: it prints back as a name that reads the same. */
		const char *name = signame_from_number(r, buf, sizeof(buf));

		FUZZ_CHECK(name != NULL);
		FUZZ_CHECK(signame_to_number(name) == r);
	}
	free(s);
	return 0;
}
