#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# bench/snapshot_bench.sh [--mib N] [--rounds N] [BUILD_DIR]: what
# crashd_snapshot() costs a process of N MiB (default 1024), next to a
# plain fork()+_exit() in the same run (bench/README.md).  Registers
# crashd-hook in mini mode with a spool of its own, takes the core_pattern
# lock the tests take, restores core_pattern, core_pipe_limit and
# fs.suid_dumpable on every exit.  Needs root.
set -euo pipefail
me=${0##*/}
mib=1024 rounds=7
while [[ $# -gt 0 ]]; do
	case $1 in
	--mib) mib=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	-*) echo "usage: $me [--mib N] [--rounds N] [BUILD_DIR]" >&2; exit 2 ;;
	*) break ;;
	esac
done
build=${1:-${CRASHD_BUILD:-$(dirname "$0")/../build}}
hook=$build/hook/crashd-hook
bench=$build/bench/snapshot_bench
[[ $(id -u) == 0 ]] || { echo "$me: needs root (it registers crashd-hook)" >&2; exit 1; }
[[ -x $hook && -x $bench ]] || { echo "$me: build $build first (no $hook or $bench)" >&2; exit 1; }
source "$(dirname "$0")/lib.sh"

dir=$(mktemp -d /tmp/snapshot-bench.XXXXXX)
trap 'restore; rm -rf "$dir"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
cat >"$dir/c.conf" <<CONF
spool = "$dir/spool";
hook = { core = { mode = "mini"; };
  limits = { per_executable = "1000/1h"; global = "1000/1h"; }; };
CONF
exec 9>/run/lock/crashd-core_pattern.lock
flock -w 900 9 || { echo "$me: the core_pattern lock is still held after 900 s" >&2; exit 1; }
saved_pattern=$(cat /proc/sys/kernel/core_pattern)
saved_pipe_limit=$(cat /proc/sys/kernel/core_pipe_limit)
saved_suid=$(cat /proc/sys/fs/suid_dumpable)
saved=yes
"$hook" --pattern -c "$dir/c.conf" >/proc/sys/kernel/core_pattern
echo 8 >/proc/sys/kernel/core_pipe_limit
"$bench" "$mib" "$rounds" 9>&-
# The hook may still be writing the last ones.
for ((i = 0; i < 1000; i++)); do
	[[ -z $(ls -A "$dir/spool/.incoming" 2>/dev/null) ]] && break
	sleep 0.01
done
echo
echo "snapshots stored: $(find "$dir/spool" -mindepth 1 -maxdepth 1 -name '*-snapshot_bench' | wc -l) of $rounds"
