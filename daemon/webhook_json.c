/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook_json.c documents the bodies a webhook action posts, one per
 * format (this comment is the reference for receivers), and picks the
 * format's renderer: webhook_generic.c, webhook_slack.c and
 * webhook_alertmanager.c write them, webhook_card.c the text people read
 * in the latter two.
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
 *     duphash       satyr's duphash for ABRT and FAF (40 hex digits) or ""
 *     where         the crash site people read: the first frame of the
 *                   program's own code ("check+0x1d (/usr/bin/app) at
 *                   app.c:12"), or ""
 *     frames        the crashing thread's frames, innermost first:
 *                   objects {tid, frame, pc, function, offset, module,
 *                   build_id, file, line} (tid, frame and line numbers,
 *                   the rest strings, "" when unknown)
 *     backtrace     the crashing thread's backtrace as text (cut at
 *                   16 KiB), or why there is none, or ""
 *     ptree         the process and its ancestors up to pid 1, the
 *                   process first: objects {pid, comm, argv} where argv
 *                   is one string, shell-quoted, each cut at 200
 *                   bytes with "... (N more bytes)" (the dump keeps
 *                   it whole)
 *     package       the executable's package and version ("coreutils
 *                   9.1-1"), or "" when unknown or not from a package
 *     repeats       where the crashes merged into this dump came from
 *                   (the first one and its repeats), or null before any
 *                   repeat: {"hostname": [{"value", "count"}, ...],
 *                   "container": [...], "uid": [...], "more":
 *                   {"hostname": N, ...}}, at most 16 values a kind
 *                   (crashd's escaped text; "" for no container), more
 *                   counting the crashes with other values
 *
 * format = "slack": {"text": ...}, a Slack incoming-webhook message in
 * mrkdwn (and what Mattermost, Rocket.Chat and Discord's /slack endpoint
 * take): what crashed where, executable, argv (shell-quoted), signal, pid,
 * user, container, parents, package, the hostnames (and containers) of
 * merged repeats, counts and held-back summary, the top frames
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
#include <stdbool.h>

#include "config.h"
#include "webhook_render.h"

/* Each format's two renderers, in enum webhook_format's order. */
static const struct {
	int (*crash)(const struct webhook_crash *c, struct buf *out);
	int (*host)(const struct webhook_host *h, struct buf *out);
} renderers[] = {
	[WEBHOOK_JSON] = { webhook_generic_crash, webhook_generic_host },
	[WEBHOOK_SLACK] = { webhook_slack_crash, webhook_slack_host },
	[WEBHOOK_ALERTMANAGER] = { webhook_alertmanager_crash,
	    webhook_alertmanager_host },
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
	if (!format_known(format))
		return -EINVAL;
	return renderers[format].crash(c, out);
}

int
webhook_json_render_host(
    int format, const struct webhook_host *h, struct buf *out)
{
	if (!format_known(format))
		return -EINVAL;
	return renderers[format].host(h, out);
}
