/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * webhook_send.c owns the HTTP side of the webhook action: one libcurl
 * POST per attempt, the bearer token read from its root-only file at
 * each attempt, and the classification of the outcome.
 *
 * Redirects are not followed: a 3xx is reported with where it points and
 * the delivery is dead.  Following one would resend the body (and the
 * token) to a URL the operator did not configure, or turn the POST into a
 * GET without a body (301-303); an endpoint that moved is fixed in the
 * config.
 */
#include "webhook_send.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "fsutil.h"

#define TOKEN_CAP 4096
#define RESPONSE_CAP 512
#define RESPONSE_SHOWN 200

enum send_result
webhook_classify(int curl_code, long status)
{
	if (curl_code != CURLE_OK)
		return SEND_RETRY;
	if (status >= 200 && status <= 299)
		return SEND_OK;
	if (status == 408 || status == 429 || (status >= 500 && status <= 599))
		return SEND_RETRY;
	if (status >= 300 && status <= 499)
		return SEND_DEAD;
	/* 1xx as a final answer, or no HTTP at all: try again. */
	return SEND_RETRY;
}

/* Appends path to detail, escaped (a config value, but one line). */
static void
put_path(struct buf *detail, const char *path)
{
	escape_c(detail, path, strlen(path));
}

static const char *
token_problem(int r)
{
	switch (r) {
	case -EFBIG:
		return "longer than 4096 bytes";
	case -ENODATA:
		return "is empty";
	case -EBADMSG:
		return "the token must be one line of visible ASCII";
	case -ELOOP:
		return "is a symlink";
	default:
		return strerror(-r);
	}
}

int
webhook_read_token(const char *path, char **ret, struct buf *detail)
{
	struct buf t;
	struct stat st;
	bool bad_file = false;
	int fd, r;

	buf_init(&t, TOKEN_CAP + 1);
	fd = open(
	    path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	if (!S_ISREG(st.st_mode) ||
	    (st.st_uid != 0 && st.st_uid != geteuid()) ||
	    (st.st_mode & 077) != 0) {
		bad_file = true;
		r = -EPERM;
		goto out;
	}
	r = read_fd_capped(fd, TOKEN_CAP, &t);
	if (r == 1)
		r = -EFBIG;
	while (r >= 0 && t.len > 0 && t.data[t.len - 1] != '\0' &&
	    strchr("\n\r\t ", t.data[t.len - 1]))
		t.data[--t.len] = '\0';
	if (r >= 0 && t.len == 0)
		r = -ENODATA;
	for (size_t i = 0; r >= 0 && i < t.len; i++)
		if ((unsigned char)t.data[i] <= ' ' ||
		    (unsigned char)t.data[i] >= 0x7f)
			r = -EBADMSG;
	if (r >= 0) {
		*ret = buf_steal(&t, NULL);
		r = *ret != NULL ? 0 : -ENOMEM;
	}
out:
	safe_close(fd);
	if (r < 0) {
		buf_puts(detail, "token_file ");
		put_path(detail, path);
	}
	if (bad_file)
		buf_printf(detail,
		    ": %s, mode %04o, owner uid %u: it must be a regular file "
		    "of root's with no group or other permission (chown root; "
		    "chmod 600)",
		    S_ISREG(st.st_mode) ? "regular file" : "not a regular file",
		    (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid);
	else if (r < 0)
		buf_printf(detail, ": %s", token_problem(r));
	/* What was read of a token that is refused: not left in memory. */
	if (t.data)
		explicit_bzero(t.data, t.cap);
	buf_done(&t);
	return r;
}

/*
 * Appends "scheme://host:port" of url: what the detail says of where it
 * posted (a path or query may hold a secret: Slack's URLs do).
 */
static void
put_origin(struct buf *out, const char *url)
{
	char *scheme = NULL, *host = NULL, *port = NULL;
	CURLU *u = curl_url();

	if (u && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) ==
		CURLUE_OK) {
		escape_c(out, scheme, strlen(scheme));
		buf_puts(out, "://");
		escape_c(out, host, strlen(host));
		buf_putc(out, ':');
		escape_c(out, port, strlen(port));
	} else {
		buf_puts(out, "(an unparsable URL)");
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
}

static size_t
on_response(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t len = size * n;

	if (b->len < RESPONSE_CAP)
		buf_append(b, data,
		    len < RESPONSE_CAP - b->len ? len : RESPONSE_CAP - b->len);
	return len;
}

/* True when the configured headers have one named name. */
static bool
has_header(const struct action_config *ac, const char *name)
{
	size_t n = strlen(name);

	for (char **h = ac->headers; h && *h; h++)
		if (strncasecmp(*h, name, n) == 0 && (*h)[n] == ':')
			return true;
	return false;
}

/* Appends "Name: value" to *list.  Returns 0 or -ENOMEM. */
static int
add_header(struct curl_slist **list, const char *name, const char *value)
{
	struct curl_slist *n;
	struct buf h;
	int r;

	buf_init(&h, 0);
	r = buf_printf(&h, "%s: %s", name, value);
	if (r < 0)
		return r;
	n = curl_slist_append(*list, h.data);
	explicit_bzero(h.data, h.len);
	buf_done(&h);
	if (n == NULL)
		return -ENOMEM;
	*list = n;
	return 0;
}

/* The headers of one POST; NULL with detail set on failure. */
static struct curl_slist *
headers_for(const struct action_config *ac, const char *id,
    enum send_result *ret_fail, struct buf *detail)
{
	struct curl_slist *list = NULL, *n;
	char *token = NULL;
	struct buf key;
	int r = 0;

	*ret_fail = SEND_RETRY;
	if (ac->token_file &&
	    webhook_read_token(ac->token_file, &token, detail) < 0)
		return NULL; /* retried: the operator may fix the file */
	/*
	 * An id goes into a header: one line of visible ASCII.  A dump's
	 * name may hold a space ("a b" killed the delivery): every other
	 * byte, and '%', is percent-encoded, the same on every attempt.
	 */
	buf_init(&key, 0);
	for (const char *p = id; r >= 0 && *p; p++)
		r = (unsigned char)*p > ' ' && (unsigned char)*p < 0x7f &&
			*p != '%'
		    ? buf_putc(&key, *p)
		    : buf_printf(&key, "%%%02X", (unsigned char)*p);
	if (r >= 0 && !has_header(ac, "Content-Type"))
		r = add_header(&list, "Content-Type", "application/json");
	if (r >= 0 && !has_header(ac, "Idempotency-Key"))
		r = add_header(
		    &list, "Idempotency-Key", key.data ? key.data : "");
	buf_done(&key);
	/* No "Expect: 100-continue" round trip before a large body. */
	if (r >= 0) {
		n = curl_slist_append(list, "Expect:");
		if (n == NULL)
			r = -ENOMEM;
		else
			list = n;
	}
	if (r >= 0 && token && !has_header(ac, "Authorization")) {
		struct buf v;

		buf_init(&v, 0);
		r = buf_printf(&v, "Bearer %s", token);
		if (r >= 0)
			r = add_header(&list, "Authorization", v.data);
		if (v.data)
			explicit_bzero(v.data, v.len);
		buf_done(&v);
	}
	for (char **h = ac->headers; r >= 0 && h && *h; h++) {
		n = curl_slist_append(list, *h);
		if (n == NULL)
			r = -ENOMEM;
		else
			list = n;
	}
	if (token) {
		explicit_bzero(token, strlen(token));
		free(token);
	}
	if (r < 0) {
		curl_slist_free_all(list);
		buf_puts(detail, "out of memory");
		return NULL;
	}
	return list;
}

/* Appends ": <the start of the response>" when there is one. */
static void
put_response(struct buf *detail, const struct buf *response)
{
	size_t n;

	if (response->len == 0)
		return;
	n = strcspn(response->data, "\r\n");
	if (n == 0)
		return;
	buf_puts(detail, ": ");
	escape_c(
	    detail, response->data, n < RESPONSE_SHOWN ? n : RESPONSE_SHOWN);
	if (n > RESPONSE_SHOWN)
		buf_puts(detail, "...");
}

/* One POST of payload to url.  Says what came of it in detail. */
static enum send_result
post(const struct action_config *ac, const char *url,
    struct curl_slist *headers, const char *payload, size_t len,
    struct buf *detail)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	enum send_result res;
	struct buf response;
	long status = 0;
	CURLcode cc;
	CURL *c;

	c = curl_easy_init();
	if (c == NULL) {
		buf_puts(detail, "curl_easy_init failed");
		return SEND_RETRY;
	}
	buf_init(&response, RESPONSE_CAP + 1);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, payload);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "crashd/" CRASHD_VERSION);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, ac->tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, ac->tls_verify ? 2L : 0L);
	if (ac->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, ac->ca_file);
	curl_easy_setopt(
	    c, CURLOPT_CONNECTTIMEOUT_MS, (long)ac->connect_timeout_ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)ac->timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_response);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &response);

	cc = curl_easy_perform(c);
	if (cc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	res = webhook_classify(cc, status);
	if (cc != CURLE_OK) {
		buf_puts(detail, "POST to ");
		put_origin(detail, url);
		buf_puts(detail, " failed: ");
		if (errbuf[0])
			escape_c(detail, errbuf, strlen(errbuf));
		else
			buf_puts(detail, curl_easy_strerror(cc));
	} else {
		char *location = NULL;

		buf_printf(detail, "HTTP %ld from ", status);
		put_origin(detail, url);
		if (status >= 300 && status <= 399) {
			curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location);
			buf_puts(detail, ": redirects");
			if (location) {
				buf_puts(detail, " to ");
				put_origin(detail, location);
			}
			buf_puts(detail,
			    ", not followed (set url to the "
			    "endpoint itself)");
		} else if (res != SEND_OK) {
			put_response(detail, &response);
		}
	}
	buf_done(&response);
	curl_easy_cleanup(c);
	return res;
}

/*
 * To url, or to every URL of urls (an Alertmanager HA pair, as its
 * clients do): delivered when one accepted it, tried again when none did
 * and one may yet, dead when every one refused for good.
 */
enum send_result
webhook_send(const struct action_config *ac, const char *id,
    const char *payload, size_t len, struct buf *detail)
{
	const char *one[] = { ac->url, NULL };
	const char *const *urls =
	    ac->urls ? (const char *const *)ac->urls : one;
	struct curl_slist *headers;
	bool ok = false, retry = false;
	enum send_result res;

	headers = headers_for(ac, id, &res, detail);
	if (headers == NULL)
		return res;
	for (size_t i = 0; urls[i]; i++) {
		if (i > 0)
			buf_puts(detail, "; ");
		res = post(ac, urls[i], headers, payload, len, detail);
		ok = ok || res == SEND_OK;
		retry = retry || res == SEND_RETRY;
	}
	curl_slist_free_all(headers);
	return ok ? SEND_OK : retry ? SEND_RETRY : SEND_DEAD;
}
