#!/usr/bin/env python3
"""End-to-end test of `ktriage watch` following a file.

A writer appends kernel reports (tests/watch/logsim.py) and noise to a
log file while the daemon follows it.  Along the way the file is rotated
both ways (rename with a new file, and copytruncate), the daemon is
killed with SIGKILL at random moments and started again, and the webhook
receiver (a local HTTP server) is down for a while.  At the end:

  - the store holds exactly the events `ktriage scan` finds in all the
    bytes written, in order (none lost, none twice: same type, subtype,
    title and lines);
  - the receiver got exactly one alert per problem (fingerprint):
    delivery is at least once, so the same alert (the same event id)
    arriving twice after a kill is counted once, but two different
    alerts for one problem fail the test;
  - SIGTERM ends the daemon with status 0.

usage: e2e.py --bin build/ktriage [--seed N] [--rounds N] [--keep]
"""
import argparse
import collections
import http.server
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logsim  # noqa: E402


class Receiver:
    """A webhook receiver on 127.0.0.1 that can be taken down and back."""

    def __init__(self):
        self.bodies = []
        self.lock = threading.Lock()
        self.port = None
        self.server = None
        self.thread = None

    def start(self):
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(n)
                with outer.lock:
                    outer.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args):
                pass

        addr = ("127.0.0.1", self.port or 0)
        http.server.ThreadingHTTPServer.allow_reuse_address = True
        self.server = http.server.ThreadingHTTPServer(addr, Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def alerts(self):
        with self.lock:
            return [json.loads(b) for b in self.bodies]


def event_of(alert):
    """The event an alert is about, from a generic webhook body."""
    return alert.get("event", alert)


class Daemon:
    def __init__(self, args, env, tmp):
        self.args = args
        self.env = dict(env)
        self.sock_path = os.path.join(tmp, "notify.sock")
        self.proc = None
        self.log = open(os.path.join(tmp, "daemon.log"), "ab")
        self.starts = 0

    def start(self):
        if os.path.exists(self.sock_path):
            os.unlink(self.sock_path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(self.sock_path)
        sock.settimeout(20)
        env = dict(self.env, NOTIFY_SOCKET=self.sock_path)
        self.proc = subprocess.Popen(self.args, env=env,
                                     stdout=subprocess.DEVNULL,
                                     stderr=self.log)
        self.starts += 1
        try:
            while True:
                msg = sock.recv(4096).decode()
                if "READY=1" in msg.split("\n"):
                    break
        except socket.timeout:
            self.proc.kill()
            raise SystemExit("e2e: the daemon did not tell READY=1 in 20 s")
        finally:
            sock.close()

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def term(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)


def query(bin_, db, env):
    out = subprocess.run([bin_, "query", "--db", db, "--format", "ndjson"],
                         env=env, capture_output=True, check=True).stdout
    return [json.loads(l) for l in out.decode().splitlines() if l.strip()]


def key(ev):
    return (ev["type"], ev["subtype"], ev["title"],
            ev["source"]["line"], ev["source"].get("line_end"))


class Writer:
    """Appends to the log, keeping every byte written in order."""

    def __init__(self, path, seed):
        self.path = path
        self.sim = logsim.Log(seed=seed)
        self.rng = random.Random(seed)
        self.written = []
        self.lock = threading.Lock()
        self.actions = []  # (lines written before it, what happened)

    def note(self, what):
        with self.lock:
            n = sum(t.count("\n") for t in self.written)
            self.actions.append((n, what))

    def append(self, text):
        with self.lock:
            with open(self.path, "a") as f:
                f.write(text)
            self.written.append(text)

    def batch(self, n):
        for _ in range(n):
            if self.rng.random() < 0.5:
                lines = self.sim.report(self.rng.choice(logsim.PROBLEMS))
                # a report comes in a few pieces, milliseconds apart
                cut = self.rng.randint(1, len(lines))
                self.append("".join(lines[:cut]))
                time.sleep(self.rng.random() * 0.005)
                if cut < len(lines):
                    self.append("".join(lines[cut:]))
            else:
                self.append(self.sim.noise())
            time.sleep(self.rng.random() * 0.03)

    def barrier(self):
        """A report with an end marker: it closes whatever is open.

        A report without an end marker (an EXT4 error burst, a hung task)
        closes in a scan when an unrelated report starts, and live when
        no line joined it for --idle as well.  Before the writer pauses
        longer than that, it closes them the way a scan would too, so
        that both find the same events.
        """
        ends = [p for p in logsim.PROBLEMS if p[0] in (logsim.oops,
                                                       logsim.oom)]
        self.append("".join(self.sim.report(self.rng.choice(ends))))

    def rotate_rename(self):
        with self.lock:
            for i in range(3, 0, -1):
                old = "%s.%d" % (self.path, i)
                if os.path.exists(old):
                    os.rename(old, "%s.%d" % (self.path, i + 1))
            os.rename(self.path, self.path + ".1")
            open(self.path, "w").close()

    def rotate_copytruncate(self):
        with self.lock:
            shutil.copyfile(self.path, self.path + ".ct")
            with open(self.path, "r+") as f:
                f.truncate(0)


def wait_for(pred, secs):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.2)
    return pred()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--seed", type=int, default=int(time.time()) % 10000)
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    bin_ = os.path.abspath(a.bin)
    rng = random.Random(a.seed)
    print("e2e: seed %d" % a.seed)

    tmp = tempfile.mkdtemp(prefix="kt-e2e-")
    env = dict(os.environ, TZ="UTC",
               KTRIAGE_CACHE_DIR=os.path.join(tmp, "cache"))
    log = os.path.join(tmp, "kern.log")
    db = os.path.join(tmp, "events.db")
    open(log, "w").close()
    rec = Receiver()
    rec.start()
    url = "http://127.0.0.1:%d/hook" % rec.port
    daemon = Daemon([bin_, "watch", "--db", db, "--source", log,
                     "--webhook", url, "--no-harvest", "--idle", "300ms"],
                    env, tmp)
    writer = Writer(log, a.seed)
    daemon.start()
    failures = []
    try:
        for r in range(a.rounds):
            t = threading.Thread(target=writer.batch,
                                 args=(rng.randint(5, 25),))
            t.start()
            if r % 2 == 0:
                # kill -9 at a random moment of the batch, come back later
                time.sleep(rng.random() * 0.5)
                daemon.kill()
                writer.note("kill -9")
                time.sleep(rng.random() * 0.3)
                if r % 3 == 1:
                    writer.rotate_rename()  # while the daemon is down
                    writer.note("rotated by rename while down")
                daemon.start()
                writer.note("started")
            t.join()
            writer.barrier()
            if r == 2:
                rec.stop()  # the receiver goes down for a few rounds
            if r == 6:
                rec.start()
            if r % 3 == 0 and r:
                writer.rotate_rename()
                writer.note("rotated by rename")
            elif r % 3 == 2:
                # copytruncate loses what is written between the copy and
                # the truncation, and what the reader had not read yet:
                # that is the method's own gap, so give the reader time
                time.sleep(1.0)
                writer.rotate_copytruncate()
                writer.note("copytruncate")
                time.sleep(0.5)

        expected_dir = os.path.join(tmp, "expected")
        os.mkdir(expected_dir)
        whole = os.path.join(expected_dir, "kern.log")
        with open(whole, "w") as f:
            f.write("".join(writer.written))
        out = subprocess.run([bin_, "scan", "--format", "ndjson", whole],
                             env=env, capture_output=True,
                             check=True).stdout
        want = [json.loads(l) for l in out.decode().splitlines()
                if l.strip() and json.loads(l)["type"] != "reboot"]
        want_keys = collections.Counter(key(e) for e in want)
        want_fps = {e["fingerprint"] for e in want}

        def stored():
            return [e for e in query(bin_, db, env) if e["type"] != "reboot"]

        wait_for(lambda: len(stored()) >= len(want), 20)

        def alerted():
            fps = {event_of(x).get("fingerprint") for x in rec.alerts()}
            return want_fps <= fps

        wait_for(alerted, 30)
        rc = daemon.term()
        if rc != 0:
            failures.append("SIGTERM: exit status %d" % rc)

        have = stored()
        have_keys = collections.Counter(key(e) for e in have)
        for k in sorted(set(want_keys) | set(have_keys), key=str):
            if want_keys[k] != have_keys[k]:
                failures.append("event %r: stored %d, written %d" %
                                (k, have_keys[k], want_keys[k]))
        ids = collections.defaultdict(set)
        for x in rec.alerts():
            ev = event_of(x)
            ids[ev.get("fingerprint")].add(ev.get("id"))
        for fp in sorted(want_fps | set(ids), key=str):
            if len(ids.get(fp, ())) != 1 or fp not in want_fps:
                failures.append("problem %s: %d alerts (%s)" % (
                    fp, len(ids.get(fp, ())),
                    "expected" if fp in want_fps else "unexpected"))
        print("e2e: %d rounds, %d starts, %d lines written, %d events, "
              "%d problems, %d webhook posts" % (
                  a.rounds, daemon.starts,
                  sum(t.count("\n") for t in writer.written), len(want),
                  len(want_fps), len(rec.alerts())))
    finally:
        if daemon.proc and daemon.proc.poll() is None:
            daemon.proc.kill()
        try:
            rec.stop()
        except Exception:
            pass
    if failures:
        for f in failures:
            print("e2e: FAIL: " + f)
        for n, what in writer.actions:
            print("e2e: after line %d: %s" % (n, what))
        print("e2e: files kept in " + tmp)
        sys.exit(1)
    if not a.keep:
        shutil.rmtree(tmp)
    print("e2e: ok")


if __name__ == "__main__":
    main()
