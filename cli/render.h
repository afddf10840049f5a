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

void render_table(const struct dump_set *s, size_t from, bool color);

/* Writes the summary keys of one dump (an open object's members). */
void render_json_fields(
    struct json_writer *w, int spool_dirfd, const struct cli_dump *cd);

/* Writes one dump's summary as an object. */
void render_json_summary(
    struct json_writer *w, int spool_dirfd, const struct cli_dump *cd);

#endif
