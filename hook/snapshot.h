/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Whether a dumping process is a libcrashd snapshot: its memfd marker
 * (lib/marker.h), read through /proc/PID/fd.
 */
#ifndef CRASHD_HOOK_SNAPSHOT_H
#define CRASHD_HOOK_SNAPSHOT_H

#include "buf.h"

/*
 * Looks for the marker among the open files of the process whose /proc
 * directory is procfd.  Returns 1 with the reason (raw bytes, at most
 * SNAPSHOT_REASON_MAX) appended to reason, 0 when there is none, or
 * -errno.  Never blocks: only a regular file is read.
 */
int snapshot_read(int procfd, struct buf *reason);

/*
 * The marker's content (data, len bytes, untrusted): 1 with the reason
 * appended to reason, 0 when it is no marker, or -ENOMEM.
 */
int snapshot_parse(const char *data, size_t len, struct buf *reason);

#endif
