/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd.conf: one file, libconfig syntax, shared by the hook, the daemon
 * and the CLI.  Every key is listed once, with its default, in
 * config_keys.c's table; an unknown key, a wrong type or a bad value is an
 * error naming file:line: key.
 */
#ifndef CRASHD_CONFIG_H
#define CRASHD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "units.h"

/* The build's sysconfdir: /etc for the package (see CMakeLists.txt). */
#ifndef CRASHD_CONFIG_PATH
#define CRASHD_CONFIG_PATH "/etc/crashd/crashd.conf"
#endif
#define CONFIG_DEFAULT_PATH CRASHD_CONFIG_PATH
#define CONFIG_DEFAULT_SPOOL "/var/spool/crashd"
#define CONFIG_DEFAULT_DEBUGINFOD_CACHE "/var/cache/crashd/debuginfod"
#define CONFIG_DEFAULT_PID_FILE "/run/crashd/crashd.pid"
/* The largest hook.items cap: what the hook reads of one file at most. */
#define CONFIG_ITEM_MAX (32LL << 20)

enum core_mode {
	CORE_MODE_NONE,
	CORE_MODE_MINI,
	CORE_MODE_TRUNCATE,
	CORE_MODE_FULL,
	_CORE_MODE_MAX,
};

struct hook_config {
	enum core_mode core_mode;
	uint64_t core_max_size; /* bytes of core read, before compression */
	int core_level; /* gzip level 0-9 */
	bool core_honour_rlimit;
	char **ignore; /* executable globs, NULL-terminated */
	struct rate per_executable;
	struct rate global;
	struct rate cores_per_executable;
	struct rate cores_global;
	uint64_t spool_max; /* bytes; 0: no cap */
	uint64_t keep_free; /* bytes */
	uint64_t time_budget_ms;
	bool sync;
	bool core_gdb; /* mini: also what gdb needs to load shared libraries */
	/*
	 * hook.items: the bytes one item read from the process may take
	 * (the rest is cut, and "incomplete" says so).  max_size for any
	 * item; the others for one item each, 0: max_size.
	 */
	uint64_t item_max_size; /* CONFIG_ITEM_MAX at most */
	uint64_t item_cmdline;
	uint64_t item_environ;
	uint64_t item_maps;
	uint64_t item_ptree;
	uint64_t item_open_fds;
};

/* What makes two crashes "the same" (daemon.dedupe.key). */
enum dedupe_field {
	DEDUPE_EXECUTABLE,
	DEDUPE_SIGNAL,
	DEDUPE_UID,
	DEDUPE_CONTAINER,
	DEDUPE_HOSTNAME,
	DEDUPE_SIGNATURE, /* the crash site, from the backtrace */
	_DEDUPE_FIELD_MAX,
};

/*
 * The kernel reports the kernel-log follower recognises, by the line that
 * starts one (daemon.kernel.markers; daemon/koops.h).
 */
enum koops_marker {
	KOOPS_OOPS, /* "Oops: ", "Internal error: Oops", "Unable to handle" */
	KOOPS_BUG, /* "BUG: ", "kernel BUG at " */
	KOOPS_WARNING, /* "WARNING: ", "------------[ cut here ]------------" */
	KOOPS_PANIC, /* "Kernel panic - not syncing" */
	KOOPS_LOCKUP, /* soft lockup, hard LOCKUP */
	KOOPS_HUNG_TASK, /* "INFO: task NAME:PID blocked for more than" */
	KOOPS_MCE, /* "[Hardware Error]: " */
	KOOPS_OOM, /* "invoked oom-killer", "Killed process" */
	_KOOPS_MARKER_MAX,
};

/* The kernel log and pstore (daemon.kernel; daemon/kmsg.h). */
struct kernel_config {
	bool enabled; /* follow /dev/kmsg and harvest pstore */
	unsigned kinds; /* bit (1 << enum dump_kind): kernel, oom, panic */
	unsigned markers; /* bit (1 << enum koops_marker) */
	struct rate rate; /* new kernel dumps */
	char **pstore; /* directories read at start, NULL-terminated */
	bool clear_pstore; /* remove what was harvested */
	/* For tests: records user space wrote to /dev/kmsg count too. */
	bool accept_user_records;
};

struct daemon_config {
	unsigned dedupe_key; /* bit (1 << enum dedupe_field) per field */
	uint64_t dedupe_window_ms;
	bool remove_duplicates; /* remove a merged duplicate's directory */
	bool remove_duplicate_cores; /* or at least its core */
	/* Write crashd's line back when another handler took core_pattern. */
	bool reclaim_core_pattern;
	unsigned notify_every; /* also notify every Nth crash of a key */
	uint64_t regression_after_ms; /* a key back after this quiet notifies */
	struct rate notify_rate; /* per key */
	struct rate notify_global; /* all keys */
	uint64_t digest_after_ms; /* held-back crashes summed up after this */
	uint64_t max_age_ms; /* retention; 0: none */
	unsigned max_count;
	uint64_t max_size;
	unsigned
	    delivery_attempts; /* mail, webhook: then the delivery is dead */
	uint64_t delivery_backoff_ms; /* first retry; doubled each time */
	uint64_t delivery_max_backoff_ms;
	unsigned delivery_parallel; /* deliveries in flight at once */
	/*
	 * debuginfod servers the unwinder may ask for what is not on this
	 * host (space-separated URLs), or NULL / "": none (the default).
	 */
	char *debuginfod_urls;
	char *debuginfod_cache; /* their files, kept */
	/*
	 * The signature's rule (frame_skip.h): globs added to the built-in
	 * lists of frames skipped and of prefix frames, and how many frames
	 * of the program's code a signature takes.
	 */
	char **signature_skip;
	char **signature_prefix;
	unsigned signature_frames;
	char *pid_file; /* absolute: the daemon holds it locked (pidfile.h) */
	struct kernel_config kernel;
};

enum action_type {
	ACTION_LOG,
	ACTION_EXEC,
	ACTION_DELETE,
	ACTION_MAIL,
	ACTION_WEBHOOK,
	ACTION_METRICS,
	ACTION_JOURNAL,
	_ACTION_TYPE_MAX,
};

/* Which crashes an action applies to; an empty list matches all. */
struct action_match {
	int *signals;
	size_t n_signals;
	char **executables; /* globs, NULL-terminated */
	unsigned *uids;
	size_t n_uids;
	char **hostnames; /* globs, NULL-terminated */
	int has_core; /* -1: either, 0: without, 1: with */
	unsigned kinds; /* bit (1 << enum dump_kind) per kind; 0: every kind */
};

/* What a delete action removes (actions.what). */
enum delete_what {
	DELETE_DUMP, /* the whole dump directory */
	DELETE_CORE, /* its core only */
	_DELETE_WHAT_MAX,
};

enum mail_starttls {
	STARTTLS_TRY, /* opportunistic */
	STARTTLS_REQUIRED,
	STARTTLS_OFF,
	_STARTTLS_MAX,
};

enum webhook_format {
	WEBHOOK_JSON,
	WEBHOOK_SLACK,
	WEBHOOK_ALERTMANAGER,
	_WEBHOOK_FORMAT_MAX,
};

struct action_config {
	char *name;
	enum action_type type;
	struct action_match match;
	char **command; /* exec: argv, NULL-terminated */
	uint64_t timeout_ms; /* exec */
	enum delete_what what; /* delete */
	uint64_t after_ms; /* delete: age at which it applies */

	/* mail */
	char **to; /* addresses, NULL-terminated */
	char *from; /* NULL: crashd@<hostname> */
	char *smtp; /* smtp:// or smtps:// URL, or NULL */
	char *sendmail; /* absolute path of a sendmail-compatible binary */
	enum mail_starttls starttls;
	char *auth_file; /* "user:password", root's alone */
	char *subject; /* template: {reason} {hostname} ... */
	bool include_environ; /* key "environ" (mail, journal) */
	char **redact; /* environ name globs; NULL: the built-in list */
	bool attach_core;
	uint64_t attach_max; /* bytes */

	/* webhook */
	char *url; /* the first of urls */
	/*
	 * Every URL url = [ ... ] lists (an Alertmanager HA pair: each is
	 * posted to); NULL when url is one string.
	 */
	char **urls;
	enum webhook_format format;
	char **headers; /* "Name: value", NULL-terminated */
	char *token_file; /* bearer token, root's alone */

	/* metrics */
	char
	    *path; /* the .prom file node_exporter's textfile collector reads */
	unsigned max_series; /* label sets kept; the least recent go */

	/* mail and webhook (timeout_ms too: one attempt's total time) */
	unsigned attempts; /* daemon.delivery's for this action; 0: those */
	uint64_t backoff_ms; /* 0: daemon.delivery.backoff */
	uint64_t max_backoff_ms; /* 0: daemon.delivery.max_backoff */
	bool tls_verify;
	char *ca_file;
	uint64_t connect_timeout_ms;
};

/* Environment names a mail redacts when no redact list is configured. */
extern const char *const config_default_redact[];

/* The subject of a mail when none is configured. */
#define CONFIG_DEFAULT_SUBJECT "[crashd] {reason} on {hostname}"

struct config {
	char *path; /* the file it came from, or NULL for built-in defaults */
	char *spool;
	struct hook_config hook;
	struct daemon_config daemon;
	struct action_config *actions;
	size_t n_actions;
};

const char *core_mode_to_string(enum core_mode m);
int core_mode_from_string(const char *s);
const char *action_type_to_string(enum action_type t);
const char *dedupe_field_to_string(enum dedupe_field f);
const char *webhook_format_to_string(enum webhook_format f);

/* True when an action of this type is a notification (rate-limited). */
bool action_type_notifies(enum action_type t);

/* Fills c with the built-in defaults. Returns 0 or -ENOMEM. */
int config_defaults(struct config *c);
void config_done(struct config *c);

/* A config is at most this many bytes (the shipped one is 10K). */
#define CONFIG_MAX_SIZE (1024 * 1024)

/*
 * Loads path into *ret (which must not hold a config: on success it is
 * overwritten, on failure untouched).  Every problem found is appended to
 * errors as one "file:line: key: problem" line.  Returns 0, -ENOENT when
 * the file does not exist, -EPERM when it is not safely owned, -EINVAL
 * when it has errors, or another -errno.
 */
int config_load(const char *path, struct config *ret, struct buf *errors);

#endif
