/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_webhook.c: the webhook action (queued; see action.h).  render()
 * reads what the body needs from the dump and builds it in the configured
 * format (webhook_json.c); send() makes one attempt at posting it
 * (webhook_send.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "action.h"
#include "crash_site.h"
#include "fsutil.h"
#include "repeats.h"
#include "webhook_json.h"
#include "webhook_send.h"

/* backtrace_frames of 256 threads of 64 frames: read it all. */
#define FRAMES_CAP (1024 * 1024)
#define PACKAGE_CAP 512

/* The items a body reads, each freed after rendering. */
enum {
	I_COMM,
	I_USERNAME,
	I_CWD,
	I_KERNEL,
	I_START_TIME,
	I_BACKTRACE,
	I_FRAMES,
	I_PTREE,
	I_CMDLINE,
	I_PACKAGE,
	I_DUPHASH,
	I_MAX,
};

/*
 * An item's text, "" when absent or unreadable; kept in *slot.  Out of
 * memory is no missing item: *err says so (a body without it is wrong).
 */
static const char *
item(const struct dump *d, const char *name, size_t cap, char **slot, int *err)
{
	int r = dump_read_item(d, name, cap, slot);

	if (r < 0)
		*slot = NULL;
	if (r == -ENOMEM)
		*err = r;
	return *slot ? *slot : "";
}

/* A number item, or -1 when absent or malformed (*err: out of memory). */
static long long
item_number(const struct dump *d, const char *name, int *err)
{
	char *v = NULL, *end;
	long long n;
	int r = dump_read_item(d, name, 64, &v);

	if (r == -ENOMEM)
		*err = r;
	if (r < 0)
		return -1;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end != '\0' || n < 0)
		n = -1;
	free(v);
	return n;
}

/* Says why the body of ac's format could not be rendered (r). */
static void
render_failed(const struct action_config *ac, int r, struct buf *detail)
{
	const char *format = webhook_format_to_string(ac->format);

	buf_printf(detail, "render the %s body: %s",
	    format ? format : "unknown",
	    r == -E2BIG ? "too large" : strerror(-r));
}

/* A host event's body (no dump). */
static int
render_host(const struct action_config *ac, const struct action_event *ev,
    struct buf *payload, struct buf *detail)
{
	const struct action_host_event *h = ev->host;
	struct webhook_host w = { .event_id = ev->id ? ev->id : "",
		.event = h->kind,
		.summary = ev->summary ? ev->summary : "",
		.action = ac->name ? ac->name : "",
		.hostname = h->hostname,
		.pattern = h->pattern,
		.owner = h->owner,
		.ours = h->ours,
		.time = h->time,
		.reclaimed = h->reclaimed };
	int r;

	r = webhook_json_render_host(ac->format, &w, payload);
	if (r < 0)
		render_failed(ac, r, detail);
	return r;
}

static int
render(const struct action_config *ac, const struct action_event *ev,
    struct buf *payload, struct buf *detail)
{
	const struct dump *d = ev->dump;
	struct webhook_crash c = { 0 };
	struct dump_core core;
	char *v[I_MAX] = { NULL };
	struct repeats *rp = NULL;
	char *deleted = NULL;
	struct buf where;
	size_t len = 0;
	int r, err = 0;

	if (d == NULL)
		return render_host(ac, ev, payload, detail);
	c.event_id = ev->id ? ev->id : "";
	c.event = ev->event ? ev->event : "";
	c.summary = ev->summary ? ev->summary : "";
	c.action = ac->name ? ac->name : "";
	c.dump_path = ev->dump_path ? ev->dump_path : "";
	c.count = ev->count;
	c.held_back = ev->held_back;

	c.name = d->name;
	c.executable = d->executable;
	c.hostname = d->hostname;
	c.reason = d->reason;
	c.kind = dump_kind_names[d->kind];
	c.container = d->container;
	c.signal_name = d->signal_name;
	c.signature = d->signature;
	c.signal = d->signal;
	c.time = d->time;
	c.pid = d->pid > 0 ? d->pid : -1;
	c.uid = d->uid;
	c.comm = item(d, DUMP_ITEM_COMM, DUMP_ITEM_CAP, &v[I_COMM], &err);
	c.username =
	    item(d, DUMP_ITEM_USERNAME, DUMP_ITEM_CAP, &v[I_USERNAME], &err);
	c.cwd = item(d, DUMP_ITEM_CWD, DUMP_ITEM_CAP, &v[I_CWD], &err);
	c.kernel = item(d, DUMP_ITEM_KERNEL, DUMP_ITEM_CAP, &v[I_KERNEL], &err);
	c.start_time = item(
	    d, DUMP_ITEM_START_TIME, DUMP_ITEM_CAP, &v[I_START_TIME], &err);
	c.backtrace =
	    item(d, DUMP_ITEM_BACKTRACE, FRAMES_CAP, &v[I_BACKTRACE], &err);
	c.frames =
	    item(d, DUMP_ITEM_BACKTRACE_FRAMES, FRAMES_CAP, &v[I_FRAMES], &err);
	c.ptree = item(d, DUMP_ITEM_PTREE, DUMP_ITEM_CAP, &v[I_PTREE], &err);
	c.duphash = item(d, DUMP_ITEM_DUPHASH, 128, &v[I_DUPHASH], &err);
	buf_init(&where, 0);
	r = crash_site_of_dump(d, &where);
	if (r == -ENOMEM)
		err = r;
	c.where = where.data ? where.data : "";
	/* Raw bytes, NUL-separated, as the kernel gave them. */
	r = read_file_at(
	    d->dirfd, DUMP_ITEM_CMDLINE, DUMP_ITEM_CAP, &v[I_CMDLINE], &len);
	if (r < 0) {
		if (r == -ENOMEM)
			err = r;
		v[I_CMDLINE] = NULL;
		len = 0;
	}
	c.cmdline = v[I_CMDLINE] ? v[I_CMDLINE] : "";
	c.cmdline_len = len;
	c.ns_pid = item_number(d, DUMP_ITEM_NS_PID, &err);
	c.tid = item_number(d, DUMP_ITEM_TID, &err);
	c.gid = item_number(d, DUMP_ITEM_GID, &err);
	r = dump_read_item(d, DUMP_ITEM_EXECUTABLE_DELETED, 16, &deleted);
	c.executable_deleted = r == 0;
	if (r == -ENOMEM)
		err = r;
	free(deleted);
	r = dump_core(d, &core);
	if (r == -ENOMEM)
		err = r;
	if (r < 0)
		core = (struct dump_core){ DUMP_CORE_NONE, NULL, -1, false };
	c.core = dump_core_state(&core);
	c.core_size = core.size;

	c.package =
	    item(d, DUMP_ITEM_PACKAGE, PACKAGE_CAP, &v[I_PACKAGE], &err);
	rp = malloc(sizeof(*rp));
	if (rp == NULL)
		err = -ENOMEM;
	else if ((r = repeats_read(d, rp)) > 0)
		c.repeats = rp;
	else if (r < 0)
		err = r;

	r = err < 0 ? err : webhook_json_render(ac->format, &c, payload);
	if (r < 0)
		render_failed(ac, r, detail);
	for (size_t i = 0; i < I_MAX; i++)
		free(v[i]);
	free(rp);
	buf_done(&where);
	return r;
}

const struct action_ops action_webhook_ops = {
	.type = ACTION_WEBHOOK,
	.render = render,
	.send = webhook_send,
};
