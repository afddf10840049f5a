/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_render.c renders the metrics action's counters (metrics.c) and
 * the daemon's gauges in Prometheus' text format: each family's name,
 * type and help in one place, then its samples.
 */
#include "metrics.h"

#include <stdio.h>
#include <string.h>

/* One family of the text format: its HELP and TYPE lines. */
struct metric_family {
	const char *name, *type, *help;
};

static const struct metric_family crashes_total = { "crashd_crashes_total",
	"counter", "Crashes the kernel handed to crashd-hook, stored or not." };
static const struct metric_family snapshots_total = { "crashd_snapshots_total",
	"counter",
	"Snapshots of live processes (libcrashd's crashd_snapshot()) crashd "
	"processed: not crashes, apart from crashd_crashes_total." };
static const struct metric_family kernel_reports_total = {
	"crashd_kernel_reports_total", "counter",
	"Kernel reports crashd read (oopses, BUG:, WARNING:, lockups, hung "
	"tasks, machine checks: kind kernel; OOM kills: oom; panics: panic), "
	"each report of a burst of repeats counted: not crashes, apart from "
	"crashd_crashes_total."
};
static const struct metric_family not_stored = {
	"crashd_crashes_not_stored_total", "counter",
	"Crashes the hook counted but kept no dump of, by reason (the ones "
	"recorded also in crashd_crashes_total; lost: overwritten in the "
	"hook's record before crashd read it)."
};
static const struct metric_family last_crash = {
	"crashd_last_crash_timestamp_seconds", "gauge",
	"When the last crash of the series happened."
};
static const struct metric_family deliveries = { "crashd_deliveries", "gauge",
	"Mail and webhook deliveries in crashd's queue, by state (dead: "
	"given up, see crashd-cli deliveries)." };
static const struct metric_family hook_registered = { "crashd_hook_registered",
	"gauge",
	"Whether core_pattern holds crashd's line (1) or another handler's "
	"(0), as crashd last checked." };
static const struct metric_family dumps_retrying = { "crashd_dumps_retrying",
	"gauge",
	"Dumps whose processing failed (a full disk, an I/O error), waiting "
	"for another attempt." };
static const struct metric_family dump_failures = {
	"crashd_dump_failures_total", "counter",
	"Failed attempts at processing a dump since crashd started."
};
static const struct metric_family kernel_log_dropped = {
	"crashd_kernel_log_dropped_total", "counter",
	"Records of the kernel log its ring overwrote before crashd read them, "
	"this boot: kernel reports in them are not seen."
};
static const struct metric_family quarantined = { "crashd_spool_quarantined",
	"gauge",
	"Entries the daemon moved to the spool's .quarantine (no dump, or one "
	"that cannot say what crashed)." };

static const struct metric_family build_info = { "crashd_build_info", "gauge",
	"crashd's version, as a label; always 1." };
static const struct metric_family spool_bytes = { "crashd_spool_bytes", "gauge",
	"The spool's size as the hook estimates it (what hook.limits.spool_max "
	"is checked against, dumps being written included)." };
static const struct metric_family spool_dumps = { "crashd_spool_dumps", "gauge",
	"Dumps in the spool." };
static const struct metric_family actions_total = { "crashd_actions_total",
	"counter",
	"What actions came to since crashd started, by action name and "
	"outcome (a mail or webhook when its delivery ended)." };
static const struct metric_family kernel_dropped = {
	"crashd_kernel_dropped_crashes_total", "counter",
	"Crashes the kernel handed to no hook (over core_pipe_limit), as its "
	"log says."
};

static int
family(struct buf *out, const struct metric_family *f)
{
	return buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help,
	    f->name, f->type);
}

/* One sample of family f; labels "" or "{...}", rendered. */
static int
sample(struct buf *out, const struct metric_family *f, const char *labels,
    long long value)
{
	return buf_printf(out, "%s%s %lld\n", f->name, labels, value);
}

/* A family of one sample without labels. */
static int
single(struct buf *out, const struct metric_family *f, long long value)
{
	int r = family(out, f);

	if (r >= 0)
		r = sample(out, f, "", value);
	return r < 0 ? r : 0;
}

/*
 * The label set of series v without its family's prefix ("" for
 * crashd_crashes_total's, METRICS_SNAPSHOT, METRICS_KERNEL), or NULL
 * when it is another family's.
 */
static const char *
series_labels(const struct metrics_series *v, const char *prefix)
{
	static const char *const prefixes[] = { METRICS_SNAPSHOT,
		METRICS_KERNEL };
	const char *own = "";

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (strncmp(v->labels, prefixes[i], strlen(prefixes[i])) == 0)
			own = prefixes[i];
	if (strcmp(own, prefix) != 0)
		return NULL;
	return v->labels + strlen(own);
}

int
metrics_render(const struct metrics *m, struct buf *out)
{
	int r = family(out, &crashes_total);

	for (size_t i = 0; i < m->n && r >= 0; i++)
		if (series_labels(&m->v[i], ""))
			r = sample(out, &crashes_total,
			    series_labels(&m->v[i], ""),
			    (long long)m->v[i].count);
	if (r >= 0)
		r = family(out, &last_crash);
	for (size_t i = 0; i < m->n && r >= 0; i++)
		if (series_labels(&m->v[i], ""))
			r = sample(out, &last_crash,
			    series_labels(&m->v[i], ""), m->v[i].last);
	if (r >= 0)
		r = family(out, &snapshots_total);
	for (size_t i = 0; i < m->n && r >= 0; i++)
		if (series_labels(&m->v[i], METRICS_SNAPSHOT))
			r = sample(out, &snapshots_total,
			    series_labels(&m->v[i], METRICS_SNAPSHOT),
			    (long long)m->v[i].count);

	if (r >= 0)
		r = family(out, &not_stored);
	for (unsigned i = 1; i < METRICS_NOT_STORED_N && r >= 0; i++) {
		char labels[64];

		snprintf(labels, sizeof(labels), "{reason=\"%s\"}",
		    metrics_not_stored_reason(i));
		r = sample(
		    out, &not_stored, labels, (long long)m->not_stored[i]);
	}
	if (r >= 0)
		r = family(out, &kernel_reports_total);
	for (size_t i = 0; i < m->n && r >= 0; i++)
		if (series_labels(&m->v[i], METRICS_KERNEL))
			r = sample(out, &kernel_reports_total,
			    series_labels(&m->v[i], METRICS_KERNEL),
			    (long long)m->v[i].count);
	return r < 0 ? r : 0;
}

int
metrics_render_deliveries(struct buf *out, size_t pending, size_t dead)
{
	int r = family(out, &deliveries);

	if (r >= 0)
		r = sample(out, &deliveries, "{state=\"pending\"}",
		    (long long)pending);
	if (r >= 0)
		r = sample(
		    out, &deliveries, "{state=\"dead\"}", (long long)dead);
	return r < 0 ? r : 0;
}

int
metrics_render_registered(struct buf *out, bool registered)
{
	return single(out, &hook_registered, registered ? 1 : 0);
}

int
metrics_render_retries(struct buf *out, size_t retrying, uint64_t failures)
{
	int r = single(out, &dumps_retrying, (long long)retrying);

	return r < 0 ? r : single(out, &dump_failures, (long long)failures);
}

int
metrics_render_kernel_log(struct buf *out, uint64_t dropped)
{
	return single(out, &kernel_log_dropped, (long long)dropped);
}

int
metrics_render_quarantined(struct buf *out, size_t n)
{
	return single(out, &quarantined, (long long)n);
}

int
metrics_render_build_info(struct buf *out, const char *version)
{
	struct buf labels;
	int r;

	buf_init(&labels, 0);
	r = buf_puts(&labels, "{version=\"");
	if (r >= 0)
		r = metrics_label_value(&labels, version, strlen(version));
	if (r >= 0)
		r = buf_puts(&labels, "\"}");
	if (r >= 0)
		r = family(out, &build_info);
	if (r >= 0)
		r = sample(out, &build_info, labels.data, 1);
	buf_done(&labels);
	return r < 0 ? r : 0;
}

int
metrics_render_hook(struct buf *out, const struct hookstate *st)
{
	int r = 0;

	/* The hook's counters (hookstate.h), one family each. */
	for (size_t i = 0; i < HOOKSTATE_N_COUNTERS && r >= 0; i++) {
		const struct metric_family f = {
			hookstate_counter_infos[i].metric, "counter",
			hookstate_counter_infos[i].help
		};

		r = single(
		    out, &f, (long long)hookstate_counter(&st->counters, i));
	}
	if (r >= 0)
		r = single(out, &kernel_dropped, (long long)st->kernel_dropped);
	return r < 0 ? r : 0;
}

int
metrics_render_spool(struct buf *out, uint64_t bytes, size_t dumps)
{
	int r = single(out, &spool_bytes, (long long)bytes);

	return r < 0 ? r : single(out, &spool_dumps, (long long)dumps);
}

int
metrics_render_actions(
    struct buf *out, const struct action_tally_entry *v, size_t n)
{
	int r;

	if (n == 0)
		return 0;
	r = family(out, &actions_total);
	for (size_t i = 0; i < n && r >= 0; i++)
		for (int o = 0; o < _ACTION_OUTCOME_MAX && r >= 0; o++) {
			struct buf labels;

			buf_init(&labels, 0);
			r = buf_puts(&labels, "{action=\"");
			if (r >= 0)
				r = metrics_label_value(
				    &labels, v[i].action, strlen(v[i].action));
			if (r >= 0)
				r = buf_printf(&labels, "\",outcome=\"%s\"}",
				    action_outcome_to_string(
					(enum action_outcome)o));
			if (r >= 0)
				r = sample(out, &actions_total, labels.data,
				    (long long)v[i].n[o]);
			buf_done(&labels);
		}
	return r < 0 ? r : 0;
}
