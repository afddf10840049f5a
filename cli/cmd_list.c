/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli list: one line per dump, oldest first (newest last, next to
 * the prompt), or a JSON array with --json.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "dumps.h"
#include "filter.h"
#include "fsutil.h"
#include "json.h"
#include "log.h"
#include "pager.h"
#include "render.h"
#include "term.h"

static void
print_json(int spool_dirfd, const struct dump_set *s, size_t from,
    const struct cli_args *a)
{
	struct json_writer w;
	struct buf out;

	buf_init(&out, 0);
	json_writer_init(&w, &out);
	json_begin_array(&w);
	for (size_t k = from; k < s->n; k++)
		render_json_summary(&w, spool_dirfd,
		    &s->v[a->reverse ? s->n - 1 - (k - from) : k]);
	json_end_array(&w);
	buf_putc(&out, '\n');
	render_json_print(&out, a->json);
	buf_done(&out);
}

/*
 * -F FIELD: each value the field takes in the dumps shown, once, in
 * their order (coredumpctl -F; journalctl -F lists values, not rows).
 */
static int
print_field(int spool_dirfd, const struct dump_set *s, size_t from,
    const struct cli_args *a)
{
	const char *item = filter_field_item(a->field, strlen(a->field));
	char **seen = NULL;
	size_t n = 0;
	int r = 0;

	if (item == NULL) {
		log_error("-F: no field \"%s\" (an item name such as "
			  "executable, or COREDUMP_EXE...)",
		    a->field);
		return -EINVAL;
	}
	seen = calloc(s->n - from + 1, sizeof(*seen));
	if (seen == NULL)
		return -ENOMEM;
	for (size_t k = from; k < s->n; k++) {
		const struct dump *d =
		    s->v[a->reverse ? s->n - 1 - (k - from) : k].d;
		int fd = open_dir_at(spool_dirfd, d->name);
		bool dup = false;
		char *v = NULL;

		if (fd >= 0 && dump_set_field(fd, d, item, &v) == 0) {
			for (size_t j = 0; j < n && !dup; j++)
				dup = strcmp(seen[j], v) == 0;
			if (!dup) {
				struct buf b;

				buf_init(&b, 0);
				term_escape(&b, v, strlen(v));
				printf("%s\n", b.data ? b.data : "");
				buf_done(&b);
				seen[n++] = v;
				v = NULL;
			}
		}
		free(v);
		safe_close(fd);
	}
	for (size_t j = 0; j < n; j++)
		free(seen[j]);
	free(seen);
	return r;
}

int
cmd_list(struct cli *cli, int argc, char **argv)
{
	struct render_table_opts o = { 0 };
	struct cli_args a;
	struct dump_set s;
	struct config c;
	struct spool sp;
	size_t from = 0;
	int r;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	a.filter.matches = a.operands;
	a.filter.n_matches = (size_t)a.n_operands;
	if (cli_open_spool(cli, &c, &sp) < 0)
		return 1;
	r = cli_load_dumps(&c, &sp, &a.filter, &s);
	if (r < 0)
		goto out;
	if (a.limit > 0 && s.n > (size_t)a.limit)
		from = s.n - (size_t)a.limit;
	/* A screenful or more goes through the pager (as coredumpctl). */
	pager_open(a.no_pager || a.json != CLI_JSON_OFF || a.field);
	if (a.field) {
		r = print_field(sp.dirfd, &s, from, &a);
	} else if (a.json != CLI_JSON_OFF) {
		print_json(sp.dirfd, &s, from, &a);
	} else {
		o.color = term_color();
		o.legend = !a.no_legend;
		o.reverse = a.reverse;
		o.quiet = a.quiet;
		o.columns = term_columns();
		render_table(&s, from, &o);
	}
	if (s.hidden > 0 && !a.quiet)
		fprintf(stderr,
		    "%zu dump%s not shown: only root and the crashing "
		    "user may read a dump\n",
		    s.hidden, s.hidden == 1 ? "" : "s");
	dump_set_done(&s);
out:
	spool_done(&sp);
	config_done(&c);
	return r < 0 ? 1 : 0;
}
