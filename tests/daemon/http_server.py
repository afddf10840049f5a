#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A real HTTP server on loopback for the webhook and delivery tests.

It records every request it gets as files in a directory, and answers
them as scripted: a status code, a slow answer, no answer at all.

Usage:
  /usr/bin/python3 http_server.py --dir DIR [--port-file FILE] [--port N]
                                  [--script LIST] [--default ANSWER]

  --dir DIR         where requests are recorded (created if missing)
  --port-file FILE  written (atomically) with the port once it listens;
                    wait for it to exist
  --port N          the port (default 0: a free one, see --port-file)
  --script LIST     comma-separated answers to the 1st, 2nd, ... request
                    (counted over all methods and paths), e.g. "500,200"
  --default ANSWER  the answer once the script is used up (default 200)

  An ANSWER is one of
    STATUS          an HTTP status (100-599) at once, e.g. 200, 500, 429
    STATUS@MS       the status after MS milliseconds, e.g. 200@1500
    hang            read the request, record it, never answer: the
                    connection stays open until the client gives up (or
                    the server exits)
    close           read the request, record it, close the connection
                    without an answer

Every request is recorded, before it is answered, as DIR/NNNNNN.json
(NNNNNN = its number from 000001, zero-padded; written to a temporary
name then renamed, so a file that exists is complete) holding
  {"seq": 1, "time": 1700000000.123, "method": "POST", "path": "/x",
   "headers": [["Content-Type", "application/json"], ...],
   "body_file": "000001.body", "body_len": 123, "answer": "500"}
and its body, byte for byte, as DIR/NNNNNN.body.  Header names keep their
case; a header sent twice is listed twice.

An answer's body is "ok\\n" for 2xx, else "error STATUS\\n" (text/plain).
It binds 127.0.0.1 only, logs one line per request to stderr, and exits 0
on SIGTERM or SIGINT.  Run it under `setpriv --pdeathsig KILL` (as
lib_daemon.sh does for crashd) so that it dies with the test.
"""

import argparse
import http.server
import json
import os
import select
import signal
import socket
import sys
import threading
import time

STOP = threading.Event()


class Script:
    """The answers, handed out in the order the requests come in."""

    def __init__(self, answers, default):
        self.answers = list(answers)
        self.default = default
        self.seq = 0
        self.lock = threading.Lock()

    def next(self):
        with self.lock:
            self.seq += 1
            i = self.seq - 1
            answer = self.answers[i] if i < len(self.answers) else self.default
            return self.seq, answer


def parse_answer(s):
    s = s.strip()
    if s in ("hang", "close"):
        return s
    status, _, delay = s.partition("@")
    code = int(status)
    if not 100 <= code <= 599:
        raise ValueError(f"status {code} is not in 100-599")
    if delay and int(delay) < 0:
        raise ValueError(f"delay {delay} is negative")
    return s


def write_atomically(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.rename(tmp, path)


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "crashd-test-http"

    def log_message(self, fmt, *args):
        sys.stderr.write("http_server: " + (fmt % args) + "\n")

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip(), 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def record(self, seq, answer, body):
        d = self.server.record_dir
        name = f"{seq:06d}"
        write_atomically(os.path.join(d, name + ".body"), body)
        meta = {
            "seq": seq,
            "time": time.time(),
            "method": self.command,
            "path": self.path,
            "headers": [[k, v] for k, v in self.headers.items()],
            "body_file": name + ".body",
            "body_len": len(body),
            "answer": answer,
        }
        write_atomically(os.path.join(d, name + ".json"),
                         json.dumps(meta, indent=1).encode())

    def hang(self):
        # Hold the connection until the client closes it or we stop.
        sock = self.connection
        while not STOP.is_set():
            r, _, _ = select.select([sock], [], [], 0.2)
            if r:
                try:
                    if not sock.recv(4096):
                        break
                except OSError:
                    break
        self.close_connection = True

    def answer(self):
        seq, answer = self.server.script.next()
        body = self.read_body()
        self.record(seq, answer, body)
        if answer == "hang":
            self.hang()
            return
        if answer == "close":
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        status, _, delay = answer.partition("@")
        if delay:
            STOP.wait(int(delay) / 1000)
        code = int(status)
        out = b"ok\n" if 200 <= code <= 299 else f"error {code}\n".encode()
        self.send_response(code)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    do_POST = answer
    do_PUT = answer
    do_GET = answer
    do_DELETE = answer


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--script", default="")
    p.add_argument("--default", default="200")
    a = p.parse_args()
    try:
        answers = [parse_answer(s) for s in a.script.split(",") if s.strip()]
        default = parse_answer(a.default)
    except ValueError as e:
        p.error(f"bad answer: {e}")
    os.makedirs(a.dir, exist_ok=True)

    srv = Server(("127.0.0.1", a.port), Handler)
    srv.record_dir = a.dir
    srv.script = Script(answers, default)
    port = srv.server_address[1]

    def stop(signum, frame):
        STOP.set()
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if a.port_file:
        write_atomically(a.port_file, f"{port}\n".encode())
    sys.stderr.write(f"http_server: listening on 127.0.0.1:{port}\n")
    srv.serve_forever(poll_interval=0.1)
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
