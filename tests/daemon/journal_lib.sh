# SPDX-License-Identifier: GPL-2.0-or-later
# journal_lib.sh: sourced after lib_daemon.sh by the journal tests.  A real
# systemd-journald of the test's own, in a private mount namespace: /run
# is a fresh tmpfs there (the journal's sockets and its volatile storage,
# /run/log/journal, are the test's), journald.conf is the test's (no
# forwarding), and /dev/kmsg is /dev/null (systemd 252's journald has no
# ReadKMSG=: it would copy the kernel's log, and write its own there).  The host's journal is never written or
# read.  The daemon runs in that namespace (DAEMON_WRAP), so its
# sd_journal_sendv() reaches this journald; in_jns runs any command there.
# coredumpctl comes from the systemd-coredump package ./setup downloads to
# /var/cache/crashd-tests, unpacked into $T: installing it would take
# core_pattern.

JNS_PID=
JOURNAL_DIR=/run/log/journal # as seen in the namespace

[[ -x /lib/systemd/systemd-journald ]] ||
	skip "no /lib/systemd/systemd-journald (Debian's systemd package) to test against"
command -v nsenter >/dev/null || skip "nsenter (util-linux) is needed"

# unpack_coredumpctl: sets COREDUMPCTL to a coredumpctl of the installed
# systemd's version.
unpack_coredumpctl() {
	local deb
	deb=$(ls /var/cache/crashd-tests/systemd-coredump_*.deb 2>/dev/null | head -n1)
	[[ -n $deb ]] ||
		skip "no systemd-coredump package in /var/cache/crashd-tests (./setup downloads it; the download failed)"
	dpkg-deb -x "$deb" "$T/sc" || fail "cannot unpack $deb"
	COREDUMPCTL=$T/sc/usr/bin/coredumpctl
	[[ -x $COREDUMPCTL ]] || fail "no usr/bin/coredumpctl in $deb"
}

start_journald() {
	cat >"$T/journald.conf" <<'CONF'
[Journal]
Storage=volatile
ForwardToSyslog=no
ForwardToKMsg=no
ForwardToConsole=no
ForwardToWall=no
RateLimitIntervalSec=0
CONF
	unshare -m --propagation private setpriv --pdeathsig KILL \
		bash -c 'mount -t tmpfs -o mode=0755 tmpfs /run &&
			mount --bind "$1" /etc/systemd/journald.conf &&
			mount --bind /dev/null /dev/kmsg &&
			exec /lib/systemd/systemd-journald' journald "$T/journald.conf" \
		</dev/null >"$T/journald.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	JNS_PID=$!
	SERVER_PIDS+=("$JNS_PID")
	wait_until 10 "systemd-journald's socket" in_jns test -S /run/systemd/journal/socket
	DAEMON_WRAP=(nsenter -t "$JNS_PID" -m --)
}

in_jns() {
	nsenter -t "$JNS_PID" -m -- "$@"
}

# coredumpctl ARGS...: the unpacked coredumpctl on the test's journal.
coredumpctl() {
	in_jns "$COREDUMPCTL" --no-pager -D "$JOURNAL_DIR" "$@"
}

# jctl ARGS...: journalctl on the test's journal.
jctl() {
	in_jns journalctl --no-pager -D "$JOURNAL_DIR" "$@"
}

# journal_entries MATCH...: how many entries of the test's journal match.
journal_entries() {
	jctl -q -o export "$@" 2>/dev/null | grep -c '^__CURSOR=' || true
}

# journal_action: the journal action's config entry.
journal_action() {
	echo '{ name = "journal"; type = "journal"; }'
}
