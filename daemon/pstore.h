/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The panics of earlier boots that pstore kept: the kernel writes the end
 * of its log into a persistent backend as it panics (ramoops, EFI
 * variables, ...) and, at the next boot, shows each record as a file of
 * /sys/fs/pstore ("dmesg-ramoops-0", "dmesg-efi-153046357002001"; a
 * record the kernel could not decompress ends in ".enc.z"), its first
 * line "Panic#N PartM", each line after it "<LEVEL>[TIME] TEXT".  A long
 * record is in parts, Part1 the newest.  systemd-pstore moves them to a
 * directory of /var/lib/systemd/pstore per record.
 *
 * At start, the daemon reads the directories daemon.kernel.pstore lists
 * (the pstore fs and systemd-pstore's by default) and writes one dump of
 * kind panic for each panic it has not seen before: its report (the
 * oops the panic ends with, and the panic line), read as a kernel report
 * (koops.h).  What was harvested is remembered (the record's content
 * hash in <spool>/.state/pstore.harvested), so each panic is a dump once;
 * with daemon.kernel.clear_pstore its files are removed, which frees the
 * backend for the next panic (ABRT's way).  Other records (Oops, Emergency,
 * Shutdown...) are left alone: an oops of this boot is the kernel log's.
 */
#ifndef CRASHD_PSTORE_H
#define CRASHD_PSTORE_H

#include <stddef.h>

struct buf;
struct daemon;

/* A pstore file read at most this long (a record is a few KB). */
#define PSTORE_FILE_MAX (1024 * 1024)

/* Harvests the panics of the directories of daemon.kernel.pstore. */
void pstore_harvest(struct daemon *dm);

/*
 * The text of a pstore record without its header and the "<N>[TIME] "
 * prefix of each line, into out.  Sets *ret_why to its reason ("Panic",
 * "Oops"... or "" without a header).  Returns 0 or -ENOMEM.
 */
int pstore_record_text(const char *data, size_t len, struct buf *out,
    char *ret_why, size_t why_size);

#endif
