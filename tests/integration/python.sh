#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 4: a real interpreter crash, not a test program: CPython
# reading address 0 through ctypes.  Always the system's /usr/bin/python3,
# never whatever python3 is first on PATH.
source "$(dirname "$0")/lib.sh"

py=/usr/bin/python3
[[ -x $py ]] || skip "$py is not installed"
"$py" -c 'import ctypes' 2>/dev/null || skip "$py has no ctypes"
write_config
register
code='import ctypes; ctypes.string_at(0)'
crash_and_wait "$py" -c "$code"

real=$(readlink -f "$py")
expect_item executable "$real"
expect_item comm python3
expect_item signal 11
expect_item signal_name SIGSEGV
expect_item reason "${real##*/} killed by SIGSEGV"
printf '%s\0' "$py" -c "$code" >"$T/cmdline.expected"
expect_bytes cmdline "$T/cmdline.expected"
pid=$(item pid)
expect_item tid "$pid"
expect_line ptree "^$pid"$'\tpython3\t'"$py -c 'import ctypes; ctypes\\.string_at\\(0\\)'\$"
# The extension modules that did it are in the dso list and the maps.
expect_line dso_list '/_ctypes\.cpython-[^/]*\.so$'
expect_line dso_list '/libffi\.so'
expect_line maps "$real\$"
expect_line status $'^Name:\tpython3$'
expect_present core.gz environ
expect_complete
echo PASS
