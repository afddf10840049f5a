/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * minicore.c owns the mini core as a file: minicore_write() runs the
 * steps (minicore_head.c reads the head of the kernel's stream,
 * minicore_keep.c chooses the memory to keep), then lays out a smaller
 * ELF core that debuggers (eu-stack, gdb, libdwfl) unwind like the full
 * one, copies the kept memory from /proc/PID/mem into it and writes its
 * headers and notes; and the core_info item that says what it holds.
 * Segments are written in ascending address order: eu-stack silently
 * drops symbols otherwise.
 */
#include "minicore_local.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "proc.h"

#define MINI_CHUNK (256 * 1024)

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
				n = proc_mem_read(
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

int
minicore_write(const struct minicore_params *p, struct minicore_result *ret)
{
	struct mini m = { .p = p };
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
	r = minicore_head_read(&m, &eh, &note);
	if (r < 0)
		goto out;
	m.res.notes_bytes = m.notes_len;
	head = minicore_head_allowance(m.nloads);
	m.left = p->total_max > m.notes_len + head
	    ? p->total_max - m.notes_len - head
	    : 0;
	r = minicore_head_scan_notes(&m);
	if (r >= 0 && m.files)
		m.res.file_note = "kernel";
	else if (r >= 0)
		r = minicore_head_file_note(&m);
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
		r = minicore_keep_choose(&m);
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
