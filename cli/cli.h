/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli's shared context and the subcommands' entry points.
 */
#ifndef CRASHD_CLI_H
#define CRASHD_CLI_H

#include <stdbool.h>

#include "config.h"
#include "dumps.h"
#include "spool.h"

struct cli {
	const char *config_path; /* -c, or NULL for the default */
};

/*
 * Each subcommand gets its own argv (argv[0] is its name) and returns the
 * exit code: 0 ok, 1 failure, 2 usage.
 */
int cmd_check_config(const struct cli *cli, int argc, char **argv);
int cmd_core(const struct cli *cli, int argc, char **argv);
int cmd_counters(const struct cli *cli, int argc, char **argv);
int cmd_deliveries(const struct cli *cli, int argc, char **argv);
int cmd_gdb(const struct cli *cli, int argc, char **argv);
int cmd_info(const struct cli *cli, int argc, char **argv);
int cmd_install(const struct cli *cli, int argc, char **argv);
int cmd_list(const struct cli *cli, int argc, char **argv);
int cmd_rm(const struct cli *cli, int argc, char **argv);
int cmd_stats(const struct cli *cli, int argc, char **argv);
int cmd_status(const struct cli *cli, int argc, char **argv);
int cmd_uninstall(const struct cli *cli, int argc, char **argv);

/* Loads the config named by -c (or the default). Prints why on failure. */
int cli_load_config(const struct cli *cli, struct config *ret);

/* Loads the config and opens its spool to read. Prints why on failure. */
int cli_open_spool(
    const struct cli *cli, struct config *ret_config, struct spool *ret_spool);

/*
 * The dumps of sp (c's spool) that f selects, into s (empty on failure,
 * so that dump_set_done() is always right).  Says why not.  0 or -errno.
 */
int cli_load_dumps(const struct config *c, const struct spool *sp,
    const struct dump_filter *f, struct dump_set *s);

/*
 * The index in s of the one dump id names (dump_set_resolve()), or
 * -errno having said why: no such dump, several (listed), and how many
 * this user may not read were not searched.
 */
int cli_find_dump(const struct dump_set *s, const char *id);

/* True when stdout is a terminal and NO_COLOR is not set. */
bool cli_color(void);

/* True for "VERB --help" and "VERB -h", for verbs without getopt. */
bool cli_wants_help(int argc, char **argv);

#endif
