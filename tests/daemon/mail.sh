#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The mail action (issue 5) through the real kernel, hook and daemon, to a
# real SMTP server (aiosmtpd) on loopback:
# - a crash produces exactly one mail, its headers (From, To, Subject,
#   Date, Message-ID, MIME) and body (what, where, when, signal, argv
#   quoted for a shell, backtrace, user, cwd) as a mail reader parses them;
#   a second action attaches the core, which decodes to the dump's bytes;
# - a program named with CR, LF and "Bcc:" (file name, comm and argv)
#   adds no header and no recipient;
# - a non-ASCII name is encoded in the Subject and decodes back.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"

start_smtp main
hostile=$'x\r\nBcc: evil@example.org\r\nX-Evil: 1'
utf8=$'caf\xc3\xa9-\xe2\x98\x83'
write_daemon_config mode=mini max_size=64M \
	actions="$(mail_action page "$SMTP_PORT"),
  { name = \"core\"; type = \"mail\"; to = [ \"core@example.org\" ];
    smtp = \"smtp://127.0.0.1:$SMTP_PORT\"; attach_core = true;
    subject = \"core of {comm} ({signal_name}) [{id}]\";
    match = { executable = [ \"*/victim\" ]; }; },
  $(log_action)"
register
start_daemon
copy_victim victim
copy_victim "$hostile"
copy_victim "$utf8"
host=$(hostname)
[[ $host =~ ^[A-Za-z0-9.-]+$ ]] || skip "this host's name ($host) is not a plain domain"

info "one crash, one mail per action"
d_crash "$T/victim" segv 'arg with space' "it's"
wait_processed "$DUMP"
wait_messages 20 "$SMTP_DIR" 2
name=${DUMP##*/}
# Nothing more comes (the queue delivers once).
nap 2
expect_eq "messages received" 2 "$(messages "$SMTP_DIR")"
wait_journal 5 "$DUMP" '^[0-9T:-]+Z page delivered \(attempt 1\): sent to smtp://127\.0\.0\.1:[0-9]+ for 2 recipients: 250 '
wait_journal 5 "$DUMP" '^[0-9T:-]+Z core delivered \(attempt 1\): '
page=$(grep -l '"ops@example.org"' "$SMTP_DIR"/*.json)
core=$(grep -l '"core@example.org"' "$SMTP_DIR"/*.json)
[[ -n $page && -n $core ]] || fail "expected one mail for each action: $(cat "$SMTP_DIR"/*.json)"

MAIL_DUMP=$name MAIL_HOST=$host MAIL_T=$T MAIL_CWD=$PWD \
	MAIL_DUMPHOST=$(item hostname) \
	check_mail "${page%.json}.eml" '
d, h, t = os.environ["MAIL_DUMP"], os.environ["MAIL_HOST"], os.environ["MAIL_T"]
expect(env["mail_from"] == "crashd@" + h, "envelope sender %r" % env["mail_from"])
expect(env["rcpt_tos"] == ["ops@example.org", "dev@example.org"], "recipients %r" % env["rcpt_tos"])
for k in ("From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"):
    expect(len(m.get_all(k) or []) == 1, "exactly one %s header: %r" % (k, m.get_all(k)))
expect(str(m["From"]) == "crashd@" + h, "From %r" % str(m["From"]))
expect(str(m["To"]) == "ops@example.org, dev@example.org", "To %r" % str(m["To"]))
expect(str(m["Subject"]) == "[crashd] victim killed by SIGSEGV on " + os.environ["MAIL_DUMPHOST"],
       "Subject %r" % str(m["Subject"]))
expect(str(m["Message-ID"]) == "<%s/page@%s>" % (d, h), "Message-ID %r" % str(m["Message-ID"]))
when = email.utils.parsedate_to_datetime(str(m["Date"])).timestamp()
expect(abs(when - time.time()) < 300, "Date %r is not now" % str(m["Date"]))
expect(str(m["MIME-Version"]) == "1.0", "MIME-Version")
expect(m.get_content_type() == "text/plain" and m.get_content_charset() == "utf-8", "Content-Type %r" % str(m["Content-Type"]))
expect(str(m["Auto-Submitted"]) == "auto-generated", "Auto-Submitted")
expect(str(m["X-Crashd-Id"]) == d, "X-Crashd-Id")
expect(str(m["X-Crashd-Event"]) == "first", "X-Crashd-Event")
expect(not m.defects, "defects %r" % m.defects)
lines = text.split("\n")
expect(lines[0] == "victim killed by SIGSEGV on %s." % os.environ["MAIL_DUMPHOST"], "headline %r" % lines[0])
def field(label):
    for l in lines:
        if l.startswith("  %-11s " % label):
            return l[14:]
    expect(False, "no %s line in the body:\n%s" % (label, text))
expect(field("executable") == t + "/victim", "executable %r" % field("executable"))
expect(field("signal") == "SIGSEGV (11)", "signal %r" % field("signal"))
expect(field("argv") == t + "/victim segv " + chr(39) + "arg with space" + chr(39) + " " + chr(39) + "it" + chr(39) + "\\" + chr(39) + chr(39) + "s" + chr(39),
       "argv %r" % field("argv"))
expect(field("where").startswith("crash+0x"), "where %r" % field("where"))
expect(field("user") == "root (uid 0, gid 0)", "user %r" % field("user"))
expect(field("cwd") == os.environ["MAIL_CWD"], "cwd %r" % field("cwd"))
expect(field("inspect") == "crashd-cli info " + d, "inspect %r" % field("inspect"))
expect(field("dump") == t + "/spool/" + d, "dump %r" % field("dump"))
expect(" UTC" in field("time"), "time %r" % field("time"))
import re
expect(re.search(r"^Where it died: Thread [0-9]+ \(crashed\)\n  #0  0x[0-9a-f]+ crash\+0x[0-9a-f]+ ", text, re.M), "the top frames")
expect(re.search(r"^  #1  0x[0-9a-f]+ main\+0x", text, re.M), "main in the frames")
expect(re.search(r"^Ancestry \(how it was started\)\n", text, re.M), "ancestry")
expect(re.search(r"victim segv .* <- crashed$", text, re.M), "the crashed process in the ancestry")
expect("Environment" not in text, "no environment unless asked for")
'

info "the core attachment decodes to the dump's core"
core_item=core.mini
[[ -f $DUMP/$core_item ]] || core_item=core.gz
MAIL_CORE=$DUMP/$core_item MAIL_DUMP=$name check_mail "${core%.json}.eml" '
parts = list(m.iter_attachments())
expect(m.get_content_type() == "multipart/mixed", "multipart %r" % m.get_content_type())
expect(len(parts) == 1, "one attachment: %r" % parts)
want = open(os.environ["MAIL_CORE"], "rb").read()
expect(parts[0].get_content() == want, "the attachment is not the core (%d bytes)" % len(want))
expect(parts[0].get_filename() == os.environ["MAIL_DUMP"] + "." + os.path.basename(os.environ["MAIL_CORE"]), "filename %r" % parts[0].get_filename())
expect(str(m["Subject"]) == "core of victim (SIGSEGV) [%s]" % os.environ["MAIL_DUMP"], "Subject %r" % str(m["Subject"]))
expect(", attached" in text, "the body says the core is attached")
'

info "a name with CR, LF and Bcc: adds no header and no recipient"
d_crash "$T/$hostile" segv $'\r\nTo: y@example.org' $'x\nBcc: z@example.org'
wait_processed "$DUMP"
wait_messages 20 "$SMTP_DIR" 3
mail=$(ls "$SMTP_DIR"/*.json | sort | tail -n1)
# The header block, as it is on the wire: no line of it is hostile.
sed -n '1,/^\r$/p' "${mail%.json}.eml" >"$T/headers"
grep -aEiq '^(Bcc|X-Evil|To: y)' "$T/headers" &&
	fail "a header line of the raw message is hostile: $(grep -aEi '^(Bcc|X-Evil|To: y)' "$T/headers" | cat -v)"
MAIL_DUMPHOST=$(item hostname) check_mail "${mail%.json}.eml" '
expect(env["rcpt_tos"] == ["ops@example.org", "dev@example.org"], "recipients %r" % env["rcpt_tos"])
names = [k.lower() for k in m.keys()]
expect("bcc" not in names and "x-evil" not in names, "headers %r" % m.keys())
for k in ("From", "To", "Subject", "Message-ID"):
    expect(len(m.get_all(k) or []) == 1, "exactly one %s: %r" % (k, m.get_all(k)))
expect(str(m["To"]) == "ops@example.org, dev@example.org", "To %r" % str(m["To"]))
bs = chr(92)
want = "[crashd] x" + bs + "r" + bs + "nBcc: evil@example.org" + bs + "r" + bs + "nX-Evil: 1 killed by SIGSEGV on " + os.environ["MAIL_DUMPHOST"]
expect(str(m["Subject"]) == want, "Subject %r, expected %r" % (str(m["Subject"]), want))
expect(not m.defects, "defects %r" % m.defects)
'

info "a non-ASCII name: encoded-words in the Subject, UTF-8 in the body"
d_crash "$T/$utf8" segv
wait_processed "$DUMP"
wait_messages 20 "$SMTP_DIR" 4
mail=$(ls "$SMTP_DIR"/*.json | sort | tail -n1)
grep -aq '^Subject: =?UTF-8?' "${mail%.json}.eml" ||
	fail "the Subject is not encoded: $(grep -a '^Subject' "${mail%.json}.eml")"
MAIL_T=$T MAIL_DUMPHOST=$(item hostname) check_mail "${mail%.json}.eml" '
name = b"caf\xc3\xa9-\xe2\x98\x83".decode()
want = "[crashd] %s killed by SIGSEGV on %s" % (name, os.environ["MAIL_DUMPHOST"])
expect(str(m["Subject"]) == want, "Subject %r, expected %r" % (str(m["Subject"]), want))
expect(("  executable  %s/%s\n" % (os.environ["MAIL_T"], name)) in text, "executable in the body")
expect(all(b < 128 for b in raw), "the raw message is ASCII")
'
nap 1
expect_eq "messages received" 4 "$(messages "$SMTP_DIR")"
stop_daemon
echo PASS
