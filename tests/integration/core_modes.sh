#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 10: each core mode.  none: no core at all.  truncate: exactly
# max_size bytes of a bigger core.  full: the whole core, a valid ELF core
# with one NT_PRSTATUS per thread.  mini: not implemented yet, said so.
# Also honour_rlimit: RLIMIT_CORE (%c) bounds the core when asked to.
source "$(dirname "$0")/lib.sh"

copy_victim victim
core_info() {
	awk -v k="$1:" '$1 == k { print $2 }' "$DUMP/core_info"
}

info "none"
write_config mode=none
register
crash_and_wait "$T/victim" touch 4
expect_absent core.gz
expect_line core_info '^mode: none$'
expect_eq "bytes_kept (none)" 0 "$(core_info bytes_kept)"
expect_present reason cmdline maps environ
expect_complete

info "truncate: 1 MiB of a bigger core"
write_config mode=truncate max_size=1M
crash_and_wait "$T/victim" touch 4
expect_present core.gz
unpack_core "$T/core"
expect_eq "decompressed size" 1048576 "$(stat -c %s "$T/core")"
expect_elf "$T/core"
expect_line core_info '^mode: truncate$'
expect_line core_info '^truncated: yes$'
expect_line core_info '^stopped: max_size$'
expect_eq "limit" 1048576 "$(core_info limit)"
expect_eq "bytes_kept" 1048576 "$(core_info bytes_kept)"
expect_eq "compressed" "$(stat -c %s "$DUMP/core.gz")" "$(core_info compressed)"
expect_complete

info "full: the whole core of a 4-thread process"
write_config mode=full
crash_and_wait "$T/victim" threads 4
expect_present core.gz
unpack_core "$T/core"
expect_line core_info '^mode: full$'
expect_line core_info '^truncated: no$'
expect_line core_info '^stopped: end$'
expect_eq "decompressed size vs bytes_read" "$(core_info bytes_read)" "$(stat -c %s "$T/core")"
expect_eq "bytes_kept" "$(core_info bytes_read)" "$(core_info bytes_kept)"
readelf -h "$T/core" >"$T/readelf.h" 2>&1 || fail "readelf -h: $(cat "$T/readelf.h")"
grep -Eq 'Type: +CORE' "$T/readelf.h" || fail "the core is not an ELF core: $(cat "$T/readelf.h")"
readelf -n "$T/core" >"$T/readelf.n" 2>&1 || fail "readelf -n failed on the core"
expect_eq "NT_PRSTATUS notes (one per thread)" 4 "$(grep -c NT_PRSTATUS "$T/readelf.n" || true)"
grep -q NT_FILE "$T/readelf.n" || fail "the core has no NT_FILE note"
grep -q NT_SIGINFO "$T/readelf.n" || fail "the core has no NT_SIGINFO note"
# The crashing thread's registers come first; the kernel writes its tid.
if eu-readelf -n "$T/core" >"$T/eu-readelf.n" 2>/dev/null; then
	first=$(awk '$1 == "pid:" { print $2; exit }' "$T/eu-readelf.n")
	expect_eq "first NT_PRSTATUS pid (the crashing thread)" "$VICTIM_TID" "${first%,}"
fi
expect_complete

info "full with time_budget = 100ms on 256 MiB: the hook stops in time"
write_config mode=full time_budget=100ms
t0=$(date +%s%N)
crash_and_wait "$T/victim" touch 256
ms=$((($(date +%s%N) - t0) / 1000000))
info "crash to dump: ${ms} ms"
expect_line core_info '^stopped: time_budget$'
expect_line core_info '^truncated: yes$'
unpack_core "$T/core"
expect_eq "decompressed size vs bytes_kept" "$(core_info bytes_kept)" "$(stat -c %s "$T/core")"
(($(core_info bytes_kept) < 256 << 20)) || fail "the whole core was kept despite the time budget"
expect_present reason cmdline environ maps

info "mini: registers and stacks only, a small valid ELF core"
write_config mode=mini max_size=64M
crash_and_wait "$T/victim" threads 4
expect_absent core.gz
expect_line core_info '^mode: mini$'
expect_present reason cmdline maps environ
if [[ -f $DUMP/core.mini ]]; then
	readelf -h "$DUMP/core.mini" >"$T/readelf.h" 2>&1 || fail "readelf -h core.mini: $(cat "$T/readelf.h")"
	grep -Eq 'Type: +CORE' "$T/readelf.h" || fail "core.mini is not an ELF core: $(cat "$T/readelf.h")"
	readelf -n "$DUMP/core.mini" >"$T/readelf.n" 2>&1 || fail "readelf -n failed on core.mini"
	expect_eq "NT_PRSTATUS notes in core.mini (one per thread)" 4 "$(grep -c NT_PRSTATUS "$T/readelf.n" || true)"
	expect_line core_info '^threads: 4$'
	# "A few hundred KB for any process size": 64 MiB of data stay out.
	crash_and_wait "$T/victim" touch 64
	expect_present core.mini
	size=$(stat -c %s "$DUMP/core.mini")
	((size < 2 << 20)) || fail "core.mini of a 64 MiB process is $size bytes"
	info "core.mini of a 64 MiB process: $size bytes"
else
	# A hook without the mini writer (before issue 4) must say so.
	# Remove this branch once mode mini has landed.
	expect_line core_info '^note: mode mini is not available'
fi

info "honour_rlimit: RLIMIT_CORE 0 keeps no core, 64 KiB keeps 64 KiB"
write_config mode=truncate max_size=1M honour_rlimit=true
crash_and_wait bash -c 'ulimit -c 0 && exec "$0" segv' "$T/victim"
expect_absent core.gz
expect_line core_info '^note: RLIMIT_CORE is 0$'
crash_and_wait bash -c 'ulimit -c 64 && exec "$0" touch 2' "$T/victim"
unpack_core "$T/core"
expect_eq "core size under RLIMIT_CORE 64 KiB" 65536 "$(stat -c %s "$T/core")"
expect_line core_info '^limit: 65536$'
expect_line core_info '^truncated: yes$'
echo PASS
