/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.c owns the metrics action's counters: their state file's
 * format, their label sets and their Prometheus text rendering.
 */
#include "metrics.h"
#include "array.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"
#include "signame.h"

void
metrics_init(struct metrics *m)
{
	memset(m, 0, sizeof(*m));
}

void
metrics_done(struct metrics *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].labels);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static int
add_series(struct metrics *m, uint64_t count, long long last,
    const char *labels, size_t len)
{
	struct metrics_series *v;
	char *copy;

	v = array_grow(m->v, &m->cap, m->n, sizeof(*m->v), 16);
	if (v == NULL)
		return -ENOMEM;
	m->v = v;
	copy = strndup(labels, len);
	if (copy == NULL)
		return -ENOMEM;
	m->v[m->n++] = (struct metrics_series){ count, last, copy };
	return 0;
}

/* A rendered label set: {...} on one line, nothing else. */
static bool
labels_ok(const char *s, size_t n)
{
	return n >= 2 && s[0] == '{' && s[n - 1] == '}' &&
	    memchr(s, '\0', n) == NULL;
}

/*
 * A label set of a state written before the core label went (it split
 * one kind of crash into two series): {core="...",rest} is read as
 * {rest}, at *labels (n bytes) from its last byte of core's.  True when
 * it had one.
 */
static bool
strip_core(const char **labels, size_t *n)
{
	static const char *const old[] = { "{core=\"true\",",
		"{core=\"false\"," };

	for (size_t i = 0; i < sizeof(old) / sizeof(old[0]); i++) {
		size_t k = strlen(old[i]) - 1;

		if (*n > k + 1 && memcmp(*labels, old[i], k + 1) == 0) {
			/* The comma becomes the opening brace. */
			*labels += k;
			*n -= k;
			return true;
		}
	}
	return false;
}

/*
 * Adds count crashes (the last at last) to the series of labels, made
 * when missing: two old series that differed in core become one.
 */
static int
merge_series(struct metrics *m, uint64_t count, long long last,
    const char *labels, size_t n)
{
	for (size_t i = 0; i < m->n; i++)
		if (strlen(m->v[i].labels) == n &&
		    memcmp(m->v[i].labels + 1, labels + 1, n - 1) == 0) {
			m->v[i].count += count;
			if (last > m->v[i].last)
				m->v[i].last = last;
			return 1;
		}
	if (add_series(m, count, last, labels, n) < 0)
		return -ENOMEM;
	m->v[m->n - 1].labels[0] = '{';
	return 1;
}

/* "COUNT LAST {labels}": 1 and the series added, 0 when malformed. */
static int
parse_series(struct metrics *m, const char *line, size_t n)
{
	unsigned long long count;
	long long last;
	char head[64];
	int used = 0;
	const char *labels = memchr(line, '{', n);

	if (labels == NULL || (size_t)(labels - line) >= sizeof(head))
		return 0;
	memcpy(head, line, (size_t)(labels - line));
	head[labels - line] = '\0';
	/* (%llu would take "-1".) */
	if (head[0] < '0' || head[0] > '9' ||
	    sscanf(head, "%llu %lld %n", &count, &last, &used) != 2 ||
	    count == 0)
		return 0;
	/* "", a snapshot's or a kernel report's prefix, before the labels. */
	if (head[used] != '\0' && strcmp(head + used, METRICS_SNAPSHOT) != 0 &&
	    strcmp(head + used, METRICS_KERNEL) != 0)
		return 0;
	n -= (size_t)(labels - line);
	if (!labels_ok(labels, n))
		return 0;
	if (head[used] != '\0') {
		labels -= strlen(head + used);
		n += strlen(head + used);
	}
	if (strip_core(&labels, &n))
		return merge_series(m, count, last, labels, n);
	return add_series(m, count, last, labels, n) < 0 ? -ENOMEM : 1;
}

const char *
metrics_not_stored_reason(unsigned i)
{
	if (i == METRICS_NOT_STORED_LOST)
		return "lost";
	return notstored_reason_to_string((enum notstored_reason)i);
}

/* "not_stored_next SEQ" or "not_stored REASON COUNT"; else skipped. */
static void
parse_not_stored(struct metrics *m, const char *line, size_t n)
{
	char buf[96], word[32];
	unsigned long long v;
	int used = 0;

	if (n >= sizeof(buf))
		return;
	memcpy(buf, line, n);
	buf[n] = '\0';
	if (sscanf(buf, "not_stored_next %llu%n", &v, &used) == 1 &&
	    buf[used] == '\0') {
		m->not_stored_next = v;
		return;
	}
	if (sscanf(buf, "not_stored %31s %llu%n", word, &v, &used) != 2 ||
	    buf[used] != '\0')
		return;
	for (unsigned i = 0; i < METRICS_NOT_STORED_N; i++) {
		const char *name = metrics_not_stored_reason(i);

		if (name && strcmp(name, word) == 0)
			m->not_stored[i] = v;
	}
}

int
metrics_parse(struct metrics *m, const char *text, size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (n > 5 && memcmp(p, "last ", 5) == 0) {
			if (n - 5 < sizeof(m->last_dump) &&
			    memchr(p + 5, '\0', n - 5) == NULL) {
				memcpy(m->last_dump, p + 5, n - 5);
				m->last_dump[n - 5] = '\0';
			}
		} else if (n > 0 && (p[0] < '0' || p[0] > '9')) {
			parse_not_stored(m, p, n);
		} else if (parse_series(m, p, n) < 0) {
			return -ENOMEM;
		}
		p += n + (nl ? 1 : 0);
	}
	return 0;
}

int
metrics_format(const struct metrics *m, struct buf *out)
{
	int r = 0;

	if (m->last_dump[0])
		r = buf_printf(out, "last %s\n", m->last_dump);
	if (r >= 0 && m->not_stored_next)
		r = buf_printf(out, "not_stored_next %llu\n",
		    (unsigned long long)m->not_stored_next);
	for (unsigned i = 0; i < METRICS_NOT_STORED_N && r >= 0; i++)
		if (m->not_stored[i])
			r = buf_printf(out, "not_stored %s %llu\n",
			    metrics_not_stored_reason(i),
			    (unsigned long long)m->not_stored[i]);
	for (size_t i = 0; i < m->n && r >= 0; i++)
		r = buf_printf(out, "%llu %lld %s\n",
		    (unsigned long long)m->v[i].count, m->v[i].last,
		    m->v[i].labels);
	return r < 0 ? r : 0;
}

/* One label's value: visible UTF-8 text, then the text format's escapes. */
static int
label_value(struct buf *out, const char *s, size_t len)
{
	struct buf text;
	int r;

	buf_init(&text, 0);
	r = json_text(&text, s, len, JSON_TEXT_VISIBLE);
	for (size_t i = 0; r >= 0 && i < text.len; i++) {
		char c = text.data[i];

		if (c == '\\' || c == '"')
			r = buf_putc(out, '\\');
		if (r >= 0)
			r = buf_putc(out, c);
	}
	buf_done(&text);
	return r < 0 ? r : 0;
}

int
metrics_labels(struct buf *out, const char *executable, size_t executable_len,
    const char *hostname, size_t hostname_len, const char *signal)
{
	int r;

	r = buf_puts(out, "{executable=\"");
	if (r >= 0)
		r = label_value(out, executable, executable_len);
	if (r >= 0)
		r = buf_puts(out, "\",hostname=\"");
	if (r >= 0)
		r = label_value(out, hostname, hostname_len);
	if (r >= 0)
		r = buf_puts(out, "\",signal=\"");
	if (r >= 0)
		r = label_value(out, signal, strlen(signal));
	if (r >= 0)
		r = buf_puts(out, "\"}");
	return r < 0 ? r : 0;
}

/* The series of labels, counted once more: its count, 0 when absent. */
static uint64_t
count_existing(struct metrics *m, const char *labels, long long when)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].labels, labels) == 0) {
			m->v[i].count++;
			if (when > m->v[i].last)
				m->v[i].last = when;
			return m->v[i].count;
		}
	return 0;
}

uint64_t
metrics_count(struct metrics *m, const char *labels, const char *other,
    long long when, size_t max_series, const char **ret_as)
{
	uint64_t n = count_existing(m, labels, when);

	if (ret_as)
		*ret_as = labels;
	if (n > 0)
		return n;
	/* Full: counted, under "other", never dropped (a counter only grows).
	 */
	if (other && m->n >= max_series) {
		if (ret_as)
			*ret_as = other;
		n = count_existing(m, other, when);
		if (n > 0)
			return n;
		labels = other;
	}
	if (add_series(m, 1, when, labels, strlen(labels)) < 0)
		return 0;
	return 1;
}

int
metrics_kernel_labels(struct buf *out, const char *hostname,
    size_t hostname_len, const char *kind)
{
	int r = buf_puts(out, "{hostname=\"");

	if (r >= 0)
		r = label_value(out, hostname, hostname_len);
	if (r >= 0)
		r = buf_puts(out, "\",kind=\"");
	if (r >= 0)
		r = label_value(out, kind, strlen(kind));
	if (r >= 0)
		r = buf_puts(out, "\"}");
	return r < 0 ? r : 0;
}

void
metrics_add(struct metrics *m, const char *labels, uint64_t n)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].labels, labels) == 0) {
			m->v[i].count += n;
			return;
		}
}

int
metrics_other_labels(struct buf *out, const char *hostname, size_t hostname_len)
{
	return metrics_labels(out, METRICS_OTHER, strlen(METRICS_OTHER),
	    hostname, hostname_len, METRICS_OTHER);
}

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

int
metrics_count_not_stored(struct metrics *m, uint64_t seq,
    const struct notstored_record *rec, size_t max_series)
{
	struct buf labels, other;
	char sig[32];
	int r;

	if (seq < m->not_stored_next)
		return 0;
	m->not_stored_next = seq + 1;
	if (rec == NULL) {
		m->not_stored[METRICS_NOT_STORED_LOST]++;
		return 1;
	}
	m->not_stored[rec->reason]++;
	if (!signame_from_number(rec->signal, sig, sizeof(sig)))
		snprintf(sig, sizeof(sig), "%d", rec->signal);
	buf_init(&labels, 0);
	buf_init(&other, 0);
	r = metrics_labels(&labels, rec->executable, strlen(rec->executable),
	    rec->hostname, strlen(rec->hostname),
	    strncmp(sig, "SIG", 3) == 0 && sig[3] ? sig + 3 : sig);
	if (r >= 0)
		r = metrics_other_labels(
		    &other, rec->hostname, strlen(rec->hostname));
	if (r >= 0 &&
	    metrics_count(m, labels.data, other.data, rec->time_ms / 1000,
		max_series, NULL) == 0)
		r = -ENOMEM;
	buf_done(&other);
	buf_done(&labels);
	return r < 0 ? r : 1;
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
		r = label_value(&labels, version, strlen(version));
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
				r = label_value(
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
