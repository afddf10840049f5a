#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13's acceptance: five SIGSEGV crashes of one program, then one
# SIGABRT of it, under the default hook limits (per_executable 5/10m):
# the hook stores the five SEGVs and not the ABRT, yet
#   - two mails reach the real SMTP server: the first SEGV's and the
#     ABRT's, a first crash of its key, saying no dump was kept and why;
#   - the metrics count six crashes (SEGV 5, ABRT 1), the ABRT once in
#     crashd_crashes_not_stored_total{reason="rate_limited"};
#   - a SIGKILL and a restart write no second dump and count nothing
#     again; a second ABRT (a repeat of a key now seen) writes none.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"

start_smtp main
mkdir -p "$T/prom"
PROM=$T/prom/crashd.prom
# time_budget 2s: crashd looks at a record 2 x 2 s + 3 s after its crash.
write_daemon_config per_executable=5/10m remove_duplicates=false time_budget=2s \
	actions="$(mail_action page "$SMTP_PORT"), { name = \"metrics\"; type = \"metrics\"; path = \"$PROM\"; }, $(rec_action)"
register
start_daemon
copy_victim victim

for i in 1 2 3 4 5; do
	d_crash "$T/victim" segv
	wait_processed "$DUMP"
done
expect_eq "stored" 5 "$(counter stored)"
run_victim -s 6 "$T/victim" abort
abrt_pid=$VICTIM_PID
expect_eq "rate_limited" 1 "$(counter rate_limited)"
# not_stored_dump: the dump crashd wrote of the ABRT.
not_stored_dump() {
	local d
	for d in $(spool_dumps); do
		[[ -e $SPOOL/$d/not_stored && -e $SPOOL/$d/processed ]] &&
			NS_DUMP=$SPOOL/$d && return 0
	done
	return 1
}
wait_until 20 "crashd's dump of the crash not stored" not_stored_dump
expect_eq "its pid" "$abrt_pid" "$(cat "$NS_DUMP/pid")"
expect_eq "its signal" 6 "$(cat "$NS_DUMP/signal")"
expect_eq "its executable" "$T/victim" "$(cat "$NS_DUMP/executable")"
expect_eq "why" "$(printf 'rate_limited\tper_executable limit')" "$(cat "$NS_DUMP/not_stored")"
info_out=$("$CRASHD_CLI" -c "$CONF" info "${NS_DUMP##*/}") || fail "crashd-cli info of the dump failed"
grep -qF 'not stored by the hook: rate_limited (per_executable limit)' <<<"$info_out" ||
	fail "crashd-cli info does not say the crash was not stored: $info_out"
wait_messages 30 "$SMTP_DIR" 2
nap 1
expect_eq "mails (the first SEGV, the ABRT)" 2 "$(messages "$SMTP_DIR")"
abrt_mail=$(grep -l 'SIGABRT' "$SMTP_DIR"/*.eml | head -n 1)
[[ -n $abrt_mail ]] || fail "no mail says SIGABRT: $(ls "$SMTP_DIR")"
grep -q 'no dump kept: rate_limited (per_executable limit)' "$abrt_mail" ||
	fail "the ABRT's mail does not say it was not stored and why: $(cat "$abrt_mail")"

# count SIGNAL: crashd_crashes_total of victim and SIGNAL in the .prom file.
count() {
	awk -v s="signal=\"$1\"" -v e="executable=\"$T/victim\"" \
		'/^crashd_crashes_total\{/ && index($0, s) && index($0, e) { print $2 }' "$PROM"
}
six() { [[ $(count SEGV) == 5 && $(count ABRT) == 1 ]]; }
wait_until 10 "crashd_crashes_total: SEGV 5, ABRT 1 (file: $(grep crashes_total "$PROM" 2>/dev/null))" six
grep -qxF 'crashd_crashes_not_stored_total{reason="rate_limited"} 1' "$PROM" ||
	fail "not 1 rate_limited: $(grep not_stored "$PROM")"

info "a SIGKILL and a restart: no second dump, nothing counted again"
kill_daemon
start_daemon
nap 2
wait_all_processed
expect_eq "dumps of the crash not stored" 1 "$(grep -l . "$SPOOL"/*/not_stored | wc -l)"
six || fail "after the restart: SEGV $(count SEGV), ABRT $(count ABRT)"

info "a second ABRT (its key seen now): counted, no dump"
run_victim -s 6 "$T/victim" abort
seven() { [[ $(count ABRT) == 2 ]]; }
wait_until 10 "crashd_crashes_total ABRT 2" seven
nap 8 # past the grace (7 s): its record was looked at
expect_eq "dumps of crashes not stored" 1 "$(grep -l . "$SPOOL"/*/not_stored | wc -l)"
stop_daemon
echo PASS
