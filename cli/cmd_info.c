/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli info ID [--json] [--environ]: every item of one dump, laid
 * out for reading (argv quoted, ancestry as a tree), or as one JSON object.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "crash_site.h"
#include "dump_tsv.h"
#include "dumps.h"
#include "escape.h"
#include "fsutil.h"
#include "info_added.h"
#include "info_item.h"
#include "info_json.h"
#include "json.h"
#include "log.h"
#include "pager.h"
#include "render.h"
#include "term.h"
#include "units.h"
#include "utf8.h"
#include "when.h"

#define INFO_PTREE_LINES 64 /* ancestors shown (a real chain is short) */
#define INFO_PTREE_INDENT 16 /* levels of indentation at most */

/* An item's text ("" when absent); the caller frees it. */
static char *
text(const struct dump *d, const char *item, size_t *ret_len)
{
	struct item it;

	info_item_read(d, item, true, &it);
	if (ret_len)
		*ret_len = it.v ? strlen(it.v) : 0;
	return it.v;
}

/* The line that says a section was cut. */
static void
put_truncated(unsigned long long more)
{
	if (more > 0)
		printf("  (truncated: %llu more bytes)\n", more);
}

static void
put_escaped(const char *label, const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	term_escape(&b, s, strlen(s));
	printf("  %-11s %s\n", label, b.data ? b.data : "");
	buf_done(&b);
}

/* The byte "\xHH" at s (n bytes left) stands for, or -1. */
static int
hex_escape(const char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	const char *hi, *lo;

	if (n < 4 || s[0] != '\\' || s[1] != 'x' || s[2] == '\0' ||
	    s[3] == '\0')
		return -1;
	hi = strchr(digits, s[2] | 0x20);
	lo = strchr(digits, s[3] | 0x20);
	if (hi == NULL || lo == NULL)
		return -1;
	return (int)((hi - digits) << 4 | (lo - digits));
}

/*
 * Appends text that the hook or the daemon already escaped (reason, ptree,
 * open_fds...) as it is: escaping it again would show "\\n" for "\n".
 * On a UTF-8 terminal, "\xHH" escapes that together spell a well-formed
 * UTF-8 character are shown as that character (term_escape() still
 * escapes a control or bidi one).  A byte no escaper writes (a control or
 * non-ASCII byte: a tampered dump) is escaped, so that nothing reaches
 * the terminal raw.
 */
static void
put_escaped_text(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i], u[4];
		size_t k = 0, len = 0;
		int v;

		if (c == '\\' && i + 1 < n && s[i + 1] == '\\') {
			buf_append(b, s + i, 2); /* an escaped backslash */
			i += 2;
			continue;
		}
		while (term_utf8() && k < 4 &&
		    (v = hex_escape(s + i + 4 * k, n - i - 4 * k)) >= 0)
			u[k++] = (unsigned char)v;
		if (k >= 2)
			len = utf8_decode(u, k, NULL);
		if (len >= 2) {
			term_escape(b, (const char *)u, len);
			i += 4 * len;
		} else if (c >= 0x20 && c < 0x7f) {
			buf_putc(b, (char)c);
			i++;
		} else {
			term_escape(b, s + i, 1);
			i++;
		}
	}
}

/*
 * Prints each line of an item indented, as it is (items are escaped), and
 * says so when the item was cut at its cap.
 */
static void
put_block(const char *title, const struct item *it)
{
	struct dump_tsv t;
	struct dump_tsv_field f;

	if (it->v[0] == '\0' && it->more == 0)
		return;
	printf("\n%s:\n", title);
	dump_tsv_init(&t, it->v);
	while (dump_tsv_next_line(&t)) {
		struct buf b;

		/* Tabs separate fields; anything else unprintable is escaped.
		 */
		buf_init(&b, 0);
		for (bool first = true; dump_tsv_next_field(&t, &f);
		     first = false) {
			if (!first)
				buf_puts(&b, "  ");
			put_escaped_text(&b, f.s, f.len);
		}
		printf("  %s\n", b.data ? b.data : "");
		buf_done(&b);
	}
	put_truncated(it->more);
}

/*
 * ptree lists the process first; a tree reads from the root down.  At
 * most INFO_PTREE_LINES of the nearest ancestors are shown, indented at
 * most INFO_PTREE_INDENT levels: each line's indentation grows with the
 * depth, and 10 MB of lines drawn as a tree would be quadratic.
 */
static void
put_ptree(const struct item *it)
{
	struct dump_tsv_field(*lines)[_DUMP_PTREE_MAX] = NULL;
	struct dump_tsv_field f[_DUMP_PTREE_MAX];
	size_t n = 0, shown;
	unsigned long long cut = it->more;
	long long pid;
	struct dump_tsv t;
	struct buf b;

	if (it->v[0] == '\0')
		return;
	dump_tsv_init(&t, it->v);
	while (dump_ptree_next(&t, f, &pid) > 0) {
		void *nl;

		if (t.len == 0)
			continue; /* no process */
		if (n == INFO_PTREE_LINES) {
			cut += t.len + 1;
			continue;
		}
		nl = realloc(lines, (n + 1) * sizeof(*lines));
		if (nl == NULL)
			break;
		lines = nl;
		memcpy(lines[n++], f, sizeof(f));
	}
	printf("\nancestry:\n");
	put_truncated(cut);
	shown = n;
	for (size_t i = shown; i-- > 0;) {
		const struct dump_tsv_field *l = lines[i];
		size_t depth = shown - 1 - i;

		if (depth > INFO_PTREE_INDENT)
			depth = INFO_PTREE_INDENT;
		buf_init(&b, 0);
		put_escaped_text(
		    &b, l[DUMP_PTREE_PID].s, l[DUMP_PTREE_PID].len);
		buf_putc(&b, ' ');
		put_escaped_text(
		    &b, l[DUMP_PTREE_COMM].s, l[DUMP_PTREE_COMM].len);
		buf_puts(&b, "  ");
		put_escaped_text(
		    &b, l[DUMP_PTREE_ARGV].s, l[DUMP_PTREE_ARGV].len);
		printf("  %*s%s%s%s\n", (int)(depth > 0 ? depth * 2 - 2 : 0),
		    "", depth > 0 ? "`- " : "", b.data ? b.data : "",
		    i == 0 ? "   <- crashed" : "");
		buf_done(&b);
	}
	free(lines);
}

/* The items shown as blocks after the summary, in order. */
static const struct {
	const char *item;
	const char *title;
} blocks[] = {
	{ DUMP_ITEM_NAMESPACES, "namespaces" },
	{ DUMP_ITEM_OPEN_FDS, "open fds" },
	{ DUMP_ITEM_CORE_INFO, "core_info" },
	{ DUMP_ITEM_LIMITS, "limits" },
	{ DUMP_ITEM_INCOMPLETE, "incomplete (the hook could not store these)" },
	{ DUMP_ITEM_ACTIONS, "actions" },
};

/* One "label value" line of an item, escaped, said when cut. */
static void
put_item_line(const struct dump *d, const char *label, const char *name)
{
	struct item it;

	info_item_read(d, name, true, &it);
	put_escaped(label, it.v);
	put_truncated(it.more);
	free(it.v);
}

/* One line's value as it is but for bytes no escaper writes. */
static char *
escaped_text(const char *s)
{
	struct buf b;

	buf_init(&b, 0);
	put_escaped_text(&b, s, strlen(s));
	return b.data ? buf_steal(&b, NULL) : strdup("");
}

/* "where": the crash site, the program's own frame (crash_site.h). */
static void
put_where(const struct dump *d)
{
	struct buf w;
	char *v;

	buf_init(&w, 0);
	if (crash_site_of_dump(d, &w) > 0) {
		v = escaped_text(w.data);
		printf("  %-11s %s\n", "where", v ? v : "");
		free(v);
	}
	buf_done(&w);
}

static void
print_text(const struct cli_dump *cd, bool show_environ)
{
	const struct dump *d = cd->d;
	char when[32], last[32], size[16];
	struct item it;
	char *v;
	long long t;
	struct buf b;

	printf("%s\n", d->name);
	v = escaped_text(d->reason);
	printf("  %-11s %s\n", "reason", v ? v : "");
	free(v);
	if (d->kind != DUMP_KIND_CRASH)
		printf("  %-11s %s\n", "kind", dump_kind_names[d->kind]);
	/* A crash the hook did not store: crashd's dump of its record. */
	info_item_read(d, DUMP_ITEM_NOT_STORED, true, &it);
	if (it.v[0]) {
		char *tab = strchr(it.v, '\t');

		if (tab)
			*tab = '\0';
		v = escaped_text(it.v);
		printf(
		    "  %-11s not stored by the hook: %s", "dump", v ? v : "");
		free(v);
		if (tab) {
			v = escaped_text(tab + 1);
			printf(" (%s)", v ? v : "");
			free(v);
		}
		printf("; only what identifies the crash was kept\n");
	}
	free(it.v);
	when_format(d->time, when, sizeof(when));
	v = text(d, DUMP_ITEM_LAST_OCCURRENCE, NULL);
	t = atoll(v);
	free(v);
	if (cd->count > 1 && t > 0) {
		when_format(t, last, sizeof(last));
		printf("  %-11s %s; %llu crashes, the last at %s\n", "time",
		    when, cd->count, last);
	} else {
		printf("  %-11s %s\n", "time", when);
	}
	put_escaped("executable", d->executable);
	v = text(d, DUMP_ITEM_EXECUTABLE_DELETED, NULL);
	if (v[0])
		printf("  %-11s %s\n", "", "(deleted while it ran)");
	free(v);

	put_where(d);

	info_item_read(d, DUMP_ITEM_CMDLINE, false, &it);
	buf_init(&b, 0);
	term_escape_argv(&b, it.v, it.len);
	printf("  %-11s %s\n", "argv", b.data ? b.data : "");
	buf_done(&b);
	put_truncated(it.more);
	free(it.v);

	{
		char *ns_pid = text(d, DUMP_ITEM_NS_PID, NULL),
		     *tid = text(d, DUMP_ITEM_TID, NULL);
		char *user = text(d, DUMP_ITEM_USERNAME, NULL),
		     *gid = text(d, DUMP_ITEM_GID, NULL);
		char *kernel = text(d, DUMP_ITEM_KERNEL, NULL);

		/* Numbers are printed as numbers, names escaped. */
		printf("  %-11s %ld", "pid", d->pid);
		if (ns_pid[0] && atol(ns_pid) != d->pid)
			printf(" (%ld in its pid namespace)", atol(ns_pid));
		if (tid[0] && atol(tid) != d->pid)
			printf(", thread %ld", atol(tid));
		b = (struct buf){ 0 };
		buf_init(&b, 0);
		term_escape(
		    &b, user[0] ? user : "?", strlen(user[0] ? user : "?"));
		printf("\n  %-11s %s (uid %lld, gid %ld)\n", "user",
		    b.data ? b.data : "", d->uid, atol(gid));
		buf_done(&b);
		buf_init(&b, 0);
		term_escape(&b, d->hostname, strlen(d->hostname));
		buf_puts(&b, ", kernel ");
		term_escape(&b, kernel, strlen(kernel));
		printf("  %-11s %s\n", "host", b.data ? b.data : "");
		buf_done(&b);
		free(ns_pid);
		free(tid);
		free(user);
		free(gid);
		free(kernel);
	}
	put_item_line(d, DUMP_ITEM_CWD, "cwd");
	if (d->container[0])
		put_escaped("container", d->container);
	units_format_size(cd->size, size, sizeof(size));
	printf("  %-11s %s; dump %s on disk\n", "core", cd->core, size);
	v = text(d, DUMP_ITEM_DUPLICATE_OF, NULL);
	if (v[0])
		put_escaped("duplicate", v);
	free(v);
	if (d->signature[0])
		put_escaped("signature", d->signature);
	v = text(d, DUMP_ITEM_DUPHASH, NULL);
	if (v[0])
		put_escaped("duphash", v);
	free(v);
	info_added_print(d);

	info_item_read(d, DUMP_ITEM_BACKTRACE, true, &it);
	put_block("backtrace (where it died)", &it);
	free(it.v);
	info_item_read(d, DUMP_ITEM_PTREE, true, &it);
	put_ptree(&it);
	free(it.v);
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
		info_item_read(d, blocks[i].item, true, &it);
		put_block(blocks[i].title, &it);
		free(it.v);
	}
	if (show_environ) {
		size_t i = 0;

		info_item_read(d, DUMP_ITEM_ENVIRON, false, &it);
		printf("\nenviron:\n");
		while (i < it.len) {
			size_t n = strnlen(it.v + i, it.len - i);

			buf_init(&b, 0);
			term_escape(&b, it.v + i, n);
			printf("  %s\n", b.data ? b.data : "");
			buf_done(&b);
			i += n + 1;
		}
		put_truncated(it.more);
		free(it.v);
	}
}

/*
 * Shows each of the dumps s->v[from..] (reopened: the set keeps no
 * descriptors), as text or JSON (one object for one dump, else an array).
 */
static int
show(int spool_dirfd, struct dump_set *s, size_t from, const struct cli_args *a)
{
	size_t shown = s->n - from;
	struct json_writer w;
	struct buf out;
	int r = 0;

	buf_init(&out, 0);
	json_writer_init(&w, &out);
	if (a->json != CLI_JSON_OFF && shown > 1)
		json_begin_array(&w);
	for (size_t k = from; k < s->n; k++) {
		size_t i = a->reverse ? s->n - 1 - (k - from) : k;
		struct dump *keep = s->v[i].d, *d = NULL;
		int q = dump_open(spool_dirfd, keep->name, &d);

		if (q < 0) {
			r = log_error_errno(q, "open %s: %m", keep->name);
			continue;
		}
		s->v[i].d = d;
		if (a->json != CLI_JSON_OFF) {
			info_json(&w, spool_dirfd, &s->v[i]);
		} else {
			if (k > from)
				putchar('\n');
			print_text(&s->v[i], a->environ_);
		}
		s->v[i].d = keep;
		dump_free(d);
	}
	if (a->json != CLI_JSON_OFF) {
		if (shown > 1)
			json_end_array(&w);
		buf_putc(&out, '\n');
		render_json_print(&out, a->json);
	}
	buf_done(&out);
	return r;
}

int
cmd_info(struct cli *cli, int argc, char **argv)
{
	struct dump_set s = { NULL, 0, 0 };
	struct cli_args a;
	struct config c;
	struct spool sp;
	size_t from;
	int r;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	/* No ID and no option that selects: crashd's usage error. */
	if (a.n_operands == 0 &&
	    !(a.given &
		(CLI_OPTS_FILTER | CLI_OPT(CLI_OPT_ONE) |
		    CLI_OPT(CLI_OPT_LIMIT)) &
		~(CLI_OPT(CLI_OPT_DIRECTORY) | CLI_OPT(CLI_OPT_QUIET)))) {
		cli_args_usage(cli->verb, stderr);
		return 2;
	}
	if (cli_select(cli, &a, &c, &sp, &s, &from) < 0)
		return 1;
	/* ~100 lines: through the pager on a terminal (as coredumpctl). */
	pager_open(a.no_pager || a.json != CLI_JSON_OFF);
	r = show(sp.dirfd, &s, from, &a);
	dump_set_done(&s);
	spool_done(&sp);
	config_done(&c);
	return r < 0 ? 1 : 0;
}
