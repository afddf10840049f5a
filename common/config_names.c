/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_names.c owns the names crashd.conf gives config.h's enums, and
 * the lists a key falls back to when it is not set.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "config_key.h"

const char *const config_core_mode_names[_CORE_MODE_MAX] = {
	[CORE_MODE_NONE] = "none",
	[CORE_MODE_MINI] = "mini",
	[CORE_MODE_TRUNCATE] = "truncate",
	[CORE_MODE_FULL] = "full",
};

const char *const config_action_type_names[_ACTION_TYPE_MAX] = {
	[ACTION_LOG] = "log",
	[ACTION_EXEC] = "exec",
	[ACTION_DELETE] = "delete",
	[ACTION_MAIL] = "mail",
	[ACTION_WEBHOOK] = "webhook",
	[ACTION_METRICS] = "metrics",
	[ACTION_JOURNAL] = "journal",
};

const char *const config_dedupe_field_names[_DEDUPE_FIELD_MAX] = {
	[DEDUPE_EXECUTABLE] = "executable",
	[DEDUPE_SIGNAL] = "signal",
	[DEDUPE_UID] = "uid",
	[DEDUPE_CONTAINER] = "container",
	[DEDUPE_HOSTNAME] = "hostname",
	[DEDUPE_SIGNATURE] = "signature",
};

const char *const config_delete_what_names[_DELETE_WHAT_MAX] = {
	[DELETE_DUMP] = "dump",
	[DELETE_CORE] = "core",
};

const char *const config_starttls_names[_STARTTLS_MAX] = {
	[STARTTLS_TRY] = "try",
	[STARTTLS_REQUIRED] = "required",
	[STARTTLS_OFF] = "off",
};

const char *const config_webhook_format_names[_WEBHOOK_FORMAT_MAX] = {
	[WEBHOOK_JSON] = "json",
	[WEBHOOK_SLACK] = "slack",
	[WEBHOOK_ALERTMANAGER] = "alertmanager",
};

const char *const config_default_redact[] = {
	"*TOKEN*",
	"*SECRET*",
	"*PASSWORD*",
	"*PASSWD*",
	"*KEY*",
	"*CREDENTIAL*",
	"*AUTH*",
	NULL,
};

const char *
core_mode_to_string(enum core_mode m)
{
	return (unsigned)m < _CORE_MODE_MAX ? config_core_mode_names[m] : NULL;
}

int
core_mode_from_string(const char *s)
{
	for (int i = 0; i < _CORE_MODE_MAX; i++)
		if (strcmp(s, config_core_mode_names[i]) == 0)
			return i;
	return -EINVAL;
}

const char *
action_type_to_string(enum action_type t)
{
	return (unsigned)t < _ACTION_TYPE_MAX ? config_action_type_names[t]
					      : NULL;
}

const char *
dedupe_field_to_string(enum dedupe_field f)
{
	return (unsigned)f < _DEDUPE_FIELD_MAX ? config_dedupe_field_names[f]
					       : NULL;
}

const char *
webhook_format_to_string(enum webhook_format f)
{
	return (unsigned)f < _WEBHOOK_FORMAT_MAX
	    ? config_webhook_format_names[f]
	    : NULL;
}

bool
action_type_notifies(enum action_type t)
{
	return t == ACTION_EXEC || t == ACTION_MAIL || t == ACTION_WEBHOOK;
}

const char *const config_koops_marker_names[_KOOPS_MARKER_MAX] = {
	[KOOPS_OOPS] = "oops",
	[KOOPS_BUG] = "bug",
	[KOOPS_WARNING] = "warning",
	[KOOPS_PANIC] = "panic",
	[KOOPS_LOCKUP] = "lockup",
	[KOOPS_HUNG_TASK] = "hung_task",
	[KOOPS_MCE] = "mce",
	[KOOPS_OOM] = "oom",
};
