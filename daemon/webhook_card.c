/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook_card.c owns the crash card and the host card (webhook_card.h):
 * which lines people read about a crash or a host event, in which order,
 * and how each value is shown.  The Slack and Alertmanager bodies wrap
 * them; the generic body's title is the card's.
 */
#include "webhook_card.h"

#include <stdio.h>
#include <string.h>

#include "dump_tsv.h"
#include "escape.h"
#include "json_text.h"
#include "repeats.h"

#define TOP_FRAMES 5
#define PARENTS_SHOWN 6
/* Caps of what people read (bytes; Slack's own limit is 40,000). */
#define HUMAN_VALUE_CAP 512
#define HUMAN_ARGV_CAP 1024
#define HUMAN_FRAME_CAP 300

int
webhook_card_value(struct buf *out, const char *s, size_t len, unsigned flags,
    size_t max, bool code)
{
	struct buf t;
	int r;

	if (len == 0)
		return buf_puts(out, "?");
	buf_init(&t, 0);
	r = json_text_capped(
	    &t, s, len, flags | JSON_TEXT_VISIBLE, max, WEBHOOK_ELLIPSIS);
	if (r >= 0 && code)
		r = buf_putc(out, '`');
	for (size_t i = 0; r >= 0 && i < t.len; i++)
		r = code && t.data[i] == '`' ? buf_puts(out, "\\x60")
					     : buf_putc(out, t.data[i]);
	if (r >= 0 && code)
		r = buf_putc(out, '`');
	buf_done(&t);
	return r;
}

int
webhook_card_str(struct buf *out, const char *s, bool code)
{
	return webhook_card_value(out, s, strlen(s), 0, HUMAN_VALUE_CAP, code);
}

int
webhook_card_escaped(struct buf *out, const char *s, bool code)
{
	return webhook_card_value(
	    out, s, strlen(s), JSON_TEXT_ESCAPED, HUMAN_VALUE_CAP, code);
}

int
webhook_card_title(struct buf *out, const struct webhook_crash *c)
{
	int r;

	r = json_text(out, c->reason, strlen(c->reason),
	    JSON_TEXT_ESCAPED | JSON_TEXT_VISIBLE);
	r = r < 0 ? r : buf_puts(out, " on ");
	r = r < 0 ? r
		  : json_text(out, c->hostname, strlen(c->hostname),
			JSON_TEXT_VISIBLE);
	return r;
}

/* A line's label: "\n*Executable:* " for Slack, "\nexecutable: " plain. */
static int
label(struct buf *out, const char *name, bool slack)
{
	if (slack)
		return buf_printf(out, "\n*%s:* ", name);
	return buf_printf(out, "\n%c%s: ",
	    name[0] >= 'A' && name[0] <= 'Z' ? name[0] - 'A' + 'a' : name[0],
	    name + 1);
}

/* argv, shell-quoted (printable ASCII by escape_argv()). */
static int
human_argv(struct buf *out, const struct webhook_crash *c, bool code)
{
	struct buf a;
	int r;

	buf_init(&a, 0);
	r = escape_argv(&a, c->cmdline, c->cmdline_len);
	if (r >= 0)
		r = webhook_card_value(out, a.data ? a.data : "", a.len,
		    JSON_TEXT_ESCAPED, HUMAN_ARGV_CAP, code);
	buf_done(&a);
	return r;
}

/* "bash (1000) < sshd (900) < systemd (1)": the ancestors, nearest first. */
static int
human_parents(struct buf *out, const struct webhook_crash *c, bool code)
{
	unsigned i = 0;
	struct dump_tsv_field f[_DUMP_PTREE_MAX];
	struct dump_tsv t;
	long long pid;
	int r = 0;

	dump_tsv_init(&t, c->ptree);
	while (dump_ptree_next(&t, f, &pid) > 0) {
		if (i++ == 0)
			continue; /* the process itself */
		if (i > PARENTS_SHOWN + 1) {
			r = buf_puts(out, " < ...");
			break;
		}
		r = i > 2 ? buf_puts(out, " < ") : 0;
		r = r < 0
		    ? r
		    : webhook_card_value(out, f[DUMP_PTREE_COMM].s,
			  f[DUMP_PTREE_COMM].len, JSON_TEXT_ESCAPED, 64, code);
		r = r < 0 ? r : buf_printf(out, " (%lld)", pid);
		if (r < 0)
			break;
	}
	return r;
}

/* "pid 1234, user alice (uid 1000)"; "?" for what is unknown. */
static int
human_process(struct buf *out, const struct webhook_crash *c, bool code)
{
	char pid[32] = "?", uid[32] = "?";
	int r;

	if (c->pid >= 0)
		snprintf(pid, sizeof(pid), "%lld", c->pid);
	if (c->uid >= 0)
		snprintf(uid, sizeof(uid), "%lld", c->uid);
	r = buf_printf(out, "pid %s, user ", pid);
	r = r < 0 ? r : webhook_card_str(out, c->username, code);
	r = r < 0 ? r : buf_printf(out, " (uid %s)", uid);
	return r;
}

/* One frame for people: "#0 crash+0x14 (victim) at victim.c:70". */
static int
frame_line(struct buf *l, const struct dump_tsv_field *f)
{
	const struct dump_tsv_field *m = &f[DUMP_FRAME_MODULE];
	int r;

	r = buf_printf(l, "#%lld ", dump_tsv_number(&f[DUMP_FRAME_FRAME], 0));
	if (f[DUMP_FRAME_FUNCTION].len > 0) {
		r = r < 0 ? r
			  : buf_append(l, f[DUMP_FRAME_FUNCTION].s,
				f[DUMP_FRAME_FUNCTION].len);
		r = r < 0 ? r : buf_putc(l, '+');
	} else {
		r = r < 0 ? r : buf_puts(l, "?? +");
	}
	r = r < 0
	    ? r
	    : buf_append(l, f[DUMP_FRAME_OFFSET].s, f[DUMP_FRAME_OFFSET].len);
	if (r >= 0 && m->len > 0) {
		const char *slash = memrchr(m->s, '/', m->len);
		const char *base = slash ? slash + 1 : m->s;

		r = buf_printf(
		    l, " (%.*s)", (int)(m->len - (size_t)(base - m->s)), base);
	}
	if (r >= 0 && f[DUMP_FRAME_FILE].len > 0)
		r = buf_printf(l, " at %.*s:%lld", (int)f[DUMP_FRAME_FILE].len,
		    f[DUMP_FRAME_FILE].s,
		    dump_tsv_number(&f[DUMP_FRAME_LINE], 0));
	return r;
}

/*
 * Appends the crashing thread's top frames, one a line, each after
 * line_prefix; *ret_shown is how many.
 */
static int
frames_text(struct buf *out, const struct webhook_crash *c,
    const char *line_prefix, unsigned *ret_shown)
{
	struct dump_tsv_field f[_DUMP_FRAME_MAX];
	struct dump_frames it;
	unsigned shown = 0;
	int r = 0;

	dump_frames_init(
	    &it, c->frames, dump_frames_crashed_tid(c->frames, c->tid));
	while (r >= 0 && shown < TOP_FRAMES) {
		size_t nf = dump_frames_next(&it, f);
		struct buf l;

		if (nf == 0)
			break;
		if (nf < _DUMP_FRAME_MAX)
			continue;
		buf_init(&l, 0);
		r = frame_line(&l, f);
		r = r < 0 ? r : buf_puts(out, shown ? "\n" : "");
		r = r < 0 ? r : buf_puts(out, line_prefix);
		if (r >= 0)
			r = json_text_capped(out, l.data, l.len,
			    JSON_TEXT_ESCAPED | JSON_TEXT_VISIBLE,
			    HUMAN_FRAME_CAP, WEBHOOK_ELLIPSIS);
		buf_done(&l);
		if (r >= 0)
			shown++;
	}
	*ret_shown = shown;
	return r;
}

/* "Where it died": Slack's in a code block, the alert's indented. */
static int
card_frames(struct buf *out, const struct webhook_crash *c, bool slack)
{
	struct buf frames;
	unsigned shown = 0;
	int r;

	buf_init(&frames, 0);
	r = frames_text(&frames, c, slack ? "" : "  ", &shown);
	if (r >= 0 && shown > 0 && slack) {
		r = buf_puts(out, "\n*Where it died:*\n```\n");
		for (size_t i = 0; r >= 0 && i < frames.len; i++)
			r = frames.data[i] == '`'
			    ? buf_puts(out, "\\x60")
			    : buf_putc(out, frames.data[i]);
		r = r < 0 ? r : buf_puts(out, "\n```");
	} else if (r >= 0 && shown > 0) {
		r = buf_puts(out, "\nwhere it died:\n");
		r = r < 0 ? r : buf_append(out, frames.data, frames.len);
	}
	buf_done(&frames);
	return r;
}

/* Slack: "SIGSEGV (11), pid ..."; plain: "pid ..., signal SIGSEGV (11)". */
static int
card_signal(struct buf *out, const struct webhook_crash *c, bool slack)
{
	int r;

	if (slack) {
		r = label(out, "Signal", slack);
		r = r < 0 ? r
			  : webhook_card_escaped(out, c->signal_name, false);
		r = r < 0 ? r : buf_printf(out, " (%d), ", c->signal);
		return r < 0 ? r : human_process(out, c, true);
	}
	r = buf_puts(out, "\n");
	r = r < 0 ? r : human_process(out, c, false);
	r = r < 0 ? r : buf_puts(out, ", signal ");
	r = r < 0 ? r : webhook_card_escaped(out, c->signal_name, false);
	return r < 0 ? r : buf_printf(out, " (%d)", c->signal);
}

/*
 * "Package: coreutils 9.1-1" and, for merged crashes, "Repeats from:
 * web1 (20), other (1)" and their containers when they had any.
 */
static int
card_origins(struct buf *out, const struct webhook_crash *c, bool slack)
{
	static const char *const labels[_REPEATS_KIND_MAX] = {
		[REPEATS_HOSTNAME] = "Repeats from",
		[REPEATS_CONTAINER] = "Repeats in containers",
	};
	struct buf b;
	int r = 0;

	if (c->package && c->package[0]) {
		r = label(out, "Package", slack);
		r = r < 0 ? r : webhook_card_escaped(out, c->package, slack);
	}
	if (c->repeats == NULL)
		return r;
	buf_init(&b, 0);
	for (int k = 0; k < _REPEATS_KIND_MAX && r >= 0; k++) {
		if (labels[k] == NULL)
			continue;
		/* Containers only when some repeat had one. */
		if (k == REPEATS_CONTAINER && c->repeats->more[k] == 0 &&
		    (c->repeats->n[k] == 0 ||
			(c->repeats->n[k] == 1 &&
			    c->repeats->values[k][0].text[0] == '\0')))
			continue;
		buf_reset(&b);
		r = repeats_describe(c->repeats, k, &b);
		r = r < 0 ? r : label(out, labels[k], slack);
		r = r < 0 ? r
			  : webhook_card_value(out, b.data ? b.data : "", b.len,
				JSON_TEXT_ESCAPED, HUMAN_VALUE_CAP, slack);
	}
	buf_done(&b);
	return r;
}

int
webhook_card(struct buf *out, const struct webhook_crash *c, bool slack)
{
	const char *nl = strchr(c->ptree, '\n');
	int r;

	r = label(out, "Executable", slack);
	r = r < 0 ? r : webhook_card_str(out, c->executable, slack);
	if (r >= 0 && c->executable_deleted)
		r = buf_puts(out, " (deleted while it ran)");
	r = r < 0 ? r : label(out, "Argv", slack);
	r = r < 0 ? r : human_argv(out, c, slack);
	r = r < 0 ? r : card_signal(out, c, slack);
	if (r >= 0 && c->container[0]) {
		r = label(out, "Container", slack);
		r = r < 0 ? r : webhook_card_str(out, c->container, slack);
	}
	if (r >= 0 && nl && nl[1]) {
		r = label(out, "Parents", slack);
		r = r < 0 ? r : human_parents(out, c, slack);
	}
	r = r < 0 ? r : card_origins(out, c, slack);
	if (r >= 0)
		r = buf_printf(out, slack ? "\n*%s:* %llu" : "\n%s: %llu",
		    slack ? "Crashes of this kind" : "crashes of this kind",
		    (unsigned long long)c->count);
	if (r >= 0 && c->summary[0]) {
		r = buf_puts(out, "; ");
		r = r < 0 ? r : webhook_card_escaped(out, c->summary, slack);
	}
	if (r >= 0 && c->where && c->where[0]) {
		r = label(out, "Where", slack);
		r = r < 0 ? r : webhook_card_escaped(out, c->where, slack);
	}
	return r < 0 ? r : card_frames(out, c, slack);
}

bool
webhook_card_host_lost(const struct webhook_host *h)
{
	return strcmp(h->event, "unregistered") == 0;
}

int
webhook_card_host(struct buf *out, const struct webhook_host *h, bool slack)
{
	int r;

	r = webhook_card_escaped(out, h->summary, false);
	r = r < 0 ? r : label(out, "Host", slack);
	r = r < 0 ? r : webhook_card_str(out, h->hostname, slack);
	r = r < 0 ? r : label(out, "Handler", slack);
	r = r < 0 ? r : webhook_card_escaped(out, h->owner, false);
	r = r < 0 ? r
		  : buf_puts(out,
			slack ? "\n*crashd's line:* " : "\ncrashd's line: ");
	r = r < 0 ? r : webhook_card_str(out, h->ours, slack);
	if (r >= 0 && webhook_card_host_lost(h) && !h->reclaimed)
		r = buf_puts(out,
		    slack ? "\n*What to do:* `crashd-cli install`, or "
			    "`systemctl restart crashd-hook`"
			  : "\nwhat to do: crashd-cli install, or systemctl "
			    "restart crashd-hook");
	return r;
}
