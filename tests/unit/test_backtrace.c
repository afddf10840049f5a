/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/backtrace.c's bounds: the unwinder's own deadline
 * (checked per thread and frame: with none left, nothing is unwound and
 * the backtrace says why), the kill of a child that libdwfl keeps busy
 * past the hard limit (a core of 100,000 segments, whose reading libdwfl
 * does in quadratic time: far longer than the limit used here, so the
 * test does not depend on the machine's speed), and what a dump without
 * a core or with garbage for one gets.
 */
#include "testutil.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "backtrace.h"
#include "buf.h"
#include "dump.h"

#define PAGE 4096ULL

struct fixture {
	char *spool;
	int spool_fd;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->spool = tu_mkdtemp();
	f->spool_fd = open(f->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->spool_fd >= 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	close(f->spool_fd);
	tu_rm_rf(f->spool);
	free(f->spool);
	free(f);
	return 0;
}

static void
put(const char *dir, const char *name, const void *data, size_t len)
{
	free(tu_write_file(dir, name, data, len, 0640));
}

/*
 * A dump "d" whose core.mini is an x86_64 ELF core with one thread
 * (NT_PRSTATUS and the NT_PRPSINFO libdwfl takes the pid from) and nloads
 * PT_LOAD segments, each a page of bytes (all the same page of the file).
 */
static struct dump *
make_dump(struct fixture *f, size_t nloads)
{
	size_t nph = nloads + 1, prs = 336, psinfo = 136;
	size_t notes_len = 2 * (sizeof(Elf64_Nhdr) + 8) + prs + psinfo;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr *ph = calloc(nph, sizeof(*ph));
	Elf64_Nhdr nh = { 5, (Elf64_Word)prs, NT_PRSTATUS },
		   nh2 = { 5, (Elf64_Word)psinfo, NT_PRPSINFO };
	struct buf core;
	char dir[4096], *page = calloc(1, PAGE), *prstatus = calloc(1, prs),
			*prpsinfo = calloc(1, psinfo);
	struct dump *d;
	uint64_t notes_off, data_off;
	int32_t pid = 4242;

	assert_non_null(ph);
	assert_non_null(page);
	assert_non_null(prstatus);
	assert_non_null(prpsinfo);
	memcpy(prstatus + 32, &pid, 4); /* pr_pid */
	memcpy(prpsinfo + 24, &pid, 4); /* pr_pid */
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_phoff = sizeof(eh);
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	notes_off = sizeof(eh) + nph * sizeof(*ph);
	data_off = (notes_off + notes_len + PAGE - 1) & ~(PAGE - 1);
	ph[0] = (Elf64_Phdr){
		.p_type = PT_NOTE, .p_offset = notes_off, .p_filesz = notes_len
	};
	for (size_t i = 1; i < nph; i++)
		ph[i] = (Elf64_Phdr){ .p_type = PT_LOAD,
			.p_flags = PF_R | PF_W,
			.p_offset = data_off,
			.p_vaddr = 0x10000000 + i * PAGE,
			.p_filesz = PAGE,
			.p_memsz = PAGE,
			.p_align = PAGE };
	eh.e_phnum = nph < PN_XNUM ? (Elf64_Half)nph : PN_XNUM;
	buf_init(&core, 0);
	assert_int_equal(buf_append(&core, &eh, sizeof(eh)), 0);
	assert_int_equal(buf_append(&core, ph, nph * sizeof(*ph)), 0);
	assert_int_equal(buf_append(&core, &nh, sizeof(nh)), 0);
	assert_int_equal(buf_append(&core, "CORE\0\0\0", 8), 0);
	assert_int_equal(buf_append(&core, prstatus, prs), 0);
	assert_int_equal(buf_append(&core, &nh2, sizeof(nh2)), 0);
	assert_int_equal(buf_append(&core, "CORE\0\0\0", 8), 0);
	assert_int_equal(buf_append(&core, prpsinfo, psinfo), 0);
	while (core.len < data_off)
		assert_int_equal(buf_putc(&core, '\0'), 0);
	assert_int_equal(buf_append(&core, page, PAGE), 0);
	if (nph >= PN_XNUM) {
		Elf64_Shdr sh = { .sh_type = SHT_NULL,
			.sh_size = 1,
			.sh_info = (Elf64_Word)nph };
		Elf64_Ehdr *e = (Elf64_Ehdr *)core.data;

		e->e_shoff = core.len;
		e->e_shnum = 1;
		e->e_shentsize = sizeof(sh);
		assert_int_equal(buf_append(&core, &sh, sizeof(sh)), 0);
	}
	snprintf(dir, sizeof(dir), "%s/d", f->spool);
	assert_int_equal(mkdir(dir, 0750), 0);
	put(dir, "core.mini", core.data, core.len);
	put(dir, "tid", "4242\n", 5);
	put(dir, "signal", "11\n", 3);
	put(dir, "executable", "/nonexistent/victim\n", 20);
	assert_int_equal(dump_open(f->spool_fd, "d", &d), 0);
	buf_done(&core);
	free(ph);
	free(page);
	free(prstatus);
	free(prpsinfo);
	return d;
}

static char *
item(struct dump *d, const char *name)
{
	char *v = NULL;

	if (dump_read_item(d, name, 1 << 20, &v) < 0)
		return NULL;
	return v;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Without limits that bite, the one thread is there. */
static void
test_unwinds(void **state)
{
	struct dump *d = make_dump(*state, 1);
	char *bt;

	assert_int_equal(backtrace_dump(d), 1);
	bt = item(d, "backtrace");
	assert_non_null(bt);
	assert_non_null(strstr(bt, "Thread 4242 (crashed):"));
	assert_null(strstr(bt, "cut short"));
	assert_null(strstr(bt, "no backtrace"));
	free(bt);
	/* Done once: a second call leaves it. */
	assert_int_equal(backtrace_dump(d), 0);
	dump_free(d);
}

/* The unwinder's own deadline already passed: it stops at once. */
static void
test_time_limit(void **state)
{
	static const struct backtrace_options lim = { .time_ms = 0,
		.kill_ms = 60000 };
	struct dump *d = make_dump(*state, 1);
	char *bt, *frames;

	assert_int_equal(backtrace_dump_with(d, &lim), 1);
	bt = item(d, "backtrace");
	assert_non_null(bt);
	assert_string_equal(bt,
	    "no backtrace: the unwinder's time limit was reached before "
	    "the first thread");
	frames = item(d, "backtrace_frames");
	assert_null(frames);
	assert_null(item(d, "signature"));
	free(bt);
	dump_free(d);
}

/*
 * libdwfl reads a core of 100,000 segments in quadratic time (tens of
 * seconds), without a callback where the deadline could be checked: the
 * child is killed at the hard limit, and the backtrace says so.
 */
static void
test_kill_limit(void **state)
{
	static const struct backtrace_options lim = { .time_ms = 60000,
		.kill_ms = 300 };
	struct dump *d = make_dump(*state, 100000);
	double t0 = now_s(), took;
	char *bt;

	assert_int_equal(backtrace_dump_with(d, &lim), 1);
	took = now_s() - t0;
	bt = item(d, "backtrace");
	assert_non_null(bt);
	assert_string_equal(bt,
	    "no backtrace: the unwinder took longer than 300 ms and was "
	    "stopped");
	assert_true(took < 10.0);
	free(bt);
	dump_free(d);
}

static void
test_no_core(void **state)
{
	struct fixture *f = *state;
	struct dump *d;
	char dir[4096];

	snprintf(dir, sizeof(dir), "%s/d", f->spool);
	assert_int_equal(mkdir(dir, 0750), 0);
	put(dir, "signal", "11\n", 3);
	assert_int_equal(dump_open(f->spool_fd, "d", &d), 0);
	assert_int_equal(backtrace_dump(d), 0);
	assert_null(item(d, "backtrace"));
	dump_free(d);
}

static void
test_garbage_core(void **state)
{
	struct fixture *f = *state;
	struct dump *d;
	char dir[4096], *bt;

	snprintf(dir, sizeof(dir), "%s/d", f->spool);
	assert_int_equal(mkdir(dir, 0750), 0);
	put(dir, "core.mini", "garbage, not ELF", 16);
	assert_int_equal(dump_open(f->spool_fd, "d", &d), 0);
	assert_int_equal(backtrace_dump(d), 1);
	bt = item(d, "backtrace");
	assert_non_null(bt);
	assert_non_null(strstr(bt, "no backtrace: "));
	assert_null(item(d, "backtrace_frames"));
	free(bt);
	dump_free(d);
}

/*
 * The daemon's way: backtrace_job_finish() never waits for a child that
 * libdwfl keeps busy; past the kill time it kills it and says so.
 */
static void
test_job_never_waits(void **state)
{
	static const struct backtrace_options lim = { .time_ms = 60000,
		.kill_ms = 500 };
	struct dump *d = make_dump(*state, 100000);
	struct backtrace_job *j = NULL;
	double t0, took;
	int polls = 0, r;
	char *bt;

	assert_true(backtrace_wanted(d));
	assert_int_equal(backtrace_start(d, &lim, &j), 0);
	t0 = now_s();
	assert_int_equal(backtrace_job_finish(j, d), 0);
	took = now_s() - t0;
	assert_true(took < 0.1);
	assert_null(item(d, "backtrace"));
	while ((r = backtrace_job_finish(j, d)) == 0) {
		const struct timespec tick = { 0, 10 * 1000 * 1000 };

		polls++;
		nanosleep(&tick, NULL);
	}
	assert_int_equal(r, 1);
	assert_true(polls > 10);
	backtrace_job_free(j);
	bt = item(d, "backtrace");
	assert_non_null(bt);
	assert_string_equal(bt,
	    "no backtrace: the unwinder took longer than 500 ms and was "
	    "stopped");
	assert_false(backtrace_wanted(d));
	free(bt);
	dump_free(d);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_unwinds),
		T(test_time_limit),
		T(test_kill_limit),
		T(test_no_core),
		T(test_garbage_core),
		T(test_job_never_waits),
	};

	return cmocka_run_group_tests_name("backtrace", tests, NULL, NULL);
}
