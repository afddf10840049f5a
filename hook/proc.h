/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a crashing process through /proc/PID: the pure parsers (tested
 * on fixtures) and the collectors that walk /proc.
 */
#ifndef CRASHD_PROC_H
#define CRASHD_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "buf.h"

struct proc_stat {
	pid_t ppid;
	unsigned long long starttime; /* clock ticks after boot */
	char comm[64]; /* raw bytes between the parentheses */
};

/* Parses /proc/PID/stat, whose comm may hold spaces and ')'. 0 or -EINVAL. */
int proc_parse_stat(const char *data, size_t len, struct proc_stat *ret);

/* Finds "btime N" in /proc/stat. 0 or -EINVAL. */
int proc_parse_btime(const char *data, size_t len, unsigned long long *ret);

/*
 * Appends the unique file-backed paths of a maps file, one per line, in
 * the order they first appear.
 */
int proc_dso_list(const char *maps, size_t len, struct buf *out);

/* One line of /proc/PID/maps that maps a file. */
struct proc_map {
	unsigned long long start, end;
	unsigned long long offset; /* in the file, bytes */
	const char *path; /* into the line; not NUL-terminated */
	size_t path_len;
};

/*
 * Parses the maps line at *pos (up to end) and moves *pos past it.
 * Returns 1 when the line maps a file (ret filled), 0 for any other line
 * (anonymous, "[heap]", malformed), -ENODATA at the end.
 */
int proc_maps_next(const char **pos, const char *end, struct proc_map *ret);

/* Looks uid up in passwd-format text. 1 and *out filled if found, else 0. */
int proc_passwd_name(
    const char *passwd, size_t len, uid_t uid, char *out, size_t size);

/*
 * Opens /proc/PID.  With pidfd >= 0, makes sure pidfd is the process that
 * PID names (a pid reused since the crash is refused with -ESRCH).
 * Returns the directory fd or -errno.
 */
int proc_open_pid(pid_t pid, int pidfd);

/* Appends "FD<TAB>escaped target" for every open fd of the process. */
int proc_list_fds(int procfd, struct buf *out);

/*
 * Appends the process and its ancestors up to pid 1, one per line:
 * "PID<TAB>escaped comm<TAB>argv as shell words".
 */
int proc_ptree(int proc_root, pid_t pid, struct buf *out);

/*
 * Appends "NAME<TAB>ns:[inode]<TAB>host|own" for each namespace, own when
 * it differs from the hook's (the initial ones).
 */
int proc_namespaces(int procfd, struct buf *out);

#endif
