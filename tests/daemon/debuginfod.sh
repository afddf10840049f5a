#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# debuginfod (issue 4): a stripped program whose debug info is on no
# local path, only on a real debuginfod server (elfutils' own, scanning a
# directory).  With daemon.backtrace.debuginfod_urls set, the backtrace
# names the crashing function from the server's file, kept in the
# configured cache; without it (the default) nothing is fetched, even
# when crashd's environment has DEBUGINFOD_URLS (Debian's profile.d sets
# it for login shells).
#
# debuginfod listens on every address: the test runs in a network
# namespace of its own, where only its loopback exists.  The kernel runs
# the hook in the initial namespaces; it needs no network.
if [[ ${CRASHD_NETNS:-} != 1 ]]; then
	if [[ $(id -u) -eq 0 ]] && command -v unshare >/dev/null; then
		exec unshare --net env CRASHD_NETNS=1 bash "$0" "$@"
	fi
fi
source "$(dirname "$0")/lib_daemon.sh"

[[ ${CRASHD_NETNS:-} == 1 ]] || skip "unshare (util-linux) cannot make a network namespace"
command -v debuginfod >/dev/null || skip "debuginfod (elfutils' server) is not installed"
ip link set lo up || fail "cannot bring up lo in the test's network namespace"

# The victim, stripped, with no .gnu_debuglink: its debug info is on the
# server alone.
cp "$CRASHD_VICTIM" "$T/di-victim"
mkdir -p "$T/srv"
objcopy --only-keep-debug "$T/di-victim" "$T/srv/di-victim.debug"
strip --strip-all "$T/di-victim"
chmod 755 "$T/di-victim"
build_id=$(readelf -n "$T/di-victim" | sed -n 's/^ *Build ID: *//p')
[[ -n $build_id ]] || fail "the victim has no build id"

port=8002
url=http://127.0.0.1:$port
# (It dies with this shell, as crashd does.)
setpriv --pdeathsig KILL debuginfod -p "$port" -F -d "$T/debuginfod.sqlite" \
	-t 0 -g 0 "$T/srv" </dev/null >"$T/debuginfod.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
served() {
	curl -sf -o /dev/null --max-time 2 "$url/buildid/$build_id/debuginfo"
}
wait_until 30 "debuginfod to serve $build_id (its log: $(tail -3 "$T/debuginfod.log"))" served
info "debuginfod serves the victim's debug info at $url"

# crash_victim: one crash; $DUMP is its processed dump.
crash_victim() {
	d_crash "$T/di-victim" segv
	wait_processed "$DUMP"
	[[ -s $DUMP/backtrace ]] || fail "no backtrace in $DUMP: $(ls "$DUMP")"
}

info "default: nothing fetched, even with DEBUGINFOD_URLS in crashd's environment"
write_daemon_config mode=mini remove_duplicates=false actions="$(log_action)"
register
export DEBUGINFOD_URLS=$url DEBUGINFOD_CACHE_PATH=$T/env-cache
start_daemon
unset DEBUGINFOD_URLS DEBUGINFOD_CACHE_PATH
crash_victim
grep -q ' crash+0x' "$DUMP/backtrace" &&
	fail "the backtrace names crash() without debuginfod: $(head -3 "$DUMP/backtrace")"
[[ ! -e $T/env-cache ]] || fail "something was fetched into $T/env-cache: $(find "$T/env-cache")"
stop_daemon

info "debuginfod_urls set: the crashing function, from the server"
write_daemon_config mode=mini remove_duplicates=false actions="$(log_action)" \
	backtrace="debuginfod_urls = \"$url\"; debuginfod_cache = \"$T/cache/debuginfod\";"
start_daemon
crash_victim
sed -n 2p "$DUMP/backtrace" | grep -q '^#0 .* crash+0x[0-9a-f]* (.*di-victim)' ||
	fail "frame 0 is not crash(): $(head -3 "$DUMP/backtrace")"
grep -q "$(printf '\tcrash\t')" "$DUMP/backtrace_frames" ||
	fail "backtrace_frames has no crash(): $(head -3 "$DUMP/backtrace_frames")"
[[ -s $T/cache/debuginfod/$build_id/debuginfo ]] ||
	fail "the debug info is not in the configured cache: $(find "$T/cache" 2>&1 | head)"
stop_daemon
echo PASS
