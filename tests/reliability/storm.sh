#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The storm of issue 11's suite: 1,000 crashes of 50 executables (20
# waves of 50 at once) in at most 30 s, the daemon running with a mail
# action to the real SMTP server and the recording exec action:
# - every crash is stored or counted: the hook saw 1,000, and seen =
#   stored + ignored + rate_limited + failed; the kernel dropped none;
# - the spool, sampled every 0.2 s, never goes over its caps (spool_max,
#   retention max_size);
# - mails stay within the limits (rate per key, global_rate);
# - held-back sums add up: per executable, the first notification plus
#   the crashes summed up in its digests is the count of its dump, and
#   over all executables that is the hook's stored.
source "$(dirname "$0")/../daemon/lib_daemon.sh"
source "$(dirname "$0")/../daemon/mail_lib.sh"

EXES=50
WAVES=20
N=$((EXES * WAVES))
CAP=16M
CAP_BYTES=$((16 * 1024 * 1024))
limit=$(sed -n 's/^#define KERNEL_PIPE_LIMIT_MIN \([0-9]*\).*/\1/p' \
	"$(dirname "$0")/../../common/kernel.h")
[[ $limit =~ ^[0-9]+$ ]] || fail "no KERNEL_PIPE_LIMIT_MIN in common/kernel.h"

start_smtp main
write_daemon_config per_executable=5/1h global=100/1h spool_max=$CAP \
	rate=3/1h global_rate=200/1h digest_after=2s every=1000 \
	retention_max_size=$CAP \
	actions="$(mail_action page "$SMTP_PORT"), $(rec_action)"
register
echo "$limit" >/proc/sys/kernel/core_pipe_limit
for ((i = 0; i < EXES; i++)); do
	copy_victim "storm$(printf %02d "$i")"
done
start_daemon
dropped0=$(counter kernel_dropped)

# The spool's size, sampled while the storm lasts (allocated bytes).
(
	max=0
	while [[ ! -e $T/storm.done ]]; do
		s=$(du -s -B1 "$SPOOL" 2>/dev/null | cut -f1) || s=0
		((s > max)) && max=$s
		echo "$max" >"$T/spool.max.tmp" && mv "$T/spool.max.tmp" "$T/spool.max"
		sleep 0.2
	done
) 9>&- {CRASHD_GUARD_FD}>&- &
SAMPLER=$!

info "$N crashes: $WAVES waves of $EXES executables at once"
t0=$(date +%s%N)
exec {stderr}>&2 2>>"$T/shell-notices"
bad=0
for ((w = 0; w < WAVES; w++)); do
	pids=()
	for ((i = 0; i < EXES; i++)); do
		"$T/storm$(printf %02d "$i")" segv >/dev/null 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		rc=0
		wait "$p" || rc=$?
		((rc == 139)) || bad=$((bad + 1))
	done
done
exec 2>&"$stderr" {stderr}>&-
t1=$(date +%s%N)
storm_ms=$(((t1 - t0) / 1000000))
((bad == 0)) || fail "$bad victims did not die of SIGSEGV"
info "   $N crashes in $storm_ms ms"
((storm_ms <= 30000)) || fail "the storm took $storm_ms ms, more than 30 s"
hooks_done() { ! pgrep -f -- "crashd-hook -c $CONF " >/dev/null; }
wait_until 30 "the hooks of the storm to finish" hooks_done
wait_incoming_empty
wait_all_processed 60
touch "$T/storm.done"
wait "$SAMPLER" || true
spool_max=$(cat "$T/spool.max")

all=$(counters)
get() { awk -v k="$1" '$1 == k { print $2 }' <<<"$all"; }
seen=$(get seen) stored=$(get stored)
info "   counters: $(tr '\n' ' ' <<<"$all")"
info "   spool at most $spool_max bytes (sampled), caps $CAP_BYTES"
expect_eq "crashes the hook saw" "$N" "$seen"
expect_eq "seen = stored + ignored + rate_limited + failed" "$seen" \
	$(($(get stored) + $(get ignored) + $(get rate_limited) + $(get failed)))
expect_eq "stored (global 100/1h)" 100 "$stored"
expect_eq "failed" 0 "$(get failed)"
expect_eq "kernel_dropped" "$dropped0" "$(get kernel_dropped)"
((spool_max <= CAP_BYTES)) || fail "the spool reached $spool_max bytes, over its cap $CAP_BYTES"

# The notifications: firsts, then digests after digest_after (2 s).
runs_key() { # prints "EXE EVENT HELD" per run of the recording action
	local f
	for f in $(run_files); do
		printf '%s %s %s\n' "$(run_var "$f" CRASHD_EXECUTABLE)" \
			"$(run_var "$f" CRASHD_EVENT)" "$(run_var "$f" CRASHD_HELD_BACK)"
	done
}
counts_sum() {
	local d s=0
	for d in $(spool_dumps); do
		s=$((s + $(cat "$SPOOL/$d/count" 2>/dev/null || echo 1)))
	done
	echo "$s"
}
notified_sum() {
	runs_key | awk '{ n += ($2 == "first") ? 1 : $3 } END { print n + 0 }'
}
all_summed() { (($(notified_sum) >= stored)); }
wait_until 30 "notifications summing up the $stored stored crashes" all_summed
sleep 2.5 # a digest more would come within digest_after
expect_eq "crashes in the dumps' counts" "$stored" "$(counts_sum)"
expect_eq "firsts + held-back sums of the notifications" "$stored" "$(notified_sum)"
# Per executable: 1 first + its digests = its dump's count.
for ((i = 0; i < EXES; i++)); do
	exe=$T/storm$(printf %02d "$i")
	n=$(runs_key | awk -v e="$exe" '$1 == e { n += ($2 == "first") ? 1 : $3 } END { print n + 0 }')
	c=0
	for d in $(spool_dumps); do
		[[ $(cat "$SPOOL/$d/executable") == "$exe" ]] && c=$((c + $(cat "$SPOOL/$d/count" 2>/dev/null || echo 1)))
	done
	expect_eq "notified crashes of $exe" "$c" "$n"
	per=$(runs_key | awk -v e="$exe" '$1 == e' | wc -l)
	((per <= 3)) || fail "$per notifications for $exe, over its rate 3/1h"
done
runs=$(runs_count)
wait_messages 30 "$SMTP_DIR" "$runs"
nap 1
mails=$(messages "$SMTP_DIR")
expect_eq "mails (one per notification)" "$runs" "$mails"
((mails <= 200)) || fail "$mails mails, over global_rate 200/1h"
stop_daemon
info "figures: $N crashes of $EXES executables in $storm_ms ms: $seen seen, $stored stored, $(get rate_limited) counted not stored, 0 failed, 0 dropped by the kernel; spool at most $spool_max of $CAP_BYTES bytes; $mails mails ($(runs_key | grep -c ' first ') firsts, $(runs_key | grep -c ' digest ') digests) summing up $stored crashes"
