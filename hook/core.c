/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * core.c owns streaming the kernel's core into core.gz.  The kernel blocks
 * the crashing process while it writes to our pipe, so every loop here is
 * bounded by the byte limit and the deadline.
 */
#include "core.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "clock.h"
#include "fsutil.h"

#define CORE_CHUNK (128 * 1024)

/* Compresses what is in z's input, flushing with flush, to out_fd. */
static int
deflate_out(z_stream *z, int flush, int out_fd, uint64_t *compressed)
{
	unsigned char out[CORE_CHUNK];
	int zr, r;

	do {
		z->next_out = out;
		z->avail_out = sizeof(out);
		zr = deflate(z, flush);
		if (zr == Z_STREAM_ERROR)
			return -EIO;
		size_t n = sizeof(out) - z->avail_out;
		if (n > 0) {
			r = write_all(out_fd, out, n);
			if (r < 0)
				return r;
			*compressed += n;
		}
	} while (z->avail_out == 0);
	return 0;
}

/*
 * Waits until in_fd is readable or the deadline passes.  Returns 1 when
 * readable, 0 on timeout, -errno on error.
 */
static int
wait_readable(int in_fd, int64_t deadline_ms)
{
	struct pollfd pfd = { .fd = in_fd, .events = POLLIN };
	int timeout = -1, n;

	if (deadline_ms > 0) {
		int64_t left = deadline_ms - clock_now_ms(CLOCK_MONOTONIC);

		if (left <= 0)
			return 0;
		timeout = left > 60000 ? 60000 : (int)left;
	}
	n = poll(&pfd, 1, timeout);
	if (n < 0)
		return errno == EINTR ? 1 : -errno;
	return n > 0
	    ? 1
	    : (deadline_ms > 0 && clock_now_ms(CLOCK_MONOTONIC) >= deadline_ms
		      ? 0
		      : 1);
}

/*
 * True when what is written, what deflate holds and what the next chunk
 * may add could pass out_limit (the gzip trailer, a chunk stored).
 */
static bool
out_full(z_stream *z, const struct core_result *res, uint64_t out_limit)
{
	unsigned pending = 0;
	int bits = 0;

	(void)deflatePending(z, &pending, &bits);
	return res->compressed + pending + deflateBound(z, CORE_CHUNK) + 64 >
	    out_limit;
}

int
core_copy(
    int in_fd, int out_fd, const struct core_params *p, struct core_result *ret)
{
	static unsigned char in[CORE_CHUNK];
	struct core_result res = { 0 };
	z_stream z;
	int r = 0;

	memset(&z, 0, sizeof(z));
	/* windowBits 15 + 16: a gzip header, so "zcat core.gz" works. */
	if (deflateInit2(&z, p->level, Z_DEFLATED, 15 + 16, 8,
		Z_DEFAULT_STRATEGY) != Z_OK) {
		res.stopped = "zlib";
		*ret = res;
		return -ENOMEM;
	}
	res.stopped = "end";
	for (;;) {
		size_t want = sizeof(in);
		ssize_t n;

		if (res.bytes_read >= p->limit) {
			/* Peek: is there more core than we keep? */
			char c;

			r = wait_readable(in_fd, p->deadline_ms);
			n = r > 0 ? read(in_fd, &c, 1) : 0;
			res.truncated = n > 0 || r == 0;
			res.stopped = res.truncated ? "max_size" : "end";
			r = 0;
			break;
		}
		if (want > p->limit - res.bytes_read)
			want = (size_t)(p->limit - res.bytes_read);
		r = wait_readable(in_fd, p->deadline_ms);
		if (r < 0)
			break;
		if (r == 0) {
			res.truncated = true;
			res.stopped = "time_budget";
			break;
		}
		n = read(in_fd, in, want);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			/* The kernel gave up on the dump (the process was
			 * killed). */
			res.truncated = true;
			res.stopped = "read_error";
			r = 0;
			break;
		}
		if (n == 0)
			break;
		res.bytes_read += (uint64_t)n;
		z.next_in = in;
		z.avail_in = (uInt)n;
		r = deflate_out(&z, Z_NO_FLUSH, out_fd, &res.compressed);
		if (r < 0)
			break;
		if (p->out_limit > 0 && out_full(&z, &res, p->out_limit)) {
			res.truncated = true;
			res.stopped = "room";
			break;
		}
	}
	if (r >= 0) {
		z.next_in = NULL;
		z.avail_in = 0;
		r = deflate_out(&z, Z_FINISH, out_fd, &res.compressed);
	}
	deflateEnd(&z);
	if (r < 0) {
		res.error = r;
		res.stopped = "write_error";
		res.truncated = true;
	} else {
		res.bytes_kept = res.bytes_read;
	}
	*ret = res;
	return r < 0 ? r : 0;
}

int
core_info_format(struct buf *out, const struct core_params *p,
    const struct core_result *res, const char *note)
{
	int r;

	r = buf_printf(out, "mode: %s\n", core_mode_to_string(p->mode));
	if (r >= 0 && p->mode != CORE_MODE_NONE)
		r = buf_printf(
		    out, "limit: %llu\n", (unsigned long long)p->limit);
	if (r >= 0)
		r = buf_printf(out,
		    "bytes_read: %llu\nbytes_kept: %llu\ncompressed: %llu\n"
		    "truncated: %s\nstopped: %s\n",
		    (unsigned long long)res->bytes_read,
		    (unsigned long long)res->bytes_kept,
		    (unsigned long long)res->compressed,
		    res->truncated ? "yes" : "no",
		    res->stopped ? res->stopped : "not_read");
	if (r >= 0 && res->error < 0)
		r = buf_printf(out, "error: %s\n", strerror(-res->error));
	if (r >= 0 && note)
		r = buf_printf(out, "note: %s\n", note);
	return r;
}
