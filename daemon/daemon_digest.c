/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon_digest.c owns the digests: the keys with held-back crashes
 * (dm->pending, found again at a start from the key states) and, when
 * one is due, the one notification that sums them up, recorded in the
 * key's state before it is sent so that it is sent once.
 */
#include "daemon.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dedupe.h"
#include "dump.h"
#include "fsutil.h"
#include "log.h"
#include "notify.h"
#include "retention.h"

void
daemon_pending_add(struct daemon *dm, uint64_t hash)
{
	for (size_t i = 0; i < dm->n_pending; i++)
		if (dm->pending[i] == hash)
			return;
	if (dm->n_pending == dm->cap_pending) {
		size_t cap = dm->cap_pending ? dm->cap_pending * 2 : 16;
		uint64_t *p = realloc(dm->pending, cap * sizeof(*p));

		if (p == NULL)
			return; /* found again by the scan at the next start */
		dm->pending = p;
		dm->cap_pending = cap;
	}
	dm->pending[dm->n_pending++] = hash;
}

/*
 * Sends (or resumes) the digest of one key when it is due.  Returns true
 * while the key still has held-back crashes.
 */
static bool
digest_key(struct daemon *dm, uint64_t hash, long long now)
{
	struct keystate ks;
	struct dump *d = NULL;
	char summary[512], suffix[48];
	bool pending;
	int r;

	if (keystate_load(dm->keys_fd, hash, NULL, &ks) <= 0) {
		keystate_done(&ks);
		return false;
	}
	if (ks.digest_id == 0) {
		/*
		 * Due digest_after after the first crash held back, and no
		 * sooner than that after the key's previous digest: crashes
		 * processed late (a backlog, a slow disk) are summed up, not
		 * sent one digest each.
		 */
		if (ks.held_back == 0 ||
		    (uint64_t)(now - ks.held_since) * 1000 <
			dm->cfg.daemon.digest_after_ms ||
		    (now >= ks.last_digest_id &&
			(uint64_t)(now - ks.last_digest_id) * 1000 <
			    dm->cfg.daemon.digest_after_ms))
			goto out;
		/*
		 * Recorded before it is sent, so that it is sent once.  The
		 * id names the digest's actions in the first dump's record:
		 * it must differ from every earlier digest of the key, or
		 * the new one would pass for done there.
		 */
		ks.digest_id =
		    now > ks.last_digest_id ? now : ks.last_digest_id + 1;
		ks.digest_count = ks.held_back;
		ks.held_back = 0;
		r = keystate_save(dm->keys_fd, &ks);
		if (r < 0) {
			log_error_errno(r, "save digest of %s: %m", ks.key);
			goto out;
		}
	}
	notify_summary(summary, sizeof(summary), ks.digest_count, ks.executable,
	    ks.signal, ks.held_since);
	/* duplicates may be gone; the first dump holds the count. */
	if (dump_open(dm->spool.dirfd, ks.first, &d) < 0 &&
	    dump_open(dm->spool.dirfd, ks.last, &d) < 0) {
		log_warn("digest of %s: %s (no dump left to attach it to)",
		    ks.key, summary);
	} else {
		snprintf(suffix, sizeof(suffix), "@digest-%lld", ks.digest_id);
		r = daemon_run_actions(dm, d, "digest", ks.count,
		    ks.digest_count, summary, true, suffix);
		retention_forget(dm->retention, d->name); /* its record grew */
		if (r < 0)
			goto out; /* resumed on the next tick or the next start
				   */
	}
	ks.last_digest_id = ks.digest_id;
	ks.digest_id = 0;
	ks.digest_count = 0;
	if (ks.held_back == 0)
		ks.held_since = 0; /* else: held while it was in flight */
	ks.last_notified = now;
	r = keystate_save(dm->keys_fd, &ks);
	if (r < 0)
		log_error_errno(r, "save digest of %s: %m", ks.key);
out:
	pending = keystate_pending(&ks);
	dump_free(d);
	keystate_done(&ks);
	return pending;
}

void
daemon_digests(struct daemon *dm)
{
	long long now = (long long)time(NULL);
	size_t i = 0;

	while (i < dm->n_pending && !*dm->stop) {
		if (digest_key(dm, dm->pending[i], now))
			i++;
		else
			dm->pending[i] = dm->pending[--dm->n_pending];
	}
}

/* Finds the keys left with held-back crashes by an earlier run. */
void
daemon_pending_scan(struct daemon *dm)
{
	struct dirent *de;
	DIR *dir;
	int r;

	r = opendir_at(dm->keys_fd, ".", &dir);
	if (r < 0)
		return;
	while ((de = readdir(dir)) != NULL) {
		struct keystate ks;
		char *end;
		unsigned long long hash = strtoull(de->d_name, &end, 16);

		if (strlen(de->d_name) != 16 || *end != '\0')
			continue;
		if (keystate_load(dm->keys_fd, hash, NULL, &ks) > 0 &&
		    keystate_pending(&ks))
			daemon_pending_add(dm, hash);
		keystate_done(&ks);
	}
	closedir(dir);
}
