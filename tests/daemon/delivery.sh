#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The delivery queue (issue 5), against a real HTTP server and a real SMTP
# server (aiosmtpd) on loopback:
# - a delivery whose receiver is down stays pending across a crashd killed
#   with SIGKILL, and is delivered once after the restart;
# - a refused one is dead, counted by crashd-cli status, listed by
#   crashd-cli deliveries, and delivered after `deliveries retry`;
# - a receiver that never answers holds one attempt only: the next
#   crash's mail arrives while it hangs.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/webhook_lib.sh"

SMTP_SERVER=$(dirname "$0")/smtp_server.py
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null ||
	skip "Debian's python3-aiosmtpd is needed for the SMTP server"

mkdir -p "$T/mail"
setpriv --pdeathsig KILL /usr/bin/python3 "$SMTP_SERVER" --dir "$T/mail" \
	--port-file "$T/smtp.port" </dev/null >>"$T/smtp.log" 2>&1 \
	9>&- {CRASHD_GUARD_FD}>&- &
SERVER_PIDS+=($!) # killed on exit
wait_until 10 "smtp_server.py to listen" test -s "$T/smtp.port"
smtp=$(cat "$T/smtp.port")

# A port nothing listens on yet: the receiver of "later" comes up later.
later=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
start_http picky --script 400 --default 200
picky=$HTTP_PORT
start_http stuck --default hang
stuck=$HTTP_PORT

copy_victim victim
copy_victim slowpoke
copy_victim quick
write_daemon_config delivery='attempts = 100; backoff = "1s"; max_backoff = "2s";' \
	actions="$(webhook_action later json "http://127.0.0.1:$later/x" 'match = { executable = [ "*/victim" ]; };'),
  $(webhook_action picky json "http://127.0.0.1:$picky/x" 'match = { executable = [ "*/victim" ]; };'),
  $(webhook_action stuck json "http://127.0.0.1:$stuck/x" 'timeout = "8s"; match = { executable = [ "*/slowpoke" ]; };'),
  { name = \"page\"; type = \"mail\"; to = [ \"root@localhost\" ];
    smtp = \"smtp://127.0.0.1:$smtp\"; match = { executable = [ \"*/slowpoke\", \"*/quick\" ]; }; },
  $(log_action)"
register
start_daemon
at='^[0-9T:-]+Z'

info "receiver down: retried; refused: dead"
d_crash "$T/victim" segv
victim=$DUMP
wait_processed "$victim"
wait_journal 10 "$victim" "$at picky dead after 1 attempt: HTTP 400 from "
wait_journal 10 "$victim" "$at later attempt 2 of 100 failed, retrying: "
"$CRASHD_CLI" -c "$CONF" status >"$T/status" 2>&1 || fail "crashd-cli status: $(cat "$T/status")"
grep -qx 'delivery: 1 pending, 1 dead (crashd-cli deliveries)' "$T/status" ||
	fail "crashd-cli status does not count the deliveries: $(cat "$T/status")"
"$CRASHD_CLI" -c "$CONF" deliveries >"$T/deliveries" 2>&1 || fail "crashd-cli deliveries: $(cat "$T/deliveries")"
grep -Eq '^pending +[0-9]+ .* later +webhook +' "$T/deliveries" &&
	grep -Eq '^dead +1 .* picky +webhook +' "$T/deliveries" &&
	grep -Eq -- '-> HTTP 400 from ' "$T/deliveries" ||
	fail "crashd-cli deliveries: $(cat "$T/deliveries")"

info "killed with SIGKILL, restarted with the receiver up: delivered once"
kill_daemon
start_http later --port "$later"
start_daemon
wait_journal 15 "$victim" "$at later delivered \\(attempt [0-9]+\\): HTTP 200 from "

info "a dead delivery retried with crashd-cli"
qid="${victim##*/}+picky"
"$CRASHD_CLI" -c "$CONF" deliveries retry "$qid" >"$T/retry" 2>&1 ||
	fail "crashd-cli deliveries retry: $(cat "$T/retry")"
expect_eq "deliveries retry says" "retrying $qid" "$(cat "$T/retry")"
# The daemon reads pending/ again within 10 s.
wait_journal 15 "$victim" "$at picky delivered \\(attempt 1\\): HTTP 200 from "

info "a receiver that hangs does not hold the next crash's mail"
d_crash "$T/slowpoke" segv
slowpoke=$DUMP
wait_processed "$slowpoke"
wait_until 10 "the stuck receiver to get its request" requests_at_least "$T/http-stuck" 1
d_crash "$T/quick" segv
quick=$DUMP
wait_processed "$quick"
quick_mail() { grep -lq "quick" "$T"/mail/*.eml 2>/dev/null; }
wait_until 5 "the mail of the second crash" quick_mail
journal_has "$slowpoke" " stuck (attempt|delivered|dead)" &&
	fail "the stuck webhook ended before the mail was sent: $(cat "$slowpoke/actions")"
wait_journal 20 "$slowpoke" "$at stuck attempt 1 of 100 failed, retrying: "

sleep 2.5 # past the longest backoff: a repeat would show
expect_daemon_alive
expect_eq "requests to later (delivered once)" 1 "$(requests "$T/http-later")"
expect_eq "requests to picky (refused, then retried)" 2 "$(requests "$T/http-picky")"
expect_eq "mails" 2 "$(find "$T/mail" -name '*.json' | wc -l)"
for a in later picky; do
	expect_eq "deliveries of $a recorded" 1 "$(journal_count "$victim" " $a delivered ")"
done
"$CRASHD_CLI" -c "$CONF" deliveries --all --json >"$T/all.json" || fail "deliveries --all --json"
/usr/bin/python3 - "$T/all.json" <<'EOF' || fail "crashd-cli deliveries --all --json: $(cat "$T/all.json")"
import json, sys
v = {e["action"] + ":" + e["dump"].split("-")[-1]: e["state"] for e in json.load(open(sys.argv[1]))}
want = {"later:victim": "sent", "picky:victim": "sent", "page:slowpoke": "sent",
        "page:quick": "sent", "stuck:slowpoke": "pending"}
if v != want:
    sys.exit(f"expected {want}, got {v}")
EOF
# --json=pretty: the same value, over more than one line.
"$CRASHD_CLI" -c "$CONF" deliveries --all --json=pretty >"$T/pretty.json" ||
	fail "deliveries --all --json=pretty"
(($(wc -l <"$T/pretty.json") > 1)) || fail "--json=pretty is one line: $(cat "$T/pretty.json")"
/usr/bin/python3 -c 'import json, sys
a, b = (json.load(open(f)) for f in sys.argv[1:])
sys.exit(0 if a == b else "--json=pretty differs from --json")' "$T/all.json" "$T/pretty.json" ||
	fail "deliveries --json=pretty: $(cat "$T/pretty.json")"
stop_daemon
echo "PASS"
