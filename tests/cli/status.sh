#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli status: says the hook is registered with the exact line in
# core_pattern while it is, shows core_pipe_limit, suid_dumpable, the
# spool's dumps and the hook's counters; and says when it is not.
source "$(dirname "$0")/lib_cli.sh"

write_config
cli_register
copy_victim victim
crash_and_wait "$T/victim" segv
crash_and_wait -s 6 "$T/victim" abort

info "registered"
cli status
expect_err_empty
expect_out_line 1 "hook:     registered: $REGISTERED"
expect_out_line 2 "          core_pipe_limit 8, fs.suid_dumpable 2"
expect_out '^daemon:   (not running|running, pid [0-9]+)$'
expect_out "^spool:    $SPOOL: 2 dumps, [0-9.]+[KMG]? \\(retention max_size 4G, max_count 5000\\)\$"
expect_out '^crashes:  2 seen, 2 stored; not stored: 0 ignored, 0 over a rate limit, 0 failed; cores kept 2, skipped 0$'
# The counters are those of "counters".
cli counters
expect_out '^seen 2$'
expect_out '^stored 2$'
expect_out '^cores_kept 2$'

info "more crashes: the counters follow"
write_config ignore='"*/victim"'
crash_no_dump "$T/victim" segv
cli status
expect_out '^crashes:  3 seen, 2 stored; not stored: 1 ignored, 0 over a rate limit, 0 failed; '

info "not registered"
echo core >/proc/sys/kernel/core_pattern
echo 0 >/proc/sys/kernel/core_pipe_limit
echo 0 >/proc/sys/fs/suid_dumpable
cli status
expect_out_line 1 "hook:     NOT registered; core_pattern belongs to the kernel (core files): core"
expect_out '^          core_pipe_limit 0 \(must be >= 1'
expect_out 'fs.suid_dumpable 0 \(setuid crashes are not seen\)'
printf '%s\n' '|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h' >/proc/sys/kernel/core_pattern
cli status
expect_out_line 1 "hook:     NOT registered; core_pattern belongs to systemd-coredump: |/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h"

info "a spool that does not exist yet"
write_config spool="$T/nospool"
cli -x 1 status
expect_out "^spool:    $T/nospool: No such file or directory\$"
cli -x 2 status extra
echo PASS
