/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * child.c: how a child of the daemon starts (signals, death with its
 * parent, descriptors) and ends (status, deadline, group, output).
 * Real processes: /bin/sh, cat, sleep.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "child.h"
#include "clock.h"

static int64_t
now_ms(void)
{
	return clock_now_ms(CLOCK_MONOTONIC);
}

/* Starts argv as a child with flags; fails the test when it cannot. */
static void
start(char *const argv[], unsigned flags, struct child *c)
{
	struct child_options o = { .flags = flags, .in_fd = -1 };
	int r = child_fork(&o, c);

	if (r == 0) {
		execv(argv[0], argv);
		_exit(126);
	}
	assert_int_equal(r, 1);
	assert_true(c->pid > 0);
}

/*
 * Runs argv as a child with flags to its end, the deadline ms from now;
 * its descriptors are closed then.
 */
static void
run_argv(char *const argv[], unsigned flags, struct child_run *run, int64_t ms,
    struct buf *out, struct child_result *res)
{
	struct child c;

	start(argv, flags, &c);
	assert_true((c.in_fd >= 0) == ((flags & CHILD_INPUT) != 0));
	assert_true((c.out_fd >= 0) == ((flags & CHILD_CAPTURE) != 0));
	run->deadline_ms = now_ms() + ms;
	assert_int_equal(child_run(&c, run, out, res), 0);
	assert_int_equal(c.in_fd, -1);
	assert_int_equal(c.out_fd, -1);
	assert_int_equal(c.pid, -1);
}

/* A process is gone (or a zombie nobody reaped yet) within ms. */
static bool
gone_soon_ms(pid_t pid, int ms)
{
	for (int i = 0; i <= ms / 10; i++) {
		char path[64], buf[512], *p;
		FILE *f;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
		f = fopen(path, "r");
		if (f == NULL)
			return true;
		p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
		fclose(f);
		if (p && (p[2] == 'Z' || p[2] == 'X'))
			return true;
		usleep(10 * 1000);
	}
	return false;
}

static bool
gone_soon(pid_t pid)
{
	return gone_soon_ms(pid, 3000);
}

static void
test_exit_status(void **state)
{
	struct child_options o = { 0 };
	struct child_result res;
	struct child c;
	int r;

	(void)state;
	r = child_fork(&o, &c);
	if (r == 0)
		_exit(7);
	assert_int_equal(r, 1);
	assert_int_equal(c.in_fd, -1);
	assert_int_equal(c.out_fd, -1);
	while ((r = child_reap(&c, &res)) == 0)
		usleep(1000);
	assert_int_equal(r, 1);
	assert_true(res.exited);
	assert_int_equal(res.code, 7);
	assert_false(res.timed_out);
	assert_int_equal(c.pid, -1);
	assert_int_equal(child_reap(&c, &res), -ECHILD);
}

static void
test_killed_by_a_signal(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "kill -USR1 $$; sleep 5", NULL };
	struct child_run run = { .output_cap = 64 };
	struct child_result res;
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	run_argv(argv, CHILD_GROUP, &run, 10000, &out, &res);
	assert_false(res.exited);
	assert_int_equal(res.code, SIGUSR1);
	assert_false(res.timed_out);
	assert_true(WIFSIGNALED(res.status));
	buf_done(&out);
}

/*
 * Past the deadline the whole group goes: the shell that ignores
 * SIGTERM (SIGKILL after the grace) and the sleep it started.
 */
static void
test_deadline_kills_the_group(void **state)
{
	char *argv[] = { "/bin/sh", "-c",
		"trap '' TERM; sleep 60 & echo $!; wait; wait", NULL };
	struct child_run run = {
		.grace_ms = 200, .output_cap = 64, .until_output_ends = true
	};
	struct child_result res;
	int64_t begin = now_ms();
	struct buf out;
	pid_t grandchild;

	(void)state;
	buf_init(&out, 0);
	run_argv(argv, CHILD_GROUP | CHILD_STDIN | CHILD_CAPTURE, &run, 300,
	    &out, &res);
	assert_true(res.timed_out);
	assert_false(res.exited);
	assert_int_equal(res.code, SIGKILL);
	/* The deadline, then the grace: not the sleep's 60 s. */
	assert_true(now_ms() - begin >= 500);
	assert_true(now_ms() - begin < 5000);
	assert_non_null(out.data);
	grandchild = (pid_t)atoi(out.data);
	assert_true(grandchild > 1);
	assert_true(gone_soon(grandchild));
	buf_done(&out);
}

/* One that does not ignore SIGTERM ends of it within the grace. */
static void
test_deadline_sigterm_first(void **state)
{
	char *argv[] = { "/bin/sleep", "60", NULL };
	struct child_run run = { .grace_ms = 5000 };
	struct child_result res;
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	run_argv(argv, CHILD_GROUP, &run, 100, &out, &res);
	assert_true(res.timed_out);
	assert_int_equal(res.code, SIGTERM);
	buf_done(&out);
}

/* A flood of output is read to its end and kept up to the cap. */
static void
test_output_cap(void **state)
{
	char *argv[] = { "/bin/sh", "-c",
		"head -c 1048576 /dev/zero | tr '\\0' x; echo err >&2", NULL };
	struct child_run run = { .output_cap = 100, .until_output_ends = true };
	struct child_result res;
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	run_argv(argv, CHILD_STDIN | CHILD_CAPTURE, &run, 20000, &out, &res);
	assert_false(res.timed_out);
	assert_true(res.exited);
	assert_int_equal(res.code, 0);
	assert_int_equal(out.len, 100);
	for (size_t i = 0; i < out.len; i++)
		assert_int_equal(out.data[i], 'x');
	buf_done(&out);
}

/* stdin is a socket: what is written reaches it, then EOF. */
static void
test_input_and_stderr(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "cat; echo done >&2", NULL };
	static const char msg[] = "line one\nline two\n";
	struct child_run run = {
		.input = msg, .input_len = sizeof(msg) - 1, .output_cap = 4096
	};
	struct child_result res;
	struct buf out;

	(void)state;
	buf_init(&out, 0);
	run_argv(argv, CHILD_INPUT | CHILD_CAPTURE | CHILD_CLOSE_FDS, &run,
	    10000, &out, &res);
	assert_true(res.exited);
	assert_int_equal(res.code, 0);
	assert_string_equal(out.data, "line one\nline two\ndone\n");
	buf_done(&out);
}

/*
 * Its exit ends the run though what it left holds its output, unless
 * the run waits for the output's end too.
 */
static void
test_exit_or_end_of_output(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "sleep 30 & echo $!; exit 3", NULL };
	struct child_run run = { .grace_ms = 100, .output_cap = 64 };
	struct child_result res;
	int64_t begin = now_ms();
	struct buf out;
	pid_t sleeper;

	(void)state;
	buf_init(&out, 0);
	run_argv(argv, CHILD_GROUP | CHILD_STDIN | CHILD_CAPTURE, &run, 10000,
	    &out, &res);
	assert_false(res.timed_out);
	assert_true(res.exited);
	assert_int_equal(res.code, 3);
	assert_non_null(out.data);
	sleeper = (pid_t)atoi(out.data);
	assert_true(sleeper > 1);
	assert_true(now_ms() - begin < 5000);
	/* (It still runs: nobody stopped it.) */
	assert_false(gone_soon_ms(sleeper, 0));
	(void)kill(sleeper, SIGKILL);

	buf_reset(&out);
	run.until_output_ends = true;
	begin = now_ms();
	run_argv(argv, CHILD_GROUP | CHILD_STDIN | CHILD_CAPTURE, &run, 300,
	    &out, &res);
	assert_true(res.timed_out);
	assert_true(now_ms() - begin < 5000);
	/* The leader had exited; the sleep of its group went all the same. */
	assert_true(res.exited);
	assert_int_equal(res.code, 3);
	assert_non_null(out.data);
	sleeper = (pid_t)atoi(out.data);
	assert_true(sleeper > 1);
	assert_true(gone_soon(sleeper));
	buf_done(&out);
}

static void
on_usr1(int sig)
{
	(void)sig;
}

static int atfork_ran;

static void
atfork_child(void)
{
	atfork_ran = 1;
}

/* In the child: 0 when its signals are as child_fork() promises. */
static int
check_signals(void)
{
	struct sigaction sa;
	sigset_t mask;

	if (sigaction(SIGPIPE, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
		return 1;
	if (sigaction(SIGUSR1, NULL, &sa) < 0 || sa.sa_handler != SIG_DFL)
		return 2;
	if (sigaction(SIGHUP, NULL, &sa) < 0 || sa.sa_handler != SIG_IGN)
		return 3;
	if (sigprocmask(SIG_SETMASK, NULL, &mask) < 0 ||
	    sigismember(&mask, SIGUSR2) || sigismember(&mask, SIGTERM))
		return 4;
	if (!atfork_ran)
		return 5;
	return 0;
}

/*
 * The daemon's SIGPIPE ignored, its handlers and blocked signals: none
 * reaches a child, in it and past execve; but what the caller asks.
 */
static void
test_signals_reset(void **state)
{
	static const int ignore[] = { SIGHUP, 0 };
	char *argv[] = { "/bin/cat", "/proc/self/status", NULL };
	struct child_options o = { .ignore = ignore };
	struct sigaction sa = { .sa_handler = on_usr1 }, old_usr1, old_hup;
	struct child_run run = { .output_cap = 16384,
		.until_output_ends = true };
	void (*old_pipe)(int);
	struct child_result res;
	sigset_t block, old_mask;
	struct buf out;
	struct child c;
	int r;

	(void)state;
	assert_int_equal(pthread_atfork(NULL, NULL, atfork_child), 0);
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old_usr1), 0);
	assert_int_equal(sigaction(SIGHUP, &sa, &old_hup), 0);
	old_pipe = signal(SIGPIPE, SIG_IGN);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &block, &old_mask), 0);

	r = child_fork(&o, &c);
	if (r == 0)
		_exit(check_signals());
	assert_int_equal(r, 1);
	while ((r = child_reap(&c, &res)) == 0)
		usleep(1000);
	assert_int_equal(r, 1);
	assert_true(res.exited);
	assert_int_equal(res.code, 0);

	/* What an executed command sees: nothing ignored, nothing blocked. */
	buf_init(&out, 0);
	run_argv(argv, CHILD_STDIN | CHILD_CAPTURE, &run, 10000, &out, &res);
	assert_true(res.exited);
	assert_non_null(strstr(out.data, "\nSigBlk:\t0000000000000000\n"));
	assert_non_null(strstr(out.data, "\nSigIgn:\t0000000000000000\n"));
	buf_done(&out);

	sigprocmask(SIG_SETMASK, &old_mask, NULL);
	signal(SIGPIPE, old_pipe);
	sigaction(SIGUSR1, &old_usr1, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
}

/* The daemon's descriptors stay out of a CHILD_CLOSE_FDS child. */
static void
test_close_fds(void **state)
{
	int a = open("/dev/null", O_RDONLY), b = open("/dev/null", O_RDONLY);
	int d = open("/dev/null", O_RDONLY);
	struct child_options o = {
		.flags = CHILD_CLOSE_FDS, .keep_fds = &b, .n_keep_fds = 1
	};
	struct child_result res;
	struct child c;
	int r;

	(void)state;
	assert_true(a > 2 && b > a && d > b);
	r = child_fork(&o, &c);
	if (r == 0)
		_exit(fcntl(a, F_GETFD) == -1 && fcntl(d, F_GETFD) == -1 &&
			    fcntl(b, F_GETFD) != -1 && fcntl(0, F_GETFD) != -1
			? 0
			: 1);
	assert_int_equal(r, 1);
	while ((r = child_reap(&c, &res)) == 0)
		usleep(1000);
	assert_int_equal(r, 1);
	assert_true(res.exited);
	assert_int_equal(res.code, 0);
	close(a);
	close(b);
	close(d);
}

/* A child dies with its parent (PR_SET_PDEATHSIG), whenever it dies. */
static void
test_dies_with_its_parent(void **state)
{
	struct child_result res;
	struct child c;
	int p[2], r, status;
	pid_t middle, orphan = 0;

	(void)state;
	assert_int_equal(pipe(p), 0);
	middle = fork();
	assert_true(middle >= 0);
	if (middle == 0) {
		struct child_options o = { .flags = CHILD_GROUP };

		close(p[0]);
		r = child_fork(&o, &c);
		if (r == 0) {
			_exit(prctl(PR_GET_PDEATHSIG, &status) == 0 &&
				    status == SIGKILL
				? (pause(), 0)
				: 1);
		}
		if (r < 0 || write(p[1], &c.pid, sizeof(c.pid)) < 0)
			_exit(1);
		usleep(100 * 1000);
		_exit(0); /* the child is not waited for */
	}
	close(p[1]);
	assert_int_equal(read(p[0], &orphan, sizeof(orphan)), sizeof(orphan));
	close(p[0]);
	assert_int_equal(waitpid(middle, &status, 0), middle);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(orphan > 1);
	assert_true(gone_soon(orphan));
	/* child_stop() of one gone already: nothing is waited for. */
	c.pid = -1;
	assert_int_equal(child_stop(&c, 0, &res), -ECHILD);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_killed_by_a_signal),
		cmocka_unit_test(test_deadline_kills_the_group),
		cmocka_unit_test(test_deadline_sigterm_first),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_input_and_stderr),
		cmocka_unit_test(test_exit_or_end_of_output),
		cmocka_unit_test(test_signals_reset),
		cmocka_unit_test(test_close_fds),
		cmocka_unit_test(test_dies_with_its_parent),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
