#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The dedupe key is executable + signal: a SIGABRT of an executable that
# crashed with SIGSEGV before is a new key and notifies (a dump of its
# own, count 1, CRASHD_EVENT=first); a second SIGSEGV is a duplicate of
# the first one and does not.  Another executable is another key too.
source "$(dirname "$0")/lib_daemon.sh"

write_daemon_config remove_duplicates=false
register
start_daemon
copy_victim victim
copy_victim other

d_crash "$T/victim" segv
segv=$DUMP
wait_processed "$segv"
d_crash -s 6 "$T/victim" abort
abrt=$DUMP
wait_processed "$abrt"
d_crash "$T/victim" segv
again=$DUMP
wait_processed "$again"
d_crash "$T/other" segv
other=$DUMP
wait_processed "$other"
sleep 0.3

expect_eq "runs of the exec action (SEGV, ABRT, other)" 3 "$(runs_count)"
mapfile -t runs < <(run_files)
expect_run_var "${runs[0]}" CRASHD_ID "${segv##*/}"
expect_run_var "${runs[1]}" CRASHD_ID "${abrt##*/}"
expect_run_var "${runs[1]}" CRASHD_EVENT first
expect_run_var "${runs[1]}" CRASHD_SIGNAL 6
expect_run_var "${runs[1]}" CRASHD_SIGNAL_NAME SIGABRT
expect_run_var "${runs[1]}" CRASHD_EXECUTABLE "$T/victim"
expect_run_var "${runs[1]}" CRASHD_COUNT 1
expect_run_var "${runs[2]}" CRASHD_ID "${other##*/}"
expect_run_var "${runs[2]}" CRASHD_EVENT first

DUMP=$segv
expect_item count 2
expect_absent duplicate_of
DUMP=$abrt
expect_item count 1
expect_absent duplicate_of
expect_line actions ' - decision first count=1 held=0 since=0 first=-$'
DUMP=$again
expect_item duplicate_of "${segv##*/}"
expect_line actions " - decision hold count=2 held=0 since=0 first=${segv##*/}\$"
DUMP=$other
expect_item count 1
expect_absent duplicate_of
expect_eq "key state files" 3 "$(find "$SPOOL/.state/keys" -type f ! -name '*.tmp' | wc -l)"
expect_log "crash: ${abrt##*/}: \"$T/victim\" pid [0-9]+ uid 0 SIGABRT, count 1 \(first\)"
stop_daemon
echo "PASS"
