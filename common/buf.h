/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A growable byte buffer with a mandatory size cap.  Every buffer that
 * holds untrusted bytes is bounded: an append past the cap fails with
 * -E2BIG and leaves the buffer as it was.
 */
#ifndef CRASHD_BUF_H
#define CRASHD_BUF_H

#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data; /* always NUL-terminated when non-NULL */
	size_t len;
	size_t cap; /* allocated */
	size_t max; /* 0: BUF_DEFAULT_MAX */
};

#define BUF_DEFAULT_MAX (64u << 20)

void buf_init(struct buf *b, size_t max);
void buf_done(struct buf *b);
void buf_reset(struct buf *b);
int buf_append(struct buf *b, const void *data, size_t len);
int buf_putc(struct buf *b, char c);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Transfers the data to the caller (who frees it) and empties b. */
char *buf_steal(struct buf *b, size_t *ret_len);

#endif
