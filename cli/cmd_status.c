/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli status: does core_pattern hold crashd's own line for this
 * config (or another crashd's, or another handler's), what did install
 * replace, is the daemon running (by its locked pid file), how full is
 * the spool against its caps, and what did the hook count but not store.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli.h"
#include "dumps.h"
#include "fsutil.h"
#include "hookstate.h"
#include "kernel.h"
#include "log.h"
#include "pidfile.h"
#include "queue.h"
#include "units.h"

/*
 * Says whose line core_pattern holds: crashd's own for this config (the
 * one "crashd-hook --pattern [-c CONFIG]" prints for the hook at hook),
 * another crashd's (another binary or config), or another handler's.
 */
static void
print_hook(const char *hook, const char *config_path, const char *pattern)
{
	char own[KERNEL_CORE_PATTERN_MAX + 1];
	const char *owner = kernel_pattern_owner(pattern);
	int r;

	r = kernel_hook_line(hook, config_path, own, sizeof(own));
	if (r >= 0 && strcmp(pattern, own) == 0) {
		printf("hook:     registered: %s\n", pattern);
		return;
	}
	if (strcmp(owner, "crashd") == 0)
		printf("hook:     NOT registered; core_pattern holds another "
		       "crashd's line (another binary or config): %s\n",
		    pattern);
	else
		printf("hook:     NOT registered; core_pattern belongs to %s: "
		       "%s\n",
		    owner, pattern);
	if (r >= 0)
		printf("          crashd's line for this config: %s\n", own);
	else
		printf("          crashd's line for this config: none: %s\n",
		    r == -EINVAL ? "a space in the hook's or the config's path"
				 : "longer than the kernel keeps");
}

/*
 * What "crashd-cli install" replaced: the first line of
 * <spool>/.state/saved-core-pattern (its own format, cmd_install.c).
 * Nothing when there is none or we may not read it (it is root's).
 */
static void
print_replaced(int spool_dirfd)
{
	char *data = NULL, *nl;
	size_t len;
	int dfd;

	dfd = open_dir_at(spool_dirfd, SPOOL_STATE);
	if (dfd >= 0 &&
	    read_file_at(dfd, "saved-core-pattern", 8192, &data, &len) >= 0 &&
	    len > 0 && memchr(data, '\0', len) == NULL) {
		nl = memchr(data, '\n', len);
		if (nl)
			*nl = '\0';
		else
			data[len - 1] = '\0';
		if (data[0])
			printf("          replaced %s: %s\n",
			    kernel_pattern_owner(data), data);
	}
	free(data);
	safe_close(dfd);
}

/* The daemon, known by its pid file being write-locked (pidfile.h). */
static void
print_daemon(const char *pid_file)
{
	pid_t pid = 0;
	int r = pidfile_query(pid_file, &pid);

	if (r > 0 && pid > 0)
		printf("daemon:   running, pid %ld\n", (long)pid);
	else if (r > 0)
		printf(
		    "daemon:   running (pid file %s holds no pid)\n", pid_file);
	else if (r == 0)
		printf("daemon:   not running\n");
	else if (r == -EACCES)
		printf(
		    "daemon:   cannot tell: pid file %s is root's\n", pid_file);
	else if (r == -EPERM)
		printf("daemon:   cannot tell: pid file %s is not root's or "
		       "others may write it (not trusted)\n",
		    pid_file);
	else
		printf("daemon:   cannot tell: pid file %s: %s\n", pid_file,
		    strerror(-r));
}

/* What mail and webhook actions have not delivered (yet). */
static void
print_deliveries(int spool_dirfd)
{
	struct queue_entry *v;
	size_t n[2] = { 0, 0 };
	struct queue q;
	int r;

	r = queue_open(spool_dirfd, false, &q);
	if (r == -ENOENT)
		return; /* no mail or webhook action ever ran */
	if (r < 0) {
		printf("delivery: %s\n",
		    r == -EACCES ? "the delivery queue is root's alone"
				 : strerror(-r));
		return;
	}
	for (int l = QUEUE_PENDING; l <= QUEUE_DEAD; l++)
		if (queue_entries(&q, (enum queue_list)l, &v, &n[l]) >= 0)
			free(v);
	queue_close(&q);
	printf("delivery: %zu pending, %zu dead%s\n", n[0], n[1],
	    n[0] + n[1] ? " (crashd-cli deliveries)" : "");
}

int
cmd_status(struct cli *cli, int argc, char **argv)
{
	struct dump_filter f = DUMP_FILTER_NONE;
	char pattern[4096], limit[32], suid[32], a[16], b[16], e[16];
	unsigned long long total = 0;
	struct cli_args args;
	struct hookstate st;
	struct statvfs vfs;
	struct dump_set s;
	struct config c;
	struct spool sp = { -1, -1 };
	const char *hook;
	int r, fd;

	r = cli_args_parse(cli, argc, argv, &args);
	if (r)
		return r == 3 ? 0 : r;
	hook = args.hook;
	if (cli_load_config(cli, &c) < 0)
		return 1;
	if (cli->spool_dir) {
		free(c.spool);
		c.spool = strdup(cli->spool_dir);
		if (c.spool == NULL) {
			config_done(&c);
			return 1;
		}
	}
	if (kernel_read(KERNEL_CORE_PATTERN, pattern, sizeof(pattern)) < 0)
		snprintf(pattern, sizeof(pattern), "?");
	if (kernel_read(KERNEL_CORE_PIPE_LIMIT, limit, sizeof(limit)) < 0)
		snprintf(limit, sizeof(limit), "?");
	if (kernel_read(KERNEL_SUID_DUMPABLE, suid, sizeof(suid)) < 0)
		snprintf(suid, sizeof(suid), "?");
	print_hook(hook, cli->config_path, pattern);
	r = spool_open(c.spool, false, &sp);
	if (r >= 0)
		print_replaced(sp.dirfd);
	printf("          core_pipe_limit %s%s, fs.suid_dumpable %s%s\n", limit,
	    atoi(limit) < 1 ? " (must be >= 1: small cores lose /proc)" : "",
	    suid,
	    strcmp(suid, "2") != 0 ? " (setuid crashes are not seen)" : "");
	print_daemon(c.daemon.pid_file);

	if (r < 0) {
		printf("spool:    %s: %s\n", c.spool, strerror(-r));
		goto out;
	}
	r = dump_set_load(sp.dirfd, &f, &s);
	if (r >= 0) {
		for (size_t i = 0; i < s.n; i++)
			total += s.v[i].size;
		units_format_size(total, a, sizeof(a));
		units_format_size(c.daemon.max_size, b, sizeof(b));
		printf("spool:    %s: %zu dumps, %s (retention max_size %s, "
		       "max_count %u)\n",
		    c.spool, s.n, a, b, c.daemon.max_count);
		if (s.hidden)
			printf(
			    "          %zu more dumps this user may not read\n",
			    s.hidden);
		dump_set_done(&s);
	}
	if (fstatvfs(sp.dirfd, &vfs) == 0) {
		units_format_size(
		    (unsigned long long)vfs.f_bavail * vfs.f_frsize, a,
		    sizeof(a));
		units_format_size(c.hook.keep_free, b, sizeof(b));
		units_format_size(c.hook.spool_max, e, sizeof(e));
		printf(
		    "          %s free on its file system (hook keeps %s free, "
		    "keeps cores while the spool is under %s)\n",
		    a, b, e);
	}
	fd = hookstate_snapshot(sp.dirfd, &st);
	if (fd == -EACCES)
		printf("crashes:  the hook's counters are root's alone\n");
	else if (fd == 0) {
		struct buf line;

		buf_init(&line, 0);
		for (int g = 0; g < _HOOKSTATE_COUNTER_GROUP_MAX; g++) {
			buf_printf(&line, "%s%s", g == 0 ? "" : "; ",
			    g == 0 ? "" : hookstate_counter_group_names[g]);
			buf_puts(&line, g == 0 ? "" : ": ");
			hookstate_counters_phrase(&line, &st.counters,
			    (enum hookstate_counter_group)g);
		}
		printf("crashes:  %s\n", line.data ? line.data : "");
		buf_done(&line);
	} else
		printf("crashes:  no hook counters yet\n");
	print_deliveries(sp.dirfd);
	spool_done(&sp);
	r = 0;
out:
	config_done(&c);
	return r < 0 ? 1 : 0;
}
