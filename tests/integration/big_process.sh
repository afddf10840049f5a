#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The minicore of a process with 100,000 mappings and of one with 10,000
# threads (issue 4: bounded in time and size for any process), through
# the real core_pattern and the real crashd.
#
# 100,000 mappings are more segments than ELF's e_phnum counts (65,534),
# and more than the kernel's NT_FILE note has room for (it leaves the note
# out): the hook drops the empty segments of anonymous mappings, makes
# NT_FILE again from /proc/PID/maps, and the daemon's backtrace names the
# crashing function.  10,000 threads: the notes alone are ~33 MB; the
# minicore stays within max_size, the crashing thread's stack kept first,
# and the daemon shows the crashing thread and its first 255 others.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

# Each page of the fixture's region is its own mapping (see victim.c).
echo 110000 >/proc/sys/vm/max_map_count
write_daemon_config mode=mini max_size=64M time_budget=20s remove_duplicates=false \
	remove_duplicate_cores=false \
	actions="$(log_action)"
register
start_daemon

# check_backtrace FUNCTION...: the backtrace starts with the crashing
# thread, whose frames go through FUNCTION... in that order from #0.
check_backtrace() {
	local f n=0
	head -n1 "$DUMP/backtrace" | grep -q "^Thread $(cat "$DUMP/tid") (crashed):" ||
		fail "the backtrace does not start with the crashing thread: $(head -3 "$DUMP/backtrace")"
	for f; do
		n=$((n + 1))
		sed -n "$((n + 1))p" "$DUMP/backtrace" |
			grep -q "^#$((n - 1)) .* $f+0x[0-9a-f]* (.*victim)" ||
			fail "frame $((n - 1)) of the crashing thread is not $f(): $(head -n 6 "$DUMP/backtrace")"
	done
}

# core_info_value KEY
core_info_value() {
	sed -n "s/^$1: //p" "$DUMP/core_info"
}

info "100,000 mappings"
t0=$(date +%s%N)
d_crash "$CRASHD_VICTIM" maps 100000
wait_processed "$DUMP"
info "crash to processed: $((($(date +%s%N) - t0) / 1000000)) ms"
[[ -f $DUMP/core.mini ]] || fail "no core.mini: $(cat "$DUMP/core_info" "$DUMP/incomplete" 2>&1)"
expect_line core_info '^stopped: end$'
expect_line core_info '^file_note: maps$'
segments=$(core_info_value segments)
((segments > 0 && segments < 65535)) || fail "$segments segments written"
size=$(stat -c %s "$DUMP/core.mini")
((size < 1024 * 1024)) || fail "core.mini of 100,000 mappings is $size bytes"
info "core.mini: $size bytes, $segments segments"
check_backtrace crash run_maps main
grep -q "$(printf '\tcrash\t')" "$DUMP/backtrace_frames" ||
	fail "backtrace_frames has no crash(): $(head -3 "$DUMP/backtrace_frames")"
# The same frames as eu-stack (elfutils, installed by ./setup) finds.
command -v eu-stack >/dev/null || fail "eu-stack not found: apt-get install elfutils"
eu-stack --core "$DUMP/core.mini" -e "$CRASHD_VICTIM" 2>&1 |
	awk '/^#[0-9]+ /{ print $2, $3 }' >"$T/eu-stack" || true
awk -F'\t' -v tid="$(cat "$DUMP/tid")" '$1 == tid { print $3, $4 }' \
	"$DUMP/backtrace_frames" >"$T/frames"
expect_eq "the crashing thread's frames, as eu-stack finds them" \
	"$(cat "$T/eu-stack")" "$(cat "$T/frames")"

info "10,000 threads"
t0=$(date +%s%N)
d_crash "$CRASHD_VICTIM" threads 10000
wait_processed "$DUMP"
info "crash to processed: $((($(date +%s%N) - t0) / 1000000)) ms"
[[ -f $DUMP/core.mini ]] || fail "no core.mini: $(cat "$DUMP/core_info" "$DUMP/incomplete" 2>&1)"
expect_line core_info '^threads: 10000$'
# Notes and memory within max_size; the program headers on top (room
# for one per segment and one per region, 56 bytes each).
size=$(stat -c %s "$DUMP/core.mini")
segments=$(core_info_value segments)
regions=$(core_info_value regions)
((size <= 64 * 1024 * 1024 + (segments + regions) * 56 + 8192)) ||
	fail "core.mini of 10,000 threads is $size bytes, over max_size"
info "core.mini: $size bytes ($(core_info_value notes_bytes) of notes," \
	"$(core_info_value memory_bytes) of memory), stopped: $(core_info_value stopped)"
check_backtrace crash crash_thread
expect_eq "threads in the backtrace" 256 "$(grep -c '^Thread ' "$DUMP/backtrace")"
expect_no_line backtrace 'cut short'
stop_daemon
echo PASS
