#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
# smtp_server.py: the real SMTP server of the mail tests (Debian's
# python3-aiosmtpd).  Run it with /usr/bin/python3, not a python3 of PATH:
# aiosmtpd is Debian's package.  It listens on 127.0.0.1 only and saves
# each message it accepts in DIR:
#
#   DIR/NNNN.eml   the message's raw bytes as received (CRLF lines,
#                  SMTP dot-stuffing undone)
#   DIR/NNNN.json  {"mail_from": ..., "rcpt_tos": [...], "login": the
#                  AUTH user or null, "tls": true when the session was
#                  encrypted, "size": bytes}, written after the .eml, by
#                  rename: count *.json to count the messages
#   DIR/auth.log   one line per AUTH attempt: "ok USER" or "fail USER"
#
# Usage:
#   /usr/bin/python3 smtp_server.py --dir DIR [--port N] [--port-file F]
#       [--cert CERT --key KEY [--require-starttls] [--implicit-tls]]
#       [--auth USER:PASSWORD] [--rcpt-reply ADDR=REPLY]...
#       [--data-reply REPLY] [--tempfail N] [--data-delay SECONDS]
#
#   --port N           listen on port N (default 0: a free port)
#   --port-file F      once it listens, write the port to F (atomically);
#                      wait for F to know that the server is up
#   --cert/--key       PEM certificate and key: offer STARTTLS
#   --require-starttls refuse every command but EHLO/STARTTLS/QUIT in clear
#   --implicit-tls     TLS from the first byte (smtps://) instead
#   --auth U:P         offer AUTH PLAIN/LOGIN (only under TLS) and require
#                      it for MAIL; only U with password P is let in
#   --rcpt-reply A=R   answer RCPT TO:<A> with R, e.g.
#                      'gone@example.org=550 5.1.1 No such user'
#   --data-reply R     answer every message's end of data with R (and
#                      keep nothing), e.g. '554 5.7.1 Rejected'
#   --tempfail N       answer the first N messages' end of data with
#                      "451 4.3.0 Try again later" (and keep nothing)
#   --data-delay S     wait S seconds before answering the end of data
#
# It runs until SIGTERM or SIGINT and then exits 0.  A test starts it in
# the background, waits for --port-file, and kills it by its pid.
import argparse
import asyncio
import json
import os
import signal
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def write_atomic(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler:
    def __init__(self, args):
        self.args = args
        self.rcpt_replies = {}
        for r in args.rcpt_reply:
            addr, _, reply = r.partition("=")
            self.rcpt_replies[addr.lower()] = reply
        self.tempfail = args.tempfail
        self.seq = 0

    async def handle_RCPT(self, server, session, envelope, address, options):
        reply = self.rcpt_replies.get(address.lower())
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.args.data_delay:
            await asyncio.sleep(self.args.data_delay)
        if self.tempfail > 0:
            self.tempfail -= 1
            return "451 4.3.0 Try again later"
        if self.args.data_reply:
            return self.args.data_reply
        self.seq += 1
        base = os.path.join(self.args.dir, "%04d" % self.seq)
        data = envelope.original_content
        write_atomic(base + ".eml", data)
        tls = session.ssl is not None or (
            server.transport is not None
            and server.transport.get_extra_info("ssl_object") is not None)
        login = session.login_data
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "login": login.decode("utf-8", "replace") if login else None,
            "tls": bool(tls),
            "size": len(data),
        }
        write_atomic(base + ".json", json.dumps(meta).encode())
        print("smtp_server: message %d from %s to %s, %d bytes"
              % (self.seq, envelope.mail_from, envelope.rcpt_tos, len(data)),
              file=sys.stderr, flush=True)
        return "250 2.0.0 OK queued as %04d" % self.seq


class Authenticator:
    def __init__(self, directory, user, password):
        self.log = os.path.join(directory, "auth.log")
        self.user = user.encode()
        self.password = password.encode()

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login == self.user
              and auth_data.password == self.password)
        who = (auth_data.login.decode("utf-8", "replace")
               if isinstance(auth_data, LoginPassword) else "?")
        with open(self.log, "a") as f:
            f.write("%s %s\n" % ("ok" if ok else "fail", who))
        return AuthResult(success=ok, handled=False, auth_data=auth_data)


def main():
    p = argparse.ArgumentParser(description="SMTP server for crashd's tests")
    p.add_argument("--dir", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--auth")
    p.add_argument("--rcpt-reply", action="append", default=[])
    p.add_argument("--data-reply")
    p.add_argument("--tempfail", type=int, default=0)
    p.add_argument("--data-delay", type=float, default=0)
    args = p.parse_args()
    os.makedirs(args.dir, exist_ok=True)

    ctx = None
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
    if (args.require_starttls or args.implicit_tls) and ctx is None:
        p.error("--require-starttls and --implicit-tls need --cert/--key")

    kwargs = {"hostname": "smtp-test.localhost", "decode_data": False,
              "data_size_limit": 0}
    if ctx is not None and not args.implicit_tls:
        kwargs["tls_context"] = ctx
        kwargs["require_starttls"] = args.require_starttls
    if args.auth:
        user, _, password = args.auth.partition(":")
        kwargs["authenticator"] = Authenticator(args.dir, user, password)
        kwargs["auth_required"] = True
        kwargs["auth_require_tls"] = True
    handler = Handler(args)

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(loop.create_server(
        lambda: SMTP(handler, loop=loop, **kwargs), host="127.0.0.1",
        port=args.port, ssl=ctx if args.implicit_tls else None))
    port = server.sockets[0].getsockname()[1]
    if args.port_file:
        write_atomic(args.port_file, b"%d\n" % port)
    print("smtp_server: listening on 127.0.0.1:%d" % port, file=sys.stderr,
          flush=True)
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, loop.stop)
    try:
        loop.run_forever()
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
