#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The harness itself: whatever way a test ends (a failed assertion,
# SIGTERM, SIGKILL as ctest sends on a timeout), core_pattern,
# core_pipe_limit and suid_dumpable are put back, its tmpfs is unmounted
# and its temp dir removed.  Child tests run under this test's lock.
source "$(dirname "$0")/lib.sh"

lib=$(cd "$(dirname "$0")" && pwd)/lib.sh
cat >"$T/child.sh" <<CHILD
source "$lib"
register
mkdir "\$T/mnt"
mount -t tmpfs -o size=64k crashd-it-child "\$T/mnt"
echo "\$T" >"\$1"
case \$2 in
fail) fail "deliberate failure" ;;
*) nap 20 ;;
esac
CHILD

# expect_restored CHILD_T: everything is as this test found it.
expect_restored() {
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(</proc/sys/kernel/core_pattern) == "$CRASHD_SAVED_PATTERN" && ! -e $1 ]] && break
		nap 0.05
	done
	expect_eq core_pattern "$CRASHD_SAVED_PATTERN" "$(</proc/sys/kernel/core_pattern)"
	expect_eq core_pipe_limit "$CRASHD_SAVED_PIPE_LIMIT" "$(</proc/sys/kernel/core_pipe_limit)"
	expect_eq suid_dumpable "$CRASHD_SAVED_SUID" "$(</proc/sys/fs/suid_dumpable)"
	grep -q " $1/" /proc/self/mounts && fail "a mount under $1 is left"
	[[ ! -e $1 ]] || fail "the child's temp dir $1 is left"
}

# start_child HOW: runs the child until it has registered; sets CHILD,
# CHILD_T.
start_child() {
	local i
	rm -f "$T/child.t"
	# (A background job starts with SIGINT ignored: undo that.)
	CRASHD_IT_LOCK_INHERITED=1 env --default-signal=INT \
		bash "$T/child.sh" "$T/child.t" "$1" \
		>"$T/child.out" 2>&1 {CRASHD_GUARD_FD}>&- &
	CHILD=$!
	for ((i = 0; i < 200; i++)); do
		[[ -s $T/child.t ]] && break
		nap 0.05
	done
	CHILD_T=$(<"$T/child.t") || fail "the child did not start: $(cat "$T/child.out")"
	[[ $1 == fail ]] && return
	[[ $(</proc/sys/kernel/core_pattern) == "|"*" -c $CHILD_T/c.conf "* ]] ||
		fail "the child did not register: $(</proc/sys/kernel/core_pattern)"
	expect_eq "core_pipe_limit while registered" 8 "$(</proc/sys/kernel/core_pipe_limit)"
	expect_eq "suid_dumpable while registered" 2 "$(</proc/sys/fs/suid_dumpable)"
}

info "a failed assertion"
start_child fail
rc=0
wait "$CHILD" || rc=$?
expect_eq "exit status of a failed test" 1 "$rc"
grep -q 'FAIL: deliberate failure' "$T/child.out" || fail "no FAIL line: $(cat "$T/child.out")"
expect_restored "$CHILD_T"

for sig in TERM INT HUP KILL; do
	info "SIG$sig"
	start_child wait
	kill -"$sig" "$CHILD"
	rc=0
	wait "$CHILD" 2>/dev/null || rc=$?
	((rc != 0)) || fail "the child exited 0 after SIG$sig"
	expect_restored "$CHILD_T"
done
echo PASS
