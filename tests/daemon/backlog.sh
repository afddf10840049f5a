#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Crashes while the daemon is down are processed when it starts, oldest
# first (the exec action sees them in the order of their names, which
# sort by time), each once; merging works across them.  A dump a killed
# daemon left with all its actions done is finished at the next start,
# without running or counting anything again.
source "$(dirname "$0")/lib_daemon.sh"

write_daemon_config remove_duplicates=false
register
copy_victim a
copy_victim b
copy_victim c

# First one crash with the daemon running, so that the backlog has a
# duplicate of a processed dump too.
start_daemon
d_crash "$T/a" segv
a1=$DUMP
wait_processed "$a1"
stop_daemon

d_crash "$T/b" segv
b1=$DUMP
d_crash "$T/a" segv
a2=$DUMP
d_crash "$T/c" segv
c1=$DUMP
d_crash "$T/b" segv
b2=$DUMP
sleep 0.3
for d in "$b1" "$a2" "$c1" "$b2"; do
	[[ ! -e $d/processed && ! -e $d/actions ]] || fail "$d was touched while the daemon was down"
done

start_daemon
wait_all_processed
sleep 0.3
expect_log "processed 4 dumps that arrived while crashd was down"
expect_eq "runs of the exec action (a1, then b1 and c1)" 3 "$(runs_count)"
expect_eq "the order of the runs" "${a1##*/} ${b1##*/} ${c1##*/}" \
	"$(for f in $(run_files); do run_var "$f" CRASHD_ID; echo; done | tr '\n' ' ' | sed 's/ $//')"
# The log action saw them all, in the order of their names.
expect_eq "the order of the log lines" "${a1##*/} ${b1##*/} ${a2##*/} ${c1##*/} ${b2##*/}" \
	"$(sed -n 's/^crashd: info: crash: \([^:]*\): .*/\1/p' "$DLOG" | tr '\n' ' ' | sed 's/ $//')"
DUMP=$a1
expect_item count 2
DUMP=$a2
expect_item duplicate_of "${a1##*/}"
DUMP=$b1
expect_item count 2
DUMP=$b2
expect_item duplicate_of "${b1##*/}"
DUMP=$c1
expect_item count 1
stop_daemon

info "a dump left in flight after its last action is finished, not redone"
# As a daemon killed just before it removed a merged duplicate leaves it:
# every action done, not marked processed.
rm "$b2/processed" "$b2/duplicate_of"
runs=$(runs_count)
logs=$(log_count "crash: ")
write_daemon_config remove_duplicates=true
start_daemon
wait_until 10 "$b2 to be removed" eval '[[ ! -e $b2 ]]'
sleep 0.3
expect_eq "runs of the exec action" "$runs" "$(runs_count)"
expect_eq "log action lines" "$logs" "$(log_count "crash: ")"
DUMP=$b1
expect_item count 2
grep -qx "last ${b2##*/}" "$SPOOL"/.state/keys/* || fail "the key state of b lost its last dump"
grep -q "^count 2$" $(grep -lx "last ${b2##*/}" "$SPOOL"/.state/keys/*) ||
	fail "the replay counted the dump of b again"
stop_daemon
echo "PASS"
