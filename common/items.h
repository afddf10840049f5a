/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The names of a dump's items: one file each in the dump's directory (the
 * spool contract, /work/shared/DESIGN.md "The spool").  Every reader and
 * writer names an item by these, never by a string of its own, so that a
 * name is spelled once.  The JSON keys of `crashd-cli info --json` and of
 * the webhook are the item names too.
 */
#ifndef CRASHD_ITEMS_H
#define CRASHD_ITEMS_H

/* Written by the hook. */
#define DUMP_ITEM_VERSION "version"
#define DUMP_ITEM_TIME "time"
#define DUMP_ITEM_PID "pid"
#define DUMP_ITEM_NS_PID "ns_pid"
#define DUMP_ITEM_TID "tid"
#define DUMP_ITEM_THREAD_COMM "thread_comm"
#define DUMP_ITEM_SIGNAL "signal"
#define DUMP_ITEM_SIGNAL_NAME "signal_name"
#define DUMP_ITEM_UID "uid"
#define DUMP_ITEM_GID "gid"
#define DUMP_ITEM_USERNAME "username"
#define DUMP_ITEM_HOSTNAME "hostname"
#define DUMP_ITEM_KERNEL "kernel"
#define DUMP_ITEM_EXECUTABLE "executable"
#define DUMP_ITEM_EXECUTABLE_DELETED "executable_deleted"
#define DUMP_ITEM_COMM "comm"
#define DUMP_ITEM_CMDLINE "cmdline" /* raw NUL-separated bytes */
#define DUMP_ITEM_CWD "cwd"
#define DUMP_ITEM_ROOT "root"
#define DUMP_ITEM_ENVIRON "environ" /* raw NUL-separated bytes */
#define DUMP_ITEM_LIMITS "limits"
#define DUMP_ITEM_MAPS "maps"
#define DUMP_ITEM_STATUS "status"
#define DUMP_ITEM_CGROUP "cgroup"
#define DUMP_ITEM_OPEN_FDS "open_fds" /* TSV, see dump_tsv.h */
#define DUMP_ITEM_DSO_LIST "dso_list"
#define DUMP_ITEM_START_TIME "start_time"
#define DUMP_ITEM_PTREE "ptree" /* TSV, see dump_tsv.h */
#define DUMP_ITEM_NAMESPACES "namespaces"
#define DUMP_ITEM_REASON "reason"
#define DUMP_ITEM_DUMPABLE "dumpable"
#define DUMP_ITEM_INCOMPLETE "incomplete"
#define DUMP_ITEM_KIND "kind"
#define DUMP_ITEM_SNAPSHOT_REASON "snapshot_reason"
/*
 * Written by crashd (never the hook) for a crash the hook did not store
 * (notstored.h): "REASON\tDETAIL"; the dump holds only what identifies it.
 */
#define DUMP_ITEM_NOT_STORED "not_stored"
/*
 * Written by crashd for a kernel report (kind kernel, oom or panic): the
 * report's text as the kernel printed it, its taint flags, the modules
 * it lists, where in the kernel log it was ("BOOT_ID FIRST LAST", the
 * records' sequence numbers), the identical reports it stands for (a
 * count, when more than one), and where pstore kept it.  The call trace
 * is its backtrace, the process it names pid and comm, the OOM killer's
 * victim's memory cgroup the cgroup item, the memory figures oom_memory.
 */
#define DUMP_ITEM_KERNEL_LOG "kernel_log"
#define DUMP_ITEM_TAINT "taint"
#define DUMP_ITEM_MODULES "modules"
#define DUMP_ITEM_KMSG_SEQ "kmsg_seq"
/* How many identical kernel reports the dump stands for (>= 2, or none). */
#define DUMP_ITEM_IDENTICAL "identical"
#define DUMP_ITEM_OOM_MEMORY "oom_memory"
#define DUMP_ITEM_PSTORE "pstore"
#define DUMP_ITEM_CORE_GZ "core.gz"
#define DUMP_ITEM_CORE_MINI "core.mini"
#define DUMP_ITEM_CORE_INFO "core_info"

/* Added by the daemon, never by the hook. */
#define DUMP_ITEM_BACKTRACE "backtrace"
#define DUMP_ITEM_BACKTRACE_FRAMES "backtrace_frames" /* TSV, dump_tsv.h */
#define DUMP_ITEM_SIGNATURE "signature"
/* satyr's duphash of the crash site, for ABRT and FAF: 40 hex digits. */
#define DUMP_ITEM_DUPHASH "duphash"
/* The crash site's frame, one line (crash_site.h). */
#define DUMP_ITEM_WHERE "where"
#define DUMP_ITEM_PACKAGE "package"
#define DUMP_ITEM_COUNT "count"
#define DUMP_ITEM_LAST_OCCURRENCE "last_occurrence"
/*
 * The repeats merged into a first dump, one "TIME NAME" line each (epoch
 * seconds, the repeat's dump name) in the order they were merged; the
 * newest DUMP_OCCURRENCES_MAX.
 */
#define DUMP_ITEM_OCCURRENCES "occurrences"
#define DUMP_OCCURRENCES_MAX 1000
#define DUMP_ITEM_DUPLICATE_OF "duplicate_of"
/* Hostnames, containers and uids of merged crashes (repeats.h). */
#define DUMP_ITEM_REPEATS "repeats"
#define DUMP_ITEM_ACTIONS "actions"
#define DUMP_ITEM_PROCESSED "processed" /* written last */

#endif
