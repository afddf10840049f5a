/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * collect.c decides what a dump holds and in which order, read by proc.c
 * and written by writer.c; an item that cannot be had is noted missing.
 */
#include "collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "container.h"
#include "dump.h"
#include "escape.h"
#include "fsutil.h"
#include "items.h"
#include "snapshot.h"
#include "spool.h"

#define CAP_PASSWD (16 * 1024 * 1024)

static const char *
exe_basename(const struct proc_process *p)
{
	const char *s;

	if (p->executable == NULL)
		return p->comm;
	s = strrchr(p->executable, '/');
	return s ? s + 1 : p->executable;
}

void
collect_identity(struct dump_writer *w, const struct hook_args *a,
    const struct proc_process *p, const char *signame)
{
	struct utsname u;
	struct buf b;
	int r;

	writer_printf(w, DUMP_ITEM_VERSION, "%d", SPOOL_VERSION);
	writer_printf(w, DUMP_ITEM_TIME, "%lld", (long long)a->time);
	writer_printf(w, DUMP_ITEM_PID, "%d", (int)a->pid);
	writer_printf(w, DUMP_ITEM_NS_PID, "%d", (int)a->ns_pid);
	writer_printf(w, DUMP_ITEM_TID, "%d", (int)a->tid);
	writer_printf(w, DUMP_ITEM_SIGNAL, "%d", a->signal);
	writer_printf(w, DUMP_ITEM_SIGNAL_NAME, "%s", signame);
	writer_printf(w, DUMP_ITEM_UID, "%u", (unsigned)a->uid);
	writer_printf(w, DUMP_ITEM_GID, "%u", (unsigned)a->gid);
	writer_printf(w, DUMP_ITEM_DUMPABLE, "%d", a->dumpable);
	writer_line(w, DUMP_ITEM_HOSTNAME, a->hostname, strlen(a->hostname));
	if (uname(&u) == 0)
		writer_line(w, DUMP_ITEM_KERNEL, u.release, strlen(u.release));
	if (p->executable)
		writer_line(w, DUMP_ITEM_EXECUTABLE, p->executable,
		    strlen(p->executable));
	else
		writer_missing(w, DUMP_ITEM_EXECUTABLE, -ESRCH);
	if (p->deleted)
		writer_printf(w, DUMP_ITEM_EXECUTABLE_DELETED, "1");
	writer_line(w, DUMP_ITEM_COMM, p->comm, strlen(p->comm));
	if (p->have_thread_comm)
		writer_line(w, DUMP_ITEM_THREAD_COMM, p->thread_comm,
		    strlen(p->thread_comm));
	else
		writer_missing(w, DUMP_ITEM_THREAD_COMM, -ESRCH);

	buf_init(&b, 4096);
	r = escape_c(&b, exe_basename(p), strlen(exe_basename(p)));
	if (r >= 0)
		r = buf_printf(&b, " killed by %s\n", signame);
	writer_buf(w, DUMP_ITEM_REASON, r, &b);
	buf_done(&b);
}

/*
 * Copies the /proc/PID file file as the item item, read up to one byte
 * past its cap: writer_put() cuts it there and records it.
 */
static void
copy(struct dump_writer *w, int procfd, const char *file, const char *item)
{
	char *data = NULL;
	size_t len = 0;
	int r;

	r = proc_read(
	    procfd, file, (size_t)writer_cap(w, item) + 1, &data, &len);
	if (r < 0) {
		writer_missing(w, item, r);
		return;
	}
	writer_put(w, item, data, len);
	free(data);
}

static void
write_username(struct dump_writer *w, uid_t uid)
{
	char *passwd = NULL, name[256];
	size_t len;

	if (read_file_at(AT_FDCWD, "/etc/passwd", CAP_PASSWD, &passwd, &len) <
	    0)
		return;
	/* Not NSS: a hook must not wait on LDAP while a process hangs. */
	if (proc_passwd_name(passwd, len, uid, name, sizeof(name)) > 0)
		writer_line(w, DUMP_ITEM_USERNAME, name, strlen(name));
	free(passwd);
}

static void
write_start_time(struct dump_writer *w, const struct proc_process *p)
{
	unsigned long long ms;
	int r;

	r = proc_start_time(p, &ms);
	if (r < 0) {
		writer_missing(w, DUMP_ITEM_START_TIME, r);
		return;
	}
	writer_printf(
	    w, DUMP_ITEM_START_TIME, "%llu.%03llu", ms / 1000, ms % 1000);
}

static void
write_links(struct dump_writer *w, int procfd)
{
	static const struct {
		const char *file, *item;
	} links[] = { { "cwd", DUMP_ITEM_CWD }, { "root", DUMP_ITEM_ROOT } };

	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		char *target = NULL;
		int r = proc_readlink(procfd, links[i].file, &target);

		if (r < 0) {
			writer_missing(w, links[i].item, r);
			continue;
		}
		writer_line(w, links[i].item, target, strlen(target));
		free(target);
	}
}

static void
write_namespaces(
    struct dump_writer *w, int procfd, const struct proc_process *p)
{
	struct container ct;
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = procfd < 0 ? -ESRCH : proc_namespaces(procfd, &b);
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
	writer_buf(w, DUMP_ITEM_NAMESPACES, r, &b);
	buf_done(&b);
}

/* kind: a libcrashd snapshot says so (snapshot.h); a crash has none. */
static void
write_kind(struct dump_writer *w, int procfd)
{
	struct buf reason;

	buf_init(&reason, 0);
	if (procfd >= 0 && snapshot_read(procfd, &reason) > 0) {
		writer_printf(w, DUMP_ITEM_KIND, "%s",
		    dump_kind_names[DUMP_KIND_SNAPSHOT]);
		writer_put(w, DUMP_ITEM_SNAPSHOT_REASON,
		    reason.data ? reason.data : "", reason.len);
	}
	buf_done(&reason);
}

void
collect_process(struct dump_writer *w, int procfd, const struct hook_args *a,
    struct proc_process *p)
{
	struct buf b;
	int r;

	copy(w, procfd, "cmdline", DUMP_ITEM_CMDLINE);
	write_links(w, procfd);
	write_username(w, a->uid);
	write_start_time(w, p);
	copy(w, procfd, "status", DUMP_ITEM_STATUS);
	copy(w, procfd, "limits", DUMP_ITEM_LIMITS);
	if (proc_read_cgroup(procfd, p) >= 0)
		writer_put(w, DUMP_ITEM_CGROUP, p->cgroup, p->cgroup_len);
	else
		writer_missing(w, DUMP_ITEM_CGROUP, -ESRCH);
	write_namespaces(w, procfd, p);
	write_kind(w, procfd);

	writer_buf_init(w, &b, DUMP_ITEM_PTREE);
	r = proc_ptree_host(a->pid, &b);
	writer_buf(w, DUMP_ITEM_PTREE, r, &b);
	buf_done(&b);

	writer_buf_init(w, &b, DUMP_ITEM_OPEN_FDS);
	r = procfd < 0 ? -ESRCH : proc_list_fds(procfd, &b);
	writer_buf(w, DUMP_ITEM_OPEN_FDS, r, &b);
	buf_done(&b);

	r = proc_read_maps(procfd, p);
	if (r >= 0) {
		/* All of it for dso_list and the minicore; the item is cut. */
		writer_put(w, DUMP_ITEM_MAPS, p->maps, p->maps_len);
		writer_buf_init(w, &b, DUMP_ITEM_DSO_LIST);
		r = proc_dso_list(p->maps, p->maps_len, &b);
		writer_buf(w, DUMP_ITEM_DSO_LIST, r, &b);
		buf_done(&b);
	} else {
		writer_missing(w, DUMP_ITEM_MAPS, r);
	}
	copy(w, procfd, "environ", DUMP_ITEM_ENVIRON);
}
