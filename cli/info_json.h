/* SPDX-License-Identifier: GPL-2.0-or-later */
/* crashd-cli info --json (info_json.c). */
#ifndef CRASHD_INFO_JSON_H
#define CRASHD_INFO_JSON_H

#include "dumps.h"
#include "json.h"

/* One dump's object into w: its items, read capped (info_item.h). */
void info_json(
    struct json_writer *w, int spool_dirfd, const struct cli_dump *cd);

#endif
