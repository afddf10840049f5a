#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The relay is down for a while (issue 5): nothing listens on its port
# when the crash is processed; the mail waits in the delivery queue,
# retried with backoff, and when the relay comes up it arrives exactly
# once, with the Message-ID of its event.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"

port=$(free_port)
write_daemon_config delivery='backoff = "1s"; max_backoff = "2s";' \
	actions="$(mail_action page "$port"), $(log_action)"
register
start_daemon
at='^[0-9T:-]+Z'

info "the relay is down: the mail is queued and retried"
copy_victim victim
d_crash "$T/victim" segv
wait_processed "$DUMP"
expect_line actions "$at page done ok: queued as "
wait_journal 15 "$DUMP" "$at page attempt 1 of [0-9]+ failed, retrying: smtp://127\\.0\\.0\\.1:$port: .*Couldn't connect"
wait_journal 15 "$DUMP" "$at page attempt 2 of [0-9]+ failed, retrying: "

info "the relay comes up: the mail arrives, once"
start_smtp relay --port "$port"
wait_messages 20 "$SMTP_DIR" 1
wait_journal 10 "$DUMP" "$at page delivered \\(attempt [0-9]+\\): sent to smtp://127\\.0\\.0\\.1:$port for 2 recipients: 250 "
# Long enough for another attempt, were one due.
nap 3
expect_eq "messages received" 1 "$(messages "$SMTP_DIR")"
expect_eq "deliveries recorded" 1 "$(journal_count "$DUMP" ' page delivered ')"
mail=$(ls "$SMTP_DIR"/*.json)
MAIL_DUMP=${DUMP##*/} check_mail "${mail%.json}.eml" '
expect(str(m["Message-ID"]).startswith("<%s/page@" % os.environ["MAIL_DUMP"]), "Message-ID %r" % str(m["Message-ID"]))
expect(env["rcpt_tos"] == ["ops@example.org", "dev@example.org"], "recipients %r" % env["rcpt_tos"])
'
stop_daemon
echo PASS
