#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 3 of issue 11: a user stalls the daemon with a FIFO.  A real
# non-root user, in its own user+mount namespace (unshare -Urm), binds a
# program over a path that is, on the host, a FIFO it owns, and crashes
# it three times: an unwinder that opened the core's file names in the
# host's tree blocked on the FIFO until its 10 s kill, and the daemon
# unwound one dump at a time, so that root's crash right after waited
# 30 s.  Now a container's paths are never opened in the host's tree, the
# unwinder opens nothing but regular files and never blocks, and it runs
# beside the daemon's loop: root's crash is processed within 3 s, and the
# user's three dumps have their backtraces, none stopped by the kill.
# While it runs, each unwinder child seen confined (NoNewPrivs) runs as
# no root, with no capabilities.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

command -v unshare >/dev/null || skip "unshare (util-linux) is not installed"
test_user crashdrelfifo
eval "fifo_prev_exit() $(declare -f daemon_on_exit | tail -n +2)"
daemon_on_exit() {
	local rc=$?
	[[ -z ${SAMPLER:-} ]] || kill "$SAMPLER" 2>/dev/null
	(exit "$rc")
	fifo_prev_exit
}
trap daemon_on_exit EXIT
uid=$TEST_UID
gid=$TEST_GID

mkdir "$T/u"
chown "$uid:$gid" "$T/u"
cp "$CRASHD_VICTIM" "$T/u/real"
chmod 755 "$T/u/real"
as_user mkfifo -m 666 "$T/u/evil" || fail "the user cannot make its FIFO"
as_user unshare -Urm true 2>/dev/null ||
	skip "unprivileged user namespaces are off here (unshare -Urm fails)"

write_daemon_config mode=mini max_size=64M remove_duplicates=false
register
start_daemon

# Samples the daemon's unwinder children (comm crashd) every few ms.
sample() {
	set +e
	local p s
	while :; do
		for p in $(pgrep -P "$DAEMON_PID" -x crashd 2>/dev/null); do
			s=$(grep -E '^(Uid|CapEff|NoNewPrivs):' "/proc/$p/status" 2>/dev/null | tr '\n\t' '  ')
			[[ -n $s ]] && echo "$p $s"
		done
		nap 0.003
	done
}
sample >"$T/samples" 2>/dev/null &
SAMPLER=$!

info "three crashes of the user's program at a path that is a FIFO on the host"
t0=$(date +%s%N)
user_dumps=()
for i in 1 2 3; do
	d_crash as_user unshare -Urm sh -c \
		"mount --bind $T/u/real $T/u/evil && exec $T/u/evil segv"
	user_dumps+=("$DUMP")
	expect_eq "the crash's executable" "$T/u/evil" "$(cat "$DUMP/executable")"
	grep -q $'^mnt\t.*\town$' "$DUMP/namespaces" ||
		fail "the user's crash is not in its own mount namespace: $(cat "$DUMP/namespaces")"
done
info "root's crash right after them"
d_crash "$CRASHD_VICTIM" segv
root_dump=$DUMP
t1=$(date +%s%N)
wait_until 10 "root's dump to be processed" test -e "$root_dump/processed"
t2=$(date +%s%N)
root_ms=$(((t2 - t1) / 1000000))
((root_ms < 3000)) ||
	fail "root's crash took $root_ms ms to be processed behind the user's"
for d in "${user_dumps[@]}"; do
	wait_processed "$d"
	[[ -s $d/backtrace ]] || fail "no backtrace for $d"
	! grep -q 'took longer than' "$d/backtrace" ||
		fail "the unwinder of $d was killed: $(cat "$d/backtrace")"
	grep -q '^Thread .* (crashed):' "$d/backtrace" ||
		fail "no crashing thread in $d's backtrace: $(head -5 "$d/backtrace")"
done
t3=$(date +%s%N)
all_ms=$(((t3 - t0) / 1000000))
[[ -p $T/u/evil ]] || fail "the FIFO is gone"
kill "$SAMPLER" 2>/dev/null || true
wait "$SAMPLER" 2>/dev/null || true
SAMPLER=

confined=$(grep -c 'NoNewPrivs: *1' "$T/samples" || true)
bad=$(grep 'NoNewPrivs: *1' "$T/samples" |
	grep -Ev 'Uid: *[1-9][0-9]* .*CapEff: *0+ ' || true)
[[ -z $bad ]] || fail "a confined unwinder ran as root or with capabilities: $bad"
uids=$(grep 'NoNewPrivs: *1' "$T/samples" | sed -E 's/.*Uid: *([0-9]+).*/\1/' | sort -u | tr '\n' ' ')
expect_daemon_alive
stop_daemon
info "root's crash processed $root_ms ms after it was stored (3 FIFO crashes before it)"
info "all 4 crashes processed in $all_ms ms; unwinder samples confined: $confined (uids: ${uids:-none seen}; the user is $uid, nobody $(id -u nobody))"
echo PASS
