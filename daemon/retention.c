/*
 * retention.c owns the periodic sweep of the spool: retention limits,
 * delayed delete actions, and the true spool size handed back to the
 * hook (whose own figure is an estimate that only grows).
 */
#include "retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "dump.h"
#include "fsutil.h"
#include "hookstate.h"
#include "journal.h"
#include "log.h"
#include "trash.h"

struct entry {
	char *name;
	long long time;
	unsigned long long bytes;
	unsigned long long core_bytes;
	bool duplicate;
	bool gone;
};

static unsigned long long
file_bytes(int dirfd, const char *name)
{
	struct stat st;

	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	return (unsigned long long)st.st_blocks * 512;
}

/* Applies "delete ... after" actions to one dump. Returns 1 if it went. */
static int
apply_delayed(struct daemon *dm, struct dump *d, struct entry *e, long long now)
{
	for (size_t i = 0; i < dm->cfg.n_actions; i++) {
		const struct action_config *ac = &dm->cfg.actions[i];

		if (ac->type != ACTION_DELETE || ac->after_ms == 0 ||
		    (unsigned long long)(now - e->time) * 1000 < ac->after_ms ||
		    !action_matches(ac, d))
			continue;
		if (ac->what == 0) {
			if (trash_dump(dm->spool.dirfd, e->name) >= 0) {
				log_info("%s: %s: dump removed at its age",
				    e->name, ac->name);
				return 1;
			}
		} else if (e->core_bytes > 0 &&
		    dump_remove_core_at(d->dirfd) > 0) {
			(void)journal_append(d->dirfd,
			    "%s done ok: core removed at its age", ac->name);
			e->bytes -= e->core_bytes;
			e->core_bytes = 0;
		}
	}
	return 0;
}

static int
remove_entry(struct daemon *dm, struct entry *e, const char *why)
{
	int r = trash_dump(dm->spool.dirfd, e->name);

	if (r < 0)
		return log_warn_errno(
		    r, "retention: remove %s: %m, ignoring", e->name);
	log_info("retention: removed %s (%s)", e->name, why);
	e->gone = true;
	return 1;
}

static void
remove_core(struct daemon *dm, struct entry *e)
{
	int fd = open_dir_at(dm->spool.dirfd, e->name);

	if (fd < 0)
		return;
	if (dump_remove_core_at(fd) > 0) {
		(void)journal_append(
		    fd, "- retention core removed: spool over max_size");
		e->bytes -= e->core_bytes;
		e->core_bytes = 0;
	}
	safe_close(fd);
}

/*
 * Publishes what a hook that died (killed, out of memory) left in
 * .incoming long after any hook could still be writing it: half a dump is
 * better than a lost crash.  It says so in its "incomplete" item.
 */
static void
rescue_incoming(struct daemon *dm, long long now)
{
	long long grace =
	    (long long)(dm->cfg.hook.time_budget_ms / 1000) * 2 + 60;
	struct dirent *de;
	DIR *dir;
	int fd;

	fd = openat(
	    dm->spool.incoming_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	dir = fdopendir(fd);
	if (dir == NULL) {
		safe_close(fd);
		return;
	}
	while ((de = readdir(dir)) != NULL) {
		static const char note[] =
		    "hook: interrupted before publishing; "
		    "published by crashd\n";
		struct stat st;
		int dfd, ifd;

		if (de->d_name[0] == '.' ||
		    fstatat(dm->spool.incoming_fd, de->d_name, &st,
			AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) ||
		    now - (long long)st.st_mtime < grace)
			continue;
		dfd = open_dir_at(dm->spool.incoming_fd, de->d_name);
		if (dfd < 0)
			continue;
		ifd = openat(dfd, "incomplete",
		    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0640);
		if (ifd >= 0) {
			(void)write_all(ifd, note, sizeof(note) - 1);
			safe_close(ifd);
		}
		safe_close(dfd);
		if (renameat2(dm->spool.incoming_fd, de->d_name,
			dm->spool.dirfd, de->d_name, RENAME_NOREPLACE) == 0)
			log_warn(
			    "published %s, left half-written by a hook that "
			    "died",
			    de->d_name);
	}
	closedir(dir);
}

/* Tells the hook how big the spool really is. */
static void
resync_hook(struct daemon *dm, unsigned long long total)
{
	struct hookstate st;
	int fd = hookstate_lock(dm->spool.dirfd, true, 1000);

	if (fd < 0)
		return;
	if (hookstate_read(fd, &st) == 0) {
		st.spool_bytes = total;
		(void)hookstate_write(fd, &st);
	}
	safe_close(fd);
}

int
retention_sweep(struct daemon *dm, long long now)
{
	const struct daemon_config *dc = &dm->cfg.daemon;
	struct entry *v = NULL;
	size_t n = 0, cap = 0, live;
	unsigned long long total = 0;
	char **names = NULL;
	size_t n_names = 0;
	int r, removed = 0;

	rescue_incoming(dm, now);
	/* Sorted by name, which is by time: oldest first. */
	r = spool_list(dm->spool.dirfd, &names, &n_names);
	if (r < 0)
		return r;
	for (size_t k = 0; k < n_names; k++) {
		struct dump *d = NULL;
		struct entry e = { 0 };

		if (dump_open(dm->spool.dirfd, names[k], &d) < 0)
			continue;
		if (!d->processed) {
			/* Never before the daemon has dealt with it. */
			unsigned long long b = 0;

			spool_dir_usage(d->dirfd, &b);
			total += b;
			dump_free(d);
			continue;
		}
		e.time = d->time;
		spool_dir_usage(d->dirfd, &e.bytes);
		e.core_bytes = file_bytes(d->dirfd, "core.gz") +
		    file_bytes(d->dirfd, "core.mini");
		e.duplicate = faccessat(d->dirfd, "duplicate_of", F_OK,
				  AT_SYMLINK_NOFOLLOW) == 0;
		e.name = strdup(d->name);
		if (e.name && apply_delayed(dm, d, &e, now) == 0) {
			if (n == cap) {
				struct entry *p;

				cap = cap ? cap * 2 : 256;
				p = realloc(v, cap * sizeof(*v));
				if (p == NULL) {
					free(e.name);
					dump_free(d);
					break;
				}
				v = p;
			}
			v[n++] = e;
		} else {
			free(e.name);
			removed++;
		}
		dump_free(d);
	}
	for (size_t k = 0; k < n_names; k++)
		free(names[k]);
	free(names);

	for (size_t i = 0; i < n; i++)
		if (dc->max_age_ms > 0 &&
		    (unsigned long long)(now - v[i].time) * 1000 >
			dc->max_age_ms)
			removed += remove_entry(dm, &v[i], "max_age") > 0;
	live = 0;
	for (size_t i = 0; i < n; i++)
		live += !v[i].gone;
	/* Duplicates first, then unique crashes: oldest first in each. */
	for (int pass = 0; pass < 2 && dc->max_count > 0; pass++)
		for (size_t i = 0; i < n && live > dc->max_count; i++)
			if (!v[i].gone && v[i].duplicate == (pass == 0) &&
			    remove_entry(dm, &v[i], "max_count") > 0) {
				removed++;
				live--;
			}
	for (size_t i = 0; i < n; i++)
		if (!v[i].gone)
			total += v[i].bytes;
	/* Duplicates, then cores, then unique crashes. */
	for (int pass = 0; pass < 3 && dc->max_size > 0; pass++)
		for (size_t i = 0; i < n && total > dc->max_size; i++) {
			struct entry *e = &v[i];
			unsigned long long before = e->bytes;

			if (e->gone)
				continue;
			if (pass == 0 && e->duplicate &&
			    remove_entry(dm, e, "max_size") > 0) {
				total -= before;
				removed++;
			} else if (pass == 1 && e->core_bytes > 0) {
				remove_core(dm, e);
				total -= before - e->bytes;
			} else if (pass == 2 &&
			    remove_entry(dm, e, "max_size") > 0) {
				total -= before;
				removed++;
			}
		}
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	resync_hook(dm, total);
	return removed;
}
