#!/usr/bin/env python3
"""The offline and the stored path give the same output.

usage: store-equivalence.py --bin KTRIAGE [--srcdir DIR]

For every log under tests/logs/ and every case input of tests/cases/ that
scan reads: `stats`, `stats --format json`, `report --format json` and
`scan --format text` of the log must equal `stats --db`, `stats --db
--format json`, `report --db --format json` and `query --format text` of
a store filled by `scan --db` from the same log (the report's generation
time aside), and a second `scan --db` must store nothing new.
Exit status: 0 all equal, 1 a difference (printed).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

INPUT_RE = re.compile(r'<input name="([^"]+)"(?: mtime="([^"]+)")?>\n'
                      r'(.*?\n)</input>', re.S)


def inputs(srcdir):
    """(name, mtime or None, bytes) of the logs to try."""
    logs = os.path.join(srcdir, "tests", "logs")
    for f in sorted(os.listdir(logs)):
        with open(os.path.join(logs, f), "rb") as fh:
            yield f, None, fh.read()
    cases = os.path.join(srcdir, "tests", "cases")
    for f in sorted(os.listdir(cases)):
        if not f.endswith(".case"):
            continue
        with open(os.path.join(cases, f), encoding="utf-8",
                  errors="surrogateescape") as fh:
            text = fh.read()
        if "<before>" in text or "escapes=" in text:
            continue
        m = INPUT_RE.search(text)
        if m and "stdin=" not in m.group(0):
            yield m.group(1), m.group(2), m.group(3).encode(
                "utf-8", "surrogateescape")


def drop_time(text):
    """A JSON report without the time it was made."""
    j = json.loads(text)
    j.pop("generated_at", None)
    return json.dumps(j, sort_keys=True, indent=1)


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--srcdir", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))
    opts = ap.parse_args(argv)
    opts.bin = os.path.abspath(opts.bin)
    env = dict(os.environ, TZ="UTC", LC_ALL="C.UTF-8")
    failed = checked = 0
    for name, mtime, data in inputs(opts.srcdir):
        work = tempfile.mkdtemp(prefix="kt-equiv-")
        try:
            path = os.path.join(work, os.path.basename(name))
            with open(path, "wb") as fh:
                fh.write(data)
            if mtime:
                subprocess.run(["touch", "-d", mtime, path], check=True)
            log = os.path.basename(name)

            def run(*args):
                p = subprocess.run([opts.bin] + list(args), cwd=work,
                                   env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
                return p.returncode, p.stdout.decode("utf-8", "replace"), \
                    p.stderr.decode("utf-8", "replace")

            rc, _, err = run("scan", "--db", "ev.db", "--format", "ndjson",
                             log)
            if rc:
                print("%s: scan --db failed: %s" % (name, err.strip()))
                failed += 1
                continue
            rc, _, err = run("scan", "--db", "ev.db", "--stats", "--format",
                             "ndjson", log)
            if not re.search(r"^stored 0 new events of \d+$", err, re.M):
                print("%s: a second scan --db stored events: %s"
                      % (name, err.strip()))
                failed += 1
            pairs = [
                (("stats", log), ("stats", "--db", "ev.db"), None),
                (("stats", "--format", "json", log),
                 ("stats", "--format", "json", "--db", "ev.db"), None),
                (("report", "--lang", "en", "--format", "json", log),
                 ("report", "--lang", "en", "--format", "json", "--db",
                  "ev.db"), drop_time),
                (("scan", "--format", "text", log),
                 ("query", "--format", "text", "--db", "ev.db"), None),
            ]
            for a, b, norm in pairs:
                checked += 1
                ra, oa, _ = run(*a)
                rb, ob, eb = run(*b)
                if norm:
                    oa, ob = norm(oa), norm(ob)
                if (ra, oa) != (rb, ob):
                    failed += 1
                    print("%s: ktriage %s differs from ktriage %s (exit %d,"
                          " %d): %s" % (name, " ".join(b), " ".join(a), ra,
                                        rb, eb.strip()))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    print("store-equivalence: %d checks, %d failed" % (checked, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
