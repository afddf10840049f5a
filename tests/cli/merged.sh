#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# list, info and stats after the real daemon merged duplicates: a first
# dump carries count (its crashes) and last_occurrence; kept duplicates
# (duplicate_of) are listed but not counted twice by stats; removed ones
# are still counted through their first dump's count.
source "$(dirname "$0")/lib_cli.sh"

[[ -x ${CRASHD_DAEMON:-} ]] || fail "CRASHD_DAEMON is not set; run the tests through ctest"

daemon_config false
cli_register
copy_victim victim
copy_victim other

info "duplicates kept"
for i in 1 2 3; do
	crash_and_wait "$T/victim" segv
	segv[i]=$(dump_id)
done
crash_and_wait -s 6 "$T/other" abort
abrt=$(dump_id)
run_daemon
expect_eq "count of the first" 3 "$(<"$SPOOL/${segv[1]}/count")"
cli list
expect_list "list" "${segv[1]}" "${segv[2]}" "${segv[3]}" "$abrt"
expect_eq "COUNT column" "3 1 1 1" "$(tail -n +2 "$OUT" | awk '{ print $(NF - 2) }' | tr '\n' ' ' | sed 's/ $//')"
cli list --json
py '
check([(d["count"], d["duplicate"], d["processed"]) for d in out] ==
    [(3, False, True), (1, True, True), (1, True, True), (1, False, True)], "%r" % [(d["count"], d["duplicate"]) for d in out])'
cli stats --json
py '
got = sorted((x["signal_name"], x["crashes"], x["dumps"]) for x in out["groups"])
check(got == [("SIGABRT", 1, 1), ("SIGSEGV", 3, 3)], "groups %r" % got)'
cli info "${segv[1]}"
expect_out '^  time +[0-9-]+ [0-9:]+ [A-Z]+; 3 crashes, the last at [0-9-]+ [0-9:]+ [A-Z]+$'
cli info "${segv[2]}"
expect_out "^  duplicate +${segv[1]}\$"

info "duplicates removed"
daemon_config true
crash_and_wait -s 6 "$T/other" abort
crash_and_wait -s 6 "$T/other" abort
run_daemon
cli list
expect_list "list" "${segv[1]}" "${segv[2]}" "${segv[3]}" "$abrt"
expect_eq "abort's count" 3 "$(grep -F -- "$abrt" "$OUT" | awk '{ print $(NF - 2) }')"
cli stats
expect_out "^3 +3 +SEGV .* $T/victim\$"
expect_out "^3 +1 +ABRT .* $T/other\$"

info "--since/--until match any occurrence of a merged dump"
# The first crash of "late" an hour ago (a real dump, aged), two repeats now.
copy_victim late
crash_and_wait "$T/late" segv
late_now=$(dump_id)
age_copy "$late_now" 3600
late=$AGED
rm -rf "${SPOOL:?}/$late_now"
crash_and_wait "$T/late" segv
crash_and_wait "$T/late" segv
run_daemon
expect_eq "late's count" 3 "$(<"$SPOOL/$late/count")"
expect_eq "late's occurrences" 2 "$(wc -l <"$SPOOL/$late/occurrences")"
cli stats --json --exe '*/late'
py 'check([x["crashes"] for x in out["groups"]] == [3], "all: %r" % out["groups"])'
cli stats --json --exe '*/late' --since '10 minutes ago'
py 'check([x["crashes"] for x in out["groups"]] == [2], "--since 10 minutes ago: %r" % out["groups"])'
cli stats --json --exe '*/late' -U '30 minutes ago'
py 'check([x["crashes"] for x in out["groups"]] == [1], "-U 30 minutes ago: %r" % out["groups"])'
cli list --exe '*/late' -S '5 minutes ago'
expect_list "-S after the first occurrence" "$late"
cli list --exe '*/late' -U '30 minutes ago'
expect_list "-U before the repeats" "$late"
cli list --exe '*/late' -S '50 minutes ago' -U '40 minutes ago'
expect_out '^No crashes\.$'
# A daemon stopped before "processed" and run again records no repeat twice.
rm -f "$SPOOL/$late/processed"
run_daemon
expect_eq "late's occurrences after a second run" 2 "$(wc -l <"$SPOOL/$late/occurrences")"
echo PASS
