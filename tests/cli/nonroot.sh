#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli run by a user created for the test: it sees its own dumpable
# crashes (shared with it by an ACL), not root's, not another user's, not
# its own setuid crash (root's alone), and is told on stderr how many it
# cannot see, in one line: never a stack of permission errors.  A
# directory that is no dump (lost+found) is neither listed nor counted.
source "$(dirname "$0")/lib_cli.sh"

user=crashdclitest
test_user "$user"
uid=$TEST_UID
gid=$TEST_GID

write_config
cli_register
copy_victim victim
suid=yes
if [[ ,$(findmnt -n -o OPTIONS --target "$T"), == *,nosuid,* ]]; then
	info "$T is on a nosuid mount: no setuid crash"
	suid=no
fi

crash_and_wait "$T/victim" segv
d_root=$(dump_id)
crash_and_wait as_user "$T/victim" segv 'as the user'
d_user=$(dump_id)
expect_item dumpable 1
crash_and_wait -s 6 as_user "$T/victim" abort
d_user2=$(dump_id)
crash_and_wait as_nobody "$T/victim" segv
d_nobody=$(dump_id)
hidden=2
if [[ $suid == yes ]]; then
	copy_victim suid-victim
	chmod 4755 "$T/suid-victim"
	crash_and_wait as_user "$T/suid-victim" segv
	expect_item uid "$uid"
	expect_item dumpable 2
	hidden=3
fi
# What a separate file system for the spool has; root's alone.
mkdir -m 700 "$SPOOL/lost+found"

info "root sees every dump, and no lost+found"
cli list
expect_err_empty
table_ids
expect_eq "root's list" $((hidden + 2)) "${#TABLE_IDS[@]}"
expect_no_out 'lost'

info "the user sees its own two"
cli -u as_user list
expect_list "the user's list" "$d_user" "$d_user2"
expect_eq "stderr" "$hidden dumps not shown: only root and the crashing user may read a dump" "$(cat "$ERR")"
expect_no_err 'denied|ermission'
cli -u as_user list --json
py 'check([d["id"] for d in out] == [a.decode() for a in args], "ids %r" % [d["id"] for d in out])
check(out[0]["cmdline"][2] == "as the user", "cmdline %r" % out[0]["cmdline"])' "$d_user" "$d_user2"
expect_eq "stderr lines" 1 "$(wc -l <"$ERR")"
cli -u as_user list --uid 0
expect_out_line 1 "No crashes."
cli -u as_nobody list
expect_list "nobody's list" "$d_nobody"
expect_err "^$((hidden + 1)) dumps not shown"

info "info, core, stats, status as the user"
cli -u as_user info last
expect_out_line 1 "$d_user2"
expect_out "^  user +$user \\(uid $uid, gid $gid\\)\$"
cli -u as_user info "$d_user" --environ --json
py 'check(out["id"] == args[0].decode() and len(out["environ"]) > 0, "id/environ %r" % out["id"])' "$d_user"
cli -x 1 -u as_user info "$d_root"
expect_err "no dump is named \"$d_root\""
expect_err "^\\($hidden dumps this user may not read are not searched\\)\$"
expect_no_err 'denied'
install -d -o "$uid" -g "$gid" -m 700 "$T/home"
cli -u as_user core "$d_user" -o "$T/home/user.core"
expect_elf "$T/home/user.core"
expect_eq "core -o owner" "$uid" "$(stat -c %u "$T/home/user.core")"
cli -u as_user stats --json
py 'check([(x["signal_name"], x["crashes"]) for x in out["groups"]] == [("SIGABRT", 1), ("SIGSEGV", 1)] or
    [(x["signal_name"], x["crashes"]) for x in out["groups"]] == [("SIGSEGV", 1), ("SIGABRT", 1)], "groups %r" % out["groups"])'
expect_eq "stats stderr" "$hidden dumps this user may not read are not counted" "$(cat "$ERR")"
cli -u as_user status
expect_out "^spool:    $SPOOL: 2 dumps, "
expect_out "^          $hidden more dumps this user may not read\$"
expect_out "^crashes:  the hook's counters are root's alone\$"
expect_no_err 'denied'

info "rm: refused, once"
cli -x 1 -u as_user rm "$d_user"
expect_err 'only root may remove dumps'
expect_eq "rm stderr lines" 1 "$(wc -l <"$ERR")"
[[ -d $SPOOL/$d_user ]] || fail "the user removed its dump"
echo PASS
