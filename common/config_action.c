/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_action.c owns crashd.conf's actions list: each action's name and
 * type, read first since the type decides which keys apply, its keys from
 * config_action_keys[], then the checks of its kind (config_<kind>.c).
 */
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_key.h"

/* Each kind's checks across its keys; NULL: its keys' own suffice. */
static void (*const kind_checks[_ACTION_TYPE_MAX])(struct config_loader *l,
    const config_setting_t *g, const struct action_config *a) = {
	[ACTION_EXEC] = config_exec_check,
	[ACTION_MAIL] = config_mail_check,
	[ACTION_WEBHOOK] = config_webhook_check,
	[ACTION_METRICS] = config_metrics_check,
};

static bool
valid_action_name(const char *s)
{
	if (*s == '\0' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
			(*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

const config_setting_t *
config_member_or(const config_setting_t *g, const char *k)
{
	const config_setting_t *s = config_setting_get_member(g, k);

	return s ? s : g;
}

/* Sets a (zeroed) to the defaults of every action key. */
static int
action_defaults(struct action_config *a)
{
	for (size_t i = 0; i < config_n_action_keys; i++) {
		int r = config_key_default(&config_action_keys[i], a);

		if (r < 0)
			return r;
	}
	return 0;
}

void
config_action_done(struct action_config *a)
{
	if (a == NULL)
		return;
	for (size_t i = 0; i < config_n_action_keys; i++)
		config_key_free(&config_action_keys[i], a);
}

/* Reads one action's group g into a, whose defaults are set. */
static void
load_action(struct config_loader *l, const config_setting_t *g,
    struct action_config *a, const struct config *c)
{
	const config_setting_t *type;

	if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
		config_problem(
		    l, g, "actions", "expected { name = ...; type = ...; }");
		return;
	}
	/* The type decides which keys apply: read it first. */
	type = config_setting_get_member(g, "type");
	if (type == NULL) {
		config_problem(l, g, "actions.type",
		    "missing: one of log, exec, delete, mail, webhook, "
		    "metrics");
		return;
	}
	config_apply(l, type,
	    config_key_lookup(
		config_action_keys, config_n_action_keys, "actions.type"),
	    a);
	if (a->type >= _ACTION_TYPE_MAX)
		return;
	config_walk(
	    l, g, "actions", config_action_keys, config_n_action_keys, a, a);
	if (a->name == NULL || !valid_action_name(a->name)) {
		config_problem(l, g, "actions.name",
		    "each action needs a name of letters, digits, '-' "
		    "and '_'");
		return;
	}
	for (size_t j = 0; j + 1 < c->n_actions; j++)
		if (c->actions[j].name &&
		    strcmp(c->actions[j].name, a->name) == 0)
			config_problem(l, g, "actions.name",
			    "\"%s\" is used twice", a->name);
	if (kind_checks[a->type])
		kind_checks[a->type](l, g, a);
}

/* actions = ( { name = ...; type = ...; ... }, ... ); */
void
config_load_actions(
    struct config_loader *l, const config_setting_t *root, struct config *c)
{
	const config_setting_t *list =
	    config_setting_get_member(root, "actions");
	int n;

	if (list == NULL)
		return;
	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		config_problem(l, list, "actions",
		    "expected a list of actions: ( { ... }, { ... } )");
		return;
	}
	n = config_setting_length(list);
	c->actions = calloc((size_t)n + 1, sizeof(*c->actions));
	if (c->actions == NULL) {
		config_problem(l, list, "actions", "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		config_setting_t *g =
		    config_setting_get_elem(list, (unsigned)i);
		struct action_config *a = &c->actions[c->n_actions];

		c->n_actions++;
		if (action_defaults(a) < 0) {
			config_problem(l, g, "actions", "out of memory");
			continue;
		}
		load_action(l, g, a, c);
	}
}
