/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for lib/snapshot.c, compiled here with the build's own flags
 * (the installed library is built without sanitizers: a library must not
 * make its callers carry them; this copy runs under ASan and UBSan): the
 * ceiling, alone and from 8 threads, its environment variable, the
 * refusals, and what the program sees of a snapshot: no SIGCHLD, no
 * child left, errno kept; and, as a subreaper, the snapshot process
 * itself: killed by SIGABRT at nice 19.  RLIMIT_CORE is 1, so the kernel
 * writes no core of the snapshots, whatever core_pattern is.
 */
#include "testutil.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot.c"

static atomic_int sigchld_seen;

static void
on_sigchld(int sig)
{
	(void)sig;
	atomic_fetch_add(&sigchld_seen, 1);
}

/* No child of ours is left (none was ever ours, but the subreaper's). */
static void
assert_no_child(void)
{
	int st;

	assert_int_equal(waitpid(-1, &st, WNOHANG | __WALL), -1);
	assert_int_equal(errno, ECHILD);
}

static int
setup(void **state)
{
	struct rlimit one = { 1, 1 };
	struct sigaction sa = { .sa_handler = on_sigchld };

	(void)state;
	/* 1: the kernel's "no core, not even to a pipe". */
	if (setrlimit(RLIMIT_CORE, &one) < 0)
		return -1;
	sigemptyset(&sa.sa_mask);
	return sigaction(SIGCHLD, &sa, NULL);
}

static void
test_ceiling(void **state)
{
	(void)state;
	crashd_snapshot_limit(3, 3600);
	atomic_store(&sigchld_seen, 0);
	for (int i = 0; i < 3; i++) {
		errno = EBADF;
		assert_int_equal(crashd_snapshot("test: within", 0), 1);
		assert_int_equal(errno, EBADF);
	}
	/* The 4th is refused; so are the next ones, within the hour. */
	assert_int_equal(crashd_snapshot("test: over", 0), 0);
	assert_int_equal(crashd_snapshot("test: over", 0), 0);
	assert_no_child();
	assert_int_equal(atomic_load(&sigchld_seen), 0);
}

static void
test_window_passes(void **state)
{
	(void)state;
	crashd_snapshot_limit(1, 1);
	assert_true(take_slot());
	assert_false(take_slot());
	usleep(1100 * 1000);
	assert_true(take_slot());
	assert_false(take_slot());
}

#define THREADS 8
#define CALLS 6

static atomic_int taken;

static void *
many(void *arg)
{
	(void)arg;
	for (int i = 0; i < CALLS; i++)
		if (crashd_snapshot("test: threads", 0) == 1)
			atomic_fetch_add(&taken, 1);
	return NULL;
}

static void
test_ceiling_from_threads(void **state)
{
	pthread_t t[THREADS];

	(void)state;
	crashd_snapshot_limit(5, 3600);
	atomic_store(&taken, 0);
	atomic_store(&sigchld_seen, 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, many, NULL), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	/* Exactly the ceiling, of 48 tries at once. */
	assert_int_equal(atomic_load(&taken), 5);
	assert_no_child();
	assert_int_equal(atomic_load(&sigchld_seen), 0);
}

static void
test_environment(void **state)
{
	static const char *ignored[] = { "", "2", "x/60", "2/60x", "2/",
		"-1/60", "2/-60", " 2/60", "4294967296/60", NULL };

	(void)state;
	setenv("CRASHD_SNAPSHOT_LIMIT", "2/60", 1);
	limit_from_environment();
	assert_int_equal(atomic_load(&limit_n), 2);
	assert_int_equal(atomic_load(&limit_per_s), 60);
	for (int i = 0; ignored[i]; i++) {
		crashd_snapshot_limit(7, 70);
		setenv("CRASHD_SNAPSHOT_LIMIT", ignored[i], 1);
		limit_from_environment();
		assert_int_equal(atomic_load(&limit_n), 7);
		assert_int_equal(atomic_load(&limit_per_s), 70);
	}
	/* 0 snapshots: none at all; a period of 0 is one second. */
	setenv("CRASHD_SNAPSHOT_LIMIT", "0/0", 1);
	limit_from_environment();
	assert_int_equal(atomic_load(&limit_per_s), 1);
	assert_int_equal(crashd_snapshot("test: none allowed", 0), 0);
	unsetenv("CRASHD_SNAPSHOT_LIMIT");
}

static void
test_refusals(void **state)
{
	(void)state;
	crashd_snapshot_limit(10, 3600);
	assert_int_equal(crashd_snapshot("test", 1), -EINVAL);
	assert_int_equal(prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), 0);
	assert_int_equal(crashd_snapshot("test", 0), -EPERM);
	assert_int_equal(prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), 0);
	/* Neither took a slot: all 10 are left. */
	for (int i = 0; i < 10; i++)
		assert_true(take_slot());
	assert_false(take_slot());
}

static void
test_assert_macros(void **state)
{
	int calls = 0;

	(void)state;
	crashd_snapshot_limit(2, 3600);
	/* True: no snapshot, true back; false: a snapshot, false back. */
	assert_true(CRASHD_ASSERT(++calls == 1));
	assert_false(CRASHD_ASSERT(calls == 0));
	assert_false(crashd_check(calls == 0, "calls %d, reason %s", calls,
	    "a long message to cut at the marker's size"));
	/* The ceiling is spent: still false, still no abort. */
	assert_false(CRASHD_ASSERT(calls == 0));
	assert_int_equal(calls, 1);
	assert_no_child();
}

/* /proc/PID/stat field n (1-based) of a zombie, or -1. */
static long
stat_field(pid_t pid, int n)
{
	char path[64], buf[1024], *p;
	FILE *f;
	long v = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (f == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')'))) {
		p += 2; /* field 3 */
		for (int i = 3; i < n && p; i++) {
			p = strchr(p, ' ');
			p = p ? p + 1 : NULL;
		}
		if (p)
			v = strtol(p, NULL, 10);
	}
	fclose(f);
	return v;
}

static void
test_snapshot_process(void **state)
{
	siginfo_t si;

	(void)state;
	crashd_snapshot_limit(1, 3600);
	/* The orphaned snapshot process comes to us, not to init. */
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
	assert_int_equal(crashd_snapshot("test: the process itself", 0), 1);
	memset(&si, 0, sizeof(si));
	assert_int_equal(waitid(P_ALL, 0, &si, WEXITED | WNOWAIT), 0);
	assert_int_equal(si.si_code, CLD_KILLED); /* (no core: limit 1) */
	assert_int_equal(si.si_status, SIGABRT);
	/* nice is field 19. */
	assert_int_equal(stat_field(si.si_pid, 19), 19);
	assert_int_equal(waitpid(si.si_pid, NULL, 0), si.si_pid);
	assert_int_equal(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
	assert_no_child();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ceiling),
		cmocka_unit_test(test_window_passes),
		cmocka_unit_test(test_ceiling_from_threads),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_assert_macros),
		cmocka_unit_test(test_snapshot_process),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
