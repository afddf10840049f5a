/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core stream from the kernel: kept (gzip), cut short, or refused,
 * per hook.core.mode, within the hook's time budget.
 */
#ifndef CRASHD_CORE_H
#define CRASHD_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"

struct core_params {
	enum core_mode mode;
	uint64_t limit; /* bytes of core to read at most */
	int level; /* gzip level */
	int64_t deadline_ms; /* CLOCK_MONOTONIC; 0: none */
	/*
	 * Compressed bytes to write at most (the dump's room; 0: no cap):
	 * reading stops before core.gz outgrows it ("room").
	 */
	uint64_t out_limit;
};

struct core_result {
	uint64_t bytes_read;
	uint64_t bytes_kept;
	uint64_t compressed;
	bool truncated; /* the core goes on past what was kept */
	const char *stopped; /* why reading stopped: "end", "max_size", ... */
	int error; /* -errno of a failed write (the core is dropped) */
};

/*
 * Reads the core from in_fd and writes it gzip-compressed to out_fd, up
 * to p->limit bytes or the deadline.  Never drains more than it keeps.
 * Returns 0 (see ret->stopped) or -errno when the output failed (ENOSPC,
 * EIO...); ret is filled in either case.
 */
int core_copy(int in_fd, int out_fd, const struct core_params *p,
    struct core_result *ret);

/*
 * Appends the core_info item: "key: value" lines with mode, limit, bytes
 * read, bytes kept, compressed size, truncated, and why it stopped.
 */
int core_info_format(struct buf *out, const struct core_params *p,
    const struct core_result *res, const char *note);

#endif
