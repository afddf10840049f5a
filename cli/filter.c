/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * filter.c owns the values of the options that select dumps, shared by
 * list, stats, info, core and gdb (the options themselves are args.c's
 * table), and the names a match's FIELD may have.
 */
#include "filter.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "items.h"
#include "log.h"
#include "signame.h"
#include "when.h"

/* coredumpctl's journal fields (systemd-coredump) and the items they are. */
static const struct {
	const char *field;
	const char *item;
} journal_fields[] = {
	{ "COREDUMP_PID", DUMP_ITEM_PID },
	{ "COREDUMP_UID", DUMP_ITEM_UID },
	{ "COREDUMP_GID", DUMP_ITEM_GID },
	{ "COREDUMP_SIGNAL", DUMP_ITEM_SIGNAL },
	{ "COREDUMP_SIGNAL_NAME", DUMP_ITEM_SIGNAL_NAME },
	{ "COREDUMP_EXE", DUMP_ITEM_EXECUTABLE },
	{ "COREDUMP_COMM", DUMP_ITEM_COMM },
	{ "COREDUMP_HOSTNAME", DUMP_ITEM_HOSTNAME },
	{ "COREDUMP_CWD", DUMP_ITEM_CWD },
	{ "COREDUMP_ROOT", DUMP_ITEM_ROOT },
	{ "COREDUMP_CGROUP", DUMP_ITEM_CGROUP },
	{ "COREDUMP_TIMESTAMP", DUMP_ITEM_TIME },
	{ "COREDUMP_CMDLINE", DUMP_ITEM_CMDLINE },
	{ "CRASHD_ID", "id" },
	{ "CRASHD_SIGNATURE", DUMP_ITEM_SIGNATURE },
	{ "CRASHD_COUNT", DUMP_ITEM_COUNT },
};

const char *
filter_field_item(const char *field, size_t len)
{
	for (size_t i = 0;
	     i < sizeof(journal_fields) / sizeof(journal_fields[0]); i++)
		if (strlen(journal_fields[i].field) == len &&
		    strncmp(field, journal_fields[i].field, len) == 0)
			return journal_fields[i].item;
	if (len == 0 || len > DUMPS_FIELD_MAX)
		return NULL;
	/* An item's name: what the spool may hold, never a path. */
	for (size_t i = 0; i < len; i++)
		if (!((field[i] >= 'a' && field[i] <= 'z') || field[i] == '_' ||
			field[i] == '.' ||
			(field[i] >= '0' && field[i] <= '9')))
			return NULL;
	return field;
}

int
filter_set(struct dump_filter *f, enum cli_opt o, const char *v)
{
	long long now = (long long)time(NULL);
	char *end;

	switch (o) {
	case CLI_OPT_SINCE:
	case CLI_OPT_UNTIL:
		if (when_parse(v, now,
			o == CLI_OPT_SINCE ? &f->since : &f->until) < 0) {
			log_error("--%s: cannot read the time \"%s\" (see "
				  "systemd.time(7))",
			    o == CLI_OPT_SINCE ? "since" : "until", v);
			return -EINVAL;
		}
		return 0;
	case CLI_OPT_EXE:
		f->exe = v;
		return 0;
	case CLI_OPT_SIGNAL:
		f->signal = signame_to_number(v);
		if (f->signal < 0) {
			log_error("--signal: no signal \"%s\"", v);
			return -EINVAL;
		}
		return 0;
	case CLI_OPT_UID:
		f->uid = strtoll(v, &end, 10);
		if (*end || f->uid < 0 || end == v) {
			log_error("--uid wants a number, got \"%s\"", v);
			return -EINVAL;
		}
		return 0;
	case CLI_OPT_HOST:
		f->host = v;
		return 0;
	case CLI_OPT_KIND:
		f->kind = -1;
		for (int k = 0; k < _DUMP_KIND_MAX; k++)
			if (strcmp(v, dump_kind_names[k]) == 0)
				f->kind = k;
		if (f->kind < 0) {
			log_error(
			    "--kind: expected crash, snapshot, kernel, oom "
			    "or panic, got \"%s\"",
			    v);
			return -EINVAL;
		}
		return 0;
	default:
		return -EINVAL;
	}
}
