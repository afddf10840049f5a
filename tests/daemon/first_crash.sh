#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The first crash of a key notifies: the exec action runs once, with the
# dump's path as its last argument and the pinned CRASHD_* variables in a
# clean environment; the log action writes its line to the daemon's log;
# the dump gets count 1, last_occurrence, an actions record with the
# decision and each action's start and outcome, and "processed" last.  A
# restart does not run anything again.
source "$(dirname "$0")/lib_daemon.sh"

write_daemon_config
register
start_daemon
copy_victim victim

CRASHD_IT_MARKER=leak d_crash "$T/victim" segv
name=${DUMP##*/}
wait_processed "$DUMP"
# Let anything that would (wrongly) run twice do so.
sleep 0.5

info "the exec action ran once, with the right arguments and environment"
expect_eq "runs of the exec action" 1 "$(runs_count)"
run=$(run_files)
expect_run_var "$run" NARGS 2
expect_eq "exec arguments" $'ARG=one arg\nARG='"$DUMP" "$(grep '^ARG=' "$run")"
expect_run_var "$run" CRASHD_ID "$name"
expect_run_var "$run" CRASHD_DUMP "$DUMP"
expect_run_var "$run" CRASHD_EXECUTABLE "$T/victim"
expect_run_var "$run" CRASHD_SIGNAL 11
expect_run_var "$run" CRASHD_SIGNAL_NAME SIGSEGV
expect_run_var "$run" CRASHD_PID "$VICTIM_PID"
expect_run_var "$run" CRASHD_UID 0
expect_run_var "$run" CRASHD_HOSTNAME "$(hostname)"
expect_run_var "$run" CRASHD_COUNT 1
expect_run_var "$run" CRASHD_EVENT first
expect_run_var "$run" CRASHD_HELD_BACK 0
expect_run_var "$run" CRASHD_SUMMARY ""
expect_run_var "$run" CRASHD_REASON "victim killed by SIGSEGV"
expect_run_var "$run" CRASHD_EVENT_ID "$name/rec"
# A clean environment: PATH and CRASHD_* only (PWD is sh's own).
expect_eq "the exec action's environment" \
	"CRASHD_ATTEMPT CRASHD_CONTAINER CRASHD_COUNT CRASHD_DUMP CRASHD_EVENT CRASHD_EVENT_ID CRASHD_EXECUTABLE CRASHD_HELD_BACK CRASHD_HOSTNAME CRASHD_ID CRASHD_PID CRASHD_REASON CRASHD_SIGNAL CRASHD_SIGNAL_NAME CRASHD_SIGNATURE CRASHD_SUMMARY CRASHD_UID PATH PWD" \
	"$(grep -Eo '^[A-Z_]+=' "$run" | grep -Ev '^N?ARGS?=$' | tr -d = | sort | tr '\n' ' ' | sed 's/ $//')"

info "the log action's line is in the daemon's log"
expect_log "crash: $name: \"$T/victim\" pid $VICTIM_PID uid 0 SIGSEGV, count 1 \(first\)"
expect_eq "log lines for $name" 1 "$(log_count "crash: $name:")"

info "the dump: count, last_occurrence, actions record, processed"
expect_item count 1
expect_item last_occurrence "$(item time)"
expect_item processed 1
expect_absent duplicate_of
expect_line actions "^[0-9T:-]+Z - decision first count=1 held=0 since=0 first=-\$"
expect_line actions '^[0-9T:-]+Z rec start$'
expect_line actions '^[0-9T:-]+Z rec done ok: exit 0$'
expect_line actions '^[0-9T:-]+Z log start$'
expect_line actions '^[0-9T:-]+Z log done ok: logged$'
expect_eq "lines in the actions record" 5 "$(wc -l <"$DUMP/actions")"
expect_eq "order of the actions record" "decision rec rec log log" \
	"$(awk '{ print ($2 == "-" ? $3 : $2) }' "$DUMP/actions" | tr '\n' ' ' | sed 's/ $//')"
# processed is written after the last action's outcome.
[[ ! $DUMP/processed -ot $DUMP/actions ]] || fail "processed is older than the actions record"
expect_daemon_alive

info "a restart runs nothing again"
stop_daemon
start_daemon
sleep 0.5
expect_eq "runs of the exec action after a restart" 1 "$(runs_count)"
expect_eq "actions record lines after a restart" 5 "$(wc -l <"$DUMP/actions")"
stop_daemon
echo "PASS"
