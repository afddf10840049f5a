/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * minicore_keep.c owns the choice of what the mini core keeps of the
 * process's memory, in this order until max_size is spent: the crashing
 * thread's stack, the first page of every mapped file (build ids), (gdb)
 * the loader's data and the vDSO, then the other threads' stacks.  What
 * is kept is a sorted list of page-aligned regions within the core's
 * segments; minicore.c writes it.  Pointers followed in the process's
 * memory (gdb) are untrusted: every loop is bounded by the number of
 * segments, threads or link_map entries, each capped.
 */
#include "array.h"
#include "minicore_local.h"

#include <errno.h>
#include <link.h>
#include <stdlib.h>
#include <string.h>

#include "proc.h"

#define MINI_RED_ZONE 128
/* The gdb variant: what is followed, at most. */
#define MINI_MAX_EXE_PHDRS 256
#define MINI_MAX_DYNAMIC (64 * 1024)
#define MINI_MAX_NAMESPACES 16
#define MINI_MAX_LINK_MAPS 1024
#define MINI_NAME_MAX 4096
#define MINI_MAX_VDSO (64 * 1024)

/* Reads one 64-bit word of the process's memory; false when absent. */
static bool
read_word(const struct mini *m, uint64_t addr, uint64_t *ret)
{
	return proc_mem_read(m->p->mem_fd, addr, ret, 8) == 8;
}

/* The PT_LOAD segment holding addr, or NULL (binary search). */
static const Elf64_Phdr *
segment_of(const struct mini *m, uint64_t addr)
{
	size_t lo = 0, hi = m->nloads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const Elf64_Phdr *s = &m->loads[mid];

		if (addr < s->p_vaddr)
			hi = mid;
		else if (addr - s->p_vaddr >= s->p_memsz)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

static int
cmp_region(const void *a, const void *b)
{
	const struct region *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* Sorts and merges overlapping regions in place; returns the new count. */
static size_t
merge_regions(struct region *v, size_t n)
{
	size_t out = 0;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_region);
	for (size_t i = 1; i < n; i++) {
		if (v[i].start <= v[out].end) {
			if (v[i].end > v[out].end)
				v[out].end = v[i].end;
			v[out].flags |= v[i].flags;
		} else {
			v[++out] = v[i];
		}
	}
	return out + 1;
}

/*
 * Keeps [start, end) of the process's memory, in whole pages (libdwfl
 * looks segments up by page, and a hole sharing a page with data would
 * hide it), within the segments that hold it and what is left of
 * total_max.  Returns 0 or -ENOMEM.
 */
static int
keep(struct mini *m, uint64_t start, uint64_t end)
{
	start &= ~(MINI_PAGE - 1);
	if (end > UINT64_MAX - MINI_PAGE)
		return 0;
	end = (end + MINI_PAGE - 1) & ~(MINI_PAGE - 1);
	while (start < end) {
		const Elf64_Phdr *seg = segment_of(m, start);
		struct region *v;
		uint64_t to;

		if (seg == NULL)
			return 0; /* not mapped: nothing to keep */
		to = seg->p_vaddr + seg->p_memsz;
		if (to > end)
			to = end;
		if (to - start > m->left) {
			to = start + (m->left & ~(MINI_PAGE - 1));
			m->res.stopped = "max_size";
			if (to <= start)
				return 0;
		}
		v = array_grow(m->v, &m->cap, m->n, sizeof(*m->v), 64);
		if (v == NULL)
			return -ENOMEM;
		m->v = v;
		m->v[m->n++] = (struct region){ start, to, seg->p_flags };
		m->left -= to - start;
		start = to;
	}
	return 0;
}

/*
 * keep() of a few bytes that may already be kept (link_map entries share
 * heap pages): the budget is charged once for a page.  A linear look:
 * for the gdb variant's small pieces only.
 */
static int
keep_once(struct mini *m, uint64_t start, uint64_t end)
{
	uint64_t s = start & ~(MINI_PAGE - 1);

	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].start <= s && end <= m->v[i].end)
			return 0;
	return keep(m, start, end);
}

/* A thread's used stack: from below its stack pointer, stack_max at most. */
static int
keep_stack(struct mini *m, uint64_t sp)
{
	const Elf64_Phdr *seg = segment_of(m, sp);
	uint64_t start, end;

	if (seg == NULL)
		return 0;
	start = sp > MINI_RED_ZONE ? sp - MINI_RED_ZONE : 0;
	if (start < seg->p_vaddr)
		start = seg->p_vaddr;
	start &= ~(MINI_PAGE - 1);
	end = seg->p_vaddr + seg->p_memsz;
	if (end - start > m->p->stack_max)
		end = start + m->p->stack_max;
	return keep(m, start, end);
}

/*
 * The mapped files: their first pages (build ids, program headers) are
 * kept, and their address ranges are remembered (see plan()).
 */
static int
keep_files(struct mini *m)
{
	uint64_t count;
	int r;

	if (m->files == NULL || m->files_len < 16)
		return 0;
	memcpy(&count, m->files, 8);
	if (count > (m->files_len - 16) / 24)
		count = (m->files_len - 16) / 24;
	m->files_by_addr = calloc(count ? count : 1, sizeof(struct region));
	if (m->files_by_addr == NULL)
		return -ENOMEM;
	for (uint64_t i = 0; i < count; i++) {
		uint64_t e[3];

		memcpy(e, m->files + 16 + i * 24, sizeof(e));
		if (e[1] <= e[0])
			continue;
		m->files_by_addr[m->nfiles++] =
		    (struct region){ e[0], e[1], 0 };
		/* The first page of a file holds its build id. */
		if (e[2] != 0)
			continue;
		r = keep(
		    m, e[0], e[1] - e[0] < MINI_PAGE ? e[1] : e[0] + MINI_PAGE);
		if (r < 0)
			return r;
	}
	m->nfiles = merge_regions(m->files_by_addr, m->nfiles);
	return 0;
}

/* A value of the auxiliary vector; 0 when absent. */
static uint64_t
auxv_get(const struct mini *m, uint64_t type)
{
	for (size_t i = 0; i + 16 <= m->auxv_len; i += 16) {
		uint64_t t, v;

		memcpy(&t, m->auxv + i, 8);
		memcpy(&v, m->auxv + i + 8, 8);
		if (t == type)
			return v;
		if (t == AT_NULL)
			break;
	}
	return 0;
}

/*
 * The executable's r_debug, by the way gdb and libdwfl find it: the
 * program headers at AT_PHDR give the load bias (PT_PHDR) and the dynamic
 * section (PT_DYNAMIC), whose DT_DEBUG ld.so has set.  The dynamic section
 * is kept.  Returns the address of r_debug, or 0.
 */
static uint64_t
keep_dynamic(struct mini *m, int *ret_r)
{
	uint64_t phdr = auxv_get(m, AT_PHDR), phnum = auxv_get(m, AT_PHNUM);
	uint64_t bias = 0, dyn = 0, dynsz = 0;
	Elf64_Phdr ph[MINI_MAX_EXE_PHDRS];
	bool have_bias = false;
	size_t len;

	*ret_r = 0;
	if (phdr == 0 || phnum == 0 || phnum > MINI_MAX_EXE_PHDRS ||
	    auxv_get(m, AT_PHENT) != sizeof(Elf64_Phdr))
		return 0;
	len = (size_t)phnum * sizeof(ph[0]);
	if (proc_mem_read(m->p->mem_fd, phdr, ph, len) != len)
		return 0;
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_PHDR) {
			bias = phdr - ph[i].p_vaddr;
			have_bias = true;
		} else if (ph[i].p_type == PT_DYNAMIC) {
			dyn = ph[i].p_vaddr;
			dynsz = ph[i].p_memsz;
		}
	}
	if (!have_bias || dynsz == 0) /* static: no loader, no list */
		return 0;
	dyn += bias;
	if (dynsz > MINI_MAX_DYNAMIC)
		dynsz = MINI_MAX_DYNAMIC;
	*ret_r = keep(m, dyn, dyn + dynsz);
	if (*ret_r < 0)
		return 0;
	for (uint64_t at = dyn; at + 16 <= dyn + dynsz; at += 16) {
		uint64_t tag, val;

		if (!read_word(m, at, &tag) || tag == DT_NULL)
			break;
		if (tag == DT_DEBUG && read_word(m, at + 8, &val))
			return val;
	}
	return 0;
}

/* Keeps the NUL-terminated string at addr (MINI_NAME_MAX at most). */
static int
keep_string(struct mini *m, uint64_t addr)
{
	char name[MINI_NAME_MAX];
	uint64_t got;
	char *nul;

	if (addr == 0)
		return 0;
	got = proc_mem_read(m->p->mem_fd, addr, name, sizeof(name));
	nul = memchr(name, '\0', (size_t)got);
	return keep_once(
	    m, addr, nul ? addr + (uint64_t)(nul - name) + 1 : addr + got);
}

/*
 * The gdb variant: gdb lists the shared libraries (and so names their
 * frames) from the loader's data in memory: r_debug, reached through the
 * executable's DT_DEBUG, and the link_map list from its r_map, each entry
 * with its l_name.  All of it is followed here through /proc/PID/mem and
 * kept, a few pages in all: bounded by MINI_MAX_NAMESPACES lists
 * (r_debug_extended's r_next, for dlmopen) and MINI_MAX_LINK_MAPS
 * entries.  The vDSO, an ELF image with no file, is kept too.
 */
static int
keep_loader(struct mini *m)
{
	uint64_t rdebug, vdso = auxv_get(m, AT_SYSINFO_EHDR);
	unsigned entries = 0;
	int r;

	if (vdso && segment_of(m, vdso)) {
		const Elf64_Phdr *seg = segment_of(m, vdso);
		uint64_t end = seg->p_vaddr + seg->p_memsz;

		r = keep(m, vdso,
		    end - vdso > MINI_MAX_VDSO ? vdso + MINI_MAX_VDSO : end);
		if (r < 0)
			return r;
	}
	rdebug = keep_dynamic(m, &r);
	if (r < 0)
		return r;
	for (unsigned ns = 0; rdebug && ns < MINI_MAX_NAMESPACES; ns++) {
		/* struct r_debug_extended: r_version, r_map, r_brk, r_state,
		 * r_ldbase, r_next (in version 2). */
		uint64_t version = 0, lm = 0, next = 0;

		r = keep_once(m, rdebug, rdebug + 6 * 8);
		if (r < 0)
			return r;
		if (!read_word(m, rdebug, &version) ||
		    !read_word(m, rdebug + 8, &lm))
			break;
		while (lm && entries < MINI_MAX_LINK_MAPS) {
			/* struct link_map: l_addr, l_name, l_ld, l_next,
			 * l_prev: what gdb and libdwfl read of it. */
			uint64_t name = 0;

			r = keep_once(m, lm, lm + 5 * 8);
			if (r >= 0 && read_word(m, lm + 8, &name))
				r = keep_string(m, name);
			if (r < 0)
				return r;
			entries++;
			if (!read_word(m, lm + 24, &lm))
				break;
		}
		if ((uint32_t)version < 2 || !read_word(m, rdebug + 40, &next))
			break;
		rdebug = next;
	}
	m->res.link_maps = entries;
	return 0;
}

/*
 * Chooses the memory to keep, most useful first, while m->left lasts:
 * the crashing thread's stack, the first page of every mapped file, (gdb)
 * the loader's data, then the other threads' stacks.  Starts afresh each
 * time.  Returns 0 or -ENOMEM.
 */
int
minicore_keep_choose(struct mini *m)
{
	int r = 0;

	m->n = 0;
	m->nfiles = 0;
	free(m->files_by_addr);
	m->files_by_addr = NULL;
	if (m->nsps > 0)
		r = keep_stack(m, m->sps[0]);
	if (r >= 0)
		r = keep_files(m);
	if (r >= 0 && m->p->gdb)
		r = keep_loader(m);
	for (size_t i = 1; r >= 0 && i < m->nsps; i++)
		r = keep_stack(m, m->sps[i]);
	if (r < 0)
		return r;
	m->n = merge_regions(m->v, m->n);
	return 0;
}
