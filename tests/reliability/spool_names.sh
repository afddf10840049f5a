#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 7: what a dump name is.  Entries of the spool root whose names
# are no dump names (spool_is_dump_name(): "lost+found", "a b", "x+y"),
# here complete copies of a real dump, one even marked processed and
# past max_age, are never processed (no action runs for them, nothing is
# written in them), never removed by retention, never listed by the CLI,
# and each is logged once, whether found by the backlog scan at start or
# by the watch, and again published.  A real dump with a dump name beside
# them is processed, and one past max_age is removed: the rule, not a
# blind daemon, spares them.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

write_daemon_config remove_duplicates=false retention_max_age=1d
register
copy_victim named

info "a real dump, and entries with other names beside it, while no daemon runs"
d_crash "$T/named" segv
real=$DUMP
proto=$T/proto
cp -a "$real" "$proto"
old=$(($(date +%s) - 3 * 86400))
# plant NAME [processed]: a copy of the real dump named NAME, another pid.
plant() {
	cp -a "$proto" "$T/stage"
	echo $((90000 + RANDOM)) >"$T/stage/pid"
	if [[ ${2:-} == processed ]]; then
		echo "$old" >"$T/stage/time"
		: >"$T/stage/processed"
	fi
	mv -T "$T/stage" "$SPOOL/$1"
}
mkdir -m 700 "$SPOOL/lost+found"
plant "a b"
plant "old+processed" processed
# The control: a dump name, processed, past max_age.
control=$(printf '%s.000001Z-%d-control' "$(date -u -d @"$old" +%Y%m%dT%H%M%S)" 90001)
plant "$control" processed
foreign=("lost+found" "a b" "old+processed")
# snapshot: every file in the foreign entries, with size and mtime (a
# directory's own mtime changes when the test moves it).
snapshot() {
	local f
	for f in "${foreign[@]}"; do
		(cd "$SPOOL/$f" && find . -mindepth 1 -printf "$f/%p %s %T@\n" | sort)
	done
}
before=$(snapshot)

start_daemon
wait_processed "$real"
wait_until 10 "retention to remove the control $control" \
	log_has "retention: removed $control \(uid [0-9]+, [0-9]+ bytes\): max_age"

info "one more while the daemon runs, and one published again"
cp -a "$proto" "$T/stage"
mv -T "$T/stage" "$SPOOL/x+y"
before+=$'\n'$(foreign=("x+y") && snapshot)
foreign+=("x+y")
wait_until 10 "x+y to be logged" log_has '"x\+y" in .* is no dump'
mv -T "$SPOOL/a b" "$T/a b"
mv -T "$T/a b" "$SPOOL/a b"
d_crash "$T/named" segv
wait_processed "$DUMP"
sleep 0.5

for f in "${foreign[@]}"; do
	[[ -d $SPOOL/$f ]] || fail "\"$f\" was removed from the spool"
	re=$(printf '%s' "$f" | sed 's/[+.]/\\&/g')
	expect_eq "log lines saying \"$f\" is no dump" 1 "$(log_count "\"$re\" in $SPOOL is no dump .*; left alone")"
	[[ ! -e $SPOOL/$f/actions ]] || fail "the daemon wrote an actions record in \"$f\": $(cat "$SPOOL/$f/actions")"
done
[[ ! -e $SPOOL/lost+found/processed ]] || fail "lost+found was marked processed"
[[ ! -e "$SPOOL/a b/processed" ]] || fail "\"a b\" was marked processed"
after=$(snapshot)
[[ $before == "$after" ]] ||
	fail "the foreign entries changed: $(diff <(echo "$before") <(echo "$after") | head -20)"
expect_eq "runs of the exec action (the real crashes' key, once)" 1 "$(runs_count)"
expect_eq "crashes the log action saw (the two real ones)" 2 "$(log_count 'crash: ')"
"$CRASHD_CLI" -c "$CONF" list --json >"$T/list.json" || fail "crashd-cli list --json failed"
listed=$(grep -o '"id": *"[^"]*"' "$T/list.json" | wc -l)
expect_eq "dumps crashd-cli lists" 2 "$listed"
! grep -Eq 'lost|a b|old\+|x\+y' "$T/list.json" || fail "crashd-cli lists a foreign entry: $(cat "$T/list.json")"
stop_daemon

info "figures: 4 foreign entries (3 complete dumps among them, 1 processed and 3 days old) beside 2 real dumps:"
info "  0 actions run for them, 0 removed, 0 bytes written, 1 log line each; the control dump past max_age removed"
echo "PASS"
