/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kernel.c owns reading and writing the core dump sysctls, and the
 * core_pattern line of crashd-hook.
 */
#include "kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fsutil.h"

int
kernel_read(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	safe_close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

int
kernel_write(const char *path, const char *value)
{
	int fd, r;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = write_all(fd, value, strlen(value));
	if (close(fd) < 0 && r >= 0)
		r = -errno;
	return r;
}

const char *
kernel_pattern_owner(const char *pattern)
{
	const char *prog, *end, *slash;
	size_t n;

	if (pattern[0] != '|')
		return strcmp(pattern, "core") == 0 || pattern[0] == '\0'
		    ? "the kernel (core files)"
		    : "a file pattern";
	prog = pattern + 1;
	end = strchr(prog, ' ');
	n = end ? (size_t)(end - prog) : strlen(prog);
	/* Judge by the program's file name, not its directory or arguments. */
	slash = memrchr(prog, '/', n);
	if (slash)
		prog = slash + 1;
	if (strncmp(prog, "crashd-hook", 11) == 0)
		return "crashd";
	if (strncmp(prog, "systemd-coredump", 16) == 0)
		return "systemd-coredump";
	if (strncmp(prog, "apport", 6) == 0)
		return "apport";
	if (strncmp(prog, "abrt-hook-ccpp", 14) == 0)
		return "abrt";
	return "another program";
}

int
kernel_hook_line(
    const char *hook_path, const char *config_path, char *buf, size_t size)
{
	int len;

	if (strchr(hook_path, ' ') || (config_path && strchr(config_path, ' ')))
		return -EINVAL;
	if (config_path)
		len = snprintf(buf, size, "|%s -c %s %s", hook_path,
		    config_path, HOOK_PATTERN_SPECIFIERS);
	else
		len = snprintf(
		    buf, size, "|%s %s", hook_path, HOOK_PATTERN_SPECIFIERS);
	if (len < 0 || (size_t)len >= size || len > KERNEL_CORE_PATTERN_MAX)
		return -ENAMETOOLONG;
	return 0;
}
