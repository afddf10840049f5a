/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for hook/minicore*.c: a core stream made here (ELF header,
 * program headers, notes) and a process's memory in a sparse file (file
 * offset = address) go in; the core.mini that comes out is parsed back
 * and checked: ascending segments, the kept bytes, the holes, the budget,
 * past 65,534 segments, NT_FILE made from maps, and the gdb variant's
 * link_map walk (bounded on a cycle).  Also proc_maps_next(), which reads
 * the maps that NT_FILE is made from.
 */
#include "testutil.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "minicore.h"
#include "proc.h"

#define PAGE 4096ULL
#define PRSTATUS_SIZE (112 + 27 * 8)
#define SP_OFFSET (112 + 19 * 8)

/* A core stream under construction, and the memory it describes. */
struct fake {
	char *dir;
	Elf64_Phdr *loads;
	size_t nloads, cap;
	struct buf notes;
	int mem_fd; /* offset = address */
	bool xnum; /* write e_phnum as PN_XNUM */
};

/* What came out, parsed. */
struct out {
	char *data;
	size_t len;
	Elf64_Ehdr eh;
	const Elf64_Phdr *ph;
	size_t phnum;
};

static int
setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	char path[4096];

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	buf_init(&f->notes, 0);
	snprintf(path, sizeof(path), "%s/mem", f->dir);
	f->mem_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(f->mem_fd >= 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fake *f = *state;

	close(f->mem_fd);
	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->loads);
	buf_done(&f->notes);
	free(f);
	return 0;
}

static void
add_load(struct fake *f, uint64_t vaddr, uint64_t memsz, uint32_t flags)
{
	if (f->nloads == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 16;
		f->loads = realloc(f->loads, f->cap * sizeof(*f->loads));
		assert_non_null(f->loads);
	}
	f->loads[f->nloads++] = (Elf64_Phdr){ .p_type = PT_LOAD,
		.p_flags = flags,
		.p_vaddr = vaddr,
		.p_memsz = memsz,
		.p_align = PAGE };
}

static void
add_note(struct fake *f, const char *name, uint32_t type, const void *desc,
    size_t len)
{
	Elf64_Nhdr nh = { (Elf64_Word)strlen(name) + 1, (Elf64_Word)len, type };
	static const char zeros[8];

	assert_int_equal(buf_append(&f->notes, &nh, sizeof(nh)), 0);
	assert_int_equal(buf_append(&f->notes, name, nh.n_namesz), 0);
	assert_int_equal(buf_append(&f->notes, zeros,
			     ((nh.n_namesz + 3) & ~3u) - nh.n_namesz),
	    0);
	assert_int_equal(buf_append(&f->notes, desc, len), 0);
	assert_int_equal(
	    buf_append(&f->notes, zeros, ((len + 3) & ~3u) - len), 0);
}

static void
add_thread(struct fake *f, uint64_t sp)
{
	char desc[PRSTATUS_SIZE] = { 0 };

	memcpy(desc + SP_OFFSET, &sp, 8);
	add_note(f, "CORE", NT_PRSTATUS, desc, sizeof(desc));
	/* Like the kernel's: more per-thread notes after it. */
	add_note(f, "LINUX", 0x202, desc, 64);
}

/* NT_FILE: n mappings {start, end, page offset}, named "/lib/fN". */
static void
add_files(struct fake *f, const uint64_t (*e)[3], size_t n)
{
	struct buf d;
	uint64_t v[2] = { n, PAGE };

	buf_init(&d, 0);
	assert_int_equal(buf_append(&d, v, sizeof(v)), 0);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(buf_append(&d, e[i], 24), 0);
	for (size_t i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof(name), "/lib/f%zu", i);
		assert_int_equal(buf_append(&d, name, strlen(name) + 1), 0);
	}
	add_note(f, "CORE", NT_FILE, d.data, d.len);
	buf_done(&d);
}

static void
add_auxv(struct fake *f, const uint64_t *pairs, size_t n)
{
	add_note(f, "CORE", NT_AUXV, pairs, n * 16);
}

/* Writes len bytes at address addr of the process's memory. */
static void
poke(struct fake *f, uint64_t addr, const void *data, size_t len)
{
	assert_int_equal(
	    pwrite(f->mem_fd, data, len, (off_t)addr), (ssize_t)len);
}

static void
poke64(struct fake *f, uint64_t addr, uint64_t v)
{
	poke(f, addr, &v, 8);
}

/* Fills [addr, addr + len) with a pattern derived from the address. */
static void
fill(struct fake *f, uint64_t addr, uint64_t len)
{
	char *p = malloc(len);

	assert_non_null(p);
	for (uint64_t i = 0; i < len; i++)
		p[i] = (char)((addr + i) * 131 >> 5);
	poke(f, addr, p, len);
	free(p);
}

/* The stream file: header, note header + loads, notes.  Returns an fd. */
static int
stream(struct fake *f)
{
	size_t nph = f->nloads + 1;
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr note = { .p_type = PT_NOTE };
	char path[4096];
	int fd;

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
	eh.e_phnum = f->xnum || nph >= PN_XNUM ? PN_XNUM : (Elf64_Half)nph;
	note.p_offset = sizeof(eh) + nph * sizeof(Elf64_Phdr);
	note.p_filesz = f->notes.len;
	snprintf(path, sizeof(path), "%s/stream", f->dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, &eh, sizeof(eh)), (ssize_t)sizeof(eh));
	assert_int_equal(write(fd, &note, sizeof(note)), (ssize_t)sizeof(note));
	assert_int_equal(write(fd, f->loads, f->nloads * sizeof(Elf64_Phdr)),
	    (ssize_t)(f->nloads * sizeof(Elf64_Phdr)));
	assert_int_equal(
	    write(fd, f->notes.data, f->notes.len), (ssize_t)f->notes.len);
	/* Some memory after the notes, as in a real core. */
	assert_int_equal(write(fd, "\0\0\0\0\0\0\0\0", 8), 8);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static void
out_done(struct out *o)
{
	free(o->data);
}

/* Parses a core.mini: header, program headers (PN_XNUM too). */
static void
parse(const char *path, struct out *o)
{
	struct stat st;
	int fd;

	memset(o, 0, sizeof(*o));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	o->len = (size_t)st.st_size;
	o->data = malloc(o->len + 1);
	assert_non_null(o->data);
	assert_int_equal(read(fd, o->data, o->len), (ssize_t)o->len);
	close(fd);
	assert_true(o->len >= sizeof(o->eh));
	memcpy(&o->eh, o->data, sizeof(o->eh));
	assert_memory_equal(o->eh.e_ident, ELFMAG, SELFMAG);
	assert_int_equal(o->eh.e_type, ET_CORE);
	o->phnum = o->eh.e_phnum;
	if (o->eh.e_phnum == PN_XNUM) {
		Elf64_Shdr sh;

		assert_int_equal(o->eh.e_shnum, 1);
		assert_int_equal(o->eh.e_shentsize, sizeof(sh));
		assert_true(o->eh.e_shoff + sizeof(sh) <= o->len);
		memcpy(&sh, o->data + o->eh.e_shoff, sizeof(sh));
		assert_int_equal(sh.sh_type, SHT_NULL);
		o->phnum = sh.sh_info;
	}
	assert_true(o->eh.e_phoff + o->phnum * sizeof(Elf64_Phdr) <= o->len);
	o->ph = (const Elf64_Phdr *)(o->data + o->eh.e_phoff);
	assert_int_equal(o->ph[0].p_type, PT_NOTE);
	assert_true(o->ph[0].p_offset + o->ph[0].p_filesz <= o->len);
	/* The notes after the program headers. */
	assert_true(
	    o->ph[0].p_offset >= o->eh.e_phoff + o->phnum * sizeof(Elf64_Phdr));
	/* PT_LOADs ascending, not overlapping, their bytes in the file. */
	for (size_t i = 1; i < o->phnum; i++) {
		assert_int_equal(o->ph[i].p_type, PT_LOAD);
		assert_true(o->ph[i].p_filesz <= o->ph[i].p_memsz);
		assert_true(o->ph[i].p_offset + o->ph[i].p_filesz <= o->len);
		/* Data never overlaps the notes. */
		if (o->ph[i].p_filesz > 0)
			assert_true(o->ph[i].p_offset >=
			    o->ph[0].p_offset + o->ph[0].p_filesz);
		if (i > 1)
			assert_true(
			    o->ph[i - 1].p_vaddr + o->ph[i - 1].p_memsz <=
			    o->ph[i].p_vaddr);
	}
}

/*
 * Bytes of [addr, addr + len) in the minicore: 1 when all are there and
 * equal the process's, 0 when none is there, -1 otherwise.
 */
static int
kept(struct fake *f, const struct out *o, uint64_t addr, uint64_t len)
{
	char *want = calloc(1, len);
	uint64_t have = 0;

	assert_non_null(want);
	assert_true(pread(f->mem_fd, want, len, (off_t)addr) >= 0);
	for (size_t i = 1; i < o->phnum; i++) {
		const Elf64_Phdr *p = &o->ph[i];
		uint64_t from = addr > p->p_vaddr ? addr : p->p_vaddr;
		uint64_t to = addr + len < p->p_vaddr + p->p_filesz
		    ? addr + len
		    : p->p_vaddr + p->p_filesz;

		if (to <= from)
			continue;
		assert_memory_equal(o->data + p->p_offset + (from - p->p_vaddr),
		    want + (from - addr), to - from);
		have += to - from;
	}
	free(want);
	return have == len ? 1 : have == 0 ? 0 : -1;
}

/* Is [addr, addr + len) covered by program headers (with bytes or not)? */
static bool
covered(const struct out *o, uint64_t addr, uint64_t len)
{
	uint64_t at = addr;

	for (size_t i = 1; i < o->phnum && at < addr + len; i++)
		if (o->ph[i].p_vaddr <= at &&
		    at < o->ph[i].p_vaddr + o->ph[i].p_memsz)
			at = o->ph[i].p_vaddr + o->ph[i].p_memsz;
	return at >= addr + len;
}

/* The first note of that type in the minicore, or NULL. */
static const char *
find_note(const struct out *o, uint32_t type, size_t *ret_len)
{
	const char *n = o->data + o->ph[0].p_offset;
	size_t off = 0, len = o->ph[0].p_filesz;

	while (off + sizeof(Elf64_Nhdr) <= len) {
		const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(n + off);
		size_t desc = off + sizeof(*nh) + ((nh->n_namesz + 3) & ~3u);

		if (nh->n_type == type) {
			*ret_len = nh->n_descsz;
			return n + desc;
		}
		off = desc + ((nh->n_descsz + 3) & ~3u);
	}
	return NULL;
}

/*
 * Runs minicore_write on the fake, with params tweaked by the caller and
 * the process's memory in mem_fd (-1: the fake's sparse file).
 */
static int
run_mem(struct fake *f, struct minicore_params *p, struct minicore_result *res,
    struct out *o, int mem_fd)
{
	char path[4096];
	int r;

	p->in_fd = stream(f);
	p->mem_fd = mem_fd >= 0 ? mem_fd : f->mem_fd;
	snprintf(path, sizeof(path), "%s/core.mini", f->dir);
	p->out_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(p->out_fd >= 0);
	if (p->stack_max == 0)
		p->stack_max = 256 * 1024;
	if (p->total_max == 0)
		p->total_max = 64 << 20;
	r = minicore_write(p, res);
	close(p->in_fd);
	close(p->out_fd);
	if (r == 0)
		parse(path, o);
	return r;
}

static int
run(struct fake *f, struct minicore_params *p, struct minicore_result *res,
    struct out *o)
{
	return run_mem(f, p, res, o, -1);
}

/*
 * Two threads, a mapped file and an anonymous mapping: each stack from
 * below its SP to its end, the file's first page, every other byte a
 * hole; all of the original address space still covered.
 */
static void
test_basic(void **state)
{
	struct fake *f = *state;
	static const uint64_t files[][3] = { { 0x400000, 0x403000, 0 },
		{ 0x403000, 0x404000, 3 } };
	struct minicore_params p = { 0 };
	struct minicore_result res;
	struct out o;

	add_load(f, 0x400000, 3 * PAGE, PF_R | PF_X); /* the file */
	add_load(f, 0x403000, PAGE, PF_R | PF_W);
	add_load(f, 0x500000, 16 * PAGE, PF_R | PF_W); /* anonymous */
	add_load(f, 0x600000, 8 * PAGE, PF_R | PF_W); /* stack 1 */
	add_load(f, 0x700000, 8 * PAGE, PF_R | PF_W); /* stack 2 */
	fill(f, 0x400000, 4 * PAGE);
	fill(f, 0x500000, 16 * PAGE);
	fill(f, 0x600000, 8 * PAGE);
	fill(f, 0x700000, 8 * PAGE);
	add_thread(f, 0x606010);
	add_thread(f, 0x707ff0);
	add_files(f, files, 2);

	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_int_equal(res.threads, 2);
	assert_string_equal(res.file_note, "kernel");
	assert_null(res.stopped);
	assert_int_equal(res.segments, o.phnum);
	assert_int_equal(res.written, o.len);
	/* Stacks from the page below SP (red zone) to the segment's end. */
	assert_int_equal(kept(f, &o, 0x605000, 0x3000), 1);
	assert_int_equal(kept(f, &o, 0x600000, 0x5000), 0);
	assert_int_equal(kept(f, &o, 0x707000, 0x1000), 1);
	assert_int_equal(kept(f, &o, 0x700000, 0x7000), 0);
	/* The file's first page only; nothing anonymous. */
	assert_int_equal(kept(f, &o, 0x400000, PAGE), 1);
	assert_int_equal(kept(f, &o, 0x401000, 3 * PAGE), 0);
	assert_int_equal(kept(f, &o, 0x500000, 16 * PAGE), 0);
	assert_int_equal(res.memory_bytes, 0x3000 + 0x1000 + PAGE);
	assert_true(covered(&o, 0x400000, 4 * PAGE));
	assert_true(covered(&o, 0x500000, 16 * PAGE));
	assert_true(covered(&o, 0x600000, 8 * PAGE));
	/* The notes as they came. */
	assert_int_equal(o.ph[0].p_filesz, f->notes.len);
	assert_memory_equal(
	    o.data + o.ph[0].p_offset, f->notes.data, f->notes.len);
	out_done(&o);
}

/*
 * A stack deeper than stack_max is cut at stack_max; segments given out
 * of order come out ascending.
 */
static void
test_stack_max_and_order(void **state)
{
	struct fake *f = *state;
	struct minicore_params p = { .stack_max = 2 * PAGE };
	struct minicore_result res;
	struct out o;

	add_load(f, 0x900000, 64 * PAGE, PF_R | PF_W);
	add_load(f, 0x100000, 4 * PAGE, PF_R);
	fill(f, 0x900000, 64 * PAGE);
	add_thread(f, 0x900000 + 10 * PAGE + 0x800);
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_int_equal(kept(f, &o, 0x90a000 - PAGE, 2 * PAGE), -1);
	assert_int_equal(kept(f, &o, 0x90a000, 2 * PAGE), 1);
	assert_int_equal(kept(f, &o, 0x90c000, PAGE), 0);
	assert_true(covered(&o, 0x100000, 4 * PAGE));
	assert_true(covered(&o, 0x900000, 64 * PAGE));
	out_done(&o);
}

/*
 * max_size counts everything written (headers, notes, memory): the
 * crashing thread's stack (the first one in the notes) is kept before
 * the others, whatever their addresses.
 */
static void
test_budget(void **state)
{
	struct fake *f = *state;
	struct minicore_params p = { 0 };
	struct minicore_result res;
	struct out o;

	add_load(f, 0x200000, 4 * PAGE, PF_R | PF_W); /* thread 2 */
	add_load(f, 0x300000, 4 * PAGE, PF_R | PF_W); /* thread 1: crashed */
	fill(f, 0x200000, 4 * PAGE);
	fill(f, 0x300000, 4 * PAGE);
	add_thread(f, 0x300000 + 0x800);
	add_thread(f, 0x200000 + 0x800);
	/* The headers (8 at most here) and notes, a page boundary, 5 pages. */
	p.total_max = ((sizeof(Elf64_Ehdr) + 8 * sizeof(Elf64_Phdr) +
			   f->notes.len + PAGE - 1) &
			  ~(PAGE - 1)) +
	    5 * PAGE;
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_string_equal(res.stopped, "max_size");
	assert_int_equal(kept(f, &o, 0x300000, 4 * PAGE), 1);
	assert_int_equal(kept(f, &o, 0x200000, PAGE), 1);
	assert_int_equal(kept(f, &o, 0x201000, 3 * PAGE), 0);
	assert_int_equal(res.memory_bytes, 5 * PAGE);
	assert_true(res.written <= p.total_max);
	out_done(&o);

	/* A page less: the other thread's page goes, not the headers. */
	memset(&res, 0, sizeof(res));
	p.total_max -= PAGE;
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_int_equal(kept(f, &o, 0x300000, 4 * PAGE), 1);
	assert_int_equal(kept(f, &o, 0x200000, PAGE), 0);
	assert_int_equal(res.memory_bytes, 4 * PAGE);
	assert_true(res.written <= p.total_max);
	out_done(&o);
}

/* Notes larger than max_size are cut at the last whole note. */
static void
test_notes_cut(void **state)
{
	struct fake *f = *state;
	struct minicore_params p = { 0 };
	struct minicore_result res;
	struct out o;
	size_t one;

	add_load(f, 0x300000, 4 * PAGE, PF_R | PF_W);
	add_thread(f, 0x300800);
	one = f->notes.len;
	for (int i = 0; i < 10; i++)
		add_thread(f, 0x300800);
	/* Room for the headers (ELF, notes, one hole and one more). */
	p.total_max =
	    2 * one + sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr) + 10;
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_string_equal(res.stopped, "max_size");
	assert_int_equal(res.notes_bytes, 2 * one);
	assert_int_equal(res.threads, 2);
	assert_int_equal(o.ph[0].p_filesz, 2 * one);
	assert_int_equal(res.memory_bytes, 0);
	assert_true(res.written <= p.total_max);
	out_done(&o);
}

/*
 * 100,000 anonymous mappings (a segment each): more than e_phnum can
 * count.  The segments of anonymous mappings with nothing kept go; the
 * stack, the mapped file and its holes stay, in order.
 */
static void
test_many_mappings(void **state)
{
	struct fake *f = *state;
	static const uint64_t files[][3] = { { 0x400000, 0x402000, 0 } };
	struct minicore_params p = { 0 };
	struct minicore_result res;
	struct out o;

	add_load(f, 0x400000, 2 * PAGE, PF_R | PF_X);
	for (uint64_t i = 0; i < 100000; i++)
		add_load(f, 0x10000000 + i * 2 * PAGE, PAGE, PF_R);
	add_load(f, 0x7f0000000, 4 * PAGE, PF_R | PF_W);
	fill(f, 0x400000, 2 * PAGE);
	fill(f, 0x7f0000000, 4 * PAGE);
	add_thread(f, 0x7f0000000 + 0x2010);
	add_files(f, files, 1);
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_null(res.stopped);
	assert_true(o.eh.e_phnum != PN_XNUM);
	assert_true(o.phnum < 10);
	assert_int_equal(kept(f, &o, 0x400000, PAGE), 1);
	assert_true(covered(&o, 0x400000, 2 * PAGE));
	assert_int_equal(kept(f, &o, 0x7f0001000, 3 * PAGE), 1);
	assert_false(covered(&o, 0x10000000, PAGE));
	out_done(&o);
}

/*
 * 70,000 mappings of files: their segments are all kept (with holes), so
 * the count goes into section header 0 (PN_XNUM), as the kernel does; the
 * input with PN_XNUM is read too.
 */
static void
test_many_files_xnum(void **state)
{
	struct fake *f = *state;
	struct minicore_params p = { 0 };
	struct minicore_result res;
	uint64_t(*files)[3] = calloc(70000, sizeof(*files));
	struct out o;

	assert_non_null(files);
	for (uint64_t i = 0; i < 70000; i++) {
		uint64_t at = 0x10000000 + i * 2 * PAGE;

		add_load(f, at, PAGE, PF_R);
		files[i][0] = at;
		files[i][1] = at + PAGE;
		files[i][2] = 1; /* not the first page: nothing kept */
	}
	add_load(f, 0x7f0000000, 4 * PAGE, PF_R | PF_W);
	fill(f, 0x7f0000000, 4 * PAGE);
	add_thread(f, 0x7f0000000 + 0x2010);
	add_files(f, (const uint64_t(*)[3])files, 70000);
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_int_equal(o.eh.e_phnum, PN_XNUM);
	assert_int_equal(o.phnum, 1 + 70000 + 2);
	assert_int_equal(res.segments, o.phnum);
	assert_true(covered(&o, 0x10000000 + 69999 * 2 * PAGE, PAGE));
	assert_int_equal(kept(f, &o, 0x7f0002000, 2 * PAGE), 1);
	out_done(&o);
	free(files);
}

/*
 * No NT_FILE from the kernel (past core_file_note_size_limit): one is
 * made from /proc/PID/maps, in the kernel's format, and the files' first
 * pages are kept.
 */
static void
test_file_note_from_maps(void **state)
{
	struct fake *f = *state;
	static const char maps[] =
	    "00400000-00402000 r-xp 00000000 fd:01 42   /usr/bin/a b\n"
	    "00402000-00403000 rw-p 00002000 fd:01 42   /usr/bin/a b\n"
	    "00500000-00501000 rw-p 00000000 00:00 0 \n"
	    "00600000-00601000 rw-p 00000000 00:00 0    [heap]\n"
	    "00700000-00701000 r--p 00000000 00:05 7    /memfd:x (deleted)\n"
	    "garbage line\n"
	    "7ffc0000-7ffc4000 rw-p 00000000 00:00 0    [stack]";
	struct minicore_params p = { .maps = maps,
		.maps_len = sizeof(maps) - 1 };
	struct minicore_result res;
	struct out o;
	const char *d;
	uint64_t e[5];
	size_t len;

	add_load(f, 0x400000, 3 * PAGE, PF_R | PF_X);
	add_load(f, 0x500000, PAGE, PF_R | PF_W);
	add_load(f, 0x700000, PAGE, PF_R);
	add_load(f, 0x7ffc0000, 4 * PAGE, PF_R | PF_W);
	fill(f, 0x400000, 3 * PAGE);
	fill(f, 0x700000, PAGE);
	fill(f, 0x7ffc0000, 4 * PAGE);
	add_thread(f, 0x7ffc3000);
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_string_equal(res.file_note, "maps");
	d = find_note(&o, NT_FILE, &len);
	assert_non_null(d);
	assert_true(len >= 16 + 3 * 24);
	memcpy(e, d, 16);
	assert_int_equal(e[0], 3);
	assert_int_equal(e[1], PAGE);
	memcpy(e, d + 16, 24);
	assert_int_equal(e[0], 0x400000);
	assert_int_equal(e[1], 0x402000);
	assert_int_equal(e[2], 0);
	memcpy(e, d + 16 + 24, 24);
	assert_int_equal(e[0], 0x402000);
	assert_int_equal(e[2], 2);
	memcpy(e, d + 16 + 48, 24);
	assert_int_equal(e[0], 0x700000);
	assert_int_equal(len,
	    16 + 3 * 24 + sizeof("/usr/bin/a b") * 2 +
		sizeof("/memfd:x (deleted)"));
	assert_memory_equal(d + 16 + 72,
	    "/usr/bin/a b\0/usr/bin/a b\0/memfd:x (deleted)", len - 16 - 72);
	assert_int_equal(kept(f, &o, 0x400000, PAGE), 1);
	assert_int_equal(kept(f, &o, 0x401000, PAGE), 0);
	assert_int_equal(kept(f, &o, 0x700000, PAGE), 1);
	/* The kernel's notes come first, unchanged. */
	assert_memory_equal(
	    o.data + o.ph[0].p_offset, f->notes.data, f->notes.len);

	/* Without maps: no NT_FILE, no first pages. */
	p = (struct minicore_params){ 0 };
	out_done(&o);
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_string_equal(res.file_note, "none");
	assert_null(find_note(&o, NT_FILE, &len));
	assert_int_equal(kept(f, &o, 0x400000, PAGE), 0);
	out_done(&o);
}

/*
 * The gdb variant: from AT_PHDR to the dynamic section, DT_DEBUG, r_debug
 * and each link_map with its name; the vDSO.  A list that loops is
 * followed MINI_MAX_LINK_MAPS times at most.
 */
static void
test_gdb_link_map(void **state)
{
	struct fake *f = *state;
	const uint64_t exe = 0x555000000, rw = 0x555100000, ld = 0x7f0100000,
		       heap = 0x7f0200000, vdso = 0x7fff0000;
	uint64_t auxv[] = { AT_PHDR, exe + 64, AT_PHENT, sizeof(Elf64_Phdr),
		AT_PHNUM, 2, AT_SYSINFO_EHDR, vdso, AT_NULL, 0 };
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_PHDR, .p_vaddr = 64, .p_memsz = 112 },
		{ .p_type = PT_DYNAMIC,
		    .p_vaddr = 0x100000 + 0x800,
		    .p_memsz = 64 },
	};
	const uint64_t dyn = rw + 0x800, rdebug = ld + 0x2040;
	const uint64_t lm[3] = { ld + 0x3000, heap + 0x10, heap + 0x5008 };
	struct minicore_params p = { .gdb = true };
	struct minicore_result res;
	struct out o;

	add_load(f, exe, PAGE, PF_R);
	add_load(f, rw, PAGE, PF_R | PF_W);
	add_load(f, ld, 8 * PAGE, PF_R | PF_W);
	add_load(f, heap, 8 * PAGE, PF_R | PF_W);
	add_load(f, vdso, 2 * PAGE, PF_R | PF_X);
	add_load(f, 0x7ffc0000, 4 * PAGE, PF_R | PF_W);
	fill(f, 0x7ffc0000, 4 * PAGE);
	fill(f, vdso, 2 * PAGE);
	fill(f, heap, 8 * PAGE);
	poke(f, exe + 64, ph, sizeof(ph));
	poke64(f, dyn, DT_NEEDED);
	poke64(f, dyn + 16, DT_DEBUG);
	poke64(f, dyn + 24, rdebug);
	poke64(f, dyn + 32, DT_NULL);
	poke64(f, rdebug, 1); /* r_version */
	poke64(f, rdebug + 8, lm[0]);
	for (int i = 0; i < 3; i++) {
		char name[32];
		uint64_t at = heap + 0x7000 + (uint64_t)i * 0x100;

		snprintf(name, sizeof(name), "/lib/lib%d.so", i);
		poke(f, at, name, strlen(name) + 1);
		poke64(f, lm[i] + 8, at);
		poke64(f, lm[i] + 24, lm[(i + 1) % 3]); /* a loop */
	}
	add_thread(f, 0x7ffc3000);
	add_auxv(f, auxv, sizeof(auxv) / 16);

	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_int_equal(res.link_maps, 1024);
	assert_int_equal(kept(f, &o, exe + 64, sizeof(ph)), 0); /* a file's */
	assert_int_equal(kept(f, &o, rw, PAGE), 1);
	assert_int_equal(kept(f, &o, ld + 0x2000, PAGE), 1);
	assert_int_equal(kept(f, &o, ld + 0x3000, PAGE), 1);
	assert_int_equal(kept(f, &o, ld + 0x4000, 4 * PAGE), 0);
	assert_int_equal(kept(f, &o, heap, PAGE), 1);
	assert_int_equal(kept(f, &o, heap + 0x5000, PAGE), 1);
	assert_int_equal(kept(f, &o, heap + 0x7000, PAGE), 1);
	assert_int_equal(kept(f, &o, heap + 0x1000, 4 * PAGE), 0);
	assert_int_equal(kept(f, &o, vdso, 2 * PAGE), 1);
	out_done(&o);

	/* Off: none of it. */
	p = (struct minicore_params){ 0 };
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_int_equal(res.link_maps, 0);
	assert_int_equal(kept(f, &o, rw, PAGE), 0);
	assert_int_equal(kept(f, &o, heap, 8 * PAGE), 0);
	assert_int_equal(kept(f, &o, vdso, 2 * PAGE), 0);
	out_done(&o);
}

/* A static executable, or an auxv that points nowhere: no loader data. */
static void
test_gdb_nothing_to_follow(void **state)
{
	struct fake *f = *state;
	uint64_t auxv[] = { AT_PHDR, 0x900000, AT_PHENT, sizeof(Elf64_Phdr),
		AT_PHNUM, 4096, AT_NULL, 0 };
	struct minicore_params p = { .gdb = true };
	struct minicore_result res;
	struct out o;

	add_load(f, 0x7ffc0000, 4 * PAGE, PF_R | PF_W);
	fill(f, 0x7ffc0000, 4 * PAGE);
	add_thread(f, 0x7ffc3000);
	add_auxv(f, auxv, sizeof(auxv) / 16);
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_int_equal(res.link_maps, 0);
	assert_int_equal(res.memory_bytes, 2 * PAGE); /* the stack */
	out_done(&o);
}

static void
test_bad_stream(void **state)
{
	struct fake *f = *state;
	struct minicore_params p = { .stack_max = PAGE, .total_max = 1 << 20 };
	struct minicore_result res;
	char path[4096], *s1;
	int in;

	snprintf(path, sizeof(path), "%s/core.mini", f->dir);
	p.mem_fd = f->mem_fd;
	p.out_fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(p.out_fd >= 0);
	/* Not ELF. */
	s1 = tu_write_file(f->dir, "s1", "hello, world", 12, 0600);
	in = open(s1, O_RDONLY | O_CLOEXEC);
	free(s1);
	p.in_fd = in;
	assert_int_equal(minicore_write(&p, &res), -EPROTO);
	close(in);
	/* Cut inside the program headers. */
	add_load(f, 0x1000, PAGE, PF_R);
	add_thread(f, 0x1800);
	in = stream(f);
	assert_int_equal(ftruncate(in, sizeof(Elf64_Ehdr) + 70), 0);
	p.in_fd = in;
	assert_int_equal(minicore_write(&p, &res), -EPROTO);
	close(in);
	close(p.out_fd);
}

static void
test_maps_next(void **state)
{
	static const char maps[] =
	    "7f00-7f80 r-xp 00001000 fd:01 5 /lib/x.so\n"
	    "8000-9000 rw-p 00000000 00:00 0\n"
	    "9000-a000 rw-p 00000000 00:00 0 [heap]\n"
	    "zzzz-a000 r--p 00000000 fd:01 5 /lib/bad\n"
	    "b000-a000 r--p 00000000 fd:01 5 /lib/backwards\n"
	    "c000-d000 r--p 00002000 fd:01 5 /a path/with  spaces";
	const char *pos = maps, *end = maps + sizeof(maps) - 1;
	struct proc_map m;

	(void)state;
	assert_int_equal(proc_maps_next(&pos, end, &m), 1);
	assert_int_equal(m.start, 0x7f00);
	assert_int_equal(m.end, 0x7f80);
	assert_int_equal(m.offset, 0x1000);
	assert_int_equal(m.path_len, strlen("/lib/x.so"));
	assert_memory_equal(m.path, "/lib/x.so", m.path_len);
	assert_int_equal(proc_maps_next(&pos, end, &m), 0);
	assert_int_equal(proc_maps_next(&pos, end, &m), 0);
	assert_int_equal(proc_maps_next(&pos, end, &m), 0);
	assert_int_equal(proc_maps_next(&pos, end, &m), 0);
	assert_int_equal(proc_maps_next(&pos, end, &m), 1);
	assert_int_equal(m.offset, 0x2000);
	assert_int_equal(m.path_len, strlen("/a path/with  spaces"));
	assert_int_equal(proc_maps_next(&pos, end, &m), -ENODATA);
}

static void
test_info_format(void **state)
{
	struct minicore_result res = { 16, 23, 75, 4, 55112, 163840, 225280,
		"kernel", NULL };
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(minicore_info_format(&b, &res, 0, NULL), 0);
	assert_string_equal(b.data,
	    "mode: mini\nthreads: 16\nregions: 23\nsegments: 75\n"
	    "notes_bytes: 55112\nfile_note: kernel\nmemory_bytes: 163840\n"
	    "bytes_kept: 225280\ntruncated: no\nstopped: end\n"
	    "link_maps: 4\n");
	buf_reset(&b);
	res = (struct minicore_result){ 0 };
	res.stopped = "time_budget";
	assert_int_equal(
	    minicore_info_format(&b, &res, -ETIMEDOUT, "a note"), 0);
	assert_string_equal(b.data,
	    "mode: mini\nthreads: 0\nregions: 0\nsegments: 0\n"
	    "notes_bytes: 0\nfile_note: none\nmemory_bytes: 0\n"
	    "bytes_kept: 0\ntruncated: yes\nstopped: error\n"
	    "error: Connection timed out\nnote: a note\n");
	buf_done(&b);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/*
 * A PT_NOTE whose last 12 bytes are a note header naming 5 bytes that are
 * not there: the name is not read past the notes (ASan sees it).
 */
static void
test_note_name_past_end(void **state)
{
	struct fake *f = *state;
	Elf64_Nhdr nh = { 5, 0, NT_PRSTATUS };
	struct minicore_params p = { 0 };
	struct minicore_result res;
	struct out o;

	add_load(f, 0x300000, 4 * PAGE, PF_R | PF_W);
	fill(f, 0x300000, 4 * PAGE);
	add_thread(f, 0x303000);
	assert_int_equal(buf_append(&f->notes, &nh, sizeof(nh)), 0);
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_int_equal(res.threads, 1);
	out_done(&o);
}

/*
 * The NT_FILE note made from /proc/PID/maps counts against max_size and
 * in notes_bytes: the notes never exceed max_size.
 */
static void
test_file_note_within_max_size(void **state)
{
	struct fake *f = *state;
	struct minicore_params p = { 0 };
	struct minicore_result res;
	struct buf maps;
	struct out o;

	buf_init(&maps, 0);
	for (unsigned i = 0; i < 30000; i++)
		assert_true(
		    buf_printf(&maps,
			"%llx-%llx r--p 00000000 fd:01 %u    "
			"/usr/lib/x86_64-linux-gnu/libmany-%u.so\n",
			0x10000000ULL + i * 2 * PAGE,
			0x10000000ULL + i * 2 * PAGE + PAGE, i, i) >= 0);
	add_load(f, 0x7ffc0000, 4 * PAGE, PF_R | PF_W);
	fill(f, 0x7ffc0000, 4 * PAGE);
	add_thread(f, 0x7ffc3000);
	p.maps = maps.data;
	p.maps_len = maps.len;
	p.total_max = 64 * 1024;
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_string_equal(res.file_note, "maps");
	print_message("max_size %llu, notes %llu (notes_bytes %llu), "
		      "memory %llu, written %llu\n",
	    (unsigned long long)p.total_max,
	    (unsigned long long)o.ph[0].p_filesz,
	    (unsigned long long)res.notes_bytes,
	    (unsigned long long)res.memory_bytes,
	    (unsigned long long)res.written);
	/* Everything written, headers too. */
	assert_true(o.ph[0].p_filesz + res.memory_bytes <= p.total_max);
	assert_true(res.written <= p.total_max);
	assert_int_equal(res.notes_bytes, o.ph[0].p_filesz);
	out_done(&o);
	buf_done(&maps);
}

/*
 * gdb variant: link_map entries and their names sharing a heap page
 * charge max_size once for it, so the other threads' stacks still fit
 * (a looping list would otherwise charge 2,048 pages).
 */
static void
test_gdb_budget_charged_once(void **state)
{
	struct fake *f = *state;
	const uint64_t exe = 0x555000000, rw = 0x555100000, ld = 0x7f0100000,
		       heap = 0x7f0200000;
	uint64_t auxv[] = { AT_PHDR, exe + 64, AT_PHENT, sizeof(Elf64_Phdr),
		AT_PHNUM, 2, AT_NULL, 0 };
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_PHDR, .p_vaddr = 64, .p_memsz = 112 },
		{ .p_type = PT_DYNAMIC,
		    .p_vaddr = 0x100000 + 0x800,
		    .p_memsz = 64 },
	};
	const uint64_t dyn = rw + 0x800, rdebug = ld + 0x2040;
	struct minicore_params p = { .gdb = true };
	struct minicore_result res;
	struct out o;
	size_t notes_len;

	add_load(f, exe, PAGE, PF_R);
	add_load(f, rw, PAGE, PF_R | PF_W);
	add_load(f, ld, 8 * PAGE, PF_R | PF_W);
	add_load(f, heap, 8 * PAGE, PF_R | PF_W);
	add_load(f, 0x7ffc0000, 4 * PAGE, PF_R | PF_W); /* crashed thread */
	add_load(f, 0x7ffd0000, 4 * PAGE, PF_R | PF_W); /* another thread */
	fill(f, 0x7ffc0000, 4 * PAGE);
	fill(f, 0x7ffd0000, 4 * PAGE);
	fill(f, heap, 8 * PAGE);
	poke(f, exe + 64, ph, sizeof(ph));
	poke64(f, dyn, DT_DEBUG);
	poke64(f, dyn + 8, rdebug);
	poke64(f, dyn + 16, DT_NULL);
	poke64(f, rdebug, 1);
	poke64(f, rdebug + 8, heap);
	for (uint64_t i = 0; i < 40; i++) {
		uint64_t lm = heap + i * 0x60, name = heap + 0x0f00 + i * 2;

		poke(f, name, "a", 2); /* overlapping names: fine */
		poke64(f, lm + 8, name);
		poke64(f, lm + 24, i + 1 < 40 ? lm + 0x60 : 0);
	}
	add_thread(f, 0x7ffc3000);
	add_thread(f, 0x7ffd3000);
	add_auxv(f, auxv, sizeof(auxv) / 16);
	notes_len = f->notes.len;
	/* Distinct pages: 2 + 2 of stacks, dynamic, r_debug, heap: 7. */
	p.total_max = notes_len + 40 * PAGE;
	assert_int_equal(run(f, &p, &res, &o), 0);
	print_message("memory %llu, written %llu, stopped %s\n",
	    (unsigned long long)res.memory_bytes,
	    (unsigned long long)res.written,
	    res.stopped ? res.stopped : "(null)");
	assert_int_equal(res.link_maps, 40);
	assert_int_equal(kept(f, &o, heap, PAGE), 1);
	assert_true(res.memory_bytes <= 8 * PAGE);
	/* The other thread's stack fits: 7 of 40 pages are used. */
	assert_int_equal(kept(f, &o, 0x7ffd2000, 2 * PAGE), 1);
	assert_null(res.stopped);
	out_done(&o);
}

/*
 * Adjacent stacks in file mappings that read short (past the file's end,
 * /proc/PID/mem stops with EIO) merge into one region spanning several
 * segments: each piece read short adds a hole, and the program headers
 * have room for all of them (ASan: no heap overflow; the output parses).
 */
static void
test_short_reads_across_segments(void **state)
{
	struct fake *f = *state;
	enum { K = 8 };
	struct minicore_params p = { 0 };
	struct minicore_result res;
	char path[4096], page[PAGE];
	struct out o;
	char *base;
	int fd, mem;

	snprintf(path, sizeof(path), "%s/onepage", f->dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	memset(page, 'x', sizeof(page));
	assert_int_equal(write(fd, page, sizeof(page)), (ssize_t)PAGE);
	base = mmap(
	    NULL, K * 4 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(base != MAP_FAILED);
	for (int i = 0; i < K; i++) {
		/* 4 pages of a 1-page file: pages 2-4 read as EIO.  Each
		 * at file offset 0, so no two mappings merge. */
		void *at = mmap(base + i * 4 * PAGE, 4 * PAGE, PROT_READ,
		    MAP_PRIVATE | MAP_FIXED, fd, 0);

		assert_true(at == base + i * 4 * PAGE);
		add_load(f, (uint64_t)(uintptr_t)at, 4 * PAGE, PF_R | PF_W);
	}
	for (int i = 0; i < K; i++)
		add_thread(f, (uint64_t)(uintptr_t)base + i * 4 * PAGE + 0x400);
	mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	assert_true(mem >= 0);
	assert_int_equal(run_mem(f, &p, &res, &o, mem), 0);
	assert_int_equal(res.segments, o.phnum);
	assert_int_equal(res.memory_bytes, K * PAGE);
	assert_int_equal(o.phnum, 1 + 2 * K);
	out_done(&o);
	close(mem);
	munmap(base, K * 4 * PAGE);
	close(fd);
}

/* PT_LOADs that overlap are no core the kernel wrote: refused. */
static void
test_overlapping_loads(void **state)
{
	struct fake *f = *state;
	struct minicore_params p = { 0 };
	struct minicore_result res;
	struct out o;
	int r;

	add_load(f, 0x100000, 4 * PAGE, PF_R | PF_W);
	add_load(f, 0x102000, PAGE, PF_R);
	fill(f, 0x100000, 4 * PAGE);
	add_thread(f, 0x103000);
	r = run(f, &p, &res, &o);
	assert_true(r == 0 || r == -EPROTO);
	if (r == 0)
		out_done(&o);
}

/* A 32-bit core (a compat process) is refused, not misparsed. */
static void
test_elfclass32_refused(void **state)
{
	struct fake *f = *state;
	struct minicore_params p = { .stack_max = PAGE, .total_max = 1 << 20 };
	struct minicore_result res;
	Elf32_Ehdr eh = { 0 };
	char data[4096] = { 0 }, *s;
	int in;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_type = ET_CORE;
	eh.e_machine = EM_386;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(Elf32_Phdr);
	eh.e_phnum = 3;
	memcpy(data, &eh, sizeof(eh));
	s = tu_write_file(f->dir, "s32", data, sizeof(data), 0600);
	in = open(s, O_RDONLY | O_CLOEXEC);
	free(s);
	assert_true(in >= 0);
	p.in_fd = in;
	p.mem_fd = f->mem_fd;
	p.out_fd = -1;
	assert_int_equal(minicore_write(&p, &res), -EPROTO);
	close(in);
}

/*
 * A link_map list of bogus pointers (unmapped, near 2^64, odd) stops;
 * nothing outside the core's segments is kept.
 */
static void
test_gdb_bogus_pointers(void **state)
{
	struct fake *f = *state;
	const uint64_t exe = 0x555000000, rw = 0x555100000;
	uint64_t auxv[] = { AT_PHDR, exe + 64, AT_PHENT, sizeof(Elf64_Phdr),
		AT_PHNUM, 2, AT_SYSINFO_EHDR, UINT64_MAX - 7, AT_NULL, 0 };
	Elf64_Phdr ph[2] = {
		{ .p_type = PT_PHDR, .p_vaddr = 64, .p_memsz = 112 },
		{ .p_type = PT_DYNAMIC,
		    .p_vaddr = 0x100000 + 0xff8,
		    .p_memsz = UINT64_MAX },
	};
	const uint64_t dyn = rw + 0xff8;
	struct minicore_params p = { .gdb = true };
	struct minicore_result res;
	struct out o;

	add_load(f, exe, PAGE, PF_R);
	add_load(f, rw, PAGE, PF_R | PF_W);
	add_load(f, 0x7ffc0000, 4 * PAGE, PF_R | PF_W);
	fill(f, 0x7ffc0000, 4 * PAGE);
	poke(f, exe + 64, ph, sizeof(ph));
	poke64(f, dyn, DT_DEBUG);
	poke64(f, dyn + 8, rw + 0x100);
	poke64(f, rw + 0x100, 2); /* r_version 2 */
	poke64(f, rw + 0x108, UINT64_MAX - 16); /* r_map */
	poke64(f, rw + 0x100 + 40, rw + 0x100); /* r_next: itself */
	add_thread(f, 0x7ffc3000);
	add_auxv(f, auxv, sizeof(auxv) / 16);
	assert_int_equal(run(f, &p, &res, &o), 0);
	assert_true(res.link_maps <= 16);
	out_done(&o);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_basic),
		T(test_stack_max_and_order),
		T(test_budget),
		T(test_notes_cut),
		T(test_many_mappings),
		T(test_many_files_xnum),
		T(test_file_note_from_maps),
		T(test_gdb_link_map),
		T(test_gdb_nothing_to_follow),
		T(test_bad_stream),
		T(test_note_name_past_end),
		T(test_file_note_within_max_size),
		T(test_gdb_budget_charged_once),
		T(test_short_reads_across_segments),
		T(test_overlapping_loads),
		T(test_elfclass32_refused),
		T(test_gdb_bogus_pointers),
		cmocka_unit_test(test_maps_next),
		cmocka_unit_test(test_info_format),
	};

	return cmocka_run_group_tests_name("minicore", tests, NULL, NULL);
}
