/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook_alertmanager.c owns format = "alertmanager" (documented in
 * webhook_json.c): the body of Alertmanager's POST /api/v2/alerts, a list
 * of one alert, for a crash (ProcessCrashed, its description the card)
 * and for a host event (CrashdNotRegistered).
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "dump_json.h"
#include "json_text.h"
#include "webhook_card.h"
#include "webhook_jansson.h"
#include "webhook_render.h"

/*
 * How long a crash's alert fires: ProcessCrashed's window in the shipped
 * rules.  A repeat that notifies posts it again, later; with no repeat,
 * Alertmanager resolves it then.
 */
#define CRASH_ALERT_FIRES_S (15LL * 60)
/* A year: how long a loss fires unless its recovery resolves it. */
#define HOST_ALERT_FIRES_S (365LL * 24 * 3600)

/* One alert's parts; the list holds the alert once it is finished. */
struct alert {
	json_t *list, *alert, *labels, *ann;
};

/* A new alert of alertname about host; false (b's error) without memory. */
static bool
alert_new(struct webhook_jansson *b, struct alert *a, const char *alertname,
    const char *host)
{
	a->list = json_array();
	a->alert = json_object();
	a->labels = json_object();
	a->ann = json_object();
	if (!a->list || !a->alert || !a->labels || !a->ann) {
		json_decref(a->list);
		json_decref(a->alert);
		json_decref(a->labels);
		json_decref(a->ann);
		webhook_jansson_fail(b, -ENOMEM);
		return false;
	}
	webhook_jansson_set(b, a->labels, "alertname",
	    webhook_jansson_raw(b, alertname, strlen(alertname)));
	webhook_jansson_set_human(b, a->labels, "host", host, 0);
	return true;
}

/* Sets key to t as RFC 3339, when t is known. */
static void
set_time(struct webhook_jansson *b, json_t *obj, const char *key, long long t)
{
	char when[32];

	if (dump_json_format_rfc3339(t, when, sizeof(when)))
		webhook_jansson_set(
		    b, obj, key, webhook_jansson_raw(b, when, strlen(when)));
}

/* Puts labels and annotations in the alert (then only it is touched). */
static void
alert_parts_done(struct webhook_jansson *b, struct alert *a)
{
	webhook_jansson_set(b, a->alert, "labels", a->labels);
	webhook_jansson_set(b, a->alert, "annotations", a->ann);
}

/* Puts the alert in the list: the body. */
static json_t *
alert_done(struct webhook_jansson *b, struct alert *a)
{
	webhook_jansson_push(b, a->list, a->alert);
	return a->list;
}

/* The alert's description: the title, the card, the dump's path. */
static int
description(struct buf *m, const struct webhook_crash *c)
{
	int r;

	r = webhook_card_title(m, c);
	r = r < 0 ? r : webhook_card(m, c, false);
	r = r < 0 ? r : buf_puts(m, "\ndump: ");
	return r < 0 ? r
		     : webhook_card_value(m, c->dump_path, strlen(c->dump_path),
			   0, 4096, false);
}

int
webhook_alertmanager_crash(const struct webhook_crash *c, struct buf *out)
{
	struct webhook_jansson b = { 0 };
	struct alert a;
	struct buf t;
	int r;

	/* A kernel report (kernel, oom, panic) is no process that crashed. */
	bool kernel = c->kind &&
	    (strcmp(c->kind, "kernel") == 0 || strcmp(c->kind, "oom") == 0 ||
		strcmp(c->kind, "panic") == 0);

	if (!alert_new(&b, &a, kernel ? "KernelReport" : "ProcessCrashed",
		c->hostname))
		return webhook_jansson_finish(b, NULL, out);
	webhook_jansson_set_human(&b, a.labels, "executable", c->executable, 0);
	webhook_jansson_set_human(
	    &b, a.labels, "signal", c->signal_name, JSON_TEXT_ESCAPED);
	webhook_jansson_set_human(&b, a.labels, "container", c->container, 0);
	/* One bug across hosts: Alertmanager groups by it (group_by). */
	if (c->signature && c->signature[0])
		webhook_jansson_set_human(
		    &b, a.labels, "signature", c->signature, JSON_TEXT_ESCAPED);

	buf_init(&t, 0);
	r = webhook_card_title(&t, c);
	webhook_jansson_set_buf(&b, a.ann, "summary", r, &t);
	buf_reset(&t);
	r = description(&t, c);
	webhook_jansson_set_buf(&b, a.ann, "description", r, &t);
	buf_done(&t);
	webhook_jansson_set_human(
	    &b, a.ann, "crashd_id", c->event_id, JSON_TEXT_ESCAPED);
	webhook_jansson_set_human(
	    &b, a.ann, "dump", c->name, JSON_TEXT_ESCAPED);
	webhook_jansson_set_human(
	    &b, a.ann, "event", c->event, JSON_TEXT_ESCAPED);
	webhook_jansson_set_number_text(
	    &b, a.ann, "count", (long long)c->count);
	webhook_jansson_set_number_text(
	    &b, a.ann, "held_back", (long long)c->held_back);
	if (c->uid >= 0)
		webhook_jansson_set_number_text(&b, a.ann, "uid", c->uid);
	if (c->pid >= 0)
		webhook_jansson_set_number_text(&b, a.ann, "pid", c->pid);
	alert_parts_done(&b, &a);
	set_time(&b, a.alert, "startsAt", c->time);
	set_time(&b, a.alert, "endsAt", c->time + CRASH_ALERT_FIRES_S);
	return webhook_jansson_finish(b, alert_done(&b, &a), out);
}

int
webhook_alertmanager_host(const struct webhook_host *h, struct buf *out)
{
	struct webhook_jansson b = { 0 };
	bool fires = webhook_card_host_lost(h) && !h->reclaimed;
	long long now = (long long)time(NULL);
	struct alert a;
	struct buf t;
	int r;

	if (!alert_new(&b, &a, "CrashdNotRegistered", h->hostname))
		return webhook_jansson_finish(b, NULL, out);
	webhook_jansson_set_human(
	    &b, a.ann, "summary", h->summary, JSON_TEXT_ESCAPED);
	buf_init(&t, 0);
	r = webhook_card_host(&t, h, false);
	webhook_jansson_set_buf(&b, a.ann, "description", r, &t);
	buf_done(&t);
	webhook_jansson_set_human(
	    &b, a.ann, "crashd_id", h->event_id, JSON_TEXT_ESCAPED);
	webhook_jansson_set_human(
	    &b, a.ann, "event", h->event, JSON_TEXT_ESCAPED);
	webhook_jansson_set_human(&b, a.ann, "core_pattern", h->pattern, 0);
	webhook_jansson_set_human(
	    &b, a.ann, "handler", h->owner, JSON_TEXT_ESCAPED);
	alert_parts_done(&b, &a);
	if (webhook_card_host_lost(h))
		set_time(&b, a.alert, "startsAt", h->time);
	set_time(&b, a.alert, "endsAt", fires ? now + HOST_ALERT_FIRES_S : now);
	return webhook_jansson_finish(b, alert_done(&b, &a), out);
}
