/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the unit tests: scratch directories and fixtures.
 * Every helper fails the running cmocka test instead of returning an error.
 */
#ifndef CRASHD_TESTUTIL_H
#define CRASHD_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cmocka.h>

/* Creates a fresh directory under $TMPDIR (or /tmp); the caller frees it. */
char *tu_mkdtemp(void);

/* A fresh temporary directory and an O_DIRECTORY descriptor of it. */
struct tu_dir {
	char *dir;
	int fd;
};

/*
 * cmocka setup and teardown of a struct tu_dir in *state (for tests
 * whose fixture is just that directory).
 */
int tu_dir_setup(void **state);
int tu_dir_teardown(void **state);

/* Removes path and everything below it; a missing path is fine. */
void tu_rm_rf(const char *path);

/* Writes data to dir/name (replacing it) and chmods it to mode. */
char *tu_write_file(const char *dir, const char *name, const char *data,
    size_t len, mode_t mode);

/*
 * Reads tests/fixtures/<rel> into an exactly sized heap buffer (no NUL
 * after it, so that an overread shows under ASan).  The caller frees it.
 */
char *tu_fixture(const char *rel, size_t *ret_len);

/* Returns a heap copy of s without its terminating NUL. */
char *tu_memdup(const char *s, size_t *ret_len);

#endif
