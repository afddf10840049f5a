/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/mail_body.c: whole messages rendered from fake
 * dumps (hostile names, non-ASCII, redaction, the core attachment, the
 * subject template), read back with daemon/mail_decode.c.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "action.h"
#include "buf.h"
#include "dump.h"
#include "fsutil.h"
#include "mail_body.h"
#include "mail_decode.h"
#include "mail_msg.h"
#include "mail_subject.h"
#include "mail_testutil.h"

/* Header names: all at a line start, from a known list. */
static void
check_header_names(const char *msg)
{
	static const char *const known[] = { "From", "To", "Subject", "Date",
		"Message-ID", "Auto-Submitted", "X-Crashd-Id", "X-Crashd-Event",
		"X-Crashd-Signal", "MIME-Version", "Content-Type",
		"Content-Transfer-Encoding", NULL };
	size_t hl = mt_header_len(msg);

	for (size_t i = 0; i < hl;
	     i = (size_t)(strstr(msg + i, "\r\n") - msg) + 2) {
		bool ok = msg[i] == ' ';

		for (const char *const *k = known; *k && !ok; k++)
			ok = strncmp(msg + i, *k, strlen(*k)) == 0 &&
			    msg[i + strlen(*k)] == ':';
		if (!ok)
			fail_msg("unexpected header line: %.60s", msg + i);
	}
}

static void
test_render(void **state)
{
	struct fake f;
	char *msg, *v, *host, *text;
	struct buf b;

	(void)state;
	mt_fake_open(&f, false);
	msg = mt_render(&f);
	check_header_names(msg);
	buf_init(&b, 0);
	mail_msg_local_domain(&b);
	host = buf_steal(&b, NULL);

	v = mt_field(msg, "From");
	assert_true(strncmp(v, "crashd@", 7) == 0);
	assert_string_equal(v + 7, host);
	free(v);
	v = mt_field(msg, "To");
	assert_string_equal(v, "ops@example.org, dev@example.org");
	free(v);
	v = mt_field(msg, "Subject");
	assert_string_equal(
	    v, "[crashd] caf\xc3\xa9 killed by SIGSEGV on web-1");
	free(v);
	v = mt_field(msg, "Message-ID");
	buf_init(&b, 0);
	buf_printf(&b, "<%s/page@%s>", mt_dump_name, host);
	assert_string_equal(v, b.data);
	buf_done(&b);
	free(v);
	v = mt_field(msg, "Date");
	assert_true(strlen(v) >= 30);
	free(v);
	v = mt_field(msg, "MIME-Version");
	assert_string_equal(v, "1.0");
	free(v);
	v = mt_field(msg, "Content-Type");
	assert_string_equal(v, "text/plain; charset=utf-8");
	free(v);
	v = mt_field(msg, "Auto-Submitted");
	assert_string_equal(v, "auto-generated");
	free(v);
	v = mt_field(msg, "X-Crashd-Id");
	assert_string_equal(v, mt_dump_name);
	free(v);
	v = mt_field(msg, "X-Crashd-Event");
	assert_string_equal(v, "first");
	free(v);

	text = mt_qp_text(msg);
	assert_true(strncmp(text,
			"caf\xc3\xa9 killed by SIGSEGV on web-1.\n"
			"The first crash of its kind.\n\n",
			strlen("caf\xc3\xa9 killed by SIGSEGV on web-1.\n"
			       "The first crash of its kind.\n\n")) == 0);
	assert_non_null(strstr(text, "  executable  /usr/bin/caf\xc3\xa9\n"));
	assert_non_null(strstr(text,
	    "  where       crash+0x10 "
	    "(/usr/bin/victim) at victim.c:81\n"));
	assert_non_null(strstr(text, "  signal      SIGSEGV (11)\n"));
	assert_non_null(strstr(text,
	    "  argv        "
	    "$'/usr/bin/caf\\xc3\\xa9' segv "
	    "'arg with space' 'it'\\''s'\n"));
	assert_non_null(strstr(text, "  cwd         /srv/app dir\n"));
	assert_non_null(strstr(text,
	    "  user        alice (uid 1000, gid "
	    "1000)\n"));
	assert_non_null(strstr(text, "  container   docker 0123456789ab\n"));
	assert_non_null(strstr(text, "2026-11-23 04:36:58 UTC"));
	assert_non_null(strstr(text,
	    "Where it died: Thread 29903 (crashed)\n"
	    "  #0  0x0000561af8d4745d crash+0x10"));
	assert_non_null(strstr(text,
	    "  1  systemd  /sbin/init\n"
	    "  `- 100  bash  bash -l\n"
	    "    `- 29902  victim  /usr/bin/victim "
	    "segv   <- crashed\n"));
	assert_non_null(strstr(text,
	    "  pid         29902 (12 in its pid "
	    "namespace), thread 29903\n"));
	assert_non_null(strstr(text,
	    "  host        web-1, kernel "
	    "6.1.0-test\n"));
	assert_non_null(strstr(text,
	    "crashd-cli info "
	    "20261123T043658"));
	assert_non_null(strstr(text, "Backtrace (all threads)\n"));
	assert_non_null(strstr(text, "poll+0x7a"));
	assert_non_null(strstr(text, "  core        none kept\n"));
	/* No environ unless asked for. */
	assert_null(strstr(text, "Environment"));
	assert_null(strstr(text, "s3cr3t"));
	assert_null(strstr(text, "Held back"));
	free(text);
	free(msg);

	/* The same event renders the same Message-ID (and the rest). */
	msg = mt_render(&f);
	v = mt_field(msg, "Message-ID");
	assert_non_null(strstr(v, mt_dump_name));
	free(v);
	free(msg);
	free(host);
	mt_fake_close(&f);
}

static void
test_render_hostile(void **state)
{
	struct fake f;
	char *msg, *v, *text;
	size_t hl;

	(void)state;
	mt_fake_open(&f, true);
	f.ac.subject = "{comm} {executable} {hostname} {reason} {id}";
	f.ev.summary = "3 more crashes of /tmp/x\r\nBcc: s@example.org";
	msg = mt_render(&f);
	check_header_names(msg);
	hl = mt_header_len(msg);
	assert_null(mt_find_field(msg, hl, "Bcc", 0));
	assert_null(mt_find_field(msg, hl, "To", 1));
	v = mt_field(msg, "To");
	assert_string_equal(v, "ops@example.org, dev@example.org");
	free(v);
	v = mt_field(msg, "Subject");
	assert_string_equal(v,
	    "x\\r\\nBcc: e@x /tmp/x\\r\\nBcc: "
	    "evil@example.org h\\r\\nBcc: evil@example.org "
	    "x\\r\\nBcc: evil@example.org\\r\\n\\r\\nkilled "
	    "by SIGSEGV 20261123T043658.123456Z-29902-"
	    "victim");
	free(v);
	/* Nothing in the body starts a line with a header or a boundary. */
	text = mt_qp_text(msg);
	for (const char *p = text; *p; p = strchr(p, '\n') + 1) {
		assert_false(strncmp(p, "Bcc:", 4) == 0);
		assert_false(strncmp(p, "To:", 3) == 0);
		if (strchr(p, '\n') == NULL)
			break;
	}
	assert_non_null(strstr(text,
	    "  argv        $'/tmp/x\\r\\nBcc: "
	    "evil@example.org' $'--name=x\\nTo: "
	    "y@example.org'\n"));
	assert_non_null(strstr(text,
	    "Held back (not mailed one by one)\n"
	    "  3 more crashes of /tmp/x\\r\\nBcc: "
	    "s@example.org\n"));
	free(text);
	free(msg);
	mt_fake_close(&f);
}

static void
test_render_environ(void **state)
{
	char *redact[] = { "*password*", "LANG", NULL };
	struct fake f;
	char *msg, *text;

	(void)state;
	mt_fake_open(&f, false);
	f.ac.include_environ = true;
	msg = mt_render(&f);
	text = mt_qp_text(msg);
	assert_non_null(strstr(text, "  PATH=/usr/bin\n"));
	assert_non_null(strstr(text, "  API_TOKEN=<redacted>\n"));
	/* The built-in list matches names in any case. */
	assert_non_null(strstr(text, "  db_password=<redacted>\n"));
	assert_non_null(strstr(text, "  LANG=C.UTF-8\n"));
	assert_non_null(strstr(text, "  NOEQUALS\n"));
	assert_null(strstr(text, "s3cr3t"));
	assert_null(strstr(text, "hunter2"));
	free(text);
	free(msg);

	f.ac.redact = redact;
	msg = mt_render(&f);
	text = mt_qp_text(msg);
	assert_non_null(strstr(text, "  API_TOKEN=s3cr3t\n"));
	assert_non_null(strstr(text, "  db_password=<redacted>\n"));
	assert_non_null(strstr(text, "  LANG=<redacted>\n"));
	free(text);
	free(msg);
	mt_fake_close(&f);
}

static void
test_render_events(void **state)
{
	struct fake f;
	char *msg, *text;

	(void)state;
	mt_fake_open(&f, false);
	f.ev.event = "every";
	f.ev.count = 100;
	f.ev.held_back = 41;
	f.ev.summary = "41 more crashes of /usr/bin/x SIGSEGV since "
		       "2026-11-23 04:00:00 UTC";
	msg = mt_render(&f);
	text = mt_qp_text(msg);
	assert_non_null(strstr(text, "Crash number 100 of its kind.\n"));
	assert_non_null(strstr(text,
	    "Held back (not mailed one by one)\n"
	    "  41 more crashes of /usr/bin/x"));
	assert_non_null(strstr(text, "  held back   41\n"));
	free(text);
	free(msg);
	f.ev.event = "digest";
	f.id[strlen(f.id)] = '\0';
	strcat(f.id, "@digest-1795408618");
	msg = mt_render(&f);
	text = mt_qp_text(msg);
	assert_true(
	    strncmp(text, "Digest: 41 more crashes of /usr/bin/x", 37) == 0);
	free(text);
	text = mt_field(msg, "Message-ID");
	assert_non_null(strstr(text, "/page=40digest-1795408618@"));
	free(text);
	free(msg);
	mt_fake_close(&f);
}

/* The parts of a multipart message, between its boundaries. */
static size_t
parts(const char *msg, char *bodies[4])
{
	char *ct = mt_field(msg, "Content-Type"), *b, delim[128];
	const char *p;
	size_t n = 0;

	b = strstr(ct, "boundary=\"");
	assert_non_null(b);
	b += strlen("boundary=\"");
	*strchr(b, '"') = '\0';
	snprintf(delim, sizeof(delim), "\r\n--%s", b);
	free(ct);
	p = strstr(msg, delim);
	assert_non_null(p);
	for (;;) {
		const char *next;

		p += strlen(delim);
		if (strncmp(p, "--\r\n", 4) == 0)
			break;
		assert_true(strncmp(p, "\r\n", 2) == 0);
		p += 2;
		next = strstr(p, delim);
		assert_non_null(next);
		assert_true(n < 4);
		bodies[n++] = strndup(p, (size_t)(next - p));
		p = next;
	}
	return n;
}

static void
test_render_core(void **state)
{
	char core[5000], *msg, *text, *part[4], dump[4096], want[4200];
	const char *p;
	struct fake f;
	struct buf d, payload, detail;
	size_t n;

	(void)state;
	mt_fake_open(&f, false);
	for (size_t i = 0; i < sizeof(core); i++)
		core[i] = (char)(i * 7);
	snprintf(dump, sizeof(dump), "%s/%s", f.dir, mt_dump_name);
	mt_put_item(dump, "core.gz", core, sizeof(core));

	/* Attached: text, then the core as base64. */
	f.ac.attach_core = true;
	msg = mt_render(&f);
	text = mt_field(msg, "Content-Type");
	assert_true(
	    strncmp(text, "multipart/mixed; boundary=\"=_crashd_", 36) == 0);
	free(text);
	n = parts(msg, part);
	assert_int_equal(n, 2);
	assert_true(strncmp(part[0],
			"Content-Type: text/plain; charset=utf-8\r\n"
			"Content-Transfer-Encoding: quoted-printable\r\n\r\n",
			85) == 0);
	text = mt_qp_text(msg);
	assert_non_null(strstr(text, "  core        core.gz, "));
	assert_non_null(strstr(text, ", attached\n"));
	free(text);
	snprintf(want, sizeof(want),
	    "Content-Type: application/gzip; name=\"%s.core.gz\"\r\n"
	    "Content-Disposition: attachment; filename=\"%s.core.gz\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n",
	    mt_dump_name, mt_dump_name);
	assert_true(strncmp(part[1], want, strlen(want)) == 0);
	p = part[1] + strlen(want);
	buf_init(&d, 0);
	assert_int_equal(mail_decode_base64(&d, p, strlen(p)), 0);
	assert_int_equal(d.len, sizeof(core));
	assert_memory_equal(d.data, core, sizeof(core));
	buf_done(&d);
	for (size_t i = 0; i < n; i++)
		free(part[i]);
	free(msg);

	/* Over attach_max: not attached, and the mail says how to get it. */
	f.ac.attach_max = 1000;
	msg = mt_render(&f);
	text = mt_field(msg, "Content-Type");
	assert_string_equal(text, "text/plain; charset=utf-8");
	free(text);
	text = mt_qp_text(msg);
	snprintf(want, sizeof(want),
	    "larger than attach_max (1000), not attached; crashd-cli core %s\n",
	    mt_dump_name);
	if (strstr(text, want) == NULL)
		fail_msg("no '%s' in:\n%s", want, text);
	free(text);
	free(msg);

	/* Over what the queue takes: without it. */
	f.ac.attach_max = 10 << 20;
	f.ac.attach_core = false;
	msg = mt_render(&f);
	f.ac.attach_core = true;
	buf_init(&payload, strlen(msg) + 2000);
	free(msg);
	buf_init(&detail, 0);
	assert_int_equal(
	    action_mail_ops.render(&f.ac, &f.ev, &payload, &detail), 0);
	text = mt_qp_text(payload.data);
	assert_non_null(strstr(text, "too big to queue as an attachment"));
	free(text);
	buf_done(&payload);
	buf_done(&detail);

	/* Not asked for: the mail names the core and how to get it. */
	f.ac.attach_core = false;
	msg = mt_render(&f);
	text = mt_qp_text(msg);
	assert_non_null(strstr(text, "  core        core.gz, "));
	assert_non_null(strstr(text, ": crashd-cli core 20261123T"));
	free(text);
	free(msg);

	/* A symlink is no core. */
	snprintf(want, sizeof(want), "%s/core.gz", dump);
	assert_int_equal(unlink(want), 0);
	assert_int_equal(symlink("/etc/shadow", want), 0);
	f.ac.attach_core = true;
	msg = mt_render(&f);
	text = mt_qp_text(msg);
	assert_non_null(strstr(text, "  core        core.gz, unreadable ("));
	assert_null(strstr(msg, "multipart"));
	free(text);
	free(msg);
	mt_fake_close(&f);
}

static void
test_subject(void **state)
{
	char tpl[] = "{signal} {signal_name} {pid} {uid} {count} {event} {id} "
		     "{comm} {hostname} {executable} {nope} {open";
	char *longname[] = { NULL };
	struct fake f;
	struct buf s;

	(void)state;
	(void)longname;
	mt_fake_open(&f, false);
	f.ev.count = 7;
	f.ac.subject = tpl;
	buf_init(&s, 0);
	assert_int_equal(mail_subject(&f.ac, &f.ev, &s), 0);
	assert_string_equal(s.data,
	    "11 SIGSEGV 29902 1000 7 first "
	    "20261123T043658.123456Z-29902-victim caf\xc3\xa9 web-1 "
	    "/usr/bin/caf\xc3\xa9 {nope} {open");
	buf_done(&s);

	/* Cut at MAIL_SUBJECT_MAX, never inside a character. */
	f.ac.subject = "\xe2\x98\x83{executable}{executable}{executable}"
		       "{executable}{executable}{executable}{executable}"
		       "{executable}{executable}{executable}{executable}"
		       "{executable}{executable}{executable}{executable}";
	buf_init(&s, 0);
	assert_int_equal(mail_subject(&f.ac, &f.ev, &s), 0);
	assert_true(s.len <= MAIL_SUBJECT_MAX + 3);
	assert_true(s.len > MAIL_SUBJECT_MAX - 4);
	assert_string_equal(s.data + s.len - 3, "...");
	{
		char *v = mt_visible(s.data, s.len);

		/* Valid UTF-8 to the end: nothing escaped. */
		assert_null(strstr(v, "\\x"));
		free(v);
	}
	buf_done(&s);
	mt_fake_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_render_hostile),
		cmocka_unit_test(test_render_environ),
		cmocka_unit_test(test_render_events),
		cmocka_unit_test(test_render_core),
		cmocka_unit_test(test_subject),
	};

	return cmocka_run_group_tests_name("mail_body", tests, NULL, NULL);
}
