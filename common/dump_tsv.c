/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dump_tsv.c owns splitting a dump's TSV items (backtrace_frames, ptree,
 * open_fds) into lines and fields, the names of their fields, and the
 * walks over frames and ancestors.
 */
#include "dump_tsv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const dump_frame_keys[_DUMP_FRAME_MAX] = {
	[DUMP_FRAME_TID] = "tid",
	[DUMP_FRAME_FRAME] = "frame",
	[DUMP_FRAME_PC] = "pc",
	[DUMP_FRAME_FUNCTION] = "function",
	[DUMP_FRAME_OFFSET] = "offset",
	[DUMP_FRAME_MODULE] = "module",
	[DUMP_FRAME_BUILD_ID] = "build_id",
	[DUMP_FRAME_FILE] = "file",
	[DUMP_FRAME_LINE] = "line",
};

const char *const dump_ptree_keys[_DUMP_PTREE_MAX] = {
	[DUMP_PTREE_PID] = "pid",
	[DUMP_PTREE_COMM] = "comm",
	[DUMP_PTREE_ARGV] = "argv",
};

bool
dump_frame_field_is_number(enum dump_frame_field i)
{
	return i == DUMP_FRAME_TID || i == DUMP_FRAME_FRAME ||
	    i == DUMP_FRAME_LINE;
}

void
dump_tsv_init(struct dump_tsv *t, const char *text)
{
	*t = (struct dump_tsv){ .next = text ? text : "", .line = "" };
	t->pos = 1; /* no current line: no field */
}

bool
dump_tsv_next_line(struct dump_tsv *t)
{
	const char *p = t->next, *nl;

	if (*p == '\0')
		return false;
	nl = strchr(p, '\n');
	t->line = p;
	t->len = nl ? (size_t)(nl - p) : strlen(p);
	t->pos = 0;
	t->next = nl ? nl + 1 : p + t->len;
	return true;
}

bool
dump_tsv_next_field(struct dump_tsv *t, struct dump_tsv_field *ret)
{
	const char *tab;
	size_t k;

	if (t->pos > t->len)
		return false;
	tab = memchr(t->line + t->pos, '\t', t->len - t->pos);
	k = tab ? (size_t)(tab - t->line) - t->pos : t->len - t->pos;
	ret->s = t->line + t->pos;
	ret->len = k;
	/* Past the last field: len + 1 once no tab follows. */
	t->pos += k + 1;
	return true;
}

size_t
dump_tsv_next(struct dump_tsv *t, struct dump_tsv_field *f, size_t max)
{
	size_t n = 0;

	if (!dump_tsv_next_line(t))
		return 0;
	while (n < max && dump_tsv_next_field(t, &f[n]))
		n++;
	for (size_t i = n; i < max; i++)
		f[i] = (struct dump_tsv_field){ "", 0 };
	return n;
}

long long
dump_tsv_number(const struct dump_tsv_field *f, long long fallback)
{
	char tmp[32], *end;
	long long v;

	if (f->len == 0 || f->len >= sizeof(tmp))
		return fallback;
	memcpy(tmp, f->s, f->len);
	tmp[f->len] = '\0';
	/* strtoll would take leading blanks and a '+': a field is digits. */
	if (tmp[0] != '-' && (tmp[0] < '0' || tmp[0] > '9'))
		return fallback;
	errno = 0;
	v = strtoll(tmp, &end, 10);
	return errno || end == tmp || *end ? fallback : v;
}

long long
dump_frames_crashed_tid(const char *text, long long dump_tid)
{
	long long first = -1;
	struct dump_tsv_field f[1];
	struct dump_tsv t;

	dump_tsv_init(&t, text);
	while (dump_tsv_next(&t, f, 1) > 0) {
		long long tid = dump_tsv_number(&f[DUMP_FRAME_TID], -1);

		if (first < 0)
			first = tid;
		if (dump_tid > 0 && tid == dump_tid)
			return tid;
	}
	return first;
}

void
dump_frames_init(struct dump_frames *it, const char *text, long long tid)
{
	dump_tsv_init(&it->t, text);
	it->tid = tid;
}

size_t
dump_frames_next(
    struct dump_frames *it, struct dump_tsv_field f[_DUMP_FRAME_MAX])
{
	size_t n;

	while ((n = dump_tsv_next(&it->t, f, _DUMP_FRAME_MAX)) > 0)
		if (it->tid == DUMP_FRAMES_ALL ||
		    dump_tsv_number(&f[DUMP_FRAME_TID], -1) == it->tid)
			return n;
	return 0;
}

size_t
dump_ptree_next(struct dump_tsv *t, struct dump_tsv_field f[_DUMP_PTREE_MAX],
    long long *ret_pid)
{
	size_t n = dump_tsv_next(t, f, _DUMP_PTREE_MAX);

	if (n > 0)
		*ret_pid = dump_tsv_number(&f[DUMP_PTREE_PID], -1);
	return n;
}

/* The bytes of the escape that starts at s[i] (a backslash), within len. */
static size_t
escape_len(const char *s, size_t i, size_t len)
{
	size_t n = i + 1 < len && s[i + 1] == 'x' ? 4 : 2;

	return i + n <= len ? n : len - i;
}

size_t
dump_ptree_argv_keep(const struct dump_tsv_field *f, size_t max)
{
	size_t keep = 0;

	if (max == 0 || f->len <= max)
		return f->len;
	while (keep < f->len) {
		size_t n =
		    f->s[keep] == '\\' ? escape_len(f->s, keep, f->len) : 1;

		if (keep + n > max)
			break;
		keep += n;
	}
	return keep;
}

int
dump_ptree_argv_cut(struct buf *out, const struct dump_tsv_field *f, size_t max,
    const char *ellipsis)
{
	size_t keep = dump_ptree_argv_keep(f, max);
	int r;

	r = buf_append(out, f->s, keep);
	if (r >= 0 && keep < f->len)
		r = buf_printf(
		    out, "%s (%zu more bytes)", ellipsis, f->len - keep);
	return r < 0 ? r : keep < f->len;
}
