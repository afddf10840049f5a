/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's core dump settings: core_pattern, core_pipe_limit and
 * fs.suid_dumpable, and who a core_pattern belongs to.
 */
#ifndef CRASHD_CLI_KERNEL_H
#define CRASHD_CLI_KERNEL_H

#include <stddef.h>

#define KERNEL_CORE_PATTERN "/proc/sys/kernel/core_pattern"
#define KERNEL_CORE_PIPE_LIMIT "/proc/sys/kernel/core_pipe_limit"
#define KERNEL_SUID_DUMPABLE "/proc/sys/fs/suid_dumpable"

/* Reads a /proc/sys value without its newline. 0 or -errno. */
int kernel_read(const char *path, char *buf, size_t size);
int kernel_write(const char *path, const char *value);

/*
 * Names the handler of a core_pattern: "crashd", "systemd-coredump",
 * "apport", "abrt", "the kernel (core files)", "a file pattern", or
 * "another program".
 */
const char *kernel_pattern_owner(const char *pattern);

#endif
