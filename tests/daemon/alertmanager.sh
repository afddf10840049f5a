#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A crash becomes an alert in a real Alertmanager (issue 5): Debian's
# prometheus-alertmanager on loopback (two, an HA pair not clustered here,
# each its storage in $T and one route to a null receiver), and a webhook
# action of format "alertmanager" whose url lists both /api/v2/alerts
# (issue 13: posted to each, as Alertmanager's clients do).  Both accept
# the body, and GET /api/v2/alerts of each lists one active alert with the
# labels alertname, host, executable (whose byte that is not UTF-8 is escaped
# and reads back) and signal, the crash's time as startsAt, endsAt 15
# minutes later (so that it resolves) and the notification's id as an
# annotation.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/webhook_lib.sh"

AM=/usr/bin/prometheus-alertmanager
[[ -x $AM ]] || skip "$AM is not installed (Debian package prometheus-alertmanager)"
command -v curl >/dev/null || skip "curl is not installed"

eval "webhook_fail() $(declare -f fail | tail -n +2)"
fail() {
	if [[ -s $T/am.log ]]; then
		echo "--- Alertmanager's log (last 15 lines):" >&2
		tail -n 15 "$T/am.log" | cut -c1-300 >&2
	fi
	webhook_fail "$@"
}

cat >"$T/am.yml" <<'EOF'
route:
  receiver: "null"
  group_wait: 1s
receivers:
  - name: "null"
EOF
# start_am N: Alertmanager N on a free port (the kernel's choice; it
# cannot report its own), not clustered; sets AM_URL[N].
declare -a AM_URL
start_am() {
	local port
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	setpriv --pdeathsig KILL "$AM" --config.file="$T/am.yml" \
		--web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
		--storage.path="$T/am-data-$1" </dev/null >>"$T/am.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	SERVER_PIDS+=($!)
	AM_URL[$1]=http://127.0.0.1:$port
	wait_until 30 "Alertmanager $1 to be ready at ${AM_URL[$1]}" \
		curl -sf -o /dev/null --max-time 1 "${AM_URL[$1]}/-/ready"
}
# An HA pair: url lists both, and both get the alert.
start_am 0
start_am 1
am=${AM_URL[0]}
info "Alertmanagers ready at ${AM_URL[0]} and ${AM_URL[1]}"

write_daemon_config actions="{ name = \"am\"; type = \"webhook\"; format = \"alertmanager\"; url = [ \"${AM_URL[0]}/api/v2/alerts\", \"${AM_URL[1]}/api/v2/alerts\" ]; }, $(log_action)"
register
start_daemon

name=$'crash me\xff'
copy_victim "$name"
d_crash "$T/$name" segv
wait_processed "$DUMP"
wait_journal 20 "$DUMP" '^[0-9T:-]+Z am delivered \(attempt 1\): HTTP 200 from http://127\.0\.0\.1:[0-9]+; HTTP 200 from http://127\.0\.0\.1:[0-9]+$'

for am in "${AM_URL[@]}"; do
info "GET $am/api/v2/alerts lists the crash"
curl -sf --max-time 5 -G "$am/api/v2/alerts" \
	--data-urlencode 'filter=alertname="ProcessCrashed"' >"$T/alerts.json" ||
	fail "GET $am/api/v2/alerts failed"
/usr/bin/python3 - "$T/alerts.json" "$DUMP" <<'EOF' || fail "Alertmanager's alerts: $(head -c 2000 "$T/alerts.json")"
import datetime, json, os, re, sys

alerts = json.load(open(sys.argv[1]))
dump = sys.argv[2]


def item(n):
    b = open(os.path.join(dump, n), "rb").read()
    return b[:-1] if b.endswith(b"\n") else b


def unescape(s):
    return re.sub(rb"\\x([0-9a-fA-F]{2})",
                  lambda m: bytes([int(m[1], 16)]), s.encode())


if len(alerts) != 1:
    sys.exit(f"expected one alert, got {len(alerts)}")
a = alerts[0]
lab = a["labels"]
want = {"alertname": "ProcessCrashed", "host": item("hostname").decode(),
        "signal": "SIGSEGV"}
for k, v in want.items():
    if lab.get(k) != v:
        sys.exit(f"label {k}: expected {v!r}, got {lab.get(k)!r}")
if unescape(lab.get("executable", "")) != item("executable"):
    sys.exit(f"label executable {lab.get('executable')!r} does not read "
             f"back to {item('executable')!r}")
if not lab["executable"].endswith("/crash me\\xff"):
    sys.exit(f"label executable: {lab['executable']!r}")
t = int(item("time"))
when = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
if a["startsAt"] != when.strftime("%Y-%m-%dT%H:%M:%S.000Z"):
    sys.exit(f"startsAt {a['startsAt']!r}, crash at {when}")
name = os.path.basename(dump)
if a["annotations"].get("crashd_id") != f"{name}/am":
    sys.exit(f"annotation crashd_id: {a['annotations'].get('crashd_id')!r}")
if not a["annotations"].get("summary", "").endswith(" killed by SIGSEGV on "
                                                      + want["host"]):
    sys.exit(f"annotation summary: {a['annotations'].get('summary')!r}")
# Resolved by Alertmanager after ProcessCrashed's window (15 m).
ends = (when + datetime.timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
if a["endsAt"] != ends:
    sys.exit(f"endsAt {a['endsAt']!r}, expected {ends!r}")
if a["status"]["state"] != "active":
    sys.exit(f"state {a['status']['state']!r}")
EOF
done
stop_daemon
echo "PASS"
