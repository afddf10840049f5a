/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The crashes the hook did not store, one fixed-size record each, in a
 * ring: <spool>/.state/notstored.  The hook writes a record for every
 * crash it counts as ignored, rate_limited or failed (DESIGN.md: every
 * crash is counted, stored or not); crashd reads them to count and, for
 * a program it has not seen crash, notify them; crashd-cli counters
 * --not-stored shows them.
 *
 * The file: a header (magic, version, seq: records ever written) and
 * NOTSTORED_SLOTS slots; record seq lives in slot seq % NOTSTORED_SLOTS,
 * so the file never grows past NOTSTORED_FILE_SIZE whether or not anyone
 * reads it, and a reader that fell more than a ring behind knows how many
 * it missed (seq says).  Writers take the file's own flock for the few
 * microseconds of one write (never the hook state's: a busy state lock
 * must not lose the record), readers a shared one.  Root's alone, like
 * the rest of .state (hookstate_secure()).  Every record is untrusted on
 * reading: notstored_get() checks it.
 */
#ifndef CRASHD_NOTSTORED_H
#define CRASHD_NOTSTORED_H

#include <stdbool.h>
#include <stdint.h>

#define NOTSTORED_FILE "notstored"
#define NOTSTORED_MAGIC 0x63726e73u /* "crns" */
#define NOTSTORED_VERSION 1
#define NOTSTORED_SLOTS 1024
#define NOTSTORED_RECORD_SIZE 512
#define NOTSTORED_FILE_SIZE                                                    \
	((uint64_t)NOTSTORED_RECORD_SIZE * (NOTSTORED_SLOTS + 1))
/* How long the hook waits for the file's lock (a write takes microseconds). */
#define NOTSTORED_LOCK_TIMEOUT_MS 50
/* The executable's path as kept: longer ones are cut (its hash is kept). */
#define NOTSTORED_EXE_MAX 360

enum notstored_reason {
	NOTSTORED_IGNORED = 1, /* matched hook.ignore */
	NOTSTORED_RATE_LIMITED, /* a dump limit (per_executable, global) */
	NOTSTORED_SPOOL_FULL, /* hook.limits.spool_max reached */
	NOTSTORED_FAILED, /* the dump could not be written */
	_NOTSTORED_REASON_MAX,
};

struct notstored_record {
	uint32_t magic; /* NOTSTORED_MAGIC */
	uint16_t version; /* NOTSTORED_VERSION */
	uint8_t reason; /* enum notstored_reason */
	uint8_t truncated; /* executable was cut at NOTSTORED_EXE_MAX - 1 */
	uint64_t seq; /* set by notstored_put() */
	int64_t time_ms; /* the crash's, CLOCK_REALTIME */
	int32_t pid; /* %P */
	int32_t signal;
	uint32_t uid, gid;
	uint64_t exe_key; /* hookstate_key() of the whole executable path */
	char hostname[65]; /* %h, NUL-terminated */
	char comm[17]; /* NUL-terminated */
	char detail[22]; /* which limit: "per_executable", "global", ... */
	char executable[NOTSTORED_EXE_MAX]; /* NUL-terminated, maybe cut */
};

_Static_assert(sizeof(struct notstored_record) == NOTSTORED_RECORD_SIZE,
    "a notstored record is one slot");

/* "ignored", "rate_limited", "spool_full", "failed"; NULL otherwise. */
const char *notstored_reason_to_string(enum notstored_reason r);

/*
 * Fills a record's identity (executable cut to fit, flagged; exe_key of
 * the whole path; strings NUL-terminated whatever their length).
 */
void notstored_fill(struct notstored_record *rec, enum notstored_reason reason,
    const char *detail, int64_t time_ms, int pid, int signal, unsigned uid,
    unsigned gid, const char *executable, const char *comm,
    const char *hostname);

/*
 * Writes rec as the next record (its seq set), creating the file 0600.
 * Waits timeout_ms at most for the file's lock.  Returns 0 or -errno
 * (-ETIMEDOUT).
 */
int notstored_put(
    int spool_dirfd, struct notstored_record *rec, int timeout_ms);

/*
 * A reader's open (read-only): the descriptor, or -errno (-ENOENT: no
 * record was ever written).
 */
int notstored_open(int spool_dirfd);

/* Records ever written (the next seq), or -errno. */
int64_t notstored_count(int fd);

/*
 * Reads record seq into ret.  Returns 0, -ESTALE when it was overwritten
 * (more than a ring ago) or not written yet, -EBADMSG when the slot holds
 * no valid record, or -errno.
 */
int notstored_get(int fd, uint64_t seq, struct notstored_record *ret);

/*
 * Whether rec is a valid record (magic, version, reason, every string
 * NUL-terminated): what notstored_get() checks.
 */
bool notstored_valid(const struct notstored_record *rec);

#endif
