/*
 * crashd-cli's shared context and the subcommands' entry points.
 */
#ifndef CRASHD_CLI_H
#define CRASHD_CLI_H

#include <stdbool.h>

struct cli {
	const char *config_path; /* -c, or NULL for the default */
};

/* Each returns the process exit code: 0 ok, 1 failure, 2 usage. */
int cmd_check_config(const struct cli *cli, int argc, char **argv);
int cmd_counters(const struct cli *cli, int argc, char **argv);

/* Loads the config named by -c (or the default). Logs why on failure. */
struct config;
int cli_load_config(const struct cli *cli, struct config *ret);

#endif
