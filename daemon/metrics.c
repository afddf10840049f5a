/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.c owns the metrics action's counters: their state file's
 * format, their label sets and their counting (rendered by
 * metrics_render.c).
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
	if (m == NULL)
		return;
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

int
metrics_label_value(struct buf *out, const char *s, size_t len)
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
		r = metrics_label_value(out, executable, executable_len);
	if (r >= 0)
		r = buf_puts(out, "\",hostname=\"");
	if (r >= 0)
		r = metrics_label_value(out, hostname, hostname_len);
	if (r >= 0)
		r = buf_puts(out, "\",signal=\"");
	if (r >= 0)
		r = metrics_label_value(out, signal, strlen(signal));
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
		r = metrics_label_value(out, hostname, hostname_len);
	if (r >= 0)
		r = buf_puts(out, "\",kind=\"");
	if (r >= 0)
		r = metrics_label_value(out, kind, strlen(kind));
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
