/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_metrics.c: the metrics action.  Every crash the daemon processes
 * (duplicates and held-back ones too: the action does not notify) is
 * counted in <spool>/.state/metrics/<action name>, then the .prom file
 * that node_exporter's textfile collector serves is written again, in one
 * rename.  The state names the last dump counted, so a daemon killed
 * after counting and before recording the action counts it once.  The
 * file also holds crashd_build_info, the delivery queue's gauges,
 * crashd_hook_registered, the daemon's processing failures
 * (crashd_dumps_retrying, crashd_dump_failures_total), the hook's
 * counters, the spool's figures and crashd_actions_total, refreshed every
 * few seconds
 * (action_metrics_refresh()) and at once when the registration changes.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action_metrics.h"
#include "action_tally.h"
#include "escape.h"
#include "fsutil.h"
#include "hookstate.h"
#include "items.h"
#include "log.h"
#include "metrics.h"
#include "notstored.h"
#include "queue.h"
#include "registration.h"
#include "spool.h"

#define METRICS_DIR SPOOL_STATE "/metrics"
/* A state file holds at most 100,000 series of a few hundred bytes. */
#define METRICS_STATE_MAX (256u << 20)
#define REFRESH_SLOTS 64

/*
 * Whether the last refresh (feed) of action i failed (its warning said
 * once).
 */
static bool refresh_failed[REFRESH_SLOTS], feed_failed[REFRESH_SLOTS];

/* The daemon's processing failures, as it last set them. */
static size_t retries_pending;
static uint64_t retries_failures;

/* The kernel log's records dropped before they were read (kmsg.h). */
static uint64_t kernel_log_dropped;

void
action_metrics_set_kernel_log(uint64_t dropped)
{
	kernel_log_dropped = dropped;
}

void
action_metrics_set_retries(size_t retrying, uint64_t failures)
{
	retries_pending = retrying;
	retries_failures = failures;
}

/* <spool>/.state/metrics, made when missing: a descriptor or -errno. */
static int
open_state_dir(int spool_dirfd)
{
	int r = mkdir_at_safe(spool_dirfd, SPOOL_STATE, SPOOL_STATE_MODE);

	if (r >= 0)
		r = mkdir_at_safe(spool_dirfd, METRICS_DIR, 0700);
	return r < 0 ? r : open_dir_at(spool_dirfd, METRICS_DIR);
}

static int
load_state(int dirfd, const char *name, struct metrics *m)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = read_file_at(dirfd, name, METRICS_STATE_MAX, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = metrics_parse(m, text, len);
	free(text);
	return r;
}

/* The dump's signal for a label: "SEGV", or its number. */
static void
signal_label(const struct dump *d, char *out, size_t size)
{
	if (strncmp(d->signal_name, "SIG", 3) == 0 && d->signal_name[3])
		snprintf(out, size, "%s", d->signal_name + 3);
	else
		snprintf(out, size, "%d", d->signal);
}

/*
 * The delivery queue's gauges, when there is a queue (a mail or webhook
 * action has run); 0 without.
 */
static int
render_deliveries(int spool_dirfd, struct buf *out)
{
	size_t n[2] = { 0, 0 };
	struct queue q;
	int r;

	r = queue_open(spool_dirfd, false, &q);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	r = queue_count(&q, QUEUE_PENDING, &n[0]);
	if (r >= 0)
		r = queue_count(&q, QUEUE_DEAD, &n[1]);
	queue_close(&q);
	return r < 0 ? r : metrics_render_deliveries(out, n[0], n[1]);
}

/*
 * crashd_hook_registered, from what the registration watch last saw
 * (registration.c); nothing before it has looked, or when its state
 * cannot be read (it says why).
 */
static int
render_registered(int spool_dirfd, struct buf *out)
{
	struct registration_state st;

	if (registration_load(spool_dirfd, &st) <= 0)
		return 0;
	return metrics_render_registered(out, st.registered);
}

/* crashd_spool_quarantined: the entries of <spool>/.quarantine. */
static int
render_quarantined(int spool_dirfd, struct buf *out)
{
	struct dirent *de;
	size_t n = 0;
	DIR *dir;
	int r;

	r = opendir_at(spool_dirfd, SPOOL_QUARANTINE, &dir);
	if (r == -ENOENT)
		return metrics_render_quarantined(out, 0);
	if (r < 0)
		return r;
	while ((de = readdir(dir)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(dir);
	return metrics_render_quarantined(out, n);
}

/*
 * The hook's counters and the spool's figures: its estimate (the state)
 * and its dumps (the root's entries with a dump's name); nothing of the
 * hook before its state exists.
 */
static int
render_spool(int spool_dirfd, struct buf *out)
{
	struct hookstate st;
	struct dirent *de;
	size_t dumps = 0;
	DIR *dir;
	int r;

	r = hookstate_snapshot(spool_dirfd, &st);
	if (r == -ENOENT) {
		memset(&st, 0, sizeof(st));
		r = 0;
	} else if (r >= 0) {
		r = metrics_render_hook(out, &st);
	}
	if (r >= 0)
		r = opendir_at(spool_dirfd, ".", &dir);
	if (r < 0)
		return r;
	while ((de = readdir(dir)) != NULL)
		dumps += spool_is_dump_name(de->d_name);
	closedir(dir);
	return metrics_render_spool(out, st.spool_bytes, dumps);
}

/* True when dirfd/name holds exactly text already. */
static bool
same_text(int dirfd, const char *name, const struct buf *text)
{
	char *old = NULL;
	size_t len = 0;
	bool same;

	if (read_file_at(dirfd, name, text->len + 1, &old, &len) < 0)
		return false;
	same = len == text->len && memcmp(old, text->data, len) == 0;
	free(old);
	return same;
}

/* Writes the .prom file at path (its directory must exist). */
static int
write_prom(const char *path, const struct metrics *m, int spool_dirfd)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	struct buf text;
	int dirfd, r;

	if (slash == NULL || (size_t)(slash - path) >= sizeof(dir))
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	dirfd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	buf_init(&text, 0);
	r = metrics_render_build_info(&text, CRASHD_VERSION);
	if (r >= 0)
		r = metrics_render(m, &text);
	if (r >= 0)
		r = render_deliveries(spool_dirfd, &text);
	if (r >= 0)
		r = render_registered(spool_dirfd, &text);
	if (r >= 0)
		r = metrics_render_retries(
		    &text, retries_pending, retries_failures);
	if (r >= 0)
		r = metrics_render_kernel_log(&text, kernel_log_dropped);
	if (r >= 0)
		r = render_quarantined(spool_dirfd, &text);
	if (r >= 0)
		r = render_spool(spool_dirfd, &text);
	if (r >= 0) {
		size_t n;
		const struct action_tally_entry *v = action_tally_entries(&n);

		r = metrics_render_actions(&text, v, n);
	}
	/* Readable by node_exporter's user; derived, so no fsync. */
	if (r >= 0 && same_text(dirfd, slash + 1, &text))
		; /* unchanged (a refresh): no write */
	else if (r >= 0)
		r = replace_file_at(dirfd, slash + 1,
		    text.data ? text.data : "", text.len, 0644, false);
	buf_done(&text);
	close(dirfd);
	return r;
}

/* A dump crashd wrote for a crash the hook did not store. */
static bool
not_stored(const struct dump *d)
{
	char *v = NULL;
	int r = dump_read_item(d, DUMP_ITEM_NOT_STORED, 256, &v);

	free(v);
	return r >= 0;
}

/*
 * A crash's label sets (a snapshot's: crashd_snapshots_total's series),
 * the one it has and the one it is counted under past max_series.
 */
static int
crash_labels(const struct dump *d, const char *sig, struct buf *labels,
    struct buf *other)
{
	int r = d->kind == DUMP_KIND_SNAPSHOT
	    ? buf_puts(labels, METRICS_SNAPSHOT)
	    : 0;

	if (r >= 0 && d->kind == DUMP_KIND_SNAPSHOT)
		r = buf_puts(other, METRICS_SNAPSHOT);
	if (r >= 0)
		r = metrics_labels(labels, d->executable, strlen(d->executable),
		    d->hostname, strlen(d->hostname), sig);
	if (r >= 0)
		r = metrics_other_labels(
		    other, d->hostname, strlen(d->hostname));
	return r;
}

/* A kernel report's: crashd_kernel_reports_total{hostname,kind}. */
static int
kernel_labels(const struct dump *d, struct buf *labels, struct buf *other)
{
	const char *kind = dump_kind_names[d->kind];
	int r = buf_puts(labels, METRICS_KERNEL);

	if (r >= 0)
		r = metrics_kernel_labels(
		    labels, d->hostname, strlen(d->hostname), kind);
	if (r >= 0)
		r = buf_puts(other, labels->data);
	return r;
}

static enum action_outcome
action_metrics_run(const struct action_config *ac,
    const struct action_event *ev, struct buf *detail)
{
	const struct dump *d = ev->dump;
	struct buf labels, other, state;
	const char *as = NULL;
	struct metrics m;
	char sig[32];
	uint64_t count = 0;
	bool counted = false;
	int dirfd, r;

	metrics_init(&m);
	buf_init(&labels, 0);
	buf_init(&other, 0);
	buf_init(&state, 0);
	if (not_stored(d)) {
		/* Counted from the hook's record (action_metrics_feed()). */
		buf_puts(detail,
		    "a crash not stored: counted from the hook's "
		    "record of it");
		return ACTION_OK;
	}
	dirfd = open_state_dir(ev->spool_dirfd);
	r = dirfd < 0 ? dirfd : load_state(dirfd, ac->name, &m);
	if (r < 0) {
		buf_printf(detail, "cannot read the counters in %s/%s: %s",
		    METRICS_DIR, ac->name, strerror(-r));
		goto out;
	}
	signal_label(d, sig, sizeof(sig));
	if (DUMP_KIND_IS_KERNEL(d->kind))
		r = kernel_labels(d, &labels, &other);
	else
		r = crash_labels(d, sig, &labels, &other);
	if (r >= 0 && strcmp(m.last_dump, d->name) != 0) {
		count = metrics_count(
		    &m, labels.data, other.data, d->time, ac->max_series, &as);
		r = count > 0 ? 0 : -ENOMEM;
		/* A kernel dump standing for a burst counts every report. */
		if (r >= 0 && d->repeats > 1) {
			metrics_add(&m, as, d->repeats - 1);
			count += d->repeats - 1;
		}
		snprintf(m.last_dump, sizeof(m.last_dump), "%s", d->name);
		if (r >= 0)
			r = metrics_format(&m, &state);
		if (r >= 0)
			r = replace_file_at(
			    dirfd, ac->name, state.data, state.len, 0600, true);
		counted = true;
	}
	if (r < 0) {
		buf_printf(detail, "cannot count the crash in %s/%s: %s",
		    METRICS_DIR, ac->name, strerror(-r));
		goto out;
	}
	r = write_prom(ac->path, &m, ev->spool_dirfd);
	if (r < 0) {
		/* Counted: the next refresh or crash writes the file. */
		buf_puts(detail, "counted; cannot write ");
		escape_c(detail, ac->path, strlen(ac->path));
		buf_printf(detail, ": %s", strerror(-r));
		goto out;
	}
	if (counted)
		buf_printf(detail, "crashd_%s_total%s %llu in ",
		    d->kind == DUMP_KIND_SNAPSHOT      ? "snapshots"
			: DUMP_KIND_IS_KERNEL(d->kind) ? "kernel_reports"
						       : "crashes",
		    as + strcspn(as, "{"), (unsigned long long)count);
	else
		buf_puts(detail, "counted before (interrupted); wrote ");
	escape_c(detail, ac->path, strlen(ac->path));
out:
	if (dirfd >= 0)
		close(dirfd);
	buf_done(&labels);
	buf_done(&other);
	buf_done(&state);
	metrics_done(&m);
	return r < 0 ? ACTION_FAILED : ACTION_OK;
}

void
action_metrics_refresh(const struct config *c, int spool_dirfd)
{
	for (size_t i = 0; i < c->n_actions; i++) {
		const struct action_config *ac = &c->actions[i];
		struct metrics m;
		int dirfd, r;

		if (ac->type != ACTION_METRICS)
			continue;
		metrics_init(&m);
		dirfd = open_state_dir(spool_dirfd);
		r = dirfd < 0 ? dirfd : load_state(dirfd, ac->name, &m);
		if (dirfd >= 0)
			close(dirfd);
		if (r >= 0)
			r = write_prom(ac->path, &m, spool_dirfd);
		/* Said once per change of fortune, not every 10 s. */
		if (r < 0 && !refresh_failed[i % REFRESH_SLOTS]) {
			struct buf p;

			buf_init(&p, 0);
			escape_c(&p, ac->path, strlen(ac->path));
			log_warn("metrics action %s: cannot write %s: %s, "
				 "trying again at the next refresh",
			    ac->name, p.data, strerror(-r));
			buf_done(&p);
		}
		refresh_failed[i % REFRESH_SLOTS] = r < 0;
		metrics_done(&m);
	}
}

/* Records counted in one call, per action: the loop stays responsive. */
#define FEED_BATCH 256

/*
 * Counts records of the ring (fd, n ever written) past the action's own
 * next into m.  Returns how many were counted, or -errno.
 */
static int
feed_one(struct metrics *m, int fd, int64_t n, size_t max_series)
{
	struct notstored_record rec;
	uint64_t oldest =
	    n > NOTSTORED_SLOTS ? (uint64_t)n - NOTSTORED_SLOTS : 0;
	int counted = 0, r;

	if (m->not_stored_next < oldest) {
		/* Overwritten while nobody read them (crashd was down). */
		m->not_stored[METRICS_NOT_STORED_LOST] +=
		    oldest - m->not_stored_next;
		m->not_stored_next = oldest;
		counted = 1;
	}
	for (uint64_t seq = m->not_stored_next;
	     seq < (uint64_t)n && counted < FEED_BATCH; seq++) {
		r = notstored_get(fd, seq, &rec);
		if (r < 0 && r != -ESTALE && r != -EBADMSG)
			return r; /* tried again next time */
		r = metrics_count_not_stored(
		    m, seq, r < 0 ? NULL : &rec, max_series);
		if (r < 0)
			return r;
		counted++;
	}
	return counted;
}

void
action_metrics_feed(const struct config *c, int spool_dirfd)
{
	int64_t n;
	int fd = notstored_open(spool_dirfd);

	if (fd < 0)
		return; /* -ENOENT: the hook never recorded one */
	n = notstored_count(fd);
	for (size_t i = 0; n > 0 && i < c->n_actions; i++) {
		const struct action_config *ac = &c->actions[i];
		struct metrics m;
		struct buf state;
		int dirfd, r;

		if (ac->type != ACTION_METRICS)
			continue;
		metrics_init(&m);
		buf_init(&state, 0);
		dirfd = open_state_dir(spool_dirfd);
		r = dirfd < 0 ? dirfd : load_state(dirfd, ac->name, &m);
		if (r >= 0 && m.not_stored_next < (uint64_t)n)
			r = feed_one(&m, fd, n, ac->max_series);
		else if (r >= 0)
			r = 0;
		if (r > 0)
			r = metrics_format(&m, &state);
		if (r >= 0 && state.len > 0)
			r = replace_file_at(
			    dirfd, ac->name, state.data, state.len, 0600, true);
		if (r >= 0 && state.len > 0)
			r = write_prom(ac->path, &m, spool_dirfd);
		/* Said once per change of fortune, not every second. */
		if (r < 0 && !feed_failed[i % REFRESH_SLOTS])
			log_warn_errno(r,
			    "metrics action %s: count the crashes not "
			    "stored: %m, trying again",
			    ac->name);
		feed_failed[i % REFRESH_SLOTS] = r < 0;
		if (dirfd >= 0)
			close(dirfd);
		buf_done(&state);
		metrics_done(&m);
	}
	safe_close(fd);
}

const struct action_ops action_metrics_ops = {
	.type = ACTION_METRICS,
	.run = action_metrics_run,
};
