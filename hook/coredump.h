/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The core of a dump, per hook.core.mode and the decision: core.gz
 * (core.c), core.mini (minicore.c) or none, and core_info saying which
 * and why.  Ends by releasing the core pipe.
 */
#ifndef CRASHD_COREDUMP_H
#define CRASHD_COREDUMP_H

#include <stdint.h>

#include "hook.h"
#include "hookstate.h"
#include "policy.h"
#include "proc.h"
#include "writer.h"

/*
 * Keeps the core on stdin (counted in delta: kept or skipped) within
 * the dump's room and deadline_ms, writes core_info, and lets the
 * kernel finish with the process.
 */
void coredump_keep(struct dump_writer *w, int procfd, const struct hook_args *a,
    const struct proc_process *p, const struct policy_decision *dec,
    struct hookstate_record *delta, int64_t deadline_ms);

/*
 * Lets the kernel finish with the process: our end of the core pipe
 * goes, and /dev/null takes fd 0, so that no file opened later lands
 * there (and a second call is harmless).
 */
void coredump_release(void);

#endif
