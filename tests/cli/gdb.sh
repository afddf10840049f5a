#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli gdb: gdb on the executable and the decompressed core of a
# full-mode crash prints a backtrace through the crashing function; a
# truncated core and an executable changed since the crash are warned
# about; the private temporary core is gone afterwards.  On a minicore of
# abort(), gdb names libc's frames and lists libc only with hook.core.gdb
# (the loader's data kept); without it, it shows what it can: no shared
# library, "??" frames.
source "$(dirname "$0")/lib_cli.sh"

command -v gdb >/dev/null || skip "gdb is not installed"
write_config mode=full max_size=64M
cli_register
copy_victim victim

# The temporary cores crashd-cli gdb makes (its template).
tmp_cores() {
	compgen -G '/tmp/crashd-core.??????' | sort || true
}

info "a full core: the backtrace has crash() and main()"
crash_and_wait "$T/victim" segv
expect_line core_info '^truncated: no$'
before=$(tmp_cores)
cli gdb "$(dump_id)" -- -batch -ex bt
grep -Eq '^#[0-9]+ +(0x[0-9a-f]+ in )?crash \(\) at .*victim\.c:[0-9]+' "$OUT" ||
	fail "the backtrace has no frame in crash(): $(cat "$OUT") / $(head -c 2000 "$ERR")"
grep -Eq '^#[0-9]+ +0x[0-9a-f]+ in main \(argc=2, argv=0x[0-9a-f]+\) at .*victim\.c:[0-9]+' "$OUT" ||
	fail "the backtrace has no frame in main(argc=2): $(cat "$OUT")"
grep -Eq 'Program terminated with signal SIGSEGV' "$OUT" ||
	fail "gdb did not read the core as a SIGSEGV: $(cat "$OUT")"
expect_no_err 'warning: (the core is truncated|.* changed since the crash)'
expect_eq "temporary cores left in /tmp" "$before" "$(tmp_cores)"
# gdb's own arguments pass through, and a pid works as the ID.
cli gdb "$VICTIM_PID" -- -batch -ex 'info signals SIGSEGV' -ex 'print $_siginfo.si_signo'
expect_out '^\$1 = 11$'

info "an executable changed since the crash"
touch -d '+1 hour' "$T/victim"
cli gdb last -- -batch -ex bt
expect_err "warning: $T/victim changed since the crash"

info "a truncated core"
write_config mode=truncate max_size=64K
copy_victim victim
crash_and_wait "$T/victim" touch 2
expect_line core_info '^truncated: yes$'
# gdb may or may not fail on a cut core; the warning is what matters.
cli -x 0,1 gdb last -- -batch -ex bt
expect_err 'warning: the core is truncated'
expect_eq "temporary cores left in /tmp" "$before" "$(tmp_cores)"

info "a minicore without hook.core.gdb: gdb loads no shared library"
write_config mode=mini max_size=64M
copy_victim victim
crash_and_wait -s 6 "$T/victim" abort
expect_present core.mini
expect_no_line core_info '^link_maps:'
size_plain=$(stat -c %s "$DUMP/core.mini")
cli gdb last -- -batch -ex bt -ex 'info sharedlibrary'
expect_out 'No shared libraries loaded at this time'
grep -Eq '^#0 +0x[0-9a-f]+ in \?\? \(\)' "$OUT" ||
	fail "frame 0 in libc has a name without the loader's data: $(cat "$OUT")"

info "a minicore with hook.core.gdb: gdb names libc's frames and lists libc"
write_config mode=mini max_size=64M gdb=true
crash_and_wait -s 6 "$T/victim" abort
expect_line core_info '^link_maps: [1-9][0-9]*$'
size_gdb=$(stat -c %s "$DUMP/core.mini")
info "core.mini of abort(): $size_plain bytes, $size_gdb with hook.core.gdb"
((size_gdb < size_plain + 256 * 1024)) ||
	fail "the gdb variant adds $((size_gdb - size_plain)) bytes"
cli gdb last -- -batch -ex bt -ex 'info sharedlibrary'
grep -Eq '^#[0-9]+ +(0x[0-9a-f]+ in )?(__GI_)?raise \(' "$OUT" ||
	fail "no raise() frame by name: $(cat "$OUT")"
grep -Eq '^#[0-9]+ +(0x[0-9a-f]+ in )?(__GI_)?abort \(' "$OUT" ||
	fail "no abort() frame by name: $(cat "$OUT")"
grep -Eq '^#[0-9]+ +0x[0-9a-f]+ in main \(argc=2, argv=0x[0-9a-f]+\) at .*victim\.c:[0-9]+' "$OUT" ||
	fail "no main() frame below libc's: $(cat "$OUT")"
grep -Eq '^0x[0-9a-f]+ +0x[0-9a-f]+ +Yes( \(\*\))? +/[^ ]*/libc\.so\.6$' "$OUT" ||
	fail "info sharedlibrary does not list libc: $(cat "$OUT")"
expect_eq "temporary cores left in /tmp" "$before" "$(tmp_cores)"

info "no core"
write_config mode=none
crash_and_wait "$T/victim" segv
cli -x 1 gdb last -- -batch -ex bt
expect_err 'has no core'
cli -x 2 gdb
cli -x 2 gdb last -batch
echo PASS
