#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Where merged repeats came from (issue 16), through the real kernel,
# hook and daemon, a real SMTP server and a real HTTP server:
# - a crash on the host, then the same program crashing inside a UTS
#   namespace with another hostname (unshare --uts; hostname other): the
#   dedupe key (executable, signal) merges the repeat into the host's
#   dump (kept, with duplicate_of), whose repeats item names both
#   hostnames with their counts;
#   crashd-cli info shows them, and info --json;
# - the mail about the repeat (notify every = 2) and the webhook's body
#   name the other hostname; the webhook's "repeats" key counts them;
# - an ancestor with a 1.5 KB argv: the mail and the webhook show 200
#   bytes of it, marked "... (N more bytes)"; the dump keeps it whole.
#   (Removing merged repeats is tested by repeats.sh: the first dump's
#   item is written the same way.)
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"
source "$(dirname "$0")/webhook_lib.sh"

command -v unshare >/dev/null || skip "unshare (util-linux) is needed"
host=$(hostname)
other=crashd-uts-other
[[ $host != "$other" ]] || skip "this host is named $other"

start_smtp main
start_http hook
write_daemon_config every=2 remove_duplicates=false \
	actions="$(mail_action page "$SMTP_PORT"),
  $(webhook_action hook json "http://127.0.0.1:$HTTP_PORT/"),
  $(log_action)"
register
start_daemon
copy_victim victim

info "a crash on the host"
d_crash "$T/victim" segv
FIRST=$DUMP
wait_processed "$FIRST"
wait_messages 20 "$SMTP_DIR" 1
expect_absent repeats

info "the same crash in a UTS namespace named $other, from a 1.5 KB argv"
long=$(head -c 1500 /dev/zero | tr '\0' a)
d_crash unshare --uts bash -c 'hostname "$1" && "$2" segv; exit $?' \
	"$long" "$other" "$T/victim"
REPEAT=$DUMP
wait_until 10 "the repeat merged (count 2)" grep -qx 2 "$FIRST/count"
wait_all_processed
wait_messages 20 "$SMTP_DIR" 2
wait_until 20 "two webhook requests" requests_at_least "$HTTP_DIR" 2
DUMP=$FIRST
expect_item count 2
# The first dump's own crash, then the repeat's.
expect_line repeats "^last	${REPEAT##*/}\$"
expect_line repeats "^hostname	1	$host\$"
expect_line repeats "^hostname	1	$other\$"
expect_line repeats '^uid	2	0$'
# The repeat keeps a copy (for the mail about it) and the whole argv.
DUMP=$REPEAT
expect_item duplicate_of "${FIRST##*/}"
expect_eq "the repeat's copy of repeats" "$(cat "$FIRST/repeats")" "$(cat "$REPEAT/repeats")"
expect_line ptree "	bash	bash -c .* $long $other $T/victim\$"
DUMP=$FIRST

info "crashd-cli info shows the hostnames"
out=$("$CRASHD_CLI" -c "$CONF" info "${FIRST##*/}")
grep -Eq "^  repeats +2 crashes merged here came from$" <<<"$out" ||
	fail "info has no repeats line: $out"
grep -Fq "hostnames: $host (1), $other (1)" <<<"$out" ||
	fail "info does not name $other: $out"
grep -Fq "uids: 0 (2)" <<<"$out" || fail "info has no uids line: $out"
json=$("$CRASHD_CLI" -c "$CONF" info "${FIRST##*/}" --json)
HOST=$host OTHER=$other /usr/bin/python3 -c '
import json, os, sys
j = json.loads(sys.stdin.read())
r = j["repeats"]
hosts = {v["value"]: v["count"] for v in r["hostname"]}
assert hosts == {os.environ["HOST"]: 1, os.environ["OTHER"]: 1}, hosts
assert r["uid"] == [{"value": "0", "count": 2}], r["uid"]
assert r["more"] == {"hostname": 0, "container": 0, "uid": 0}, r["more"]
' <<<"$json" || fail "info --json repeats: $json"

info "the mail about the repeat names $other and cuts the long argv"
mail=$(grep -l '"ops@example.org"' "$SMTP_DIR"/*.json | sort | tail -n1)
MAIL_HOST=$host MAIL_OTHER=$other check_mail "${mail%.json}.eml" '
h, o = os.environ["MAIL_HOST"], os.environ["MAIL_OTHER"]
expect("Repeats (where the 2 crashes merged came from)\n" in text, "no repeats section:\n" + text)
expect("  hostnames   %s (1), %s (1)\n" % (h, o) in text, "no hostnames line:\n" + text)
expect("  uids        0 (2)\n" in text, "no uids line:\n" + text)
expect(" on %s.\n" % o in text, "the headline does not say %s:\n%s" % (o, text))
line = [l for l in text.split("\n") if "aaaa" in l and "bash" in l]
expect(len(line) == 1, "one ancestor line with the long argv: %r" % line)
import re
mm = re.search(r"bash  (.*)\u2026 \((\d+) more bytes\)$", line[0])
expect(mm is not None, "the long argv is not cut: %r" % line[0][:300])
expect(len(mm[1].encode()) <= 200, "more than 200 bytes of argv shown: %d" % len(mm[1].encode()))
expect(len(mm[1]) + int(mm[2]) > 1500, "the cut does not add up: %d + %s" % (len(mm[1]), mm[2]))
'

info "the webhook's body about the repeat"
HOST=$host OTHER=$other HTTP_DIR=$HTTP_DIR /usr/bin/python3 -c '
import json, os, sys
d = os.environ["HTTP_DIR"]
bodies = []
for f in sorted(x for x in os.listdir(d) if x.endswith(".json")):
    r = json.load(open(os.path.join(d, f)))
    bodies.append(json.load(open(os.path.join(d, r["body_file"]))))
first, rep = sorted(bodies, key=lambda b: b["count"])
assert first["dump"]["repeats"] is None, first["dump"]["repeats"]
r = rep["dump"]["repeats"]
hosts = {v["value"]: v["count"] for v in r["hostname"]}
assert hosts == {os.environ["HOST"]: 1, os.environ["OTHER"]: 1}, hosts
assert rep["dump"]["hostname"] == os.environ["OTHER"], rep["dump"]["hostname"]
long = [p for p in rep["dump"]["ptree"] if "aaaa" in p["argv"]]
assert len(long) == 1, rep["dump"]["ptree"]
argv = long[0]["argv"]
assert argv.endswith(" more bytes)") and "\u2026 (" in argv, argv
assert len(argv.split("\u2026 (")[0].encode()) <= 200, argv
' || fail "the webhook bodies (above)"

stop_daemon
echo "PASS"
