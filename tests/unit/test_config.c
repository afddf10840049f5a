/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for common/config*.c: defaults, the key table's rows, a file
 * setting every key, and every kind of error, each reported as
 * "file:line: key: problem".
 */
#include "testutil.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "config_key.h"
#include "config_raw.h"
#include "dump.h"

struct fixture {
	char *dir;
	char *path; /* of the last file written */
	struct buf errors;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	buf_init(&f->errors, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	tu_rm_rf(f->dir);
	free(f->dir);
	free(f->path);
	buf_done(&f->errors);
	free(f);
	return 0;
}

/* Writes text to a fresh crashd.conf with mode and loads it into c. */
static int
load_mode(struct fixture *f, const char *text, mode_t mode, struct config *c)
{
	free(f->path);
	f->path =
	    tu_write_file(f->dir, "crashd.conf", text, strlen(text), mode);
	buf_reset(&f->errors);
	return config_load(f->path, c, &f->errors);
}

static int
load(struct fixture *f, const char *text, struct config *c)
{
	return load_mode(f, text, 0644, c);
}

static const char *
errors(const struct fixture *f)
{
	return f->errors.data ? f->errors.data : "";
}

/* Fails unless the errors hold the line "<file>:<line>: <rest>". */
static void
expect_error(const struct fixture *f, unsigned line, const char *rest)
{
	char want[1024];

	snprintf(want, sizeof(want), "%s:%u: %s\n", f->path, line, rest);
	if (strstr(errors(f), want) == NULL)
		fail_msg("missing error line\n  %s  in:\n%s", want, errors(f));
}

static size_t
count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Loads text expecting -EINVAL and exactly one error, "line: rest". */
static void
expect_only_error(
    struct fixture *f, const char *text, unsigned line, const char *rest)
{
	struct config c;

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(load(f, text, &c), -EINVAL);
	expect_error(f, line, rest);
	if (count_lines(errors(f)) != 1)
		fail_msg("want one error, got:\n%s", errors(f));
}

static void
check_defaults(const struct config *c)
{
	assert_string_equal(c->spool, CONFIG_DEFAULT_SPOOL);
	assert_int_equal(c->hook.core_mode, CORE_MODE_MINI);
	assert_int_equal(c->hook.core_max_size, 64ULL << 20);
	assert_int_equal(c->hook.core_level, 1);
	assert_false(c->hook.core_honour_rlimit);
	assert_non_null(c->hook.ignore);
	assert_null(c->hook.ignore[0]);
	assert_int_equal(c->hook.per_executable.count, 5);
	assert_int_equal(c->hook.per_executable.window, 600);
	assert_int_equal(c->hook.global.count, 100);
	assert_int_equal(c->hook.global.window, 600);
	assert_int_equal(c->hook.cores_per_executable.count, 2);
	assert_int_equal(c->hook.cores_per_executable.window, 3600);
	assert_int_equal(c->hook.cores_global.count, 20);
	assert_int_equal(c->hook.cores_global.window, 3600);
	assert_int_equal(c->hook.spool_max, 2ULL << 30);
	assert_int_equal(c->hook.keep_free, 1ULL << 30);
	assert_int_equal(c->hook.time_budget_ms, 10000);
	assert_true(c->hook.sync);
	assert_false(c->hook.core_gdb);
	assert_int_equal(c->hook.item_max_size, 1ULL << 20);
	assert_int_equal(c->hook.item_cmdline, 2ULL << 20);
	assert_int_equal(c->hook.item_environ, 2ULL << 20);
	assert_int_equal(c->hook.item_maps, 0);
	assert_int_equal(c->hook.item_ptree, 0);
	assert_int_equal(c->hook.item_open_fds, 0);
	assert_int_equal(c->daemon.dedupe_key,
	    1u << DEDUPE_EXECUTABLE | 1u << DEDUPE_SIGNAL);
	assert_int_equal(c->daemon.dedupe_window_ms, 86400 * 1000);
	assert_true(c->daemon.remove_duplicates);
	assert_true(c->daemon.remove_duplicate_cores);
	assert_int_equal(c->daemon.notify_every, 100);
	assert_int_equal(c->daemon.regression_after_ms, 7ULL * 86400 * 1000);
	assert_int_equal(c->daemon.notify_rate.count, 10);
	assert_int_equal(c->daemon.notify_rate.window, 3600);
	assert_int_equal(c->daemon.notify_global.count, 60);
	assert_int_equal(c->daemon.notify_global.window, 3600);
	assert_int_equal(c->daemon.digest_after_ms, 3600 * 1000);
	assert_int_equal(c->daemon.max_age_ms, 30ULL * 86400 * 1000);
	assert_int_equal(c->daemon.max_count, 5000);
	assert_int_equal(c->daemon.max_size, 4ULL << 30);
	assert_false(c->daemon.reclaim_core_pattern);
	assert_int_equal(c->daemon.delivery_attempts, 10);
	assert_int_equal(c->daemon.delivery_backoff_ms, 30 * 1000);
	assert_int_equal(c->daemon.delivery_max_backoff_ms, 3600 * 1000);
	assert_int_equal(c->daemon.delivery_parallel, 4);
	assert_null(c->daemon.debuginfod_urls);
	assert_string_equal(
	    c->daemon.debuginfod_cache, CONFIG_DEFAULT_DEBUGINFOD_CACHE);
	assert_string_equal(c->daemon.pid_file, "/run/crashd/crashd.pid");
	assert_true(c->daemon.kernel.enabled);
	assert_int_equal(c->daemon.kernel.kinds,
	    1u << DUMP_KIND_KERNEL | 1u << DUMP_KIND_OOM |
		1u << DUMP_KIND_PANIC);
	assert_int_equal(
	    c->daemon.kernel.markers, (1u << _KOOPS_MARKER_MAX) - 1);
	assert_string_equal(c->daemon.kernel.pstore[0], "/sys/fs/pstore");
	assert_string_equal(
	    c->daemon.kernel.pstore[1], "/var/lib/systemd/pstore");
	assert_null(c->daemon.kernel.pstore[2]);
	assert_false(c->daemon.kernel.clear_pstore);
	assert_false(c->daemon.kernel.accept_user_records);
}

static void
test_defaults(void **state)
{
	struct config c;

	(void)state;
	assert_int_equal(config_defaults(&c), 0);
	assert_null(c.path);
	check_defaults(&c);
	assert_int_equal(c.n_actions, 0);
	config_done(&c);
	assert_null(c.spool);
	config_done(&c);
	config_done(NULL);
}

static void
test_core_mode_names(void **state)
{
	(void)state;
	for (int m = 0; m < _CORE_MODE_MAX; m++)
		assert_int_equal(
		    core_mode_from_string(core_mode_to_string(m)), m);
	assert_string_equal(core_mode_to_string(CORE_MODE_NONE), "none");
	assert_string_equal(core_mode_to_string(CORE_MODE_FULL), "full");
	assert_null(core_mode_to_string(_CORE_MODE_MAX));
	assert_null(core_mode_to_string((enum core_mode) - 1));
	assert_int_equal(core_mode_from_string("fast"), -EINVAL);
	assert_int_equal(core_mode_from_string("FULL"), -EINVAL);
	assert_int_equal(core_mode_from_string(""), -EINVAL);
}

static void
test_empty_file_is_defaults(void **state)
{
	struct fixture *f = *state;
	struct config c;

	assert_int_equal(load(f, "", &c), 0);
	assert_string_equal(c.path, f->path);
	check_defaults(&c);
	assert_string_equal(errors(f), "");
	config_done(&c);
	assert_int_equal(load(f, "# only a comment\n\n", &c), 0);
	check_defaults(&c);
	config_done(&c);
}

static void
test_full_file_sets_every_key(void **state)
{
	struct fixture *f = *state;
	struct config c;
	const char *text =
	    "spool = \"/srv/crash spool\";\n"
	    "hook = {\n"
	    "  core = {\n"
	    "    mode = \"full\";\n"
	    "    max_size = \"1G\";\n"
	    "    level = 9;\n"
	    "    honour_rlimit = true;\n"
	    "  };\n"
	    "  ignore = [ \"*/php-fpm\", \"/usr/bin/test-*\" ];\n"
	    "  limits = {\n"
	    "    per_executable = \"3/1m\";\n"
	    "    global = \"50/1h\";\n"
	    "    cores_per_executable = \"1/1d\";\n"
	    "    cores_global = \"0/1h\";\n"
	    "    spool_max = \"10G\";\n"
	    "    keep_free = 536870912;\n"
	    "  };\n"
	    "  time_budget = \"2500ms\";\n"
	    "  sync = false;\n"
	    "};\n";

	assert_int_equal(load(f, text, &c), 0);
	assert_string_equal(errors(f), "");
	assert_string_equal(c.path, f->path);
	assert_string_equal(c.spool, "/srv/crash spool");
	assert_int_equal(c.hook.core_mode, CORE_MODE_FULL);
	assert_int_equal(c.hook.core_max_size, 1ULL << 30);
	assert_int_equal(c.hook.core_level, 9);
	assert_true(c.hook.core_honour_rlimit);
	assert_string_equal(c.hook.ignore[0], "*/php-fpm");
	assert_string_equal(c.hook.ignore[1], "/usr/bin/test-*");
	assert_null(c.hook.ignore[2]);
	assert_int_equal(c.hook.per_executable.count, 3);
	assert_int_equal(c.hook.per_executable.window, 60);
	assert_int_equal(c.hook.global.count, 50);
	assert_int_equal(c.hook.global.window, 3600);
	assert_int_equal(c.hook.cores_per_executable.count, 1);
	assert_int_equal(c.hook.cores_per_executable.window, 86400);
	assert_int_equal(c.hook.cores_global.count, 0);
	assert_int_equal(c.hook.cores_global.window, 3600);
	assert_int_equal(c.hook.spool_max, 10ULL << 30);
	assert_int_equal(c.hook.keep_free, 512ULL << 20);
	assert_int_equal(c.hook.time_budget_ms, 2500);
	assert_false(c.hook.sync);
	config_done(&c);
}

static void
test_integer_forms(void **state)
{
	struct fixture *f = *state;
	struct config c;

	/* Integers for sizes (also 64-bit ones) and seconds for durations. */
	assert_int_equal(load(f,
			     "hook = { core = { max_size = 8589934592L; "
			     "mode = \"none\"; };\n"
			     "  time_budget = 30; limits = { spool_max = 0; "
			     "}; };\n",
			     &c),
	    0);
	assert_int_equal(c.hook.core_max_size, 8ULL << 30);
	assert_int_equal(c.hook.core_mode, CORE_MODE_NONE);
	assert_int_equal(c.hook.time_budget_ms, 30000);
	assert_int_equal(c.hook.spool_max, 0);
	config_done(&c);
}

/* The shipped conf/crashd.conf says its values are the built-in ones. */
static void
test_shipped_config_is_defaults(void **state)
{
	struct fixture *f = *state;
	char path[4096];
	struct config c;
	size_t len;
	FILE *in;
	char *text;

	snprintf(
	    path, sizeof(path), "%s/../../conf/crashd.conf", CRASHD_FIXTURES);
	in = fopen(path, "r");
	assert_non_null(in);
	text = calloc(1, 1 << 16);
	assert_non_null(text);
	len = fread(text, 1, (1 << 16) - 1, in);
	fclose(in);
	assert_true(len > 0);
	if (load(f, text, &c) != 0)
		fail_msg("conf/crashd.conf: %s", errors(f));
	check_defaults(&c);
	/* It ships two actions: a log line and a journal entry per crash. */
	assert_int_equal(c.n_actions, 2);
	assert_string_equal(c.actions[0].name, "log");
	assert_int_equal(c.actions[0].type, ACTION_LOG);
	assert_string_equal(c.actions[1].name, "journal");
	assert_int_equal(c.actions[1].type, ACTION_JOURNAL);
	assert_false(c.actions[1].include_environ);
	config_done(&c);
	free(text);
}

/* hook.items: one cap per item, 32M at most, in the items section. */
static void
test_item_caps(void **state)
{
	struct fixture *f = *state;
	struct config c;

	assert_int_equal(load(f,
			     "hook = { items = { max_size = \"512K\"; "
			     "maps = \"4M\"; environ = 0; }; };\n",
			     &c),
	    0);
	assert_int_equal(c.hook.item_max_size, 512 << 10);
	assert_int_equal(c.hook.item_maps, 4 << 20);
	assert_int_equal(c.hook.item_environ, 0);
	assert_int_equal(c.hook.item_cmdline, 2 << 20);
	config_done(&c);
	expect_only_error(f, "hook = { items = { maps = \"1G\"; }; };\n", 1,
	    "hook.items.maps: at most 32M, got 1G");
	expect_only_error(f, "hook = { items = { core = \"1M\"; }; };\n", 1,
	    "hook.items.core: unknown key");
}

static void
test_daemon_keys(void **state)
{
	struct fixture *f = *state;
	struct config c;
	const char *text = "daemon = {\n"
			   "  dedupe = { key = [ \"executable\", \"uid\", "
			   "\"container\", \"hostname\" ];\n"
			   "    window = \"2h\"; remove_duplicates = false;\n"
			   "    remove_duplicate_cores = false; };\n"
			   "  notify = { every = 0; regression_after = 3600;\n"
			   "    rate = \"1/1m\"; global_rate = \"7/1d\";\n"
			   "    digest_after = \"5m\"; };\n"
			   "  retention = { max_age = 0; max_count = 7;\n"
			   "    max_size = \"100M\"; };\n"
			   "};\n";

	if (load(f, text, &c) != 0)
		fail_msg("%s", errors(f));
	assert_int_equal(c.daemon.dedupe_key,
	    1u << DEDUPE_EXECUTABLE | 1u << DEDUPE_UID |
		1u << DEDUPE_CONTAINER | 1u << DEDUPE_HOSTNAME);
	assert_int_equal(c.daemon.dedupe_window_ms, 2 * 3600 * 1000);
	assert_false(c.daemon.remove_duplicates);
	assert_false(c.daemon.remove_duplicate_cores);
	assert_int_equal(c.daemon.notify_every, 0);
	assert_int_equal(c.daemon.regression_after_ms, 3600 * 1000);
	assert_int_equal(c.daemon.notify_rate.count, 1);
	assert_int_equal(c.daemon.notify_rate.window, 60);
	assert_int_equal(c.daemon.notify_global.count, 7);
	assert_int_equal(c.daemon.notify_global.window, 86400);
	assert_int_equal(c.daemon.digest_after_ms, 5 * 60 * 1000);
	assert_int_equal(c.daemon.max_age_ms, 0);
	assert_int_equal(c.daemon.max_count, 7);
	assert_int_equal(c.daemon.max_size, 100ULL << 20);
	config_done(&c);
	assert_string_equal(
	    dedupe_field_to_string(DEDUPE_CONTAINER), "container");
	assert_null(dedupe_field_to_string(_DEDUPE_FIELD_MAX));
}

static void
test_daemon_errors(void **state)
{
	struct fixture *f = *state;

	expect_only_error(f,
	    "daemon = { dedupe = {\n key = [ \"executable\", \"color\" ]; }; "
	    "};\n",
	    2,
	    "daemon.dedupe.key: expected names from executable, signal, uid, "
	    "container, hostname, signature, got \"color\"");
	expect_only_error(f, "daemon = { dedupe = { key = [ ]; }; };\n", 1,
	    "daemon.dedupe.key: must name at least one field");
	expect_only_error(f, "daemon = { dedupe = { key = \"uid\"; }; };\n", 1,
	    "daemon.dedupe.key: expected a list, like [ \"executable\", "
	    "\"signal\" ]");
	expect_only_error(f, "daemon = { notify = { every = -1; }; };\n", 1,
	    "daemon.notify.every: -1 is out of range 0..1000000000");
	expect_only_error(f,
	    "daemon = { notify = { digest_after = \"500ms\"; }; };\n", 1,
	    "daemon.notify.digest_after: must be at least 1000ms");
	expect_only_error(f, "daemon = { notify = { rate = \"10\"; }; };\n", 1,
	    "daemon.notify.rate: expected COUNT/DURATION like \"5/10m\" "
	    "(window of at least 1s), got \"10\"");
	expect_only_error(f,
	    "daemon = { retention = { max_count = 1000000000; }; };\n", 1,
	    "daemon.retention.max_count: 1000000000 is out of range "
	    "0..100000000");
	expect_only_error(f, "daemon = { dedupe = { bogus = 1; }; };\n", 1,
	    "daemon.dedupe.bogus: unknown key");
	expect_only_error(f, "daemon = { mail = { }; };\n", 1,
	    "daemon.mail: unknown section");
}

static void
test_actions(void **state)
{
	struct fixture *f = *state;
	const struct action_config *a;
	struct config c;
	const char *text =
	    "actions = (\n"
	    "  { name = \"log\"; type = \"log\"; },\n"
	    "  { name = \"hook-1\"; type = \"exec\";\n"
	    "    command = [ \"/usr/local/bin/on-crash\", \"--now\" ];\n"
	    "    timeout = \"1m\";\n"
	    "    match = { signal = ( \"SEGV\", 6, \"SIGBUS\", \"RTMIN+2\" );\n"
	    "      executable = [ \"/usr/bin/*\" ]; uid = [ 0, 1000 ];\n"
	    "      hostname = [ \"web*\" ]; has_core = true; }; },\n"
	    "  { name = \"trim_cores\"; type = \"delete\"; what = \"core\"; "
	    "after = \"7d\"; }\n"
	    ");\n";

	if (load(f, text, &c) != 0)
		fail_msg("%s", errors(f));
	assert_int_equal(c.n_actions, 3);
	a = &c.actions[0];
	assert_string_equal(a->name, "log");
	assert_int_equal(a->type, ACTION_LOG);
	assert_int_equal(a->match.n_signals, 0);
	assert_int_equal(a->match.has_core, -1);
	a = &c.actions[1];
	assert_string_equal(a->name, "hook-1");
	assert_int_equal(a->type, ACTION_EXEC);
	assert_string_equal(a->command[0], "/usr/local/bin/on-crash");
	assert_string_equal(a->command[1], "--now");
	assert_null(a->command[2]);
	assert_int_equal(a->timeout_ms, 60 * 1000);
	assert_int_equal(a->match.n_signals, 4);
	assert_int_equal(a->match.signals[0], SIGSEGV);
	assert_int_equal(a->match.signals[1], SIGABRT);
	assert_int_equal(a->match.signals[2], SIGBUS);
	assert_int_equal(a->match.signals[3], SIGRTMIN + 2);
	assert_string_equal(a->match.executables[0], "/usr/bin/*");
	assert_null(a->match.executables[1]);
	assert_int_equal(a->match.n_uids, 2);
	assert_int_equal(a->match.uids[0], 0);
	assert_int_equal(a->match.uids[1], 1000);
	assert_string_equal(a->match.hostnames[0], "web*");
	assert_int_equal(a->match.has_core, 1);
	a = &c.actions[2];
	assert_string_equal(a->name, "trim_cores");
	assert_int_equal(a->type, ACTION_DELETE);
	assert_int_equal(a->what, DELETE_CORE);
	assert_int_equal(a->after_ms, 7ULL * 86400 * 1000);
	config_done(&c);
	assert_string_equal(action_type_to_string(ACTION_EXEC), "exec");
	assert_null(action_type_to_string(_ACTION_TYPE_MAX));
	assert_true(action_type_notifies(ACTION_EXEC));
	assert_false(action_type_notifies(ACTION_LOG));
	assert_false(action_type_notifies(ACTION_DELETE));
}

static void
test_debuginfod(void **state)
{
	struct fixture *f = *state;
	struct config c;

	assert_int_equal(load(f,
			     "daemon = { backtrace = {\n"
			     "  debuginfod_urls = \" http://127.0.0.1:8002 "
			     "https://debuginfod.example.org/ \";\n"
			     "  debuginfod_cache = \"/var/cache/x\"; }; };\n",
			     &c),
	    0);
	assert_string_equal(c.daemon.debuginfod_urls,
	    " http://127.0.0.1:8002 https://debuginfod.example.org/ ");
	assert_string_equal(c.daemon.debuginfod_cache, "/var/cache/x");
	config_done(&c);
	expect_only_error(f,
	    "daemon = {\n backtrace = { debuginfod_urls = "
	    "\"http://a ftp://b\"; }; };\n",
	    2,
	    "daemon.backtrace.debuginfod_urls: \"ftp://b\": expected "
	    "http://host... or https://host... (several separated by spaces)");
	expect_only_error(f,
	    "daemon = { backtrace = { debuginfod_urls = \"http://\"; }; };\n",
	    1,
	    "daemon.backtrace.debuginfod_urls: \"http://\": expected "
	    "http://host... or https://host... (several separated by spaces)");
	expect_only_error(f,
	    "daemon = { kernel = { kinds = [ \"kernel\", \"crash\" ]; }; };\n",
	    1,
	    "daemon.kernel.kinds: expected kernel, oom or panic (crashes and "
	    "snapshots are the hook's)");
	expect_only_error(f,
	    "daemon = { kernel = { markers = \"oopses\"; }; };\n", 1,
	    "daemon.kernel.markers: expected names from oops, bug, warning, "
	    "panic, "
	    "lockup, hung_task, mce, oom, got \"oopses\"");
	expect_only_error(f,
	    "daemon = { backtrace = { debuginfod_cache = \"cache\"; }; };\n", 1,
	    "daemon.backtrace.debuginfod_cache: expected an absolute path, "
	    "got \"cache\"");
}

static void
test_signature_keys(void **state)
{
	struct fixture *f = *state;
	struct config c;

	assert_int_equal(load(f, "", &c), 0);
	assert_non_null(c.daemon.signature_skip);
	assert_null(c.daemon.signature_skip[0]);
	assert_null(c.daemon.signature_prefix[0]);
	assert_int_equal(c.daemon.signature_frames, 3);
	config_done(&c);
	assert_int_equal(
	    load(f,
		"daemon = { signature = {\n"
		"  skip = [ \"my_fatal*\", \"libjunk.so*!*\" ];\n"
		"  prefix = [ \"my_strlen\" ]; frames = 5; }; };\n",
		&c),
	    0);
	assert_string_equal(c.daemon.signature_skip[0], "my_fatal*");
	assert_string_equal(c.daemon.signature_skip[1], "libjunk.so*!*");
	assert_null(c.daemon.signature_skip[2]);
	assert_string_equal(c.daemon.signature_prefix[0], "my_strlen");
	assert_int_equal(c.daemon.signature_frames, 5);
	config_done(&c);
	expect_only_error(f, "daemon = {\n signature = { frames = 0; }; };\n",
	    2, "daemon.signature.frames: 0 is out of range 1..16");
	expect_only_error(f,
	    "daemon = { signature = { skip = [ \"\" ]; }; };\n", 1,
	    "daemon.signature.skip: empty pattern");
	expect_only_error(f,
	    "daemon = { signature = { skip = \"raise\"; }; };\n", 1,
	    "daemon.signature.skip: expected a list, like [ \"*/php-fpm\" ]");
	expect_only_error(f, "daemon = { signature = { depth = 3; }; };\n", 1,
	    "daemon.signature.depth: unknown key");
}

static void
test_pid_file(void **state)
{
	struct fixture *f = *state;
	struct config c;

	assert_int_equal(
	    load(f, "daemon = { pid_file = \"/run/x/x.pid\"; };\n", &c), 0);
	assert_string_equal(c.daemon.pid_file, "/run/x/x.pid");
	config_done(&c);
	expect_only_error(f, "daemon = {\n pid_file = \"crashd.pid\"; };\n", 2,
	    "daemon.pid_file: expected an absolute path, got \"crashd.pid\"");
	expect_only_error(f, "daemon = { pid_file = 1; };\n", 1,
	    "daemon.pid_file: expected a string");
}

static void
test_mail_webhook(void **state)
{
	struct fixture *f = *state;
	struct config c;

	assert_int_equal(
	    load(f,
		"daemon = { delivery = { attempts = 3; backoff = \"2s\";\n"
		"  max_backoff = \"1m\"; parallel = 2; }; };\n"
		"actions = ( { name = \"page\"; type = \"mail\";\n"
		"  to = [ \"root@localhost\", \"ops@example.org\" ];\n"
		"  from = \"crashd@example.org\"; smtp = "
		"\"smtp://127.0.0.1:25\";\n"
		"  starttls = \"required\"; auth_file = \"/etc/crashd/auth\";\n"
		"  subject = \"{reason} on {hostname}\"; environ = true;\n"
		"  redact = [ \"*PW*\" ]; attach_core = true; attach_max = "
		"\"1M\";\n"
		"  timeout = \"20s\"; connect_timeout = \"3s\"; tls_verify = "
		"false;\n"
		"  ca_file = \"/etc/ssl/ca.pem\"; },\n"
		"  { name = \"chat\"; type = \"webhook\";\n"
		"  url = \"https://127.0.0.1/x\"; format = \"alertmanager\";\n"
		"  headers = [ \"X-Team: core\" ]; token_file = \"/etc/t\";\n"
		"  attempts = 3; backoff = \"5s\"; max_backoff = \"10m\"; } "
		");\n",
		&c),
	    0);
	assert_int_equal(c.daemon.delivery_attempts, 3);
	assert_int_equal(c.daemon.delivery_backoff_ms, 2000);
	assert_int_equal(c.daemon.delivery_max_backoff_ms, 60000);
	assert_int_equal(c.daemon.delivery_parallel, 2);
	assert_int_equal(c.n_actions, 2);
	/* daemon.delivery's unless the action says. */
	assert_int_equal(c.actions[0].attempts, 0);
	assert_int_equal(c.actions[1].attempts, 3);
	assert_int_equal(c.actions[1].backoff_ms, 5000);
	assert_int_equal(c.actions[1].max_backoff_ms, 600000);
	assert_int_equal(c.actions[0].type, ACTION_MAIL);
	assert_string_equal(c.actions[0].to[1], "ops@example.org");
	assert_null(c.actions[0].to[2]);
	assert_string_equal(c.actions[0].from, "crashd@example.org");
	assert_string_equal(c.actions[0].smtp, "smtp://127.0.0.1:25");
	assert_int_equal(c.actions[0].starttls, STARTTLS_REQUIRED);
	assert_string_equal(c.actions[0].auth_file, "/etc/crashd/auth");
	assert_true(c.actions[0].include_environ);
	assert_string_equal(c.actions[0].redact[0], "*PW*");
	assert_true(c.actions[0].attach_core);
	assert_int_equal(c.actions[0].attach_max, 1 << 20);
	assert_int_equal(c.actions[0].timeout_ms, 20000);
	assert_int_equal(c.actions[0].connect_timeout_ms, 3000);
	assert_false(c.actions[0].tls_verify);
	assert_int_equal(c.actions[1].type, ACTION_WEBHOOK);
	assert_int_equal(c.actions[1].format, WEBHOOK_ALERTMANAGER);
	assert_string_equal(c.actions[1].headers[0], "X-Team: core");
	assert_string_equal(c.actions[1].token_file, "/etc/t");
	assert_true(c.actions[1].tls_verify);
	assert_int_equal(c.actions[1].connect_timeout_ms, 10000);
	assert_string_equal(webhook_format_to_string(WEBHOOK_SLACK), "slack");
	config_done(&c);

	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"mail\";\n"
	    "  to = [ \"root@localhost\" ]; } );\n",
	    1,
	    "actions.smtp: a mail action needs one of smtp = "
	    "\"smtp://host:port\" or sendmail = \"/usr/sbin/sendmail\"");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"mail\";\n"
	    "  to = [ \"root@localhost\\r\\nBcc: x@y\" ];\n"
	    "  smtp = \"smtp://127.0.0.1\"; } );\n",
	    2,
	    "actions.to: \"root@localhost\\r\\nBcc: x@y\" is not a plain "
	    "address (user@domain)");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"mail\";\n"
	    "  to = [ \"a@b\" ]; smtp = \"http://127.0.0.1\"; } );\n",
	    2,
	    "actions.smtp: \"http://127.0.0.1\": expected smtp://host[:port] "
	    "or smtps://host[:port]");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"mail\"; to = [ \"a@b\" ];\n"
	    "  smtp = \"smtp://127.0.0.1\";\n"
	    "  auth_file = \"/etc/crashd/auth\"; } );\n",
	    3,
	    "actions.auth_file: credentials over smtp:// need starttls = "
	    "\"required\" (or use smtps://)");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"mail\"; to = [ \"a@b\" ];\n"
	    "  sendmail = \"/usr/sbin/sendmail\";\n"
	    "  starttls = \"off\"; } );\n",
	    3,
	    "actions.sendmail: starttls applies to smtp only, not to sendmail");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"mail\"; to = [ \"a@b\" ];\n"
	    "  smtp = \"smtp://127.0.0.1\"; subject = \"{nope}\"; } );\n",
	    2,
	    "actions.subject: unknown field {nope}: use {reason}, {hostname}, "
	    "{executable}, {comm}, {signal}, {signal_name}, {pid}, {uid}, "
	    "{count}, {event} or {id}");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"webhook\"; } );\n", 1,
	    "actions.url: a webhook action needs url = \"https://...\"");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"webhook\";\n"
	    "  url = \"https://x\"; headers = [ \"Bad Header\" ]; } );\n",
	    2,
	    "actions.headers: \"Bad Header\": expected \"Name: value\" on one "
	    "line (not Host or Content-Length)");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"webhook\";\n"
	    "  url = \"https://x\"; format = \"teams\"; } );\n",
	    2,
	    "actions.format: expected one of json, slack, alertmanager, got "
	    "\"teams\"");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"webhook\";\n"
	    "  url = \"https://x\"; to = [ \"a@b\" ]; } );\n",
	    2, "actions.to: does not apply to an action of type \"webhook\"");
	/* An HA pair: url lists both; each one checked; not empty. */
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"webhook\";\n"
	    "  url = [ \"https://am1/x\", \"ftp://am2/x\" ]; } );\n",
	    2,
	    "actions.url: \"ftp://am2/x\": expected http://... or https://...");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"webhook\";\n"
	    "  url = [ ]; } );\n",
	    2, "actions.url: must not be empty");
	{
		struct config pair;

		assert_int_equal(load(f,
				     "actions = ( { name = \"a\"; type = "
				     "\"webhook\"; format = \"alertmanager\";\n"
				     "  url = [ \"http://am1/api/v2/alerts\", "
				     "\"http://am2/api/v2/alerts\" ]; } );\n",
				     &pair),
		    0);
		assert_string_equal(
		    pair.actions[0].url, "http://am1/api/v2/alerts");
		assert_string_equal(
		    pair.actions[0].urls[1], "http://am2/api/v2/alerts");
		assert_null(pair.actions[0].urls[2]);
		config_done(&pair);
	}
}

static void
test_action_errors(void **state)
{
	struct fixture *f = *state;
	struct config c;

	expect_only_error(f, "actions = 5;\n", 1,
	    "actions: expected a list of actions: ( { ... }, { ... } )");
	expect_only_error(f, "\nactions = ( 5 );\n", 2,
	    "actions: expected { name = ...; type = ...; }");
	expect_only_error(f, "actions = ( { name = \"a\"; } );\n", 1,
	    "actions.type: missing: one of log, exec, delete, mail, webhook, "
	    "metrics");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"page\"; } );\n", 1,
	    "actions.type: expected one of log, exec, delete, mail, webhook, "
	    "metrics, journal, got \"page\"");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"mail\";\n"
	    "  smtp = \"smtp://127.0.0.1\"; } );\n",
	    1, "actions.to: a mail action needs to = [ \"root@localhost\" ]");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"mail\";\n"
	    "  to = [ \"a@b\" ]; sendmail = \"/usr/sbin/sendmail\";\n"
	    "  attach_max = \"1G\"; } );\n",
	    3, "actions.attach_max: at most 64M, got 1G");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"exec\";\n"
	    "  command = [ \"/bin/true\" ]; attempts = 2; } );\n",
	    2,
	    "actions.attempts: does not apply to an action of type \"exec\"");
	expect_only_error(f,
	    "actions = ( { name = \"m\"; type = \"metrics\"; } );\n", 1,
	    "actions.path: a metrics action needs path = "
	    "\"/var/lib/prometheus/node-exporter/crashd.prom\"");
	expect_only_error(f,
	    "actions = ( { name = \"m\"; type = \"metrics\";\n"
	    "  path = \"/var/lib/crashd.txt\"; } );\n",
	    2,
	    "actions.path: \"/var/lib/crashd.txt\": expected a file name "
	    "ending "
	    "in .prom (what node_exporter's textfile collector reads)");
	expect_only_error(f,
	    "actions = ( { name = \"m\"; type = \"metrics\";\n"
	    "  path = \"crashd.prom\"; } );\n",
	    2, "actions.path: expected an absolute path, got \"crashd.prom\"");
	expect_only_error(f,
	    "actions = ( { name = \"m\"; type = \"metrics\";\n"
	    "  path = \"/x/c.prom\"; max_series = 0; } );\n",
	    2, "actions.max_series: 0 is out of range 1..100000");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"delete\";\n timeout = "
	    "\"1s\"; } );\n",
	    2,
	    "actions.timeout: does not apply to an action of type \"delete\"");
	expect_only_error(f, "actions = ( { type = \"log\"; } );\n", 1,
	    "actions.name: each action needs a name of letters, digits, '-' "
	    "and '_'");
	expect_only_error(f,
	    "actions = ( { name = \"my action\"; type = \"log\"; } );\n", 1,
	    "actions.name: each action needs a name of letters, digits, '-' "
	    "and '_'");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"log\"; },\n"
	    "  { name = \"a\"; type = \"log\"; } );\n",
	    2, "actions.name: \"a\" is used twice");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"exec\"; } );\n", 1,
	    "actions.command: an exec action needs command = [ "
	    "\"/path/to/program\", ... ]");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"exec\";\n"
	    "  command = [ \"on-crash\" ]; } );\n",
	    2,
	    "actions.command: the command must be an absolute path, got "
	    "\"on-crash\"");
	/* An empty command is also no command. */
	assert_int_equal(load(f,
			     "actions = ( { name = \"a\"; type = \"exec\";\n"
			     "  command = [ ]; } );\n",
			     &c),
	    -EINVAL);
	expect_error(f, 2, "actions.command: must not be empty");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"log\";\n"
	    "  match = { signal = [ \"SEGV\", \"SIGFOO\" ]; }; } );\n",
	    2,
	    "actions.match.signal: expected signal names or numbers like "
	    "\"SEGV\" or 11");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"log\";\n"
	    "  match = { signal = [ 0 ]; }; } );\n",
	    2,
	    "actions.match.signal: expected signal names or numbers like "
	    "\"SEGV\" or 11");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"log\";\n"
	    "  match = { uid = [ -1 ]; }; } );\n",
	    2, "actions.match.uid: expected numeric uids");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"log\";\n"
	    "  match = { has_core = 1; }; } );\n",
	    2, "actions.match.has_core: expected true or false");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"log\";\n"
	    "  match = { bogus = 1; }; } );\n",
	    2, "actions.match.bogus: unknown key");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"log\";\n color = 1; } );\n",
	    2, "actions.color: unknown key");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"delete\";\n what = \"all\"; "
	    "} );\n",
	    2, "actions.what: expected one of dump, core, got \"all\"");
}

static void
test_unknown_key(void **state)
{
	struct fixture *f = *state;

	expect_only_error(
	    f, "hook = {\n  bogus = 1;\n};\n", 2, "hook.bogus: unknown key");
	expect_only_error(
	    f, "\n\nspoool = \"/x\";\n", 3, "spoool: unknown key");
	expect_only_error(f,
	    "hook = { core = { mode = \"full\"; maxsize = "
	    "\"1M\"; }; };\n",
	    1, "hook.core.maxsize: unknown key");
}

static void
test_unknown_section(void **state)
{
	struct fixture *f = *state;

	expect_only_error(f, "spool = \"/x\";\nfrobnicate = {\n  a = 1;\n};\n",
	    2, "frobnicate: unknown section");
	expect_only_error(f, "hook = {\n  cores = { mode = \"full\"; };\n};\n",
	    2, "hook.cores: unknown section");
	/* A section's name used as a key. */
	expect_only_error(
	    f, "hook = 5;\n", 1, "hook: expected a section { ... }");
	expect_only_error(f, "hook = { limits = \"5/10m\"; };\n", 1,
	    "hook.limits: expected a section { ... }");
}

static void
test_wrong_type(void **state)
{
	struct fixture *f = *state;

	expect_only_error(f, "hook = { core = {\n level = \"9\";\n}; };\n", 2,
	    "hook.core.level: expected an integer from 0 to 9");
	expect_only_error(f, "hook = { core = { level = 1.5; }; };\n", 1,
	    "hook.core.level: expected an integer from 0 to 9");
	expect_only_error(f, "hook = { core = { mode = 3; }; };\n", 1,
	    "hook.core.mode: expected a string");
	expect_only_error(f, "spool = 1;\n", 1, "spool: expected a string");
	expect_only_error(f, "hook = { sync = \"yes\"; };\n", 1,
	    "hook.sync: expected true or false");
	expect_only_error(f, "hook = { limits = { global = 5; }; };\n", 1,
	    "hook.limits.global: expected a rate like \"5/10m\"");
	expect_only_error(f, "hook = { ignore = \"*/php-fpm\"; };\n", 1,
	    "hook.ignore: expected a list, like [ \"*/php-fpm\" ]");
	expect_only_error(f, "hook = { ignore = ( \"a\", 5 ); };\n", 1,
	    "hook.ignore: expected a list of strings");
	expect_only_error(f, "hook = { core = { max_size = true; }; };\n", 1,
	    "hook.core.max_size: expected a size like \"64M\"");
	expect_only_error(f, "hook = { time_budget = [ 1 ]; };\n", 1,
	    "hook.time_budget: expected a duration like \"10s\"");
}

static void
test_bad_values(void **state)
{
	struct fixture *f = *state;

	expect_only_error(f, "hook = { core = { mode = \"fast\"; }; };\n", 1,
	    "hook.core.mode: expected one of none, mini, truncate, full, got "
	    "\"fast\"");
	expect_only_error(f, "hook = { core = { level = 10; }; };\n", 1,
	    "hook.core.level: 10 is out of range 0..9");
	expect_only_error(f, "hook = { core = { level = -1; }; };\n", 1,
	    "hook.core.level: -1 is out of range 0..9");
	expect_only_error(f, "hook = { core = { max_size = \"12X\"; }; };\n", 1,
	    "hook.core.max_size: expected a size like \"512K\", \"64M\" or "
	    "\"2G\", got \"12X\"");
	expect_only_error(f, "hook = { limits = { keep_free = -5; }; };\n", 1,
	    "hook.limits.keep_free: a size cannot be negative");
	expect_only_error(f, "hook = { limits = { global = \"abc\"; }; };\n", 1,
	    "hook.limits.global: expected COUNT/DURATION like \"5/10m\" "
	    "(window of at least 1s), got \"abc\"");
	expect_only_error(f,
	    "hook = { limits = { per_executable = \"5/0s\"; }; };\n", 1,
	    "hook.limits.per_executable: expected COUNT/DURATION like "
	    "\"5/10m\" (window of at least 1s), got \"5/0s\"");
	expect_only_error(f, "hook = { time_budget = \"soon\"; };\n", 1,
	    "hook.time_budget: expected a duration like \"500ms\", \"30s\", "
	    "\"10m\", \"1h\" or \"7d\", got \"soon\"");
	expect_only_error(f, "hook = { time_budget = \"50ms\"; };\n", 1,
	    "hook.time_budget: must be between 100ms and 3600s");
	expect_only_error(f, "hook = { time_budget = \"2h\"; };\n", 1,
	    "hook.time_budget: must be between 100ms and 3600s");
	expect_only_error(f, "hook = { time_budget = -1; };\n", 1,
	    "hook.time_budget: -1 is not a valid number of seconds");
	expect_only_error(f, "hook = { ignore = [ \"\" ]; };\n", 1,
	    "hook.ignore: empty pattern");
}

/*
 * What libconfig would misread silently is refused, as written: an integer
 * it would truncate, a NUL (escaped or raw), a count of 0 in a rate.
 */
static void
test_misread_values(void **state)
{
	static const char nul[] = "spool = \"/var/spool/cr\0ashd\";\n";
	struct fixture *f = *state;
	struct config c;

	expect_only_error(f,
	    "daemon = { retention = { max_count = 99999999999999999999; }; "
	    "};\n",
	    1,
	    "daemon.retention.max_count: 99999999999999999999 is out of range "
	    "(at most 2147483647; write a size as \"64M\", a duration as "
	    "\"10m\")");
	expect_only_error(f,
	    "daemon = {\n retention = { max_count = 9999999999; };\n};\n", 2,
	    "daemon.retention.max_count: 9999999999 is out of range (at most "
	    "2147483647; write a size as \"64M\", a duration as \"10m\")");
	expect_only_error(f,
	    "actions = ( { name = \"a\"; type = \"log\";\n"
	    "  match = { uid = [ 0, 0x100000000 ]; }; } );\n",
	    2,
	    "actions.match.uid: 0x100000000 is out of range (at most "
	    "2147483647; write a size as \"64M\", a duration as \"10m\")");
	expect_only_error(f,
	    "hook = { core = { max_size = 99999999999999999999L; }; };\n", 1,
	    "hook.core.max_size: 99999999999999999999L is out of range (an "
	    "integer is at most 9223372036854775807)");
	memset(&c, 0, sizeof(c));
	assert_int_equal(load(f,
			     "hook = { core = { max_size = 4294967296L; level "
			     "= -0; }; };\n",
			     &c),
	    0);
	assert_int_equal(c.hook.core_max_size, 4294967296ULL);
	config_done(&c);
	expect_only_error(f, "spool = \"/var/spool/cr\\x00ashd\";\n", 1,
	    "spool: a string cannot hold a NUL byte (an x00 escape)");
	free(f->path);
	f->path =
	    tu_write_file(f->dir, "crashd.conf", nul, sizeof(nul) - 1, 0644);
	buf_reset(&f->errors);
	assert_int_equal(config_load(f->path, &c, &f->errors), -EINVAL);
	expect_error(f, 1,
	    "a NUL byte: a config is text (libconfig would stop reading "
	    "there)");
	expect_only_error(f, "hook = { limits = { global = \"0/10m\"; }; };\n",
	    1,
	    "hook.limits.global: \"0/10m\": a count of 0 would let nothing "
	    "through; expected COUNT/DURATION like \"5/10m\" with COUNT at "
	    "least 1");
}

/* Too big, too many settings, a FIFO: refused at once, before parsing. */
static void
test_costly_files_refused(void **state)
{
	struct fixture *f = *state;
	struct config c;
	struct buf text;
	char *fifo;

	buf_init(&text, 0);
	for (int i = 0; i < CONFIG_RAW_MAX_SETTINGS + 1; i++)
		buf_printf(&text, "k%d = %d;\n", i, i);
	expect_only_error(f, text.data, CONFIG_RAW_MAX_SETTINGS + 1,
	    "more than 1000 settings in one section (libconfig takes seconds "
	    "on each thousand more)");
	buf_done(&text);
	buf_init(&text, 2 * CONFIG_MAX_SIZE);
	while (text.len <= CONFIG_MAX_SIZE)
		buf_puts(&text, "# a comment line, over and over\n");
	assert_int_equal(load(f, text.data, &c), -EINVAL);
	assert_non_null(strstr(errors(f), "a config is at most 1048576"));
	buf_done(&text);

	assert_int_equal(asprintf(&fifo, "%s/fifo.conf", f->dir) > 0, 1);
	assert_int_equal(mkfifo(fifo, 0644), 0);
	buf_reset(&f->errors);
	assert_int_equal(config_load(fifo, &c, &f->errors), -EINVAL);
	assert_non_null(strstr(errors(f), "not a regular file (a FIFO)"));
	free(fifo);
}

/* A value quoted in an error is escaped: one problem, one line. */
static void
test_error_values_escaped(void **state)
{
	struct fixture *f = *state;

	expect_only_error(f,
	    "hook = { core = { mode = \"fast\\nspool: evil\"; }; };\n", 1,
	    "hook.core.mode: expected one of none, mini, truncate, full, got "
	    "\"fast\\nspool: evil\"");
	expect_only_error(f, "spool = \"\\x1b[2Jrel\";\n", 1,
	    "spool: expected an absolute path, got \"\\x1b[2Jrel\"");
	/* A string may also span lines in the file. */
	expect_only_error(f,
	    "hook = { limits = { global = \"5/\"\n\"x\"; }; };\n", 1,
	    "hook.limits.global: expected COUNT/DURATION like \"5/10m\" "
	    "(window of at least 1s), got \"5/x\"");
}

static void
test_relative_spool(void **state)
{
	struct fixture *f = *state;

	expect_only_error(f, "spool = \"var/spool/crashd\";\n", 1,
	    "spool: expected an absolute path, got \"var/spool/crashd\"");
	expect_only_error(f, "spool = \"\";\n", 1,
	    "spool: expected an absolute path, got \"\"");
}

static void
test_syntax_error(void **state)
{
	struct fixture *f = *state;
	struct config c;
	char want[1024];

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(load(f,
			     "spool = \"/x\";\nhook = {\n  core = { mode = = "
			     "\"full\"; };\n};\n",
			     &c),
	    -EINVAL);
	snprintf(want, sizeof(want), "%s:3: syntax error", f->path);
	if (strncmp(errors(f), want, strlen(want)) != 0)
		fail_msg("want \"%s...\", got \"%s\"", want, errors(f));
	assert_int_equal(count_lines(errors(f)), 1);

	/* A duplicate key is a libconfig error too. */
	assert_int_equal(
	    load(f, "spool = \"/a\";\n\nspool = \"/b\";\n", &c), -EINVAL);
	snprintf(want, sizeof(want), "%s:3: ", f->path);
	if (strncmp(errors(f), want, strlen(want)) != 0)
		fail_msg("want \"%s...\", got \"%s\"", want, errors(f));
}

static void
test_several_errors(void **state)
{
	struct fixture *f = *state;
	struct config c;
	const char *text = "spool = \"relative\";\n" /* 1 */
			   "hook = {\n" /* 2 */
			   "  core = { mode = \"fast\";\n" /* 3 */
			   "    level = 10; };\n" /* 4 */
			   "  limits = { global = \"abc\"; };\n" /* 5 */
			   "  bogus = true;\n" /* 6 */
			   "  sync = true;\n" /* 7 */
			   "};\n" /* 8 */
			   "daemonx = { };\n"; /* 9 */

	assert_int_equal(load(f, text, &c), -EINVAL);
	expect_error(
	    f, 1, "spool: expected an absolute path, got \"relative\"");
	expect_error(f, 3,
	    "hook.core.mode: expected one of none, mini, truncate, full, got "
	    "\"fast\"");
	expect_error(f, 4, "hook.core.level: 10 is out of range 0..9");
	expect_error(f, 5,
	    "hook.limits.global: expected COUNT/DURATION like \"5/10m\" "
	    "(window of at least 1s), got \"abc\"");
	expect_error(f, 6, "hook.bogus: unknown key");
	expect_error(f, 9, "daemonx: unknown section");
	assert_int_equal(count_lines(errors(f)), 6);
}

/*
 * An @include would read settings from a file nobody checked: one anyone
 * may write, while the hook runs as root.  Refused.
 */
static void
test_include_refused(void **state)
{
	struct fixture *f = *state;
	struct config c;
	char text[4096];

	free(tu_write_file(
	    f->dir, "evil.conf", "spool = \"/tmp/evil\";\n", 21, 0666));
	snprintf(text, sizeof(text),
	    "hook = { sync = false; };\n@include \"%s/evil.conf\"\n", f->dir);
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(load(f, text, &c), -EINVAL);
	if (strstr(errors(f), ": spool: set in @include \"") == NULL)
		fail_msg("%s", errors(f));
	assert_int_equal(count_lines(errors(f)), 1);
}

static void
test_unsafe_file_refused(void **state)
{
	struct fixture *f = *state;
	struct config c;

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(load_mode(f, "spool = \"/x\";\n", 0664, &c), -EPERM);
	assert_non_null(strstr(errors(f), "group or world writable"));
	assert_non_null(strstr(errors(f), f->path));
	assert_int_equal(load_mode(f, "spool = \"/x\";\n", 0646, &c), -EPERM);
	assert_int_equal(load_mode(f, "spool = \"/x\";\n", 0666, &c), -EPERM);
	/* Readable by others is fine: only writers matter. */
	assert_int_equal(load_mode(f, "spool = \"/x\";\n", 0444, &c), 0);
	config_done(&c);
}

static void
test_missing_file(void **state)
{
	struct fixture *f = *state;
	struct config c;
	char path[4096];

	snprintf(path, sizeof(path), "%s/does-not-exist.conf", f->dir);
	memset(&c, 0x5a, sizeof(c));
	buf_reset(&f->errors);
	assert_int_equal(config_load(path, &c, &f->errors), -ENOENT);
	assert_non_null(strstr(errors(f), path));
}

static void
test_directory_refused(void **state)
{
	struct fixture *f = *state;
	struct config c;

	buf_reset(&f->errors);
	assert_true(config_load(f->dir, &c, &f->errors) < 0);
	assert_non_null(strstr(errors(f), f->dir));
}

/* On any failure the caller's struct is left exactly as it was. */
static void
test_failure_leaves_output_untouched(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {
		"hook = { core = { mode = \"fast\"; }; };\n",
		"hook = { ignore = [ \"a\", \"b\", 3 ]; };\n",
		"spool = \"/ok\";\nhook = { bogus = 1; };\n",
		"hook = {\n",
	};
	struct config c, before;
	char path[4096];

	memset(&c, 0x5a, sizeof(c));
	before = c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(f, bad[i], &c), -EINVAL);
		assert_memory_equal(&c, &before, sizeof(c));
	}
	assert_int_equal(load_mode(f, "", 0666, &c), -EPERM);
	assert_memory_equal(&c, &before, sizeof(c));
	snprintf(path, sizeof(path), "%s/nope", f->dir);
	assert_int_equal(config_load(path, &c, &f->errors), -ENOENT);
	assert_memory_equal(&c, &before, sizeof(c));
}

/* What an action holds when its file sets only its name and type. */
static void
test_action_defaults(void **state)
{
	struct fixture *f = *state;
	const struct action_config *a;
	struct config c;

	if (load(f, "actions = ( { name = \"l\"; type = \"log\"; } );\n", &c) !=
	    0)
		fail_msg("%s", errors(f));
	a = &c.actions[0];
	assert_null(a->match.signals);
	assert_null(a->match.executables);
	assert_null(a->match.uids);
	assert_null(a->match.hostnames);
	assert_int_equal(a->match.has_core, -1);
	assert_int_equal(a->match.kinds, 0);
	assert_null(a->command);
	assert_int_equal(a->timeout_ms, 30 * 1000);
	assert_int_equal(a->what, DELETE_DUMP);
	assert_int_equal(a->after_ms, 0);
	assert_null(a->to);
	assert_null(a->from);
	assert_null(a->smtp);
	assert_null(a->sendmail);
	assert_int_equal(a->starttls, STARTTLS_TRY);
	assert_null(a->auth_file);
	assert_null(a->subject);
	assert_false(a->include_environ);
	assert_null(a->redact);
	assert_false(a->attach_core);
	assert_int_equal(a->attach_max, 10 << 20);
	assert_null(a->url);
	assert_int_equal(a->format, WEBHOOK_JSON);
	assert_null(a->headers);
	assert_null(a->token_file);
	assert_null(a->path);
	assert_int_equal(a->max_series, 1000);
	assert_int_equal(a->attempts, 0);
	assert_int_equal(a->backoff_ms, 0);
	assert_int_equal(a->max_backoff_ms, 0);
	assert_true(a->tls_verify);
	assert_null(a->ca_file);
	assert_int_equal(a->connect_timeout_ms, 10 * 1000);
	config_done(&c);
}

/* The section a key's path is in: "hook.core" for "hook.core.mode". */
static void
check_row_section(const char *path)
{
	const char *dot = strrchr(path, '.');
	char section[64];

	if (dot == NULL)
		return; /* top level */
	assert_true((size_t)(dot - path) < sizeof(section));
	memcpy(section, path, (size_t)(dot - path));
	section[dot - path] = '\0';
	if (strcmp(section, "actions") != 0 && !config_section_known(section))
		fail_msg("%s: section %s is not in config_sections[]", path,
		    section);
}

/*
 * What a new row must get right: a unique path in a known section, names
 * without holes and a default among them, a path default that is
 * absolute, a count field for a list of numbers, and action types only
 * on action keys.
 */
static void
check_rows(const struct config_key *keys, size_t n, bool action)
{
	for (size_t i = 0; i < n; i++) {
		const struct config_key *k = &keys[i];

		check_row_section(k->path);
		for (size_t j = 0; j < i; j++)
			if (strcmp(keys[j].path, k->path) == 0)
				fail_msg("%s: two rows", k->path);
		if (action)
			assert_true(strncmp(k->path, "actions.", 8) == 0 &&
			    k->types != 0);
		else
			assert_int_equal(k->types, 0);
		if (k->type == KEY_ENUM || k->type == KEY_ENUM_SET) {
			assert_true(k->n_names > 0);
			for (int j = 0; j < k->n_names; j++)
				if (k->names[j] == NULL)
					fail_msg(
					    "%s: name %d missing", k->path, j);
		}
		/* actions.type has no default: it is required. */
		if (k->type == KEY_ENUM && strcmp(k->path, "actions.type") != 0)
			assert_true(k->def.i >= 0 && k->def.i < k->n_names);
		if (k->type == KEY_ENUM_SET)
			assert_true(
			    k->def.i >= 0 && k->def.i < (1LL << k->n_names));
		if (k->type == KEY_STRING && k->absolute && k->def.s)
			assert_int_equal(k->def.s[0], '/');
		if (k->type == KEY_SIGNALS || k->type == KEY_UIDS)
			assert_true(k->count_offset != 0);
	}
}

static void
test_table_rows(void **state)
{
	(void)state;
	check_rows(config_keys, config_n_keys, false);
	check_rows(config_action_keys, config_n_action_keys, true);
	assert_non_null(config_key_lookup(
	    config_action_keys, config_n_action_keys, "actions.type"));
	assert_null(config_key_lookup(config_keys, config_n_keys, "hook"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_core_mode_names),
		cmocka_unit_test(test_empty_file_is_defaults),
		cmocka_unit_test(test_full_file_sets_every_key),
		cmocka_unit_test(test_integer_forms),
		cmocka_unit_test(test_shipped_config_is_defaults),
		cmocka_unit_test(test_item_caps),
		cmocka_unit_test(test_daemon_keys),
		cmocka_unit_test(test_daemon_errors),
		cmocka_unit_test(test_actions),
		cmocka_unit_test(test_action_defaults),
		cmocka_unit_test(test_table_rows),
		cmocka_unit_test(test_action_errors),
		cmocka_unit_test(test_mail_webhook),
		cmocka_unit_test(test_debuginfod),
		cmocka_unit_test(test_signature_keys),
		cmocka_unit_test(test_pid_file),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_section),
		cmocka_unit_test(test_wrong_type),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_relative_spool),
		cmocka_unit_test(test_misread_values),
		cmocka_unit_test(test_costly_files_refused),
		cmocka_unit_test(test_error_values_escaped),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_several_errors),
		cmocka_unit_test(test_unsafe_file_refused),
		cmocka_unit_test(test_include_refused),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_directory_refused),
		cmocka_unit_test(test_failure_leaves_output_untouched),
	};

	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
