/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One item of a dump as crashd-cli info reads it (info_item.c): up to a
 * cap, with how much was left, for the text and the JSON output alike.
 */
#ifndef CRASHD_INFO_ITEM_H
#define CRASHD_INFO_ITEM_H

#include <stdbool.h>
#include <stddef.h>

#include "dump.h"

/* An item read up to a cap: what was read, and how much was left. */
struct item {
	char *v; /* NUL-terminated, "" when absent; the caller frees it */
	size_t len;
	unsigned long long more; /* bytes not read */
};

/*
 * Reads an item up to its cap (512 KiB for the backtrace, frames and
 * actions, 64 KiB for the rest); text drops one trailing newline.
 * Returns 0, or -errno when absent or unreadable (then v is "").
 */
int info_item_read(
    const struct dump *d, const char *name, bool text, struct item *ret);

#endif
