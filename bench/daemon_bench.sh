#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/daemon_bench.sh: what crashd (the daemon) costs.  With 10,000 dumps
# waiting in the spool it starts with one "log" action and drains them:
# time to drain, peak RSS; then, running and idle, the publish-to-action
# latency of single crashes.  Next to a minimal durable processor measured
# in the same run.
#
#   bench/daemon_bench.sh [--dumps N] [--quick] [--latency-reps N] [--keep]
#                         [BUILD_DIR]
#
# BUILD_DIR (default: $CRASHD_BUILD, else ../build next to this script) must
# hold daemon/crashd, hook/crashd-hook, cli/crashd-cli and bench/crashbench;
# this script builds nothing.  --dumps defaults to 10000, --quick is
# --dumps 1000, --latency-reps (default 20) is the number of single crashes
# timed for each of crashd and the baseline.  Needs root: it makes one real
# dump by crashing a victim through crashd-hook registered in
# /proc/sys/kernel/core_pattern (under the lock the tests take, restoring
# core_pattern, core_pipe_limit and fs.suid_dumpable at once and on every
# exit), then copies that dump's items into N dumps with their own
# time-sorted names, times, pids, executables (100) and signals (2).
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
me=daemon_bench
. "$here/lib.sh"
dumps=10000 lat_reps=20 keep=no
build=${CRASHD_BUILD:-$here/../build}

usage() {
	sed -n '8,20s/^# \{0,1\}//p' "$0"
}

while (($#)); do
	case $1 in
	--dumps) dumps=${2-}; shift ;;
	--quick) dumps=1000 ;;
	--latency-reps) lat_reps=${2-}; shift ;;
	--keep) keep=yes ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) build=$1 ;;
	esac
	shift
done
for n in "$dumps" "$lat_reps"; do
	[[ $n =~ ^[0-9]+$ ]] || { echo "daemon_bench: not a number: $n" >&2; exit 2; }
done
((dumps >= 1 && dumps <= 200000 && lat_reps >= 1 && lat_reps <= 10000)) || {
	echo "daemon_bench: --dumps must be 1..200000, --latency-reps 1..10000" >&2
	exit 2
}
build=$(cd "$build" && pwd)
crashd=$build/daemon/crashd
hook=$build/hook/crashd-hook
cli=$build/cli/crashd-cli
victim=$build/bench/crashbench
py=/usr/bin/python3
for f in "$crashd" "$hook" "$cli" "$victim" "$py"; do
	[[ -x $f ]] || { echo "daemon_bench: $f missing: build first (cmake + make)" >&2; exit 1; }
done
if ((EUID != 0)) || [[ ! -w /proc/sys/kernel/core_pattern ]]; then
	echo "daemon_bench: needs root and a writable /proc/sys/kernel/core_pattern" >&2
	exit 1
fi

T=$(mktemp -d /tmp/crashd-daemonbench.XXXXXX)
chmod 755 "$T"
SPOOL=$T/spool # crashd's
BASE=$T/base   # the baseline's: the same dumps
EMPTY=$T/empty # crashd idle on an empty spool: the RSS baseline
CONF=$T/bench.conf
pids=() # crashd and the baseline watcher, while they run

# stop PID: SIGTERM, then SIGKILL after 10 s; reaps it.
stop() {
	local pid=$1 i
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 1000; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		nap 0.01
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "daemon_bench: $pid did not stop in 10 s, killing it" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	local p rest=()
	for p in ${pids[@]+"${pids[@]}"}; do
		[[ $p == "$pid" ]] || rest+=("$p")
	done
	pids=(${rest[@]+"${rest[@]}"})
}
on_exit() {
	local rc=$?
	trap - EXIT INT TERM HUP
	restore
	local p
	for p in ${pids[@]+"${pids[@]}"}; do
		stop "$p"
	done
	if [[ $keep == yes ]]; then
		echo "kept $T"
	else
		rm -rf --one-file-system "$T"
	fi
	exit "$rc"
}
trap on_exit EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# nap SECONDS: sleep without a fork (a read that times out on a fifo
# nobody writes to).
mkfifo "$T/never"
exec 8<>"$T/never"
nap() {
	read -r -t "$1" -u 8 _ || true
}
now_us() {
	local t=$EPOCHREALTIME
	echo "${t/./}"
}

conf() { # conf FILE SPOOL
	cat >"$1" <<EOF
spool = "$2";
hook = { core = { mode = "none"; }; limits = { keep_free = "0"; }; };
daemon = {
  dedupe = { key = [ "executable", "signal" ]; remove_duplicates = false; };
  retention = { max_age = 0; max_count = 0; max_size = 0; };
  pid_file = "$2.pid"; # one per daemon, never the system's
};
actions = ( { name = "log"; type = "log"; } );
EOF
	chown root:root "$1"
	chmod 644 "$1"
	"$cli" check-config "$1" >/dev/null
}
conf "$CONF" "$SPOOL"
conf "$T/empty.conf" "$EMPTY"

# 1. One real dump, through the kernel.  "crashbench victim 0" says R on
# fd 3, waits for a byte on fd 4 and raises SIGSEGV with no extra memory.
crash_victim() {
	{ "$T/victim" victim 0 3>/dev/null 4< <(printf g) >/dev/null 9>&- 8>&-; } 2>/dev/null
}
cp "$victim" "$T/victim"
bench_real_dump "$SPOOL" "$CONF" crash_victim
template=$TEMPLATE
mv "$template" "$T/template"
[[ ! -e $T/template/processed ]] || { echo "daemon_bench: the hook's dump is already processed?" >&2; exit 1; }
items=$(ls "$T/template" | wc -l)

# 2. N dumps from its items, in crashd's spool and (the same bytes) in the
# baseline's: each with its own name, time (1-3 s apart, ending now), pid,
# executable (one of 100) and signal (SIGSEGV or SIGABRT), so that the
# 200 dedupe keys each get a first dump and ~N/200 duplicates merged into
# it.  Written to .incoming and renamed in, as the hook publishes, without
# "processed".
mkdir -p "$BASE/.incoming" "$EMPTY"
chmod 755 "$BASE" "$EMPTY"
echo "making $dumps dumps from $items items of ${template##*/}, twice..." >&2
t0=$SECONDS
"$py" -I - "$T/template" "$dumps" "$SPOOL" "$BASE" <<'EOF'
import os, sys, time
tpl, n, spools = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
items = {}
for f in os.listdir(tpl):
    with open(os.path.join(tpl, f), "rb") as fh:
        items[f] = fh.read()
sigs = [(11, "SIGSEGV"), (6, "SIGABRT")]
gaps = [1 + (i * 7) % 3 for i in range(n)]
t = int(time.time()) - sum(gaps)
for i in range(n):
    t += gaps[i]
    pid = 1000 + (i * 7919) % 30000
    exe = "/usr/lib/bench/program-%02d" % (i % 100)
    comm = exe.rsplit("/", 1)[1]
    sig, signame = sigs[(i // 100) % 2]
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(t)) + \
        ".%06dZ-%d-%s" % ((i * 104729) % 1000000, pid, comm)
    mine = dict(items)
    mine.update({
        "time": b"%d\n" % t, "pid": b"%d\n" % pid, "ns_pid": b"%d\n" % pid,
        "tid": b"%d\n" % pid, "executable": exe.encode() + b"\n",
        "comm": comm.encode() + b"\n", "signal": b"%d\n" % sig,
        "signal_name": signame.encode() + b"\n",
        "reason": ("%s killed by %s\n" % (comm, signame)).encode(),
    })
    for spool in spools:
        d = os.path.join(spool, ".incoming", name)
        os.mkdir(d, 0o750)
        for f, data in mine.items():
            fd = os.open(os.path.join(d, f), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            os.write(fd, data)
            os.close(fd)
        os.rename(d, os.path.join(spool, name))
EOF
last=$(ls "$SPOOL" | tail -1)
echo "made them in $((SECONDS - t0)) s; $(du -sh "$SPOOL" | cut -f1) on disk each" >&2

# The baseline: the least a durable processor does per dump, in name order:
# open the dump directory, write a small file, fsync it, fsync the
# directory.  "batch" over a spool; "watch" for dumps renamed into one.
cat >"$T/baseline.py" <<'EOF'
import ctypes, os, struct, sys

def record(spool, name):
    dfd = os.open(os.path.join(spool, name), os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    fd = os.open("processed", os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o640, dir_fd=dfd)
    os.write(fd, b"1\n")
    os.fsync(fd)
    os.close(fd)
    os.fsync(dfd)
    os.close(dfd)

mode, spool = sys.argv[1], sys.argv[2]
if mode == "batch":
    for name in sorted(n for n in os.listdir(spool) if n[0] != "."):
        record(spool, name)
    sys.exit(0)
libc = ctypes.CDLL("libc.so.6", use_errno=True)
ifd = libc.inotify_init1(os.O_CLOEXEC)
if ifd < 0 or libc.inotify_add_watch(ifd, spool.encode(), 0x80 | 0x100 | 0x01000000) < 0:
    raise OSError(ctypes.get_errno(), "inotify")
print("watching", flush=True)
while True:
    buf = os.read(ifd, 65536)
    off = 0
    while off < len(buf):
        wd, mask, cookie, ln = struct.unpack_from("iIII", buf, off)
        name = buf[off + 16:off + 16 + ln].rstrip(b"\0").decode()
        off += 16 + ln
        if name and name[0] != ".":
            record(spool, name)
EOF

# Publish-to-processed (and to the log line) of single dumps, published
# like the hook does (items and directory fsync'd in .incoming, then one
# rename; the clock starts just before the rename), alternating between
# crashd's spool and the baseline's.  Each dump's directory is watched with
# inotify before the rename (the watch follows it), so the figure ends when
# "processed" is complete: renamed in by crashd, closed after its fsync by
# the baseline.  The log line is seen by watching crashd's log.
cat >"$T/latency.py" <<'EOF'
import ctypes, os, select, struct, sys, time
tpl, reps, spool, log, base = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
IN_MODIFY, IN_CLOSE_WRITE, IN_MOVED_TO = 0x2, 0x8, 0x80
libc = ctypes.CDLL("libc.so.6", use_errno=True)
ifd = libc.inotify_init1(os.O_CLOEXEC | os.O_NONBLOCK)
def watch(path, mask):
    wd = libc.inotify_add_watch(ifd, path.encode(), mask)
    if wd < 0:
        raise OSError(ctypes.get_errno(), "inotify_add_watch " + path)
    return wd
items = {}
for f in os.listdir(tpl):
    with open(os.path.join(tpl, f), "rb") as fh:
        items[f] = fh.read()
logwd = watch(log, IN_MODIFY)
logf = open(log, "rb")
logf.seek(0, 2)
logbuf = b""
sigs = [(11, "SIGSEGV"), (6, "SIGABRT")]
seq = 0

def publish(sp):
    global seq
    seq += 1
    exe = "/usr/lib/bench/program-%02d" % (seq % 100)
    comm = exe.rsplit("/", 1)[1]
    sig, signame = sigs[(seq // 100) % 2]
    pid = 40000 + seq
    now = time.time()
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + \
        ".%06dZ-%d-%s" % (int(now * 1e6) % 1000000, pid, comm)
    mine = dict(items)
    mine.update({
        "time": b"%d\n" % int(now), "pid": b"%d\n" % pid, "ns_pid": b"%d\n" % pid,
        "tid": b"%d\n" % pid, "executable": exe.encode() + b"\n",
        "comm": comm.encode() + b"\n", "signal": b"%d\n" % sig,
        "signal_name": signame.encode() + b"\n",
        "reason": ("%s killed by %s\n" % (comm, signame)).encode(),
    })
    d = os.path.join(sp, ".incoming", name)
    os.mkdir(d, 0o750)
    for f, data in mine.items():
        fd = os.open(os.path.join(d, f), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        os.write(fd, data)
        os.fsync(fd)
        os.close(fd)
    dfd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(dfd)
    os.close(dfd)
    wd = watch(d, IN_CLOSE_WRITE | IN_MOVED_TO)
    t0 = time.monotonic_ns()
    os.rename(d, os.path.join(sp, name))
    return name, wd, t0

def wait(name, wd, t0, want_log):
    global logbuf
    t_done = t_log = None
    needle = b"crash: " + name.encode() + b": "
    deadline = time.monotonic() + 30
    while t_done is None or (want_log and t_log is None):
        left = deadline - time.monotonic()
        if left <= 0:
            sys.exit("latency: %s: no %s within 30 s" % (name, "processed" if t_done is None else "log line"))
        r, _, _ = select.select([ifd], [], [], left)
        if not r:
            continue
        now = time.monotonic_ns()
        buf = os.read(ifd, 65536)
        off = 0
        while off < len(buf):
            ewd, mask, cookie, ln = struct.unpack_from("iIII", buf, off)
            ename = buf[off + 16:off + 16 + ln].rstrip(b"\0")
            off += 16 + ln
            if ewd == wd and ename == b"processed" and mask & (IN_CLOSE_WRITE | IN_MOVED_TO) and t_done is None:
                t_done = now
            elif ewd == logwd:
                logbuf += logf.read()
                if t_log is None and needle in logbuf:
                    t_log = now
                logbuf = logbuf[logbuf.rfind(b"\n") + 1:]
    libc.inotify_rm_watch(ifd, wd)
    return (t_done - t0) / 1000, ((t_log - t0) / 1000 if want_log else 0)

for r in range(reps):
    order = [(base, False), (spool, True)] if r % 2 else [(spool, True), (base, False)]
    for sp, is_crashd in order:
        time.sleep(0.15) # both idle
        name, wd, t0 = publish(sp)
        done, logged = wait(name, wd, t0, is_crashd)
        if is_crashd:
            print("crashd", int(done), int(logged), flush=True)
        else:
            print("base", int(done), flush=True)
EOF

# VmHWM and VmRSS of PID, in KiB.
vm() {
	awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"
}
# CPU ticks (utime + stime) of PID.
ticks() {
	local s
	s=$(<"/proc/$1/stat")
	s=${s##*) }
	read -ra f <<<"$s"
	echo $((f[11] + f[12]))
}
# start_crashd CONF LOG: sets crashd_pid.
start_crashd() {
	"$crashd" -f -c "$1" 2>"$2" 9>&- 8>&- &
	crashd_pid=$!
	pids+=("$crashd_pid")
}
# wait_idle PID MIN_US: returns once PID has used no CPU for 0.3 s, and at
# least MIN_US microseconds have passed (bounded: 120 s); prints the seconds
# from the call to its last CPU tick, and the CPU milliseconds used meanwhile.
wait_idle() {
	local pid=$1 min_us=$2 s last tk tk0 prev quiet=0 i
	s=$(now_us) last=$s tk0=$(ticks "$pid") prev=$tk0
	for ((i = 0; i < 2400; i++)); do
		nap 0.05
		kill -0 "$pid" 2>/dev/null || { echo "daemon_bench: crashd died" >&2; exit 1; }
		tk=$(ticks "$pid")
		if ((tk != prev)); then
			prev=$tk last=$(now_us) quiet=0
		else
			((++quiet))
		fi
		((quiet < 6 || $(now_us) - s < min_us)) || break
	done
	awk -v a="$s" -v b="$last" -v t="$((prev - tk0))" -v hz="$(getconf CLK_TCK)" \
		'BEGIN { printf "%.2f %.0f\n", (b - a) / 1e6, t * 1000 / hz }'
}

# 3. The baseline over its copy.
echo "baseline over $dumps dumps..." >&2
sync
s=$(now_us)
"$py" -I "$T/baseline.py" batch "$BASE"
e=$(now_us)
base_us=$((e - s))
n=$(find "$BASE" -mindepth 2 -maxdepth 2 -name processed | wc -l)
((n == dumps)) || { echo "daemon_bench: the baseline recorded $n dumps, not $dumps" >&2; exit 1; }

# 4. RSS baseline: crashd idle on an empty spool.
start_crashd "$T/empty.conf" "$T/empty.log"
for ((i = 0; i < 1000; i++)); do
	grep -q "watching" "$T/empty.log" && break
	kill -0 "$crashd_pid" 2>/dev/null || { cat "$T/empty.log" >&2; exit 1; }
	nap 0.01
done
grep -q "watching" "$T/empty.log" || { echo "daemon_bench: crashd on an empty spool did not start" >&2; exit 1; }
wait_idle "$crashd_pid" 0 >/dev/null
rss_empty=$(vm "$crashd_pid" VmHWM)
stop "$crashd_pid"

# 5. crashd drains the N dumps: from its start to the last dump (in name
# order, the order of its backlog) having "processed"; then every dump is
# checked.  Bounded: 40 ms per dump plus a minute.
echo "crashd draining $dumps dumps..." >&2
sync
log=$T/crashd.log
limit_us=$((dumps * 40000 + 60000000))
s=$(now_us)
start_crashd "$CONF" "$log"
until [[ -e $SPOOL/$last/processed ]]; do
	kill -0 "$crashd_pid" 2>/dev/null || { echo "daemon_bench: crashd died:" >&2; tail "$log" >&2; exit 1; }
	(($(now_us) - s < limit_us)) || { echo "daemon_bench: crashd did not drain $dumps dumps in $((limit_us / 1000000)) s" >&2; exit 1; }
	nap 0.01
done
e=$(now_us)
drain_us=$((e - s))
rss_drain=$(vm "$crashd_pid" VmHWM)
# Its main loop wakes up a second later, and sweeps for retention: until
# then and that is over, it is not idle.
read -r sweep_s sweep_ms <<<"$(wait_idle "$crashd_pid" 1500000)"
# Then its CPU while idle, over 5 s (it wakes up every second).
tk=$(ticks "$crashd_pid")
nap 5
idle_ms_s=$(((($(ticks "$crashd_pid") - tk) * 1000 / $(getconf CLK_TCK)) / 5))
for ((i = 0; ; i++)); do
	n=$(find "$SPOOL" -mindepth 2 -maxdepth 2 -name processed | wc -l)
	((n == dumps)) && break
	((i < 100)) || { echo "daemon_bench: only $n of $dumps dumps processed" >&2; exit 1; }
	nap 0.1
done
rss_idle=$(vm "$crashd_pid" VmRSS)
logged=$(grep -c ': crash: ' "$log" || true)
((logged == dumps)) || { echo "daemon_bench: $logged log lines, expected $dumps" >&2; exit 1; }
keys=$(ls "$SPOOL/.state/keys" | wc -l)
dups=$(find "$SPOOL" -mindepth 2 -maxdepth 2 -name duplicate_of | wc -l)
other=$(grep -v -e ': crash: ' -e 'started, config' -e 'watching ' -e 'processed [0-9]* dumps that arrived' "$log" || true)

# 6. Latency, crashd still running (and idle), next to the baseline watching
# its own spool.
"$py" -I "$T/baseline.py" watch "$BASE" >"$T/watch.out" 2>&1 9>&- 8>&- &
watch_pid=$!
pids+=("$watch_pid")
for ((i = 0; i < 500; i++)); do
	[[ -s $T/watch.out ]] && break
	nap 0.01
done
grep -q watching "$T/watch.out" || { echo "daemon_bench: the baseline watcher did not start" >&2; cat "$T/watch.out" >&2; exit 1; }
echo "latency: $lat_reps single crashes each..." >&2
"$py" -I "$T/latency.py" "$T/template" "$lat_reps" "$SPOOL" "$log" "$BASE" >"$T/latency.out"
rss_end=$(vm "$crashd_pid" VmHWM)
stop "$watch_pid"
stop "$crashd_pid"
tail -1 "$log" | grep -q stopped || { echo "daemon_bench: crashd did not log its stop" >&2; tail -3 "$log" >&2; }

# 7. The table.
echo
echo "crashd over $dumps dumps waiting in the spool ($items items each, $(du -sh "$SPOOL" | cut -f1)), one \"log\" action"
echo "$(uname -r), $(nproc) cpus, $(findmnt -n -o FSTYPE --target "$SPOOL") at $SPOOL, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "dedupe: $keys keys, $dups dumps merged as duplicates (remove_duplicates = false)"
echo
awk -v n="$dumps" -v b="$base_us" -v d="$drain_us" 'BEGIN {
	printf "%-38s %9s %9s %9s %9s\n", "drain", "seconds", "dumps/s", "ms/dump", "ratio"
	printf "%-38s %9s %9s %9s %9s\n", "-----", "-------", "-------", "-------", "-----"
	printf "%-38s %9.2f %9.0f %9.3f %8.2fx\n", "baseline (1 fsync'\''d file + dir fsync)", b / 1e6, n / (b / 1e6), b / 1e3 / n, 1
	printf "%-38s %9.2f %9.0f %9.3f %8.2fx\n", "crashd start to all processed", d / 1e6, n / (d / 1e6), d / 1e3 / n, d / b
}'
echo "after the drain: the first retention sweep (at the 1 s wake-up) ended $sweep_s s after it, $sweep_ms ms CPU"
echo "(one every 60 s: $((sweep_ms / 60)) ms CPU per second on average); between sweeps, idle: $idle_ms_s ms CPU per second"
echo
awk -v e="$rss_empty" -v dr="$rss_drain" -v en="$rss_end" -v i="$rss_idle" 'BEGIN {
	printf "%-38s %9s %9s\n", "crashd memory", "MiB", "ratio"
	printf "%-38s %9s %9s\n", "-------------", "---", "-----"
	printf "%-38s %9.1f %8.2fx\n", "peak RSS, idle on an empty spool", e / 1024, 1
	printf "%-38s %9.1f %8.2fx\n", "peak RSS, after the drain", dr / 1024, dr / e
	printf "%-38s %9.1f %8.2fx\n", "RSS, idle after the drain", i / 1024, i / e
	printf "%-38s %9.1f %8.2fx\n", "peak RSS, at stop (sweep, latency)", en / 1024, en / e
}'
echo
awk -v reps="$lat_reps" '
function sorted(src, n, dst,   i, j, t) {
	for (i = 1; i <= n; i++) dst[i] = src[i]
	for (i = 2; i <= n; i++) for (j = i; j > 1 && dst[j - 1] > dst[j]; j--) { t = dst[j]; dst[j] = dst[j - 1]; dst[j - 1] = t }
}
function row(label, src, n, ref,   s, med, k) {
	sorted(src, n, s)
	med = (n % 2) ? s[(n + 1) / 2] : (s[n / 2] + s[n / 2 + 1]) / 2
	k = int(0.9 * n + 0.999999)
	printf "%-38s %9.2f %9.2f %9.2f %9.2f %8.2fx\n", label, med / 1000, s[1] / 1000, s[k] / 1000, s[n] / 1000, ref ? med / ref : 1
	return med
}
$1 == "base" { b[++nb] = $2 }
$1 == "crashd" { p[++np] = $2; l[++nl] = $3 }
END {
	printf "%-38s %9s %9s %9s %9s %9s\n", "latency, " reps " single crashes each", "median ms", "min ms", "p90 ms", "max ms", "ratio"
	printf "%-38s %9s %9s %9s %9s %9s\n", "------------------", "---------", "------", "------", "------", "-----"
	ref = row("baseline: publish to record", b, nb, 0)
	row("crashd: publish to log line (action)", l, nl, ref)
	row("crashd: publish to processed", p, np, ref)
}' "$T/latency.out"
if [[ -n $other ]]; then
	echo
	echo "crashd also logged:"
	printf '%s\n' "$other" | head -10
fi
