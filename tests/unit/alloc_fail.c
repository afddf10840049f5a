/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * alloc_fail.c owns the allocation-failure injection of the unit tests:
 * the ld --wrap wrappers of the allocator and the runner that fails each
 * allocation of an operation in turn.  The wrappers count the allocations
 * made while a run is on, fail the one chosen, and keep the pointers
 * still live so that a leak is named by the allocation that made it (the
 * ASan build's leak checker sees the same leaks at exit, with stacks).
 * ALLOC_FAIL_VERBOSE=1 in the environment prints each run before it
 * starts and the stack of each allocation it fails, for a crash or a
 * wrong result to be traced to its allocation.
 */
#include "alloc_fail.h"

#include <errno.h>
#include <execinfo.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_reallocarray(void *p, size_t n, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
char *__real_realpath(const char *path, char *resolved);
void __real_free(void *p);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_reallocarray(void *p, size_t n, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
char *__wrap_realpath(const char *path, char *resolved);
void __wrap_free(void *p);

/*
 * The pointers a run allocated and has not freed, with the number of the
 * allocation that made each: an open-addressing set (linear probing,
 * tombstones), emptied before each run.
 */
#define LIVE_SLOTS (1u << 16)
#define TOMBSTONE ((void *)1)

struct live {
	void *p;
	unsigned nth;
};

static struct {
	bool on; /* a run is going on */
	unsigned count; /* allocations made in this run */
	unsigned fail_at; /* the one to fail, 0 for none */
	bool failed; /* it was reached */
	bool verbose; /* ALLOC_FAIL_VERBOSE */
	size_t n_live;
	bool overflow; /* more live pointers than LIVE_SLOTS */
	struct live live[LIVE_SLOTS];
} af;

static size_t
slot_of(const void *p)
{
	uintptr_t h = (uintptr_t)p;

	h ^= h >> 17;
	h *= 0xed5ad4bbu;
	h ^= h >> 11;
	return h & (LIVE_SLOTS - 1);
}

static void
live_add(void *p, unsigned nth)
{
	size_t i, n;

	if (af.n_live >= LIVE_SLOTS / 2) {
		af.overflow = true;
		return;
	}
	for (i = slot_of(p), n = 0; n < LIVE_SLOTS;
	     i = (i + 1) & (LIVE_SLOTS - 1), n++) {
		if (af.live[i].p == NULL || af.live[i].p == TOMBSTONE) {
			af.live[i].p = p;
			af.live[i].nth = nth;
			af.n_live++;
			return;
		}
	}
	af.overflow = true;
}

/* Forgets p; returns whether this run allocated it. */
static bool
live_remove(const void *p)
{
	size_t i, n;

	for (i = slot_of(p), n = 0; n < LIVE_SLOTS && af.live[i].p != NULL;
	     i = (i + 1) & (LIVE_SLOTS - 1), n++) {
		if (af.live[i].p == p) {
			af.live[i].p = TOMBSTONE;
			af.n_live--;
			return true;
		}
	}
	return false;
}

/* The number of the first live allocation (0 for none). */
static unsigned
live_first(void)
{
	unsigned first = 0;
	size_t i;

	for (i = 0; i < LIVE_SLOTS; i++) {
		if (af.live[i].p == NULL || af.live[i].p == TOMBSTONE)
			continue;
		if (first == 0 || af.live[i].nth < first)
			first = af.live[i].nth;
	}
	return first;
}

/* Counts an allocation; returns false when it is the one to fail. */
static bool
allowed(void)
{
	if (!af.on)
		return true;
	af.count++;
	if (af.count != af.fail_at)
		return true;
	af.failed = true;
	if (af.verbose) {
		void *pcs[32];

		backtrace_symbols_fd(pcs, backtrace(pcs, 32), 2);
	}
	return false;
}

/* Records what an allocation of this run returned. */
static void *
made(void *p)
{
	if (af.on && p != NULL)
		live_add(p, af.count);
	return p;
}

void *
__wrap_malloc(size_t size)
{
	if (!allowed()) {
		errno = ENOMEM;
		return NULL;
	}
	return made(__real_malloc(size));
}

void *
__wrap_calloc(size_t n, size_t size)
{
	if (!allowed()) {
		errno = ENOMEM;
		return NULL;
	}
	return made(__real_calloc(n, size));
}

/*
 * p allocated before the run (or by a library we do not wrap) stays
 * untracked when it moves: only what the run allocated must be freed.
 */
static void *
moved(void *old, void *p)
{
	bool ours;

	if (p == NULL || !af.on)
		return p;
	ours = old == NULL || live_remove(old);
	if (ours)
		live_add(p, af.count);
	return p;
}

void *
__wrap_realloc(void *p, size_t size)
{
	if (!allowed()) {
		errno = ENOMEM;
		return NULL;
	}
	return moved(p, __real_realloc(p, size));
}

void *
__wrap_reallocarray(void *p, size_t n, size_t size)
{
	if (!allowed()) {
		errno = ENOMEM;
		return NULL;
	}
	return moved(p, __real_reallocarray(p, n, size));
}

char *
__wrap_strdup(const char *s)
{
	if (!allowed()) {
		errno = ENOMEM;
		return NULL;
	}
	return made(__real_strdup(s));
}

char *
__wrap_strndup(const char *s, size_t n)
{
	if (!allowed()) {
		errno = ENOMEM;
		return NULL;
	}
	return made(__real_strndup(s, n));
}

/* Allocates only without a buffer of the caller's. */
char *
__wrap_realpath(const char *path, char *resolved)
{
	if (resolved != NULL)
		return __real_realpath(path, resolved);
	if (!allowed()) {
		errno = ENOMEM;
		return NULL;
	}
	return made(__real_realpath(path, NULL));
}

void
__wrap_free(void *p)
{
	if (af.on && p != NULL)
		live_remove(p);
	__real_free(p);
}

/* One run of op failing allocation fail_at (0: none); returns its result. */
static int
run(alloc_fail_op *op, void *ctx, unsigned fail_at)
{
	int r;

	memset(af.live, 0, sizeof(af.live));
	af.n_live = 0;
	af.overflow = false;
	af.count = 0;
	af.failed = false;
	af.fail_at = fail_at;
	af.on = true;
	r = op(ctx);
	af.on = false;
	return r;
}

static void
check_freed(const char *what, unsigned fail_at)
{
	if (af.overflow)
		fail_msg("%s: more than %u live allocations: raise LIVE_SLOTS",
		    what, LIVE_SLOTS / 2);
	if (af.n_live != 0)
		fail_msg("%s, allocation %u of %u failing: %zu allocation(s) "
			 "not freed, the first made by allocation %u",
		    what, fail_at, af.count, af.n_live, live_first());
}

unsigned
alloc_fail_check(const char *what, alloc_fail_op *op, void *ctx)
{
	unsigned n, k;
	int r0, r;

	af.verbose = getenv("ALLOC_FAIL_VERBOSE") != NULL;
	r0 = run(op, ctx, 0);
	n = af.count;
	check_freed(what, 0);
	for (k = 1; k <= n; k++) {
		if (af.verbose)
			fprintf(stderr, "alloc_fail: %s: failing %u of %u\n",
			    what, k, n);
		r = run(op, ctx, k);
		if (!af.failed)
			fail_msg("%s: made %u allocation(s) when allocation "
				 "%u was to fail, %u without a failure",
			    what, af.count, k, n);
		if (r != -ENOMEM && !(r0 < 0 && r == r0))
			fail_msg("%s, allocation %u of %u failing: returned "
				 "%d (%s), expected -ENOMEM",
			    what, k, n, r, r < 0 ? strerror(-r) : "success");
		check_freed(what, k);
	}
	return n;
}
