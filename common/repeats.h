/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where the crashes merged into one dump came from: the distinct
 * hostnames, containers and uids of its occurrences (the first dump's
 * own and every repeat's), each with how many crashes had it, at most
 * REPEATS_MAX values per kind and a count of the crashes with any other
 * value.  The daemon keeps it in the first dump's `repeats` item (and a
 * copy in the repeat it merges, for the notifications about that one);
 * crashd-cli info, the mail and the webhook show it.
 *
 * The item, one line each, fields separated by tabs:
 *   last\tNAME                 the newest dump accounted (a replay of it
 *                              after a kill adds nothing)
 *   KIND\tCOUNT\tVALUE         KIND hostname, container or uid; VALUE
 *                              escaped (printable ASCII), "" for none
 *   more\tKIND\tCOUNT          crashes whose value was not among those
 * Reading is lenient (the item is untrusted): a line not understood is
 * skipped, a value is kept as printable ASCII (other bytes as \xNN) and
 * cut at REPEATS_VALUE_MAX bytes, and no more than REPEATS_MAX values of
 * a kind are kept.
 */
#ifndef CRASHD_REPEATS_H
#define CRASHD_REPEATS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "dump.h"

#define REPEATS_MAX 16
#define REPEATS_VALUE_MAX 256
#define REPEATS_NAME_MAX 256

enum repeats_kind {
	REPEATS_HOSTNAME,
	REPEATS_CONTAINER,
	REPEATS_UID,
	_REPEATS_KIND_MAX,
};
extern const char *const repeats_kind_names[_REPEATS_KIND_MAX];

struct repeats_value {
	char text[REPEATS_VALUE_MAX + 1]; /* escaped; "" for none */
	uint64_t count;
};

struct repeats {
	char last[REPEATS_NAME_MAX + 1];
	struct repeats_value values[_REPEATS_KIND_MAX][REPEATS_MAX];
	size_t n[_REPEATS_KIND_MAX];
	uint64_t more[_REPEATS_KIND_MAX];
};

/* An empty record (no crash accounted). */
void repeats_init(struct repeats *rp);

/* Parses the item's text (NULL: none) into *rp, leniently (see above). */
void repeats_parse(const char *text, struct repeats *rp);

/*
 * Accounts the crash of dump d (its hostname, container, uid): returns 1,
 * or 0 when d is the dump accounted last (a replay), or -ENOMEM.
 */
int repeats_add(struct repeats *rp, const struct dump *d);

/* Appends the item's text.  Returns 0 or -ENOMEM. */
int repeats_format(const struct repeats *rp, struct buf *out);

/* The crashes accounted (those of the hostnames, kept or not). */
uint64_t repeats_total(const struct repeats *rp);

/*
 * Appends one kind's values for people: "web1 (20), other (1), and 3
 * more", a value "" as none; printable ASCII (the values' escapes kept).
 * Returns 0 or -ENOMEM.
 */
int repeats_describe(
    const struct repeats *rp, enum repeats_kind kind, struct buf *out);

/*
 * Reads the `repeats` item of d into *rp.  Returns 1 when it has one, 0
 * when it has none, or -errno (-ENOMEM).
 */
int repeats_read(const struct dump *d, struct repeats *rp);

#endif
