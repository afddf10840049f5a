/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook_slack.c owns format = "slack" (documented in webhook_json.c):
 * {"text": ...} in mrkdwn, the card's Slack style between a header and
 * the notification's footer, with Slack's three characters escaped.
 */
#include <errno.h>
#include <string.h>

#include "webhook_card.h"
#include "webhook_jansson.h"
#include "webhook_render.h"

/* Slack's three characters to escape; the rest of mrkdwn is ours. */
static int
slack_escape(struct buf *out, const char *s, size_t len)
{
	int r = 0;

	for (size_t i = 0; i < len && r >= 0; i++) {
		switch (s[i]) {
		case '&':
			r = buf_puts(out, "&amp;");
			break;
		case '<':
			r = buf_puts(out, "&lt;");
			break;
		case '>':
			r = buf_puts(out, "&gt;");
			break;
		default:
			r = buf_putc(out, s[i]);
		}
	}
	return r;
}

/* "_crashd first_ `ID`": what sent it. */
static int
footer(struct buf *m, const char *event, const char *event_id)
{
	int r;

	r = buf_puts(m, "\n_crashd ");
	r = r < 0 ? r : webhook_card_escaped(m, event, false);
	r = r < 0 ? r : buf_puts(m, "_ ");
	return r < 0 ? r : webhook_card_escaped(m, event_id, true);
}

/* The body {"text": m}, m escaped for Slack; r is m's writer's result. */
static int
body(int r, const struct buf *m, struct buf *out)
{
	struct webhook_jansson b = { 0 };
	json_t *root = NULL;
	struct buf e;

	buf_init(&e, 0);
	if (r >= 0)
		r = slack_escape(&e, m->data ? m->data : "", m->len);
	root = r < 0 ? NULL : json_object();
	if (root != NULL)
		webhook_jansson_set_buf(&b, root, "text", r, &e);
	else
		webhook_jansson_fail(&b, r < 0 ? r : -ENOMEM);
	buf_done(&e);
	return webhook_jansson_finish(b, root, out);
}

int
webhook_slack_crash(const struct webhook_crash *c, struct buf *out)
{
	struct buf m;
	int r;

	buf_init(&m, 0);
	r = buf_puts(&m, "*Crash on* ");
	r = r < 0 ? r : webhook_card_str(&m, c->hostname, true);
	r = r < 0 ? r : buf_puts(&m, ": ");
	r = r < 0 ? r : webhook_card_escaped(&m, c->reason, true);
	r = r < 0 ? r : webhook_card(&m, c, true);
	r = r < 0 ? r : footer(&m, c->event, c->event_id);
	r = body(r, &m, out);
	buf_done(&m);
	return r;
}

int
webhook_slack_host(const struct webhook_host *h, struct buf *out)
{
	struct buf m;
	int r;

	buf_init(&m, 0);
	r = webhook_card_host(&m, h, true);
	r = r < 0 ? r : footer(&m, h->event, h->event_id);
	r = body(r, &m, out);
	buf_done(&m);
	return r;
}
