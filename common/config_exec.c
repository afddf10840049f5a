/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_exec.c owns what crashd.conf must say for an exec action: the
 * program to run (KEY_ARGV already makes its first word absolute).
 */
#include <libconfig.h>

#include "config.h"
#include "config_key.h"

void
config_exec_check(struct config_loader *l, const config_setting_t *g,
    const struct action_config *a)
{
	if (a->command == NULL)
		config_problem(l, g, "actions.command",
		    "an exec action needs command = [ "
		    "\"/path/to/program\", ... ]");
}
