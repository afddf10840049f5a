#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# crashd-cli stats: crashes per executable and signal match the crashes
# made (most first), filters apply, the hook's not-stored counters are
# shown; --json is one object that parses.
source "$(dirname "$0")/lib_cli.sh"

write_config ignore='"*/ignored"'
cli_register
copy_victim victim
copy_victim other
copy_victim ignored
hostile=$'new\nline \xc3\xa9'
copy_victim "$hostile"

for i in 1 2 3; do
	crash_and_wait "$T/victim" segv
done
crash_and_wait -s 6 "$T/victim" abort
crash_and_wait -s 6 "$T/victim" abort
crash_and_wait -s 8 "$T/other" fpe
crash_and_wait "$T/$hostile" segv
crash_no_dump "$T/ignored" segv
crash_no_dump "$T/ignored" segv

info "text"
cli stats
expect_err_empty
expect_out_line 1 "CRASHES  DUMPS  SIGNAL  LAST                    EXECUTABLE"
# Rows, most crashes first; ties by executable.
rows=$(sed -n '2,/^$/p' "$OUT" | sed '/^$/d' | awk '{ $4 = $5 = $6 = ""; print }' | tr -s ' ')
# The SIGNAL column spells signals as list's SIG column does.
expect_eq "stats rows" "3 3 SEGV $T/victim
2 2 ABRT $T/victim
1 1 SEGV $T/new\\nline \\xc3\\xa9
1 1 FPE $T/other" "$rows"
expect_out '^Not stored by the hook: 2 ignored, 0 over a rate limit, 0 failed\.$'
expect_eq "stats lines" 7 "$(wc -l <"$OUT")"

info "--json"
cli stats --json
expect_eq "stats --json lines" 1 "$(wc -l <"$OUT")"
py '
g = out["groups"]
got = sorted((b(x["executable"]), x["signal"], x["signal_name"], x["crashes"], x["dumps"]) for x in g)
want = sorted([(args[0], 11, "SIGSEGV", 3, 3), (args[0], 6, "SIGABRT", 2, 2),
    (args[1], 8, "SIGFPE", 1, 1), (args[2], 11, "SIGSEGV", 1, 1)])
check(got == want, "groups %r" % got)
check([x["crashes"] for x in g] == sorted([x["crashes"] for x in g], reverse=True), "not most first")
check(out["not_stored"] == {"ignored": 2, "rate_limited": 0, "failed": 0}, "not_stored %r" % out.get("not_stored"))
check(all(isinstance(x["last"], int) and x["last"] > 0 for x in g), "last")
' "$T/victim" "$T/other" "$T/$hostile"

info "filters"
cli stats --json --signal ABRT
py 'check([(x["signal_name"], x["crashes"]) for x in out["groups"]] == [("SIGABRT", 2)], "groups %r" % out["groups"])'
cli stats --json --exe '*/other' --since '1h ago'
py 'check([(x["signal_name"], x["crashes"]) for x in out["groups"]] == [("SIGFPE", 1)], "groups %r" % out["groups"])'
cli stats --json --uid 65534
py 'check(out["groups"] == [], "groups %r" % out["groups"])'
echo PASS
