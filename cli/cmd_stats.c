/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli stats: crashes per executable and signal, from the dumps
 * (merged duplicates counted) and the hook's counters (not stored).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dumps.h"
#include "escape.h"
#include "filter.h"
#include "fsutil.h"
#include "hookstate.h"
#include "json.h"
#include "log.h"
#include "pager.h"
#include "render.h"
#include "when.h"

struct group {
	const struct dump *d; /* the first of the group: its signal's name */
	const char *executable;
	int signal;
	const char *signal_name;
	unsigned long long crashes; /* counted, merged duplicates included */
	unsigned long long dumps; /* directories */
	long long last;
};

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->crashes != y->crashes)
		return x->crashes < y->crashes ? 1 : -1;
	return strcmp(x->executable, y->executable);
}

int
cmd_stats(struct cli *cli, int argc, char **argv)
{
	struct cli_args a;
	struct group *g = NULL;
	struct dump_set s = { NULL, 0, 0 };
	struct config c;
	struct spool sp;
	struct hookstate st;
	bool have_state = false;
	size_t n = 0;
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
	g = calloc(s.n + 1, sizeof(*g));
	if (g == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < s.n; i++) {
		const struct dump *d = s.v[i].d;
		size_t k;

		for (k = 0; k < n; k++)
			if (g[k].signal == d->signal &&
			    strcmp(g[k].executable, d->executable) == 0)
				break;
		if (k == n)
			g[n++] = (struct group){ d, d->executable, d->signal,
				d->signal_name, 0, 0, 0 };
		/*
		 * A kept duplicate is counted in its first dump's count, and
		 * with --since/--until, its first dump's occurrences in the
		 * window are (in_window).
		 */
		g[k].crashes += s.v[i].duplicate ? 0 : s.v[i].in_window;
		g[k].dumps++;
		if (d->time > g[k].last)
			g[k].last = d->time;
	}
	qsort(g, n, sizeof(*g), cmp_group);
	have_state = hookstate_snapshot(sp.dirfd, &st) == 0;
	pager_open(a.no_pager || a.json != CLI_JSON_OFF);
	if (a.json != CLI_JSON_OFF) {
		struct json_writer w;
		struct buf out;

		buf_init(&out, 0);
		json_writer_init(&w, &out);
		json_begin_object(&w);
		json_key(&w, "groups");
		json_begin_array(&w);
		for (size_t k = 0; k < n; k++) {
			json_begin_object(&w);
			json_key(&w, "executable");
			json_str(&w, g[k].executable);
			json_key(&w, "signal");
			json_int(&w, g[k].signal);
			json_key(&w, "signal_name");
			json_str(&w, g[k].signal_name);
			json_key(&w, "crashes");
			json_int(&w, (long long)g[k].crashes);
			json_key(&w, "dumps");
			json_int(&w, (long long)g[k].dumps);
			json_key(&w, "last");
			json_int(&w, g[k].last);
			json_end_object(&w);
		}
		json_end_array(&w);
		if (have_state) {
			json_key(&w, "not_stored");
			json_begin_object(&w);
			for (size_t i = 0; i < HOOKSTATE_N_COUNTERS; i++) {
				if (hookstate_counter_infos[i].group !=
				    HOOKSTATE_COUNTER_NOT_STORED)
					continue;
				json_key(&w, hookstate_counter_infos[i].name);
				json_int(&w,
				    (long long)hookstate_counter(
					&st.counters, i));
			}
			json_end_object(&w);
		}
		json_end_object(&w);
		buf_putc(&out, '\n');
		render_json_print(&out, a.json);
		buf_done(&out);
	} else {
		if (!a.no_legend)
			printf("%-8s %-6s %-7s %-23s %s\n", "CRASHES", "DUMPS",
			    "SIGNAL", "LAST", "EXECUTABLE");
		for (size_t k = 0; k < n; k++) {
			char when[64], sig[32], exe[4096];

			render_signal(g[k].d, sig, sizeof(sig));
			render_exe(g[k].executable, exe, sizeof(exe));
			when_format(g[k].last, when, sizeof(when));
			printf("%-8llu %-6llu %-7s %-23s %s\n", g[k].crashes,
			    g[k].dumps, sig, when, exe);
		}
		if (have_state && !a.quiet) {
			struct buf line;

			buf_init(&line, 0);
			hookstate_counters_phrase(
			    &line, &st.counters, HOOKSTATE_COUNTER_NOT_STORED);
			printf("\nNot stored by the hook: %s.\n",
			    line.data ? line.data : "");
			buf_done(&line);
		}
	}
	if (s.hidden > 0 && !a.quiet)
		fprintf(stderr,
		    "%zu dumps this user may not read are not counted\n",
		    s.hidden);
	r = 0;
out:
	free(g);
	dump_set_done(&s);
	spool_done(&sp);
	config_done(&c);
	return r < 0 ? 1 : 0;
}
