/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The webhook action's bodies and its sending, without a network: a fake
 * dump in a temp spool is rendered in each format and parsed back with
 * jansson; hostile bytes give valid JSON that reads back to them; the
 * token file's rules; the classification of HTTP outcomes; an attempt at
 * a closed port.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "dump.h"
#include "json_text.h"
#include "testutil.h"
#include "webhook_json.h"
#include "webhook_send.h"

#define NAME "20240501T120000.000000Z-1234-victim"

struct item {
	const char *name;
	const char *data;
	size_t len; /* 0: strlen(data) */
};

/* The items of a dump like the hook and the daemon write them. */
static const struct item good_items[] = {
	{ "version", "1\n", 0 },
	{ "time", "1714564800\n", 0 },
	{ "pid", "1234\n", 0 },
	{ "ns_pid", "7\n", 0 },
	{ "tid", "1235\n", 0 },
	{ "signal", "11\n", 0 },
	{ "signal_name", "SIGSEGV\n", 0 },
	{ "uid", "1000\n", 0 },
	{ "gid", "100\n", 0 },
	{ "username", "alice\n", 0 },
	{ "hostname", "web1\n", 0 },
	{ "kernel", "6.1.0-18-amd64\n", 0 },
	{ "executable", "/usr/bin/victim\n", 0 },
	{ "comm", "victim\n", 0 },
	{ "cmdline", "victim\0segv\0a b\0", 16 },
	{ "cwd", "/home/alice\n", 0 },
	{ "start_time", "1714564790.123\n", 0 },
	{ "reason", "victim killed by SIGSEGV\n", 0 },
	{ "namespaces",
	    "pid\t4026531836\ncontainer\tdocker\t0123abcd\nnet\t4026531840\n",
	    0 },
	{ "ptree",
	    "1234\tvictim\tvictim segv 'a b'\n1000\tbash\t-bash\n"
	    "1\tsystemd\t/sbin/init splash\n",
	    0 },
	{ "backtrace",
	    "Thread 1235 (crashed):\n"
	    "#0  0x0000000000401136 crash+0x14 (/usr/bin/victim) at "
	    "victim.c:70\n"
	    "#1  0x0000000000401200 main+0x20 (/usr/bin/victim)\n"
	    "\nThread 1234:\n#0  0x00007f0000001000 ?? (+0x10)\n",
	    0 },
	{ "backtrace_frames",
	    "1235\t0\t0x0000000000401136\tcrash\t0x14\t/usr/bin/victim\t"
	    "abcdef\tvictim.c\t70\n"
	    "1235\t1\t0x0000000000401200\tmain\t0x20\t/usr/bin/victim\t"
	    "abcdef\t\t0\n"
	    "1234\t0\t0x00007f0000001000\t\t0x10\t\t\t\t0\n",
	    0 },
	{ "signature", "0123456789abcdef\n", 0 },
	{ "core.mini", "ELF-ish core bytes", 0 },
	{ "count", "3\n", 0 },
	{ "package", "victim-tools 1.2-3\n", 0 },
	{ "repeats",
	    "last\tx\nhostname\t2\tweb1\nhostname\t1\tother\n"
	    "container\t3\tdocker 0123abcd\nuid\t3\t1000\n",
	    0 },
};

struct fixture {
	char *spool;
	int spool_fd;
	struct dump *d;
	struct action_config ac;
	struct action_event ev;
	char path[512];
};

static void
make_dump(struct fixture *f, const struct item *items, size_t n)
{
	char dir[512];

	f->spool = tu_mkdtemp();
	snprintf(dir, sizeof(dir), "%s/%s", f->spool, NAME);
	assert_int_equal(mkdir(dir, 0750), 0);
	for (size_t i = 0; i < n; i++)
		free(tu_write_file(dir, items[i].name, items[i].data,
		    items[i].len ? items[i].len : strlen(items[i].data), 0640));
	f->spool_fd = open(f->spool, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->spool_fd >= 0);
	assert_int_equal(dump_open(f->spool_fd, NAME, &f->d), 0);
	memset(&f->ac, 0, sizeof(f->ac));
	f->ac.name = "chat";
	f->ac.type = ACTION_WEBHOOK;
	snprintf(f->path, sizeof(f->path), "/var/spool/crashd/%s", NAME);
	f->ev = (struct action_event){ .dump = f->d,
		.dump_path = f->path,
		.event = "first",
		.count = 3,
		.held_back = 2,
		.summary = "2 more crashes of /usr/bin/victim SIGSEGV since "
			   "2024-05-01 11:00:00 UTC",
		.id = NAME "/chat",
		.spool_dirfd = f->spool_fd };
}

static void
done_dump(struct fixture *f)
{
	dump_free(f->d);
	close(f->spool_fd);
	tu_rm_rf(f->spool);
	free(f->spool);
}

/* Renders format and parses the body back; the caller decrefs. */
static json_t *
render_parse(struct fixture *f, int format)
{
	struct buf payload, detail;
	json_error_t err;
	json_t *j;

	f->ac.format = format;
	buf_init(&payload, 0);
	buf_init(&detail, 0);
	assert_int_equal(
	    action_webhook_ops.render(&f->ac, &f->ev, &payload, &detail), 0);
	assert_int_equal(detail.len, 0);
	j = json_loadb(payload.data, payload.len, JSON_REJECT_DUPLICATES, &err);
	if (j == NULL)
		fail_msg("format %d: invalid JSON (%s at %d): %s", format,
		    err.text, err.position, payload.data);
	buf_done(&payload);
	buf_done(&detail);
	return j;
}

static const char *
str_at(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_string(v))
		fail_msg("key %s: not a string", key);
	return json_string_value(v);
}

static long long
int_at(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	if (!json_is_integer(v))
		fail_msg("key %s: not an integer", key);
	return json_integer_value(v);
}

static void
test_generic(void **state)
{
	struct fixture f;
	json_t *j, *d, *a, *fr;

	(void)state;
	make_dump(&f, good_items, sizeof(good_items) / sizeof(good_items[0]));
	j = render_parse(&f, WEBHOOK_JSON);
	assert_string_equal(str_at(j, "schema"), "crashd.crash/1");
	assert_string_equal(str_at(j, "id"), NAME "/chat");
	assert_string_equal(str_at(j, "event"), "first");
	assert_int_equal(int_at(j, "count"), 3);
	assert_int_equal(int_at(j, "held_back"), 2);
	assert_string_equal(str_at(j, "summary"), f.ev.summary);
	assert_string_equal(
	    str_at(j, "title"), "victim killed by SIGSEGV on web1");
	assert_string_equal(str_at(j, "action"), "chat");
	assert_string_equal(str_at(j, "dump_path"), f.path);

	d = json_object_get(j, "dump");
	assert_true(json_is_object(d));
	assert_string_equal(str_at(d, "id"), NAME);
	assert_int_equal(int_at(d, "time"), 1714564800);
	assert_string_equal(str_at(d, "time_rfc3339"), "2024-05-01T12:00:00Z");
	assert_string_equal(str_at(d, "hostname"), "web1");
	assert_string_equal(str_at(d, "executable"), "/usr/bin/victim");
	assert_true(json_is_false(json_object_get(d, "executable_deleted")));
	assert_string_equal(str_at(d, "comm"), "victim");
	assert_int_equal(int_at(d, "pid"), 1234);
	assert_int_equal(int_at(d, "ns_pid"), 7);
	assert_int_equal(int_at(d, "tid"), 1235);
	assert_int_equal(int_at(d, "uid"), 1000);
	assert_int_equal(int_at(d, "gid"), 100);
	assert_string_equal(str_at(d, "username"), "alice");
	assert_int_equal(int_at(d, "signal"), 11);
	assert_string_equal(str_at(d, "signal_name"), "SIGSEGV");
	assert_string_equal(str_at(d, "reason"), "victim killed by SIGSEGV");
	a = json_object_get(d, "cmdline");
	assert_int_equal(json_array_size(a), 3);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "victim");
	assert_string_equal(json_string_value(json_array_get(a, 2)), "a b");
	assert_string_equal(str_at(d, "cwd"), "/home/alice");
	assert_string_equal(str_at(d, "container"), "docker 0123abcd");
	assert_string_equal(str_at(d, "kernel"), "6.1.0-18-amd64");
	assert_string_equal(str_at(d, "start_time"), "1714564790.123");
	assert_string_equal(str_at(d, "core"), "mini");
	assert_int_equal(int_at(d, "core_size"), 18);
	assert_string_equal(str_at(d, "signature"), "0123456789abcdef");

	/* The crashing thread's frames only. */
	a = json_object_get(d, "frames");
	assert_int_equal(json_array_size(a), 2);
	fr = json_array_get(a, 0);
	assert_int_equal(int_at(fr, "tid"), 1235);
	assert_int_equal(int_at(fr, "frame"), 0);
	assert_string_equal(str_at(fr, "pc"), "0x0000000000401136");
	assert_string_equal(str_at(fr, "function"), "crash");
	assert_string_equal(str_at(fr, "offset"), "0x14");
	assert_string_equal(str_at(fr, "module"), "/usr/bin/victim");
	assert_string_equal(str_at(fr, "build_id"), "abcdef");
	assert_string_equal(str_at(fr, "file"), "victim.c");
	assert_int_equal(int_at(fr, "line"), 70);
	assert_string_equal(str_at(json_array_get(a, 1), "function"), "main");
	assert_non_null(strstr(str_at(d, "backtrace"), "crash+0x14"));
	assert_null(strstr(str_at(d, "backtrace"), "Thread 1234"));

	a = json_object_get(d, "ptree");
	assert_int_equal(json_array_size(a), 3);
	assert_int_equal(int_at(json_array_get(a, 1), "pid"), 1000);
	assert_string_equal(str_at(json_array_get(a, 1), "comm"), "bash");
	assert_string_equal(
	    str_at(json_array_get(a, 0), "argv"), "victim segv 'a b'");
	assert_string_equal(str_at(d, "package"), "victim-tools 1.2-3");
	a = json_object_get(json_object_get(d, "repeats"), "hostname");
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(str_at(json_array_get(a, 1), "value"), "other");
	assert_int_equal(int_at(json_array_get(a, 0), "count"), 2);
	json_decref(j);
	done_dump(&f);
}

/* Every key of the generic body is documented in webhook_json.c. */
static void
test_schema_documented(void **state)
{
	char path[4096], *src, *doc_end;
	struct fixture f;
	const char *key;
	json_t *j, *v;
	size_t len;
	FILE *in;

	(void)state;
	snprintf(path, sizeof(path), "%s/../../daemon/webhook_json.c",
	    CRASHD_FIXTURES);
	in = fopen(path, "r");
	assert_non_null(in);
	src = calloc(1, 1 << 20);
	assert_non_null(src);
	len = fread(src, 1, (1 << 20) - 1, in);
	fclose(in);
	assert_true(len > 0);
	/* The file's opening comment, after its SPDX line. */
	doc_end = strstr(src, "\n/*");
	assert_non_null(doc_end);
	doc_end = strstr(doc_end, "*/");
	assert_non_null(doc_end);
	*doc_end = '\0';
	make_dump(&f, good_items, sizeof(good_items) / sizeof(good_items[0]));
	j = render_parse(&f, WEBHOOK_JSON);
	json_object_foreach(j, key, v)
	{
		if (strstr(src, key) == NULL)
			fail_msg("key %s is not documented", key);
	}
	json_object_foreach(json_object_get(j, "dump"), key, v)
	{
		if (strstr(src, key) == NULL)
			fail_msg("key dump.%s is not documented", key);
	}
	json_decref(j);
	done_dump(&f);
	free(src);
}

static void
test_slack(void **state)
{
	struct fixture f;
	const char *t;
	json_t *j;

	(void)state;
	make_dump(&f, good_items, sizeof(good_items) / sizeof(good_items[0]));
	j = render_parse(&f, WEBHOOK_SLACK);
	assert_int_equal(json_object_size(j), 1);
	t = str_at(j, "text");
	assert_non_null(
	    strstr(t, "*Crash on* `web1`: `victim killed by SIGSEGV`"));
	assert_non_null(strstr(t, "*Executable:* `/usr/bin/victim`"));
	assert_non_null(strstr(t, "*Argv:* `victim segv 'a b'`"));
	assert_non_null(
	    strstr(t, "SIGSEGV (11), pid 1234, user `alice` (uid 1000)"));
	assert_non_null(strstr(t, "*Container:* `docker 0123abcd`"));
	assert_non_null(
	    strstr(t, "*Parents:* `bash` (1000) &lt; `systemd` (1)"));
	assert_non_null(strstr(t, "*Package:* `victim-tools 1.2-3`"));
	assert_non_null(strstr(t, "*Repeats from:* `web1 (2), other (1)`"));
	assert_non_null(
	    strstr(t, "*Repeats in containers:* `docker 0123abcd (3)`"));
	assert_non_null(
	    strstr(t, "*Crashes of this kind:* 3; `2 more crashes"));
	assert_non_null(strstr(t,
	    "```\n#0 crash+0x14 (victim) at victim.c:70\n"
	    "#1 main+0x20 (victim)\n```"));
	assert_non_null(strstr(t, "`" NAME "/chat`"));
	json_decref(j);
	done_dump(&f);
}

static void
test_alertmanager(void **state)
{
	struct fixture f;
	json_t *j, *a, *l, *an;
	const char *desc;

	(void)state;
	make_dump(&f, good_items, sizeof(good_items) / sizeof(good_items[0]));
	j = render_parse(&f, WEBHOOK_ALERTMANAGER);
	assert_true(json_is_array(j));
	assert_int_equal(json_array_size(j), 1);
	a = json_array_get(j, 0);
	assert_string_equal(str_at(a, "startsAt"), "2024-05-01T12:00:00Z");
	/* Resolved after ProcessCrashed's window unless posted again. */
	assert_string_equal(str_at(a, "endsAt"), "2024-05-01T12:15:00Z");
	l = json_object_get(a, "labels");
	assert_int_equal(json_object_size(l), 6);
	assert_string_equal(str_at(l, "signature"), "0123456789abcdef");
	assert_string_equal(str_at(l, "alertname"), "ProcessCrashed");
	assert_string_equal(str_at(l, "host"), "web1");
	assert_string_equal(str_at(l, "executable"), "/usr/bin/victim");
	assert_string_equal(str_at(l, "signal"), "SIGSEGV");
	assert_string_equal(str_at(l, "container"), "docker 0123abcd");
	an = json_object_get(a, "annotations");
	assert_string_equal(
	    str_at(an, "summary"), "victim killed by SIGSEGV on web1");
	assert_string_equal(str_at(an, "crashd_id"), NAME "/chat");
	assert_string_equal(str_at(an, "dump"), NAME);
	assert_string_equal(str_at(an, "event"), "first");
	assert_string_equal(str_at(an, "count"), "3");
	assert_string_equal(str_at(an, "held_back"), "2");
	assert_string_equal(str_at(an, "uid"), "1000");
	assert_string_equal(str_at(an, "pid"), "1234");
	desc = str_at(an, "description");
	assert_non_null(strstr(desc, "\nargv: victim segv 'a b'\n"));
	assert_non_null(strstr(desc,
	    "\nwhere it died:\n  #0 crash+0x14 (victim) "
	    "at victim.c:70\n"));
	assert_non_null(strstr(desc, "\nparents: bash (1000) < systemd (1)\n"));
	json_decref(j);
	done_dump(&f);
}

/* "\xHH" -> the byte 0xHH, left to right: the rule of json_text.h. */
static size_t
decode(const char *s, size_t len, char *out)
{
	struct buf b;
	size_t n;

	buf_init(&b, 0);
	assert_int_equal(json_text_decode(&b, s, len), 0);
	n = b.len;
	memcpy(out, b.data ? b.data : "", n);
	buf_done(&b);
	return n;
}

static const char hostile_exe[] = "/tmp/a\"b\\x41\n\xff\xfe`<!channel>&\t"
				  "\xe2\x80\xae"
				  "evil\xc3";
static const char hostile_argv[] = "x\xff\0\"quoted\"\0new\nline\0\x01\x7f";

static void
test_hostile(void **state)
{
	char exe[sizeof(hostile_exe) + 1];
	const struct item items[] = {
		{ "time", "1714564800\n", 0 },
		{ "signal", "6\n", 0 },
		{ "executable", exe, 0 },
		{ "comm", "a\"b\xff\n", 0 },
		{ "hostname", "h\x1b[31m\n", 0 },
		{ "cmdline", hostile_argv, sizeof(hostile_argv) - 1 },
		{ "cwd", "/\xc0\xaf\n", 0 },
		{ "ptree", "1\t\xff\t\\xff\n", 0 },
		{ "reason", "a\\x22b killed by SIGABRT\n", 0 },
	};
	struct fixture f;
	char back[256];
	const char *s, *t;
	json_t *j, *d, *a, *l;
	size_t n;

	(void)state;
	snprintf(exe, sizeof(exe), "%s\n", hostile_exe);
	make_dump(&f, items, sizeof(items) / sizeof(items[0]));

	j = render_parse(&f, WEBHOOK_JSON);
	d = json_object_get(j, "dump");
	s = str_at(d, "executable");
	/* Escaped, not dropped, and back to the bytes by the rule. */
	assert_string_equal(s,
	    "/tmp/a\"b\\x5cx41\n\\xff\\xfe`<!channel>&\t"
	    "\xe2\x80\xae"
	    "evil\\xc3");
	n = decode(s, strlen(s), back);
	assert_int_equal(n, strlen(hostile_exe));
	assert_memory_equal(back, hostile_exe, n);
	a = json_object_get(d, "cmdline");
	assert_int_equal(json_array_size(a), 4);
	assert_string_equal(json_string_value(json_array_get(a, 0)), "x\\xff");
	assert_string_equal(
	    json_string_value(json_array_get(a, 1)), "\"quoted\"");
	assert_string_equal(
	    json_string_value(json_array_get(a, 2)), "new\nline");
	assert_string_equal(
	    json_string_value(json_array_get(a, 3)), "\x01\x7f");
	assert_string_equal(str_at(d, "comm"), "a\"b\\xff");
	assert_string_equal(str_at(d, "cwd"), "/\\xc0\\xaf");
	assert_string_equal(str_at(d, "hostname"), "h\x1b[31m");
	/* Hook text keeps its own escapes. */
	assert_string_equal(str_at(d, "reason"), "a\\x22b killed by SIGABRT");
	assert_string_equal(
	    str_at(json_array_get(json_object_get(d, "ptree"), 0), "comm"),
	    "\\xff");
	assert_true(json_is_null(json_object_get(d, "pid")));
	assert_true(json_is_null(json_object_get(d, "uid")));
	assert_string_equal(str_at(d, "core"), "none");
	assert_true(json_is_null(json_object_get(d, "core_size")));
	json_decref(j);

	j = render_parse(&f, WEBHOOK_SLACK);
	t = str_at(j, "text");
	/* One line per field: no newline, escape or bidi from the bytes. */
	assert_non_null(strstr(t,
	    "*Executable:* `/tmp/a\"b\\x5cx41\\x0a\\xff"
	    "\\xfe\\x60&lt;!channel&gt;&amp;\\x09"
	    "\\xe2\\x80\\xaeevil\\xc3`\n"));
	assert_null(strstr(t, "<!channel>"));
	assert_null(strchr(t, '\x1b'));
	assert_non_null(strstr(t, "*Crash on* `h\\x1b[31m`"));
	assert_non_null(strstr(t,
	    "*Argv:* `$'x\\xff' '\"quoted\"' "
	    "$'new\\nline' $'\\x01\\x7f'`"));
	json_decref(j);

	j = render_parse(&f, WEBHOOK_ALERTMANAGER);
	a = json_array_get(j, 0);
	l = json_object_get(a, "labels");
	assert_string_equal(str_at(l, "executable"),
	    "/tmp/a\"b\\x5cx41\\x0a\\xff\\xfe`<!channel>&\\x09"
	    "\\xe2\\x80\\xaeevil\\xc3");
	assert_string_equal(str_at(l, "signal"), "SIGABRT");
	assert_null(json_object_get(l, "container"));
	assert_null(json_object_get(json_object_get(a, "annotations"), "pid"));
	json_decref(j);
	done_dump(&f);
}

/* A dump with nothing but its directory still gives every body. */
static void
test_empty_dump(void **state)
{
	struct fixture f;
	json_t *j, *a;

	(void)state;
	make_dump(&f, NULL, 0);
	j = render_parse(&f, WEBHOOK_JSON);
	assert_true(
	    json_is_null(json_object_get(json_object_get(j, "dump"), "time")));
	assert_int_equal(json_array_size(json_object_get(
			     json_object_get(j, "dump"), "cmdline")),
	    0);
	json_decref(j);
	j = render_parse(&f, WEBHOOK_SLACK);
	assert_non_null(strstr(str_at(j, "text"),
	    "*Signal:* unknown (0), pid ?, user ? (uid ?)\n"));
	json_decref(j);
	j = render_parse(&f, WEBHOOK_ALERTMANAGER);
	a = json_array_get(j, 0);
	assert_null(json_object_get(a, "startsAt"));
	assert_int_equal(json_object_size(json_object_get(a, "labels")), 2);
	json_decref(j);
	done_dump(&f);
}

static void
expect_text(const char *in, size_t len, unsigned flags, const char *want)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(json_text(&b, in, len, flags), 0);
	assert_string_equal(b.data ? b.data : "", want);
	buf_done(&b);
}

static void
test_text(void **state)
{
	(void)state;
	expect_text("", 0, 0, "");
	expect_text("plain", 5, 0, "plain");
	expect_text("caf\xc3\xa9 \xf0\x9f\x92\xa5", 10, 0,
	    "caf\xc3\xa9 \xf0\x9f\x92\xa5");
	expect_text("a\0b", 3, 0, "a\\x00b");
	expect_text("\xff", 1, 0, "\\xff");
	/* Overlong, surrogate, past U+10FFFF, cut short. */
	expect_text("\xc0\xaf", 2, 0, "\\xc0\\xaf");
	expect_text("\xed\xa0\x80", 3, 0, "\\xed\\xa0\\x80");
	expect_text("\xf4\x90\x80\x80", 4, 0, "\\xf4\\x90\\x80\\x80");
	expect_text("\xe2\x82", 2, 0, "\\xe2\\x82");
	/* Backslashes stay, unless they would read as an escape. */
	expect_text("C:\\dir\\x", 8, 0, "C:\\dir\\x");
	expect_text("\\x4", 3, 0, "\\x4");
	expect_text("\\x41", 4, 0, "\\x5cx41");
	expect_text("\\\\x41", 5, 0, "\\\\x5cx41");
	expect_text("\\x41", 4, JSON_TEXT_ESCAPED, "\\x41");
	/* Controls: JSON escapes them; people get them visible. */
	expect_text("a\nb\tc", 5, 0, "a\nb\tc");
	expect_text("a\nb\tc\x7f", 6, JSON_TEXT_VISIBLE, "a\\x0ab\\x09c\\x7f");
	expect_text("\xc2\x85|\xe2\x80\xa8|\xe2\x81\xa6|\xe2\x80\x8b", 14,
	    JSON_TEXT_VISIBLE,
	    "\\xc2\\x85|\\xe2\\x80\\xa8|\\xe2\\x81\\xa6|\xe2\x80\x8b");
}

static void
test_text_cut(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 0);
	buf_puts(&b, "ab\xc3\xa9xyz");
	assert_int_equal(json_text_cut(&b, 10, "..."), 0);
	assert_int_equal(json_text_cut(&b, 6, "..."), 1);
	/* 3 bytes left for text: not half of the e-acute. */
	assert_string_equal(b.data, "ab...");
	buf_done(&b);
}

static void
test_classify(void **state)
{
	(void)state;
	assert_int_equal(webhook_classify(CURLE_OK, 200), SEND_OK);
	assert_int_equal(webhook_classify(CURLE_OK, 204), SEND_OK);
	assert_int_equal(webhook_classify(CURLE_OK, 500), SEND_RETRY);
	assert_int_equal(webhook_classify(CURLE_OK, 503), SEND_RETRY);
	assert_int_equal(webhook_classify(CURLE_OK, 408), SEND_RETRY);
	assert_int_equal(webhook_classify(CURLE_OK, 429), SEND_RETRY);
	assert_int_equal(webhook_classify(CURLE_OK, 400), SEND_DEAD);
	assert_int_equal(webhook_classify(CURLE_OK, 401), SEND_DEAD);
	assert_int_equal(webhook_classify(CURLE_OK, 404), SEND_DEAD);
	assert_int_equal(webhook_classify(CURLE_OK, 301), SEND_DEAD);
	assert_int_equal(webhook_classify(CURLE_OK, 0), SEND_RETRY);
	assert_int_equal(
	    webhook_classify(CURLE_COULDNT_CONNECT, 0), SEND_RETRY);
	assert_int_equal(
	    webhook_classify(CURLE_OPERATION_TIMEDOUT, 0), SEND_RETRY);
	assert_int_equal(
	    webhook_classify(CURLE_PEER_FAILED_VERIFICATION, 0), SEND_RETRY);
}

static void
expect_token_refused(const char *path, int err, const char *says)
{
	struct buf detail;
	char *token = NULL;

	buf_init(&detail, 0);
	assert_int_equal(webhook_read_token(path, &token, &detail), err);
	assert_null(token);
	assert_non_null(strstr(detail.data, path));
	if (strstr(detail.data, says) == NULL)
		fail_msg(
		    "detail \"%s\" does not say \"%s\"", detail.data, says);
	buf_done(&detail);
}

static void
test_token(void **state)
{
	char *dir = tu_mkdtemp(), *p, link[600];
	struct buf detail;
	char *token = NULL;

	(void)state;
	buf_init(&detail, 0);
	p = tu_write_file(dir, "token", "s3cret-t0ken\r\n", 14, 0600);
	assert_int_equal(webhook_read_token(p, &token, &detail), 0);
	assert_string_equal(token, "s3cret-t0ken");
	assert_int_equal(detail.len, 0);
	free(token);
	token = NULL;
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(p, link), 0);
	expect_token_refused(link, -ELOOP, "symlink");
	assert_int_equal(chmod(p, 0640), 0);
	expect_token_refused(p, -EPERM, "mode 0640");
	assert_int_equal(chmod(p, 0604), 0);
	expect_token_refused(p, -EPERM, "mode 0604");
	free(p);
	p = tu_write_file(dir, "empty", "\n", 1, 0600);
	expect_token_refused(p, -ENODATA, "is empty");
	free(p);
	p = tu_write_file(dir, "two", "a\nb\n", 4, 0400);
	expect_token_refused(p, -EBADMSG, "one line");
	free(p);
	expect_token_refused(dir, -EPERM, "not a regular file");
	snprintf(link, sizeof(link), "%s/missing", dir);
	expect_token_refused(link, -ENOENT, "No such file");
	buf_done(&detail);
	tu_rm_rf(dir);
	free(dir);
}

/* An attempt at a closed port is retried; a bad token file too. */
static void
test_send_unreachable(void **state)
{
	struct action_config ac = { 0 };
	struct buf detail;
	char *dir = tu_mkdtemp(), *p;

	(void)state;
	ac.url = "http://127.0.0.1:1/secret/path?token=x";
	ac.tls_verify = true;
	ac.connect_timeout_ms = 2000;
	ac.timeout_ms = 5000;
	buf_init(&detail, 0);
	assert_int_equal(webhook_send(&ac, "id", "{}", 2, &detail), SEND_RETRY);
	assert_non_null(
	    strstr(detail.data, "POST to http://127.0.0.1:1 failed: "));
	assert_null(strstr(detail.data, "secret"));
	assert_null(strchr(detail.data, '\n'));

	buf_reset(&detail);
	p = tu_write_file(dir, "token", "t\n", 2, 0644);
	ac.token_file = p;
	assert_int_equal(webhook_send(&ac, "id", "{}", 2, &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "mode 0644"));

	buf_reset(&detail);
	ac.token_file = NULL;
	/* An id with a space or a control byte goes percent-encoded in the
	 * Idempotency-Key: the delivery is tried, not refused. */
	assert_int_equal(
	    webhook_send(&ac, "a b\nid", "{}", 2, &detail), SEND_RETRY);
	assert_null(strchr(detail.data, '\n'));
	buf_done(&detail);
	free(p);
	tu_rm_rf(dir);
	free(dir);
}

/* RFC 3339 of now + days (a static buffer). */
static const char *
in_days(int days)
{
	static char out[32];
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, sizeof(out), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return out;
}

/* A host event through the action (no dump), parsed back. */
static json_t *
render_host_parse(int format, const char *kind, bool reclaimed)
{
	struct action_host_event h = { .kind = kind,
		.pattern = "|/usr/lib/systemd/systemd-coredump %P \x01\"",
		.owner = "systemd-coredump",
		.ours = "|/usr/sbin/crashd-hook %P",
		.hostname = "web1",
		.reclaimed = reclaimed,
		.time = 1714564800,
		.record = ".state/events/registration-1714564800" };
	struct action_event ev = { .event = kind,
		.summary = "crashd is no longer the crash handler",
		.id = "registration-1714564800/chat",
		.spool_dirfd = -1,
		.host = &h };
	struct action_config ac = { .name = "chat", .format = format };
	struct buf p, detail;
	json_error_t err;
	json_t *j;

	buf_init(&p, 0);
	buf_init(&detail, 0);
	assert_int_equal(action_webhook_ops.render(&ac, &ev, &p, &detail), 0);
	j = json_loadb(p.data, p.len, 0, &err);
	assert_non_null(j);
	buf_done(&p);
	buf_done(&detail);
	return j;
}

static void
test_host_event(void **state)
{
	json_t *j, *a;
	const char *text;

	(void)state;
	j = render_host_parse(WEBHOOK_JSON, "unregistered", false);
	assert_string_equal(str_at(j, "schema"), "crashd.event/1");
	assert_string_equal(str_at(j, "event"), "unregistered");
	assert_string_equal(str_at(j, "id"), "registration-1714564800/chat");
	assert_string_equal(str_at(j, "handler"), "systemd-coredump");
	/* Valid UTF-8 (a control character too) as it is. */
	assert_string_equal(str_at(j, "core_pattern"),
	    "|/usr/lib/systemd/systemd-coredump %P \x01\"");
	assert_string_equal(str_at(j, "time_rfc3339"), "2024-05-01T12:00:00Z");
	assert_false(json_is_true(json_object_get(j, "reclaimed")));
	assert_null(json_object_get(j, "dump"));
	json_decref(j);

	j = render_host_parse(WEBHOOK_SLACK, "unregistered", false);
	text = str_at(j, "text");
	assert_non_null(strstr(text, "crashd is no longer the crash handler"));
	assert_non_null(strstr(text, "crashd-cli install"));
	json_decref(j);

	/* Fires until the recovery resolves it. */
	j = render_host_parse(WEBHOOK_ALERTMANAGER, "unregistered", false);
	a = json_array_get(j, 0);
	assert_string_equal(str_at(json_object_get(a, "labels"), "alertname"),
	    "CrashdNotRegistered");
	assert_string_equal(str_at(a, "startsAt"), "2024-05-01T12:00:00Z");
	assert_true(strcmp(str_at(a, "endsAt"), in_days(180)) > 0);
	json_decref(j);
	j = render_host_parse(WEBHOOK_ALERTMANAGER, "registered", false);
	a = json_array_get(j, 0);
	assert_string_equal(str_at(json_object_get(a, "labels"), "alertname"),
	    "CrashdNotRegistered");
	assert_null(json_object_get(a, "startsAt"));
	assert_true(strcmp(str_at(a, "endsAt"), in_days(1)) < 0);
	json_decref(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generic),
		cmocka_unit_test(test_schema_documented),
		cmocka_unit_test(test_slack),
		cmocka_unit_test(test_alertmanager),
		cmocka_unit_test(test_host_event),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_empty_dump),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_text_cut),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_token),
		cmocka_unit_test(test_send_unreachable),
	};
	int r;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return r;
}
