#!/usr/bin/env python3
"""Run ktriage's case files (tests/cases/NNNN-<slug>.case).

usage: run-cases.py --bin KTRIAGE [--srcdir DIR] [--timeout SECS] [-j N]
                    [-v] [--keep] [CASE...]
       run-cases.py --self-test

CASE is a case number (7 or 0007), a file name or a path; the default is
every tests/cases/*.case.  The format is described in tests/cases/README.md.
Prints one FAIL line per failing case with what was expected and what came
out, then a summary line "cases: N passed, N failed[, N skipped]".
Exit status: 0 all passed, 1 a case failed, 2 usage error.
"""

import argparse
import datetime
import difflib
import gzip
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

SECTIONS = ("info", "before", "args", "input", "file", "env", "exit",
            "stdout", "stderr", "events", "timeout")
REPEATABLE = ("file",)
INPUT_ATTRS = ("name", "file", "mtime", "compress", "stdin", "nonewline",
               "escapes")
FILE_ATTRS = ("name", "file", "mtime", "compress", "nonewline", "escapes")
OTHER_ATTRS = {"events": ("match",), "stdout": ("mode", "nonewline"),
               "stderr": ("mode", "nonewline")}
DEFAULT_TIMEOUT = 30.0
MAX_SHOWN = 4000  # characters of output quoted in a failure


class CaseError(Exception):
    """The case file itself is wrong."""


class Skip(Exception):
    """The case cannot run on this machine."""


# ------------------------------------------------------------------ parsing
OPEN_RE = re.compile(rb"^<([a-z]+)((?:\s+[a-z-]+=\"[^\"]*\")*)\s*(/?)>(.*)$")
ATTR_RE = re.compile(rb"([a-z-]+)=\"([^\"]*)\"")


class Section:
    def __init__(self, name, attrs, body, line):
        self.name = name
        self.attrs = attrs
        self.body = body  # bytes, byte-exact
        self.line = line

    def text(self):
        return self.body.decode("utf-8", "surrogateescape")

    def attr(self, key, default=None):
        return self.attrs.get(key, default)

    def flag(self, key):
        v = self.attrs.get(key)
        if v is None:
            return False
        if v in ("yes", "no"):
            return v == "yes"
        raise CaseError("line %d: <%s %s=\"%s\">: want \"yes\" or \"no\""
                        % (self.line, self.name, key, v))


def parse_case(data):
    """Splits a case file into its sections: {name: Section}, and for the
    repeatable ones {name: [Section, ...]}."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    sections = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        no = i + 1
        i += 1
        if not line.strip() or line.startswith(b"#"):
            continue
        m = OPEN_RE.match(line)
        if not m:
            raise CaseError("line %d: expected a <section> or a # comment, "
                            "got %r" % (no, line[:60].decode("utf-8",
                                                             "replace")))
        name = m.group(1).decode()
        attrs = {k.decode(): v.decode("utf-8", "surrogateescape")
                 for k, v in ATTR_RE.findall(m.group(2))}
        selfclose, rest = m.group(3), m.group(4)
        if name not in SECTIONS:
            raise CaseError("line %d: unknown section <%s> (known: %s)"
                            % (no, name, " ".join(SECTIONS)))
        if name in sections and name not in REPEATABLE:
            raise CaseError("line %d: second <%s> section" % (no, name))
        close = ("</%s>" % name).encode()
        if selfclose:
            if rest:
                raise CaseError("line %d: text after <%s/>" % (no, name))
            body = b""
        elif rest:
            if not rest.endswith(close):
                raise CaseError("line %d: <%s> opened with text must close "
                                "on the same line" % (no, name))
            body = rest[:-len(close)]
        else:
            start = i
            while i < len(lines) and lines[i] != close:
                i += 1
            if i == len(lines):
                raise CaseError("line %d: <%s> is not closed by a line %s"
                                % (no, name, close.decode()))
            body = b"".join(l + b"\n" for l in lines[start:i])
            i += 1
        sec = Section(name, attrs, body, no)
        if name in REPEATABLE:
            sections.setdefault(name, []).append(sec)
        else:
            sections[name] = sec
    return sections


def relative_path(p):
    parts = p.split("/")
    return bool(p) and not p.startswith("/") and \
        all(x not in ("", ".", "..") for x in parts)


def unescape(body):
    r"""Undoes \xHH and \\ in an input with escapes="yes"."""
    out = bytearray()
    i = 0
    while i < len(body):
        c = body[i:i + 1]
        if c != b"\\":
            out += c
            i += 1
            continue
        nxt = body[i + 1:i + 2]
        if nxt == b"\\":
            out += b"\\"
            i += 2
        elif nxt == b"x" and re.match(rb"[0-9a-fA-F]{2}", body[i + 2:i + 4]):
            out.append(int(body[i + 2:i + 4], 16))
            i += 4
        else:
            raise CaseError("input: bad escape %r (only \\xHH and \\\\)"
                            % body[i:i + 4].decode("utf-8", "replace"))
    return bytes(out)


def parse_time(text):
    """An mtime: seconds since the epoch, or RFC 3339 (2022-06-07T00:00:00Z)."""
    if re.fullmatch(r"[0-9]+", text):
        return int(text)
    try:
        t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise CaseError("input: bad mtime %r (want 2022-06-07T00:00:00Z "
                        "or seconds)" % text)
    if t.tzinfo is None:
        raise CaseError("input: mtime %r needs a zone (Z or +hh:mm)" % text)
    return int(t.timestamp())


class Case:
    """A parsed case: what to run and what to expect."""

    def __init__(self, path, srcdir):
        self.path = path
        self.name = os.path.basename(path)[:-len(".case")]
        with open(path, "rb") as f:
            s = parse_case(f.read())
        for name, sec in s.items():
            known = OTHER_ATTRS.get(name, ())
            if name in ("input", "file"):
                continue  # checked by _input()
            bad = sorted(set(sec.attrs) - set(known))
            if bad:
                raise CaseError("<%s>: unknown attribute(s) %s"
                                % (name, ", ".join(bad)))
        self.info = s["info"].text().strip() if "info" in s else ""
        if "args" not in s:
            raise CaseError("no <args> section")
        try:
            self.args = shlex.split(s["args"].text())
        except ValueError as e:
            raise CaseError("<args>: %s" % e)
        self.before = []
        if "before" in s:
            for line in s["before"].text().splitlines():
                if not line.strip():
                    continue
                try:
                    self.before.append(shlex.split(line))
                except ValueError as e:
                    raise CaseError("<before>: %s" % e)
        self.input = None
        if "input" in s:
            self.input = self._input(s["input"], srcdir)
        self.files = [self._input(sec, srcdir) for sec in s.get("file", [])]
        names = [f["name"] for f in self.files] + (
            [self.input["name"]] if self.input and not self.input["stdin"]
            else [])
        if len(set(names)) != len(names):
            raise CaseError("two input files have the same name")
        self.env = {}
        if "env" in s:
            for line in s["env"].text().splitlines():
                if not line.strip():
                    continue
                k, eq, v = line.partition("=")
                if not eq or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", k):
                    raise CaseError("<env>: want NAME=value, got %r" % line)
                self.env[k] = v
        self.exit = 0
        if "exit" in s:
            t = s["exit"].text().strip()
            if not re.fullmatch(r"[0-9]+", t):
                raise CaseError("<exit>: want a number, got %r" % t)
            self.exit = int(t)
        self.timeout = None
        if "timeout" in s:
            try:
                self.timeout = float(s["timeout"].text().strip())
            except ValueError:
                raise CaseError("<timeout>: want seconds")
        self.stdout = self._output(s.get("stdout"))
        self.stderr = self._output(s.get("stderr"))
        self.events = None
        self.events_match = "exact"
        if "events" in s:
            if self.stdout:
                raise CaseError("<events> and <stdout> both check stdout: "
                                "use one")
            sec = s["events"]
            try:
                self.events = json.loads(sec.text())
            except ValueError as e:
                raise CaseError("<events> is not JSON: %s" % e)
            if not isinstance(self.events, list):
                raise CaseError("<events> must be a JSON list")
            self.events_match = sec.attr("match", "exact")
            if self.events_match not in ("exact", "subset"):
                raise CaseError("<events match=...>: want exact or subset")
        uses_input = any("%INPUT" in a for a in
                         self.args + sum(self.before, []))
        if uses_input and not self.input:
            raise CaseError("<args> uses %INPUT but there is no <input>")
        if self.input and not uses_input and not self.input["stdin"]:
            raise CaseError("<input> given but <args> has no %INPUT")

    @staticmethod
    def _input(sec, srcdir):
        """An <input> or a <file>: what to write where, or to pipe."""
        tag = sec.name
        known = INPUT_ATTRS if tag == "input" else FILE_ATTRS
        bad = set(sec.attrs) - set(known)
        if bad:
            raise CaseError("<%s>: unknown attribute(s) %s"
                            % (tag, ", ".join(sorted(bad))))
        rel = sec.attr("file")
        default = os.path.basename(rel) if rel else "input.log"
        if tag == "file" and sec.attr("name") is None:
            raise CaseError("<file> needs a name=\"...\"")
        inp = {"stdin": tag == "input" and sec.flag("stdin"),
               "compress": sec.attr("compress"),
               "name": sec.attr("name", default), "mtime": None}
        if inp["compress"] not in (None, "gzip", "zstd"):
            raise CaseError("<%s compress=...>: want gzip or zstd" % tag)
        if not relative_path(inp["name"]):
            raise CaseError("<%s name=...>: want a relative path without "
                            "'..', like kern.log or logs/kern.log.1" % tag)
        if sec.attr("mtime") is not None:
            if inp["stdin"]:
                raise CaseError("<input>: mtime has no meaning with stdin")
            inp["mtime"] = parse_time(sec.attr("mtime"))
        if rel is not None:
            if sec.body.strip():
                raise CaseError("<%s file=...> must have no text" % tag)
            if not relative_path(rel):
                raise CaseError("<%s file=...>: want a path inside the "
                                "source tree, like tests/logs/NAME" % tag)
            try:
                with open(os.path.join(srcdir, rel), "rb") as f:
                    data = f.read()
            except OSError as e:
                raise CaseError("<%s file=...>: %s" % (tag, e))
        else:
            data = sec.body
            if sec.flag("escapes"):
                data = unescape(data)
        if sec.flag("nonewline") and data.endswith(b"\n"):
            data = data[:-1]
        inp["data"] = data
        return inp

    @staticmethod
    def _output(sec):
        if sec is None:
            return None
        mode = sec.attr("mode", "exact")
        if mode not in ("exact", "regex"):
            raise CaseError("<%s mode=...>: want exact or regex" % sec.name)
        text = sec.text()
        if sec.flag("nonewline") and text.endswith("\n"):
            text = text[:-1]
        if mode == "regex":
            pats = []
            for line in text.splitlines():
                if not line:
                    continue
                try:
                    pats.append(re.compile(line))
                except re.error as e:
                    raise CaseError("<%s> regex %r: %s" % (sec.name, line, e))
            return ("regex", pats)
        return ("exact", text)


# ------------------------------------------------------------------ matching
def match_value(want, got, path="$"):
    """Returns None when got matches the partial expectation want, else a
    string naming the first place that differs.

    dict: every expected key is present in got and matches (got may have
          more keys); the single-key dict {"$re": "..."} fullmatches a string
    list: got has at least as many elements, the first len(want) match
    scalar: equal, and of the same JSON type (1 is not true, "1" is not 1)
    """
    if isinstance(want, dict) and list(want) == ["$re"]:
        if not isinstance(got, str):
            return "%s: expected a string matching /%s/, got %s" % (
                path, want["$re"], show(got))
        if not re.fullmatch(want["$re"], got):
            return "%s: expected /%s/, got %s" % (path, want["$re"],
                                                   show(got))
        return None
    if isinstance(want, dict):
        if not isinstance(got, dict):
            return "%s: expected an object, got %s" % (path, show(got))
        for k, v in want.items():
            if k not in got:
                return "%s.%s: missing (expected %s)" % (path, k, show(v))
            r = match_value(v, got[k], "%s.%s" % (path, k))
            if r:
                return r
        return None
    if isinstance(want, list):
        if not isinstance(got, list):
            return "%s: expected a list, got %s" % (path, show(got))
        if len(got) < len(want):
            return "%s: expected at least %d element(s), got %d" % (
                path, len(want), len(got))
        for i, v in enumerate(want):
            r = match_value(v, got[i], "%s[%d]" % (path, i))
            if r:
                return r
        return None
    if json_type(want) != json_type(got) or want != got:
        return "%s: expected %s, got %s" % (path, show(want), show(got))
    return None


def json_type(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, (int, float)):
        return "number"
    return type(v).__name__


def show(v, limit=120):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= limit else s[:limit - 3] + "..."


def project(want, got):
    """The part of got that want talks about, for a readable diff."""
    if isinstance(want, dict) and list(want) == ["$re"]:
        return got
    if isinstance(want, dict) and isinstance(got, dict):
        return {k: project(v, got[k]) if k in got else "<missing>"
                for k, v in want.items()}
    if isinstance(want, list) and isinstance(got, list):
        return [project(w, g) for w, g in zip(want, got)] + \
            (["<missing>"] * (len(want) - len(got)))
    return got


def diff_json(want, got):
    a = json.dumps(want, indent=1, ensure_ascii=False).splitlines()
    b = json.dumps(project(want, got), indent=1,
                   ensure_ascii=False).splitlines()
    return list(difflib.unified_diff(a, b, "expected", "got", lineterm="",
                                     n=2))


def summary_of(ev):
    if not isinstance(ev, dict):
        return show(ev, 80)
    keys = ("type", "subtype", "title")
    s = " ".join("%s=%s" % (k, show(ev[k], 70)) for k in keys if k in ev)
    src = ev.get("source")
    if isinstance(src, dict) and "line" in src:
        s += " line=%s" % src["line"]
    return s or show(ev, 80)


def list_events(got):
    if not got:
        return ["got no event"]
    return ["got events:"] + ["  [%d] %s" % (i, summary_of(g))
                              for i, g in enumerate(got)]


def match_events(want, got, mode):
    """Returns [] when the events match, else lines that explain why."""
    if mode == "exact":
        out = []
        if len(want) != len(got):
            out.append("expected %d event(s), got %d" % (len(want), len(got)))
        for i, (w, g) in enumerate(zip(want, got)):
            r = match_value(w, g, "events[%d]" % i)
            if r:
                out.append(r)
                out.extend(diff_json(w, g))
                break
        if out:
            out.extend(list_events(got))
        return out
    # subset: the expected events appear in this order, others between
    j = 0
    for i, w in enumerate(want):
        first_miss = None
        while j < len(got):
            r = match_value(w, got[j], "events[%d]" % j)
            j += 1
            if not r:
                break
            first_miss = first_miss or r
        else:
            out = ["expected event [%d] not found in order among the %d "
                   "event(s) printed" % (i, len(got)), "  expected: "
                   + show(w, 400)]
            if first_miss:
                out.append("  first near miss: " + first_miss)
            out.extend(list_events(got))
            return out
    return []


def match_output(spec, text, what):
    """Checks stdout or stderr text against an exact or regex spec."""
    mode, want = spec
    if mode == "exact":
        if want == text:
            return []
        diff = list(difflib.unified_diff(want.splitlines(), text.splitlines(),
                                         "expected", "got", lineterm="", n=2))
        if not diff:
            return ["%s differs only in line ends: expected ...%r, got ...%r"
                    % (what, want[-20:], text[-20:])]
        return ["%s differs:" % what] + diff
    lines = text.splitlines()
    k = 0
    for pat in want:
        while k < len(lines) and not pat.search(lines[k]):
            k += 1
        if k == len(lines):
            return ["%s: no line matching /%s/ after the lines matched "
                    "before it" % (what, pat.pattern), "%s was:" % what,
                    quote(text)]
        k += 1
    return []


def parse_ndjson(text):
    events = []
    for no, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        try:
            ev = json.loads(line)
        except ValueError:
            return None, "stdout line %d is not JSON: %s" % (no, line[:200])
        if not isinstance(ev, dict):
            return None, "stdout line %d is not a JSON object" % no
        events.append(ev)
    return events, None


def quote(text):
    if len(text) > MAX_SHOWN:
        text = text[:MAX_SHOWN] + "\n[... %d more characters]" % (
            len(text) - MAX_SHOWN)
    return "\n".join("  | " + l for l in text.splitlines()) or "  | (empty)"


# ------------------------------------------------------------------ running
def write_inputs(case, workdir):
    """Writes the case's <file>s and its <input> into workdir.  Returns
    the input's name (relative to workdir) or None, and the bytes to pipe
    to standard input."""
    for f in case.files:
        write_one(f, workdir)
    if not case.input:
        return None, b""
    return write_one(case.input, workdir)


def write_one(inp, workdir):
    data = inp["data"]
    name = inp["name"]
    if inp["compress"] == "gzip":
        data = gzip.compress(data, mtime=0)
        if not name.endswith(".gz"):
            name += ".gz"
    elif inp["compress"] == "zstd":
        if not shutil.which("zstd"):
            raise Skip("zstd is not installed")
        data = subprocess.run(["zstd", "-q", "-c"], input=data, check=True,
                              stdout=subprocess.PIPE).stdout
        if not name.endswith(".zst"):
            name += ".zst"
    if inp["stdin"]:
        return None, data
    path = os.path.join(workdir, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    if inp["mtime"] is not None:
        os.utime(path, (inp["mtime"], inp["mtime"]))
    return name, b""


def run_case(case, opts):
    """Returns (status, lines): status "pass", "fail" or "skip"."""
    workdir = tempfile.mkdtemp(prefix="ktcase-%s-" % case.name)
    try:
        try:
            name, stdin = write_inputs(case, workdir)
        except Skip as e:
            return "skip", [str(e)]
        subst = {"%INPUT": "-" if case.input and case.input["stdin"]
                 else name or "", "%SRCDIR": opts.srcdir,
                 "%WORKDIR": workdir}
        def command(args):
            argv = [opts.bin]
            for a in args:
                for k, v in subst.items():
                    a = a.replace(k, v)
                argv.append(a)
            return argv
        argv = command(case.args)
        env = dict(os.environ)
        env.update({"TZ": "UTC", "LC_ALL": "C.UTF-8"})
        env.update(case.env)
        timeout = case.timeout or opts.timeout
        for args in case.before:
            before = command(args)
            try:
                p = subprocess.run(before, input=stdin, cwd=workdir,
                                   env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, timeout=timeout)
            except subprocess.TimeoutExpired:
                return "fail", ["<before> timed out after %gs: %s" % (
                    timeout, " ".join(shlex.quote(a) for a in before))]
            except OSError as e:
                return "fail", ["cannot run %s: %s" % (opts.bin, e)]
            if p.returncode:
                return "fail", ["<before> exit status %d: ktriage %s" % (
                    p.returncode, " ".join(shlex.quote(a)
                                           for a in before[1:])),
                    quote(p.stderr.decode("utf-8", "surrogateescape"))]
        try:
            p = subprocess.run(argv, input=stdin, cwd=workdir, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return "fail", ["timed out after %gs: %s" % (
                timeout, " ".join(shlex.quote(a) for a in argv))]
        except OSError as e:
            return "fail", ["cannot run %s: %s" % (opts.bin, e)]
        out = p.stdout.decode("utf-8", "surrogateescape")
        err = p.stderr.decode("utf-8", "surrogateescape")
        problems = []
        if p.returncode < 0:
            problems.append("killed by signal %d" % -p.returncode)
        elif p.returncode != case.exit:
            problems.append("exit status %d, expected %d"
                            % (p.returncode, case.exit))
        if case.events is not None:
            events, bad = parse_ndjson(out)
            if bad:
                problems.append(bad)
            else:
                problems.extend(match_events(case.events, events,
                                             case.events_match))
        if case.stdout:
            problems.extend(match_output(case.stdout, out, "stdout"))
        if case.stderr:
            problems.extend(match_output(case.stderr, err, "stderr"))
        if problems and err.strip() and not case.stderr:
            problems += ["stderr was:", quote(err)]
        if problems:
            problems.insert(1, "command: ktriage %s" % " ".join(
                shlex.quote(a) for a in argv[1:]))
            return "fail", problems
        return "pass", []
    finally:
        if opts.keep:
            print("kept %s" % workdir, file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def find_cases(srcdir, names):
    casedir = os.path.join(srcdir, "tests", "cases")
    every = sorted(f for f in os.listdir(casedir) if f.endswith(".case")) \
        if os.path.isdir(casedir) else []
    if not names:
        return [os.path.join(casedir, f) for f in every]
    out = []
    for n in names:
        if os.path.isfile(n):
            out.append(n)
            continue
        if re.fullmatch(r"[0-9]+", n):
            hits = [f for f in every if f.split("-", 1)[0] == "%04d" % int(n)]
        else:
            hits = [f for f in every if f in (n, n + ".case")]
        if len(hits) != 1:
            raise CaseError("no single case named '%s'" % n)
        out.append(os.path.join(casedir, hits[0]))
    return out


def main(argv):
    ap = argparse.ArgumentParser(prog="run-cases.py",
                                 description="Run ktriage case files.")
    ap.add_argument("--bin", help="the ktriage binary to test")
    ap.add_argument("--srcdir", default=os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), help="source tree (default: ..)")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                    help="seconds per case (default %g)" % DEFAULT_TIMEOUT)
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="print passing cases too")
    ap.add_argument("--keep", action="store_true",
                    help="keep each case's work folder")
    ap.add_argument("--self-test", action="store_true",
                    help="check the runner's own matching and parsing")
    ap.add_argument("cases", nargs="*", metavar="CASE")
    opts = ap.parse_args(argv)
    if opts.self_test:
        return self_test()
    if not opts.bin:
        ap.error("--bin is required")
    opts.bin = os.path.abspath(opts.bin)
    opts.srcdir = os.path.abspath(opts.srcdir)
    if not os.access(opts.bin, os.X_OK):
        ap.error("not an executable: %s" % opts.bin)
    try:
        paths = find_cases(opts.srcdir, opts.cases)
    except CaseError as e:
        ap.error(str(e))
    if not paths:
        print("run-cases: no case found", file=sys.stderr)
        return 1

    def one(path):
        try:
            case = Case(path, opts.srcdir)
        except (CaseError, OSError) as e:
            return os.path.basename(path), "fail", ["bad case file: %s" % e]
        status, lines = run_case(case, opts)
        return case.name, status, lines

    counts = {"pass": 0, "fail": 0, "skip": 0}
    with ThreadPoolExecutor(max_workers=max(1, opts.jobs)) as ex:
        for name, status, lines in ex.map(one, paths):
            counts[status] += 1
            if status == "fail":
                print("FAIL %s: %s" % (name, lines[0]))
                for l in lines[1:]:
                    print("     " + l.replace("\n", "\n     "))
            elif status == "skip":
                print("SKIP %s: %s" % (name, lines[0]))
            elif opts.verbose:
                print("ok   %s" % name)
    line = "cases: %d passed, %d failed" % (counts["pass"], counts["fail"])
    if counts["skip"]:
        line += ", %d skipped" % counts["skip"]
    print(line)
    return 1 if counts["fail"] else 0


# ------------------------------------------------------------------ self-test
def self_test():
    """Checks that the matcher rejects what it must, so that a case can
    not pass by accident.  Prints a summary line like a test run."""
    failed = []
    checks = 0

    def expect(ok, what):
        nonlocal checks
        checks += 1
        if not ok:
            failed.append(what)

    def ok(want, got):
        expect(match_value(want, got) is None,
               "should match: %s ~ %s" % (show(want), show(got)))

    def no(want, got):
        expect(match_value(want, got) is not None,
               "should not match: %s ~ %s" % (show(want), show(got)))

    ev = {"type": "oom", "title": "Out of memory: Killed process 7 (x)",
          "fields": {"victim_pid": 7, "remounted_ro": False,
                     "top_rss": [{"pid": 7}, {"pid": 8}]},
          "call_trace": [{"func": "a"}, {"func": "b"}], "host": None}
    ok({}, ev)
    ok({"type": "oom"}, ev)
    ok({"fields": {"victim_pid": 7}}, ev)
    ok({"call_trace": [{"func": "a"}]}, ev)
    ok({"call_trace": []}, ev)
    ok({"host": None}, ev)
    ok({"title": {"$re": r"Out of memory: .* \(x\)"}}, ev)
    no({"type": "panic"}, ev)
    no({"subtype": "oom"}, ev)                      # missing key
    no({"fields": {"victim_pid": 8}}, ev)
    no({"fields": {"victim_pid": "7"}}, ev)         # string is not number
    no({"fields": {"remounted_ro": 0}}, ev)         # 0 is not false
    no({"fields": {"victim_pid": True}}, {"fields": {"victim_pid": 1}})
    no({"call_trace": [{"func": "b"}]}, ev)         # prefix, not anywhere
    no({"call_trace": [{"func": "a"}, {"func": "b"}, {"func": "c"}]}, ev)
    no({"call_trace": {"func": "a"}}, ev)
    no({"host": "h"}, ev)
    no({"host": None}, {"type": "oom"})             # null must be present
    no({"title": {"$re": "Out of memory"}}, ev)     # fullmatch, not search
    no({"title": {"$re": ".*"}}, {"title": 3})
    no([1], [])
    no("a", ["a"])
    ok(1, 1.0)

    a, b, c = {"type": "a"}, {"type": "b"}, {"type": "c"}
    expect(match_events([], [], "exact") == [], "exact: none ~ none")
    expect(match_events([{"type": "a"}], [a], "exact") == [], "exact: one")
    expect(match_events([], [a], "exact") != [], "exact: extra event")
    expect(match_events([a, b], [a], "exact") != [], "exact: missing event")
    expect(match_events([b, a], [a, b], "exact") != [], "exact: order")
    expect(match_events([a, c], [a, b, c], "subset") == [], "subset: gap")
    expect(match_events([], [a, b], "subset") == [], "subset: empty")
    expect(match_events([c, a], [a, b, c], "subset") != [], "subset: order")
    expect(match_events([a, a], [a, b], "subset") != [], "subset: reuse")
    expect(match_events([{"type": "d"}], [a], "subset") != [],
           "subset: absent")

    pats = ("regex", [re.compile("^usage"), re.compile("scan")])
    expect(match_output(pats, "usage: x\n  scan y\n", "o") == [],
           "regex: lines in order")
    expect(match_output(pats, "  scan y\nusage: x\n", "o") != [],
           "regex: lines out of order")
    expect(match_output(("exact", "a\n"), "a\n", "o") == [], "exact text")
    expect(match_output(("exact", "a\n"), "a", "o") != [],
           "exact text: missing newline")
    expect(match_output(("exact", "a\nb\n"), "a\nc\n", "o") != [],
           "exact text: a changed line")
    expect(parse_ndjson('{"a":1}\n\n{"b":2}\n')[0] == [{"a": 1}, {"b": 2}],
           "ndjson: two objects")
    expect(parse_ndjson('{"a":1}\nnot json\n')[1] is not None,
           "ndjson: a line that is not JSON")
    expect(parse_ndjson('[1]\n')[1] is not None, "ndjson: not an object")

    s = parse_case(b"# c\n<info>x</info>\n<input name=\"k\" nonewline=\"yes\">"
                   b"\nl1\x00\r\n</inputx>\n\n</input>\n<exit>1</exit>\n"
                   b"<stderr/>\n")
    expect(s["input"].body == b"l1\x00\r\n</inputx>\n\n", "parse: raw body")
    expect(s["input"].attrs == {"name": "k", "nonewline": "yes"},
           "parse: attributes")
    expect(s["info"].body == b"x" and s["exit"].body == b"1",
           "parse: one-line sections")
    expect(s["stderr"].body == b"", "parse: empty section")
    for bad in (b"<input>\nno end\n", b"text\n", b"<nosuch>x</nosuch>\n",
                b"<exit>1</exit>\n<exit>2</exit>\n", b"<exit>1\n"):
        try:
            parse_case(bad)
            expect(False, "parse: should reject %r" % bad)
        except CaseError:
            expect(True, "")
    expect(unescape(b"a\\x00\\\\b\\x7f") == b"a\x00\\b\x7f", "escapes")
    expect(parse_time("2022-06-07T00:00:00Z") == 1654560000, "mtime")

    # end to end, with a stand-in binary that prints fixed output
    with tempfile.TemporaryDirectory() as d:
        fake = os.path.join(d, "fake")
        with open(fake, "w") as f:
            f.write("#!/bin/sh\n"
                    "cat \"$2\" > /dev/null || exit 3\n"
                    "echo '{\"type\":\"oom\",\"source\":{\"line\":1}}'\n"
                    "echo 'warn' >&2\n"
                    "exit 0\n")
        os.chmod(fake, 0o755)
        os.makedirs(os.path.join(d, "tests", "cases"))
        opts = argparse.Namespace(bin=fake, srcdir=d, timeout=10, keep=False)

        def run(text):
            p = os.path.join(d, "tests", "cases", "9999-t.case")
            with open(p, "wb") as f:
                f.write(text)
            return run_case(Case(p, d), opts)[0]

        base = b"<args>scan %INPUT</args>\n<input>\nx\n</input>\n"
        expect(run(base + b'<events>[{"type":"oom"}]</events>\n') == "pass",
               "e2e: matching events pass")
        expect(run(base + b'<events>[{"type":"panic"}]</events>\n')
               == "fail", "e2e: wrong type fails")
        expect(run(base + b"<events>[]</events>\n") == "fail",
               "e2e: an unexpected event fails")
        expect(run(base + b"<exit>1</exit>\n") == "fail",
               "e2e: wrong exit status fails")
        expect(run(base + b"<before>\nscan %INPUT\n</before>\n")
               == "pass", "e2e: <before> commands that succeed")
        expect(run(base + b"<before>\nscan nope\n</before>\n")
               == "fail", "e2e: a failing <before> command fails")
        try:
            run(base + b'<events mach="subset">[]</events>\n')
            expect(False, "e2e: a misspelt attribute is a case error")
        except CaseError:
            expect(True, "")
        expect(run(base + b'<stderr mode="regex">\n^warn$\n</stderr>\n')
               == "pass", "e2e: stderr regex")
        expect(run(base + b'<stderr mode="regex">\n^error\n</stderr>\n')
               == "fail", "e2e: stderr regex mismatch fails")
        try:
            run(b"<args>scan %INPUT</args>\n<input file=\"nope\"/>\n")
            expect(False, "e2e: a missing input file is a case error")
        except CaseError:
            expect(True, "")
        with open(os.path.join(d, "check"), "w") as f:
            f.write("#!/bin/sh\n"
                    "test \"$(cat logs/a.log)\" = a || exit 5\n"
                    "test \"$(gzip -dc logs/b.log.gz)\" = b || exit 6\n"
                    "test \"$(stat -c %Y logs/b.log.gz)\" = 1654560000"
                    " || exit 7\n"
                    "test \"$(od -An -tx1)\" = ' 78 00' || exit 8\n")
        os.chmod(os.path.join(d, "check"), 0o755)
        opts.bin = os.path.join(d, "check")
        files = (b'<file name="logs/a.log" nonewline="yes">\na\n</file>\n'
                 b'<file name="logs/b.log" compress="gzip"'
                 b' mtime="2022-06-07T00:00:00Z">b</file>\n')
        expect(run(b"<args>logs</args>\n" + files +
                   b'<input stdin="yes" escapes="yes">x\\x00</input>\n')
               == "pass", "e2e: <file>s, compression, mtime, stdin bytes")
        expect(run(b"<args>logs</args>\n" + files +
                   b'<input stdin="yes">x</input>\n') == "fail",
               "e2e: wrong stdin bytes fail")

    for f in failed:
        print("self-test FAILED: " + f)
    print("self-test: %d passed, %d failed" % (checks - len(failed),
                                              len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BrokenPipeError:
        sys.exit(1)
