#!/usr/bin/env python3
"""`ktriage watch` as a daemon: harvest, --stdout, SIGHUP, sinks, errors.

  harvest   crash dumps and pstore records under --sysroot are analysed
            once: a restart adds nothing, a new dump is analysed at the
            next start
  stdout    --stdout prints each new event once, not again after a restart
  term      SIGTERM stores the reports still open, and only once
  first     a new source's starting place is committed before READY=1, so
            a kill -9 right after the first start loses nothing
  reload    SIGHUP reads the configuration file and rules again: a rule
            added to the rules folder finds its line afterwards; a broken
            configuration leaves the running one in place
  exec      an --exec sink gets the alert record on standard input;
            --test-alert sends one to every sink and exits
  errors    bad options and an unusable store give one line naming the
            input and the reason, and exit status 1

usage: daemon.py --bin build/ktriage
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logsim  # noqa: E402

FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("daemon: FAIL: " + what)
    return cond


class Watch:
    def __init__(self, bin_, args, tmp, name):
        self.bin = bin_
        self.args = args
        self.tmp = tmp
        self.env = dict(os.environ, TZ="UTC",
                        KTRIAGE_CACHE_DIR=os.path.join(tmp, "cache"))
        self.out = os.path.join(tmp, name + ".out")
        self.err = os.path.join(tmp, name + ".err")
        self.proc = None

    def start(self):
        path = os.path.join(self.tmp, "notify.sock")
        if os.path.exists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(30)
        self.proc = subprocess.Popen(
            [self.bin, "watch"] + self.args,
            env=dict(self.env, NOTIFY_SOCKET=path),
            stdout=open(self.out, "ab"), stderr=open(self.err, "ab"))
        try:
            self.wait_notify(sock, "READY=1")
        finally:
            sock.close()

    def wait_notify(self, sock, what):
        while True:
            try:
                msg = sock.recv(4096).decode()
            except socket.timeout:
                raise SystemExit("daemon: no %s in 30 s; stderr: %s" %
                                 (what, open(self.err).read()))
            if what in msg.split("\n"):
                return

    def reload(self):
        """SIGHUP, then wait for the READY=1 that ends the reload."""
        path = os.path.join(self.tmp, "notify.sock")
        if os.path.exists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        sock.bind(path)
        sock.settimeout(30)
        try:
            self.proc.send_signal(signal.SIGHUP)
            self.wait_notify(sock, "READY=1")
        finally:
            sock.close()

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=30)

    def query(self, db):
        r = subprocess.run([self.bin, "query", "--db", db], env=self.env,
                           capture_output=True, check=True, text=True)
        return [json.loads(l) for l in r.stdout.splitlines() if l.strip()]


def wait_for(pred, secs=10):
    end = time.time() + secs
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.1)
    return pred()


def oops_text(func):
    sim = logsim.Log()
    return "".join(sim.report((logsim.oops, func)))


def test_harvest(bin_, tmp):
    root = os.path.join(tmp, "root")
    crash = os.path.join(root, "var", "crash", "127.0.0.1-2025-11-20-03:12:44")
    pstore = os.path.join(root, "sys", "fs", "pstore")
    os.makedirs(crash)
    os.makedirs(pstore)
    with open(os.path.join(crash, "vmcore-dmesg.txt"), "w") as f:
        f.write(oops_text("tcp_sendmsg_locked"))
    with open(os.path.join(pstore, "dmesg-ramoops-0"), "w") as f:
        f.write(oops_text("ext4_writepages"))
    db = os.path.join(tmp, "harvest.db")
    log = os.path.join(tmp, "harvest.log")
    open(log, "w").close()
    w = Watch(bin_, ["--db", db, "--source", log, "--sysroot", root],
              tmp, "harvest")
    w.start()
    check(w.stop() == 0, "harvest: SIGTERM exit status")
    first = w.query(db)
    files = sorted({os.path.basename(e["source"]["file"]) for e in first})
    check(files == ["dmesg-ramoops-0", "vmcore-dmesg.txt"],
          "harvest: events from %s" % files)
    w.start()
    w.stop()
    check(len(w.query(db)) == len(first),
          "harvest: a restart analysed the dumps again")
    crash2 = os.path.join(root, "var", "crash", "127.0.0.1-2025-11-21-08:00:00")
    os.makedirs(crash2)
    with open(os.path.join(crash2, "vmcore-dmesg.txt"), "w") as f:
        f.write(oops_text("blk_mq_run_hw_queue"))
    w.start()
    w.stop()
    check(len(w.query(db)) == len(first) + 1,
          "harvest: a new dump was not analysed once")


def test_stdout_and_exec(bin_, tmp):
    db = os.path.join(tmp, "stdout.db")
    log = os.path.join(tmp, "stdout.log")
    got = os.path.join(tmp, "exec.json")
    open(log, "w").close()
    w = Watch(bin_, ["--db", db, "--source", log, "--no-harvest", "--stdout",
                     "--exec", "cat >> '%s'; echo >> '%s'" % (got, got)],
              tmp, "stdout")
    w.start()
    sim = logsim.Log(seed=3)
    with open(log, "a") as f:
        f.write("".join(sim.report(logsim.PROBLEMS[0])))
    check(wait_for(lambda: os.path.exists(w.out) and
                   os.path.getsize(w.out) > 0), "stdout: no event printed")
    check(wait_for(lambda: os.path.exists(got) and os.path.getsize(got) > 0),
          "exec: the sink got nothing")
    w.stop()
    w.start()  # the same file, from the cursor: nothing new
    time.sleep(0.5)
    w.stop()
    lines = [l for l in open(w.out).read().splitlines() if l.strip()]
    check(len(lines) == 1, "stdout: %d lines for one event" % len(lines))
    if lines:
        ev = json.loads(lines[0])
        check(ev["type"] == "oops", "stdout: type %s" % ev["type"])
    if os.path.exists(got):
        rec = json.loads(open(got).read().split("\n")[0])
        check(rec.get("event", rec).get("type") == "oops",
              "exec: the record is not the event's: %r" % rec)
    # --test-alert: one record to every sink, now, and exit
    got2 = os.path.join(tmp, "test-alert.json")
    r = subprocess.run([bin_, "watch", "--db", db, "--test-alert",
                        "--exec", "cat > '%s'" % got2], env=w.env,
                       capture_output=True, text=True, timeout=30)
    check(r.returncode == 0, "--test-alert: status %d: %s" %
          (r.returncode, r.stderr))
    check(os.path.exists(got2) and "test" in open(got2).read(),
          "--test-alert: the exec sink got no test record")


def test_term(bin_, tmp):
    """SIGTERM stores the reports still open, once."""
    db = os.path.join(tmp, "term.db")
    log = os.path.join(tmp, "term.log")
    open(log, "w").close()
    w = Watch(bin_, ["--db", db, "--source", log, "--no-harvest",
                     "--idle", "1h"], tmp, "term")
    w.start()
    sim = logsim.Log(seed=5)
    with open(log, "a") as f:  # a hung task: no end marker, open for 1 h
        f.write("".join(sim.report(logsim.PROBLEMS[9])))
    time.sleep(0.5)
    check(not w.query(db), "term: a report closed before --idle")
    check(w.stop() == 0, "term: SIGTERM exit status")
    evs = w.query(db)
    check([e["subtype"] for e in evs] == ["hung_task"],
          "term: stored %r, not the open hung task" %
          [e["subtype"] for e in evs])
    w.start()
    time.sleep(0.5)
    w.stop()
    check(len(w.query(db)) == 1, "term: the report was stored again")


def test_first_cursor(bin_, tmp):
    """The place a new source starts at is committed before READY=1."""
    db = os.path.join(tmp, "first.db")
    log = os.path.join(tmp, "first.log")
    with open(log, "w") as f:
        f.write(logsim.Log(seed=8).noise())  # history: not read
    w = Watch(bin_, ["--db", db, "--source", log, "--no-harvest"], tmp,
              "first")
    w.start()
    w.proc.send_signal(signal.SIGKILL)
    w.proc.wait()
    with open(log, "a") as f:  # written while the daemon is down
        f.write("".join(logsim.Log(seed=9).report(logsim.PROBLEMS[3])))
    w.start()
    check(wait_for(lambda: len(w.query(db)) == 1),
          "first cursor: what was written after the first start and "
          "before the restart was not read")
    w.stop()


def test_reload(bin_, tmp):
    db = os.path.join(tmp, "reload.db")
    log = os.path.join(tmp, "reload.log")
    rules = os.path.join(tmp, "rules.d")
    conf = os.path.join(tmp, "watch.conf")
    os.mkdir(rules)
    open(log, "w").close()
    with open(conf, "w") as f:
        f.write("[watch]\nsource = %s\nrules = %s\nno-harvest = true\n" %
                (log, rules))
    w = Watch(bin_, ["--config", conf, "--db", db], tmp, "reload")
    w.start()
    line = "Nov 21 10:00:00 node7 kernel: [ 99.000000] frobnicator: " \
           "widget 7 jammed\n"
    with open(log, "a") as f:
        f.write(line)
    time.sleep(0.8)
    check(not w.query(db), "reload: an event before the rule exists")
    with open(os.path.join(rules, "frob.yaml"), "w") as f:
        f.write("""rules:
  - id: frobnicator_jam
    role: line
    type: hardware
    subtype: frobnicator_jam
    severity: major
    match: '^frobnicator: widget (?<widget>\\d+) jammed'
    title: 'frobnicator widget {widget} jammed'
""")
    w.reload()
    with open(log, "a") as f:
        f.write(line.replace("widget 7", "widget 8"))
    check(wait_for(lambda: any(e["subtype"] == "frobnicator_jam"
                               for e in w.query(db))),
          "reload: the new rule did not apply")
    # a broken configuration: the daemon keeps the one it has
    with open(conf, "w") as f:
        f.write("[watch]\nno-such-option = 1\n")
    w.reload()
    check(w.proc.poll() is None, "reload: a bad configuration stopped it")
    with open(log, "a") as f:
        f.write(line.replace("widget 7", "widget 9"))
    check(wait_for(lambda: sum(e["subtype"] == "frobnicator_jam"
                               for e in w.query(db)) == 2),
          "reload: after a bad configuration the old one is gone")
    check("no-such-option" in open(w.err).read(),
          "reload: the bad option was not reported")
    check(w.stop() == 0, "reload: SIGTERM exit status")


def test_errors(bin_, tmp):
    env = dict(os.environ, KTRIAGE_CACHE_DIR=os.path.join(tmp, "cache"))
    notdb = os.path.join(tmp, "not-a-db")
    with open(notdb, "w") as f:
        f.write("this is not SQLite\n" * 100)
    cases = [
        (["--db", notdb, "--source", notdb], "not-a-db"),
        (["--db", "/proc/ktriage/events.db"], "/proc/ktriage"),
        (["--db", os.path.join(tmp, "e.db"), "--alert-cooldown", "soon"],
         "soon"),
        (["--db", os.path.join(tmp, "e.db"), "--config",
          os.path.join(tmp, "missing.conf")], "missing.conf"),
        (["--db", os.path.join(tmp, "e.db"), "--webhook", "not a url"],
         "not a url"),
    ]
    for args, want in cases:
        r = subprocess.run([bin_, "watch"] + args, env=env, text=True,
                           capture_output=True, timeout=30)
        lines = [l for l in r.stderr.splitlines() if l.startswith("ktriage")]
        check(r.returncode == 1 and lines and want in lines[0],
              "errors: watch %s: status %d, %r" % (" ".join(args),
                                                    r.returncode, r.stderr))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    a = ap.parse_args()
    bin_ = os.path.abspath(a.bin)
    tmp = tempfile.mkdtemp(prefix="kt-daemon-")
    for t in (test_harvest, test_stdout_and_exec, test_term,
              test_first_cursor, test_reload, test_errors):
        t(bin_, tmp)
        print("daemon: %s done" % t.__name__)
    if FAILS:
        print("daemon: %d failures; files kept in %s" % (len(FAILS), tmp))
        sys.exit(1)
    shutil.rmtree(tmp)
    print("daemon: ok")


if __name__ == "__main__":
    main()
