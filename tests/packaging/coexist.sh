#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# packaging.coexist: with systemd-coredump installed (the installed
# systemd's version, from the .deb ./setup downloaded), installing crashd
# replaces it and says so; a simulated boot (the unit's ExecStop, a fresh
# kernel's "core", systemd-sysctl applying 50-coredump.conf, then the
# unit's ExecStart) leaves crashd registered with systemd-coredump's line
# saved; purging crashd gives systemd-coredump its line back.
source "$(dirname "$0")/lib_pkg.sh"

sd_version=$(dpkg-query -W -f='${Version}' systemd) || skip "systemd is not installed"
sd_debs=("$PKG_CACHE"/systemd-coredump_"${sd_version/:/%3a}"_*.deb)
if [[ $(pkg_status systemd-coredump) == "install ok installed" ]]; then
	# An operator's: used as it is, and left installed.
	expect_eq "systemd-coredump's version" "$sd_version" "$(dpkg-query -W -f='${Version}' systemd-coredump)"
	info "systemd-coredump is installed already"
	systemd-sysctl 50-coredump.conf || fail "systemd-sysctl 50-coredump.conf failed"
else
	[[ -f ${sd_debs[0]} ]] ||
		skip "no systemd-coredump $sd_version .deb in $PKG_CACHE (./setup downloads it; this test does not reach the network)"
	pkg_build reuse
	info "dpkg -i systemd-coredump $sd_version"
	pkg_install "${sd_debs[0]}" systemd-coredump
fi
kernel_now
sd=("$KERNEL_PATTERN" "$KERNEL_PIPE_LIMIT" "$KERNEL_SUID")
[[ ${sd[0]} == "|/lib/systemd/systemd-coredump "* ]] ||
	fail "systemd-coredump's package did not register it: core_pattern is '${sd[0]}'"
info "systemd-coredump's line: ${sd[0]} (pipe limit ${sd[1]}, suid_dumpable ${sd[2]})"
[[ -n ${PKG_DEB:-} ]] || pkg_build reuse

info "install crashd"
pkg_install "$PKG_DEB" crashd
expect_registered "after dpkg -i crashd"
expect_file_has "$PKG_OUT" "replaced systemd-coredump: \"${sd[0]}\"" "dpkg -i crashd's output"

info "a boot: ExecStop, a fresh kernel, systemd-sysctl, ExecStart"
unit_run crashd-hook.service ExecStop
expect_kernel "after ExecStop" "${sd[@]}"
printf 'core\n' >/proc/sys/kernel/core_pattern
/lib/systemd/systemd-sysctl >"$T/sysctl.out" 2>&1 || fail "systemd-sysctl failed: $(cat "$T/sysctl.out")"
expect_eq "core_pattern after systemd-sysctl" "${sd[0]}" "$(cat /proc/sys/kernel/core_pattern)"
unit_run crashd-hook.service ExecStart
expect_registered "after ExecStart"
expect_file_has "$UNIT_OUT" "replaced systemd-coredump: \"${sd[0]}\"" "ExecStart's output"
crashd-cli status >"$T/status.out" 2>&1 || true
expect_file_has "$T/status.out" "$HOOK_LINE" "crashd-cli status"
expect_file_has "$T/status.out" "replaced systemd-coredump: ${sd[0]}" "crashd-cli status"

info "purge crashd: systemd-coredump's line again"
pkg_remove crashd
expect_kernel "after purging crashd" "${sd[@]}"
[[ ! -e /var/spool/crashd ]] || fail "the spool is still there after purge"
echo PASS
