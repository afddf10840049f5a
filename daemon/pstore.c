/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pstore.c owns harvesting the panics pstore kept across a reboot
 * (pstore.h).
 */
#include "pstore.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "buf.h"
#include "bytes.h"
#include "daemon.h"
#include "fsutil.h"
#include "hookstate.h"
#include "kernel_dumps.h"
#include "koops.h"
#include "log.h"
#include "spool.h"

#define HARVESTED SPOOL_STATE "/pstore.harvested"
#define PARTS_MAX 64

struct part {
	char name[256];
	char why[16];
	long event; /* the N of "Panic#N" */
	long part;
	struct buf text; /* header and prefixes gone */
	long long mtime;
	char hash[17]; /* of its bytes, time stamps and all */
};

int
pstore_record_text(const char *data, size_t len, struct buf *out, char *ret_why,
    size_t why_size)
{
	const char *p = data, *end = data + len;
	int r = 0;

	ret_why[0] = '\0';
	/* "Panic#1 Part1" */
	if (len > 0) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl ? (size_t)(nl - p) : len;
		const char *hash = memchr(p, '#', n);

		if (hash && memmem(p, n, " Part", 5) &&
		    (size_t)(hash - p) < why_size) {
			memcpy(ret_why, p, (size_t)(hash - p));
			ret_why[hash - p] = '\0';
			p = nl ? nl + 1 : end;
		}
	}
	while (p < end && r >= 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		const char *s = p;

		p = nl ? nl + 1 : end;
		/* "<4>" then "[   12.345678] " */
		if (n > 2 && s[0] == '<') {
			const char *gt = memchr(s, '>', n < 6 ? n : 6);

			if (gt) {
				n -= (size_t)(gt + 1 - s);
				s = gt + 1;
			}
		}
		if (n > 2 && s[0] == '[') {
			const char *rb = memchr(s, ']', n < 20 ? n : 20);

			if (rb) {
				n -= (size_t)(rb + 1 - s);
				s = rb + 1;
				if (n > 0 && *s == ' ') {
					s++;
					n--;
				}
			}
		}
		r = buf_append(out, s, n);
		if (r >= 0)
			r = buf_putc(out, '\n');
	}
	return r < 0 ? r : 0;
}

/* zlib (or raw deflate) of a ".enc.z" record, at most PSTORE_FILE_MAX. */
static int
decompress(const char *data, size_t len, char **ret, size_t *ret_len)
{
	for (int attempt = 0; attempt < 2; attempt++) {
		z_stream z = { 0 };
		char *out = malloc(PSTORE_FILE_MAX);
		int zr;

		if (out == NULL)
			return -ENOMEM;
		if (inflateInit2(&z, attempt == 0 ? 15 + 32 : -15) != Z_OK) {
			free(out);
			return -ENOMEM;
		}
		z.next_in = (Bytef *)data;
		z.avail_in = (uInt)len;
		z.next_out = (Bytef *)out;
		z.avail_out = PSTORE_FILE_MAX;
		zr = inflate(&z, Z_FINISH);
		if (zr == Z_STREAM_END ||
		    (zr == Z_BUF_ERROR && z.total_out > 0)) {
			*ret_len = z.total_out;
			*ret = out;
			inflateEnd(&z);
			return 0;
		}
		inflateEnd(&z);
		free(out);
	}
	return -EBADMSG;
}

/* Reads one record file of dirfd into p.  0, or -errno (skipped). */
static int
read_part(int dirfd, const char *name, struct part *p)
{
	char *data = NULL, *plain = NULL;
	size_t len = 0, plen;
	struct buf raw; /* data as a string, for its hash */
	struct stat st;
	int r;

	memset(p, 0, sizeof(*p));
	buf_init(&p->text, 0);
	buf_init(&raw, 0);
	snprintf(p->name, sizeof(p->name), "%s", name);
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	p->mtime = (long long)st.st_mtime;
	r = read_file_at(dirfd, name, PSTORE_FILE_MAX, &data, &len);
	if (r < 0)
		return r;
	if (bytes_has_suffix(name, strlen(name), ".enc.z")) {
		r = decompress(data, len, &plain, &plen);
		if (r < 0)
			goto out;
		free(data);
		data = plain;
		len = plen;
	}
	r = buf_append(&raw, data, len);
	snprintf(p->hash, sizeof(p->hash), "%016" PRIx64,
	    hookstate_key(raw.data ? raw.data : ""));
	if (r < 0)
		goto out;
	r = pstore_record_text(data, len, &p->text, p->why, sizeof(p->why));
	if (r >= 0 && p->why[0]) {
		const char *h = memchr(data, '#', len < 32 ? len : 32);

		if (h)
			sscanf(h, "#%ld Part%ld", &p->event, &p->part);
	}
out:
	buf_done(&raw);
	free(data);
	return r;
}

static bool
harvested(const char *list, const char *hash)
{
	size_t n = strlen(hash);

	for (const char *l = list; l && *l;) {
		const char *nl = strchr(l, '\n');
		size_t ln = nl ? (size_t)(nl - l) : strlen(l);

		if (ln >= n && memcmp(l, hash, n) == 0 &&
		    (ln == n || l[n] == ' '))
			return true;
		l = nl ? nl + 1 : NULL;
	}
	return false;
}

static int
note_harvested(
    struct daemon *dm, char **list, const char *hash, const char *where)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = buf_puts(&b, *list ? *list : "");
	if (r >= 0)
		r = buf_printf(&b, "%s %s\n", hash, where);
	if (r >= 0)
		r = replace_file_at(
		    dm->spool.dirfd, HARVESTED, b.data, b.len, 0600, true);
	if (r >= 0) {
		free(*list);
		*list = buf_steal(&b, NULL);
	}
	buf_done(&b);
	return r;
}

/* The report of a panic's text: the one with the panic line, or all. */
static int
panic_report(const char *text, size_t len, struct koops_report *ret)
{
	struct koops k;
	struct koops_report rep, best = { 0 };
	uint64_t seq = 1;
	bool found = false;

	koops_init(&k, (1u << _KOOPS_MARKER_MAX) - 1);
	for (const char *p = text; p < text + len; seq++) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		struct kmsg_record r = { 0 };

		r.seq = seq;
		r.ts_us = seq; /* one report: no gap */
		r.msg = p;
		r.msg_len = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
		p = nl ? nl + 1 : text + len;
		if (koops_feed(&k, &r, 0, &rep) == 1) {
			koops_report_done(&best);
			best = rep;
			found = found || best.marker == KOOPS_PANIC;
		}
		if (found && best.marker == KOOPS_PANIC)
			break;
	}
	if (!(found && best.marker == KOOPS_PANIC) &&
	    koops_tick(&k, 0, true, &rep) == 1) {
		koops_report_done(&best);
		best = rep;
	}
	koops_done(&k);
	if (best.text.len == 0) {
		koops_report_done(&best);
		buf_init(&best.text, 0);
		if (buf_append(&best.text, text, len) < 0)
			return -ENOMEM;
	}
	best.marker = KOOPS_PANIC;
	*ret = best;
	return 0;
}

/* One panic (its parts, Part1 the newest): a dump.  0 or -errno. */
static int
harvest_one(struct daemon *dm, const char *dir, int dirfd, struct part **parts,
    size_t n, char **list)
{
	struct buf text, where;
	struct koops_report rep = { 0 };
	struct koops_facts f;
	char hash[17];
	int r = 0;

	buf_init(&text, 0);
	buf_init(&where, 0);
	/* The oldest part first: the highest number. */
	for (size_t i = n; i-- > 0 && r >= 0;)
		r = buf_append(&text,
		    parts[i]->text.data ? parts[i]->text.data : "",
		    parts[i]->text.len);
	for (size_t i = 0; i < n && r >= 0; i++)
		r = buf_printf(
		    &where, "%s%s/%s", i ? " " : "", dir, parts[i]->name);
	if (r < 0)
		goto out;
	{
		/* The record's bytes (a copy moved elsewhere is the same). */
		struct buf h;

		buf_init(&h, 0);
		for (size_t i = 0; i < n && r >= 0; i++)
			r = buf_puts(&h, parts[i]->hash);
		snprintf(hash, sizeof(hash), "%016" PRIx64,
		    hookstate_key(h.data ? h.data : ""));
		buf_done(&h);
		if (r < 0)
			goto out;
	}
	if (harvested(*list, hash))
		goto out;
	r = panic_report(text.data ? text.data : "", text.len, &rep);
	if (r >= 0)
		r = koops_analyze(KOOPS_PANIC,
		    rep.text.data ? rep.text.data : "", rep.text.len, &f);
	if (r < 0)
		goto out;
	r = kernel_dumps_write(dm, DUMP_KIND_PANIC, &f,
	    rep.text.data ? rep.text.data : "", rep.text.len, parts[0]->mtime,
	    1, NULL, where.data);
	koops_facts_done(&f);
	if (r < 0) {
		log_warn_errno(r,
		    "pstore %s: write its dump: %m, trying at the "
		    "next start",
		    where.data);
		goto out;
	}
	r = note_harvested(dm, list, hash, where.data);
	if (r < 0)
		log_warn_errno(r, "%s/%s: %m; the panic may be a dump again",
		    dm->cfg.spool, HARVESTED);
	if (dm->cfg.daemon.kernel.clear_pstore)
		for (size_t i = 0; i < n; i++)
			if (unlinkat(dirfd, parts[i]->name, 0) < 0)
				log_warn("pstore: remove %s/%s: %s, ignoring",
				    dir, parts[i]->name, strerror(errno));
out:
	koops_report_done(&rep);
	buf_done(&text);
	buf_done(&where);
	return r;
}

/* The backend's part of a record's name: "dmesg-efi" of "dmesg-efi-1530". */
static size_t
backend_len(const char *name)
{
	const char *dash = strchr(name + 6, '-');

	return dash ? (size_t)(dash - name) : strlen(name);
}

/* Whether two parts are of one record: backend, reason and event. */
static bool
same_record(const struct part *x, const struct part *y)
{
	size_t bx = backend_len(x->name);

	return bx == backend_len(y->name) &&
	    strncmp(x->name, y->name, bx) == 0 && strcmp(x->why, y->why) == 0 &&
	    x->event == y->event;
}

static int
by_record(const void *a, const void *b)
{
	const struct part *x = *(struct part *const *)a;
	const struct part *y = *(struct part *const *)b;
	size_t bx = backend_len(x->name), by = backend_len(y->name);
	int c = strncmp(x->name, y->name, bx < by ? bx : by);

	if (c == 0 && bx != by)
		c = bx < by ? -1 : 1;
	if (c == 0)
		c = strcmp(x->why, y->why);
	if (c == 0)
		c = x->event < y->event ? -1 : x->event > y->event;
	if (c == 0)
		c = x->part < y->part ? -1 : x->part > y->part;
	return c;
}

/* The panics of one directory (and systemd-pstore's per-record ones). */
static void
harvest_dir(struct daemon *dm, const char *dir, int depth, char **list)
{
	struct part *parts[PARTS_MAX];
	size_t n = 0;
	struct dirent *de;
	DIR *d;
	int fd;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno != ENOENT)
			log_warn(
			    "pstore %s: %s, ignoring", dir, strerror(errno));
		return;
	}
	if (opendir_at(fd, ".", &d) < 0) {
		safe_close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.' ||
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth == 0) {
			char sub[4096];

			snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
			harvest_dir(dm, sub, 1, list);
			continue;
		}
		if (!S_ISREG(st.st_mode) ||
		    strncmp(de->d_name, "dmesg-", 6) != 0 || n == PARTS_MAX)
			continue;
		parts[n] = malloc(sizeof(*parts[n]));
		if (parts[n] == NULL)
			break;
		if (read_part(fd, de->d_name, parts[n]) < 0) {
			log_warn("pstore %s/%s: unreadable, ignoring", dir,
			    de->d_name);
			buf_done(&parts[n]->text);
			free(parts[n]);
			continue;
		}
		n++;
	}
	closedir(d);
	qsort(parts, n, sizeof(parts[0]), by_record);
	for (size_t i = 0; i < n && !*dm->stop;) {
		size_t j = i + 1;

		while (j < n && same_record(parts[i], parts[j]))
			j++;
		if (strcmp(parts[i]->why, "Panic") == 0)
			(void)harvest_one(dm, dir, fd, parts + i, j - i, list);
		i = j;
	}
	for (size_t i = 0; i < n; i++) {
		buf_done(&parts[i]->text);
		free(parts[i]);
	}
	safe_close(fd);
}

void
pstore_harvest(struct daemon *dm)
{
	char *list = NULL;
	size_t len;

	if (!dm->cfg.daemon.kernel.enabled ||
	    !(dm->cfg.daemon.kernel.kinds & (1u << DUMP_KIND_PANIC)))
		return;
	if (read_file_at(dm->spool.dirfd, HARVESTED, 1024 * 1024, &list, &len) <
	    0)
		list = NULL;
	for (char **p = dm->cfg.daemon.kernel.pstore; p && *p; p++)
		harvest_dir(dm, *p, 0, &list);
	free(list);
}
