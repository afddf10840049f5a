/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What systemd calls a crashed process's place, read from its cgroup item
 * (/proc/PID/cgroup as the hook saved it): the cgroup path, the unit, the
 * user unit, the slice, the session and the owner's uid, as
 * systemd-coredump derives them for COREDUMP_UNIT and the like.  The item
 * is untrusted input: any bytes, any length.
 */
#ifndef CRASHD_CGROUP_UNIT_H
#define CRASHD_CGROUP_UNIT_H

#include <stdbool.h>
#include <stddef.h>

#define CGROUP_UNIT_NAME_MAX 256 /* systemd's UNIT_NAME_MAX */

struct cgroup_unit {
	char path[4096]; /* "" when the item names none */
	char unit[CGROUP_UNIT_NAME_MAX]; /* "" when none */
	char user_unit[CGROUP_UNIT_NAME_MAX];
	char slice[CGROUP_UNIT_NAME_MAX];
	char session[64]; /* of a session-N.scope */
	long long owner_uid; /* of a user-N.slice; -1 when none */
};

/*
 * Parses the cgroup item (len bytes): the path of the systemd hierarchy
 * ("N:name=systemd:PATH", or "0::PATH" on a unified host) and what it
 * names.  Fields it cannot find stay empty; never fails.
 */
void cgroup_unit_parse(const char *item, size_t len, struct cgroup_unit *out);

/* True for a name systemd would take for a unit: "name.type". */
bool cgroup_unit_name_valid(const char *s, size_t len);

#endif
