/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * How a snapshot says it is one (libcrashd writes it, crashd-hook reads
 * it; not installed): the dumping process holds a memfd named
 * SNAPSHOT_MEMFD_NAME whose content is SNAPSHOT_MAGIC, a newline and the
 * reason (at most SNAPSHOT_REASON_MAX bytes).  In /proc/PID/fd the memfd
 * reads "/memfd:crashd-snapshot (deleted)".  Any process can make one:
 * the marker says how a crash wants to be shown, and proves nothing.
 */
#ifndef CRASHD_MARKER_H
#define CRASHD_MARKER_H

#define SNAPSHOT_MEMFD_NAME "crashd-snapshot"
#define SNAPSHOT_FD_LINK "/memfd:" SNAPSHOT_MEMFD_NAME " (deleted)"
#define SNAPSHOT_MAGIC "crashd-snapshot 1"
#define SNAPSHOT_REASON_MAX 1024

#endif
