/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * signame.c owns the table of signal names; it does not depend on the C
 * library's sigabbrev_np() so that output is the same everywhere.
 */
#include "signame.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const signames[] = {
	[SIGHUP] = "HUP", [SIGINT] = "INT", [SIGQUIT] = "QUIT",
	[SIGILL] = "ILL", [SIGTRAP] = "TRAP", [SIGABRT] = "ABRT",
	[SIGBUS] = "BUS", [SIGFPE] = "FPE", [SIGKILL] = "KILL",
	[SIGUSR1] = "USR1", [SIGSEGV] = "SEGV", [SIGUSR2] = "USR2",
	[SIGPIPE] = "PIPE", [SIGALRM] = "ALRM", [SIGTERM] = "TERM",
	[SIGSTKFLT] = "STKFLT", [SIGCHLD] = "CHLD", [SIGCONT] = "CONT",
	[SIGSTOP] = "STOP", [SIGTSTP] = "TSTP", [SIGTTIN] = "TTIN",
	[SIGTTOU] = "TTOU", [SIGURG] = "URG", [SIGXCPU] = "XCPU",
	[SIGXFSZ] = "XFSZ", [SIGVTALRM] = "VTALRM", [SIGPROF] = "PROF",
	[SIGWINCH] = "WINCH", [SIGIO] = "IO", [SIGPWR] = "PWR",
	[SIGSYS] = "SYS",
};

#define N_SIGNAMES ((int)(sizeof(signames) / sizeof(signames[0])))

const char *
signame_from_number(int sig, char *buf, int size)
{
	if (sig > 0 && sig < N_SIGNAMES && signames[sig]) {
		snprintf(buf, (size_t)size, "SIG%s", signames[sig]);
		return buf;
	}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
		snprintf(buf, (size_t)size, "SIGRTMIN+%d", sig - SIGRTMIN);
		return buf;
	}
	return NULL;
}

/* "RTMIN", "RTMIN+3", "RTMAX", "RTMAX-2": what signame_from_number() prints. */
static int
realtime_to_number(const char *name)
{
	bool min = strncasecmp(name, "RTMIN", 5) == 0;
	char *end;
	long off;

	if (!min && strncasecmp(name, "RTMAX", 5) != 0)
		return -EINVAL;
	name += 5;
	if (*name == '\0')
		return min ? SIGRTMIN : SIGRTMAX;
	if (*name != (min ? '+' : '-') || !isdigit((unsigned char)name[1]))
		return -EINVAL;
	off = strtol(name + 1, &end, 10);
	if (*end != '\0' || off > SIGRTMAX - SIGRTMIN)
		return -EINVAL;
	return min ? SIGRTMIN + (int)off : SIGRTMAX - (int)off;
}

int
signame_to_number(const char *name)
{
	char *end;
	long v;

	if (name[0] >= '0' && name[0] <= '9') {
		v = strtol(name, &end, 10);
		if (*end != '\0' || v <= 0 || v > SIGRTMAX)
			return -EINVAL;
		return (int)v;
	}
	if (strncasecmp(name, "SIG", 3) == 0)
		name += 3;
	for (int i = 1; i < N_SIGNAMES; i++)
		if (signames[i] && strcasecmp(name, signames[i]) == 0)
			return i;
	return realtime_to_number(name);
}
