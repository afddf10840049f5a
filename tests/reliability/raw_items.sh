#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 14b, raw bytes in items and escaping: a crash in a UTS namespace
# whose hostname holds CR/LF ("evil\r\nX-Injected: 1"), of an executable
# whose name holds a backslash, a CR and a LF.  The spool keeps the raw
# bytes (evidence, lossless: hostname and executable as the kernel gave
# them); every place that shows them escapes them: the exec action's
# environment (CRASHD_HOSTNAME, CRASHD_EXECUTABLE; CRASHD_REASON is the
# hook's escaped reason line as it is, not escaped twice), crashd-cli info
# and --json, and the webhook's JSON (lossless, with no raw CR/LF in the
# HTTP headers).
source "$(dirname "$0")/../daemon/lib_daemon.sh"
source "$(dirname "$0")/../daemon/webhook_lib.sh"

command -v unshare >/dev/null || skip "unshare (util-linux) is needed"
unshare -u true 2>/dev/null || skip "cannot make a UTS namespace here"

start_http hook
write_daemon_config actions="$(rec_action), $(webhook_action wh json "http://127.0.0.1:$HTTP_PORT/x")"
register
name=$'v\\a\rb\nc'
copy_victim "$name"
host=$'evil\r\nX-Injected: 1'
start_daemon
d_crash unshare -u bash -c '/usr/bin/python3 -c "import socket, sys; socket.sethostname(sys.argv[1])" "$1" && exec "$2" segv' h "$host" "$T/$name"
wait_processed "$DUMP"
wait_until 10 "the webhook" requests_at_least "$HTTP_DIR" 1
stop_daemon

info "the spool keeps the raw bytes"
expect_eq "hostname item" "$host" "$(cat "$DUMP/hostname")"
expect_eq "executable item" "$T/$name" "$(cat "$DUMP/executable")"
reason=$(cat "$DUMP/reason")
info "reason item (the hook's escaped line): $reason"
[[ $reason == 'v\\a\rb\nc killed by SIGSEGV' ]] || fail "unexpected reason item: $reason"

info "the exec action's environment: escaped once"
run=$(run_files | head -n1)
expect_run_var "$run" CRASHD_HOSTNAME 'evil\r\nX-Injected: 1'
expect_run_var "$run" CRASHD_EXECUTABLE "$T/"'v\\a\rb\nc'
expect_run_var "$run" CRASHD_REASON "$reason"
info "CRASHD_REASON=$(run_var "$run" CRASHD_REASON)"

info "crashd-cli info: no raw CR or LF inside a line"
"$CRASHD_CLI" -c "$CONF" info "${DUMP##*/}" >"$T/info.out"
grep -q $'\r' "$T/info.out" && fail "a raw CR in crashd-cli info's output"
grep -Fxq '  host        evil\r\nX-Injected: 1, kernel '"$(uname -r)" "$T/info.out" ||
	fail "the host line is not escaped: $(grep '^  host' "$T/info.out" | cat -v)"
grep -Fq '  executable  '"$T/"'v\\a\rb\nc' "$T/info.out" ||
	fail "the executable line is not escaped: $(grep '^  executable' "$T/info.out" | cat -v)"
"$CRASHD_CLI" -c "$CONF" info "${DUMP##*/}" --json >"$T/info.json"
/usr/bin/python3 - "$T/info.json" "$host" <<'PY' || fail "info --json does not carry the raw hostname losslessly"
import json, sys
o = json.load(open(sys.argv[1]))
assert o["hostname"] == sys.argv[2], repr(o["hostname"])
PY

info "the webhook: JSON lossless, headers one line each"
req=$(find "$HTTP_DIR" -name '*.json' | sort | head -n1)
/usr/bin/python3 - "$req" "$host" <<'PY' || fail "the webhook request is wrong"
import json, sys, os
r = json.load(open(sys.argv[1]))
for k, v in r["headers"]:
    assert "\r" not in v and "\n" not in v, (k, v)
body = json.load(open(os.path.join(os.path.dirname(sys.argv[1]), r["body_file"])))
def strings(o):
    if isinstance(o, dict):
        for v in o.values():
            yield from strings(v)
    elif isinstance(o, list):
        for v in o:
            yield from strings(v)
    elif isinstance(o, str):
        yield o
assert sys.argv[2] in list(strings(body)), "the raw hostname is no value of the body"
assert all("\r" not in t for t in [body.get("title", "")]), body.get("title")
print("  webhook headers:", len(r["headers"]), "all one line; hostname in the body as", repr(sys.argv[2]))
PY
