#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 2: abort() (SIGABRT, raised by the process itself).
source "$(dirname "$0")/lib.sh"

write_config
register
copy_victim victim
crash_and_wait -s 6 "$T/victim" abort

expect_item signal 6
expect_item signal_name SIGABRT
expect_item reason "victim killed by SIGABRT"
expect_item pid "$VICTIM_PID"
expect_item tid "$VICTIM_PID"
expect_item executable "$T/victim"
expect_item comm victim
printf '%s\0' "$T/victim" abort >"$T/cmdline.expected"
expect_bytes cmdline "$T/cmdline.expected"
expect_line ptree "^$VICTIM_PID"$'\tvictim\t'"$T/victim abort\$"
expect_line status $'^State:\t'
expect_line dso_list '/libc\.so\.6$'
expect_present core.gz
expect_line core_info '^mode: truncate$'
unpack_core "$T/core"
expect_elf "$T/core"
expect_complete
echo PASS
