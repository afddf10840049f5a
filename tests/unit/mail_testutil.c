/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail_testutil.c: the mail tests' helpers (mail_testutil.h).
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
#include "mail_decode.h"
#include "mail_msg.h"
#include "mail_testutil.h"

char *
mt_visible(const char *s, size_t len)
{
	struct buf b;

	buf_init(&b, 0);
	assert_int_equal(mail_msg_visible(&b, s, len), 0);
	return buf_steal(&b, NULL);
}

/*
 * Checks a header field as written: lines within limits, every line but
 * the first a continuation, and its value reads back as the visible form
 * of value.
 */
void
mt_check_header(const char *name, const char *value, size_t len)
{
	struct buf h, d;
	char *want = mt_visible(value, len);
	long longest;

	buf_init(&h, 0);
	buf_init(&d, 0);
	assert_int_equal(mail_msg_header(&h, name, value, len), 0);
	longest = mail_decode_check_lines(h.data, h.len);
	if (longest < 0)
		fail_msg("bad lines in %s", h.data);
	assert_true(longest <= MAIL_LINE_SOFT);
	assert_int_equal(strncmp(h.data, name, strlen(name)), 0);
	assert_int_equal(h.data[strlen(name)], ':');
	/* One field: every CRLF but the last is followed by a space. */
	for (size_t i = 0; i + 2 < h.len; i++)
		if (h.data[i] == '\r')
			assert_true(h.data[i + 2] == ' ');
	assert_int_equal(mail_decode_header(&d, h.data, h.len), 0);
	if (strcmp(d.data ? d.data : "", want) != 0)
		fail_msg("header %s decodes to '%s', expected '%s'", h.data,
		    d.data ? d.data : "", want);
	buf_done(&h);
	buf_done(&d);
	free(want);
}

/* The start of the field name at a line start in the header block, or NULL. */
const char *
mt_find_field(const char *msg, size_t hdr_len, const char *name, int nth)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < hdr_len; i++) {
		if (i > 0 && msg[i - 1] != '\n')
			continue;
		if (strncasecmp(msg + i, name, n) == 0 && msg[i + n] == ':' &&
		    nth-- == 0)
			return msg + i;
	}
	return NULL;
}

/* The length of the header block (up to the empty line). */
size_t
mt_header_len(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");

	assert_non_null(end);
	return (size_t)(end - msg) + 2;
}

/* The decoded value of a field that must occur exactly once. */
char *
mt_field(const char *msg, const char *name)
{
	size_t hl = mt_header_len(msg);
	const char *f = mt_find_field(msg, hl, name, 0), *end;
	struct buf d;

	if (f == NULL)
		fail_msg("no %s header in:\n%s", name, msg);
	assert_null(mt_find_field(msg, hl, name, 1));
	/* The field runs until a line that does not start with a space. */
	end = f;
	do {
		end = strstr(end, "\r\n") + 2;
	} while (*end == ' ' || *end == '\t');
	buf_init(&d, 0);
	assert_int_equal(mail_decode_header(&d, f, (size_t)(end - f)), 0);
	return buf_steal(&d, NULL);
}

/* The decoded text of a message's (first) quoted-printable part. */
char *
mt_qp_text(const char *msg)
{
	const char *p = strstr(msg,
	    "Content-Transfer-Encoding: "
	    "quoted-printable\r\n\r\n");
	const char *end;
	struct buf d;

	assert_non_null(p);
	p = strstr(p, "\r\n\r\n") + 4;
	end = strstr(p, "\r\n--=_crashd_");
	if (end == NULL)
		end = p + strlen(p);
	buf_init(&d, 0);
	assert_int_equal(mail_decode_qp(&d, p, (size_t)(end - p)), 0);
	return buf_steal(&d, NULL);
}

/* ---- visible text ---- */

void
mt_put_item(const char *dir, const char *name, const char *data, size_t len)
{
	free(tu_write_file(dir, name, data, len, 0640));
}

const char mt_dump_name[] = "20261123T043658.123456Z-29902-victim";

/* A dump as the hook and the daemon write it; hostile bytes by choice. */
void
mt_fake_open(struct fake *f, bool hostile)
{
	char dump[4096];

	memset(f, 0, sizeof(*f));
	f->dir = tu_mkdtemp();
	snprintf(dump, sizeof(dump), "%s/%s", f->dir, mt_dump_name);
	assert_int_equal(mkdir(dump, 0750), 0);
	ITEM(dump, "version", "1\n");
	ITEM(dump, "time", "1795408618\n");
	ITEM(dump, "pid", "29902\n");
	ITEM(dump, "ns_pid", "12\n");
	ITEM(dump, "tid", "29903\n");
	ITEM(dump, "signal", "11\n");
	ITEM(dump, "uid", "1000\n");
	ITEM(dump, "gid", "1000\n");
	ITEM(dump, "username", "alice\n");
	ITEM(dump, "kernel", "6.1.0-test\n");
	ITEM(dump, "cwd", "/srv/app dir\n");
	ITEM(dump, "ptree",
	    "29902\tvictim\t/usr/bin/victim segv\n"
	    "100\tbash\tbash -l\n"
	    "1\tsystemd\t/sbin/init\n");
	ITEM(dump, "namespaces",
	    "pid\tpid:[1]\thost\n"
	    "container\tdocker\t0123456789ab\n");
	ITEM(dump, "backtrace",
	    "Thread 29903 (crashed):\n"
	    "#0  0x0000561af8d4745d crash+0x10 (/usr/bin/victim) at "
	    "victim.c:81\n"
	    "#1  0x0000561af8d47a7e main+0x40 (/usr/bin/victim) at "
	    "victim.c:256\n"
	    "Thread 29902:\n"
	    "#0  0x00007efd9e23824a poll+0x7a (/lib/libc.so.6)\n");
	ITEM(dump, "backtrace_frames",
	    "29903\t0\t0x0000561af8d4745d\tcrash\t0x10\t/usr/bin/victim\t"
	    "\tvictim.c\t81\n"
	    "29903\t1\t0x0000561af8d47a7e\tmain\t0x40\t/usr/bin/victim\t"
	    "\tvictim.c\t256\n"
	    "29902\t0\t0x00007efd9e23824a\tpoll\t0x7a\t/lib/libc.so.6\t"
	    "\t\t0\n");
	ITEM(dump, "signature", "6f02d39aaf0dffe3\n");
	ITEM(dump, "environ",
	    "PATH=/usr/bin\0API_TOKEN=s3cr3t\0"
	    "db_password=hunter2\0LANG=C.UTF-8\0"
	    "NOEQUALS\0");
	if (hostile) {
		ITEM(dump, "executable", "/tmp/x\r\nBcc: evil@example.org\n");
		ITEM(dump, "comm", "x\r\nBcc: e@x\n");
		ITEM(dump, "hostname", "h\r\nBcc: evil@example.org\n");
		/* A tampered reason: raw CR LF where the hook escapes. */
		ITEM(dump, "reason",
		    "x\r\nBcc: evil@example.org\r\n\r\nkilled by SIGSEGV\n");
		ITEM(dump, "cmdline",
		    "/tmp/x\r\nBcc: evil@example.org\0"
		    "--name=x\nTo: y@example.org\0");
	} else {
		ITEM(dump, "executable", "/usr/bin/caf\xc3\xa9\n");
		ITEM(dump, "comm", "caf\xc3\xa9\n");
		ITEM(dump, "hostname", "web-1\n");
		/* The hook escapes the name: escape_c(). */
		ITEM(dump, "reason", "caf\\xc3\\xa9 killed by SIGSEGV\n");
		ITEM(dump, "cmdline",
		    "/usr/bin/caf\xc3\xa9\0segv\0"
		    "arg with space\0it's\0");
	}
	f->spool_fd = open(f->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(f->spool_fd >= 0);
	assert_int_equal(dump_open(f->spool_fd, mt_dump_name, &f->d), 0);
	snprintf(f->path, sizeof(f->path), "%s", dump);
	snprintf(f->id, sizeof(f->id), "%s/page", mt_dump_name);
	f->ev = (struct action_event){ f->d, f->path, "first", 1, 0, "", f->id,
		f->spool_fd, NULL };
	f->ac.name = "page";
	f->ac.type = ACTION_MAIL;
	f->to[0] = "ops@example.org";
	f->to[1] = "dev@example.org";
	f->ac.to = f->to;
	f->ac.smtp = "smtp://127.0.0.1:25";
	f->ac.timeout_ms = 5000;
	f->ac.connect_timeout_ms = 2000;
	f->ac.attach_max = 10 << 20;
	f->ac.tls_verify = true;
}

void
mt_fake_close(struct fake *f)
{
	dump_free(f->d);
	close(f->spool_fd);
	tu_rm_rf(f->dir);
	free(f->dir);
}

char *
mt_render(struct fake *f)
{
	struct buf p, detail;

	buf_init(&p, 0);
	buf_init(&detail, 0);
	if (action_mail_ops.render(&f->ac, &f->ev, &p, &detail) != 0)
		fail_msg("render: %s", detail.data);
	assert_true(mail_decode_check_lines(p.data, p.len) >= 0);
	/* Said by the queue ("queued as ..."), not by render. */
	assert_int_equal(detail.len, 0);
	buf_done(&detail);
	return buf_steal(&p, NULL);
}
