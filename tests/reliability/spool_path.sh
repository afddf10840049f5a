#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 14b, the spool's path: a real non-root user who owns a
# directory on the spool's path replaces the spool with a symlink to a
# root-owned directory of their choice.  Before, the hook followed it and
# wrote root's dumps there.  Now the hook stores nothing (and says why in
# syslog), the daemon does not start and crashd-cli refuses, each naming
# the component a user could change.  A spool path that is itself a
# symlink is refused too, even in root-owned directories; /tmp (sticky)
# on the way is fine.
source "$(dirname "$0")/../daemon/lib_daemon.sh"

test_user crashd-rel-sp
uid=$TEST_UID
gid=$TEST_GID

# The user's directory on the way, the spool in it, and where the user
# wants root's dumps to go: a root-owned directory.
mkdir -p "$T/home" "$T/target"
chown "$uid:$gid" "$T/home"
chmod 755 "$T/home" "$T/target"
SPOOL=$T/home/spool
write_daemon_config spool="$SPOOL"
mkdir -m 755 "$SPOOL"
register
copy_victim victim

info "the user swaps the spool for a symlink to $T/target"
as_user mv "$SPOOL" "$T/home/old"
as_user ln -s "$T/target" "$SPOOL"
run_victim "$T/victim" segv
nap 0.5
wait_incoming_empty 2>/dev/null || true
n=$(find "$T/target" -mindepth 1 -maxdepth 1 | wc -l)
info "entries the hook made in $T/target: $n"
((n == 0)) || fail "the hook followed the user's symlink: $(ls -A "$T/target")"

out=$("$CRASHD_CLI" -c "$CONF" list 2>&1) && fail "crashd-cli list accepts the spool: $out"
info "crashd-cli: $out"
[[ $out == *"open spool $SPOOL: $SPOOL is a symlink"* ]] || fail "unexpected: $out"

info "the user puts a real directory back: the spool is below a directory of theirs"
as_user rm "$SPOOL"
mkdir -m 755 "$SPOOL"
out=$("$CRASHD_CLI" -c "$CONF" list 2>&1) && fail "crashd-cli list accepts the spool: $out"
info "crashd-cli: $out"
[[ $out == *"$T/home is owned by uid $uid, not root"* ]] || fail "unexpected: $out"
echo "=== start $(date +%T.%N)" >>"$DLOG"
rc=0
timeout 20 "$CRASHD_DAEMON" -f -c "$CONF" </dev/null >>"$DLOG" 2>&1 9>&- {CRASHD_GUARD_FD}>&- || rc=$?
info "crashd: exit status $rc, $(grep -m1 'open spool' "$DLOG")"
((rc != 0 && rc != 124)) || fail "crashd started (status $rc) on a spool a user can move"
expect_log "open spool $SPOOL: $T/home is owned by uid $uid, not root: that user could move what is below it, not starting"
run_victim "$T/victim" segv
nap 0.5
n=$(find "$SPOOL" "$T/target" -mindepth 1 -maxdepth 1 | wc -l)
((n == 0)) || fail "the hook stored a crash in a spool a user can move: $(ls -A "$SPOOL" "$T/target")"

info "the same, made root's again: the crash is stored, the daemon starts"
chown 0:0 "$T/home"
crash_and_wait "$T/victim" segv
start_daemon
wait_processed "$DUMP"
stop_daemon

info "a spool path that is a symlink in root's directories is refused too"
ln -s "$SPOOL" "$T/link"
sed -i "s|^spool = .*|spool = \"$T/link\";|" "$CONF"
out=$("$CRASHD_CLI" -c "$CONF" list 2>&1) && fail "crashd-cli list accepts a symlink spool: $out"
info "crashd-cli: $out"
[[ $out == *"$T/link is a symlink: it must be the directory itself"* ]] || fail "unexpected: $out"
