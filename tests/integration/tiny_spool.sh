#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 13: the spool is on a tiny tmpfs that fills up.  A crash in
# full mode with 8 MiB of incompressible memory: the dump is still
# published with its metadata, the core is dropped (never left cut short),
# core_info and incomplete say why, and the hook lets the process go at
# once.  Then on a completely full tmpfs: no hang, and the crash is counted
# as not stored (failed) rather than published without what identifies it
# (issue 11, finding 5; tests/reliability/full_spool.sh goes further).
source "$(dirname "$0")/lib.sh"

mkdir "$T/tiny"
mount -t tmpfs -o size=4M,mode=755 crashd-it-tiny "$T/tiny" ||
	skip "cannot mount a tmpfs"
SPOOL=$T/tiny/spool
write_config mode=full time_budget=10s
register
copy_victim victim

info "metadata fits, the core does not"
t0=$(date +%s%N)
crash_and_wait "$T/victim" touch 8
ms=$((($(date +%s%N) - t0) / 1000000))
((ms < 5000)) || fail "crash to published dump took ${ms} ms (time budget 10 s): the hook held the process"
info "crash to dump: ${ms} ms"
expect_item reason "victim killed by SIGSEGV"
expect_item executable "$T/victim"
expect_item signal 11
printf '%s\0' "$T/victim" touch 8 >"$T/cmdline.expected"
expect_bytes cmdline "$T/cmdline.expected"
expect_present environ maps status ptree open_fds core_info
if [[ -f $DUMP/core.gz ]]; then
	# Kept only if whole: a valid gzip stream of bytes_kept bytes.
	unpack_core "$T/core"
	expect_eq "core.gz size vs bytes_kept" \
		"$(awk '$1 == "bytes_kept:" { print $2 }' "$DUMP/core_info")" \
		"$(stat -c %s "$T/core")"
elif grep -q '^stopped: write_error$' "$DUMP/core_info"; then
	expect_line core_info '^bytes_kept: 0$'
	expect_line core_info '^error: No space left on device$'
	expect_line incomplete '^core\.gz: No space left on device$'
else
	# The dump's room (what keep_free leaves) is known ahead: a core
	# that would not fit is not kept, with no disk write failing.
	expect_line core_info '^bytes_kept: 0$'
	expect_line core_info "^note: larger than the dump's room above keep_free, not kept$"
	expect_line incomplete "^core\.gz: larger than the dump's room above keep_free, not kept$"
fi
expect_line core_info '^mode: full$'
expect_counters seen=1 stored=1 degraded=1 cores_kept=0 cores_skipped=1 failed=0
# Nothing half-written is left behind.
[[ -z $(ls -A "$SPOOL/.incoming") ]] || fail ".incoming is not empty: $(ls -A "$SPOOL/.incoming")"

info "the tmpfs is full"
dd if=/dev/zero of="$T/tiny/filler" bs=4k 2>/dev/null || true
avail=$(df --output=avail -k "$T/tiny" | tail -n1)
((avail == 0)) || fail "test bug: $avail KiB still free on the tmpfs"
t0=$(date +%s%N)
crash_no_dump "$T/victim" touch 8
ms=$((($(date +%s%N) - t0) / 1000000))
((ms < 5000)) || fail "a crash on a full spool took ${ms} ms"
info "crash on a full spool: ${ms} ms, not published, counted"
expect_counters seen=2 stored=1 degraded=1 cores_kept=0 cores_skipped=2 failed=1
[[ -z $(ls -A "$SPOOL/.incoming") ]] || fail ".incoming is not empty: $(ls -A "$SPOOL/.incoming")"
echo PASS
