/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the mini core share (private to hook/minicore*.c):
 * struct mini, one crash's minicore being planned, and the steps that
 * fill it.  minicore_head.c reads the head of the kernel's core stream
 * into it, minicore_keep.c chooses the memory to keep, minicore.c lays
 * out and writes the minicore.
 */
#ifndef CRASHD_MINICORE_LOCAL_H
#define CRASHD_MINICORE_LOCAL_H

#include <elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "minicore.h"

#define MINI_PAGE 4096ULL

struct region {
	uint64_t start, end;
	uint32_t flags;
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

/*
 * Reads the ELF header, the program headers and the notes from the
 * kernel's stream (m->p->in_fd): as many whole notes as fit in total_max
 * (the crashing thread's and the process's come first).  Fills m->loads,
 * m->notes and *eh, *ret_note.  Returns 0, -EPROTO, -EFBIG or -errno.
 */
int minicore_head_read(struct mini *m, Elf64_Ehdr *eh, Elf64_Phdr *ret_note);

/*
 * Walks the notes: the stack pointer of every thread (the kernel writes
 * the crashing thread first), NT_FILE and NT_AUXV.  Returns 0 or -ENOMEM.
 */
int minicore_head_scan_notes(struct mini *m);

/*
 * Makes m->file_note from /proc/PID/maps when the kernel left NT_FILE out.
 * Returns 0 or -ENOMEM.
 */
int minicore_head_file_note(struct mini *m);

/*
 * What the headers take at least with nloads segments in the address
 * space; the notes are cut to leave it.
 */
uint64_t minicore_head_allowance(size_t nloads);

/*
 * Chooses the memory to keep (m->v, merged), most useful first, while
 * m->left lasts.  Starts afresh each time.  Returns 0 or -ENOMEM.
 */
int minicore_keep_choose(struct mini *m);

#endif
