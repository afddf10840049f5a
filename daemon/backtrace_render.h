/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What an unwind found (backtrace_unwind.c), as plain data, and its
 * forms: the text item ("Thread TID (crashed):" then "#N ..." lines), the
 * TSV item backtrace_frames (dump_tsv.h) and the crash site's signature.
 * Private to the backtrace files.
 */
#ifndef CRASHD_BACKTRACE_RENDER_H
#define CRASHD_BACKTRACE_RENDER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "backtrace.h"
#include "buf.h"

struct frame {
	uint64_t pc;
	char *function; /* NULL when unknown; owned, as module and file */
	uint64_t offset; /* in the function, or in the module without one */
	uint64_t module_offset; /* pc - the module's start (satyr's) */
	char *module;
	char build_id[41];
	char *file;
	int line;
};

struct thread {
	pid_t tid;
	struct frame *frames; /* owned */
	unsigned n;
	bool cut; /* stopped by the deadline before its last frame */
};

/* Frees what t holds (not t). */
void backtrace_thread_done(struct thread *t);

/*
 * Appends the n threads of v to text and frames, the crashing thread
 * first (tid crashed, 0: none known), then the others in v's order, and
 * fills res->frames, and res->signature, res->duphash and res->where
 * (the crashing thread's, by fs's rule; NULL: the built-in one).
 */
void backtrace_render(const struct thread *v, unsigned n, pid_t crashed,
    const struct frame_skip *fs, struct buf *text, struct buf *frames,
    struct backtrace_result *res);

#endif
