/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repeats.c owns the `repeats` item: where the crashes merged into one
 * dump came from (see repeats.h for its format).
 */
#include "repeats.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dump_tsv.h"
#include "escape.h"

/* The item is small: 3 kinds of 16 values of at most 256 bytes. */
#define REPEATS_ITEM_CAP (64 * 1024)

const char *const repeats_kind_names[_REPEATS_KIND_MAX] = {
	[REPEATS_HOSTNAME] = "hostname",
	[REPEATS_CONTAINER] = "container",
	[REPEATS_UID] = "uid",
};

void
repeats_init(struct repeats *rp)
{
	memset(rp, 0, sizeof(*rp));
}

/*
 * Copies n bytes into dst (size > REPEATS_VALUE_MAX) as printable ASCII:
 * any other byte as \xNN, cut (never inside an escape) at
 * REPEATS_VALUE_MAX bytes.
 */
static void
copy_printable(char *dst, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f) {
			if (o + 1 > REPEATS_VALUE_MAX)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 > REPEATS_VALUE_MAX)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
}

static int
kind_of(const struct dump_tsv_field *f)
{
	for (int k = 0; k < _REPEATS_KIND_MAX; k++)
		if (f->len == strlen(repeats_kind_names[k]) &&
		    memcmp(f->s, repeats_kind_names[k], f->len) == 0)
			return k;
	return -1;
}

static bool
is_field(const struct dump_tsv_field *f, const char *word)
{
	return f->len == strlen(word) && memcmp(f->s, word, f->len) == 0;
}

/* Counts saturate here (a tampered item may hold any number). */
#define REPEATS_COUNT_MAX (UINT64_C(1) << 50)

static uint64_t
sum(uint64_t a, uint64_t b)
{
	return a >= REPEATS_COUNT_MAX || b >= REPEATS_COUNT_MAX - a
	    ? REPEATS_COUNT_MAX
	    : a + b;
}

/* Adds count crashes of value (printable, at most REPEATS_VALUE_MAX). */
static void
account(struct repeats *rp, int kind, const char *value, uint64_t count)
{
	size_t n = rp->n[kind];

	for (size_t i = 0; i < n; i++) {
		struct repeats_value *v = &rp->values[kind][i];

		if (strcmp(v->text, value) == 0) {
			v->count = sum(v->count, count);
			return;
		}
	}
	if (n == REPEATS_MAX) {
		rp->more[kind] = sum(rp->more[kind], count);
		return;
	}
	count = sum(count, 0);
	snprintf(rp->values[kind][n].text, sizeof(rp->values[kind][n].text),
	    "%s", value);
	rp->values[kind][n].count = count;
	rp->n[kind]++;
}

void
repeats_parse(const char *text, struct repeats *rp)
{
	struct dump_tsv_field f[3];
	struct dump_tsv t;
	char value[REPEATS_VALUE_MAX + 1];

	repeats_init(rp);
	dump_tsv_init(&t, text);
	while (dump_tsv_next(&t, f, 3) > 0) {
		long long count;
		int kind;

		if (is_field(&f[0], "last")) {
			copy_printable(value, f[1].s,
			    f[1].len < REPEATS_NAME_MAX ? f[1].len
							: REPEATS_NAME_MAX);
			snprintf(rp->last, sizeof(rp->last), "%s", value);
			continue;
		}
		if (is_field(&f[0], "more")) {
			kind = kind_of(&f[1]);
			count = dump_tsv_number(&f[2], -1);
			if (kind >= 0 && count > 0)
				rp->more[kind] =
				    sum(rp->more[kind], (uint64_t)count);
			continue;
		}
		kind = kind_of(&f[0]);
		count = dump_tsv_number(&f[1], -1);
		if (kind < 0 || count <= 0)
			continue;
		copy_printable(value, f[2].s, f[2].len);
		account(rp, kind, value, (uint64_t)count);
	}
}

/* One kind's value of d, escaped as the item keeps it. */
static int
value_of(const struct dump *d, int kind, char value[REPEATS_VALUE_MAX + 1])
{
	struct buf b;
	int r = 0;

	switch ((enum repeats_kind)kind) {
	case REPEATS_HOSTNAME:
		/* Raw bytes from the kernel's %h. */
		buf_init(&b, 0);
		r = escape_c(&b, d->hostname, strlen(d->hostname));
		if (r >= 0)
			copy_printable(value, b.data ? b.data : "", b.len);
		buf_done(&b);
		break;
	case REPEATS_CONTAINER:
		/* Text the hook escaped already ("runtime id"). */
		copy_printable(value, d->container, strlen(d->container));
		break;
	case REPEATS_UID:
		if (d->uid >= 0)
			snprintf(value, REPEATS_VALUE_MAX + 1, "%lld", d->uid);
		else
			value[0] = '\0';
		break;
	case _REPEATS_KIND_MAX:
		break;
	}
	return r;
}

int
repeats_add(struct repeats *rp, const struct dump *d)
{
	char value[_REPEATS_KIND_MAX][REPEATS_VALUE_MAX + 1];
	int r;

	if (strcmp(rp->last, d->name) == 0)
		return 0;
	/* All or nothing: a failure leaves rp as it was. */
	for (int k = 0; k < _REPEATS_KIND_MAX; k++) {
		r = value_of(d, k, value[k]);
		if (r < 0)
			return r;
	}
	for (int k = 0; k < _REPEATS_KIND_MAX; k++)
		account(rp, k, value[k], 1);
	snprintf(rp->last, sizeof(rp->last), "%s", d->name);
	return 1;
}

int
repeats_format(const struct repeats *rp, struct buf *out)
{
	int r = 0;

	if (rp->last[0])
		r = buf_printf(out, "last\t%s\n", rp->last);
	for (int k = 0; k < _REPEATS_KIND_MAX && r >= 0; k++) {
		for (size_t i = 0; i < rp->n[k] && r >= 0; i++)
			r = buf_printf(out, "%s\t%" PRIu64 "\t%s\n",
			    repeats_kind_names[k], rp->values[k][i].count,
			    rp->values[k][i].text);
		if (r >= 0 && rp->more[k] > 0)
			r = buf_printf(out, "more\t%s\t%" PRIu64 "\n",
			    repeats_kind_names[k], rp->more[k]);
	}
	return r < 0 ? r : 0;
}

uint64_t
repeats_total(const struct repeats *rp)
{
	uint64_t n = rp->more[REPEATS_HOSTNAME];

	for (size_t i = 0; i < rp->n[REPEATS_HOSTNAME]; i++)
		n = sum(n, rp->values[REPEATS_HOSTNAME][i].count);
	return n;
}

int
repeats_describe(
    const struct repeats *rp, enum repeats_kind kind, struct buf *out)
{
	int r = 0;

	for (size_t i = 0; i < rp->n[kind] && r >= 0; i++) {
		const struct repeats_value *v = &rp->values[kind][i];

		r = buf_printf(out, "%s%s (%" PRIu64 ")", i > 0 ? ", " : "",
		    v->text[0] ? v->text : "none", v->count);
	}
	if (r >= 0 && rp->more[kind] > 0)
		r = buf_printf(out, "%s%" PRIu64 " more with other %ss",
		    rp->n[kind] > 0 ? ", and " : "", rp->more[kind],
		    repeats_kind_names[kind]);
	return r < 0 ? r : 0;
}

int
repeats_read(const struct dump *d, struct repeats *rp)
{
	char *text = NULL;
	int r;

	repeats_init(rp);
	r = dump_read_item(d, DUMP_ITEM_REPEATS, REPEATS_ITEM_CAP, &text);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return 0;
	repeats_parse(text, rp);
	free(text);
	return 1;
}
