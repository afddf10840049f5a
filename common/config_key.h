/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The inside of config_load(), shared by its files and no one else: what
 * a row of the key table says (config_keys.c), the loader that collects
 * "file:line: key: problem" lines (config.c), the value parsers
 * (config_value.c), the name tables (config_names.c) and each action
 * kind's checks (config_action.c and config_<kind>.c).
 */
#ifndef CRASHD_CONFIG_KEY_H
#define CRASHD_CONFIG_KEY_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"
#include "config.h"

enum key_type {
	KEY_STRING, /* char *; an absolute path with .absolute */
	KEY_INT, /* int, within [min, max] */
	KEY_UINT, /* unsigned, within [min, max] */
	KEY_BOOL, /* bool */
	KEY_TRISTATE, /* int: a bool, -1 when absent */
	KEY_SIZE, /* uint64_t bytes: "64M" or an integer; at most max (> 0) */
	KEY_DURATION, /* uint64_t ms: "10m" or integer seconds; [min, max] */
	KEY_RATE, /* struct rate: "5/10m", a count of at least min */
	KEY_GLOBS, /* char ** (NULL-terminated): [ "*.sh", ... ] */
	KEY_ARGV, /* char ** (NULL-terminated): [ "/bin/cmd", "arg" ] */
	KEY_STRINGS, /* char ** (NULL-terminated): [ "a", "b" ], none empty */
	KEY_ENUM, /* an enum (int-sized), one of names[] */
	KEY_ENUM_SET, /* unsigned bit mask of names[]; .alone: "name" too */
	KEY_SIGNALS, /* int * + size_t count: [ "SEGV", 6 ] */
	KEY_UIDS, /* unsigned * + size_t count: [ 0, 1000 ] */
};

struct config_loader;

/* One key of crashd.conf: everything about it but its documentation. */
struct config_key {
	const char *path; /* "section.name" */
	enum key_type type;
	size_t offset; /* into struct config, or struct action_config */
	size_t count_offset; /* KEY_SIGNALS, KEY_UIDS: where the count goes */
	unsigned types; /* action keys: bit (1 << enum action_type) */
	long long min, max; /* see enum key_type */
	bool absolute; /* KEY_STRING: must start with '/' */
	/*
	 * KEY_STRING: a list of strings is taken too, stored there (char **),
	 * its first also as the string; 0: a string only.
	 */
	size_t list_offset;
	bool alone; /* KEY_ENUM_SET: one name may be written alone */
	const char *const *names; /* KEY_ENUM, KEY_ENUM_SET */
	int n_names;
	/* The default: .i for numbers, bools and enums, else by type. */
	struct {
		long long i;
		const char *s; /* KEY_STRING; NULL: none */
		const char *const *strv; /* lists; NULL: none */
		struct rate rate;
	} def;
	/*
	 * Top-level keys: a check of the value beyond its type, run when
	 * the key is set, once every top-level key is applied.  (An
	 * action's checks are its kind's: config_<kind>_check().)
	 */
	void (*check)(struct config_loader *l, const config_setting_t *s,
	    const struct config_key *k, const void *base);
};

/* The top-level keys and the keys of one action, in config_keys.c. */
extern const struct config_key config_keys[];
extern const size_t config_n_keys;
extern const struct config_key config_action_keys[];
extern const size_t config_n_action_keys;

const struct config_key *config_key_lookup(
    const struct config_key *keys, size_t n, const char *path);
/* True when path is a section that may hold keys. */
bool config_section_known(const char *path);

/*
 * Sets k's field in base to its default, first freeing what it held.
 * Returns 0 or -ENOMEM.
 */
int config_key_default(const struct config_key *k, void *base);
/* Frees what k's field in base holds and empties it. */
void config_key_free(const struct config_key *k, void *base);

/* What collects the problems of one file. */
struct config_loader {
	const char *file;
	config_t *lc; /* the parsed file */
	struct buf *errors;
	int n_errors;
};

/* Appends "file:line: key: problem" (s gives the line; NULL: 0). */
void config_problem(struct config_loader *l, const config_setting_t *s,
    const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Parses setting s as k's type into base (config_value.c). */
void config_apply(struct config_loader *l, const config_setting_t *s,
    const struct config_key *k, void *base);

/*
 * Applies every setting of group (whose path is prefix) from keys to
 * base.  For an action (not NULL), its type limits the keys that apply.
 */
void config_walk(struct config_loader *l, const config_setting_t *group,
    const char *prefix, const struct config_key *keys, size_t n_keys,
    void *base, const struct action_config *action);

/* The setting of key k in action group g, for a line number, else g. */
const config_setting_t *config_member_or(
    const config_setting_t *g, const char *k);

/* Loads the actions list of root into c (config_action.c). */

void config_load_actions(
    struct config_loader *l, const config_setting_t *root, struct config *c);
/* Frees what an action holds (config_done() calls it for each). */
void config_action_done(struct action_config *a);

/*
 * The checks of one action kind across its keys, once they are all
 * applied: g is the action's group, a what it set.
 */
void config_exec_check(struct config_loader *l, const config_setting_t *g,
    const struct action_config *a);
void config_mail_check(struct config_loader *l, const config_setting_t *g,
    const struct action_config *a);
void config_webhook_check(struct config_loader *l, const config_setting_t *g,
    const struct action_config *a);
void config_metrics_check(struct config_loader *l, const config_setting_t *g,
    const struct action_config *a);

/* The names of the enums, in their order (config_names.c). */
extern const char *const config_core_mode_names[_CORE_MODE_MAX];
extern const char *const config_action_type_names[_ACTION_TYPE_MAX];
extern const char *const config_dedupe_field_names[_DEDUPE_FIELD_MAX];
extern const char *const config_koops_marker_names[_KOOPS_MARKER_MAX];
extern const char *const config_delete_what_names[_DELETE_WHAT_MAX];
extern const char *const config_starttls_names[_STARTTLS_MAX];
extern const char *const config_webhook_format_names[_WEBHOOK_FORMAT_MAX];

#endif
