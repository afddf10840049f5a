/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mail_body.c owns what a crash mail says: the body's text (the subject
 * is mail_subject.c's, a kernel report's facts mail_kernel.c's), laid out as
 * `crashd-cli info` lays out a dump (the layout operators already know), most
 * urgent first.  Every byte of the dump is untrusted: raw items (executable,
 * cwd, cmdline, environ...) are made visible with mail_msg_visible() or quoted
 * for a shell; items the hook or the daemon already escaped (reason, ptree,
 * backtrace...) keep their escapes, and any byte no escaper writes is escaped
 * again.  How text is written and items read is mail_text.c's; what is written,
 * in which order, is this file's.
 */
#include "mail_body.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "crash_site.h"
#include "dump_tsv.h"
#include "escape.h"
#include "items.h"
#include "mail_kernel.h"
#include "mail_msg.h"
#include "mail_text.h"
#include "redact.h"
#include "repeats.h"

/* Frames of the crashing thread shown first. */
#define TOP_FRAMES 8
#define ANCESTRY_MAX 64
/* The package item is "NAME VERSION" (package.h): a longer one is no such. */
#define PACKAGE_SHOWN_MAX 300

/* The first line: what crashed where, or what a digest sums up. */
static void
put_headline(struct mail_text *t, const struct action_event *ev)
{
	const struct dump *d = ev->dump;

	if (strcmp(ev->event, "digest") == 0 && ev->summary[0]) {
		mail_text_puts(t, "Digest: ");
		mail_text_visible(t, ev->summary, strlen(ev->summary));
		mail_text_puts(t,
		    ".\nThey were held back by the rate limit; what "
		    "follows is one of them.\n\n");
		return;
	}
	if (d->reason[0]) {
		mail_text_unescaped(t, d->reason, strlen(d->reason));
	} else {
		mail_text_visible(t,
		    d->executable[0] ? d->executable : "A process",
		    strlen(d->executable[0] ? d->executable : "A process"));
		mail_text_puts(t, " crashed");
	}
	mail_text_puts(t, " on ");
	mail_text_visible(t, d->hostname[0] ? d->hostname : "?",
	    strlen(d->hostname[0] ? d->hostname : "?"));
	mail_text_puts(t, ".\n");
	if (d->kind == DUMP_KIND_SNAPSHOT)
		mail_text_puts(t,
		    "A snapshot: the process took it and goes on "
		    "running.\n");
	if (strcmp(ev->event, "first") == 0)
		mail_text_printf(t, "The first %s of its kind.\n",
		    DUMP_KIND_IS_KERNEL(d->kind) ? "report"
						 : dump_kind_names[d->kind]);
	else if (strcmp(ev->event, "every") == 0)
		mail_text_printf(t, "%s number %llu of its kind.\n",
		    d->kind == DUMP_KIND_SNAPSHOT      ? "Snapshot"
			: DUMP_KIND_IS_KERNEL(d->kind) ? "Report"
						       : "Crash",
		    (unsigned long long)ev->count);
	else if (strcmp(ev->event, "regression") == 0)
		mail_text_puts(t,
		    "Back after a quiet time: the first crash of its "
		    "kind in a while.\n");
	else
		mail_text_printf(t, "Event: %.64s.\n", ev->event);
	mail_text_puts(t, "\n");
}

/*
 * The crash site: the first frame of the program's own code
 * (crash_site.h), or why there is none.
 */
static void
put_where_line(struct mail_text *t, const struct dump *d, const char *bt)
{
	struct buf w;
	int r;

	mail_text_label(t, "where");
	buf_init(&w, 0);
	r = crash_site_of_dump(d, &w);
	if (r == -ENOMEM && t->r >= 0)
		t->r = r;
	if (r > 0) {
		mail_text_escaped(t, w.data, w.len);
		mail_text_puts(t, "\n");
	} else if (bt[0] == '\0') {
		mail_text_puts(
		    t, "unknown (no backtrace: the dump has no core)\n");
	} else if (strncmp(bt, "Thread ", 7) == 0) {
		mail_text_puts(t, "unknown (the backtrace has no frames)\n");
	} else {
		/* The backtrace step said why it has none. */
		mail_text_escaped(t, bt, mail_text_line_len(bt));
		mail_text_puts(t, "\n");
	}
	buf_done(&w);
}

/* "package     coreutils 9.1-1", when the daemon found one. */
static void
put_package(struct mail_text *t, const struct dump *d)
{
	size_t len;
	char *v;

	v = mail_text_item(d, DUMP_ITEM_PACKAGE, true, &len, NULL, &t->r);
	if (len > 0 && len <= PACKAGE_SHOWN_MAX && !memchr(v, '\n', len)) {
		mail_text_label(t, "package");
		mail_text_escaped(t, v, len);
		mail_text_puts(t, "\n");
	}
	mail_text_item_free(v);
}

static void
put_facts(struct mail_text *t, const struct action_event *ev, const char *bt)
{
	const struct dump *d = ev->dump;
	size_t len;
	bool cut;
	char *v;

	mail_text_label(t, "executable");
	mail_text_visible(t, d->executable, strlen(d->executable));
	v = mail_text_item(
	    d, DUMP_ITEM_EXECUTABLE_DELETED, true, NULL, NULL, &t->r);
	if (v[0])
		mail_text_puts(t, " (deleted while it ran)");
	mail_text_item_free(v);
	mail_text_puts(t, "\n");
	put_package(t, d);
	put_where_line(t, d, bt);
	mail_text_label(t, "time");
	mail_text_time(t, d->time);
	mail_text_puts(t, "\n");
	mail_text_label(t, "signal");
	mail_text_printf(t, "%s (%d)\n", d->signal_name, d->signal);

	mail_text_label(t, "argv");
	v = mail_text_item(d, DUMP_ITEM_CMDLINE, false, &len, &cut, &t->r);
	if (len == 0)
		mail_text_puts(t, "(none: the process had no command line)");
	else if (t->r >= 0)
		t->r = escape_argv(t->b, v, len);
	if (cut)
		mail_text_puts(t, " ... (cut)");
	mail_text_puts(t, "\n");
	mail_text_item_free(v);

	mail_text_label(t, "cwd");
	v = mail_text_item(d, DUMP_ITEM_CWD, true, &len, NULL, &t->r);
	mail_text_visible(t, v, len);
	mail_text_puts(t, "\n");
	mail_text_item_free(v);

	mail_text_label(t, "user");
	v = mail_text_item(d, DUMP_ITEM_USERNAME, true, &len, NULL, &t->r);
	if (len > 0)
		mail_text_visible(t, v, len);
	else
		mail_text_puts(t, "?");
	mail_text_item_free(v);
	v = mail_text_item(d, DUMP_ITEM_GID, true, &len, NULL, &t->r);
	if (d->uid >= 0)
		mail_text_printf(t, " (uid %lld", d->uid);
	else
		mail_text_puts(t, " (uid ?");
	if (len > 0) {
		mail_text_puts(t, ", gid ");
		mail_text_visible(t, v, len);
	}
	mail_text_puts(t, ")\n");
	mail_text_item_free(v);

	if (d->container[0]) {
		mail_text_label(t, "container");
		mail_text_escaped(t, d->container, strlen(d->container));
		mail_text_puts(t, "\n");
	}
	mail_text_puts(t, "\n");
}

/*
 * The crashing thread's first frames: the backtrace lists it first,
 * "Thread TID (crashed):" and its "#N" lines.  Returns true when the
 * backtrace has more than what was shown.
 */
static bool
put_top_frames(struct mail_text *t, const char *bt)
{
	const char *p = bt;
	unsigned shown = 0;
	bool more = false;
	size_t n;

	if (strncmp(bt, "Thread ", 7) != 0)
		return false;
	/* "Where it died: Thread 29902 (crashed)" */
	n = mail_text_line_len(bt);
	mail_text_puts(t, "Where it died: ");
	mail_text_escaped(t, bt, n > 0 && bt[n - 1] == ':' ? n - 1 : n);
	mail_text_puts(t, "\n");
	for (p = mail_text_next_line(bt); *p; p = mail_text_next_line(p)) {
		if (p[0] != '#') {
			more = more || p[0] != '\0';
			break;
		}
		if (shown == TOP_FRAMES) {
			more = true;
			break;
		}
		mail_text_puts(t, "  ");
		mail_text_escaped(t, p, mail_text_line_len(p));
		mail_text_puts(t, "\n");
		shown++;
	}
	if (more)
		mail_text_puts(t, "  ... (the whole backtrace is below)\n");
	mail_text_puts(t, "\n");
	return more;
}

/*
 * One ancestor's line of ptree: "pid  comm  argv", each argv cut at
 * DUMP_PTREE_ARGV_SHOWN bytes (the dump keeps it whole).
 */
static void
put_ancestor(struct mail_text *t, const char *line)
{
	struct dump_tsv_field f[_DUMP_PTREE_MAX];
	struct dump_tsv w;
	long long pid;
	size_t n, keep;

	dump_tsv_init(&w, line);
	n = dump_ptree_next(&w, f, &pid);
	if (n < _DUMP_PTREE_MAX) {
		/* Not the hook's three fields: the line as it is. */
		mail_text_escaped(t, line, mail_text_line_len(line));
		return;
	}
	mail_text_escaped(t, f[DUMP_PTREE_PID].s, f[DUMP_PTREE_PID].len);
	mail_text_puts(t, "  ");
	mail_text_escaped(t, f[DUMP_PTREE_COMM].s, f[DUMP_PTREE_COMM].len);
	mail_text_puts(t, "  ");
	keep = dump_ptree_argv_keep(&f[DUMP_PTREE_ARGV], DUMP_PTREE_ARGV_SHOWN);
	mail_text_escaped(t, f[DUMP_PTREE_ARGV].s, keep);
	if (keep < f[DUMP_PTREE_ARGV].len)
		mail_text_printf(t, "\xe2\x80\xa6 (%zu more bytes)",
		    f[DUMP_PTREE_ARGV].len - keep);
}

/* ptree: the process first, then its ancestors; shown from the root down. */
static void
put_ancestry(struct mail_text *t, const struct dump *d)
{
	const char *lines[ANCESTRY_MAX];
	size_t n = 0;
	char *pt;

	pt = mail_text_item(d, DUMP_ITEM_PTREE, true, NULL, NULL, &t->r);
	for (const char *p = pt; *p && n < ANCESTRY_MAX;
	     p = mail_text_next_line(p))
		if (mail_text_line_len(p) > 0)
			lines[n++] = p;
	if (n == 0) {
		mail_text_item_free(pt);
		return;
	}
	mail_text_puts(t, "Ancestry (how it was started)\n");
	for (size_t i = n; i-- > 0;) {
		size_t depth = n - 1 - i;

		mail_text_printf(t, "  %*s%s",
		    (int)(depth > 0 ? depth * 2 - 2 : 0), "",
		    depth > 0 ? "`- " : "");
		put_ancestor(t, lines[i]);
		mail_text_puts(t, i == 0 ? "   <- crashed\n" : "\n");
	}
	mail_text_puts(t, "\n");
	mail_text_item_free(pt);
}

static void
put_held_back(struct mail_text *t, const struct action_event *ev)
{
	if (ev->summary[0] == '\0' || strcmp(ev->event, "digest") == 0)
		return;
	mail_text_puts(t, "Held back (not mailed one by one)\n  ");
	mail_text_visible(t, ev->summary, strlen(ev->summary));
	mail_text_puts(t, "\n\n");
}

/*
 * Where the crashes merged into this dump came from (its repeats item,
 * which a repeat's dump holds a copy of): hostnames, containers, uids.
 */
static void
put_repeats(struct mail_text *t, const struct dump *d)
{
	static const char *const labels[_REPEATS_KIND_MAX] = {
		[REPEATS_HOSTNAME] = "hostnames",
		[REPEATS_CONTAINER] = "containers",
		[REPEATS_UID] = "uids",
	};
	struct repeats *rp;
	struct buf b;
	int r;

	rp = malloc(sizeof(*rp));
	r = rp ? repeats_read(d, rp) : -ENOMEM;
	if (r <= 0) {
		if (r < 0 && t->r >= 0)
			t->r = r;
		free(rp);
		return;
	}
	mail_text_printf(t,
	    "Repeats (where the %llu crashes merged came from)\n",
	    (unsigned long long)repeats_total(rp));
	buf_init(&b, 0);
	for (int k = 0; k < _REPEATS_KIND_MAX; k++) {
		buf_reset(&b);
		r = repeats_describe(rp, k, &b);
		if (r < 0 && t->r >= 0)
			t->r = r;
		if (r < 0 || b.len == 0)
			continue;
		mail_text_label(t, labels[k]);
		mail_text_unescaped(t, b.data, b.len);
		mail_text_puts(t, "\n");
	}
	mail_text_puts(t, "\n");
	buf_done(&b);
	free(rp);
}

static void
put_details(struct mail_text *t, const struct action_config *ac,
    const struct action_event *ev, const char *core_note)
{
	const struct dump *d = ev->dump;
	char *ns_pid, *tid, *kernel, *sig;

	mail_text_puts(t, "Details\n");
	mail_text_label(t, "dump");
	mail_text_visible(t, ev->dump_path, strlen(ev->dump_path));
	mail_text_puts(t, "\n");
	mail_text_label(t, "inspect");
	mail_text_puts(t, "crashd-cli info ");
	mail_text_visible(t, d->name, strlen(d->name));
	mail_text_puts(t, "\n");
	mail_text_label(t, "core");
	mail_text_visible(t, core_note, strlen(core_note));
	mail_text_puts(t, "\n");

	ns_pid = mail_text_item(d, DUMP_ITEM_NS_PID, true, NULL, NULL, &t->r);
	tid = mail_text_item(d, DUMP_ITEM_TID, true, NULL, NULL, &t->r);
	mail_text_label(t, "pid");
	mail_text_printf(t, "%ld", d->pid);
	if (ns_pid[0] && atol(ns_pid) != d->pid)
		mail_text_printf(
		    t, " (%ld in its pid namespace)", atol(ns_pid));
	if (tid[0] && atol(tid) != d->pid)
		mail_text_printf(t, ", thread %ld", atol(tid));
	mail_text_puts(t, "\n");
	mail_text_item_free(ns_pid);
	mail_text_item_free(tid);

	kernel = mail_text_item(d, DUMP_ITEM_KERNEL, true, NULL, NULL, &t->r);
	mail_text_label(t, "host");
	mail_text_visible(t, d->hostname, strlen(d->hostname));
	if (kernel[0]) {
		mail_text_puts(t, ", kernel ");
		mail_text_visible(t, kernel, strlen(kernel));
	}
	mail_text_puts(t, "\n");
	mail_text_item_free(kernel);

	mail_text_label(t, "count");
	mail_text_printf(t, "%llu crash%s of this kind\n",
	    (unsigned long long)ev->count, ev->count == 1 ? "" : "es");
	if (ev->held_back > 0) {
		mail_text_label(t, "held back");
		mail_text_printf(
		    t, "%llu\n", (unsigned long long)ev->held_back);
	}
	mail_text_label(t, "event");
	mail_text_visible(t, ev->event, strlen(ev->event));
	mail_text_puts(t, ", id ");
	mail_text_visible(t, ev->id, strlen(ev->id));
	mail_text_puts(t, "\n");
	sig = d->signature;
	if (sig[0]) {
		mail_text_label(t, "signature");
		mail_text_escaped(t, sig, strlen(sig));
		mail_text_puts(t, "\n");
	}
	mail_text_label(t, "action");
	mail_text_visible(t, ac->name, strlen(ac->name));
	mail_text_puts(t, "\n\n");
}

static void
put_backtrace(struct mail_text *t, const char *bt)
{
	mail_text_block(t, "Backtrace (all threads)", bt);
}

static void
put_environ(
    struct mail_text *t, const struct action_config *ac, const struct dump *d)
{
	char *const *globs = redact_globs(ac);
	size_t len, i = 0;
	bool cut;
	char *env;

	mail_text_puts(t, "Environment (the values of");
	for (char *const *g = globs; *g; g++) {
		mail_text_puts(t, " ");
		mail_text_visible(t, *g, strlen(*g));
	}
	mail_text_puts(t, " are redacted)\n");
	env = mail_text_item(d, DUMP_ITEM_ENVIRON, false, &len, &cut, &t->r);
	if (len == 0)
		mail_text_puts(t, "  (none in the dump)\n");
	while (i < len && t->r >= 0) {
		const char *e = env + i;
		size_t n = strnlen(e, len - i);
		const char *eq = memchr(e, '=', n);

		mail_text_puts(t, "  ");
		if (eq) {
			char *name = strndup(e, (size_t)(eq - e));

			if (name == NULL) {
				t->r = -ENOMEM;
				break;
			}
			mail_text_visible(t, e, (size_t)(eq - e) + 1);
			if (redact_hides(ac, name))
				mail_text_puts(t, "<redacted>");
			else
				mail_text_visible(
				    t, eq + 1, n - (size_t)(eq - e) - 1);
			free(name);
		} else {
			mail_text_visible(t, e, n);
		}
		mail_text_puts(t, "\n");
		i += n + 1;
	}
	if (cut)
		mail_text_puts(t, "  ... (cut)\n");
	mail_text_puts(t, "\n");
	mail_text_item_free(env);
}

int
mail_body(const struct action_config *ac, const struct action_event *event,
    const char *core_note, struct buf *out)
{
	struct action_event e = *event, *ev = &e;
	struct mail_text t = { out, 0 };
	struct buf host;
	char *bt;
	bool more;

	/* Untrusted strings are "" when missing, never NULL. */
	e.event = e.event ? e.event : "";
	e.summary = e.summary ? e.summary : "";
	e.id = e.id ? e.id : "";
	e.dump_path = e.dump_path ? e.dump_path : "";

	bt = mail_text_item(
	    ev->dump, DUMP_ITEM_BACKTRACE, true, NULL, NULL, &t.r);
	put_headline(&t, ev);
	if (DUMP_KIND_IS_KERNEL(ev->dump->kind)) {
		mail_kernel_facts(&t, ev->dump, bt);
		put_held_back(&t, ev);
		put_details(&t, ac, ev, core_note);
		mail_kernel_log(&t, ev->dump);
		more = false;
	} else {
		put_facts(&t, ev, bt);
		more = put_top_frames(&t, bt);
		put_ancestry(&t, ev->dump);
		put_held_back(&t, ev);
		put_repeats(&t, ev->dump);
		put_details(&t, ac, ev, core_note);
	}
	if (more)
		put_backtrace(&t, bt);
	if (ac->include_environ)
		put_environ(&t, ac, ev->dump);
	mail_text_item_free(bt);

	buf_init(&host, 0);
	if (t.r >= 0)
		t.r = mail_msg_local_domain(&host);
	mail_text_puts(&t, "-- \ncrashd on ");
	mail_text_puts(&t, host.data ? host.data : "");
	mail_text_puts(&t, "\n");
	buf_done(&host);
	return t.r;
}

/*
 * A host event's body: what happened, what core_pattern holds now and
 * whose it is, and what an operator does about it.
 */
int
mail_body_host(const struct action_config *ac, const struct action_event *ev,
    struct buf *out)
{
	const struct action_host_event *h = ev->host;
	struct mail_text t = { out, 0 };
	bool lost = strcmp(h->kind, "unregistered") == 0;

	(void)ac;
	mail_text_visible(&t, ev->summary, strlen(ev->summary));
	mail_text_puts(&t, ".\n\n");
	mail_text_label(&t, lost ? "replaced by" : "was");
	mail_text_puts(&t, h->owner);
	mail_text_puts(&t, "\n");
	mail_text_label(&t, lost ? "its line" : "last seen");
	mail_text_puts(&t, "'");
	mail_text_visible(&t, h->pattern, strlen(h->pattern));
	mail_text_puts(&t, "'\n");
	mail_text_label(&t, "crashd's");
	mail_text_puts(&t, "'");
	mail_text_visible(&t, h->ours, strlen(h->ours));
	mail_text_puts(&t, "'\n");
	mail_text_label(&t, "host");
	mail_text_visible(&t, h->hostname, strlen(h->hostname));
	mail_text_puts(&t, "\n");
	mail_text_label(&t, "seen");
	mail_text_time(&t, h->time);
	mail_text_puts(&t, "\n\n");
	if (lost && h->reclaimed)
		mail_text_puts(&t,
		    "crashd wrote its line back (daemon.reclaim_core_pattern "
		    "is true):\ncrashes are handled by crashd again.  Crashes "
		    "in between went to the\nother handler.  What replaced "
		    "crashd may do so again (at boot, or when\nits package "
		    "is upgraded).\n");
	else if (lost)
		mail_text_puts(&t,
		    "Until crashd's line is back, crashd sees no crash on "
		    "this host.\n\n"
		    "What to do:\n"
		    "  crashd-cli install              makes crashd the "
		    "handler again now\n"
		    "  systemctl restart crashd-hook   the same, by the unit "
		    "that registers it\n"
		    "                                  at every boot\n"
		    "A sysctl.d file of systemd-coredump or apport sets "
		    "core_pattern at boot;\ncrashd-hook.service runs after "
		    "it.  Or set daemon.reclaim_core_pattern = true\nin "
		    "crashd.conf and the daemon writes its line back "
		    "itself.\n");
	else
		mail_text_puts(&t,
		    "core_pattern holds crashd's line: crashes are handled by "
		    "crashd again.\nCrashes while it did not went to the "
		    "other handler.\n");
	mail_text_puts(&t, "\n-- \ncrashd on ");
	mail_text_visible(&t, h->hostname, strlen(h->hostname));
	mail_text_puts(&t, "\n");
	return t.r;
}
