/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli status: is the hook registered (and with what line), is the
 * daemon running, how full is the spool against its caps, and what did
 * the hook count but not store.
 */
#include <ctype.h>
#include <dirent.h>
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
#include "queue.h"
#include "units.h"

/* The pid of a running crashd, or 0. */
static long
daemon_pid(void)
{
	struct dirent *de;
	long found = 0;
	DIR *d = opendir("/proc");

	if (d == NULL)
		return 0;
	while (!found && (de = readdir(d)) != NULL) {
		char path[300], comm[32];

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
		if (kernel_read(path, comm, sizeof(comm)) == 0 &&
		    strcmp(comm, "crashd") == 0)
			found = atol(de->d_name);
	}
	closedir(d);
	return found;
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
cmd_status(const struct cli *cli, int argc, char **argv)
{
	struct dump_filter f = DUMP_FILTER_NONE;
	char pattern[4096], limit[32], suid[32], a[16], b[16], e[16];
	unsigned long long total = 0;
	struct hookstate st;
	struct statvfs vfs;
	struct dump_set s;
	struct config c;
	struct spool sp;
	long pid;
	int r, fd;

	if (argc != 1) {
		fprintf(cli_wants_help(argc, argv) ? stdout : stderr,
		    "Usage: crashd-cli status\n");
		return cli_wants_help(argc, argv) ? 0 : 2;
	}
	if (cli_load_config(cli, &c) < 0)
		return 1;
	if (kernel_read(KERNEL_CORE_PATTERN, pattern, sizeof(pattern)) < 0)
		snprintf(pattern, sizeof(pattern), "?");
	if (kernel_read(KERNEL_CORE_PIPE_LIMIT, limit, sizeof(limit)) < 0)
		snprintf(limit, sizeof(limit), "?");
	if (kernel_read(KERNEL_SUID_DUMPABLE, suid, sizeof(suid)) < 0)
		snprintf(suid, sizeof(suid), "?");
	if (strcmp(kernel_pattern_owner(pattern), "crashd") == 0)
		printf("hook:     registered: %s\n", pattern);
	else
		printf("hook:     NOT registered; core_pattern belongs to %s: "
		       "%s\n",
		    kernel_pattern_owner(pattern), pattern);
	printf("          core_pipe_limit %s%s, fs.suid_dumpable %s%s\n", limit,
	    atoi(limit) < 1 ? " (must be >= 1: small cores lose /proc)" : "",
	    suid,
	    strcmp(suid, "2") != 0 ? " (setuid crashes are not seen)" : "");
	pid = daemon_pid();
	if (pid)
		printf("daemon:   running, pid %ld\n", pid);
	else
		printf("daemon:   not running\n");

	r = spool_open(c.spool, false, &sp);
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
	fd = hookstate_lock(sp.dirfd, false, 1000);
	if (fd == -EACCES)
		printf("crashes:  the hook's counters are root's alone\n");
	else if (fd >= 0 && hookstate_read(fd, &st) == 0)
		printf("crashes:  %llu seen, %llu stored; not stored: %llu "
		       "ignored, "
		       "%llu over a rate limit, %llu failed; cores kept %llu, "
		       "skipped %llu\n",
		    (unsigned long long)st.counters.seen,
		    (unsigned long long)st.counters.stored,
		    (unsigned long long)st.counters.ignored,
		    (unsigned long long)st.counters.rate_limited,
		    (unsigned long long)st.counters.failed,
		    (unsigned long long)st.counters.cores_kept,
		    (unsigned long long)st.counters.cores_skipped);
	else
		printf("crashes:  no hook counters yet\n");
	safe_close(fd);
	print_deliveries(sp.dirfd);
	spool_done(&sp);
	r = 0;
out:
	config_done(&c);
	return r < 0 ? 1 : 0;
}
