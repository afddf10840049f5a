#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# delete actions.  what = "core" removes core.gz at once and keeps the
# rest; what = "dump" removes the whole dump (after the actions before it
# ran; the ones after it do not), and the next crash of that key is a
# first again, not a duplicate of a dump that is gone.  With after = "2s"
# the action only schedules, and the core goes at the first retention
# sweep once the dump is that old.
source "$(dirname "$0")/lib_daemon.sh"

copy_victim victim
copy_victim gone
copy_victim kept
copy_victim aged
delete_a() { # NAME WHAT [MORE]
	printf '{ name = "%s"; type = "delete"; what = "%s"; %s }' "$@"
}

info 'what = "core"'
write_daemon_config mode=truncate max_size=64K \
	actions="$(rec_action), $(delete_a nocore core 'match = { has_core = true; };'), $(log_action)"
register
start_daemon
d_crash "$T/victim" segv
wait_processed "$DUMP"
grep -q '^mode: truncate$' "$DUMP/core_info" || fail "the hook kept no core to remove"
expect_absent core.gz
expect_present core_info executable cmdline count
expect_line actions '^[0-9T:-]+Z nocore done ok: core removed$'
expect_line actions '^[0-9T:-]+Z rec done ok: exit 0$'
expect_line actions '^[0-9T:-]+Z log done ok: logged$'
stop_daemon

info 'what = "dump"'
write_daemon_config mode=truncate max_size=64K remove_duplicates=false \
	actions="$(rec_action), $(delete_a drop dump 'match = { executable = [ "*/gone" ]; };'), $(log_action)"
start_daemon
runs0=$(runs_count)
run_victim "$T/gone" segv
wait_until 10 "a rec run for the crash of gone" runs_at_least $((runs0 + 1))
wait_until 10 "the dump of gone to be removed" log_has ": drop: dump removed"
sleep 0.3
first=$(run_var "$(run_files | tail -n1)" CRASHD_ID)
[[ $first == *-gone ]] || fail "the exec action ran for $first"
[[ ! -e $SPOOL/$first ]] || fail "$first is still in the spool"
[[ -z $(ls -A "$SPOOL/.trash" 2>/dev/null) ]] || fail ".trash is not empty: $(ls -A "$SPOOL/.trash")"
# The log action comes after drop: the dump was gone.
! log_has "crash: $first:" || fail "an action after the delete ran"
info "the next crash of that key starts afresh"
run_victim "$T/gone" segv
wait_until 10 "a second rec run" runs_at_least $((runs0 + 2))
wait_until 10 "the second dump of gone to be removed" log_has_n 2 ": drop: dump removed"
run=$(run_files | tail -n1)
expect_run_var "$run" CRASHD_EVENT first
expect_run_var "$run" CRASHD_COUNT 1
d_crash "$T/kept" segv
wait_processed "$DUMP"
expect_present core.gz executable
expect_no_line actions ' drop '
expect_eq "dumps of gone in the spool" "" "$(spool_dumps | grep -- '-gone$' || true)"
stop_daemon

info 'what = "core", after = "2s": at the retention sweep'
write_daemon_config mode=truncate max_size=64K \
	actions="$(delete_a later core 'after = "2s";'), $(log_action)"
start_daemon
d_crash "$T/aged" segv
wait_processed "$DUMP"
expect_line actions '^[0-9T:-]+Z later done skipped: scheduled at an age of 2s$'
expect_present core.gz
# The sweep runs at start, then every minute: restart once it is due.
sleep 2.5
stop_daemon
start_daemon
wait_until 10 "the core to go at its age" eval '[[ ! -e $DUMP/core.gz ]]'
expect_line actions '^[0-9T:-]+Z later done ok: core removed at its age$'
expect_present executable processed
stop_daemon
echo "PASS"
