/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * package_parse.c owns reading the package managers' output
 * (package_parse.h): nothing is run here, so that any bytes can be fed
 * to it (tests/fuzz/fuzz_package_parse.c).
 */
#include "package_parse.h"

#include <string.h>

static bool
is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool
package_name_valid(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t name = colon ? (size_t)(colon - s) : n;

	if (n > PACKAGE_NAME_MAX || name < 2 || !is_lower_alnum(s[0]))
		return false;
	for (size_t i = 1; i < name; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '+' && s[i] != '.' &&
		    s[i] != '-')
			return false;
	if (colon == NULL)
		return true;
	if (name + 1 == n)
		return false;
	for (size_t i = name + 1; i < n; i++)
		if (!is_lower_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

bool
package_version_valid(const char *s, size_t n)
{
	if (n == 0 || n > PACKAGE_VERSION_MAX)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!is_lower_alnum(c) && !(c >= 'A' && c <= 'Z') && c != '.' &&
		    c != '+' && c != '~' && c != ':' && c != '_' && c != '-')
			return false;
	}
	return true;
}

/* The line at p (up to '\n' or end): its length. */
static size_t
line_len(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? (size_t)(nl - p) : (size_t)(end - p);
}

bool
package_parse_dpkg_search(
    const char *out, size_t len, const char *const *paths, char *ret)
{
	const char *end = out + len;

	for (const char *p = out; p < end;) {
		size_t n = line_len(p, end);

		for (const char *const *path = paths; *path; path++) {
			size_t pl = strlen(*path), head, first;

			/* "HEAD: PATH", HEAD not "diversion by ..." */
			if (n < pl + 3 || memcmp(p + n - pl, *path, pl) != 0 ||
			    memcmp(p + n - pl - 2, ": ", 2) != 0)
				continue;
			head = n - pl - 2;
			if (head >= 13 && memcmp(p, "diversion by ", 13) == 0)
				continue;
			/* "pkg1, pkg2": the first. */
			for (first = 0; first < head && p[first] != ',';
			     first++)
				;
			if (!package_name_valid(p, first))
				continue;
			memcpy(ret, p, first);
			ret[first] = '\0';
			return true;
		}
		p += n + 1;
	}
	return false;
}

bool
package_parse_version(const char *out, size_t len, char *ret)
{
	size_t n = line_len(out, out + len);

	if (!package_version_valid(out, n))
		return false;
	memcpy(ret, out, n);
	ret[n] = '\0';
	return true;
}

bool
package_parse_rpm(const char *out, size_t len, char *name, char *version)
{
	size_t n = line_len(out, out + len);
	const char *sp = memchr(out, ' ', n);
	size_t nl, vl;

	if (sp == NULL)
		return false;
	nl = (size_t)(sp - out);
	vl = n - nl - 1;
	/* RPM names allow capitals and '_' too ("NetworkManager", "perl_x"). */
	if (nl == 0 || nl > PACKAGE_NAME_MAX || vl == 0 ||
	    !package_version_valid(out, nl) ||
	    !package_version_valid(sp + 1, vl) || memchr(out, ':', nl))
		return false;
	memcpy(name, out, nl);
	name[nl] = '\0';
	memcpy(version, sp + 1, vl);
	version[vl] = '\0';
	return true;
}
