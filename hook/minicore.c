/*
 * minicore.c owns the mini core: parsing the head of the kernel's ELF core
 * stream and writing a smaller ELF core that debuggers (eu-stack, gdb,
 * libdwfl) unwind like the full one.  Segments are written in ascending
 * address order: eu-stack silently drops symbols otherwise.
 */
#include "minicore.h"

#include <elf.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "fsutil.h"

#define MINI_PAGE 4096ULL
#define MINI_RED_ZONE 128
#define MINI_MAX_PHDRS (1u << 20)
#define MINI_MAX_NOTES (64u << 20)
#define MINI_CHUNK (256 * 1024)
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
			int64_t left = s->deadline_ms - clock_now_ms(CLOCK_MONOTONIC);

			if (left <= 0 ||
			    poll(&pfd, 1, (int)(left > 60000 ? 60000 : left)) ==
				0)
				return -ETIMEDOUT;
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

static int
stream_seek(struct stream *s, uint64_t to)
{
	if (to < s->pos)
		return -EPROTO; /* a pipe goes one way */
	return stream_read(s, NULL, to - s->pos);
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

static const Elf64_Phdr *
segment_of(const Elf64_Phdr *ph, size_t n, uint64_t addr)
{
	for (size_t i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && addr >= ph[i].p_vaddr &&
		    addr - ph[i].p_vaddr < ph[i].p_memsz)
			return &ph[i];
	return NULL;
}

static int
add_region(struct region **v, size_t *n, size_t *cap, uint64_t start,
    uint64_t end, uint32_t flags)
{
	if (end <= start)
		return 0;
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct region *p = realloc(*v, nc * sizeof(**v));

		if (p == NULL)
			return -ENOMEM;
		*v = p;
		*cap = nc;
	}
	(*v)[(*n)++] = (struct region){ start, end, flags };
	return 0;
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
 * Walks the notes: each thread's stack and the first page of each mapped
 * file become regions.  Returns the number of threads or -errno.
 */
static int
collect_regions(const char *notes, size_t len, uint16_t machine,
    const Elf64_Phdr *ph, size_t nph, const struct minicore_params *p,
    struct region **v, size_t *n)
{
	size_t cap = 0, off = 0;
	int threads = 0, r;

	while (off + sizeof(Elf64_Nhdr) <= len) {
		const Elf64_Nhdr *nh = (const Elf64_Nhdr *)(notes + off);
		size_t name_off = off + sizeof(*nh);
		size_t desc_off = name_off + ((nh->n_namesz + 3) & ~3u);
		size_t next = desc_off + ((nh->n_descsz + 3) & ~3u);
		const char *desc = notes + desc_off;

		if (desc_off > len || next > len || next <= off)
			break;
		if (nh->n_type == NT_PRSTATUS) {
			int so = sp_offset(machine, nh->n_descsz);
			uint64_t sp;
			const Elf64_Phdr *seg;

			threads++;
			if (so >= 0) {
				memcpy(&sp, desc + so, sizeof(sp));
				seg = segment_of(ph, nph, sp);
				if (seg) {
					/* Whole pages: libdwfl looks segments
					 * up by page, and a hole sharing a page
					 * with data would hide it. */
					uint64_t start = sp > MINI_RED_ZONE
					    ? (sp - MINI_RED_ZONE) &
						~(MINI_PAGE - 1)
					    : 0;
					uint64_t end =
					    seg->p_vaddr + seg->p_memsz;

					if (start < seg->p_vaddr)
						start = seg->p_vaddr;
					if (end - start > p->stack_max)
						end = (start + p->stack_max +
							  MINI_PAGE - 1) &
						    ~(MINI_PAGE - 1);
					r = add_region(v, n, &cap, start, end,
					    seg->p_flags);
					if (r < 0)
						return r;
				}
			}
		} else if (nh->n_type == NT_FILE && nh->n_descsz >= 16) {
			uint64_t count, page, e[3];

			memcpy(&count, desc, 8);
			memcpy(&page, desc + 8, 8);
			for (uint64_t i = 0;
			     i < count && 16 + (i + 1) * 24 <= nh->n_descsz;
			     i++) {
				const Elf64_Phdr *seg;

				memcpy(e, desc + 16 + i * 24, sizeof(e));
				/* The first page of a file holds its build id.
				 */
				if (e[2] != 0 ||
				    (seg = segment_of(ph, nph, e[0])) == NULL)
					continue;
				r = add_region(v, n, &cap, e[0],
				    e[1] - e[0] < MINI_PAGE ? e[1]
							    : e[0] + MINI_PAGE,
				    seg->p_flags);
				if (r < 0)
					return r;
			}
			(void)page;
		}
		off = next;
	}
	return threads;
}

/* Appends a segment with no bytes for [from, to) of seg, if not empty. */
static void
hole(Elf64_Phdr *out, size_t *n, const Elf64_Phdr *seg, uint64_t from,
    uint64_t to, uint64_t offset)
{
	if (to <= from)
		return;
	out[(*n)++] = (Elf64_Phdr){ .p_type = PT_LOAD,
		.p_flags = seg->p_flags,
		.p_offset = offset,
		.p_vaddr = from,
		.p_filesz = 0,
		.p_memsz = to - from,
		.p_align = MINI_PAGE };
}

/* Reads a region of the process's memory; a hole reads as shorter. */
static uint64_t
read_memory(int mem_fd, uint64_t addr, char *buf, uint64_t len)
{
	uint64_t got = 0;

	while (got < len) {
		ssize_t n = pread(mem_fd, buf + got, (size_t)(len - got),
		    (off_t)(addr + got));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (uint64_t)n;
	}
	return got;
}

int
minicore_write(const struct minicore_params *p, struct minicore_result *ret)
{
	struct minicore_result res = { 0 };
	struct stream s = { p->in_fd, 0, p->deadline_ms };
	struct region *regions = NULL;
	Elf64_Phdr *ph = NULL, *out_ph = NULL;
	char *notes = NULL, *mem = NULL;
	const Elf64_Phdr *note = NULL;
	size_t nph, nregions = 0, nout, cap_out;
	uint64_t data_off, total = 0;
	Elf64_Ehdr eh;
	int r, threads;

	r = stream_read(&s, &eh, sizeof(eh));
	if (r < 0)
		goto out;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_type != ET_CORE ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff < sizeof(eh) ||
	    (eh.e_machine != EM_X86_64 && eh.e_machine != EM_AARCH64)) {
		r = -EPROTO;
		goto out;
	}
	/* The kernel writes PT_NOTE first; with PN_XNUM segments the count
	 * is at the end of the file, but the notes follow the headers. */
	r = stream_seek(&s, eh.e_phoff);
	if (r < 0)
		goto out;
	ph = malloc(sizeof(*ph));
	if (ph == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = stream_read(&s, ph, sizeof(*ph));
	if (r < 0)
		goto out;
	if (ph[0].p_type != PT_NOTE ||
	    ph[0].p_offset < eh.e_phoff + sizeof(*ph) ||
	    ph[0].p_filesz > MINI_MAX_NOTES) {
		r = -EPROTO;
		goto out;
	}
	nph = eh.e_phnum != PN_XNUM
	    ? eh.e_phnum
	    : (size_t)((ph[0].p_offset - eh.e_phoff) / sizeof(*ph));
	if (nph == 0 || nph > MINI_MAX_PHDRS) {
		r = -EPROTO;
		goto out;
	}
	{
		Elf64_Phdr *np = realloc(ph, nph * sizeof(*ph));

		if (np == NULL) {
			r = -ENOMEM;
			goto out;
		}
		ph = np;
	}
	r = stream_read(&s, ph + 1, (nph - 1) * sizeof(*ph));
	if (r < 0)
		goto out;
	note = &ph[0];
	r = stream_seek(&s, note->p_offset);
	if (r < 0)
		goto out;
	notes = malloc(note->p_filesz ? note->p_filesz : 1);
	if (notes == NULL) {
		r = -ENOMEM;
		goto out;
	}
	r = stream_read(&s, notes, note->p_filesz);
	if (r < 0)
		goto out;
	res.notes_bytes = note->p_filesz;

	threads = collect_regions(notes, note->p_filesz, eh.e_machine, ph, nph,
	    p, &regions, &nregions);
	if (threads < 0) {
		r = threads;
		goto out;
	}
	res.threads = (unsigned)threads;
	nregions = merge_regions(regions, nregions);

	/*
	 * Every segment of the original core is kept, in its (ascending)
	 * order, so the address space looks the same to a debugger: the kept
	 * regions with their bytes, the rest with no bytes (p_filesz 0), as
	 * in a truncated core.  Then libdwfl reads a module's CFI from its
	 * file, not from the one page of it the core holds.
	 */
	cap_out = nph + 2 * nregions + 1;
	if (cap_out >= PN_XNUM) {
		r = -E2BIG;
		goto out;
	}
	out_ph = calloc(cap_out, sizeof(*out_ph));
	mem = malloc(MINI_CHUNK);
	if (out_ph == NULL || mem == NULL) {
		r = -ENOMEM;
		goto out;
	}
	nout = 1;
	data_off = sizeof(eh) + cap_out * sizeof(Elf64_Phdr) + note->p_filesz;
	data_off = (data_off + MINI_PAGE - 1) & ~(MINI_PAGE - 1);
	for (size_t i = 0, k = 0; i < nph; i++) {
		const Elf64_Phdr *seg = &ph[i];
		uint64_t cursor = seg->p_vaddr,
			 end = seg->p_vaddr + seg->p_memsz;

		if (seg->p_type != PT_LOAD)
			continue;
		while (k < nregions && regions[k].end <= cursor)
			k++;
		for (size_t j = k; j < nregions && regions[j].start < end;
		     j++) {
			uint64_t from = regions[j].start > cursor
			    ? regions[j].start
			    : cursor;
			uint64_t to =
			    regions[j].end < end ? regions[j].end : end;
			uint64_t got = 0;

			if (to <= from)
				continue;
			hole(out_ph, &nout, seg, cursor, from, data_off);
			while (got < to - from && total < p->total_max) {
				uint64_t chunk = to - from - got, n;

				if (chunk > MINI_CHUNK)
					chunk = MINI_CHUNK;
				if (chunk > p->total_max - total)
					chunk = p->total_max - total;
				n = read_memory(
				    p->mem_fd, from + got, mem, chunk);
				if (n > 0 &&
				    pwrite(p->out_fd, mem, (size_t)n,
					(off_t)(data_off + got)) !=
					(ssize_t)n) {
					r = errno ? -errno : -EIO;
					goto out;
				}
				got += n;
				total += n;
				if (n < chunk)
					break;
			}
			if (got > 0) {
				out_ph[nout++] =
				    (Elf64_Phdr){ .p_type = PT_LOAD,
					    .p_flags = seg->p_flags,
					    .p_offset = data_off,
					    .p_vaddr = from,
					    .p_filesz = got,
					    .p_memsz = got,
					    .p_align = MINI_PAGE };
				data_off = (data_off + got + MINI_PAGE - 1) &
				    ~(MINI_PAGE - 1);
				res.regions++;
			}
			hole(out_ph, &nout, seg, from + got, to, data_off);
			cursor = to;
		}
		hole(out_ph, &nout, seg, cursor, end, data_off);
	}
	if (total >= p->total_max)
		res.stopped = "total_max";
	out_ph[0] = *note;
	out_ph[0].p_offset = sizeof(eh) + nout * sizeof(Elf64_Phdr);
	eh.e_phoff = sizeof(eh);
	eh.e_phnum = (Elf64_Half)(nout < PN_XNUM ? nout : PN_XNUM - 1);
	eh.e_shoff = 0;
	eh.e_shnum = 0;
	eh.e_shstrndx = 0;
	eh.e_shentsize = 0;
	if (pwrite(p->out_fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh) ||
	    pwrite(p->out_fd, out_ph, nout * sizeof(Elf64_Phdr), sizeof(eh)) !=
		(ssize_t)(nout * sizeof(Elf64_Phdr)) ||
	    pwrite(p->out_fd, notes, note->p_filesz,
		(off_t)out_ph[0].p_offset) != (ssize_t)note->p_filesz) {
		r = errno ? -errno : -EIO;
		goto out;
	}
	res.memory_bytes = total;
	res.written = data_off;
	if (ftruncate(p->out_fd, (off_t)res.written) < 0) {
		r = -errno;
		goto out;
	}
	r = 0;
out:
	if (r == -ETIMEDOUT)
		res.stopped = "time_budget";
	free(ph);
	free(out_ph);
	free(notes);
	free(mem);
	free(regions);
	*ret = res;
	return r;
}

int
minicore_info_format(struct buf *out, const struct minicore_result *res,
    int error, const char *note)
{
	int r;

	r = buf_printf(out,
	    "mode: mini\nthreads: %u\nregions: %u\nnotes_bytes: %llu\n"
	    "memory_bytes: %llu\nbytes_kept: %llu\ntruncated: %s\nstopped: "
	    "%s\n",
	    res->threads, res->regions, (unsigned long long)res->notes_bytes,
	    (unsigned long long)res->memory_bytes,
	    (unsigned long long)res->written, res->stopped ? "yes" : "no",
	    error < 0 ? "error" : (res->stopped ? res->stopped : "end"));
	if (r >= 0 && error < 0)
		r = buf_printf(out, "error: %s\n", strerror(-error));
	if (r >= 0 && note)
		r = buf_printf(out, "note: %s\n", note);
	return r;
}
