#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Issue 13's fleet, on loopback with the real servers: K = 10 simulated
# hosts (a crashd daemon each, its own spool, its metrics action's file
# served by a node_exporter of its own), one Prometheus (Debian's)
# scraping the ten and evaluating the shipped rules, two Alertmanagers in
# one cluster (--cluster.peer) notifying a real HTTP receiver.
#   - The same crash on all ten hosts is exactly one notification that
#     lists the ten hosts; a crash of another kind on three of them is a
#     second one.
#   - 21 real crashes of a loop on host 1, the hook storing 5 of them
#     (per_executable 5/10m) and counting the rest as not stored, read
#     21 in Prometheus' query API.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/webhook_lib.sh"

K=10
NE=/usr/bin/prometheus-node-exporter
PROMETHEUS=/usr/bin/prometheus
AM=/usr/bin/prometheus-alertmanager
for b in "$NE" "$PROMETHEUS" "$AM"; do
	[[ -x $b ]] || skip "$b is not installed (Debian packages prometheus, prometheus-node-exporter, prometheus-alertmanager)"
done
command -v curl >/dev/null || skip "curl is not installed"
unset http_proxy HTTP_PROXY all_proxy ALL_PROXY
RULES=$(cd "$(dirname "$0")/../.." && pwd)/packaging/prometheus/crashd-rules.yml

eval "fleet_fail() $(declare -f fail | tail -n +2)"
fail() {
	local l
	for l in "$T"/prometheus.log "$T"/am-*.log; do
		[[ -s $l ]] || continue
		echo "--- ${l##*/} (last 8 lines):" >&2
		tail -n 8 "$l" | cut -c1-300 >&2
	done
	fleet_fail "$@"
}

port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
# server LOG CMD...: a server that dies with this shell.
server() {
	local log=$1
	shift
	setpriv --pdeathsig KILL "$@" </dev/null >>"$log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	SERVER_PIDS+=($!)
}
ready() { curl -sf -o /dev/null --max-time 1 "$1"; }

info "the receiver and two clustered Alertmanagers"
start_http receiver
cat >"$T/am.yml" <<AMYML
route:
  receiver: "null"
  routes:
    - matchers: [ 'alertname="ProcessCrashed"' ]
      receiver: fleet
      group_by: [ alertname, executable, signal ]
      group_wait: 8s
      group_interval: 1h
      repeat_interval: 4h
receivers:
  - name: "null"
  - name: fleet
    webhook_configs: [ { url: "http://127.0.0.1:$HTTP_PORT/alerts", send_resolved: false } ]
AMYML
am_web=() am_peer=()
for i in 0 1; do
	am_web[i]=$(port)
	am_peer[i]=$(port)
done
for i in 0 1; do
	server "$T/am-$i.log" "$AM" --config.file="$T/am.yml" \
		--web.listen-address="127.0.0.1:${am_web[i]}" \
		--cluster.listen-address="127.0.0.1:${am_peer[i]}" \
		--cluster.peer="127.0.0.1:${am_peer[1 - i]}" \
		--cluster.peer-timeout=2s --cluster.settle-timeout=2s \
		--cluster.gossip-interval=100ms --cluster.pushpull-interval=1s \
		--storage.path="$T/am-data-$i"
done
for i in 0 1; do
	wait_until 30 "Alertmanager $i at ${am_web[i]}" ready "http://127.0.0.1:${am_web[i]}/-/ready"
done
members() {
	local n
	n=$(curl -sf --max-time 1 "http://127.0.0.1:${am_web[0]}/api/v2/status" |
		/usr/bin/python3 -c 'import json, sys; print(len(json.load(sys.stdin)["cluster"]["peers"]))') || return 1
	[[ $n == 2 ]]
}
wait_until 30 "the two Alertmanagers to form one cluster" members

info "$K hosts: a crashd daemon and a node_exporter each"
declare -a HOST_CONF HOST_SPOOL
MAIN_CONF=$CONF MAIN_SPOOL=$SPOOL
ne_targets=()
for ((h = 1; h <= K; h++)); do
	d=$T/host$h
	mkdir -p "$d/prom" "$d/run"
	CONF=$d/c.conf SPOOL=$d/spool
	((h == 1)) && CONF=$MAIN_CONF SPOOL=$MAIN_SPOOL
	write_daemon_config per_executable=5/10m pid_file="$d/run/crashd.pid" \
		actions="{ name = \"metrics\"; type = \"metrics\"; path = \"$d/prom/crashd.prom\"; }"
	HOST_CONF[h]=$CONF
	HOST_SPOOL[h]=$SPOOL
	p=$(port)
	server "$T/ne-$h.log" "$NE" --web.listen-address="127.0.0.1:$p" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$d/prom"
	ne_targets+=("127.0.0.1:$p")
done
CONF=$MAIN_CONF
SPOOL=$MAIN_SPOOL
register

# Real crashes' dumps, from the hook of host 1 (no daemon runs yet).
copy_victim fleet-victim
crash_and_wait "$T/fleet-victim" segv
SEGV_DUMP=$DUMP
crash_and_wait -s 6 "$T/fleet-victim" abort
ABRT_DUMP=$DUMP
[[ -d $SEGV_DUMP && -d $ABRT_DUMP ]] || fail "no dumps to feed the hosts"
mkdir "$T/seeds"
mv "$SEGV_DUMP" "$ABRT_DUMP" "$T/seeds/"
# feed HOST DUMP: a copy of the dump into host's spool, as that host's,
# published with one rename from .incoming as the hook does.
feed() {
	local spool=${HOST_SPOOL[$1]} name=${2##*/}
	[[ -n $spool && -n $name && -d $T/seeds/$name ]] || fail "feed $1 $2: nothing to feed"
	mkdir -p "$spool/.incoming"
	cp -a -- "$T/seeds/$name" "$spool/.incoming/$name-h$1"
	printf 'host%s\n' "$1" >"$spool/.incoming/$name-h$1/hostname"
	mv -- "$spool/.incoming/$name-h$1" "$spool/$name-h$1"
}
for ((h = 1; h <= K; h++)); do
	feed "$h" "$SEGV_DUMP"
	server "$T/daemon-$h.log" "$CRASHD_DAEMON" -f -c "${HOST_CONF[h]}"
done

prom_port=$(port)
targets=$(printf '"%s", ' "${ne_targets[@]}")
cat >"$T/prometheus.yml" <<PROMYML
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ "$RULES" ]
alerting:
  alertmanagers:
    - static_configs: [ { targets: [ "127.0.0.1:${am_web[0]}", "127.0.0.1:${am_web[1]}" ] } ]
scrape_configs:
  - job_name: node
    static_configs: [ { targets: [ ${targets%, } ] } ]
PROMYML
server "$T/prometheus.log" "$PROMETHEUS" --config.file="$T/prometheus.yml" \
	--storage.tsdb.path="$T/prom-data" --web.listen-address="127.0.0.1:$prom_port"
PROM_URL=http://127.0.0.1:$prom_port
wait_until 30 "Prometheus at $PROM_URL" ready "$PROM_URL/-/ready"
info "Prometheus scrapes $K node_exporters at $PROM_URL"

# query PROMQL: the value of a one-sample instant query, or "".
query() {
	curl -sf --max-time 2 -G "$PROM_URL/api/v1/query" --data-urlencode "query=$1" |
		/usr/bin/python3 -c 'import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")'
}
query_is() { [[ $(query "$1") == "$2" ]]; }
EXE=$T/fleet-victim
wait_until 30 "the $K hosts' SEGV in Prometheus" query_is \
	"count(crashd_crashes_total{executable=\"$EXE\",signal=\"SEGV\"})" "$K"

# notifications: what the receiver got of this test's crashes, one line
# each, in order: EXECUTABLE SIGNAL HOSTS (sorted, comma-separated).  (Any
# process of the machine that crashes meanwhile goes through the hook
# too, and to the Alertmanagers with it.)
notifications() {
	all_notifications | grep "^$T/" || true
}
all_notifications() {
	local f
	for f in "$HTTP_DIR"/*.body; do
		[[ -e $f ]] || continue
		/usr/bin/python3 -c 'import json, sys
n = json.load(open(sys.argv[1]))
print(n["groupLabels"].get("executable"), n["groupLabels"].get("signal"),
      ",".join(sorted(a["labels"]["hostname"] for a in n["alerts"])))' "$f"
	done
}
hosts=$(for ((h = 1; h <= K; h++)); do echo "host$h"; done | sort | paste -sd,)
wait_until 40 "a notification from the Alertmanagers" requests_at_least "$HTTP_DIR" 1
# A second would come after the peer timeout (2 s) had the cluster not
# deduplicated, and after group_wait had the group been split.
nap 10
expect_eq "notifications of the SEGV on $K hosts" "$EXE SEGV $hosts" "$(notifications)"
info "  one notification: $(notifications | sed "s|$T/||")"

info "another kind of crash on three hosts: a second notification"
for h in 2 5 9; do
	feed "$h" "$ABRT_DUMP"
done
wait_until 40 "a second notification" requests_at_least "$HTTP_DIR" 2
nap 10
expect_eq "notifications" "$EXE SEGV $hosts
$EXE ABRT host2,host5,host9" "$(notifications)"
info "  and a second: $(notifications | tail -n 1 | sed "s|$T/||")"

info "21 crashes of a loop on host 1, the hook storing 5: 21 in Prometheus"
copy_victim fleet-loop
for ((i = 0; i < 21; i++)); do
	run_victim "$T/fleet-loop" segv
done
expect_eq "the hook's stored (2 seeds, 5 of the loop)" 7 "$(counter stored)"
wait_until 30 "crashd_crashes_total of the loop at 21 in Prometheus" query_is \
	"sum(crashd_crashes_total{executable=\"$T/fleet-loop\"})" 21
expect_eq "crashes of the loop not stored (rate_limited) in Prometheus" 16 \
	"$(query "sum(crashd_crashes_not_stored_total{reason=\"rate_limited\",instance=\"${ne_targets[0]}\"})")"
info "  the loop: 21 in Prometheus, 16 of them not stored (rate_limited)"
echo PASS
