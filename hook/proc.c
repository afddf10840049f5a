/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * proc.c owns what the hook learns from /proc about the crashing process
 * and its ancestors: every read of /proc the hook makes is here (the
 * libcrashd marker aside, snapshot.c's).  Everything read is capped and
 * every byte that ends up in a line-oriented item is escaped.
 *
 * About 660 lines: the parsers of /proc's formats (the fuzzed half) and
 * the readers that feed them share struct proc_stat and the caps, and
 * splitting them would part one format's reading from its parsing.
 */
#include "proc.h"
#include "array.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fsutil.h"

#define PTREE_MAX_DEPTH 64
#define PTREE_ARGV_CAP (64 * 1024)
/*
 * Caps on what is read from /proc for the hook's own use; what an item
 * keeps of it is hook.items' (policy_item_cap()).
 */
#define CAP_SMALL (64 * 1024)
#define CAP_MAPS (32 * 1024 * 1024)

int
proc_parse_stat(const char *data, size_t len, struct proc_stat *ret)
{
	const char *open, *close = NULL, *p, *end = data + len;
	struct proc_stat st = { 0 };
	unsigned long long v;
	size_t n;
	int field;

	open = memchr(data, '(', len);
	if (open == NULL)
		return -EINVAL;
	/* comm may contain ')': the last one closes it. */
	for (p = end; p > open; p--)
		if (p[-1] == ')') {
			close = p - 1;
			break;
		}
	if (close == NULL)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(st.comm))
		n = sizeof(st.comm) - 1;
	memcpy(st.comm, open + 1, n);
	/* Field 3 (state) follows ") "; ppid is field 4, starttime 22. */
	p = close + 1;
	for (field = 3; field <= 22; field++) {
		while (p < end && *p == ' ')
			p++;
		if (p >= end)
			return -EINVAL;
		if (field == 4 || field == 22) {
			char *e;
			char tmp[32];
			size_t k = 0;

			while (p + k < end && k < sizeof(tmp) - 1 &&
			    isdigit((unsigned char)p[k]))
				k++;
			/* The whole field: not "5x", nor the end of a cut line.
			 */
			if (k == 0 || p + k >= end ||
			    (p[k] != ' ' && p[k] != '\n'))
				return -EINVAL;
			memcpy(tmp, p, k);
			tmp[k] = '\0';
			errno = 0;
			v = strtoull(tmp, &e, 10);
			if (errno == ERANGE || (field == 4 && v > INT_MAX))
				return -EINVAL;
			if (field == 4)
				st.ppid = (pid_t)v;
			else
				st.starttime = v;
		}
		while (p < end && *p != ' ')
			p++;
	}
	*ret = st;
	return 0;
}

int
proc_parse_btime(const char *data, size_t len, unsigned long long *ret)
{
	const char *p = data, *end = data + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 6 && memcmp(p, "btime ", 6) == 0) {
			unsigned long long v;
			char tmp[32], *e;

			if (n - 6 >= sizeof(tmp))
				return -EINVAL;
			memcpy(tmp, p + 6, n - 6);
			tmp[n - 6] = '\0';
			if (!isdigit((unsigned char)tmp[0]))
				return -EINVAL;
			errno = 0;
			v = strtoull(tmp, &e, 10);
			if (*e != '\0' || errno == ERANGE)
				return -EINVAL;
			*ret = v;
			return 0;
		}
		p += n + 1;
	}
	return -EINVAL;
}

/*
 * Returns the pathname field of one maps line ("addr perms offset dev
 * inode   pathname") when it names a file, else NULL.  The pathname is the
 * rest of the line and may hold spaces; "[heap]", "[anon:a/b]" and
 * anonymous mappings name no file.
 */
static const char *
maps_line_file(const char *line, size_t n, size_t *ret_n)
{
	const char *p = line, *end = line + n;

	for (int field = 0; field < 5; field++) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			return NULL;
		while (p < end && *p != ' ')
			p++;
	}
	while (p < end && *p == ' ')
		p++;
	if (p == end || *p != '/')
		return NULL;
	*ret_n = (size_t)(end - p);
	return p;
}

int
proc_maps_next(const char **pos, const char *end, struct proc_map *ret)
{
	const char *line = *pos, *nl, *path;
	unsigned long long start, end_addr, offset;
	char head[128], *e;
	size_t n, pn = 0;

	if (line >= end)
		return -ENODATA;
	nl = memchr(line, '\n', (size_t)(end - line));
	n = nl ? (size_t)(nl - line) : (size_t)(end - line);
	*pos = line + n + (nl ? 1 : 0);
	path = maps_line_file(line, n, &pn);
	if (path == NULL)
		return 0;
	/* "start-end perms offset ...": the numbers are in the first bytes. */
	memcpy(head, line, n < sizeof(head) - 1 ? n : sizeof(head) - 1);
	head[n < sizeof(head) - 1 ? n : sizeof(head) - 1] = '\0';
	errno = 0;
	start = strtoull(head, &e, 16);
	if (e == head || *e != '-')
		return 0;
	end_addr = strtoull(e + 1, &e, 16);
	if (*e != ' ' || end_addr <= start)
		return 0;
	e = strchr(e + 1, ' '); /* past the permissions */
	if (e == NULL)
		return 0;
	offset = strtoull(e + 1, &e, 16);
	if (*e != ' ' || errno == ERANGE)
		return 0;
	*ret = (struct proc_map){ start, end_addr, offset, path, pn };
	return 1;
}

/*
 * The paths already listed, by hash: a process may map tens of thousands
 * of files, and comparing each with every earlier line took seconds while
 * the kernel held the crashing process.
 */
struct path_set {
	struct path_ref {
		const char *p;
		size_t n;
	} * slots;
	size_t cap; /* a power of two */
	size_t used;
};

static size_t
path_hash(const char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

/* Returns 1 when p was added, 0 when it was there already, or -ENOMEM. */
static int
path_set_add(struct path_set *s, const char *p, size_t n)
{
	size_t i;

	if (2 * (s->used + 1) > s->cap) {
		size_t ncap = s->cap ? 2 * s->cap : 64;
		struct path_ref *ns = calloc(ncap, sizeof(*ns));

		if (ns == NULL)
			return -ENOMEM;
		for (size_t j = 0; j < s->cap; j++) {
			if (s->slots[j].p == NULL)
				continue;
			i = path_hash(s->slots[j].p, s->slots[j].n) &
			    (ncap - 1);
			while (ns[i].p)
				i = (i + 1) & (ncap - 1);
			ns[i] = s->slots[j];
		}
		free(s->slots);
		s->slots = ns;
		s->cap = ncap;
	}
	for (i = path_hash(p, n) & (s->cap - 1); s->slots[i].p;
	     i = (i + 1) & (s->cap - 1))
		if (s->slots[i].n == n && memcmp(s->slots[i].p, p, n) == 0)
			return 0;
	s->slots[i].p = p;
	s->slots[i].n = n;
	s->used++;
	return 1;
}

int
proc_dso_list(const char *maps, size_t len, struct buf *out)
{
	struct path_set seen = { NULL, 0, 0 };
	const char *p = maps, *end = maps + len;
	int r = 0;

	while (p < end && r >= 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p), pn = 0;
		const char *path = maps_line_file(p, n, &pn);

		if (path) {
			r = path_set_add(&seen, path, pn);
			if (r > 0) {
				r = buf_append(out, path, pn);
				if (r >= 0)
					r = buf_putc(out, '\n');
			}
		}
		p += n + 1;
	}
	free(seen.slots);
	return r < 0 ? r : 0;
}

int
proc_passwd_name(
    const char *passwd, size_t len, uid_t uid, char *out, size_t size)
{
	const char *p = passwd, *end = passwd + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *c1 = memchr(p, ':', n), *c2, *c3;

		if (c1) {
			c2 = memchr(c1 + 1, ':', (size_t)(p + n - c1 - 1));
			c3 = c2 ? memchr(c2 + 1, ':', (size_t)(p + n - c2 - 1))
				: NULL;
			if (c3 && c3 > c2 + 1 && (size_t)(c3 - c2 - 1) < 16) {
				char num[16];
				char *e;
				unsigned long v;

				memcpy(num, c2 + 1, (size_t)(c3 - c2 - 1));
				num[c3 - c2 - 1] = '\0';
				v = strtoul(num, &e, 10);
				if (*e == '\0' &&
				    isdigit((unsigned char)num[0]) &&
				    v == uid && (size_t)(c1 - p) < size) {
					memcpy(out, p, (size_t)(c1 - p));
					out[c1 - p] = '\0';
					return 1;
				}
			}
		}
		p += n + 1;
	}
	return 0;
}

/* Returns the "Pid:" of a pidfd (-1 once the process is reaped), or -errno. */
static int
pidfd_pid(int pidfd, pid_t *ret)
{
	char path[64], *data = NULL, *p;
	size_t len;
	int r;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", pidfd);
	r = read_file_at(AT_FDCWD, path, 4096, &data, &len);
	if (r < 0)
		return r;
	p = strstr(data, "\nPid:");
	if (p == NULL) {
		free(data);
		return -EBADF;
	}
	*ret = (pid_t)strtol(p + 5, NULL, 10);
	free(data);
	return 0;
}

int
proc_open_pid(pid_t pid, int pidfd)
{
	char path[32];
	pid_t check;
	int fd, r;

	if (pidfd >= 0) {
		r = pidfd_pid(pidfd, &check);
		if (r < 0)
			return r;
		if (check != pid)
			return -ESRCH;
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/*
	 * While the process is not reaped its pid cannot be reused, so the
	 * directory opened between two successful checks is the one.
	 */
	if (pidfd >= 0) {
		r = pidfd_pid(pidfd, &check);
		if (r < 0 || check != pid) {
			safe_close(fd);
			return r < 0 ? r : -ESRCH;
		}
	}
	return fd;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

int
proc_list_fds(int procfd, struct buf *out)
{
	int *fds = NULL, r = 0;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	r = opendir_at(procfd, "fd", &d);
	if (r < 0)
		return r;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (n == cap) {
			int *nf = array_grow(fds, &cap, n, sizeof(*fds), 64);

			if (nf == NULL) {
				r = -ENOMEM;
				goto out;
			}
			fds = nf;
		}
		fds[n++] = atoi(de->d_name);
	}
	qsort(fds, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n && r >= 0; i++) {
		char name[16], *target = NULL;

		snprintf(name, sizeof(name), "%d", fds[i]);
		if (readlink_alloc_at(dirfd(d), name, &target) < 0)
			continue; /* closed meanwhile */
		r = buf_printf(out, "%d\t", fds[i]);
		if (r >= 0)
			r = escape_c(out, target, strlen(target));
		if (r >= 0)
			r = buf_putc(out, '\n');
		free(target);
	}
out:
	free(fds);
	closedir(d);
	return r;
}

static int
ptree_line(int pfd, pid_t pid, struct buf *out, pid_t *ret_ppid)
{
	char *stat = NULL, *cmdline = NULL;
	size_t stat_len, cmd_len = 0;
	struct proc_stat st;
	int r;

	r = read_file_at(pfd, "stat", 4096, &stat, &stat_len);
	if (r < 0)
		return r;
	r = proc_parse_stat(stat, stat_len, &st);
	free(stat);
	if (r < 0)
		return r;
	if (read_file_at(pfd, "cmdline", PTREE_ARGV_CAP, &cmdline, &cmd_len) <
	    0)
		cmd_len = 0;
	r = buf_printf(out, "%d\t", (int)pid);
	if (r >= 0)
		r = escape_c(out, st.comm, strlen(st.comm));
	if (r >= 0)
		r = buf_putc(out, '\t');
	if (r >= 0 && cmdline)
		r = escape_argv(out, cmdline, cmd_len);
	if (r >= 0)
		r = buf_putc(out, '\n');
	free(cmdline);
	*ret_ppid = st.ppid;
	return r;
}

int
proc_ptree(int proc_root, pid_t pid, struct buf *out)
{
	int r = 0;

	for (int depth = 0; depth < PTREE_MAX_DEPTH && pid > 0; depth++) {
		char name[16];
		pid_t ppid = 0;
		int pfd;

		snprintf(name, sizeof(name), "%d", (int)pid);
		pfd = open_dir_at(proc_root, name);
		if (pfd < 0)
			return depth > 0 ? 0 : pfd; /* the parent exited */
		r = ptree_line(pfd, pid, out, &ppid);
		safe_close(pfd);
		if (r < 0)
			return r;
		pid = ppid;
	}
	return r;
}

int
proc_namespaces(int procfd, struct buf *out)
{
	static const char *const names[] = { "cgroup", "ipc", "mnt", "net",
		"pid", "pid_for_children", "time", "time_for_children", "user",
		"uts" };
	int r = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]) && r >= 0;
	     i++) {
		char path[64], *theirs = NULL, *ours = NULL;

		snprintf(path, sizeof(path), "ns/%s", names[i]);
		if (readlink_alloc_at(procfd, path, &theirs) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", names[i]);
		(void)readlink_alloc_at(AT_FDCWD, path, &ours);
		r = buf_printf(out, "%s\t%s\t%s\n", names[i], theirs,
		    ours && strcmp(ours, theirs) == 0 ? "host" : "own");
		free(theirs);
		free(ours);
	}
	return r;
}

int
proc_read(int procfd, const char *file, size_t cap, char **ret, size_t *ret_len)
{
	if (procfd < 0)
		return -ESRCH;
	return read_file_at(procfd, file, cap, ret, ret_len);
}

int
proc_readlink(int procfd, const char *name, char **ret)
{
	if (procfd < 0)
		return -ESRCH;
	return readlink_alloc_at(procfd, name, ret);
}

/* Reads a comm file (at most 15 bytes and a newline) into out[64]. */
static int
read_comm(int procfd, const char *file, char *out)
{
	char *data = NULL;
	size_t len;
	int r;

	r = read_file_at(procfd, file, 64, &data, &len);
	if (r < 0)
		return r;
	if (len > 0 && data[len - 1] == '\n')
		len--;
	if (len > 63)
		len = 63;
	memcpy(out, data, len);
	out[len] = '\0';
	free(data);
	return 0;
}

void
proc_identify(int procfd, pid_t tid, struct proc_process *p)
{
	char *data = NULL, path[64];
	size_t len;
	struct stat st;

	memset(p, 0, sizeof(*p));
	if (procfd < 0)
		return;
	if (readlink_alloc_at(procfd, "exe", &p->executable) == 0 &&
	    fstatat(procfd, "exe", &st, 0) == 0 && st.st_nlink == 0) {
		/* The kernel appends " (deleted)" to an unlinked executable. */
		size_t n = strlen(p->executable);
		const char *suffix = " (deleted)";

		p->deleted = true;
		if (n > strlen(suffix) &&
		    strcmp(p->executable + n - strlen(suffix), suffix) == 0)
			p->executable[n - strlen(suffix)] = '\0';
	}
	if (read_file_at(procfd, "stat", CAP_SMALL, &data, &len) >= 0) {
		p->have_stat = proc_parse_stat(data, len, &p->stat) == 0;
		free(data);
	}
	if (read_comm(procfd, "comm", p->comm) < 0 && p->have_stat)
		memcpy(p->comm, p->stat.comm, sizeof(p->comm));
	/* The thread that crashed may not be the main thread: its name. */
	snprintf(path, sizeof(path), "task/%d/comm", (int)tid);
	p->have_thread_comm = read_comm(procfd, path, p->thread_comm) == 0;
}

void
proc_process_done(struct proc_process *p)
{
	free(p->executable);
	free(p->cgroup);
	free(p->maps);
}

int
proc_read_cgroup(int procfd, struct proc_process *p)
{
	return proc_read(
	    procfd, "cgroup", CAP_SMALL, &p->cgroup, &p->cgroup_len);
}

int
proc_read_maps(int procfd, struct proc_process *p)
{
	return proc_read(procfd, "maps", CAP_MAPS, &p->maps, &p->maps_len);
}

int
proc_start_time(const struct proc_process *p, unsigned long long *ret_ms)
{
	unsigned long long btime;
	char *data = NULL;
	size_t len;
	long hz = sysconf(_SC_CLK_TCK);
	int r;

	if (!p->have_stat || hz <= 0)
		return -ENODATA;
	r = read_file_at(AT_FDCWD, "/proc/stat", CAP_SMALL * 16, &data, &len);
	if (r < 0)
		return r;
	r = proc_parse_btime(data, len, &btime);
	free(data);
	if (r < 0)
		return r;
	*ret_ms =
	    btime * 1000 + p->stat.starttime * 1000 / (unsigned long long)hz;
	return 0;
}

int
proc_open_mem(int procfd)
{
	int fd;

	if (procfd < 0)
		return -ESRCH;
	fd = openat(procfd, "mem", O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

uint64_t
proc_mem_read(int mem_fd, uint64_t addr, void *buf, uint64_t len)
{
	uint64_t got = 0;

	while (got < len) {
		ssize_t n = pread(mem_fd, (char *)buf + got,
		    (size_t)(len - got), (off_t)(addr + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	return got;
}

int
proc_ptree_host(pid_t pid, struct buf *out)
{
	int root = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC), r;

	if (root < 0)
		return -errno;
	r = proc_ptree(root, pid, out);
	safe_close(root);
	return r;
}
