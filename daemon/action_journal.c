/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_journal.c: one entry per crash in the systemd journal, in
 * systemd-coredump's format (MESSAGE_ID, the COREDUMP_* fields, the stack
 * trace in MESSAGE), so that coredumpctl, "journalctl -u UNIT" and the
 * tools reading the journal see crashd's crashes; plus crashd's CRASHD_*
 * fields.  Every value goes through sd_journal_sendv(), which frames a
 * value with a newline by its length: no byte of a dump can make a field.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "action.h"
#include "cgroup_unit.h"
#include "core_zst.h"
#include "crash_site.h"
#include "dump_tsv.h"
#include "escape.h"
#include "fsutil.h"
#include "redact.h"
#include "signame.h"

/* systemd's SD_MESSAGE_COREDUMP: what coredumpctl looks for. */
#define COREDUMP_MESSAGE_ID "fc2e22bc6ee647b6b90729ab34a250b1"
/* crashd's own, for a kernel report (oops, OOM kill, panic). */
#define KERNEL_MESSAGE_ID "b62a3dfc3b264561a330e0ee57318bd5"
#define FIELDS_MAX 64
#define SMALL_CAP 4096
#define TEXT_CAP (64 * 1024) /* status, limits, cgroup */
#define MAPS_CAP (1024 * 1024)
#define ARGV_CAP (128 * 1024) /* cmdline, environ */
#define FRAMES_CAP (4 * 1024 * 1024)

struct fields {
	struct iovec iov[FIELDS_MAX];
	size_t n;
	int err;
};

static void
fields_done(struct fields *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++)
		free(f->iov[i].iov_base);
}

/* Adds NAME=value (len bytes, any bytes). */
static void
field(struct fields *f, const char *name, const char *value, size_t len)
{
	size_t n = strlen(name);
	char *p;

	if (f->err < 0)
		return;
	if (f->n >= FIELDS_MAX) {
		f->err = -E2BIG;
		return;
	}
	p = malloc(n + 1 + len);
	if (p == NULL) {
		f->err = -ENOMEM;
		return;
	}
	memcpy(p, name, n);
	p[n] = '=';
	if (len)
		memcpy(p + n + 1, value, len);
	f->iov[f->n].iov_base = p;
	f->iov[f->n++].iov_len = n + 1 + len;
}

static void __attribute__((format(printf, 3, 4)))
fieldf(struct fields *f, const char *name, const char *fmt, ...)
{
	char v[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(v, sizeof(v), fmt, ap);
	va_end(ap);
	if (n >= 0)
		field(f, name, v, (size_t)n < sizeof(v) ? (size_t)n : 0);
}

/* An item, without its trailing newline; NULL (and *len 0) when absent. */
static char *
item(const struct dump *d, const char *name, size_t cap, size_t *len)
{
	char *v = NULL;

	*len = 0;
	if (dump_read_item(d, name, cap, &v) < 0)
		return NULL;
	*len = strlen(v);
	return v;
}

/* COREDUMP_name from an item, when the dump has it. */
static void
field_item(struct fields *f, const char *name, const struct dump *d,
    const char *item_name, size_t cap)
{
	size_t len;
	char *v = item(d, item_name, cap, &len);

	if (v && len)
		field(f, name, v, len);
	free(v);
}

/* The soft "Max core file size" of a limits item, as the kernel's %c. */
static void
field_rlimit(struct fields *f, const struct dump *d)
{
	size_t len;
	char *v = item(d, DUMP_ITEM_LIMITS, TEXT_CAP, &len);
	const char *line = v ? strstr(v, "\nMax core file size") : NULL;
	char soft[32];

	if (line && sscanf(line + 20, " %31s", soft) == 1) {
		if (strcmp(soft, "unlimited") == 0)
			field(f, "COREDUMP_RLIMIT", "18446744073709551615", 20);
		else if (strspn(soft, "0123456789") == strlen(soft))
			field(f, "COREDUMP_RLIMIT", soft, strlen(soft));
	}
	free(v);
}

/* cmdline's NUL-separated words as one line of shell words. */
static void
field_cmdline(struct fields *f, const struct dump *d)
{
	char *v = NULL;
	size_t len = 0;
	struct buf b;

	/* Raw bytes: dump_read_item() would stop at the first NUL. */
	if (read_file_at(d->dirfd, DUMP_ITEM_CMDLINE, ARGV_CAP, &v, &len) < 0)
		return;
	buf_init(&b, 0);
	if (len)
		escape_argv(&b, v, len);
	if (b.len)
		field(f, "COREDUMP_CMDLINE", b.data, b.len);
	buf_done(&b);
	free(v);
}

/* environ as NAME=value lines, the redacted values hidden. */
static void
field_environ(
    struct fields *f, const struct action_config *ac, const struct dump *d)
{
	char *env = NULL;
	size_t len = 0, i = 0;
	struct buf b;

	if (read_file_at(d->dirfd, DUMP_ITEM_ENVIRON, ARGV_CAP, &env, &len) < 0)
		return;
	buf_init(&b, 0);
	while (i < len) {
		const char *e = env + i;
		size_t n = strnlen(e, len - i);
		const char *eq = memchr(e, '=', n);
		char name[256];

		if (eq && (size_t)(eq - e) < sizeof(name)) {
			memcpy(name, e, (size_t)(eq - e));
			name[eq - e] = '\0';
			if (redact_hides(ac, name)) {
				buf_append(&b, e, (size_t)(eq - e) + 1);
				buf_puts(&b, "<redacted>\n");
				i += n + 1;
				continue;
			}
		}
		buf_append(&b, e, n);
		buf_putc(&b, '\n');
		i += n + 1;
	}
	if (b.len)
		field(f, "COREDUMP_ENVIRON", b.data, b.len - 1);
	buf_done(&b);
	free(env);
}

/* The unit fields of COREDUMP_CGROUP's path; OBJECT_SYSTEMD_UNIT too. */
static void
field_units(struct fields *f, const struct dump *d)
{
	struct cgroup_unit u;
	size_t len;
	char *v = item(d, DUMP_ITEM_CGROUP, TEXT_CAP, &len);

	cgroup_unit_parse(v, len, &u);
	free(v);
	if (u.path[0])
		field(f, "COREDUMP_CGROUP", u.path, strlen(u.path));
	if (u.unit[0]) {
		field(f, "COREDUMP_UNIT", u.unit, strlen(u.unit));
		/*
		 * journalctl -u UNIT shows what a root sender names in
		 * OBJECT_SYSTEMD_UNIT.  No OBJECT_PID: journald would read
		 * /proc of that pid, gone or another process's by now.
		 */
		field(f, "OBJECT_SYSTEMD_UNIT", u.unit, strlen(u.unit));
	}
	if (u.user_unit[0]) {
		field(
		    f, "COREDUMP_USER_UNIT", u.user_unit, strlen(u.user_unit));
		field(f, "OBJECT_SYSTEMD_USER_UNIT", u.user_unit,
		    strlen(u.user_unit));
	}
	if (u.slice[0])
		field(f, "COREDUMP_SLICE", u.slice, strlen(u.slice));
	if (u.session[0])
		field(f, "COREDUMP_SESSION", u.session, strlen(u.session));
	if (u.owner_uid >= 0)
		fieldf(f, "COREDUMP_OWNER_UID", "%lld", u.owner_uid);
}

/*
 * The stack trace of every thread, in systemd-coredump's layout
 * ("Stack trace of thread TID:", "#N  0xPC FUNCTION (MODULE)"), from
 * backtrace_frames (TSV: tid, index, pc, function, offset, module,
 * build id, file, line; escaped by the unwinder).
 */
static void
put_stack(struct buf *m, const struct dump *d)
{
	struct dump_tsv_field f[_DUMP_FRAME_MAX], last_tid = { "", 0 };
	struct dump_frames it;
	char *tsv = NULL;
	size_t len, nf;

	if (read_file_at(d->dirfd, DUMP_ITEM_BACKTRACE_FRAMES, FRAMES_CAP, &tsv,
		&len) < 0 ||
	    tsv == NULL) {
		free(tsv);
		return;
	}
	dump_frames_init(&it, tsv, DUMP_FRAMES_ALL);
	while ((nf = dump_frames_next(&it, f)) > 0) {
		const struct dump_tsv_field *fn = &f[DUMP_FRAME_FUNCTION];
		const struct dump_tsv_field *mod = &f[DUMP_FRAME_MODULE];

		/* Up to the module at least; an empty line is no frame. */
		if (nf <= DUMP_FRAME_MODULE)
			continue;
		if (f[DUMP_FRAME_TID].len != last_tid.len ||
		    memcmp(f[DUMP_FRAME_TID].s, last_tid.s, last_tid.len) !=
			0) {
			last_tid = f[DUMP_FRAME_TID];
			buf_printf(m, "\nStack trace of thread %.*s:\n",
			    (int)last_tid.len, last_tid.s);
		}
		buf_printf(m, "#%-2.*s %.*s %.*s%s%.*s (%.*s)\n",
		    (int)f[DUMP_FRAME_FRAME].len, f[DUMP_FRAME_FRAME].s,
		    (int)f[DUMP_FRAME_PC].len, f[DUMP_FRAME_PC].s,
		    fn->len ? (int)fn->len : 3, fn->len ? fn->s : "n/a",
		    fn->len ? "+" : "",
		    fn->len ? (int)f[DUMP_FRAME_OFFSET].len : 0,
		    f[DUMP_FRAME_OFFSET].s, mod->len ? (int)mod->len : 3,
		    mod->len ? mod->s : "n/a");
	}
	free(tsv);
}

static void
field_message(struct fields *f, const struct dump *d)
{
	size_t len;
	char *comm = item(d, DUMP_ITEM_COMM, SMALL_CAP, &len);
	struct buf m, c;

	buf_init(&m, 0);
	buf_init(&c, 0);
	escape_c(&c, comm ? comm : "", len);
	buf_printf(&m, "Process %ld (%s) of user %lld dumped core%s%s%s.\n",
	    d->pid, c.data ? c.data : "", d->uid,
	    d->kind == DUMP_KIND_SNAPSHOT ? " (a snapshot: " : "",
	    d->kind == DUMP_KIND_SNAPSHOT ? d->reason : "",
	    d->kind == DUMP_KIND_SNAPSHOT ? ")" : "");
	{
		struct buf w;

		/* The crash site, the program's own frame (crash_site.h). */
		buf_init(&w, 0);
		if (crash_site_of_dump(d, &w) > 0) {
			buf_printf(&m, "Where: %s\n", w.data);
			field(f, "CRASHD_WHERE", w.data, w.len);
		}
		buf_done(&w);
	}
	put_stack(&m, d);
	field(f, "MESSAGE", m.data, m.len);
	if (comm && len)
		field(f, "COREDUMP_COMM", comm, len);
	free(comm);
	buf_done(&c);
	buf_done(&m);
}

/*
 * COREDUMP_FILENAME: core.mini.zst (written here, once) for a minicore,
 * core.gz as it is (coredumpctl cannot read gzip: crashd-cli's man page
 * says so), nothing without a core.
 */
static void
field_core(struct fields *f, const struct action_event *ev, struct buf *detail)
{
	const struct dump *d = ev->dump;
	struct dump_core core;
	const char *name;
	char path[4096];
	int r;

	if (dump_core(d, &core) < 0 || core.kind == DUMP_CORE_NONE)
		return;
	name = core.item;
	if (core.kind == DUMP_CORE_MINI) {
		r = core_zst_write_at(d->dirfd);
		if (r >= 0)
			name = CORE_ZST_ITEM;
		else
			buf_printf(detail, "(%s not written: %s) ",
			    CORE_ZST_ITEM, strerror(-r));
	}
	snprintf(path, sizeof(path), "%s/%s", ev->dump_path, name);
	field(f, "COREDUMP_FILENAME", path, strlen(path));
	if (core.truncated)
		field(f, "COREDUMP_TRUNCATED", "1", 1);
}

/* A crash's entry: systemd-coredump's fields. */
static void
fields_crash(struct fields *f, const struct action_config *ac,
    const struct action_event *ev, struct buf *detail)
{
	const struct dump *d = ev->dump;
	char sig[32];

	field(
	    f, "MESSAGE_ID", COREDUMP_MESSAGE_ID, strlen(COREDUMP_MESSAGE_ID));
	field(f, "PRIORITY", "2", 1); /* LOG_CRIT, as systemd-coredump */
	field_message(f, d);
	fieldf(f, "COREDUMP_PID", "%ld", d->pid);
	field_item(f, "COREDUMP_UID", d, DUMP_ITEM_UID, SMALL_CAP);
	field_item(f, "COREDUMP_GID", d, DUMP_ITEM_GID, SMALL_CAP);
	fieldf(f, "COREDUMP_SIGNAL", "%d", d->signal);
	if (signame_from_number(d->signal, sig, sizeof(sig)))
		fieldf(f, "COREDUMP_SIGNAL_NAME", "%s%s",
		    strncmp(sig, "SIG", 3) == 0 ? "" : "SIG", sig);
	fieldf(f, "COREDUMP_TIMESTAMP", "%lld000000", d->time);
	field_rlimit(f, d);
	if (d->hostname[0])
		field(f, "COREDUMP_HOSTNAME", d->hostname, strlen(d->hostname));
	if (d->executable[0])
		field(f, "COREDUMP_EXE", d->executable, strlen(d->executable));
	field_cmdline(f, d);
	field_item(f, "COREDUMP_CWD", d, DUMP_ITEM_CWD, SMALL_CAP);
	field_item(f, "COREDUMP_ROOT", d, DUMP_ITEM_ROOT, SMALL_CAP);
	field_units(f, d);
	field_item(f, "COREDUMP_PROC_STATUS", d, DUMP_ITEM_STATUS, TEXT_CAP);
	field_item(f, "COREDUMP_PROC_MAPS", d, DUMP_ITEM_MAPS, MAPS_CAP);
	field_item(f, "COREDUMP_PROC_LIMITS", d, DUMP_ITEM_LIMITS, TEXT_CAP);
	field_item(f, "COREDUMP_PROC_CGROUP", d, DUMP_ITEM_CGROUP, TEXT_CAP);
	if (ac->include_environ)
		field_environ(f, ac, d);
	field_core(f, ev, detail);
}

/*
 * A kernel report's entry (kernel_dumps.h): crashd's own message id, its
 * reason and text; no COREDUMP_ field, for no core was dumped
 * (coredumpctl does not list it).
 */
static void
fields_kernel(struct fields *f, const struct dump *d)
{
	size_t len;
	char *text = item(d, DUMP_ITEM_KERNEL_LOG, TEXT_CAP, &len);
	struct buf m;

	field(f, "MESSAGE_ID", KERNEL_MESSAGE_ID, strlen(KERNEL_MESSAGE_ID));
	field(f, "PRIORITY", "2", 1);
	buf_init(&m, 0);
	buf_printf(&m, "%s\n", d->reason);
	if (text)
		buf_append(&m, text, len);
	field(f, "MESSAGE", m.data ? m.data : "", m.len);
	buf_done(&m);
	free(text);
	if (d->hostname[0])
		field(f, "CRASHD_HOSTNAME", d->hostname, strlen(d->hostname));
	field_item(f, "CRASHD_KERNEL_COMM", d, DUMP_ITEM_COMM, SMALL_CAP);
	if (d->pid > 0)
		fieldf(f, "CRASHD_KERNEL_PID", "%ld", d->pid);
}

static enum action_outcome
action_journal_run(const struct action_config *ac,
    const struct action_event *ev, struct buf *detail)
{
	const struct dump *d = ev->dump;
	struct fields f = { .n = 0 };
	int r;

	if (DUMP_KIND_IS_KERNEL(d->kind))
		fields_kernel(&f, d);
	else
		fields_crash(&f, ac, ev, detail);
	field(&f, "CRASHD_ID", d->name, strlen(d->name));
	field(&f, "CRASHD_KIND", dump_kind_names[d->kind],
	    strlen(dump_kind_names[d->kind]));
	if (d->kind == DUMP_KIND_SNAPSHOT)
		field_item(&f, "CRASHD_SNAPSHOT_REASON", d,
		    DUMP_ITEM_SNAPSHOT_REASON, SMALL_CAP);
	field_item(&f, "CRASHD_SIGNATURE", d, DUMP_ITEM_SIGNATURE, SMALL_CAP);
	field_item(&f, "CRASHD_DUPHASH", d, DUMP_ITEM_DUPHASH, SMALL_CAP);
	fieldf(&f, "CRASHD_COUNT", "%llu", (unsigned long long)ev->count);
	field(&f, "CRASHD_EVENT", ev->event, strlen(ev->event));
	field(&f, "CRASHD_DUMP", ev->dump_path, strlen(ev->dump_path));
	if (f.err < 0) {
		buf_printf(detail, "not journalled: %s", strerror(-f.err));
		fields_done(&f);
		return ACTION_FAILED;
	}
	r = sd_journal_sendv(f.iov, (int)f.n);
	fields_done(&f);
	if (r == -ENOENT || r == -ECONNREFUSED) {
		/* No journald on this host (or not yet): nothing to lose. */
		buf_printf(detail, "no systemd-journald to send to (%s)",
		    strerror(-r));
		return ACTION_SKIPPED;
	}
	if (r < 0) {
		buf_printf(detail, "sd_journal_sendv: %s", strerror(-r));
		return ACTION_FAILED;
	}
	buf_printf(detail, "journalled (%zu fields)", f.n);
	return ACTION_OK;
}

const struct action_ops action_journal_ops = {
	.type = ACTION_JOURNAL,
	.run = action_journal_run,
};
