#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# 20 quick repeats after a first crash merge into the first dump (count 21,
# last_occurrence); the exec action notifies once for the first, and the
# 20 held back are summed up after digest_after: with the repeats all in
# the spool before the daemon looks (it is stopped meanwhile), in exactly
# one digest: CRASHD_EVENT=digest, CRASHD_HELD_BACK=20, "20 more crashes
# of ...".  With remove_duplicates = true only the first dump remains.
# Then live, with remove_duplicates = false: every duplicate stays with
# duplicate_of, processed, and no core; the digests (more than one if the
# daemon lags behind by more than digest_after) add up to 20, none lost,
# and come digest_after apart.
source "$(dirname "$0")/lib_daemon.sh"

copy_victim victim
exe=$T/victim

# repeats N: the first crash, then N more at once.
repeats() {
	d_crash "$exe" segv
	FIRST=$DUMP
	wait_processed "$FIRST"
	[[ ${1:-} == --stopped ]] && { stop_daemon; shift; }
	crash_n "$1" "$exe" segv
	daemon_alive || start_daemon
}

info "remove_duplicates = true"
write_daemon_config digest_after=2s remove_duplicates=true
register
start_daemon
repeats --stopped 20
# The daemon merges all 21; then one digest.
wait_until 15 "count 21 in the first dump" grep -qx 21 "$FIRST/count"
wait_all_processed
wait_until 10 "the digest (a second run of the exec action)" runs_at_least 2
# A second digest would come within digest_after; give it the chance.
sleep 2.2
expect_daemon_alive
DUMP=$FIRST
first=${FIRST##*/}
expect_eq "dumps left in the spool" "$first" "$(spool_dumps)"
expect_item count 21
expect_item processed 1
last=$(item last_occurrence)
((last >= $(item time) && last <= $(date +%s))) ||
	fail "last_occurrence $last is not within [$(item time), now]"
expect_eq "runs of the exec action (the first, one digest)" 2 "$(runs_count)"
mapfile -t runs < <(run_files)
expect_run_var "${runs[0]}" CRASHD_EVENT first
expect_run_var "${runs[0]}" CRASHD_ID "$first"
expect_run_var "${runs[0]}" CRASHD_HELD_BACK 0
digest=${runs[1]}
expect_run_var "$digest" CRASHD_EVENT digest
expect_run_var "$digest" CRASHD_HELD_BACK 20
expect_run_var "$digest" CRASHD_COUNT 21
expect_run_var "$digest" CRASHD_ID "$first"
expect_run_var "$digest" CRASHD_DUMP "$FIRST"
expect_run_var "$digest" CRASHD_EXECUTABLE "$exe"
expect_run_var "$digest" CRASHD_SIGNAL_NAME SIGSEGV
summary=$(run_var "$digest" CRASHD_SUMMARY)
[[ $summary =~ ^20\ more\ crashes\ of\ $exe\ SIGSEGV\ since\ [0-9]{4}-[0-9]{2}-[0-9]{2}\ [0-9]{2}:[0-9]{2}:[0-9]{2}\ UTC$ ]] ||
	fail "digest summary: $(printf '%q' "$summary")"
id=$(run_var "$digest" CRASHD_EVENT_ID)
[[ $id =~ ^$first/rec@digest-[0-9]+$ ]] || fail "digest event id: $id"
label=${id#*/}
expect_line actions "^[0-9T:-]+Z $label start\$"
expect_line actions "^[0-9T:-]+Z $label done ok: exit 0\$"
expect_eq "digests in the first dump's record" 1 "$(journal_count "$FIRST" ' rec@digest-[0-9]+ start')"
# The log action logged every crash; a digest only notifies.
expect_eq "log lines of crashes of $exe" 21 "$(log_count "crash: .*: \"$exe\" pid ")"
expect_eq "log lines of held-back crashes" 20 "$(log_count "crash: .*: \"$exe\" pid .*\(hold\)")"
expect_eq "log lines of first" 1 "$(log_count "crash: $first: .*count 1 \(first\)")"
[[ -z $(ls -A "$SPOOL/.trash" 2>/dev/null) ]] || fail ".trash is not empty: $(ls -A "$SPOOL/.trash")"
stop_daemon

info "remove_duplicates = false: duplicates stay, without their core"
rm -rf "$SPOOL" "$RUNS"/* "$T/rec.log"
write_daemon_config digest_after=2s remove_duplicates=false \
	remove_duplicate_cores=true mode=truncate max_size=64K
start_daemon
repeats 20
wait_until 15 "count 21 in the first dump" grep -qx 21 "$FIRST/count"
wait_all_processed
# Digests of all 20, digest_after (2 s) after the first of them and after
# each other.
held_sum() {
	local sum=0 f
	for f in $(run_files); do
		[[ $(run_var "$f" CRASHD_EVENT) == digest ]] &&
			sum=$((sum + $(run_var "$f" CRASHD_HELD_BACK)))
	done
	echo "$sum"
}
held_all() { (($(held_sum) >= 20)); }
wait_until 15 "digests summing up 20 held-back crashes" held_all
sleep 2.2
expect_eq "crashes summed up in digests" 20 "$(held_sum)"
mapfile -t dumps < <(spool_dumps)
expect_eq "dumps in the spool" 21 "${#dumps[@]}"
expect_eq "the oldest dump" "${FIRST##*/}" "${dumps[0]}"
DUMP=$FIRST
expect_item count 21
expect_present core.gz
expect_absent duplicate_of
for d in "${dumps[@]:1}"; do
	DUMP=$SPOOL/$d
	expect_item duplicate_of "${FIRST##*/}"
	expect_item processed 1
	expect_absent core.gz count
	expect_line actions '^[0-9T:-]+Z - decision hold count=([2-9]|1[0-9]|2[01]) held=0 since=0 first='"${FIRST##*/}"'$'
	expect_line actions '^[0-9T:-]+Z log done ok: logged$'
	expect_no_line actions ' rec '
done
# Every count from 2 to 21 was decided once, whatever the order in which
# the parallel hooks published the dumps.
expect_eq "the counts decided for the duplicates" "$(seq 2 21 | tr '\n' ' ')" \
	"$(cat "$SPOOL"/*/actions | sed -n 's/.* decision hold count=\([0-9]*\) .*/\1/p' | sort -n | tr '\n' ' ')"
mapfile -t runs < <(run_files)
expect_run_var "${runs[0]}" CRASHD_EVENT first
prev=
for f in "${runs[@]:1}"; do
	expect_run_var "$f" CRASHD_EVENT digest
	id=$(run_var "$f" CRASHD_EVENT_ID)
	id=${id##*@digest-}
	[[ -z $prev ]] || ((id - prev >= 2)) ||
		fail "digests at $prev and $id: less than digest_after apart"
	prev=$id
done
info "$((${#runs[@]} - 1)) digest(s) live"
expect_eq "digest starts in the first dump's record" "$((${#runs[@]} - 1))" \
	"$(journal_count "$FIRST" ' rec@digest-[0-9]+ start$')"
expect_eq "digest outcomes in the first dump's record" "$((${#runs[@]} - 1))" \
	"$(journal_count "$FIRST" ' rec@digest-[0-9]+ done ok: exit 0$')"
stop_daemon
echo "PASS"
