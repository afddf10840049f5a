/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Dedupe: which crashes are "the same" (daemon.dedupe.key) and what the
 * daemon remembers per key, one small file per key in <spool>/.state/keys,
 * so processing a dump costs the same however many keys there are.
 */
#ifndef CRASHD_DEDUPE_H
#define CRASHD_DEDUPE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "dump.h"
#include "spool.h"

#define DEDUPE_KEYS_DIR "keys"

struct keystate {
	uint64_t hash;
	char *key; /* the key's text, escaped: "executable=/bin/x signal=11" */
	char first[SPOOL_NAME_MAX + 16]; /* first dump of this window */
	char last[SPOOL_NAME_MAX + 16]; /* newest dump accounted for */
	uint64_t count; /* crashes in this window */
	long long first_seen, last_seen, last_notified;
	uint64_t held_back; /* crashes not notified since last_notified */
	long long held_since;
	int64_t tat_ms; /* notify rate bucket */
	long long digest_id; /* a digest in flight, or 0 */
	long long last_digest_id; /* the key's latest digest, or 0 */
	uint64_t digest_count;
	char *executable; /* for summaries, escaped */
	int signal;
};

/* Formats the key of a dump and its hash. 0 or -ENOMEM. */
int dedupe_key(
    unsigned fields, const struct dump *d, struct buf *out, uint64_t *ret_hash);

/*
 * Loads the state of key (hash) from keys_dirfd; with key NULL, whatever
 * key is stored under hash.  Returns 1 when found, 0 when fresh (ks
 * initialised for key), -errno otherwise.
 */
int keystate_load(
    int keys_dirfd, uint64_t hash, const char *key, struct keystate *ks);
int keystate_save(int keys_dirfd, const struct keystate *ks);
void keystate_done(struct keystate *ks);

/* True when held-back crashes wait for a digest (or one is in flight). */
bool keystate_pending(const struct keystate *ks);

/* Opens (creating) <spool>/.state/keys. */
int dedupe_open_keys(int spool_dirfd);

#endif
