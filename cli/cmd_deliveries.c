/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * crashd-cli deliveries: what mail and webhook actions have queued (the
 * delivery queue, common/queue.h): pending ones with their next attempt,
 * dead ones with why; and retrying or dropping them.  The daemon picks a
 * retried delivery up within seconds.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "clock.h"
#include "escape.h"
#include "json.h"
#include "log.h"
#include "queue.h"
#include "render.h"
#include "when.h"

static void
print_table(struct queue_entry *v[], const enum queue_list *lists, size_t n)
{
	printf("%-8s %5s  %-19s  %-12s %-8s %s\n", "STATE", "TRIES", "WHEN",
	    "ACTION", "TYPE", "DUMP / LAST OUTCOME");
	for (size_t i = 0; i < n; i++) {
		const struct queue_entry *e = v[i];
		char when[64] = "";
		struct buf last;

		if (lists[i] == QUEUE_PENDING)
			when_format(e->next_ms / 1000, when, sizeof(when));
		else
			when_format(e->last_ms / 1000, when, sizeof(when));
		buf_init(&last, 0);
		escape_c(&last, e->last, strlen(e->last));
		printf("%-8s %5u  %-19s  %-12s %-8s %s\n",
		    queue_list_to_string(lists[i]), e->attempts, when,
		    e->action, e->type, e->dump);
		printf("%-8s %5s  %-19s  %s%s\n", "", "", "",
		    lists[i] == QUEUE_PENDING && e->attempts == 0 ? "" : "-> ",
		    last.data ? last.data : "");
		buf_done(&last);
	}
}

static void
print_json(struct queue_entry *v[], const enum queue_list *lists, size_t n,
    enum cli_json mode)
{
	struct json_writer w;
	struct buf out;

	buf_init(&out, 0);
	json_writer_init(&w, &out);
	json_begin_array(&w);
	for (size_t i = 0; i < n; i++) {
		const struct queue_entry *e = v[i];

		json_begin_object(&w);
		json_key(&w, "qid");
		json_str(&w, e->qid);
		json_key(&w, "state");
		json_str(&w, queue_list_to_string(lists[i]));
		json_key(&w, "action");
		json_str(&w, e->action);
		json_key(&w, "type");
		json_str(&w, e->type);
		json_key(&w, "id");
		json_str(&w, e->id);
		json_key(&w, "dump");
		json_str(&w, e->dump);
		json_key(&w, "attempts");
		json_int(&w, e->attempts);
		json_key(&w, "created");
		json_int(&w, e->created_ms / 1000);
		json_key(&w, "next_attempt");
		if (lists[i] == QUEUE_PENDING)
			json_int(&w, e->next_ms / 1000);
		else
			json_write_null(&w);
		json_key(&w, "last_attempt");
		if (e->attempts > 0)
			json_int(&w, e->last_ms / 1000);
		else
			json_write_null(&w);
		json_key(&w, "last_outcome");
		json_str(&w, e->last);
		json_end_object(&w);
	}
	json_end_array(&w);
	if (out.data) {
		render_json_print(&out, mode);
		if (mode != CLI_JSON_PRETTY)
			putchar('\n');
	}
	buf_done(&out);
}

static int
list(struct queue *q, bool all, enum cli_json json)
{
	enum queue_list which[] = { QUEUE_SENT, QUEUE_DEAD, QUEUE_PENDING };
	struct queue_entry *lists[_QUEUE_LIST_MAX] = { NULL };
	size_t counts[_QUEUE_LIST_MAX] = { 0 }, total = 0, k = 0;
	struct queue_entry **v = NULL;
	enum queue_list *kinds = NULL;
	int r = 0;

	for (size_t i = 0; i < 3; i++) {
		if (which[i] == QUEUE_SENT && !all)
			continue;
		r = queue_entries(
		    q, which[i], &lists[which[i]], &counts[which[i]]);
		if (r < 0)
			goto out;
		total += counts[which[i]];
	}
	v = calloc(total + 1, sizeof(*v));
	kinds = calloc(total + 1, sizeof(*kinds));
	if (v == NULL || kinds == NULL) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < 3; i++)
		for (size_t j = 0; j < counts[which[i]]; j++) {
			v[k] = &lists[which[i]][j];
			kinds[k++] = which[i];
		}
	if (json != CLI_JSON_OFF)
		print_json(v, kinds, total, json);
	else if (total == 0)
		printf("no %sdeliveries\n", all ? "" : "pending or dead ");
	else
		print_table(v, kinds, total);
out:
	for (int i = 0; i < _QUEUE_LIST_MAX; i++)
		free(lists[i]);
	free(v);
	free(kinds);
	return r;
}

static int
retry_one(struct queue *q, const char *qid)
{
	struct queue_entry e;
	int r;

	r = queue_load(q, QUEUE_DEAD, qid, &e);
	if (r == -ENOENT)
		log_error("%s: no dead delivery of that name", qid);
	else if (r < 0)
		log_error_errno(r, "%s: %m", qid);
	if (r < 0)
		return r;
	e.attempts = 0;
	e.next_ms = clock_now_ms(CLOCK_REALTIME);
	snprintf(e.last, sizeof(e.last), "retried with crashd-cli");
	r = queue_save(q, QUEUE_DEAD, &e);
	if (r >= 0)
		r = queue_move(q, qid, QUEUE_DEAD, QUEUE_PENDING);
	if (r < 0)
		return log_error_errno(r, "%s: retry: %m", qid);
	printf("retrying %s\n", qid);
	return 0;
}

static int
retry(struct queue *q, int argc, char **argv, bool all_dead)
{
	struct queue_entry *v = NULL;
	size_t n = 0;
	int r, failed = 0;

	if (all_dead) {
		r = queue_entries(q, QUEUE_DEAD, &v, &n);
		if (r < 0)
			return log_error_errno(r, "read dead deliveries: %m");
		for (size_t i = 0; i < n; i++)
			failed |= retry_one(q, v[i].qid) < 0;
		free(v);
		if (n == 0)
			printf("no dead deliveries\n");
	}
	for (int i = 0; i < argc; i++)
		failed |= retry_one(q, argv[i]) < 0;
	return failed ? -EINVAL : 0;
}

static int
drop(struct queue *q, int argc, char **argv)
{
	int failed = 0;

	for (int i = 0; i < argc; i++) {
		int r = queue_remove(q, QUEUE_PENDING, argv[i]);

		if (r == -ENOENT)
			r = queue_remove(q, QUEUE_DEAD, argv[i]);
		if (r == -ENOENT)
			log_error(
			    "%s: no pending or dead delivery of that name",
			    argv[i]);
		else if (r < 0)
			log_error_errno(r, "%s: %m", argv[i]);
		else
			printf("dropped %s\n", argv[i]);
		failed |= r < 0;
	}
	return failed ? -EINVAL : 0;
}

int
cmd_deliveries(struct cli *cli, int argc, char **argv)
{
	bool all, json, dead;
	const char *verb = NULL;
	struct cli_args a;
	struct config c;
	struct spool sp;
	struct queue q;
	int r;

	r = cli_args_parse(cli, argc, argv, &a);
	if (r)
		return r == 3 ? 0 : r;
	all = a.all;
	json = a.json != CLI_JSON_OFF;
	dead = a.dead;
	if (a.n_operands > 0) {
		verb = a.operands[0];
		if (strcmp(verb, "retry") != 0 && strcmp(verb, "drop") != 0) {
			log_error("unknown deliveries command \"%s\"", verb);
			cli_args_usage(cli->verb, stderr);
			return 2;
		}
		if (all || json || (dead && strcmp(verb, "retry") != 0) ||
		    (a.n_operands == 1 && !dead)) {
			cli_args_usage(cli->verb, stderr);
			return 2;
		}
	} else if (dead) {
		cli_args_usage(cli->verb, stderr);
		return 2;
	}
	if (cli_open_spool(cli, &c, &sp) < 0)
		return 1;
	r = queue_open(sp.dirfd, false, &q);
	if (r == -ENOENT && verb == NULL) {
		/* No mail or webhook action ever ran. */
		printf(json ? "[]\n" : "no deliveries\n");
		r = 0;
		goto out;
	}
	if (r == -EACCES || r == -EPERM) {
		log_error("the delivery queue in %s is root's alone", c.spool);
		goto out;
	}
	if (r < 0) {
		log_error_errno(
		    r, "open the delivery queue in %s: %m", c.spool);
		goto out;
	}
	if (verb == NULL)
		r = list(&q, all, a.json);
	else if (strcmp(verb, "retry") == 0)
		r = retry(&q, a.n_operands - 1, a.operands + 1, dead);
	else
		r = drop(&q, a.n_operands - 1, a.operands + 1);
	if (r < 0 && verb == NULL)
		log_error_errno(r, "read the delivery queue: %m");
	queue_close(&q);
out:
	spool_done(&sp);
	config_done(&c);
	return r < 0 ? 1 : 0;
}
