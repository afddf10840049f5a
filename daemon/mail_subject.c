/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail_subject.c owns a mail's subject: the template's {fields} replaced
 * by the dump's raw bytes, a kernel report's and a host event's own, cut
 * on a character boundary (mail_subject.h).
 */
#include "mail_subject.h"

#include <string.h>

#include "config.h"
#include "items.h"
#include "mail_msg.h"
#include "mail_text.h"

/* The raw bytes a {field} of the subject stands for. */
static int
subject_field(
    const struct action_event *ev, const char *f, size_t n, struct buf *out)
{
	const struct dump *d = ev->dump;
	char *v;
	int r = 0;

#define IS(name) (n == strlen(name) && memcmp(f, name, n) == 0)
	if (IS("reason"))
		return mail_msg_unescape(out, d->reason, strlen(d->reason));
	if (IS("hostname"))
		return buf_puts(out, d->hostname);
	if (IS("executable"))
		return buf_puts(out, d->executable);
	if (IS("comm")) {
		v = mail_text_item(d, DUMP_ITEM_COMM, true, NULL, NULL, &r);
		if (r >= 0)
			r = buf_puts(out, v);
		mail_text_item_free(v);
		return r;
	}
	if (IS("signal"))
		return buf_printf(out, "%d", d->signal);
	if (IS("signal_name"))
		return buf_puts(out, d->signal_name);
	if (IS("pid"))
		return buf_printf(out, "%ld", d->pid);
	if (IS("uid"))
		return d->uid >= 0 ? buf_printf(out, "%lld", d->uid)
				   : buf_puts(out, "?");
	if (IS("count"))
		return buf_printf(out, "%llu", (unsigned long long)ev->count);
	if (IS("event"))
		return buf_puts(out, ev->event);
	if (IS("id"))
		return buf_puts(out, d->name);
#undef IS
	/* config_mail.c refuses other names; keep one as it is written. */
	r = buf_putc(out, '{');
	if (r >= 0)
		r = buf_append(out, f, n);
	return r < 0 ? r : buf_putc(out, '}');
}

/*
 * A kernel report's subject when none is configured: "[crashd] kernel
 * oops on HOST: REASON" rather than a crash's.
 */
static const char *
kernel_subject(const struct dump *d)
{
	switch (d->kind) {
	case DUMP_KIND_OOM:
		return "[crashd] OOM kill on {hostname}: {reason}";
	case DUMP_KIND_PANIC:
		return "[crashd] kernel panic on {hostname}: {reason}";
	default:
		return "[crashd] kernel oops on {hostname}: {reason}";
	}
}

int
mail_subject(const struct action_config *ac, const struct action_event *ev,
    struct buf *out)
{
	const char *tpl = ac->subject ? ac->subject
	    : ev->dump && DUMP_KIND_IS_KERNEL(ev->dump->kind)
	    ? kernel_subject(ev->dump)
	    : CONFIG_DEFAULT_SUBJECT;
	struct buf s;
	size_t cut;
	int r = 0;

	/* The template's fields are a crash's: a host event says its own. */
	if (ev->host) {
		r = buf_printf(out, "[crashd] %s: ",
		    strcmp(ev->host->kind, "unregistered") == 0
			? "no longer the crash handler"
			: "the crash handler again");
		return r < 0 ? r
			     : buf_append(out, ev->host->hostname,
				   strnlen(ev->host->hostname, 64));
	}
	buf_init(&s, 0);
	for (const char *p = tpl; *p && r >= 0 && s.len <= MAIL_SUBJECT_MAX;) {
		const char *end = p[0] == '{' ? strchr(p, '}') : NULL;

		if (end) {
			r = subject_field(ev, p + 1, (size_t)(end - p - 1), &s);
			p = end + 1;
		} else {
			r = buf_putc(&s, *p++);
		}
	}
	if (r >= 0) {
		cut = s.len;
		if (cut > MAIL_SUBJECT_MAX) {
			/* Not inside a UTF-8 character. */
			cut = MAIL_SUBJECT_MAX;
			for (int k = 0; k < 3 && cut > 0 &&
			     ((unsigned char)s.data[cut] & 0xc0) == 0x80;
			     k++)
				cut--;
		}
		r = buf_append(out, s.data ? s.data : "", cut);
		if (r >= 0 && cut < s.len)
			r = buf_puts(out, "...");
	}
	buf_done(&s);
	return r;
}
