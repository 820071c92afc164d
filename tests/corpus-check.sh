#!/bin/sh
# Scores a ktriage binary on the shared corpus and enforces tests/corpus-bars.
#
# usage: tests/corpus-check.sh BIN
#
# Runs score-corpus (default ../shared/tools/score-corpus, beside the
# repository checkout; KTRIAGE_SCORE_TOOL overrides) on the corpus (default
# ../shared/corpus; KTRIAGE_CORPUS_DIR overrides), prints its summary line
# and checks every bar of tests/corpus-bars (KTRIAGE_CORPUS_BARS
# overrides).  Exit status: 0 all bars met, 1 a bar missed or the scorer
# failed, 77 (skipped) when the corpus or the scorer is not there.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 BIN" >&2
	exit 2
fi
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
srcdir=$(dirname "$here")
tool=${KTRIAGE_SCORE_TOOL:-$srcdir/../shared/tools/score-corpus}
corpus=${KTRIAGE_CORPUS_DIR:-$srcdir/../shared/corpus}
bars=${KTRIAGE_CORPUS_BARS:-$here/corpus-bars}

if [ ! -f "$tool" ]; then
	echo "corpus: skipped: no scorer at '$tool' (set KTRIAGE_SCORE_TOOL)"
	exit 77
fi
if [ ! -d "$corpus" ]; then
	echo "corpus: skipped: no corpus at '$corpus' (set KTRIAGE_CORPUS_DIR)"
	exit 77
fi
corpus=$(cd "$corpus" && pwd)
if ! command -v python3 >/dev/null 2>&1; then
	echo "corpus: python3 not found: run scripts/install-deps.sh --test" >&2
	exit 1
fi
if [ ! -x "$bin" ]; then
	echo "corpus: '$bin' is not an executable" >&2
	exit 1
fi
if [ ! -f "$bars" ]; then
	echo "corpus: cannot open '$bars'" >&2
	exit 1
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! python3 "$tool" --bin "$bin" --verbose --max-failures 20 \
		"$corpus" >"$out" 2>&1; then
	cat "$out"
	echo "corpus: score-corpus failed" >&2
	exit 1
fi
summary=$(tail -n 1 "$out")
case $summary in
category_recall=*) ;;
*)
	cat "$out"
	echo "corpus: unexpected last line from score-corpus: $summary" >&2
	exit 1 ;;
esac

# One line per bar: "ok|FAIL metric op want got", or "bad <text>".
verdict=$(printf '%s\n' "$summary" | awk -v barfile="$bars" '
NR == 1 {
	for (i = 1; i <= NF; i++) {
		split($i, kv, "=")
		got[kv[1]] = kv[2]
	}
}
END {
	while ((getline line < barfile) > 0) {
		sub(/#.*/, "", line)
		n = split(line, f, " ")
		if (n == 0)
			continue
		if (n != 3 || !(f[1] in got) ||
		    f[2] !~ /^(>=|>|<=|<|==)$/ ||
		    f[3] !~ /^-?[0-9]+(\.[0-9]+)?$/) {
			print "bad " line
			continue
		}
		g = got[f[1]] + 0; w = f[3] + 0
		if (f[2] == ">=") ok = g >= w
		else if (f[2] == ">") ok = g > w
		else if (f[2] == "<=") ok = g <= w
		else if (f[2] == "<") ok = g < w
		else ok = g == w
		print (ok ? "ok" : "FAIL"), f[1], f[2], f[3], got[f[1]]
	}
}')

echo "$summary"
failed=0
bad=0
while read -r state metric op want got; do
	case $state in
	ok)
		echo "corpus: bar met:    $metric $op $want (got $got)" ;;
	FAIL)
		echo "corpus: bar MISSED: $metric $op $want (got $got)"
		failed=1 ;;
	bad)
		echo "corpus: malformed bar in $bars: $metric $op $want $got" >&2
		bad=1 ;;
	esac
done <<EOV
$verdict
EOV
if [ -z "$verdict" ]; then
	echo "corpus: no bar in $bars" >&2
	bad=1
fi
if [ "$failed" = 1 ] || [ "$bad" = 1 ]; then
	echo
	cat "$out"
	exit 1
fi
exit 0
