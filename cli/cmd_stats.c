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
#include "when.h"

struct group {
	const char *executable;
	int signal;
	const char *signal_name;
	unsigned long long crashes; /* counted, merged duplicates included */
	unsigned long long dumps; /* directories */
	long long last;
};

static void
usage(FILE *f)
{
	fprintf(f,
	    "Usage: crashd-cli stats [--json] [--since TIME] [--until TIME]\n"
	    "                        [--exe GLOB] [--signal SIG] [--uid UID] "
	    "[--host GLOB]\n");
}

static int
cmp_group(const void *a, const void *b)
{
	const struct group *x = a, *y = b;

	if (x->crashes != y->crashes)
		return x->crashes < y->crashes ? 1 : -1;
	return strcmp(x->executable, y->executable);
}

int
cmd_stats(const struct cli *cli, int argc, char **argv)
{
	struct dump_filter f = DUMP_FILTER_NONE;
	struct group *g = NULL;
	struct dump_set s = { NULL, 0, 0 };
	struct config c;
	struct spool sp;
	struct hookstate st;
	bool json = false, have_state = false;
	long limit = 0;
	size_t n = 0;
	int r;

	r = filter_parse(argc, argv, &f, &json, &limit, usage);
	if (r)
		return r == 3 ? 0 : r;
	if (cli_open_spool(cli, &c, &sp) < 0)
		return 1;
	r = cli_load_dumps(&c, &sp, &f, &s);
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
			g[n++] = (struct group){ d->executable, d->signal,
				d->signal_name, 0, 0, 0 };
		/* A kept duplicate is counted in its first dump's count. */
		g[k].crashes += s.v[i].duplicate ? 0 : s.v[i].count;
		g[k].dumps++;
		if (d->time > g[k].last)
			g[k].last = d->time;
	}
	qsort(g, n, sizeof(*g), cmp_group);
	have_state = hookstate_snapshot(sp.dirfd, &st) == 0;
	if (json) {
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
			json_key(&w, "ignored");
			json_int(&w, (long long)st.counters.ignored);
			json_key(&w, "rate_limited");
			json_int(&w, (long long)st.counters.rate_limited);
			json_key(&w, "failed");
			json_int(&w, (long long)st.counters.failed);
			json_end_object(&w);
		}
		json_end_object(&w);
		buf_putc(&out, '\n');
		fwrite(out.data, 1, out.len, stdout);
		buf_done(&out);
	} else {
		printf("%-8s %-6s %-10s %-19s %s\n", "CRASHES", "DUMPS",
		    "SIGNAL", "LAST", "EXECUTABLE");
		for (size_t k = 0; k < n; k++) {
			char when[32];
			struct buf exe;

			buf_init(&exe, 0);
			escape_c(
			    &exe, g[k].executable, strlen(g[k].executable));
			when_format(g[k].last, when, sizeof(when));
			printf("%-8llu %-6llu %-10s %-19s %s\n", g[k].crashes,
			    g[k].dumps, g[k].signal_name, when,
			    exe.data ? exe.data : "");
			buf_done(&exe);
		}
		if (have_state)
			printf("\nNot stored by the hook: %llu ignored, %llu "
			       "over a "
			       "rate limit, %llu failed.\n",
			    (unsigned long long)st.counters.ignored,
			    (unsigned long long)st.counters.rate_limited,
			    (unsigned long long)st.counters.failed);
	}
	if (s.hidden > 0)
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
