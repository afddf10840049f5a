/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.c owns crashd.conf: the table of every key with its type, bounds
 * and default, loading a file into a fresh struct config, and reporting
 * every problem as "file:line: key: problem".
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_raw.h"
#include "dump.h"
#include "escape.h"
#include "fsutil.h"
#include "mail_address.h"
#include "signame.h"

static const char *const core_mode_names[_CORE_MODE_MAX] = {
	[CORE_MODE_NONE] = "none",
	[CORE_MODE_MINI] = "mini",
	[CORE_MODE_TRUNCATE] = "truncate",
	[CORE_MODE_FULL] = "full",
};

static const char *const action_type_names[_ACTION_TYPE_MAX] = {
	[ACTION_LOG] = "log",
	[ACTION_EXEC] = "exec",
	[ACTION_DELETE] = "delete",
	[ACTION_MAIL] = "mail",
	[ACTION_WEBHOOK] = "webhook",
	[ACTION_METRICS] = "metrics",
	[ACTION_JOURNAL] = "journal",
};

static const char *const dedupe_field_names[_DEDUPE_FIELD_MAX] = {
	[DEDUPE_EXECUTABLE] = "executable",
	[DEDUPE_SIGNAL] = "signal",
	[DEDUPE_UID] = "uid",
	[DEDUPE_CONTAINER] = "container",
	[DEDUPE_HOSTNAME] = "hostname",
	[DEDUPE_SIGNATURE] = "signature",
};

static const char *const delete_what_names[_DELETE_WHAT_MAX] = {
	[DELETE_DUMP] = "dump",
	[DELETE_CORE] = "core",
};

static const char *const starttls_names[_STARTTLS_MAX] = {
	[STARTTLS_TRY] = "try",
	[STARTTLS_REQUIRED] = "required",
	[STARTTLS_OFF] = "off",
};

static const char *const webhook_format_names[_WEBHOOK_FORMAT_MAX] = {
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
	if ((unsigned)m >= _CORE_MODE_MAX)
		return NULL;
	return core_mode_names[m];
}

int
core_mode_from_string(const char *s)
{
	for (int i = 0; i < _CORE_MODE_MAX; i++)
		if (strcmp(s, core_mode_names[i]) == 0)
			return i;
	return -EINVAL;
}

const char *
action_type_to_string(enum action_type t)
{
	return (unsigned)t < _ACTION_TYPE_MAX ? action_type_names[t] : NULL;
}

const char *
dedupe_field_to_string(enum dedupe_field f)
{
	return (unsigned)f < _DEDUPE_FIELD_MAX ? dedupe_field_names[f] : NULL;
}

const char *
webhook_format_to_string(enum webhook_format f)
{
	return (unsigned)f < _WEBHOOK_FORMAT_MAX ? webhook_format_names[f]
						 : NULL;
}

bool
action_type_notifies(enum action_type t)
{
	return t == ACTION_EXEC || t == ACTION_MAIL || t == ACTION_WEBHOOK;
}

enum key_type {
	KEY_STRING, /* char *; an absolute path when min == 1 */
	KEY_INT, /* int, within [min, max] */
	KEY_UINT, /* unsigned, within [min, max] */
	KEY_BOOL, /* bool */
	KEY_TRISTATE, /* int: a bool, -1 when absent */
	KEY_SIZE, /* uint64_t bytes: "64M" or an integer */
	KEY_DURATION, /* uint64_t milliseconds: "10m" or integer seconds */
	KEY_RATE, /* struct rate: "5/10m", a count of at least min */
	KEY_GLOBS, /* char ** (NULL-terminated): [ "*.sh", ... ] */
	KEY_ARGV, /* char ** (NULL-terminated): [ "/bin/cmd", "arg" ] */
	KEY_STRINGS, /* char ** (NULL-terminated): [ "a", "b" ], none empty */
	KEY_ENUM, /* int, one of names[] */
	KEY_ENUM_SET, /* unsigned bit mask of names[]; min 1: "name" alone too
		       */
	KEY_SIGNALS, /* int * + size_t count: [ "SEGV", 6 ] */
	KEY_UIDS, /* unsigned * + size_t count: [ 0, 1000 ] */
};

struct config_key {
	const char *path;
	enum key_type type;
	size_t offset; /* into struct config, or struct action_config */
	long long min, max;
	const char *const *names;
	int n_names;
	unsigned types; /* action keys: the action types they apply to */
	size_t count_offset; /* KEY_SIGNALS, KEY_UIDS: where the count goes */
};

#define HOOK(field)                                                            \
	(offsetof(struct config, hook) + offsetof(struct hook_config, field))
#define DAEMON(field)                                                          \
	(offsetof(struct config, daemon) +                                     \
	    offsetof(struct daemon_config, field))
#define ACT(field) offsetof(struct action_config, field)
#define MATCH(field)                                                           \
	(offsetof(struct action_config, match) +                               \
	    offsetof(struct action_match, field))
#define NAMES(a) a, (int)(sizeof(a) / sizeof(a[0]))
#define ALL_TYPES ((1u << _ACTION_TYPE_MAX) - 1)
#define TYPE(t) (1u << (t))

/* Sections that may hold keys; anything else is an unknown section. */
static const char *const config_sections[] = {
	"hook",
	"hook.core",
	"hook.limits",
	"hook.items",
	"daemon",
	"daemon.dedupe",
	"daemon.notify",
	"daemon.retention",
	"daemon.delivery",
	"daemon.backtrace",
	"actions.match",
};

static const struct config_key config_keys[] = {
	{ "spool", KEY_STRING, offsetof(struct config, spool), 1, 0, NULL, 0, 0,
	    0 },
	{ "hook.core.mode", KEY_ENUM, HOOK(core_mode), 0, 0,
	    NAMES(core_mode_names), 0, 0 },
	{ "hook.core.max_size", KEY_SIZE, HOOK(core_max_size), 0, 0, NULL, 0, 0,
	    0 },
	{ "hook.core.level", KEY_INT, HOOK(core_level), 0, 9, NULL, 0, 0, 0 },
	{ "hook.core.honour_rlimit", KEY_BOOL, HOOK(core_honour_rlimit), 0, 0,
	    NULL, 0, 0, 0 },
	{ "hook.ignore", KEY_GLOBS, HOOK(ignore), 0, 0, NULL, 0, 0, 0 },
	{ "hook.limits.per_executable", KEY_RATE, HOOK(per_executable), 1, 0,
	    NULL, 0, 0, 0 },
	{ "hook.limits.global", KEY_RATE, HOOK(global), 1, 0, NULL, 0, 0, 0 },
	{ "hook.limits.cores_per_executable", KEY_RATE,
	    HOOK(cores_per_executable), 0, 0, NULL, 0, 0, 0 },
	{ "hook.limits.cores_global", KEY_RATE, HOOK(cores_global), 0, 0, NULL,
	    0, 0, 0 },
	{ "hook.limits.spool_max", KEY_SIZE, HOOK(spool_max), 0, 0, NULL, 0, 0,
	    0 },
	{ "hook.limits.keep_free", KEY_SIZE, HOOK(keep_free), 0, 0, NULL, 0, 0,
	    0 },
	{ "hook.time_budget", KEY_DURATION, HOOK(time_budget_ms), 100,
	    3600 * 1000, NULL, 0, 0, 0 },
	{ "hook.sync", KEY_BOOL, HOOK(sync), 0, 0, NULL, 0, 0, 0 },
	{ "hook.core.gdb", KEY_BOOL, HOOK(core_gdb), 0, 0, NULL, 0, 0, 0 },
	{ "hook.items.max_size", KEY_SIZE, HOOK(item_max_size), 0,
	    CONFIG_ITEM_MAX, NULL, 0, 0, 0 },
	{ "hook.items.cmdline", KEY_SIZE, HOOK(item_cmdline), 0,
	    CONFIG_ITEM_MAX, NULL, 0, 0, 0 },
	{ "hook.items.environ", KEY_SIZE, HOOK(item_environ), 0,
	    CONFIG_ITEM_MAX, NULL, 0, 0, 0 },
	{ "hook.items.maps", KEY_SIZE, HOOK(item_maps), 0, CONFIG_ITEM_MAX,
	    NULL, 0, 0, 0 },
	{ "hook.items.ptree", KEY_SIZE, HOOK(item_ptree), 0, CONFIG_ITEM_MAX,
	    NULL, 0, 0, 0 },
	{ "hook.items.open_fds", KEY_SIZE, HOOK(item_open_fds), 0,
	    CONFIG_ITEM_MAX, NULL, 0, 0, 0 },
	{ "daemon.dedupe.key", KEY_ENUM_SET, DAEMON(dedupe_key), 0, 0,
	    NAMES(dedupe_field_names), 0, 0 },
	{ "daemon.dedupe.window", KEY_DURATION, DAEMON(dedupe_window_ms), 0, 0,
	    NULL, 0, 0, 0 },
	{ "daemon.dedupe.remove_duplicates", KEY_BOOL,
	    DAEMON(remove_duplicates), 0, 0, NULL, 0, 0, 0 },
	{ "daemon.dedupe.remove_duplicate_cores", KEY_BOOL,
	    DAEMON(remove_duplicate_cores), 0, 0, NULL, 0, 0, 0 },
	{ "daemon.reclaim_core_pattern", KEY_BOOL, DAEMON(reclaim_core_pattern),
	    0, 0, NULL, 0, 0, 0 },
	{ "daemon.notify.every", KEY_UINT, DAEMON(notify_every), 0, 1000000000,
	    NULL, 0, 0, 0 },
	{ "daemon.notify.regression_after", KEY_DURATION,
	    DAEMON(regression_after_ms), 0, 0, NULL, 0, 0, 0 },
	{ "daemon.notify.rate", KEY_RATE, DAEMON(notify_rate), 1, 0, NULL, 0, 0,
	    0 },
	{ "daemon.notify.global_rate", KEY_RATE, DAEMON(notify_global), 1, 0,
	    NULL, 0, 0, 0 },
	{ "daemon.notify.digest_after", KEY_DURATION, DAEMON(digest_after_ms),
	    1000, 0, NULL, 0, 0, 0 },
	{ "daemon.retention.max_age", KEY_DURATION, DAEMON(max_age_ms), 0, 0,
	    NULL, 0, 0, 0 },
	{ "daemon.retention.max_count", KEY_UINT, DAEMON(max_count), 0,
	    100000000, NULL, 0, 0, 0 },
	{ "daemon.retention.max_size", KEY_SIZE, DAEMON(max_size), 0, 0, NULL,
	    0, 0, 0 },
	{ "daemon.delivery.attempts", KEY_UINT, DAEMON(delivery_attempts), 1,
	    1000, NULL, 0, 0, 0 },
	{ "daemon.delivery.backoff", KEY_DURATION, DAEMON(delivery_backoff_ms),
	    1000, 24 * 3600 * 1000, NULL, 0, 0, 0 },
	{ "daemon.delivery.max_backoff", KEY_DURATION,
	    DAEMON(delivery_max_backoff_ms), 1000, 7 * 24 * 3600 * 1000LL, NULL,
	    0, 0, 0 },
	{ "daemon.delivery.parallel", KEY_UINT, DAEMON(delivery_parallel), 1,
	    64, NULL, 0, 0, 0 },
	{ "daemon.backtrace.debuginfod_urls", KEY_STRING,
	    DAEMON(debuginfod_urls), 0, 0, NULL, 0, 0, 0 },
	{ "daemon.backtrace.debuginfod_cache", KEY_STRING,
	    DAEMON(debuginfod_cache), 1, 0, NULL, 0, 0, 0 },
	{ "daemon.pid_file", KEY_STRING, DAEMON(pid_file), 1, 0, NULL, 0, 0,
	    0 },
};

static const struct config_key action_keys[] = {
	{ "actions.name", KEY_STRING, ACT(name), 0, 0, NULL, 0, ALL_TYPES, 0 },
	{ "actions.type", KEY_ENUM, ACT(type), 0, 0, NAMES(action_type_names),
	    ALL_TYPES, 0 },
	{ "actions.match.signal", KEY_SIGNALS, MATCH(signals), 0, 0, NULL, 0,
	    ALL_TYPES, MATCH(n_signals) },
	{ "actions.match.executable", KEY_GLOBS, MATCH(executables), 0, 0, NULL,
	    0, ALL_TYPES, 0 },
	{ "actions.match.uid", KEY_UIDS, MATCH(uids), 0, 0, NULL, 0, ALL_TYPES,
	    MATCH(n_uids) },
	{ "actions.match.hostname", KEY_GLOBS, MATCH(hostnames), 0, 0, NULL, 0,
	    ALL_TYPES, 0 },
	{ "actions.match.has_core", KEY_TRISTATE, MATCH(has_core), 0, 0, NULL,
	    0, ALL_TYPES, 0 },
	{ "actions.match.kind", KEY_ENUM_SET, MATCH(kinds), 1, 0,
	    NAMES(dump_kind_names), ALL_TYPES, 0 },
	{ "actions.command", KEY_ARGV, ACT(command), 0, 0, NULL, 0,
	    TYPE(ACTION_EXEC), 0 },
	{ "actions.timeout", KEY_DURATION, ACT(timeout_ms), 100,
	    24 * 3600 * 1000, NULL, 0,
	    TYPE(ACTION_EXEC) | TYPE(ACTION_MAIL) | TYPE(ACTION_WEBHOOK), 0 },
	{ "actions.what", KEY_ENUM, ACT(what), 0, 0, NAMES(delete_what_names),
	    TYPE(ACTION_DELETE), 0 },
	{ "actions.after", KEY_DURATION, ACT(after_ms), 0, 0, NULL, 0,
	    TYPE(ACTION_DELETE), 0 },
	{ "actions.to", KEY_STRINGS, ACT(to), 0, 0, NULL, 0, TYPE(ACTION_MAIL),
	    0 },
	{ "actions.from", KEY_STRING, ACT(from), 0, 0, NULL, 0,
	    TYPE(ACTION_MAIL), 0 },
	{ "actions.smtp", KEY_STRING, ACT(smtp), 0, 0, NULL, 0,
	    TYPE(ACTION_MAIL), 0 },
	{ "actions.sendmail", KEY_STRING, ACT(sendmail), 1, 0, NULL, 0,
	    TYPE(ACTION_MAIL), 0 },
	{ "actions.starttls", KEY_ENUM, ACT(starttls), 0, 0,
	    NAMES(starttls_names), TYPE(ACTION_MAIL), 0 },
	{ "actions.auth_file", KEY_STRING, ACT(auth_file), 1, 0, NULL, 0,
	    TYPE(ACTION_MAIL), 0 },
	{ "actions.subject", KEY_STRING, ACT(subject), 0, 0, NULL, 0,
	    TYPE(ACTION_MAIL), 0 },
	{ "actions.environ", KEY_BOOL, ACT(include_environ), 0, 0, NULL, 0,
	    TYPE(ACTION_MAIL) | TYPE(ACTION_JOURNAL), 0 },
	{ "actions.redact", KEY_GLOBS, ACT(redact), 0, 0, NULL, 0,
	    TYPE(ACTION_MAIL) | TYPE(ACTION_JOURNAL), 0 },
	{ "actions.attach_core", KEY_BOOL, ACT(attach_core), 0, 0, NULL, 0,
	    TYPE(ACTION_MAIL), 0 },
	/* The message is built in the daemon's memory: bounded. */
	{ "actions.attach_max", KEY_SIZE, ACT(attach_max), 0, 64LL << 20, NULL,
	    0, TYPE(ACTION_MAIL), 0 },
	{ "actions.url", KEY_STRING, ACT(url), 0, 0, NULL, 0,
	    TYPE(ACTION_WEBHOOK), 0 },
	{ "actions.format", KEY_ENUM, ACT(format), 0, 0,
	    NAMES(webhook_format_names), TYPE(ACTION_WEBHOOK), 0 },
	{ "actions.headers", KEY_STRINGS, ACT(headers), 0, 0, NULL, 0,
	    TYPE(ACTION_WEBHOOK), 0 },
	{ "actions.token_file", KEY_STRING, ACT(token_file), 1, 0, NULL, 0,
	    TYPE(ACTION_WEBHOOK), 0 },
	{ "actions.path", KEY_STRING, ACT(path), 1, 0, NULL, 0,
	    TYPE(ACTION_METRICS), 0 },
	{ "actions.max_series", KEY_UINT, ACT(max_series), 1, 100000, NULL, 0,
	    TYPE(ACTION_METRICS), 0 },
	{ "actions.tls_verify", KEY_BOOL, ACT(tls_verify), 0, 0, NULL, 0,
	    TYPE(ACTION_MAIL) | TYPE(ACTION_WEBHOOK), 0 },
	{ "actions.ca_file", KEY_STRING, ACT(ca_file), 1, 0, NULL, 0,
	    TYPE(ACTION_MAIL) | TYPE(ACTION_WEBHOOK), 0 },
	{ "actions.connect_timeout", KEY_DURATION, ACT(connect_timeout_ms), 100,
	    3600 * 1000, NULL, 0, TYPE(ACTION_MAIL) | TYPE(ACTION_WEBHOOK), 0 },
	/* daemon.delivery's, for one action (a webhook that should give up
	 * sooner than the mail). */
	{ "actions.attempts", KEY_UINT, ACT(attempts), 1, 1000, NULL, 0,
	    TYPE(ACTION_MAIL) | TYPE(ACTION_WEBHOOK), 0 },
	{ "actions.backoff", KEY_DURATION, ACT(backoff_ms), 1000,
	    24 * 3600 * 1000, NULL, 0, TYPE(ACTION_MAIL) | TYPE(ACTION_WEBHOOK),
	    0 },
	{ "actions.max_backoff", KEY_DURATION, ACT(max_backoff_ms), 1000,
	    7 * 24 * 3600 * 1000LL, NULL, 0,
	    TYPE(ACTION_MAIL) | TYPE(ACTION_WEBHOOK), 0 },
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))
#define N_ACTION_KEYS (sizeof(action_keys) / sizeof(action_keys[0]))
#define N_SECTIONS (sizeof(config_sections) / sizeof(config_sections[0]))

static void
strv_free(char **g)
{
	if (g == NULL)
		return;
	for (char **p = g; *p; p++)
		free(*p);
	free(g);
}

static void
action_config_done(struct action_config *a)
{
	free(a->name);
	free(a->match.signals);
	strv_free(a->match.executables);
	free(a->match.uids);
	strv_free(a->match.hostnames);
	strv_free(a->command);
	strv_free(a->to);
	free(a->from);
	free(a->smtp);
	free(a->sendmail);
	free(a->auth_file);
	free(a->subject);
	strv_free(a->redact);
	free(a->url);
	free(a->path);
	strv_free(a->headers);
	free(a->token_file);
	free(a->ca_file);
}

static void
action_config_defaults(struct action_config *a)
{
	memset(a, 0, sizeof(*a));
	a->type = _ACTION_TYPE_MAX; /* required */
	a->match.has_core = -1;
	a->timeout_ms = 30 * 1000;
	a->starttls = STARTTLS_TRY;
	a->attach_max = 10ULL << 20;
	a->format = WEBHOOK_JSON;
	a->tls_verify = true;
	a->connect_timeout_ms = 10 * 1000;
	a->max_series = 1000;
}

int
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->spool = strdup(CONFIG_DEFAULT_SPOOL);
	c->hook.ignore = calloc(1, sizeof(char *));
	c->daemon.debuginfod_cache = strdup(CONFIG_DEFAULT_DEBUGINFOD_CACHE);
	c->daemon.pid_file = strdup(CONFIG_DEFAULT_PID_FILE);
	if (c->spool == NULL || c->hook.ignore == NULL ||
	    c->daemon.debuginfod_cache == NULL || c->daemon.pid_file == NULL) {
		config_done(c);
		return -ENOMEM;
	}
	/* What a backtrace needs, a few hundred KB for any process. */
	c->hook.core_mode = CORE_MODE_MINI;
	c->hook.core_max_size = 64ULL << 20;
	c->hook.core_level = 1;
	c->hook.core_honour_rlimit = false;
	c->hook.per_executable = (struct rate){ 5, 600 };
	c->hook.global = (struct rate){ 100, 600 };
	c->hook.cores_per_executable = (struct rate){ 2, 3600 };
	c->hook.cores_global = (struct rate){ 20, 3600 };
	c->hook.spool_max = 2ULL << 30;
	c->hook.keep_free = 1ULL << 30;
	c->hook.time_budget_ms = 10 * 1000;
	c->hook.sync = true;
	c->hook.item_max_size = 1ULL << 20;
	/* What the kernel passes at most with the default 8 MiB stack limit. */
	c->hook.item_cmdline = 2ULL << 20;
	c->hook.item_environ = 2ULL << 20;

	c->daemon.dedupe_key = 1u << DEDUPE_EXECUTABLE | 1u << DEDUPE_SIGNAL;
	c->daemon.dedupe_window_ms = 86400ULL * 1000;
	c->daemon.remove_duplicates = true;
	c->daemon.remove_duplicate_cores = true;
	c->daemon.notify_every = 100;
	c->daemon.regression_after_ms = 7 * 86400ULL * 1000;
	c->daemon.notify_rate = (struct rate){ 10, 3600 };
	c->daemon.notify_global = (struct rate){ 60, 3600 };
	c->daemon.digest_after_ms = 3600ULL * 1000;
	c->daemon.max_age_ms = 30 * 86400ULL * 1000;
	c->daemon.max_count = 5000;
	c->daemon.max_size = 4ULL << 30;
	c->daemon.delivery_attempts = 10;
	c->daemon.delivery_backoff_ms = 30 * 1000;
	c->daemon.delivery_max_backoff_ms = 3600 * 1000;
	c->daemon.delivery_parallel = 4;
	return 0;
}

void
config_done(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->spool);
	strv_free(c->hook.ignore);
	free(c->daemon.debuginfod_urls);
	free(c->daemon.debuginfod_cache);
	free(c->daemon.pid_file);
	for (size_t i = 0; i < c->n_actions; i++)
		action_config_done(&c->actions[i]);
	free(c->actions);
	memset(c, 0, sizeof(*c));
}

struct loader {
	const char *file;
	struct buf *errors;
	int n_errors;
};

static void problem(struct loader *l, const config_setting_t *s,
    const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
problem(struct loader *l, const config_setting_t *s, const char *key,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(l->errors, "%s:%u: %s: ", l->file,
	    s ? config_setting_source_line(s) : 0, key);
	/* msg quotes values from the file: keep each problem on one line. */
	escape_c(l->errors, msg, strlen(msg));
	buf_putc(l->errors, '\n');
	l->n_errors++;
}

static const struct config_key *
key_lookup(const struct config_key *keys, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

static bool
section_known(const char *path)
{
	for (size_t i = 0; i < N_SECTIONS; i++)
		if (strcmp(config_sections[i], path) == 0)
			return true;
	return false;
}

/* Returns the string value of s, reporting a type error if it has none. */
static const char *
want_string(struct loader *l, const config_setting_t *s, const char *key,
    const char *what)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		problem(l, s, key, "expected %s", what);
		return NULL;
	}
	v = config_setting_get_string(s);
	return v ? v : "";
}

static bool
is_integer(const config_setting_t *s)
{
	int type = config_setting_type(s);

	return type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64;
}

/* Returns the number of elements of a list or array, or -1 (reported). */
static int
want_list(struct loader *l, const config_setting_t *s, const char *key,
    const char *example)
{
	int type = config_setting_type(s);

	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		problem(l, s, key, "expected a list, like %s", example);
		return -1;
	}
	return config_setting_length(s);
}

/* A list of strings: globs (non-empty) or an argv (non-empty list). */
static void
apply_strv(struct loader *l, const config_setting_t *s,
    const struct config_key *k, char ***field)
{
	bool globs = k->type == KEY_GLOBS || k->type == KEY_STRINGS;
	int n;
	char **g;

	n = want_list(l, s, k->path,
	    k->type == KEY_GLOBS         ? "[ \"*/php-fpm\" ]"
		: k->type == KEY_STRINGS ? "[ \"a\", \"b\" ]"
					 : "[ \"/usr/local/bin/on-crash\" ]");
	if (n < 0)
		return;
	if (!globs && n == 0) {
		problem(l, s, k->path, "must not be empty");
		return;
	}
	g = calloc((size_t)n + 1, sizeof(char *));
	if (g == NULL) {
		problem(l, s, k->path, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = want_string(l, e, k->path, "a list of strings");

		if (v == NULL)
			break;
		if (globs && v[0] == '\0') {
			problem(l, e, k->path,
			    k->type == KEY_GLOBS ? "empty pattern"
						 : "empty string");
			break;
		}
		if (!globs && i == 0 && v[0] != '/') {
			problem(l, e, k->path,
			    "the command must be an absolute path, got \"%s\"",
			    v);
			break;
		}
		g[i] = strdup(v);
		if (g[i] == NULL) {
			problem(l, e, k->path, "out of memory");
			break;
		}
	}
	strv_free(*field);
	*field = g;
}

/* [ "SEGV", "SIGABRT", 6 ] or [ 0, 1000 ] into an int array. */
static void
apply_numbers(struct loader *l, const config_setting_t *s,
    const struct config_key *k, void *field, size_t *count)
{
	bool sig = k->type == KEY_SIGNALS;
	int n, *v;

	n = want_list(
	    l, s, k->path, sig ? "[ \"SEGV\", \"ABRT\" ]" : "[ 0, 1000 ]");
	if (n < 0)
		return;
	v = calloc((size_t)n + 1, sizeof(int));
	if (v == NULL) {
		problem(l, s, k->path, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		long long x = -1;

		if (is_integer(e))
			x = config_setting_get_int64(e);
		else if (sig && config_setting_type(e) == CONFIG_TYPE_STRING)
			x = signame_to_number(config_setting_get_string(e));
		if (sig && (x <= 0 || x > 64)) {
			problem(l, e, k->path,
			    "expected signal names or numbers like \"SEGV\" or "
			    "11");
			free(v);
			return;
		}
		if (!sig && (x < 0 || x > UINT32_MAX)) {
			problem(l, e, k->path, "expected numeric uids");
			free(v);
			return;
		}
		v[i] = (int)x;
	}
	free(*(void **)field);
	*(void **)field = v;
	*count = (size_t)n;
}

static void
apply_enum_set(struct loader *l, const config_setting_t *s,
    const struct config_key *k, unsigned *field)
{
	unsigned mask = 0;
	int n;

	/* Where min is 1, one name may be written alone: kind = "snapshot". */
	bool one = k->min == 1 && config_setting_type(s) == CONFIG_TYPE_STRING;

	n = one ? 1
		: want_list(l, s, k->path, "[ \"executable\", \"signal\" ]");
	if (n < 0)
		return;
	for (int i = 0; i < n; i++) {
		config_setting_t *e = one
		    ? (config_setting_t *)s
		    : config_setting_get_elem(s, (unsigned)i);
		const char *v = want_string(l, e, k->path, "a list of names");
		int j;

		if (v == NULL)
			return;
		for (j = 0; j < k->n_names; j++)
			if (strcmp(v, k->names[j]) == 0)
				break;
		if (j == k->n_names) {
			struct buf names;

			buf_init(&names, 0);
			for (int m = 0; m < k->n_names; m++)
				buf_printf(
				    &names, "%s%s", m ? ", " : "", k->names[m]);
			problem(l, e, k->path,
			    "expected names from %s, got \"%s\"",
			    names.data ? names.data : "", v);
			buf_done(&names);
			return;
		}
		mask |= 1u << j;
	}
	if (mask == 0) {
		problem(l, s, k->path, "must name at least one field");
		return;
	}
	*field = mask;
}

static void
apply(struct loader *l, const config_setting_t *s, const struct config_key *k,
    void *base)
{
	void *field = (char *)base + k->offset;
	const char *v;
	long long iv;
	uint64_t u;
	struct rate rate;
	int r;

	switch (k->type) {
	case KEY_STRING:
		v = want_string(l, s, k->path, "a string");
		if (v == NULL)
			return;
		if (k->min == 1 && v[0] != '/') {
			problem(l, s, k->path,
			    "expected an absolute path, got \"%s\"", v);
			return;
		}
		free(*(char **)field);
		*(char **)field = strdup(v);
		if (*(char **)field == NULL)
			problem(l, s, k->path, "out of memory");
		return;
	case KEY_INT:
	case KEY_UINT:
		if (!is_integer(s)) {
			problem(l, s, k->path,
			    "expected an integer from %lld to %lld", k->min,
			    k->max);
			return;
		}
		iv = config_setting_get_int64(s);
		if (iv < k->min || iv > k->max) {
			problem(l, s, k->path,
			    "%lld is out of range %lld..%lld", iv, k->min,
			    k->max);
			return;
		}
		if (k->type == KEY_INT)
			*(int *)field = (int)iv;
		else
			*(unsigned *)field = (unsigned)iv;
		return;
	case KEY_BOOL:
	case KEY_TRISTATE:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			problem(l, s, k->path, "expected true or false");
			return;
		}
		if (k->type == KEY_BOOL)
			*(bool *)field = config_setting_get_bool(s);
		else
			*(int *)field = config_setting_get_bool(s);
		return;
	case KEY_SIZE:
		if (is_integer(s)) {
			iv = config_setting_get_int64(s);
			if (iv < 0) {
				problem(
				    l, s, k->path, "a size cannot be negative");
				return;
			}
			u = (uint64_t)iv;
		} else {
			v = want_string(l, s, k->path, "a size like \"64M\"");
			if (v == NULL)
				return;
			r = units_parse_size(v, &u);
			if (r < 0) {
				problem(l, s, k->path,
				    "expected a size like \"512K\", \"64M\" or "
				    "\"2G\", got \"%s\"",
				    v);
				return;
			}
		}
		if (k->max > 0 && u > (uint64_t)k->max) {
			char max[16], got[16];

			units_format_size((uint64_t)k->max, max, sizeof(max));
			units_format_size(u, got, sizeof(got));
			problem(l, s, k->path, "at most %s, got %s", max, got);
			return;
		}
		*(uint64_t *)field = u;
		return;
	case KEY_DURATION:
		if (is_integer(s)) {
			iv = config_setting_get_int64(s);
			if (iv < 0 || iv > INT32_MAX) {
				problem(l, s, k->path,
				    "%lld is not a valid number of seconds",
				    iv);
				return;
			}
			u = (uint64_t)iv * 1000;
		} else {
			v = want_string(
			    l, s, k->path, "a duration like \"10s\"");
			if (v == NULL)
				return;
			r = units_parse_duration_ms(v, &u);
			if (r < 0) {
				problem(l, s, k->path,
				    "expected a duration like \"500ms\", "
				    "\"30s\", \"10m\", \"1h\" or \"7d\", got "
				    "\"%s\"",
				    v);
				return;
			}
		}
		if (u < (uint64_t)k->min ||
		    (k->max > 0 && u > (uint64_t)k->max)) {
			if (k->max > 0)
				problem(l, s, k->path,
				    "must be between %lldms and %llds", k->min,
				    k->max / 1000);
			else
				problem(l, s, k->path,
				    "must be at least %lldms", k->min);
			return;
		}
		*(uint64_t *)field = u;
		return;
	case KEY_RATE:
		v = want_string(l, s, k->path, "a rate like \"5/10m\"");
		if (v == NULL)
			return;
		r = units_parse_rate(v, &rate);
		/* min: the least count (0 only where "none" is meant). */
		if (r >= 0 && (long long)rate.count < k->min) {
			problem(l, s, k->path,
			    "\"%s\": a count of 0 would let nothing through; "
			    "expected COUNT/DURATION like \"5/10m\" with COUNT "
			    "at least 1",
			    v);
			return;
		}
		if (r < 0) {
			problem(l, s, k->path,
			    "expected COUNT/DURATION like \"5/10m\" (window of "
			    "at least 1s), got \"%s\"",
			    v);
			return;
		}
		*(struct rate *)field = rate;
		return;
	case KEY_GLOBS:
	case KEY_ARGV:
	case KEY_STRINGS:
		apply_strv(l, s, k, (char ***)field);
		return;
	case KEY_SIGNALS:
	case KEY_UIDS:
		apply_numbers(
		    l, s, k, field, (size_t *)((char *)base + k->count_offset));
		return;
	case KEY_ENUM_SET:
		apply_enum_set(l, s, k, (unsigned *)field);
		return;
	case KEY_ENUM:
		v = want_string(l, s, k->path, "a string");
		if (v == NULL)
			return;
		for (int i = 0; i < k->n_names; i++)
			if (strcmp(v, k->names[i]) == 0) {
				*(int *)field = i;
				return;
			}
		{
			struct buf names;

			buf_init(&names, 0);
			for (int i = 0; i < k->n_names; i++)
				buf_printf(
				    &names, "%s%s", i ? ", " : "", k->names[i]);
			problem(l, s, k->path, "expected one of %s, got \"%s\"",
			    names.data ? names.data : "", v);
			buf_done(&names);
		}
		return;
	}
}

/*
 * Applies every setting of group (whose path is prefix) from the table
 * keys to base.  For an action, type limits the keys that apply.
 */
static void
walk(struct loader *l, const config_setting_t *group, const char *prefix,
    const struct config_key *keys, size_t n_keys, void *base,
    const struct action_config *action)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		config_setting_t *s =
		    config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct config_key *k;
		char path[256];

		if (snprintf(path, sizeof(path), "%s%s%s", prefix,
			*prefix ? "." : "",
			name ? name : "?") >= (int)sizeof(path)) {
			problem(l, s, prefix, "a key name is too long");
			continue;
		}
		/*
		 * One file: an @include would bypass check_file_secrecy() (it
		 * may name a file anyone can write).
		 */
		if (config_setting_source_file(s) != NULL) {
			problem(l, s, path,
			    "set in @include \"%s\": not supported",
			    config_setting_source_file(s));
			continue;
		}
		if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
			if (section_known(path))
				walk(l, s, path, keys, n_keys, base, action);
			else
				problem(l, s, path, "unknown section");
			continue;
		}
		if (action == NULL && strcmp(path, "actions") == 0)
			continue; /* see load_actions() */
		k = key_lookup(keys, n_keys, path);
		if (k == NULL) {
			problem(l, s, path,
			    section_known(path) ? "expected a section { ... }"
						: "unknown key");
			continue;
		}
		if (action && action->type < _ACTION_TYPE_MAX &&
		    !(k->types & TYPE(action->type))) {
			problem(l, s, path,
			    "does not apply to an action of type \"%s\"",
			    action_type_names[action->type]);
			continue;
		}
		apply(l, s, k, base);
	}
}

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

/* The setting of key k in action group g, for a line number. */
static const config_setting_t *
member_or(const config_setting_t *g, const char *k)
{
	const config_setting_t *s = config_setting_get_member(g, k);

	return s ? s : g;
}

/* The placeholders a mail subject may use (mail_body.c expands them). */
static const char *const subject_fields[] = { "reason", "hostname",
	"executable", "comm", "signal", "signal_name", "pid", "uid", "count",
	"event", "id", NULL };

static void
check_subject(struct loader *l, const config_setting_t *g, const char *subject)
{
	for (const char *p = subject; *p; p++) {
		const char *end;
		bool known = false;

		if (*p == '\r' || *p == '\n') {
			problem(l, member_or(g, "subject"), "actions.subject",
			    "must be one line");
			return;
		}
		if (*p != '{')
			continue;
		end = strchr(p, '}');
		if (end == NULL)
			break;
		for (const char *const *f = subject_fields; *f; f++)
			known = known ||
			    (strlen(*f) == (size_t)(end - p - 1) &&
				strncmp(p + 1, *f, (size_t)(end - p - 1)) == 0);
		if (!known) {
			problem(l, member_or(g, "subject"), "actions.subject",
			    "unknown field {%.*s}: use {reason}, {hostname}, "
			    "{executable}, {comm}, {signal}, {signal_name}, "
			    "{pid}, {uid}, {count}, {event} or {id}",
			    (int)(end - p - 1 > 64 ? 64 : end - p - 1), p + 1);
			return;
		}
		p = end;
	}
}

static void
check_mail(
    struct loader *l, const config_setting_t *g, const struct action_config *a)
{
	if (a->to == NULL || a->to[0] == NULL)
		problem(l, member_or(g, "to"), "actions.to",
		    "a mail action needs to = [ \"root@localhost\" ]");
	for (char **t = a->to; t && *t; t++)
		if (!mail_address_valid(*t))
			problem(l, member_or(g, "to"), "actions.to",
			    "\"%s\" is not a plain address (user@domain)", *t);
	if (a->from && !mail_address_valid(a->from))
		problem(l, member_or(g, "from"), "actions.from",
		    "\"%s\" is not a plain address (user@domain)", a->from);
	if ((a->smtp == NULL) == (a->sendmail == NULL))
		problem(l, g, "actions.smtp",
		    "a mail action needs one of smtp = \"smtp://host:port\" "
		    "or sendmail = \"/usr/sbin/sendmail\"");
	if (a->smtp && strncmp(a->smtp, "smtp://", 7) != 0 &&
	    strncmp(a->smtp, "smtps://", 8) != 0)
		problem(l, member_or(g, "smtp"), "actions.smtp",
		    "\"%s\": expected smtp://host[:port] or "
		    "smtps://host[:port]",
		    a->smtp);
	if (a->smtp && strncmp(a->smtp, "smtps://", 8) == 0 &&
	    config_setting_get_member(g, "starttls"))
		problem(l, member_or(g, "starttls"), "actions.starttls",
		    "does not apply to smtps:// (TLS from the start)");
	if (a->sendmail) {
		static const char *const smtp_only[] = { "starttls",
			"auth_file", "tls_verify", "ca_file", "connect_timeout",
			NULL };

		for (const char *const *k = smtp_only; *k; k++)
			if (config_setting_get_member(g, *k))
				problem(l, member_or(g, *k), "actions.sendmail",
				    "%s applies to smtp only, not to sendmail",
				    *k);
	}
	/* libcurl would send them in clear on a relay without STARTTLS. */
	if (a->auth_file && a->smtp && strncmp(a->smtp, "smtp://", 7) == 0 &&
	    a->starttls != STARTTLS_REQUIRED)
		problem(l, member_or(g, "auth_file"), "actions.auth_file",
		    "credentials over smtp:// need starttls = \"required\" "
		    "(or use smtps://)");
	if (a->subject)
		check_subject(l, g, a->subject);
}

/* "Name: value": a token, a colon, a value without control bytes. */
static bool
valid_header(const char *h)
{
	const char *colon = strchr(h, ':');

	if (colon == NULL || colon == h)
		return false;
	for (const char *p = h; p < colon; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("()<>@,;\\\"/[]?={}", *p))
			return false;
	for (const char *p = colon + 1; *p; p++)
		if ((unsigned char)*p < ' ' && *p != '\t')
			return false;
	return strncasecmp(h, "Content-Length:", 15) != 0 &&
	    strncasecmp(h, "Host:", 5) != 0;
}

/* node_exporter's textfile collector reads *.prom files only. */
static void
check_metrics(
    struct loader *l, const config_setting_t *g, const struct action_config *a)
{
	size_t n = a->path ? strlen(a->path) : 0;

	if (a->path == NULL) {
		/* (A path given but refused has had its error.) */
		if (config_setting_get_member(g, "path") == NULL)
			problem(l, g, "actions.path",
			    "a metrics action needs path = "
			    "\"/var/lib/prometheus/node-exporter/"
			    "crashd.prom\"");
	} else if (n < 6 || strcmp(a->path + n - 5, ".prom") != 0 ||
	    a->path[n - 6] == '/')
		problem(l, member_or(g, "path"), "actions.path",
		    "\"%s\": expected a file name ending in .prom (what "
		    "node_exporter's textfile collector reads)",
		    a->path);
}

static void
check_webhook(
    struct loader *l, const config_setting_t *g, const struct action_config *a)
{
	if (a->url == NULL)
		problem(l, g, "actions.url",
		    "a webhook action needs url = \"https://...\"");
	else if (strncmp(a->url, "http://", 7) != 0 &&
	    strncmp(a->url, "https://", 8) != 0)
		problem(l, member_or(g, "url"), "actions.url",
		    "\"%s\": expected http://... or https://...", a->url);
	for (char **h = a->headers; h && *h; h++)
		if (!valid_header(*h))
			problem(l, member_or(g, "headers"), "actions.headers",
			    "\"%s\": expected \"Name: value\" on one line "
			    "(not Host or Content-Length)",
			    *h);
}

/* actions = ( { name = ...; type = ...; ... }, ... ); */
static void
load_actions(struct loader *l, const config_setting_t *root, struct config *c)
{
	const config_setting_t *list =
	    config_setting_get_member(root, "actions");
	int n;

	if (list == NULL)
		return;
	if (config_setting_type(list) != CONFIG_TYPE_LIST) {
		problem(l, list, "actions",
		    "expected a list of actions: ( { ... }, { ... } )");
		return;
	}
	n = config_setting_length(list);
	c->actions = calloc((size_t)n + 1, sizeof(*c->actions));
	if (c->actions == NULL) {
		problem(l, list, "actions", "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		config_setting_t *g =
		    config_setting_get_elem(list, (unsigned)i);
		struct action_config *a = &c->actions[c->n_actions];
		const config_setting_t *type;

		action_config_defaults(a);
		c->n_actions++;
		if (config_setting_type(g) != CONFIG_TYPE_GROUP) {
			problem(l, g, "actions",
			    "expected { name = ...; type = ...; }");
			continue;
		}
		/* The type decides which keys apply: read it first. */
		type = config_setting_get_member(g, "type");
		if (type == NULL) {
			problem(l, g, "actions.type",
			    "missing: one of log, exec, delete, mail, webhook, "
			    "metrics");
			continue;
		}
		apply(l, type,
		    key_lookup(action_keys, N_ACTION_KEYS, "actions.type"), a);
		if (a->type >= _ACTION_TYPE_MAX)
			continue;
		walk(l, g, "actions", action_keys, N_ACTION_KEYS, a, a);
		if (a->name == NULL || !valid_action_name(a->name)) {
			problem(l, g, "actions.name",
			    "each action needs a name of letters, digits, '-' "
			    "and '_'");
			continue;
		}
		for (size_t j = 0; j + 1 < c->n_actions; j++)
			if (c->actions[j].name &&
			    strcmp(c->actions[j].name, a->name) == 0)
				problem(l, g, "actions.name",
				    "\"%s\" is used twice", a->name);
		if (a->type == ACTION_EXEC && a->command == NULL)
			problem(l, g, "actions.command",
			    "an exec action needs command = [ "
			    "\"/path/to/program\", ... ]");
		if (a->type == ACTION_MAIL)
			check_mail(l, g, a);
		if (a->type == ACTION_WEBHOOK)
			check_webhook(l, g, a);
		if (a->type == ACTION_METRICS)
			check_metrics(l, g, a);
	}
}

/*
 * Refuses a file that someone other than root (or us) could have written:
 * the hook runs as root on every crash.
 */
static int
check_file_secrecy(
    int fd, const char *path, struct buf *errors, struct stat *ret_st)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		buf_printf(errors, "%s: not a regular file (%s)\n", path,
		    S_ISFIFO(st.st_mode)       ? "a FIFO"
			: S_ISDIR(st.st_mode)  ? "a directory"
			: S_ISSOCK(st.st_mode) ? "a socket"
					       : "a device");
		return -EINVAL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		buf_printf(errors,
		    "%s: owned by uid %u, must be owned by root\n", path,
		    (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		buf_printf(errors, "%s: group or world writable (mode %04o)\n",
		    path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	*ret_st = st;
	return 0;
}

/* One URL of n bytes at p: http:// or https://, a host, no control. */
static bool
url_ok(const char *p, size_t n)
{
	size_t scheme = 0;

	if (n > 7 && strncmp(p, "http://", 7) == 0)
		scheme = 7;
	else if (n > 8 && strncmp(p, "https://", 8) == 0)
		scheme = 8;
	if (scheme == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)p[i] < 0x21 || p[i] == 0x7f)
			return false;
	return true;
}

/*
 * daemon.backtrace.debuginfod_urls: URLs separated by spaces, as
 * DEBUGINFOD_URLS takes them.
 */
static void
check_debuginfod_urls(struct loader *l, config_t *lc, const char *urls)
{
	static const char key[] = "daemon.backtrace.debuginfod_urls";
	const char *p = urls ? urls + strspn(urls, " ") : NULL;

	while (p && *p) {
		size_t n = strcspn(p, " ");

		if (!url_ok(p, n)) {
			problem(l, config_lookup(lc, key), key,
			    "\"%.*s\": expected http://host... or "
			    "https://host... (several separated by spaces)",
			    (int)n, p);
			return;
		}
		p += n;
		p += strspn(p, " ");
	}
}

/*
 * Reads the whole config from fd, which check_file_secrecy() found to be a
 * regular file of st_size bytes, into a NUL-terminated *ret (freed by the
 * caller), its length (without the NUL) in *ret_len.  Refuses more than
 * CONFIG_MAX_SIZE bytes.
 */
static int
read_config(int fd, const char *path, off_t st_size, struct buf *errors,
    char **ret, size_t *ret_len)
{
	struct buf b;
	int r;

	if (st_size > CONFIG_MAX_SIZE) {
		buf_printf(errors,
		    "%s: %lld bytes, a config is at most %d (libconfig's parse "
		    "grows faster than its size)\n",
		    path, (long long)st_size, CONFIG_MAX_SIZE);
		return -EINVAL;
	}
	buf_init(&b, CONFIG_MAX_SIZE + 1);
	r = read_fd_capped(fd, CONFIG_MAX_SIZE, &b);
	if (r > 0) {
		buf_printf(errors, "%s: grew past %d bytes while read\n", path,
		    CONFIG_MAX_SIZE);
		r = -EINVAL;
	} else if (r < 0) {
		buf_printf(errors, "%s: read: %s\n", path, strerror(-r));
	} else if (buf_putc(&b, '\0') < 0) {
		r = -ENOMEM;
	}
	if (r < 0) {
		buf_done(&b);
		return r;
	}
	*ret_len = b.len - 1;
	*ret = buf_steal(&b, NULL);
	return 0;
}

int
config_load(const char *path, struct config *ret, struct buf *errors)
{
	struct loader l = { .file = path, .errors = errors, .n_errors = 0 };
	struct config c;
	struct stat st = { 0 };
	config_t lc;
	char *text = NULL;
	size_t len = 0;
	int fd = -1, r;

	r = config_defaults(&c);
	if (r < 0)
		return r;
	config_init(&lc);

	/*
	 * Non-blocking: a FIFO (or a device) named as the config must be
	 * refused, not waited on by every crash's hook.  A symlink is
	 * followed: the file it reaches is checked, and only root can make
	 * one in a root-owned /etc/crashd.
	 */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	r = check_file_secrecy(fd, path, errors, &st);
	if (r < 0)
		goto out;
	r = read_config(fd, path, st.st_size, errors, &text, &len);
	if (r < 0)
		goto out;
	if (config_raw_check(path, text, len, errors) > 0) {
		r = -EINVAL;
		goto out;
	}
	if (config_read_string(&lc, text) != CONFIG_TRUE) {
		buf_printf(errors, "%s:%d: syntax error: %s\n", path,
		    config_error_line(&lc), config_error_text(&lc));
		r = -EINVAL;
		goto out;
	}
	walk(&l, config_root_setting(&lc), "", config_keys, N_KEYS, &c, NULL);
	check_debuginfod_urls(&l, &lc, c.daemon.debuginfod_urls);
	load_actions(&l, config_root_setting(&lc), &c);
	if (l.n_errors > 0) {
		r = -EINVAL;
		goto out;
	}
	c.path = strdup(path);
	if (c.path == NULL) {
		r = -ENOMEM;
		goto out;
	}
	*ret = c;
	memset(&c, 0, sizeof(c));
	r = 0;
out:
	config_done(&c);
	config_destroy(&lc);
	free(text);
	safe_close(fd);
	return r;
}
