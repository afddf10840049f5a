/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests for daemon/mail_send.c: the sendmail exit codes with a
 * scripted sendmail, the AUTH file's checks, and SMTP replies against the
 * real test server (tests/daemon/smtp_server.py, skipped without
 * /usr/bin/python3 and aiosmtpd).
 */
#include "testutil.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "buf.h"
#include "dump.h"
#include "fsutil.h"
#include "mail_send.h"
#include "mail_testutil.h"

/* A sendmail that records its arguments and input, then exits with $1. */
static char *
fake_sendmail(const char *dir, const char *behaviour)
{
	char script[2048];

	snprintf(script, sizeof(script),
	    "#!/bin/sh\n"
	    "printf '%%s\\n' \"$@\" >%s/args\n"
	    "env >%s/env\n"
	    "%s\n",
	    dir, dir, behaviour);
	return tu_write_file(dir, "sendmail", script, strlen(script), 0755);
}

static const char sendmail_msg[] = "Subject: x\r\n\r\nline\r\n.\r\nend\r\n";

static enum send_result
sendmail_with(struct fake *f, const char *behaviour, struct buf *detail)
{
	char *sm = fake_sendmail(f->dir, behaviour);
	enum send_result res;

	f->ac.smtp = NULL;
	f->ac.sendmail = sm;
	f->ac.from = "crashd@example.org";
	buf_reset(detail);
	res = action_mail_ops.send(
	    &f->ac, f->id, sendmail_msg, sizeof(sendmail_msg) - 1, detail);
	free(sm);
	f->ac.sendmail = NULL;
	return res;
}

static char *
slurp(const char *dir, const char *name)
{
	char path[4096], *data = NULL;
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "%s", dir);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	assert_true(fd >= 0);
	assert_true(read_file_at(fd, name, 1 << 20, &data, &len) >= 0);
	close(fd);
	return data;
}

static void
test_sendmail(void **state)
{
	struct fake f;
	struct buf detail;
	char *v, cmd[256];
	int64_t t0;

	(void)state;
	mt_fake_open(&f, false);
	buf_init(&detail, 0);
	snprintf(cmd, sizeof(cmd), "cat >%s/in; exit 0", f.dir);
	assert_int_equal(sendmail_with(&f, cmd, &detail), SEND_OK);
	assert_non_null(strstr(detail.data, "for 2 recipients: exit 0"));
	v = slurp(f.dir, "args");
	assert_string_equal(v,
	    "-i\n-f\ncrashd@example.org\n--\n"
	    "ops@example.org\ndev@example.org\n");
	free(v);
	/* Lines the Unix way, the lone "." kept (-i). */
	v = slurp(f.dir, "in");
	assert_string_equal(v, "Subject: x\n\nline\n.\nend\n");
	free(v);
	/* A clean environment. */
	v = slurp(f.dir, "env");
	assert_null(strstr(v, "CMOCKA"));
	assert_non_null(strstr(v, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
	free(v);

	assert_int_equal(
	    sendmail_with(&f, "echo 'queue full' >&2; exit 75", &detail),
	    SEND_RETRY);
	assert_non_null(strstr(detail.data,
	    "exit 75 (EX_TEMPFAIL); output: "
	    "queue full\\n"));
	assert_int_equal(sendmail_with(&f, "exit 71", &detail), SEND_RETRY);
	assert_int_equal(sendmail_with(&f, "exit 74", &detail), SEND_RETRY);
	assert_int_equal(sendmail_with(&f, "exit 1", &detail), SEND_RETRY);
	assert_int_equal(sendmail_with(&f, "kill -9 $$", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "killed by signal 9"));
	assert_int_equal(
	    sendmail_with(&f, "echo 'no such user' >&2; exit 67", &detail),
	    SEND_DEAD);
	assert_non_null(strstr(detail.data,
	    "exit 67 (EX_NOUSER), refused "
	    "for good; output: no such "
	    "user\\n"));
	assert_int_equal(sendmail_with(&f, "exit 64", &detail), SEND_DEAD);
	assert_int_equal(sendmail_with(&f, "exit 78", &detail), SEND_DEAD);
	/* A mailer that does not read its input is no hang, no SIGPIPE. */
	assert_int_equal(
	    sendmail_with(&f, "exec 0<&-; exit 0", &detail), SEND_OK);
	/* One that leaves a process holding its output: done when it exits. */
	t0 = (int64_t)time(NULL);
	assert_int_equal(
	    sendmail_with(
		&f, "(sleep 5 </dev/null &); echo queued; exit 0", &detail),
	    SEND_OK);
	assert_true((int64_t)time(NULL) - t0 < 3);
	assert_non_null(strstr(detail.data, "output: queued\\n"));
	/* One that hangs is cut at timeout, with its children. */
	f.ac.timeout_ms = 300;
	t0 = (int64_t)time(NULL);
	assert_int_equal(sendmail_with(&f, "sleep 30", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "timed out after 300ms"));
	assert_true((int64_t)time(NULL) - t0 < 5);
	/* A missing one: retried (it may be installed meanwhile). */
	f.ac.sendmail = "/nonexistent/sendmail";
	f.ac.smtp = NULL;
	assert_int_equal(
	    action_mail_ops.send(&f.ac, f.id, "x\r\n", 3, &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "exit 127"));
	buf_done(&detail);
	mt_fake_close(&f);
}

static void
test_auth_file(void **state)
{
	char *dir = tu_mkdtemp(), *path, *cred = NULL, *password = NULL;
	char link[4096];
	struct buf why;

	(void)state;
	buf_init(&why, 0);
	path = tu_write_file(dir, "auth", "user:pa:ss\n", 11, 0644);
	assert_int_equal(
	    mail_send_read_auth_file(path, &cred, &password, &why), -EPERM);
	assert_non_null(strstr(why.data, path));
	assert_non_null(strstr(why.data, "mode 0644"));
	assert_int_equal(chmod(path, 0640), 0);
	buf_reset(&why);
	assert_int_equal(
	    mail_send_read_auth_file(path, &cred, &password, &why), -EPERM);
	assert_non_null(strstr(why.data, "mode 0640"));
	assert_int_equal(chmod(path, 0600), 0);
	buf_reset(&why);
	if (geteuid() == 0) {
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why), 0);
		assert_string_equal(cred, "user");
		assert_string_equal(password, "pa:ss");
		free(cred);
		free(tu_write_file(dir, "auth", "nocolon\n", 8, 0600));
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why),
		    -EINVAL);
		free(tu_write_file(dir, "auth", "a:b\nc:d\n", 8, 0600));
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why),
		    -EINVAL);
		free(tu_write_file(dir, "auth", "u:p\r\n", 5, 0600));
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why), 0);
		assert_string_equal(password, "p");
		free(cred);
		/* Not root's: refused. */
		assert_int_equal(chown(path, 1, 1), 0);
		buf_reset(&why);
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why),
		    -EPERM);
		assert_non_null(strstr(why.data, "owner uid 1"));
	} else {
		/* Ours, not root's. */
		assert_int_equal(
		    mail_send_read_auth_file(path, &cred, &password, &why),
		    -EPERM);
	}
	snprintf(link, sizeof(link), "%s/link", dir);
	assert_int_equal(symlink(path, link), 0);
	buf_reset(&why);
	assert_int_equal(
	    mail_send_read_auth_file(link, &cred, &password, &why), -ELOOP);
	assert_non_null(strstr(why.data, "symbolic link"));
	buf_reset(&why);
	assert_true(mail_send_read_auth_file("/nonexistent/auth", &cred,
			&password, &why) == -ENOENT);
	buf_done(&why);
	free(path);
	tu_rm_rf(dir);
	free(dir);
}

/* The test SMTP server, on a free port; 0 when it cannot run here. */
struct server {
	pid_t pid;
	int port;
	char *dir;
};

static int
server_start(struct server *s, const char *const *extra)
{
	char script[4096], portfile[4096], mdir[4096];
	const char *argv[16];
	size_t n = 0;
	const char *here = __FILE__;
	const char *slash = strrchr(here, '/');

	memset(s, 0, sizeof(*s));
	if (access("/usr/bin/python3", X_OK) != 0 || slash == NULL ||
	    system("/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null") != 0)
		return 0;
	snprintf(script, sizeof(script), "%.*s/../daemon/smtp_server.py",
	    (int)(slash - here), here);
	if (access(script, R_OK) != 0)
		return 0;
	s->dir = tu_mkdtemp();
	snprintf(portfile, sizeof(portfile), "%s/port", s->dir);
	snprintf(mdir, sizeof(mdir), "%s/mail", s->dir);
	argv[n++] = "/usr/bin/python3";
	argv[n++] = script;
	argv[n++] = "--dir";
	argv[n++] = mdir;
	argv[n++] = "--port-file";
	argv[n++] = portfile;
	for (; extra && *extra && n < 15; extra++)
		argv[n++] = *extra;
	argv[n] = NULL;
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int null = open("/dev/null", O_RDWR);

		/* It goes with the test, whatever ends it, and holds none of
		 * the test's output (ctest waits for it to close). */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			_exit(127);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		close_range(3, ~0U, 0);
		execv(argv[0], (char **)argv);
		_exit(127);
	}
	for (int i = 0; i < 500; i++) {
		FILE *pf = fopen(portfile, "r");

		if (pf) {
			assert_int_equal(fscanf(pf, "%d", &s->port), 1);
			fclose(pf);
			return 1;
		}
		usleep(20 * 1000);
	}
	fail_msg("smtp_server.py did not start");
	return 0;
}

static void
server_stop(struct server *s)
{
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, NULL, 0);
	}
	tu_rm_rf(s->dir);
	free(s->dir);
}

static int
count_messages(const struct server *s)
{
	char cmd[4200];
	FILE *p;
	int n = -1;

	snprintf(
	    cmd, sizeof(cmd), "ls %s/mail/*.json 2>/dev/null | wc -l", s->dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%d", &n), 1);
	pclose(p);
	return n;
}

static enum send_result
smtp_send(struct fake *f, const struct server *s, const char *scheme,
    struct buf *detail)
{
	char url[128];
	char *msg = mt_render(f);
	enum send_result res;

	snprintf(url, sizeof(url), "%s://127.0.0.1:%d", scheme, s->port);
	f->ac.smtp = url;
	buf_reset(detail);
	res = action_mail_ops.send(&f->ac, f->id, msg, strlen(msg), detail);
	f->ac.smtp = NULL;
	free(msg);
	return res;
}

static void
test_smtp(void **state)
{
	static const char *const replies[] = { "--rcpt-reply",
		"gone@example.org=550 5.1.1 No such user", "--rcpt-reply",
		"later@example.org=451 4.2.0 Mailbox busy", NULL };
	char *gone[] = { "ops@example.org", "gone@example.org", NULL };
	char *later[] = { "later@example.org", NULL };
	struct server s;
	struct fake f;
	struct buf detail;
	char url[128];

	(void)state;
	if (!server_start(&s, replies))
		skip();
	mt_fake_open(&f, false);
	buf_init(&detail, 0);

	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_OK);
	snprintf(url, sizeof(url),
	    "sent to smtp://127.0.0.1:%d for 2 "
	    "recipients: 250 2.0.0 OK queued as 0001",
	    s.port);
	assert_string_equal(detail.data, url);
	assert_int_equal(count_messages(&s), 1);

	/* A recipient refused for good: nobody gets it, dead. */
	f.ac.to = gone;
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_DEAD);
	assert_non_null(strstr(detail.data, "550 5.1.1 No such user"));
	assert_non_null(strstr(detail.data, "refused for good"));
	/* For now: retried. */
	f.ac.to = later;
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "451 4.2.0 Mailbox busy"));
	assert_int_equal(count_messages(&s), 1);
	/* STARTTLS required of a relay without it: retried, never clear. */
	f.ac.to = f.to;
	f.ac.starttls = STARTTLS_REQUIRED;
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_int_equal(count_messages(&s), 1);
	f.ac.starttls = STARTTLS_TRY;
	/* Credentials that cannot be read: retried, and said why. */
	f.ac.auth_file = "/nonexistent/auth";
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "auth_file /nonexistent/auth"));
	f.ac.auth_file = NULL;
	server_stop(&s);

	/* Nobody listening: retried. */
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_non_null(strstr(detail.data, "Couldn't connect"));
	assert_null(strstr(detail.data, "for good"));
	buf_done(&detail);
	mt_fake_close(&f);
}

static void
test_smtp_rejected_data(void **state)
{
	static const char *const reject[] = { "--data-reply",
		"554 5.7.1 Message rejected", NULL };
	static const char *const tempfail[] = { "--tempfail", "1", NULL };
	struct server s;
	struct fake f;
	struct buf detail;

	(void)state;
	if (!server_start(&s, reject))
		skip();
	mt_fake_open(&f, false);
	buf_init(&detail, 0);
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_DEAD);
	assert_non_null(strstr(detail.data, "554 5.7.1 Message rejected"));
	server_stop(&s);
	assert_int_equal(server_start(&s, tempfail), 1);
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_RETRY);
	assert_int_equal(smtp_send(&f, &s, "smtp", &detail), SEND_OK);
	assert_int_equal(count_messages(&s), 1);
	server_stop(&s);
	buf_done(&detail);
	mt_fake_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sendmail),
		cmocka_unit_test(test_auth_file),
		cmocka_unit_test(test_smtp),
		cmocka_unit_test(test_smtp_rejected_data),
	};

	curl_global_init(CURL_GLOBAL_ALL);
	return cmocka_run_group_tests_name("mail_send", tests, NULL, NULL);
}
