/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * confine.c owns the unwinder's sandbox.  libdwfl opens the file names a
 * core carries (its NT_FILE note, the link map) with a plain blocking
 * open(2) that no callback replaces: in a root where nothing can be found
 * those opens fail at once, and the unwinder's own callbacks open what
 * they may through confine_open(), relative to a descriptor of the
 * host's root kept from before the chroot (openat2, RESOLVE_IN_ROOT).
 */
#include "confine.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"
#include "items.h"

#if defined(__SANITIZE_ADDRESS__)
#define CONFINE_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CONFINE_SANITIZED 1
#endif
#endif

static int host_root = -1; /* O_PATH of the host's "/", in the child */
static bool host_paths;

bool
confine_entered(void)
{
	return host_root >= 0;
}

bool
confine_host_paths(void)
{
	return host_paths;
}

/* The crash's mount namespace was the host's ("mnt\t...\thost"). */
static bool
shares_host_mounts(const struct dump *d)
{
	char *ns = NULL, *line;
	bool host = false;

	if (dump_read_item(d, DUMP_ITEM_NAMESPACES, DUMP_ITEM_CAP, &ns) < 0)
		return false; /* unknown: as a container's */
	for (line = ns; line && *line;) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = '\0';
		if (strncmp(line, "mnt\t", 4) == 0) {
			size_t n = strlen(line);

			host = n > 5 && strcmp(line + n - 5, "\thost") == 0;
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(ns);
	return host;
}

int
confine_identity(
    const struct dump *d, bool shared_cache, uid_t *ret_uid, gid_t *ret_gid)
{
	struct passwd *pw;
	char *dumpable = NULL;
	bool user_dump = false;

	if (!shared_cache && d->uid > 0 && d->uid < (long long)UINT32_MAX &&
	    dump_read_item(d, DUMP_ITEM_DUMPABLE, 16, &dumpable) == 0)
		user_dump = strcmp(dumpable, "1") == 0;
	free(dumpable);
	if (user_dump) {
		*ret_uid = (uid_t)d->uid;
		pw = getpwuid(*ret_uid);
		*ret_gid = pw ? pw->pw_gid : (gid_t)d->uid;
		return 0;
	}
	pw = getpwnam("nobody");
	*ret_uid = pw ? pw->pw_uid : 65534;
	*ret_gid = pw ? pw->pw_gid : 65534;
	return 0;
}

/* Limits that apply whoever runs the unwinder. */
static int
limits(void)
{
	struct rlimit files = { 256, 256 };

	if (setrlimit(RLIMIT_NOFILE, &files) < 0)
		return -errno;
#ifndef CONFINE_SANITIZED
	{
		/* ASan's shadow needs terabytes of address space. */
		struct rlimit as = { CONFINE_AS_MAX, CONFINE_AS_MAX };

		if (setrlimit(RLIMIT_AS, &as) < 0)
			return -errno;
	}
#endif
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -errno;
	return 0;
}

/*
 * An empty root: a fresh directory, removed once we are in it, so that
 * nothing can ever be created or found there.
 */
static int
enter_empty_root(void)
{
	static const char *const parents[] = { "/run", "/tmp" };
	char path[64];
	int r = -ENOENT;

	for (size_t i = 0; i < 2; i++) {
		snprintf(
		    path, sizeof(path), "%s/crashd-unwind.XXXXXX", parents[i]);
		if (mkdtemp(path) == NULL) {
			r = -errno;
			continue;
		}
		if (chdir(path) < 0 || chroot(".") < 0) {
			r = -errno;
			(void)rmdir(path);
			return r;
		}
		/* Our root is now deleted: still our root, forever empty. */
		if (unlinkat(host_root, path + 1, AT_REMOVEDIR) < 0)
			return -errno;
		return 0;
	}
	return r;
}

/* The debuginfod cache as the root: the client writes there, nothing else. */
static int
enter_cache_root(const char *cache, uid_t uid, gid_t gid)
{
	char p[4096];
	size_t n = strlen(cache);

	if (n == 0 || n >= sizeof(p) || cache[0] != '/')
		return -EINVAL;
	memcpy(p, cache, n + 1);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		(void)mkdir(p, 0755);
		*s = '/';
	}
	(void)mkdir(p, 0700);
	if (chdir(p) < 0)
		return -errno;
	/* Ours (the daemon's root) and the unwinder's alone. */
	if (fchownat(AT_FDCWD, ".", uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    chmod(".", 0700) < 0 || chroot(".") < 0)
		return -errno;
	return setenv("DEBUGINFOD_CACHE_PATH", "/", 1) < 0 ? -errno : 0;
}

static int
drop_privileges(uid_t uid, gid_t gid)
{
	/* The bounding set first: dropping it needs CAP_SETPCAP. */
	for (int cap = 0; cap <= 63; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
			return -errno;
	(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 ||
	    setresuid(uid, uid, uid) < 0)
		return -errno;
	/* A uid change from root clears the capabilities: check it did. */
	if (setresuid(0, 0, 0) == 0)
		return -EPERM;
	/* Nobody ptraces it or reads its memory, not even that uid. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return -errno;
	/* The uid change cleared it: the daemon's death still ends it. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	return 0;
}

int
confine_enter(const struct dump *d, const char *cache)
{
	uid_t uid;
	gid_t gid;
	int r;

	host_paths = shares_host_mounts(d);
	host_root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (host_root < 0)
		return -errno;
	if (geteuid() == 0) {
		r = confine_identity(d, cache != NULL, &uid, &gid);
		if (r >= 0)
			r = cache ? enter_cache_root(cache, uid, gid)
				  : enter_empty_root();
		if (r >= 0 && chdir("/") < 0)
			r = -errno;
		if (r >= 0)
			r = drop_privileges(uid, gid);
		if (r < 0)
			return r;
	}
	return limits();
}

static int
open_in_root(const char *path, uint64_t flags)
{
	struct open_how how = {
		.flags = flags | O_NOFOLLOW | O_CLOEXEC,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, host_root, path, &how, sizeof(how));

	return fd < 0 ? -errno : (int)fd;
}

int
confine_open(const char *path, bool trusted)
{
	struct stat a, b;
	int pfd, fd;

	if (host_root < 0 || path == NULL || path[0] != '/')
		return -EINVAL;
	if (!trusted && !host_paths)
		return -EPERM;
	/* O_PATH opens nothing (no FIFO, no device is touched): look first. */
	pfd = open_in_root(path, O_PATH);
	if (pfd < 0)
		return pfd;
	if (fstat(pfd, &a) < 0 || !S_ISREG(a.st_mode)) {
		safe_close(pfd);
		return -EINVAL;
	}
	safe_close(pfd);
	fd = open_in_root(path, O_RDONLY | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return fd;
	/* Swapped meanwhile for something else: refused. */
	if (fstat(fd, &b) < 0 || !S_ISREG(b.st_mode) || a.st_dev != b.st_dev ||
	    a.st_ino != b.st_ino) {
		safe_close(fd);
		return -EINVAL;
	}
	return fd;
}

/* Ends the supervisor as its grandchild ended. */
static _Noreturn void
exit_as(int status, bool stopped)
{
	if (stopped) {
		/* What the daemon reads as "stopped at its deadline". */
		signal(SIGALRM, SIG_DFL);
		raise(SIGALRM);
	}
	if (WIFSIGNALED(status))
		_exit(CONFINE_EXIT_SIGNAL + WTERMSIG(status));
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILURE);
}

int
confine_supervise(int ctl_fd, int64_t kill_ms)
{
	int64_t end = clock_now_ms(CLOCK_MONOTONIC) + kill_ms;
	pid_t self = getpid(), pid;
	int pidfd, status = 0;

	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		close(ctl_fd);
		/* Dies with its supervisor (if that is gone already, now). */
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != self)
			_exit(EXIT_FAILURE);
		return 0;
	}
	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	for (;;) {
		struct pollfd p[2] = { { .fd = ctl_fd, .events = POLLIN },
			{ .fd = pidfd, .events = POLLIN } };
		int64_t left = end - clock_now_ms(CLOCK_MONOTONIC);
		int tick = pidfd < 0 ? 50 : 1000; /* (no pidfd: looks often) */

		if (waitpid(pid, &status, WNOHANG) == pid)
			exit_as(status, false);
		if (left <= 0)
			break;
		if (poll(p, 2, left < tick ? (int)left : tick) > 0 &&
		    p[0].revents)
			break; /* the daemon stops it, or is gone */
	}
	(void)kill(pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	exit_as(status, true);
}
