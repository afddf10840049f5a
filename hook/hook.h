/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One run of the core_pattern helper: from the kernel's arguments and the
 * core on stdin to a published dump directory.
 */
#ifndef CRASHD_HOOK_H
#define CRASHD_HOOK_H

#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "kernel.h" /* HOOK_PATTERN_SPECIFIERS */

struct hook_args {
	pid_t pid;	     /* %P: in the initial pid namespace */
	pid_t ns_pid;	     /* %p: in its own pid namespace */
	pid_t tid;	     /* %I: the thread that dumped, initial namespace */
	int signal;	     /* %s */
	uint64_t rlimit_core; /* %c */
	uid_t uid;	     /* %u */
	gid_t gid;	     /* %g */
	int64_t time;	     /* %t */
	int dumpable;	     /* %d: 1 dumpable, 2 suid_dumpable ("root only") */
	const char *hostname; /* %h: in the process's UTS namespace */
	int pidfd;	     /* %F, or -1 on kernels without it */
};

/*
 * Parses the kernel's arguments (argv[0] is the first specifier).
 * Returns 0 or -EINVAL.
 */
int hook_args_parse(int argc, char **argv, struct hook_args *ret);

/*
 * Handles one crash.  Returns 1 when a dump was published, 0 when the
 * crash was counted but not stored (ignored, rate-limited), or -errno
 * when nothing could be stored.  stdin is closed when it returns.
 */
int hook_run(const struct config *c, const struct hook_args *a);

#endif
