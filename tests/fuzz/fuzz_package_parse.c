/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzzes daemon/package_parse.c, the reader of dpkg-query's and rpm's
 * output: for any bytes, what it finds is a valid package name (one the
 * output has, before ": PATH" on a line of its own), a valid version, an
 * rpm name and version; it reads nothing past the output.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "package_parse.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const paths[] = { "/usr/bin/sleep", "/bin/sleep",
		NULL };
	char *out = malloc(size ? size : 1);
	char pkg[PACKAGE_NAME_MAX + 1], ver[PACKAGE_VERSION_MAX + 1];

	FUZZ_CHECK(out != NULL);
	memcpy(out, data, size);
	if (package_parse_dpkg_search(out, size, paths, pkg)) {
		size_t n = strlen(pkg);

		FUZZ_CHECK(n > 0 && n <= PACKAGE_NAME_MAX);
		FUZZ_CHECK(package_name_valid(pkg, n));
		FUZZ_CHECK(memmem(out, size, pkg, n) != NULL);
	}
	if (package_parse_version(out, size, ver)) {
		size_t n = strlen(ver);

		FUZZ_CHECK(package_version_valid(ver, n));
		FUZZ_CHECK(n <= size && memcmp(out, ver, n) == 0);
	}
	if (package_parse_rpm(out, size, pkg, ver)) {
		FUZZ_CHECK(package_version_valid(pkg, strlen(pkg)));
		FUZZ_CHECK(package_version_valid(ver, strlen(ver)));
		FUZZ_CHECK(strchr(pkg, ':') == NULL);
	}
	free(out);
	return 0;
}
