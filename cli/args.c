/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * args.c owns the verbs' options: the one table of them, the parser that
 * builds getopt_long()'s arguments from a verb's share of the table, and
 * the usage printed from the same rows.
 */
#include "args.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "filter.h"
#include "log.h"
#include "units.h"

/* A long-only option's getopt value: past every character. */
#define LONG_ONLY 256

static const struct {
	const char *name;
	int short_name; /* 0: none */
	int has_arg; /* no_argument, required_argument, optional_argument */
	const char *arg;
	const char *help;
} table[_CLI_OPT_MAX] = {
	[CLI_OPT_JSON] = { "json", 0, optional_argument, "[=short|pretty|off]",
	    "JSON: one line (short, also --json alone), indented (pretty)" },
	[CLI_OPT_SINCE] = { "since", 'S', required_argument, "TIME",
	    "crashes at or after TIME (any occurrence of a merged one)" },
	[CLI_OPT_UNTIL] = { "until", 'U', required_argument, "TIME",
	    "crashes at or before TIME (any occurrence of a merged one)" },
	[CLI_OPT_EXE] = { "exe", 0, required_argument, "GLOB",
	    "executables matching GLOB" },
	[CLI_OPT_SIGNAL] = { "signal", 0, required_argument, "SIG",
	    "killed by SIG (SEGV, SIGSEGV or 11)" },
	[CLI_OPT_UID] = { "uid", 0, required_argument, "UID",
	    "crashes of user UID" },
	[CLI_OPT_HOST] = { "host", 0, required_argument, "GLOB",
	    "crashes on hosts matching GLOB" },
	[CLI_OPT_KIND] = { "kind", 0, required_argument, "KIND",
	    "crash, snapshot, kernel, oom or panic" },
	[CLI_OPT_LIMIT] = { NULL, 'n', required_argument, "N",
	    "the newest N only" },
	[CLI_OPT_ONE] = { NULL, '1', no_argument, NULL, "the newest only" },
	[CLI_OPT_REVERSE] = { "reverse", 'r', no_argument, NULL,
	    "newest first" },
	[CLI_OPT_NO_LEGEND] = { "no-legend", 0, no_argument, NULL,
	    "no header line" },
	[CLI_OPT_QUIET] = { "quiet", 'q', no_argument, NULL,
	    "no informational messages" },
	[CLI_OPT_FIELD] = { "field", 'F', required_argument, "FIELD",
	    "the values FIELD takes (an item or COREDUMP_ name)" },
	[CLI_OPT_NO_PAGER] = { "no-pager", 0, no_argument, NULL,
	    "do not pipe the output into a pager" },
	[CLI_OPT_DIRECTORY] = { "directory", 'D', required_argument, "DIR",
	    "read the spool DIR instead of the config's" },
	[CLI_OPT_FILE] = { "file", 0, required_argument, "FILE",
	    "(coredumpctl's journal file: refused, see -D)" },
	[CLI_OPT_OUTPUT] = { "output", 'o', required_argument, "FILE",
	    "write to FILE" },
	[CLI_OPT_DEBUGGER] = { "debugger", 0, required_argument, "PROG",
	    "run PROG instead of $SYSTEMD_DEBUGGER or gdb" },
	[CLI_OPT_DEBUGGER_ARGS] = { "debugger-arguments", 'A',
	    required_argument, "ARGS", "pass ARGS (split on blanks) to it" },
	[CLI_OPT_ENVIRON] = { "environ", 0, no_argument, NULL,
	    "show the environment too" },
	[CLI_OPT_OLDER_THAN] = { "older-than", 0, required_argument, "DURATION",
	    "dumps older than DURATION (e.g. 30d)" },
	[CLI_OPT_HOOK] = { "hook", 0, required_argument, "PATH",
	    "the hook at PATH (default " CRASHD_HOOK_PATH ")" },
	[CLI_OPT_FORCE] = { "force", 'f', no_argument, NULL,
	    "replace another handler's core_pattern" },
	[CLI_OPT_NOT_STORED] = { "not-stored", 0, no_argument, NULL,
	    "the last crashes counted but not stored, and why" },
	[CLI_OPT_ALL] = { "all", 0, no_argument, NULL,
	    "also those sent in the last 7 days" },
	[CLI_OPT_DEAD] = { "dead", 0, no_argument, NULL,
	    "every dead delivery (retry)" },
};

void
cli_args_usage(const struct cli_verb *v, FILE *f)
{
	fprintf(f, "Usage: crashd-cli %s%s%s%s\n", v->name,
	    v->opts ? " [OPTIONS]" : "", v->operands[0] ? " " : "",
	    v->operands);
	if (v->alias)
		fprintf(f,
		    "       crashd-cli %s ... (coredumpctl's spelling)\n",
		    v->alias);
	fprintf(f, "%s\n", v->summary);
	if (v->opts)
		fprintf(f, "\nOptions:\n");
	for (int o = 0; o < _CLI_OPT_MAX; o++) {
		char spell[64];

		if (!(v->opts & CLI_OPT(o)))
			continue;
		if (table[o].short_name)
			snprintf(spell, sizeof(spell), "-%c%s",
			    table[o].short_name, table[o].name ? ", " : "");
		else
			snprintf(spell, sizeof(spell), "    ");
		if (table[o].name)
			snprintf(spell + strlen(spell),
			    sizeof(spell) - strlen(spell), "--%s",
			    table[o].name);
		if (table[o].arg)
			snprintf(spell + strlen(spell),
			    sizeof(spell) - strlen(spell), "%s%s",
			    table[o].arg[0] == '[' ? "" : " ", table[o].arg);
		fprintf(f, "  %-30s %s\n", spell, table[o].help);
	}
	if (v->opts & CLI_OPT(CLI_OPT_SINCE))
		fprintf(f,
		    "\nTIME: \"2026-11-23\", \"2026-11-23 10:00\", \"22:35\", "
		    "\"10 minutes ago\",\n"
		    "\"-1h\", \"today\", \"yesterday\", \"now\", \"@EPOCH\" "
		    "(systemd.time(7)).\n"
		    "MATCHES: PID, COMM, /EXE/PATH or FIELD=VALUE "
		    "(an item or a COREDUMP_ name).\n");
	fprintf(f, "  -h, --help                     show this help\n");
}

static int
opt_of(int val, uint64_t opts)
{
	for (int o = 0; o < _CLI_OPT_MAX; o++)
		if ((opts & CLI_OPT(o)) &&
		    (val == LONG_ONLY + o ||
			(table[o].short_name && val == table[o].short_name)))
			return o;
	return -1;
}

/* Applies one option's value to *a.  0, or 2 having said why. */
static int
apply(struct cli *cli, int o, const char *v, struct cli_args *a)
{
	char *end;

	a->given |= CLI_OPT(o);
	switch (o) {
	case CLI_OPT_JSON:
		if (v == NULL || strcmp(v, "short") == 0)
			a->json = CLI_JSON_SHORT;
		else if (strcmp(v, "pretty") == 0)
			a->json = CLI_JSON_PRETTY;
		else if (strcmp(v, "off") == 0)
			a->json = CLI_JSON_OFF;
		else {
			log_error("--json: expected short, pretty or off, got "
				  "\"%s\"",
			    v);
			return 2;
		}
		return 0;
	case CLI_OPT_LIMIT:
		a->limit = strtol(v, &end, 10);
		if (*end || a->limit <= 0) {
			log_error("-n wants a positive number, got \"%s\"", v);
			return 2;
		}
		return 0;
	case CLI_OPT_ONE:
		a->limit = 1;
		return 0;
	case CLI_OPT_REVERSE:
		a->reverse = true;
		return 0;
	case CLI_OPT_NO_LEGEND:
		a->no_legend = true;
		return 0;
	case CLI_OPT_QUIET:
		a->quiet = true;
		return 0;
	case CLI_OPT_FIELD:
		a->field = v;
		return 0;
	case CLI_OPT_NO_PAGER:
		a->no_pager = true;
		return 0;
	case CLI_OPT_DIRECTORY:
		cli->spool_dir = v;
		return 0;
	case CLI_OPT_FILE:
		log_error("--file reads a journal file in coredumpctl; crashd "
			  "keeps dumps in a spool: use -D DIR for another "
			  "spool (or coredumpctl --file for the journal "
			  "entries of crashd's journal action)");
		return 2;
	case CLI_OPT_OUTPUT:
		a->output = v;
		return 0;
	case CLI_OPT_DEBUGGER:
		a->debugger = v;
		return 0;
	case CLI_OPT_DEBUGGER_ARGS:
		a->debugger_args = v;
		return 0;
	case CLI_OPT_ENVIRON:
		a->environ_ = true;
		return 0;
	case CLI_OPT_OLDER_THAN:
		if (units_parse_duration_ms(v, &a->older_than_ms) < 0) {
			log_error("--older-than wants a duration like 30d, got "
				  "\"%s\"",
			    v);
			return 2;
		}
		return 0;
	case CLI_OPT_HOOK:
		a->hook = v;
		return 0;
	case CLI_OPT_FORCE:
		a->force = true;
		return 0;
	case CLI_OPT_NOT_STORED:
		a->not_stored = true;
		return 0;
	case CLI_OPT_ALL:
		a->all = true;
		return 0;
	case CLI_OPT_DEAD:
		a->dead = true;
		return 0;
	default:
		return filter_set(&a->filter, (enum cli_opt)o, v) < 0 ? 2 : 0;
	}
}

int
cli_args_parse(struct cli *cli, int argc, char **argv, struct cli_args *ret)
{
	const struct cli_verb *v = cli->verb;
	struct option longs[_CLI_OPT_MAX + 2];
	char shorts[3 * _CLI_OPT_MAX + 4];
	size_t nl = 0, ns = 0;
	int opt, o, r, end = argc;

	*ret = (struct cli_args){ .filter = DUMP_FILTER_NONE,
		.hook = CRASHD_HOOK_PATH };
	for (o = 0; o < _CLI_OPT_MAX; o++) {
		if (!(v->opts & CLI_OPT(o)))
			continue;
		if (table[o].name)
			longs[nl++] = (struct option){ table[o].name,
				table[o].has_arg, NULL,
				table[o].short_name ? table[o].short_name
						    : LONG_ONLY + o };
		if (table[o].short_name) {
			shorts[ns++] = (char)table[o].short_name;
			if (table[o].has_arg == required_argument)
				shorts[ns++] = ':';
		}
	}
	longs[nl++] = (struct option){ "help", no_argument, NULL, 'h' };
	longs[nl] = (struct option){ NULL, 0, NULL, 0 };
	shorts[ns++] = 'h';
	shorts[ns] = '\0';
	/* What follows "--" is the debugger's, not ours. */
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			end = i;
			break;
		}
	/*
	 * 0, not 1: glibc then starts afresh, forgetting the "+" of main's
	 * optstring, so options may follow operands ("info ID --json").
	 */
	optind = 0;
	while ((opt = getopt_long(end, argv, shorts, longs, NULL)) != -1) {
		if (opt == 'h') {
			cli_args_usage(v, stdout);
			return 3;
		}
		o = opt_of(opt, v->opts);
		if (o < 0) {
			cli_args_usage(v, stderr);
			return 2;
		}
		r = apply(cli, o, optarg, ret);
		if (r)
			return r;
	}
	ret->operands = argv + optind;
	ret->n_operands = end - optind;
	if (end < argc) {
		ret->rest = argv + end + 1;
		ret->n_rest = argc - end - 1;
	}
	if (ret->n_operands < v->min_operands ||
	    (v->max_operands >= 0 && ret->n_operands > v->max_operands) ||
	    (end < argc && !(v->opts & CLI_OPT(CLI_OPT_DEBUGGER)))) {
		cli_args_usage(v, stderr);
		return 2;
	}
	return 0;
}

bool
cli_args_is_verb_option(const char *arg, bool *ret_takes_arg)
{
	for (int o = 0; o < _CLI_OPT_MAX; o++) {
		size_t n = table[o].name ? strlen(table[o].name) : 0;

		*ret_takes_arg = table[o].has_arg == required_argument;
		if (arg[0] == '-' && arg[1] == '-' && n > 0 &&
		    strncmp(arg + 2, table[o].name, n) == 0 &&
		    (arg[2 + n] == '\0' || arg[2 + n] == '=')) {
			*ret_takes_arg = *ret_takes_arg && arg[2 + n] == '\0';
			return true;
		}
		if (arg[0] == '-' && table[o].short_name &&
		    arg[1] == table[o].short_name) {
			*ret_takes_arg = *ret_takes_arg && arg[2] == '\0';
			return true;
		}
	}
	return false;
}
