/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook_jansson.c owns the jansson plumbing of the webhook bodies
 * (webhook_jansson.h): sticky errors, valid strings, the final dump.
 */
#include "webhook_jansson.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "json_text.h"

void
webhook_jansson_fail(struct webhook_jansson *b, int r)
{
	if (b->err == 0)
		b->err = r;
}

json_t *
webhook_jansson_raw(struct webhook_jansson *b, const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);

	if (v == NULL)
		webhook_jansson_fail(b, -ENOMEM);
	return v;
}

json_t *
webhook_jansson_text(
    struct webhook_jansson *b, const char *s, size_t len, unsigned flags)
{
	struct buf t;
	json_t *v = NULL;
	int r;

	buf_init(&t, 0);
	r = json_text(&t, s, len, flags);
	if (r < 0)
		webhook_jansson_fail(b, r);
	else
		v = webhook_jansson_raw(b, t.data ? t.data : "", t.len);
	buf_done(&t);
	return v;
}

void
webhook_jansson_set(
    struct webhook_jansson *b, json_t *obj, const char *key, json_t *v)
{
	/* json_object_set_new() takes v even when it fails. */
	if (v == NULL)
		webhook_jansson_fail(b, -ENOMEM);
	else if (json_object_set_new(obj, key, v) < 0)
		webhook_jansson_fail(b, -ENOMEM);
}

void
webhook_jansson_push(struct webhook_jansson *b, json_t *arr, json_t *v)
{
	if (v == NULL)
		webhook_jansson_fail(b, -ENOMEM);
	else if (json_array_append_new(arr, v) < 0)
		webhook_jansson_fail(b, -ENOMEM);
}

void
webhook_jansson_set_buf(struct webhook_jansson *b, json_t *obj, const char *key,
    int r, const struct buf *t)
{
	if (r < 0)
		webhook_jansson_fail(b, r);
	else
		webhook_jansson_set(b, obj, key,
		    webhook_jansson_raw(b, t->data ? t->data : "", t->len));
}

void
webhook_jansson_set_human(struct webhook_jansson *b, json_t *obj,
    const char *key, const char *s, unsigned flags)
{
	if (s[0])
		webhook_jansson_set(b, obj, key,
		    webhook_jansson_text(
			b, s, strlen(s), flags | JSON_TEXT_VISIBLE));
}

void
webhook_jansson_set_number_text(
    struct webhook_jansson *b, json_t *obj, const char *key, long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%lld", v);
	webhook_jansson_set(
	    b, obj, key, webhook_jansson_raw(b, tmp, strlen(tmp)));
}

struct sink {
	struct buf *out;
	int err;
};

static int
sink_write(const char *data, size_t size, void *arg)
{
	struct sink *s = arg;
	int r = buf_append(s->out, data, size);

	if (r < 0) {
		s->err = r;
		return -1;
	}
	return 0;
}

int
webhook_jansson_finish(struct webhook_jansson b, json_t *root, struct buf *out)
{
	struct sink s = { out, 0 };
	size_t len0 = out->len;

	if (root == NULL && b.err == 0)
		b.err = -ENOMEM;
	if (b.err == 0 &&
	    json_dump_callback(root, sink_write, &s, JSON_COMPACT) < 0)
		b.err = s.err < 0 ? s.err : -ENOMEM;
	json_decref(root);
	if (b.err < 0) {
		out->len = len0;
		if (out->data)
			out->data[len0] = '\0';
	}
	return b.err;
}
