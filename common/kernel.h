/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's core dump settings: core_pattern, core_pipe_limit and
 * fs.suid_dumpable, and who a core_pattern belongs to.
 */
#ifndef CRASHD_KERNEL_H
#define CRASHD_KERNEL_H

#include <stddef.h>

#define KERNEL_CORE_PATTERN "/proc/sys/kernel/core_pattern"
#define KERNEL_CORE_PIPE_LIMIT "/proc/sys/kernel/core_pipe_limit"
#define KERNEL_SUID_DUMPABLE "/proc/sys/fs/suid_dumpable"

/* The kernel's specifiers, in the order crashd-hook's line has them. */
#define HOOK_PATTERN_SPECIFIERS "%P %p %I %s %c %u %g %t %d %h %F"
/*
 * The core_pipe_limit crashd's registration sets at least: >= 1, or a small
 * core lets /proc/PID go before the hook reads it (0 is "unlimited, and do
 * not wait for the helper"); and high, because over it the kernel starts
 * no helper at all: the crash is neither stored nor counted, only a
 * rate-limited kernel log line tells (daemon/kmsg.h counts it).  With 4,
 * 128 of 200 simultaneous crashes were lost that way.  256 helpers cost
 * little: a crash over the limits is counted and let go in milliseconds,
 * and in a storm dumps keep no core (policy.h, POLICY_STORM_WRITERS).
 */
#define KERNEL_PIPE_LIMIT_MIN 256
/* The kernel keeps 127 bytes of core_pattern (CORENAME_MAX_SIZE 128). */
#define KERNEL_CORE_PATTERN_MAX 127

/* Reads a /proc/sys value without its newline. 0 or -errno. */
int kernel_read(const char *path, char *buf, size_t size);
int kernel_write(const char *path, const char *value);

/*
 * Names the handler of a core_pattern: "crashd", "systemd-coredump",
 * "apport", "abrt", "the kernel (core files)", "a file pattern", or
 * "another program".
 */
const char *kernel_pattern_owner(const char *pattern);

/*
 * Formats the core_pattern line that registers the hook at hook_path
 * (absolute) with config_path (NULL: the default config, no -c): the one
 * line "crashd-hook --pattern" prints, the daemon watches for and
 * crashd-cli status names.  Returns 0; -EINVAL when a path holds a space
 * (the kernel splits the line there); -ENAMETOOLONG when the line is
 * longer than the kernel keeps or than size.
 */
int kernel_hook_line(const char *hook_path, const char *config_path,
    char *buf, size_t size);

#endif
