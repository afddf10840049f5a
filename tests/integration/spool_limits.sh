#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The disk limits: spool_max (the hook's own estimate of the spool's size)
# and keep_free (free space on the spool's file system).  Past either, a
# crash is still stored, without its core, and core_info says why.
source "$(dirname "$0")/lib.sh"

copy_victim victim

info "spool_max = 1 byte: the first dump keeps its core, the next one not"
write_config spool_max=1
register
crash_and_wait "$T/victim" segv
expect_present core.gz
crash_and_wait "$T/victim" segv
expect_absent core.gz
expect_line core_info '^note: spool_max reached$'
expect_present reason cmdline environ maps
expect_counters seen=2 stored=2 cores_kept=1 cores_skipped=1

info "keep_free larger than the disk: no core"
SPOOL=$T/spool-free
write_config keep_free=1000000T
crash_and_wait "$T/victim" segv
expect_absent core.gz
expect_line core_info '^note: keep_free floor reached$'
expect_present reason cmdline environ maps
expect_counters seen=1 stored=1 cores_kept=0 cores_skipped=1
echo PASS
