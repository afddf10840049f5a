/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading a crashing process through /proc/PID: the pure parsers (tested
 * on fixtures) and the collectors that walk /proc.
 */
#ifndef CRASHD_PROC_H
#define CRASHD_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
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

/* What the hook knows of the crashing process (proc_identify()). */
struct proc_process {
	char *executable; /* NULL when unknown */
	bool deleted; /* unlinked since it started */
	char comm[64];
	char thread_comm[64]; /* of the thread that dumped (%I) */
	bool have_thread_comm;
	struct proc_stat stat;
	bool have_stat;
	char *cgroup; /* proc_read_cgroup() */
	size_t cgroup_len;
	char *maps; /* proc_read_maps() */
	size_t maps_len;
};

/*
 * Reads what the decision and the dump name need of the process at
 * procfd (-1: nothing), tid being the thread that dumped.  Never fails;
 * proc_process_done() frees.
 */
void proc_identify(int procfd, pid_t tid, struct proc_process *ret);
void proc_process_done(struct proc_process *p);

/* Reads /proc/PID/cgroup, /proc/PID/maps into p. 0, -ESRCH or -errno. */
int proc_read_cgroup(int procfd, struct proc_process *p);
int proc_read_maps(int procfd, struct proc_process *p);

/*
 * Reads the file /proc/PID/file, up to cap bytes, or its link's target:
 * 0 or -errno, -ESRCH without procfd.  The caller frees *ret.
 */
int proc_read(
    int procfd, const char *file, size_t cap, char **ret, size_t *ret_len);
int proc_readlink(int procfd, const char *name, char **ret);

/* When the process started, in ms after the epoch. 0 or -errno. */
int proc_start_time(const struct proc_process *p, unsigned long long *ret_ms);

/* Opens /proc/PID/mem: the fd or -errno (-ESRCH without procfd). */
int proc_open_mem(int procfd);

/*
 * Reads len bytes at addr of the process's memory from mem_fd (its
 * /proc/PID/mem) into buf: returns the bytes read, fewer at a hole.
 */
uint64_t proc_mem_read(int mem_fd, uint64_t addr, void *buf, uint64_t len);

/* proc_ptree() in the hook's own /proc. */
int proc_ptree_host(pid_t pid, struct buf *out);

#endif
