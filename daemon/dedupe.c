/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dedupe.c owns the dedupe key and the per-key state files.
 */
#include "dedupe.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "fsutil.h"
#include "hookstate.h"

/*
 * A kernel report's key: its kind and signature (kernel_dumps.h), the
 * same bug whatever process it hit; executable and signal mean nothing
 * there.
 */
static int
kernel_key(const struct dump *d, struct buf *out, uint64_t *ret_hash)
{
	int r = buf_printf(out, "kind=%s signature=", dump_kind_names[d->kind]);

	if (r >= 0)
		r = escape_c(out, d->signature, strlen(d->signature));
	if (r < 0)
		return r;
	*ret_hash = hookstate_key(out->data);
	return 0;
}

int
dedupe_key(
    unsigned fields, const struct dump *d, struct buf *out, uint64_t *ret_hash)
{
	int r = 0;

	if (DUMP_KIND_IS_KERNEL(d->kind))
		return kernel_key(d, out, ret_hash);

	for (int f = 0; f < _DEDUPE_FIELD_MAX && r >= 0; f++) {
		const char *v = NULL;
		char num[32];

		if (!(fields & (1u << f)))
			continue;
		switch ((enum dedupe_field)f) {
		case DEDUPE_EXECUTABLE:
			v = d->executable;
			break;
		case DEDUPE_SIGNAL:
			snprintf(num, sizeof(num), "%d", d->signal);
			v = num;
			break;
		case DEDUPE_UID:
			snprintf(num, sizeof(num), "%lld", d->uid);
			v = num;
			break;
		case DEDUPE_CONTAINER:
			v = d->container;
			break;
		case DEDUPE_HOSTNAME:
			v = d->hostname;
			break;
		case DEDUPE_SIGNATURE:
			v = d->signature;
			break;
		case _DEDUPE_FIELD_MAX:
			break;
		}
		if (out->len > 0)
			r = buf_putc(out, ' ');
		if (r >= 0)
			r = buf_printf(out, "%s=", dedupe_field_to_string(f));
		if (r >= 0)
			r = escape_c(out, v, strlen(v));
	}
	if (r < 0)
		return r;
	*ret_hash = hookstate_key(out->data ? out->data : "");
	return 0;
}

int
dedupe_open_keys(int spool_dirfd)
{
	char path[64];
	int r;

	snprintf(path, sizeof(path), "%s/%s", SPOOL_STATE, DEDUPE_KEYS_DIR);
	r = mkdir_at_safe(spool_dirfd, SPOOL_STATE, SPOOL_STATE_MODE);
	if (r >= 0)
		r = mkdir_at_safe(spool_dirfd, path, 0700);
	if (r < 0)
		return r;
	return open_dir_at(spool_dirfd, path);
}

static void
file_name(uint64_t hash, char *buf, size_t size)
{
	snprintf(buf, size, "%016" PRIx64, hash);
}

void
keystate_done(struct keystate *ks)
{
	if (ks == NULL)
		return;
	free(ks->key);
	free(ks->executable);
	ks->key = ks->executable = NULL;
}

/* Copies a value of at most size-1 bytes; longer ones are refused. */
static void
set_name(char *dst, size_t size, const char *v)
{
	if (strlen(v) < size)
		strcpy(dst, v);
}

int
keystate_load(
    int keys_dirfd, uint64_t hash, const char *key, struct keystate *ks)
{
	char name[32], *data = NULL;
	size_t len;
	bool same = false;
	int r;

	memset(ks, 0, sizeof(*ks));
	ks->hash = hash;
	ks->key = strdup(key ? key : "");
	if (ks->key == NULL)
		return -ENOMEM;
	file_name(hash, name, sizeof(name));
	r = read_file_at(keys_dirfd, name, 64 * 1024, &data, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	for (char *line = data, *nl; line && *line; line = nl) {
		char *v = strchr(line, ' ');

		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		if (v == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "key") == 0) {
			same = key == NULL || strcmp(v, key) == 0;
			if (key == NULL) {
				free(ks->key);
				ks->key = strdup(v);
			}
		} else if (strcmp(line, "first") == 0)
			set_name(ks->first, sizeof(ks->first), v);
		else if (strcmp(line, "last") == 0)
			set_name(ks->last, sizeof(ks->last), v);
		else if (strcmp(line, "count") == 0)
			ks->count = strtoull(v, NULL, 10);
		else if (strcmp(line, "first_seen") == 0)
			ks->first_seen = strtoll(v, NULL, 10);
		else if (strcmp(line, "last_seen") == 0)
			ks->last_seen = strtoll(v, NULL, 10);
		else if (strcmp(line, "last_notified") == 0)
			ks->last_notified = strtoll(v, NULL, 10);
		else if (strcmp(line, "held_back") == 0)
			ks->held_back = strtoull(v, NULL, 10);
		else if (strcmp(line, "held_since") == 0)
			ks->held_since = strtoll(v, NULL, 10);
		else if (strcmp(line, "tat_ms") == 0)
			ks->tat_ms = strtoll(v, NULL, 10);
		else if (strcmp(line, "digest_id") == 0)
			ks->digest_id = strtoll(v, NULL, 10);
		else if (strcmp(line, "last_digest_id") == 0)
			ks->last_digest_id = strtoll(v, NULL, 10);
		else if (strcmp(line, "digest_count") == 0)
			ks->digest_count = strtoull(v, NULL, 10);
		else if (strcmp(line, "executable") == 0 && !ks->executable)
			ks->executable = strdup(v);
		else if (strcmp(line, "signal") == 0)
			ks->signal = atoi(v);
	}
	free(data);
	if (ks->key == NULL) {
		keystate_done(ks);
		return -ENOMEM;
	}
	if (!same) {
		/* Another key with this hash, or garbage: start afresh. */
		char *k = ks->key;

		ks->key = NULL;
		keystate_done(ks);
		memset(ks, 0, sizeof(*ks));
		ks->hash = hash;
		ks->key = k;
		return 0;
	}
	return 1;
}

int
keystate_save(int keys_dirfd, const struct keystate *ks)
{
	char name[32];
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = buf_printf(&b,
	    "key %s\nfirst %s\nlast %s\ncount %llu\nfirst_seen %lld\n"
	    "last_seen %lld\nlast_notified %lld\nheld_back %llu\n"
	    "held_since %lld\ntat_ms %lld\ndigest_id %lld\ndigest_count %llu\n"
	    "last_digest_id %lld\nexecutable %s\nsignal %d\n",
	    ks->key, ks->first, ks->last, (unsigned long long)ks->count,
	    ks->first_seen, ks->last_seen, ks->last_notified,
	    (unsigned long long)ks->held_back, ks->held_since,
	    (long long)ks->tat_ms, ks->digest_id,
	    (unsigned long long)ks->digest_count, ks->last_digest_id,
	    ks->executable ? ks->executable : "", ks->signal);
	if (r < 0)
		goto out;
	file_name(ks->hash, name, sizeof(name));
	r = replace_file_at(keys_dirfd, name, b.data, b.len, 0600, true);
out:
	buf_done(&b);
	return r;
}

bool
keystate_pending(const struct keystate *ks)
{
	return ks->held_back > 0 || ks->digest_id != 0;
}
