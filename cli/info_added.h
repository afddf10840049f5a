/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli info's lines and JSON keys of the items the daemon adds
 * about where a crash came from: package and repeats (info_added.c).
 */
#ifndef CRASHD_INFO_ADDED_H
#define CRASHD_INFO_ADDED_H

#include "dump.h"
#include "json.h"

/* "  package     coreutils 9.1-1" and the repeats' lines, when present. */
void info_added_print(const struct dump *d);

/* The keys "package" (a string) and "repeats" (an object), when present. */
void info_added_json(struct json_writer *w, const struct dump *d);

#endif
