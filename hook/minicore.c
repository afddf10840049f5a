/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * minicore.c owns the mini core: parsing the head of the kernel's ELF core
 * stream and writing a smaller ELF core that debuggers (eu-stack, gdb,
 * libdwfl) unwind like the full one.  Segments are written in ascending
 * address order: eu-stack silently drops symbols otherwise.
 *
 * What is kept, in this order until max_size is spent: the notes, the
 * crashing thread's stack, the first page of every mapped file, (gdb) the
 * loader's data, then the other threads' stacks.  Every loop is bounded by
 * the number of segments, threads or link_map entries, each capped.
 */
#include "minicore.h"

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "fsutil.h"
#include "proc.h"

#define MINI_PAGE 4096ULL
#define MINI_RED_ZONE 128
#define MINI_MAX_PHDRS (1u << 20)
#define MINI_MAX_NOTES (64u << 20)
#define MINI_CHUNK (256 * 1024)
/* The kernel's default core_file_note_size_limit. */
#define MINI_MAX_FILE_NOTE (4u << 20)
/* The gdb variant: what is followed, at most. */
#define MINI_MAX_EXE_PHDRS 256
#define MINI_MAX_DYNAMIC (64 * 1024)
#define MINI_MAX_NAMESPACES 16
#define MINI_MAX_LINK_MAPS 1024
#define MINI_NAME_MAX 4096
#define MINI_MAX_VDSO (64 * 1024)
#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif

struct region {
	uint64_t start, end;
	uint32_t flags;
};

struct stream {
	int fd;
	uint64_t pos;
	int64_t deadline_ms;
};

/* One crash's minicore being planned. */
struct mini {
	const struct minicore_params *p;
	uint16_t machine;
	Elf64_Phdr *loads; /* the PT_LOAD segments, by address */
	size_t nloads;
	char *notes; /* the kernel's notes (whole notes only) */
	size_t notes_len;
	char *file_note; /* an NT_FILE note made from maps, or NULL */
	size_t file_note_len;
	const char *files; /* the NT_FILE descriptor in use, or NULL */
	size_t files_len;
	struct region *files_by_addr; /* its mappings, sorted */
	size_t nfiles;
	const char *auxv;
	size_t auxv_len;
	uint64_t *sps; /* each thread's stack pointer, the crashing one first */
	size_t nsps;
	struct region *v; /* the regions kept */
	size_t n, cap;
	uint64_t left; /* of total_max */
	size_t pieces; /* plan(): kept (region, segment) pieces */
	struct minicore_result res;
};

/* Reads exactly len bytes of the stream (buf NULL: skips them). */
static int
stream_read(struct stream *s, void *buf, uint64_t len)
{
	char scratch[65536];

	while (len > 0) {
		struct pollfd pfd = { .fd = s->fd, .events = POLLIN };
		size_t want =
		    len > sizeof(scratch) ? sizeof(scratch) : (size_t)len;
		ssize_t n;

		if (s->deadline_ms > 0) {
			int64_t left =
			    s->deadline_ms - clock_now_ms(CLOCK_MONOTONIC);
			int pr;

			if (left <= 0)
				return -ETIMEDOUT;
			/* In steps: the clock above decides, not one wait. */
			pr = poll(&pfd, 1, (int)(left > 60000 ? 60000 : left));
			if (pr == 0 || (pr < 0 && errno == EINTR))
				continue;
			if (pr < 0)
				return -errno;
		}
		n = read(s->fd, buf ? buf : scratch, want);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EPROTO; /* the stream ended early */
		if (buf)
			buf = (char *)buf + n;
		len -= (uint64_t)n;
		s->pos += (uint64_t)n;
	}
	return 0;
}

/* pwrite() of all of buf at off: 0, or -errno (-ENOSPC when it stops). */
static int
write_at(int fd, const void *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(fd, (const char *)buf + done, len - done,
		    (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -ENOSPC;
		done += (size_t)n;
	}
	return 0;
}

static int
stream_seek(struct stream *s, uint64_t to)
{
	if (to < s->pos)
		return -EPROTO; /* a pipe goes one way */
	return stream_read(s, NULL, to - s->pos);
}

/* Reads a region of the process's memory; a hole reads as shorter. */
static uint64_t
read_memory(int mem_fd, uint64_t addr, void *buf, uint64_t len)
{
	uint64_t got = 0;

	while (got < len) {
		ssize_t n = pread(mem_fd, (char *)buf + got,
		    (size_t)(len - got), (off_t)(addr + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	return got;
}

/* Reads one 64-bit word of the process's memory; false when absent. */
static bool
read_word(const struct mini *m, uint64_t addr, uint64_t *ret)
{
	return read_memory(m->p->mem_fd, addr, ret, 8) == 8;
}

/* Offset of the stack pointer in an NT_PRSTATUS descriptor. */
static int
sp_offset(uint16_t machine, size_t descsz)
{
	/* struct elf_prstatus: pr_reg at 112 on both. */
	if (machine == EM_X86_64 && descsz >= 112 + 27 * 8)
		return 112 + 19 * 8; /* user_regs_struct.sp */
	if (machine == EM_AARCH64 && descsz >= 112 + 34 * 8)
		return 112 + 31 * 8; /* user_pt_regs.sp */
	return -1;
}

static int
cmp_load(const void *a, const void *b)
{
	const Elf64_Phdr *x = a, *y = b;

	return (x->p_vaddr > y->p_vaddr) - (x->p_vaddr < y->p_vaddr);
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

/* Does a mapped file overlap [start, end)? */
static bool
maps_file(const struct mini *m, uint64_t start, uint64_t end)
{
	size_t lo = 0, hi = m->nfiles;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->files_by_addr[mid].end <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->nfiles && m->files_by_addr[lo].start < end;
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
		if (m->n == m->cap) {
			size_t nc = m->cap ? m->cap * 2 : 64;
			struct region *v = realloc(m->v, nc * sizeof(*v));

			if (v == NULL)
				return -ENOMEM;
			m->v = v;
			m->cap = nc;
		}
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
 * Walks the notes: the stack pointer of every thread (the kernel writes
 * the crashing thread first), NT_FILE and NT_AUXV.  Returns 0 or -ENOMEM.
 */
static int
scan_notes(struct mini *m)
{
	size_t off = 0, cap = 0;

	while (off + sizeof(Elf64_Nhdr) <= m->notes_len) {
		const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(m->notes + off);
		size_t name_off = off + sizeof(*nh);
		size_t desc_off = name_off + (((size_t)nh->n_namesz + 3) & ~3u);
		size_t next = desc_off + (((size_t)nh->n_descsz + 3) & ~3u);
		const char *desc = m->notes + desc_off;
		bool core;

		if (desc_off > m->notes_len || next > m->notes_len ||
		    next <= off)
			break;
		/* (In bounds: the name is before desc_off.) */
		core = nh->n_namesz == 5 &&
		    memcmp(m->notes + name_off, "CORE", 5) == 0;
		off = next;
		if (!core)
			continue;
		if (nh->n_type == NT_PRSTATUS) {
			int so = sp_offset(m->machine, nh->n_descsz);

			m->res.threads++;
			if (so < 0)
				continue;
			if (m->nsps == cap) {
				size_t nc = cap ? cap * 2 : 64;
				uint64_t *v = realloc(m->sps, nc * sizeof(*v));

				if (v == NULL)
					return -ENOMEM;
				m->sps = v;
				cap = nc;
			}
			memcpy(&m->sps[m->nsps++], desc + so, 8);
		} else if (nh->n_type == NT_FILE && m->files == NULL) {
			m->files = desc;
			m->files_len = nh->n_descsz;
		} else if (nh->n_type == NT_AUXV && m->auxv == NULL) {
			m->auxv = desc;
			m->auxv_len = nh->n_descsz;
		}
	}
	return 0;
}

/*
 * Without NT_FILE (the kernel leaves it out past core_file_note_size_limit,
 * about 65,000 mappings by default), debuggers find no mapped file: one is
 * made from /proc/PID/maps in the kernel's format (count, page size, then
 * start, end and page offset of each mapping, then their NUL-terminated
 * names), as large as the kernel's would be at most.  Returns 0 or
 * -ENOMEM; no maps or no file mapped leaves the minicore without one.
 */
static int
file_note_from_maps(struct mini *m)
{
	const char *pos = m->p->maps, *end;
	uint64_t count = 0, names = 0, page = MINI_PAGE;
	uint64_t limit = MINI_MAX_FILE_NOTE;
	struct proc_map map;
	Elf64_Nhdr nh = { 5, 0, NT_FILE };
	char *note, *ent, *name;
	int r;

	if (m->p->maps == NULL)
		return 0;
	if (limit > m->left)
		limit = m->left;
	end = m->p->maps + m->p->maps_len;
	while ((r = proc_maps_next(&pos, end, &map)) >= 0) {
		if (r == 0)
			continue;
		/* The whole note within the kernel's limit and max_size. */
		if (sizeof(nh) + 8 + 16 + (count + 1) * 24 + names +
			map.path_len + 1 + 3 >
		    limit)
			break;
		count++;
		names += map.path_len + 1;
	}
	if (count == 0)
		return 0;
	nh.n_descsz = (Elf64_Word)(16 + count * 24 + names);
	m->file_note_len = sizeof(nh) + 8 + ((nh.n_descsz + 3) & ~3u);
	note = calloc(1, m->file_note_len);
	if (note == NULL)
		return -ENOMEM;
	memcpy(note, &nh, sizeof(nh));
	memcpy(note + sizeof(nh), "CORE", 5);
	ent = note + sizeof(nh) + 8;
	memcpy(ent, &count, 8);
	memcpy(ent + 8, &page, 8);
	name = ent + 16 + count * 24;
	pos = m->p->maps;
	ent += 16;
	for (uint64_t i = 0; i < count;) {
		uint64_t e[3];

		if (proc_maps_next(&pos, end, &map) != 1)
			continue;
		e[0] = map.start;
		e[1] = map.end;
		e[2] = map.offset / MINI_PAGE;
		memcpy(ent, e, sizeof(e));
		ent += sizeof(e);
		memcpy(name, map.path, map.path_len);
		name += map.path_len + 1;
		i++;
	}
	m->file_note = note;
	m->files = note + sizeof(nh) + 8;
	m->files_len = nh.n_descsz;
	m->res.file_note = "maps";
	return 0;
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
	if (read_memory(m->p->mem_fd, phdr, ph, len) != len)
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
	got = read_memory(m->p->mem_fd, addr, name, sizeof(name));
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
 * Appends the program header of [from, to) of seg at offset; a piece
 * with no bytes (filesz 0) is a hole, as in a truncated core.
 */
static void
put_segment(Elf64_Phdr *out, size_t *n, const Elf64_Phdr *seg, uint64_t from,
    uint64_t to, uint64_t offset, uint64_t filesz)
{
	if (to <= from)
		return;
	if (out)
		out[*n] = (Elf64_Phdr){ .p_type = PT_LOAD,
			.p_flags = seg->p_flags,
			.p_offset = offset,
			.p_vaddr = from,
			.p_filesz = filesz,
			.p_memsz = to - from,
			.p_align = MINI_PAGE };
	(*n)++;
}

/*
 * Lays out the PT_LOAD segments of the minicore, in ascending order: for
 * each original segment, the kept regions with their bytes and the rest
 * with none (p_filesz 0), so the address space looks the same to a
 * debugger and libdwfl reads a module's CFI from its file, not from the
 * one page of it the core holds.  With all_holes false, the segments of
 * anonymous mappings with nothing kept are left out: only past 65,534
 * segments, where ELF needs its PN_XNUM extension, which gdb and libdwfl
 * read slowly and which takes 56 bytes a mapping.
 *
 * With out NULL only counts (every read assumed whole).  Else reads the
 * kept bytes from /proc/PID/mem and writes them from *data_off on; a
 * region read short ends its segment there and the rest is a hole, and
 * so is every region left when the time budget is spent.
 * Returns the number of program headers or -errno.
 */
static ssize_t
plan(struct mini *m, bool all_holes, Elf64_Phdr *out, uint64_t *data_off,
    char *mem)
{
	size_t nout = 0, k = 0;
	uint64_t off = data_off ? *data_off : 0;

	m->pieces = 0;
	for (size_t i = 0; i < m->nloads; i++) {
		const Elf64_Phdr *seg = &m->loads[i];
		uint64_t cursor = seg->p_vaddr,
			 end = seg->p_vaddr + seg->p_memsz;
		bool holes = all_holes || maps_file(m, cursor, end);

		while (k < m->n && m->v[k].end <= cursor)
			k++;
		for (size_t j = k; j < m->n && m->v[j].start < end; j++) {
			uint64_t from =
			    m->v[j].start > cursor ? m->v[j].start : cursor;
			uint64_t to = m->v[j].end < end ? m->v[j].end : end;
			uint64_t got = 0;

			if (to <= from)
				continue;
			m->pieces++;
			holes = true; /* a segment with data keeps its shape */
			put_segment(out, &nout, seg, cursor, from, off, 0);
			/* Past the time budget, the rest are holes. */
			if (out && m->p->deadline_ms > 0 &&
			    clock_now_ms(CLOCK_MONOTONIC) >=
				m->p->deadline_ms) {
				m->res.stopped = "time_budget";
				to = from;
			}
			while (out && got < to - from) {
				uint64_t chunk = to - from - got, n;

				if (chunk > MINI_CHUNK)
					chunk = MINI_CHUNK;
				n = read_memory(
				    m->p->mem_fd, from + got, mem, chunk);
				if (n > 0) {
					int w = write_at(m->p->out_fd, mem,
					    (size_t)n, off + got);

					if (w < 0)
						return w;
				}
				got += n;
				if (n < chunk)
					break;
			}
			if (out == NULL)
				got = to - from;
			if (got > 0) {
				put_segment(out, &nout, seg, from, from + got,
				    off, got);
				off = (off + got + MINI_PAGE - 1) &
				    ~(MINI_PAGE - 1);
				m->res.memory_bytes += out ? got : 0;
				m->res.regions += out ? 1 : 0;
			}
			put_segment(out, &nout, seg, from + got, to, off, 0);
			cursor = to;
		}
		if (holes)
			put_segment(out, &nout, seg, cursor, end, off, 0);
	}
	if (data_off)
		*data_off = off;
	return (ssize_t)nout;
}

/*
 * Chooses the memory to keep, most useful first, while m->left lasts:
 * the crashing thread's stack, the first page of every mapped file, (gdb)
 * the loader's data, then the other threads' stacks.  Starts afresh each
 * time.  Returns 0 or -ENOMEM.
 */
static int
choose(struct mini *m)
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

/*
 * What the headers take at least: the ELF header, the notes' and one
 * program header for each segment of the address space (a hole), and
 * one more.  The notes are cut to leave it (read_head()).
 */
static uint64_t
head_allowance_n(size_t nloads)
{
	return sizeof(Elf64_Ehdr) + (nloads + 2) * sizeof(Elf64_Phdr);
}

static uint64_t
head_allowance(const struct mini *m)
{
	return head_allowance_n(m->nloads);
}

/*
 * The size of the minicore at most, as minicore_write() lays it out: the
 * ELF header, nphdrs program headers and the notes, page-aligned, then
 * the memory kept, then PN_XNUM's section header.
 */
static uint64_t
minicore_size(const struct mini *m, size_t nphdrs, uint64_t notes_total)
{
	uint64_t size =
	    sizeof(Elf64_Ehdr) + nphdrs * sizeof(Elf64_Phdr) + notes_total;

	if (m->n > 0)
		size = (size + MINI_PAGE - 1) & ~(MINI_PAGE - 1);
	for (size_t i = 0; i < m->n; i++)
		size += m->v[i].end - m->v[i].start;
	if (nphdrs >= PN_XNUM)
		size += sizeof(Elf64_Shdr);
	return size;
}

/*
 * Reads the ELF header, the program headers and the notes from the
 * stream: as many whole notes as fit in total_max (the crashing thread's
 * and the process's come first).  Returns 0, -EPROTO or -errno.
 */
static int
read_head(
    struct mini *m, struct stream *s, Elf64_Ehdr *eh, Elf64_Phdr *ret_note)
{
	Elf64_Phdr *ph = NULL, note;
	uint64_t want;
	size_t nph, off = 0;
	int r;

	r = stream_read(s, eh, sizeof(*eh));
	if (r < 0)
		return r;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_CORE ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) ||
	    eh->e_phoff < sizeof(*eh) ||
	    (eh->e_machine != EM_X86_64 && eh->e_machine != EM_AARCH64))
		return -EPROTO;
	m->machine = eh->e_machine;
	/* The kernel writes PT_NOTE first; with PN_XNUM segments the count
	 * is at the end of the file, but the notes follow the headers. */
	r = stream_seek(s, eh->e_phoff);
	if (r < 0)
		return r;
	r = stream_read(s, &note, sizeof(note));
	if (r < 0)
		return r;
	if (note.p_type != PT_NOTE ||
	    note.p_offset < eh->e_phoff + sizeof(note))
		return -EPROTO;
	nph = eh->e_phnum != PN_XNUM
	    ? eh->e_phnum
	    : (size_t)((note.p_offset - eh->e_phoff) / sizeof(note));
	if (nph == 0 || nph > MINI_MAX_PHDRS)
		return -EPROTO;
	ph = malloc(nph * sizeof(*ph));
	if (ph == NULL)
		return -ENOMEM;
	ph[0] = note;
	r = stream_read(s, ph + 1, (nph - 1) * sizeof(*ph));
	if (r < 0)
		goto out;
	m->loads = ph; /* the PT_LOADs are moved to the front, sorted */
	for (size_t i = 1; i < nph; i++)
		if (ph[i].p_type == PT_LOAD)
			ph[m->nloads++] = ph[i];
	ph = NULL;
	qsort(m->loads, m->nloads, sizeof(*m->loads), cmp_load);
	/* Segments that wrap or overlap are no core the kernel wrote. */
	for (size_t i = 0; i < m->nloads; i++)
		if (m->loads[i].p_vaddr + m->loads[i].p_memsz <
			m->loads[i].p_vaddr ||
		    (i > 0 &&
			m->loads[i].p_vaddr < m->loads[i - 1].p_vaddr +
				m->loads[i - 1].p_memsz)) {
			r = -EPROTO;
			goto out;
		}

	r = stream_seek(s, note.p_offset);
	if (r < 0)
		goto out;
	want = note.p_filesz;
	if (want > MINI_MAX_NOTES)
		want = MINI_MAX_NOTES;
	/* The headers count against max_size too. */
	if (m->p->total_max < head_allowance_n(m->nloads)) {
		r = -EFBIG;
		goto out;
	}
	if (want > m->p->total_max - head_allowance_n(m->nloads))
		want = m->p->total_max - head_allowance_n(m->nloads);
	m->notes = malloc(want ? want : 1);
	if (m->notes == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = stream_read(s, m->notes, want);
	if (r < 0)
		goto out;
	if (want < note.p_filesz) {
		/* Cut at the last whole note. */
		while (off + sizeof(Elf64_Nhdr) <= want) {
			const Elf64_Nhdr *nh =
			    (const Elf64_Nhdr *)(m->notes + off);
			size_t next = off + sizeof(*nh) +
			    (((size_t)nh->n_namesz + 3) & ~3u) +
			    (((size_t)nh->n_descsz + 3) & ~3u);

			if (next > want || next <= off)
				break;
			off = next;
		}
		want = off;
		m->res.stopped = "max_size";
	}
	m->notes_len = want;
	*ret_note = note;
	r = 0;
out:
	free(ph);
	return r;
}

int
minicore_write(const struct minicore_params *p, struct minicore_result *ret)
{
	struct mini m = { .p = p };
	struct stream s = { p->in_fd, 0, p->deadline_ms };
	Elf64_Phdr note, *out_ph = NULL;
	Elf64_Ehdr eh;
	Elf64_Shdr xnum = { 0 };
	char *mem = NULL;
	uint64_t data_off, notes_off, notes_total, budget, head;
	const char *stopped;
	bool all_holes = true;
	ssize_t nplan, nout;
	size_t cap_out;
	int r;

	m.res.file_note = "none";
	r = read_head(&m, &s, &eh, &note);
	if (r < 0)
		goto out;
	m.res.notes_bytes = m.notes_len;
	head = head_allowance(&m);
	m.left = p->total_max > m.notes_len + head
	    ? p->total_max - m.notes_len - head
	    : 0;
	r = scan_notes(&m);
	if (r >= 0 && m.files)
		m.res.file_note = "kernel";
	else if (r >= 0)
		r = file_note_from_maps(&m);
	/* (Made within what was left: it is part of the notes.) */
	if (r >= 0) {
		m.left -= m.file_note_len;
		m.res.notes_bytes += m.file_note_len;
	}

	if (r < 0)
		goto out;
	notes_total = m.notes_len + m.file_note_len;
	/*
	 * What to keep, while max_size lasts for all of the file: the
	 * headers grow with what is kept (a piece of memory is a program
	 * header or two), so past max_size the memory kept is cut by the
	 * excess and chosen again.
	 */
	budget = m.left;
	stopped = m.res.stopped;
	for (int round = 0;; round++) {
		uint64_t size;

		m.left = budget;
		m.res.stopped = stopped;
		r = choose(&m);
		if (r < 0)
			goto out;
		/*
		 * One program header per piece, each piece (a region within
		 * one segment) read short adding a hole at most; past 65,534
		 * the anonymous holes go (see plan()), and past that ELF's
		 * PN_XNUM extension carries the count.
		 */
		all_holes = true;
		nplan = plan(&m, true, NULL, NULL, NULL);
		if (nplan >= 0 && (size_t)nplan + m.pieces + 1 >= PN_XNUM) {
			all_holes = false;
			nplan = plan(&m, false, NULL, NULL, NULL);
		}
		if (nplan < 0) {
			r = (int)nplan;
			goto out;
		}
		/* A piece read short adds a hole: one header more at most. */
		cap_out = (size_t)nplan + m.pieces + 1;
		size = minicore_size(&m, cap_out, notes_total);
		if (size <= p->total_max)
			break;
		m.res.stopped = "max_size";
		if (budget == 0 || round == 16) {
			/* The headers of the address space alone are too big.
			 */
			r = -EFBIG;
			goto out;
		}
		size -= p->total_max;
		budget = budget > size ? (budget - size) & ~(MINI_PAGE - 1) : 0;
	}
	out_ph = calloc(cap_out, sizeof(*out_ph));
	mem = malloc(MINI_CHUNK);
	if (out_ph == NULL || mem == NULL) {
		r = -ENOMEM;
		goto out;
	}
	data_off = sizeof(eh) + cap_out * sizeof(Elf64_Phdr) + notes_total;
	/* Memory at page offsets, as the kernel writes it (none: no pad). */
	if (m.n > 0)
		data_off = (data_off + MINI_PAGE - 1) & ~(MINI_PAGE - 1);
	nout = plan(&m, all_holes, out_ph + 1, &data_off, mem);
	if (nout < 0) {
		r = (int)nout;
		goto out;
	}
	nout++; /* the notes */
	notes_off = sizeof(eh) + (uint64_t)nout * sizeof(Elf64_Phdr);
	out_ph[0] = note;
	out_ph[0].p_offset = notes_off;
	out_ph[0].p_filesz = notes_total;
	out_ph[0].p_memsz = 0;
	eh.e_phoff = sizeof(eh);
	eh.e_phnum = (Elf64_Half)((size_t)nout < PN_XNUM ? nout : PN_XNUM);
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = SHN_UNDEF;
	eh.e_shentsize = 0;
	if ((size_t)nout >= PN_XNUM) {
		/* As the kernel does: the count in section header 0. */
		xnum.sh_type = SHT_NULL;
		xnum.sh_size = 1;
		xnum.sh_info = (Elf64_Word)nout;
		eh.e_shoff = data_off;
		eh.e_shnum = 1;
		eh.e_shentsize = sizeof(xnum);
		r = write_at(p->out_fd, &xnum, sizeof(xnum), data_off);
		if (r < 0)
			goto out;
		data_off += sizeof(xnum);
	}
	r = write_at(p->out_fd, &eh, sizeof(eh), 0);
	if (r >= 0)
		r = write_at(p->out_fd, out_ph,
		    (size_t)nout * sizeof(Elf64_Phdr), sizeof(eh));
	if (r >= 0)
		r = write_at(p->out_fd, m.notes, m.notes_len, notes_off);
	if (r >= 0 && m.file_note)
		r = write_at(p->out_fd, m.file_note, m.file_note_len,
		    notes_off + m.notes_len);
	if (r < 0)
		goto out;
	m.res.segments = (unsigned)nout;
	m.res.written = data_off;
	if (ftruncate(p->out_fd, (off_t)m.res.written) < 0) {
		r = -errno;
		goto out;
	}
	r = 0;
out:
	if (r == -ETIMEDOUT)
		m.res.stopped = "time_budget";
	free(m.loads);
	free(m.notes);
	free(m.file_note);
	free(m.files_by_addr);
	free(m.sps);
	free(m.v);
	free(out_ph);
	free(mem);
	*ret = m.res;
	return r;
}

int
minicore_info_format(struct buf *out, const struct minicore_result *res,
    int error, const char *note)
{
	int r;

	r = buf_printf(out,
	    "mode: mini\nthreads: %u\nregions: %u\nsegments: %u\n"
	    "notes_bytes: %llu\nfile_note: %s\nmemory_bytes: %llu\n"
	    "bytes_kept: %llu\ntruncated: %s\nstopped: %s\n",
	    res->threads, res->regions, res->segments,
	    (unsigned long long)res->notes_bytes,
	    res->file_note ? res->file_note : "none",
	    (unsigned long long)res->memory_bytes,
	    (unsigned long long)res->written, res->stopped ? "yes" : "no",
	    error < 0 ? "error" : (res->stopped ? res->stopped : "end"));
	if (r >= 0 && res->link_maps > 0)
		r = buf_printf(out, "link_maps: %u\n", res->link_maps);
	if (r >= 0 && error < 0)
		r = buf_printf(out, "error: %s\n", strerror(-error));
	if (r >= 0 && note)
		r = buf_printf(out, "note: %s\n", note);
	return r;
}
