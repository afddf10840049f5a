/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.c owns the metrics action's counters: their state file's
 * format, their label sets and their Prometheus text rendering.
 */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"

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
	char *copy;

	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		struct metrics_series *v = realloc(m->v, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		m->v = v;
		m->cap = cap;
	}
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
	    head[used] != '\0' || count == 0)
		return 0;
	n -= (size_t)(labels - line);
	if (!labels_ok(labels, n))
		return 0;
	return add_series(m, count, last, labels, n) < 0 ? -ENOMEM : 1;
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
metrics_labels(struct buf *out, bool core, const char *executable,
    size_t executable_len, const char *hostname, size_t hostname_len,
    const char *signal)
{
	int r;

	r = buf_printf(
	    out, "{core=\"%s\",executable=\"", core ? "true" : "false");
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

/* Drops series i, keeping the others in order. */
static void
drop_series(struct metrics *m, size_t i)
{
	free(m->v[i].labels);
	memmove(&m->v[i], &m->v[i + 1], (m->n - i - 1) * sizeof(m->v[0]));
	m->n--;
}

uint64_t
metrics_count(
    struct metrics *m, const char *labels, long long when, size_t max_series)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].labels, labels) == 0) {
			m->v[i].count++;
			if (when > m->v[i].last)
				m->v[i].last = when;
			return m->v[i].count;
		}
	/* Room for a new one: the least recent series go. */
	while (m->n > 0 && m->n >= max_series) {
		size_t oldest = 0;

		for (size_t i = 1; i < m->n; i++)
			if (m->v[i].last < m->v[oldest].last)
				oldest = i;
		drop_series(m, oldest);
	}
	if (add_series(m, 1, when, labels, strlen(labels)) < 0)
		return 0;
	return 1;
}

int
metrics_render(const struct metrics *m, struct buf *out)
{
	int r;

	r = buf_puts(out,
	    "# HELP crashd_crashes_total Crashes processed by crashd.\n"
	    "# TYPE crashd_crashes_total counter\n");
	for (size_t i = 0; i < m->n && r >= 0; i++)
		r = buf_printf(out, "crashd_crashes_total%s %llu\n",
		    m->v[i].labels, (unsigned long long)m->v[i].count);
	if (r >= 0)
		r = buf_puts(out,
		    "# HELP crashd_last_crash_timestamp_seconds When the last "
		    "crash of the series happened.\n"
		    "# TYPE crashd_last_crash_timestamp_seconds gauge\n");
	for (size_t i = 0; i < m->n && r >= 0; i++)
		r = buf_printf(out,
		    "crashd_last_crash_timestamp_seconds%s %lld\n",
		    m->v[i].labels, m->v[i].last);
	return r < 0 ? r : 0;
}

int
metrics_render_deliveries(struct buf *out, size_t pending, size_t dead)
{
	int r = buf_printf(out,
	    "# HELP crashd_deliveries Mail and webhook deliveries in crashd's "
	    "queue, by state (dead: given up, see crashd-cli deliveries).\n"
	    "# TYPE crashd_deliveries gauge\n"
	    "crashd_deliveries{state=\"pending\"} %zu\n"
	    "crashd_deliveries{state=\"dead\"} %zu\n",
	    pending, dead);

	return r < 0 ? r : 0;
}

int
metrics_render_registered(struct buf *out, bool registered)
{
	int r = buf_printf(out,
	    "# HELP crashd_hook_registered Whether core_pattern holds crashd's "
	    "line (1) or another handler's (0), as crashd last checked.\n"
	    "# TYPE crashd_hook_registered gauge\n"
	    "crashd_hook_registered %d\n",
	    registered ? 1 : 0);

	return r < 0 ? r : 0;
}

int
metrics_render_retries(struct buf *out, size_t retrying, uint64_t failures)
{
	int r = buf_printf(out,
	    "# HELP crashd_dumps_retrying Dumps whose processing failed "
	    "(a full disk, an I/O error), waiting for another attempt.\n"
	    "# TYPE crashd_dumps_retrying gauge\n"
	    "crashd_dumps_retrying %zu\n"
	    "# HELP crashd_dump_failures_total Failed attempts at processing "
	    "a dump since crashd started.\n"
	    "# TYPE crashd_dump_failures_total counter\n"
	    "crashd_dump_failures_total %llu\n",
	    retrying, (unsigned long long)failures);

	return r < 0 ? r : 0;
}

int
metrics_render_quarantined(struct buf *out, size_t n)
{
	int r = buf_printf(out,
	    "# HELP crashd_spool_quarantined Entries the daemon moved to the "
	    "spool's .quarantine (no dump, or one that cannot say what "
	    "crashed).\n"
	    "# TYPE crashd_spool_quarantined gauge\n"
	    "crashd_spool_quarantined %zu\n",
	    n);

	return r < 0 ? r : 0;
}
