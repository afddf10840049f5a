/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_metrics.c owns what crashd.conf must say for a metrics action:
 * the .prom file node_exporter's textfile collector reads.
 */
#include <libconfig.h>
#include <string.h>

#include "config.h"
#include "config_key.h"

/* node_exporter's textfile collector reads *.prom files only. */
void
config_metrics_check(struct config_loader *l, const config_setting_t *g,
    const struct action_config *a)
{
	size_t n = a->path ? strlen(a->path) : 0;

	if (a->path == NULL) {
		/* (A path given but refused has had its error.) */
		if (config_setting_get_member(g, "path") == NULL)
			config_problem(l, g, "actions.path",
			    "a metrics action needs path = "
			    "\"/var/lib/prometheus/node-exporter/"
			    "crashd.prom\"");
	} else if (n < 6 || strcmp(a->path + n - 5, ".prom") != 0 ||
	    a->path[n - 6] == '/')
		config_problem(l, config_member_or(g, "path"), "actions.path",
		    "\"%s\": expected a file name ending in .prom (what "
		    "node_exporter's textfile collector reads)",
		    a->path);
}
