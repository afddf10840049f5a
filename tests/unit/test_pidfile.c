/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/pidfile.c: taking the pid file, refusing a second
 * holder, a stale or reader-locked file that stops nothing, what
 * pidfile_query() reports, the files it leaves (none), and a forked
 * child that keeps no lock of a killed daemon.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pidfile.h"

struct fixture {
	char *dir;
	char path[PATH_MAX];
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	chmod(f->dir, 0755);
	snprintf(f->path, sizeof(f->path), "%s/run/crashd.pid", f->dir);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	tu_rm_rf(f->dir);
	free(f->dir);
	free(f);
	return 0;
}

static pid_t
file_pid(const char *path)
{
	char buf[32] = "";
	FILE *fp = fopen(path, "r");

	assert_non_null(fp);
	assert_non_null(fgets(buf, sizeof(buf), fp));
	fclose(fp);
	return (pid_t)atol(buf);
}

static void
test_acquire_query_release(void **state)
{
	struct fixture *f = *state;
	struct pidfile pf = PIDFILE_NONE, again = PIDFILE_NONE;
	char lock[PATH_MAX + 8];
	struct stat st;
	pid_t holder = -1, pid = 0;

	assert_int_equal(pidfile_query(f->path, &pid), 0);
	assert_int_equal(pidfile_acquire(f->path, &pf, &holder), 0);
	/* The directory was made, 0755; the file is world-readable. */
	assert_int_equal(stat(f->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_int_equal(file_pid(f->path), getpid());
	assert_int_equal(pidfile_query(f->path, &pid), 1);
	assert_int_equal(pid, getpid());
	/* OFD locks conflict within one process too: a second daemon. */
	assert_int_equal(pidfile_acquire(f->path, &again, &holder), -EBUSY);
	assert_int_equal(holder, getpid());
	assert_int_equal(again.fd, -1);
	/* The refused one removed nothing of the holder's. */
	assert_int_equal(pidfile_query(f->path, &pid), 1);
	pidfile_release(&pf);
	pidfile_release(&pf); /* twice is fine */
	assert_int_equal(access(f->path, F_OK), -1);
	snprintf(lock, sizeof(lock), "%s.lock", f->path);
	assert_int_equal(access(lock, F_OK), -1);
	assert_int_equal(pidfile_query(f->path, &pid), 0);
}

static void
test_stale_and_reader_locked(void **state)
{
	struct fixture *f = *state;
	struct flock fl = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
	struct pidfile pf = PIDFILE_NONE;
	pid_t holder, pid = 0;
	char dir[PATH_MAX];
	int fd;

	snprintf(dir, sizeof(dir), "%s/run", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	/* A stale file naming a live process, read-locked by a reader. */
	free(tu_write_file(dir, "crashd.pid", "1\n", 2, 0644));
	fd = open(f->path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fcntl(fd, F_OFD_SETLK, &fl), 0);
	/* A reader's lock is no daemon. */
	assert_int_equal(pidfile_query(f->path, &pid), 0);
	/* Nor does it stop one: the file is replaced, not locked. */
	assert_int_equal(pidfile_acquire(f->path, &pf, &holder), 0);
	assert_int_equal(pidfile_query(f->path, &pid), 1);
	assert_int_equal(pid, getpid());
	pidfile_release(&pf);
	close(fd);
}

static void
test_refuses(void **state)
{
	struct fixture *f = *state;
	struct pidfile pf = PIDFILE_NONE;
	char dir[PATH_MAX];
	pid_t holder, pid;

	assert_int_equal(pidfile_acquire("crashd.pid", &pf, &holder), -EINVAL);
	assert_int_equal(pidfile_acquire("/", &pf, &holder), -EINVAL);
	snprintf(dir, sizeof(dir), "%s/run", f->dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	/* Someone else could swap the files in a writable directory. */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(pidfile_acquire(f->path, &pf, &holder), -EPERM);
	assert_int_equal(pf.fd, -1);
	assert_int_equal(chmod(dir, 0755), 0);
	/* A group-writable pid file says nothing trustworthy. */
	free(tu_write_file(dir, "crashd.pid", "1\n", 2, 0664));
	assert_int_equal(pidfile_query(f->path, &pid), -EPERM);
}

/*
 * A daemon killed while a child it forked lives on: the child closed its
 * copies of the pid file and its lock, so the next daemon starts.
 */
static void
test_child_keeps_no_lock(void **state)
{
	struct fixture *f = *state;
	struct pidfile pf = PIDFILE_NONE, next = PIDFILE_NONE;
	pid_t holder = -1, child;
	int go[2], ready[2], status;
	char c = 0;

	assert_int_equal(pidfile_acquire(f->path, &pf, &holder), 0);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		bool closed = fcntl(pf.fd, F_GETFD) < 0 && errno == EBADF &&
		    fcntl(pf.lock_fd, F_GETFD) < 0 && errno == EBADF;

		close(go[1]);
		(void)write(ready[1], &c, 1);
		(void)read(go[0], &c, 1);
		_exit(closed ? 0 : 1);
	}
	/* (Its copies are closed by the time fork() returns in it.) */
	assert_int_equal(read(ready[0], &c, 1), 1);
	/* As kill -9 does: the descriptors close, nothing is removed. */
	assert_int_equal(close(pf.fd), 0);
	assert_int_equal(close(pf.lock_fd), 0);
	assert_int_equal(pidfile_acquire(f->path, &next, &holder), 0);
	assert_int_equal(file_pid(f->path), getpid());
	assert_int_equal(write(go[1], &c, 1), 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);
	pidfile_release(&next);
	close(pf.dirfd);
	free(pf.name);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_acquire_query_release, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_stale_and_reader_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuses, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_child_keeps_no_lock, setup, teardown),
	};

	return cmocka_run_group_tests_name("pidfile", tests, NULL, NULL);
}
