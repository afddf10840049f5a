/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exec_group.c owns what outlives a killed daemon of an exec action: each
 * run is the leader of its own process group, and the group is recorded,
 * durably, before the command may start, as <spool>/.state/exec/<pgid>:
 *   start=TICKS boot=BOOT_ID id=EVENT_ID
 * (start: the leader's start time in clock ticks after boot, from
 * /proc/N/stat; boot: /proc/sys/kernel/random/boot_id).  The file goes
 * when the run is over.  One left there is a run of a daemon that was
 * killed: the command itself died with it (PR_SET_PDEATHSIG), and what
 * it started is killed before the next exec action runs (after a
 * restart, that is the interrupted action run again), so that two runs
 * of one action never overlap.
 */
#include "exec_group.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fsutil.h"
#include "spool.h"

#define GROUP_KILL_WAIT_MS 2000

/* The kernel's boot id (36 bytes), or "" when unreadable. */
static void
boot_id(char out[40])
{
	char *v = NULL;
	size_t len = 0;

	out[0] = '\0';
	if (read_file_at(
		AT_FDCWD, "/proc/sys/kernel/random/boot_id", 64, &v, &len) < 0)
		return;
	while (len > 0 && isspace((unsigned char)v[len - 1]))
		len--;
	snprintf(out, 40, "%.*s", (int)(len < 39 ? len : 39), v);
	free(v);
}

/*
 * What /proc/PID/stat says of pid: its state, process group and start
 * time.  Returns 0, or -errno (-ENOENT: no such process).
 */
static int
proc_stat(
    pid_t pid, char *ret_state, pid_t *ret_pgrp, unsigned long long *ret_start)
{
	char path[64], *v = NULL, *p;
	unsigned long long start = 0;
	long pgrp = 0;
	size_t len = 0;
	char state = 0;
	int field, r;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	r = read_file_at(AT_FDCWD, path, 4096, &v, &len);
	if (r < 0)
		return r;
	/* "PID (COMM) STATE PPID PGRP ...": comm may hold anything. */
	p = strrchr(v, ')');
	r = -EINVAL;
	if (p == NULL || p[1] != ' ')
		goto out;
	p += 2;
	for (field = 3; *p; field++) {
		if (field == 3)
			state = *p;
		else if (field == 5)
			pgrp = strtol(p, NULL, 10);
		else if (field == 22) {
			start = strtoull(p, NULL, 10);
			break;
		}
		p = strchr(p, ' ');
		if (p == NULL)
			goto out;
		p++;
	}
	if (field != 22)
		goto out;
	*ret_state = state;
	*ret_pgrp = (pid_t)pgrp;
	*ret_start = start;
	r = 0;
out:
	free(v);
	return r;
}

#define EXEC_STATE SPOOL_STATE "/exec"

/* <spool>/.state/exec, created if missing; an fd or -errno. */
static int
open_state(int spool_dirfd, bool create)
{
	int fd, r;

	if (create) {
		r = mkdir_at_safe(spool_dirfd, SPOOL_STATE, 0755);
		if (r >= 0)
			r = mkdir_at_safe(spool_dirfd, EXEC_STATE, 0700);
		if (r < 0)
			return r;
	}
	fd = openat(spool_dirfd, EXEC_STATE,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int
exec_group_record(int spool_dirfd, pid_t pgid, const char *id)
{
	unsigned long long start = 0;
	char state, boot[40], name[32], line[512];
	pid_t pgrp;
	int fd, n, r;

	fd = open_state(spool_dirfd, true);
	if (fd < 0)
		return fd;
	boot_id(boot);
	(void)proc_stat(pgid, &state, &pgrp, &start);
	snprintf(name, sizeof(name), "%d", (int)pgid);
	/* The id is for the log: one token, no space or control byte. */
	n = snprintf(line, sizeof(line), "start=%llu boot=%s id=", start,
	    boot[0] ? boot : "-");
	for (const char *p = id; *p && n < (int)sizeof(line) - 2; p++)
		line[n++] = (unsigned char)*p > ' ' && (unsigned char)*p < 0x7f
		    ? *p
		    : '?';
	line[n++] = '\n';
	r = replace_file_at(fd, name, line, (size_t)n, 0600, true);
	safe_close(fd);
	return r;
}

void
exec_group_forget(int spool_dirfd, pid_t pgid)
{
	char name[32];
	int fd = open_state(spool_dirfd, false);

	if (fd < 0)
		return;
	snprintf(name, sizeof(name), "%d", (int)pgid);
	(void)unlinkat(fd, name, 0);
	safe_close(fd);
}

/*
 * The live (not zombie) members of group pgid; with sig, each is sent
 * sig.  Returns how many there were.
 */
static int
members(pid_t pgid, int sig)
{
	struct dirent *de;
	DIR *d = opendir("/proc");
	int n = 0;

	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		unsigned long long start;
		char state;
		pid_t pid, pgrp;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (proc_stat(pid, &state, &pgrp, &start) < 0 || pgrp != pgid ||
		    state == 'Z' || state == 'X')
			continue;
		n++;
		if (sig)
			(void)kill(pid, sig);
	}
	closedir(d);
	return n;
}

/*
 * One recorded group: kills what is left of it (when it is still that
 * group) and waits for it to be gone.  Returns how many were killed.
 */
static int
kill_one(pid_t pgid, unsigned long long start, const char *boot,
    const char *now_boot)
{
	unsigned long long leader_start;
	char state;
	pid_t pgrp;
	int n;

	if (pgid <= 1 || pgid == getpgrp() || strcmp(boot, now_boot) != 0)
		return 0; /* another boot: nothing of it runs */
	/*
	 * The leader alive (or a zombie) with another start time: the pid
	 * is another process's now.  Gone: a pid stays taken while it names
	 * a group, so members of group pgid are the recorded run's.
	 */
	if (proc_stat(pgid, &state, &pgrp, &leader_start) == 0 &&
	    leader_start != start)
		return 0;
	n = members(pgid, SIGKILL);
	for (int waited = 0; n > 0 && waited < GROUP_KILL_WAIT_MS;
	     waited += 10) {
		const struct timespec tick = { 0, 10 * 1000 * 1000 };

		if (members(pgid, 0) == 0)
			break;
		nanosleep(&tick, NULL);
	}
	return n;
}

int
exec_group_kill_leftovers(int spool_dirfd, struct buf *note)
{
	char now_boot[40];
	struct dirent *de;
	DIR *dir = NULL;
	int fd, total = 0, r;

	fd = open_state(spool_dirfd, false);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	r = opendir_at(fd, ".", &dir);
	if (r < 0) {
		safe_close(fd);
		return r;
	}
	boot_id(now_boot);
	while ((de = readdir(dir)) != NULL) {
		unsigned long long start;
		char *v = NULL, boot[40], id[256];
		size_t len = 0;
		int pgid, n;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pgid = atoi(de->d_name);
		if (read_file_at(fd, de->d_name, 1024, &v, &len) < 0)
			continue;
		if (sscanf(v, "start=%llu boot=%39s id=%255s", &start, boot,
			id) == 3) {
			n = kill_one((pid_t)pgid, start, boot, now_boot);
			if (n > 0)
				buf_printf(note,
				    "killed %d process%s left by the run of %s "
				    "(group %d) a killed crashd started, ",
				    n, n == 1 ? "" : "es", id, pgid);
			total += n;
		}
		free(v);
		(void)unlinkat(fd, de->d_name, 0);
	}
	closedir(dir);
	safe_close(fd);
	return total;
}
