#!/bin/sh
# The HTML report in a real browser: renders `ktriage report --format
# html` for the examples, in Chinese, for a hostile log and for a clean
# one, then loads each page in headless Chromium through puppeteer-core
# (check.js) and checks it.
#
# usage: tests/browser/run.sh BIN SRCDIR BUILDDIR
#
# puppeteer-core comes from npm: `npm ci` installs it from the lock file
# into BUILDDIR/browser/ (npm's cache there too) when it is not there
# yet; it drives the system's Chromium and downloads no browser.  The
# pages and screenshots go to BUILDDIR/browser/ and BUILDDIR/report-*.png.
# Exit status: 0 passed, 1 failed, 77 (skipped) when chromium, node
# (18 or later) or npm is not installed: scripts/install-deps.sh --test
# installs them.  KT_CHROMIUM names another Chromium binary.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 BIN SRCDIR BUILDDIR" >&2
	exit 2
fi
bin=$1
srcdir=$(cd "$2" && pwd)
build=$(cd "$3" && pwd)
here=$srcdir/tests/browser
work=$build/browser

skip() {
	echo "browser: skipped: $*; run scripts/install-deps.sh --test"
	exit 77
}

chromium=${KT_CHROMIUM:-}
if [ -z "$chromium" ]; then
	for c in chromium chromium-browser; do
		if command -v "$c" >/dev/null 2>&1; then
			chromium=$(command -v "$c")
			break
		fi
	done
fi
[ -n "$chromium" ] || skip "no chromium"
command -v node >/dev/null 2>&1 || skip "no node"
command -v npm >/dev/null 2>&1 || skip "no npm"
major=$(node -p 'process.versions.node.split(".")[0]')
[ "$major" -ge 18 ] || skip "node $major is older than 18"

mkdir -p "$work"

# puppeteer-core, once per lock file
if ! cmp -s "$here/package-lock.json" "$work/package-lock.json" ||
   [ ! -d "$work/node_modules/puppeteer-core" ]; then
	cp "$here/package.json" "$here/package-lock.json" "$work/"
	echo "browser: npm ci into $work"
	(cd "$work" && npm ci --ignore-scripts --no-audit --no-fund \
		--cache "$work/npm-cache" --loglevel=error) >&2 || {
		rm -f "$work/package-lock.json"
		echo "browser: npm ci failed" >&2
		exit 1
	}
fi

# The reports.  ktriage exits 0 on each: a failure to render is a failure.
render() {
	out=$1
	shift
	if ! "$bin" report --format html "$@" >"$work/$out"; then
		echo "browser: 'ktriage report --format html $*' failed" >&2
		exit 1
	fi
}
cd "$srcdir"
render examples.html --lang en examples/
render zh.html --lang zh examples/
render hostile.html --lang en tests/browser/hostile.log
render clean.html --lang en tests/browser/clean.log

exec node "$here/check.js" --chromium "$chromium" --modules "$work" \
	--out "$build" "$work/examples.html" "$work/zh.html" \
	"$work/hostile.html" "$work/clean.html"
