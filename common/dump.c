/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump.c owns reading a dump's items and the few items the daemon writes
 * (count, last_occurrence, duplicate_of, processed).
 */
#include "dump.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acl.h"
#include "buf.h"
#include "escape.h"
#include "fsutil.h"
#include "signame.h"

int
dump_read_item(const struct dump *d, const char *item, size_t cap, char **ret)
{
	char *data = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(d->dirfd, item, cap, &data, &len);
	if (r < 0)
		return r;
	if (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	*ret = data;
	return 0;
}

/*
 * The readers of dump_open() take a missing or unreadable item for
 * absent, but not a failed allocation: that sets *oom, for dump_open()
 * to fail with -ENOMEM rather than describe the dump wrongly.
 */
static int
read_opt(
    const struct dump *d, const char *item, size_t cap, char **ret, bool *oom)
{
	int r = dump_read_item(d, item, cap, ret);

	if (r == -ENOMEM)
		*oom = true;
	return r;
}

/* Reads a text item; a missing or unreadable one is "". */
static char *
item_or_empty(const struct dump *d, const char *item, bool *oom)
{
	char *v = NULL;

	if (read_opt(d, item, DUMP_ITEM_CAP, &v, oom) < 0)
		v = strdup("");
	return v;
}

static long long
item_number(
    const struct dump *d, const char *item, long long fallback, bool *oom)
{
	char *v = NULL, *end;
	long long n;

	if (read_opt(d, item, 64, &v, oom) < 0)
		return fallback;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end != '\0')
		n = fallback;
	free(v);
	return n;
}

/* "container<TAB>runtime<TAB>id" in namespaces, as "runtime id". */
static char *
container_of(const struct dump *d, bool *oom)
{
	char *ns = NULL, *line, *out;

	if (read_opt(d, DUMP_ITEM_NAMESPACES, DUMP_ITEM_CAP, &ns, oom) < 0)
		return strdup("");
	line = strstr(ns, "container\t");
	if (line && (line == ns || line[-1] == '\n')) {
		char *nl = strchr(line, '\n'), *tab;

		if (nl)
			*nl = '\0';
		line += strlen("container\t");
		tab = strchr(line, '\t');
		if (tab)
			*tab = ' ';
		out = strdup(line);
	} else {
		out = strdup("");
	}
	free(ns);
	return out;
}

const char *const dump_kind_names[_DUMP_KIND_MAX] = {
	[DUMP_KIND_CRASH] = "crash",
	[DUMP_KIND_SNAPSHOT] = "snapshot",
	[DUMP_KIND_KERNEL] = "kernel",
	[DUMP_KIND_OOM] = "oom",
	[DUMP_KIND_PANIC] = "panic",
};

static enum dump_kind
kind_of(const struct dump *d, bool *oom)
{
	enum dump_kind k = DUMP_KIND_CRASH;
	char *v = NULL;

	if (read_opt(d, DUMP_ITEM_KIND, 64, &v, oom) == 0)
		for (int i = 0; i < _DUMP_KIND_MAX; i++)
			if (strcmp(v, dump_kind_names[i]) == 0)
				k = (enum dump_kind)i;
	free(v);
	return k;
}

/*
 * A snapshot's one line: "snapshot of EXE: REASON" (its first line, at
 * most 256 bytes; the whole reason stays in snapshot_reason), escaped as
 * the hook escapes the reason item.
 */
static char *
snapshot_reason_of(const struct dump *d, bool *oom)
{
	const char *exe;
	char *why = NULL, *nl;
	struct buf b;
	int r;

	if (d->executable == NULL)
		return NULL;
	exe = strrchr(d->executable, '/');
	exe = exe ? exe + 1 : d->executable;
	if (read_opt(d, DUMP_ITEM_SNAPSHOT_REASON, 4096, &why, oom) < 0)
		why = strdup("");
	if (why == NULL)
		return NULL;
	nl = strchr(why, '\n');
	if (nl)
		*nl = '\0';
	buf_init(&b, 0);
	r = buf_puts(&b, "snapshot of ");
	if (r >= 0)
		r = escape_c(&b, exe, strlen(exe));
	if (r >= 0 && why[0]) {
		r = buf_puts(&b, ": ");
		if (r >= 0)
			r = escape_c(&b, why, strnlen(why, 256));
	}
	free(why);
	if (r < 0) {
		buf_done(&b);
		return NULL;
	}
	return buf_steal(&b, NULL);
}

/*
 * The core item in dirfd and its size.  Returns 1 when there is one, 0
 * when there is none, or -errno.
 */
static int
core_at(int dirfd, const char **ret_item, long long *ret_size)
{
	static const char *const cores[] = { DUMP_ITEM_CORE_MINI,
		DUMP_ITEM_CORE_GZ };
	struct stat st;

	for (size_t i = 0; i < sizeof(cores) / sizeof(cores[0]); i++) {
		if (fstatat(dirfd, cores[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		if (!S_ISREG(st.st_mode))
			continue;
		if (ret_item)
			*ret_item = cores[i];
		if (ret_size)
			*ret_size = (long long)st.st_size;
		return 1;
	}
	return 0;
}

int
dump_core(const struct dump *d, struct dump_core *ret)
{
	struct dump_core c = { DUMP_CORE_NONE, NULL, -1, false };
	char *info = NULL;
	int r;

	r = core_at(d->dirfd, &c.item, &c.size);
	if (r < 0)
		return r;
	if (r > 0) {
		c.kind = strcmp(c.item, DUMP_ITEM_CORE_MINI) == 0
		    ? DUMP_CORE_MINI
		    : DUMP_CORE_GZ;
		r = dump_read_item(d, DUMP_ITEM_CORE_INFO, 4096, &info);
		if (r == 0)
			c.truncated = strstr(info, "\ntruncated: yes") != NULL;
		free(info);
		/* Not "full" for want of memory to read core_info. */
		if (r == -ENOMEM)
			return r;
	}
	*ret = c;
	return 0;
}

const char *
dump_core_state(const struct dump_core *c)
{
	switch (c->kind) {
	case DUMP_CORE_MINI:
		return "mini";
	case DUMP_CORE_GZ:
		return c->truncated ? "truncated" : "full";
	default:
		return "none";
	}
}

int
dump_open(int spool_dirfd, const char *name, struct dump **ret)
{
	struct dump *d;
	struct stat st;
	char buf[32];
	bool oom = false;
	int fd;

	fd = openat(
	    spool_dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOTDIR &&
		    fstatat(spool_dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode))
			return -ELOOP;
		return -errno;
	}
	d = calloc(1, sizeof(*d));
	if (d == NULL) {
		safe_close(fd);
		return -ENOMEM;
	}
	d->dirfd = fd;
	d->name = strdup(name);
	d->executable = item_or_empty(d, DUMP_ITEM_EXECUTABLE, &oom);
	d->hostname = item_or_empty(d, DUMP_ITEM_HOSTNAME, &oom);
	d->kind = kind_of(d, &oom);
	d->reason = d->kind == DUMP_KIND_SNAPSHOT
	    ? snapshot_reason_of(d, &oom)
	    : item_or_empty(d, DUMP_ITEM_REASON, &oom);
	d->container = container_of(d, &oom);
	d->signature = item_or_empty(d, DUMP_ITEM_SIGNATURE, &oom);
	d->signal = (int)item_number(d, DUMP_ITEM_SIGNAL, 0, &oom);
	d->pid = (long)item_number(d, DUMP_ITEM_PID, 0, &oom);
	d->uid = item_number(d, DUMP_ITEM_UID, -1, &oom);
	d->time = item_number(d, DUMP_ITEM_TIME, 0, &oom);
	d->repeats = DUMP_KIND_IS_KERNEL(d->kind)
	    ? (unsigned long long)item_number(d, DUMP_ITEM_IDENTICAL, 1, &oom)
	    : 1;
	if (d->repeats < 1 || d->repeats > 1000000000)
		d->repeats = 1;
	d->signal_name = strdup(
	    signame_from_number(d->signal, buf, sizeof(buf)) ? buf : "unknown");
	d->has_core = core_at(fd, NULL, NULL) > 0;
	d->processed =
	    faccessat(fd, DUMP_ITEM_PROCESSED, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	if (oom || !d->name || !d->executable || !d->hostname || !d->reason ||
	    !d->container || !d->signal_name || !d->signature) {
		dump_free(d);
		return -ENOMEM;
	}
	*ret = d;
	return 0;
}

void
dump_free(struct dump *d)
{
	if (d == NULL)
		return;
	safe_close(d->dirfd);
	free(d->name);
	free(d->executable);
	free(d->hostname);
	free(d->reason);
	free(d->container);
	free(d->signal_name);
	free(d->signature);
	free(d);
}

int
dump_replace_item(
    const struct dump *d, const char *item, const char *data, size_t len)
{
	char tmp[128];
	int fd, r;

	snprintf(tmp, sizeof(tmp), ".%s.tmp", item);
	unlinkat(d->dirfd, tmp, 0);
	fd = openat(d->dirfd, tmp,
	    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	acl_copy_at(d->dirfd, DUMP_ITEM_VERSION, fd);
	r = write_all(fd, data, len);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	safe_close(fd);
	if (r >= 0 && renameat(d->dirfd, tmp, d->dirfd, item) < 0)
		r = -errno;
	if (r < 0)
		unlinkat(d->dirfd, tmp, 0);
	return r;
}

int
dump_sync(const struct dump *d)
{
	return fsync(d->dirfd) < 0 ? -errno : 0;
}

int
dump_mark_processed(struct dump *d)
{
	int r;

	r = dump_replace_item(d, DUMP_ITEM_PROCESSED, "1\n", 2);
	if (r >= 0)
		r = dump_sync(d);
	if (r >= 0)
		d->processed = true;
	return r;
}

int
dump_remove_core_at(int dirfd)
{
	/* core.mini.zst: the journal action's copy (daemon/core_zst.h). */
	static const char *const cores[] = { DUMP_ITEM_CORE_GZ,
		DUMP_ITEM_CORE_MINI, "core.mini.zst" };
	int removed = 0;

	for (size_t i = 0; i < sizeof(cores) / sizeof(cores[0]); i++) {
		if (unlinkat(dirfd, cores[i], 0) == 0)
			removed = 1;
		else if (errno != ENOENT)
			return -errno;
	}
	return removed;
}
