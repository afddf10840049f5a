# SPDX-License-Identifier: GPL-2.0-or-later
# notify_listener.py SOCKET LOG DAEMON_LOG: what systemd's side of the
# notify protocol sees.  Binds a unix datagram socket at SOCKET and appends
# each line of each message to LOG as "<time_ns> <line>".  For READY=1 it
# also notes whether DAEMON_LOG said "watching " by then (the daemon must
# notify only after it logged that).
import os
import socket
import sys
import time

path, log, daemon_log = sys.argv[1:4]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path + ".tmp")
os.rename(path + ".tmp", path) # bound: the test may start the daemon
with open(log, "a", buffering=1) as out:
    while True:
        msg = s.recv(65536)
        now = time.time_ns()
        for line in msg.decode("utf-8", "replace").split("\n"):
            if line == "":
                continue
            if line == "READY=1":
                with open(daemon_log, "rb") as f:
                    seen = b"watching " in f.read()
                out.write("%d READY=1 watching-logged=%d\n" % (now, seen))
            else:
                out.write("%d %s\n" % (now, line))
