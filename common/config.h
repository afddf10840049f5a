/*
 * crashd.conf: one file, libconfig syntax, shared by the hook, the daemon
 * and the CLI.  Every key is listed once in config.c's table; an unknown
 * key, a wrong type or a bad value is an error naming file:line: key.
 */
#ifndef CRASHD_CONFIG_H
#define CRASHD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "units.h"

#define CONFIG_DEFAULT_PATH "/etc/crashd/crashd.conf"
#define CONFIG_DEFAULT_SPOOL "/var/spool/crashd"

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
	int core_level;		/* gzip level 0-9 */
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
};

struct config {
	char *path; /* the file it came from, or NULL for built-in defaults */
	char *spool;
	struct hook_config hook;
};

const char *core_mode_to_string(enum core_mode m);
int core_mode_from_string(const char *s);

/* Fills c with the built-in defaults. Returns 0 or -ENOMEM. */
int config_defaults(struct config *c);
void config_done(struct config *c);

/*
 * Loads path into *ret (which must not hold a config: on success it is
 * overwritten, on failure untouched).  Every problem found is appended to
 * errors as one "file:line: key: problem" line.  Returns 0, -ENOENT when
 * the file does not exist, -EPERM when it is not safely owned, -EINVAL
 * when it has errors, or another -errno.
 */
int config_load(const char *path, struct config *ret, struct buf *errors);

#endif
