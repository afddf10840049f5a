#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Several processes crash at the same moment (core_pipe_limit lets their
# hooks run side by side): each gets its own complete dump with a unique
# name, and the shared counters count every one.
source "$(dirname "$0")/lib.sh"

n=6
write_config
register
copy_victim victim
# Each waits for a go file, so they fault together.
cat >"$T/racer" <<RACER
#!/bin/bash
while [[ ! -e $T/go ]]; do read -r -t 0.005 <> <(:) || true; done
exec "$T/victim" segv
RACER
chmod 755 "$T/racer"
exec {stderr}>&2 2>>"$T/shell-notices"
pids=()
for ((i = 0; i < n; i++)); do
	"$T/racer" >"$T/racer.$i.out" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	pids+=($!)
done
nap 0.2
touch "$T/go"
for p in "${pids[@]}"; do
	rc=0
	wait "$p" || rc=$?
	((rc == 139)) || fail "racer $p exited with $rc, expected 139"
done
exec 2>&"$stderr" {stderr}>&-

victims=()
for ((i = 0; i < n; i++)); do
	victims+=("$(awk '$1 == "pid" { print $2 }' "$T/racer.$i.out")")
done
for ((i = 0; i < 500; i++)); do
	list_dumps
	((${#DUMPS[@]} >= n)) && break
	nap 0.02
done
wait_incoming_empty
list_dumps
expect_eq "dumps" "$n" "${#DUMPS[@]}"
expect_eq "unique names" "$n" "$(printf '%s\n' "${DUMPS[@]}" | sort -u | wc -l)"
for d in "${DUMPS[@]}"; do
	DUMP=$SPOOL/$d
	check_dump_common
	pid=$(item pid)
	[[ " ${victims[*]} " == *" $pid "* ]] || fail "dump $d is of pid $pid, no racer's (${victims[*]})"
	[[ $d == *-$pid-victim ]] || fail "dump $d is not named after its pid $pid"
	expect_item reason "victim killed by SIGSEGV"
	expect_present core.gz
	expect_complete
done
expect_eq "distinct pids" "$n" "$(for d in "${DUMPS[@]}"; do cat "$SPOOL/$d/pid"; done | sort -u | wc -l)"
expect_counters seen=$n stored=$n cores_kept=$n degraded=0 failed=0
echo PASS
