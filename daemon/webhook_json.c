/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook_json.c owns the bodies a webhook action posts, one per format,
 * built with jansson (so the JSON is well-formed by construction), and
 * documents them: this comment is the reference for receivers.
 *
 * Strings.  Every string is valid UTF-8.  Bytes a process chose (its
 * executable, comm, argv, cwd, hostname...) are kept losslessly: valid
 * UTF-8 as it is, any other byte (and NUL) as the four characters \xNN,
 * and a backslash that precedes "x" and two hex digits as \x5c; replace
 * every \xHH by the byte 0xHH, left to right, to get the bytes back (see
 * common/json_text.h: the one rule of crashd's JSON, crashd-cli --json's
 * too).  Text crashd itself escaped when it stored the dump
 * (reason, backtrace, frames, ptree, summary) is passed as it is: printable
 * ASCII with C escapes (\n, \\, \xNN).
 *
 * format = "json": one object of schema "crashd.crash/1".  Within version
 * 1 keys are only added, never removed or changed in type or meaning;
 * a receiver ignores the keys it does not know.  Another meaning is a new
 * version ("crashd.crash/2").  Keys:
 *
 *   schema        "crashd.crash/1"
 *   id            the notification's id ("<dump id>/<action>[...]"), the
 *                 same on every attempt and in the Idempotency-Key header:
 *                 a receiver drops a body whose id it has seen
 *   event         why it notifies: "first", "every", "regression",
 *                 "digest", ... (the daemon's notify decision)
 *   count         crashes of this dedupe key in the window
 *   held_back     crashes the rate limit held back that this one sums up
 *   summary       one line about them ("41 more crashes of ..."), or ""
 *   title         "<reason> on <hostname>", for a receiver that shows
 *                 one line
 *   action        the action's name in crashd.conf
 *   dump_path     the dump's directory (crashd-cli info <dump.id>)
 *   dump          the crash, with the keys of `crashd-cli info --json`:
 *     id            the dump's name in the spool
 *     time          the crash's time, seconds since the epoch (null when
 *                   unknown), and time_rfc3339 the same in UTC
 *                   ("2024-05-01T12:00:00Z")
 *     hostname, executable, comm, username, cwd, kernel   (strings)
 *     executable_deleted  true when the file was deleted while it ran
 *     pid, ns_pid, tid, uid, gid   (numbers; null when unknown)
 *     signal        the number, and signal_name "SIGSEGV"
 *     reason        "ruby killed by SIGSEGV" ("snapshot of ruby: ..." for
 *                   a snapshot)
 *     kind          "crash", or "snapshot" (libcrashd), "kernel", "oom",
 *                   "panic"
 *     cmdline       argv, an array of strings
 *     container     "<runtime> <id>" or ""
 *     start_time    the process's start, "seconds.milliseconds"
 *     core          "none", "mini", "truncated" or "full", and core_size
 *                   its bytes on disk (null without a core)
 *     signature     the crash site's hash (16 hex digits) or ""
 *     frames        the crashing thread's frames, innermost first:
 *                   objects {tid, frame, pc, function, offset, module,
 *                   build_id, file, line} (tid, frame and line numbers,
 *                   the rest strings, "" when unknown)
 *     backtrace     the crashing thread's backtrace as text (cut at
 *                   16 KiB), or why there is none, or ""
 *     ptree         the process and its ancestors up to pid 1, the
 *                   process first: objects {pid, comm, argv} where argv
 *                   is one string, shell-quoted
 *
 * format = "slack": {"text": ...}, a Slack incoming-webhook message in
 * mrkdwn (and what Mattermost, Rocket.Chat and Discord's /slack endpoint
 * take): what crashed where, executable, argv (shell-quoted), signal, pid,
 * user, container, parents, counts and held-back summary, the top frames
 * and the id.  Every string from the dump is in a code span (no mention
 * or link in a process's name is acted on; a backtick in it is \x60), and
 * &, <, > are written &amp; &lt; &gt; as Slack requires.  No "blocks":
 * their size limits would make a receiver refuse a long message.
 *
 * format = "alertmanager": the body of Alertmanager's POST /api/v2/alerts,
 * a list of one alert:
 *   labels        alertname "ProcessCrashed", host, executable, signal
 *                 ("SIGSEGV"), and container when there is one: the same
 *                 crash on the same host is one alert, as Alertmanager
 *                 groups it
 *   annotations   summary ("<reason> on <host>"), description (several
 *                 lines: executable, argv, pid, user, signal, container,
 *                 parents, counts, top frames, dump path), crashd_id (the
 *                 id above), dump (the dump's id), event, count,
 *                 held_back, uid, pid
 *   startsAt      the crash's time, RFC 3339 (absent when unknown); no
 *                 endsAt: Alertmanager resolves it after its
 *                 resolve_timeout
 *
 * Host events (crashd lost core_pattern, or has it again) have bodies of
 * their own (webhook_json_render_host()):
 *
 * format = "json": one object of schema "crashd.event/1" (the same rules
 * of versions), keys:
 *   schema        "crashd.event/1"
 *   id            the notification's id ("registration-N/<action>"), as
 *                 for a crash: the Idempotency-Key
 *   event         "unregistered" (another line took core_pattern) or
 *                 "registered" (crashd's line is back)
 *   summary       the one line that says it ("crashd is no longer the
 *                 crash handler: core_pattern is now '...'"), and title
 *                 the same
 *   action        the action's name in crashd.conf
 *   hostname      this host's name
 *   time          when the daemon saw it, seconds, and time_rfc3339
 *   core_pattern  what the kernel had then (any bytes, as above)
 *   handler       whose it is: "systemd-coredump", "apport", "abrt",
 *                 "crashd", "the kernel (core files)", "a file pattern",
 *                 "another program"
 *   crashd_line   crashd's own line
 *   reclaimed     true when crashd wrote its line back
 *                 (daemon.reclaim_core_pattern)
 *
 * format = "slack": {"text": ...}, the summary, the handler and what to do.
 *
 * format = "alertmanager": one alert, labels alertname
 * "CrashdNotRegistered" and host; annotations summary, description,
 * crashd_id, event, core_pattern, handler.  It fires (startsAt, and an
 * endsAt a year ahead, so that it fires until it is resolved rather than
 * for resolve_timeout: it is sent once) when crashd lost core_pattern,
 * and the "registered" event resolves it (endsAt: now).  A loss crashd
 * reclaimed at once is sent resolved.
 */
#include "webhook_json.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backtrace.h"
#include "config.h"
#include "dump_tsv.h"
#include "escape.h"
#include "json_text.h"

#define BACKTRACE_TEXT_CAP (16 * 1024)
#define TOP_FRAMES 5
#define PARENTS_SHOWN 6
#define PTREE_CAP 128
/* Caps of what people read (bytes; Slack's own limit is 40,000). */
#define HUMAN_VALUE_CAP 512
#define HUMAN_ARGV_CAP 1024
#define HUMAN_FRAME_CAP 300
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */

/* A body being built: the first error sticks, the rest is skipped. */
struct builder {
	int err;
};

static void
fail(struct builder *b, int r)
{
	if (b->err == 0)
		b->err = r;
}

/* A JSON string of valid UTF-8 text (ours, or from json_text()). */
static json_t *
jraw(struct builder *b, const char *s, size_t len)
{
	json_t *v = json_stringn(s, len);

	if (v == NULL)
		fail(b, -ENOMEM);
	return v;
}

/*
 * A JSON string of any bytes, per the rule of json_text(), cut to max
 * bytes (0: not cut).
 */
static json_t *
jtext_capped(
    struct builder *b, const char *s, size_t len, unsigned flags, size_t max)
{
	struct buf t;
	json_t *v = NULL;
	int r;

	buf_init(&t, 0);
	r = json_text_capped(&t, s, len, flags, max, ELLIPSIS);
	if (r < 0)
		fail(b, r);
	else
		v = jraw(b, t.data ? t.data : "", t.len);
	buf_done(&t);
	return v;
}

static json_t *
jtext(struct builder *b, const char *s, size_t len, unsigned flags)
{
	return jtext_capped(b, s, len, flags, 0);
}

/*
 * JSON null.  Not json_null(): common/json.c defines a function of that
 * name too, which the link picks over jansson's; json_pack() calls
 * jansson's own.
 */
static json_t *
jnull(void)
{
	return json_pack("n");
}

static void
set(struct builder *b, json_t *obj, const char *key, json_t *v)
{
	/* json_object_set_new() takes v even when it fails. */
	if (v == NULL)
		fail(b, -ENOMEM);
	else if (json_object_set_new(obj, key, v) < 0)
		fail(b, -ENOMEM);
}

static void
push(struct builder *b, json_t *arr, json_t *v)
{
	if (v == NULL)
		fail(b, -ENOMEM);
	else if (json_array_append_new(arr, v) < 0)
		fail(b, -ENOMEM);
}

static void
set_raw(struct builder *b, json_t *obj, const char *key, const char *s)
{
	set(b, obj, key, jtext(b, s, strlen(s), 0));
}

static void
set_escaped(struct builder *b, json_t *obj, const char *key, const char *s)
{
	set(b, obj, key, jtext(b, s, strlen(s), JSON_TEXT_ESCAPED));
}

static void
set_int(struct builder *b, json_t *obj, const char *key, long long v)
{
	set(b, obj, key, json_integer(v));
}

/* A number, or null when unknown (negative). */
static void
set_known(struct builder *b, json_t *obj, const char *key, long long v)
{
	set(b, obj, key, v < 0 ? jnull() : json_integer(v));
}

/* Writes t as "2024-05-01T12:00:00Z".  Returns false when t is unknown. */
static bool
rfc3339(long long t, char *out, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (t <= 0 || gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return false;
	return true;
}

/*
 * The tid of the crashing thread's frames: the dump's tid when frames of
 * it are listed, else the first thread listed (the unwinder puts the
 * crashing thread first).  -1 when there are no frames.
 */
static long long
crashed_tid(const struct webhook_crash *c)
{
	long long first = -1;
	struct dump_tsv_field f[1];
	struct dump_tsv t;

	dump_tsv_init(&t, c->frames);
	while (dump_tsv_next(&t, f, 1) > 0) {
		long long tid;

		tid = dump_tsv_number(&f[DUMP_FRAME_TID], -1);
		if (first < 0)
			first = tid;
		if (c->tid > 0 && tid == c->tid)
			return tid;
	}
	return first;
}

static json_t *
frames_json(struct builder *b, const struct webhook_crash *c)
{
	long long tid = crashed_tid(c);
	json_t *arr = json_array();
	unsigned shown = 0;
	struct dump_tsv_field f[_DUMP_FRAME_MAX];
	struct dump_tsv t;
	size_t nf;

	if (arr == NULL) {
		fail(b, -ENOMEM);
		return NULL;
	}
	dump_tsv_init(&t, c->frames);
	while ((nf = dump_tsv_next(&t, f, _DUMP_FRAME_MAX)) > 0) {
		json_t *o;

		if (dump_tsv_number(&f[DUMP_FRAME_TID], -1) != tid ||
		    shown >= BACKTRACE_MAX_FRAMES)
			continue;
		shown++;
		o = json_object();
		for (size_t i = 0; o && i < nf; i++) {
			if (dump_frame_field_is_number(i))
				set_known(b, o, dump_frame_keys[i],
				    dump_tsv_number(&f[i], -1));
			else
				set(b, o, dump_frame_keys[i],
				    jtext(b, f[i].s, f[i].len,
					JSON_TEXT_ESCAPED));
		}
		push(b, arr, o);
	}
	return arr;
}

/*
 * Appends the crashing thread's top frames for people, one a line:
 * "#0 crash+0x14 (victim) at victim.c:70".  Returns the frames shown.
 */
static unsigned
frames_text(struct builder *b, struct buf *out, const struct webhook_crash *c,
    const char *line_prefix)
{
	long long tid = crashed_tid(c);
	unsigned shown = 0;
	struct dump_tsv_field f[_DUMP_FRAME_MAX];
	struct dump_tsv t;
	size_t nf;

	dump_tsv_init(&t, c->frames);
	while ((nf = dump_tsv_next(&t, f, _DUMP_FRAME_MAX)) > 0) {
		const struct dump_tsv_field *m;
		struct buf l;
		int r;

		if (nf < _DUMP_FRAME_MAX ||
		    dump_tsv_number(&f[DUMP_FRAME_TID], -1) != tid ||
		    shown >= TOP_FRAMES)
			continue;
		buf_init(&l, 0);
		r = buf_printf(
		    &l, "#%lld ", dump_tsv_number(&f[DUMP_FRAME_FRAME], 0));
		if (f[DUMP_FRAME_FUNCTION].len > 0) {
			r = r < 0 ? r
				  : buf_append(&l, f[DUMP_FRAME_FUNCTION].s,
					f[DUMP_FRAME_FUNCTION].len);
			r = r < 0 ? r : buf_putc(&l, '+');
		} else {
			r = r < 0 ? r : buf_puts(&l, "?? +");
		}
		r = r < 0 ? r
			  : buf_append(&l, f[DUMP_FRAME_OFFSET].s,
				f[DUMP_FRAME_OFFSET].len);
		m = &f[DUMP_FRAME_MODULE];
		if (r >= 0 && m->len > 0) {
			const char *slash = memrchr(m->s, '/', m->len);
			const char *base = slash ? slash + 1 : m->s;

			r = buf_printf(&l, " (%.*s)",
			    (int)(m->len - (size_t)(base - m->s)), base);
		}
		if (r >= 0 && f[DUMP_FRAME_FILE].len > 0)
			r = buf_printf(&l, " at %.*s:%lld",
			    (int)f[DUMP_FRAME_FILE].len, f[DUMP_FRAME_FILE].s,
			    dump_tsv_number(&f[DUMP_FRAME_LINE], 0));
		r = r < 0 ? r : buf_puts(out, shown ? "\n" : "");
		r = r < 0 ? r : buf_puts(out, line_prefix);
		if (r >= 0)
			r = json_text_capped(out, l.data, l.len,
			    JSON_TEXT_ESCAPED | JSON_TEXT_VISIBLE,
			    HUMAN_FRAME_CAP, ELLIPSIS);
		buf_done(&l);
		if (r < 0) {
			fail(b, r);
			break;
		}
		shown++;
	}
	return shown;
}

/* The crashing thread's part of the backtrace text (the first block). */
static json_t *
backtrace_json(struct builder *b, const struct webhook_crash *c)
{
	const char *end = strstr(c->backtrace, "\n\n");
	size_t len =
	    end ? (size_t)(end - c->backtrace) + 1 : strlen(c->backtrace);

	return jtext_capped(
	    b, c->backtrace, len, JSON_TEXT_ESCAPED, BACKTRACE_TEXT_CAP);
}

static json_t *
ptree_json(struct builder *b, const struct webhook_crash *c)
{
	json_t *arr = json_array();
	unsigned shown = 0;
	struct dump_tsv_field f[_DUMP_PTREE_MAX];
	struct dump_tsv t;

	if (arr == NULL) {
		fail(b, -ENOMEM);
		return NULL;
	}
	dump_tsv_init(&t, c->ptree);
	while (dump_tsv_next(&t, f, _DUMP_PTREE_MAX) > 0) {
		json_t *o;

		if (shown++ >= PTREE_CAP)
			break;
		o = json_object();
		if (o) {
			set_known(b, o, dump_ptree_keys[DUMP_PTREE_PID],
			    dump_tsv_number(&f[DUMP_PTREE_PID], -1));
			for (size_t k = DUMP_PTREE_COMM; k < _DUMP_PTREE_MAX;
			     k++)
				set(b, o, dump_ptree_keys[k],
				    jtext(b, f[k].s, f[k].len,
					JSON_TEXT_ESCAPED));
		}
		push(b, arr, o);
	}
	return arr;
}

static json_t *
cmdline_json(struct builder *b, const struct webhook_crash *c)
{
	json_t *arr = json_array();
	size_t i = 0;

	if (arr == NULL) {
		fail(b, -ENOMEM);
		return NULL;
	}
	/* NUL-separated; the last NUL is optional. */
	while (i < c->cmdline_len) {
		size_t n = strnlen(c->cmdline + i, c->cmdline_len - i);

		push(b, arr, jtext(b, c->cmdline + i, n, 0));
		i += n + 1;
	}
	return arr;
}

/* "<reason> on <hostname>", for one line. */
static int
title(struct buf *out, const struct webhook_crash *c)
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

static json_t *
render_generic(struct builder *b, const struct webhook_crash *c)
{
	json_t *root = json_object(), *d = json_object();
	char when[32];
	struct buf t;
	int r;

	if (root == NULL || d == NULL) {
		json_decref(root);
		json_decref(d);
		fail(b, -ENOMEM);
		return NULL;
	}
	set(b, root, "schema", jraw(b, WEBHOOK_SCHEMA, strlen(WEBHOOK_SCHEMA)));
	set_escaped(b, root, "id", c->event_id);
	set_escaped(b, root, "event", c->event);
	set_int(b, root, "count", (long long)c->count);
	set_int(b, root, "held_back", (long long)c->held_back);
	set_escaped(b, root, "summary", c->summary);
	buf_init(&t, 0);
	r = title(&t, c);
	if (r < 0)
		fail(b, r);
	else
		set(b, root, "title", jraw(b, t.data ? t.data : "", t.len));
	buf_done(&t);
	set_escaped(b, root, "action", c->action);
	set_raw(b, root, "dump_path", c->dump_path);

	set_escaped(b, d, "id", c->name);
	set_known(b, d, "time", c->time > 0 ? c->time : -1);
	set(b, d, "time_rfc3339",
	    rfc3339(c->time, when, sizeof(when)) ? jraw(b, when, strlen(when))
						 : jnull());
	set_raw(b, d, "hostname", c->hostname);
	set_raw(b, d, "executable", c->executable);
	set(b, d, "executable_deleted", json_boolean(c->executable_deleted));
	set_raw(b, d, "comm", c->comm);
	set_known(b, d, "pid", c->pid);
	set_known(b, d, "ns_pid", c->ns_pid);
	set_known(b, d, "tid", c->tid);
	set_known(b, d, "uid", c->uid);
	set_known(b, d, "gid", c->gid);
	set_raw(b, d, "username", c->username);
	set_int(b, d, "signal", c->signal);
	set_escaped(b, d, "signal_name", c->signal_name);
	set_escaped(b, d, "reason", c->reason);
	set_escaped(b, d, "kind", c->kind ? c->kind : "crash");
	set(b, d, "cmdline", cmdline_json(b, c));
	set_raw(b, d, "cwd", c->cwd);
	set_raw(b, d, "container", c->container);
	set_raw(b, d, "kernel", c->kernel);
	set_escaped(b, d, "start_time", c->start_time);
	set_escaped(b, d, "core", c->core);
	set_known(b, d, "core_size", c->core_size);
	set_escaped(b, d, "signature", c->signature);
	set(b, d, "frames", frames_json(b, c));
	set(b, d, "backtrace", backtrace_json(b, c));
	set(b, d, "ptree", ptree_json(b, c));
	set(b, root, "dump", d);
	return root;
}

/*
 * Appends a value for people: visible text cut at max bytes.  code: as a
 * Slack code span (a backtick in it written \x60), "?" when empty.
 */
static int
human(struct buf *out, const char *s, size_t len, unsigned flags, size_t max,
    bool code)
{
	struct buf t;
	int r;

	if (len == 0)
		return buf_puts(out, "?");
	buf_init(&t, 0);
	r = json_text_capped(
	    &t, s, len, flags | JSON_TEXT_VISIBLE, max, ELLIPSIS);
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

static int
human_str(struct buf *out, const char *s, bool code)
{
	return human(out, s, strlen(s), 0, HUMAN_VALUE_CAP, code);
}

static int
human_escaped(struct buf *out, const char *s, bool code)
{
	return human(
	    out, s, strlen(s), JSON_TEXT_ESCAPED, HUMAN_VALUE_CAP, code);
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
		r = human(out, a.data ? a.data : "", a.len, JSON_TEXT_ESCAPED,
		    HUMAN_ARGV_CAP, code);
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
	int r = 0;

	dump_tsv_init(&t, c->ptree);
	while (dump_tsv_next(&t, f, _DUMP_PTREE_MAX) > 0) {
		if (i++ == 0)
			continue; /* the process itself */
		if (i > PARENTS_SHOWN + 1) {
			r = buf_puts(out, " < ...");
			break;
		}
		r = i > 2 ? buf_puts(out, " < ") : 0;
		r = r < 0
		    ? r
		    : human(out, f[DUMP_PTREE_COMM].s, f[DUMP_PTREE_COMM].len,
			  JSON_TEXT_ESCAPED, 64, code);
		r = r < 0 ? r
			  : buf_printf(out, " (%lld)",
				dump_tsv_number(&f[DUMP_PTREE_PID], -1));
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
	r = r < 0 ? r : human_str(out, c->username, code);
	r = r < 0 ? r : buf_printf(out, " (uid %s)", uid);
	return r;
}

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

static int
slack_text(struct builder *b, struct buf *m, const struct webhook_crash *c)
{
	struct buf frames;
	int r;

	r = buf_puts(m, "*Crash on* ");
	r = r < 0 ? r : human_str(m, c->hostname, true);
	r = r < 0 ? r : buf_puts(m, ": ");
	r = r < 0 ? r : human_escaped(m, c->reason, true);
	r = r < 0 ? r : buf_puts(m, "\n*Executable:* ");
	r = r < 0 ? r : human_str(m, c->executable, true);
	if (r >= 0 && c->executable_deleted)
		r = buf_puts(m, " (deleted while it ran)");
	r = r < 0 ? r : buf_puts(m, "\n*Argv:* ");
	r = r < 0 ? r : human_argv(m, c, true);
	r = r < 0 ? r : buf_puts(m, "\n*Signal:* ");
	r = r < 0 ? r : human_escaped(m, c->signal_name, false);
	r = r < 0 ? r : buf_printf(m, " (%d), ", c->signal);
	r = r < 0 ? r : human_process(m, c, true);
	if (r >= 0 && c->container[0]) {
		r = buf_puts(m, "\n*Container:* ");
		r = r < 0 ? r : human_str(m, c->container, true);
	}
	if (r >= 0 && strchr(c->ptree, '\n') && strchr(c->ptree, '\n')[1]) {
		r = buf_puts(m, "\n*Parents:* ");
		r = r < 0 ? r : human_parents(m, c, true);
	}
	r = r < 0 ? r
		  : buf_printf(m, "\n*Crashes of this kind:* %llu",
			(unsigned long long)c->count);
	if (r >= 0 && c->summary[0]) {
		r = buf_puts(m, "; ");
		r = r < 0 ? r : human_escaped(m, c->summary, true);
	}
	buf_init(&frames, 0);
	if (r >= 0 && frames_text(b, &frames, c, "") > 0) {
		r = buf_puts(m, "\n*Where it died:*\n```\n");
		for (size_t i = 0; r >= 0 && i < frames.len; i++)
			r = frames.data[i] == '`' ? buf_puts(m, "\\x60")
						  : buf_putc(m, frames.data[i]);
		r = r < 0 ? r : buf_puts(m, "\n```");
	}
	buf_done(&frames);
	r = r < 0 ? r : buf_puts(m, "\n_crashd ");
	r = r < 0 ? r : human_escaped(m, c->event, false);
	r = r < 0 ? r : buf_puts(m, "_ ");
	r = r < 0 ? r : human_escaped(m, c->event_id, true);
	return r;
}

static json_t *
render_slack(struct builder *b, const struct webhook_crash *c)
{
	struct buf m, e;
	json_t *root;
	int r;

	buf_init(&m, 0);
	buf_init(&e, 0);
	r = slack_text(b, &m, c);
	if (r >= 0)
		r = slack_escape(&e, m.data ? m.data : "", m.len);
	buf_done(&m);
	if (r < 0) {
		buf_done(&e);
		fail(b, r);
		return NULL;
	}
	root = json_object();
	if (root == NULL)
		fail(b, -ENOMEM);
	else
		set(b, root, "text", jraw(b, e.data ? e.data : "", e.len));
	buf_done(&e);
	return root;
}

/* The alert's description: several plain lines. */
static int
alert_description(
    struct builder *b, struct buf *m, const struct webhook_crash *c)
{
	int r;

	r = title(m, c);
	r = r < 0 ? r : buf_puts(m, "\nexecutable: ");
	r = r < 0 ? r : human_str(m, c->executable, false);
	if (r >= 0 && c->executable_deleted)
		r = buf_puts(m, " (deleted while it ran)");
	r = r < 0 ? r : buf_puts(m, "\nargv: ");
	r = r < 0 ? r : human_argv(m, c, false);
	r = r < 0 ? r : buf_puts(m, "\n");
	r = r < 0 ? r : human_process(m, c, false);
	r = r < 0 ? r : buf_puts(m, ", signal ");
	r = r < 0 ? r : human_escaped(m, c->signal_name, false);
	r = r < 0 ? r : buf_printf(m, " (%d)", c->signal);
	if (r >= 0 && c->container[0]) {
		r = buf_puts(m, "\ncontainer: ");
		r = r < 0 ? r : human_str(m, c->container, false);
	}
	if (r >= 0 && strchr(c->ptree, '\n') && strchr(c->ptree, '\n')[1]) {
		r = buf_puts(m, "\nparents: ");
		r = r < 0 ? r : human_parents(m, c, false);
	}
	r = r < 0 ? r
		  : buf_printf(m, "\ncrashes of this kind: %llu",
			(unsigned long long)c->count);
	if (r >= 0 && c->summary[0]) {
		r = buf_puts(m, "; ");
		r = r < 0 ? r : human_escaped(m, c->summary, false);
	}
	if (r >= 0 && c->frames[0]) {
		struct buf frames;

		buf_init(&frames, 0);
		if (frames_text(b, &frames, c, "  ") > 0) {
			r = buf_puts(m, "\nwhere it died:\n");
			r = r < 0 ? r : buf_append(m, frames.data, frames.len);
		}
		buf_done(&frames);
	}
	r = r < 0 ? r : buf_puts(m, "\ndump: ");
	r = r < 0
	    ? r
	    : human(m, c->dump_path, strlen(c->dump_path), 0, 4096, false);
	return r;
}

/* A label or annotation from any bytes, visible; absent when empty. */
static void
set_human(struct builder *b, json_t *obj, const char *key, const char *s,
    unsigned flags)
{
	if (s[0])
		set(b, obj, key,
		    jtext(b, s, strlen(s), flags | JSON_TEXT_VISIBLE));
}

static void
set_number_text(struct builder *b, json_t *obj, const char *key, long long v)
{
	char tmp[32];

	snprintf(tmp, sizeof(tmp), "%lld", v);
	set(b, obj, key, jraw(b, tmp, strlen(tmp)));
}

static json_t *
render_alertmanager(struct builder *b, const struct webhook_crash *c)
{
	json_t *list = json_array(), *alert = json_object();
	json_t *labels = json_object(), *ann = json_object();
	char when[32];
	struct buf t;
	int r;

	if (!list || !alert || !labels || !ann) {
		json_decref(list);
		json_decref(alert);
		json_decref(labels);
		json_decref(ann);
		fail(b, -ENOMEM);
		return NULL;
	}
	set(b, labels, "alertname", jraw(b, "ProcessCrashed", 14));
	set_human(b, labels, "host", c->hostname, 0);
	set_human(b, labels, "executable", c->executable, 0);
	set_human(b, labels, "signal", c->signal_name, JSON_TEXT_ESCAPED);
	set_human(b, labels, "container", c->container, 0);

	buf_init(&t, 0);
	r = title(&t, c);
	if (r < 0)
		fail(b, r);
	else
		set(b, ann, "summary", jraw(b, t.data ? t.data : "", t.len));
	buf_reset(&t);
	r = alert_description(b, &t, c);
	if (r < 0)
		fail(b, r);
	else
		set(b, ann, "description",
		    jraw(b, t.data ? t.data : "", t.len));
	buf_done(&t);
	set_human(b, ann, "crashd_id", c->event_id, JSON_TEXT_ESCAPED);
	set_human(b, ann, "dump", c->name, JSON_TEXT_ESCAPED);
	set_human(b, ann, "event", c->event, JSON_TEXT_ESCAPED);
	set_number_text(b, ann, "count", (long long)c->count);
	set_number_text(b, ann, "held_back", (long long)c->held_back);
	if (c->uid >= 0)
		set_number_text(b, ann, "uid", c->uid);
	if (c->pid >= 0)
		set_number_text(b, ann, "pid", c->pid);

	set(b, alert, "labels", labels);
	set(b, alert, "annotations", ann);
	if (rfc3339(c->time, when, sizeof(when)))
		set(b, alert, "startsAt", jraw(b, when, strlen(when)));
	push(b, list, alert);
	return list;
}

static json_t *
render_host_generic(struct builder *b, const struct webhook_host *h)
{
	json_t *root = json_object();
	char when[32];

	if (root == NULL) {
		fail(b, -ENOMEM);
		return NULL;
	}
	set(b, root, "schema",
	    jraw(b, WEBHOOK_HOST_SCHEMA, strlen(WEBHOOK_HOST_SCHEMA)));
	set_escaped(b, root, "id", h->event_id);
	set_escaped(b, root, "event", h->event);
	set_escaped(b, root, "summary", h->summary);
	set_escaped(b, root, "title", h->summary);
	set_escaped(b, root, "action", h->action);
	set_raw(b, root, "hostname", h->hostname);
	set_known(b, root, "time", h->time > 0 ? h->time : -1);
	set(b, root, "time_rfc3339",
	    rfc3339(h->time, when, sizeof(when)) ? jraw(b, when, strlen(when))
						 : jnull());
	set_raw(b, root, "core_pattern", h->pattern);
	set_escaped(b, root, "handler", h->owner);
	set_raw(b, root, "crashd_line", h->ours);
	set(b, root, "reclaimed", json_boolean(h->reclaimed));
	return root;
}

static bool
host_lost(const struct webhook_host *h)
{
	return strcmp(h->event, "unregistered") == 0;
}

/* What the operator reads, several plain lines. */
static int
host_text(struct buf *m, const struct webhook_host *h, bool code)
{
	int r;

	r = human_escaped(m, h->summary, false);
	r = r < 0 ? r : buf_puts(m, code ? "\n*Host:* " : "\nhost: ");
	r = r < 0 ? r : human_str(m, h->hostname, code);
	r = r < 0 ? r : buf_puts(m, code ? "\n*Handler:* " : "\nhandler: ");
	r = r < 0 ? r : human_escaped(m, h->owner, false);
	r = r < 0
	    ? r
	    : buf_puts(m, code ? "\n*crashd's line:* " : "\ncrashd's line: ");
	r = r < 0 ? r : human_str(m, h->ours, code);
	if (r >= 0 && host_lost(h) && !h->reclaimed)
		r = buf_puts(m,
		    code ? "\n*What to do:* `crashd-cli install`, or "
			   "`systemctl restart crashd-hook`"
			 : "\nwhat to do: crashd-cli install, or systemctl "
			   "restart crashd-hook");
	return r;
}

static json_t *
render_host_slack(struct builder *b, const struct webhook_host *h)
{
	struct buf m, e;
	json_t *root;
	int r;

	buf_init(&m, 0);
	buf_init(&e, 0);
	r = host_text(&m, h, true);
	r = r < 0 ? r : buf_puts(&m, "\n_crashd ");
	r = r < 0 ? r : human_escaped(&m, h->event, false);
	r = r < 0 ? r : buf_puts(&m, "_ ");
	r = r < 0 ? r : human_escaped(&m, h->event_id, true);
	if (r >= 0)
		r = slack_escape(&e, m.data ? m.data : "", m.len);
	buf_done(&m);
	root = r < 0 ? NULL : json_object();
	if (r < 0 || root == NULL)
		fail(b, r < 0 ? r : -ENOMEM);
	else
		set(b, root, "text", jraw(b, e.data ? e.data : "", e.len));
	buf_done(&e);
	return root;
}

/* A year: how long a loss fires unless its recovery resolves it. */
#define HOST_ALERT_FIRES_S (365LL * 24 * 3600)

static json_t *
render_host_alertmanager(struct builder *b, const struct webhook_host *h)
{
	json_t *list = json_array(), *alert = json_object();
	json_t *labels = json_object(), *ann = json_object();
	bool fires = host_lost(h) && !h->reclaimed;
	long long now = (long long)time(NULL);
	char when[32];
	struct buf t;
	int r;

	if (!list || !alert || !labels || !ann) {
		json_decref(list);
		json_decref(alert);
		json_decref(labels);
		json_decref(ann);
		fail(b, -ENOMEM);
		return NULL;
	}
	set(b, labels, "alertname", jraw(b, "CrashdNotRegistered", 19));
	set_human(b, labels, "host", h->hostname, 0);
	set_human(b, ann, "summary", h->summary, JSON_TEXT_ESCAPED);
	buf_init(&t, 0);
	r = host_text(&t, h, false);
	if (r < 0)
		fail(b, r);
	else
		set(b, ann, "description",
		    jraw(b, t.data ? t.data : "", t.len));
	buf_done(&t);
	set_human(b, ann, "crashd_id", h->event_id, JSON_TEXT_ESCAPED);
	set_human(b, ann, "event", h->event, JSON_TEXT_ESCAPED);
	set_human(b, ann, "core_pattern", h->pattern, 0);
	set_human(b, ann, "handler", h->owner, JSON_TEXT_ESCAPED);
	set(b, alert, "labels", labels);
	set(b, alert, "annotations", ann);
	if (host_lost(h) && rfc3339(h->time, when, sizeof(when)))
		set(b, alert, "startsAt", jraw(b, when, strlen(when)));
	if (rfc3339(fires ? now + HOST_ALERT_FIRES_S : now, when, sizeof(when)))
		set(b, alert, "endsAt", jraw(b, when, strlen(when)));
	push(b, list, alert);
	return list;
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

/* Writes root (taken) to out; nothing of it on failure.  0 or -errno. */
static int
dump_root(struct builder b, json_t *root, struct buf *out)
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

/* Each format's two renderers, in enum webhook_format's order. */
static const struct {
	json_t *(*crash)(struct builder *b, const struct webhook_crash *c);
	json_t *(*host)(struct builder *b, const struct webhook_host *h);
} renderers[] = {
	[WEBHOOK_JSON] = { render_generic, render_host_generic },
	[WEBHOOK_SLACK] = { render_slack, render_host_slack },
	[WEBHOOK_ALERTMANAGER] = { render_alertmanager,
	    render_host_alertmanager },
};

static bool
format_known(int format)
{
	return format >= 0 &&
	    (size_t)format < sizeof(renderers) / sizeof(renderers[0]) &&
	    renderers[format].crash != NULL;
}

int
webhook_json_render(int format, const struct webhook_crash *c, struct buf *out)
{
	struct builder b = { 0 };
	json_t *root;

	if (!format_known(format))
		return -EINVAL;
	/* Before dump_root() takes b: the renderer records its errors in it. */
	root = renderers[format].crash(&b, c);
	return dump_root(b, root, out);
}

int
webhook_json_render_host(
    int format, const struct webhook_host *h, struct buf *out)
{
	struct builder b = { 0 };
	json_t *root;

	if (!format_known(format))
		return -EINVAL;
	/* Before dump_root() takes b: the renderer records its errors in it. */
	root = renderers[format].host(&b, h);
	return dump_root(b, root, out);
}
