/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation-failure injection for the unit tests (curl's torture mode,
 * docs/tests/TEST-SUITE.md): an operation runs once counting the
 * allocations it makes, then once per allocation with that one (the 1st,
 * the 2nd, ... the Nth) failing.  Every run must free all it allocated,
 * and every run whose allocation failed must say so: -ENOMEM, never a
 * crash, never a silent success.
 *
 * A test executable linked with the crashd_alloc_fail library has
 * malloc, calloc, realloc, reallocarray, strdup, strndup, realpath and
 * free wrapped (ld --wrap) in all the code linked into it (crashd's
 * static libraries and the test), not in shared libraries such as
 * libconfig.  Outside alloc_fail_check() the wrappers only pass through.
 */
#ifndef CRASHD_ALLOC_FAIL_H
#define CRASHD_ALLOC_FAIL_H

/*
 * The operation: does its work and frees everything it allocated, on
 * success and on failure.  Returns >= 0 or a negative errno.
 */
typedef int alloc_fail_op(void *ctx);

/*
 * Runs op as above; what names it in failure messages.  A run that
 * fails an allocation must return -ENOMEM, or, when op fails without any
 * injected failure (a config with errors), that same result.  Fails the
 * running cmocka test at the first run that crashes, leaks, returns
 * otherwise, or does not reach the allocation it was to fail.  Returns
 * the number of allocations op makes.
 */
unsigned alloc_fail_check(const char *what, alloc_fail_op *op, void *ctx);

#endif
