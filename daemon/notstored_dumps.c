/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notstored_dumps.c writes the dump of a first crash the hook did not
 * store, from its record (notstored_dumps.h).
 */
#include "notstored_dumps.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "clock.h"
#include "daemon.h"
#include "dedupe.h"
#include "dump_writer.h"
#include "escape.h"
#include "fsutil.h"
#include "items.h"
#include "log.h"
#include "notstored.h"
#include "ratelimit.h"
#include "signame.h"
#include "spool.h"

#define CURSOR SPOOL_STATE "/notstored.dumps"
#define BATCH 64

static const struct rate dumps_rate = { NOTSTORED_DUMPS_PER_MINUTE, 60 };
static int64_t dumps_tat; /* this run's: a restart may write a burst */

/* The seq of the next record to look at; a fresh spool: the oldest kept. */
static uint64_t
cursor_load(int spool_dirfd, int64_t n)
{
	unsigned long long v;
	char *text = NULL, *end;
	size_t len = 0;

	if (read_file_at(spool_dirfd, CURSOR, 64, &text, &len) >= 0 &&
	    text != NULL) {
		errno = 0;
		v = strtoull(text, &end, 10);
		if (errno == 0 && end != text && (*end == '\n' || !*end)) {
			free(text);
			return v;
		}
	}
	free(text);
	return n > NOTSTORED_SLOTS ? (uint64_t)n - NOTSTORED_SLOTS : 0;
}

static int
cursor_save(int spool_dirfd, uint64_t next)
{
	char text[32];
	int n =
	    snprintf(text, sizeof(text), "%llu\n", (unsigned long long)next);

	return replace_file_at(
	    spool_dirfd, CURSOR, text, (size_t)n, 0600, true);
}

/*
 * Whether an unprocessed dump of the spool has the key hash: one the
 * hook stored before its limit was reached, that crashd has not got to.
 */
/*
 * Whether a dump of a process named comm is being written in .incoming
 * (its items may not be there yet: its name says "-PID-COMM").
 */
static bool
incoming_dump_of(struct daemon *dm, const char *comm)
{
	char tail[SPOOL_NAME_MAX + 2];
	struct dirent *de;
	bool found = false;
	size_t n;
	DIR *dir;

	tail[0] = '-';
	n = 1 + spool_sanitize(tail + 1, sizeof(tail) - 1, comm, strlen(comm));
	if (dm->spool.incoming_fd < 0 ||
	    opendir_at(dm->spool.incoming_fd, ".", &dir) < 0)
		return false;
	while (!found && (de = readdir(dir)) != NULL)
		found = de->d_name[0] != '.' &&
		    bytes_has_suffix(de->d_name, strlen(de->d_name), tail) &&
		    strlen(de->d_name) > n;
	closedir(dir);
	return found;
}

static bool
pending_dump_of(struct daemon *dm, uint64_t hash)
{
	bool found = false;
	char **names = NULL;
	size_t n = 0;

	if (spool_list(dm->spool.dirfd, &names, &n) < 0)
		return true; /* cannot tell: not now */
	for (size_t i = 0; i < n; i++) {
		struct dump *d = NULL;
		struct buf key;
		uint64_t h;

		if (!found && dump_open(dm->spool.dirfd, names[i], &d) >= 0 &&
		    !d->processed) {
			buf_init(&key, 0);
			found = dedupe_key(dm->cfg.daemon.dedupe_key, d, &key,
				    &h) >= 0 &&
			    h == hash;
			buf_done(&key);
		}
		if (d)
			dump_free(d);
		free(names[i]);
	}
	free(names);
	return found;
}

/*
 * Whether crashd has seen a crash of rec's key, or is about to (a dump
 * of it waits): 1, 0 when not, or -errno.
 */
static int
key_seen(struct daemon *dm, const struct notstored_record *rec)
{
	struct dump pd = { 0 };
	struct keystate ks = { 0 };
	char sig[32];
	struct buf key;
	uint64_t hash;
	int r;

	if (!signame_from_number(rec->signal, sig, sizeof(sig)))
		snprintf(sig, sizeof(sig), "%d", rec->signal);
	pd.executable = (char *)rec->executable;
	pd.hostname = (char *)rec->hostname;
	pd.container = (char *)"";
	pd.signature = (char *)"";
	pd.signal_name = sig;
	pd.signal = rec->signal;
	pd.uid = rec->uid;
	pd.pid = rec->pid;
	buf_init(&key, 0);
	r = dedupe_key(dm->cfg.daemon.dedupe_key, &pd, &key, &hash);
	if (r >= 0)
		r = keystate_load(
		    dm->keys_fd, hash, key.data ? key.data : "", &ks);
	keystate_done(&ks);
	buf_done(&key);
	if (r == 0 &&
	    (incoming_dump_of(dm, rec->comm) || pending_dump_of(dm, hash)))
		r = 1;
	return r;
}

/* Writes, publishes and processes the dump of rec.  0 or -errno. */
static int
write_dump(struct daemon *dm, const struct notstored_record *rec)
{
	struct timespec ts = { rec->time_ms / 1000,
		(rec->time_ms % 1000) * 1000000 };
	char sig[32];
	const char *reason = notstored_reason_to_string(rec->reason);
	const char *slash = strrchr(rec->executable, '/');
	struct dump_writer w;
	struct buf why;
	int r;

	if (!signame_from_number(rec->signal, sig, sizeof(sig)))
		snprintf(sig, sizeof(sig), "signal %d", rec->signal);
	r = dump_writer_begin(&w, &dm->spool, &ts, rec->pid, rec->comm);
	if (r < 0)
		return r;
	buf_init(&why, 0);
	r = escape_c(&why, slash ? slash + 1 : rec->executable,
	    strlen(slash ? slash + 1 : rec->executable));
	if (r >= 0)
		r = buf_printf(&why, " killed by %s, no dump kept: %s (%s)\n",
		    sig, reason, rec->detail);
	if (r < 0)
		w.r = r;
	/* First: a dump left half-written by a kill is still crashd's. */
	dump_writer_item(
	    &w, DUMP_ITEM_NOT_STORED, "%s\t%s\n", reason, rec->detail);
	dump_writer_item(&w, DUMP_ITEM_VERSION, "%d\n", SPOOL_VERSION);
	dump_writer_item(
	    &w, DUMP_ITEM_TIME, "%lld\n", (long long)(rec->time_ms / 1000));
	dump_writer_item(&w, DUMP_ITEM_PID, "%d\n", (int)rec->pid);
	dump_writer_item(&w, DUMP_ITEM_SIGNAL, "%d\n", (int)rec->signal);
	dump_writer_item(&w, DUMP_ITEM_SIGNAL_NAME, "%s\n", sig);
	dump_writer_item(&w, DUMP_ITEM_UID, "%u\n", (unsigned)rec->uid);
	dump_writer_item(&w, DUMP_ITEM_GID, "%u\n", (unsigned)rec->gid);
	dump_writer_item(&w, DUMP_ITEM_HOSTNAME, "%s\n", rec->hostname);
	dump_writer_item(&w, DUMP_ITEM_EXECUTABLE, "%s\n", rec->executable);
	dump_writer_item(&w, DUMP_ITEM_COMM, "%s\n", rec->comm);
	dump_writer_item(&w, DUMP_ITEM_REASON, "%s", why.data ? why.data : "");
	if (rec->truncated)
		dump_writer_item(&w, DUMP_ITEM_INCOMPLETE,
		    "executable: truncated at %d bytes (the hook's record)\n",
		    NOTSTORED_EXE_MAX - 1);
	buf_done(&why);
	r = dump_writer_publish(&w);
	if (r < 0)
		return r;
	log_info("%s: the first crash of a key, not stored by the hook (%s)",
	    w.name, reason);
	/* Now: the next record of its key must find it seen. */
	r = daemon_process(dm, w.name);
	return r < 0 && r != -EINTR ? r : 0;
}

void
notstored_dumps_feed(struct daemon *dm)
{
	struct notstored_record rec;
	uint64_t next, start;
	int64_t n, grace;
	int fd = notstored_open(dm->spool.dirfd), r = 0;

	if (fd < 0)
		return;
	n = notstored_count(fd);
	if (n <= 0) {
		safe_close(fd);
		return;
	}
	grace =
	    2 * (int64_t)dm->cfg.hook.time_budget_ms + NOTSTORED_DUMPS_GRACE_MS;
	next = start = cursor_load(dm->spool.dirfd, n);
	if (n > NOTSTORED_SLOTS && next < (uint64_t)n - NOTSTORED_SLOTS)
		next =
		    (uint64_t)n - NOTSTORED_SLOTS; /* overwritten meanwhile */
	for (; next < (uint64_t)n && next - start < BATCH && !*dm->stop;
	     next++) {
		if (notstored_get(fd, next, &rec) < 0)
			continue; /* overwritten or garbage: counted as lost */
		int64_t now = clock_now_ms(CLOCK_REALTIME), tat = dumps_tat;

		/*
		 * The dumps the hook stored before it (being written for up
		 * to its time budget) are published and seen first.  (A time
		 * ahead of the clock, the clock stepped back: not waited for.)
		 */
		if (now - rec.time_ms < grace && rec.time_ms <= now + grace)
			break;
		/* No token, no dump: the spool is not read for nothing. */
		if (!ratelimit_allow(&tat, &dumps_rate, now))
			continue;
		r = key_seen(dm, &rec);
		if (r < 0)
			break; /* tried again next time */
		if (r > 0)
			continue;
		dumps_tat = tat;
		r = write_dump(dm, &rec);
		if (r < 0) {
			log_warn_errno(r,
			    "write the dump of a crash not stored (pid %d): "
			    "%m, trying again",
			    (int)rec.pid);
			break;
		}
	}
	if (next != start) {
		r = cursor_save(dm->spool.dirfd, next);
		if (r < 0)
			log_warn_errno(r,
			    "save %s: %m, ignoring: after a restart the "
			    "dumps since the last save may be written again",
			    CURSOR);
	}
	safe_close(fd);
}
