#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 13: crashd-cli info on a hand-made dump (10 MB ptree, backtrace,
# open_fds, cmdline, environ, actions) writes a bounded output, quickly,
# and says what it cut: "(truncated: N more bytes)" in the text, a
# "truncated" object in the JSON.  Before, a 10 MB ptree printed 1.5 GB
# in 30 s (the tree's indentation grew with each line).
source "$(dirname "$0")/../integration/lib.sh"

[[ -x $CRASHD_CLI ]] || fail "CRASHD_CLI=$CRASHD_CLI is not an executable"
write_config mode=none
register
copy_victim victim
crash_and_wait "$T/victim" segv
id=${DUMP##*/}

info "a dump's items made 10 MB each by hand (root can copy anything in)"
big=$((10 * 1024 * 1024))
/usr/bin/python3 - "$DUMP" "$big" <<'PY'
import sys
d, n = sys.argv[1], int(sys.argv[2])
def fill(item, unit):
    with open(d + "/" + item, "wb") as f:
        f.write((unit * (n // len(unit) + 1))[:n])
fill("ptree", b"4242\tsh\tsh -c x\n")
fill("backtrace", b"#0  0x0000000000401136 in f () at x.c:1\n")
fill("open_fds", b"3\t/tmp/x\n")
fill("namespaces", b"mnt\t4026531840\n")
fill("cmdline", b"arg\0")
fill("environ", b"A=b\0")
fill("actions", b"2026-01-01T00:00:00Z log done ok: x\n")
fill("cwd", b"/tmp/" + b"c" * 100)
PY

# Output measured through head, so that the old code's 1.5 GB does not
# fill the disk: at most 64 MB is counted.
measure() {
	local t0=$EPOCHREALTIME
	BYTES=$(timeout 60 "$CRASHD_CLI" -c "$CONF" "$@" 2>"$T/err" | head -c 64M | tee "$T/out.head" | wc -c) || true
	MS=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
}
cap=$((4 * 1024 * 1024))
for mode in "info $id" "info $id --environ" "info $id --json"; do
	# shellcheck disable=SC2086
	measure $mode
	info "crashd-cli $mode: $BYTES bytes of output in $MS ms (items of $big bytes)"
	((BYTES > 0)) || fail "crashd-cli $mode printed nothing: $(head -c 500 "$T/err")"
	((BYTES <= cap)) || fail "crashd-cli $mode printed $BYTES bytes (more than $cap) for a dump of 10 MB items"
	((MS < 10000)) || fail "crashd-cli $mode took $MS ms"
done

measure info "$id" --environ
for what in ancestry backtrace "open fds" namespaces actions environ; do
	grep -q "^$what" "$T/out.head" || fail "no '$what' section in info's output"
done
n=$(grep -c '^  (truncated: [0-9]* more bytes)$' "$T/out.head" || true)
info "$n sections say they were truncated"
((n >= 7)) || fail "expected at least 7 '(truncated: N more bytes)' lines (ptree, backtrace, open_fds, namespaces, actions, cmdline, environ), got $n"
lines=$(sed -n '/^ancestry:/,/^$/p' "$T/out.head" | wc -l)
width=$(sed -n '/^ancestry:/,/^$/p' "$T/out.head" | awk '{ if (length($0) > m) m = length($0) } END { print m + 0 }')
info "ancestry: $lines lines, the widest $width bytes"
((lines <= 70 && width <= 200)) || fail "the ancestry is $lines lines, $width wide"

measure info "$id" --json
/usr/bin/python3 - "$T/out.head" <<'PY' || fail "info --json does not say what it cut"
import json, sys
o = json.load(open(sys.argv[1]))
t = o.get("truncated", {})
want = {"ptree", "backtrace", "open_fds", "namespaces", "environ", "actions"}
missing = want - set(t)
assert not missing, "truncated lacks %s: %r" % (missing, t)
assert all(v > 0 for v in t.values()), t
assert o.get("cmdline_truncated") is True, "no cmdline_truncated"
print("  json: truncated =", t)
PY
