/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Signal names: "SIGSEGV" for 11, and back from "SEGV", "SIGSEGV" or "11".
 */
#ifndef CRASHD_SIGNAME_H
#define CRASHD_SIGNAME_H

/* Returns "SIGSEGV", "SIGRTMIN+3", or NULL for a number that is no signal. */
const char *signame_from_number(int sig, char *buf, int size);

/*
 * Returns the signal number for "SEGV", "SIGSEGV", "segv", "11" or
 * "SIGRTMIN+3"; -EINVAL.
 */
int signame_to_number(const char *name);

#endif
