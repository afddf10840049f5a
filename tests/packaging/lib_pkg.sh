# SPDX-License-Identifier: GPL-2.0-or-later
# lib_pkg.sh: sourced by the packaging tests.  On top of
# ../integration/lib.sh (the core_pattern lock, the guardian that restores
# core_pattern, core_pipe_limit and suid_dumpable on every exit path): the
# package's build, its installation and a purge on every exit path, the
# units' commands run as systemd would run them (no systemd as PID 1
# here), and the installed daemon.
#
# Environment (set by tests/packaging/CMakeLists.txt): those of lib.sh,
# and CRASHD_PKG_STAMP, where packaging.deb notes the package it built
# (packaging.coexist reuses it while it is newer than every source file).

if [[ ${CRASHD_SANITIZE:-0} == 1 ]]; then
	# (Before lib.sh: no lock taken for a skip.)
	echo "SKIP: the package is built with the distribution's flags, not the" \
		"sanitizers: the gcc build's run of this test covers it"
	exit 77
fi
source "$(dirname "$0")/../integration/lib.sh"

PKG_SRC=$(cd "$(dirname "$0")/../.." && pwd)
PKG_UNITDIR=/lib/systemd/system
# Where ./setup puts the .debs the tests install (no network here).
PKG_CACHE=/var/cache/crashd-tests
# Present while a test's crashd package is installed: a test killed before
# its purge (SIGKILL) leaves it, and the next run purges that package.
PKG_MARK=$PKG_CACHE/crashd-installed-by-test
PKG_DAEMON_PID=
# Packages this test installed, purged at exit (newest first).
PKG_INSTALLED=()

pkg_status() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true
}

pkg_purge() {
	dpkg --purge "$1" >"$T/purge-$1.out" 2>&1 ||
		echo "dpkg --purge $1 failed: $(cat "$T/purge-$1.out")" >&2
}

pkg_stop_daemon() {
	[[ -n $PKG_DAEMON_PID ]] || return 0
	kill -TERM "$PKG_DAEMON_PID" 2>/dev/null || true
	wait "$PKG_DAEMON_PID" 2>/dev/null || true
	PKG_DAEMON_PID=
}

pkg_on_exit() {
	local rc=$? i
	trap - EXIT
	set +e
	pkg_stop_daemon
	for ((i = ${#PKG_INSTALLED[@]} - 1; i >= 0; i--)); do
		pkg_purge "${PKG_INSTALLED[i]}"
	done
	rm -f "$PKG_MARK"
	(exit "$rc")
	crashd_on_exit
}
trap pkg_on_exit EXIT

if [[ -e $PKG_MARK && $(pkg_status crashd) == *installed* ]]; then
	echo "purging the crashd package an earlier test run left installed"
	dpkg --purge crashd >/dev/null || fail "dpkg --purge crashd (left by an earlier run) failed"
	rm -f "$PKG_MARK"
fi
[[ $(pkg_status crashd) != *installed* ]] ||
	skip "a crashd package is installed on this machine: the test would replace and purge it"
for _d in /var/spool/crashd /var/cache/crashd; do
	[[ ! -e $_d ]] || skip "$_d exists: purging the test's package would remove it"
done
# The installed hook stores crashes here (the shipped config).
SPOOL=/var/spool/crashd
CONF=/etc/crashd/crashd.conf

# pkg_build: sets PKG_DEB to a package built from this tree: a fresh
# build, unless $1 is "reuse" and packaging.deb's is newer than every
# source file.
pkg_build() {
	local newer
	if [[ ${1:-} == reuse && -s ${CRASHD_PKG_STAMP:-} ]]; then
		PKG_DEB=$(cat "$CRASHD_PKG_STAMP")
		if [[ -f $PKG_DEB ]]; then
			# (All of them: a "| head" would fail the pipeline.)
			newer=$(cd "$PKG_SRC" && git ls-files -z --cached --others --exclude-standard |
				xargs -0 -r sh -c 'for f; do if [ "$f" -nt "$0" ]; then echo "$f"; fi; done' "$PKG_DEB") ||
				fail "listing the sources newer than $PKG_DEB failed"
			newer=${newer%%$'\n'*}
			if [[ -z $newer ]]; then
				info "reusing $PKG_DEB (built by packaging.deb, newer than the sources)"
				return 0
			fi
			info "not reusing $PKG_DEB: $newer is newer"
		fi
	fi
	"$PKG_SRC/scripts/build-deb" >"$T/build-deb.out" 2>&1 ||
		fail "scripts/build-deb failed: $(tail -n 40 "$T/build-deb.out")"
	PKG_DEB=$(tail -n 1 "$T/build-deb.out")
	[[ -f $PKG_DEB ]] || fail "scripts/build-deb's last line is no file: $PKG_DEB"
	[[ -z ${CRASHD_PKG_STAMP:-} ]] || echo "$PKG_DEB" >"$CRASHD_PKG_STAMP"
}

# pkg_install DEB NAME: dpkg -i, output in $PKG_OUT; purged at exit.
pkg_install() {
	PKG_OUT=$T/install-$2.out
	[[ $2 != crashd ]] || : >"$PKG_MARK"
	PKG_INSTALLED+=("$2")
	dpkg -i "$1" >"$PKG_OUT" 2>&1 || fail "dpkg -i $1 failed: $(cat "$PKG_OUT")"
	[[ $(pkg_status "$2") == "install ok installed" ]] ||
		fail "after dpkg -i, $2's status is '$(pkg_status "$2")'"
}

# pkg_remove NAME: dpkg --purge, output in $PKG_OUT.
pkg_remove() {
	local i
	PKG_OUT=$T/purge-$1.out
	dpkg --purge "$1" >"$PKG_OUT" 2>&1 || fail "dpkg --purge $1 failed: $(cat "$PKG_OUT")"
	for i in "${!PKG_INSTALLED[@]}"; do
		[[ ${PKG_INSTALLED[i]} != "$1" ]] || unset 'PKG_INSTALLED[i]'
	done
	PKG_INSTALLED=("${PKG_INSTALLED[@]}")
	[[ $1 != crashd ]] || rm -f "$PKG_MARK"
}

# unit_cmd UNIT KEY: sets UNIT_ARGV to the installed unit's KEY= command
# (ExecStart, ExecStop, ExecStartPre), as systemd splits it (the units
# use no quoting; a leading - @ : + ! prefix is dropped).
unit_cmd() {
	local f=$PKG_UNITDIR/$1 line n
	[[ -f $f ]] || fail "$f is not installed"
	n=$(grep -c "^$2=" "$f" || true)
	[[ $n == 1 ]] || fail "$f has $n $2= lines, expected 1"
	line=$(sed -n "s/^$2=//p" "$f")
	line=${line##[-@:+!]}
	read -r -a UNIT_ARGV <<<"$line"
	[[ -x ${UNIT_ARGV[0]} ]] || fail "$1's $2= runs ${UNIT_ARGV[0]}, which is not an installed executable"
}

# unit_run UNIT KEY: runs that command; output in $UNIT_OUT.
unit_run() {
	unit_cmd "$1" "$2"
	UNIT_OUT=$T/$1.$2.out
	"${UNIT_ARGV[@]}" >"$UNIT_OUT" 2>&1 9>&- {CRASHD_GUARD_FD}>&- ||
		fail "$1's $2 (${UNIT_ARGV[*]}) failed: $(cat "$UNIT_OUT")"
}

# expect_kernel WHAT PATTERN PIPE_LIMIT SUID
expect_kernel() {
	expect_eq "$1: core_pattern" "$2" "$(cat /proc/sys/kernel/core_pattern)"
	expect_eq "$1: core_pipe_limit" "$3" "$(cat /proc/sys/kernel/core_pipe_limit)"
	expect_eq "$1: suid_dumpable" "$4" "$(cat /proc/sys/fs/suid_dumpable)"
}

# kernel_now: "PATTERN<newline>PIPE_LIMIT<newline>SUID" as they are.
kernel_now() {
	KERNEL_PATTERN=$(cat /proc/sys/kernel/core_pattern)
	KERNEL_PIPE_LIMIT=$(cat /proc/sys/kernel/core_pipe_limit)
	KERNEL_SUID=$(cat /proc/sys/fs/suid_dumpable)
}

# expect_registered WHAT: core_pattern is exactly the installed hook's
# --pattern line, with a pipe limit and suid_dumpable that let it work.
expect_registered() {
	local line
	line=$(/usr/libexec/crashd-hook --pattern) || fail "/usr/libexec/crashd-hook --pattern failed"
	expect_eq "$1: core_pattern" "$line" "$(cat /proc/sys/kernel/core_pattern)"
	(($(cat /proc/sys/kernel/core_pipe_limit) >= 1)) ||
		fail "$1: core_pipe_limit is $(cat /proc/sys/kernel/core_pipe_limit)"
	expect_eq "$1: suid_dumpable" 2 "$(cat /proc/sys/fs/suid_dumpable)"
	HOOK_LINE=$line
}

# expect_file_has FILE FIXED-STRING WHAT
expect_file_has() {
	grep -Fq -- "$2" "$1" || fail "$3: no '$2' in: $(cat "$1")"
}

# start_installed_daemon: the installed crashd as crashd.service runs it
# (ExecStartPre, then ExecStart in the background), log in $T/daemon.log.
start_installed_daemon() {
	unit_run crashd.service ExecStartPre
	unit_cmd crashd.service ExecStart
	"${UNIT_ARGV[@]}" >"$T/daemon.log" 2>&1 9>&- {CRASHD_GUARD_FD}>&- &
	PKG_DAEMON_PID=$!
}
