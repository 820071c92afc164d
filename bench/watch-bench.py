#!/usr/bin/env python3
"""Benchmarks of `ktriage watch` (bench/README.md): alert latency and idle cost.

latency  The daemon follows a file and alerts a local webhook receiver,
         with no cooldown and no storm cap, so every report is alerted.
         Each report (tests/watch/logsim.py: oopses and OOM kills, which
         end with a marker, EXT4 errors and hung tasks, which close when
         no line follows for --idle) is written in one write(); latency
         is from just before the write to the receiver getting the POST.
         Baseline in the same run: `tail -F FILE | grep --line-buffered`
         with the rule pack's first-line keywords, from the write to
         grep printing the line: the cost of noticing a line at all.
idle     The daemon on /dev/kmsg (when readable) and a quiet file for
         --idle-secs: CPU share of one core and resident memory, against
         `tail -F` on the same file.

usage: watch-bench.py --bin build/ktriage [--reports N] [--idle-secs S]
Prints figures, then lines "target: NAME VALUE PASS|FAIL".
"""
import argparse
import http.server
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "watch"))
import logsim  # noqa: E402

TARGET_LATENCY_MS = 100
TARGET_IDLE_CPU = 1.0  # percent of one core
TARGET_IDLE_RSS_MB = 20


class Receiver:
    def __init__(self):
        self.times = []
        self.cond = threading.Condition()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                t = time.monotonic()
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()
                with outer.cond:
                    outer.times.append(t)
                    outer.cond.notify_all()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                      Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever,
                         daemon=True).start()

    def wait(self, n, secs):
        end = time.monotonic() + secs
        with self.cond:
            while len(self.times) < n and time.monotonic() < end:
                self.cond.wait(end - time.monotonic())
            return self.times[n - 1] if len(self.times) >= n else None


def wait_ready(sock):
    sock.settimeout(30)
    while b"READY=1" not in sock.recv(4096):
        pass


def start_watch(bin_, args, tmp):
    path = os.path.join(tmp, "notify.sock")
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    env = dict(os.environ, NOTIFY_SOCKET=path, TZ="UTC",
               KTRIAGE_CACHE_DIR=os.path.join(tmp, "cache"))
    proc = subprocess.Popen([bin_, "watch"] + args, env=env,
                            stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(tmp, "watch.err"), "w"))
    try:
        wait_ready(sock)
    finally:
        sock.close()
    return proc


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def latency(bin_, n, tmp):
    log = os.path.join(tmp, "lat.log")
    open(log, "w").close()
    rec = Receiver()
    proc = start_watch(bin_, [
        "--db", os.path.join(tmp, "lat.db"), "--source", log, "--no-harvest",
        "--webhook", "http://127.0.0.1:%d/" % rec.port, "--alert-cooldown", "0",
        "--alert-storm", "0"], tmp)
    # the baseline: tail -F | grep, started on the same file
    keys = "invoked oom-killer|BUG: kernel NULL|EXT4-fs error|INFO: task"
    tail = subprocess.Popen(["tail", "-n", "0", "-F", log],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    grep = subprocess.Popen(["grep", "--line-buffered", "-E", keys],
                            stdin=tail.stdout, stdout=subprocess.PIPE)
    time.sleep(0.5)
    sim = logsim.Log(seed=7)
    by_kind = {}
    base = []
    try:
        for i in range(n):
            problem = logsim.PROBLEMS[i % len(logsim.PROBLEMS)]
            text = "".join(sim.report(problem)) + sim.noise()
            t0 = time.monotonic()
            with open(log, "a") as f:
                f.write(text)
            grep.stdout.readline()
            base.append(time.monotonic() - t0)
            t1 = rec.wait(i + 1, 10)
            if t1 is None:
                raise SystemExit("latency: alert %d never came" % (i + 1))
            by_kind.setdefault(problem[0].__name__, []).append(t1 - t0)
            time.sleep(0.05)
    finally:
        stop(proc)
        grep.kill()
        tail.kill()
    all_ms = [x * 1000 for v in by_kind.values() for x in v]
    base_ms = [x * 1000 for x in base]
    print("latency: %d reports, line written -> webhook received" % n)
    print("  %-24s %8s %8s %8s" % ("", "median", "p90", "max"))
    for k in sorted(by_kind):
        ms = [x * 1000 for x in by_kind[k]]
        print("  %-24s %6.1f ms %6.1f ms %6.1f ms" % (
            "ktriage " + k, statistics.median(ms), pct(ms, 90), max(ms)))
    print("  %-24s %6.1f ms %6.1f ms %6.1f ms" % (
        "ktriage all", statistics.median(all_ms), pct(all_ms, 90),
        max(all_ms)))
    print("  %-24s %6.1f ms %6.1f ms %6.1f ms" % (
        "tail -F | grep (base)", statistics.median(base_ms),
        pct(base_ms, 90), max(base_ms)))
    return statistics.median(all_ms), statistics.median(base_ms)


def proc_stat(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    cpu = (int(fields[11]) + int(fields[12])) / ticks
    rss = hwm = 0
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) / 1024
            if line.startswith("VmHWM:"):
                hwm = int(line.split()[1]) / 1024
    return cpu, rss, hwm


def idle(bin_, secs, tmp):
    log = os.path.join(tmp, "idle.log")
    open(log, "w").close()
    args = ["--db", os.path.join(tmp, "idle.db"), "--source", log,
            "--no-harvest"]
    kmsg = os.access("/dev/kmsg", os.R_OK)
    if kmsg:
        args += ["--source", "kmsg"]
    proc = start_watch(bin_, args, tmp)
    tail = subprocess.Popen(["tail", "-F", log], stdout=subprocess.DEVNULL)
    time.sleep(2)  # kmsg's backlog is read at start: not idle yet
    c0, _, _ = proc_stat(proc.pid)
    t0c, _, _ = proc_stat(tail.pid)
    w0 = time.monotonic()
    time.sleep(secs)
    c1, rss, hwm = proc_stat(proc.pid)
    t1c, trss, _ = proc_stat(tail.pid)
    wall = time.monotonic() - w0
    stop(proc)
    tail.kill()
    cpu = (c1 - c0) / wall * 100
    tcpu = (t1c - t0c) / wall * 100
    print("idle: %.0f s, sources: file%s" % (wall, " + kmsg" if kmsg else ""))
    print("  ktriage watch    CPU %5.2f%% of a core, RSS %5.1f MB "
          "(peak %.1f MB)" % (cpu, rss, hwm))
    print("  tail -F (base)   CPU %5.2f%% of a core, RSS %5.1f MB" %
          (tcpu, trss))
    return cpu, rss, hwm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--reports", type=int, default=200)
    ap.add_argument("--idle-secs", type=float, default=30)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kt-watch-bench-")
    try:
        med, base = latency(os.path.abspath(a.bin), a.reports, tmp)
        cpu, rss, hwm = idle(os.path.abspath(a.bin), a.idle_secs, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("ratio: ktriage median latency / tail|grep median = %.1fx" %
          (med / base if base else 0))
    verdict = lambda ok: "PASS" if ok else "FAIL"  # noqa: E731
    print("target: latency-median-ms %.1f %s" % (
        med, verdict(med < TARGET_LATENCY_MS)))
    print("target: idle-cpu-percent %.2f %s" % (
        cpu, verdict(cpu < TARGET_IDLE_CPU)))
    print("target: idle-rss-mb %.1f %s" % (
        rss, verdict(rss < TARGET_IDLE_RSS_MB)))


if __name__ == "__main__":
    main()
