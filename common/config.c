/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.c owns loading crashd.conf: refusing a file that is not root's
 * or is writable by others, reading it within its cap, walking every
 * setting against the key table (config_keys.c) into a fresh struct
 * config, and reporting every problem as "file:line: key: problem".
 * Values are config_value.c's, the actions list config_action.c's.
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

#include "config_key.h"
#include "config_raw.h"
#include "escape.h"
#include "fsutil.h"

int
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < config_n_keys; i++)
		if (config_key_default(&config_keys[i], c) < 0) {
			config_done(c);
			return -ENOMEM;
		}
	return 0;
}

void
config_done(struct config *c)
{
	if (c == NULL)
		return;
	free(c->path);
	for (size_t i = 0; i < config_n_keys; i++)
		config_key_free(&config_keys[i], c);
	for (size_t i = 0; i < c->n_actions; i++)
		config_action_done(&c->actions[i]);
	free(c->actions);
	memset(c, 0, sizeof(*c));
}

void
config_problem(struct config_loader *l, const config_setting_t *s,
    const char *key, const char *fmt, ...)
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

void
config_walk(struct config_loader *l, const config_setting_t *group,
    const char *prefix, const struct config_key *keys, size_t n_keys,
    void *base, const struct action_config *action)
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
			config_problem(l, s, prefix, "a key name is too long");
			continue;
		}
		/*
		 * One file: an @include would bypass check_file_secrecy() (it
		 * may name a file anyone can write).
		 */
		if (config_setting_source_file(s) != NULL) {
			config_problem(l, s, path,
			    "set in @include \"%s\": not supported",
			    config_setting_source_file(s));
			continue;
		}
		if (config_setting_type(s) == CONFIG_TYPE_GROUP) {
			if (config_section_known(path))
				config_walk(
				    l, s, path, keys, n_keys, base, action);
			else
				config_problem(l, s, path, "unknown section");
			continue;
		}
		if (action == NULL && strcmp(path, "actions") == 0)
			continue; /* see config_load_actions() */
		k = config_key_lookup(keys, n_keys, path);
		if (k == NULL) {
			config_problem(l, s, path,
			    config_section_known(path)
				? "expected a section { ... }"
				: "unknown key");
			continue;
		}
		if (action && action->type < _ACTION_TYPE_MAX &&
		    !(k->types & 1u << action->type)) {
			config_problem(l, s, path,
			    "does not apply to an action of type \"%s\"",
			    action_type_to_string(action->type));
			continue;
		}
		config_apply(l, s, k, base);
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

/*
 * Runs the checks of the keys that have one (a value beyond its type),
 * for each one set, once every key is applied.
 */
static void
check_keys(struct config_loader *l, const struct config *c)
{
	for (size_t i = 0; i < config_n_keys; i++) {
		const struct config_key *k = &config_keys[i];
		const config_setting_t *s;

		if (k->check == NULL)
			continue;
		s = config_lookup(l->lc, k->path);
		if (s)
			k->check(l, s, k, c);
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
	config_t lc;
	struct config_loader l = {
		.file = path, .lc = &lc, .errors = errors, .n_errors = 0
	};
	struct config c;
	struct stat st = { 0 };
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
	config_walk(&l, config_root_setting(&lc), "", config_keys,
	    config_n_keys, &c, NULL);
	check_keys(&l, &c);
	config_load_actions(&l, config_root_setting(&lc), &c);
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
