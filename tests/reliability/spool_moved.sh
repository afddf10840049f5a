#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 8: a spool moved or deleted under the running daemon.  Three
# real changes while one daemon runs: the spool renamed (its watch sees
# IN_MOVE_SELF), removed with rm -rf (IN_DELETE_SELF), and its parent
# renamed (no event on the spool itself: the periodic check of the path's
# device and inode sees it).  Each time the daemon says so, watches the
# spool at the path again (created by it or by the hook), and a real
# crash after the change is processed there; one published meanwhile is
# processed by the rescan.  The same daemon throughout.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

mkdir "$T/parent"
SPOOL=$T/parent/spool
write_daemon_config
register
copy_victim moved

start_daemon
pid=$DAEMON_PID
d_crash "$T/moved" segv
wait_processed "$DUMP"

ms_since() {
	echo $((($(date +%s%N) - $1) / 1000000))
}
# said WHAT: how many times the daemon said the spool was WHAT (taken
# before the change: the daemon may say it before the test looks).
said() {
	log_count "spool $SPOOL was $1; watching the new one"
}
# after_change T0 WHAT N: the daemon says the spool was WHAT once more
# than N times, then processes a real crash in the spool at the path.
# Sets NOTICED_MS, PROCESSED_MS.
after_change() {
	local t0=$1 what=$2 n=$3
	wait_until 10 "the daemon to say the spool was $what" \
		log_has_n $((n + 1)) "spool $SPOOL was $what; watching the new one"
	NOTICED_MS=$(ms_since "$t0")
	t0=$(date +%s%N)
	d_crash "$T/moved" segv
	wait_processed "$DUMP"
	PROCESSED_MS=$(ms_since "$t0")
	expect_daemon_alive "after the spool was $what"
	expect_eq "the daemon's pid (no restart)" "$pid" "$DAEMON_PID"
}

info "the spool renamed"
n=$(said moved)
t0=$(date +%s%N)
mv "$SPOOL" "$SPOOL.old"
after_change "$t0" moved "$n"
figures="renamed: noticed in ${NOTICED_MS} ms, next crash processed in ${PROCESSED_MS} ms"
[[ -z $(ls -A "$SPOOL.old/.incoming") ]] || fail "the old spool's .incoming is not empty"

info "the spool removed (rm -rf)"
n=$(said deleted)
t0=$(date +%s%N)
rm -rf "$SPOOL"
after_change "$t0" deleted "$n"
figures+="; removed: ${NOTICED_MS} ms, ${PROCESSED_MS} ms"

info "its parent renamed: the path names a new spool, made by the hook"
stop_at=$(log_count 'was moved; watching')
t0=$(date +%s%N)
mv "$T/parent" "$T/parent.old"
mkdir "$T/parent"
# The hook makes the spool; its dump is there before the daemon notices.
d_crash "$T/moved" segv
early=$DUMP
wait_until 10 "the daemon to say the spool was moved" \
	log_has_n $((stop_at + 1)) "spool $SPOOL was moved; watching the new one"
NOTICED_MS=$(ms_since "$t0")
wait_processed "$early"
PROCESSED_MS=$(ms_since "$t0")
figures+="; parent renamed: ${NOTICED_MS} ms, the crash made meanwhile processed ${PROCESSED_MS} ms after the change"
expect_eq "the daemon's pid (no restart)" "$pid" "$DAEMON_PID"
expect_eq "dumps processed in the old parent's spool (untouched since)" 1 \
	"$(ls "$T/parent.old/spool" | wc -l)"
stop_daemon

info "figures: $figures"
echo "PASS"
