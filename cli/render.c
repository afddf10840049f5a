/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * render.c owns how dumps look in a table and in JSON.  Every
 * attacker-controlled string is escaped: a newline in an executable's name
 * cannot break a table row or the JSON.
 */
#include "render.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crash_site.h"
#include "dump_json.h"
#include "escape.h"
#include "fsutil.h"
#include "items.h"
#include "term.h"
#include "units.h"
#include "when.h"

/* A cmdline is shown up to this many bytes (the kernel's ARG_MAX-ish). */
#define RENDER_CMDLINE_CAP (64 * 1024)

#define COLOR_BOLD "\033[1m"
#define COLOR_RED "\033[31m"
#define COLOR_RESET "\033[0m"

enum {
	COL_TIME,
	COL_ID,
	COL_PID,
	COL_UID,
	COL_SIG,
	COL_EXE,
	COL_COUNT,
	COL_CORE,
	COL_SIZE,
	N_COLS
};

static const char *const headers[N_COLS] = { "TIME", "ID", "PID", "UID", "SIG",
	"EXE", "COUNT", "CORE", "SIZE" };

/*
 * Which columns go first when the terminal is too narrow for all, last to
 * go first: SIZE, UID, CORE, COUNT, TIME (the ID starts with the UTC
 * time), PID.  ID, SIG and EXE stay; EXE is cut in the middle to fit.
 */
static const int drop_order[] = { COL_SIZE, COL_UID, COL_CORE, COL_COUNT,
	COL_TIME, COL_PID };

/* EXE keeps at least this many columns before another column goes. */
#define RENDER_EXE_MIN 24

void
render_signal(const struct dump *d, char *buf, size_t size)
{
	/* A snapshot (or a kernel dump) is no process killed by a signal. */
	snprintf(buf, size, "%s",
	    d->kind != DUMP_KIND_CRASH ? dump_kind_names[d->kind]
		: strncmp(d->signal_name, "SIG", 3) == 0 ? d->signal_name + 3
							 : d->signal_name);
}

void
render_exe(const char *exe, char *buf, size_t size)
{
	struct buf b;

	/* Room for term_ellipsize()'s "…" past the NUL. */
	buf_init(&b, size > 8 ? size - 8 : 1);
	term_escape(&b, exe, strlen(exe));
	snprintf(buf, size, "%s", b.data ? b.data : "?");
	buf_done(&b);
}

static void
row_cells(const struct cli_dump *cd, char cells[N_COLS][4096])
{
	const struct dump *d = cd->d;

	when_format(d->time, cells[COL_TIME], sizeof(cells[0]));
	snprintf(cells[COL_ID], sizeof(cells[0]), "%s", d->name);
	snprintf(cells[COL_PID], sizeof(cells[0]), "%ld", d->pid);
	if (d->uid >= 0)
		snprintf(cells[COL_UID], sizeof(cells[0]), "%lld", d->uid);
	else
		snprintf(cells[COL_UID], sizeof(cells[0]), "?");
	render_signal(d, cells[COL_SIG], sizeof(cells[0]));
	/* A kernel report has no executable: what it says stands there. */
	render_exe(DUMP_KIND_IS_KERNEL(d->kind) && d->executable[0] == '\0'
		? d->reason
		: d->executable,
	    cells[COL_EXE], sizeof(cells[0]));
	snprintf(cells[COL_COUNT], sizeof(cells[0]), "%llu", cd->count);
	snprintf(cells[COL_CORE], sizeof(cells[0]), "%s", cd->core);
	units_format_size(cd->size, cells[COL_SIZE], sizeof(cells[0]));
}

/* The row's width with the columns shown, EXE at exe columns. */
static size_t
row_width(const size_t width[N_COLS], const bool shown[N_COLS], size_t exe)
{
	size_t w = 0, n = 0;

	for (int c = 0; c < N_COLS; c++)
		if (shown[c]) {
			w += c == COL_EXE ? exe : width[c];
			n++;
		}
	return w + (n > 0 ? 2 * (n - 1) : 0);
}

/*
 * Decides the columns shown and EXE's width for a terminal of columns
 * (0: no limit).  Returns EXE's width.
 */
static size_t
fit(const size_t width[N_COLS], bool shown[N_COLS], size_t columns)
{
	size_t exe = width[COL_EXE];

	for (int c = 0; c < N_COLS; c++)
		shown[c] = true;
	if (columns == 0)
		return exe;
	for (size_t k = 0; k < sizeof(drop_order) / sizeof(drop_order[0]);
	     k++) {
		size_t rest;

		/* Row without EXE, and what it leaves EXE. */
		rest = row_width(width, shown, 0);
		if (rest + exe <= columns)
			return exe;
		if (rest < columns && columns - rest >= RENDER_EXE_MIN)
			return columns - rest;
		shown[drop_order[k]] = false;
	}
	if (row_width(width, shown, 0) + exe <= columns)
		return exe;
	return columns > row_width(width, shown, 0) + 4
	    ? columns - row_width(width, shown, 0)
	    : 4;
}

static void
put_cell(const char *s, size_t width, bool last, const char *color)
{
	size_t w = term_width(s);

	printf("%s%s%s", color ? color : "", s, color ? COLOR_RESET : "");
	if (!last)
		printf("%*s", (int)(width > w ? width - w : 0) + 2, "");
}

void
render_table(
    const struct dump_set *s, size_t from, const struct render_table_opts *o)
{
	static char cells[N_COLS][4096];
	size_t width[N_COLS], exe_w;
	bool shown[N_COLS];
	int lastc = 0;

	if (s->n == from) {
		if (!o->quiet)
			printf("No crashes.\n");
		return;
	}
	for (int c = 0; c < N_COLS; c++)
		width[c] = o->legend ? strlen(headers[c]) : 0;
	for (size_t i = from; i < s->n; i++) {
		row_cells(&s->v[i], cells);
		for (int c = 0; c < N_COLS; c++)
			if (term_width(cells[c]) > width[c])
				width[c] = term_width(cells[c]);
	}
	exe_w = fit(width, shown, o->columns);
	width[COL_EXE] = exe_w;
	for (int c = 0; c < N_COLS; c++)
		if (shown[c])
			lastc = c;
	if (o->legend) {
		if (o->color)
			fputs(COLOR_BOLD, stdout);
		for (int c = 0; c < N_COLS; c++)
			if (shown[c])
				put_cell(
				    headers[c], width[c], c == lastc, NULL);
		printf("%s\n", o->color ? COLOR_RESET : "");
	}
	for (size_t k = from; k < s->n; k++) {
		size_t i = o->reverse ? s->n - 1 - (k - from) : k;

		row_cells(&s->v[i], cells);
		term_ellipsize(cells[COL_EXE], exe_w);
		for (int c = 0; c < N_COLS; c++)
			if (shown[c])
				put_cell(cells[c], width[c], c == lastc,
				    o->color && c == COL_SIG ? COLOR_RED
							     : NULL);
		putchar('\n');
	}
}

/* Re-indents compact JSON (json.c's) by two spaces a level. */
static void
put_pretty(const char *s, size_t len)
{
	int depth = 0;
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			putchar(c);
			if (c == '\\' && i + 1 < len)
				putchar(s[++i]);
			else if (c == '"')
				in_str = false;
			continue;
		}
		switch (c) {
		case '"':
			in_str = true;
			putchar(c);
			break;
		case '{':
		case '[':
			putchar(c);
			if (i + 1 < len &&
			    (s[i + 1] == '}' || s[i + 1] == ']')) {
				putchar(s[++i]);
				break;
			}
			printf("\n%*s", 2 * ++depth, "");
			break;
		case '}':
		case ']':
			printf("\n%*s%c", 2 * (depth > 0 ? --depth : 0), "", c);
			break;
		case ',':
			printf(",\n%*s", 2 * depth, "");
			break;
		case ':':
			fputs(": ", stdout);
			break;
		case '\n':
			break;
		default:
			putchar(c);
		}
	}
	putchar('\n');
}

void
render_json_print(const struct buf *b, enum cli_json mode)
{
	if (mode == CLI_JSON_PRETTY)
		put_pretty(b->data, b->len);
	else
		fwrite(b->data, 1, b->len, stdout);
}

/*
 * "where": the crash site (crash_site.h), null when there is none.  The
 * dump's directory is dirfd (a listed dump keeps none open).
 */
static void
where_key(struct json_writer *w, const struct dump *d, int dirfd)
{
	struct dump at = *d;
	struct buf b;

	at.dirfd = dirfd;
	buf_init(&b, 0);
	json_key(w, DUMP_ITEM_WHERE);
	if (dirfd >= 0 && crash_site_of_dump(&at, &b) > 0)
		json_strn(w, b.data, b.len);
	else
		json_write_null(w);
	buf_done(&b);
}

void
render_json_fields(
    struct json_writer *w, int spool_dirfd, const struct cli_dump *cd)
{
	const struct dump *d = cd->d;
	char *cmdline = NULL;
	size_t len = 0;
	int fd, r;

	json_key(w, "id");
	json_str(w, d->name);
	json_key(w, "time");
	json_int(w, d->time);
	json_key(w, "pid");
	json_int(w, d->pid);
	json_key(w, "uid");
	if (d->uid >= 0)
		json_int(w, d->uid);
	else
		json_write_null(w);
	json_key(w, "signal");
	json_int(w, d->signal);
	json_key(w, "signal_name");
	json_str(w, d->signal_name);
	json_key(w, "executable");
	json_str(w, d->executable);
	json_key(w, "hostname");
	json_str(w, d->hostname);
	json_key(w, "kind");
	json_str(w, dump_kind_names[d->kind]);
	json_key(w, "reason");
	json_str(w, d->reason);
	json_key(w, "cmdline");
	fd = open_dir_at(spool_dirfd, d->name);
	r = fd < 0 ? fd
		   : read_file_at(fd, DUMP_ITEM_CMDLINE, RENDER_CMDLINE_CAP,
			 &cmdline, &len);
	if (r >= 0)
		dump_json_strv(w, cmdline, len, 0);
	else
		json_write_null(w);
	/* Capped: the last argument shown may be cut, and this says so. */
	if (r > 0) {
		json_key(w, "cmdline_truncated");
		json_bool(w, true);
	}
	free(cmdline);
	where_key(w, d, fd);
	safe_close(fd);
	json_key(w, "count");
	json_int(w, (long long)cd->count);
	json_key(w, "core");
	json_str(w, cd->core);
	json_key(w, "size");
	json_int(w, (long long)cd->size);
	json_key(w, "duplicate");
	json_bool(w, cd->duplicate);
	json_key(w, "processed");
	json_bool(w, d->processed);
}

void
render_json_summary(
    struct json_writer *w, int spool_dirfd, const struct cli_dump *cd)
{
	json_begin_object(w);
	render_json_fields(w, spool_dirfd, cd);
	json_end_object(w);
}
