/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * retention_hook.c owns what the sweep does for the hook: publishing what
 * a hook that died left in .incoming, and telling the hook the spool's
 * true size (its own figure is an estimate that only grows).
 */
#include "retention_hook.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "fsutil.h"
#include "hookstate.h"
#include "items.h"
#include "log.h"

/*
 * Publishes what a hook that died (killed, out of memory) left in
 * .incoming long after any hook could still be writing it: half a dump is
 * better than a lost crash.  It says so in its "incomplete" item.
 */
void
retention_rescue_incoming(const struct retention_input *in, long long now)
{
	long long grace = (long long)(in->hook_time_budget_ms / 1000) * 2 + 60;
	struct dirent *de;
	DIR *dir;
	int r;

	r = opendir_at(in->spool.incoming_fd, ".", &dir);
	if (r < 0)
		return;
	while ((de = readdir(dir)) != NULL) {
		static const char note[] =
		    "hook: interrupted before publishing; "
		    "published by crashd\n";
		struct stat st;
		int dfd, ifd;

		if (de->d_name[0] == '.' ||
		    fstatat(in->spool.incoming_fd, de->d_name, &st,
			AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) ||
		    now - (long long)st.st_mtime < grace)
			continue;
		dfd = open_dir_at(in->spool.incoming_fd, de->d_name);
		if (dfd < 0)
			continue;
		ifd = openat(dfd, DUMP_ITEM_INCOMPLETE,
		    O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    0640);
		if (ifd >= 0) {
			(void)write_all(ifd, note, sizeof(note) - 1);
			safe_close(ifd);
		}
		safe_close(dfd);
		if (renameat2(in->spool.incoming_fd, de->d_name,
			in->spool.dirfd, de->d_name, RENAME_NOREPLACE) == 0)
			log_warn(
			    "published %s, left half-written by a hook that "
			    "died",
			    de->d_name);
	}
	closedir(dir);
}

/* True when a hook is writing a dump (or one was left in .incoming). */
static bool
hooks_in_flight(const struct retention_input *in)
{
	struct dirent *de;
	bool any = false;
	DIR *dir;

	if (opendir_at(in->spool.incoming_fd, ".", &dir) < 0)
		return true;
	while (!any && (de = readdir(dir)) != NULL)
		any = strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(dir);
	return any;
}

/*
 * Tells the hook how big the spool really is.  Not while a hook writes a
 * dump: its room is reserved in the estimate (policy_decision.reserved)
 * and given back when it is done, which a measure now would count twice
 * or not at all; the next sweep does it.
 */
/* How long after a hook reserved room the estimate is left alone. */
#define RESYNC_QUIET_MS 2000

void
retention_resync_hook(
    const struct retention_input *in, unsigned long long total)
{
	struct hookstate st;
	int fd = hookstate_lock(in->spool.dirfd, true, 1000);

	if (fd < 0)
		return;
	/* (Under the lock: no hook decides or settles meanwhile.) */
	if (hooks_in_flight(in)) {
		log_debug("retention: hooks in flight, the spool's size "
			  "is told to the hook at the next sweep");
		safe_close(fd);
		return;
	}
	if (hookstate_read(fd, &st) == 0) {
		/* The journal is in total: folded now, not added later. */
		(void)hookstate_fold(in->spool.dirfd, &st);
		/*
		 * A hook reserves before it makes its directory: one that
		 * just reserved may not be in .incoming yet.
		 */
		if (clock_now_ms(CLOCK_REALTIME) - st.reserved_at_ms <
		    RESYNC_QUIET_MS)
			log_debug("retention: a hook just reserved room, the "
				  "spool's size is told at the next sweep");
		else {
			st.spool_bytes = total;
			(void)hookstate_write(fd, &st);
		}
	}
	safe_close(fd);
}
