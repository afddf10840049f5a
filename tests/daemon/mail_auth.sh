#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Mail over STARTTLS with AUTH (issue 5), to a real SMTP server (aiosmtpd)
# that requires both, with a self-signed certificate made here:
# - with the certificate as ca_file and the right credentials (a root
#   0600 auth_file), the mail arrives, encrypted, and the server saw the
#   login;
# - a wrong password delivers nothing: retried, then dead, and the
#   dump's actions record and the log say why;
# - without the certificate (tls_verify is on by default) nothing is
#   sent, not even the login;
# - an auth_file that others may read is refused, naming it and its mode.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/mail_lib.sh"

command -v openssl >/dev/null || skip "openssl is needed for the test certificate"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
	-addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
	-keyout "$T/key.pem" -out "$T/cert.pem" >"$T/openssl.log" 2>&1 ||
	fail "openssl req: $(cat "$T/openssl.log")"
start_smtp relay --cert "$T/cert.pem" --key "$T/key.pem" \
	--require-starttls --auth 'crashd:s3cr3t:with colon'
relay=$SMTP_PORT

# auth_files: root's, 0600; the loose one is readable by all.
printf 'crashd:s3cr3t:with colon\n' >"$T/auth"
printf 'crashd:wrong\n' >"$T/auth-wrong"
printf 'crashd:s3cr3t:with colon\n' >"$T/auth-loose"
chown 0:0 "$T"/auth*
chmod 600 "$T/auth" "$T/auth-wrong"
chmod 644 "$T/auth-loose"

tls="starttls = \"required\"; ca_file = \"$T/cert.pem\";"
only() { printf 'match = { executable = [ "*/%s" ]; };' "$1"; }
write_daemon_config delivery='attempts = 2; backoff = "1s"; max_backoff = "1s";' mode=none \
	actions="$(mail_action good "$relay" "$tls auth_file = \"$T/auth\"; $(only victim)"),
  $(mail_action wrongpw "$relay" "$tls auth_file = \"$T/auth-wrong\"; $(only wrongpw)"),
  $(mail_action noca "$relay" "starttls = \"required\"; auth_file = \"$T/auth\"; $(only noca)"),
  $(mail_action loose "$relay" "$tls auth_file = \"$T/auth-loose\"; $(only loose)"),
  $(log_action)"
register
start_daemon
at='^[0-9T:-]+Z'
for v in victim wrongpw noca loose; do
	copy_victim "$v"
done

info "STARTTLS, verified with ca_file, and AUTH: delivered"
d_crash "$T/victim" segv
wait_processed "$DUMP"
wait_messages 20 "$SMTP_DIR" 1
wait_journal 5 "$DUMP" "$at good delivered \\(attempt 1\\): sent to smtp://127\\.0\\.0\\.1:$relay for 2 recipients: 250 "
mail=$(ls "$SMTP_DIR"/*.json)
check_mail "${mail%.json}.eml" '
expect(env["tls"] is True, "the session was not encrypted: %r" % env)
expect(env["login"] == "crashd", "the server saw no login: %r" % env)
expect(env["rcpt_tos"] == ["ops@example.org", "dev@example.org"], "recipients %r" % env["rcpt_tos"])
expect("victim killed by SIGSEGV" in str(m["Subject"]), "Subject %r" % str(m["Subject"]))
'
grep -qx 'ok crashd' "$SMTP_DIR/auth.log" || fail "auth.log: $(cat "$SMTP_DIR/auth.log")"

info "a wrong password: retried, then dead, nothing delivered"
d_crash "$T/wrongpw" segv
wrong=$DUMP
info "no certificate to verify the relay with: nothing sent"
d_crash "$T/noca" segv
noca=$DUMP
info "an auth_file others can read: refused"
d_crash "$T/loose" segv
loose=$DUMP
wait_journal 20 "$wrong" "$at wrongpw attempt 1 of 2 failed, retrying: smtp://127\\.0\\.0\\.1:$relay: .*535"
wait_journal 20 "$wrong" "$at wrongpw dead after 2 attempts: "
grep -q '^fail crashd$' "$SMTP_DIR/auth.log" || fail "the server saw no failed login: $(cat "$SMTP_DIR/auth.log")"
wait_journal 20 "$noca" "$at noca dead after 2 attempts: smtp://127\\.0\\.0\\.1:$relay: .*(certificate|SSL)"
wait_journal 20 "$loose" "$at loose dead after 2 attempts: auth_file $T/auth-loose: regular file, mode 0644, owner uid 0: .*chmod 600"
expect_log "loose dead after 2 attempts: auth_file $T/auth-loose"
# One good login, two wrong ones; no login over an unverified relay
# or from a refused file.
expect_eq "logins the server saw" "ok crashd,fail crashd,fail crashd" "$(paste -sd, "$SMTP_DIR/auth.log")"
expect_eq "messages received" 1 "$(messages "$SMTP_DIR")"
stop_daemon
echo PASS
