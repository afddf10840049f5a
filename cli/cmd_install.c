/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli install | uninstall: registers crashd-hook in core_pattern
 * (with core_pipe_limit >= 1 and fs.suid_dumpable = 2, as
 * systemd-coredump's package does), saving what was there, and puts it
 * back.  Another handler's pattern is replaced only with --force.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "fsutil.h"
#include "kernel.h"
#include "log.h"

#define SAVED_FILE "saved-core-pattern"

/* Runs "HOOK --pattern [-c CONFIG]" and returns its line. 0 or -errno. */
static int
hook_pattern(const char *hook, const char *config, char *out, size_t size)
{
	int p[2], status = 0;
	struct buf b;
	pid_t pid;
	int r;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		safe_close(p[0]);
		safe_close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		if (config)
			execl(hook, hook, "--pattern", "-c", config,
			    (char *)NULL);
		else
			execl(hook, hook, "--pattern", (char *)NULL);
		fprintf(
		    stderr, "crashd-cli: exec %s: %s\n", hook, strerror(errno));
		_exit(127);
	}
	safe_close(p[1]);
	buf_init(&b, 4096);
	r = read_fd_capped(p[0], 4000, &b);
	safe_close(p[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (r >= 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		r = -EINVAL;
	if (r >= 0 && (b.len == 0 || b.len >= size))
		r = -EINVAL;
	if (r >= 0) {
		memcpy(out, b.data, b.len);
		out[b.len] = '\0';
		if (b.len > 0 && out[b.len - 1] == '\n')
			out[b.len - 1] = '\0';
	}
	buf_done(&b);
	return r;
}

/*
 * Opens <spool>/.state.  install may come before the first crash: with
 * create, the spool is made as the hook makes it.
 */
static int
saved_dir(const struct config *c, bool create)
{
	struct spool sp;
	int r;

	r = spool_open(c->spool, create, &sp);
	if (r < 0)
		return r;
	r = mkdir_at_safe(sp.dirfd, SPOOL_STATE, SPOOL_STATE_MODE);
	if (r >= 0)
		r = open_dir_at(sp.dirfd, SPOOL_STATE);
	spool_done(&sp);
	return r;
}

int
cmd_install(struct cli *cli, int argc, char **argv)
{
	const char *hook, *owner;
	char cur[4096], line[4096], limit[32], suid[32];
	struct cli_args a;
	bool force;
	struct config c;
	struct buf saved;
	int r, dfd = -1, fd;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	hook = a.hook;
	force = a.force;
	if (cli_load_config(cli, &c) < 0)
		return 1;
	buf_init(&saved, 0);
	r = kernel_read(KERNEL_CORE_PATTERN, cur, sizeof(cur));
	if (r >= 0)
		r = kernel_read(KERNEL_CORE_PIPE_LIMIT, limit, sizeof(limit));
	if (r >= 0)
		r = kernel_read(KERNEL_SUID_DUMPABLE, suid, sizeof(suid));
	if (r < 0) {
		log_error_errno(r, "read the core dump sysctls: %m");
		goto out;
	}
	r = hook_pattern(hook, cli->config_path, line, sizeof(line));
	if (r < 0) {
		log_error(
		    "%s --pattern failed: is crashd-hook installed there? "
		    "(--hook PATH)",
		    hook);
		goto out;
	}
	owner = kernel_pattern_owner(cur);
	if (strcmp(cur, line) != 0 && strcmp(owner, "crashd") != 0 &&
	    strcmp(owner, "the kernel (core files)") != 0 && !force) {
		log_error("core_pattern belongs to %s: \"%s\"; use --force to "
			  "replace it (uninstall puts it back)",
		    owner, cur);
		r = -EEXIST;
		goto out;
	}
	dfd = saved_dir(&c, true);
	if (dfd < 0) {
		r = log_error_errno(dfd, "%s/%s: %m", c.spool, SPOOL_STATE);
		goto out;
	}
	/* Keep what was there before crashd, not an earlier crashd line. */
	if (strcmp(owner, "crashd") != 0 &&
	    faccessat(dfd, SAVED_FILE, F_OK, AT_SYMLINK_NOFOLLOW) < 0) {
		buf_printf(&saved, "%s\n%s\n%s\n", cur, limit, suid);
		unlinkat(dfd, SAVED_FILE ".tmp", 0);
		fd = openat(dfd, SAVED_FILE ".tmp",
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		r = fd < 0 ? -errno : write_all(fd, saved.data, saved.len);
		if (r >= 0 && fsync(fd) < 0)
			r = -errno;
		safe_close(fd);
		if (r >= 0 &&
		    renameat(dfd, SAVED_FILE ".tmp", dfd, SAVED_FILE) < 0)
			r = -errno;
		if (r < 0) {
			log_error_errno(
			    r, "save the previous core_pattern: %m");
			goto out;
		}
	}
	r = kernel_write(KERNEL_CORE_PATTERN, line);
	if (r >= 0 && atoi(limit) < KERNEL_PIPE_LIMIT_MIN) {
		char v[16];

		snprintf(v, sizeof(v), "%d", KERNEL_PIPE_LIMIT_MIN);
		r = kernel_write(KERNEL_CORE_PIPE_LIMIT, v);
	}
	if (r >= 0)
		r = kernel_write(KERNEL_SUID_DUMPABLE, "2");
	if (r < 0) {
		log_error_errno(r, "write the core dump sysctls: %m");
		goto out;
	}
	printf("installed: %s\n", line);
	if (strcmp(owner, "the kernel (core files)") != 0 &&
	    strcmp(owner, "crashd") != 0)
		printf(
		    "replaced %s: \"%s\" (crashd-cli uninstall puts it back)\n",
		    owner, cur);
out:
	safe_close(dfd);
	buf_done(&saved);
	config_done(&c);
	return r < 0 ? 1 : 0;
}

int
cmd_uninstall(struct cli *cli, int argc, char **argv)
{
	char cur[4096], *data = NULL, *pattern = "core", *limit = "0",
			*suid = "0";
	struct config c;
	size_t len;
	struct cli_args a;
	int r, dfd;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	if (cli_load_config(cli, &c) < 0)
		return 1;
	r = kernel_read(KERNEL_CORE_PATTERN, cur, sizeof(cur));
	if (r < 0) {
		log_error_errno(r, "read core_pattern: %m");
		goto out;
	}
	if (strcmp(kernel_pattern_owner(cur), "crashd") != 0) {
		printf(
		    "core_pattern is not crashd's (\"%s\"); leaving it\n", cur);
		goto out;
	}
	dfd = saved_dir(&c, false);
	if (dfd >= 0 && read_file_at(dfd, SAVED_FILE, 8192, &data, &len) >= 0) {
		char *l1 = strtok(data, "\n"), *l2 = strtok(NULL, "\n"),
		     *l3 = strtok(NULL, "\n");

		if (l1 && l2 && l3) {
			pattern = l1;
			limit = l2;
			suid = l3;
		}
	}
	r = kernel_write(KERNEL_CORE_PATTERN, pattern);
	if (r >= 0)
		r = kernel_write(KERNEL_CORE_PIPE_LIMIT, limit);
	if (r >= 0)
		r = kernel_write(KERNEL_SUID_DUMPABLE, suid);
	if (r < 0)
		log_error_errno(r, "write the core dump sysctls: %m");
	else {
		if (dfd >= 0)
			unlinkat(dfd, SAVED_FILE, 0);
		printf("uninstalled; core_pattern is \"%s\" again\n", pattern);
	}
	free(data);
	safe_close(dfd);
out:
	config_done(&c);
	return r < 0 ? 1 : 0;
}
