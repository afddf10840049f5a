#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Acceptance 7: a setuid-root program run by an unprivileged user is not
# dumpable (%d = 2): its dump, environ and core are root's alone.  The
# contrast: the same user's ordinary (dumpable) crash is readable by that
# user through an ACL, and still not writable.
source "$(dirname "$0")/lib.sh"

nobody=65534
write_config
register
if [[ ,$(findmnt -n -o OPTIONS --target "$T"), == *,nosuid,* ]]; then
	skip "$T is on a nosuid mount"
fi

info "setuid-root victim run by uid $nobody"
copy_victim suid-victim
chmod 4755 "$T/suid-victim"
crash_and_wait as_nobody "$T/suid-victim" segv
expect_item uid $nobody
expect_item gid $nobody
expect_item username nobody
expect_item dumpable 2
expect_item reason "suid-victim killed by SIGSEGV"
expect_line status $'^Uid:\t'"$nobody"$'\t0\t0\t0$'
expect_present environ core.gz cmdline
[[ $(ls -ld "$DUMP" | cut -c11) != + ]] || fail "the dump of a non-dumpable process has an ACL: $(ls -ld "$DUMP")"
for f in environ core.gz cmdline maps; do
	[[ $(ls -l "$DUMP/$f" | cut -c11) != + ]] || fail "$f of a non-dumpable process has an ACL"
done
as_nobody ls "$DUMP" >/dev/null 2>&1 && fail "uid $nobody can list the dump of a setuid process"
as_nobody cat "$DUMP/environ" >/dev/null 2>&1 && fail "uid $nobody can read the environ of a setuid process"
as_nobody cat "$DUMP/core.gz" >/dev/null 2>&1 && fail "uid $nobody can read the core of a setuid process"
as_nobody test -r "$DUMP/reason" && fail "uid $nobody can read an item of a setuid process's dump"
suid_dump=$DUMP

info "ordinary victim run by uid $nobody"
copy_victim plain-victim
crash_and_wait as_nobody "$T/plain-victim" segv
expect_item uid $nobody
expect_item dumpable 1
expect_present environ core.gz
[[ $(ls -ld "$DUMP" | cut -c11) == + ]] || fail "a dumpable crash of uid $nobody has no ACL: $(ls -ld "$DUMP")"
as_nobody ls "$DUMP" >"$T/ls.out" || fail "uid $nobody cannot list its own dump"
grep -qx environ "$T/ls.out" || fail "uid $nobody's listing lacks environ"
as_nobody cat "$DUMP/environ" | cmp -s - "$DUMP/environ" ||
	fail "uid $nobody cannot read its own environ"
unpack_core "$T/core" as_nobody
expect_elf "$T/core"
# Every item, including those written last (core_info), is readable.
as_nobody sh -c 'for f in "$1"/*; do cat "$f" >/dev/null || exit 1; done' _ "$DUMP" ||
	fail "uid $nobody cannot read every item of its dump"
# Readable, never changeable: the spool is root's.
as_nobody touch "$DUMP/new" 2>/dev/null && fail "uid $nobody can create a file in its dump"
as_nobody sh -c 'echo x >>"$1"' _ "$DUMP/reason" 2>/dev/null && fail "uid $nobody can append to an item"
as_nobody rm -f "$DUMP/reason" 2>/dev/null && fail "uid $nobody can remove an item"
[[ -f $DUMP/reason ]] || fail "uid $nobody removed an item"
as_nobody mv "$DUMP" "$SPOOL/renamed" 2>/dev/null && fail "uid $nobody can rename its dump"
as_nobody mkdir "$SPOOL/fake" 2>/dev/null && fail "uid $nobody can create a dump"
# ...and the other dump is still closed to it.
as_nobody cat "$suid_dump/environ" >/dev/null 2>&1 && fail "uid $nobody can read the setuid dump's environ"

info "a uid without a passwd entry"
crash_and_wait setpriv --reuid=54321 --regid=54321 --clear-groups "$T/plain-victim" segv
expect_item uid 54321
expect_item gid 54321
expect_item dumpable 1
expect_absent username
setpriv --reuid=54321 --regid=54321 --clear-groups cat "$DUMP/environ" >/dev/null ||
	fail "uid 54321 cannot read its own environ"
as_nobody cat "$DUMP/environ" >/dev/null 2>&1 && fail "uid $nobody can read uid 54321's dump"
echo PASS
