/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metadata items of a dump: what identifies the crash, from the
 * kernel's arguments and proc_identify(), then what /proc tells of the
 * process.
 */
#ifndef CRASHD_COLLECT_H
#define CRASHD_COLLECT_H

#include "hook.h"
#include "proc.h"
#include "writer.h"

/* The identifying items (time, pid, signal, executable, reason, ...). */
void collect_identity(struct dump_writer *w, const struct hook_args *a,
    const struct proc_process *p, const char *signame);

/*
 * The process's items, read through procfd (-1: noted missing); fills
 * p's cgroup and maps, which the core needs too.
 */
void collect_process(struct dump_writer *w, int procfd,
    const struct hook_args *a, struct proc_process *p);

#endif
