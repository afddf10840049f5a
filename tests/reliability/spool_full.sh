#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 4: a dump whose processing failed is tried again while the
# daemon runs.  The spool is a real tmpfs; real crashes are stored in it,
# then the file system is filled up and the dumps are published (one
# rename each, as the hook does): every one fails (ENOSPC writing its
# record), says so in the log with the next attempt, and shows in the
# metrics.  Space comes back; the same daemon, not restarted, processes
# all of them within the backoff it announced.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

N=40
FS=$T/fs
mkdir "$FS"
mount -t tmpfs -o size=32M,mode=755 crashd-rel-full "$FS" ||
	skip "cannot mount a tmpfs on $FS"
SPOOL=$FS/spool
STAGE=$FS/stage
PROM=$T/textfile/crashd.prom
mkdir -p "$STAGE" "$T/textfile"
write_daemon_config actions="$(rec_action), $(log_action), { name = \"metrics\"; type = \"metrics\"; path = \"$PROM\"; }"
register
copy_victim full

info "$N real crashes, stored while no daemon runs, set aside on the same file system"
crash_n "$N" "$T/full" segv
names=($(spool_dumps))
expect_eq "dumps stored" "$N" "${#names[@]}"
for n in "${names[@]}"; do
	mv -T "$SPOOL/$n" "$STAGE/$n"
done

start_daemon
pid=$DAEMON_PID

# prom NAME: a sample's value in the metrics file ("" when absent).
prom() {
	sed -n "s/^$1 //p" "$PROM" 2>/dev/null
}
prom_is() {
	[[ $(prom "$1") == "$2" ]]
}
prom_at_least() {
	local v
	v=$(prom "$1")
	[[ -n $v ]] && ((v >= $2))
}

info "the file system full, the dumps published"
dd if=/dev/zero of="$FS/filler" bs=64k 2>/dev/null || true
avail=$(df --output=avail -k "$FS" | tail -n1)
((avail == 0)) || fail "$FS still has $avail KiB free after filling it"
t_full=$(date +%s%N)
for n in "${names[@]}"; do
	mv -T "$STAGE/$n" "$SPOOL/$n"
done
wait_until 15 "$N dumps to fail (each logged)" \
	log_has_n "$N" ': not processed \(No space left on device\), failed attempt 1; next attempt in 1 s'
wait_until 15 "crashd_dumps_retrying $N in $PROM: $(grep retr "$PROM" 2>/dev/null)" \
	prom_is crashd_dumps_retrying "$N"
# Tried again (and failing again) while the disk stays full.
wait_until 15 "second failed attempts" \
	log_has_n "$N" ': not processed \(No space left on device\), failed attempt 2; next attempt in 2 s'
sleep 2
expect_eq "dumps processed while the disk is full" "" "$(for n in "${names[@]}"; do [[ -e $SPOOL/$n/processed ]] && echo "$n"; done)"
failed=$(log_count ': not processed \(No space left on device\), failed attempt')
((failed >= 2 * N)) || fail "only $failed failed attempts logged, expected at least $((2 * N))"

info "space back: processed without a restart"
rm "$FS/filler"
t_free=$(date +%s%N)
wait_all_processed 30
t_done=$(date +%s%N)
# The longest wait announced (an attempt in flight as space came back
# may have failed still, announcing the next step).
next=$(grep -Eo 'next attempt in [0-9]+ s' "$DLOG" | grep -Eo '[0-9]+' | sort -n | tail -n1)
expect_daemon_alive "after the full disk"
expect_eq "the daemon's pid (no restart)" "$pid" "$DAEMON_PID"
recovered_ms=$(((t_done - t_free) / 1000000))
((recovered_ms <= (next + 2) * 1000)) ||
	fail "processed ${recovered_ms} ms after space came back, later than the announced next attempt (${next} s)"
expect_eq "dumps said processed after failing" "$N" \
	"$(log_count ': processed at attempt [0-9]+, after [0-9]+ failed \(the last: No space left on device\)')"
expect_eq "crashes the log action saw" "$N" "$(log_count 'crash: ')"
wait_until 15 "crashd_dumps_retrying 0 in $PROM" prom_is crashd_dumps_retrying 0
wait_until 15 "crashd_crashes_total of $N in $PROM" \
	grep -q "^crashd_crashes_total{.*} $N\$" "$PROM"
# Attempts failed until the space came back: count them all now.
failed=$(log_count ': not processed \(No space left on device\), failed attempt')
wait_until 15 "crashd_dump_failures_total $failed in $PROM" \
	prom_is crashd_dump_failures_total "$failed"
total=$(prom crashd_dump_failures_total)
((total == failed)) || fail "crashd_dump_failures_total is $total, the log says $failed failed attempts"
stop_daemon

info "figures: $N dumps published on a full spool, $failed failed attempts (crashd_dump_failures_total $total),"
info "  unprocessed for $(((t_free - t_full) / 1000000)) ms while full; all $N processed ${recovered_ms} ms after space came back"
info "  (next attempt announced: ${next} s), by the same daemon"
echo "PASS"
