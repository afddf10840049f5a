/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's child processes: one way to start them (the exec action's
 * command, a delivery attempt, the sendmail it runs, the unwinder) and to
 * end them.  A child starts clean of the daemon's signal handling, dies
 * with its parent, and is killed past its deadline, as a group when it
 * leads one.  See child.c.
 */
#ifndef CRASHD_CHILD_H
#define CRASHD_CHILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

enum {
	/* It leads a process group of its own: killed as one. */
	CHILD_GROUP = 1 << 0,
	/* stdin from in_fd (-1: /dev/null; see CHILD_INPUT). */
	CHILD_STDIN = 1 << 1,
	/* stdin a socket child_run() writes its input into. */
	CHILD_INPUT = 1 << 2,
	/* stdout and stderr into a pipe the parent reads (out_fd). */
	CHILD_CAPTURE = 1 << 3,
	/* Every descriptor above 2 closed, but keep_fds. */
	CHILD_CLOSE_FDS = 1 << 4,
};

/* How a child starts (child_fork()). */
struct child_options {
	unsigned flags; /* CHILD_* */
	/*
	 * Signals left ignored in the child, 0-terminated (NULL: none).
	 * Every other one is back to its default (the daemon ignores
	 * SIGPIPE and catches SIGTERM, SIGHUP, SIGCHLD), none is blocked.
	 */
	const int *ignore;
	int in_fd; /* with CHILD_STDIN; not taken */
	const int *keep_fds; /* with CHILD_CLOSE_FDS (not taken) */
	size_t n_keep_fds;
};

/* A child started by child_fork(); pid -1 once it is reaped. */
struct child {
	pid_t pid;
	bool group; /* leads group pid */
	int in_fd; /* the parent's end of its stdin (CHILD_INPUT), or -1 */
	int out_fd; /* the parent's end of its output (CHILD_CAPTURE), or -1 */
};

/* How a reaped child ended. */
struct child_result {
	int status; /* as waitpid(2) says */
	bool exited; /* exit(code); else killed by signal code */
	int code;
	bool timed_out; /* child_run(): killed at its deadline */
};

/*
 * Forks.  In the child (returns 0): PR_SET_PDEATHSIG SIGKILL (a parent
 * gone already: _exit(127)), signal dispositions and mask reset (see
 * struct child_options), its own group, stdio and descriptors as o
 * says.  Whatever fails there is _exit(127).  The handlers registered
 * with pthread_atfork() run in it (the pid file's lock, the unwinders'
 * control pipes).  In the parent: returns 1 and *ret, or -errno (no
 * child).
 */
int child_fork(const struct child_options *o, struct child *ret);

/* Sends sig to the child's group (when it leads one) and to the child. */
void child_kill(const struct child *c, int sig);

/*
 * Reaps the child without waiting: returns 1 and *ret when it ended, 0
 * while it runs, or -errno (it is then forgotten: pid -1).
 */
int child_reap(struct child *c, struct child_result *ret);

/* Reaps the child, waiting: 0 and *ret (NULL: not wanted), or -errno. */
int child_wait(struct child *c, struct child_result *ret);

/*
 * Ends the child: with grace_ms > 0, SIGTERM first and SIGKILL when it
 * is still there grace_ms later, else SIGKILL at once; then reaps it.
 * Returns 0 and *ret (NULL: not wanted), or -errno.
 */
int child_stop(struct child *c, int64_t grace_ms, struct child_result *ret);

/* What child_run() feeds a child and keeps of it. */
struct child_run {
	const char *input; /* written to its stdin (CHILD_INPUT), then EOF */
	size_t input_len;
	int64_t deadline_ms; /* CLOCK_MONOTONIC: then child_stop() */
	int64_t grace_ms; /* child_stop()'s */
	size_t output_cap; /* what is kept of its output; the rest dropped */
	/*
	 * Its exit alone does not end the run: the end of its output (all
	 * it started that holds it) does too, or the deadline.  Without,
	 * what it wrote before it exited is kept, the rest not waited for
	 * (a queue runner a mailer leaves).
	 */
	bool until_output_ends;
	void (*tick)(void); /* called at least once a second, or NULL */
};

/*
 * Runs the child to its end: feeds it run->input, keeps its output in
 * output (up to run->output_cap), and stops it at the deadline (then
 * ret->timed_out).  Closes c's descriptors.  Returns 0 and *ret, or
 * -errno (the child is stopped and reaped all the same).
 */
int child_run(struct child *c, const struct child_run *run, struct buf *output,
    struct child_result *ret);

/* Closes c's descriptors; the process is the caller's still. */
void child_close_fds(struct child *c);

#endif
