/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests on byte ranges that need not be NUL-terminated (a kernel log
 * record, a cgroup path read from /proc).
 */
#ifndef CRASHD_BYTES_H
#define CRASHD_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

/* True when the n bytes at s begin with the string prefix. */
static inline bool
bytes_has_prefix(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);

	return n >= p && memcmp(s, prefix, p) == 0;
}

/* True when the n bytes at s end with the string suffix. */
static inline bool
bytes_has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);

	return n >= k && memcmp(s + n - k, suffix, k) == 0;
}

/* The first needle in the n bytes at s, or NULL. */
static inline const char *
bytes_find(const char *s, size_t n, const char *needle)
{
	return memmem(s, n, needle, strlen(needle));
}

/* Skips leading blanks (spaces and tabs) of the n bytes at *s. */
static inline void
bytes_trim_left(const char **s, size_t *n)
{
	while (*n > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*n)--;
	}
}

#endif
