#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The metrics action through a real Prometheus node_exporter (Debian's
# prometheus-node-exporter, its textfile collector alone, on loopback):
# every crash the daemon processes counts once in crashd_crashes_total
# {executable, hostname, signal}, duplicates that are not notified
# too, and crashd_last_crash_timestamp_seconds says when the series' last
# crash happened.  Asserted on what node_exporter serves (it parses the
# file: node_textfile_scrape_error 0, the file's mtime metric present)
# and on the file itself (label order, escaping, no other .prom file):
#   - two SEGVs of one program (the second a duplicate, held back) and
#     one ABRT of it, with cores (mode = mini): SEGV 2, ABRT 1;
#   - a program whose name holds a newline, a tab, a double quote, a byte
#     that is not UTF-8, a backslash before "x41" and a lone backslash is
#     one series, its label the webhook's escaping of the path (\xNN)
#     under Prometheus' own (\\, \"), which reads back to the path;
#   - the counts persist across a restart: a crash while the daemon is
#     stopped counts once when the backlog is processed, a SIGKILL and a
#     restart count nothing again, a live crash after that counts;
#   - mode = none and remove_duplicates = true: the duplicate merged
#     into the first dump (and removed) counts;
#   - crashes the hook did not store (per_executable = 2/1h: 5 crashes,
#     3 recorded as not stored) count in crashd_crashes_total too, and in
#     crashd_crashes_not_stored_total{reason="rate_limited"}, once across
#     a SIGKILL;
#   - a second action with max_series = 2 (its own state, its own file
#     and node_exporter) keeps its first two series and counts the rest
#     under {executable="other",signal="other"}, dropping none;
#   - a mail or webhook delivery given up on shows in the queue's gauge
#     crashd_deliveries{state="dead"}, refreshed without another crash;
#   - crashd_dumps_retrying and crashd_dump_failures_total are 0 (the
#     full disk that moves them is reliability.spool_full's);
#   - crashd_build_info{version} says crashd --version's, the hook's
#     counters are crashd-cli counters', crashd_spool_dumps the spool's
#     dumps, crashd_actions_total counts the metrics action's runs and the
#     dead webhook as failed; promtool check metrics finds nothing.
source "$(dirname "$0")/lib_daemon.sh"

NE=/usr/bin/prometheus-node-exporter
command -v promtool >/dev/null || skip "promtool is not installed (Debian package prometheus)"
[[ -x $NE ]] || skip "$NE is not installed (Debian package prometheus-node-exporter)"
command -v curl >/dev/null || skip "curl is not installed"
[[ -x /usr/bin/python3 ]] || skip "/usr/bin/python3 is needed to read the metrics"
unset http_proxy HTTP_PROXY all_proxy ALL_PROXY

declare -A NE_URL=()

# fail, as in lib_daemon.sh, with what node_exporter complained about.
eval "daemon_fail() $(declare -f fail | tail -n +2)"
fail() {
	local l
	for l in "$T"/ne-*.log; do
		# Its complaints (a file it cannot parse), not its banner.
		grep -q -v -e 'level=info' -e 'running as root' "$l" 2>/dev/null || continue
		echo "--- ${l##*/} (last 3 complaints):" >&2
		grep -v -e 'level=info' -e 'running as root' "$l" | tail -n 3 |
			cut -c1-400 | cat -v >&2
	done
	daemon_fail "$@"
}

# start_node_exporter NAME: a node_exporter with the textfile collector
# alone, reading $T/NAME (created), on a free loopback port; it dies
# with this shell.  Sets NE_URL[NAME] (its /metrics).
start_node_exporter() {
	local port
	mkdir -p "$T/$1"
	port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	setpriv --pdeathsig KILL "$NE" --web.listen-address="127.0.0.1:$port" \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$T/$1" \
		</dev/null >>"$T/ne-$1.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	SERVER_PIDS+=($!)
	NE_URL[$1]=http://127.0.0.1:$port/metrics
	wait_until 30 "node_exporter to serve ${NE_URL[$1]}" \
		curl -sf -o /dev/null --max-time 2 "${NE_URL[$1]}"
}

# The checker: check_metrics.py SCRAPE PROMFILE HOST START MODE
# [EXECUTABLE SIGNAL COUNT TSMIN]...: the scrape (and the file) hold
# exactly these series, each in both metrics, HOST the hostname of all;
# MODE "counts" checks each COUNT, "set" only which series there are.
# Every timestamp is within [START, now] and a minute of now, and not
# before TSMIN (- for none).  Says what it expected and found.
CHECK=$T/check_metrics.py
EXPECT_VERSION=$("$CRASHD_DAEMON" --version | awk '{ print $2 }')
export EXPECT_VERSION
cat >"$CHECK" <<'EOF'
import os, re, sys, time

scrape_path, prom, host, start, mode = sys.argv[1:6]
start = int(start)
rest = [os.fsencode(a) for a in sys.argv[6:]]
assert len(rest) % 4 == 0, rest
now = time.time()
problems = []
C, T = "crashd_crashes_total", "crashd_last_crash_timestamp_seconds"

def problem(s):
    problems.append(s)

def esc(b):
    """The label's value before Prometheus' escaping: the webhook's text
    rule (daemon/json_text.h): valid UTF-8 kept, control characters
    and bytes that are not UTF-8 as \\xNN, a backslash before x and two
    hex digits as \\x5c."""
    out = []
    s = b.decode("utf-8", "surrogateescape")
    for i, c in enumerate(s):
        o = ord(c)
        if 0xDC80 <= o <= 0xDCFF:
            out.append("\\x%02x" % (o - 0xDC00))
        elif o < 0x20 or 0x7F <= o <= 0x9F:
            out.extend("\\x%02x" % x for x in c.encode())
        elif c == "\\" and re.match(r"x[0-9a-fA-F]{2}", s[i + 1:i + 4]):
            out.append("\\x5c")
        else:
            out.append(c)
    return "".join(out)

def parse_sample(line):
    """name{k="v",...} value -> (name, [(k, v)...], value), the values
    Prometheus-unescaped; None if the line is no sample."""
    m = re.match(r"([a-zA-Z_:][a-zA-Z0-9_:]*)", line)
    if not m:
        return None
    name, i, labels = m[1], m.end(), []
    if i < len(line) and line[i] == "{":
        i += 1
        while line[i] != "}":
            m = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="').match(line, i)
            if not m:
                raise ValueError(f"bad label at {i}: {line!r}")
            i, v = m.end(), []
            while line[i] != '"':
                if line[i] == "\\":
                    v.append({"\\": "\\", '"': '"', "n": "\n"}[line[i + 1]])
                    i += 2
                else:
                    v.append(line[i])
                    i += 1
            labels.append((m[1], "".join(v)))
            i += 1
            if line[i] == ",":
                i += 1
    i += 1 if i < len(line) and line[i] == "}" else 0
    return name, labels, line[i:].split()[0]

def samples(text):
    out = []
    for line in text.split("\n"):
        if line and not line.startswith("#"):
            try:
                s = parse_sample(line)
            except (ValueError, IndexError, KeyError) as e:
                problem(f"unparsable line {line!r}: {e}")
                continue
            if s:
                out.append(s)
    return out

LABELS = ["executable", "hostname", "signal"]

def series(smp, what):
    """{metric: {(exe, host, signal): value}} of the crashd
    samples."""
    r = {C: {}, T: {}}
    for name, labels, value in smp:
        if name not in r:
            continue
        names = sorted(k for k, _ in labels)
        if names != sorted(LABELS) or len(set(names)) != len(names):
            problem(f"{what}: {name} has labels {names}, expected {LABELS}")
            continue
        d = dict(labels)
        key = tuple(d[k] for k in LABELS)
        if key in r[name]:
            problem(f"{what}: {name}{key} twice")
        r[name][key] = float(value)
    return r

want = {}
for i in range(0, len(rest), 4):
    exe, sig, count, tsmin = rest[i:i + 4]
    key = (esc(exe), esc(os.fsencode(host)), sig.decode())
    want[key] = (count.decode(), tsmin.decode())

# What node_exporter serves.
text = open(scrape_path, "rb").read().decode("utf-8", "backslashreplace")
smp = samples(text)
types = dict(re.findall(r"^# TYPE (\S+) (\S+)$", text, re.M))
for n, t in ((C, "counter"), (T, "gauge")):
    if types.get(n) != t:
        problem(f"scrape: # TYPE {n} is {types.get(n)!r}, expected {t!r}")
err = [v for n, l, v in smp if n == "node_textfile_scrape_error"]
if err != ["0"]:
    problem(f"scrape: node_textfile_scrape_error {err}, expected ['0'] "
            f"(node_exporter could not parse the file)")
if not any(n == "node_textfile_mtime_seconds" and l == [("file", prom)]
           for n, l, v in smp):
    problem(f'scrape: no node_textfile_mtime_seconds{{file="{prom}"}}')
got = series(smp, "scrape")
for metric in (C, T):
    for k in sorted(set(want) - set(got[metric])):
        problem(f"scrape: no {metric} for {k}")
    for k in sorted(set(got[metric]) - set(want)):
        problem(f"scrape: unexpected {metric} {k} {got[metric][k]}")
for k, (count, tsmin) in sorted(want.items()):
    if mode == "counts" and k in got[C] and got[C][k] != float(count):
        problem(f"scrape: {C}{k} is {got[C][k]:g}, expected {count}")
    ts = got[T].get(k)
    if ts is not None:
        lo = max(start, int(tsmin) if tsmin != "-" else 0)
        if not (lo <= ts <= now + 1 and abs(now - ts) <= 60):
            problem(f"scrape: {T}{k} is {ts:.3f}: not within [{lo}, now "
                    f"{now:.3f}] and a minute of now")

# The file itself: UTF-8, the labels in their order and escaped as
# said (only \\ and \" in the values), no other .prom file.
raw = open(prom, "rb").read()
try:
    ftext = raw.decode("utf-8")
except UnicodeDecodeError as e:
    problem(f"file: not UTF-8: {e}")
    ftext = raw.decode("utf-8", "backslashreplace")
val = r'"((?:[^"\\\n]|\\[\\"])*)"'
line_re = re.compile(r"(%s|%s)\{executable=%s,"
                     r"hostname=%s,signal=\"([A-Z0-9]+|other)\"\} "
                     r"([0-9]+(?:\.[0-9]+)?)" % (C, T, val, val))
for n, t in ((C, "counter"), (T, "gauge")):
    if f"# TYPE {n} {t}\n" not in ftext:
        problem(f"file: no '# TYPE {n} {t}' line")
    if not re.search(r"^# HELP %s \S" % n, ftext, re.M):
        problem(f"file: no '# HELP {n} ...' line")
for line in ftext.split("\n"):
    if line.startswith("crashd_deliveries"):
        # The queue's gauges (once a mail or webhook action has run).
        if not re.fullmatch(r'crashd_deliveries\{state="(pending|dead)"\} '
                            r'[0-9]+', line):
            problem(f"file: line {line!r} is not "
                    f'crashd_deliveries{{state="pending|dead"}} COUNT')
    elif line.startswith("crashd_hook_registered"):
        # The registration watch's gauge: this test registered crashd.
        if line != "crashd_hook_registered 1":
            problem(f"file: line {line!r} is not crashd_hook_registered 1")
    elif line.startswith(("crashd_dumps_retrying", "crashd_dump_failures")):
        # The daemon's processing failures: every dump here processes.
        if line not in ("crashd_dumps_retrying 0",
                        "crashd_dump_failures_total 0"):
            problem(f"file: line {line!r} is not crashd_dumps_retrying 0 "
                    f"or crashd_dump_failures_total 0")
    elif line.startswith("crashd_build_info"):
        # The version crashd --version says.
        want_v = os.environ["EXPECT_VERSION"]
        if line != f'crashd_build_info{{version="{want_v}"}} 1':
            problem(f"file: line {line!r} is not "
                    f'crashd_build_info{{version="{want_v}"}} 1')
    elif re.match(r"crashd_(hook_[a-z_]+_total|kernel_dropped_crashes_total"
                  r"|spool_bytes|spool_dumps) ", line):
        # The hook's counters and the spool's figures: whole numbers.
        if not re.fullmatch(r"crashd_[a-z_]+ [0-9]+", line):
            problem(f"file: line {line!r} is not NAME COUNT")
    elif line.startswith("crashd_crashes_not_stored_total"):
        if not re.fullmatch(r'crashd_crashes_not_stored_total\{reason="'
                            r'(ignored|rate_limited|spool_full|failed|lost)'
                            r'"\} [0-9]+', line):
            problem(f"file: line {line!r} is not "
                    f'crashd_crashes_not_stored_total{{reason=".."}} COUNT')
    elif line.startswith("crashd_actions_total"):
        if not re.fullmatch(r'crashd_actions_total\{action="[^"\\]+",'
                            r'outcome="(ok|failed|skipped)"\} [0-9]+', line):
            problem(f"file: line {line!r} is not crashd_actions_total"
                    f'{{action="..",outcome="ok|failed|skipped"}} COUNT')
    elif line.startswith("crashd_kernel_log_dropped_total"):
        # The kernel log's records dropped before crashd read them.
        if not re.fullmatch(r"crashd_kernel_log_dropped_total [0-9]+", line):
            problem(f"file: line {line!r} is not "
                    f"crashd_kernel_log_dropped_total COUNT")
    elif line.startswith("crashd_kernel_reports_total"):
        # Kernel reports (kernel_dumps.h): none is made here, but the
        # host's kernel may log one meanwhile.
        if not re.fullmatch(r'crashd_kernel_reports_total\{hostname=%s,'
                            r'kind="(kernel|oom|panic)"\} [0-9]+' % val, line):
            problem(f"file: line {line!r} is not crashd_kernel_reports_total"
                    f'{{hostname="..",kind=".."}} COUNT')
    elif line.startswith("crashd_spool_quarantined"):
        # What the daemon moved out of the way: nothing, here.
        if line != "crashd_spool_quarantined 0":
            problem(f"file: line {line!r} is not crashd_spool_quarantined 0")
    elif line and not line.startswith("#"):
        m = line_re.fullmatch(line)
        if not m:
            problem(f"file: line {line!r} is not "
                    f'NAME{{executable="..",hostname="..",'
                    f'signal=".."}} VALUE')
        elif m[1] == C and not re.fullmatch(r"[0-9]+", m[5]):
            problem(f"file: count {m[5]!r} is no integer: {line!r}")
fgot = series(samples(ftext), "file")
if fgot != got:
    problem(f"file and scrape differ: file {fgot}, scrape {got}")
d = os.path.dirname(prom)
others = sorted(f for f in os.listdir(d) if f.endswith(".prom")
                and f != os.path.basename(prom))
if others:
    problem(f"file: other .prom files in {d}: {others}")

if problems:
    print("\n".join(problems))
    print(f"expected ({mode}): " + "; ".join(
        f"{k} {c}" for k, (c, _) in sorted(want.items())))
    print("scraped (crashd and textfile lines):")
    for line in text.split("\n"):
        if re.match(r"(# (HELP|TYPE) )?(crashd_|node_textfile)", line):
            print("  " + line)
    print(f"{prom}:")
    for line in ftext.split("\n"):
        print("  " + line)
    sys.exit(1)
for k in sorted(got[C]):
    print(f"{C}{k} {got[C][k]:g}, last {got[T].get(k, 0):.0f}")
EOF

# expect_metrics NAME MODE [EXECUTABLE SIGNAL COUNT TSMIN]...: polls
# (10 s at most) node_exporter NAME until its scrape of $T/NAME/crashd.prom
# holds exactly these series (see check_metrics.py above).
expect_metrics() {
	local name=$1 mode=$2 end=$((SECONDS + 11)) l
	shift 2
	while ((SECONDS < end)); do
		if curl -sf --max-time 2 -o "$T/scrape-$name.txt" "${NE_URL[$name]}" &&
			[[ -f $T/$name/crashd.prom ]] &&
			/usr/bin/python3 "$CHECK" "$T/scrape-$name.txt" \
				"$T/$name/crashd.prom" "$host" "$START" "$mode" "$@" \
				>"$T/check-$name.out" 2>&1; then
			if [[ $mode == counts ]]; then
				while IFS= read -r l; do
					info "  $l"
				done <"$T/check-$name.out"
			fi
			return 0
		fi
		nap 0.05
	done
	[[ -f $T/$name/crashd.prom ]] || echo "no $T/$name/crashd.prom: $(ls -A "$T/$name")" >"$T/check-$name.out"
	fail "node_exporter $name (${NE_URL[$name]}): after 10 s, not the expected metrics:"$'\n'"$(cat "$T/check-$name.out" 2>/dev/null)"
}

# expect_core yes|no: the dump $DUMP kept a core, or did not.
expect_core() {
	local c=no
	[[ -e $DUMP/core.mini || -e $DUMP/core.gz ]] && c=yes
	[[ $c == "$1" ]] || fail "$DUMP kept a core: $c, expected $1: $(ls "$DUMP")"
}

# after_this_second: once the clock is past this second, so that the next
# crash's time sorts after every earlier crash's (for max_series).
later_than() {
	((EPOCHSECONDS > $1))
}
after_this_second() {
	wait_until 3 "the clock to pass $EPOCHSECONDS" later_than "$EPOCHSECONDS"
}

START=$EPOCHSECONDS
start_node_exporter textfile
start_node_exporter capped
info "node_exporter serves $T/textfile at ${NE_URL[textfile]}, $T/capped at ${NE_URL[capped]}"

actions="{ name = \"metrics\"; type = \"metrics\"; path = \"$T/textfile/crashd.prom\"; },
  { name = \"capped\"; type = \"metrics\"; path = \"$T/capped/crashd.prom\"; max_series = 2; },
  $(rec_action), $(log_action)"
write_daemon_config mode=mini remove_duplicates=false remove_duplicate_cores=false \
	actions="$actions"
register
start_daemon

copy_victim victim
exe=$T/victim
name=$'crash\nme\t"q\xff\\x41\\b'
copy_victim "$name"
hostile=$T/$name

info "two SEGVs (the second a duplicate, not notified) and an ABRT, with cores"
d_crash "$exe" segv
wait_processed "$DUMP"
expect_core yes
host=$(item hostname)
expect_eq "the dump's hostname" "$(uname -n)" "$host"
expect_metrics textfile counts "$exe" SEGV 1 "$VICTIM_START"
d_crash "$exe" segv
wait_processed "$DUMP"
expect_core yes
expect_metrics textfile counts "$exe" SEGV 2 "$VICTIM_START"
wait_until 10 "the exec action's run for the first crash" runs_at_least 1
expect_eq "runs of the exec action (the duplicate is held back)" 1 "$(runs_count)"
after_this_second
d_crash -s 6 "$exe" abort
wait_processed "$DUMP"
expect_core yes
abrt_start=$VICTIM_START
expect_metrics textfile counts "$exe" SEGV 2 - "$exe" ABRT 1 "$abrt_start"
expect_metrics capped set "$exe" SEGV - - "$exe" ABRT - -

info "a hostile executable name: one series, escaped, parsed"
after_this_second
d_crash "$hostile" segv
wait_processed "$DUMP"
expect_core yes
expect_item executable "$hostile"
expect_metrics textfile counts "$exe" SEGV 2 - "$exe" ABRT 1 - \
	"$hostile" SEGV 1 "$VICTIM_START"
want_label='executable="'"$T"'/crash\\x0ame\\x09\"q\\xff\\x5cx41\\b",'
for f in "$T/textfile/crashd.prom" "$T/scrape-textfile.txt"; do
	grep -qF -- "$want_label" "$f" ||
		fail "$f has no $want_label; its lines with crash: $(grep -a crash "$f")"
done
# max_series = 2: the hostile name's crash counts under other.
expect_metrics capped set "$exe" SEGV - - "$exe" ABRT - - other other - -

info "a crash while the daemon is stopped counts once, from the backlog"
stop_daemon
for a in metrics capped; do
	[[ -e $SPOOL/.state/metrics/$a ]] ||
		fail "no state of action $a at $SPOOL/.state/metrics/$a: $(ls -A "$SPOOL/.state/metrics" 2>&1)"
done
after_this_second
d_crash "$exe" segv
start_daemon
wait_processed "$DUMP"
expect_metrics textfile counts "$exe" SEGV 3 "$VICTIM_START" \
	"$exe" ABRT 1 - "$hostile" SEGV 1 -
expect_metrics capped set "$exe" SEGV - - "$exe" ABRT - - other other - -
# (The file is only rewritten for a crash: the live one below shows that
# the SIGKILLed run left nothing to count twice.)
info "SIGKILL and a restart count nothing again"
kill_daemon
start_daemon
wait_all_processed
expect_metrics textfile counts "$exe" SEGV 3 - \
	"$exe" ABRT 1 - "$hostile" SEGV 1 -
info "a live crash after the restarts"
d_crash "$exe" segv
wait_processed "$DUMP"
expect_metrics textfile counts "$exe" SEGV 4 "$VICTIM_START" \
	"$exe" ABRT 1 "$abrt_start" "$hostile" SEGV 1 -
stop_daemon

info "mode = none, remove_duplicates = true: the merged duplicate counts"
write_daemon_config mode=none actions="$actions"
start_daemon
copy_victim victim2
exe2=$T/victim2
d_crash "$exe2" segv
first=$DUMP
wait_processed "$first"
expect_core no
crash_n 1 "$exe2" segv
wait_until 10 "count 2 in the first dump of victim2" grep -qx 2 "$first/count"
wait_all_processed
expect_eq "dumps of victim2 left in the spool (the duplicate merged)" 1 \
	"$(spool_dumps | grep -c -- '-victim2$' || true)"
expect_metrics textfile counts "$exe" SEGV 4 - "$exe" ABRT 1 - \
	"$hostile" SEGV 1 - "$exe2" SEGV 2 "$VICTIM_START"
expect_metrics capped set "$exe" SEGV - - "$exe" ABRT - - other other - -
stop_daemon

info "crashes the hook did not store count too, from its record of them"
# per_executable = 2/1h: two dumps (the second merged), three records.
write_daemon_config mode=none per_executable=2/1h actions="$actions"
start_daemon
copy_victim victim4
for i in 1 2 3 4 5; do
	run_victim "$T/victim4" segv
done
wait_incoming_empty
wait_all_processed
expect_metrics textfile counts "$exe" SEGV 4 - "$exe" ABRT 1 - \
	"$hostile" SEGV 1 - "$exe2" SEGV 2 - "$T/victim4" SEGV 5 -
expect_metrics capped set "$exe" SEGV - - "$exe" ABRT - - other other - -
grep -qxF 'crashd_crashes_not_stored_total{reason="rate_limited"} 3' \
	"$T/textfile/crashd.prom" ||
	fail "not 3 rate_limited: $(grep crashd_crashes_not_stored "$T/textfile/crashd.prom")"
info "  and once: a SIGKILL and a restart count none again"
kill_daemon
start_daemon
nap 1.5
expect_metrics textfile counts "$exe" SEGV 4 - "$exe" ABRT 1 - \
	"$hostile" SEGV 1 - "$exe2" SEGV 2 - "$T/victim4" SEGV 5 -
stop_daemon

info "a delivery given up on shows in crashd_deliveries, without a crash"
# A webhook to a port nothing listens on, one attempt (its own, not
# daemon.delivery's 10): dead at once.
closed=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
write_daemon_config mode=none \
	actions="$actions, { name = \"hook\"; type = \"webhook\"; url = \"http://127.0.0.1:$closed/x\"; connect_timeout = \"1s\"; attempts = 1; }"
start_daemon
# scrape_has NAME LINE: node_exporter NAME serves exactly this line.
# (Read whole first: grep -q stopping at its match would make curl fail
# on the closed pipe, and pipefail the test.)
scrape_has() {
	local text
	text=$(curl -sf --max-time 2 "${NE_URL[$1]}") && grep -qxF -- "$2" <<<"$text"
}
copy_victim victim3
d_crash "$T/victim3" segv
wait_processed "$DUMP"
wait_journal 10 "$DUMP" 'hook dead after 1 attempt'
# Refreshed every 10 s by the daemon's loop.
wait_until 25 'crashd_deliveries{state="dead"} 1 in the scrape' \
	scrape_has textfile 'crashd_deliveries{state="dead"} 1'
# (Waited for, not asserted once: a scrape may time out on a busy host.)
wait_until 10 'crashd_deliveries{state="pending"} 0 in the scrape' \
	scrape_has textfile 'crashd_deliveries{state="pending"} 0'
scrape_has textfile 'node_textfile_scrape_error 0' ||
	fail "node_exporter cannot parse the file: $(cat "$T/textfile/crashd.prom")"

info "health and inventory: the hook's counters, the spool, the actions"
prom=$T/textfile/crashd.prom
wait_until 25 'crashd_actions_total of the dead webhook in the scrape' \
	scrape_has textfile 'crashd_actions_total{action="hook",outcome="failed"} 1'
scrape_has textfile 'crashd_actions_total{action="metrics",outcome="ok"} 1' ||
	fail "no crashd_actions_total{action=\"metrics\",outcome=\"ok\"} 1: $(grep crashd_actions "$prom")"
counters=$("$CRASHD_CLI" -c "$CONF" counters)
for c in seen stored ignored rate_limited failed cores_kept cores_skipped; do
	v=$(awk -v k="$c" '$1 == k { print $2 }' <<<"$counters")
	n=crashd_hook_crashes_${c}_total
	[[ $c == cores_* ]] && n=crashd_hook_${c}_total
	grep -qxF "$n $v" "$prom" || fail "$prom has no '$n $v' (crashd-cli counters: $c $v): $(grep "^$n " "$prom")"
done
grep -qxF "crashd_spool_dumps $(spool_dumps | wc -l)" "$prom" ||
	fail "crashd_spool_dumps is not $(spool_dumps | wc -l): $(grep crashd_spool_dumps "$prom")"
grep -qE '^crashd_spool_bytes [1-9][0-9]*$' "$prom" ||
	fail "no crashd_spool_bytes above 0: $(grep crashd_spool_bytes "$prom")"
# Prometheus' own lint: names, types, units, help.
lint=$(promtool check metrics <"$prom" 2>&1) ||
	fail "promtool check metrics: $lint"
[[ -z $lint ]] || fail "promtool check metrics complains: $lint"
stop_daemon
echo PASS
