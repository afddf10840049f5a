/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Which environment variables an action shows only by name: its redact
 * globs, or config_default_redact when it has none (mail, journal).
 */
#ifndef CRASHD_REDACT_H
#define CRASHD_REDACT_H

#include <stdbool.h>

#include "config.h"

/* The globs in force for ac: NULL-terminated, never NULL. */
char *const *redact_globs(const struct action_config *ac);

/* True when the variable called name is to be hidden (case-insensitive). */
bool redact_hides(const struct action_config *ac, const char *name);

#endif
