#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# list, info and stats after the real daemon merged duplicates: a first
# dump carries count (its crashes) and last_occurrence; kept duplicates
# (duplicate_of) are listed but not counted twice by stats; removed ones
# are still counted through their first dump's count.
source "$(dirname "$0")/lib_cli.sh"

[[ -x ${CRASHD_DAEMON:-} ]] || fail "CRASHD_DAEMON is not set; run the tests through ctest"

# daemon_config REMOVE_DUPLICATES
daemon_config() {
	write_config
	cat >>"$CONF" <<EOF
daemon = {
  dedupe = { key = [ "executable", "signal" ]; window = "1d"; remove_duplicates = $1; };
  pid_file = "$T/run/crashd.pid";
};
actions = (
  { name = "log"; type = "log"; }
);
EOF
	"$CRASHD_CLI" check-config "$CONF" >"$T/check-config.out" 2>&1 ||
		fail "the test's daemon config is refused: $(cat "$T/check-config.out")"
}

# run_daemon: runs crashd until every dump in the spool is processed.
DAEMON_PID=
at_exit '[[ -z $DAEMON_PID ]] || kill -KILL "$DAEMON_PID" 2>/dev/null'
run_daemon() {
	local i d left
	setpriv --pdeathsig KILL "$CRASHD_DAEMON" -f -c "$CONF" ${REGISTERED_HOOK:+--hook "$REGISTERED_HOOK"} </dev/null \
		>>"$T/daemon.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	DAEMON_PID=$!
	for ((i = 0; i < 1000; i++)); do
		left=0
		list_dumps
		for d in "${DUMPS[@]}"; do
			[[ -e $SPOOL/$d/processed ]] || left=1
		done
		((left == 0)) && break
		kill -0 "$DAEMON_PID" 2>/dev/null || fail "crashd exited: $(tail -n 20 "$T/daemon.log")"
		nap 0.01
	done
	((left == 0)) || fail "crashd did not process every dump in 10 s: $(tail -n 20 "$T/daemon.log")"
	kill -TERM "$DAEMON_PID"
	wait "$DAEMON_PID" || fail "crashd exited with $? on SIGTERM: $(tail -n 20 "$T/daemon.log")"
	DAEMON_PID=
}

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
echo PASS
