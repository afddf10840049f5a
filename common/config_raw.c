/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_raw.c owns the look at crashd.conf's bytes before libconfig parses
 * them, for what libconfig (1.5) would silently misread or choke on:
 *   - a NUL byte: libconfig stops the string (or the file) there;
 *   - "\x00" in a string: libconfig drops it ("a\x00b" reads "ab");
 *   - an integer that does not fit: without an L suffix libconfig keeps
 *     the low 32 bits (9999999999 reads 1410065407, a longer one -1);
 *     with it, a value past int64 saturates or wraps;
 *   - a section with thousands of settings: libconfig checks each new
 *     name against all the others, and 90,000 took 72 s of CPU.
 * It is a small lexer of libconfig's syntax (comments, strings, names,
 * numbers, brackets), tracking the path of the key being set so that each
 * problem reads "file:line: key: problem", like config.c's.
 */
#include "config_raw.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "escape.h"

#define RAW_MAX_DEPTH 32
#define RAW_NAME_MAX 64

struct level {
	char name[RAW_NAME_MAX]; /* "" for an unnamed group (an action) */
	unsigned settings; /* named settings seen at this level */
	bool reported; /* the "too many settings" problem was said */
};

struct lexer {
	const char *file;
	const char *p, *end;
	unsigned line;
	struct buf *errors;
	int n_errors;
	struct level stack[RAW_MAX_DEPTH + 1];
	int depth; /* stack[0] is the root */
	int overflow; /* levels past RAW_MAX_DEPTH, not tracked */
	char pending[RAW_NAME_MAX]; /* the name before the last '=' or ':' */
};

/* The dotted path of the key being set: "actions.match.uid". */
static void
key_path(const struct lexer *lx, char *out, size_t size)
{
	size_t n = 0;

	out[0] = '\0';
	for (int i = 1; i <= lx->depth + 1; i++) {
		const char *name =
		    i <= lx->depth ? lx->stack[i].name : lx->pending;
		int w;

		if (name[0] == '\0')
			continue;
		w = snprintf(out + n, size - n, "%s%s", n ? "." : "", name);
		if (w < 0 || (size_t)w >= size - n)
			return;
		n += (size_t)w;
	}
}

static void problem(struct lexer *lx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
problem(struct lexer *lx, const char *fmt, ...)
{
	char key[256], msg[256];
	va_list ap;

	key_path(lx, key, sizeof(key));
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	buf_printf(lx->errors, "%s:%u: ", lx->file, lx->line);
	if (key[0])
		buf_printf(lx->errors, "%s: ", key);
	escape_c(lx->errors, msg, strlen(msg));
	buf_putc(lx->errors, '\n');
	lx->n_errors++;
}

static bool
name_start(char c)
{
	return isalpha((unsigned char)c) || c == '*';
}

static bool
name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-' || c == '_' || c == '*';
}

/* Skips a string, its opening quote at lx->p; checks its escapes. */
static void
lex_string(struct lexer *lx)
{
	for (lx->p++; lx->p < lx->end; lx->p++) {
		if (*lx->p == '"') {
			lx->p++;
			return;
		}
		if (*lx->p == '\n')
			lx->line++;
		if (*lx->p != '\\' || lx->p + 1 >= lx->end)
			continue;
		lx->p++;
		if ((*lx->p == 'x' || *lx->p == 'X') && lx->p + 2 < lx->end &&
		    lx->p[1] == '0' && lx->p[2] == '0')
			problem(lx,
			    "a string cannot hold a NUL byte (an x00 escape)");
	}
}

/* Skips a comment at lx->p ("#", "//" or a block); false if none. */
static bool
lex_comment(struct lexer *lx)
{
	if (*lx->p == '#' ||
	    (*lx->p == '/' && lx->p + 1 < lx->end && lx->p[1] == '/')) {
		while (lx->p < lx->end && *lx->p != '\n')
			lx->p++;
		return true;
	}
	if (*lx->p == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
		for (lx->p += 2; lx->p < lx->end; lx->p++) {
			if (*lx->p == '\n')
				lx->line++;
			if (*lx->p == '*' && lx->p + 1 < lx->end &&
			    lx->p[1] == '/') {
				lx->p += 2;
				break;
			}
		}
		return true;
	}
	return false;
}

/* A name: remembered as the key when '=' or ':' follows. */
static void
lex_name(struct lexer *lx)
{
	const char *s = lx->p, *q;
	size_t n;

	while (lx->p < lx->end && name_char(*lx->p))
		lx->p++;
	n = (size_t)(lx->p - s);
	for (q = lx->p; q < lx->end && (*q == ' ' || *q == '\t'); q++)
		;
	if (q >= lx->end || (*q != '=' && *q != ':'))
		return; /* true, false, or a syntax error libconfig reports */
	if (n >= RAW_NAME_MAX)
		n = RAW_NAME_MAX - 1;
	memcpy(lx->pending, s, n);
	lx->pending[n] = '\0';
	if (lx->overflow == 0) {
		struct level *lv = &lx->stack[lx->depth];

		if (++lv->settings > CONFIG_RAW_MAX_SETTINGS && !lv->reported) {
			char name[RAW_NAME_MAX];

			/* Named by the section, not the key. */
			memcpy(name, lx->pending, sizeof(name));
			lx->pending[0] = '\0';
			problem(lx,
			    "more than %d settings in one section (libconfig "
			    "takes seconds on each thousand more)",
			    CONFIG_RAW_MAX_SETTINGS);
			memcpy(lx->pending, name, sizeof(name));
			lv->reported = true;
		}
	}
}

/*
 * A number starting at lx->p: an integer is checked against what libconfig
 * keeps of it.  Floats (".", an exponent) are left to libconfig.
 */
static void
lex_number(struct lexer *lx)
{
	const char *s = lx->p, *digits;
	bool neg = false, hex = false, wide = false, ok = true;
	uint64_t v = 0, limit;

	while (lx->p < lx->end &&
	    (isalnum((unsigned char)*lx->p) || *lx->p == '.' || *lx->p == '+' ||
		*lx->p == '-')) {
		/* A sign only leads, or follows an exponent. */
		if ((*lx->p == '+' || *lx->p == '-') && lx->p != s &&
		    tolower((unsigned char)lx->p[-1]) != 'e')
			break;
		lx->p++;
	}
	digits = s;
	if (*digits == '-' || *digits == '+')
		neg = *digits++ == '-';
	if (digits + 1 < lx->p && digits[0] == '0' &&
	    (digits[1] == 'x' || digits[1] == 'X')) {
		hex = true;
		digits += 2;
	}
	for (const char *q = digits; q < lx->p; q++) {
		unsigned d;

		if (*q == 'L') {
			/* L or LL, last */
			wide =
			    lx->p - q <= 2 && (lx->p - q == 1 || q[1] == 'L');
			if (!wide)
				return; /* not an integer: libconfig says */
			break;
		}
		if (isdigit((unsigned char)*q))
			d = (unsigned)(*q - '0');
		else if (hex && isxdigit((unsigned char)*q))
			d = (unsigned)(tolower((unsigned char)*q) - 'a' + 10);
		else
			return; /* a float, or libconfig's syntax error */
		if (v > (UINT64_MAX - d) / (hex ? 16 : 10))
			ok = false;
		else
			v = v * (hex ? 16 : 10) + d;
	}
	if (hex)
		limit = wide ? INT64_MAX : INT32_MAX;
	else
		limit = wide ? (uint64_t)INT64_MAX + neg
			     : (uint64_t)INT32_MAX + neg;
	if (ok && v <= limit)
		return;
	problem(lx, "%.*s is out of range (%s)",
	    (int)(lx->p - s > 64 ? 64 : lx->p - s), s,
	    wide ? "an integer is at most 9223372036854775807"
		 : "at most 2147483647; write a size as \"64M\", a duration "
		   "as \"10m\"");
}

int
config_raw_check(
    const char *file, const char *data, size_t len, struct buf *errors)
{
	struct lexer lx = { .file = file,
		.p = data,
		.end = data + len,
		.line = 1,
		.errors = errors };
	const char *nul = memchr(data, '\0', len);

	if (nul != NULL) {
		for (const char *q = data; q < nul; q++)
			lx.line += *q == '\n';
		problem(&lx,
		    "a NUL byte: a config is text (libconfig would stop "
		    "reading there)");
		return lx.n_errors;
	}
	while (lx.p < lx.end) {
		char c = *lx.p;

		if (c == '\n') {
			lx.line++;
			lx.p++;
		} else if (c == '"') {
			lex_string(&lx);
		} else if (lex_comment(&lx)) {
			continue;
		} else if (name_start(c)) {
			lex_name(&lx);
		} else if (isdigit((unsigned char)c) ||
		    ((c == '-' || c == '+') && lx.p + 1 < lx.end &&
			isdigit((unsigned char)lx.p[1]))) {
			lex_number(&lx);
		} else if (c == '{' || c == '(' || c == '[') {
			if (lx.depth < RAW_MAX_DEPTH) {
				struct level *lv = &lx.stack[++lx.depth];

				memcpy(lv->name, lx.pending, sizeof(lv->name));
				lv->settings = 0;
				lv->reported = false;
			} else {
				lx.overflow++;
			}
			lx.pending[0] = '\0';
			lx.p++;
		} else if (c == '}' || c == ')' || c == ']') {
			if (lx.overflow > 0)
				lx.overflow--;
			else if (lx.depth > 0)
				lx.depth--;
			lx.pending[0] = '\0';
			lx.p++;
		} else {
			if (c == ';' || c == ',')
				lx.pending[0] = '\0';
			lx.p++;
		}
	}
	return lx.n_errors;
}
