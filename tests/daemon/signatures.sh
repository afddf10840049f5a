#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Signatures that tell bugs apart, and the "where" line (issues 16, 15),
# through the real kernel, hook and daemon: an assert() in a named
# function, Python's os.abort(), raise(SIGABRT) from two functions and a
# SIGSEGV in strlen() from two callers give six signatures, each crash's
# where line naming the program's own function, never libc's abort
# machinery; the same site twice is one signature (merged).  The where
# line of the mail (a real aiosmtpd), of the webhook (a real HTTP
# server: the generic body's "where" and the Slack card's line),
# crashd-cli info and list --json name that function too; each dump has
# satyr's duphash (40 hex digits), shown by crashd-cli info.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"
source "$(dirname "$0")/webhook_lib.sh"

command -v cc >/dev/null || skip "no C compiler to build sig_victim.c with"
cc -O0 -g -fno-omit-frame-pointer -o "$T/sigv" "$(dirname "$0")/sig_victim.c" 2>"$T/cc.log" ||
	fail "building sig_victim.c: $(cat "$T/cc.log")"
chmod 755 "$T/sigv"

start_smtp main
start_http json
json=$HTTP_PORT
start_http chat
chat=$HTTP_PORT
write_daemon_config mode=mini max_size=64M remove_duplicates=false every=1 \
	dedupe_key='"executable", "signal", "signature"' \
	actions="$(mail_action page "$SMTP_PORT"),
  $(webhook_action json json "http://127.0.0.1:$json/hook"),
  $(webhook_action chat slack "http://127.0.0.1:$chat/services/T0/B0/x"),
  $(log_action)"
register
start_daemon

# The unwinder may take its 10 s on a loaded machine (libc's debug info).
processed() {
	wait_until 40 "$1 to be processed" test -e "$1/processed"
}

declare -A SIG WHERE DUMPS
# crash_site NAME WANT CMD...: crashes CMD (SIGABRT or SIGSEGV, -s first),
# checks its where item names function WANT (a regex), keeps its
# signature as SIG[NAME].
crash_site() {
	local name=$1 want=$2 where
	shift 2
	d_crash "$@"
	processed "$DUMP"
	[[ -s $DUMP/signature ]] || fail "$name: no signature: $(head -5 "$DUMP/backtrace")"
	where=$(cat "$DUMP/where" 2>/dev/null) ||
		fail "$name: no where item: $(head -8 "$DUMP/backtrace")"
	[[ $where =~ ^($want)\+0x ]] ||
		fail "$name: where is '$where', not $want: $(head -12 "$DUMP/backtrace")"
	grep -Eqx '[0-9a-f]{40}' "$DUMP/duphash" ||
		fail "$name: duphash '$(cat "$DUMP/duphash" 2>/dev/null)'"
	SIG[$name]=$(cat "$DUMP/signature")
	WHERE[$name]=$where
	DUMPS[$name]=$DUMP
	info "$name: signature ${SIG[$name]}, where $where"
}

crash_site assert check_invariant -s 6 "$T/sigv" assert
grep -q '__pthread_kill_implementation\|raise\|abort' "$DUMP/backtrace" ||
	info "(no libc abort frame named in the backtrace: $(sed -n 2p "$DUMP/backtrace"))"
sed -n 2p "$DUMP/backtrace" | grep -q 'check_invariant' &&
	fail "frame #0 is check_invariant: the test shows nothing"
crash_site raise_a raise_from_a -s 6 "$T/sigv" raise_a
crash_site raise_b raise_from_b -s 6 "$T/sigv" raise_b
crash_site strlen_a length_in_a "$T/sigv" strlen_a
# frame #0 stays in the backtrace: strlen's, not the caller's.
sed -n 2p "$DUMP/backtrace" | grep -q 'length_in_a' &&
	fail "frame #0 of strlen_a is its caller: $(sed -n 2p "$DUMP/backtrace")"
crash_site strlen_b length_in_b "$T/sigv" strlen_b
# (sh says the pid, as the victim does, then becomes python3.)  The
# interpreter's os_abort() is static: without python3's debug symbols
# it is the interpreter's frame by module and offset.
crash_site python 'os_abort[a-z_]*|/usr/bin/python3[.0-9]*' -s 6 sh -c 'echo "pid $$"; exec /usr/bin/python3 -c "import os; os.abort()"'

info "six crashes, six signatures"
expect_eq "distinct signatures" 6 "$(printf '%s\n' "${SIG[@]}" | sort -u | wc -l)"

info "the same site twice: one signature, merged"
first=${DUMPS[raise_a]}
d_crash -s 6 "$T/sigv" raise_a
processed "$DUMP"
expect_eq "signature of the same site" "${SIG[raise_a]}" "$(cat "$DUMP/signature")"
expect_eq "merged into the first" "${first##*/}" "$(cat "$DUMP/duplicate_of" 2>/dev/null)"
expect_eq "duphash of the same site" "$(cat "$first/duphash")" "$(cat "$DUMP/duphash")"

info "crashd-cli info and list --json show where and duphash"
"$CRASHD_CLI" -c "$CONF" info "${first##*/}" >"$T/info.out" || fail "crashd-cli info failed"
grep -Eq '^  where +raise_from_a\+0x' "$T/info.out" ||
	fail "info has no where line naming raise_from_a: $(head -12 "$T/info.out")"
grep -Eq "^  duphash +$(cat "$first/duphash")\$" "$T/info.out" ||
	fail "info has no duphash line: $(cat "$T/info.out")"
"$CRASHD_CLI" -c "$CONF" list --json >"$T/list.json" || fail "crashd-cli list --json failed"
/usr/bin/python3 - "$T/list.json" "${DUMPS[strlen_b]##*/}" <<'EOF' || fail "list --json: no where naming length_in_b"
import json, sys
v = {d["id"]: d for d in json.load(open(sys.argv[1]))}
assert v[sys.argv[2]]["where"].startswith("length_in_b+0x"), v[sys.argv[2]]
EOF

info "the mail's where line names the program's function"
# every = 1: each crash is mailed, the merged one too (7 crashes).
wait_messages 30 "$SMTP_DIR" 7
for eml in "$SMTP_DIR"/*.eml; do
	check_mail "$eml" '
import re
w = [l for l in text.split("\n") if l.startswith("  where ")]
expect(len(w) == 1, "one where line: %r" % w)
expect(re.match(r"  where +(check_invariant|raise_from_[ab]|length_in_[ab]|os_abort[a-z_]*|/usr/bin/python3[.0-9]*)\+0x", w[0]),
       "where line %r" % w[0])
'
done

info "the webhook's where: the generic body's key, the Slack card's line"
wait_until 30 "7 generic requests" requests_at_least "$T/http-json" 7
wait_until 30 "7 slack requests" requests_at_least "$T/http-chat" 7
/usr/bin/python3 - "$T" <<'EOF' || fail "the webhook bodies' where (above)"
import json, os, re, sys
T = sys.argv[1]
site = r"(check_invariant|raise_from_[ab]|length_in_[ab]|os_abort[a-z_]*|/usr/bin/python3[.0-9]*)\+0x"
def bodies(d):
    d = os.path.join(T, d)
    for f in sorted(os.listdir(d)):
        if f.endswith(".json"):
            r = json.load(open(os.path.join(d, f)))
            yield json.load(open(os.path.join(d, r["body_file"]), "rb"))
n = 0
for b in bodies("http-json"):
    d = b["dump"]
    assert re.match(site, d["where"]), d["where"]
    assert re.fullmatch(r"[0-9a-f]{40}", d["duphash"]), d["duphash"]
    assert d["frames"][0]["function"] != d["where"].split("+")[0], d["frames"][0]
    n += 1
assert n == 7, n
for b in bodies("http-chat"):
    w = [l for l in b["text"].split("\n") if l.startswith("*Where:*")]
    assert len(w) == 1 and re.match(r"\*Where:\* `" + site, w[0]), w
EOF
expect_daemon_alive
echo PASS
