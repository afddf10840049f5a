/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * package.c owns finding the package of a crashed executable
 * (package.h): whether the host's database may be asked at all, the
 * queries in a child with a deadline, and the cache.  dpkg-query is run
 * rather than /var/lib/dpkg/info/ read: dpkg knows its own database
 * (diversions, usr-merge aliases, its locks) and the format is its
 * business; the output is parsed by package_parse.c.  A query takes
 * some 150 ms and blocks the loop that long, once per executable
 * (its identity: path, device, inode, mtime), at most
 * PACKAGE_QUERY_TIMEOUT_MS.
 */
#include "package.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "child.h"
#include "clock.h"
#include "fsutil.h"
#include "log.h"
#include "sdnotify.h"

#define DPKG_QUERY "/usr/bin/dpkg-query"
#define RPM "/usr/bin/rpm"
#define QUERY_OUTPUT_CAP (64 * 1024)

struct package_entry {
	char *path; /* NULL: a free slot */
	dev_t dev;
	ino_t ino;
	struct timespec mtime;
	bool found;
	char text[PACKAGE_TEXT_MAX];
};

struct package_cache {
	struct package_entry e[PACKAGE_CACHE_MAX];
	size_t next; /* the slot the next answer takes (round robin) */
};

struct package_cache *
package_cache_new(void)
{
	return calloc(1, sizeof(struct package_cache));
}

void
package_cache_free(struct package_cache *pc)
{
	if (pc == NULL)
		return;
	for (size_t i = 0; i < PACKAGE_CACHE_MAX; i++)
		free(pc->e[i].path);
	free(pc);
}

static bool
same_file(
    const struct package_entry *e, const char *path, const struct stat *st)
{
	return e->path && strcmp(e->path, path) == 0 && e->dev == st->st_dev &&
	    e->ino == st->st_ino && e->mtime.tv_sec == st->st_mtim.tv_sec &&
	    e->mtime.tv_nsec == st->st_mtim.tv_nsec;
}

/*
 * Whether the host's package database speaks of d's executable: the
 * crash was in the hook's (the host's) mount namespace with root "/",
 * and the file was not deleted while it ran.
 */
static bool
host_file(const struct dump *d)
{
	char *ns = NULL, *root = NULL, *deleted = NULL;
	bool host = false;

	if (d->executable[0] != '/')
		return false;
	if (dump_read_item(d, DUMP_ITEM_EXECUTABLE_DELETED, 16, &deleted) ==
	    0) {
		free(deleted);
		return false;
	}
	if (dump_read_item(d, DUMP_ITEM_ROOT, 4096, &root) < 0 ||
	    strcmp(root, "/") != 0)
		goto out;
	if (dump_read_item(d, DUMP_ITEM_NAMESPACES, DUMP_ITEM_CAP, &ns) < 0)
		goto out;
	/* "mnt<TAB>mnt:[4026531841]<TAB>host" (hook/proc.c) */
	for (char *line = ns, *nl; line && *line; line = nl) {
		size_t n;

		nl = strchr(line, '\n');
		n = nl ? (size_t)(nl - line) : strlen(line);
		if (nl)
			nl++;
		if (n > 9 && strncmp(line, "mnt\t", 4) == 0 &&
		    strncmp(line + n - 5, "\thost", 5) == 0)
			host = true;
	}
out:
	free(root);
	free(ns);
	return host;
}

/*
 * Runs argv (absolute) with stdout into out (capped), stdin and stderr
 * /dev/null, until it ends or the deadline.  Returns 0 when it exited
 * (whatever its code: dpkg-query says 1 when one of several paths is
 * nobody's), or -errno (-ETIMEDOUT).
 */
static int
query(char *const *argv, struct buf *out)
{
	static char *const env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin",
		"LC_ALL=C", NULL };
	struct child_options co = {
		.flags =
		    CHILD_GROUP | CHILD_STDIN | CHILD_CAPTURE | CHILD_CLOSE_FDS,
		.in_fd = -1,
	};
	struct child_run run = {
		.grace_ms = 0,
		.output_cap = QUERY_OUTPUT_CAP,
		.until_output_ends = false,
		.tick = sdnotify_watchdog,
	};
	struct child_result res;
	struct child c;
	int r, fd;

	r = child_fork(&co, &c);
	if (r < 0)
		return r;
	if (r == 0) {
		/* Its messages are no answer: only stdout is read. */
		fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
			_exit(127);
		execve(argv[0], argv, env);
		_exit(127);
	}
	run.deadline_ms =
	    clock_now_ms(CLOCK_MONOTONIC) + PACKAGE_QUERY_TIMEOUT_MS;
	r = child_run(&c, &run, out, &res);
	if (r < 0)
		return r;
	if (res.timed_out)
		return -ETIMEDOUT;
	return res.exited && res.code != 127 ? 0 : -ECHILD;
}

/*
 * The usr-merge alias of path: "/bin/x" for "/usr/bin/x" when /bin is a
 * link to usr/bin, and the other way round (dpkg lists files where the
 * package put them).  Returns true and alias when there is one.
 */
static bool
usr_alias(const char *path, char *alias, size_t size)
{
	static const char *const dirs[] = { "bin", "sbin", "lib", "lib32",
		"lib64", "libx32" };

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		char top[16], target[32];
		size_t n = strlen(dirs[i]);
		const char *rest = NULL;
		ssize_t len;

		snprintf(top, sizeof(top), "/%s", dirs[i]);
		len = readlink(top, target, sizeof(target) - 1);
		if (len < 0)
			continue;
		target[len] = '\0';
		/* "usr/bin" or "/usr/bin" */
		rest = target[0] == '/' ? target + 1 : target;
		if (strncmp(rest, "usr/", 4) != 0 || strcmp(rest + 4, dirs[i]))
			continue;
		if (strncmp(path, "/usr/", 5) == 0 &&
		    strncmp(path + 5, dirs[i], n) == 0 && path[5 + n] == '/') {
			/* "/usr/bin/x": "/bin/x" */
			return (size_t)snprintf(alias, size, "%s", path + 4) <
			    size;
		}
		if (path[0] == '/' && strncmp(path + 1, dirs[i], n) == 0 &&
		    path[1 + n] == '/')
			return (size_t)snprintf(alias, size, "/usr%s", path) <
			    size;
	}
	return false;
}

/* dpkg's answer for path.  Returns 1 and text, 0 for none, or -errno. */
static int
ask_dpkg(const char *path, char *text, size_t size)
{
	char alias[4096], pkg[PACKAGE_NAME_MAX + 1];
	char version[PACKAGE_VERSION_MAX + 1], *colon;
	const char *paths[3] = { path, NULL, NULL };
	char *argv[6];
	struct buf out;
	int r;

	if (access(DPKG_QUERY, X_OK) < 0)
		return 0;
	if (usr_alias(path, alias, sizeof(alias)))
		paths[1] = alias;
	buf_init(&out, QUERY_OUTPUT_CAP + 1);
	argv[0] = (char *)DPKG_QUERY;
	argv[1] = (char *)"-S";
	argv[2] = (char *)"--";
	argv[3] = (char *)paths[0];
	argv[4] = (char *)paths[1];
	argv[5] = NULL;
	r = query(argv, &out);
	if (r < 0 ||
	    !package_parse_dpkg_search(
		out.data ? out.data : "", out.len, paths, pkg)) {
		buf_done(&out);
		return r == -ENOMEM ? r : 0;
	}
	buf_reset(&out);
	argv[1] = (char *)"-W";
	argv[2] = (char *)"--showformat=${Version}\\n";
	argv[3] = (char *)"--";
	argv[4] = pkg;
	r = query(argv, &out);
	if (r < 0 ||
	    !package_parse_version(
		out.data ? out.data : "", out.len, version)) {
		buf_done(&out);
		return r == -ENOMEM ? r : 0;
	}
	buf_done(&out);
	/* "libc6:amd64" is shown "libc6". */
	colon = strchr(pkg, ':');
	if (colon)
		*colon = '\0';
	snprintf(text, size, "%s %s", pkg, version);
	return 1;
}

/* rpm's answer for path.  Returns 1 and text, 0 for none, or -errno. */
static int
ask_rpm(const char *path, char *text, size_t size)
{
	char name[PACKAGE_NAME_MAX + 1], version[PACKAGE_VERSION_MAX + 1];
	char *argv[] = { (char *)RPM, (char *)"-qf", (char *)"--qf",
		(char *)"%{NAME} %{VERSION}-%{RELEASE}\\n", (char *)"--",
		(char *)path, NULL };
	struct buf out;
	int r;

	if (access(RPM, X_OK) < 0)
		return 0;
	buf_init(&out, QUERY_OUTPUT_CAP + 1);
	r = query(argv, &out);
	if (r >= 0 &&
	    package_parse_rpm(out.data ? out.data : "", out.len, name, version))
		r = snprintf(text, size, "%s %s", name, version) > 0;
	else
		r = r == -ENOMEM ? r : 0;
	buf_done(&out);
	return r;
}

int
package_lookup(
    struct package_cache *pc, const struct dump *d, char *ret, size_t size)
{
	struct package_entry *e;
	char text[PACKAGE_TEXT_MAX] = "";
	struct stat st;
	int r;

	if (!host_file(d) || stat(d->executable, &st) < 0 ||
	    !S_ISREG(st.st_mode))
		return 0;
	for (size_t i = 0; pc && i < PACKAGE_CACHE_MAX; i++)
		if (same_file(&pc->e[i], d->executable, &st)) {
			if (pc->e[i].found)
				snprintf(ret, size, "%s", pc->e[i].text);
			return pc->e[i].found;
		}
	r = ask_dpkg(d->executable, text, sizeof(text));
	if (r == 0)
		r = ask_rpm(d->executable, text, sizeof(text));
	if (r < 0)
		return r;
	if (pc) {
		e = &pc->e[pc->next];
		pc->next = (pc->next + 1) % PACKAGE_CACHE_MAX;
		free(e->path);
		e->path = strdup(d->executable);
		if (e->path) {
			e->dev = st.st_dev;
			e->ino = st.st_ino;
			e->mtime = st.st_mtim;
			e->found = r == 1;
			snprintf(e->text, sizeof(e->text), "%s", text);
		}
	}
	if (r == 1)
		snprintf(ret, size, "%s", text);
	return r;
}
