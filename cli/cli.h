/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli's shared context and the subcommands' entry points.
 */
#ifndef CRASHD_CLI_H
#define CRASHD_CLI_H

#include <stdbool.h>

#include "args.h"
#include "config.h"
#include "dumps.h"
#include "spool.h"

struct cli {
	const char *config_path; /* -c, or NULL for the default */
	const char *spool_dir; /* -D, or NULL for the config's */
	const struct cli_verb *verb; /* the verb running */
};

/*
 * Each subcommand gets its own argv (argv[0] is its name) and returns the
 * exit code: 0 ok, 1 failure, 2 usage.  Its options are cli->verb's
 * (main.c's table), parsed by cli_args_parse().
 */
int cmd_check_config(struct cli *cli, int argc, char **argv);
int cmd_core(struct cli *cli, int argc, char **argv);
int cmd_counters(struct cli *cli, int argc, char **argv);
int cmd_deliveries(struct cli *cli, int argc, char **argv);
int cmd_gdb(struct cli *cli, int argc, char **argv);
int cmd_info(struct cli *cli, int argc, char **argv);
int cmd_install(struct cli *cli, int argc, char **argv);
int cmd_list(struct cli *cli, int argc, char **argv);
int cmd_rm(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_uninstall(struct cli *cli, int argc, char **argv);

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

/*
 * The dumps info, core and gdb are about, by their options and operands:
 * one operand is an ID first (dump_set_resolve(): a name, a unique
 * prefix, a PID, "last"), else a match; several, or FIELD=VALUE, are
 * matches (the filter's); none, every dump the options select.  Opens
 * the spool into *c and *sp, loads *s and sets [*ret_from, s->n) to
 * the dumps meant, oldest first (-n N keeps the newest N).  Returns 0,
 * or -errno having said why (then nothing is left to free).
 */
int cli_select(struct cli *cli, struct cli_args *a, struct config *c,
    struct spool *sp, struct dump_set *s, size_t *ret_from);

#endif
