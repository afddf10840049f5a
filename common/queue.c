/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * queue.c owns the delivery queue's on-disk format (see queue.h): the
 * three lists, adding a delivery atomically, its state file, and moving,
 * listing and pruning deliveries.
 */
#include "queue.h"
#include "array.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "spool.h"

#define STATE_FILE "state"
#define STATE_TMP "state.tmp"
#define PAYLOAD_FILE "payload"
#define TMP_PREFIX ".tmp-"
#define STATE_CAP (16 * 1024)

static const char *const list_names[_QUEUE_LIST_MAX] = {
	[QUEUE_PENDING] = "pending",
	[QUEUE_DEAD] = "dead",
	[QUEUE_SENT] = "sent",
};

const char *
queue_list_to_string(enum queue_list l)
{
	return (unsigned)l < _QUEUE_LIST_MAX ? list_names[l] : NULL;
}

int
queue_open(int spool_dirfd, bool create, struct queue *q)
{
	int state_fd = -1, r;

	q->dirfd = -1;
	for (int i = 0; i < _QUEUE_LIST_MAX; i++)
		q->list_fd[i] = -1;
	if (create) {
		r = mkdir_at_safe(spool_dirfd, SPOOL_STATE, SPOOL_STATE_MODE);
		if (r < 0)
			return r;
	}
	state_fd = open_dir_at(spool_dirfd, SPOOL_STATE);
	if (state_fd < 0)
		return state_fd;
	if (create && (r = mkdir_at_safe(state_fd, QUEUE_DIR, 0700)) < 0)
		goto out;
	q->dirfd = open_dir_at(state_fd, QUEUE_DIR);
	if (q->dirfd < 0) {
		r = q->dirfd;
		goto out;
	}
	for (int i = 0; i < _QUEUE_LIST_MAX; i++) {
		if (create &&
		    (r = mkdir_at_safe(q->dirfd, list_names[i], 0700)) < 0)
			goto out;
		q->list_fd[i] = open_dir_at(q->dirfd, list_names[i]);
		if (q->list_fd[i] < 0) {
			r = q->list_fd[i];
			goto out;
		}
	}
	r = 0;
out:
	safe_close(state_fd);
	if (r < 0)
		queue_close(q);
	return r;
}

void
queue_close(struct queue *q)
{
	q->dirfd = safe_close(q->dirfd);
	for (int i = 0; i < _QUEUE_LIST_MAX; i++)
		q->list_fd[i] = safe_close(q->list_fd[i]);
}

int
queue_qid(const char *id, char *out, size_t size)
{
	size_t n = strlen(id);

	if (n == 0 || n >= size || n > 200)
		return -ENAMETOOLONG;
	for (size_t i = 0; i <= n; i++)
		out[i] = id[i] == '/' ? '+' : id[i];
	if (out[0] == '.')
		out[0] = '_';
	return 0;
}

static int
fsync_dir(int dirfd)
{
	return fsync(dirfd) < 0 ? -errno : 0;
}

/*
 * One line, whatever it holds: a newline would start a new key.  Returns
 * 0, or -errno from b (a state cut short is never written).
 */
static int
put_line(struct buf *b, const char *key, const char *value)
{
	int r = buf_printf(b, "%s ", key);

	for (const char *p = value; r >= 0 && *p; p++)
		r = buf_putc(b, *p == '\n' || *p == '\r' ? ' ' : *p);
	if (r >= 0)
		r = buf_putc(b, '\n');
	return r < 0 ? r : 0;
}

static int
write_state(int entry_fd, const struct queue_entry *e)
{
	struct buf b;
	int fd, r;

	buf_init(&b, STATE_CAP);
	r = put_line(&b, "action", e->action);
	if (r >= 0)
		r = put_line(&b, "label", e->label);
	if (r >= 0)
		r = put_line(&b, "type", e->type);
	if (r >= 0)
		r = put_line(&b, "id", e->id);
	if (r >= 0)
		r = put_line(&b, "dump", e->dump);
	if (r >= 0)
		r = buf_printf(&b,
		    "created_ms %lld\nattempts %u\nnext_ms %lld\n"
		    "last_ms %lld\n",
		    e->created_ms, e->attempts, e->next_ms, e->last_ms);
	if (r >= 0)
		r = put_line(&b, "last", e->last);
	if (r < 0)
		goto out;
	fd = openat(entry_fd, STATE_TMP,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, b.data, b.len);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	safe_close(fd);
	if (r >= 0 && renameat(entry_fd, STATE_TMP, entry_fd, STATE_FILE) < 0)
		r = -errno;
	if (r >= 0)
		r = fsync_dir(entry_fd);
out:
	buf_done(&b);
	return r;
}

static void
copy_field(char *dst, size_t size, const char *v)
{
	snprintf(dst, size, "%s", v);
}

static int
parse_state(char *text, struct queue_entry *e)
{
	bool has_action = false;

	for (char *line = text, *nl; line && *line; line = nl) {
		char *v = NULL;

		nl = strchr(line, '\n');
		if (nl)
			*nl++ = '\0';
		v = strchr(line, ' ');
		if (v == NULL)
			continue;
		*v++ = '\0';
		if (strcmp(line, "action") == 0) {
			copy_field(e->action, sizeof(e->action), v);
			has_action = true;
		} else if (strcmp(line, "label") == 0)
			copy_field(e->label, sizeof(e->label), v);
		else if (strcmp(line, "type") == 0)
			copy_field(e->type, sizeof(e->type), v);
		else if (strcmp(line, "id") == 0)
			copy_field(e->id, sizeof(e->id), v);
		else if (strcmp(line, "dump") == 0)
			copy_field(e->dump, sizeof(e->dump), v);
		else if (strcmp(line, "created_ms") == 0)
			e->created_ms = strtoll(v, NULL, 10);
		else if (strcmp(line, "attempts") == 0)
			e->attempts = (unsigned)strtoul(v, NULL, 10);
		else if (strcmp(line, "next_ms") == 0)
			e->next_ms = strtoll(v, NULL, 10);
		else if (strcmp(line, "last_ms") == 0)
			e->last_ms = strtoll(v, NULL, 10);
		else if (strcmp(line, "last") == 0)
			copy_field(e->last, sizeof(e->last), v);
	}
	return has_action ? 0 : -EBADMSG;
}

int
queue_load(
    struct queue *q, enum queue_list l, const char *qid, struct queue_entry *e)
{
	char path[sizeof(e->qid) + sizeof(STATE_FILE) + 1];
	char *text = NULL;
	int r;

	if (strlen(qid) >= sizeof(e->qid) || qid[0] == '.' || strchr(qid, '/'))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", qid, STATE_FILE);
	/* qid may be e->qid: it is in path now. */
	memset(e, 0, sizeof(*e));
	memcpy(e->qid, path, strlen(path) - sizeof(STATE_FILE));
	r = read_file_at(q->list_fd[l], path, STATE_CAP, &text, NULL);
	if (r < 0)
		return r;
	r = parse_state(text, e);
	free(text);
	return r;
}

int
queue_save(struct queue *q, enum queue_list l, const struct queue_entry *e)
{
	int fd = open_dir_at(q->list_fd[l], e->qid), r;

	if (fd < 0)
		return fd;
	r = write_state(fd, e);
	safe_close(fd);
	return r;
}

/* Removes an entry directory: its known files, then anything else. */
static int
remove_entry(int list_fd, const char *name)
{
	struct dirent *de;
	DIR *dir;
	int r;

	r = opendir_at(list_fd, name, &dir);
	if (r < 0)
		return r == -ENOENT ? 0 : r;
	while ((de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			(void)unlinkat(dirfd(dir), de->d_name, 0);
	closedir(dir);
	if (unlinkat(list_fd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

static bool
known(struct queue *q, const char *qid)
{
	for (int i = 0; i < _QUEUE_LIST_MAX; i++)
		if (faccessat(q->list_fd[i], qid, F_OK, AT_SYMLINK_NOFOLLOW) ==
		    0)
			return true;
	return false;
}

int
queue_add(struct queue *q, const struct queue_entry *e, const char *payload,
    size_t len)
{
	char tmp[sizeof(TMP_PREFIX) + sizeof(e->qid)];
	int fd = -1, entry_fd = -1, r;

	if (e->qid[0] == '\0' || e->qid[0] == '.' || strchr(e->qid, '/'))
		return -EINVAL;
	if (known(q, e->qid))
		return 0;
	snprintf(tmp, sizeof(tmp), TMP_PREFIX "%s", e->qid);
	r = remove_entry(q->dirfd, tmp); /* left by a crash */
	if (r < 0)
		return r;
	if (mkdirat(q->dirfd, tmp, 0700) < 0)
		return -errno;
	entry_fd = open_dir_at(q->dirfd, tmp);
	if (entry_fd < 0) {
		r = entry_fd;
		goto out;
	}
	fd = openat(entry_fd, PAYLOAD_FILE,
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	r = write_all(fd, payload, len);
	if (r >= 0 && fsync(fd) < 0)
		r = -errno;
	fd = safe_close(fd);
	if (r >= 0)
		r = write_state(entry_fd, e);
	if (r < 0)
		goto out;
	if (renameat(q->dirfd, tmp, q->list_fd[QUEUE_PENDING], e->qid) < 0) {
		r = -errno;
		goto out;
	}
	tmp[0] = '\0'; /* queued: nothing to take back */
	r = fsync_dir(q->list_fd[QUEUE_PENDING]);
	if (r >= 0)
		r = fsync_dir(q->dirfd);
	if (r >= 0)
		r = 1;
out:
	safe_close(fd);
	safe_close(entry_fd);
	if (r < 0 && tmp[0] != '\0')
		(void)remove_entry(q->dirfd, tmp);
	return r;
}

int
queue_move(
    struct queue *q, const char *qid, enum queue_list from, enum queue_list to)
{
	int r;

	if (to == QUEUE_SENT) {
		int fd = open_dir_at(q->list_fd[from], qid);

		if (fd < 0)
			return fd;
		if (unlinkat(fd, PAYLOAD_FILE, 0) < 0 && errno != ENOENT) {
			r = -errno;
			safe_close(fd);
			return r;
		}
		safe_close(fd);
	}
	/* A stale one of the same name in "to" (a retried dead one). */
	r = remove_entry(q->list_fd[to], qid);
	if (r < 0)
		return r;
	if (renameat(q->list_fd[from], qid, q->list_fd[to], qid) < 0)
		return -errno;
	r = fsync_dir(q->list_fd[to]);
	if (r >= 0)
		r = fsync_dir(q->list_fd[from]);
	return r;
}

int
queue_open_payload(struct queue *q, enum queue_list l, const char *qid)
{
	char path[sizeof(((struct queue_entry *)0)->qid) +
	    sizeof(PAYLOAD_FILE) + 1];

	if (strlen(qid) + sizeof(PAYLOAD_FILE) + 1 > sizeof(path))
		return -ENAMETOOLONG;
	snprintf(path, sizeof(path), "%s/%s", qid, PAYLOAD_FILE);
	return open_regular_at(q->list_fd[l], path, O_RDONLY);
}

int
queue_remove(struct queue *q, enum queue_list l, const char *qid)
{
	int r;

	if (qid[0] == '.' || strchr(qid, '/'))
		return -EINVAL;
	if (faccessat(q->list_fd[l], qid, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	r = remove_entry(q->list_fd[l], qid);
	if (r >= 0)
		r = fsync_dir(q->list_fd[l]);
	return r;
}

static int
by_qid(const void *a, const void *b)
{
	return strcmp(((const struct queue_entry *)a)->qid,
	    ((const struct queue_entry *)b)->qid);
}

int
queue_entries(
    struct queue *q, enum queue_list l, struct queue_entry **ret, size_t *n)
{
	struct queue_entry *v = NULL;
	size_t len = 0, cap = 0;
	struct dirent *de;
	DIR *dir;
	int r;

	*ret = NULL;
	*n = 0;
	r = opendir_at(q->list_fd[l], ".", &dir);
	if (r < 0)
		return r;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (len == cap) {
			struct queue_entry *p =
			    array_grow(v, &cap, len, sizeof(*v), 16);

			if (p == NULL) {
				free(v);
				closedir(dir);
				return -ENOMEM;
			}
			v = p;
		}
		if (queue_load(q, l, de->d_name, &v[len]) >= 0)
			len++;
	}
	closedir(dir);
	if (len > 1)
		qsort(v, len, sizeof(*v), by_qid);
	*ret = v;
	*n = len;
	return 0;
}

int
queue_count(struct queue *q, enum queue_list l, size_t *n)
{
	struct dirent *de;
	DIR *dir;
	int r;

	*n = 0;
	r = opendir_at(q->list_fd[l], ".", &dir);
	if (r < 0)
		return r;
	while ((de = readdir(dir)) != NULL)
		*n += de->d_name[0] != '.';
	closedir(dir);
	return 0;
}

void
queue_prune(struct queue *q, enum queue_list l, long long age_s)
{
	time_t now = time(NULL);
	struct dirent *de;
	DIR *dir;
	int r;

	r = opendir_at(q->list_fd[l], ".", &dir);
	if (r < 0)
		return;
	while ((de = readdir(dir)) != NULL) {
		char path[512];
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", de->d_name, STATE_FILE);
		if (fstatat(dirfd(dir), path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (long long)(now - st.st_mtime) > age_s)
			(void)remove_entry(dirfd(dir), de->d_name);
	}
	closedir(dir);
}
