/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The verbs' options: one table of every option crashd-cli knows (its
 * spellings, its argument, its help line), each verb naming the ones it
 * takes; one parser and one usage printer for all verbs.  coredumpctl's
 * spellings (-1, -r, -S, -U, -F, -q, --no-legend, --no-pager, -D,
 * --json=MODE, --debugger, -A) are rows of the same table.
 */
#ifndef CRASHD_CLI_ARGS_H
#define CRASHD_CLI_ARGS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "dumps.h"

enum cli_opt {
	CLI_OPT_JSON,
	CLI_OPT_SINCE,
	CLI_OPT_UNTIL,
	CLI_OPT_EXE,
	CLI_OPT_SIGNAL,
	CLI_OPT_UID,
	CLI_OPT_HOST,
	CLI_OPT_KIND,
	CLI_OPT_LIMIT,
	CLI_OPT_ONE,
	CLI_OPT_REVERSE,
	CLI_OPT_NO_LEGEND,
	CLI_OPT_QUIET,
	CLI_OPT_FIELD,
	CLI_OPT_NO_PAGER,
	CLI_OPT_DIRECTORY,
	CLI_OPT_FILE,
	CLI_OPT_OUTPUT,
	CLI_OPT_DEBUGGER,
	CLI_OPT_DEBUGGER_ARGS,
	CLI_OPT_ENVIRON,
	CLI_OPT_OLDER_THAN,
	CLI_OPT_HOOK,
	CLI_OPT_FORCE,
	CLI_OPT_NOT_STORED,
	CLI_OPT_ALL,
	CLI_OPT_DEAD,
	_CLI_OPT_MAX,
};

#define CLI_OPT(o) (UINT64_C(1) << (o))
/* The options that select dumps (filter.c), and those of every reader. */
#define CLI_OPTS_FILTER                                                        \
	(CLI_OPT(CLI_OPT_SINCE) | CLI_OPT(CLI_OPT_UNTIL) |                     \
	    CLI_OPT(CLI_OPT_EXE) | CLI_OPT(CLI_OPT_SIGNAL) |                   \
	    CLI_OPT(CLI_OPT_UID) | CLI_OPT(CLI_OPT_HOST) |                     \
	    CLI_OPT(CLI_OPT_KIND) | CLI_OPT(CLI_OPT_DIRECTORY) |               \
	    CLI_OPT(CLI_OPT_FILE) | CLI_OPT(CLI_OPT_QUIET))

/* --json, --json=short, --json=pretty, --json=off. */
enum cli_json {
	CLI_JSON_OFF,
	CLI_JSON_SHORT,
	CLI_JSON_PRETTY,
	_CLI_JSON_MAX,
};

struct cli;

/* One verb: its name, what it takes, and its entry point. */
struct cli_verb {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *operands; /* for the usage line: "ID [-- ARGS]" */
	const char *summary; /* one line for crashd-cli --help */
	uint64_t opts; /* CLI_OPT() bits it takes */
	int min_operands, max_operands; /* max -1: any number */
	const char *alias; /* coredumpctl's name for it, or NULL */
};

struct cli_args {
	struct dump_filter filter;
	enum cli_json json;
	long limit; /* -n, -1; 0: all */
	bool reverse, no_legend, quiet, no_pager, environ_, force;
	bool not_stored, all, dead;
	const char *field; /* -F */
	const char *output; /* -o */
	const char *debugger; /* --debugger, or NULL */
	const char *debugger_args; /* -A, split on blanks, or NULL */
	uint64_t older_than_ms;
	const char *hook;
	uint64_t given; /* CLI_OPT() bits of the options given */
	char **operands;
	int n_operands;
	char **rest; /* after "--" (gdb's arguments) */
	int n_rest;
};

/*
 * Parses a verb's argv (argv[0] is its name) by cli->verb's options into
 * *ret (-D goes to cli->spool_dir).  Returns 0, 2 on a usage error (said,
 * usage on stderr), or 3 when --help printed the usage on stdout.
 */
int cli_args_parse(
    struct cli *cli, int argc, char **argv, struct cli_args *ret);

/* The verb's usage, from its operands and its options' help lines. */
void cli_args_usage(const struct cli_verb *v, FILE *f);

/*
 * Whether arg (before the verb on crashd-cli's command line) is one of
 * the verbs' options; *ret_takes_arg when its value is the next argument.
 * So "crashd-cli -1 list" works as coredumpctl's "-1 list" does.
 */
bool cli_args_is_verb_option(const char *arg, bool *ret_takes_arg);

#endif
