/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Showing dumps: the aligned table of list, and the JSON summary object
 * shared by list --json and info --json.
 */
#ifndef CRASHD_CLI_RENDER_H
#define CRASHD_CLI_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "dumps.h"
#include "json.h"

#include "args.h"
#include "buf.h"

struct render_table_opts {
	bool color; /* SIG in red, the header bold */
	bool legend; /* the header line (not with --no-legend) */
	bool reverse; /* newest first */
	bool quiet; /* no "No crashes." */
	size_t columns; /* fit rows in this width; 0: no limit */
};

/*
 * The table of list, rows s->v[from..]: columns fit o->columns (the
 * least needed go first, EXE is cut in the middle), times with their
 * zone, names escaped for the terminal (term_escape()).
 */
void render_table(
    const struct dump_set *s, size_t from, const struct render_table_opts *o);

/*
 * The signal column's spelling, list's and stats' alike: "SEGV", or the
 * dump's kind for what no signal killed.
 */
void render_signal(const struct dump *d, char *buf, size_t size);

/* An executable's path escaped for the terminal, into buf. */
void render_exe(const char *exe, char *buf, size_t size);

/* Prints JSON written by json.c compact (short) or indented (pretty). */
void render_json_print(const struct buf *b, enum cli_json mode);

/* Writes the summary keys of one dump (an open object's members). */
void render_json_fields(
    struct json_writer *w, int spool_dirfd, const struct cli_dump *cd);

/* Writes one dump's summary as an object. */
void render_json_summary(
    struct json_writer *w, int spool_dirfd, const struct cli_dump *cd);

#endif
