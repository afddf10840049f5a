/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_keys.c owns the table of crashd.conf's keys: one row per key with
 * its type, where it is stored, its bounds or names and its default.  To
 * add a key: a field in config.h, a row here, a line in man/crashd.conf.5
 * and conf/crashd.conf.  The defaults are set from these rows alone.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_key.h"
#include "dump.h"
#include "frame_skip.h"

#define TOP(field) offsetof(struct config, field)
#define HOOK(field)                                                            \
	(offsetof(struct config, hook) + offsetof(struct hook_config, field))
#define DAEMON(field)                                                          \
	(offsetof(struct config, daemon) +                                     \
	    offsetof(struct daemon_config, field))
#define ACT(field) offsetof(struct action_config, field)
#define MATCH(field)                                                           \
	(offsetof(struct action_config, match) +                               \
	    offsetof(struct action_match, field))
#define NAMES(a) .names = (a), .n_names = (int)(sizeof(a) / sizeof((a)[0]))
#define ALL_TYPES ((1u << _ACTION_TYPE_MAX) - 1)
#define TYPE(t) (1u << (t))
#define DELIVERED (TYPE(ACTION_MAIL) | TYPE(ACTION_WEBHOOK))

#define SECOND 1000LL
#define HOUR (3600 * SECOND)
#define DAY (24 * HOUR)

/* A row: the key's path, type and field, then its named fields. */
#define KEY(p, t, off, ...)                                                    \
	{                                                                      \
		.path = (p), .type = (t), .offset = (off), __VA_ARGS__         \
	}

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
	"daemon.kernel",
	"daemon.signature",
	"actions.match",
};

/* An empty list, where the default is "none" rather than unset. */
static const char *const no_strings[] = { NULL };

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

/* URLs separated by spaces, as DEBUGINFOD_URLS takes them. */
static void
check_debuginfod_urls(struct config_loader *l, const config_setting_t *s,
    const struct config_key *k, const void *base)
{
	const char *urls = *(char *const *)((const char *)base + k->offset);
	const char *p = urls ? urls + strspn(urls, " ") : NULL;

	while (p && *p) {
		size_t n = strcspn(p, " ");

		if (!url_ok(p, n)) {
			config_problem(l, s, k->path,
			    "\"%.*s\": expected http://host... or "
			    "https://host... (several separated by spaces)",
			    (int)n, p);
			return;
		}
		p += n;
		p += strspn(p, " ");
	}
}

#define KERNEL_KINDS                                                           \
	(1u << DUMP_KIND_KERNEL | 1u << DUMP_KIND_OOM | 1u << DUMP_KIND_PANIC)

/* daemon.kernel.kinds: what the kernel log gives, no crash or snapshot. */
static void
check_kernel_kinds(struct config_loader *l, const config_setting_t *s,
    const struct config_key *k, const void *base)
{
	unsigned v = *(const unsigned *)((const char *)base + k->offset);

	if (v & ~KERNEL_KINDS)
		config_problem(l, s, k->path,
		    "expected kernel, oom or panic (crashes and snapshots "
		    "are the hook's)");
}

/* Where the kernel's pstore, or systemd-pstore's copy of it, is. */
static const char *const default_pstore[] = { "/sys/fs/pstore",
	"/var/lib/systemd/pstore", NULL };

const struct config_key config_keys[] = {
	KEY("spool", KEY_STRING, TOP(spool), .absolute = true,
	    .def.s = CONFIG_DEFAULT_SPOOL),
	/* What a backtrace needs, a few hundred KB for any process. */
	KEY("hook.core.mode", KEY_ENUM, HOOK(core_mode),
	    NAMES(config_core_mode_names), .def.i = CORE_MODE_MINI),
	KEY("hook.core.max_size", KEY_SIZE, HOOK(core_max_size),
	    .def.i = 64LL << 20),
	KEY("hook.core.level", KEY_INT, HOOK(core_level), .min = 0, .max = 9,
	    .def.i = 1),
	KEY("hook.core.honour_rlimit", KEY_BOOL, HOOK(core_honour_rlimit),
	    .def.i = false),
	KEY("hook.ignore", KEY_GLOBS, HOOK(ignore), .def.strv = no_strings),
	KEY("hook.limits.per_executable", KEY_RATE, HOOK(per_executable),
	    .min = 1, .def.rate = { 5, 600 }),
	KEY("hook.limits.global", KEY_RATE, HOOK(global), .min = 1,
	    .def.rate = { 100, 600 }),
	KEY("hook.limits.cores_per_executable", KEY_RATE,
	    HOOK(cores_per_executable), .min = 0, .def.rate = { 2, 3600 }),
	KEY("hook.limits.cores_global", KEY_RATE, HOOK(cores_global), .min = 0,
	    .def.rate = { 20, 3600 }),
	KEY("hook.limits.spool_max", KEY_SIZE, HOOK(spool_max),
	    .def.i = 2LL << 30),
	KEY("hook.limits.keep_free", KEY_SIZE, HOOK(keep_free),
	    .def.i = 1LL << 30),
	KEY("hook.time_budget", KEY_DURATION, HOOK(time_budget_ms), .min = 100,
	    .max = HOUR, .def.i = 10 * SECOND),
	KEY("hook.sync", KEY_BOOL, HOOK(sync), .def.i = true),
	KEY("hook.core.gdb", KEY_BOOL, HOOK(core_gdb), .def.i = false),
	KEY("hook.items.max_size", KEY_SIZE, HOOK(item_max_size),
	    .max = CONFIG_ITEM_MAX, .def.i = 1LL << 20),
	/* What the kernel passes at most with the default 8 MiB stack limit. */
	KEY("hook.items.cmdline", KEY_SIZE, HOOK(item_cmdline),
	    .max = CONFIG_ITEM_MAX, .def.i = 2LL << 20),
	KEY("hook.items.environ", KEY_SIZE, HOOK(item_environ),
	    .max = CONFIG_ITEM_MAX, .def.i = 2LL << 20),
	/* 0: hook.items.max_size. */
	KEY("hook.items.maps", KEY_SIZE, HOOK(item_maps),
	    .max = CONFIG_ITEM_MAX, .def.i = 0),
	KEY("hook.items.ptree", KEY_SIZE, HOOK(item_ptree),
	    .max = CONFIG_ITEM_MAX, .def.i = 0),
	KEY("hook.items.open_fds", KEY_SIZE, HOOK(item_open_fds),
	    .max = CONFIG_ITEM_MAX, .def.i = 0),

	KEY("daemon.dedupe.key", KEY_ENUM_SET, DAEMON(dedupe_key),
	    NAMES(config_dedupe_field_names),
	    .def.i = 1u << DEDUPE_EXECUTABLE | 1u << DEDUPE_SIGNAL),
	KEY("daemon.dedupe.window", KEY_DURATION, DAEMON(dedupe_window_ms),
	    .def.i = DAY),
	KEY("daemon.dedupe.remove_duplicates", KEY_BOOL,
	    DAEMON(remove_duplicates), .def.i = true),
	KEY("daemon.dedupe.remove_duplicate_cores", KEY_BOOL,
	    DAEMON(remove_duplicate_cores), .def.i = true),
	KEY("daemon.reclaim_core_pattern", KEY_BOOL,
	    DAEMON(reclaim_core_pattern), .def.i = false),
	KEY("daemon.notify.every", KEY_UINT, DAEMON(notify_every), .min = 0,
	    .max = 1000000000, .def.i = 100),
	KEY("daemon.notify.regression_after", KEY_DURATION,
	    DAEMON(regression_after_ms), .def.i = 7 * DAY),
	KEY("daemon.notify.rate", KEY_RATE, DAEMON(notify_rate), .min = 1,
	    .def.rate = { 10, 3600 }),
	KEY("daemon.notify.global_rate", KEY_RATE, DAEMON(notify_global),
	    .min = 1, .def.rate = { 60, 3600 }),
	KEY("daemon.notify.digest_after", KEY_DURATION, DAEMON(digest_after_ms),
	    .min = SECOND, .def.i = HOUR),
	KEY("daemon.retention.max_age", KEY_DURATION, DAEMON(max_age_ms),
	    .def.i = 30 * DAY),
	KEY("daemon.retention.max_count", KEY_UINT, DAEMON(max_count), .min = 0,
	    .max = 100000000, .def.i = 5000),
	KEY("daemon.retention.max_size", KEY_SIZE, DAEMON(max_size),
	    .def.i = 4LL << 30),
	KEY("daemon.delivery.attempts", KEY_UINT, DAEMON(delivery_attempts),
	    .min = 1, .max = 1000, .def.i = 10),
	KEY("daemon.delivery.backoff", KEY_DURATION,
	    DAEMON(delivery_backoff_ms), .min = SECOND, .max = DAY,
	    .def.i = 30 * SECOND),
	KEY("daemon.delivery.max_backoff", KEY_DURATION,
	    DAEMON(delivery_max_backoff_ms), .min = SECOND, .max = 7 * DAY,
	    .def.i = HOUR),
	KEY("daemon.delivery.parallel", KEY_UINT, DAEMON(delivery_parallel),
	    .min = 1, .max = 64, .def.i = 4),
	KEY("daemon.backtrace.debuginfod_urls", KEY_STRING,
	    DAEMON(debuginfod_urls), .check = check_debuginfod_urls),
	KEY("daemon.backtrace.debuginfod_cache", KEY_STRING,
	    DAEMON(debuginfod_cache), .absolute = true,
	    .def.s = CONFIG_DEFAULT_DEBUGINFOD_CACHE),
	KEY("daemon.signature.skip", KEY_GLOBS, DAEMON(signature_skip),
	    .def.strv = no_strings),
	KEY("daemon.signature.prefix", KEY_GLOBS, DAEMON(signature_prefix),
	    .def.strv = no_strings),
	KEY("daemon.signature.frames", KEY_UINT, DAEMON(signature_frames),
	    .min = 1, .max = 16, .def.i = FRAME_SKIP_SIGNATURE_FRAMES),
	KEY("daemon.pid_file", KEY_STRING, DAEMON(pid_file), .absolute = true,
	    .def.s = CONFIG_DEFAULT_PID_FILE),
	KEY("daemon.kernel.enabled", KEY_BOOL, DAEMON(kernel.enabled),
	    .def.i = true),
	KEY("daemon.kernel.kinds", KEY_ENUM_SET, DAEMON(kernel.kinds),
	    .alone = true, NAMES(dump_kind_names), .check = check_kernel_kinds,
	    .def.i = KERNEL_KINDS),
	KEY("daemon.kernel.markers", KEY_ENUM_SET, DAEMON(kernel.markers),
	    .alone = true, NAMES(config_koops_marker_names),
	    .def.i = (1u << _KOOPS_MARKER_MAX) - 1),
	KEY("daemon.kernel.rate", KEY_RATE, DAEMON(kernel.rate), .min = 1,
	    .def.rate = { 20, 600 }),
	KEY("daemon.kernel.pstore", KEY_STRINGS, DAEMON(kernel.pstore),
	    .def.strv = default_pstore),
	KEY("daemon.kernel.clear_pstore", KEY_BOOL, DAEMON(kernel.clear_pstore),
	    .def.i = false),
	KEY("daemon.kernel.accept_user_records", KEY_BOOL,
	    DAEMON(kernel.accept_user_records), .def.i = false),
};

const size_t config_n_keys = sizeof(config_keys) / sizeof(config_keys[0]);

/* An action's keys: .types says which kinds of action each applies to. */
const struct config_key config_action_keys[] = {
	KEY("actions.name", KEY_STRING, ACT(name), .types = ALL_TYPES),
	/* Required: the default is no type. */
	KEY("actions.type", KEY_ENUM, ACT(type), .types = ALL_TYPES,
	    NAMES(config_action_type_names), .def.i = _ACTION_TYPE_MAX),
	KEY("actions.match.signal", KEY_SIGNALS, MATCH(signals),
	    .count_offset = MATCH(n_signals), .types = ALL_TYPES),
	KEY("actions.match.executable", KEY_GLOBS, MATCH(executables),
	    .types = ALL_TYPES),
	KEY("actions.match.uid", KEY_UIDS, MATCH(uids),
	    .count_offset = MATCH(n_uids), .types = ALL_TYPES),
	KEY("actions.match.hostname", KEY_GLOBS, MATCH(hostnames),
	    .types = ALL_TYPES),
	KEY("actions.match.has_core", KEY_TRISTATE, MATCH(has_core),
	    .types = ALL_TYPES, .def.i = -1),
	KEY("actions.match.kind", KEY_ENUM_SET, MATCH(kinds), .alone = true,
	    NAMES(dump_kind_names), .types = ALL_TYPES),

	KEY("actions.command", KEY_ARGV, ACT(command),
	    .types = TYPE(ACTION_EXEC)),
	KEY("actions.timeout", KEY_DURATION, ACT(timeout_ms), .min = 100,
	    .max = DAY, .types = TYPE(ACTION_EXEC) | DELIVERED,
	    .def.i = 30 * SECOND),

	KEY("actions.what", KEY_ENUM, ACT(what),
	    NAMES(config_delete_what_names), .types = TYPE(ACTION_DELETE),
	    .def.i = DELETE_DUMP),
	KEY("actions.after", KEY_DURATION, ACT(after_ms),
	    .types = TYPE(ACTION_DELETE)),

	KEY("actions.to", KEY_STRINGS, ACT(to), .types = TYPE(ACTION_MAIL)),
	KEY("actions.from", KEY_STRING, ACT(from), .types = TYPE(ACTION_MAIL)),
	KEY("actions.smtp", KEY_STRING, ACT(smtp), .types = TYPE(ACTION_MAIL)),
	KEY("actions.sendmail", KEY_STRING, ACT(sendmail), .absolute = true,
	    .types = TYPE(ACTION_MAIL)),
	KEY("actions.starttls", KEY_ENUM, ACT(starttls),
	    NAMES(config_starttls_names), .types = TYPE(ACTION_MAIL),
	    .def.i = STARTTLS_TRY),
	KEY("actions.auth_file", KEY_STRING, ACT(auth_file), .absolute = true,
	    .types = TYPE(ACTION_MAIL)),
	KEY("actions.subject", KEY_STRING, ACT(subject),
	    .types = TYPE(ACTION_MAIL)),
	KEY("actions.environ", KEY_BOOL, ACT(include_environ),
	    .types = TYPE(ACTION_MAIL) | TYPE(ACTION_JOURNAL)),
	KEY("actions.redact", KEY_GLOBS, ACT(redact),
	    .types = TYPE(ACTION_MAIL) | TYPE(ACTION_JOURNAL)),
	KEY("actions.attach_core", KEY_BOOL, ACT(attach_core),
	    .types = TYPE(ACTION_MAIL)),
	/* The message is built in the daemon's memory: bounded. */
	KEY("actions.attach_max", KEY_SIZE, ACT(attach_max), .max = 64LL << 20,
	    .types = TYPE(ACTION_MAIL), .def.i = 10LL << 20),

	KEY("actions.url", KEY_STRING, ACT(url), .list_offset = ACT(urls),
	    .types = TYPE(ACTION_WEBHOOK)),
	KEY("actions.format", KEY_ENUM, ACT(format),
	    NAMES(config_webhook_format_names), .types = TYPE(ACTION_WEBHOOK),
	    .def.i = WEBHOOK_JSON),
	KEY("actions.headers", KEY_STRINGS, ACT(headers),
	    .types = TYPE(ACTION_WEBHOOK)),
	KEY("actions.token_file", KEY_STRING, ACT(token_file), .absolute = true,
	    .types = TYPE(ACTION_WEBHOOK)),

	KEY("actions.path", KEY_STRING, ACT(path), .absolute = true,
	    .types = TYPE(ACTION_METRICS)),
	KEY("actions.max_series", KEY_UINT, ACT(max_series), .min = 1,
	    .max = 100000, .types = TYPE(ACTION_METRICS), .def.i = 1000),

	KEY("actions.tls_verify", KEY_BOOL, ACT(tls_verify), .types = DELIVERED,
	    .def.i = true),
	KEY("actions.ca_file", KEY_STRING, ACT(ca_file), .absolute = true,
	    .types = DELIVERED),
	KEY("actions.connect_timeout", KEY_DURATION, ACT(connect_timeout_ms),
	    .min = 100, .max = HOUR, .types = DELIVERED, .def.i = 10 * SECOND),
	/*
	 * daemon.delivery's, for one action (a webhook that should give up
	 * sooner than the mail); 0: daemon.delivery's.
	 */
	KEY("actions.attempts", KEY_UINT, ACT(attempts), .min = 1, .max = 1000,
	    .types = DELIVERED, .def.i = 0),
	KEY("actions.backoff", KEY_DURATION, ACT(backoff_ms), .min = SECOND,
	    .max = DAY, .types = DELIVERED, .def.i = 0),
	KEY("actions.max_backoff", KEY_DURATION, ACT(max_backoff_ms),
	    .min = SECOND, .max = 7 * DAY, .types = DELIVERED, .def.i = 0),
};

const size_t config_n_action_keys =
    sizeof(config_action_keys) / sizeof(config_action_keys[0]);

const struct config_key *
config_key_lookup(const struct config_key *keys, size_t n, const char *path)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(keys[i].path, path) == 0)
			return &keys[i];
	return NULL;
}

bool
config_section_known(const char *path)
{
	for (size_t i = 0;
	     i < sizeof(config_sections) / sizeof(*config_sections); i++)
		if (strcmp(config_sections[i], path) == 0)
			return true;
	return false;
}
