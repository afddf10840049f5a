/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The bodies a webhook posts: the generic JSON of
 * schema WEBHOOK_SCHEMA (documented in webhook_json.c), a Slack-compatible
 * message, and an Alertmanager v2 alert list.  Valid JSON for any bytes
 * of the dump (json_text.h says how bytes that are not UTF-8 are kept).
 */
#ifndef CRASHD_WEBHOOK_JSON_H
#define CRASHD_WEBHOOK_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define WEBHOOK_SCHEMA "crashd.crash/1"
#define WEBHOOK_HOST_SCHEMA "crashd.event/1"

/*
 * One notification of a crash, as the bodies need it.  Strings are never
 * NULL ("" when the dump lacks the item); none is owned by this struct.
 * Raw bytes are what the process chose (escaped here); hook text is what
 * the hook or the daemon already escaped (passed through the same rule,
 * which leaves printable ASCII as it is).
 */
struct webhook_crash {
	/* The notification. */
	const char *event_id; /* the same on every attempt */
	const char *event; /* first, every, regression, digest, ... */
	const char *summary; /* the held-back summary, or "" */
	const char *action; /* the action's name */
	const char *dump_path;
	uint64_t count;
	uint64_t held_back;

	/* The dump: raw bytes. */
	const char *executable, *comm, *hostname, *username, *cwd;
	const char *container, *kernel;
	const char *cmdline; /* NUL-separated */
	size_t cmdline_len;

	/* The dump: hook text. */
	const char *name; /* the dump's id */
	const char *reason, *signal_name, *signature, *start_time;
	const char *kind; /* crash, snapshot, kernel, oom, panic */
	const char *core; /* none, mini, truncated, full */
	const char *backtrace; /* backtrace: text, every thread */
	const char *frames; /* backtrace_frames: TSV, crashing thread first */
	const char *ptree; /* TSV: pid, comm, argv; the process first */
	const char *package; /* "coreutils 9.1-1" (package.h), or "" */
	/* Where merged crashes came from (repeats.h), or NULL: none. */
	const struct repeats *repeats;
	const char *where; /* the crash site (crash_site.h), or "" */
	const char *duphash; /* satyr's, or "" */

	long long time; /* seconds; <= 0 when unknown */
	long long pid, ns_pid, tid, uid, gid; /* -1 when unknown */
	long long core_size; /* bytes on disk; -1 without a core */
	int signal;
	bool executable_deleted;
};

/*
 * Appends the body of format (enum webhook_format) for c to out.
 * Returns 0, -EINVAL for an unknown format, -ENOMEM, or -E2BIG when out's
 * cap is too small.
 */
int webhook_json_render(
    int format, const struct webhook_crash *c, struct buf *out);

/*
 * One notification of a host event (struct action_host_event): crashd
 * lost core_pattern or has it again.  Strings are never NULL; none is
 * owned.  summary is crashd's own escaped text; pattern and hostname are
 * raw bytes.
 */
struct webhook_host {
	const char *event_id, *event, *summary, *action;
	const char *hostname, *pattern, *owner, *ours;
	long long time;
	bool reclaimed;
};

/* As webhook_json_render(), for a host event (documented there). */
int webhook_json_render_host(
    int format, const struct webhook_host *h, struct buf *out);

#endif
