/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Flood and disk protection: which crashes are stored, and which keep a
 * core.  Decisions are made on the hook's state file (O(1) in the number
 * of dumps) and on the file system's free space.
 */
#ifndef CRASHD_POLICY_H
#define CRASHD_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "hookstate.h"

enum policy_verdict {
	POLICY_STORE,
	POLICY_IGNORED,
	POLICY_RATE_EXECUTABLE,
	POLICY_RATE_GLOBAL,
	_POLICY_VERDICT_MAX,
};

struct policy_decision {
	enum policy_verdict verdict;
	bool keep_core;
	const char *no_core_reason; /* why keep_core is false, or NULL */
	const char *ignored_by;	    /* the matching pattern */
};

const char *policy_verdict_to_string(enum policy_verdict v);

/* Returns the first hook.ignore glob matching executable, or NULL. */
const char *policy_ignored(const struct hook_config *hc, const char *executable);

/*
 * Decides for one crash and charges the buckets in st.  free_bytes is the
 * space left on the spool's file system.  Counters are not touched.
 */
void policy_decide(const struct hook_config *hc, struct hookstate *st,
    const char *executable, int64_t now_ms, uint64_t free_bytes,
    struct policy_decision *ret);

#endif
