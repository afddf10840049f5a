/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * delivery.c owns running the delivery queue: queueing what an action
 * rendered, one child process per attempt (reaped, or killed past its
 * time), backoff with jitter, and moving a delivery to sent/ or dead/
 * with a line in the dump's record.  See delivery.h.
 */
#include "delivery.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action_tally.h"
#include "child.h"
#include "clock.h"
#include "fsutil.h"
#include "journal.h"
#include "log.h"

#define SLOTS_MAX 64 /* daemon.delivery.parallel's bound */
#define KILL_GRACE_MS 5000 /* past the action's own timeout */
#define REPORT_CAP 2048
#define SCAN_EVERY_MS 10000
#define PRUNE_EVERY_MS (3600 * 1000)
#define KEEP_SENT_S (7 * 86400) /* long enough for any rerun */
#define KEEP_DEAD_S (30 * 86400)

/* A child's exit status: what its attempt came to. */
enum {
	EXIT_SENT = 0,
	EXIT_RETRY = 10,
	EXIT_DEAD = 11,
};

struct delivery_slot {
	struct child child; /* pid <= 0: free */
	int fd; /* the child's report */
	int64_t deadline_ms; /* monotonic */
	uint64_t timeout_ms;
	char qid[sizeof(((struct queue_entry *)0)->qid)];
};

static struct queue_entry *
pending_find(struct delivery *dl, const char *qid)
{
	for (size_t i = 0; i < dl->n_pending; i++)
		if (strcmp(dl->pending[i].qid, qid) == 0)
			return &dl->pending[i];
	return NULL;
}

static int
pending_add(struct delivery *dl, const struct queue_entry *e)
{
	if (dl->n_pending == dl->cap_pending) {
		size_t cap = dl->cap_pending ? dl->cap_pending * 2 : 16;
		struct queue_entry *p = realloc(dl->pending, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM; /* on disk: found by the next scan */
		dl->pending = p;
		dl->cap_pending = cap;
	}
	dl->pending[dl->n_pending++] = *e;
	return 0;
}

static void
pending_drop(struct delivery *dl, const char *qid)
{
	struct queue_entry *e = pending_find(dl, qid);

	if (e)
		*e = dl->pending[--dl->n_pending];
}

static bool
in_flight(const struct delivery *dl, const char *qid)
{
	for (size_t i = 0; i < dl->n_slots; i++)
		if (dl->slots[i].child.pid > 0 &&
		    strcmp(dl->slots[i].qid, qid) == 0)
			return true;
	return false;
}

/* Reads pending/ again: the CLI may have retried or dropped some. */
static void
scan(struct delivery *dl)
{
	struct queue_entry *v;
	size_t n;

	if (queue_entries(&dl->q, QUEUE_PENDING, &v, &n) < 0)
		return; /* keep what we have */
	free(dl->pending);
	dl->pending = v;
	dl->n_pending = dl->cap_pending = n;
}

int
delivery_init(struct delivery *dl, int spool_dirfd)
{
	int r;

	memset(dl, 0, sizeof(*dl));
	srandom((unsigned)getpid() ^ (unsigned)time(NULL));
	dl->slots = calloc(SLOTS_MAX, sizeof(*dl->slots));
	if (dl->slots == NULL)
		return -ENOMEM;
	dl->n_slots = SLOTS_MAX;
	for (size_t i = 0; i < dl->n_slots; i++) {
		dl->slots[i].fd = -1;
		dl->slots[i].child.pid = -1;
	}
	r = queue_open(spool_dirfd, true, &dl->q);
	if (r < 0)
		return r;
	scan(dl);
	if (dl->n_pending > 0)
		log_info("%zu deliveries pending", dl->n_pending);
	return 0;
}

enum action_outcome
delivery_enqueue(struct delivery *dl, const struct action_config *ac,
    const struct action_ops *ops, const struct action_event *ev,
    const char *label, struct buf *detail)
{
	struct queue_entry e;
	struct buf payload;
	int r;

	memset(&e, 0, sizeof(e));
	if (queue_qid(ev->id, e.qid, sizeof(e.qid)) < 0) {
		buf_puts(detail, "event id too long to queue");
		return ACTION_FAILED;
	}
	snprintf(e.action, sizeof(e.action), "%s", ac->name);
	snprintf(e.label, sizeof(e.label), "%s", label);
	snprintf(e.type, sizeof(e.type), "%s", action_type_to_string(ac->type));
	snprintf(e.id, sizeof(e.id), "%s", ev->id);
	/* The record the outcome goes to: the dump's, or the host event's. */
	snprintf(e.dump, sizeof(e.dump), "%s",
	    ev->dump ? ev->dump->name : ev->host->record);
	e.created_ms = e.next_ms = clock_now_ms(CLOCK_REALTIME);
	snprintf(e.last, sizeof(e.last), "queued");

	buf_init(&payload, QUEUE_PAYLOAD_MAX);
	r = ops->render(ac, ev, &payload, detail);
	if (r < 0) {
		buf_done(&payload);
		if (detail->len == 0)
			buf_printf(detail, "render: %s", strerror(-r));
		return ACTION_FAILED;
	}
	r = queue_add(
	    &dl->q, &e, payload.data ? payload.data : "", payload.len);
	buf_done(&payload);
	if (r < 0) {
		buf_printf(detail, "queue %s: %s", e.qid, strerror(-r));
		return ACTION_FAILED;
	}
	if (r == 0) {
		buf_printf(detail, "already queued as %s", e.qid);
		return ACTION_OK;
	}
	(void)pending_add(dl, &e);
	buf_printf(detail, "queued as %s", e.qid);
	return ACTION_OK;
}

/* How an action's deliveries are retried: its own, or daemon.delivery's. */
struct retry_policy {
	unsigned attempts;
	uint64_t backoff_ms, max_backoff_ms;
};

static const struct action_config *
action_named(const struct config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->n_actions; i++)
		if (strcmp(cfg->actions[i].name, name) == 0)
			return &cfg->actions[i];
	return NULL;
}

static struct retry_policy
retry_policy(const struct config *cfg, const char *action)
{
	const struct action_config *ac = action_named(cfg, action);
	const struct daemon_config *dc = &cfg->daemon;
	struct retry_policy p = { dc->delivery_attempts,
		dc->delivery_backoff_ms, dc->delivery_max_backoff_ms };

	/* (An action gone from the config: the daemon's.) */
	if (ac && ac->attempts)
		p.attempts = ac->attempts;
	if (ac && ac->backoff_ms)
		p.backoff_ms = ac->backoff_ms;
	if (ac && ac->max_backoff_ms)
		p.max_backoff_ms = ac->max_backoff_ms;
	return p;
}

/* The next attempt's delay: backoff doubled per attempt, capped, jittered */
static uint64_t
backoff_ms(const struct retry_policy *p, unsigned attempts)
{
	uint64_t d = p->backoff_ms;

	for (unsigned i = 1; i < attempts && d < p->max_backoff_ms; i++)
		d *= 2;
	if (d > p->max_backoff_ms)
		d = p->max_backoff_ms;
	/* Equal jitter: half fixed, half random, so retries spread out. */
	return d / 2 + (uint64_t)random() % (d / 2 + 1);
}

static void record(int spool_dirfd, const struct queue_entry *e,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Appends a line to the dump's record (or a host event's, e->dump being
 * .state/events/<event>), while it exists.
 */
static void
record(int spool_dirfd, const struct queue_entry *e, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int fd;

	fd = open_dir_at(spool_dirfd, e->dump);
	if (fd < 0)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	(void)journal_append(fd, "%s %s", e->label, line);
	safe_close(fd);
}

/* How many receivers one attempt of ac sends to (url = [ ... ]). */
static uint64_t
urls_of(const struct action_config *ac)
{
	uint64_t n = 0;

	for (char **u = ac->urls; u && *u; u++)
		n++;
	return n > 0 ? n : 1;
}

/* Records what an attempt came to and moves the delivery on. */
static void
finish(struct delivery *dl, const struct config *cfg, int spool_dirfd,
    const char *qid, int result, const char *what)
{
	struct queue_entry *e = pending_find(dl, qid);
	int64_t now = clock_now_ms(CLOCK_REALTIME);
	struct retry_policy p;
	int r;

	if (e == NULL)
		return; /* dropped meanwhile (crashd-cli deliveries --drop) */
	p = retry_policy(cfg, e->action);
	e->attempts++;
	e->last_ms = now;
	snprintf(e->last, sizeof(e->last), "%s", what);
	if (result == EXIT_SENT) {
		r = queue_save(&dl->q, QUEUE_PENDING, e);
		if (r >= 0)
			r = queue_move(&dl->q, qid, QUEUE_PENDING, QUEUE_SENT);
		if (r < 0)
			log_warn_errno(r, "delivery %s: sent, but: %m", qid);
		action_tally_note(e->action, ACTION_OK);
		log_info("%s: %s delivered (attempt %u): %s", e->dump, e->label,
		    e->attempts, what);
		record(spool_dirfd, e, "delivered (attempt %u): %s",
		    e->attempts, what);
		pending_drop(dl, qid);
		return;
	}
	if (result == EXIT_DEAD || e->attempts >= p.attempts) {
		r = queue_save(&dl->q, QUEUE_PENDING, e);
		if (r >= 0)
			r = queue_move(&dl->q, qid, QUEUE_PENDING, QUEUE_DEAD);
		if (r < 0)
			log_error_errno(
			    r, "delivery %s: move to dead: %m", qid);
		action_tally_note(e->action, ACTION_FAILED);
		log_warn("%s: %s dead after %u attempt%s: %s "
			 "(crashd-cli deliveries)",
		    e->dump, e->label, e->attempts, e->attempts == 1 ? "" : "s",
		    what);
		record(spool_dirfd, e, "dead after %u attempt%s: %s",
		    e->attempts, e->attempts == 1 ? "" : "s", what);
		pending_drop(dl, qid);
		return;
	}
	e->next_ms = now + (int64_t)backoff_ms(&p, e->attempts);
	r = queue_save(&dl->q, QUEUE_PENDING, e);
	if (r < 0)
		log_error_errno(r, "delivery %s: save state: %m", qid);
	log_warn("%s: %s attempt %u of %u failed, next in %llds: %s", e->dump,
	    e->label, e->attempts, p.attempts,
	    (long long)((e->next_ms - now + 999) / 1000), what);
	record(spool_dirfd, e, "attempt %u of %u failed, retrying: %s",
	    e->attempts, p.attempts, what);
}

/* Reads what the child said (it has exited: the pipe is complete). */
static void
read_report(int fd, char *out, size_t size)
{
	struct buf b;

	buf_init(&b, REPORT_CAP);
	(void)read_fd_capped(fd, REPORT_CAP - 1, &b);
	snprintf(out, size, "%s", b.data ? b.data : "");
	buf_done(&b);
	for (char *p = out; *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

static void
slot_free(struct delivery_slot *s)
{
	s->child.pid = -1;
	s->fd = safe_close(s->fd);
}

/* Reaps the attempts that ended, kills those past their time. */
static void
reap(struct delivery *dl, const struct config *cfg, int spool_dirfd)
{
	int64_t now = clock_now_ms(CLOCK_MONOTONIC);

	for (size_t i = 0; i < dl->n_slots; i++) {
		struct delivery_slot *s = &dl->slots[i];
		char what[512] = "";
		struct child_result res;
		int r, result;

		if (s->child.pid <= 0)
			continue;
		r = child_reap(&s->child, &res);
		if (r == 0 && now < s->deadline_ms)
			continue;
		if (r == 0) {
			(void)child_stop(&s->child, 0, NULL);
			snprintf(what, sizeof(what),
			    "no outcome within %llums: killed",
			    (unsigned long long)s->timeout_ms);
			result = EXIT_RETRY;
		} else if (r < 0) {
			snprintf(what, sizeof(what), "lost the attempt: %s",
			    strerror(-r));
			result = EXIT_RETRY;
		} else {
			read_report(s->fd, what, sizeof(what));
			if (res.exited &&
			    (res.code == EXIT_SENT || res.code == EXIT_RETRY ||
				res.code == EXIT_DEAD)) {
				result = res.code;
			} else {
				size_t n = strlen(what);

				snprintf(what + n, sizeof(what) - n,
				    "%sthe attempt %s %d", n ? "; " : "",
				    res.exited ? "exited with"
					       : "was killed by signal",
				    res.code);
				result = EXIT_RETRY;
			}
		}
		finish(dl, cfg, spool_dirfd, s->qid, result, what);
		slot_free(s);
	}
}

/* In the child (child_fork() made it clean): one attempt.  Never returns. */
static void __attribute__((noreturn))
attempt(struct delivery *dl, const struct action_config *ac,
    const struct action_ops *ops, const struct queue_entry *e, int report_fd)
{
	enum send_result res;
	struct buf detail, payload;
	int fd, r;

	buf_init(&detail, REPORT_CAP);
	buf_init(&payload, QUEUE_PAYLOAD_MAX);
	fd = queue_open_payload(&dl->q, QUEUE_PENDING, e->qid);
	r = fd < 0 ? fd : read_fd_capped(fd, QUEUE_PAYLOAD_MAX, &payload);
	safe_close(fd);
	if (r < 0) {
		buf_printf(
		    &detail, "read the queued payload: %s", strerror(-r));
		res = SEND_RETRY;
	} else {
		res = ops->send(ac, e->id, payload.data ? payload.data : "",
		    payload.len, &detail);
	}
	(void)write_all(report_fd, detail.data ? detail.data : "", detail.len);
	_exit(res == SEND_OK       ? EXIT_SENT
		: res == SEND_DEAD ? EXIT_DEAD
				   : EXIT_RETRY);
}

/* Starts one attempt.  Returns false when no process could be made. */
static bool
start(struct delivery *dl, const struct config *cfg, int spool_dirfd,
    struct delivery_slot *s, struct queue_entry *e)
{
	const struct action_config *ac = action_named(cfg, e->action);
	const struct action_ops *ops = ac ? action_ops_for(ac->type) : NULL;
	/*
	 * Its own group: a sendmail it runs dies with it.  SIGPIPE stays
	 * ignored, as in the daemon (libcurl in this process).
	 */
	static const int ignore[] = { SIGPIPE, 0 };
	static const struct child_options co = { .flags = CHILD_GROUP,
		.ignore = ignore };
	char what[256];
	int p[2], r;

	if (ops == NULL || ops->send == NULL ||
	    strcmp(action_type_to_string(ac->type), e->type) != 0) {
		snprintf(what, sizeof(what),
		    "no %s action named \"%s\" in the config any more", e->type,
		    e->action);
		finish(dl, cfg, spool_dirfd, e->qid, EXIT_DEAD, what);
		return true;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_warn_errno(-errno, "delivery %s: pipe: %m", e->qid);
		return false;
	}
	r = child_fork(&co, &s->child);
	if (r < 0) {
		log_warn_errno(r, "delivery %s: fork: %m", e->qid);
		safe_close(p[0]);
		safe_close(p[1]);
		return false;
	}
	if (r == 0) {
		safe_close(p[0]);
		attempt(dl, ac, ops, e, p[1]);
	}
	safe_close(p[1]);
	s->fd = p[0];
	/* A webhook to several URLs posts to each in turn: each its time. */
	s->timeout_ms = ac->timeout_ms * urls_of(ac);
	s->deadline_ms = clock_now_ms(CLOCK_MONOTONIC) +
	    (int64_t)s->timeout_ms + KILL_GRACE_MS;
	snprintf(s->qid, sizeof(s->qid), "%s", e->qid);
	return true;
}

/* The due delivery waiting longest that is not in flight, or NULL. */
static struct queue_entry *
next_due(struct delivery *dl, int64_t now)
{
	struct queue_entry *best = NULL;

	for (size_t i = 0; i < dl->n_pending; i++) {
		struct queue_entry *e = &dl->pending[i];

		if (e->next_ms <= now &&
		    (best == NULL || e->next_ms < best->next_ms) &&
		    !in_flight(dl, e->qid))
			best = e;
	}
	return best;
}

void
delivery_tick(struct delivery *dl, const struct config *cfg, int spool_dirfd)
{
	int64_t mono = clock_now_ms(CLOCK_MONOTONIC);
	unsigned busy = 0;

	reap(dl, cfg, spool_dirfd);
	if (mono >= dl->next_scan_ms) {
		bool any = false;

		for (size_t i = 0; i < dl->n_slots; i++)
			any = any || dl->slots[i].child.pid > 0;
		/* In flight, their states are ours: scan between attempts. */
		if (!any) {
			scan(dl);
			dl->next_scan_ms = mono + SCAN_EVERY_MS;
		}
	}
	if (mono >= dl->next_prune_ms) {
		dl->next_prune_ms = mono + PRUNE_EVERY_MS;
		queue_prune(&dl->q, QUEUE_SENT, KEEP_SENT_S);
		queue_prune(&dl->q, QUEUE_DEAD, KEEP_DEAD_S);
	}
	for (size_t i = 0; i < dl->n_slots; i++)
		busy += dl->slots[i].child.pid > 0;
	for (size_t i = 0;
	     i < dl->n_slots && busy < cfg->daemon.delivery_parallel; i++) {
		struct queue_entry *e;

		if (dl->slots[i].child.pid > 0)
			continue;
		e = next_due(dl, clock_now_ms(CLOCK_REALTIME));
		if (e == NULL)
			break;
		if (!start(dl, cfg, spool_dirfd, &dl->slots[i], e))
			break;
		busy += dl->slots[i].child.pid > 0;
	}
}

void
delivery_done(struct delivery *dl, const struct config *cfg, int spool_dirfd,
    int64_t grace_ms)
{
	int64_t end = clock_now_ms(CLOCK_MONOTONIC) + grace_ms;

	if (dl->slots == NULL)
		return; /* never initialized */
	for (;;) {
		bool any = false;

		reap(dl, cfg, spool_dirfd); /* records what ended */
		for (size_t i = 0; i < dl->n_slots; i++)
			any = any || dl->slots[i].child.pid > 0;
		if (!any)
			break;
		if (clock_now_ms(CLOCK_MONOTONIC) < end) {
			usleep(20 * 1000);
			continue;
		}
		for (size_t i = 0; i < dl->n_slots; i++) {
			struct delivery_slot *s = &dl->slots[i];

			if (s->child.pid <= 0)
				continue;
			log_info("delivery %s interrupted by the stop, "
				 "retried at the next start",
			    s->qid);
			(void)child_stop(&s->child, 0, NULL);
			slot_free(s);
		}
		break;
	}
	free(dl->slots);
	dl->slots = NULL;
	free(dl->pending);
	dl->pending = NULL;
	dl->n_pending = dl->cap_pending = 0;
	queue_close(&dl->q);
}
