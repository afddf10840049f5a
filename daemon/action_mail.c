/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_mail.c: the mail action (queued; see action.h).  render() builds
 * the whole message once, from the dump as it is when the action runs: the
 * headers (From, To, Subject, Date, a Message-ID derived from the event's
 * id, MIME), the body (mail_body.c) as quoted-printable UTF-8 text and,
 * when attach_core is set, the core as a base64 part.  send() is one
 * attempt at handing it over (mail_send.c), in the delivery queue's child.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "fsutil.h"
#include "mail_address.h"
#include "mail_body.h"
#include "mail_msg.h"
#include "mail_send.h"
#include "mail_subject.h"
#include "units.h"

/* What became of the core for the mail: its bytes, or why there are none. */
struct core_part {
	const char *item; /* core.gz or core.mini, NULL: none */
	struct buf data; /* when attached */
	bool attached;
	char note[256];
};

/*
 * Reads the dump's core when it is at most attach_max bytes and, base64
 * encoded, fits in a payload of payload_max (BUF_DEFAULT_MAX when 0): the
 * daemon never holds more.  Never fails the mail: anything that keeps the
 * core out is said in the note.
 */
static void
core_read(const struct dump *d, const struct action_config *ac,
    size_t payload_max, struct core_part *c)
{
	static const char *const items[] = { DUMP_ITEM_CORE_GZ,
		DUMP_ITEM_CORE_MINI };
	uint64_t fits = (payload_max ? payload_max : BUF_DEFAULT_MAX) / 4 * 3;
	char size[16], max[16];
	struct stat st;
	int fd = -1, r;

	/* Room for the text and headers: 1/16 of the payload. */
	fits -= fits / 16;
	buf_init(&c->data, 0);
	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]); i++) {
		fd = openat(d->dirfd, items[i],
		    O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
		if (fd >= 0 || errno != ENOENT) {
			c->item = items[i];
			break;
		}
	}
	if (c->item == NULL) {
		snprintf(c->note, sizeof(c->note), "none kept");
		return;
	}
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(c->note, sizeof(c->note), "%s, unreadable (%s)",
		    c->item, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(c->note, sizeof(c->note),
		    "%s, not a regular file, ignored", c->item);
		goto out;
	}
	units_format_size((uint64_t)st.st_size, size, sizeof(size));
	if (!ac->attach_core) {
		snprintf(c->note, sizeof(c->note), "%s, %s: crashd-cli core %s",
		    c->item, size, d->name);
		goto out;
	}
	units_format_size(ac->attach_max, max, sizeof(max));
	if ((uint64_t)st.st_size > ac->attach_max) {
		snprintf(c->note, sizeof(c->note),
		    "%s, %s: larger than attach_max (%s), not attached; "
		    "crashd-cli core %s",
		    c->item, size, max, d->name);
		goto out;
	}
	if ((uint64_t)st.st_size > fits) {
		snprintf(c->note, sizeof(c->note),
		    "%s, %s: too big to queue as an attachment, not "
		    "attached; crashd-cli core %s",
		    c->item, size, d->name);
		goto out;
	}
	buf_init(&c->data, (size_t)st.st_size + 1); /* (it is empty) */
	r = read_fd_capped(fd, (size_t)st.st_size, &c->data);
	if (r != 0) {
		snprintf(c->note, sizeof(c->note),
		    "%s: %s, not attached; crashd-cli core %s", c->item,
		    r > 0 ? "changed while read" : strerror(-r), d->name);
		buf_reset(&c->data);
		goto out;
	}
	c->attached = true;
	snprintf(c->note, sizeof(c->note), "%s, %s, attached", c->item, size);
out:
	safe_close(fd);
}

/* The attachment's file name: the dump's, with only safe bytes. */
static int
put_filename(struct buf *out, const struct dump *d, const char *item)
{
	int r = 0;

	for (const char *p = d->name; *p && r >= 0; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '.' || c == '-'))
			c = '_';
		r = buf_putc(out, c);
	}
	return r < 0 ? r : buf_printf(out, ".%s", item);
}

/* The address the mail is from: ac->from, or crashd@<this host>. */
static int
from_address(const struct action_config *ac, struct buf *out)
{
	int r;

	if (ac->from)
		return mail_address_valid(ac->from) ? buf_puts(out, ac->from)
						    : -EINVAL;
	r = buf_puts(out, "crashd@");
	return r < 0 ? r : mail_msg_local_domain(out);
}

/* A MIME boundary that neither quoted-printable nor base64 can contain. */
static void
boundary_of(const char *id, char *out, size_t size)
{
	unsigned long long h = 0xcbf29ce484222325ULL;

	for (const char *p = id; *p; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
	snprintf(out, size, "=_crashd_%016llx", h);
}

static int
put_headers(const struct action_config *ac, const struct action_event *ev,
    const char *host, struct buf *m)
{
	const struct dump *d = ev->dump;
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = from_address(ac, &b);
	if (r >= 0)
		r = buf_printf(m, "From: %s\r\n", b.data);
	if (r >= 0)
		r = mail_msg_header_addresses(m, "To", ac->to);
	buf_reset(&b);
	if (r >= 0)
		r = mail_subject(ac, ev, &b);
	if (r >= 0)
		r = mail_msg_header(m, "Subject", b.data ? b.data : "", b.len);
	if (r >= 0)
		r = buf_puts(m, "Date: ");
	if (r >= 0)
		r = mail_msg_date(m, time(NULL));
	if (r >= 0)
		r = buf_puts(m, "\r\nMessage-ID: ");
	if (r >= 0)
		r = mail_msg_message_id(m, ev->id, host);
	if (r >= 0)
		r = buf_puts(m, "\r\nAuto-Submitted: auto-generated\r\n");
	if (r >= 0 && d)
		r = mail_msg_header(m, "X-Crashd-Id", d->name, strlen(d->name));
	if (r >= 0)
		r = mail_msg_header(
		    m, "X-Crashd-Event", ev->event, strlen(ev->event));
	if (r >= 0 && d)
		r = mail_msg_header(m, "X-Crashd-Signal", d->signal_name,
		    strlen(d->signal_name));
	if (r >= 0)
		r = buf_puts(m, "MIME-Version: 1.0\r\n");
	buf_done(&b);
	return r;
}

static const char text_part_headers[] =
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Transfer-Encoding: quoted-printable\r\n";

static int
put_core_part(const struct dump *d, const struct core_part *c,
    const char *boundary, struct buf *m)
{
	const char *type = strcmp(c->item, DUMP_ITEM_CORE_GZ) == 0
	    ? "application/gzip"
	    : "application/octet-stream";
	struct buf name;
	int r;

	buf_init(&name, 0);
	r = put_filename(&name, d, c->item);
	if (r >= 0)
		r = buf_printf(m,
		    "\r\n--%s\r\n"
		    "Content-Type: %s; name=\"%s\"\r\n"
		    "Content-Disposition: attachment; filename=\"%s\"\r\n"
		    "Content-Transfer-Encoding: base64\r\n\r\n",
		    boundary, type, name.data, name.data);
	if (r >= 0)
		r = mail_msg_base64(m, c->data.data, c->data.len);
	buf_done(&name);
	return r;
}

/* The whole message into m.  Returns 0 or -errno (-E2BIG: over m's cap). */
static int
compose(const struct action_config *ac, const struct action_event *ev,
    struct core_part *core, struct buf *m)
{
	char boundary[48];
	struct buf host, text;
	int r;

	buf_init(&host, 0);
	buf_init(&text, 0);
	r = mail_msg_local_domain(&host);
	if (r >= 0)
		r = ev->dump ? mail_body(ac, ev, core->note, &text)
			     : mail_body_host(ac, ev, &text);
	if (r >= 0)
		r = put_headers(ac, ev, host.data, m);
	boundary_of(ev->id, boundary, sizeof(boundary));
	if (r >= 0 && core->attached)
		r = buf_printf(m,
		    "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n"
		    "This is a crash report in MIME format, with the core "
		    "attached.\r\n\r\n--%s\r\n%s\r\n",
		    boundary, boundary, text_part_headers);
	else if (r >= 0)
		r = buf_printf(m, "%s\r\n", text_part_headers);
	if (r >= 0)
		r = mail_msg_qp(m, text.data ? text.data : "", text.len);
	if (r >= 0 && core->attached)
		r = put_core_part(ev->dump, core, boundary, m);
	if (r >= 0 && core->attached)
		r = buf_printf(m, "\r\n--%s--\r\n", boundary);
	buf_done(&host);
	buf_done(&text);
	return r;
}

static int
render(const struct action_config *ac, const struct action_event *ev,
    struct buf *payload, struct buf *detail)
{
	struct core_part core = { 0 };
	struct buf m;
	int r;

	buf_init(&m, payload->max);
	if (ev->dump)
		core_read(ev->dump, ac, payload->max, &core);
	r = compose(ac, ev, &core, &m);
	if (r == -E2BIG && core.attached) {
		/* Too big for the queue with the core: without it then. */
		snprintf(core.note, sizeof(core.note),
		    "%s, too big to queue as an attachment, not attached; "
		    "crashd-cli core %s",
		    core.item, ev->dump->name);
		core.attached = false;
		buf_reset(&m);
		r = compose(ac, ev, &core, &m);
	}
	if (r >= 0)
		r = buf_append(payload, m.data ? m.data : "", m.len);
	if (r < 0)
		buf_printf(
		    detail, "cannot build the message: %s", strerror(-r));
	buf_done(&core.data);
	buf_done(&m);
	return r < 0 ? r : 0;
}

static enum send_result
send_one(const struct action_config *ac, const char *id, const char *payload,
    size_t len, struct buf *detail)
{
	enum send_result res;
	struct buf from;
	int r;

	(void)id; /* the Message-ID in the payload carries it */
	buf_init(&from, 0);
	r = from_address(ac, &from);
	if (r < 0) {
		buf_printf(detail, "no sender address: %s", strerror(-r));
		buf_done(&from);
		return SEND_DEAD;
	}
	if (ac->smtp)
		res = mail_send_smtp(ac, from.data, payload, len, detail);
	else
		res = mail_send_sendmail(ac, from.data, payload, len, detail);
	buf_done(&from);
	return res;
}

const struct action_ops action_mail_ops = {
	.type = ACTION_MAIL,
	.render = render,
	.send = send_one,
};
