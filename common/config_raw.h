/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A look at crashd.conf's bytes before libconfig parses them, for what it
 * would misread silently (a NUL, "\x00", an integer past its range) or
 * take seconds on (thousands of settings in one section).
 */
#ifndef CRASHD_CONFIG_RAW_H
#define CRASHD_CONFIG_RAW_H

#include <stddef.h>

#include "buf.h"

/* More named settings than this in one section are refused. */
#define CONFIG_RAW_MAX_SETTINGS 1000

/*
 * Checks len bytes of data (the file "file").  Appends one line
 * "file:line: key: problem" to errors for each problem and returns how
 * many there were (0: libconfig may parse it).
 */
int config_raw_check(
    const char *file, const char *data, size_t len, struct buf *errors);

#endif
