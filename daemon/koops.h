/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel reports in the kernel log: oopses, BUG:, WARNING: (with its "cut
 * here" block up to "---[ end trace"), "Kernel panic", soft and hard
 * lockups, hung tasks, machine checks and the OOM killer's kills.  The
 * kernel prints one report as many records; koops groups them (one
 * report: the records from its first marker line to its end line, or
 * until the kernel goes quiet, bounded in size) and says what a report
 * is: its marker, the function it names, the process, the taint flags,
 * the modules, the call trace, and a signature that is the same for the
 * same bug (the function and the top reliable frames, without offsets
 * and module names, as ABRT hashes an oops).  Every byte is untrusted
 * (a driver logs what it likes; comms are a process's choice).  No I/O:
 * kmsg.c reads, kernel_dumps.c writes.
 */
#ifndef CRASHD_KOOPS_H
#define CRASHD_KOOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h" /* enum koops_marker */

/* The line that opens a WARNING:'s block. */
#define KOOPS_CUT_HERE "------------[ cut here ]------------"

/* config_koops_marker_names, the names daemon.kernel.markers takes. */
#define koops_marker_names config_koops_marker_names
extern const char *const config_koops_marker_names[_KOOPS_MARKER_MAX];

/* A report's text at most this long; the rest is cut (said in it). */
#define KOOPS_TEXT_MAX (64 * 1024)
/* A report is closed once the kernel said nothing more for this long. */
#define KOOPS_IDLE_MS 2000
/* ... or when its next record is this much later (kernel time). */
#define KOOPS_GAP_US 2000000ULL
/* Frames of the call trace the signature is made of (after the function). */
#define KOOPS_SIGNATURE_FRAMES 5

/* One record of /dev/kmsg: "PRIO,SEQ,TS,FLAGS[,caller=...];MESSAGE\n..." */
struct kmsg_record {
	unsigned prio; /* syslog level | facility << 3 */
	uint64_t seq;
	uint64_t ts_us; /* CLOCK_MONOTONIC microseconds */
	bool cont; /* flag 'c': continues the record before */
	const char *caller; /* "T123" / "C1" (CONFIG_PRINTK_CALLER), or NULL */
	size_t caller_len;
	const char
	    *msg; /* the message's first line, as the kernel escaped it */
	size_t msg_len;
};

/* A record's facility (0: the kernel's, 1: user space's /dev/kmsg). */
#define KMSG_FACILITY(r) ((r)->prio >> 3)

/*
 * Parses one record of len bytes (not NUL-terminated).  Returns 0 and
 * fills *ret (pointing into rec), or -EINVAL when it is no record.
 */
int kmsg_record_parse(const char *rec, size_t len, struct kmsg_record *ret);

struct koops_report {
	enum koops_marker marker;
	uint64_t first_seq, last_seq;
	uint64_t ts_us; /* its first record's */
	struct buf text; /* its lines, each ending in '\n' */
	bool truncated; /* over KOOPS_TEXT_MAX */
};

void koops_report_done(struct koops_report *r);

/* The grouping of records into reports. */
struct koops {
	unsigned markers; /* bit (1 << enum koops_marker) recognised */
	bool open; /* cur holds a report being collected */
	bool pending_marker; /* opened by "cut here": marker still to come */
	struct koops_report cur;
	uint64_t last_ts_us; /* cur's last record's */
	int64_t last_ms; /* when cur got its last record (caller's clock) */
	char caller[16]; /* cur's caller id, "" when the kernel gives none */
};

void koops_init(struct koops *k, unsigned markers);
void koops_done(struct koops *k);

/*
 * Feeds one record (read at now_ms, any monotonic clock).  A report it
 * completes, or that it shows is over (a new report starts, the kernel
 * went quiet in between), is moved to *ret: returns 1 (the caller owns
 * *ret: koops_report_done()), 0 when none was, -ENOMEM.  A record that
 * closes one report and opens another does both.
 */
int koops_feed(struct koops *k, const struct kmsg_record *rec, int64_t now_ms,
    struct koops_report *ret);

/*
 * Closes the report being collected when nothing came for KOOPS_IDLE_MS
 * (or at once with force): 1 and *ret, or 0.
 */
int koops_tick(
    struct koops *k, int64_t now_ms, bool force, struct koops_report *ret);

/*
 * What a report says.  The strings are untrusted bytes from the kernel
 * log, "" where the report does not say.
 */
struct koops_facts {
	enum koops_marker marker;
	char title[256]; /* its marker line: "BUG: kernel NULL pointer ..." */
	char function[128]; /* where: "tcp_v4_send_reset", or "" */
	char module[64]; /* the function's module, or "" */
	char comm[64]; /* the process named (the OOM killer's victim) */
	long pid; /* its pid, -1 when the report names none */
	char kernel[128]; /* the version it names: "6.1.0-13-amd64 #1 ..." */
	char taint[64]; /* "Not tainted", or the flags: "G      D    OE" */
	char cgroup[256]; /* OOM: the victim's memory cgroup */
	char memory[256]; /* OOM: "total-vm:... anon-rss:... ..." */
	char constraint[64]; /* OOM: "CONSTRAINT_MEMCG", ... */
	struct buf modules; /* "Modules linked in:" and what follows */
	struct buf trace; /* "#N func+0x../0x.. [mod]" lines, reliable ones */
	unsigned n_frames;
	char signature[17]; /* 16 hex digits */
	char reason[512]; /* one line: "kernel WARNING in foo [bar] (comm)" */
};

/*
 * Reads text (len bytes) into *ret.  Returns 0 or -ENOMEM (ret then
 * holds nothing to free).  Free with koops_facts_done().
 */
int koops_analyze(enum koops_marker marker, const char *text, size_t len,
    struct koops_facts *ret);
void koops_facts_done(struct koops_facts *f);

/*
 * The marker a line starts (or -1): what koops_feed() opens a report on,
 * also for a pstore record, whatever the markers recognised.
 */
int koops_line_marker(const char *line, size_t len);

#endif
