#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 6: an executable deleted while running.  executable is the
# path without the kernel's " (deleted)", and executable_deleted says so.
# A file really named "... (deleted)" that still exists keeps its name.
source "$(dirname "$0")/lib.sh"

write_config
register

copy_victim gone-victim
crash_and_wait "$T/gone-victim" deleted
[[ ! -e $T/gone-victim ]] || fail "the victim did not delete itself"
expect_item executable "$T/gone-victim"
expect_item executable_deleted 1
expect_item comm gone-victim
expect_item reason "gone-victim killed by SIGSEGV"
expect_line maps "$T/gone-victim \\(deleted\\)\$"
expect_present core.gz
expect_complete

copy_victim 'still here (deleted)'
crash_and_wait "$T/still here (deleted)" segv
expect_item executable "$T/still here (deleted)"
expect_absent executable_deleted
expect_item reason "still here (deleted) killed by SIGSEGV"
expect_complete
echo PASS
