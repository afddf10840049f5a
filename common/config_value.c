/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_value.c owns the values of crashd.conf's keys, by type (enum
 * key_type): parsing a setting into its field with the problem it has,
 * setting a field to its row's default, and freeing it.
 */
#include <errno.h>
#include <libconfig.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_key.h"
#include "signame.h"
#include "strv.h"
#include "units.h"

/* KEY_ENUM fields are enums, stored through an int. */
_Static_assert(sizeof(enum core_mode) == sizeof(int), "enum size");
_Static_assert(sizeof(enum action_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum delete_what) == sizeof(int), "enum size");
_Static_assert(sizeof(enum mail_starttls) == sizeof(int), "enum size");
_Static_assert(sizeof(enum webhook_format) == sizeof(int), "enum size");

void
config_key_free(const struct config_key *k, void *base)
{
	void *field = (char *)base + k->offset;

	switch (k->type) {
	case KEY_STRING:
		free(*(char **)field);
		*(char **)field = NULL;
		if (k->list_offset) {
			strv_free(*(char ***)((char *)base + k->list_offset));
			*(char ***)((char *)base + k->list_offset) = NULL;
		}
		return;
	case KEY_GLOBS:
	case KEY_ARGV:
	case KEY_STRINGS:
		strv_free(*(char ***)field);
		*(char ***)field = NULL;
		return;
	case KEY_SIGNALS:
	case KEY_UIDS:
		free(*(void **)field);
		*(void **)field = NULL;
		*(size_t *)((char *)base + k->count_offset) = 0;
		return;
	default:
		return;
	}
}

int
config_key_default(const struct config_key *k, void *base)
{
	void *field = (char *)base + k->offset;

	config_key_free(k, base);
	switch (k->type) {
	case KEY_STRING:
		if (k->def.s == NULL)
			return 0;
		*(char **)field = strdup(k->def.s);
		return *(char **)field ? 0 : -ENOMEM;
	case KEY_GLOBS:
	case KEY_ARGV:
	case KEY_STRINGS:
		if (k->def.strv == NULL)
			return 0;
		*(char ***)field = strv_copy(k->def.strv);
		return *(char ***)field ? 0 : -ENOMEM;
	case KEY_SIGNALS:
	case KEY_UIDS:
		return 0; /* an empty list matches all */
	case KEY_INT:
	case KEY_TRISTATE:
	case KEY_ENUM:
		*(int *)field = (int)k->def.i;
		return 0;
	case KEY_UINT:
	case KEY_ENUM_SET:
		*(unsigned *)field = (unsigned)k->def.i;
		return 0;
	case KEY_BOOL:
		*(bool *)field = k->def.i != 0;
		return 0;
	case KEY_SIZE:
	case KEY_DURATION:
		*(uint64_t *)field = (uint64_t)k->def.i;
		return 0;
	case KEY_RATE:
		*(struct rate *)field = k->def.rate;
		return 0;
	}
	return 0;
}

/*
 * Returns the index of v in k's names, or -1 after reporting "expected
 * <what> a, b, c, got v" at setting s.
 */
static int
name_index(struct config_loader *l, const config_setting_t *s,
    const struct config_key *k, const char *v, const char *what)
{
	struct buf names;

	for (int i = 0; i < k->n_names; i++)
		if (strcmp(v, k->names[i]) == 0)
			return i;
	buf_init(&names, 0);
	for (int i = 0; i < k->n_names; i++)
		buf_printf(&names, "%s%s", i ? ", " : "", k->names[i]);
	config_problem(l, s, k->path, "expected %s %s, got \"%s\"", what,
	    names.data ? names.data : "", v);
	buf_done(&names);
	return -1;
}

/* Returns the string value of s, reporting a type error if it has none. */
static const char *
want_string(struct config_loader *l, const config_setting_t *s, const char *key,
    const char *what)
{
	const char *v;

	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		config_problem(l, s, key, "expected %s", what);
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
want_list(struct config_loader *l, const config_setting_t *s, const char *key,
    const char *example)
{
	int type = config_setting_type(s);

	if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST) {
		config_problem(l, s, key, "expected a list, like %s", example);
		return -1;
	}
	return config_setting_length(s);
}

/* A list of strings: globs (non-empty) or an argv (non-empty list). */
static void
apply_strv(struct config_loader *l, const config_setting_t *s,
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
		config_problem(l, s, k->path, "must not be empty");
		return;
	}
	g = calloc((size_t)n + 1, sizeof(char *));
	if (g == NULL) {
		config_problem(l, s, k->path, "out of memory");
		return;
	}
	for (int i = 0; i < n; i++) {
		config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = want_string(l, e, k->path, "a list of strings");

		if (v == NULL)
			break;
		if (globs && v[0] == '\0') {
			config_problem(l, e, k->path,
			    k->type == KEY_GLOBS ? "empty pattern"
						 : "empty string");
			break;
		}
		if (!globs && i == 0 && v[0] != '/') {
			config_problem(l, e, k->path,
			    "the command must be an absolute path, got \"%s\"",
			    v);
			break;
		}
		g[i] = strdup(v);
		if (g[i] == NULL) {
			config_problem(l, e, k->path, "out of memory");
			break;
		}
	}
	strv_free(*field);
	*field = g;
}

/*
 * A string key that takes a list too (k->list_offset): the list, not
 * empty, and its first as the string.
 */
static void
apply_string_list(struct config_loader *l, const config_setting_t *s,
    const struct config_key *k, void *base, void *field)
{
	struct config_key as_list = *k;
	char ***list = (char ***)((char *)base + k->list_offset);

	as_list.type = KEY_STRINGS;
	apply_strv(l, s, &as_list, list);
	if (*list == NULL || (*list)[0] == NULL) {
		if (*list != NULL)
			config_problem(l, s, k->path, "must not be empty");
		return;
	}
	free(*(char **)field);
	*(char **)field = strdup((*list)[0]);
	if (*(char **)field == NULL)
		config_problem(l, s, k->path, "out of memory");
}

/* [ "SEGV", "SIGABRT", 6 ] or [ 0, 1000 ] into an int array. */
static void
apply_numbers(struct config_loader *l, const config_setting_t *s,
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
		config_problem(l, s, k->path, "out of memory");
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
			config_problem(l, e, k->path,
			    "expected signal names or numbers like \"SEGV\" or "
			    "11");
			free(v);
			return;
		}
		if (!sig && (x < 0 || x > UINT32_MAX)) {
			config_problem(l, e, k->path, "expected numeric uids");
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
apply_enum_set(struct config_loader *l, const config_setting_t *s,
    const struct config_key *k, unsigned *field)
{
	unsigned mask = 0;
	int n;

	/* Where .alone, one name may be written alone: kind = "snapshot". */
	bool one = k->alone && config_setting_type(s) == CONFIG_TYPE_STRING;

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
		j = name_index(l, e, k, v, "names from");
		if (j < 0)
			return;
		mask |= 1u << j;
	}
	if (mask == 0) {
		config_problem(l, s, k->path, "must name at least one field");
		return;
	}
	*field = mask;
}

void
config_apply(struct config_loader *l, const config_setting_t *s,
    const struct config_key *k, void *base)
{
	void *field = (char *)base + k->offset;
	const char *v;
	long long iv;
	uint64_t u;
	struct rate rate;
	int r;

	switch (k->type) {
	case KEY_STRING:
		if (k->list_offset &&
		    (config_setting_type(s) == CONFIG_TYPE_ARRAY ||
			config_setting_type(s) == CONFIG_TYPE_LIST)) {
			apply_string_list(l, s, k, base, field);
			return;
		}
		v = want_string(l, s, k->path, "a string");
		if (v == NULL)
			return;
		if (k->absolute && v[0] != '/') {
			config_problem(l, s, k->path,
			    "expected an absolute path, got \"%s\"", v);
			return;
		}
		free(*(char **)field);
		*(char **)field = strdup(v);
		if (*(char **)field == NULL)
			config_problem(l, s, k->path, "out of memory");
		return;
	case KEY_INT:
	case KEY_UINT:
		if (!is_integer(s)) {
			config_problem(l, s, k->path,
			    "expected an integer from %lld to %lld", k->min,
			    k->max);
			return;
		}
		iv = config_setting_get_int64(s);
		if (iv < k->min || iv > k->max) {
			config_problem(l, s, k->path,
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
			config_problem(l, s, k->path, "expected true or false");
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
				config_problem(
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
				config_problem(l, s, k->path,
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
			config_problem(
			    l, s, k->path, "at most %s, got %s", max, got);
			return;
		}
		*(uint64_t *)field = u;
		return;
	case KEY_DURATION:
		if (is_integer(s)) {
			iv = config_setting_get_int64(s);
			if (iv < 0 || iv > INT32_MAX) {
				config_problem(l, s, k->path,
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
				config_problem(l, s, k->path,
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
				config_problem(l, s, k->path,
				    "must be between %lldms and %llds", k->min,
				    k->max / 1000);
			else
				config_problem(l, s, k->path,
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
			config_problem(l, s, k->path,
			    "\"%s\": a count of 0 would let nothing through; "
			    "expected COUNT/DURATION like \"5/10m\" with COUNT "
			    "at least 1",
			    v);
			return;
		}
		if (r < 0) {
			config_problem(l, s, k->path,
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
		r = name_index(l, s, k, v, "one of");
		if (r >= 0)
			*(int *)field = r;
		return;
	}
}
