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
#include <sys/stat.h>
#include <unistd.h>

#include "fsutil.h"

static const char *const core_mode_names[_CORE_MODE_MAX] = {
	[CORE_MODE_NONE] = "none",
	[CORE_MODE_MINI] = "mini",
	[CORE_MODE_TRUNCATE] = "truncate",
	[CORE_MODE_FULL] = "full",
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

enum key_type {
	KEY_STRING, /* char *, absolute path when min == 1 */
	KEY_INT,    /* int, within [min, max] */
	KEY_BOOL,   /* bool */
	KEY_SIZE,   /* uint64_t bytes: "64M" or an integer */
	KEY_DURATION, /* uint64_t milliseconds: "10m" or integer seconds */
	KEY_RATE,   /* struct rate: "5/10m" */
	KEY_GLOBS,  /* char ** (NULL-terminated): [ "*.sh", ... ] */
	KEY_ENUM,   /* int, one of names[] */
};

struct config_key {
	const char *path;
	enum key_type type;
	size_t offset;
	long long min, max;
	const char *const *names;
	int n_names;
};

#define HOOK(field) (offsetof(struct config, hook) + \
	offsetof(struct hook_config, field))

/* Sections that may hold keys; anything else is an unknown section. */
static const char *const config_sections[] = {
	"hook",
	"hook.core",
	"hook.limits",
};

static const struct config_key config_keys[] = {
	{ "spool", KEY_STRING, offsetof(struct config, spool), 1, 0, NULL, 0 },
	{ "hook.core.mode", KEY_ENUM, HOOK(core_mode), 0, 0, core_mode_names,
	    _CORE_MODE_MAX },
	{ "hook.core.max_size", KEY_SIZE, HOOK(core_max_size), 0, 0, NULL, 0 },
	{ "hook.core.level", KEY_INT, HOOK(core_level), 0, 9, NULL, 0 },
	{ "hook.core.honour_rlimit", KEY_BOOL, HOOK(core_honour_rlimit), 0, 0,
	    NULL, 0 },
	{ "hook.ignore", KEY_GLOBS, HOOK(ignore), 0, 0, NULL, 0 },
	{ "hook.limits.per_executable", KEY_RATE, HOOK(per_executable), 0, 0,
	    NULL, 0 },
	{ "hook.limits.global", KEY_RATE, HOOK(global), 0, 0, NULL, 0 },
	{ "hook.limits.cores_per_executable", KEY_RATE,
	    HOOK(cores_per_executable), 0, 0, NULL, 0 },
	{ "hook.limits.cores_global", KEY_RATE, HOOK(cores_global), 0, 0, NULL,
	    0 },
	{ "hook.limits.spool_max", KEY_SIZE, HOOK(spool_max), 0, 0, NULL, 0 },
	{ "hook.limits.keep_free", KEY_SIZE, HOOK(keep_free), 0, 0, NULL, 0 },
	{ "hook.time_budget", KEY_DURATION, HOOK(time_budget_ms), 100,
	    3600 * 1000, NULL, 0 },
	{ "hook.sync", KEY_BOOL, HOOK(sync), 0, 0, NULL, 0 },
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))
#define N_SECTIONS (sizeof(config_sections) / sizeof(config_sections[0]))

static void
globs_free(char **g)
{
	if (g == NULL)
		return;
	for (char **p = g; *p; p++)
		free(*p);
	free(g);
}

int
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	c->spool = strdup(CONFIG_DEFAULT_SPOOL);
	c->hook.ignore = calloc(1, sizeof(char *));
	if (c->spool == NULL || c->hook.ignore == NULL) {
		config_done(c);
		return -ENOMEM;
	}
	/*
	 * "mini" is the mode we want by default once it exists; until then a
	 * bounded truncated core is the most useful safe choice.
	 */
	c->hook.core_mode = CORE_MODE_TRUNCATE;
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
	return 0;
}

void
config_done(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	free(c->spool);
	globs_free(c->hook.ignore);
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
	buf_printf(l->errors, "%s:%u: %s: %s\n", l->file,
	    s ? config_setting_source_line(s) : 0, key, msg);
	l->n_errors++;
}

static const struct config_key *
key_lookup(const char *path)
{
	for (size_t i = 0; i < N_KEYS; i++)
		if (strcmp(config_keys[i].path, path) == 0)
			return &config_keys[i];
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

static void
apply_globs(struct loader *l, const config_setting_t *s, const char *key,
    char ***field)
{
	int n, type = config_setting_type(s);
	char **g;

	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		problem(l, s, key, "expected a list of strings, like [ \"*/php-fpm\" ]");
		return;
	}
	n = config_setting_length(s);
	g = calloc((size_t)n + 1, sizeof(char *));
	if (g == NULL) {
		problem(l, s, key, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = want_string(l, e, key, "a string pattern");

		if (v == NULL)
			break;
		if (v[0] == '\0') {
			problem(l, e, key, "empty pattern");
			break;
		}
		g[i] = strdup(v);
		if (g[i] == NULL) {
			problem(l, e, key, "out of memory");
			break;
		}
	}
	globs_free(*field);
	*field = g;
}

static void
apply(struct loader *l, const config_setting_t *s, const struct config_key *k,
    struct config *c)
{
	void *field = (char *)c + k->offset;
	const char *v;
	long long iv;
	uint64_t u;
	struct rate rate;
	int r, type = config_setting_type(s);

	switch (k->type) {
	case KEY_STRING:
		v = want_string(l, s, k->path, "a string");
		if (v == NULL)
			return;
		if (k->min == 1 && v[0] != '/') {
			problem(l, s, k->path, "expected an absolute path, got \"%s\"", v);
			return;
		}
		free(*(char **)field);
		*(char **)field = strdup(v);
		if (*(char **)field == NULL)
			problem(l, s, k->path, "out of memory");
		return;
	case KEY_INT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
			problem(l, s, k->path, "expected an integer from %lld to %lld",
			    k->min, k->max);
			return;
		}
		iv = config_setting_get_int64(s);
		if (iv < k->min || iv > k->max) {
			problem(l, s, k->path, "%lld is out of range %lld..%lld",
			    iv, k->min, k->max);
			return;
		}
		*(int *)field = (int)iv;
		return;
	case KEY_BOOL:
		if (type != CONFIG_TYPE_BOOL) {
			problem(l, s, k->path, "expected true or false");
			return;
		}
		*(bool *)field = config_setting_get_bool(s);
		return;
	case KEY_SIZE:
		if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
			iv = config_setting_get_int64(s);
			if (iv < 0) {
				problem(l, s, k->path, "a size cannot be negative");
				return;
			}
			*(uint64_t *)field = (uint64_t)iv;
			return;
		}
		v = want_string(l, s, k->path, "a size like \"64M\"");
		if (v == NULL)
			return;
		r = units_parse_size(v, &u);
		if (r < 0) {
			problem(l, s, k->path,
			    "expected a size like \"512K\", \"64M\" or \"2G\", got \"%s\"", v);
			return;
		}
		*(uint64_t *)field = u;
		return;
	case KEY_DURATION:
		if (type == CONFIG_TYPE_INT || type == CONFIG_TYPE_INT64) {
			iv = config_setting_get_int64(s);
			if (iv < 0 || iv > INT32_MAX) {
				problem(l, s, k->path, "%lld is not a valid number of seconds", iv);
				return;
			}
			u = (uint64_t)iv * 1000;
		} else {
			v = want_string(l, s, k->path, "a duration like \"10s\"");
			if (v == NULL)
				return;
			r = units_parse_duration_ms(v, &u);
			if (r < 0) {
				problem(l, s, k->path,
				    "expected a duration like \"500ms\", \"30s\", \"10m\", \"1h\" or \"7d\", got \"%s\"", v);
				return;
			}
		}
		if (k->max > 0 && (u < (uint64_t)k->min || u > (uint64_t)k->max)) {
			problem(l, s, k->path, "must be between %lldms and %llds",
			    k->min, k->max / 1000);
			return;
		}
		*(uint64_t *)field = u;
		return;
	case KEY_RATE:
		v = want_string(l, s, k->path, "a rate like \"5/10m\"");
		if (v == NULL)
			return;
		r = units_parse_rate(v, &rate);
		if (r < 0) {
			problem(l, s, k->path,
			    "expected COUNT/DURATION like \"5/10m\" (window of at least 1s), got \"%s\"", v);
			return;
		}
		*(struct rate *)field = rate;
		return;
	case KEY_GLOBS:
		apply_globs(l, s, k->path, (char ***)field);
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
				buf_printf(&names, "%s%s", i ? ", " : "", k->names[i]);
			problem(l, s, k->path, "expected one of %s, got \"%s\"",
			    names.data ? names.data : "", v);
			buf_done(&names);
		}
		return;
	}
}

static void
walk(struct loader *l, const config_setting_t *group, const char *prefix,
    struct config *c)
{
	int n = config_setting_length(group);

	for (int i = 0; i < n; i++) {
		config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct config_key *k;
		char path[256];

		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
		    name ? name : "?");
		if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
			if (section_known(path))
				walk(l, s, path, c);
			else
				problem(l, s, path, "unknown section");
			continue;
		}
		k = key_lookup(path);
		if (k == NULL) {
			problem(l, s, path, section_known(path) ?
			    "expected a section { ... }" : "unknown key");
			continue;
		}
		apply(l, s, k, c);
	}
}

/*
 * Refuses a file that someone other than root (or us) could have written:
 * the hook runs as root on every crash.
 */
static int
check_file_secrecy(int fd, const char *path, struct buf *errors)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode)) {
		buf_printf(errors, "%s: not a regular file\n", path);
		return -EINVAL;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		buf_printf(errors, "%s: owned by uid %u, must be owned by root\n",
		    path, (unsigned)st.st_uid);
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		buf_printf(errors, "%s: group or world writable (mode %04o)\n",
		    path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int
config_load(const char *path, struct config *ret, struct buf *errors)
{
	struct loader l = { .file = path, .errors = errors, .n_errors = 0 };
	struct config c;
	config_t lc;
	FILE *f = NULL;
	int fd = -1, r;

	r = config_defaults(&c);
	if (r < 0)
		return r;
	config_init(&lc);

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		buf_printf(errors, "%s: %s\n", path, strerror(errno));
		goto out;
	}
	r = check_file_secrecy(fd, path, errors);
	if (r < 0)
		goto out;
	f = fdopen(fd, "r");
	if (f == NULL) {
		r = -errno;
		goto out;
	}
	fd = -1;
	if (config_read(&lc, f) != CONFIG_TRUE) {
		buf_printf(errors, "%s:%d: syntax error: %s\n", path,
		    config_error_line(&lc), config_error_text(&lc));
		r = -EINVAL;
		goto out;
	}
	walk(&l, config_root_setting(&lc), "", &c);
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
	if (f)
		fclose(f);
	safe_close(fd);
	return r;
}
