# SPDX-License-Identifier: GPL-2.0-or-later
# bench/peers_pyhook.py: bench/peers' "Python hook", a core_pattern helper
# as people write them (the "nabrt" script of a mail-coredumps blog post,
# ported to python3): it never reads the core,
# harvests /proc/PID into one text, and hands it on (here: one file in
# OUTDIR instead of "mail -t").  Exiting closes the core pipe.
#
#   core_pattern: |PYTHON peers_pyhook.py OUTDIR %s %c %p %u %g %t
import os
import pwd
import sys

outdir = sys.argv[1]
signal = sys.argv[2]
pid = sys.argv[4]
uid = int(sys.argv[5])
dump_time = sys.argv[7]
proc_path = "/proc/%s/" % pid


def read_file(name):
    with open(os.path.join(proc_path, name), "r", errors="replace") as f:
        return f.read()


def get_symlink(name):
    name = os.path.join(proc_path, name)
    return os.path.join(os.path.dirname(name), os.readlink(name))


def get_dso():
    with open(os.path.join(proc_path, "maps")) as f:
        files = set(x.strip()[x.find("/"):] for x in f if x.find("/") > -1)
    return "\n".join(files)


def list_dir_symlink(name):
    name = os.path.join(proc_path, name)
    links = dict((i, os.readlink(os.path.join(name, i)))
                 for i in os.listdir(name))
    return "\n".join("%s: %s" % (k, links[k]) for k in sorted(links))


exe_path = get_symlink("exe")
try:
    username = pwd.getpwuid(uid).pw_name
except KeyError:
    username = str(uid)
data = {
    "cgroup": read_file("cgroup"),
    "cmdline": read_file("cmdline").replace("\0", "\n").strip(),
    "executable": exe_path,
    "signal": signal,
    "hostname": os.uname()[1],
    "kernel": os.uname()[2],
    "pid": pid,
    "pwd": get_symlink("cwd"),
    "start_time": int(os.path.getctime(proc_path)),
    "end_time": dump_time,
    "uid": uid,
    "username": username,
    "dso_list": get_dso(),
    "environ": "\n".join(read_file("environ").split("\0")),
    "limits": read_file("limits"),
    "maps": read_file("maps"),
    "open_fds": list_dir_symlink("fd"),
}
text = "\n".join("#%s:\n%s" % (k, data[k]) for k in sorted(data))
mail = "To:root\nSubject:nabrt crash %s\n\n%s" % (
    exe_path.split("/")[-1], text)
with open(os.path.join(outdir, "crash-%s.txt" % pid), "w") as f:
    f.write(mail)
