/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Building a webhook body with jansson (the Slack and Alertmanager
 * formats): a builder whose first error sticks, helpers that set keys of
 * valid text, and the dump of the finished body into a buffer.
 */
#ifndef CRASHD_WEBHOOK_JANSSON_H
#define CRASHD_WEBHOOK_JANSSON_H

#include <jansson.h>
#include <stddef.h>

#include "buf.h"

/* A body being built: the first error sticks, the rest is skipped. */
struct wj_builder {
	int err;
};

void wj_fail(struct wj_builder *b, int r);

/* A JSON string of valid UTF-8 text (ours, or from json_text()). */
json_t *wj_raw(struct wj_builder *b, const char *s, size_t len);

/* A JSON string of any bytes, by json_text() with flags. */
json_t *wj_text(
    struct wj_builder *b, const char *s, size_t len, unsigned flags);

/* Sets obj's key to v (taken, also on failure; NULL is -ENOMEM). */
void wj_set(struct wj_builder *b, json_t *obj, const char *key, json_t *v);

/* Appends v (taken) to arr. */
void wj_push(struct wj_builder *b, json_t *arr, json_t *v);

/*
 * Sets key to the valid UTF-8 text in t that a writer made; r, its
 * result, is the body's error when negative.
 */
void wj_set_buf(struct wj_builder *b, json_t *obj, const char *key, int r,
    const struct buf *t);

/* A label or annotation from any bytes, visible; absent when empty. */
void wj_set_human(struct wj_builder *b, json_t *obj, const char *key,
    const char *s, unsigned flags);

/* A number as a string (Alertmanager's annotations are strings). */
void wj_set_number_text(
    struct wj_builder *b, json_t *obj, const char *key, long long v);

/*
 * Writes root (taken) to out, compact; nothing of it on failure or when
 * b holds an error.  Returns 0 or -errno.
 */
int wj_finish(struct wj_builder b, json_t *root, struct buf *out);

#endif
