#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Webhook deliveries that do not succeed at once (issue 5), against real
# HTTP servers on loopback scripted to answer: 500 then 200 (retried: the
# receiver gets the very same body and Idempotency-Key twice, accepts the
# second, and the delivery is recorded as delivered once, at attempt 2);
# 400 (refused: dead after one attempt, never retried, listed by
# crashd-cli deliveries); 301 (a redirect is not followed: dead); no
# answer within the action's 1 s timeout, then 200 (retried).
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/webhook_lib.sh"

start_http flaky --script 500,200
flaky=$HTTP_PORT
start_http refuses --script 400
refuses=$HTTP_PORT
start_http moved --script 301
moved=$HTTP_PORT
start_http hangs --script hang,200
hangs=$HTTP_PORT

write_daemon_config delivery='backoff = "1s"; max_backoff = "2s";' \
	actions="$(webhook_action flaky json "http://127.0.0.1:$flaky/x"),
  $(webhook_action refuses json "http://127.0.0.1:$refuses/x"),
  $(webhook_action moved slack "http://127.0.0.1:$moved/x"),
  $(webhook_action hangs alertmanager "http://127.0.0.1:$hangs/x" 'timeout = "1s";'),
  $(log_action)"
register
start_daemon

copy_victim victim
d_crash "$T/victim" segv
wait_processed "$DUMP"
name=${DUMP##*/}
origin='http://127\.0\.0\.1:[0-9]+'
at='^[0-9T:-]+Z'

info "500, then 200: retried, delivered once"
wait_journal 20 "$DUMP" "$at flaky delivered \\(attempt 2\\): HTTP 200 from $origin\$"
expect_line actions "$at flaky attempt 1 of 10 failed, retrying: HTTP 500 from $origin: error 500\$"

info "400: dead at once"
wait_journal 10 "$DUMP" "$at refuses dead after 1 attempt: HTTP 400 from $origin: error 400\$"
info "301: not followed, dead"
wait_journal 10 "$DUMP" "$at moved dead after 1 attempt: HTTP 301 from $origin: redirects, not followed"
info "no answer within 1 s: timed out, retried"
wait_journal 20 "$DUMP" "$at hangs delivered \\(attempt 2\\): HTTP 200 from $origin\$"
expect_line actions "$at hangs attempt 1 of 10 failed, retrying: POST to $origin failed: Operation timed out after 1[0-9]{3} milliseconds"

# Past the longest backoff: a wrong retry would have come by now.
sleep 3
expect_daemon_alive
expect_eq "requests to flaky" 2 "$(requests "$T/http-flaky")"
expect_eq "requests to refuses" 1 "$(requests "$T/http-refuses")"
expect_eq "requests to moved" 1 "$(requests "$T/http-moved")"
expect_eq "requests to hangs" 2 "$(requests "$T/http-hangs")"
for a in flaky refuses moved hangs; do
	expect_eq "outcomes of $a recorded" 1 \
		"$(journal_count "$DUMP" " $a (delivered|dead after) ")"
done
expect_eq "deliveries recorded" 2 "$(journal_count "$DUMP" ' delivered ')"

info "the retry is the same request: body and Idempotency-Key"
for a in flaky hangs; do
	cmp -s "$T/http-$a/000001.body" "$T/http-$a/000002.body" ||
		fail "$a: the second attempt's body differs from the first's"
	/usr/bin/python3 - "$T/http-$a" "$name/$a" <<'EOF' || fail "$a: the attempts' headers (above)"
import json, sys
d, want = sys.argv[1:]
keys = []
for n in ("000001", "000002"):
    h = json.load(open(f"{d}/{n}.json"))["headers"]
    keys.append([v for k, v in h if k.lower() == "idempotency-key"])
if keys != [[want], [want]]:
    sys.exit(f"Idempotency-Key: expected {want!r} twice, got {keys!r}")
EOF
done
/usr/bin/python3 -c 'import json, sys; assert json.load(open(sys.argv[1]))["id"] == sys.argv[2]' \
	"$T/http-flaky/000001.body" "$name/flaky" || fail "the body's id is not the Idempotency-Key"

info "crashd-cli deliveries lists the dead ones, with why"
"$CRASHD_CLI" -c "$CONF" deliveries --json >"$T/deliveries.json" ||
	fail "crashd-cli deliveries --json failed"
/usr/bin/python3 - "$T/deliveries.json" "$name" <<'EOF' || fail "crashd-cli deliveries: $(cat "$T/deliveries.json")"
import json, sys
v = json.load(open(sys.argv[1]))
got = sorted((e["action"], e["state"], e["attempts"], e["id"]) for e in v)
want = [("moved", "dead", 1, sys.argv[2] + "/moved"),
        ("refuses", "dead", 1, sys.argv[2] + "/refuses")]
if got != want:
    sys.exit(f"expected {want}, got {got}")
for e in v:
    if not e["last_outcome"].startswith("HTTP 4" if e["action"] == "refuses"
                                         else "HTTP 3"):
        sys.exit(f"last outcome of {e['action']}: {e['last_outcome']!r}")
EOF
stop_daemon
echo "PASS"
