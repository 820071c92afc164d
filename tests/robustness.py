#!/usr/bin/env python3
"""Hostile input for `ktriage scan`: no crash, no hang, bounded memory,
the exit status of spec/events.md and clear one-line messages.

usage: robustness.py --bin KTRIAGE [--srcdir DIR] [--rss-limit KB]
                     [--no-rss-limit] [--keep] [CHECK...]
       robustness.py --bin KTRIAGE --pending CHECK

Every input is made at run time in a temporary folder (or streamed to
standard input), with the standard library only.  Each check prints one
line: "ok NAME" with the exit status, peak RSS and wall time of each
ktriage run, or "FAIL NAME: why".  The last line is
"robustness: N passed, N failed[, N skipped]"; exit status 1 when a check
failed.

Sizes: 1 GiB of random bytes (streamed to stdin), a 100 MB line, 64 MiB
of newlines and a gzip stream of 256 MiB of zero bytes; with
KT_TEST_LARGE=1 the last two are 1 GiB too.

Peak RSS comes from GNU time (`time -f %M`) when it is installed, else
from os.wait4's ru_maxrss, which Linux never lets drop below the RSS the
forked Python had before the exec: an upper bound, said so in the output.
Every run must stay under --rss-limit (default 32 MiB, the scanner's
target whatever the input size).  Sanitizer builds pass --no-rss-limit.
The compiled rule pack is cached in the temporary folder by a first run,
reported apart ("cold start") and not held to the limit.

--pending CHECK runs one known-problem check (see PENDING) and inverts
it: exit 0 while the check fails, 1 once it passes.
"""

import argparse
import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

MiB = 1024 * 1024
GiB = 1024 * MiB
TIMEOUT = 600  # seconds per ktriage run
LARGE = os.environ.get("KT_TEST_LARGE") == "1"


class Fail(Exception):
    pass


class Skip(Exception):
    pass


class Run:
    """One finished ktriage run."""

    def __init__(self, args, rc, out, err, rss_kb, secs):
        self.args, self.rc, self.out, self.err = args, rc, out, err
        self.rss_kb, self.secs = rss_kb, secs

    def summary(self):
        return "rc=%d %.1f MB %.2f s" % (self.rc, self.rss_kb / 1024.0,
                                         self.secs)


def find_gnu_time():
    """GNU time, if it is there and takes -f %M."""
    path = shutil.which("time", path="/usr/bin:/bin:/usr/local/bin")
    if not path:
        return None
    with tempfile.NamedTemporaryFile("r") as f:
        rc = subprocess.call([path, "-o", f.name, "-f", "%M", "true"],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        return path if rc == 0 and f.read().strip().isdigit() else None


GNU_TIME = find_gnu_time()


class Env:
    def __init__(self, opts, workdir):
        self.bin = os.path.abspath(opts.bin)
        self.srcdir = opts.srcdir
        self.rss_limit = None if opts.no_rss_limit else opts.rss_limit
        self.dir = workdir
        self.runs = []
        self.env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8",
                        KTRIAGE_CACHE_DIR=os.path.join(workdir, "cache"))
        os.makedirs(self.env["KTRIAGE_CACHE_DIR"], exist_ok=True)

    def path(self, name):
        return os.path.join(self.dir, name)

    def fixture(self, name):
        with open(os.path.join(self.srcdir, "tests", "logs", name),
                  "rb") as f:
            return f.read()

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data)
        return name

    def scan(self, *paths, fmt="ndjson", stdin_gen=None, prefix=(),
             limit=True):
        """Runs `ktriage scan --format FMT PATHS` in the work folder;
        stdin_gen, if given, yields the bytes fed to standard input."""
        args = list(prefix) + [self.bin, "scan", "--format", fmt] + \
            list(paths)
        timing = self.path(".rss")
        argv = [GNU_TIME, "-o", timing, "-f", "kt-rss %M"] + args \
            if GNU_TIME else args
        start = time.monotonic()
        p = subprocess.Popen(argv, cwd=self.dir, env=self.env,
                             stdin=subprocess.PIPE if stdin_gen else
                             subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        out, err = [], []
        readers = [threading.Thread(target=lambda s, b: b.append(s.read()),
                                    args=(s, b), daemon=True)
                   for s, b in ((p.stdout, out), (p.stderr, err))]
        for t in readers:
            t.start()
        killed = threading.Event()
        killer = threading.Timer(TIMEOUT, lambda: (killed.set(), p.kill()))
        killer.start()
        try:
            if stdin_gen:
                try:
                    for chunk in stdin_gen:
                        p.stdin.write(chunk)
                except BrokenPipeError:
                    pass
                finally:
                    try:
                        p.stdin.close()
                    except BrokenPipeError:
                        pass
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        for t in readers:
            t.join()
        secs = time.monotonic() - start
        rss = usage.ru_maxrss
        if GNU_TIME:
            with open(timing) as f:
                report = f.read()
            m = re.search(r"terminated by signal (\d+)", report)
            if m:
                p.returncode = -int(m.group(1))
            m = re.search(r"kt-rss (\d+)", report)
            rss = int(m.group(1)) if m else rss
        run = Run(args, p.returncode, out[0], err[0], rss, secs)
        self.runs.append(run)
        self.check_run(run, killed.is_set(), limit)
        return run

    def check_run(self, run, timed_out, limit):
        """What holds for every run, whatever the input."""
        if timed_out:
            raise Fail("no result after %d s (killed)" % TIMEOUT)
        if run.rc < 0:
            raise Fail("killed by signal %s" % signal.Signals(-run.rc).name)
        if run.rc not in (0, 1):
            raise Fail("exit status %d; the spec allows 0 and 1" % run.rc)
        if limit and self.rss_limit and run.rss_kb > self.rss_limit:
            raise Fail("peak RSS %d KB, over the %d KB limit"
                       % (run.rss_kb, self.rss_limit))
        try:
            err = run.err.decode("utf-8")
        except UnicodeDecodeError:
            raise Fail("stderr is not UTF-8: %r" % run.err[:200])
        for line in err.splitlines():
            if not line.startswith("ktriage: ") or len(line) > 300 or \
                    any(ord(c) < 0x20 and c != "\t" for c in line):
                raise Fail("unclear stderr line: %r" % line[:300])


def events(run):
    """stdout of an ndjson run: every line strict UTF-8 JSON objects."""
    try:
        text = run.out.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Fail("stdout is not UTF-8 (%s)" % e)
    evs = []
    for n, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        try:
            ev = json.loads(line)
        except ValueError as e:
            raise Fail("stdout line %d is not JSON (%s): %r"
                       % (n, e, line[:200]))
        if not isinstance(ev, dict) or "type" not in ev:
            raise Fail("stdout line %d is not an event: %r" % (n, line[:200]))
        evs.append(ev)
    return evs


def expect(cond, what):
    if not cond:
        raise Fail(what)


def stderr_lines(run):
    return run.err.decode("utf-8").splitlines()


def chunks(total, make):
    """Yields total bytes in 1 MiB pieces made by make(n)."""
    while total > 0:
        n = min(total, MiB)
        yield make(n)
        total -= n


def seed_oom(ev):
    return ev.get("type") == "oom" and \
        ev.get("fields", {}).get("victim_pid") == 30002


# ------------------------------------------------------------------ checks

def check_random_stdin(e):
    """1 GiB of random bytes on standard input."""
    run = e.scan("-", stdin_gen=chunks(GiB, os.urandom))
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    events(run)
    expect(not run.err, "stderr: %r" % run.err[:300])
    return [run]


def check_random_file(e):
    """16 MiB of random bytes in a file, with NUL bytes: scanned as
    named, whatever it holds."""
    e.write("random.bin", os.urandom(16 * MiB))
    run = e.scan("random.bin")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    events(run)
    return [run]


def check_long_line(e):
    """A 100 MB line and no newline at all."""
    with open(e.path("long.log"), "wb") as f:
        for _ in range(100):
            f.write(b"x" * 1000 * 1000)
    run = e.scan("long.log")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    expect(events(run) == [], "events from a line of x")
    return [run]


def check_long_line_then_report(e):
    """A 100 MB line, a newline, then a real OOM report: found whole."""
    with open(e.path("long-then-oom.log"), "wb") as f:
        for _ in range(100):
            f.write(b"\x01" * 1000 * 1000)
        f.write(b"\n")
        f.write(e.fixture("seed001-oom.log"))
    os.utime(e.path("long-then-oom.log"), (1654560000, 1654560000))
    run = e.scan("long-then-oom.log")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    evs = [ev for ev in events(run) if seed_oom(ev)]
    expect(len(evs) == 1, "want the seed's OOM kill once, got %d" % len(evs))
    ev = evs[0]
    expect(ev["source"]["line"] == 2 and ev["source"]["line_end"] == 104,
           "OOM report at lines %s" % ev["source"])
    expect(ev["fields"].get("anon_rss_kb") == 24027836,
           "anon_rss_kb %r" % ev["fields"].get("anon_rss_kb"))
    return [run]


def check_truncated_gzip(e):
    """A rotated log cut in the middle of its gzip stream: the events
    before the cut, then exit 1 and one line naming the file."""
    log = e.fixture("seed001-oom.log") * 40
    full = gzip.compress(log, 6)
    e.write("logs/kern.log.2.gz", full[:len(full) // 2])
    e.write("logs/whole.log.gz", full)
    whole = e.scan("logs/whole.log.gz")
    expect(whole.rc == 0, "whole stream: exit status %d" % whole.rc)
    n_whole = len([ev for ev in events(whole) if seed_oom(ev)])
    expect(n_whole == 40, "whole stream: %d OOM kills, want 40" % n_whole)
    run = e.scan("logs/kern.log.2.gz")
    expect(run.rc == 1, "exit status %d, want 1" % run.rc)
    n = len([ev for ev in events(run) if seed_oom(ev)])
    expect(0 < n < 40, "%d OOM kills before the cut, want some" % n)
    err = stderr_lines(run)
    expect(len(err) == 1 and "logs/kern.log.2.gz" in err[0] and
           "truncated" in err[0], "stderr: %r" % err)
    return [whole, run]


def check_corrupt_zstd(e):
    """zstd magic followed by garbage: exit 1, one line naming it."""
    e.write("kern.log.3.zst", b"\x28\xb5\x2f\xfd" + os.urandom(100000))
    run = e.scan("kern.log.3.zst")
    expect(run.rc == 1, "exit status %d, want 1" % run.rc)
    expect(events(run) == [], "events from garbage")
    err = stderr_lines(run)
    expect(len(err) == 1 and "kern.log.3.zst" in err[0] and
           "zstd" in err[0], "stderr: %r" % err)
    return [run]


def check_gzip_bomb(e):
    """A small gzip file of zero bytes that inflates to 256 MiB (1 GiB
    with KT_TEST_LARGE=1): one endless line of NUL bytes."""
    size = GiB if LARGE else 256 * MiB
    zero = bytes(MiB)
    with gzip.open(e.path("bomb.gz"), "wb", compresslevel=1) as f:
        for _ in range(size // MiB):
            f.write(zero)
    run = e.scan("bomb.gz")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    expect(events(run) == [], "events from zero bytes")
    return [run]


def check_symlink_loops(e):
    """Directory loops through symlinks: warnings, each file read once."""
    e.write("tree/a/kern.log", e.fixture("seed001-oom.log"))
    os.utime(e.path("tree/a/kern.log"), (1654560000, 1654560000))
    os.makedirs(e.path("tree/a/b"))
    os.symlink("..", e.path("tree/a/b/up"))
    os.symlink("../..", e.path("tree/a/b/upup"))
    os.symlink(e.path("tree"), e.path("tree/a/b/root"))
    run = e.scan("tree")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    n = len([ev for ev in events(run) if seed_oom(ev)])
    expect(n == 1, "the OOM kill %d times, want once" % n)
    err = stderr_lines(run)
    expect(err and all("warning" in l and "loop" in l for l in err),
           "stderr: %r" % err)
    return [run]


def check_symlink_self(e):
    """A symlink to itself in a directory is a loop too: a warning like
    the other loops and dangling links, not a failed input."""
    e.write("tree/kern.log", e.fixture("seed001-oom.log"))
    os.symlink("self", e.path("tree/self"))
    run = e.scan("tree")
    err = stderr_lines(run)
    expect(run.rc == 0, "exit status %d, want 0 (stderr %r)" % (run.rc, err))
    expect(len(err) == 1 and "warning" in err[0] and "tree/self" in err[0],
           "stderr: %r" % err)
    return [run]


def check_unreadable(e):
    """An unreadable file, named and met in a directory walk: exit 1, one
    line naming it, the readable file's events still printed."""
    prefix = ()
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if not setpriv:
            raise Skip("running as root and no setpriv to drop privileges")
        prefix = (setpriv, "--reuid=65534", "--regid=65534",
                  "--clear-groups")
        # let the unprivileged run read the work folder and rule cache
        for root, dirs, files in os.walk(e.dir):
            os.chmod(root, 0o755)
            for f in files:
                os.chmod(os.path.join(root, f), 0o644)
    e.write("d/kern.log", e.fixture("seed001-oom.log"))
    e.write("d/secret.log", b"Jun  6 21:33:13 h kernel: x\n")
    os.chmod(e.path("d"), 0o755)
    os.chmod(e.path("d/kern.log"), 0o644)
    os.chmod(e.path("d/secret.log"), 0)
    runs = []
    for what in ("d/secret.log", "d"):
        run = e.scan(what, prefix=prefix)
        runs.append(run)
        expect(run.rc == 1, "%s: exit status %d, want 1" % (what, run.rc))
        err = stderr_lines(run)
        expect(len(err) == 1 and "d/secret.log" in err[0] and
               "Permission denied" in err[0], "%s: stderr %r" % (what, err))
    expect(any(seed_oom(ev) for ev in events(runs[1])),
           "the readable file's OOM kill is missing")
    return runs


NASTY = [
    b"Jun  6 21:33:13 web\xff07 kernel: BUG: kernel NULL pointer dereference,"
    b" address: 0000000000000008",
    b"Jun  6 21:33:13 web\xff07 kernel: #PF: supervisor read access in kernel"
    b" mode\x00\x00\x00",
    b"Jun  6 21:33:13 web\xff07 kernel: Oops: 0000 [#1] SMP PTI",
    b"Jun  6 21:33:13 web\xff07 kernel: CPU: 5 PID: 2215 Comm: ev\x00il\xc0"
    b"\xaf\xed\xa0\x80\x1b[31m Tainted: G           OE     5.15.0-76-generic"
    b" #83-Ubuntu",
    b"Jun  6 21:33:13 web\xff07 kernel: RIP: 0010:nfs4_do_reclaim\xfe+0x1a5/"
    b"0x7b0 [nfsv4]",
    b"Jun  6 21:33:13 web\xff07 kernel: Call Trace:",
    b"Jun  6 21:33:13 web\xff07 kernel:  <TASK>",
    b"Jun  6 21:33:13 web\xff07 kernel:  nfs4_state_manager+0x68c/0x8a0 [nfs"
    b"\xe2\x82v4]",
    b"Jun  6 21:33:13 web\xff07 kernel:  kthread\x07+0x127/0x150",
    b"Jun  6 21:33:13 web\xff07 kernel:  \x00ret_from_fork+0x1f/0x30",
    b"Jun  6 21:33:13 web\xff07 kernel:  </TASK>",
    b"Jun  6 21:33:13 web\xff07 kernel: ---[ end trace 8a9c1b2d3e4f5061 ]---",
    b"Jun  6 21:33:14 web\xff07 kernel: Out of memory: Killed process 4243 ("
    b"\xff\xfe\x01\x7f\"\\\x1b]0;pwned\x07) total-vm:1kB, anon-rss:1kB, "
    b"file-rss:0kB, shmem-rss:0kB",
    b"\x00\x00\x00\x00[  772.918915] watchdog: BUG: soft lockup - CPU#3 "
    b"stuck for 22s! [a\x00b\xff:29]",
    b"{\"MESSAGE\":[66,85,71,58,32,115,99,104,101,100,117,108,105,110,103,32,"
    b"119,104,105,108,101,32,97,116,111,109,105,99,58,32,255,0,27,47,49,50,"
    b"47,48,120,48,48,48,48,48,48,48,48],\"_TRANSPORT\":\"kernel\","
    b"\"_HOSTNAME\":\"h\\u0000\\u001bx\"}",
]


def check_bad_bytes(e):
    """NUL bytes, invalid UTF-8 and terminal escapes inside kernel lines:
    the output stays valid UTF-8 JSON (and clean text)."""
    e.write("bad.log", b"\n".join(NASTY) + b"\n")
    os.utime(e.path("bad.log"), (1654560000, 1654560000))
    run = e.scan("bad.log")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    types = sorted(ev["type"] for ev in events(run))
    expect("oops" in types and "oom" in types, "events: %s" % types)
    doc = e.scan("bad.log", fmt="json")
    try:
        whole = json.loads(doc.out.decode("utf-8"))
    except ValueError as exc:
        raise Fail("--format json is not a UTF-8 JSON document: %s" % exc)
    expect(len(whole.get("events", [])) == len(types),
           "--format json has %d events, ndjson %d"
           % (len(whole.get("events", [])), len(types)))
    text = e.scan("bad.log", fmt="text")
    bad = [c for c in text.out if c < 0x20 and c not in b"\n\t"]
    expect(not bad, "control bytes in text output: %r" % bytes(bad[:10]))
    try:
        text.out.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Fail("text output is not UTF-8: %s" % exc)
    return [run, doc, text]


def strip_source(evs):
    out = []
    for ev in evs:
        ev = dict(ev)
        for k in ("id", "source", "source_file", "detected_at"):
            ev.pop(k, None)
        out.append(ev)
    return out


def check_crlf(e):
    """CRLF line endings give the same events as LF."""
    lf = e.fixture("seed001-oom.log")
    e.write("lf.log", lf)
    e.write("crlf.log", lf.replace(b"\n", b"\r\n"))
    for name in ("lf.log", "crlf.log"):
        os.utime(e.path(name), (1654560000, 1654560000))
    a, b = e.scan("lf.log"), e.scan("crlf.log")
    expect(a.rc == 0 and b.rc == 0, "exit status %d/%d" % (a.rc, b.rc))
    ea, eb = strip_source(events(a)), strip_source(events(b))
    expect(ea and ea == eb, "CRLF events differ:\n  LF:   %s\n  CRLF: %s"
           % (json.dumps(ea)[:500], json.dumps(eb)[:500]))
    return [a, b]


def check_only_newlines(e):
    """64 MiB of empty lines (1 GiB with KT_TEST_LARGE=1)."""
    size = GiB if LARGE else 64 * MiB
    nl = b"\n" * MiB
    with open(e.path("newlines.log"), "wb") as f:
        for _ in range(size // MiB):
            f.write(nl)
    run = e.scan("newlines.log")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    expect(events(run) == [], "events from empty lines")
    return [run]


def check_empty(e):
    """An empty file and /dev/null: nothing, exit 0."""
    e.write("empty.log", b"")
    runs = [e.scan("empty.log"), e.scan("/dev/null")]
    for run in runs:
        expect(run.rc == 0 and not run.out and not run.err,
               "%s: rc %d, out %r, err %r" % (run.args[-1], run.rc,
                                              run.out[:100], run.err[:100]))
    return runs


def check_endless_report(e):
    """An oops whose call trace never ends: 2 million frames."""
    with open(e.path("endless.log"), "w") as f:
        f.write("[  100.000000] BUG: kernel NULL pointer dereference, "
                "address: 0000000000000008\n"
                "[  100.000001] RIP: 0010:foo_bar+0x12/0x340 [foo]\n"
                "[  100.000002] Call Trace:\n")
        for i in range(2000000):
            f.write("[  100.%06d]  func_%d+0x%x/0x1000 [mod%d]\n"
                    % (i % 1000000, i, i & 0xfff, i % 7))
    run = e.scan("endless.log")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    evs = events(run)
    expect(len(evs) == 1 and evs[0]["type"] == "oops",
           "want one oops, got %s" % [ev["type"] for ev in evs])
    return [run]


def check_huge_task_dump(e):
    """An OOM report with a task dump of a million rows."""
    with open(e.path("bigoom.log"), "w") as f:
        f.write("[  100.000000] java invoked oom-killer: gfp_mask=0x100cca("
                "GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0\n"
                "[  100.000000] Tasks state (memory values in pages):\n"
                "[  100.000000] [  pid  ]   uid  tgid total_vm      rss "
                "pgtables_bytes swapents oom_score_adj name\n")
        for i in range(1000000):
            f.write("[  100.000000] [%7d]  1000 %7d  2895463  %7d 15970304"
                    "        0             0 worker-%d\n"
                    % (i, i, (i * 7919) % 1000003, i))
        f.write("[  100.000001] Out of memory: Killed process 4242 (java) "
                "total-vm:11581852kB, anon-rss:7753680kB, file-rss:0kB, "
                "shmem-rss:0kB, UID:1000 pgtables:15596kB oom_score_adj:0\n")
    run = e.scan("bigoom.log")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    evs = events(run)
    expect(len(evs) == 1 and evs[0]["type"] == "oom",
           "want one oom, got %s" % [ev["type"] for ev in evs])
    top = evs[0]["fields"].get("top_rss", [])
    expect(len(top) == 5 and top[0]["rss_pages"] == 1000002,
           "top_rss %s" % top[:2])
    return [run]


def check_cold_start(e):
    """Without a compiled-rules cache (first run, KTRIAGE_CACHE_DIR
    empty, unwritable home) the rule pack is compiled on the spot; that
    too must stay under the limit."""
    if not e.rss_limit:
        raise Skip("no RSS limit in this build")
    e.env["KTRIAGE_CACHE_DIR"] = ""
    e.write("tiny.log", b"Jun  6 21:33:13 h kernel: x\n")
    run = e.scan("tiny.log")
    expect(run.rc == 0, "exit status %d, want 0" % run.rc)
    return [run]


CHECKS = [
    ("random-1g-stdin", check_random_stdin),
    ("random-file", check_random_file),
    ("long-line", check_long_line),
    ("long-line-then-report", check_long_line_then_report),
    ("truncated-gzip", check_truncated_gzip),
    ("corrupt-zstd", check_corrupt_zstd),
    ("gzip-bomb", check_gzip_bomb),
    ("symlink-loops", check_symlink_loops),
    ("unreadable", check_unreadable),
    ("bad-bytes", check_bad_bytes),
    ("crlf", check_crlf),
    ("only-newlines", check_only_newlines),
    ("empty", check_empty),
    ("endless-report", check_endless_report),
    ("huge-task-dump", check_huge_task_dump),
    ("symlink-self", check_symlink_self),
    ("cold-start", check_cold_start),
]

# Known problems: run only with --pending NAME (a CTest entry each).
PENDING = [
]


def run_check(opts, name, fn):
    tmp = os.environ.get("TMPDIR", tempfile.gettempdir())
    workdir = tempfile.mkdtemp(prefix="kt-robust-", dir=tmp)
    e = Env(opts, workdir)
    try:
        if not os.listdir(e.env["KTRIAGE_CACHE_DIR"]):
            # compile the rule pack once; its peak is reported apart
            e.write("warmup.log", b"")
            warm = e.scan("warmup.log", limit=False)
            e.runs.clear()
            e.warm = warm
        fn(e)
        return "ok", "; ".join(r.summary() for r in e.runs) + \
            "  (cold start %s)" % e.warm.summary()
    except Fail as exc:
        return "FAIL", str(exc)
    except Skip as exc:
        return "SKIP", str(exc)
    finally:
        if opts.keep:
            print("  kept %s" % workdir)
        else:
            for root, dirs, _ in os.walk(workdir):
                for d in dirs:
                    try:
                        os.chmod(os.path.join(root, d), 0o755)
                    except OSError:
                        pass
            shutil.rmtree(workdir, ignore_errors=True)


def main(argv):
    ap = argparse.ArgumentParser(prog="robustness.py")
    ap.add_argument("--bin", required=True)
    ap.add_argument("--srcdir", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    ap.add_argument("--rss-limit", type=int, default=32 * 1024,
                    help="peak RSS limit in KB (default 32768)")
    ap.add_argument("--no-rss-limit", action="store_true")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--pending", metavar="CHECK")
    ap.add_argument("check", nargs="*")
    opts = ap.parse_args(argv)

    if opts.pending:
        fn = dict(PENDING).get(opts.pending)
        if not fn:
            ap.error("no pending check '%s'" % opts.pending)
        status, detail = run_check(opts, opts.pending, fn)
        if status == "FAIL":
            print("known problem still there: %s" % detail)
            return 0
        if status == "SKIP":
            print("cannot tell here: %s" % detail)
            return 0
        print("%s %s: %s; passes now, make it a regular check"
              % (status, opts.pending, detail))
        return 1

    names = dict(CHECKS)
    todo = opts.check or [n for n, _ in CHECKS]
    for n in todo:
        if n not in names:
            ap.error("no check '%s'" % n)
    print("peak RSS from %s" % ("GNU time" if GNU_TIME else
                                "wait4 (an upper bound, see --help)"))
    count = {"ok": 0, "FAIL": 0, "SKIP": 0}
    for n in todo:
        status, detail = run_check(opts, n, names[n])
        count[status] += 1
        print("%s %s: %s" % (status, n, detail), flush=True)
    print("robustness: %d passed, %d failed%s"
          % (count["ok"], count["FAIL"],
             ", %d skipped" % count["SKIP"] if count["SKIP"] else ""))
    return 1 if count["FAIL"] else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
