#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 13: the spool is on a tiny tmpfs that fills up.  A crash in
# full mode with 8 MiB of incompressible memory: the dump is still
# published with its metadata, the core is dropped (never left cut short),
# core_info and incomplete say why, and the hook lets the process go at
# once.  Then on a completely full tmpfs: no hang, the crash still counted
# and published (its name tells time, pid and comm).
source "$(dirname "$0")/lib.sh"

mkdir "$T/tiny"
mount -t tmpfs -o size=1M,mode=755 crashd-it-tiny "$T/tiny" ||
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
else
	expect_line core_info '^bytes_kept: 0$'
	expect_line core_info '^error: No space left on device$'
	expect_line incomplete '^core\.gz: No space left on device$'
fi
expect_line core_info '^mode: full$'
expect_line core_info '^stopped: write_error$'
expect_counters seen=1 stored=1 degraded=1 cores_kept=0 cores_skipped=1 failed=0
# Nothing half-written is left behind.
[[ -z $(ls -A "$SPOOL/.incoming") ]] || fail ".incoming is not empty: $(ls -A "$SPOOL/.incoming")"

info "the tmpfs is full"
dd if=/dev/zero of="$T/tiny/filler" bs=4k 2>/dev/null || true
avail=$(df --output=avail -k "$T/tiny" | tail -n1)
((avail == 0)) || fail "test bug: $avail KiB still free on the tmpfs"
t0=$(date +%s%N)
crash_and_wait "$T/victim" touch 8
ms=$((($(date +%s%N) - t0) / 1000000))
((ms < 5000)) || fail "crash to published dump on a full spool took ${ms} ms"
info "crash to dump on a full spool: ${ms} ms"
[[ ${DUMP##*/} == *-$(awk '$1 == "pid" { print $2 }' "$VICTIM_OUT")-victim ]] ||
	fail "the dump's name does not tell the victim's pid: ${DUMP##*/}"
expect_absent core.gz
expect_counters seen=2 stored=2 degraded=2 cores_kept=0 cores_skipped=2 failed=0
echo PASS
