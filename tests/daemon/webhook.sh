#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Webhook actions against a real HTTP server on loopback (issue 5).  One
# crash of a program whose name and argv hold invalid UTF-8, quotes, a
# backtick, a newline and "<!here>", and three webhook actions, one per
# format: json (with extra headers and a bearer token from a 0600 file),
# slack and alertmanager.  Each receiver gets one POST: Content-Type
# application/json, an Idempotency-Key equal to the body's id, valid
# UTF-8 JSON whose every field is asserted against the dump's items; the
# hostile bytes are escaped (they read back to the very bytes), never
# dropped, and break no line of the chat message or the alert.  The
# record says each was delivered at the first attempt.
source "$(dirname "$0")/lib_daemon.sh"
source "$(dirname "$0")/webhook_lib.sh"

start_http generic
generic=$HTTP_PORT
start_http chat
chat=$HTTP_PORT
start_http alert
alert=$HTTP_PORT

printf 'tok-3f9a.Z_~+/=\n' >"$T/token"
chmod 600 "$T/token"
write_daemon_config mode=mini max_size=64M actions="$(webhook_action generic json \
	"http://127.0.0.1:$generic/generic" \
	"headers = [ \"X-Team: core crash\" ]; token_file = \"$T/token\"; timeout = \"10s\"; connect_timeout = \"2s\";"),
  $(webhook_action chat slack "http://127.0.0.1:$chat/services/T0/B0/secret"),
  $(webhook_action alert alertmanager "http://127.0.0.1:$alert/api/v2/alerts"),
  $(log_action)"
register
start_daemon

name=$'vic"tim`<!here>&\n\xff\xfe\'q'
copy_victim "$name"
d_crash "$T/$name" segv $'a\xffb' $'two\nlines' '"quoted"' 'back\x41slash'
wait_processed "$DUMP"
for s in generic chat alert; do
	wait_until 15 "the $s receiver to get a request" requests_at_least "$T/http-$s" 1
	wait_journal 15 "$DUMP" "^[0-9T:-]+Z $s delivered \\(attempt 1\\): HTTP 200 from http://127\\.0\\.0\\.1:[0-9]+$"
done
expect_daemon_alive
info "$(grep ' delivered ' "$DUMP/actions" | sed 's/^/  /')"

/usr/bin/python3 - "$DUMP" "$T" "$SPOOL" <<'EOF' || fail "the webhook bodies are not as expected (above)"
import datetime, html, json, os, re, sys

dump, T, spool = sys.argv[1:]
name = os.path.basename(dump)
errors = []


def check(what, cond):
    if not cond:
        errors.append(what)
        print("FAIL: " + what, file=sys.stderr)


def eq(what, want, got):
    check(f"{what}: expected {want!r}, got {got!r}", want == got)


def item(n, strip=True):
    try:
        b = open(os.path.join(dump, n), "rb").read()
    except FileNotFoundError:
        return None
    return b[:-1] if strip and b.endswith(b"\n") else b


def text(n):
    v = item(n)
    return None if v is None else v.decode()


def unescape(s):
    # The rule of the schema: each \xHH is the byte 0xHH.
    return re.sub(rb"\\x([0-9a-fA-F]{2})",
                  lambda m: bytes([int(m[1], 16)]), s.encode())


def visible(what, s):
    # Text for people: no control, separator or bidi character.
    bad = [c for c in s if ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f or
           c in "\u2028\u2029\u202a\u202b\u202c\u202d\u202e"]
    check(f"{what} has no control characters ({s!r})", not bad)


def request(server):
    d = os.path.join(T, "http-" + server)
    reqs = sorted(f for f in os.listdir(d) if f.endswith(".json"))
    eq(f"{server}: requests", 1, len(reqs))
    r = json.load(open(os.path.join(d, reqs[0])))
    body = open(os.path.join(d, r["body_file"]), "rb").read()
    h = {}
    for k, v in r["headers"]:
        h.setdefault(k.lower(), []).append(v)
    eq(f"{server}: method", "POST", r["method"])
    eq(f"{server}: Content-Type", ["application/json"], h.get("content-type"))
    eq(f"{server}: Idempotency-Key", [f"{name}/{server}"],
       h.get("idempotency-key"))
    check(f"{server}: User-Agent crashd/...",
          h.get("user-agent", [""])[0].startswith("crashd/"))
    # Strict: valid UTF-8, no lone surrogate, no NaN, no duplicate key.
    def no_dup(pairs):
        keys = [k for k, _ in pairs]
        check(f"{server}: duplicate keys {keys}", len(keys) == len(set(keys)))
        return dict(pairs)
    def no_const(c):
        raise ValueError(c)
    try:
        j = json.loads(body.decode("utf-8", "strict"),
                       object_pairs_hook=no_dup, parse_constant=no_const)
    except ValueError as e:
        errors.append(f"{server}: invalid JSON: {e}: {body[:300]!r}")
        return r, h, None
    check(f"{server}: a lone surrogate in the body",
          not re.search(rb"\\u[dD][89a-fA-F]", body))
    return r, h, j


exe = item("executable")
cmdline = item("cmdline", strip=False)
argv = [a for a in cmdline.split(b"\0")]
if argv and argv[-1] == b"":
    argv.pop()
t = int(text("time"))
when = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime(
    "%Y-%m-%dT%H:%M:%SZ")
host = text("hostname")
reason = text("reason")
container = ""
for l in (text("namespaces") or "").split("\n"):
    if l.startswith("container\t"):
        container = " ".join(l.split("\t")[1:3])
check("the executable has the hostile bytes", b"\n\xff\xfe" in exe)

# format = "json"
r, h, j = request("generic")
eq("generic: path", "/generic", r["path"])
eq("generic: Authorization", ["Bearer tok-3f9a.Z_~+/="], h.get("authorization"))
eq("generic: X-Team", ["core crash"], h.get("x-team"))
if j is not None:
    eq("schema", "crashd.crash/1", j.get("schema"))
    eq("id", f"{name}/generic", j.get("id"))
    eq("event", "first", j.get("event"))
    eq("count", 1, j.get("count"))
    eq("held_back", 0, j.get("held_back"))
    eq("summary", "", j.get("summary"))
    eq("action", "generic", j.get("action"))
    eq("dump_path", f"{spool}/{name}", j.get("dump_path"))
    eq("title", f"{reason} on {host}", j.get("title"))
    d = j.get("dump", {})
    eq("dump.id", name, d.get("id"))
    eq("dump.time", t, d.get("time"))
    eq("dump.time_rfc3339", when, d.get("time_rfc3339"))
    eq("dump.hostname", host, d.get("hostname"))
    eq("dump.executable read back", exe, unescape(d.get("executable", "")))
    check("dump.executable keeps \\xff escaped",
          "\n\\xff\\xfe'q" in d.get("executable", ""))
    eq("dump.executable_deleted", False, d.get("executable_deleted"))
    eq("dump.comm read back", item("comm"), unescape(d.get("comm", "")))
    eq("dump.cmdline read back", argv,
       [unescape(a) for a in d.get("cmdline", [])])
    eq("dump.cmdline[5] (a literal \\x41)", "back\\x5cx41slash",
       (d.get("cmdline") or [""] * 6)[5])
    eq("dump.pid", int(text("pid")), d.get("pid"))
    eq("dump.ns_pid", int(text("ns_pid")), d.get("ns_pid"))
    eq("dump.tid", int(text("tid")), d.get("tid"))
    eq("dump.uid", 0, d.get("uid"))
    eq("dump.gid", 0, d.get("gid"))
    eq("dump.username", "root", d.get("username"))
    eq("dump.signal", 11, d.get("signal"))
    eq("dump.signal_name", "SIGSEGV", d.get("signal_name"))
    eq("dump.reason", reason, d.get("reason"))
    eq("dump.cwd read back", item("cwd"), unescape(d.get("cwd", "")))
    eq("dump.container", container, d.get("container"))
    eq("dump.kernel", text("kernel"), d.get("kernel"))
    eq("dump.start_time", text("start_time"), d.get("start_time"))
    eq("dump.core", "mini", d.get("core"))
    eq("dump.core_size", os.path.getsize(os.path.join(dump, "core.mini")),
       d.get("core_size"))
    eq("dump.signature", text("signature"), d.get("signature"))
    eq("dump.duphash", text("duphash"), d.get("duphash"))
    eq("dump.where", text("where"), d.get("where"))
    check("dump.where is crash()", d.get("where", "").startswith("crash+0x"))
    frames = d.get("frames") or [{}]
    eq("dump.frames[0].function", "crash", frames[0].get("function"))
    eq("dump.frames[0].frame", 0, frames[0].get("frame"))
    eq("dump.frames[0].tid", int(text("tid")), frames[0].get("tid"))
    check("dump.frames[0].pc is hex",
          re.fullmatch(r"0x[0-9a-f]+", frames[0].get("pc", "")))
    eq("dump.frames: one thread", {int(text("tid"))},
       {f.get("tid") for f in frames})
    check("dump.backtrace starts with the crashing thread",
          d.get("backtrace", "").startswith(f"Thread {text('tid')} (crashed):"))
    ptree = d.get("ptree") or [{}]
    eq("dump.ptree[0].pid", int(text("pid")), ptree[0].get("pid"))
    check("dump.ptree reaches pid 1", ptree[-1].get("pid") == 1)
    eq("dump.ptree[0].argv", text("ptree").split("\n")[0].split("\t")[2],
       ptree[0].get("argv"))

# format = "slack"
r, h, j = request("chat")
eq("chat: path", "/services/T0/B0/secret", r["path"])
eq("chat: no Authorization", None, h.get("authorization"))
if j is not None:
    eq("chat: keys", ["text"], list(j))
    txt = j.get("text", "")
    lines = txt.split("\n")
    check(f"chat: no mention: {txt!r}", "<!here>" not in txt)
    check("chat: the mention is shown escaped", "&lt;!here&gt;" in txt)
    eq("chat: line 1", "*Crash on* `%s`: `%s`" % (
        host, html.escape(reason.replace("`", "\\x60"), False)), lines[0])
    m = re.fullmatch(r"\*Executable:\* `(.*)`", lines[1])
    check(f"chat: line 2 is the executable: {lines[1]!r}", m)
    if m:
        visible("chat: executable", m[1])
        eq("chat: executable read back", exe, unescape(html.unescape(m[1])))
    check(f"chat: argv on line 3: {lines[2]!r}",
          lines[2].startswith("*Argv:* `") and "two\\nlines" in lines[2])
    pid = text("pid")
    eq("chat: line 4",
       f"*Signal:* SIGSEGV (11), pid {pid}, user `root` (uid 0)", lines[3])
    if container:
        eq("chat: container", f"*Container:* `{container}`", lines.pop(4))
    check("chat: parents", lines[4].startswith("*Parents:* `"))
    eq("chat: count", "*Crashes of this kind:* 1", lines[5])
    check(f"chat: where: {lines[6]!r}", lines[6].startswith("*Where:* `crash+0x"))
    eq("chat: where it died", ["*Where it died:*", "```"], lines[7:9])
    check(f"chat: frame 0: {lines[9]!r}", lines[9].startswith("#0 crash+0x"))
    eq("chat: last line", f"_crashd first_ `{name}/chat`", lines[-1])

# format = "alertmanager"
r, h, j = request("alert")
eq("alert: path", "/api/v2/alerts", r["path"])
if j is not None:
    check("alert: a list of one alert", isinstance(j, list) and len(j) == 1)
    a = j[0] if isinstance(j, list) and j else {}
    eq("alert: keys", {"labels", "annotations", "startsAt", "endsAt"},
       set(a))
    lab = a.get("labels", {})
    sig = open(os.path.join(dump, "signature")).read().strip() \
        if os.path.exists(os.path.join(dump, "signature")) else ""
    eq("alert: label names", {"alertname", "host", "executable", "signal"} |
       ({"container"} if container else set()) |
       ({"signature"} if sig else set()), set(lab))
    if sig:
        eq("alert: signature", sig, lab.get("signature"))
    eq("alert: alertname", "ProcessCrashed", lab.get("alertname"))
    eq("alert: host", host, lab.get("host"))
    eq("alert: signal", "SIGSEGV", lab.get("signal"))
    visible("alert: executable", lab.get("executable", ""))
    eq("alert: executable read back", exe, unescape(lab.get("executable", "")))
    eq("alert: startsAt", when, a.get("startsAt"))
    eq("alert: endsAt (ProcessCrashed's 15 m)",
       datetime.datetime.fromtimestamp(t + 900, datetime.timezone.utc)
       .strftime("%Y-%m-%dT%H:%M:%SZ"), a.get("endsAt"))
    an = a.get("annotations", {})
    eq("alert: summary", f"{reason} on {host}", an.get("summary"))
    eq("alert: crashd_id", f"{name}/alert", an.get("crashd_id"))
    eq("alert: dump", name, an.get("dump"))
    eq("alert: count", "1", an.get("count"))
    eq("alert: pid", text("pid"), an.get("pid"))
    eq("alert: uid", "0", an.get("uid"))
    desc = an.get("description", "").split("\n")
    eq("alert: description line 1", f"{reason} on {host}", desc[0])
    check("alert: description argv", any(l.startswith("argv: ") for l in desc))
    check("alert: description frame 0",
          any(l.startswith("  #0 crash+0x") for l in desc))
    for l in desc:
        visible("alert: a description line", l)

sys.exit(1 if errors else 0)
EOF

info "one delivery each: the record and the queue agree"
for s in generic chat alert; do
	expect_eq "records of $s delivered" 1 "$(journal_count "$DUMP" " $s delivered ")"
	expect_eq "requests to $s" 1 "$(requests "$T/http-$s")"
done
expect_eq "pending or dead deliveries" "[]" "$("$CRASHD_CLI" -c "$CONF" deliveries --json)"
stop_daemon
echo "PASS"
