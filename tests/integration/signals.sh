#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Every signal whose default action dumps core reaches the hook with its
# number and name: real faults for SIGFPE (integer division by zero),
# SIGILL (an invalid instruction) and SIGBUS (a page past the end of a
# file), raise() for the others.
source "$(dirname "$0")/lib.sh"

write_config mode=none
register
copy_victim victim

check() {
	local name=$1
	shift
	local num
	num=$(kill -l "$name")
	crash_and_wait -s "$num" "$T/victim" "$@"
	expect_item signal "$num"
	expect_item signal_name "SIG$name"
	expect_item reason "victim killed by SIG$name"
	expect_item pid "$VICTIM_PID"
}

check FPE fpe
check ILL ill
check BUS bus
for name in QUIT TRAP SYS XCPU XFSZ; do
	check "$name" raise "$(kill -l "$name")"
done
echo PASS
