#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 3: the fault happens in a non-main thread ("crasher") of a
# 16-thread process: tid is that thread's, not the pid; status shows 16
# threads; the crashing thread's name is recorded.
source "$(dirname "$0")/lib.sh"

write_config
register
copy_victim victim
crash_and_wait "$T/victim" threads 16

[[ -n $VICTIM_TID && $VICTIM_TID != "$VICTIM_PID" ]] ||
	fail "the victim did not report a crashing thread other than main ($VICTIM_PID/$VICTIM_TID)"
expect_item pid "$VICTIM_PID"
expect_item tid "$VICTIM_TID"
expect_item signal 11
expect_item comm victim
expect_item thread_comm crasher
expect_item reason "victim killed by SIGSEGV"
expect_line status $'^Threads:\t16$'
expect_line status $'^Tgid:\t'"$VICTIM_PID"'$'
expect_present core.gz
expect_complete
echo PASS
