#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The disk limits bound the whole dump, items and core (issue 11, finding
# 6): spool_max (the hook's own estimate of the spool's size) and
# keep_free (free space on the spool's file system).  A dump takes at most
# half of what spool_max leaves; when that is not even room for what
# identifies the crash, the crash is not stored and counted as failed.
# Below keep_free only the identifying items are written.  core_info and
# incomplete say why.
source "$(dirname "$0")/lib.sh"

copy_victim victim

info "spool_max = 1 byte: no room even for the identifying items"
write_config spool_max=1
register
crash_no_dump "$T/victim" segv
expect_counters seen=1 stored=0 failed=1

info "spool_max = 400K: a dump within 200K, without a core"
SPOOL=$T/spool-max
write_config spool_max=400K
crash_and_wait "$T/victim" segv
expect_absent core.gz
expect_line core_info '^note: spool_max reached$'
expect_present reason cmdline environ maps
used=$(du -sk --apparent-size "$DUMP" | cut -f1)
((used <= 200)) || fail "the dump takes ${used} KiB, over its room of 200 KiB"
info "the dump: ${used} KiB (room 200 KiB)"
expect_counters seen=1 stored=1 cores_kept=0 cores_skipped=1

info "keep_free larger than the disk: the identifying items only"
SPOOL=$T/spool-free
write_config keep_free=1000000T
crash_and_wait "$T/victim" segv
expect_absent core.gz maps environ cmdline
expect_item signal 11
expect_item executable "$T/victim"
expect_present time pid uid reason
expect_line core_info '^note: keep_free floor reached$'
expect_line incomplete '^maps: not written: keep_free floor reached, only the identifying items are kept$'
expect_counters seen=1 stored=1 cores_kept=0 cores_skipped=1
echo PASS
