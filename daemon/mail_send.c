/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail_send.c owns one delivery attempt of a rendered mail: libcurl to an
 * SMTP/SMTPS relay (STARTTLS, AUTH from a root-only file, timeouts) or a
 * sendmail-compatible binary in a clean environment, and turning what
 * happened into OK, RETRY or DEAD with one line saying why.  It runs in
 * the delivery queue's child process and may block.
 */
#include "mail_send.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "child.h"
#include "clock.h"
#include "escape.h"
#include "fsutil.h"
#include "mail_msg.h"

#define AUTH_FILE_CAP 4096
/* Server replies kept for the detail line, and their length. */
#define REPLIES 8
#define REPLY_CAP 240
#define SENDMAIL_OUTPUT_CAP 2048

int
mail_send_read_auth_file(
    const char *path, char **ret, char **ret_password, struct buf *why)
{
	char data[AUTH_FILE_CAP + 1];
	size_t len = 0;
	struct stat st;
	char *colon, *copy;
	int fd, r = 0;

	fd = open(
	    path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		r = -errno;
		buf_printf(why, "auth_file %s: %s", path,
		    r == -ELOOP ? "is a symbolic link, refused" : strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		buf_printf(why, "auth_file %s: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
		r = -EPERM;
		buf_printf(why,
		    "auth_file %s: %s, mode %04o, owner uid %u: it must be "
		    "a regular file owned by root with no group or other "
		    "access (chmod 600), refused",
		    path, S_ISREG(st.st_mode) ? "regular file" : "not a file",
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
		goto out;
	}
	while (len < sizeof(data)) {
		ssize_t n = read(fd, data + len, sizeof(data) - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			buf_printf(why, "auth_file %s: %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > AUTH_FILE_CAP) {
		r = -EFBIG;
		buf_printf(why, "auth_file %s: longer than %d bytes", path,
		    AUTH_FILE_CAP);
		goto out;
	}
	data[len] = '\0';
	if (len > 0 && data[len - 1] == '\n')
		data[--len] = '\0';
	if (len > 0 && data[len - 1] == '\r')
		data[--len] = '\0';
	colon = strchr(data, ':');
	if (colon == NULL || colon == data || strlen(data) != len ||
	    strchr(data, '\n') != NULL || strchr(data, '\r') != NULL) {
		r = -EINVAL;
		buf_printf(why,
		    "auth_file %s: expected one line \"user:password\"", path);
		goto out;
	}
	copy = malloc(len + 1);
	if (copy == NULL) {
		r = -ENOMEM;
		buf_printf(why, "auth_file %s: out of memory", path);
		goto out;
	}
	memcpy(copy, data, len + 1);
	copy[colon - data] = '\0';
	*ret = copy;
	*ret_password = copy + (colon - data) + 1;
out:
	explicit_bzero(data, sizeof(data));
	safe_close(fd);
	return r;
}

/* What one SMTP attempt keeps: the message being read, the last replies. */
struct smtp_attempt {
	const char *msg;
	size_t len, off;
	char replies[REPLIES][REPLY_CAP];
	unsigned n_replies;
};

static size_t
smtp_read(char *ptr, size_t size, size_t nitems, void *userdata)
{
	struct smtp_attempt *a = userdata;
	size_t n = size * nitems;

	if (n > a->len - a->off)
		n = a->len - a->off;
	memcpy(ptr, a->msg + a->off, n);
	a->off += n;
	return n;
}

/* Keeps the server's reply lines (never what we send: AUTH is there). */
static int
smtp_debug(CURL *h, curl_infotype type, char *data, size_t size, void *userp)
{
	struct smtp_attempt *a = userp;
	char *line;
	size_t n;

	(void)h;
	if (type != CURLINFO_HEADER_IN)
		return 0;
	while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	line = a->replies[a->n_replies++ % REPLIES];
	n = size < REPLY_CAP - 1 ? size : REPLY_CAP - 1;
	memcpy(line, data, n);
	line[n] = '\0';
	return 0;
}

/* The last reply with this code ("250 2.0.0 Ok: queued ..."), or NULL. */
static const char *
smtp_reply(const struct smtp_attempt *a, long code)
{
	char prefix[8];

	snprintf(prefix, sizeof(prefix), "%03ld", code);
	for (unsigned i = 0; i < REPLIES && i < a->n_replies; i++) {
		const char *l = a->replies[(a->n_replies - 1 - i) % REPLIES];

		if (strncmp(l, prefix, 3) == 0)
			return l;
	}
	return NULL;
}

/* The relay's URL for a message: scheme://host[:port], no user info. */
static void
put_relay(struct buf *out, const char *url)
{
	const char *host = strstr(url, "://"), *end, *at;

	if (host == NULL) {
		escape_c(out, url, strlen(url));
		return;
	}
	host += 3;
	end = host + strcspn(host, "/?#");
	escape_c(out, url, (size_t)(host - url));
	at = memchr(host, '@', (size_t)(end - host));
	while (at && memchr(at + 1, '@', (size_t)(end - at - 1)))
		at = memchr(at + 1, '@', (size_t)(end - at - 1));
	if (at)
		host = at + 1;
	escape_c(out, host, (size_t)(end - host));
}

/*
 * The URL libcurl connects to: the configured one, and when it names no
 * domain for EHLO (no path), this host's, rather than libcurl's guess.
 */
static int
smtp_url(const char *url, struct buf *out)
{
	const char *host = strstr(url, "://");
	int r;

	r = buf_puts(out, url);
	if (r < 0 || host == NULL || strpbrk(host + 3, "/?#") != NULL)
		return r;
	r = buf_putc(out, '/');
	return r < 0 ? r : mail_msg_local_domain(out);
}

/* What a failed attempt comes to; see mail_send.h. */
static enum send_result
smtp_classify(CURLcode rc, long code)
{
	if (rc == CURLE_OK)
		return SEND_OK;
	/* Credentials or TLS: fixed locally, the next attempt reads them. */
	if (rc == CURLE_LOGIN_DENIED || rc == CURLE_USE_SSL_FAILED)
		return SEND_RETRY;
	return code >= 500 && code <= 599 ? SEND_DEAD : SEND_RETRY;
}

static long
use_ssl_of(const struct action_config *ac)
{
	if (strncmp(ac->smtp, "smtps://", 8) == 0)
		return CURLUSESSL_ALL;
	switch (ac->starttls) {
	case STARTTLS_REQUIRED:
		return CURLUSESSL_ALL;
	case STARTTLS_OFF:
		return CURLUSESSL_NONE;
	default:
		return CURLUSESSL_TRY;
	}
}

enum send_result
mail_send_smtp(const struct action_config *ac, const char *from,
    const char *msg, size_t len, struct buf *detail)
{
	struct smtp_attempt *a = NULL;
	struct curl_slist *rcpts = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", *cred = NULL, *password = NULL;
	struct buf url, addr, why;
	enum send_result res = SEND_RETRY;
	CURLcode rc = CURLE_OUT_OF_MEMORY;
	size_t n_rcpts = 0;
	const char *reply;
	long code = 0;
	CURL *h = NULL;

	buf_init(&url, 0);
	buf_init(&addr, 0);
	buf_init(&why, 0);
	if (ac->auth_file &&
	    mail_send_read_auth_file(ac->auth_file, &cred, &password, &why) <
		0) {
		buf_puts(detail, why.data);
		goto out;
	}
	a = calloc(1, sizeof(*a));
	h = curl_easy_init();
	if (a == NULL || h == NULL || smtp_url(ac->smtp, &url) < 0 ||
	    buf_printf(&addr, "<%s>", from) < 0) {
		buf_puts(detail, "out of memory");
		goto out;
	}
	a->msg = msg;
	a->len = len;
	for (char **t = ac->to; t && *t; t++) {
		struct curl_slist *l;
		char rcpt[300];

		snprintf(rcpt, sizeof(rcpt), "<%s>", *t);
		l = curl_slist_append(rcpts, rcpt);
		if (l == NULL) {
			buf_puts(detail, "out of memory");
			goto out;
		}
		rcpts = l;
		n_rcpts++;
	}

	curl_easy_setopt(h, CURLOPT_URL, url.data);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, addr.data);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, smtp_read);
	curl_easy_setopt(h, CURLOPT_READDATA, a);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl_of(ac));
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, ac->tls_verify ? 1L : 0L);
	curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, ac->tls_verify ? 2L : 0L);
	if (ac->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, ac->ca_file);
	if (cred) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cred);
		curl_easy_setopt(h, CURLOPT_PASSWORD, password);
	}
	curl_easy_setopt(
	    h, CURLOPT_CONNECTTIMEOUT_MS, (long)ac->connect_timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)ac->timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	/* The debug callback sees the replies only when verbose. */
	curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
	curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, smtp_debug);
	curl_easy_setopt(h, CURLOPT_DEBUGDATA, a);

	rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	res = smtp_classify(rc, code);
	reply = code > 0 ? smtp_reply(a, code) : NULL;
	if (res == SEND_OK) {
		buf_puts(detail, "sent to ");
		put_relay(detail, ac->smtp);
		buf_printf(detail, " for %zu recipient%s: ", n_rcpts,
		    n_rcpts == 1 ? "" : "s");
		if (reply)
			escape_c(detail, reply, strlen(reply));
		else
			buf_printf(detail, "%ld", code);
	} else {
		put_relay(detail, ac->smtp);
		buf_puts(detail, ": ");
		if (errbuf[0])
			escape_c(detail, errbuf, strlen(errbuf));
		else
			buf_puts(detail, curl_easy_strerror(rc));
		/* (A 2xx/3xx one is no news: what failed came after it.) */
		if (reply && code >= 400) {
			buf_puts(detail, "; the relay said: ");
			escape_c(detail, reply, strlen(reply));
		}
		if (res == SEND_DEAD)
			buf_puts(detail, " (refused for good)");
	}
out:
	curl_easy_cleanup(h);
	curl_slist_free_all(rcpts);
	if (cred) {
		explicit_bzero(cred, strlen(cred) + 1 + strlen(password));
		free(cred);
	}
	free(a);
	buf_done(&url);
	buf_done(&addr);
	buf_done(&why);
	return res;
}

/* sysexits.h codes that say "try again later": see mail_send.h. */
static bool
sendmail_transient(int status)
{
	return status == 71 || status == 74 || status == 75 || status < 64 ||
	    status > 78;
}

static const char *
sysexit_name(int status)
{
	static const char *const names[] = { "EX_USAGE", "EX_DATAERR",
		"EX_NOINPUT", "EX_NOUSER", "EX_NOHOST", "EX_UNAVAILABLE",
		"EX_SOFTWARE", "EX_OSERR", "EX_OSFILE", "EX_CANTCREAT",
		"EX_IOERR", "EX_TEMPFAIL", "EX_PROTOCOL", "EX_NOPERM",
		"EX_CONFIG" };

	return status >= 64 && status <= 78 ? names[status - 64] : NULL;
}

/* In the child (child_fork() made it clean): never returns. */
static void
sendmail_exec(const struct action_config *ac, const char *from)
{
	char home[512] = "HOME=/", user[300] = "LOGNAME=root";
	char *env[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", home, user,
		NULL };
	struct passwd *pw = getpwuid(geteuid());
	size_t n = 0, i = 0;
	char **argv;

	/* A mailer may read its own config from the home (msmtp). */
	if (pw) {
		snprintf(home, sizeof(home), "HOME=%s", pw->pw_dir);
		snprintf(user, sizeof(user), "LOGNAME=%s", pw->pw_name);
	}
	while (ac->to && ac->to[n])
		n++;
	argv = calloc(n + 6, sizeof(char *));
	if (argv == NULL)
		_exit(127);
	argv[i++] = ac->sendmail;
	argv[i++] = "-i"; /* a line "." is not the end */
	argv[i++] = "-f";
	argv[i++] = (char *)from;
	argv[i++] = "--";
	for (size_t k = 0; k < n; k++)
		argv[i++] = ac->to[k];
	execve(ac->sendmail, argv, env);
	dprintf(STDERR_FILENO, "exec %s: %s\n", ac->sendmail, strerror(errno));
	_exit(127);
}

/* CRLF to LF: a local mailer reads lines the Unix way. */
static int
to_lf(const char *msg, size_t len, struct buf *out)
{
	int r = 0;

	for (size_t i = 0; i < len && r >= 0; i++)
		if (!(msg[i] == '\r' && i + 1 < len && msg[i + 1] == '\n'))
			r = buf_putc(out, msg[i]);
	return r;
}

enum send_result
mail_send_sendmail(const struct action_config *ac, const char *from,
    const char *msg, size_t len, struct buf *detail)
{
	/*
	 * Its own group, gone with the attempt, whatever ends it (the
	 * queue's SIGKILL).  Its stdin is a socket, not a pipe: a write to
	 * a mailer gone is no SIGPIPE.
	 */
	static const struct child_options co = {
		.flags =
		    CHILD_GROUP | CHILD_INPUT | CHILD_CAPTURE | CHILD_CLOSE_FDS,
	};
	/*
	 * Its exit ends the attempt even when a process it left behind
	 * holds its output open (a queue runner): it took the message or
	 * refused it.
	 */
	struct child_run run = { .output_cap = SENDMAIL_OUTPUT_CAP };
	enum send_result res = SEND_RETRY;
	struct child_result cr;
	struct buf in, out;
	size_t n_rcpts = 0;
	struct child c;
	int r;

	buf_init(&in, 0);
	buf_init(&out, SENDMAIL_OUTPUT_CAP + 1);
	while (ac->to && ac->to[n_rcpts])
		n_rcpts++;
	if (to_lf(msg, len, &in) < 0) {
		buf_puts(detail, "out of memory");
		goto out;
	}
	run.input = in.data ? in.data : "";
	run.input_len = in.len;
	run.deadline_ms =
	    clock_now_ms(CLOCK_MONOTONIC) + (int64_t)ac->timeout_ms;
	r = child_fork(&co, &c);
	if (r < 0) {
		buf_printf(detail, "fork: %s", strerror(-r));
		goto out;
	}
	if (r == 0)
		sendmail_exec(ac, from);
	r = child_run(&c, &run, &out, &cr);
	if (r < 0) {
		escape_c(detail, ac->sendmail, strlen(ac->sendmail));
		buf_printf(detail, ": lost it: %s", strerror(-r));
	} else if (cr.timed_out) {
		buf_puts(detail, "sendmail ");
		escape_c(detail, ac->sendmail, strlen(ac->sendmail));
		buf_printf(detail, ": timed out after %llums",
		    (unsigned long long)ac->timeout_ms);
	} else if (cr.exited && cr.code == 0) {
		res = SEND_OK;
		buf_puts(detail, "sent with ");
		escape_c(detail, ac->sendmail, strlen(ac->sendmail));
		buf_printf(detail, " for %zu recipient%s: exit 0", n_rcpts,
		    n_rcpts == 1 ? "" : "s");
	} else {
		escape_c(detail, ac->sendmail, strlen(ac->sendmail));
		if (cr.exited) {
			res = sendmail_transient(cr.code) ? SEND_RETRY
							  : SEND_DEAD;
			buf_printf(detail, ": exit %d", cr.code);
			if (sysexit_name(cr.code))
				buf_printf(
				    detail, " (%s)", sysexit_name(cr.code));
		} else {
			buf_printf(detail, ": killed by signal %d", cr.code);
		}
		if (res == SEND_DEAD)
			buf_puts(detail, ", refused for good");
	}
	if (out.len > 0) {
		buf_puts(detail, "; output: ");
		escape_c(detail, out.data, out.len);
	}
out:
	buf_done(&in);
	buf_done(&out);
	return res;
}
