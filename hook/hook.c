/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * hook.c owns one crash from start to publish, in the order DESIGN.md
 * requires: /proc first (the kernel keeps it only while the core pipe is
 * open), then the decision, the metadata, the core, and last the one
 * rename that publishes the dump.  Failures degrade the dump; they never
 * lose the crash or hold the process for long.
 */
#include "hook.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "clock.h"
#include "container.h"
#include "core.h"
#include "escape.h"
#include "fsutil.h"
#include "hookstate.h"
#include "log.h"
#include "minicore.h"
#include "policy.h"
#include "proc.h"
#include "signame.h"
#include "snapshot.h"
#include "spool.h"

/*
 * Caps on what is read from /proc for the hook's own use; what an item
 * keeps of it is hook.items' (policy_item_cap()).
 */
#define CAP_SMALL (64 * 1024)
#define CAP_MAPS (32 * 1024 * 1024)
#define CAP_PASSWD (16 * 1024 * 1024)
/* What an item is charged for: whole file system blocks. */
#define ITEM_BLOCK 4096
/* Kept of a dump's room for what is written last: core_info, incomplete. */
#define ROOM_TAIL (3 * ITEM_BLOCK)
/* How often a dump may ask for more room (room_grow()). */
#define ROOM_GROWS 4
#define STATE_LOCK_TIMEOUT_MS 200
/* A thread's stack in a minicore: deep recursion is cut, not lost. */
#define MINI_STACK_MAX (256 * 1024)

struct dump {
	const struct config *c;
	const struct hook_args *a;
	int procfd;
	int dirfd; /* the dump directory in .incoming */
	bool share; /* grant the crashing uid read access */
	struct buf missing; /* "item: why" for each item not written */
	bool no_space; /* an item hit ENOSPC or EDQUOT */
	/*
	 * The policy's room for the whole dump (UINT64_MAX: none), what its
	 * items were charged so far, and why the room is what it is.
	 */
	uint64_t room;
	uint64_t used;
	const char *room_reason;
	/*
	 * What room may grow to (room_grow(), asked grows times), and what
	 * of it is charged to the state's spool_bytes, settled at the end.
	 */
	uint64_t room_max;
	uint64_t reserved;
	int grows;
	int spool_dirfd;
	bool identity_only; /* below keep_free: identifying items only */
	/* An identifying item could not be written: not published. */
	int identity_error;
	/*
	 * When no core is kept, items are held in memory and written after
	 * the pipe is released: the kernel lets the process go once /proc
	 * is read, not once 30 files are written.
	 */
	bool defer;
	struct deferred_item *deferred;
	size_t n_deferred;
};

struct deferred_item {
	char name[32];
	char *data;
	size_t len;
};

static int
parse_long(const char *s, long long min, long long max, long long *ret)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < min || v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

int
hook_args_parse(int argc, char **argv, struct hook_args *ret)
{
	struct hook_args a = { .pidfd = -1 };
	unsigned long long rl;
	long long v[9];
	char *end;

	if (argc != 10 && argc != 11)
		return -EINVAL;
	for (int i = 0; i < 9; i++) {
		if (i == 4)
			continue; /* %c is unsigned 64-bit */
		if (parse_long(argv[i], 0, LLONG_MAX, &v[i]) < 0)
			return -EINVAL;
	}
	errno = 0;
	rl = strtoull(argv[4], &end, 10);
	if (errno || end == argv[4] || *end != '\0')
		return -EINVAL;
	if (v[0] <= 0 || v[0] > INT_MAX || v[1] > INT_MAX || v[2] > INT_MAX ||
	    v[3] > 64 || v[5] > UINT32_MAX || v[6] > UINT32_MAX || v[8] > 2)
		return -EINVAL;
	a.pid = (pid_t)v[0];
	a.ns_pid = (pid_t)v[1];
	a.tid = (pid_t)v[2];
	a.signal = (int)v[3];
	a.rlimit_core = rl;
	a.uid = (uid_t)v[5];
	a.gid = (gid_t)v[6];
	a.time = v[7];
	a.dumpable = (int)v[8];
	a.hostname = argv[9];
	if (argc == 11) {
		long long fd;

		/* An older kernel leaves %F empty or as it is. */
		if (parse_long(argv[10], 3, INT_MAX, &fd) == 0 &&
		    fcntl((int)fd, F_GETFD) >= 0)
			a.pidfd = (int)fd;
	}
	*ret = a;
	return 0;
}

static void
note_missing(struct dump *d, const char *item, int r)
{
	buf_printf(&d->missing, "%s: %s\n", item, strerror(r < 0 ? -r : r));
}

static int item_write(
    struct dump *d, const char *name, const void *data, size_t len);

/* Holds an item for item_flush(); 0, or -ENOMEM (then write it now). */
static int
item_defer(struct dump *d, const char *name, const void *data, size_t len)
{
	struct deferred_item *v, *it;

	if (strlen(name) >= sizeof(it->name))
		return -ENAMETOOLONG;
	v = realloc(d->deferred, (d->n_deferred + 1) * sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	d->deferred = v;
	it = &v[d->n_deferred];
	it->data = malloc(len ? len : 1);
	if (it->data == NULL)
		return -ENOMEM;
	memcpy(it->data, data, len);
	it->len = len;
	strcpy(it->name, name);
	d->n_deferred++;
	return 0;
}

/* Writes the held items, in the order they came. */
static void
item_flush(struct dump *d)
{
	d->defer = false;
	for (size_t i = 0; i < d->n_deferred; i++) {
		struct deferred_item *it = &d->deferred[i];

		(void)item_write(d, it->name, it->data, it->len);
		free(it->data);
	}
	free(d->deferred);
	d->deferred = NULL;
	d->n_deferred = 0;
}

/*
 * What identifies the crash (write_identity()): never cut, never left
 * out for room; a dump that lacks one is not published.
 */
static bool
item_identifies(const char *name)
{
	static const char *const names[] = { "version", "time", "pid", "ns_pid",
		"tid", "signal", "signal_name", "uid", "gid", "dumpable",
		"hostname", "kernel", "executable", "executable_deleted",
		"comm", "thread_comm", "reason" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return true;
	return false;
}

/* The hook's own small records, charged but never cut. */
static bool
item_bookkeeping(const char *name)
{
	return strcmp(name, "core_info") == 0 ||
	    strcmp(name, "incomplete") == 0;
}

/* Whole blocks: what len bytes take on disk, about. */
static uint64_t
item_charge(size_t len)
{
	return ((uint64_t)len + ITEM_BLOCK - 1) / ITEM_BLOCK * ITEM_BLOCK;
}

/* What is left of the dump's room for items and core, after the tail. */
static uint64_t
room_left(const struct dump *d)
{
	if (d->room == UINT64_MAX)
		return UINT64_MAX;
	return d->room > d->used + ROOM_TAIL ? d->room - d->used - ROOM_TAIL
					     : 0;
}

/*
 * Asks the state for need bytes more of the room the policy allowed this
 * dump (policy_grow()), at most ROOM_GROWS times; without the lock in
 * time, the room stays.
 */
static void
room_grow(struct dump *d, uint64_t need)
{
	struct hookstate st;
	uint64_t more;
	int fd;

	if (d->grows >= ROOM_GROWS || d->room >= d->room_max)
		return;
	d->grows++;
	fd = hookstate_lock(d->spool_dirfd, false, STATE_LOCK_TIMEOUT_MS);
	if (fd < 0)
		return;
	if (hookstate_read(fd, &st) == 0) {
		(void)hookstate_fold(d->spool_dirfd, &st);
		more =
		    policy_grow(&d->c->hook, &st, d->room, d->room_max, need);
		if (more > 0 && hookstate_write(fd, &st) == 0) {
			d->room += more;
			d->reserved += more;
		}
	}
	safe_close(fd);
}

/* The free bytes above the floor on the spool's file system, now. */
static uint64_t
fs_left(const struct dump *d)
{
	uint64_t floor = POLICY_FLOOR(d->c->hook.keep_free), free_bytes;
	struct statvfs vfs;

	if (fstatvfs(d->dirfd, &vfs) < 0)
		return UINT64_MAX;
	free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	return free_bytes > floor ? free_bytes - floor : 0;
}

/*
 * Cuts an item to keep bytes at most, at the end of its last whole line
 * (or NUL-separated string: cmdline, environ) when there is one.
 */
static size_t
item_cut(const char *name, const char *data, size_t keep)
{
	char sep = strcmp(name, "cmdline") == 0 || strcmp(name, "environ") == 0
	    ? '\0'
	    : '\n';

	for (size_t i = keep; i > 0; i--)
		if (data[i - 1] == sep)
			return i;
	return keep;
}

/*
 * The bytes of an item of len bytes that are kept, within its cap and
 * the dump's room; what is cut or left out is noted in "incomplete".
 */
static size_t
item_allowed(struct dump *d, const char *name, const char *data, size_t len)
{
	const char *key, *why;
	uint64_t cap, left;
	size_t keep;

	if (item_identifies(name) || item_bookkeeping(name))
		return len;
	if (d->identity_only) {
		buf_printf(&d->missing,
		    "%s: not written: keep_free floor reached, only the "
		    "identifying items are kept\n",
		    name);
		return 0;
	}
	cap = policy_item_cap(&d->c->hook, name, &key);
	left = room_left(d);
	if (left < cap && left < item_charge(len)) {
		room_grow(d, item_charge(len) - left);
		left = room_left(d);
	}
	why = key;
	if (left < cap) {
		cap = left;
		why = d->room_reason && strcmp(d->room_reason, "keep_free") == 0
		    ? "the dump's room above hook.limits.keep_free"
		    : "the dump's room under hook.limits.spool_max";
	}
	/*
	 * The disk as it is now (other crashes are being written too): the
	 * floor is left to identifying items.
	 */
	left = fs_left(d);
	if (left < cap) {
		cap = left;
		why = "the space kept free for identifying items";
	}
	if (len <= cap)
		return len;
	keep = cap == 0 ? 0 : item_cut(name, data, (size_t)cap);
	if (keep == 0)
		buf_printf(&d->missing, "%s: not written: %zu bytes, over %s\n",
		    name, len, why);
	else
		buf_printf(&d->missing, "%s: truncated at %zu bytes (%s)\n",
		    name, keep, why);
	return keep;
}

/*
 * Creates one item (or holds it, see defer), cut to what item_allowed()
 * keeps and charged to the dump's room; never fatal.
 */
static int
item_put(struct dump *d, const char *name, const void *data, size_t len)
{
	if (len > 0 && data != NULL) {
		size_t keep = item_allowed(d, name, data, len);

		if (keep == 0 && !item_identifies(name) &&
		    !item_bookkeeping(name))
			return 0;
		len = keep;
	}
	d->used += item_charge(len);
	if (d->defer && item_defer(d, name, data, len) == 0)
		return 0;
	return item_write(d, name, data, len);
}

/* Writes one item; a failure is recorded in "incomplete". */
static int
item_write(struct dump *d, const char *name, const void *data, size_t len)
{
	int fd;

	fd = spool_write_item(d->dirfd, name, data, len, 0640);
	if (fd < 0) {
		if (fd == -ENOSPC || fd == -EDQUOT)
			d->no_space = true;
		if (item_identifies(name) && d->identity_error == 0)
			d->identity_error = fd;
		note_missing(d, name, fd);
		return fd;
	}
	if (d->share)
		(void)acl_grant_read(fd, d->a->uid, false);
	safe_close(fd);
	return 0;
}

static int item_printf(struct dump *d, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
item_printf(struct dump *d, const char *name, const char *fmt, ...)
{
	char tmp[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n > sizeof(tmp) - 2)
		n = sizeof(tmp) - 2;
	tmp[n++] = '\n';
	return item_put(d, name, tmp, (size_t)n);
}

/* An item holding raw bytes followed by one newline (readers strip it). */
static int
item_line(struct dump *d, const char *name, const char *s, size_t len)
{
	struct buf b;
	int r;

	buf_init(&b, len + 2);
	r = buf_append(&b, s, len);
	if (r >= 0)
		r = buf_putc(&b, '\n');
	if (r >= 0)
		r = item_put(d, name, b.data, b.len);
	else
		note_missing(d, name, r);
	buf_done(&b);
	return r;
}

/*
 * An item built in b; r < 0 is why it could not be.  A buffer that hit
 * its cap (-E2BIG, made cap + 1 by item_buf_init()) keeps what it holds,
 * which item_put() cuts and notes.
 */
static int
item_buf(struct dump *d, const char *name, int r, const struct buf *b)
{
	if (r == -E2BIG && b->len > 0) {
		const char *key;
		uint64_t cap = policy_item_cap(&d->c->hook, name, &key);

		/* Longer than the cap: at least one byte over it. */
		if (b->len <= cap) {
			buf_printf(&d->missing,
			    "%s: truncated at %zu bytes (%s)\n", name, b->len,
			    key);
			return item_put(d, name, b->data, b->len);
		}
		r = 0;
	}
	if (r < 0) {
		note_missing(d, name, r);
		return r;
	}
	return item_put(d, name, b->data ? b->data : "", b->len);
}

/* A buffer for item name: one byte over its cap, so a cut shows. */
static void
item_buf_init(struct dump *d, struct buf *b, const char *name)
{
	const char *key;
	uint64_t cap = policy_item_cap(&d->c->hook, name, &key);

	buf_init(b, (size_t)cap + 1 + ITEM_BLOCK);
}

/*
 * Copies a /proc/PID file as an item, read up to one byte past its cap:
 * item_put() cuts it there and records it.
 */
static int
item_copy(struct dump *d, const char *name, const char *file)
{
	char *data = NULL;
	const char *key;
	size_t len = 0;
	int r;

	if (d->procfd < 0) {
		note_missing(d, name, -ESRCH);
		return -ESRCH;
	}
	r = read_file_at(d->procfd, file,
	    (size_t)policy_item_cap(&d->c->hook, name, &key) + 1, &data, &len);
	if (r < 0) {
		note_missing(d, name, r);
		return r;
	}
	r = item_put(d, name, data, len);
	free(data);
	return r;
}

struct process {
	char *executable; /* NULL when unknown */
	bool deleted;
	char comm[64];
	char thread_comm[64]; /* of the thread that dumped (%I) */
	bool have_thread_comm;
	struct proc_stat stat;
	bool have_stat;
	char *cgroup;
	size_t cgroup_len;
	char *maps;
	size_t maps_len;
};

static void
process_done(struct process *p)
{
	free(p->executable);
	free(p->cgroup);
	free(p->maps);
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

/* Reads what the decision and the dump name need. Never fails. */
static void
process_identify(int procfd, const struct hook_args *a, struct process *p)
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
	snprintf(path, sizeof(path), "task/%d/comm", (int)a->tid);
	p->have_thread_comm = read_comm(procfd, path, p->thread_comm) == 0;
}

static const char *
exe_basename(const struct process *p)
{
	const char *s;

	if (p->executable == NULL)
		return p->comm;
	s = strrchr(p->executable, '/');
	return s ? s + 1 : p->executable;
}

static void
write_identity(struct dump *d, const struct process *p, const char *signame)
{
	const struct hook_args *a = d->a;
	struct utsname u;
	struct buf b;
	int r;

	item_printf(d, "version", "%d", SPOOL_VERSION);
	item_printf(d, "time", "%lld", (long long)a->time);
	item_printf(d, "pid", "%d", (int)a->pid);
	item_printf(d, "ns_pid", "%d", (int)a->ns_pid);
	item_printf(d, "tid", "%d", (int)a->tid);
	item_printf(d, "signal", "%d", a->signal);
	item_printf(d, "signal_name", "%s", signame);
	item_printf(d, "uid", "%u", (unsigned)a->uid);
	item_printf(d, "gid", "%u", (unsigned)a->gid);
	item_printf(d, "dumpable", "%d", a->dumpable);
	item_line(d, "hostname", a->hostname, strlen(a->hostname));
	if (uname(&u) == 0)
		item_line(d, "kernel", u.release, strlen(u.release));
	if (p->executable)
		item_line(
		    d, "executable", p->executable, strlen(p->executable));
	else
		note_missing(d, "executable", -ESRCH);
	if (p->deleted)
		item_printf(d, "executable_deleted", "1");
	item_line(d, "comm", p->comm, strlen(p->comm));
	if (p->have_thread_comm)
		item_line(
		    d, "thread_comm", p->thread_comm, strlen(p->thread_comm));
	else
		note_missing(d, "thread_comm", -ESRCH);

	buf_init(&b, 4096);
	r = escape_c(&b, exe_basename(p), strlen(exe_basename(p)));
	if (r >= 0)
		r = buf_printf(&b, " killed by %s\n", signame);
	item_buf(d, "reason", r, &b);
	buf_done(&b);
}

static void
write_username(struct dump *d)
{
	char *passwd = NULL, name[256];
	size_t len;

	if (read_file_at(AT_FDCWD, "/etc/passwd", CAP_PASSWD, &passwd, &len) <
	    0)
		return;
	/* Not NSS: a hook must not wait on LDAP while a process hangs. */
	if (proc_passwd_name(passwd, len, d->a->uid, name, sizeof(name)) > 0)
		item_line(d, "username", name, strlen(name));
	free(passwd);
}

static void
write_start_time(struct dump *d, const struct process *p)
{
	unsigned long long btime, ms;
	char *data = NULL;
	size_t len;
	long hz = sysconf(_SC_CLK_TCK);
	int r;

	if (!p->have_stat || hz <= 0)
		return note_missing(d, "start_time", -ENODATA);
	r = read_file_at(AT_FDCWD, "/proc/stat", CAP_SMALL * 16, &data, &len);
	if (r < 0)
		return note_missing(d, "start_time", r);
	r = proc_parse_btime(data, len, &btime);
	free(data);
	if (r < 0)
		return note_missing(d, "start_time", r);
	ms = p->stat.starttime * 1000 / (unsigned long long)hz;
	item_printf(
	    d, "start_time", "%llu.%03llu", btime + ms / 1000, ms % 1000);
}

static void
write_links(struct dump *d)
{
	static const char *const links[] = { "cwd", "root" };

	for (size_t i = 0; i < 2; i++) {
		char *target = NULL;
		int r = d->procfd < 0
		    ? -ESRCH
		    : readlink_alloc_at(d->procfd, links[i], &target);

		if (r < 0) {
			note_missing(d, links[i], r);
			continue;
		}
		item_line(d, links[i], target, strlen(target));
		free(target);
	}
}

static void
write_namespaces(struct dump *d, const struct process *p)
{
	struct container ct;
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = d->procfd < 0 ? -ESRCH : proc_namespaces(d->procfd, &b);
	if (r >= 0 && p->cgroup &&
	    container_from_cgroup(p->cgroup, p->cgroup_len, &ct) > 0) {
		if (ct.id[0])
			r = buf_printf(
			    &b, "container\t%s\t%s\n", ct.runtime, ct.id);
		if (r >= 0 && ct.unit[0]) {
			r = buf_puts(&b, "unit\t");
			if (r >= 0)
				r = escape_c(&b, ct.unit, strlen(ct.unit));
			if (r >= 0)
				r = buf_putc(&b, '\n');
		}
	}
	item_buf(d, "namespaces", r, &b);
	buf_done(&b);
}

/* kind: a libcrashd snapshot says so (snapshot.h); a crash has none. */
static void
write_kind(struct dump *d)
{
	struct buf reason;

	buf_init(&reason, 0);
	if (d->procfd >= 0 && snapshot_read(d->procfd, &reason) > 0) {
		item_put(d, "kind", "snapshot\n", strlen("snapshot\n"));
		item_put(d, "snapshot_reason", reason.data ? reason.data : "",
		    reason.len);
	}
	buf_done(&reason);
}

static void
write_process(struct dump *d, struct process *p)
{
	struct buf b;
	int r, root;

	item_copy(d, "cmdline", "cmdline");
	write_links(d);
	write_username(d);
	write_start_time(d, p);
	item_copy(d, "status", "status");
	item_copy(d, "limits", "limits");
	if (d->procfd >= 0 &&
	    read_file_at(d->procfd, "cgroup", CAP_SMALL, &p->cgroup,
		&p->cgroup_len) >= 0)
		item_put(d, "cgroup", p->cgroup, p->cgroup_len);
	else
		note_missing(d, "cgroup", -ESRCH);
	write_namespaces(d, p);
	write_kind(d);

	item_buf_init(d, &b, "ptree");
	root = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = root < 0 ? -errno : proc_ptree(root, d->a->pid, &b);
	safe_close(root);
	item_buf(d, "ptree", r, &b);
	buf_done(&b);

	item_buf_init(d, &b, "open_fds");
	r = d->procfd < 0 ? -ESRCH : proc_list_fds(d->procfd, &b);
	item_buf(d, "open_fds", r, &b);
	buf_done(&b);

	r = d->procfd < 0
	    ? -ESRCH
	    : read_file_at(d->procfd, "maps", CAP_MAPS, &p->maps, &p->maps_len);
	if (r >= 0) {
		/* All of it for dso_list and the minicore; the item is cut. */
		item_put(d, "maps", p->maps, p->maps_len);
		item_buf_init(d, &b, "dso_list");
		r = proc_dso_list(p->maps, p->maps_len, &b);
		item_buf(d, "dso_list", r, &b);
		buf_done(&b);
	} else {
		note_missing(d, "maps", r);
	}
	item_copy(d, "environ", "environ");
}

/*
 * Lets the kernel finish with the process: our end of the core pipe goes,
 * and /dev/null takes fd 0, so that no file opened later lands there (and
 * a second call is harmless).
 */
static void
release_core_pipe(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		close(STDIN_FILENO);
		return;
	}
	dup2(fd, STDIN_FILENO);
	close(fd);
}

/*
 * The bytes of core the dump's room leaves, read from the kernel: gzip
 * adds a little to what it cannot compress, so a little less.
 */
static uint64_t
core_room(const struct dump *d)
{
	uint64_t left = room_left(d), fs = fs_left(d);

	if (fs < left)
		left = fs;

	if (left == UINT64_MAX)
		return left;
	left -= left / 256;
	return left > ITEM_BLOCK ? left - ITEM_BLOCK : 0;
}

/* core_info's note for a core cut to the dump's room. */
static const char *
room_note(const struct dump *d)
{
	return d->room_reason && strcmp(d->room_reason, "keep_free") == 0
	    ? "cut to the dump's room above keep_free"
	    : "cut to the dump's room under spool_max";
}

/*
 * Mode mini: the head of the core stream and the threads' stacks from
 * /proc/PID/mem, read while the kernel still holds the process; then
 * stdin is closed.
 */
static void
write_minicore(struct dump *d, const struct process *proc,
    const struct policy_decision *dec, struct hookstate_record *delta,
    int64_t deadline_ms)
{
	const struct hook_config *hc = &d->c->hook;
	struct minicore_params mp = { .in_fd = STDIN_FILENO,
		.mem_fd = -1,
		.out_fd = -1,
		.stack_max = MINI_STACK_MAX,
		.total_max = hc->core_max_size,
		.deadline_ms = deadline_ms,
		.maps = proc->maps,
		.maps_len = proc->maps_len,
		.gdb = hc->core_gdb };
	struct minicore_result res = { 0 };
	const char *note = dec->no_core_reason;
	struct buf info;
	uint64_t left = core_room(d);
	int r = 0;

	if (dec->keep_core && left < mp.total_max) {
		mp.total_max = left;
		note = room_note(d);
	}
	if (dec->keep_core && d->no_space) {
		note = "no space left for metadata, core not kept";
	} else if (dec->keep_core) {
		mp.mem_fd = d->procfd < 0
		    ? -ESRCH
		    : openat(d->procfd, "mem", O_RDONLY | O_CLOEXEC);
		if (mp.mem_fd < 0)
			r = d->procfd < 0 ? -ESRCH : -errno;
		else
			r = mp.out_fd = spool_write_item(
			    d->dirfd, "core.mini", NULL, 0, 0640);
		if (r >= 0) {
			if (d->share)
				(void)acl_grant_read(
				    mp.out_fd, d->a->uid, false);
			r = minicore_write(&mp, &res);
		}
		safe_close(mp.out_fd);
		safe_close(mp.mem_fd);
		if (r < 0) {
			unlinkat(d->dirfd, "core.mini", 0);
			note_missing(d, "core.mini", r);
		}
	}
	release_core_pipe();
	if (r >= 0 && res.written > 0)
		delta->cores_kept++;
	else
		delta->cores_skipped++;
	buf_init(&info, 0);
	r = minicore_info_format(&info, &res, r, note);
	item_buf(d, "core_info", r, &info);
	buf_done(&info);
}

/*
 * Keeps the core per the mode and the decision, then closes stdin, which
 * lets the kernel finish with the process.
 */
static void
write_core(struct dump *d, const struct process *proc,
    const struct policy_decision *dec, struct hookstate_record *delta,
    int64_t deadline_ms)
{
	const struct hook_config *hc = &d->c->hook;
	struct core_params p = { .mode = hc->core_mode,
		.level = hc->core_level,
		.deadline_ms = deadline_ms };
	struct core_result res = { 0 };
	const char *note = dec->no_core_reason;
	bool room_cut = false;
	struct buf info;
	int fd, r;

	if (p.mode == CORE_MODE_MINI) {
		write_minicore(d, proc, dec, delta, deadline_ms);
		return;
	}
	if (dec->keep_core) {
		p.limit = p.mode == CORE_MODE_TRUNCATE ? hc->core_max_size
						       : UINT64_MAX;
		if (hc->core_honour_rlimit && d->a->rlimit_core < p.limit) {
			p.limit = d->a->rlimit_core;
			if (p.limit == 0)
				note = "RLIMIT_CORE is 0";
		}
		/* What core.gz may take of the room: compressed bytes. */
		if (core_room(d) == 0) {
			p.limit = 0;
			note = room_note(d);
		} else if (core_room(d) < p.limit) {
			p.out_limit = core_room(d);
			room_cut = true;
		}
	}
	if (p.limit > 0 && !d->no_space) {
		fd = spool_write_item(d->dirfd, "core.gz", NULL, 0, 0640);
		if (fd >= 0) {
			if (d->share)
				(void)acl_grant_read(fd, d->a->uid, false);
			r = core_copy(STDIN_FILENO, fd, &p, &res);
			safe_close(fd);
			if (r < 0) {
				/* Metadata comes first: give its space back. */
				unlinkat(d->dirfd, "core.gz", 0);
				note_missing(d, "core.gz", r);
			} else if (room_cut && res.stopped &&
			    strcmp(res.stopped, "room") == 0 &&
			    p.mode == CORE_MODE_FULL) {
				/* Mode full keeps a whole core or none. */
				unlinkat(d->dirfd, "core.gz", 0);
				res.bytes_kept = res.compressed = 0;
				note = strcmp(d->room_reason, "keep_free") == 0
				    ? "larger than the dump's room above "
				      "keep_free, not kept"
				    : "larger than the dump's room under "
				      "spool_max, not kept";
				buf_printf(&d->missing, "core.gz: %s\n", note);
			} else if (room_cut && res.stopped &&
			    strcmp(res.stopped, "room") == 0) {
				note = room_note(d);
			}
		} else {
			res.error = fd;
			note_missing(d, "core.gz", fd);
		}
	} else if (p.limit > 0) {
		note = "no space left for metadata, core not kept";
	}
	release_core_pipe();
	if (res.bytes_kept > 0)
		delta->cores_kept++;
	else if (d->c->hook.core_mode != CORE_MODE_NONE)
		delta->cores_skipped++;

	buf_init(&info, 0);
	r = core_info_format(&info, &p, &res, note);
	item_buf(d, "core_info", r, &info);
	buf_done(&info);
}

/*
 * Adds rec to the counters: under the state lock, or, when it cannot be
 * had in time, as a journal record the next holder folds in.  Either way
 * the crash is counted.
 */
static void
count(int spool_dirfd, const struct hookstate_record *rec)
{
	struct hookstate st;
	int fd, r;

	fd = hookstate_lock(spool_dirfd, true, STATE_LOCK_TIMEOUT_MS);
	if (fd >= 0 && hookstate_read(fd, &st) == 0) {
		(void)hookstate_fold(spool_dirfd, &st);
		hookstate_apply(&st, rec);
		r = hookstate_write(fd, &st);
		safe_close(fd);
		if (r == 0)
			return;
		log_warn_errno(
		    r, "write hook state: %m, counting in its journal");
	} else {
		safe_close(fd);
	}
	r = hookstate_journal_append(spool_dirfd, rec);
	if (r < 0)
		log_error_errno(r,
		    "hook state and its journal unavailable (%m): "
		    "crash not counted");
}

/*
 * Dumps being written now (directories in .incoming): more than
 * POLICY_STORM_WRITERS is a storm (policy_decide()).
 */
static int
count_writers(const struct spool *spool)
{
	struct dirent *de;
	DIR *dir;
	int n = 0;

	if (opendir_at(spool->incoming_fd, ".", &dir) < 0)
		return 0;
	while ((de = readdir(dir)) != NULL && n <= POLICY_STORM_WRITERS)
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n;
}

/*
 * Counts the crash and decides its fate under the state lock.  When the
 * lock cannot be had in time (or the state cannot be read), the crash is
 * still counted, in the journal, and the decision is the conservative
 * one: stored without a core while fewer records than the global limit
 * wait in the journal, else not stored (global limit).  Nobody holding
 * the lock makes a crash unlimited or uncounted.
 */
static void
decide(const struct config *c, const struct spool *spool, const char *exe,
    struct policy_decision *ret)
{
	struct hookstate_record rec = { .magic = HOOKSTATE_MAGIC,
		.version = HOOKSTATE_VERSION,
		.seen = 1 };
	struct statvfs vfs;
	struct hookstate st;
	uint64_t free_bytes = UINT64_MAX;
	int64_t pending;
	int fd, writers = 0, r;

	if (fstatvfs(spool->dirfd, &vfs) == 0)
		free_bytes = (uint64_t)vfs.f_bavail * vfs.f_frsize;
	if (c->hook.core_mode != CORE_MODE_NONE)
		writers = count_writers(spool);
	fd = hookstate_lock(spool->dirfd, true, STATE_LOCK_TIMEOUT_MS);
	r = fd < 0 ? fd : hookstate_read(fd, &st);
	if (r < 0) {
		safe_close(fd);
		pending = hookstate_journal_pending(spool->dirfd);
		*ret = (struct policy_decision){ .verdict = POLICY_STORE,
			.no_core_reason =
			    "hook state busy, counted in its journal",
			.room = UINT64_MAX };
		ret->ignored_by = policy_ignored(&c->hook, exe);
		if (ret->ignored_by)
			ret->verdict = POLICY_IGNORED;
		else if (pending < 0 ||
		    pending >= (int64_t)c->hook.global.count)
			ret->verdict = POLICY_RATE_GLOBAL;
		log_warn_errno(r,
		    "hook state unavailable (%m), %lld crashes wait in its "
		    "journal: %s",
		    (long long)pending,
		    ret->verdict == POLICY_STORE ? "storing without a core"
						 : "not storing");
	} else {
		(void)hookstate_fold(spool->dirfd, &st);
		policy_decide(&c->hook, &st, exe, clock_now_ms(CLOCK_REALTIME),
		    free_bytes, writers, ret);
	}
	if (ret->verdict == POLICY_IGNORED)
		rec.ignored = 1;
	else if (ret->verdict != POLICY_STORE)
		rec.rate_limited = 1;
	else
		rec.stored = 1; /* see hookstate.h: "the counters add up" */
	if (fd >= 0 && r >= 0) {
		hookstate_apply(&st, &rec);
		r = hookstate_write(fd, &st);
		safe_close(fd);
		if (r == 0)
			return;
		log_warn_errno(
		    r, "write hook state: %m, counting in its journal");
	}
	r = hookstate_journal_append(spool->dirfd, &rec);
	if (r < 0)
		log_error_errno(r,
		    "hook state and its journal unavailable (%m): "
		    "crash not counted");
}

/* Counts delta, what the policy charged ahead settled by what it takes. */
static void
settle(int spool_dirfd, struct hookstate_record *delta, uint64_t bytes,
    uint64_t reserved)
{
	delta->spool_bytes = (int64_t)bytes - (int64_t)reserved;
	count(spool_dirfd, delta);
}

static void
log_not_stored(const struct process *p, const char *signame,
    const struct policy_decision *dec)
{
	struct buf b;
	const char *exe = p->executable ? p->executable : p->comm;

	buf_init(&b, 0);
	escape_c(&b, exe, strlen(exe));
	log_info("\"%s\" killed by %s: not stored (%s%s%s), counted",
	    b.data ? b.data : "", signame,
	    policy_verdict_to_string(dec->verdict), dec->ignored_by ? " " : "",
	    dec->ignored_by ? dec->ignored_by : "");
	buf_done(&b);
}

/*
 * A crash that could not be stored for lack of room (what names what
 * did not fit), counted as failed.
 */
static void
log_spool_full(
    const struct process *p, const char *signame, const char *what, int r)
{
	struct buf b;
	const char *exe = p->executable ? p->executable : p->comm;

	buf_init(&b, 0);
	escape_c(&b, exe, strlen(exe));
	if (r < 0)
		log_error_errno(r,
		    "\"%s\" killed by %s: not stored (spool full: "
		    "%s could not be written: %m), counted",
		    b.data ? b.data : "", signame, what);
	else
		log_warn("\"%s\" killed by %s: not stored (spool full: %s), "
			 "counted",
		    b.data ? b.data : "", signame, what);
	buf_done(&b);
}

int
hook_run(const struct config *c, const struct hook_args *a)
{
	struct dump d = { .c = c,
		.a = a,
		.procfd = -1,
		.dirfd = -1,
		.room = UINT64_MAX,
		.spool_dirfd = -1 };
	struct hookstate_record delta = { .magic = HOOKSTATE_MAGIC,
		.version = HOOKSTATE_VERSION };
	struct policy_decision dec;
	struct spool spool = { -1, -1 };
	struct process p;
	struct timespec now;
	char signame[32], base[SPOOL_NAME_MAX], name[SPOOL_NAME_MAX + 16];
	unsigned long long bytes = 0;
	int64_t deadline;
	int r;

	clock_gettime(CLOCK_REALTIME, &now);
	deadline =
	    clock_now_ms(CLOCK_MONOTONIC) + (int64_t)c->hook.time_budget_ms;
	buf_init(&d.missing, 0);
	if (!signame_from_number(a->signal, signame, sizeof(signame)))
		snprintf(signame, sizeof(signame), "signal %d", a->signal);

	d.procfd = proc_open_pid(a->pid, a->pidfd);
	if (d.procfd < 0)
		log_warn_errno(d.procfd,
		    "open /proc/%d: %m, dump will be partial", (int)a->pid);
	process_identify(d.procfd, a, &p);

	r = spool_open(c->spool, true, &spool);
	if (r < 0) {
		struct buf why;

		buf_init(&why, 0);
		if (r == -EPERM)
			(void)fsutil_check_root_path(c->spool, &why);
		log_error_errno(r, "open spool %s: %s, crash of pid %d lost",
		    c->spool, why.data ? why.data : strerror(-r), (int)a->pid);
		buf_done(&why);
		goto out;
	}
	decide(c, &spool, p.executable ? p.executable : p.comm, &dec);
	if (dec.verdict != POLICY_STORE) {
		/* Counted: let the kernel go before anything that may wait. */
		release_core_pipe();
		log_not_stored(&p, signame, &dec);
		r = 0;
		goto out;
	}
	if (dec.spool_full) {
		log_spool_full(&p, signame, "spool_max reached", 0);
		/* Counted as stored when decided: it failed instead. */
		delta.stored = -1;
		delta.failed = 1;
		r = 0;
		goto account;
	}
	d.room = dec.room;
	d.room_max = dec.room_max;
	d.reserved = dec.reserved;
	d.spool_dirfd = spool.dirfd;
	d.used = ITEM_BLOCK; /* the directory */
	d.room_reason = dec.room_reason;
	d.identity_only = dec.identity_only;

	r = spool_dump_name(
	    base, sizeof(base), &now, a->pid, p.comm, strlen(p.comm));
	if (r >= 0)
		r = spool_create_incoming(
		    &spool, base, 0750, name, sizeof(name));
	if (r < 0) {
		log_error_errno(r,
		    "create dump for pid %d in %s: %m, crash lost", (int)a->pid,
		    c->spool);
		/* Counted as stored when decided: it failed instead. */
		delta.stored = -1;
		delta.failed = 1;
		goto account;
	}
	d.dirfd = r;
	/* Security model: the crashing uid may read a dumpable process's dump.
	 */
	d.share = a->dumpable == 1 && a->uid != 0 &&
	    acl_grant_read(d.dirfd, a->uid, true) == 0;

	d.defer = !dec.keep_core || c->hook.core_mode == CORE_MODE_NONE;
	write_identity(&d, &p, signame);
	write_process(&d, &p);
	write_core(&d, &p, &dec, &delta, deadline);
	/* The pipe is released by now: write what was held. */
	item_flush(&d);
	if (d.identity_error < 0) {
		/* A dump that cannot say what crashed is no dump. */
		log_spool_full(
		    &p, signame, "its identifying items", d.identity_error);
		spool_discard_incoming(&spool, name);
		/* Counted as stored when decided: it failed instead. */
		delta.stored = -1;
		delta.failed = 1;
		r = 0;
		goto account;
	}
	if (d.missing.len > 0) {
		delta.degraded++;
		item_put(&d, "incomplete", d.missing.data, d.missing.len);
	}

	if (c->hook.sync) {
		r = spool_sync_dir(d.dirfd);
		if (r < 0)
			log_warn_errno(r, "sync dump %s: %m, ignoring", name);
	}
	(void)spool_dir_usage(d.dirfd, &bytes);
	/*
	 * Settled before it is published: crashd may remove it (a repeat)
	 * at once, taking its bytes off the estimate.
	 */
	settle(spool.dirfd, &delta, bytes, d.reserved);
	r = spool_publish(&spool, name, c->hook.sync);
	if (r < 0) {
		/* Counted as stored: crashd publishes what .incoming keeps. */
		log_error_errno(r,
		    "publish dump %s: %m, left in .incoming for crashd", name);
		goto out;
	}
	log_info("stored %s: pid %d, %s", name, (int)a->pid, signame);
	r = 1;
	goto out;
account:
	settle(spool.dirfd, &delta, bytes, d.reserved);
out:
	release_core_pipe();
	safe_close(d.dirfd);
	safe_close(d.procfd);
	spool_done(&spool);
	item_flush(&d);
	buf_done(&d.missing);
	process_done(&p);
	return r;
}
