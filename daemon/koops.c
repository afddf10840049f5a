/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * koops.c owns reading kernel reports out of the kernel log's records:
 * the record format of /dev/kmsg and grouping records into reports
 * (koops.h); what a report says is koops_analyze.c's.
 */
#include "koops.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bytes.h"
#include "hookstate.h"

/* Parses decimal digits at *p (at most UINT64_MAX); false when none. */
static bool
parse_u64(const char **p, const char *end, uint64_t *ret)
{
	uint64_t v = 0;
	const char *s = *p;

	for (; s < end && *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (s == *p)
		return false;
	*p = s;
	*ret = v;
	return true;
}

int
kmsg_record_parse(const char *rec, size_t len, struct kmsg_record *ret)
{
	const char *p = rec, *end = rec + len, *semi, *nl;
	struct kmsg_record r = { 0 };
	uint64_t prio;

	if (!parse_u64(&p, end, &prio) || prio > 1023 || p == end || *p != ',')
		return -EINVAL;
	p++;
	if (!parse_u64(&p, end, &r.seq) || p == end || *p != ',')
		return -EINVAL;
	p++;
	if (!parse_u64(&p, end, &r.ts_us) || p == end || *p != ',')
		return -EINVAL;
	p++;
	semi = memchr(p, ';', (size_t)(end - p));
	if (semi == NULL)
		return -EINVAL;
	r.prio = (unsigned)prio;
	r.cont = p < semi && *p == 'c';
	/* Fields after the flags: "caller=T123" (CONFIG_PRINTK_CALLER). */
	for (const char *f = memchr(p, ',', (size_t)(semi - p)); f && f < semi;
	     f = memchr(f + 1, ',', (size_t)(semi - f - 1))) {
		const char *v = f + 1, *e = memchr(v, ',', (size_t)(semi - v));

		e = e ? e : semi;
		if (bytes_has_prefix(v, (size_t)(e - v), "caller=")) {
			r.caller = v + 7;
			r.caller_len = (size_t)(e - v - 7);
		}
	}
	r.msg = semi + 1;
	nl = memchr(r.msg, '\n', (size_t)(end - r.msg));
	r.msg_len = nl ? (size_t)(nl - r.msg) : (size_t)(end - r.msg);
	*ret = r;
	return 0;
}

void
koops_report_done(struct koops_report *r)
{
	if (r == NULL)
		return;
	buf_done(&r->text);
	memset(r, 0, sizeof(*r));
}

void
koops_init(struct koops *k, unsigned markers)
{
	memset(k, 0, sizeof(*k));
	k->markers = markers;
	buf_init(&k->cur.text, 0);
}

void
koops_done(struct koops *k)
{
	if (k == NULL)
		return;
	koops_report_done(&k->cur);
	k->open = false;
}

int
koops_line_marker(const char *line, size_t len)
{
	const char *s = line;
	size_t n = len;

	bytes_trim_left(&s, &n);
	if (bytes_has_prefix(s, n, KOOPS_CUT_HERE))
		return KOOPS_WARNING;
	if (bytes_find(s, n, "BUG: soft lockup") ||
	    bytes_find(s, n, "hard LOCKUP"))
		return KOOPS_LOCKUP;
	if (bytes_has_prefix(s, n, "WARNING: "))
		return KOOPS_WARNING;
	if (bytes_has_prefix(s, n, "BUG: ") ||
	    bytes_has_prefix(s, n, "kernel BUG at "))
		return KOOPS_BUG;
	if (bytes_has_prefix(s, n, "Oops: ") ||
	    bytes_has_prefix(s, n, "Internal error: Oops") ||
	    bytes_has_prefix(s, n, "Unable to handle kernel "))
		return KOOPS_OOPS;
	if (bytes_has_prefix(s, n, "Kernel panic - not syncing"))
		return KOOPS_PANIC;
	if (bytes_has_prefix(s, n, "INFO: task ") &&
	    bytes_find(s, n, " blocked for more than "))
		return KOOPS_HUNG_TASK;
	if (bytes_find(s, n, "[Hardware Error]: "))
		return KOOPS_MCE;
	if (bytes_find(s, n, " invoked oom-killer: ") ||
	    bytes_find(s, n, "out of memory: Killed process ") ||
	    bytes_find(s, n, "Out of memory: Killed process "))
		return KOOPS_OOM;
	return -1;
}

/* Whether the line ends the report it is in (and belongs to it). */
static bool
is_end_line(const struct koops_report *r, const char *s, size_t n)
{
	bytes_trim_left(&s, &n);
	if (bytes_has_prefix(s, n, "---[ end trace") ||
	    bytes_has_prefix(s, n, "---[ end Kernel panic"))
		return true;
	return r->marker == KOOPS_OOM && bytes_find(s, n, "Killed process ");
}

/*
 * Whether a marker line starts a report of its own even inside one: a
 * new "cut here", another blocked task, another OOM invocation, an MCE
 * after something else.  An Oops after its BUG: line, or the panic an
 * oops ends in, belongs to the report it is in.
 */
static bool
starts_anew(const struct koops *k, int m, const char *s, size_t n)
{
	bytes_trim_left(&s, &n);
	if (bytes_has_prefix(s, n, KOOPS_CUT_HERE))
		return true;
	switch (m) {
	case KOOPS_HUNG_TASK:
		return true;
	case KOOPS_OOM:
		/* The kill line ends the report its invocation began. */
		return k->cur.marker != KOOPS_OOM ||
		    bytes_find(s, n, " invoked oom-killer: ") != NULL;
	case KOOPS_MCE:
		return k->cur.marker != KOOPS_MCE;
	case KOOPS_WARNING:
		return !k->pending_marker;
	default:
		return false;
	}
}

/* Moves the report being collected to *ret. */
static int
close_report(struct koops *k, struct koops_report *ret)
{
	*ret = k->cur;
	memset(&k->cur, 0, sizeof(k->cur));
	buf_init(&k->cur.text, 0);
	k->open = false;
	k->pending_marker = false;
	return 1;
}

static int
append(struct koops *k, const struct kmsg_record *rec, int64_t now_ms)
{
	struct koops_report *r = &k->cur;
	int ret;

	if (rec->seq > r->last_seq)
		r->last_seq = rec->seq;
	k->last_ts_us = rec->ts_us;
	k->last_ms = now_ms;
	if (r->truncated)
		return 0;
	if (r->text.len + rec->msg_len + 1 > KOOPS_TEXT_MAX) {
		r->truncated = true;
		return buf_puts(&r->text, "... (cut: the report is longer)\n");
	}
	ret = buf_append(&r->text, rec->msg, rec->msg_len);
	return ret < 0 ? ret : buf_putc(&r->text, '\n');
}

static void
open_report(struct koops *k, int m, const struct kmsg_record *rec)
{
	const char *s = rec->msg;
	size_t n = rec->msg_len;

	bytes_trim_left(&s, &n);
	k->open = true;
	k->pending_marker = bytes_has_prefix(s, n, KOOPS_CUT_HERE);
	k->cur.marker = (enum koops_marker)m;
	k->cur.first_seq = k->cur.last_seq = rec->seq;
	k->cur.ts_us = rec->ts_us;
	k->cur.truncated = false;
	buf_reset(&k->cur.text);
	snprintf(k->caller, sizeof(k->caller), "%.*s",
	    (int)(rec->caller_len < sizeof(k->caller) ? rec->caller_len : 0),
	    rec->caller ? rec->caller : "");
}

/* Whether rec is of another printing context than the report's. */
static bool
other_caller(const struct koops *k, const struct kmsg_record *rec)
{
	return k->caller[0] && rec->caller &&
	    (rec->caller_len != strlen(k->caller) ||
		memcmp(rec->caller, k->caller, rec->caller_len) != 0);
}

int
koops_feed(struct koops *k, const struct kmsg_record *rec, int64_t now_ms,
    struct koops_report *ret)
{
	int m = koops_line_marker(rec->msg, rec->msg_len);
	bool wanted = m >= 0 && (k->markers & (1u << m));
	int closed = 0, r;

	if (k->open && other_caller(k, rec) && !wanted)
		return 0; /* another CPU's line in between */
	if (k->open &&
	    (rec->ts_us > k->last_ts_us + KOOPS_GAP_US ||
		(wanted && starts_anew(k, m, rec->msg, rec->msg_len))))
		closed = close_report(k, ret);
	if (!k->open) {
		if (!wanted)
			return closed;
		open_report(k, m, rec);
	} else if (k->pending_marker && m >= 0) {
		/* "cut here", then what it is. */
		k->cur.marker = (enum koops_marker)m;
		k->pending_marker = false;
	} else if (m == KOOPS_PANIC && wanted) {
		k->cur.marker = KOOPS_PANIC; /* the oops it ends in */
	}
	r = append(k, rec, now_ms);
	if (r < 0) {
		if (closed)
			koops_report_done(ret);
		return r;
	}
	if (!closed && is_end_line(&k->cur, rec->msg, rec->msg_len))
		closed = close_report(k, ret);
	return closed;
}

int
koops_tick(
    struct koops *k, int64_t now_ms, bool force, struct koops_report *ret)
{
	if (!k->open || (!force && now_ms - k->last_ms < KOOPS_IDLE_MS))
		return 0;
	return close_report(k, ret);
}
