/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/koops.c: /dev/kmsg records, grouping them into
 * reports, and what a real report (tests/fixtures/kernel) says.
 */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "koops.h"

#define ALL_MARKERS ((1u << _KOOPS_MARKER_MAX) - 1)

static void
test_record_parse(void **state)
{
	static const char rec[] =
	    "4,1224,579886076,-,caller=T26746;Memory cgroup out of memory\n"
	    " SUBSYSTEM=x\n";
	struct kmsg_record r;

	(void)state;
	assert_int_equal(kmsg_record_parse(rec, strlen(rec), &r), 0);
	assert_int_equal(r.prio, 4);
	assert_int_equal(KMSG_FACILITY(&r), 0);
	assert_int_equal(r.seq, 1224);
	assert_int_equal(r.ts_us, 579886076);
	assert_false(r.cont);
	assert_int_equal(r.caller_len, 6);
	assert_memory_equal(r.caller, "T26746", 6);
	assert_int_equal(r.msg_len, strlen("Memory cgroup out of memory"));
	assert_int_equal(kmsg_record_parse("12,5,7,c;x", 10, &r), 0);
	assert_int_equal(KMSG_FACILITY(&r), 1);
	assert_true(r.cont);
	assert_int_equal(kmsg_record_parse("4,5,7;x", 7, &r), -EINVAL);
	assert_int_equal(kmsg_record_parse("4,,7,-;x", 8, &r), -EINVAL);
	assert_int_equal(
	    kmsg_record_parse("4,99999999999999999999999,7,-;x", 31, &r),
	    -EINVAL);
	assert_int_equal(kmsg_record_parse("4,5,7,-", 7, &r), -EINVAL);
}

/*
 * Feeds the lines of text as records from seq on, 1 ms apart, then
 * lets the collector go idle.  Returns the number of reports, the last
 * one in *ret (when not NULL).
 */
static int
feed_text(struct koops *k, const char *text, size_t len, uint64_t *seq,
    struct koops_report *ret)
{
	int n = 0;
	struct koops_report rep;
	int64_t now = 1000;

	for (const char *p = text; p < text + len;) {
		const char *nl = memchr(p, '\n', (size_t)(text + len - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(text + len - p);
		char rec[4096];
		struct kmsg_record r;
		int m;

		m = snprintf(rec, sizeof(rec), "4,%llu,%llu,-;%.*s",
		    (unsigned long long)*seq, (unsigned long long)(*seq * 1000),
		    (int)l, p);
		(*seq)++;
		assert_int_equal(kmsg_record_parse(rec, (size_t)m, &r), 0);
		if (koops_feed(k, &r, now++, &rep) == 1) {
			n++;
			if (ret) {
				koops_report_done(ret);
				*ret = rep;
			} else {
				koops_report_done(&rep);
			}
		}
		p = nl ? nl + 1 : text + len;
	}
	if (koops_tick(k, now + KOOPS_IDLE_MS, false, &rep) == 1) {
		n++;
		if (ret) {
			koops_report_done(ret);
			*ret = rep;
		} else {
			koops_report_done(&rep);
		}
	}
	return n;
}

struct expect {
	const char *fixture;
	enum koops_marker marker;
	const char *function;
	const char *comm;
	long pid;
	const char *taint;
};

static void
check_fixture(const struct expect *e, struct koops_facts *f)
{
	struct koops k;
	struct koops_report rep = { 0 };
	uint64_t seq = 100;
	size_t len;
	char *text = tu_fixture(e->fixture, &len);

	koops_init(&k, ALL_MARKERS);
	assert_int_equal(feed_text(&k, text, len, &seq, &rep), 1);
	assert_int_equal(rep.marker, e->marker);
	assert_int_equal(rep.first_seq, 100);
	assert_int_equal(
	    koops_analyze(rep.marker, rep.text.data, rep.text.len, f), 0);
	assert_string_equal(f->function, e->function);
	assert_string_equal(f->comm, e->comm);
	assert_int_equal(f->pid, e->pid);
	if (e->taint)
		assert_string_equal(f->taint, e->taint);
	assert_int_equal(strlen(f->signature), 16);
	koops_report_done(&rep);
	koops_done(&k);
	free(text);
}

static void
test_fixtures(void **state)
{
	static const struct expect cases[] = {
		{ "kernel/warning_radeon.txt", KOOPS_WARNING,
		    "radeon_gart_unbind", "kworker/0:1", 37, "Not tainted" },
		{ "kernel/oops_radeon_null.txt", KOOPS_BUG,
		    "radeon_cp_init_ring_buffer", "Xorg", 8003, "Not tainted" },
		{ "kernel/lockup_nouveau.txt", KOOPS_LOCKUP, "ioread32", "X",
		    5189, "Not tainted" },
		{ "kernel/hung_task_jbd2.txt", KOOPS_HUNG_TASK,
		    "jbd2_log_wait_commit", "logrotate", 17344, NULL },
		{ "kernel/oom_memcg.txt", KOOPS_OOM, "", "python3", 26746,
		    "Not tainted" },
	};
	char sigs[5][17];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct koops_facts f;

		check_fixture(&cases[i], &f);
		snprintf(sigs[i], sizeof(sigs[i]), "%s", f.signature);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(sigs[i], sigs[j]);
		koops_facts_done(&f);
	}
}

static void
test_warning_facts(void **state)
{
	struct koops_facts f;
	struct expect e = { "kernel/warning_radeon.txt", KOOPS_WARNING,
		"radeon_gart_unbind", "kworker/0:1", 37, NULL };

	(void)state;
	check_fixture(&e, &f);
	assert_string_equal(f.module, "radeon");
	assert_string_equal(f.kernel, "3.11.10-301.fc20.x86_64 #1");
	assert_non_null(
	    strstr(f.modules.data, " fuse nf_conntrack_netbios_ns"));
	/* The continuation line of the module list. */
	assert_non_null(strstr(f.modules.data, " videodev sparse_keymap"));
	/* The trace without '?' frames, module names kept. */
	assert_non_null(
	    strstr(f.trace.data, "#4 radeon_ttm_backend_unbind [radeon]\n"));
	assert_null(strstr(f.trace.data, "ttm_bo_mem_space"));
	assert_non_null(strstr(f.reason,
	    "kernel WARNING in radeon_gart_unbind "
	    "[radeon] (kworker/0:1, pid 37)"));
	koops_facts_done(&f);
}

static void
test_oom_facts(void **state)
{
	struct koops_facts f;
	struct expect e = { "kernel/oom_memcg.txt", KOOPS_OOM, "", "python3",
		26746, NULL };

	(void)state;
	check_fixture(&e, &f);
	assert_string_equal(f.cgroup, "/crashd-fixture-7875");
	assert_string_equal(f.constraint, "CONSTRAINT_MEMCG");
	assert_non_null(strstr(f.memory, "total-vm:43292kB, anon-rss:32512kB"));
	assert_string_equal(f.kernel, "6.18.44-fc-v1272 #1 PREEMPT(none)");
	koops_facts_done(&f);
}

/* The same report twice: two reports, one signature; offsets ignored. */
static void
test_signature_stable(void **state)
{
	struct koops k;
	struct koops_report a = { 0 }, b = { 0 };
	struct koops_facts fa, fb;
	uint64_t seq = 1;
	size_t len;
	char *text = tu_fixture("kernel/warning_radeon.txt", &len);
	char *moved = malloc(len + 1);
	char *p;

	(void)state;
	assert_non_null(moved);
	memcpy(moved, text, len);
	moved[len] = '\0';
	/* Another build: other offsets and addresses. */
	p = strstr(moved, "radeon_ttm_backend_unbind+0x1a/0x20");
	assert_non_null(p);
	memcpy(p, "radeon_ttm_backend_unbind+0x2b/0x30", 35);
	koops_init(&k, ALL_MARKERS);
	assert_int_equal(feed_text(&k, text, len, &seq, &a), 1);
	assert_int_equal(feed_text(&k, moved, len, &seq, &b), 1);
	assert_int_equal(
	    koops_analyze(a.marker, a.text.data, a.text.len, &fa), 0);
	assert_int_equal(
	    koops_analyze(b.marker, b.text.data, b.text.len, &fb), 0);
	assert_string_equal(fa.signature, fb.signature);
	koops_facts_done(&fa);
	koops_facts_done(&fb);
	koops_report_done(&a);
	koops_report_done(&b);
	koops_done(&k);
	free(moved);
	free(text);
}

/* Back to back, a report ends at the next one's first line. */
static void
test_back_to_back(void **state)
{
	static const char text[] =
	    "INFO: task a:1 blocked for more than 120 seconds.\n"
	    "Call Trace:\n"
	    " foo+0x1/0x2\n"
	    "INFO: task b:2 blocked for more than 120 seconds.\n"
	    "Call Trace:\n"
	    " bar+0x1/0x2\n"
	    "an ordinary line\n";
	struct koops k;
	uint64_t seq = 1;

	(void)state;
	koops_init(&k, ALL_MARKERS);
	assert_int_equal(feed_text(&k, text, strlen(text), &seq, NULL), 2);
	koops_done(&k);
}

/* Markers not asked for open nothing; ordinary lines neither. */
static void
test_markers_off(void **state)
{
	struct koops k;
	uint64_t seq = 1;
	size_t len;
	char *text = tu_fixture("kernel/warning_radeon.txt", &len);
	static const char plain[] = "EXT4-fs (vda1): mounted filesystem\n"
				    "random: crng init done\n";

	(void)state;
	koops_init(&k, ALL_MARKERS & ~(1u << KOOPS_WARNING));
	assert_int_equal(feed_text(&k, text, len, &seq, NULL), 0);
	assert_int_equal(feed_text(&k, plain, strlen(plain), &seq, NULL), 0);
	koops_done(&k);
	free(text);
}

/* A report longer than the cap is cut, and said to be. */
static void
test_cap(void **state)
{
	struct koops k;
	struct koops_report rep = { 0 };
	struct buf b;
	uint64_t seq = 1;

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "BUG: soft lockup - CPU#1 stuck for 22s! [X:1]\n");
	for (int i = 0; i < 5000; i++)
		buf_printf(
		    &b, " [<f8779b2d>] frame_%d+0x5d/0xc0 [nouveau]\n", i);
	koops_init(&k, ALL_MARKERS);
	assert_int_equal(feed_text(&k, b.data, b.len, &seq, &rep), 1);
	assert_true(rep.truncated);
	assert_true(rep.text.len <= KOOPS_TEXT_MAX + 64);
	koops_report_done(&rep);
	koops_done(&k);
	buf_done(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_parse),
		cmocka_unit_test(test_fixtures),
		cmocka_unit_test(test_warning_facts),
		cmocka_unit_test(test_oom_facts),
		cmocka_unit_test(test_signature_stable),
		cmocka_unit_test(test_back_to_back),
		cmocka_unit_test(test_markers_off),
		cmocka_unit_test(test_cap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
