/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * child.c owns starting and ending the daemon's child processes.  A
 * child forked from the daemon would inherit what suits the daemon only:
 * SIGPIPE ignored (a command whose reader went away would go on
 * writing), handlers for SIGTERM, SIGHUP and SIGCHLD, the descriptors of
 * the spool, inotify and the pid file's lock (a child that outlives a
 * killed daemon would keep the next one from starting).  So every child
 * starts with its signals at their defaults but those its caller names,
 * none blocked, PR_SET_PDEATHSIG SIGKILL, and, as asked, its own process
 * group, its stdio and no other descriptor.  The pthread_atfork() child
 * handlers of pidfile.c and backtrace.c run in it as in any fork.
 *
 * Ending one: child_stop() kills the group it leads (what it started
 * too), child_run() feeds it, collects its output within a cap and stops
 * it at a deadline.
 */
#include "child.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"

/* How often a child without a pidfd is looked at, in ms. */
#define CHILD_LOOK_MS 10

/* In the child: fd becomes target (kept across execve). */
static int
move_to(int fd, int target)
{
	if (fd == target)
		return fcntl(fd, F_SETFD, 0) < 0 ? -errno : 0;
	return dup2(fd, target) < 0 ? -errno : 0;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/* In the child: closes every descriptor above 2 but keep (n <= 64). */
static int
close_all_but(const int *keep, size_t n)
{
	int sorted[64];
	unsigned from = 3;

	if (n > 64)
		return -EINVAL;
	if (n > 0)
		memcpy(sorted, keep, n * sizeof(int));
	qsort(sorted, n, sizeof(int), cmp_int);
	for (size_t i = 0; i < n; i++) {
		if (sorted[i] < (int)from)
			continue;
		if ((unsigned)sorted[i] > from &&
		    close_range(from, (unsigned)sorted[i] - 1, 0) < 0)
			return -errno;
		from = (unsigned)sorted[i] + 1;
	}
	return close_range(from, ~0U, 0) < 0 ? -errno : 0;
}

/* In the child: the daemon's signal handling undone, but o->ignore. */
static void
reset_signals(const struct child_options *o)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL };
	sigset_t none;

	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < _NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)sigaction(
			    sig, &dfl, NULL); /* (EINVAL: glibc's) */
	for (const int *s = o->ignore; s && *s; s++)
		(void)signal(*s, SIG_IGN);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* In the child: everything child_fork() promises, or -errno. */
static int
setup_child(const struct child_options *o, pid_t parent, int in_fd, int out_fd)
{
	int r;

	reset_signals(o);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		return -errno;
	if (getppid() != parent)
		return -ESRCH; /* it died before the line above */
	if ((o->flags & CHILD_GROUP) && setpgid(0, 0) < 0)
		return -errno;
	if (o->flags & (CHILD_STDIN | CHILD_INPUT)) {
		int fd = in_fd, null = -1;

		if (fd < 0) {
			null = open("/dev/null", O_RDONLY | O_CLOEXEC);
			if (null < 0)
				return -errno;
			fd = null;
		}
		r = move_to(fd, STDIN_FILENO);
		if (null != STDIN_FILENO)
			safe_close(null);
		if (r < 0)
			return r;
	}
	if (out_fd >= 0) {
		r = move_to(out_fd, STDOUT_FILENO);
		if (r >= 0)
			r = move_to(out_fd, STDERR_FILENO);
		if (r < 0)
			return r;
	}
	if (o->flags & CHILD_CLOSE_FDS)
		return close_all_but(o->keep_fds, o->n_keep_fds);
	return 0;
}

int
child_fork(const struct child_options *o, struct child *ret)
{
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, r;
	pid_t parent = getpid(), pid;

	if ((o->flags & CHILD_INPUT) &&
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
		return -errno;
	if ((o->flags & CHILD_CAPTURE) &&
	    (pipe2(out, O_CLOEXEC) < 0 ||
		fcntl(out[0], F_SETFL, O_NONBLOCK) < 0)) {
		r = -errno;
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto out;
	}
	if (pid == 0) {
		/* (The parent's ends: no EOF would ever come with them here.)
		 */
		safe_close(in[0]);
		safe_close(out[0]);
		r = setup_child(o, parent,
		    o->flags & CHILD_INPUT ? in[1] : o->in_fd, out[1]);
		if (r < 0)
			_exit(127);
		if (in[1] > STDERR_FILENO)
			safe_close(in[1]);
		if (out[1] > STDERR_FILENO)
			safe_close(out[1]);
		return 0;
	}
	/* (Both set it: neither may signal a group not made yet.) */
	if (o->flags & CHILD_GROUP)
		(void)setpgid(pid, pid);
	ret->pid = pid;
	ret->group = (o->flags & CHILD_GROUP) != 0;
	ret->in_fd = in[0];
	ret->out_fd = out[0];
	in[0] = out[0] = -1; /* now the caller's */
	r = 1;
out:
	safe_close(in[0]);
	safe_close(in[1]);
	safe_close(out[0]);
	safe_close(out[1]);
	return r;
}

void
child_kill(const struct child *c, int sig)
{
	if (c->pid <= 0)
		return;
	if (c->group)
		(void)kill(-c->pid, sig);
	/* (Its leader too, should it have left the group.) */
	(void)kill(c->pid, sig);
}

static void
result_of(int status, struct child_result *ret)
{
	memset(ret, 0, sizeof(*ret));
	ret->status = status;
	ret->exited = WIFEXITED(status);
	ret->code = WIFEXITED(status) ? WEXITSTATUS(status)
	    : WIFSIGNALED(status)     ? WTERMSIG(status)
				      : 0;
}

int
child_reap(struct child *c, struct child_result *ret)
{
	int status = 0;
	pid_t w;

	if (c->pid <= 0)
		return -ECHILD;
	w = waitpid(c->pid, &status, WNOHANG);
	if (w == 0 || (w < 0 && errno == EINTR))
		return 0;
	if (w < 0) {
		int r = -errno;

		c->pid = -1;
		return r;
	}
	c->pid = -1;
	result_of(status, ret);
	return 1;
}

int
child_wait(struct child *c, struct child_result *ret)
{
	int status = 0;
	pid_t w;

	if (c->pid <= 0)
		return -ECHILD;
	while ((w = waitpid(c->pid, &status, 0)) < 0 && errno == EINTR)
		;
	c->pid = -1;
	if (w < 0)
		return -errno;
	if (ret)
		result_of(status, ret);
	return 0;
}

int
child_stop(struct child *c, int64_t grace_ms, struct child_result *ret)
{
	struct child_result res;

	if (c->pid <= 0)
		return -ECHILD;
	if (grace_ms > 0) {
		int64_t end = clock_now_ms(CLOCK_MONOTONIC) + grace_ms;
		const struct timespec tick = { 0, CHILD_LOOK_MS * 1000 * 1000 };
		int r;

		child_kill(c, SIGTERM);
		while ((r = child_reap(c, &res)) == 0 &&
		    clock_now_ms(CLOCK_MONOTONIC) < end)
			nanosleep(&tick, NULL);
		if (r < 0)
			return r;
		if (r > 0) {
			if (ret)
				*ret = res;
			return 0;
		}
	}
	child_kill(c, SIGKILL);
	return child_wait(c, ret);
}

void
child_close_fds(struct child *c)
{
	c->in_fd = safe_close(c->in_fd);
	c->out_fd = safe_close(c->out_fd);
}

/* Keeps what fits of n bytes under cap; the rest is dropped. */
static void
keep(struct buf *out, size_t cap, const char *s, size_t n)
{
	if (out->len < cap)
		(void)buf_append(
		    out, s, n < cap - out->len ? n : cap - out->len);
}

/* True when the child has exited (it is left a zombie: still named). */
static bool
has_exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno != EINTR; /* (gone: nothing to wait for) */
	return si.si_pid == pid;
}

/*
 * Sends what is left of the input; stops writing (EOF for the child)
 * once all is sent or the child stopped reading.  Returns the offset.
 */
static size_t
feed(struct child *c, const struct child_run *run, size_t off)
{
	ssize_t n = send(c->in_fd, run->input + off, run->input_len - off,
	    MSG_NOSIGNAL | MSG_DONTWAIT);

	if (n > 0)
		off += (size_t)n;
	/* One that stops reading says why in its status. */
	if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
	    off == run->input_len) {
		(void)shutdown(c->in_fd, SHUT_WR);
		c->in_fd = safe_close(c->in_fd);
	}
	return off;
}

/* Reads what the child wrote; false at its end (or an error). */
static bool
drain(struct child *c, const struct child_run *run, struct buf *output)
{
	char tmp[4096];

	for (;;) {
		ssize_t n = read(c->out_fd, tmp, sizeof(tmp));

		if (n > 0) {
			keep(output, run->output_cap, tmp, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return true;
		c->out_fd = safe_close(c->out_fd);
		return false;
	}
}

int
child_run(struct child *c, const struct child_run *run, struct buf *output,
    struct child_result *ret)
{
	int pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
	bool exited = false, timed_out = false;
	struct child_result res;
	size_t off = 0;
	int r;

	if (c->in_fd >= 0 && run->input_len == 0) {
		(void)shutdown(c->in_fd, SHUT_WR);
		c->in_fd = safe_close(c->in_fd);
	}
	for (;;) {
		struct pollfd p[3] = {
			{ .fd = c->in_fd, .events = POLLOUT },
			{ .fd = c->out_fd, .events = POLLIN },
			{ .fd = exited ? -1 : pidfd, .events = POLLIN },
		};
		int64_t left = run->deadline_ms - clock_now_ms(CLOCK_MONOTONIC);
		int64_t ms = left < 1000 ? left : 1000;

		exited = exited || has_exited(c->pid);
		if (exited && (c->out_fd < 0 || !run->until_output_ends))
			break;
		if (left <= 0) {
			timed_out = true;
			break;
		}
		if (run->tick)
			run->tick();
		if (!exited && pidfd < 0 && ms > CHILD_LOOK_MS)
			ms = CHILD_LOOK_MS;
		(void)poll(p, 3, (int)ms);
		if (c->in_fd >= 0 &&
		    (p[0].revents & (POLLOUT | POLLERR | POLLHUP)))
			off = feed(c, run, off);
		if (c->out_fd >= 0 &&
		    (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
			(void)drain(c, run, output);
	}
	safe_close(pidfd);
	/* What it wrote before it exited. */
	if (!timed_out && c->out_fd >= 0)
		(void)drain(c, run, output);
	child_close_fds(c);
	r = timed_out ? child_stop(c, run->grace_ms, &res)
		      : child_wait(c, &res);
	if (r < 0)
		return r;
	res.timed_out = timed_out;
	*ret = res;
	return 0;
}
