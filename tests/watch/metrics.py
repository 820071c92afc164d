#!/usr/bin/env python3
"""`ktriage watch --metrics`: the exposition is valid for promtool, every
type x severity series is there at 0 before any event, and an event and
the lines read show up in it.

usage: metrics.py --bin build/ktriage [--promtool PATH]
Fails when promtool (Debian package prometheus) is not installed.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import logsim  # noqa: E402


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def scrape(port):
    url = "http://127.0.0.1:%d/metrics" % port
    with urllib.request.urlopen(url, timeout=5) as r:
        ctype = r.headers.get("Content-Type", "")
        return r.read().decode(), ctype


def value(text, series):
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--promtool", default=shutil.which("promtool"))
    a = ap.parse_args()
    if not a.promtool:
        print("metrics: promtool not found (apt-get install prometheus)")
        sys.exit(1)
    tmp = tempfile.mkdtemp(prefix="kt-metrics-")
    env = dict(os.environ, TZ="UTC",
               KTRIAGE_CACHE_DIR=os.path.join(tmp, "cache"))
    log = os.path.join(tmp, "kern.log")
    open(log, "w").close()
    port = free_port()
    proc = subprocess.Popen([a.bin, "watch", "--db",
                             os.path.join(tmp, "events.db"),
                             "--source", log, "--no-harvest",
                             "--metrics", "127.0.0.1:%d" % port],
                            env=env, stderr=subprocess.PIPE)
    fails = []
    try:
        text = None
        for _ in range(100):
            try:
                text, ctype = scrape(port)
                break
            except OSError:
                time.sleep(0.1)
        if text is None:
            raise SystemExit("metrics: nothing served on port %d" % port)
        if not ctype.startswith("text/plain"):
            fails.append("Content-Type %r" % ctype)
        for t in ("oom", "panic", "oops", "deadlock", "fs_error", "io_error"):
            for sev in ("critical", "major", "minor"):
                s = 'ktriage_events_total{type="%s",severity="%s"}' % (t, sev)
                if value(text, s) != 0:
                    fails.append("%s is %r at start, not 0" %
                                 (s, value(text, s)))
        sim = logsim.Log()
        lines = sim.report(logsim.PROBLEMS[6])  # an OOM kill
        with open(log, "a") as f:
            f.write("".join(lines))
        series = 'ktriage_events_total{type="oom",severity="major"}'
        for _ in range(50):
            text, _ = scrape(port)
            if value(text, series) == 1:
                break
            time.sleep(0.1)
        if value(text, series) != 1:
            fails.append("%s is %r after an OOM kill" %
                         (series, value(text, series)))
        src = 'ktriage_source_lines_total{source="file:%s"}' % log
        if value(text, src) != len(lines):
            fails.append("%s is %r, not %d" % (src, value(text, src),
                                               len(lines)))
        if value(text, 'ktriage_source_up{source="file:%s"}' % log) != 1:
            fails.append("source_up is not 1 for a followed file")
        if 'ktriage_last_event_timestamp_seconds{type="oom"}' not in text:
            fails.append("no last event time for oom")
        if "ktriage_build_info{" not in text:
            fails.append("no build info")
        for bad in ("pid=", "comm=", "message=", "id="):
            if bad in text.replace("build_info", ""):
                fails.append("a high-cardinality label: %s" % bad)
        path = os.path.join(tmp, "metrics.txt")
        with open(path, "w") as f:
            f.write(text)
        with open(path) as f:
            r = subprocess.run([a.promtool, "check", "metrics"], stdin=f,
                               capture_output=True, text=True)
        if r.returncode != 0:
            fails.append("promtool check metrics: " + r.stdout + r.stderr)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            rc = "hung"
        if rc != 0:
            fails.append("SIGTERM: exit status %s: %s" %
                         (rc, proc.stderr.read().decode()))
    if fails:
        for f in fails:
            print("metrics: FAIL: " + f)
        print("metrics: files kept in " + tmp)
        sys.exit(1)
    shutil.rmtree(tmp)
    print("metrics: ok (%d series)" % sum(
        1 for l in text.splitlines() if l and not l.startswith("#")))


if __name__ == "__main__":
    main()

