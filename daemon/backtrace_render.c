/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backtrace_render.c owns the forms of what an unwind found: the text of
 * the backtrace item, the TSV rows of backtrace_frames (tid, n, pc,
 * function, offset, module, build id, file, line; dump_tsv.h reads them)
 * and the signature of the crash site, for dedupe.  Every string from
 * the core is escaped where it is written.
 */
#include "backtrace_render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"
#include "hookstate.h"

void
backtrace_thread_done(struct thread *t)
{
	for (unsigned k = 0; k < t->n; k++) {
		free(t->frames[k].function);
		free(t->frames[k].module);
		free(t->frames[k].file);
	}
	free(t->frames);
}

static void
put_frame(struct buf *text, struct buf *frames, pid_t tid, unsigned i,
    const struct frame *f)
{
	buf_printf(text, "#%-2u 0x%016" PRIx64 " ", i, f->pc);
	if (f->function) {
		escape_c(text, f->function, strlen(f->function));
		buf_printf(text, "+0x%" PRIx64, f->offset);
	} else {
		buf_printf(text, "?? (+0x%" PRIx64 ")", f->offset);
	}
	if (f->module) {
		buf_puts(text, " (");
		escape_c(text, f->module, strlen(f->module));
		buf_putc(text, ')');
	}
	if (f->file) {
		buf_puts(text, " at ");
		escape_c(text, f->file, strlen(f->file));
		buf_printf(text, ":%d", f->line);
	}
	buf_putc(text, '\n');

	buf_printf(frames, "%d\t%u\t0x%016" PRIx64 "\t", (int)tid, i, f->pc);
	if (f->function)
		escape_c(frames, f->function, strlen(f->function));
	buf_printf(frames, "\t0x%" PRIx64 "\t", f->offset);
	if (f->module)
		escape_c(frames, f->module, strlen(f->module));
	buf_printf(frames, "\t%s\t", f->build_id);
	if (f->file)
		escape_c(frames, f->file, strlen(f->file));
	buf_printf(frames, "\t%d\n", f->file ? f->line : 0);
}

/*
 * The crash site: the crashing thread's top frames, by module and
 * function, or by build id and offset where there is no symbol.  Frames
 * of the signal machinery (raise, abort) stay in: they are the same for
 * the same crash.
 */
static void
signature(const struct thread *t, char out[17])
{
	struct buf b;

	out[0] = '\0';
	/* Fewer top frames than usual would be another signature. */
	if (t == NULL || t->n == 0 ||
	    (t->cut && t->n < BACKTRACE_SIGNATURE_FRAMES))
		return;
	buf_init(&b, 0);
	for (unsigned i = 0; i < t->n && i < BACKTRACE_SIGNATURE_FRAMES; i++) {
		const struct frame *f = &t->frames[i];
		const char *m = f->module ? strrchr(f->module, '/') : NULL;

		m = m ? m + 1 : (f->module ? f->module : "?");
		if (f->function)
			buf_printf(&b, "%s!%s;", m, f->function);
		else
			buf_printf(&b, "%s+0x%" PRIx64 ";",
			    f->build_id[0] ? f->build_id : m, f->offset);
	}
	snprintf(out, 17, "%016" PRIx64, hookstate_key(b.data ? b.data : ""));
	buf_done(&b);
}

void
backtrace_render(const struct thread *v, unsigned n, pid_t crashed,
    struct buf *text, struct buf *frames, struct backtrace_result *res)
{
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < n; i++) {
			const struct thread *t = &v[i];

			if ((t->tid == crashed) != (pass == 0))
				continue;
			buf_printf(text, "%sThread %d%s:\n",
			    text->len ? "\n" : "", (int)t->tid,
			    t->tid == crashed ? " (crashed)" : "");
			for (unsigned k = 0; k < t->n; k++)
				put_frame(
				    text, frames, t->tid, k, &t->frames[k]);
			if (t->n == 0)
				buf_puts(text, "(no frames)\n");
			res->frames += t->n;
			if (pass == 0)
				signature(t, res->signature);
		}
}
