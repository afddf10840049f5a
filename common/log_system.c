/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log_system.c owns how a line reaches the system log, first of: the
 * journal's native socket (priority, identifier, pid and the caller's
 * fields as fields of their own), the syslog socket /dev/log, the kernel's
 * log /dev/kmsg, which is what systemd-coredump falls back to.  Without
 * libsystemd: the hook links this, and must start fast.  See log.h.
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define SYSLOG_SOCKET "/dev/log"
#define KMSG "/dev/kmsg"
#define FIELD_MAX 64

static int journal_fd = -1, syslog_fd = -1, kmsg_fd = -1;

static int
dgram_connect(int *fd, const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (*fd >= 0)
		return 0;
	*fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return -errno;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(*fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(*fd);
		*fd = -1;
		return r;
	}
	return 0;
}

static void
dgram_drop(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/*
 * One field of the journal's native protocol: "NAME=value\n", or, for a
 * value with a newline, "NAME\n", its length (64 bits, little endian),
 * the value and "\n".  iov gets at most 4 entries; lenbuf 8 bytes.
 */
static int
put_field(struct iovec *iov, const char *name, const char *value,
    unsigned char lenbuf[8])
{
	size_t n = strlen(value);
	int k = 0;

	iov[k++] = (struct iovec){ (void *)name, strlen(name) };
	if (memchr(value, '\n', n) == NULL) {
		iov[k++] = (struct iovec){ "=", 1 };
	} else {
		iov[k++] = (struct iovec){ "\n", 1 };
		for (int i = 0; i < 8; i++)
			lenbuf[i] = (unsigned char)((uint64_t)n >> (8 * i));
		iov[k++] = (struct iovec){ lenbuf, 8 };
	}
	iov[k++] = (struct iovec){ (void *)value, n };
	iov[k++] = (struct iovec){ "\n", 1 };
	return k;
}

static int
send_journal(int level, const char *ident, const char *msg, int error,
    const char *const *fields)
{
	struct iovec iov[5 * (5 + FIELD_MAX / 2)];
	unsigned char lens[5 + FIELD_MAX / 2][8];
	char prio[4], pid[24], err[16];
	struct msghdr mh = { 0 };
	int n = 0, f = 0, r;

	r = dgram_connect(&journal_fd, JOURNAL_SOCKET);
	if (r < 0)
		return r;
	snprintf(prio, sizeof(prio), "%d", level);
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	n += put_field(iov + n, "PRIORITY", prio, lens[f++]);
	n += put_field(iov + n, "SYSLOG_IDENTIFIER", ident, lens[f++]);
	n += put_field(iov + n, "SYSLOG_PID", pid, lens[f++]);
	n += put_field(iov + n, "MESSAGE", msg, lens[f++]);
	if (error > 0) {
		snprintf(err, sizeof(err), "%d", error);
		n += put_field(iov + n, "ERRNO", err, lens[f++]);
	}
	for (int i = 0; fields && fields[i] && fields[i + 1] && i < FIELD_MAX;
	     i += 2)
		n += put_field(iov + n, fields[i], fields[i + 1], lens[f++]);
	mh.msg_iov = iov;
	mh.msg_iovlen = (size_t)n;
	if (sendmsg(journal_fd, &mh, MSG_NOSIGNAL) >= 0)
		return 0;
	/* journald restarted (a new socket) or is gone: once more, fresh. */
	dgram_drop(&journal_fd);
	r = dgram_connect(&journal_fd, JOURNAL_SOCKET);
	if (r < 0)
		return r;
	return sendmsg(journal_fd, &mh, MSG_NOSIGNAL) >= 0 ? 0 : -errno;
}

/* RFC 3164, as glibc's syslog() writes it to /dev/log. */
static int
send_syslog(int level, const char *ident, const char *msg)
{
	char head[128], stamp[32];
	struct iovec iov[2];
	struct tm tm;
	time_t now = time(NULL);
	int r;

	r = dgram_connect(&syslog_fd, SYSLOG_SOCKET);
	if (r < 0)
		return r;
	if (localtime_r(&now, &tm) == NULL ||
	    strftime(stamp, sizeof(stamp), "%b %e %T", &tm) == 0)
		stamp[0] = '\0';
	snprintf(head, sizeof(head), "<%d>%s %s[%ld]: ", LOG_DAEMON | level,
	    stamp, ident, (long)getpid());
	iov[0] = (struct iovec){ head, strlen(head) };
	iov[1] = (struct iovec){ (void *)msg, strlen(msg) };
	if (writev(syslog_fd, iov, 2) >= 0)
		return 0;
	r = -errno;
	dgram_drop(&syslog_fd);
	return r;
}

static int
send_kmsg(int level, const char *ident, const char *msg)
{
	char line[1024];
	ssize_t w;
	int n;

	if (kmsg_fd < 0)
		kmsg_fd = open(KMSG, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (kmsg_fd < 0)
		return -errno;
	/* One record per write(); the kernel keeps about 1 KiB of it. */
	n = snprintf(line, sizeof(line), "<%d>%s[%ld]: %s\n",
	    LOG_DAEMON | level, ident, (long)getpid(), msg);
	if (n < 0)
		return -EINVAL;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	w = write(kmsg_fd, line, (size_t)n);
	if (w < 0)
		return -errno;
	return w == n ? 0 : -EIO;
}

void
log_system_send(int level, const char *ident, const char *msg, int error,
    const char *const *fields)
{
	if (send_journal(level, ident, msg, error, fields) == 0)
		return;
	if (send_syslog(level, ident, msg) == 0)
		return;
	(void)send_kmsg(level, ident, msg);
}

bool
log_stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (e == NULL || sscanf(e, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_system_close(void)
{
	dgram_drop(&journal_fd);
	dgram_drop(&syslog_fd);
	if (kmsg_fd >= 0)
		close(kmsg_fd);
	kmsg_fd = -1;
}
