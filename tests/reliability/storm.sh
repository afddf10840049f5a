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
# The 100 dumps the limits let through take 13 MB (128 KiB each and the
# daemon's records), and a wave of 50 being written reserves 8 MB more
# (POLICY_ROOM_FIRST each): 16M was reached by the reservations alone.
CAP=24M
CAP_BYTES=$((24 * 1024 * 1024))
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
# runs_key: "EXE EVENT HELD" per run of the recording action.
runs_key() {
	local f
	for f in $(run_files); do
		awk -F= '$1 == "CRASHD_EXECUTABLE" { e = substr($0, 19) }
			$1 == "CRASHD_EVENT" { v = $2 } $1 == "CRASHD_HELD_BACK" { h = $2 }
			END { print e, v, h }' "$f"
	done
}
# dumps_key: "EXE COUNT" per dump.
dumps_key() {
	local d
	for d in $(spool_dumps); do
		printf '%s %s\n' "$(cat "$SPOOL/$d/executable")" "$(cat "$SPOOL/$d/count" 2>/dev/null || echo 1)"
	done
}
notified_sum() {
	runs_key | awk '{ n += ($2 == "first") ? 1 : $3 } END { print n + 0 }'
}
all_summed() { (($(notified_sum) >= stored)); }
wait_until 30 "notifications summing up the $stored stored crashes" all_summed
sleep 2.5 # a digest more would come within digest_after
runs_key >"$T/runs.key"
dumps_key >"$T/dumps.key"
expect_eq "crashes in the dumps' counts" "$stored" "$(awk '{ s += $2 } END { print s + 0 }' "$T/dumps.key")"
expect_eq "firsts + held-back sums of the notifications" "$stored" \
	"$(awk '{ n += ($2 == "first") ? 1 : $3 } END { print n + 0 }' "$T/runs.key")"
# Per executable: 1 first + its digests = its dumps' count, within its rate.
bad=$(awk 'FNR == NR { c[$1] += $2; next }
	{ n[$1] += ($2 == "first") ? 1 : $3; k[$1]++ }
	END {
		for (e in c) if (n[e] != c[e]) print e ": count " c[e] ", notified " n[e]
		for (e in n) if (!(e in c)) print e ": notified " n[e] ", no dump"
		for (e in k) if (k[e] > 3) print e ": " k[e] " notifications, over 3/1h"
	}' "$T/dumps.key" "$T/runs.key")
[[ -z $bad ]] || fail "held-back sums per executable: $bad"
expect_eq "executables notified" "$EXES" "$(awk '{ print $1 }' "$T/runs.key" | sort -u | wc -l)"
runs=$(runs_count)
wait_messages 30 "$SMTP_DIR" "$runs"
nap 1
mails=$(messages "$SMTP_DIR")
expect_eq "mails (one per notification)" "$runs" "$mails"
((mails <= 200)) || fail "$mails mails, over global_rate 200/1h"
stop_daemon
info "figures: $N crashes of $EXES executables in $storm_ms ms: $seen seen, $stored stored, $(get rate_limited) counted not stored, 0 failed, 0 dropped by the kernel; spool at most $spool_max of $CAP_BYTES bytes; $mails mails ($(grep -c ' first ' "$T/runs.key") firsts, $(grep -c ' digest ' "$T/runs.key") digests) summing up $stored crashes"
