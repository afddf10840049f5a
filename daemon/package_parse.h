/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading what the package managers say about a file (package.c runs
 * them): the output of `dpkg-query -S PATH...`, of `dpkg-query -W -f
 * '${Version}' PACKAGE` and of `rpm -qf --qf '%{NAME} %{VERSION}-%{RELEASE}'
 * PATH`.  The bytes are not trusted (a package database can hold
 * anything): a name or a version that is not one is refused, never
 * passed on.
 */
#ifndef CRASHD_PACKAGE_PARSE_H
#define CRASHD_PACKAGE_PARSE_H

#include <stdbool.h>
#include <stddef.h>

/* A package name with its ":arch" and a version fit in these. */
#define PACKAGE_NAME_MAX 128
#define PACKAGE_VERSION_MAX 128

/*
 * Debian's package name (policy 5.6.1: [a-z0-9][a-z0-9+.-]+), optionally
 * followed by ":ARCH" ([a-z0-9-]+), n bytes at s.
 */
bool package_name_valid(const char *s, size_t n);

/* A Debian or RPM version: [A-Za-z0-9.+~:_-], 1 to PACKAGE_VERSION_MAX. */
bool package_version_valid(const char *s, size_t n);

/*
 * In dpkg-query -S's output (len bytes), the package owning one of
 * paths (NULL-terminated): a line "PKG: PATH" or "PKG1, PKG2: PATH" (the
 * first package is taken); diversion lines and messages are skipped.
 * Copies the package (with its ":arch" when dpkg names one) to ret
 * (PACKAGE_NAME_MAX + 1 bytes).  Returns true when one was found.
 */
bool package_parse_dpkg_search(
    const char *out, size_t len, const char *const *paths, char *ret);

/*
 * The version dpkg-query -W -f '${Version}' printed: its first line,
 * when it is a version.  Copies it to ret (PACKAGE_VERSION_MAX + 1).
 */
bool package_parse_version(const char *out, size_t len, char *ret);

/*
 * rpm -qf's one line "NAME VERSION-RELEASE": copies the name to name
 * (PACKAGE_NAME_MAX + 1) and the version to version; "file ... is not
 * owned by any package" and anything else is refused.
 */
bool package_parse_rpm(const char *out, size_t len, char *name, char *version);

#endif
