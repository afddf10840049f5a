/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * redact.c owns the rule for hiding secrets of a crashed environment.
 * See redact.h.
 */
#include "redact.h"

#include <fnmatch.h>

char *const *
redact_globs(const struct action_config *ac)
{
	return ac->redact ? ac->redact : (char *const *)config_default_redact;
}

bool
redact_hides(const struct action_config *ac, const char *name)
{
	for (char *const *g = redact_globs(ac); *g; g++)
		if (fnmatch(*g, name, FNM_CASEFOLD) == 0)
			return true;
	return false;
}
