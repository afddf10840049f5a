/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pager.c owns piping crashd-cli's output into a pager (systemd's
 * src/shared/pager.c is the model: the same variables, the same LESS).
 */
#include "pager.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "term.h"

static pid_t pager_pid = -1;

/* The pager to run, or NULL for none ("" or "cat"). */
static const char *
pager_command(void)
{
	const char *p = getenv("SYSTEMD_PAGER");

	if (p == NULL)
		p = getenv("PAGER");
	if (p == NULL)
		return "less";
	p += strspn(p, " \t");
	if (p[0] == '\0' || strcmp(p, "cat") == 0)
		return NULL;
	return p;
}

void
pager_open(bool no_pager)
{
	const char *cmd, *less;
	int fd[2];
	pid_t pid;

	if (no_pager || !term_tty() || pager_pid > 0)
		return;
	cmd = pager_command();
	if (cmd == NULL)
		return;
	fflush(stdout);
	if (pipe2(fd, O_CLOEXEC) < 0)
		return;
	pid = fork();
	if (pid < 0) {
		close(fd[0]);
		close(fd[1]);
		return;
	}
	if (pid == 0) {
		if (dup2(fd[0], STDIN_FILENO) < 0)
			_exit(127);
		less = getenv("SYSTEMD_LESS");
		setenv("LESS", less ? less : "FRSXMK", 1);
		if (term_utf8() && getenv("LESSCHARSET") == NULL)
			setenv("LESSCHARSET", "utf-8", 1);
		if (strcmp(cmd, "less") == 0) {
			execlp("less", "less", (char *)NULL);
			execlp("more", "more", (char *)NULL);
			/* No pager at all: pass the output through. */
			execlp("cat", "cat", (char *)NULL);
		} else {
			execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		}
		_exit(127);
	}
	close(fd[0]);
	if (dup2(fd[1], STDOUT_FILENO) < 0) {
		close(fd[1]);
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return;
	}
	close(fd[1]);
	/* A pager quit early: the rest is not wanted, not an error. */
	signal(SIGPIPE, SIG_IGN);
	pager_pid = pid;
}

void
pager_close(void)
{
	if (pager_pid <= 0)
		return;
	fflush(stdout);
	fclose(stdout);
	while (waitpid(pager_pid, NULL, 0) < 0 && errno == EINTR)
		;
	pager_pid = -1;
}
