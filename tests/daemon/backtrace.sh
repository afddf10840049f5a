#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Backtraces without cores (issue 4).  A 16-thread program crashing in a
# non-main thread, built with -g and stripped (its debug info beside it,
# found by .gnu_debuglink), crashes once; the kernel's stream is teed to a
# full core while the hook makes its minicore.  The daemon's backtrace of
# the minicore equals eu-stack's on the full core of the same crash, thread
# for thread and frame for frame; gdb on the minicore shows the crashing
# frame; the same crash site gives the same signature and another site
# another one; a python3 crash unwinds through libc and python3; a 1 GiB
# process gives a minicore under 256 KB.
source "$(dirname "$0")/lib_daemon.sh"

command -v eu-stack >/dev/null || skip "eu-stack (elfutils) is not installed"
command -v gdb >/dev/null || skip "gdb is not installed"

write_daemon_config mode=mini max_size=64M remove_duplicates=false \
	dedupe_key='"executable", "signal", "signature"' \
	actions="$(log_action)"

# The victim, built with -g, stripped; its debug info in bt-victim.debug.
cp "$CRASHD_VICTIM" "$T/bt-victim"
objcopy --only-keep-debug "$T/bt-victim" "$T/bt-victim.debug"
strip --strip-all "$T/bt-victim"
objcopy --add-gnu-debuglink="$T/bt-victim.debug" "$T/bt-victim"
chmod 755 "$T/bt-victim"
nm "$T/bt-victim" 2>&1 | grep -q 'no symbols' ||
	fail "bt-victim still has a symbol table"

register
# The same crash as a full core too: a wrapper tees the kernel's stream to
# a file while the hook reads what it reads (tee -p goes on writing the
# file after the hook has closed its end).
printf '#!/bin/sh\ntee -p %q | %q "$@"\n' "$T/full.core" "$CRASHD_HOOK" \
	>"$T/tee-hook"
chmod 755 "$T/tee-hook"
line=$("$CRASHD_HOOK" --pattern -c "$CONF")
printf '|%s %s\n' "$T/tee-hook" "${line#* }" >/proc/sys/kernel/core_pattern
start_daemon

info "one crash: a minicore for the hook, a full core beside it"
d_crash "$T/bt-victim" threads 16
mini=$DUMP
wait_processed "$mini"
wait_until 10 "the full core to be written" \
	sh -c "! pgrep -f '^tee -p $T/full.core' >/dev/null"
[[ -f $mini/core.mini && ! -e $mini/core.gz ]] || fail "no core.mini in $mini"
[[ -s $mini/backtrace && -s $mini/backtrace_frames ]] ||
	fail "no backtrace in $mini: $(ls "$mini")"
info "core.mini $(stat -c %s "$mini/core.mini") bytes, full core $(stat -c %s "$T/full.core") bytes"

info "the minicore's backtrace equals eu-stack on the full core"
eu-stack --core "$T/full.core" -e "$T/bt-victim" >"$T/eu-stack.out" 2>&1 || true
# One line per thread: its frames as "pc function;", in eu-stack's order
# (the kernel writes the crashing thread first).
awk '/^TID /{ if (t != "") print t; t = ""; next }
     /^#[0-9]+ /{ t = t $2 " " $3 ";" } END { if (t != "") print t }' \
	"$T/eu-stack.out" >"$T/expected"
awk -F'\t' '$1 != tid { if (t != "") print t; t = ""; tid = $1 }
     { t = t $3 " " $4 ";" } END { if (t != "") print t }' \
	"$mini/backtrace_frames" >"$T/found"
expect_eq "threads" 16 "$(wc -l <"$T/found")"
expect_eq "threads in eu-stack's output" 16 "$(wc -l <"$T/expected")"
expect_eq "the crashing thread (first)" "$(head -n1 "$T/expected")" \
	"$(head -n1 "$T/found")"
expect_eq "every thread, frame for frame" "$(sort "$T/expected")" \
	"$(sort "$T/found")"
sed -n '2p' "$mini/backtrace" | grep -q '^#0 .* crash+0x[0-9a-f]* (.*bt-victim)' ||
	fail "frame 0 of the crashing thread is not crash(): $(sed -n 1,3p "$mini/backtrace")"
# Source lines where elfutils finds them (not for clang's DWARF here).
eu-stack -s --core "$T/full.core" -e "$T/bt-victim" 2>/dev/null |
	sed -n '4p' | grep -q 'victim\.c:[0-9]' &&
	{ sed -n '2p' "$mini/backtrace" | grep -q ' at .*victim\.c:[0-9]' ||
		fail "eu-stack has frame 0's source line, the backtrace has not: $(sed -n 2p "$mini/backtrace")"; }
head -n1 "$mini/backtrace" | grep -q "^Thread $(cat "$mini/tid") (crashed):" ||
	fail "the backtrace does not start with the crashing thread"
register

info "the same site gives the same signature; another site another one"
d_crash "$T/bt-victim" threads 4
wait_processed "$DUMP"
expect_eq "signature of the same crash site" "$(cat "$mini/signature")" \
	"$(cat "$DUMP/signature")"
expect_eq "merged into the first (the key has the signature)" \
	"${mini##*/}" "$(cat "$DUMP/duplicate_of")"
d_crash -s 6 "$T/bt-victim" abort
wait_processed "$DUMP"
[[ $(cat "$DUMP/signature") != "$(cat "$mini/signature")" ]] ||
	fail "abort() has the signature of the SIGSEGV"
[[ ! -e $DUMP/duplicate_of ]] || fail "abort() was merged into the SIGSEGV"

info "crashd-cli gdb on the minicore shows the crashing frame"
"$CRASHD_CLI" -c "$CONF" gdb "${mini##*/}" -- -batch -ex bt >"$T/gdb.out" 2>&1 || true
grep -Eq '^#0 +(0x[0-9a-f]+ in )?crash \(\) at .*victim\.c' "$T/gdb.out" ||
	fail "gdb shows no crash() frame: $(tail -5 "$T/gdb.out")"
"$CRASHD_CLI" -c "$CONF" info "${mini##*/}" --json |
	/usr/bin/python3 -c '
import json, sys
o = json.load(sys.stdin)
assert o["core"] == "mini", o["core"]
assert o["frames"][0]["function"] == "crash", o["frames"][0]
assert o["signature"], o
' || fail "info --json lacks the backtrace"

info "a python3 crash unwinds through libc and python3"
# (sh says the pid, as the victim does, then becomes python3)
d_crash sh -c 'echo "pid $$"; exec /usr/bin/python3 -c "import ctypes; ctypes.string_at(0)"'
wait_processed "$DUMP"
grep -q 'libc\.so' "$DUMP/backtrace" || fail "no libc frame: $(head -5 "$DUMP/backtrace")"
grep -Eq '(_PyEval_EvalFrameDefault|Py_RunMain|Py_BytesMain)' "$DUMP/backtrace" ||
	fail "no interpreter function: $(head -25 "$DUMP/backtrace")"

info "1 GiB of touched memory: the minicore stays under 256 KB"
d_crash "$T/bt-victim" touch 1024
wait_processed "$DUMP"
size=$(stat -c %s "$DUMP/core.mini")
((size < 256 * 1024)) || fail "core.mini of a 1 GiB process is $size bytes"
info "core.mini of a 1 GiB process: $size bytes"
echo PASS
