/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * action_exec.c: runs a command for a crash, with the dump's path as its
 * last argument and CRASHD_* variables in a clean environment, within a
 * timeout; its output (capped) goes to the dump's actions record.  For a
 * host event (dump NULL) the command runs without the path, with the
 * host event's variables (build_host_env()).
 *
 * A daemon killed during a run runs the action again when restarted (it
 * was in flight: at least once, never lost).  The command dies with the
 * daemon (PR_SET_PDEATHSIG), what it started is killed before the next
 * run (exec_group.c), and the next run is told it is one
 * (CRASHD_ATTEMPT=2: the starts the dump's actions record counts; the
 * same CRASHD_EVENT_ID).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "action.h"
#include "child.h"
#include "clock.h"
#include "escape.h"
#include "exec_group.h"
#include "fsutil.h"
#include "log.h"
#include "sdnotify.h"
#include "strv.h"

#define EXEC_OUTPUT_CAP 4096
#define EXEC_KILL_GRACE_MS 2000

/* Appends NAME=value with value escaped (no newline, no control bytes). */
static int
env_add(char **env, size_t *n, const char *name, const char *value)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = buf_printf(&b, "%s=", name);
	if (r >= 0)
		r = escape_c(&b, value, strlen(value));
	if (r < 0) {
		buf_done(&b);
		return r;
	}
	env[(*n)++] = buf_steal(&b, NULL);
	return 0;
}

/*
 * Appends NAME=value for a value the hook already escaped (reason): as it
 * is, but for a byte no escaper writes (a tampered dump), escaped.
 * Escaping it all again would turn its "\\n" into "\\\\n".
 */
static int
env_add_escaped(char **env, size_t *n, const char *name, const char *value)
{
	struct buf b;
	int r;

	buf_init(&b, 0);
	r = buf_printf(&b, "%s=", name);
	for (const char *p = value; r >= 0 && *p; p++)
		r = (unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f
		    ? buf_putc(&b, *p)
		    : escape_c(&b, p, 1);
	if (r < 0) {
		buf_done(&b);
		return r;
	}
	env[(*n)++] = buf_steal(&b, NULL);
	return 0;
}

/*
 * A host event's environment: CRASHD_EVENT (its kind), CRASHD_EVENT_ID,
 * CRASHD_SUMMARY (the line that says it), CRASHD_HOSTNAME,
 * CRASHD_CORE_PATTERN (what the kernel has now), CRASHD_HANDLER (whose it
 * is), CRASHD_RECLAIMED (1 when crashd wrote its line back); no dump.
 */
static char **
build_host_env(const struct action_event *ev)
{
	const struct action_host_event *h = ev->host;
	char **env = calloc(12, sizeof(char *));
	size_t n = 0;
	int r = 0;

	if (env == NULL)
		return NULL;
	r = r < 0 ? r
		  : env_add(env, &n, "PATH",
			"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/"
			"sbin:/bin");
	r = r < 0 ? r : env_add(env, &n, "CRASHD_EVENT", ev->event);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_EVENT_ID", ev->id);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_SUMMARY", ev->summary);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_HOSTNAME", h->hostname);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_CORE_PATTERN", h->pattern);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_HANDLER", h->owner);
	r = r < 0
	    ? r
	    : env_add(env, &n, "CRASHD_RECLAIMED", h->reclaimed ? "1" : "0");
	if (r < 0) {
		strv_free(env);
		return NULL;
	}
	return env;
}

static char **
build_env(const struct action_event *ev, int attempt)
{
	const struct dump *d = ev->dump;
	char **env;
	char num[6][32];
	size_t n = 0;
	int r = 0;

	if (d == NULL)
		return build_host_env(ev);
	env = calloc(24, sizeof(char *));
	if (env == NULL)
		return NULL;
	snprintf(num[0], sizeof(num[0]), "%d", d->signal);
	snprintf(num[1], sizeof(num[1]), "%ld", d->pid);
	snprintf(num[2], sizeof(num[2]), "%lld", d->uid);
	snprintf(num[3], sizeof(num[3]), "%llu", (unsigned long long)ev->count);
	snprintf(
	    num[4], sizeof(num[4]), "%llu", (unsigned long long)ev->held_back);
	snprintf(num[5], sizeof(num[5]), "%d", attempt);
	r = r < 0 ? r
		  : env_add(env, &n, "PATH",
			"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/"
			"sbin:/bin");
	r = r < 0 ? r : env_add(env, &n, "CRASHD_ID", d->name);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_DUMP", ev->dump_path);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_EXECUTABLE", d->executable);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_SIGNAL", num[0]);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_SIGNAL_NAME", d->signal_name);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_PID", num[1]);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_UID", num[2]);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_HOSTNAME", d->hostname);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_COUNT", num[3]);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_EVENT", ev->event);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_HELD_BACK", num[4]);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_SUMMARY", ev->summary);
	r = r < 0 ? r : env_add_escaped(env, &n, "CRASHD_REASON", d->reason);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_CONTAINER", d->container);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_EVENT_ID", ev->id);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_SIGNATURE", d->signature);
	r = r < 0 ? r : env_add(env, &n, "CRASHD_ATTEMPT", num[5]);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(env[i]);
		free(env);
		return NULL;
	}
	return env;
}

/*
 * In the child (child_fork() made it clean): never returns.  It waits
 * for the parent to have recorded its group (one byte on go_fd) before
 * the command starts: a run the record does not name never started.
 */
static void
child_exec(const struct action_config *ac, const struct action_event *ev,
    char **env, int go_fd)
{
	size_t argc = 0;
	char **argv;
	char go;

	if (read(go_fd, &go, 1) != 1)
		_exit(127);
	close(go_fd);
	while (ac->command[argc])
		argc++;
	argv = calloc(argc + 2, sizeof(char *));
	if (argv == NULL)
		_exit(127);
	memcpy(argv, ac->command, argc * sizeof(char *));
	/* A host event has no dump: the command alone. */
	argv[argc] = (char *)ev->dump_path;
	execve(argv[0], argv, env);
	dprintf(STDERR_FILENO, "exec %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/*
 * How many times the dump's actions record says this action started
 * (this run included: "LABEL start" is appended before it), or 1.
 */
static int
attempt_of(const struct action_event *ev)
{
	const char *slash = ev->dump && ev->id ? strchr(ev->id, '/') : NULL;
	char *text = NULL;
	size_t len = 0, n;
	int count = 0;

	if (slash == NULL || slash[1] == '\0' ||
	    read_file_at(ev->dump->dirfd, DUMP_ITEM_ACTIONS, 1024 * 1024, &text,
		&len) < 0)
		return 1;
	n = strlen(slash + 1);
	/* "TIME LABEL start[ (again: ...)]" */
	for (const char *p = text; p && *p;) {
		const char *nl = strchr(p, '\n'), *sp = strchr(p, ' ');

		if (sp && (nl == NULL || sp < nl) &&
		    strncmp(sp + 1, slash + 1, n) == 0 &&
		    strncmp(sp + 1 + n, " start", 6) == 0 &&
		    (sp[7 + n] == '\n' || sp[7 + n] == ' ' ||
			sp[7 + n] == '\0'))
			count++;
		p = nl ? nl + 1 : NULL;
	}
	free(text);
	return count > 0 ? count : 1;
}

static enum action_outcome
action_exec_run(const struct action_config *ac, const struct action_event *ev,
    struct buf *detail)
{
	int go[2] = { -1, -1 }, attempt, r;
	struct child_options co = {
		/*
		 * Its own group (what it starts is killed with it), no stdin,
		 * and nothing of the daemon's (inotify, spool, its pid file's
		 * lock) reaches the command, nor stays held while it waits: a
		 * daemon restarted at once must find its pid file free.
		 */
		.flags =
		    CHILD_GROUP | CHILD_STDIN | CHILD_CAPTURE | CHILD_CLOSE_FDS,
		.in_fd = -1,
		.n_keep_fds = 1,
	};
	struct child_run run = {
		.grace_ms = EXEC_KILL_GRACE_MS,
		.output_cap = EXEC_OUTPUT_CAP,
		.until_output_ends = true,
		/* A command that takes its time is no hang of the daemon. */
		.tick = sdnotify_watchdog,
	};
	struct child_result res;
	struct child c;
	struct buf out;
	char **env;
	pid_t pgid;
	enum action_outcome o;

	/* A run again after a killed daemon: none of the last one is left. */
	if (ev->spool_dirfd >= 0) {
		size_t from = detail->len;

		if (exec_group_kill_leftovers(ev->spool_dirfd, detail) > 0)
			log_warn("%.*s", (int)(detail->len - from),
			    detail->data + from);
	}
	attempt = attempt_of(ev);
	env = build_env(ev, attempt);
	if (env == NULL) {
		buf_puts(detail, "out of memory");
		return ACTION_FAILED;
	}
	if (pipe2(go, O_CLOEXEC) < 0) {
		buf_printf(detail, "pipe: %s", strerror(errno));
		strv_free(env);
		return ACTION_FAILED;
	}
	co.keep_fds = &go[0];
	r = child_fork(&co, &c);
	if (r < 0) {
		buf_printf(detail, "fork: %s", strerror(-r));
		safe_close(go[0]);
		safe_close(go[1]);
		strv_free(env);
		return ACTION_FAILED;
	}
	if (r == 0) {
		close(go[1]);
		child_exec(ac, ev, env, go[0]);
	}
	safe_close(go[0]);
	strv_free(env);
	pgid = c.pid;
	if (ev->spool_dirfd >= 0 &&
	    exec_group_record(ev->spool_dirfd, pgid, ev->id ? ev->id : "-") < 0)
		buf_puts(detail, "(its group could not be recorded), ");
	(void)write_all(go[1], "g", 1);
	safe_close(go[1]);

	buf_init(&out, EXEC_OUTPUT_CAP + 1);
	run.deadline_ms =
	    clock_now_ms(CLOCK_MONOTONIC) + (int64_t)ac->timeout_ms;
	/* The whole process group: the command's children too. */
	r = child_run(&c, &run, &out, &res);
	if (ev->spool_dirfd >= 0)
		exec_group_forget(ev->spool_dirfd, pgid);

	if (r < 0) {
		buf_printf(detail, "lost the command: %s", strerror(-r));
		o = ACTION_FAILED;
	} else if (res.timed_out) {
		buf_printf(detail, "timed out after %llums",
		    (unsigned long long)ac->timeout_ms);
		o = ACTION_FAILED;
	} else if (res.exited) {
		buf_printf(detail, "exit %d", res.code);
		o = res.code == 0 ? ACTION_OK : ACTION_FAILED;
	} else {
		buf_printf(detail, "killed by signal %d", res.code);
		o = ACTION_FAILED;
	}
	if (out.len > 0) {
		buf_puts(detail, ", output: ");
		escape_c(detail, out.data, out.len);
	}
	buf_done(&out);
	return o;
}

const struct action_ops action_exec_ops = {
	.type = ACTION_EXEC,
	.run = action_exec_run,
};
