#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 11: an ignored executable (hook.ignore globs on the
# executable's path) leaves no dump, yet is counted: seen and ignored go
# up, stored does not.  A similar name that the glob does not match is
# stored as usual.
source "$(dirname "$0")/lib.sh"

write_config ignore='"*/ignored-victim", "/nonexistent/*"'
register
copy_victim victim
copy_victim ignored-victim
mkdir "$T/sub"
cp "$T/ignored-victim" "$T/sub/ignored-victim"
copy_victim ignored-victim-not

crash_and_wait "$T/victim" segv
expect_counters seen=1 stored=1 ignored=0 rate_limited=0

crash_no_dump "$T/ignored-victim" segv
expect_counters seen=2 stored=1 ignored=1 rate_limited=0 failed=0
crash_no_dump -s 6 "$T/sub/ignored-victim" abort
expect_counters seen=3 stored=1 ignored=2 rate_limited=0 cores_kept=1
expect_not_stored 2 "$VICTIM_PID" "SIGABRT  ignored (hook.ignore)  $T/sub/ignored-victim"

crash_and_wait "$T/ignored-victim-not" segv
expect_item executable "$T/ignored-victim-not"
expect_counters seen=4 stored=2 ignored=2 rate_limited=0 cores_kept=2
echo PASS
