#!/bin/sh
# Runs every libFuzzer target of a fuzzing build for a fixed time.
#
# usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]
#
# For each tests/fuzz/fuzz_<name>.c it runs BUILD_DIR/tests/fuzz/fuzz_<name>
# for SECONDS (default 60), starting from the seeds in
# tests/fuzz/corpus_<name>/ and with the dictionary tests/fuzz/<name>.dict
# when there is one; SECONDS=0 runs each seed once instead.  The seed
# folder is only read: new inputs go to
# BUILD_DIR/fuzz/corpus_<name>/, an input that fails to
# BUILD_DIR/fuzz/<name>-{crash,leak,timeout,oom}-*, and the fuzzer's log to
# BUILD_DIR/fuzz/<name>.log.  Fails when any target finds a problem.
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 BUILD_DIR [SECONDS]" >&2
	exit 2
fi
build=$1
seconds=${2:-60}
here=$(cd "$(dirname "$0")" && pwd)

case $seconds in
''|*[!0-9]*)
	echo "fuzz: SECONDS must be a whole number, not '$seconds'" >&2
	exit 2 ;;
esac

export TZ=UTC
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

mkdir -p "$build/fuzz"
out=$(cd "$build/fuzz" && pwd)
status=0
ran=0
for src in "$here"/fuzz_*.c; do
	[ -e "$src" ] || continue
	target=$(basename "$src" .c)
	name=${target#fuzz_}
	bin=$build/tests/fuzz/$target
	seeds=$here/corpus_$name
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin is not built (cmake --build $build --target fuzz)" >&2
		exit 1
	fi
	mkdir -p "$out/corpus_$name"
	if [ "$seconds" -gt 0 ]; then
		set -- -max_total_time="$seconds"
	else
		set -- -runs=0
	fi
	# compiling the rule pack into vectorscan peaks near 500 MB under
	# ASan before the first input; the limit catches growth beyond that
	set -- "$@" -rss_limit_mb=1536 -max_len=65536 -timeout=25 \
		-print_final_stats=1 -artifact_prefix="$out/$name-"
	if [ -f "$here/$name.dict" ]; then
		set -- "$@" -dict="$here/$name.dict"
	fi
	set -- "$@" "$out/corpus_$name"
	if [ -d "$seeds" ]; then
		set -- "$@" "$seeds"
	fi
	if [ "$seconds" -gt 0 ]; then
		echo "fuzz: $target for ${seconds}s (log: $out/$name.log)"
	else
		echo "fuzz: $target on its seeds (log: $out/$name.log)"
	fi
	ran=$((ran + 1))
	if "$bin" "$@" >"$out/$name.log" 2>&1; then
		grep -E '^(Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' \
			"$out/$name.log" | sed 's/^/  /'
	else
		status=1
		echo "fuzz: $target FAILED; the end of its log:" >&2
		tail -n 60 "$out/$name.log" >&2
		for f in "$out/$name"-*; do
			if [ -f "$f" ]; then
				echo "fuzz: input saved as $f" >&2
			fi
		done
	fi
done
if [ "$ran" = 0 ]; then
	echo "fuzz: no fuzz target found in $here" >&2
	exit 1
fi
exit $status
