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

static void
row_cells(const struct cli_dump *cd, char cells[N_COLS][4096])
{
	const struct dump *d = cd->d;
	struct buf exe;

	when_format(d->time, cells[COL_TIME], sizeof(cells[0]));
	snprintf(cells[COL_ID], sizeof(cells[0]), "%s", d->name);
	snprintf(cells[COL_PID], sizeof(cells[0]), "%ld", d->pid);
	if (d->uid >= 0)
		snprintf(cells[COL_UID], sizeof(cells[0]), "%lld", d->uid);
	else
		snprintf(cells[COL_UID], sizeof(cells[0]), "?");
	/* A snapshot (or a kernel dump) is no process killed by a signal. */
	snprintf(cells[COL_SIG], sizeof(cells[0]), "%s",
	    d->kind != DUMP_KIND_CRASH ? dump_kind_names[d->kind]
		: strncmp(d->signal_name, "SIG", 3) == 0 ? d->signal_name + 3
							 : d->signal_name);
	buf_init(&exe, sizeof(cells[0]) - 1);
	escape_c(&exe, d->executable, strlen(d->executable));
	snprintf(
	    cells[COL_EXE], sizeof(cells[0]), "%s", exe.data ? exe.data : "?");
	buf_done(&exe);
	snprintf(cells[COL_COUNT], sizeof(cells[0]), "%llu", cd->count);
	snprintf(cells[COL_CORE], sizeof(cells[0]), "%s", cd->core);
	units_format_size(cd->size, cells[COL_SIZE], sizeof(cells[0]));
}

void
render_table(const struct dump_set *s, size_t from, bool color)
{
	static char cells[N_COLS][4096];
	size_t width[N_COLS];

	for (int c = 0; c < N_COLS; c++)
		width[c] = strlen(headers[c]);
	for (size_t i = from; i < s->n; i++) {
		row_cells(&s->v[i], cells);
		for (int c = 0; c < N_COLS; c++)
			if (strlen(cells[c]) > width[c])
				width[c] = strlen(cells[c]);
	}
	if (s->n == from) {
		printf("No crashes.\n");
		return;
	}
	if (color)
		fputs(COLOR_BOLD, stdout);
	for (int c = 0; c < N_COLS; c++)
		printf("%-*s%s", c == N_COLS - 1 ? 0 : (int)width[c],
		    headers[c], c == N_COLS - 1 ? "" : "  ");
	printf("%s\n", color ? COLOR_RESET : "");
	for (size_t i = from; i < s->n; i++) {
		row_cells(&s->v[i], cells);
		for (int c = 0; c < N_COLS; c++) {
			bool red = color && c == COL_SIG;

			printf("%s%-*s%s%s", red ? COLOR_RED : "",
			    c == N_COLS - 1 ? 0 : (int)width[c], cells[c],
			    red ? COLOR_RESET : "",
			    c == N_COLS - 1 ? "" : "  ");
		}
		putchar('\n');
	}
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
