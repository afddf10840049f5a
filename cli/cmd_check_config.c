/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli check-config [FILE]: the same loader the hook and daemon
 * use; prints every problem as file:line: key: problem.
 */
#include <stdio.h>

#include "cli.h"
#include "config.h"

int
cmd_check_config(struct cli *cli, int argc, char **argv)
{
	struct cli one = *cli;
	struct cli_args a;
	struct config c;
	int r;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	if (a.n_operands == 1)
		one.config_path = a.operands[0];
	if (one.config_path == NULL)
		one.config_path = CONFIG_DEFAULT_PATH;
	if (cli_load_config(&one, &c) < 0)
		return 1;
	printf("%s: configuration OK\n", one.config_path);
	config_done(&c);
	return 0;
}
