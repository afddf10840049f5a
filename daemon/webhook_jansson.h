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
struct webhook_jansson {
	int err;
};

void webhook_jansson_fail(struct webhook_jansson *b, int r);

/* A JSON string of valid UTF-8 text (ours, or from json_text()). */
json_t *webhook_jansson_raw(
    struct webhook_jansson *b, const char *s, size_t len);

/* A JSON string of any bytes, by json_text() with flags. */
json_t *webhook_jansson_text(
    struct webhook_jansson *b, const char *s, size_t len, unsigned flags);

/* Sets obj's key to v (taken, also on failure; NULL is -ENOMEM). */
void webhook_jansson_set(
    struct webhook_jansson *b, json_t *obj, const char *key, json_t *v);

/* Appends v (taken) to arr. */
void webhook_jansson_push(struct webhook_jansson *b, json_t *arr, json_t *v);

/*
 * Sets key to the valid UTF-8 text in t that a writer made; r, its
 * result, is the body's error when negative.
 */
void webhook_jansson_set_buf(struct webhook_jansson *b, json_t *obj,
    const char *key, int r, const struct buf *t);

/* A label or annotation from any bytes, visible; absent when empty. */
void webhook_jansson_set_human(struct webhook_jansson *b, json_t *obj,
    const char *key, const char *s, unsigned flags);

/* A number as a string (Alertmanager's annotations are strings). */
void webhook_jansson_set_number_text(
    struct webhook_jansson *b, json_t *obj, const char *key, long long v);

/*
 * Writes root (taken) to out, compact; nothing of it on failure or when
 * b holds an error.  Returns 0 or -errno.
 */
int webhook_jansson_finish(
    struct webhook_jansson b, json_t *root, struct buf *out);

#endif
