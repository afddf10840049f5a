/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation-failure injection (alloc_fail.h) over the parsers and
 * encoders: the config, the dump reader, the JSON writer, the escapes
 * and the mail message.  Each allocation of each operation fails in
 * turn; the operation must return -ENOMEM and free everything.  The
 * parsers that promise to allocate nothing (dump_tsv, cgroup_unit,
 * units) are checked to make no allocation at all.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "alloc_fail.h"
#include "buf.h"
#include "cgroup_unit.h"
#include "config.h"
#include "dump.h"
#include "dump_tsv.h"
#include "escape.h"
#include "json.h"
#include "mail_testutil.h"
#include "units.h"

/* Bytes no encoder may pass through as they are. */
static const char hostile[] = "a\tb\nc\r\\d'e\"f$(g)`h`\x01\x1b[31m\x7f"
			      "\xc3\xa9\xff\xfe\xed\xa0\x80 \xe2\x82\xac";

/* ---- config ---- */

/*
 * config_load() reports an allocation that failed in the walk as one
 * problem, "file:line: key: out of memory", and -EINVAL, as any other
 * (config.h): that counts as -ENOMEM here.  The errors buffer is grown
 * before the runs, so that what fails is config's own allocations; a
 * config with errors (want < 0) has the buffer's failures too.
 */
struct config_case {
	char *path;
	int want; /* what config_load() returns with no failure */
	struct buf errors;
};

static int
op_config_load(void *ctx)
{
	struct config_case *cc = ctx;
	struct config c;
	int r;

	if (cc->want < 0)
		buf_init(&cc->errors, 0);
	buf_reset(&cc->errors);
	r = config_load(cc->path, &c, &cc->errors);
	if (r >= 0)
		config_done(&c);
	else if (r == -EINVAL && cc->errors.data &&
	    strstr(cc->errors.data, ": out of memory\n"))
		r = -ENOMEM;
	if (cc->want < 0)
		buf_done(&cc->errors);
	return r;
}

static void
check_config(const char *what, const char *text, int want)
{
	struct config_case cc = { .want = want };
	struct config c;
	char *dir = tu_mkdtemp();
	unsigned n;
	int r;

	cc.path = tu_write_file(dir, "crashd.conf", text, strlen(text), 0644);
	/* The case is what it says before its allocations fail. */
	buf_init(&cc.errors, 0);
	r = config_load(cc.path, &c, &cc.errors);
	if (r != want)
		fail_msg("%s: %d, expected %d: %s", what, r, want,
		    cc.errors.data ? cc.errors.data : "");
	if (want == 0)
		config_done(&c);
	else
		assert_true(cc.errors.len > 0);
	buf_done(&cc.errors);
	if (want == 0) {
		buf_init(&cc.errors, 0);
		assert_int_equal(buf_printf(&cc.errors, "%65536s", ""), 0);
	}
	n = alloc_fail_check(what, op_config_load, &cc);
	assert_true(n > 10);
	buf_done(&cc.errors);
	tu_rm_rf(dir);
	free(dir);
	free(cc.path);
}

static void
test_config_shipped(void **state)
{
	size_t len;
	char *text = tu_fixture("../../conf/crashd.conf", &len);
	char *s = malloc(len + 1);

	(void)state;
	assert_non_null(s);
	memcpy(s, text, len);
	s[len] = '\0';
	check_config("config_load(conf/crashd.conf)", s, 0);
	free(s);
	free(text);
}

static void
test_config_actions(void **state)
{
	(void)state;
	check_config("config_load(every action type)",
	    "spool = \"/var/spool/crashd\";\n"
	    "hook = { core = { mode = \"truncate\"; max_size = \"8M\"; };\n"
	    "  ignore = [ \"*/php-fpm\", \"/usr/bin/a*\" ];\n"
	    "  limits = { per_executable = \"5/10m\"; global = \"100/10m\"; "
	    "};\n"
	    "  items = { environ = \"256K\"; }; };\n"
	    "daemon = { dedupe = { key = [ \"executable\", \"signal\" ];\n"
	    "  window = \"1d\"; };\n"
	    "  retention = { max_age = \"30d\"; max_count = 50; }; };\n"
	    "actions = (\n"
	    "  { name = \"page\"; type = \"mail\";\n"
	    "    match = { signal = ( \"SEGV\", 6 ); executable = [ \"/a*\" "
	    "];\n"
	    "      uid = [ 0, 1000 ]; hostname = [ \"web*\" ]; };\n"
	    "    to = [ \"root@localhost\", \"ops@example.org\" ];\n"
	    "    from = \"crashd@example.org\";\n"
	    "    smtp = \"smtp://127.0.0.1:25\"; subject = \"{reason}\";\n"
	    "    redact = [ \"*PW*\", \"*TOKEN*\" ]; },\n"
	    "  { name = \"chat\"; type = \"webhook\";\n"
	    "    url = \"http://127.0.0.1:9/x\"; format = \"slack\";\n"
	    "    headers = [ \"X-Team: core\" ]; },\n"
	    "  { name = \"am\"; type = \"webhook\";\n"
	    "    url = \"http://127.0.0.1:9/api/v2/alerts\";\n"
	    "    format = \"alertmanager\"; },\n"
	    "  { name = \"run\"; type = \"exec\";\n"
	    "    command = [ \"/usr/local/bin/on-crash\", \"--now\" ];\n"
	    "    timeout = \"30s\"; },\n"
	    "  { name = \"trim\"; type = \"delete\"; what = \"core\";\n"
	    "    after = \"7d\"; },\n"
	    "  { name = \"log\"; type = \"log\"; }\n"
	    ");\n",
	    0);
}

static void
test_config_errors(void **state)
{
	(void)state;
	check_config("config_load(a config with errors)",
	    "spool = \"relative\";\n"
	    "hook = { core = { mode = \"huge\"; max_size = \"lots\"; };\n"
	    "  nosuchkey = 1; };\n"
	    "actions = (\n"
	    "  { name = \"page\"; type = \"mail\"; to = [ \"not an address\" "
	    "];\n"
	    "    smtp = \"gopher://x\"; },\n"
	    "  { name = \"page\"; type = \"exec\"; command = [ ]; }\n"
	    ");\n",
	    -EINVAL);
}

static int
op_config_defaults(void *ctx)
{
	struct config c;
	int r;

	(void)ctx;
	r = config_defaults(&c);
	if (r >= 0)
		config_done(&c);
	return r;
}

static void
test_config_defaults(void **state)
{
	(void)state;
	/* The spool, ignore, debuginfod_cache and pid_file at least. */
	assert_true(
	    alloc_fail_check("config_defaults", op_config_defaults, NULL) >= 4);
}

/* ---- the dump reader ---- */

static int
op_dump_read(void *ctx)
{
	struct fake *f = ctx;
	static const char *const items[] = { "ptree", "backtrace", "executable",
		"cmdline", "environ", "nosuchitem" };
	struct dump_core core;
	struct dump *d = NULL;
	char *s;
	size_t i;
	int r;

	r = dump_open(f->spool_fd, mt_dump_name, &d);
	if (r < 0)
		return r;
	for (i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		r = dump_read_item(d, items[i], 1 << 20, &s);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			goto out;
		free(s);
	}
	r = dump_core(d, &core);
	if (r == 0 && !core.truncated)
		r = -EBADMSG; /* core_info said it was */
out:
	dump_free(d);
	return r;
}

/*
 * op on a hostile fake dump (mail_testutil.h), with a truncated core when
 * with_core: succeeds, then tortured.
 */
static void
check_on_fake(const char *what, alloc_fail_op *op, bool with_core)
{
	struct fake f;

	mt_fake_open(&f, true);
	if (with_core) {
		ITEM(f.path, "core.gz", "\x1f\x8b not really");
		ITEM(f.path, "core_info", "mode: truncate\ntruncated: yes\n");
	}
	assert_int_equal(op(&f), 0);
	assert_true(alloc_fail_check(what, op, &f) > 5);
	mt_fake_close(&f);
}

static void
test_dump_read(void **state)
{
	(void)state;
	check_on_fake(
	    "dump_open, dump_read_item, dump_core", op_dump_read, true);
}

/* ---- the mail message ---- */

static int
op_mail_render(void *ctx)
{
	struct fake *f = ctx;
	struct buf payload, detail;
	int r;

	buf_init(&payload, 0);
	buf_init(&detail, 0);
	r = action_mail_ops.render(&f->ac, &f->ev, &payload, &detail);
	buf_done(&payload);
	buf_done(&detail);
	return r;
}

static void
test_mail_render(void **state)
{
	(void)state;
	check_on_fake("action_mail_ops.render", op_mail_render, false);
}

/* ---- the JSON writer ---- */

static int
op_json(void *ctx)
{
	struct json_writer w;
	struct buf out;
	int i, r;

	(void)ctx;
	buf_init(&out, 0);
	json_writer_init(&w, &out);
	json_begin_object(&w);
	json_key(&w, "id");
	json_str(&w, "20261207T114318.000000Z-4242-victim");
	json_key(&w, "cmdline");
	json_begin_array(&w);
	/* Enough to grow the buffer a few times. */
	for (i = 0; i < 64; i++)
		json_strn(&w, hostile, sizeof(hostile) - 1);
	json_end_array(&w);
	json_key(&w, "count");
	json_int(&w, -1234567890123LL);
	json_key(&w, "core");
	json_bool(&w, true);
	json_key(&w, "backtrace");
	json_write_null(&w);
	json_end_object(&w);
	r = w.error;
	if (r >= 0)
		r = json_write_string(&out, hostile, sizeof(hostile) - 1);
	buf_done(&out);
	return r;
}

static void
test_json(void **state)
{
	(void)state;
	assert_true(alloc_fail_check("json_writer", op_json, NULL) > 2);
}

/* ---- the escapes ---- */

static int
op_escape(void *ctx)
{
	static const char argv[] = "/usr/bin/victim\0--name=a b\0\xff\n\0";
	struct buf out;
	int i, r = 0;

	(void)ctx;
	buf_init(&out, 0);
	for (i = 0; i < 32 && r >= 0; i++) {
		r = escape_c(&out, hostile, sizeof(hostile) - 1);
		if (r >= 0)
			r = escape_shell(&out, hostile, sizeof(hostile) - 1);
		if (r >= 0)
			r = escape_argv(&out, argv, sizeof(argv) - 1);
	}
	buf_done(&out);
	return r;
}

static void
test_escape(void **state)
{
	(void)state;
	assert_true(alloc_fail_check("escape_c, escape_shell, escape_argv",
			op_escape, NULL) > 2);
}

/* ---- parsers that allocate nothing ---- */

static int
op_no_alloc(void *ctx)
{
	static const char frames[] =
	    "29903\t0\t0x561af8d4745d\tcrash\t16\t/usr/bin/victim\tab12\t"
	    "victim.c\t81\n"
	    "29903\t1\t0x1\t\t\t\t\t\t\n"
	    "\n"
	    "x\ty\tz\t\t\t\t\t\t\t\t\t\t\textra\n"
	    "29904";
	static const char cgroup[] =
	    "1:name=systemd:/user.slice/user-1000.slice/session-4.scope\n"
	    "0::/system.slice/nginx.service\n"
	    "\xff\xfe::garbage\n";
	struct dump_tsv_field f[_DUMP_FRAME_MAX];
	struct cgroup_unit cu;
	struct dump_tsv t;
	struct rate rate;
	uint64_t v;
	long long sum = 0;
	char size[32];

	(void)ctx;
	dump_tsv_init(&t, frames);
	while (dump_tsv_next(&t, f, _DUMP_FRAME_MAX) > 0)
		sum += dump_tsv_number(&f[DUMP_FRAME_LINE], 0);
	cgroup_unit_parse(cgroup, sizeof(cgroup) - 1, &cu);
	sum += cgroup_unit_name_valid(cu.unit, strlen(cu.unit));
	sum += units_parse_size("64M", &v) + units_parse_size("x", &v);
	sum += units_parse_duration_ms("10m", &v);
	sum += units_parse_rate("5/10m", &rate);
	units_format_size(3u << 29, size, sizeof(size));
	return sum == 81 + 1 - EINVAL ? 0 : -EINVAL;
}

static void
test_no_alloc(void **state)
{
	(void)state;
	assert_int_equal(op_no_alloc(NULL), 0);
	assert_int_equal(
	    alloc_fail_check("dump_tsv, cgroup_unit, units", op_no_alloc, NULL),
	    0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_shipped),
		cmocka_unit_test(test_config_actions),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_dump_read),
		cmocka_unit_test(test_mail_render),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_no_alloc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
