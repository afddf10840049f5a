#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/list_bench.sh: how long "crashd-cli list" and "crashd-cli list
# --json" take over a spool of 10,000 dumps, next to "ls -l" (and "ls -lR")
# over the same spool, in the same run.
#
#   bench/list_bench.sh [--dumps N] [--reps N] [--keep] [BUILD_DIR]
#
# BUILD_DIR (default: $CRASHD_BUILD, else ../build next to this script) must
# hold hook/crashd-hook, cli/crashd-cli and tests/integration/victim; this
# script builds nothing.  Needs root: it makes one real dump by crashing the
# victim through crashd-hook registered in /proc/sys/kernel/core_pattern
# (under the lock the tests take, restoring core_pattern, core_pipe_limit and
# fs.suid_dumpable at once and on every exit), then copies that dump's items
# into N dumps with their own time-sorted names, times, pids, executables
# and signals.  Times are wall clock with a warm page cache: the median of
# --reps runs after one unmeasured run of each command.
set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
me=list_bench
. "$here/lib.sh"
dumps=10000 reps=7 keep=no
build=${CRASHD_BUILD:-$here/../build}

usage() {
	sed -n '6,17s/^# \{0,1\}//p' "$0"
}

while (($#)); do
	case $1 in
	--dumps) dumps=$2; shift ;;
	--reps) reps=$2; shift ;;
	--keep) keep=yes ;;
	-h | --help) usage; exit 0 ;;
	-*) usage >&2; exit 2 ;;
	*) build=$1 ;;
	esac
	shift
done
for n in "$dumps" "$reps"; do
	[[ $n =~ ^[0-9]+$ ]] || { echo "list_bench: not a number: $n" >&2; exit 2; }
done
((dumps >= 1 && dumps <= 200000 && reps >= 1)) || {
	echo "list_bench: --dumps must be 1..200000, --reps >= 1" >&2
	exit 2
}
build=$(cd "$build" && pwd)
hook=$build/hook/crashd-hook
cli=$build/cli/crashd-cli
victim=$build/tests/integration/victim
py=/usr/bin/python3
for f in "$hook" "$cli" "$victim" "$py"; do
	[[ -x $f ]] || { echo "list_bench: $f missing: build first (cmake + make)" >&2; exit 1; }
done
if ((EUID != 0)) || [[ ! -w /proc/sys/kernel/core_pattern ]]; then
	echo "list_bench: needs root and a writable /proc/sys/kernel/core_pattern" >&2
	exit 1
fi

T=$(mktemp -d /tmp/crashd-listbench.XXXXXX)
chmod 755 "$T"
SPOOL=$T/spool
CONF=$T/bench.conf

on_exit() {
	local rc=$?
	trap - EXIT INT TERM HUP
	restore
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

cat >"$CONF" <<EOF
spool = "$SPOOL";
hook = {
  core = { mode = "truncate"; max_size = "256K"; level = 1; honour_rlimit = false; };
  limits = { per_executable = "100/1h"; global = "1000/1h"; spool_max = "100G"; keep_free = "0"; };
};
EOF
"$cli" check-config "$CONF" >/dev/null

# 1. One real dump, through the kernel.
crash_victim() {
	{ "$T/victim" segv >/dev/null 9>&-; } 2>/dev/null
}
cp "$victim" "$T/victim"
bench_real_dump "$SPOOL" "$CONF" crash_victim
template=$TEMPLATE

# 2. N dumps from its items, each with its own name, time, pid,
# executable (one of 50) and signal (one of 4).  Written to .incoming and
# renamed in, as the hook publishes.
mv "$template" "$T/template"
echo "making $dumps dumps from $(ls "$T/template" | wc -l) items of ${template##*/}..." >&2
t0=$SECONDS
"$py" -I - "$T/template" "$SPOOL" "$dumps" <<'EOF'
import os, sys, time
tpl, spool, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
items = {}
for f in os.listdir(tpl):
    with open(os.path.join(tpl, f), "rb") as fh:
        items[f] = fh.read()
sigs = [(11, "SIGSEGV"), (6, "SIGABRT"), (7, "SIGBUS"), (8, "SIGFPE")]
start = int(time.time()) - n
inc = os.path.join(spool, ".incoming")
for i in range(n):
    t = start + i
    pid = 1000 + (i * 7919) % 30000
    exe = "/usr/lib/bench/program-%02d" % (i % 50)
    comm = exe.rsplit("/", 1)[1]
    sig, signame = sigs[i % 4]
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(t)) + ".%06dZ-%d-%s" % (i % 1000000, pid, comm)
    mine = dict(items)
    mine.update({
        "time": b"%d\n" % t, "pid": b"%d\n" % pid, "ns_pid": b"%d\n" % pid,
        "tid": b"%d\n" % pid, "executable": exe.encode() + b"\n",
        "comm": comm.encode() + b"\n", "signal": b"%d\n" % sig,
        "signal_name": signame.encode() + b"\n",
        "reason": ("%s killed by %s\n" % (comm, signame)).encode(),
    })
    d = os.path.join(inc, name)
    os.mkdir(d, 0o750)
    for f, data in mine.items():
        fd = os.open(os.path.join(d, f), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        os.write(fd, data)
        os.close(fd)
    os.rename(d, os.path.join(spool, name))
EOF
echo "made them in $((SECONDS - t0)) s; $(du -sh "$SPOOL" | cut -f1) on disk" >&2

# 3. Check that each command really does its work over all N.
lines=$("$cli" -c "$CONF" list | wc -l)
((lines == dumps + 1)) || { echo "list_bench: list printed $lines lines, expected $((dumps + 1))" >&2; exit 1; }
n=$("$cli" -c "$CONF" list --json | "$py" -I -c 'import json, sys; print(len(json.load(sys.stdin)))')
((n == dumps)) || { echo "list_bench: list --json has $n dumps, expected $dumps" >&2; exit 1; }
lines=$(ls -l "$SPOOL" | wc -l)
((lines == dumps + 1)) || { echo "list_bench: ls -l printed $lines lines" >&2; exit 1; }

# 4. Time them, interleaved, so that a slow moment of the machine hits all.
names=("ls -l" "ls -lR" "crashd-cli list" "crashd-cli list --json")
run() {
	case $1 in
	0) ls -l "$SPOOL" ;;
	1) ls -lR "$SPOOL" ;;
	2) "$cli" -c "$CONF" list ;;
	3) "$cli" -c "$CONF" list --json ;;
	esac >/dev/null
}
declare -A times
for c in 0 1 2 3; do
	run "$c"
done
for ((r = 0; r < reps; r++)); do
	for c in 0 1 2 3; do
		s=$EPOCHREALTIME
		run "$c"
		e=$EPOCHREALTIME
		times[$c]+="$(((${e/./} - ${s/./})))  "
	done
done

# median MICROSECONDS...
median() {
	printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}
echo
echo "crashd-cli list over $dumps dumps ($(ls "$T/template" | wc -l) items each, $(du -sh "$SPOOL" | cut -f1)), warm cache, $reps runs each"
echo "$(uname -r), $(nproc) cpus, $(findmnt -n -o FSTYPE --target "$SPOOL") at $SPOOL"
echo
printf '%-24s %10s %10s %10s %11s %10s\n' command median min max "us/dump" "vs ls -l"
printf '%-24s %10s %10s %10s %11s %10s\n' ------- ------ --- --- ------- --------
read -ra ls_t <<<"${times[0]}"
ls_med=$(median "${ls_t[@]}")
for c in 0 1 2 3; do
	read -ra t <<<"${times[$c]}"
	med=$(median "${t[@]}")
	min=$(printf '%s\n' "${t[@]}" | sort -n | head -1)
	max=$(printf '%s\n' "${t[@]}" | sort -n | tail -1)
	awk -v n="${names[c]}" -v med="$med" -v min="$min" -v max="$max" -v ls="$ls_med" -v d="$dumps" 'BEGIN {
		printf "%-24s %8.1f ms %7.1f ms %7.1f ms %11.1f %9.1fx\n", n, med / 1000, min / 1000, max / 1000, med / d, med / ls
	}'
done
