/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * minicore_head.c owns the reading of the kernel's core stream for the
 * mini core: its ELF header, program headers and notes, read once from
 * the pipe within the deadline (nothing past the notes is read), and what
 * the notes say: each thread's stack pointer, the mapped files (NT_FILE,
 * or one made from /proc/PID/maps when the kernel left it out) and the
 * auxiliary vector.  Counts and offsets of the stream are checked before
 * they are used: no read past what was read, no loop past a cap.
 */
#include "array.h"
#include "minicore_local.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "proc.h"

#define MINI_MAX_PHDRS (1u << 20)
#define MINI_MAX_NOTES (64u << 20)
/* The kernel's default core_file_note_size_limit. */
#define MINI_MAX_FILE_NOTE (4u << 20)
#ifndef NT_FILE
#define NT_FILE 0x46494c45
#endif

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

static int
cmp_load(const void *a, const void *b)
{
	const Elf64_Phdr *x = a, *y = b;

	return (x->p_vaddr > y->p_vaddr) - (x->p_vaddr < y->p_vaddr);
}

int
minicore_head_scan_notes(struct mini *m)
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
			uint64_t *v;

			m->res.threads++;
			if (so < 0)
				continue;
			v = array_grow(
			    m->sps, &cap, m->nsps, sizeof(*m->sps), 64);
			if (v == NULL)
				return -ENOMEM;
			m->sps = v;
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
int
minicore_head_file_note(struct mini *m)
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
 * What the headers take at least: the ELF header, the notes' and one
 * program header for each segment of the address space (a hole), and
 * one more.  The notes are cut to leave it (minicore_head_read()).
 */
uint64_t
minicore_head_allowance(size_t nloads)
{
	return sizeof(Elf64_Ehdr) + (nloads + 2) * sizeof(Elf64_Phdr);
}

int
minicore_head_read(struct mini *m, Elf64_Ehdr *eh, Elf64_Phdr *ret_note)
{
	struct stream stream = { m->p->in_fd, 0, m->p->deadline_ms },
		      *s = &stream;
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
	if (m->p->total_max < minicore_head_allowance(m->nloads)) {
		r = -EFBIG;
		goto out;
	}
	if (want > m->p->total_max - minicore_head_allowance(m->nloads))
		want = m->p->total_max - minicore_head_allowance(m->nloads);
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
