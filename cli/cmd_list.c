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
#include "json.h"
#include "log.h"
#include "render.h"

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: crashd-cli list [--json] [-n N] [--since TIME] [--until "
	    "TIME]\n"
	    "                       [--exe GLOB] [--signal SIG] [--uid UID] "
	    "[--host GLOB]\n"
	    "                       [--kind crash|snapshot|kernel|oom|panic]\n"
	    "\n"
	    "TIME: \"2026-11-23\", \"2026-11-23 10:00\", \"1h ago\", "
	    "\"today\", \"@EPOCH\".\n");
}

static void
print_json(int spool_dirfd, const struct dump_set *s, size_t from)
{
	struct json_writer w;
	struct buf out;

	buf_init(&out, 0);
	json_writer_init(&w, &out);
	json_begin_array(&w);
	for (size_t i = from; i < s->n; i++)
		render_json_summary(&w, spool_dirfd, &s->v[i]);
	json_end_array(&w);
	buf_putc(&out, '\n');
	fwrite(out.data, 1, out.len, stdout);
	buf_done(&out);
}

int
cmd_list(const struct cli *cli, int argc, char **argv)
{
	struct dump_filter f = DUMP_FILTER_NONE;
	struct dump_set s;
	struct config c;
	struct spool sp;
	bool json = false;
	long limit = 0;
	size_t from = 0;
	int r;

	r = filter_parse(argc, argv, &f, &json, &limit, usage);
	if (r)
		return r == 3 ? 0 : r;
	if (cli_open_spool(cli, &c, &sp) < 0)
		return 1;
	r = cli_load_dumps(&c, &sp, &f, &s);
	if (r < 0)
		goto out;
	if (limit > 0 && s.n > (size_t)limit)
		from = s.n - (size_t)limit;
	if (json)
		print_json(sp.dirfd, &s, from);
	else
		render_table(&s, from, cli_color());
	if (s.hidden > 0)
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
