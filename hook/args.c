/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * args.c parses the kernel's arguments to the hook: one per specifier of
 * HOOK_PATTERN_SPECIFIERS (common/kernel.h says their order, the table
 * below what each one is and may be).
 */
#include "hook.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

enum arg {
	ARG_PID,
	ARG_NS_PID,
	ARG_TID,
	ARG_SIGNAL,
	ARG_RLIMIT_CORE,
	ARG_UID,
	ARG_GID,
	ARG_TIME,
	ARG_DUMPABLE,
	ARG_HOSTNAME,
	ARG_PIDFD,
	_ARG_MAX,
};

enum arg_kind {
	KIND_NUMBER, /* decimal, min..max */
	KIND_U64, /* decimal, unsigned 64-bit */
	KIND_STRING,
	KIND_FD, /* optional: an older kernel leaves it empty or as it is */
};

static const struct specifier {
	char letter; /* %P */
	const char *name;
	enum arg_kind kind;
	long long min, max; /* KIND_NUMBER */
} specifiers[_ARG_MAX] = {
	[ARG_PID] = { 'P', "pid", KIND_NUMBER, 1, INT_MAX },
	[ARG_NS_PID] = { 'p', "ns_pid", KIND_NUMBER, 0, INT_MAX },
	[ARG_TID] = { 'I', "tid", KIND_NUMBER, 0, INT_MAX },
	[ARG_SIGNAL] = { 's', "signal", KIND_NUMBER, 0, 64 },
	[ARG_RLIMIT_CORE] = { 'c', "rlimit_core", KIND_U64, 0, 0 },
	[ARG_UID] = { 'u', "uid", KIND_NUMBER, 0, UINT32_MAX },
	[ARG_GID] = { 'g', "gid", KIND_NUMBER, 0, UINT32_MAX },
	[ARG_TIME] = { 't', "time", KIND_NUMBER, 0, LLONG_MAX },
	[ARG_DUMPABLE] = { 'd', "dumpable", KIND_NUMBER, 0, 2 },
	[ARG_HOSTNAME] = { 'h', "hostname", KIND_STRING, 0, 0 },
	[ARG_PIDFD] = { 'F', "pidfd", KIND_FD, 3, INT_MAX },
};

static int
parse_long(const char *s, long long min, long long max, long long *ret)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* The argument that specifier letter is, from the table. */
static enum arg
arg_of(char letter)
{
	for (int i = 0; i < _ARG_MAX; i++)
		if (specifiers[i].letter == letter)
			return (enum arg)i;
	return _ARG_MAX;
}

/*
 * The arguments in the order HOOK_PATTERN_SPECIFIERS has them: the
 * number of them in *ret_n.
 */
static void
pattern_order(enum arg order[_ARG_MAX], int *ret_n)
{
	const char *s = HOOK_PATTERN_SPECIFIERS;
	int n = 0;

	for (; *s; s++)
		if (s[0] == '%' && s[1] != '\0') {
			assert(n < _ARG_MAX);
			order[n] = arg_of(s[1]);
			assert(order[n] != _ARG_MAX);
			n++;
		}
	*ret_n = n;
}

/* One argument into v (KIND_NUMBER, KIND_U64) or a (the others). */
static int
parse_one(
    enum arg id, const char *s, unsigned long long *v, struct hook_args *a)
{
	const struct specifier *spec = &specifiers[id];
	long long n;
	char *end;

	switch (spec->kind) {
	case KIND_NUMBER:
		if (parse_long(s, 0, LLONG_MAX, &n) < 0 || n < spec->min ||
		    n > spec->max)
			return -EINVAL;
		*v = (unsigned long long)n;
		return 0;
	case KIND_U64:
		errno = 0;
		*v = strtoull(s, &end, 10);
		if (errno || end == s || *end != '\0')
			return -EINVAL;
		return 0;
	case KIND_STRING:
		a->hostname = s;
		return 0;
	case KIND_FD:
		if (parse_long(s, spec->min, spec->max, &n) == 0 &&
		    fcntl((int)n, F_GETFD) >= 0)
			a->pidfd = (int)n;
		return 0;
	}
	return -EINVAL;
}

int
hook_args_parse(int argc, char **argv, struct hook_args *ret)
{
	struct hook_args a = { .pidfd = -1 };
	unsigned long long v[_ARG_MAX] = { 0 };
	enum arg order[_ARG_MAX];
	int n;

	pattern_order(order, &n);
	/* Only a last optional one (%F) may be left out. */
	if (argc != n &&
	    !(argc == n - 1 && specifiers[order[n - 1]].kind == KIND_FD))
		return -EINVAL;
	for (int i = 0; i < argc; i++)
		if (parse_one(order[i], argv[i], &v[order[i]], &a) < 0)
			return -EINVAL;
	a.pid = (pid_t)v[ARG_PID];
	a.ns_pid = (pid_t)v[ARG_NS_PID];
	a.tid = (pid_t)v[ARG_TID];
	a.signal = (int)v[ARG_SIGNAL];
	a.rlimit_core = v[ARG_RLIMIT_CORE];
	a.uid = (uid_t)v[ARG_UID];
	a.gid = (gid_t)v[ARG_GID];
	a.time = (int64_t)v[ARG_TIME];
	a.dumpable = (int)v[ARG_DUMPABLE];
	*ret = a;
	return 0;
}
