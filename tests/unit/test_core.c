/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for hook/core.c: copying a core from a pipe or a file into
 * gzip within a byte limit and a deadline, and the core_info item.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core.h"

#define CORE_SIZE (1024 * 1024 + 12345)

struct fixture {
	char *dir;
	unsigned char *core; /* CORE_SIZE bytes, half text, half noise */
	int out_fd; /* where core.gz goes */
	char *out_path;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	uint64_t x = 88172645463325252ULL;

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	f->core = malloc(CORE_SIZE);
	assert_non_null(f->core);
	/* Like a core: compressible stretches and incompressible ones. */
	for (size_t i = 0; i < CORE_SIZE; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		f->core[i] = (i / 4096) % 2
		    ? (unsigned char)x
		    : (unsigned char)("ELF core "[i % 9]);
	}
	assert_true(asprintf(&f->out_path, "%s/core.gz", f->dir) > 0);
	f->out_fd =
	    open(f->out_path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(f->out_fd >= 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	if (f->out_fd >= 0)
		close(f->out_fd);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->out_path);
	free(f->core);
	free(f);
	return 0;
}

/* A file holding the first n bytes of the core, open for reading. */
static int
core_file(struct fixture *f, size_t n)
{
	char *path;
	int fd;

	path = tu_write_file(f->dir, "core.in", (const char *)f->core, n, 0600);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	free(path);
	return fd;
}

/*
 * A pipe whose writer (a child, like the kernel) sends n bytes of the core
 * and then closes, or keeps it open without writing when hold is set.
 */
static int
core_pipe(struct fixture *f, size_t n, bool hold, pid_t *ret_pid)
{
	int p[2];
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGPIPE, SIG_IGN);
		close(p[0]);
		for (size_t off = 0; off < n;) {
			ssize_t w = write(p[1], f->core + off, n - off);

			if (w <= 0)
				_exit(0); /* EPIPE: the reader stopped */
			off += (size_t)w;
		}
		if (hold)
			pause();
		_exit(0);
	}
	close(p[1]);
	*ret_pid = pid;
	return p[0];
}

static void
reap(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* gunzips the output file and compares it with the first n core bytes. */
static void
check_gz(struct fixture *f, size_t n)
{
	unsigned char *back = malloc(CORE_SIZE + 1);
	gzFile gz;
	int got;

	assert_non_null(back);
	gz = gzopen(f->out_path, "rb");
	assert_non_null(gz);
	got = gzread(gz, back, CORE_SIZE + 1);
	assert_int_equal(got, (int)n);
	assert_int_equal(memcmp(back, f->core, n), 0);
	/* A complete stream, not a cut one. */
	assert_int_equal(gzclose(gz), Z_OK);
	free(back);
}

static off_t
out_size(struct fixture *f)
{
	return lseek(f->out_fd, 0, SEEK_END);
}

static void
test_full_from_file(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_FULL,
		.limit = UINT64_MAX,
		.level = 6,
		.deadline_ms = 0 };
	struct core_result res;
	int in = core_file(f, CORE_SIZE);

	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	close(in);
	assert_int_equal(res.bytes_read, CORE_SIZE);
	assert_int_equal(res.bytes_kept, CORE_SIZE);
	assert_false(res.truncated);
	assert_string_equal(res.stopped, "end");
	assert_int_equal(res.error, 0);
	assert_int_equal(res.compressed, out_size(f));
	assert_true(res.compressed < CORE_SIZE);
	check_gz(f, CORE_SIZE);
}

static void
test_full_from_pipe(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_FULL,
		.limit = UINT64_MAX,
		.level = 1,
		.deadline_ms = 0 };
	struct core_result res;
	pid_t pid;
	int in = core_pipe(f, CORE_SIZE, false, &pid);

	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	close(in);
	reap(pid);
	assert_int_equal(res.bytes_read, CORE_SIZE);
	assert_int_equal(res.bytes_kept, CORE_SIZE);
	assert_false(res.truncated);
	assert_string_equal(res.stopped, "end");
	assert_int_equal(res.compressed, out_size(f));
	check_gz(f, CORE_SIZE);
}

static void
test_empty_core(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_FULL,
		.limit = UINT64_MAX,
		.level = 6,
		.deadline_ms = 0 };
	struct core_result res;
	int in = core_file(f, 0);

	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	close(in);
	assert_int_equal(res.bytes_read, 0);
	assert_false(res.truncated);
	assert_string_equal(res.stopped, "end");
	check_gz(f, 0);
}

static void
test_limit_truncates(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_TRUNCATE,
		.limit = 100000,
		.level = 1,
		.deadline_ms = 0 };
	struct core_result res;
	pid_t pid;
	int in = core_pipe(f, CORE_SIZE, false, &pid);

	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	close(in);
	reap(pid);
	assert_int_equal(res.bytes_read, 100000);
	assert_int_equal(res.bytes_kept, 100000);
	assert_true(res.truncated);
	assert_string_equal(res.stopped, "max_size");
	assert_int_equal(res.compressed, out_size(f));
	check_gz(f, 100000);
}

/* The dump's room bounds the compressed bytes, not the core's. */
static void
test_out_limit(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_TRUNCATE,
		.limit = UINT64_MAX,
		.level = 1,
		.out_limit = 300 * 1024 };
	struct core_result res;
	pid_t pid;
	int in = core_pipe(f, CORE_SIZE, false, &pid);

	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	close(in);
	reap(pid);
	assert_true(res.truncated);
	assert_string_equal(res.stopped, "room");
	assert_true(res.compressed <= p.out_limit);
	assert_int_equal(res.compressed, out_size(f));
	assert_true(res.bytes_kept > 0 && res.bytes_kept < CORE_SIZE);
	check_gz(f, res.bytes_kept);
}

static void
test_limit_truncates_file(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_TRUNCATE,
		.limit = 4096 * 3 + 1,
		.level = 9,
		.deadline_ms = 0 };
	struct core_result res;
	int in = core_file(f, CORE_SIZE);

	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	/* Never drains much more than it keeps. */
	assert_true(lseek(in, 0, SEEK_CUR) <= 4096 * 3 + 2);
	close(in);
	assert_int_equal(res.bytes_kept, 4096 * 3 + 1);
	assert_true(res.truncated);
	assert_string_equal(res.stopped, "max_size");
	check_gz(f, 4096 * 3 + 1);
}

static void
test_exact_limit_not_truncated(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_TRUNCATE,
		.limit = 200000,
		.level = 1,
		.deadline_ms = 0 };
	struct core_result res;
	pid_t pid;
	int in;

	in = core_pipe(f, 200000, false, &pid);
	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	close(in);
	reap(pid);
	assert_int_equal(res.bytes_read, 200000);
	assert_false(res.truncated);
	assert_string_equal(res.stopped, "end");
	check_gz(f, 200000);

	/* The same from a file. */
	assert_int_equal(ftruncate(f->out_fd, 0), 0);
	assert_int_equal(lseek(f->out_fd, 0, SEEK_SET), 0);
	in = core_file(f, 200000);
	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	close(in);
	assert_false(res.truncated);
	assert_string_equal(res.stopped, "end");
	check_gz(f, 200000);
}

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_deadline_passed(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_FULL,
		.limit = UINT64_MAX,
		.level = 1,
		.deadline_ms = 1 };
	struct core_result res;
	pid_t pid;
	int in = core_pipe(f, CORE_SIZE, false, &pid);

	p.deadline_ms = mono_ms() - 1;
	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	close(in);
	reap(pid);
	assert_true(res.truncated);
	assert_string_equal(res.stopped, "time_budget");
	assert_int_equal(res.bytes_read, 0);
	assert_int_equal(res.error, 0);
	/* What was kept is still a valid gzip file. */
	check_gz(f, 0);
}

/* A writer that stalls (a process the kernel cannot dump) cannot hold us. */
static void
test_deadline_stalled_writer(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_FULL,
		.limit = UINT64_MAX,
		.level = 1,
		.deadline_ms = 0 };
	struct core_result res;
	int64_t t0, took;
	pid_t pid;
	int in = core_pipe(f, 5000, true, &pid);

	t0 = mono_ms();
	p.deadline_ms = t0 + 200;
	assert_int_equal(core_copy(in, f->out_fd, &p, &res), 0);
	took = mono_ms() - t0;
	close(in);
	reap(pid);
	assert_true(took >= 190);
	assert_true(took < 5000);
	assert_true(res.truncated);
	assert_string_equal(res.stopped, "time_budget");
	assert_int_equal(res.bytes_read, 5000);
	check_gz(f, 5000);
}

static void
test_dev_full(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_FULL,
		.limit = UINT64_MAX,
		.level = 1,
		.deadline_ms = 0 };
	struct core_result res;
	int in, out;

	out = open("/dev/full", O_WRONLY | O_CLOEXEC);
	if (out < 0)
		skip();
	/* Big: fails while streaming. */
	in = core_file(f, CORE_SIZE);
	assert_int_equal(core_copy(in, out, &p, &res), -ENOSPC);
	close(in);
	assert_int_equal(res.error, -ENOSPC);
	assert_string_equal(res.stopped, "write_error");
	assert_true(res.truncated);
	assert_int_equal(res.bytes_kept, 0);
	/* Small: fails when the stream is finished. */
	in = core_file(f, 10);
	assert_int_equal(core_copy(in, out, &p, &res), -ENOSPC);
	close(in);
	assert_int_equal(res.error, -ENOSPC);
	assert_string_equal(res.stopped, "write_error");
	assert_int_equal(res.bytes_kept, 0);
	close(out);
}

static void
test_bad_level(void **state)
{
	struct fixture *f = *state;
	struct core_params p = { .mode = CORE_MODE_FULL,
		.limit = UINT64_MAX,
		.level = 42,
		.deadline_ms = 0 };
	struct core_result res;
	int in = core_file(f, 10);

	assert_true(core_copy(in, f->out_fd, &p, &res) < 0);
	assert_non_null(res.stopped);
	close(in);
}

static void
test_info_format(void **state)
{
	struct core_params p = { .mode = CORE_MODE_TRUNCATE,
		.limit = 67108864,
		.level = 1,
		.deadline_ms = 0 };
	struct core_result res = { 100000, 100000, 4242, true, "max_size", 0 };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(core_info_format(&b, &p, &res, NULL), 0);
	assert_string_equal(b.data,
	    "mode: truncate\n"
	    "limit: 67108864\n"
	    "bytes_read: 100000\n"
	    "bytes_kept: 100000\n"
	    "compressed: 4242\n"
	    "truncated: yes\n"
	    "stopped: max_size\n");
	buf_reset(&b);

	p.mode = CORE_MODE_FULL;
	res = (struct core_result){ 5, 0, 20, true, "write_error", -ENOSPC };
	assert_int_equal(core_info_format(&b, &p, &res, "spool full"), 0);
	assert_string_equal(b.data,
	    "mode: full\n"
	    "limit: 67108864\n"
	    "bytes_read: 5\n"
	    "bytes_kept: 0\n"
	    "compressed: 20\n"
	    "truncated: yes\n"
	    "stopped: write_error\n"
	    "error: No space left on device\n"
	    "note: spool full\n");
	buf_reset(&b);

	/* Mode none: no limit line, and the core was never read. */
	p.mode = CORE_MODE_NONE;
	memset(&res, 0, sizeof(res));
	assert_int_equal(core_info_format(&b, &p, &res, "mode none"), 0);
	assert_string_equal(b.data,
	    "mode: none\n"
	    "bytes_read: 0\n"
	    "bytes_kept: 0\n"
	    "compressed: 0\n"
	    "truncated: no\n"
	    "stopped: not_read\n"
	    "note: mode none\n");
	buf_done(&b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_full_from_file),
		T(test_full_from_pipe),
		T(test_empty_core),
		T(test_limit_truncates),
		T(test_out_limit),
		T(test_limit_truncates_file),
		T(test_exact_limit_not_truncated),
		T(test_deadline_passed),
		T(test_deadline_stalled_writer),
		T(test_dev_full),
		T(test_bad_level),
		cmocka_unit_test(test_info_format),
	};

	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
