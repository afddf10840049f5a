/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The options that select dumps: --since --until --exe --signal --uid
 * --host --kind, and --json, -n.
 */
#ifndef CRASHD_CLI_FILTER_H
#define CRASHD_CLI_FILTER_H

#include <stdbool.h>
#include <stdio.h>

#include "dumps.h"

/*
 * Parses argv into f, *json and *limit.  Returns 0, 2 on a usage error
 * (said), or 3 when --help was printed.
 */
int filter_parse(int argc, char **argv, struct dump_filter *f, bool *json,
    long *limit, void (*usage_fn)(FILE *));

#endif
