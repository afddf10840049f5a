/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crash_site.c owns the "where" line (crash_site.h): which frame of the
 * crashing thread it names and how that frame is written.  The unwinder
 * and every reader call it: one rule, one spelling.
 */
#include "crash_site.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dump_tsv.h"

/* backtrace_frames read for it at most: the crashing thread comes first. */
#define FRAMES_CAP (1024 * 1024)

/* Appends one frame: "FUNC+OFF (MODULE) at FILE:LINE" or "MODULE+OFF". */
static int
put_frame(struct buf *out, const struct dump_tsv_field *f)
{
	const struct dump_tsv_field *fn = &f[DUMP_FRAME_FUNCTION];
	const struct dump_tsv_field *mod = &f[DUMP_FRAME_MODULE];
	const struct dump_tsv_field *file = &f[DUMP_FRAME_FILE];
	const struct dump_tsv_field *off = &f[DUMP_FRAME_OFFSET];
	struct buf l;
	int r;

	buf_init(&l, CRASH_SITE_MAX * 4);
	if (fn->len > 0) {
		r = buf_printf(&l, "%.*s+%.*s", (int)fn->len, fn->s,
		    (int)off->len, off->s);
		if (r >= 0 && mod->len > 0)
			r = buf_printf(&l, " (%.*s)", (int)mod->len, mod->s);
	} else if (mod->len > 0) {
		r = buf_printf(&l, "%.*s+%.*s", (int)mod->len, mod->s,
		    (int)off->len, off->s);
	} else {
		r = buf_printf(&l, "?? (%.*s)", (int)f[DUMP_FRAME_PC].len,
		    f[DUMP_FRAME_PC].s);
	}
	if (r >= 0 && file->len > 0)
		r = buf_printf(&l, " at %.*s:%lld", (int)file->len, file->s,
		    dump_tsv_number(&f[DUMP_FRAME_LINE], 0));
	if (r >= 0 || r == -E2BIG) {
		size_t n = l.len < CRASH_SITE_MAX ? l.len : CRASH_SITE_MAX;

		/* No newline or tab of a tampered item makes two lines. */
		for (size_t i = 0; i < n; i++)
			if (l.data[i] == '\n' || l.data[i] == '\t')
				l.data[i] = ' ';
		r = buf_append(out, l.data ? l.data : "", n);
	}
	buf_done(&l);
	return r;
}

int
crash_site_from_frames(const char *frames, long long tid,
    const struct frame_skip *fs, struct buf *out)
{
	struct dump_tsv_field f[_DUMP_FRAME_MAX], first[_DUMP_FRAME_MAX],
	    prefix[_DUMP_FRAME_MAX];
	struct dump_frames it;
	bool have_first = false, have_prefix = false;
	size_t nf;

	dump_frames_init(&it, frames, tid);
	while ((nf = dump_frames_next(&it, f)) > 0) {
		enum frame_skip_kind k;

		if (nf <= DUMP_FRAME_PC)
			continue; /* no frame on this line */
		if (!have_first) {
			memcpy(first, f, sizeof(f));
			have_first = true;
		}
		k = frame_skip_classify(fs, f[DUMP_FRAME_FUNCTION].s,
		    f[DUMP_FRAME_FUNCTION].len, f[DUMP_FRAME_MODULE].s,
		    f[DUMP_FRAME_MODULE].len, NULL);
		if (k == FRAME_SKIP_KEEP) {
			int r = put_frame(out, f);

			return r < 0 ? r : 1;
		}
		if (k == FRAME_SKIP_PREFIX && !have_prefix) {
			memcpy(prefix, f, sizeof(f));
			have_prefix = true;
		}
	}
	if (!have_first)
		return 0;
	{
		int r = put_frame(out, have_prefix ? prefix : first);

		return r < 0 ? r : 1;
	}
}

int
crash_site_of_dump(const struct dump *d, struct buf *out)
{
	char *v = NULL, *tid = NULL;
	long long crashed = -1;
	int r;

	r = dump_read_item(d, DUMP_ITEM_WHERE, CRASH_SITE_MAX, &v);
	if (r == -ENOMEM)
		return r;
	if (r == 0 && v[0] && !strchr(v, '\n')) {
		r = buf_puts(out, v);
		free(v);
		return r < 0 ? r : 1;
	}
	free(v);
	v = NULL;
	r = dump_read_item(d, DUMP_ITEM_BACKTRACE_FRAMES, FRAMES_CAP, &v);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	r = dump_read_item(d, DUMP_ITEM_TID, 32, &tid);
	if (r == 0)
		crashed = atoll(tid);
	free(tid);
	if (r == -ENOMEM) {
		free(v);
		return r;
	}
	r = crash_site_from_frames(
	    v, dump_frames_crashed_tid(v, crashed), NULL, out);
	free(v);
	return r;
}
