/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * backtrace_render.c owns the forms of what an unwind found: the text of
 * the backtrace item, the TSV rows of backtrace_frames (tid, n, pc,
 * function, offset, module, build id, file, line; dump_tsv.h reads them),
 * the signature of the crash site, for dedupe, satyr's duphash and the
 * where line (crash_site.h), all by frame_skip.h's rule.  Every string from
 * the core is escaped where it is written.
 */
#include "backtrace_render.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crash_site.h"
#include "escape.h"
#include "hookstate.h"
#include "sha1.h"

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

static enum frame_skip_kind
kind_of(const struct frame_skip *fs, const struct frame *f,
    const char **ret_pattern)
{
	return frame_skip_classify(fs, f->function,
	    f->function ? strlen(f->function) : 0, f->module,
	    f->module ? strlen(f->module) : 0, ret_pattern);
}

/* One frame of a signature: "module!function;" or "id+0xoffset;". */
static void
sign_frame(struct buf *b, const struct frame *f, const char *as)
{
	const char *m = f->module ? strrchr(f->module, '/') : NULL;

	m = m ? m + 1 : (f->module ? f->module : "?");
	if (as || f->function)
		buf_printf(b, "%s!%s;", m, as ? as : f->function);
	else
		buf_printf(b, "%s+0x%" PRIx64 ";",
		    f->build_id[0] ? f->build_id : m, f->offset);
}

/*
 * The crash site for dedupe: the crashing thread's top frames of the
 * program's own code, by module and function, or by build id (else the
 * module) and offset where there is no symbol.  Frames frame_skip.h
 * skips (abort, raise, libcrashd...) are left out, so that an assert()
 * and an os.abort() differ; prefix frames (strlen...) are in, signed by
 * the pattern that matched them (one signature for __strlen_avx2 and
 * __strlen_evex), and not counted, so that strlen() from two callers
 * gives two.  A thread of nothing but skipped frames is signed by its
 * top frames as they are.
 */
static void
signature(const struct thread *t, const struct frame_skip *fs, char out[17])
{
	unsigned want =
	    fs && fs->frames ? fs->frames : FRAME_SKIP_SIGNATURE_FRAMES;
	unsigned kept = 0, prefixes = 0;
	struct buf b;

	out[0] = '\0';
	if (t == NULL || t->n == 0)
		return;
	buf_init(&b, 0);
	for (unsigned i = 0; i < t->n && kept < want; i++) {
		const struct frame *f = &t->frames[i];
		const char *pattern;

		switch (kind_of(fs, f, &pattern)) {
		case FRAME_SKIP_SKIP:
			break;
		case FRAME_SKIP_PREFIX:
			if (prefixes++ < FRAME_SKIP_PREFIX_MAX)
				sign_frame(&b, f, pattern);
			break;
		default:
			sign_frame(&b, f, NULL);
			kept++;
			break;
		}
	}
	if (kept == 0 && prefixes == 0) {
		buf_reset(&b);
		for (unsigned i = 0; i < t->n && kept < want; i++, kept++)
			sign_frame(&b, &t->frames[i], NULL);
	}
	/* Fewer frames than usual would be another signature. */
	if (!(t->cut && kept < want))
		snprintf(out, 17, "%016" PRIx64,
		    hookstate_key(b.data ? b.data : ""));
	buf_done(&b);
}

/*
 * satyr's duphash (lib/thread.c sr_thread_get_duphash() with 3 frames, no
 * prefix; lib/core_frame.c core_append_duphash_text()), which ABRT and
 * FAF compare: SHA-1, in lowercase hex, of "Thread\n" then one line per
 * frame, "BUILDID+0xOFFSET\n" (the offset from the module's start), or
 * "  FUNCTION\n" without a build id, or "0xADDRESS\n" without either.
 * satyr normalizes the thread first (abort, raise and the like go); the
 * frames frame_skip.h skips stand for that (all frames when it skips
 * every one).
 */
static void
duphash(const struct thread *t, const struct frame_skip *fs, char out[41])
{
	struct sha1 h;
	unsigned taken = 0;

	out[0] = '\0';
	if (t == NULL || t->n == 0)
		return;
	sha1_init(&h);
	sha1_update(&h, "Thread\n", 7);
	for (int all = 0; all < 2 && taken == 0; all++)
		for (unsigned i = 0; i < t->n && taken < 3; i++) {
			const struct frame *f = &t->frames[i];
			char line[128];
			int n;

			if (!all && kind_of(fs, f, NULL) == FRAME_SKIP_SKIP)
				continue;
			if (f->build_id[0])
				n = snprintf(line, sizeof(line),
				    "%s+0x%" PRIx64 "\n", f->build_id,
				    f->module_offset);
			else if (f->function)
				n = -1;
			else
				n = snprintf(line, sizeof(line),
				    "0x%" PRIx64 "\n", f->pc);
			if (n < 0) {
				sha1_update(&h, "  ", 2);
				sha1_update(
				    &h, f->function, strlen(f->function));
				sha1_update(&h, "\n", 1);
			} else {
				sha1_update(&h, line, (size_t)n);
			}
			taken++;
		}
	sha1_final_hex(&h, out);
}

void
backtrace_render(const struct thread *v, unsigned n, pid_t crashed,
    const struct frame_skip *fs, struct buf *text, struct buf *frames,
    struct backtrace_result *res)
{
	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < n; i++) {
			const struct thread *t = &v[i];
			size_t at = frames->len;

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
			if (pass == 0) {
				struct buf w;

				signature(t, fs, res->signature);
				duphash(t, fs, res->duphash);
				buf_init(&w, 0);
				if (crash_site_from_frames(
					frames->data ? frames->data + at : "",
					t->tid, fs, &w) > 0)
					snprintf(res->where, sizeof(res->where),
					    "%s", w.data);
				buf_done(&w);
			}
		}
}
