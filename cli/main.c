/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli: what operators and reporters run.  A table of subcommands,
 * each in its own cmd_*.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"
#include "pager.h"
#include "term.h"

#define READ_OPTS                                                              \
	(CLI_OPTS_FILTER | CLI_OPT(CLI_OPT_LIMIT) | CLI_OPT(CLI_OPT_ONE) |     \
	    CLI_OPT(CLI_OPT_REVERSE))
#define LIST_OPTS                                                              \
	(READ_OPTS | CLI_OPT(CLI_OPT_JSON) | CLI_OPT(CLI_OPT_NO_LEGEND) |      \
	    CLI_OPT(CLI_OPT_NO_PAGER))

/*
 * The verbs, in the order --help lists them, with their options (args.c's
 * table) and operands.  coredumpctl's names are aliases of two rows.
 */
static const struct cli_verb verbs[] = {
	{ "list", cmd_list, "[MATCHES...]",
	    "The crashes, newest last (coredumpctl list).",
	    LIST_OPTS | CLI_OPT(CLI_OPT_FIELD), 0, -1, NULL },
	{ "info", cmd_info, "ID | MATCHES...",
	    "Everything about one crash (or each one matched).",
	    LIST_OPTS | CLI_OPT(CLI_OPT_ENVIRON), 0, -1, NULL },
	{ "core", cmd_core, "ID | MATCHES...",
	    "Its core, decompressed (the newest matched).",
	    READ_OPTS | CLI_OPT(CLI_OPT_OUTPUT), 0, -1, "dump" },
	{ "gdb", cmd_gdb, "ID | MATCHES... [-- ARGS...]",
	    "Debug its core with gdb (the newest matched).",
	    READ_OPTS | CLI_OPT(CLI_OPT_DEBUGGER) |
		CLI_OPT(CLI_OPT_DEBUGGER_ARGS),
	    0, -1, "debug" },
	{ "rm", cmd_rm, "ID... | --older-than DURATION", "Remove dumps.",
	    CLI_OPT(CLI_OPT_OLDER_THAN) | CLI_OPT(CLI_OPT_DIRECTORY), 0, -1,
	    NULL },
	{ "stats", cmd_stats, "[MATCHES...]",
	    "Crashes per executable and signal.", LIST_OPTS, 0, -1, NULL },
	{ "status", cmd_status, "", "Hook, daemon, spool, counters.",
	    CLI_OPT(CLI_OPT_HOOK) | CLI_OPT(CLI_OPT_DIRECTORY), 0, 0, NULL },
	{ "install", cmd_install, "",
	    "Register the hook in core_pattern (--force: over another's).",
	    CLI_OPT(CLI_OPT_FORCE) | CLI_OPT(CLI_OPT_HOOK), 0, 0, NULL },
	{ "uninstall", cmd_uninstall, "",
	    "Put back the core_pattern that install replaced.", 0, 0, 0, NULL },
	{ "deliveries", cmd_deliveries, "[retry QID...|--dead] | [drop QID...]",
	    "Pending and dead mail/webhook deliveries; retry or drop them.",
	    CLI_OPT(CLI_OPT_ALL) | CLI_OPT(CLI_OPT_JSON) |
		CLI_OPT(CLI_OPT_DEAD) | CLI_OPT(CLI_OPT_DIRECTORY),
	    0, -1, NULL },
	{ "check-config", cmd_check_config, "[FILE]", "Validate a config file.",
	    0, 0, 1, NULL },
	{ "counters", cmd_counters, "",
	    "The hook's counters, \"name value\" lines.",
	    CLI_OPT(CLI_OPT_NOT_STORED) | CLI_OPT(CLI_OPT_DIRECTORY), 0, 0,
	    NULL },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: crashd-cli [-c FILE] COMMAND [OPTIONS] [ARGS]\n\n"
	    "Commands (crashd-cli COMMAND --help for each):\n");
	for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		fprintf(f, "  %-12s %s%s%s\n", verbs[i].name, verbs[i].summary,
		    verbs[i].alias ? " Also: " : "",
		    verbs[i].alias ? verbs[i].alias : "");
	fprintf(f,
	    "\nID: a dump's name, a unique prefix of it, a PID, or \"last\".\n"
	    "MATCHES (as coredumpctl's): PID, COMM, /EXE/PATH, FIELD=VALUE.\n"
	    "The verbs' options (-1 -r -S -U -n -q -F -D --json=MODE "
	    "--no-legend\n"
	    "--no-pager ...) may also come before COMMAND; with options only, "
	    "COMMAND\nis list.\n");
	fprintf(f,
	    "\nOptions:\n"
	    "  -c, --config FILE  read FILE instead of " CONFIG_DEFAULT_PATH
	    "\n"
	    "  -h, --help         show this help\n"
	    "      --version      show the version\n");
}

int
cli_load_config(const struct cli *cli, struct config *ret)
{
	const char *path =
	    cli->config_path ? cli->config_path : CONFIG_DEFAULT_PATH;
	struct buf errors;
	int r;

	buf_init(&errors, 0);
	r = config_load(path, ret, &errors);
	if (r == -ENOENT && cli->config_path == NULL) {
		/* No config file: the programs run on built-in defaults. */
		r = config_defaults(ret);
	} else if (r < 0) {
		fputs(errors.data ? errors.data : "", stderr);
	}
	buf_done(&errors);
	return r;
}

int
cli_load_dumps(const struct config *c, const struct spool *sp,
    const struct dump_filter *f, struct dump_set *s)
{
	int r;

	*s = (struct dump_set){ NULL, 0, 0 };
	r = dump_set_load(sp->dirfd, f, s);
	if (r < 0)
		log_error_errno(r, "read spool %s: %m", c->spool);
	return r;
}

/* What was not found, and the dumps that were not searched. */
static void
say_not_found(const struct dump_set *s, const char *what)
{
	log_error("%s", what);
	if (s->hidden > 0)
		fprintf(stderr,
		    "(%zu dumps this user may not read are not searched)\n",
		    s->hidden);
}

int
cli_find_dump(const struct dump_set *s, const char *id)
{
	struct buf err;
	int i;

	buf_init(&err, 0);
	i = dump_set_resolve(s, id, &err);
	if (i < 0)
		say_not_found(s, err.data ? err.data : "no such dump");
	buf_done(&err);
	return i;
}

int
cli_open_spool(
    const struct cli *cli, struct config *ret_config, struct spool *ret_spool)
{
	int r;

	if (cli_load_config(cli, ret_config) < 0)
		return -EINVAL;
	if (cli->spool_dir) {
		char *dir = strdup(cli->spool_dir);

		if (dir == NULL) {
			config_done(ret_config);
			return -ENOMEM;
		}
		free(ret_config->spool);
		ret_config->spool = dir;
	}
	r = spool_open(ret_config->spool, false, ret_spool);
	if (r == -EPERM) {
		struct buf why;

		buf_init(&why, 0);
		(void)fsutil_check_root_path(ret_config->spool, &why);
		log_error("open spool %s: %s", ret_config->spool,
		    why.data ? why.data : strerror(-r));
		buf_done(&why);
	} else if (r < 0) {
		log_error_errno(r, "open spool %s: %m", ret_config->spool);
	}
	if (r < 0)
		config_done(ret_config);
	return r;
}

/* Keeps only s->v[i] in s. */
static void
keep_only(struct dump_set *s, size_t i)
{
	for (size_t j = 0; j < s->n; j++)
		if (j != i)
			dump_free(s->v[j].d);
	s->v[0] = s->v[i];
	s->n = 1;
}

int
cli_select(struct cli *cli, struct cli_args *a, struct config *c,
    struct spool *sp, struct dump_set *s, size_t *ret_from)
{
	const char *op = a->n_operands == 1 ? a->operands[0] : NULL;
	struct buf err;
	int r, i = -ENOENT;

	*s = (struct dump_set){ NULL, 0, 0 };
	if (cli_open_spool(cli, c, sp) < 0)
		return -EINVAL;
	r = cli_load_dumps(c, sp, &a->filter, s);
	if (r < 0)
		goto out;
	buf_init(&err, 0);
	if (op && strchr(op, '=') == NULL) {
		i = dump_set_resolve(s, op, &err);
		if (i >= 0)
			keep_only(s, (size_t)i);
	}
	if (i == -ENOENT && a->n_operands > 0) {
		/* Not an ID: coredumpctl's matches. */
		dump_set_done(s);
		a->filter.matches = a->operands;
		a->filter.n_matches = (size_t)a->n_operands;
		r = cli_load_dumps(c, sp, &a->filter, s);
		if (r >= 0 && s->n == 0) {
			if (err.data == NULL)
				buf_puts(&err, "no dump matches");
			r = -ENOENT;
		}
	} else if (i == -EEXIST) {
		r = i;
	} else if (a->n_operands == 0 && s->n == 0) {
		buf_puts(&err, "there is no dump");
		r = -ENOENT;
	}
	if (r < 0 && err.data)
		say_not_found(s, err.data);
	buf_done(&err);
	if (r < 0)
		goto out;
	*ret_from = a->limit > 0 && s->n > (size_t)a->limit
	    ? s->n - (size_t)a->limit
	    : 0;
	r = 0;
out:
	/* Done: the caller's now; failed: nothing is left to it. */
	if (r < 0) {
		dump_set_done(s);
		spool_done(sp);
		config_done(c);
	}
	return r;
}

/*
 * Moves the verbs' options found before the verb to just after it
 * ("crashd-cli -1 -r list" as coredumpctl reads it) in argv[optind..],
 * returning the verb's index in argv, or argc when there is none.
 */
static int
find_verb(int argc, char **argv, int first)
{
	int v = first, n;
	bool takes;

	while (v < argc && argv[v][0] == '-' && argv[v][1] != '\0' &&
	    strcmp(argv[v], "--") != 0 &&
	    cli_args_is_verb_option(argv[v], &takes))
		v += takes && v + 1 < argc ? 2 : 1;
	if (v == first)
		return v;
	n = v - first;
	if (v < argc) {
		/* Rotate: the verb first, then the options it was given. */
		char *verb = argv[v];

		memmove(
		    argv + first + 1, argv + first, (size_t)n * sizeof(*argv));
		argv[first] = verb;
		return first;
	}
	return argc;
}

int
main(int argc, char **argv)
{
	static char list_name[] = "list";
	struct cli cli = { NULL, NULL, NULL };
	char **args = NULL;
	int i, v, r = 2;

	log_open("crashd-cli", LOG_TARGET_STDERR, LOG_INFO);
	term_init();
	/* crashd-cli's own options; the verbs' come after, or find_verb(). */
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("crashd-cli %s\n", CRASHD_VERSION);
			return 0;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (i + 1 == argc) {
				usage(stderr);
				return 2;
			}
			cli.config_path = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			cli.config_path = a + 9;
		} else if (strncmp(a, "-c", 2) == 0) {
			cli.config_path = a + 2;
		} else if (a[0] == '-' && a[1] != '\0' &&
		    !cli_args_is_verb_option(a, &(bool){ false })) {
			usage(stderr);
			return 2;
		} else {
			break;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	v = find_verb(argc, argv, i);
	if (v == argc) {
		/* Options only: coredumpctl's default verb, list. */
		args = calloc((size_t)(argc - i) + 2, sizeof(*args));
		if (args == NULL)
			return 1;
		args[0] = list_name;
		memcpy(args + 1, argv + i, (size_t)(argc - i) * sizeof(*args));
		argc = argc - i + 1;
		argv = args;
		v = 0;
	}
	for (size_t k = 0; k < sizeof(verbs) / sizeof(verbs[0]); k++)
		if (strcmp(argv[v], verbs[k].name) == 0 ||
		    (verbs[k].alias && strcmp(argv[v], verbs[k].alias) == 0)) {
			cli.verb = &verbs[k];
			r = verbs[k].run(&cli, argc - v, argv + v);
			pager_close();
			free(args);
			return r;
		}
	log_error("unknown command \"%s\"; see crashd-cli --help", argv[v]);
	free(args);
	return 2;
}
