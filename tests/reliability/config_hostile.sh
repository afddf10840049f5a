#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Finding 12: configs that libconfig chokes on or misreads.  A 10 MB
# config (libconfig took 54 s of CPU on one, and the hook parses the
# config on every crash) and a FIFO named as the config (check-config and
# the hook blocked forever) are refused at once, by check-config and by
# the hook the kernel runs (which then falls back to its defaults); a
# count of 0 in a rate, a NUL in a string and an integer past its range
# are errors naming the file, the line, the key and the value as written.
source "$(dirname "$0")/../integration/lib.sh"

[[ -x $CRASHD_CLI ]] || fail "CRASHD_CLI=$CRASHD_CLI is not an executable"
command -v unshare >/dev/null || skip "unshare (util-linux) is needed"

mkdir -p "$T/etc"
big=$T/b.conf
fifo=$T/f.conf
# 10 MB of settings in one section: what makes libconfig quadratic.
/usr/bin/python3 -c '
import sys
with open(sys.argv[1], "w") as f:
    i = 0
    while f.tell() < 10 * 1024 * 1024:
        f.write("k%d = %d;\n" % (i, i)); i += 1' "$big"
mkfifo "$fifo"
chmod 644 "$big" "$fifo"

# check FILE: runs check-config on FILE (60 s at most); CC_MS, CC_OUT.
check() {
	local t0=$EPOCHREALTIME rc=0
	timeout 60 "$CRASHD_CLI" check-config "$1" >"$T/cc.out" 2>&1 || rc=$?
	CC_MS=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
	CC_OUT=$(cat "$T/cc.out")
	((rc != 124)) || fail "check-config $1 did not return within 60 s"
	((rc != 0)) || fail "check-config accepts $1: $CC_OUT"
}

info "check-config on a 10 MB config and on a FIFO"
check "$big"
info "10 MB config: refused in $CC_MS ms: $CC_OUT"
[[ $CC_OUT == "$big: "*" bytes, a config is at most 1048576 "* ]] || fail "unexpected error: $CC_OUT"
((CC_MS < 2000)) || fail "check-config took $CC_MS ms on the 10 MB config"
check "$fifo"
info "FIFO: refused in $CC_MS ms: $CC_OUT"
[[ $CC_OUT == "$fifo: not a regular file (a FIFO)" ]] || fail "unexpected error: $CC_OUT"
((CC_MS < 2000)) || fail "check-config took $CC_MS ms on the FIFO"

info "values libconfig would misread: each named by file, line, key and value"
bad() {
	printf '%b' "$2" >"$T/etc/bad.conf"
	chmod 644 "$T/etc/bad.conf"
	check "$T/etc/bad.conf"
	[[ $CC_OUT == "$T/etc/bad.conf:$1" ]] || fail "for $(printf '%q' "$2"): expected '$T/etc/bad.conf:$1', got '$CC_OUT'"
	info "  ${CC_OUT#"$T/etc/"}"
}
bad '2: hook.limits.global: "0/10m": a count of 0 would let nothing through; expected COUNT/DURATION like "5/10m" with COUNT at least 1' \
	'hook = {\n  limits = { global = "0/10m"; };\n};\n'
bad '1: daemon.retention.max_count: 99999999999999999999 is out of range (at most 2147483647; write a size as "64M", a duration as "10m")' \
	'daemon = { retention = { max_count = 99999999999999999999; }; };\n'
bad '1: daemon.retention.max_count: 9999999999 is out of range (at most 2147483647; write a size as "64M", a duration as "10m")' \
	'daemon = { retention = { max_count = 9999999999; }; };\n'
bad '3: spool: a string cannot hold a NUL byte (an x00 escape)' \
	'# a comment\n\nspool = "/var/spool/cr\\x00ashd";\n'
bad '1: a NUL byte: a config is text (libconfig would stop reading there)' \
	'spool = "/var/spool/cr\0ashd";\n'

# The hook, as the kernel runs it, with each config.  On a config it
# cannot use it falls back to its defaults (spool /var/spool/crashd), so
# it runs in a mount namespace of its own with a tmpfs there, and says
# what it stored in $T/seen.
cat >"$T/h" <<EOF2
#!/bin/sh
exec unshare -m sh -c 'mount -t tmpfs -o size=64m crashd-test /var/spool &&
	"\$0" "\$@"; echo "rc=\$? \$(ls /var/spool/crashd 2>/dev/null | grep -c victim)" >>"$T/seen"' \
	"$(readlink -f "$CRASHD_HOOK")" "\$@"
EOF2
chmod 755 "$T/h"
write_config mode=none
register
copy_victim victim
args=$(cat /proc/sys/kernel/core_pattern)
args=${args#* -c $CONF }
for cfg in "$big" "$fifo"; do
	: >"$T/seen"
	line="|$T/h -c $cfg $args"
	# (The kernel keeps 127 bytes of core_pattern.)
	((${#line} < 128)) || fail "core_pattern line too long: $line"
	printf '%s\n' "$line" >/proc/sys/kernel/core_pattern
	t0=$EPOCHREALTIME
	run_victim "$T/victim" segv
	for ((i = 0; i < 3000; i++)); do
		[[ -s $T/seen ]] && break
		nap 0.01
	done
	ms=$(((${EPOCHREALTIME/./} - ${t0/./}) / 1000))
	seen=$(cat "$T/seen")
	info "hook with ${cfg##*/}: done in $ms ms, $seen (exit status, dumps stored with the defaults)"
	[[ $seen == "rc=0 1" ]] || fail "the hook with ${cfg##*/} did not store the crash with its defaults within 30 s: '$seen'"
	((ms < 10000)) || fail "the hook took $ms ms with ${cfg##*/}"
done
