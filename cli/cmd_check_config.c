/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli check-config [FILE]: the same loader the hook and daemon
 * use; prints every problem as file:line: key: problem.
 */
#include <stdio.h>

#include "cli.h"
#include "config.h"

int
cmd_check_config(const struct cli *cli, int argc, char **argv)
{
	struct cli one = *cli;
	struct config c;

	if (argc > 2 || cli_wants_help(argc, argv)) {
		fprintf(argc > 2 ? stderr : stdout,
		    "Usage: crashd-cli check-config [FILE]\n");
		return argc > 2 ? 2 : 0;
	}
	if (argc == 2)
		one.config_path = argv[1];
	if (one.config_path == NULL)
		one.config_path = CONFIG_DEFAULT_PATH;
	if (cli_load_config(&one, &c) < 0)
		return 1;
	printf("%s: configuration OK\n", one.config_path);
	config_done(&c);
	return 0;
}
