#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 1 of issue 11: no local user may switch the hook's limits and
# counting off by holding the lock of <spool>/.state/hook.  A user created
# for the test tries it three ways:
#  1. the production order (the daemon makes .state first): the state is
#     root's alone, the user cannot even open it;
#  2. an older crashd left it 0644 and the user holds a lock on it from
#     then: the hook replaces the file by a root-only copy, the user's lock
#     is on nothing that counts, the limits hold and every crash counts;
#  3. root itself holds the lock (the one way left): the hook counts each
#     crash in the journal and decides conservatively (stored without a
#     core while the global limit allows, counted on the state file and on
#     what the journal stored since, then not stored); crashd-cli counters
#     works meanwhile; once the lock is free, what the journal stored is
#     charged to the global limit: together never more than it allows.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

command -v flock >/dev/null || skip "flock (util-linux) is needed"
test_user crashdlocktest
uid=$TEST_UID
gid=$TEST_GID
HOLDERS=()
reliability_on_exit() {
	local rc=$? p
	set +e
	for p in "${HOLDERS[@]}"; do
		stop_holder "$p"
	done
	(exit "$rc")
	daemon_on_exit
}
trap reliability_on_exit EXIT
# stop_holder PID: the flock(1) holding a lock, and the sleep it runs.
stop_holder() {
	pkill -KILL -P "$1" 2>/dev/null || true
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	return 0
}
STATE=$SPOOL/.state/hook
# Where the user's lock holder says it holds the lock.
mkdir "$T/u"
chown "$uid:$gid" "$T/u"

# expect_sum: seen = stored + ignored + rate_limited + failed.
expect_sum() {
	local all seen sum
	all=$(counters)
	seen=$(awk '$1 == "seen" { print $2 }' <<<"$all")
	sum=$(awk '$1 ~ /^(stored|ignored|rate_limited|failed)$/ { s += $2 } END { print s + 0 }' <<<"$all")
	expect_eq "seen = stored + ignored + rate_limited + failed ($(tr '\n' ' ' <<<"$all"))" "$seen" "$sum"
}

write_daemon_config per_executable=2/10m global=6/10m
register
copy_victim victim
copy_victim victim2

info "1. the daemon makes the state first: root's alone"
start_daemon
wait_until 10 "the daemon to make $STATE" test -f "$STATE"
expect_eq ".state's mode" "700 0:0" "$(stat -c '%a %u:%g' "$SPOOL/.state")"
expect_eq "hook state's mode" "600 0:0" "$(stat -c '%a %u:%g' "$STATE")"
if as_user flock -n "$STATE" true 2>/dev/null; then
	fail "the user could open and lock $STATE"
fi
stop_daemon
info "   the user cannot open $STATE (mode $(stat -c %a "$STATE"), .state $(stat -c %a "$SPOOL/.state"))"

info "2. left 0644 by an older crashd, locked by the user since"
chmod 755 "$SPOOL/.state"
chmod 644 "$STATE"
as_user flock -o "$STATE" sh -c "touch $T/u/held; exec sleep 120" </dev/null >/dev/null 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
HOLDERS+=($!)
wait_until 10 "the user to hold the lock" test -e "$T/u/held"
ino=$(stat -c %i "$STATE")
t0=$(date +%s%N)
for ((i = 0; i < 15; i++)); do
	run_victim as_user "$T/victim" segv
done
t1=$(date +%s%N)
wait_incoming_empty
stored=$(spool_dumps | wc -l)
info "   15 crashes by the user in $(((t1 - t0) / 1000000)) ms: $stored stored, counters: $(counters | tr '\n' ' ')"
[[ $(stat -c %i "$STATE") != "$ino" ]] || fail "$STATE is still the inode the user holds"
expect_eq ".state's mode after the first crash" "700" "$(stat -c %a "$SPOOL/.state")"
expect_eq "hook state's mode after the first crash" "600" "$(stat -c %a "$STATE")"
expect_eq "dumps stored (per_executable 2/10m)" 2 "$stored"
expect_counters seen=15 stored=2 rate_limited=13 failed=0
expect_sum
stop_holder "${HOLDERS[0]}"

info "3. root holds the lock: counted in the journal, the conservative decision"
rm -f "$T/held"
flock -o "$STATE" sh -c "touch $T/held; exec sleep 120" </dev/null >/dev/null 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
HOLDERS+=($!)
wait_until 10 "root to hold the lock" test -e "$T/held"
before=$(spool_dumps | wc -l)
for ((i = 0; i < 10; i++)); do
	run_victim as_user "$T/victim2" segv
done
wait_incoming_empty
during=$(counters)
stored=$(($(spool_dumps | wc -l) - before))
info "   10 crashes while the lock is held: $stored stored, counters (read meanwhile): $(tr '\n' ' ' <<<"$during")"
# 2 of global's 6 were stored in step 2: 4 are stored without a core, 6
# are not stored (once, before the fix, 6 were: the journal's stores came
# on top of the state's, up to twice the limit).
expect_eq "dumps stored while the lock is held" 4 "$stored"
expect_counters seen=25 stored=6 rate_limited=19
expect_sum
for d in $(spool_dumps | tail -n 4); do
	grep -q 'hook state busy' "$SPOOL/$d/core_info" ||
		fail "dump $d does not say why it has no core: $(cat "$SPOOL/$d/core_info")"
done
jsize=$(stat -c %s "$SPOOL/.state/hook.journal")
expect_eq "journal mode" "600" "$(stat -c %a "$SPOOL/.state/hook.journal")"
stop_holder "${HOLDERS[1]}"

info "   lock free again: the next crash folds the journal ($jsize bytes) in"
run_victim as_user "$T/victim2" segv
wait_incoming_empty
# Under the lock again: victim2 is within its own limit, but the journal's
# 4 stores are charged to the global one: 6 of 6 are taken.
expect_eq "dumps stored after the lock is free" 0 "$(($(spool_dumps | wc -l) - before - stored))"
expect_counters seen=26 stored=6 rate_limited=20 failed=0
expect_sum
info "figures: user's lock: 15/15 counted, 2 stored (limit 2); root's lock: 10/10 counted via the journal, 4 stored (global 6, 2 taken before), none after it (global full)"
