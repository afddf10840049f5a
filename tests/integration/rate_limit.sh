#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 12: the per-executable limit.  With per_executable = "2/1h",
# three crashes of one executable give two dumps; the third is counted
# (seen, rate_limited), not stored, and recorded as such (crashd-cli
# counters --not-stored).  Another executable is not held back.
# Also: the global limit, and cores_per_executable (the dump is stored,
# its core is not, and core_info says why).
source "$(dirname "$0")/lib.sh"

copy_victim victim
copy_victim other-victim

info "per_executable = 2/1h"
write_config per_executable=2/1h
register
crash_and_wait "$T/victim" segv
crash_and_wait "$T/victim" segv
crash_no_dump "$T/victim" segv
expect_counters seen=3 stored=2 rate_limited=1 ignored=0
expect_not_stored 1 "$VICTIM_PID" "SIGSEGV  rate_limited (per_executable limit)  $T/victim"
list_dumps
expect_eq "dumps in the spool" 2 "${#DUMPS[@]}"
crash_and_wait "$T/other-victim" segv
expect_item executable "$T/other-victim"
expect_counters seen=4 stored=3 rate_limited=1

info "cores_per_executable = 2/1h"
SPOOL=$T/spool-cores
write_config per_executable=100/1h cores_per_executable=2/1h
crash_and_wait "$T/victim" segv
expect_present core.gz
crash_and_wait "$T/victim" segv
expect_present core.gz
crash_and_wait "$T/victim" segv
expect_absent core.gz
expect_line core_info '^note: cores_per_executable limit$'
expect_present reason cmdline environ maps
expect_counters seen=3 stored=3 rate_limited=0 cores_kept=2 cores_skipped=1

info "global = 2/1h"
SPOOL=$T/spool-global
write_config global=2/1h
crash_and_wait "$T/victim" segv
crash_and_wait "$T/other-victim" segv
copy_victim third-victim
crash_no_dump -s 6 "$T/third-victim" abort
expect_counters seen=3 stored=2 rate_limited=1
expect_not_stored 1 "$VICTIM_PID" "SIGABRT  rate_limited (global limit)  $T/third-victim"
echo PASS
