/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli: what operators and reporters run.  A table of subcommands,
 * each in its own cmd_*.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "fsutil.h"
#include "log.h"

struct command {
	const char *name;
	int (*run)(const struct cli *cli, int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "list", cmd_list, "[--json] [FILTERS]  the crashes, newest last" },
	{ "info", cmd_info, "ID [--json]         everything about one crash" },
	{ "core", cmd_core, "ID [-o FILE]        its core, decompressed" },
	{ "gdb", cmd_gdb, "ID [-- ARGS]        debug its core with gdb" },
	{ "rm", cmd_rm, "ID... | --older-than D  remove dumps" },
	{ "stats", cmd_stats,
	    "[--json] [FILTERS] crashes per executable and signal" },
	{ "status", cmd_status,
	    "                 hook, daemon, spool, counters" },
	{ "install", cmd_install,
	    "[--force]       register the hook in core_pattern" },
	{ "uninstall", cmd_uninstall,
	    "               put the previous core_pattern back" },
	{ "deliveries", cmd_deliveries,
	    "[retry|drop ...]  pending and dead mail/webhook deliveries" },
	{ "check-config", cmd_check_config, "[FILE]   validate a config file" },
	{ "counters", cmd_counters,
	    "               the hook's counters, \"name value\" lines" },
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: crashd-cli [-c FILE] COMMAND [ARGS]\n\n"
	    "Commands (crashd-cli COMMAND --help for each):\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(
		    f, "  %-12s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	    "\nID: a dump's name, a unique prefix of it, a PID, or \"last\".\n"
	    "FILTERS: --since TIME --until TIME --exe GLOB --signal SIG --uid "
	    "UID\n"
	    "         --host GLOB -n N\n");
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

int
cli_find_dump(const struct dump_set *s, const char *id)
{
	struct buf err;
	int i;

	buf_init(&err, 0);
	i = dump_set_resolve(s, id, &err);
	if (i < 0) {
		log_error("%s", err.data ? err.data : "no such dump");
		if (s->hidden > 0)
			fprintf(stderr,
			    "(%zu dumps this user may not read are not "
			    "searched)\n",
			    s->hidden);
	}
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

bool
cli_color(void)
{
	const char *nc = getenv("NO_COLOR");

	return isatty(STDOUT_FILENO) && (nc == NULL || nc[0] == '\0');
}

bool
cli_wants_help(int argc, char **argv)
{
	return argc == 2 &&
	    (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0);
}

int
main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct cli cli = { NULL };
	int opt;

	log_open("crashd-cli", LOG_TARGET_STDERR, LOG_INFO);
	while ((opt = getopt_long(argc, argv, "+c:h", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cli.config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("crashd-cli %s\n", CRASHD_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 2;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			return commands[i].run(
			    &cli, argc - optind, argv + optind);
	log_error(
	    "unknown command \"%s\"; see crashd-cli --help", argv[optind]);
	return 2;
}
