/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The values of the options that select dumps (--since --until --exe
 * --signal --uid --host --kind) and the matches (PID, COMM, EXE path,
 * FIELD=VALUE), into a struct dump_filter.
 */
#ifndef CRASHD_CLI_FILTER_H
#define CRASHD_CLI_FILTER_H

#include "args.h"
#include "dumps.h"

/* Sets one filter option's value.  0, or -EINVAL having said why. */
int filter_set(struct dump_filter *f, enum cli_opt o, const char *value);

/*
 * The item a match's or -F's FIELD names: a spool item name, or
 * coredumpctl's journal field (COREDUMP_EXE is executable, ...): the
 * item's name, or field itself (not NUL-terminated at len: copy len
 * bytes) for an item name; NULL for a field no dump has.
 */
const char *filter_field_item(const char *field, size_t len);

#endif
