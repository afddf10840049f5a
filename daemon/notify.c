/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.c owns the notify policy and the held-back summary.
 */
#include "notify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "escape.h"
#include "ratelimit.h"
#include "signame.h"

bool
notify_decision_notifies(const struct decision *dc)
{
	return strcmp(dc->event, "first") == 0 ||
	    strcmp(dc->event, "every") == 0 ||
	    strcmp(dc->event, "regression") == 0;
}

void
notify_decide(const struct daemon_config *dc, struct keystate *ks,
    bool first_exists, const struct dump *d, int64_t *global_tat,
    struct decision *ret)
{
	struct decision dec;
	long long t = d->time;
	bool fresh = ks->count == 0 || !first_exists ||
	    (uint64_t)(t - ks->first_seen) * 1000 > dc->dedupe_window_ms;
	bool quiet = ks->count > 0 && t > ks->last_seen &&
	    (uint64_t)(t - ks->last_seen) * 1000 >= dc->regression_after_ms;
	/* A kernel dump may stand for a burst of identical reports. */
	uint64_t n = d->repeats ? d->repeats : 1;
	int64_t tat;

	memset(&dec, 0, sizeof(dec));
	dec.count = fresh ? n : ks->count + n;
	if (!fresh)
		snprintf(dec.first, sizeof(dec.first), "%s", ks->first);
	if (quiet)
		snprintf(dec.event, sizeof(dec.event), "regression");
	else if (fresh)
		snprintf(dec.event, sizeof(dec.event), "first");
	else if (dc->notify_every > 0 &&
	    dec.count / dc->notify_every > (dec.count - n) / dc->notify_every)
		snprintf(dec.event, sizeof(dec.event), "every");
	else
		snprintf(dec.event, sizeof(dec.event), "hold");

	if (notify_decision_notifies(&dec)) {
		/* Rate limits, in wall-clock time: they protect receivers. */
		int64_t now = (int64_t)time(NULL) * 1000;

		tat = ks->tat_ms;
		if (!ratelimit_allow(&tat, &dc->notify_rate, now) ||
		    !ratelimit_allow(global_tat, &dc->notify_global, now)) {
			snprintf(dec.event, sizeof(dec.event), "rate_limited");
		} else {
			ks->tat_ms = tat;
			dec.held = ks->held_back;
			dec.since = ks->held_since;
		}
	}
	*ret = dec;
}

int
notify_account(
    struct keystate *ks, const struct dump *d, const struct decision *dec)
{
	struct buf exe;
	int r;

	/*
	 * Dumps may arrive out of name order (parallel hooks publish when
	 * they are done), so only the very dump accounted last is known to
	 * be accounted: a replay after an interruption.  The backlog replays
	 * a dump interrupted in flight before any other (daemon_backlog()).
	 */
	if (strcmp(ks->last, d->name) == 0)
		return 0;
	if (dec->first[0] == '\0') {
		/* A new window: this dump is the one duplicates merge into. */
		snprintf(ks->first, sizeof(ks->first), "%s", d->name);
		ks->first_seen = d->time;
	}
	snprintf(ks->last, sizeof(ks->last), "%s", d->name);
	ks->count = dec->count;
	if (d->time > ks->last_seen || dec->first[0] == '\0')
		ks->last_seen = d->time;
	if (notify_decision_notifies(dec)) {
		ks->held_back = 0;
		ks->held_since = 0;
		ks->last_notified = d->time;
	} else {
		if (ks->held_back == 0)
			ks->held_since = d->time;
		ks->held_back += d->repeats ? d->repeats : 1;
	}
	buf_init(&exe, 0);
	r = escape_c(&exe, d->executable, strlen(d->executable));
	if (r >= 0) {
		free(ks->executable);
		ks->executable = buf_steal(&exe, NULL);
	}
	buf_done(&exe);
	ks->signal = d->signal;
	return r;
}

int
notify_summary(char *buf, size_t size, uint64_t held, const char *exe,
    int signal, long long since)
{
	char sig[32], when[32];
	time_t t = (time_t)since;
	struct tm tm;

	if (held == 0) {
		buf[0] = '\0';
		return 0;
	}
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	/* A kernel report (kernel, oom, panic) has no executable of its own. */
	if (exe == NULL || exe[0] == '\0') {
		snprintf(buf, size,
		    "%llu more kernel report%s of this "
		    "signature since %s",
		    (unsigned long long)held, held == 1 ? "" : "s", when);
		return 1;
	}
	if (!signame_from_number(signal, sig, sizeof(sig)))
		snprintf(sig, sizeof(sig), "signal %d", signal);
	snprintf(buf, size, "%llu more crash%s of %s %s since %s",
	    (unsigned long long)held, held == 1 ? "" : "es", exe, sig, when);
	return 1;
}
