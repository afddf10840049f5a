#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 2 of issue 11: a burst of 200 simultaneous crashes (20
# executables, 10 each, all released at one instant) is fully counted:
# with the core_pipe_limit crashd-cli install sets (KERNEL_PIPE_LIMIT_MIN)
# the hook sees all 200, stores what the limits allow (60: global 60/10m)
# and counts the rest as not stored; the kernel drops none.  Then the same
# burst with the old limit, 4: the kernel hands most crashes to no hook,
# and crashd notices: the daemon counts the kernel log's "over
# core_pipe_limit" lines as kernel_dropped (a lower bound: the kernel
# rate-limits those lines).
source "$(dirname "$0")/../daemon/lib_daemon.sh"

N=200
EXES=20
limit=$(sed -n 's/^#define KERNEL_PIPE_LIMIT_MIN \([0-9]*\).*/\1/p' \
	"$(dirname "$0")/../../common/kernel.h")
[[ $limit =~ ^[0-9]+$ ]] || fail "no KERNEL_PIPE_LIMIT_MIN in common/kernel.h"

write_daemon_config mode=mini max_size=1M per_executable=5/10m global=60/10m \
	cores_per_executable=5/10m cores_global=60/10m remove_duplicates=false \
	actions="$(log_action)"
register
for ((i = 0; i < EXES; i++)); do
	copy_victim "burstA$(printf %02d "$i")"
	copy_victim "burstB$(printf %02d "$i")"
done
mkfifo "$T/go"
start_daemon

# blocked PID EXE: PID runs EXE and sleeps (in open() of the FIFO).
blocked() {
	local exe stat
	exe=$(readlink "/proc/$1/exe" 2>/dev/null) || return 1
	[[ $exe == "$2" ]] || return 1
	read -r stat <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ ${stat%% *} == S ]]
}

# all_blocked PREFIX: every victim of the burst waits for the FIFO.
all_blocked() {
	local i
	for ((i = 0; i < N; i++)); do
		blocked "${PIDS[i]}" "$T/$1$(printf %02d $((i % EXES)))" || return 1
	done
}

hooks_done() {
	! pgrep -f -- "crashd-hook -c $CONF " >/dev/null
}

# burst PREFIX PIPE_LIMIT: N victims wait on the FIFO's open, then one
# open of its other end releases them at once.  Sets BURST_MS.
burst() {
	local i p rc go t0 t1 bad=0
	echo "$2" >/proc/sys/kernel/core_pipe_limit
	PIDS=()
	exec {stderr}>&2 2>>"$T/shell-notices"
	for ((i = 0; i < N; i++)); do
		"$T/$1$(printf %02d $((i % EXES)))" open "$T/go" >/dev/null 2>&1 \
			9>&- {CRASHD_GUARD_FD}>&- &
		PIDS+=($!)
	done
	exec 2>&"$stderr" {stderr}>&-
	wait_until 30 "the $N victims to wait on the FIFO" all_blocked "$1"
	t0=$(date +%s%N)
	exec {go}<>"$T/go"
	for p in "${PIDS[@]}"; do
		rc=0
		wait "$p" 2>/dev/null || rc=$?
		((rc == 139)) || bad=$((bad + 1))
	done
	t1=$(date +%s%N)
	exec {go}>&-
	((bad == 0)) || fail "$bad victims did not die of SIGSEGV"
	BURST_MS=$(((t1 - t0) / 1000000))
	wait_until 30 "the hooks of the burst to finish" hooks_done
	wait_incoming_empty
}

# get NAME: a counter's value.
get() { counter "$1"; }

kmsg_lines() {
	dmesg | grep -Ec "\\($1[0-9]{2}\\):? over core_pipe_limit" || true
}

expect_sum() {
	local all seen sum
	all=$(counters)
	seen=$(awk '$1 == "seen" { print $2 }' <<<"$all")
	sum=$(awk '$1 ~ /^(stored|ignored|rate_limited|failed)$/ { s += $2 } END { print s + 0 }' <<<"$all")
	expect_eq "seen = stored + ignored + rate_limited + failed ($(tr '\n' ' ' <<<"$all"))" "$seen" "$sum"
}

dropped0=$(get kernel_dropped)
lines0=$(kmsg_lines burstA)

info "A: $N simultaneous crashes, core_pipe_limit $limit (crashd-cli install's)"
burst burstA "$limit"
sleep 2 # the daemon reads the kernel log every second
seen=$(get seen) stored=$(get stored) rl=$(get rate_limited)
dumps=$(spool_dumps | wc -l)
info "   released in $BURST_MS ms; the hook saw $seen, stored $stored ($dumps dumps), $rl counted as not stored (rate limits); cores kept $(get cores_kept), skipped $(get cores_skipped); kernel_dropped +$(($(get kernel_dropped) - dropped0))"
expect_eq "crashes the hook saw" "$N" "$seen"
expect_eq "crashes stored (global 60/10m)" 60 "$stored"
expect_eq "dumps in the spool" 60 "$dumps"
expect_eq "crashes counted as not stored" $((N - 60)) "$rl"
expect_sum
expect_eq "kernel log lines over core_pipe_limit" 0 $(($(kmsg_lines burstA) - lines0))
expect_eq "kernel_dropped" "$dropped0" "$(get kernel_dropped)"

info "B: the same burst with the old core_pipe_limit, 4"
lines0=$(kmsg_lines burstB)
burst burstB 4
seenB=$(($(get seen) - N))
lines=$(($(kmsg_lines burstB) - lines0))
counted() { (($(get kernel_dropped) - dropped0 >= lines)); }
wait_until 10 "the daemon to count $lines kernel log lines" counted
droppedB=$(($(get kernel_dropped) - dropped0))
info "   the hook saw $seenB of $N; the kernel dropped $((N - seenB)), its log showed $lines (rate-limited), the daemon counted kernel_dropped $droppedB"
((seenB < N)) || fail "with core_pipe_limit 4 the hook saw all $N: the burst was not simultaneous"
((lines >= 1)) || fail "no 'over core_pipe_limit' line in the kernel log for $((N - seenB)) drops"
expect_eq "kernel_dropped counted by the daemon" "$lines" "$droppedB"
((droppedB <= N - seenB)) || fail "kernel_dropped $droppedB is more than the $((N - seenB)) crashes the hook missed"
expect_sum
expect_log 'the kernel handed [0-9]+ crash\(es\) to no hook'
stop_daemon
info "figures: limit $limit: $N/$N seen, 60 stored, $((N - 60)) counted not stored, 0 dropped; limit 4: $seenB seen, $((N - seenB)) dropped by the kernel, $droppedB of them counted from its log"
