#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A key that comes back after regression_after of quiet notifies again,
# with CRASHD_EVENT=regression, although it is within the dedupe window
# (it is merged: count 2, duplicate_of); a repeat right after does not.
source "$(dirname "$0")/lib_daemon.sh"

write_daemon_config regression_after=3s window=1d remove_duplicates=false
register
start_daemon
copy_victim victim

d_crash "$T/victim" segv
first=$DUMP
wait_processed "$first"
sleep 4
d_crash "$T/victim" segv
back=$DUMP
wait_processed "$back"
# Not quiet any more: held back.
d_crash "$T/victim" segv
soon=$DUMP
wait_processed "$soon"
sleep 0.3

expect_eq "runs of the exec action (first, regression)" 2 "$(runs_count)"
mapfile -t runs < <(run_files)
expect_run_var "${runs[0]}" CRASHD_EVENT first
expect_run_var "${runs[1]}" CRASHD_EVENT regression
expect_run_var "${runs[1]}" CRASHD_ID "${back##*/}"
expect_run_var "${runs[1]}" CRASHD_COUNT 2
expect_run_var "${runs[1]}" CRASHD_HELD_BACK 0
expect_run_var "${runs[1]}" CRASHD_EVENT_ID "${back##*/}/rec"
DUMP=$back
expect_item duplicate_of "${first##*/}"
expect_line actions " - decision regression count=2 held=0 since=0 first=${first##*/}\$"
expect_line actions ' rec done ok: exit 0$'
DUMP=$soon
expect_line actions " - decision hold count=3 held=0 since=0 first=${first##*/}\$"
DUMP=$first
expect_item count 3
expect_log "crash: ${back##*/}: .* count 2 \(regression\)"
stop_daemon
echo "PASS"
