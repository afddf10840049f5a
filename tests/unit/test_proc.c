/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for the pure parsers of hook/proc.c on real /proc fixtures
 * (tests/fixtures/proc/) and hostile variations of them.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "proc.h"

/* The 52 fields after comm of a real stat line (from stat_cat). */
#define STAT_TAIL                                                              \
	"R 6214 6214 3321 0 -1 4194304 116 0 0 0 0 0 0 0 20 0 1 0 72046 "      \
	"3133440 418 18446744073709551615 94893248925696 94893248945577 "      \
	"140730968027280 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94893248961584 "     \
	"94893248963200 94894009098240 140730968029609 140730968029629 "       \
	"140730968029629 140730968031211 0\n"

static int
parse_stat_str(const char *s, struct proc_stat *st)
{
	size_t len;
	char *d = tu_memdup(s, &len);
	int r;

	r = proc_parse_stat(d, len, st);
	free(d);
	return r;
}

static void
check_stat_fixture(const char *name, const char *comm, pid_t ppid,
    unsigned long long starttime)
{
	struct proc_stat st;
	size_t len;
	char *d = tu_fixture(name, &len);

	memset(&st, 0xa5, sizeof(st));
	assert_int_equal(proc_parse_stat(d, len, &st), 0);
	assert_string_equal(st.comm, comm);
	assert_int_equal(st.ppid, ppid);
	assert_int_equal(st.starttime, starttime);
	free(d);
}

static void
test_stat_fixtures(void **state)
{
	(void)state;
	check_stat_fixture("proc/stat_cat", "cat", 6214, 72046);
	/* Set with prctl(PR_SET_NAME, "a) b (c)"): spaces and both parens. */
	check_stat_fixture("proc/stat_parens", "a) b (c)", 6186, 71536);
	check_stat_fixture("proc/stat_kthreadd", "kthreadd", 0, 18);
}

static void
check_comm(const char *line, const char *comm)
{
	struct proc_stat st;

	if (parse_stat_str(line, &st) != 0)
		fail_msg("refused: %s", line);
	assert_string_equal(st.comm, comm);
	assert_int_equal(st.ppid, 6214);
	assert_int_equal(st.starttime, 72046);
}

static void
test_stat_hostile_comm(void **state)
{
	(void)state;
	check_comm("1234 (a) b (c)) " STAT_TAIL, "a) b (c)");
	check_comm("1234 ()) " STAT_TAIL, ")");
	check_comm("1234 (() " STAT_TAIL, "(");
	check_comm("1234 () " STAT_TAIL, "");
	check_comm("1234 ( ) " STAT_TAIL, " ");
	check_comm("1234 (x) S 1 2 3) " STAT_TAIL, "x) S 1 2 3");
	check_comm("1234 (a\nb) " STAT_TAIL, "a\nb");
	check_comm("1234 (\xff\xfe) " STAT_TAIL, "\xff\xfe");
	check_comm("1234 (0123456789abcdef0123456789abcdef0123456789abcdef"
		   "0123456789abcdefXYZ) " STAT_TAIL,
	    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde");
}

static void
test_stat_garbage(void **state)
{
	struct proc_stat st, before;

	(void)state;
	memset(&st, 0x5a, sizeof(st));
	before = st;
	assert_int_equal(parse_stat_str("", &st), -EINVAL);
	assert_int_equal(parse_stat_str("garbage", &st), -EINVAL);
	assert_int_equal(parse_stat_str("1234 cat R 1 2 3", &st), -EINVAL);
	assert_int_equal(parse_stat_str("1234 (cat R 1 2 3", &st), -EINVAL);
	assert_int_equal(parse_stat_str("1234 cat) R 1 2 3", &st), -EINVAL);
	assert_int_equal(parse_stat_str(") (", &st), -EINVAL);
	assert_int_equal(parse_stat_str("1234 (cat)", &st), -EINVAL);
	assert_int_equal(parse_stat_str("1234 (cat) R", &st), -EINVAL);
	assert_int_equal(
	    parse_stat_str("1234 (cat) R 1 2 3 4 5", &st), -EINVAL);
	/* Not a number where ppid or starttime should be. */
	assert_int_equal(parse_stat_str("1 (c) R x 1 1 0 -1 4194304 116 0 0 "
					"0 0 0 0 0 20 0 1 0 72046 3133440\n",
			     &st),
	    -EINVAL);
	assert_int_equal(parse_stat_str("1 (c) R -5 1 1 0 -1 4194304 116 0 0 "
					"0 0 0 0 0 20 0 1 0 72046 3133440\n",
			     &st),
	    -EINVAL);
	assert_int_equal(parse_stat_str("1 (c) R 5x 1 1 0 -1 4194304 116 0 0 "
					"0 0 0 0 0 20 0 1 0 72046 3133440\n",
			     &st),
	    -EINVAL);
	assert_int_equal(parse_stat_str("1 (c) R 5 1 1 0 -1 4194304 116 0 0 "
					"0 0 0 0 0 20 0 1 0 72x46 3133440\n",
			     &st),
	    -EINVAL);
	/* A ppid that is no pid. */
	assert_int_equal(parse_stat_str("1 (c) R 99999999999999999999 1 1 0 "
					"-1 4194304 116 0 0 0 0 0 0 0 20 0 "
					"1 0 72046 3133440\n",
			     &st),
	    -EINVAL);
	assert_memory_equal(&st, &before, sizeof(st));
}

/*
 * Every prefix of a real stat line: refused while it stops before the
 * end of starttime (field 22), the same result once it holds it.
 */
static void
test_stat_truncated(void **state)
{
	struct proc_stat st;
	size_t len, ok_from;
	char *full = tu_fixture("proc/stat_parens", &len);
	const char *p = strstr(full, " 71536 ");

	(void)state;
	assert_non_null(p);
	ok_from = (size_t)(p - full) + strlen(" 71536 ");
	for (size_t n = 0; n <= len; n++) {
		char *d = malloc(n ? n : 1);
		int r;

		assert_non_null(d);
		memcpy(d, full, n);
		memset(&st, 0, sizeof(st));
		r = proc_parse_stat(d, n, &st);
		if (n < ok_from && r != -EINVAL)
			fail_msg(
			    "prefix of %zu bytes accepted (starttime %llu)", n,
			    st.starttime);
		if (n >= ok_from) {
			assert_int_equal(r, 0);
			assert_int_equal(st.starttime, 71536);
			assert_int_equal(st.ppid, 6186);
			assert_string_equal(st.comm, "a) b (c)");
		}
		free(d);
	}
	free(full);
}

static void
test_btime(void **state)
{
	unsigned long long v = 0;
	size_t len;
	char *d = tu_fixture("proc/proc_stat", &len);

	(void)state;
	assert_int_equal(proc_parse_btime(d, len, &v), 0);
	assert_int_equal(v, 1795399730ULL);
	free(d);
	d = tu_memdup("btime 42", &len);
	assert_int_equal(proc_parse_btime(d, len, &v), 0);
	assert_int_equal(v, 42);
	free(d);
	d = tu_memdup("cpu 1 2 3\nbtime 17\nprocesses 5\n", &len);
	assert_int_equal(proc_parse_btime(d, len, &v), 0);
	assert_int_equal(v, 17);
	free(d);
}

static void
check_btime_err(const char *s)
{
	unsigned long long v = 99;
	size_t len;
	char *d = tu_memdup(s, &len);

	if (proc_parse_btime(d, len, &v) != -EINVAL)
		fail_msg("accepted \"%s\" as %llu", s, v);
	assert_int_equal(v, 99);
	free(d);
}

static void
test_btime_garbage(void **state)
{
	(void)state;
	check_btime_err("");
	check_btime_err("cpu 1 2 3\nprocesses 5\n");
	check_btime_err("btime\n");
	check_btime_err("btime \n");
	check_btime_err("btime x\n");
	check_btime_err("btime -5\n");
	check_btime_err("btime 12abc\n");
	check_btime_err("xbtime 5\n");
	check_btime_err("btime 99999999999999999999999\n");
	check_btime_err("btime 123456789012345678901234567890123456789\n");
}

static char *
dso_list_of(const char *maps, size_t len)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	assert_int_equal(proc_dso_list(maps, len, &b), 0);
	s = buf_steal(&b, NULL);
	return s;
}

static void
check_dso(const char *maps, const char *want)
{
	size_t len;
	char *d = tu_memdup(maps, &len), *got;

	got = dso_list_of(d, len);
	assert_string_equal(got, want);
	free(got);
	free(d);
}

static void
test_dso_list_fixture(void **state)
{
	size_t len;
	char *d = tu_fixture("proc/maps_real", &len), *got;

	(void)state;
	got = dso_list_of(d, len);
	assert_string_equal(got,
	    "/tmp/fx/gen\n"
	    "/tmp/fx/dir with space/libz copy.so.1\n"
	    "/usr/lib/x86_64-linux-gnu/libc.so.6\n"
	    "/memfd:jit-cache (deleted)\n"
	    "/tmp/fx/gone.dat (deleted)\n"
	    "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2\n");
	free(got);
	free(d);
}

/*
 * Named anonymous mappings (PR_SET_VMA_ANON_NAME, shmem names) may hold a
 * '/': they are no files.
 */
static void
test_dso_list_anon_names(void **state)
{
	size_t len;
	char *d = tu_fixture("proc/maps_anon_named", &len), *got;

	(void)state;
	got = dso_list_of(d, len);
	assert_string_equal(got,
	    "/usr/bin/node\n"
	    "/usr/lib/x86_64-linux-gnu/libc.so.6\n");
	free(got);
	free(d);
}

#define MAP(addr, path) addr " r--p 00000000 fe:00 1234      " path "\n"

static void
test_dso_list_order_and_unique(void **state)
{
	(void)state;
	check_dso("", "");
	check_dso(MAP("1000-2000", "/lib/a.so") MAP("2000-3000", "/lib/b.so")
		      MAP("3000-4000", "/lib/a.so") MAP("4000-5000", "[heap]")
			  MAP("5000-6000", "/lib/c.so")
			      MAP("6000-7000", "/lib/b.so"),
	    "/lib/a.so\n/lib/b.so\n/lib/c.so\n");
	/* Anonymous and special mappings are skipped. */
	check_dso(
	    "1000-2000 rw-p 00000000 00:00 0 \n"
	    "2000-3000 rw-p 00000000 00:00 0\n" MAP("3000-4000", "[stack]")
		MAP("4000-5000", "[vdso]") MAP("5000-6000", "[vvar]"),
	    "");
	/* A path that is a prefix or an extension of another is its own. */
	check_dso(MAP("1000-2000", "/lib/a.so") MAP("2000-3000", "/lib/a.so.1")
		      MAP("3000-4000", "/lib/a.s")
			  MAP("4000-5000", "/lib/a.so"),
	    "/lib/a.so\n/lib/a.so.1\n/lib/a.s\n");
	/* Spaces inside and at the end of a path; the kernel's \012. */
	check_dso(MAP("1000-2000", "/opt/my app/lib x.so")
		      MAP("2000-3000", "/opt/my app/lib x.so ")
			  MAP("3000-4000", "/tmp/evil\\012name"),
	    "/opt/my app/lib x.so\n/opt/my app/lib x.so \n"
	    "/tmp/evil\\012name\n");
	/* No newline at the end. */
	check_dso("1000-2000 r--p 00000000 fe:00 1 /lib/x.so", "/lib/x.so\n");
	/* Half a line, garbage. */
	check_dso("1000-2000 r--p", "");
	check_dso("\n\n\n", "");
	check_dso("/not/a/maps/line\n", "");
}

static void
test_dso_list_cap(void **state)
{
	struct buf b;
	size_t len;
	char *d = tu_fixture("proc/maps_real", &len);

	(void)state;
	buf_init(&b, 16);
	assert_int_equal(proc_dso_list(d, len, &b), -E2BIG);
	buf_done(&b);
	free(d);
}

/*
 * A process can map tens of thousands of distinct files (vm.max_map_count
 * is 65530).  The hook reads maps while the kernel holds the process: the
 * list must stay fast.
 */
static void
test_dso_list_many_files_fast(void **state)
{
	enum { N = 65530 };
	struct buf maps, out;
	struct timespec t0, t1;
	double secs;

	(void)state;
	buf_init(&maps, 0);
	buf_init(&out, 0);
	for (int i = 0; i < N; i++)
		assert_int_equal(buf_printf(&maps,
				     "7f%010x-7f%010x r--p 00000000 fe:00 %d "
				     "                  /tmp/many/file-%d.so\n",
				     i * 4096, (i + 1) * 4096, 100000 + i, i),
		    0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(proc_dso_list(maps.data, maps.len, &out), 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_int_equal(strncmp(out.data, "/tmp/many/file-0.so\n", 20), 0);
	if (secs > 1.0)
		fail_msg("%d distinct files took %.2fs", N, secs);
	buf_done(&maps);
	buf_done(&out);
}

static int
passwd_lookup(const char *text, uid_t uid, char *out, size_t size)
{
	size_t len;
	char *d = tu_memdup(text, &len);
	int r = proc_passwd_name(d, len, uid, out, size);

	free(d);
	return r;
}

static void
test_passwd_fixture(void **state)
{
	char name[64];
	size_t len;
	char *d = tu_fixture("proc/passwd", &len);

	(void)state;
	assert_int_equal(proc_passwd_name(d, len, 0, name, sizeof(name)), 1);
	assert_string_equal(name, "root");
	assert_int_equal(proc_passwd_name(d, len, 33, name, sizeof(name)), 1);
	assert_string_equal(name, "www-data");
	assert_int_equal(proc_passwd_name(d, len, 42, name, sizeof(name)), 1);
	assert_string_equal(name, "_apt");
	assert_int_equal(proc_passwd_name(d, len, 1000, name, sizeof(name)), 1);
	assert_string_equal(name, "alice");
	/* The last line, and no newline after it. */
	assert_int_equal(
	    proc_passwd_name(d, len - 1, 1000, name, sizeof(name)), 1);
	assert_string_equal(name, "alice");
	assert_int_equal(
	    proc_passwd_name(d, len, 65534, name, sizeof(name)), 1);
	assert_string_equal(name, "nobody");
	/* 60 is games' gid, not a uid. */
	strcpy(name, "untouched");
	assert_int_equal(proc_passwd_name(d, len, 60, name, sizeof(name)), 0);
	assert_int_equal(proc_passwd_name(d, len, 4242, name, sizeof(name)), 0);
	assert_string_equal(name, "untouched");
	free(d);
}

static void
test_passwd_malformed(void **state)
{
	char name[16];

	(void)state;
	assert_int_equal(passwd_lookup("", 0, name, sizeof(name)), 0);
	assert_int_equal(passwd_lookup("\n\n", 0, name, sizeof(name)), 0);
	assert_int_equal(passwd_lookup("root\n", 0, name, sizeof(name)), 0);
	assert_int_equal(passwd_lookup("root:x\n", 0, name, sizeof(name)), 0);
	assert_int_equal(passwd_lookup("root:x:0\n", 0, name, sizeof(name)), 0);
	assert_int_equal(
	    passwd_lookup("root:x::0:\n", 0, name, sizeof(name)), 0);
	assert_int_equal(
	    passwd_lookup("evil:x:-0:0:\n", 0, name, sizeof(name)), 0);
	assert_int_equal(
	    passwd_lookup("evil:x: 0:0:\n", 0, name, sizeof(name)), 0);
	assert_int_equal(
	    passwd_lookup("evil:x:0x0:0:\n", 0, name, sizeof(name)), 0);
	assert_int_equal(
	    passwd_lookup("evil:x:4294967296:0:\n", 0, name, sizeof(name)), 0);
	assert_int_equal(passwd_lookup("evil:x:99999999999999999999:0:\n", 0,
			     name, sizeof(name)),
	    0);
	assert_int_equal(passwd_lookup("+::::::\n", 0, name, sizeof(name)), 0);
	/* Malformed lines before a good one do not hide it. */
	assert_int_equal(passwd_lookup("junk\n:::\nx:y:z:\nbob:x:7:7::/:/bin/"
				       "sh\n",
			     7, name, sizeof(name)),
	    1);
	assert_string_equal(name, "bob");
	/* The first match wins. */
	assert_int_equal(passwd_lookup("root:x:0:0::/:\ntoor:x:0:0::/:\n", 0,
			     name, sizeof(name)),
	    1);
	assert_string_equal(name, "root");
	/* A name too long for the buffer is not cut. */
	assert_int_equal(passwd_lookup("averyveryverylongname:x:5:5::/:\n", 5,
			     name, sizeof(name)),
	    0);
	assert_int_equal(passwd_lookup("averyveryverylongname:x:5:5::/:\n"
				       "short:x:5:5::/:\n",
			     5, name, sizeof(name)),
	    1);
	assert_string_equal(name, "short");
	/* uid -1 (4294967295) is a number like any other. */
	assert_int_equal(passwd_lookup("m1:x:4294967295:0:\n", (uid_t)-1, name,
			     sizeof(name)),
	    1);
	assert_string_equal(name, "m1");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stat_fixtures),
		cmocka_unit_test(test_stat_hostile_comm),
		cmocka_unit_test(test_stat_garbage),
		cmocka_unit_test(test_stat_truncated),
		cmocka_unit_test(test_btime),
		cmocka_unit_test(test_btime_garbage),
		cmocka_unit_test(test_dso_list_fixture),
		cmocka_unit_test(test_dso_list_anon_names),
		cmocka_unit_test(test_dso_list_order_and_unique),
		cmocka_unit_test(test_dso_list_cap),
		cmocka_unit_test(test_dso_list_many_files_fast),
		cmocka_unit_test(test_passwd_fixture),
		cmocka_unit_test(test_passwd_malformed),
	};

	return cmocka_run_group_tests_name("proc", tests, NULL, NULL);
}
