#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging.deb: the package scripts/build-deb (./setup deb) builds is
# lintian-clean; dpkg -i installs every file with its owner and mode, the
# conffile, the spool of crashd.tmpfiles, and makes crashd the handler at
# once, saying what it replaced; the units' registration and daemon, run
# as systemd would, handle a real crash; the units verify and the daemon's
# sandbox scores at most 3.0; dpkg --purge removes it all and leaves the
# kernel's three settings exactly as they were.
source "$(dirname "$0")/lib_pkg.sh"

info "build"
pkg_build
expect_eq "package name" "crashd_$(sed -n 's/^project(crashd VERSION \([0-9.]*\).*/\1/p' "$PKG_SRC/CMakeLists.txt")_$(dpkg-architecture -qDEB_HOST_ARCH).deb" "${PKG_DEB##*/}"
LIB_DEB=${PKG_DEB%/*}/libcrashd1_${PKG_DEB#*/crashd_}
DEV_DEB=${PKG_DEB%/*}/libcrashd-dev_${PKG_DEB#*/crashd_}
[[ -f $LIB_DEB && -f $DEV_DEB ]] || fail "no $LIB_DEB and $DEV_DEB beside $PKG_DEB"
info "lintian"
lintian --fail-on error,warning "$PKG_DEB" "$LIB_DEB" "$DEV_DEB" >"$T/lintian.out" 2>&1 ||
	fail "lintian: $(cat "$T/lintian.out")"

info "install over a file pattern"
mkdir -p "$T/cores"
before_pattern="$T/cores/core.%e.%p"
printf '%s\n' "$before_pattern" >/proc/sys/kernel/core_pattern
echo 0 >/proc/sys/kernel/core_pipe_limit
echo 0 >/proc/sys/fs/suid_dumpable
kernel_now
before=("$KERNEL_PATTERN" "$KERNEL_PIPE_LIMIT" "$KERNEL_SUID")
expect_eq "the pattern set" "$before_pattern" "$KERNEL_PATTERN"
pkg_install "$PKG_DEB" crashd
expect_registered "after dpkg -i"
expect_file_has "$PKG_OUT" "installed: $HOOK_LINE" "dpkg -i's output"
expect_file_has "$PKG_OUT" "replaced a file pattern: \"$before_pattern\"" "dpkg -i's output"
expect_eq "'replaced' lines in dpkg -i's output" 1 "$(grep -c replaced "$PKG_OUT")"

info "every installed path: owner, mode"
dpkg -L crashd >"$T/files"
expected=(
	/usr/sbin/crashd /usr/bin/crashd-cli /usr/libexec/crashd-hook
	/etc/crashd/crashd.conf
	$PKG_UNITDIR/crashd.service $PKG_UNITDIR/crashd-hook.service
	/usr/lib/tmpfiles.d/crashd.conf
	/usr/share/man/man1/crashd-cli.1.gz /usr/share/man/man5/crashd.conf.5.gz
	/usr/share/man/man8/crashd.8.gz /usr/share/man/man8/crashd-hook.8.gz
	/usr/share/doc/crashd/copyright /usr/share/doc/crashd/changelog.gz
	/usr/share/doc/crashd/examples/crashd-rules.yml
)
for f in "${expected[@]}"; do
	grep -Fxq "$f" "$T/files" || fail "dpkg -L crashd does not list $f: $(tr '\n' ' ' <"$T/files")"
done
nfiles=0
while read -r f; do
	[[ $f == /. ]] && continue
	[[ -e $f ]] || fail "dpkg -L lists $f, which is not there"
	got=$(stat -c '%U:%G %a %F' "$f")
	if [[ -d $f ]]; then
		# (/lib is /usr/lib's symbolic link on a merged-/usr system.)
		got=$(stat -L -c '%U:%G %a %F' "$f")
		want="root:root 755 directory"
	else
		case $f in
		/usr/sbin/* | /usr/bin/* | /usr/libexec/*) want="root:root 755 regular file" ;;
		*) want="root:root 644 regular file" ;;
		esac
		nfiles=$((nfiles + 1))
	fi
	expect_eq "owner and mode of $f" "$want" "$got"
done <"$T/files"
info "$nfiles files checked"
grep -Eq '^ /etc/crashd/crashd.conf [0-9a-f]{32}$' <<<"$(dpkg-query -W -f='${Conffiles}\n' crashd)" ||
	fail "/etc/crashd/crashd.conf is not a conffile: $(dpkg-query -W -f='${Conffiles}' crashd)"
cmp /etc/crashd/crashd.conf "$PKG_SRC/conf/crashd.conf" || fail "the installed crashd.conf is not conf/crashd.conf"

info "the spool, as packaging/crashd.tmpfiles says"
n=0
while read -r type path mode user group _; do
	[[ $type == d ]] || continue
	expect_eq "$path" "$user:$group ${mode#0} directory" "$(stat -c '%U:%G %a %F' "$path" 2>&1)"
	n=$((n + 1))
done < <(grep -v '^#' "$PKG_SRC/packaging/crashd.tmpfiles")
((n >= 3)) || fail "crashd.tmpfiles has $n directories, expected the spool, .incoming, .state"

info "the registration, as crashd-hook.service runs it"
unit_run crashd-hook.service ExecStop
expect_kernel "after ExecStop" "${before[@]}"
expect_file_has "$UNIT_OUT" "core_pattern is \"$before_pattern\" again" "ExecStop's output"
unit_run crashd-hook.service ExecStart
expect_registered "after ExecStart"
expect_file_has "$UNIT_OUT" "replaced a file pattern: \"$before_pattern\"" "ExecStart's output"
# Again (a restart, a second boot step): nothing more replaced or saved.
unit_run crashd-hook.service ExecStart
expect_registered "after a second ExecStart"
! grep -q replaced "$UNIT_OUT" || fail "a second ExecStart says: $(cat "$UNIT_OUT")"

info "a real crash: the installed hook, then the installed daemon"
copy_victim victim
crash_and_wait "$T/victim" segv
[[ -z $(ls -A "$T/cores") ]] || fail "a core file was written: $(ls "$T/cores")"
expect_item executable "$T/victim"
start_installed_daemon
for ((i = 0; i < 3000; i++)); do
	[[ -f $DUMP/processed ]] && break
	kill -0 "$PKG_DAEMON_PID" 2>/dev/null || fail "the installed crashd exited: $(cat "$T/daemon.log")"
	nap 0.01
done
[[ -f $DUMP/processed ]] || fail "the installed crashd did not process $DUMP within 30 s: $(cat "$T/daemon.log")"
grep -Fq "crash: ${DUMP##*/}: \"$T/victim\" pid $VICTIM_PID uid 0 SIGSEGV, count 1" "$T/daemon.log" ||
	fail "the daemon's log action did not report the crash: $(cat "$T/daemon.log")"
crashd-cli list >"$T/list.out" 2>&1 || fail "crashd-cli list: $(cat "$T/list.out")"
expect_file_has "$T/list.out" "${DUMP##*/}" "crashd-cli list"
expect_file_has "$T/list.out" "$T/victim" "crashd-cli list"
pkg_stop_daemon

info "the units: systemd-analyze verify, security"
for u in crashd.service crashd-hook.service; do
	systemd-analyze verify "$PKG_UNITDIR/$u" >"$T/verify.out" 2>&1 ||
		fail "systemd-analyze verify $u: $(cat "$T/verify.out")"
	[[ ! -s $T/verify.out ]] || fail "systemd-analyze verify $u warns: $(cat "$T/verify.out")"
	systemd-analyze security --offline=true "$PKG_UNITDIR/$u" >"$T/security.out" 2>&1 || true
	score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' "$T/security.out")
	[[ $score =~ ^[0-9]+\.[0-9]$ ]] || fail "no score from systemd-analyze security $u: $(tail -n 5 "$T/security.out")"
	info "$u: exposure $score"
	if [[ $u == crashd.service ]] && ! awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }'; then
		fail "crashd.service's exposure is $score, above 3.0: $(cat "$T/security.out")"
	fi
done

info "libcrashd1 and libcrashd-dev: a program built with pkg-config crashd"
pkg_install "$LIB_DEB" libcrashd1
pkg_install "$DEV_DEB" libcrashd-dev
ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for f in /usr/lib/$ma/libcrashd.so.1 /usr/lib/$ma/libcrashd.so /usr/lib/$ma/libcrashd.a \
	/usr/include/crashd.h /usr/lib/$ma/pkgconfig/crashd.pc /usr/share/man/man3/crashd_snapshot.3.gz; do
	[[ -e $f ]] || fail "$f is not installed by libcrashd1/libcrashd-dev"
done
cat >"$T/snap.c" <<'C'
#include <crashd.h>
#include <stdio.h>
int main(void) { crashd_snapshot_limit(0, 1); printf("%d\n", crashd_snapshot("test", 0)); return !CRASHD_ASSERT(1); }
C
cc -o "$T/snap" "$T/snap.c" $(pkg-config --cflags --libs crashd) 2>"$T/cc.out" ||
	fail "cc with pkg-config crashd: $(cat "$T/cc.out")"
expect_eq "crashd_snapshot() under a ceiling of 0" 0 "$("$T/snap")"
ldd "$T/snap" | grep -Eq "libcrashd.so.1 => (/usr)?/lib/$ma/libcrashd.so.1 " ||
	fail "the program does not use the installed libcrashd.so.1: $(ldd "$T/snap")"
pkg_remove libcrashd-dev
pkg_remove libcrashd1
[[ ! -e /usr/lib/$ma/libcrashd.so.1 && ! -e /usr/include/crashd.h ]] ||
	fail "libcrashd's files are still there after purge"

info "dpkg --purge"
pkg_remove crashd
expect_file_has "$PKG_OUT" "core_pattern is \"$before_pattern\" again" "dpkg --purge's output"
expect_kernel "after purge" "${before[@]}"
[[ $(pkg_status crashd) != *installed* ]] || fail "crashd is still '$(pkg_status crashd)'"
while read -r f; do
	[[ -d $f ]] && continue
	[[ ! -e $f && ! -L $f ]] || fail "$f is still there after purge"
done <"$T/files"
for d in /etc/crashd /usr/share/doc/crashd /var/spool/crashd /var/cache/crashd /run/crashd; do
	[[ ! -e $d ]] || fail "$d is still there after purge: $(ls -lA "$d")"
done
echo PASS
