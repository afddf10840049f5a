/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics action's counters (daemon/metrics.c) and the action itself
 * (daemon/action_metrics.c) on dumps in a temp spool: label values that
 * no crashed process can break out of, the state file's round trip, the
 * least recent series dropped past max_series, a crash counted once even
 * when its action runs again, and the .prom file's text.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "action_metrics.h"
#include "action_tally.h"
#include "dump.h"
#include "fsutil.h"
#include "metrics.h"
#include "queue.h"
#include "testutil.h"

static char *
labels_of(const char *exe, size_t exe_len, const char *host, const char *sig)
{
	struct buf b;
	char *s;

	buf_init(&b, 0);
	assert_int_equal(
	    metrics_labels(&b, exe, exe_len, host, strlen(host), sig), 0);
	s = strdup(b.data);
	buf_done(&b);
	return s;
}

static void
test_labels(void **state)
{
	static const char hostile[] = "/tmp/a\nb\"c\\d\\x41\xff\x1b[31m";
	char *s;

	(void)state;
	s = labels_of("/usr/bin/ruby", 13, "web1", "SEGV");
	assert_string_equal(s,
	    "{executable=\"/usr/bin/ruby\",hostname=\"web1\",signal=\"SEGV\"}");
	free(s);
	/*
	 * Newline, ESC and a byte that is not UTF-8 as \xNN; a backslash
	 * before "x41" as \x5c; then the text format's \\ and \".
	 */
	s = labels_of(hostile, sizeof(hostile) - 1, "", "ABRT");
	assert_string_equal(s,
	    "{executable=\"/tmp/a\\\\x0ab\\\"c\\\\d\\\\x5cx41"
	    "\\\\xff\\\\x1b[31m\",hostname=\"\",signal=\"ABRT\"}");
	assert_null(strchr(s, '\n'));
	free(s);
	/* Valid UTF-8 stays as it is. */
	s = labels_of("/opt/caf\xc3\xa9", 10, "h\xc3\xb4te", "7");
	assert_string_equal(s,
	    "{executable=\"/opt/caf\xc3\xa9\",hostname=\"h"
	    "\xc3\xb4te\",signal=\"7\"}");
	free(s);
}

static void
test_count_and_state(void **state)
{
	static const char bad[] =
	    "last x\n0 1 {a=\"0\"}\nnonsense\n5 9 {b=\"1\"}\n"
	    "7 8 no-labels\n-1 2 {c}\n4 4 {d=\"1\"} trailing\n2 3 {e}";
	struct metrics m, back;
	struct buf text, again;

	(void)state;
	metrics_init(&m);
	assert_int_equal(
	    metrics_count(&m, "{a=\"1\"}", NULL, 100, 10, NULL), 1);
	assert_int_equal(
	    metrics_count(&m, "{a=\"2\"}", NULL, 200, 10, NULL), 1);
	assert_int_equal(
	    metrics_count(&m, "{a=\"1\"}", NULL, 300, 10, NULL), 2);
	/* An earlier time (a backlog) does not move the last crash back. */
	assert_int_equal(metrics_count(&m, "{a=\"1\"}", NULL, 50, 10, NULL), 3);
	assert_int_equal(m.v[0].last, 300);
	snprintf(m.last_dump, sizeof(m.last_dump), "%s", "20240501T1-1-x");
	buf_init(&text, 0);
	assert_int_equal(metrics_format(&m, &text), 0);
	assert_string_equal(text.data,
	    "last 20240501T1-1-x\n"
	    "3 300 {a=\"1\"}\n"
	    "1 200 {a=\"2\"}\n");
	/* Read back, written again: the same text. */
	metrics_init(&back);
	assert_int_equal(metrics_parse(&back, text.data, text.len), 0);
	buf_init(&again, 0);
	assert_int_equal(metrics_format(&back, &again), 0);
	assert_string_equal(again.data, text.data);
	buf_done(&again);
	metrics_done(&back);
	/* Malformed lines are skipped; the good ones kept. */
	metrics_init(&back);
	assert_int_equal(metrics_parse(&back, bad, strlen(bad)), 0);
	assert_string_equal(back.last_dump, "x");
	assert_int_equal(back.n, 2);
	assert_string_equal(back.v[0].labels, "{b=\"1\"}");
	assert_int_equal(back.v[0].count, 5);
	assert_string_equal(back.v[1].labels, "{e}");
	metrics_done(&back);
	/*
	 * A state of the core label's time: the two series of one kind of
	 * crash become one, their counts summed, the newest last crash.
	 */
	{
		static const char old[] =
		    "last d9\n"
		    "3 300 {core=\"true\",executable=\"/a\",signal=\"SEGV\"}\n"
		    "2 500 {core=\"false\",executable=\"/a\",signal=\"SEGV\"}\n"
		    "1 100 "
		    "{core=\"false\",executable=\"/b\",signal=\"ABRT\"}\n";

		metrics_init(&back);
		assert_int_equal(metrics_parse(&back, old, strlen(old)), 0);
		assert_int_equal(back.n, 2);
		assert_string_equal(
		    back.v[0].labels, "{executable=\"/a\",signal=\"SEGV\"}");
		assert_int_equal(back.v[0].count, 5);
		assert_int_equal(back.v[0].last, 500);
		assert_string_equal(
		    back.v[1].labels, "{executable=\"/b\",signal=\"ABRT\"}");
		assert_int_equal(back.v[1].count, 1);
		metrics_done(&back);
	}
	buf_done(&text);
	metrics_done(&m);
}

static void
test_max_series(void **state)
{
	const char *as = NULL;
	struct metrics m;

	(void)state;
	metrics_init(&m);
	metrics_count(&m, "{s=\"a\"}", "{o}", 300, 3, NULL);
	metrics_count(&m, "{s=\"b\"}", "{o}", 100, 3, NULL);
	metrics_count(&m, "{s=\"c\"}", "{o}", 200, 3, NULL);
	/* A fourth: counted under other, none dropped (a counter only grows).
	 */
	assert_int_equal(metrics_count(&m, "{s=\"d\"}", "{o}", 400, 3, &as), 1);
	assert_string_equal(as, "{o}");
	assert_int_equal(metrics_count(&m, "{s=\"e\"}", "{o}", 500, 3, &as), 2);
	assert_int_equal(m.n, 4);
	assert_string_equal(m.v[0].labels, "{s=\"a\"}");
	assert_string_equal(m.v[3].labels, "{o}");
	assert_int_equal(m.v[3].last, 500);
	/* A series that exists still counts as itself. */
	assert_int_equal(metrics_count(&m, "{s=\"b\"}", "{o}", 600, 3, &as), 2);
	assert_string_equal(as, "{s=\"b\"}");
	/* A smaller max (a reload) drops nothing either. */
	assert_int_equal(
	    metrics_count(&m, "{s=\"f\"}", "{o}", 700, 2, NULL), 3);
	assert_int_equal(m.n, 4);
	metrics_done(&m);
}

static void
test_render(void **state)
{
	struct metrics m;
	struct buf b;

	(void)state;
	metrics_init(&m);
	buf_init(&b, 0);
	assert_int_equal(metrics_render(&m, &b), 0);
	/* No series yet: the families, and the reasons at 0. */
	assert_non_null(strstr(b.data,
	    "# HELP crashd_crashes_total Crashes the kernel handed to "
	    "crashd-hook, stored or not.\n"
	    "# TYPE crashd_crashes_total counter\n"
	    "# HELP crashd_last_crash_timestamp_seconds When the last crash "
	    "of the series happened.\n"
	    "# TYPE crashd_last_crash_timestamp_seconds gauge\n"
	    "# HELP crashd_snapshots_total "));
	assert_non_null(strstr(b.data,
	    "# TYPE crashd_snapshots_total counter\n"
	    "# HELP crashd_crashes_not_stored_total "));
	assert_non_null(strstr(b.data,
	    "\ncrashd_crashes_not_stored_total{reason=\"failed\"} 0\n"));
	metrics_count(&m, "{s=\"a\"}", NULL, 1714564800, 10, NULL);
	metrics_count(&m, "{s=\"a\"}", NULL, 1714564801, 10, NULL);
	/* A snapshot's series is crashd_snapshots_total's alone. */
	metrics_count(
	    &m, METRICS_SNAPSHOT "{s=\"a\"}", NULL, 1714564802, 10, NULL);
	buf_reset(&b);
	assert_int_equal(metrics_render(&m, &b), 0);
	assert_non_null(
	    strstr(b.data, "\ncrashd_snapshots_total{s=\"a\"} 1\n"));
	assert_null(strstr(b.data, "snapshot{"));
	assert_non_null(strstr(b.data, "\ncrashd_crashes_total{s=\"a\"} 2\n"));
	/* Kept as such in the state. */
	{
		struct metrics back;
		struct buf text;

		buf_init(&text, 0);
		assert_int_equal(metrics_format(&m, &text), 0);
		assert_non_null(
		    strstr(text.data, "1 1714564802 snapshot{s=\"a\"}\n"));
		metrics_init(&back);
		assert_int_equal(metrics_parse(&back, text.data, text.len), 0);
		assert_int_equal(back.n, 2);
		assert_string_equal(back.v[1].labels, "snapshot{s=\"a\"}");
		metrics_done(&back);
		buf_done(&text);
	}
	assert_non_null(strstr(b.data,
	    "\ncrashd_last_crash_timestamp_seconds{s=\"a\"} 1714564801\n"));
	buf_done(&b);
	metrics_done(&m);
}

/* ---- the action, on a dump in a temp spool ---- */

struct fake {
	char *dir; /* the spool, and the .prom's directory under it */
	int spool_fd;
	struct action_config ac;
	char prom[4200];
};

static void
make_dump(
    struct fake *f, const char *name, const char *exe, int signal, bool core)
{
	char path[4200], sig[16];

	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	assert_int_equal(mkdir(path, 0700), 0);
	free(tu_write_file(path, "executable", exe, strlen(exe), 0600));
	free(tu_write_file(path, "hostname", "web1\n", 5, 0600));
	free(tu_write_file(path, "time", "1714564800\n", 11, 0600));
	snprintf(sig, sizeof(sig), "%d\n", signal);
	free(tu_write_file(path, "signal", sig, strlen(sig), 0600));
	if (core)
		free(tu_write_file(path, "core.mini", "ELF", 3, 0600));
}

static enum action_outcome
run_on(struct fake *f, const char *name, struct buf *detail)
{
	struct action_event ev = { 0 };
	struct dump *d = NULL;
	enum action_outcome o;

	assert_int_equal(dump_open(f->spool_fd, name, &d), 0);
	ev.dump = d;
	ev.dump_path = f->dir;
	ev.event = "hold";
	ev.summary = "";
	ev.spool_dirfd = f->spool_fd;
	buf_reset(detail);
	o = action_metrics_ops.run(&f->ac, &ev, detail);
	dump_free(d);
	return o;
}

static char *
prom_text(struct fake *f)
{
	size_t len;
	char *data = NULL;

	assert_int_equal(
	    read_file_at(AT_FDCWD, f->prom, 1 << 20, &data, &len), 0);
	return data;
}

static void
test_action(void **state)
{
	struct fake f = { 0 };
	struct buf detail;
	struct stat st;
	char *t, path[4300];

	(void)state;
	f.dir = tu_mkdtemp();
	f.spool_fd = open(f.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f.spool_fd >= 0);
	snprintf(f.prom, sizeof(f.prom), "%s/textfile", f.dir);
	assert_int_equal(mkdir(f.prom, 0755), 0);
	snprintf(f.prom, sizeof(f.prom), "%s/textfile/crashd.prom", f.dir);
	f.ac.name = "metrics";
	f.ac.type = ACTION_METRICS;
	f.ac.path = f.prom;
	f.ac.max_series = 1000;
	buf_init(&detail, 0);

	make_dump(&f, "d1", "/usr/bin/victim\n", 11, true);
	make_dump(&f, "d2", "/usr/bin/victim\n", 11, true);
	make_dump(&f, "d3", "/usr/bin/victim\n", 6, false);
	assert_int_equal(run_on(&f, "d1", &detail), ACTION_OK);
	assert_non_null(strstr(detail.data,
	    "crashd_crashes_total{executable=\"/usr/bin/victim\","
	    "hostname=\"web1\",signal=\"SEGV\"} 1 in "));
	assert_non_null(strstr(detail.data, "/textfile/crashd.prom"));
	assert_int_equal(run_on(&f, "d2", &detail), ACTION_OK);
	/* Run again (a daemon killed before recording it): counted once. */
	assert_int_equal(run_on(&f, "d2", &detail), ACTION_OK);
	assert_non_null(strstr(detail.data, "counted before"));
	assert_int_equal(run_on(&f, "d3", &detail), ACTION_OK);
	t = prom_text(&f);
	assert_non_null(strstr(t,
	    "\ncrashd_crashes_total{executable=\"/usr/bin/"
	    "victim\",hostname=\"web1\",signal=\"SEGV\"} 2\n"));
	assert_non_null(strstr(t,
	    "\ncrashd_crashes_total{executable=\"/usr/bin/"
	    "victim\",hostname=\"web1\",signal=\"ABRT\"} 1\n"));
	free(t);
	/* Readable by node_exporter; no temp file left for it to read. */
	assert_int_equal(stat(f.prom, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	snprintf(path, sizeof(path), "%s.tmp", f.prom);
	assert_int_equal(access(path, F_OK), -1);
	/* The state is root's alone. */
	snprintf(path, sizeof(path), "%s/.state/metrics/metrics", f.dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);

	/* No directory for the file: failed, but counted for the next. */
	snprintf(f.prom, sizeof(f.prom), "%s/gone/crashd.prom", f.dir);
	make_dump(&f, "d4", "/usr/bin/victim\n", 11, true);
	assert_int_equal(run_on(&f, "d4", &detail), ACTION_FAILED);
	assert_non_null(strstr(detail.data, "counted; cannot write "));
	assert_non_null(strstr(detail.data, "No such file or directory"));
	snprintf(f.prom, sizeof(f.prom), "%s/textfile/crashd.prom", f.dir);
	make_dump(&f, "d5", "/usr/bin/victim\n", 11, true);
	assert_int_equal(run_on(&f, "d5", &detail), ACTION_OK);
	assert_non_null(strstr(detail.data, "signal=\"SEGV\"} 4 in "));

	/* No delivery queue (no daemon has run on this spool): no gauges. */
	t = prom_text(&f);
	assert_null(strstr(t, "crashd_deliveries"));
	free(t);
	buf_done(&detail);
	close(f.spool_fd);
	tu_rm_rf(f.dir);
	free(f.dir);
}

/* Crashes the hook did not store: counted once each, kept in the state. */
static void
test_not_stored(void **state)
{
	struct notstored_record rec;
	struct metrics m, back;
	struct buf text;

	(void)state;
	metrics_init(&m);
	notstored_fill(&rec, NOTSTORED_RATE_LIMITED, "per_executable limit",
	    1765000000123LL, 41, 6, 0, 0, "/usr/bin/a", "a", "web1");
	assert_int_equal(metrics_count_not_stored(&m, 0, &rec, 10), 1);
	assert_int_equal(metrics_count_not_stored(&m, 1, &rec, 10), 1);
	/* Again (a daemon killed before its state said so): once. */
	assert_int_equal(metrics_count_not_stored(&m, 1, &rec, 10), 0);
	assert_int_equal(metrics_count_not_stored(&m, 2, NULL, 10), 1);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.v[0].labels,
	    "{executable=\"/usr/bin/a\",hostname=\"web1\",signal=\"ABRT\"}");
	assert_int_equal(m.v[0].count, 2);
	assert_int_equal(m.v[0].last, 1765000000);
	assert_int_equal(m.not_stored[NOTSTORED_RATE_LIMITED], 2);
	assert_int_equal(m.not_stored[METRICS_NOT_STORED_LOST], 1);
	buf_init(&text, 0);
	assert_int_equal(metrics_format(&m, &text), 0);
	assert_non_null(strstr(text.data, "not_stored_next 3\n"));
	assert_non_null(strstr(text.data, "not_stored rate_limited 2\n"));
	assert_non_null(strstr(text.data, "not_stored lost 1\n"));
	metrics_init(&back);
	assert_int_equal(metrics_parse(&back, text.data, text.len), 0);
	assert_int_equal(back.not_stored_next, 3);
	assert_int_equal(back.not_stored[NOTSTORED_RATE_LIMITED], 2);
	assert_int_equal(back.not_stored[METRICS_NOT_STORED_LOST], 1);
	assert_int_equal(back.n, 1);
	buf_reset(&text);
	assert_int_equal(metrics_render(&back, &text), 0);
	assert_non_null(strstr(text.data,
	    "# TYPE crashd_crashes_not_stored_total counter\n"
	    "crashd_crashes_not_stored_total{reason=\"ignored\"} 0\n"
	    "crashd_crashes_not_stored_total{reason=\"rate_limited\"} 2\n"));
	assert_non_null(strstr(
	    text.data, "crashd_crashes_not_stored_total{reason=\"lost\"} 1\n"));
	buf_done(&text);
	metrics_done(&back);
	metrics_done(&m);
}

/* Health and inventory: build info, the hook's counters, the actions. */
static void
test_health(void **state)
{
	struct hookstate st = { 0 };
	const struct action_tally_entry *v;
	struct buf b;
	size_t n;

	(void)state;
	buf_init(&b, 0);
	assert_int_equal(metrics_render_build_info(&b, "1.2\"\n"), 0);
	assert_string_equal(b.data,
	    "# HELP crashd_build_info crashd's version, as a label; always 1.\n"
	    "# TYPE crashd_build_info gauge\n"
	    "crashd_build_info{version=\"1.2\\\"\\\\x0a\"} 1\n");
	buf_reset(&b);
	st.counters.seen = 7;
	st.counters.stored = 3;
	st.counters.rate_limited = 4;
	st.kernel_dropped = 2;
	assert_int_equal(metrics_render_hook(&b, &st), 0);
	assert_non_null(strstr(b.data,
	    "# TYPE crashd_hook_crashes_seen_total counter\n"
	    "crashd_hook_crashes_seen_total 7\n"));
	assert_non_null(
	    strstr(b.data, "\ncrashd_hook_crashes_stored_total 3\n"));
	assert_non_null(
	    strstr(b.data, "\ncrashd_hook_crashes_rate_limited_total 4\n"));
	assert_non_null(strstr(b.data, "\ncrashd_hook_cores_kept_total 0\n"));
	assert_non_null(
	    strstr(b.data, "\ncrashd_kernel_dropped_crashes_total 2\n"));
	buf_reset(&b);
	assert_int_equal(metrics_render_spool(&b, 4096, 3), 0);
	assert_non_null(strstr(b.data, "\ncrashd_spool_bytes 4096\n"));
	assert_non_null(strstr(b.data, "\ncrashd_spool_dumps 3\n"));

	/* No action has run: no family (Prometheus wants no empty one). */
	buf_reset(&b);
	v = action_tally_entries(&n);
	assert_int_equal(metrics_render_actions(&b, v, n), 0);
	assert_int_equal(b.len, 0);
	action_tally_note("page", ACTION_OK);
	action_tally_note("page", ACTION_OK);
	action_tally_note("trim", ACTION_FAILED);
	action_tally_note("page", _ACTION_OUTCOME_MAX); /* ignored */
	v = action_tally_entries(&n);
	assert_int_equal(n, 2);
	assert_int_equal(metrics_render_actions(&b, v, n), 0);
	assert_non_null(strstr(b.data,
	    "# TYPE crashd_actions_total counter\n"
	    "crashd_actions_total{action=\"page\",outcome=\"ok\"} 2\n"
	    "crashd_actions_total{action=\"page\",outcome=\"failed\"} 0\n"
	    "crashd_actions_total{action=\"page\",outcome=\"skipped\"} 0\n"
	    "crashd_actions_total{action=\"trim\",outcome=\"ok\"} 0\n"
	    "crashd_actions_total{action=\"trim\",outcome=\"failed\"} 1\n"));
	buf_done(&b);
}

/* The queue's gauges: written with the counts, refreshed without a crash. */
static void
test_refresh_deliveries(void **state)
{
	struct action_config ac = { 0 };
	struct config c = { 0 };
	struct queue q;
	char dir[4200], prom[4300], dead[4300];
	char *spool = tu_mkdtemp(), *t = NULL;
	size_t len;
	int fd;

	(void)state;
	fd = open(spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	snprintf(dir, sizeof(dir), "%s/textfile", spool);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(prom, sizeof(prom), "%s/crashd.prom", dir);
	ac.name = "m";
	ac.type = ACTION_METRICS;
	ac.path = prom;
	ac.max_series = 10;
	c.actions = &ac;
	c.n_actions = 1;
	assert_int_equal(queue_open(fd, true, &q), 0);
	queue_close(&q);
	/* Before any crash: the families, the gauges at 0. */
	action_metrics_refresh(&c, fd);
	assert_int_equal(read_file_at(AT_FDCWD, prom, 1 << 20, &t, &len), 0);
	assert_non_null(strstr(t, "# TYPE crashd_crashes_total counter\n"));
	assert_non_null(strstr(t,
	    "\n# TYPE crashd_deliveries gauge\n"
	    "crashd_deliveries{state=\"pending\"} 0\n"
	    "crashd_deliveries{state=\"dead\"} 0\n"));
	free(t);
	/* A delivery given up on: the next refresh says so. */
	snprintf(dead, sizeof(dead), "%s/.state/deliveries/dead/x+hook", spool);
	assert_int_equal(mkdir(dead, 0700), 0);
	action_metrics_refresh(&c, fd);
	assert_int_equal(read_file_at(AT_FDCWD, prom, 1 << 20, &t, &len), 0);
	assert_non_null(strstr(t, "crashd_deliveries{state=\"dead\"} 1\n"));
	free(t);
	close(fd);
	tu_rm_rf(spool);
	free(spool);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_count_and_state),
		cmocka_unit_test(test_max_series),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_action),
		cmocka_unit_test(test_refresh_deliveries),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_not_stored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
