/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * registration.c owns the daemon's watch on its own registration.  Every
 * REGISTRATION_CHECK_S, and after SIGHUP, it reads core_pattern and
 * compares it with crashd's line; <spool>/.state/registration keeps what
 * it last saw, so that a change made while the daemon was down is noticed
 * at its start.  Without a state, what is seen first is the baseline:
 * logged, never notified.
 *
 * Losing core_pattern to another line, and getting it back after that was
 * told, are host events, told exactly once across restarts, as a dump's
 * actions are (daemon.c):
 *   1. the new state, naming the event as pending, replaces the old one
 *      (fsync'd) before anything is sent;
 *   2. each notifying action (mail, webhook, exec, whatever its match: a
 *      match selects crashes, and losing the handler concerns them all)
 *      runs once, recorded "start"/"done" in the event's actions record,
 *      <spool>/.state/events/registration-N/actions; its event id,
 *      "registration-N/ACTION", is the delivery's idempotency key;
 *   3. the state, the event no longer pending.
 * A daemon killed anywhere resumes at 2 at its next check.
 *
 * The state file, one "key value" per line:
 *   registered 0|1
 *   pattern PATTERN            as seen (escape_c()'d: it can hold anything)
 *   time T                     when it was first seen so
 *   event N KIND pending|done [reclaimed]      the last event, if any
 *   event_pattern PATTERN      what core_pattern was when it happened
 */
#include "registration.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "action.h"
#include "action_metrics.h"
#include "daemon.h"
#include "escape.h"
#include "fsutil.h"
#include "journal.h"
#include "log.h"
#include "mail_msg.h"
#include "spool.h"

#define STATE_CAP 4096
#define EVENT_PREFIX "registration-"

int
registration_init(
    struct registration *rg, const char *hook_path, const char *config_path)
{
	int r;

	memset(rg, 0, sizeof(*rg));
	if (hook_path[0] != '/') {
		log_error("--hook %s: not an absolute path", hook_path);
		return -EINVAL;
	}
	r = kernel_hook_line(
	    hook_path, config_path, rg->line, sizeof(rg->line));
	if (r == -EINVAL)
		log_error("hook %s, config %s: a path holds a space, which "
			  "core_pattern cannot carry",
		    hook_path, config_path ? config_path : "(default)");
	else if (r < 0)
		log_error("hook %s, config %s: the core_pattern line is longer "
			  "than the kernel keeps (%d bytes)",
		    hook_path, config_path ? config_path : "(default)",
		    KERNEL_CORE_PATTERN_MAX);
	if (r < 0)
		rg->line[0] = '\0';
	return r;
}

/* An escaped pattern's bytes into out ("" when they do not fit). */
static void
unescape(const char *s, size_t n, char *out, size_t size)
{
	struct buf raw;

	buf_init(&raw, size - 1);
	out[0] = '\0';
	if (mail_msg_unescape(&raw, s, n) >= 0 && raw.data &&
	    memchr(raw.data, '\0', raw.len) == NULL) {
		memcpy(out, raw.data, raw.len);
		out[raw.len] = '\0';
	}
	buf_done(&raw);
}

static void
parse_line(struct registration_state *st, const char *p, size_t n, int *seen)
{
	char kind[16] = "", how[16] = "", extra[16] = "";
	long long v;
	int flag;

	if (n > 8 && memcmp(p, "pattern ", 8) == 0) {
		unescape(p + 8, n - 8, st->pattern, sizeof(st->pattern));
	} else if (n > 14 && memcmp(p, "event_pattern ", 14) == 0) {
		unescape(p + 14, n - 14, st->event_pattern,
		    sizeof(st->event_pattern));
	} else if (sscanf(p, "registered %d", &flag) == 1) {
		st->registered = flag == 1;
		*seen = 1;
	} else if (sscanf(p, "time %lld", &v) == 1) {
		st->time = v;
	} else if (sscanf(p, "event %lld %15s %15s %15s", &v, kind, how,
		       extra) >= 3 &&
	    v > 0) {
		st->event = v;
		snprintf(st->kind, sizeof(st->kind), "%s", kind);
		st->pending = strcmp(how, "pending") == 0;
		st->reclaimed = strcmp(extra, "reclaimed") == 0;
	}
}

int
registration_load(int spool_dirfd, struct registration_state *ret)
{
	struct registration_state st;
	char *text = NULL;
	size_t len = 0;
	int r, seen = 0;

	r = read_file_at(spool_dirfd, SPOOL_STATE "/" REGISTRATION_STATE,
	    STATE_CAP, &text, &len);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	memset(&st, 0, sizeof(st));
	for (char *p = text; p && *p;) {
		char *nl = strchr(p, '\n');

		if (nl)
			*nl = '\0';
		parse_line(&st, p, strlen(p), &seen);
		p = nl ? nl + 1 : NULL;
	}
	free(text);
	if (!seen)
		return -EBADMSG;
	*ret = st;
	return 1;
}

static int
save(int spool_dirfd, const struct registration_state *st)
{
	struct buf b;
	int dirfd, r;

	r = mkdir_at_safe(spool_dirfd, SPOOL_STATE, SPOOL_STATE_MODE);
	dirfd = r < 0 ? r : open_dir_at(spool_dirfd, SPOOL_STATE);
	if (dirfd < 0)
		return dirfd;
	buf_init(&b, 0);
	r = buf_printf(&b, "registered %d\npattern ", st->registered ? 1 : 0);
	if (r >= 0)
		r = escape_c(&b, st->pattern, strlen(st->pattern));
	if (r >= 0)
		r = buf_printf(&b, "\ntime %lld\n", st->time);
	if (r >= 0 && st->event > 0)
		r = buf_printf(&b, "event %lld %s %s%s\n", st->event, st->kind,
		    st->pending ? "pending" : "done",
		    st->reclaimed ? " reclaimed" : "");
	if (r >= 0 && st->event > 0)
		r = buf_puts(&b, "event_pattern ");
	if (r >= 0 && st->event > 0)
		r = escape_c(&b, st->event_pattern, strlen(st->event_pattern));
	if (r >= 0 && st->event > 0)
		r = buf_putc(&b, '\n');
	if (r >= 0)
		r = replace_file_at(
		    dirfd, REGISTRATION_STATE, b.data, b.len, 0600, true);
	buf_done(&b);
	safe_close(dirfd);
	return r < 0 ? r : 0;
}

/* Logs a failure once until it changes; ", ignoring": the daemon goes on. */
static void
say_once(struct registration *rg, int r, const char *what)
{
	if (rg->said == r)
		return;
	rg->said = r;
	log_warn_errno(r, "registration watch: %s: %m, ignoring", what);
}

/* The escaped pattern, for a log line or a message. */
static void
escaped(const char *pattern, char *out, size_t size)
{
	struct buf b;

	buf_init(&b, 0);
	if (escape_c(&b, pattern, strlen(pattern)) < 0 || b.data == NULL)
		snprintf(out, size, "?");
	else
		snprintf(out, size, "%s", b.data);
	buf_done(&b);
}

/* Writes crashd's line (and core_pipe_limit up to its minimum) back. */
static int
reclaim(const struct registration *rg)
{
	char limit[32];
	int r;

	r = kernel_write(KERNEL_CORE_PATTERN, rg->line);
	if (r >= 0 &&
	    kernel_read(KERNEL_CORE_PIPE_LIMIT, limit, sizeof(limit)) >= 0 &&
	    atoi(limit) < KERNEL_PIPE_LIMIT_MIN) {
		snprintf(limit, sizeof(limit), "%d", KERNEL_PIPE_LIMIT_MIN);
		r = kernel_write(KERNEL_CORE_PIPE_LIMIT, limit);
	}
	return r;
}

/* The one line an event's notifications say. */
static void
event_message(const struct registration_state *st, char *out, size_t size)
{
	char esc[4 * sizeof(st->pattern)];

	if (strcmp(st->kind, "unregistered") == 0) {
		escaped(st->event_pattern, esc, sizeof(esc));
		snprintf(out, size,
		    "crashd is no longer the crash handler: core_pattern is "
		    "now '%s'%s",
		    esc,
		    st->reclaimed ? "; crashd wrote its line back "
				    "(daemon.reclaim_core_pattern)"
				  : "");
	} else {
		snprintf(out, size, "crashd is the crash handler again%s",
		    st->reclaimed ? " (crashd wrote its line back: "
				    "daemon.reclaim_core_pattern)"
				  : "");
	}
}

/*
 * Removes the records of events other than keep_a and keep_b (the last
 * two): a late delivery outcome of an older one is not recorded.
 */
static void
prune_events(int events_fd, const char *keep_a, const char *keep_b)
{
	struct dirent *de;
	DIR *dir;

	if (opendir_at(events_fd, ".", &dir) < 0)
		return;
	while ((de = readdir(dir)) != NULL) {
		int fd;

		if (strncmp(de->d_name, EVENT_PREFIX, strlen(EVENT_PREFIX)) !=
			0 ||
		    strcmp(de->d_name, keep_a) == 0 ||
		    strcmp(de->d_name, keep_b) == 0)
			continue;
		fd = open_dir_at(events_fd, de->d_name);
		if (fd >= 0) {
			(void)unlinkat(fd, JOURNAL_ITEM, 0);
			safe_close(fd);
		}
		(void)unlinkat(events_fd, de->d_name, AT_REMOVEDIR);
	}
	closedir(dir);
}

/*
 * Runs the notifying actions for the event st names, each once.  Returns
 * 0 when all ran (whatever their outcome), -EINTR when a stop was asked
 * for, another -errno when the record could not be kept.
 */
static int
run_event(
    struct daemon *dm, const struct registration_state *st, long long previous)
{
	char name[64], prev[64], record[128], msg[1024], host[256] = "";
	struct action_host_event h;
	struct journal j = { 0 };
	int events_fd = -1, dirfd = -1, r;

	snprintf(name, sizeof(name), EVENT_PREFIX "%lld", st->event);
	snprintf(prev, sizeof(prev), EVENT_PREFIX "%lld", previous);
	snprintf(record, sizeof(record), "%s/%s/%s", SPOOL_STATE,
	    REGISTRATION_EVENTS_DIR, name);
	r = mkdir_at_safe(dm->spool.dirfd, SPOOL_STATE, SPOOL_STATE_MODE);
	if (r >= 0)
		r = mkdir_at_safe(dm->spool.dirfd,
		    SPOOL_STATE "/" REGISTRATION_EVENTS_DIR, 0700);
	if (r >= 0)
		r = events_fd = open_dir_at(
		    dm->spool.dirfd, SPOOL_STATE "/" REGISTRATION_EVENTS_DIR);
	if (r >= 0)
		r = mkdir_at_safe(events_fd, name, 0700);
	if (r >= 0)
		r = dirfd = open_dir_at(events_fd, name);
	if (r >= 0)
		r = journal_load(dirfd, &j);
	if (r < 0) {
		log_error_errno(r, "%s/%s: %m", dm->cfg.spool, record);
		goto out;
	}
	prune_events(events_fd, name, prev);
	(void)gethostname(host, sizeof(host) - 1);
	event_message(st, msg, sizeof(msg));
	h = (struct action_host_event){ .kind = st->kind,
		.pattern = st->event_pattern,
		.owner = kernel_pattern_owner(st->event_pattern),
		.ours = dm->registration.line,
		.hostname = host,
		.reclaimed = st->reclaimed,
		.time = st->time,
		.record = record };
	for (size_t i = 0; i < dm->cfg.n_actions; i++) {
		const struct action_config *ac = &dm->cfg.actions[i];
		char id[256];
		struct action_event ev = { NULL, NULL, st->kind, 0, 0, msg, id,
			dm->spool.dirfd, &h };

		if (!action_type_notifies(ac->type))
			continue;
		snprintf(id, sizeof(id), "%s/%s", name, ac->name);
		r = daemon_run_action(dm, dirfd, name, &j, ac, &ev, ac->name);
		if (r < 0)
			break;
	}
out:
	journal_done(&j);
	safe_close(dirfd);
	safe_close(events_fd);
	return r < 0 ? r : 0;
}

/* Runs st's event and records it done.  st is updated. */
static void
notify(struct daemon *dm, struct registration_state *st, long long previous)
{
	int r;

	if (run_event(dm, st, previous) < 0)
		return; /* still pending: resumed at the next check */
	st->pending = false;
	r = save(dm->spool.dirfd, st);
	if (r < 0)
		log_error_errno(r, "%s/%s/%s: %m", dm->cfg.spool, SPOOL_STATE,
		    REGISTRATION_STATE);
}

/*
 * Starts a new event of kind in st (recorded pending), core_pattern having
 * been seen as seen, and runs it.
 */
static void
new_event(struct daemon *dm, struct registration_state *st, const char *kind,
    const char *seen, long long now)
{
	long long previous = st->event;
	int r;

	snprintf(st->event_pattern, sizeof(st->event_pattern), "%s", seen);
	/* Unique and growing, also for two events in one second. */
	st->event = now > st->event ? now : st->event + 1;
	snprintf(st->kind, sizeof(st->kind), "%s", kind);
	st->pending = true;
	r = save(dm->spool.dirfd, st);
	if (r < 0) {
		/* Not recorded: not sent (it could be sent twice). */
		log_error_errno(r, "%s/%s/%s: %m; not notifying", dm->cfg.spool,
		    SPOOL_STATE, REGISTRATION_STATE);
		return;
	}
	action_metrics_refresh(&dm->cfg, dm->spool.dirfd);
	notify(dm, st, previous);
}

void
registration_check(struct daemon *dm)
{
	struct registration *rg = &dm->registration;
	struct registration_state old, st;
	char seen[KERNEL_CORE_PATTERN_MAX + 2], esc[1024];
	long long now = (long long)time(NULL);
	bool ok, reclaimed = false;
	int known, r;

	if (rg->line[0] == '\0')
		return;
	known = registration_load(dm->spool.dirfd, &old);
	if (known < 0) {
		log_warn_errno(known,
		    "%s/%s/%s: %m; what core_pattern is now is the new "
		    "baseline",
		    dm->cfg.spool, SPOOL_STATE, REGISTRATION_STATE);
		known = 0;
	}
	if (known && old.pending)
		notify(
		    dm, &old, 0); /* interrupted: its record knows what ran */
	r = kernel_read(KERNEL_CORE_PATTERN, seen, sizeof(seen));
	if (r < 0) {
		say_once(rg, r, "read " KERNEL_CORE_PATTERN);
		return;
	}
	ok = strcmp(seen, rg->line) == 0;
	if (!ok && dm->cfg.daemon.reclaim_core_pattern) {
		r = reclaim(rg);
		if (r < 0)
			say_once(rg, r, "write crashd's line back");
		reclaimed = r >= 0;
	}
	if (r >= 0)
		rg->said = 0;
	escaped(seen, esc, sizeof(esc));

	st = known ? old : (struct registration_state){ 0 };
	st.registered = ok || reclaimed;
	/* What the kernel has now: crashd's line once it is written back. */
	snprintf(
	    st.pattern, sizeof(st.pattern), "%s", reclaimed ? rg->line : seen);
	if (!known || st.registered != old.registered ||
	    strcmp(st.pattern, old.pattern) != 0)
		st.time = now;
	st.reclaimed = reclaimed;

	if (!known) {
		if (!ok)
			log_warn(
			    "crashd is not the crash handler: core_pattern "
			    "is '%s' (%s), not '%s'%s",
			    esc, kernel_pattern_owner(seen), rg->line,
			    reclaimed ? "; wrote crashd's line back "
					"(daemon.reclaim_core_pattern)"
				      : "; crashd-cli install registers it");
		st.event = 0;
		st.kind[0] = '\0';
		st.pending = false;
	} else if (old.registered && !ok) {
		log_warn("crashd is no longer the crash handler: core_pattern "
			 "is now '%s' (%s)%s",
		    esc, kernel_pattern_owner(seen),
		    reclaimed ? "; wrote crashd's line back "
				"(daemon.reclaim_core_pattern)"
			      : "; crashd-cli install makes crashd the "
				"handler again");
		new_event(dm, &st, "unregistered", seen, now);
		return;
	} else if (!old.registered && st.registered) {
		log_info("crashd is the crash handler again%s",
		    reclaimed ? " (wrote its line back: "
				"daemon.reclaim_core_pattern)"
			      : "");
		/* Back after a loss that was told: told too. */
		if (strcmp(old.kind, "unregistered") == 0) {
			new_event(dm, &st, "registered", seen, now);
			return;
		}
	} else if (strcmp(st.pattern, old.pattern) == 0) {
		return; /* nothing changed */
	} else if (!st.registered) {
		log_warn("crashd is still not the crash handler: core_pattern "
			 "is now '%s' (%s)",
		    esc, kernel_pattern_owner(seen));
	}
	st.reclaimed = known ? old.reclaimed : false;
	r = save(dm->spool.dirfd, &st);
	if (r < 0)
		log_error_errno(r, "%s/%s/%s: %m", dm->cfg.spool, SPOOL_STATE,
		    REGISTRATION_STATE);
	action_metrics_refresh(&dm->cfg, dm->spool.dirfd);
}
