/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail_msg.c owns the encodings of an Internet message: visible text,
 * unstructured header fields (RFC 5322 folding, RFC 2047 encoded-words),
 * address lists, quoted-printable and base64 bodies (RFC 2045), and the
 * Message-ID and Date fields.  What the message says is action_mail.c's
 * and mail_body.c's; how it is sent is mail_send.c's.
 */
#include "mail_msg.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "escape.h"
#include "mail_address.h"
#include "utf8.h"

/* The payload of one encoded-word may be this long (RFC 2047 2: 75). */
#define ENCODED_WORD_MAX 75
#define ENCODED_WORD_OVERHEAD                                                  \
	(sizeof("=?UTF-8?Q?"                                                   \
		"?=") -                                                        \
	    1)
/* A Message-ID's left part is hashed beyond this length. */
#define MSGID_LOCAL_MAX 200

static const char hex_digits[] = "0123456789ABCDEF";

/* Characters that would hide, reorder or break what a reader sees. */
static bool
invisible(uint32_t cp)
{
	return cp < 0xa0 || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

int
mail_msg_visible(struct buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	int r = 0;

	while (i < len && r >= 0) {
		uint32_t cp;
		size_t n = u[i] < 0x80 ? 0 : utf8_decode(u + i, len - i, &cp);

		if (n > 0 && !invisible(cp)) {
			r = buf_append(out, s + i, n);
			i += n;
		} else {
			/* The byte as crashd escapes one: \\n, \\xNN. */
			r = escape_c(out, s + i, 1);
			i++;
		}
	}
	return r;
}

static int
hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
mail_msg_unescape(struct buf *out, const char *s, size_t len)
{
	size_t i = 0;
	int r = 0;

	while (i < len && r >= 0) {
		char c = s[i];

		if (c != '\\' || i + 1 >= len) {
			r = buf_putc(out, c);
			i++;
			continue;
		}
		switch (s[i + 1]) {
		case '\\':
			c = '\\';
			break;
		case 'n':
			c = '\n';
			break;
		case 't':
			c = '\t';
			break;
		case 'r':
			c = '\r';
			break;
		case 'x':
			if (i + 3 < len && hex_value(s[i + 2]) >= 0 &&
			    hex_value(s[i + 3]) >= 0) {
				r = buf_putc(out,
				    (char)(hex_value(s[i + 2]) << 4 |
					hex_value(s[i + 3])));
				i += 4;
				continue;
			}
			/* fall through */
		default:
			r = buf_putc(out, '\\');
			i++;
			continue;
		}
		r = buf_putc(out, c);
		i += 2;
	}
	return r;
}

/*
 * True when v (visible text) can be written as it is: printable ASCII,
 * no space at either end (a reader would drop it), nothing that reads as
 * an encoded-word, and words short enough to fold between.
 */
static bool
plain_header_ok(const char *v, size_t len, size_t first_col)
{
	size_t col = first_col, token = 0;

	if (len == 0 || v[0] == ' ' || v[len - 1] == ' ')
		return false;
	for (size_t i = 0; i < len; i++) {
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] >= 0x7f)
			return false;
		if (v[i] == '=' && i + 1 < len && v[i + 1] == '?')
			return false;
		/* A token is the spaces before a word and the word. */
		if (v[i] == ' ' && i > 0 && v[i - 1] != ' ') {
			col = 0; /* on a continuation line of its own */
			token = 0;
		}
		token++;
		if (col + token > MAIL_LINE_SOFT)
			return false;
	}
	return true;
}

/* Appends v folded before the spaces that start its tokens. */
static int
put_plain_folded(struct buf *out, const char *v, size_t len, size_t col)
{
	size_t i = 0;
	int r = 0;

	while (i < len && r >= 0) {
		size_t n = 0;

		while (i + n < len && v[i + n] == ' ')
			n++;
		while (i + n < len && v[i + n] != ' ')
			n++;
		if (i > 0 && col + n > MAIL_LINE_SOFT) {
			r = buf_puts(out, "\r\n");
			col = 0;
		}
		if (r >= 0)
			r = buf_append(out, v + i, n);
		col += n;
		i += n;
	}
	return r;
}

static bool
q_literal(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '=' && c != '?' && c != '_';
}

static size_t
q_cost(unsigned char c)
{
	return c == ' ' || q_literal(c) ? 1 : 3;
}

static size_t
b_cost(size_t n)
{
	return (n + 2) / 3 * 4;
}

static int
put_q(struct buf *out, const unsigned char *s, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i++) {
		if (s[i] == ' ') {
			r = buf_putc(out, '_');
		} else if (q_literal(s[i])) {
			r = buf_putc(out, (char)s[i]);
		} else {
			char e[3] = { '=', hex_digits[s[i] >> 4],
				hex_digits[s[i] & 15] };

			r = buf_append(out, e, 3);
		}
	}
	return r;
}

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int
put_b64(struct buf *out, const unsigned char *s, size_t n)
{
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i += 3) {
		uint32_t v = (uint32_t)s[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)s[i + 1] << 8;
		if (i + 2 < n)
			v |= s[i + 2];
		q[0] = b64_alphabet[v >> 18 & 63];
		q[1] = b64_alphabet[v >> 12 & 63];
		q[2] = i + 1 < n ? b64_alphabet[v >> 6 & 63] : '=';
		q[3] = i + 2 < n ? b64_alphabet[v & 63] : '=';
		r = buf_append(out, q, 4);
	}
	return r;
}

/* The length of the character starting at v[i] (v is valid UTF-8). */
static size_t
char_len(const unsigned char *v, size_t len, size_t i)
{
	size_t n = v[i] < 0x80 ? 1 : v[i] < 0xe0 ? 2 : v[i] < 0xf0 ? 3 : 4;

	return n > len - i ? len - i : n;
}

/*
 * Appends v as encoded-words, each one whole characters, the first after
 * "Name:" (col columns) and each next one on a continuation line.
 */
static int
put_encoded_words(struct buf *out, const char *v, size_t len, size_t col)
{
	const unsigned char *u = (const unsigned char *)v;
	size_t q = 0, i = 0;
	bool use_b, first = true;
	int r = 0;

	for (size_t k = 0; k < len; k++)
		q += q_cost(u[k]);
	use_b = q > b_cost(len);
	while (i < len && r >= 0) {
		/* The separator, then the word, within the line. */
		size_t room = MAIL_LINE_SOFT - 1, n = 0, cost = 0;

		if (first)
			room = col + 1 < MAIL_LINE_SOFT
			    ? MAIL_LINE_SOFT - col - 1
			    : 0;
		if (room > ENCODED_WORD_MAX)
			room = ENCODED_WORD_MAX;
		/* Room for the longest character (4 bytes, 12 in Q)? */
		if (room < ENCODED_WORD_OVERHEAD + 12) {
			first = false;
			continue;
		}
		room -= ENCODED_WORD_OVERHEAD;
		while (i + n < len) {
			size_t c = char_len(u, len, i + n), add = 0;

			if (use_b) {
				add = b_cost(n + c) - b_cost(n);
			} else {
				for (size_t k = 0; k < c; k++)
					add += q_cost(u[i + n + k]);
			}
			if (cost + add > room)
				break;
			cost += add;
			n += c;
		}
		r = buf_puts(out, first ? " " : "\r\n ");
		if (r >= 0)
			r = buf_puts(out, use_b ? "=?UTF-8?B?" : "=?UTF-8?Q?");
		if (r >= 0)
			r = use_b ? put_b64(out, u + i, n)
				  : put_q(out, u + i, n);
		if (r >= 0)
			r = buf_puts(out, "?=");
		i += n;
		first = false;
	}
	return r;
}

int
mail_msg_header(
    struct buf *out, const char *name, const char *value, size_t len)
{
	size_t col = strlen(name) + 1;
	struct buf v;
	int r;

	buf_init(&v, 0);
	r = mail_msg_visible(&v, value, len);
	if (r >= 0)
		r = buf_printf(out, "%s:", name);
	if (r >= 0 && v.len > 0) {
		if (plain_header_ok(v.data, v.len, col + 1)) {
			r = buf_putc(out, ' ');
			if (r >= 0)
				r = put_plain_folded(
				    out, v.data, v.len, col + 1);
		} else {
			r = put_encoded_words(out, v.data, v.len, col);
		}
	}
	if (r >= 0)
		r = buf_puts(out, "\r\n");
	buf_done(&v);
	return r;
}

int
mail_msg_header_addresses(struct buf *out, const char *name, char *const *addrs)
{
	size_t col;
	int r;

	if (addrs == NULL || addrs[0] == NULL)
		return -EINVAL;
	for (char *const *a = addrs; *a; a++)
		if (!mail_address_valid(*a))
			return -EINVAL;
	r = buf_printf(out, "%s: %s", name, addrs[0]);
	col = strlen(name) + 2 + strlen(addrs[0]);
	for (char *const *a = addrs + 1; *a && r >= 0; a++) {
		size_t n = strlen(*a);

		/* ", addr" and room for the ',' of a next fold. */
		if (col + 3 + n > MAIL_LINE_SOFT) {
			r = buf_printf(out, ",\r\n %s", *a);
			col = 1 + n;
		} else {
			r = buf_printf(out, ", %s", *a);
			col += 2 + n;
		}
	}
	return r < 0 ? r : buf_puts(out, "\r\n");
}

/* Quoted-printable lines: 76 columns, the soft break's '=' included. */
#define QP_LINE 76

int
mail_msg_qp(struct buf *out, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t col = 0;
	int r = 0;

	for (size_t i = 0; i < len && r >= 0; i++) {
		unsigned char c = u[i];
		bool encode = false;

		if (c == '\n') {
			r = buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		for (int pass = 0; pass < 2; pass++) {
			encode = c == '=' || c < 0x20 || c >= 0x7f ||
			    /* whitespace at the end of a line is dropped */
			    (c == ' ' && (i + 1 == len || s[i + 1] == '\n')) ||
			    /* SMTP's end of data; mbox's "From " line */
			    (col == 0 && c == '.') ||
			    (col == 0 && c == 'F' && len - i >= 5 &&
				memcmp(s + i, "From ", 5) == 0);
			if (col + (encode ? 3 : 1) < QP_LINE || pass == 1)
				break;
			r = buf_puts(out, "=\r\n");
			col = 0;
		}
		if (r < 0)
			break;
		if (encode) {
			char e[3] = { '=', hex_digits[c >> 4],
				hex_digits[c & 15] };

			r = buf_append(out, e, 3);
			col += 3;
		} else {
			r = buf_putc(out, (char)c);
			col++;
		}
	}
	return r;
}

int
mail_msg_base64(struct buf *out, const void *data, size_t len)
{
	const unsigned char *u = data;
	int r = 0;

	/* 57 bytes make 76 characters. */
	for (size_t i = 0; i < len && r >= 0; i += 57) {
		r = put_b64(out, u + i, len - i < 57 ? len - i : 57);
		if (r >= 0)
			r = buf_puts(out, "\r\n");
	}
	return r;
}

int
mail_msg_local_domain(struct buf *out)
{
	char host[256] = "";
	size_t n, start = out->len;
	int r = 0;

	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	n = strlen(host);
	/* Dot-atom: no dot first, last or twice in a row. */
	while (n > 0 && host[n - 1] == '.')
		n--;
	for (size_t i = 0; i < n && r >= 0; i++) {
		char c = host[i];

		if (c == '.' && (out->len == start || host[i - 1] == '.'))
			continue;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '.'))
			c = '-';
		r = buf_putc(out, c);
	}
	if (r >= 0 && out->len == start)
		r = buf_puts(out, "localhost");
	return r;
}

static bool
msgid_literal(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("-_+/", c) != NULL;
}

/* FNV-1a, 64 bits: a long id's tail, shortened. */
static uint64_t
fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

int
mail_msg_message_id(struct buf *out, const char *id, const char *host)
{
	size_t n = strlen(id), start;
	int r;

	r = buf_putc(out, '<');
	start = out->len;
	for (size_t i = 0; i < n && r >= 0; i++) {
		unsigned char c = (unsigned char)id[i];

		if (out->len - start >= MSGID_LOCAL_MAX) {
			/* '~' is never written otherwise: no collision. */
			r = buf_printf(
			    out, "~%016llx", (unsigned long long)fnv1a(id));
			break;
		}
		if (msgid_literal((char)c) ||
		    (c == '.' && i > 0 && i + 1 < n && id[i - 1] != '.' &&
			id[i + 1] != '.'))
			r = buf_putc(out, (char)c);
		else
			r = buf_printf(out, "=%02X", c);
	}
	if (r >= 0 && out->len == start)
		r = buf_puts(out, "crashd");
	if (r >= 0)
		r = buf_printf(out, "@%s>", host);
	return r;
}

int
mail_msg_date(struct buf *out, time_t t)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct tm tm;
	long off;

	if (localtime_r(&t, &tm) == NULL)
		return -EINVAL;
	off = tm.tm_gmtoff / 60;
	return buf_printf(out, "%s, %d %s %04d %02d:%02d:%02d %c%02ld%02ld",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
	    off < 0 ? '-' : '+', (off < 0 ? -off : off) / 60,
	    (off < 0 ? -off : off) % 60);
}
