/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook_generic.c owns format = "json" (the schemas crashd.crash/1 and
 * crashd.event/1, documented in webhook_json.c): the notification's keys
 * around the dump's, whose items common/dump_json.c writes as it does for
 * crashd-cli info --json.
 */
#include <string.h>

#include "backtrace.h"
#include "dump_json.h"
#include "dump_tsv.h"
#include "json.h"
#include "json_text.h"
#include "webhook_card.h"
#include "webhook_render.h"

#define BACKTRACE_TEXT_CAP (16 * 1024)
#define PTREE_CAP 128

/* key: a string of any bytes, by json_text() with flags. */
static void
text(struct json_writer *w, const char *key, const char *s, unsigned flags)
{
	json_key(w, key);
	json_textn(w, s, strlen(s), flags);
}

/* key: a string of crashd's escaped text. */
static void
escaped(struct json_writer *w, const char *key, const char *s)
{
	text(w, key, s, JSON_TEXT_ESCAPED);
}

/* key: a number, or null when unknown (negative). */
static void
known(struct json_writer *w, const char *key, long long v)
{
	json_key(w, key);
	if (v < 0)
		json_write_null(w);
	else
		json_int(w, v);
}

/* key: the text t that a writer made; r, its result, may be the error. */
static void
made(struct json_writer *w, const char *key, int r, const struct buf *t)
{
	if (r < 0 && w->error == 0)
		w->error = r;
	json_key(w, key);
	json_utf8n(w, t->data ? t->data : "", t->len);
}

/* Opens the body: its schema, the notification's id and event. */
static void
begin(struct json_writer *w, struct buf *out, const char *schema,
    const char *id, const char *event)
{
	json_writer_init(w, out);
	json_begin_object(w);
	json_key(w, "schema");
	json_str(w, schema);
	escaped(w, "id", id);
	escaped(w, "event", event);
}

static void
time_keys(struct json_writer *w, long long t)
{
	known(w, "time", t > 0 ? t : -1);
	json_key(w, "time_rfc3339");
	dump_json_rfc3339(w, t);
}

/* The crashing thread's part of the backtrace text (the first block). */
static void
backtrace_text(struct json_writer *w, const struct webhook_crash *c)
{
	const char *end = strstr(c->backtrace, "\n\n");
	size_t len =
	    end ? (size_t)(end - c->backtrace) + 1 : strlen(c->backtrace);
	struct buf t;
	int r;

	buf_init(&t, 0);
	r = json_text_capped(&t, c->backtrace, len, JSON_TEXT_ESCAPED,
	    BACKTRACE_TEXT_CAP, WEBHOOK_ELLIPSIS);
	made(w, "backtrace", r, &t);
	buf_done(&t);
}

/* The dump's keys, those of crashd-cli info --json. */
static void
dump_keys(struct json_writer *w, const struct webhook_crash *c)
{
	escaped(w, "id", c->name);
	time_keys(w, c->time);
	text(w, "hostname", c->hostname, 0);
	text(w, "executable", c->executable, 0);
	json_key(w, "executable_deleted");
	json_bool(w, c->executable_deleted);
	text(w, "comm", c->comm, 0);
	known(w, "pid", c->pid);
	known(w, "ns_pid", c->ns_pid);
	known(w, "tid", c->tid);
	known(w, "uid", c->uid);
	known(w, "gid", c->gid);
	text(w, "username", c->username, 0);
	json_key(w, "signal");
	json_int(w, c->signal);
	escaped(w, "signal_name", c->signal_name);
	escaped(w, "reason", c->reason);
	escaped(w, "kind", c->kind ? c->kind : "crash");
	json_key(w, "cmdline");
	dump_json_strv(w, c->cmdline, c->cmdline_len, 0);
	text(w, "cwd", c->cwd, 0);
	text(w, "container", c->container, 0);
	text(w, "kernel", c->kernel, 0);
	escaped(w, "start_time", c->start_time);
	escaped(w, "core", c->core);
	known(w, "core_size", c->core_size);
	escaped(w, "signature", c->signature);
	escaped(w, "duphash", c->duphash ? c->duphash : "");
	escaped(w, "where", c->where ? c->where : "");
	json_key(w, "frames");
	dump_json_frames(w, c->frames,
	    dump_frames_crashed_tid(c->frames, c->tid), BACKTRACE_MAX_FRAMES,
	    JSON_TEXT_ESCAPED);
	backtrace_text(w, c);
	json_key(w, "ptree");
	dump_json_ptree(
	    w, c->ptree, PTREE_CAP, DUMP_PTREE_ARGV_SHOWN, JSON_TEXT_ESCAPED);
	escaped(w, "package", c->package ? c->package : "");
	json_key(w, "repeats");
	if (c->repeats)
		dump_json_repeats(w, c->repeats, JSON_TEXT_ESCAPED);
	else
		json_write_null(w);
}

/* The writer's result; nothing of the body stays in out on failure. */
static int
finish(const struct json_writer *w, struct buf *out, size_t len0)
{
	if (w->error < 0) {
		out->len = len0;
		if (out->data)
			out->data[len0] = '\0';
	}
	return w->error;
}

int
webhook_generic_crash(const struct webhook_crash *c, struct buf *out)
{
	size_t len0 = out->len;
	struct json_writer w;
	struct buf t;
	int r;

	begin(&w, out, WEBHOOK_SCHEMA, c->event_id, c->event);
	json_key(&w, "count");
	json_int(&w, (long long)c->count);
	json_key(&w, "held_back");
	json_int(&w, (long long)c->held_back);
	escaped(&w, "summary", c->summary);
	buf_init(&t, 0);
	r = webhook_card_title(&t, c);
	made(&w, "title", r, &t);
	buf_done(&t);
	escaped(&w, "action", c->action);
	text(&w, "dump_path", c->dump_path, 0);
	json_key(&w, "dump");
	json_begin_object(&w);
	dump_keys(&w, c);
	json_end_object(&w);
	json_end_object(&w);
	return finish(&w, out, len0);
}

int
webhook_generic_host(const struct webhook_host *h, struct buf *out)
{
	size_t len0 = out->len;
	struct json_writer w;

	begin(&w, out, WEBHOOK_HOST_SCHEMA, h->event_id, h->event);
	escaped(&w, "summary", h->summary);
	escaped(&w, "title", h->summary);
	escaped(&w, "action", h->action);
	text(&w, "hostname", h->hostname, 0);
	time_keys(&w, h->time);
	text(&w, "core_pattern", h->pattern, 0);
	escaped(&w, "handler", h->owner);
	text(&w, "crashd_line", h->ours, 0);
	json_key(&w, "reclaimed");
	json_bool(&w, h->reclaimed);
	json_end_object(&w);
	return finish(&w, out, len0);
}
