#!/usr/bin/env bash
# bench/run.sh - scan throughput and memory benchmark (see bench/README.md).
# Measures `ktriage scan --format ndjson` and, in the same run as the
# baseline, `grep -c -E` with the rule pack's keywords on the
# same generated 1 GiB mixed log; then peak RSS at 1/4 and 2x that size;
# the report over a million events; watch's alert latency and idle cost.
#
#   bench/run.sh [--strict] [--runs N] [--size SIZE] [--seed N] BUILD_DIR
#
# Exit status: 0 whatever the verdict, unless --strict is given (then 1 on
# FAIL); 2 when the benchmark itself cannot run.
set -euo pipefail

# Targets from the issue.  1 MB = 10^6 bytes everywhere in this script.
TARGET_MBPS=300
TARGET_RATIO=1.5
TARGET_RSS_MB=32

strict=0
runs=3
size=1G
seed=1
build=

die() {
	echo "bench: $*" >&2
	exit 2
}

usage() {
	sed -n '2,10s/^# \{0,1\}//p' "$0"
}

while [ $# -gt 0 ]; do
	case "$1" in
	--strict) strict=1 ;;
	--runs) runs=${2:?--runs needs a number}; shift ;;
	--size) size=${2:?--size needs a value}; shift ;;
	--seed) seed=${2:?--seed needs a number}; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) die "unknown option '$1'" ;;
	*) [ -z "$build" ] || die "more than one build directory given"
	   build=$1 ;;
	esac
	shift
done
[ -n "$build" ] || { usage >&2; exit 2; }
[[ $runs =~ ^[1-9][0-9]?$ ]] || die "bad --runs '$runs': expected 1-99"
[[ $seed =~ ^[0-9]+$ ]] || die "bad --seed '$seed': expected a number"

# SIZE in bytes, K/M/G are powers of 1024 as in gen-log.
to_bytes() {
	local n=${1%[KkMmGg]} u=${1##*[0-9]}
	[[ $n =~ ^[0-9]+$ ]] || die "bad size '$1'"
	case "$u" in
	'') echo "$n" ;;
	[Kk]) echo $((n << 10)) ;;
	[Mm]) echo $((n << 20)) ;;
	[Gg]) echo $((n << 30)) ;;
	*) die "bad size '$1'" ;;
	esac
}

# Bytes back to the short form used in file names: 1g, 256m.
to_label() {
	local b=$1
	if [ $((b % (1 << 30))) -eq 0 ]; then echo "$((b >> 30))g"
	elif [ $((b % (1 << 20))) -eq 0 ]; then echo "$((b >> 20))m"
	else echo "$b"
	fi
}

src=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mkdir -p "$build"
build=$(cd "$build" && pwd)
work=$build/bench
mkdir -p "$work"

# ---- build ----
if [ ! -f "$build/CMakeCache.txt" ]; then
	echo "configuring $build (Release)..."
	cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
		>"$work/build.log" 2>&1 ||
		{ cat "$work/build.log" >&2; die "cmake configure failed"; }
fi
cmake --build "$build" --target gen-log measure report-bench ktriage -j 2 \
	>"$work/build.log" 2>&1 ||
	{ tail -n 40 "$work/build.log" >&2; die "build failed"; }
gen=$work/gen-log
measure=$work/measure
ktriage=$build/ktriage
for t in "$gen" "$measure" "$ktriage"; do
	[ -x "$t" ] || die "missing '$t' after the build"
done
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")

# ---- inputs ----
main_bytes=$(to_bytes "$size")
small_bytes=$((main_bytes / 4))
large_bytes=$((main_bytes * 2))

need=0
for b in $small_bytes $main_bytes $large_bytes; do
	f=$work/mixed-$(to_label "$b").log
	[ -f "$f" ] || need=$((need + b))
done
avail=$(($(df -Pk "$work" | awk 'NR == 2 { print $4 }') * 1024))
[ "$need" -lt "$avail" ] ||
	die "need $((need >> 20)) MiB free in '$work' for the inputs," \
	    "have $((avail >> 20)) MiB"

# Generates (or reuses) the input of the given size; prints its path.
# A stamp beside the file records generator version, size, seed and the
# byte count, so a stale or truncated file is made again.
input() {
	local bytes=$1 f stamp want t0 t1
	f=$work/mixed-$(to_label "$bytes").log
	stamp=$f.stamp
	want="$("$gen" --version) size=$bytes seed=$seed"
	if [ -f "$f" ] && [ -f "$stamp" ] &&
	   [ "$(cat "$stamp")" = "$want bytes=$(stat -c %s "$f")" ]; then
		echo "reusing $f" >&2
	else
		t0=$(date +%s.%N)
		"$gen" --size "$bytes" --seed "$seed" --stats "$f.stats" \
			-o "$f.tmp" || die "gen-log failed for '$f'"
		mv "$f.tmp" "$f"
		# Write it back now, not while the tools are being timed.
		sync -- "$f"
		echo "$want bytes=$(stat -c %s "$f")" >"$stamp"
		t1=$(date +%s.%N)
		awk -v b="$bytes" -v t0="$t0" -v t1="$t1" -v f="$f" 'BEGIN {
			printf "generated %s: %.1f MB in %.1f s (%.0f MB/s)\n",
			       f, b / 1e6, t1 - t0, b / 1e6 / (t1 - t0) }' >&2
	fi
	echo "$f"
}

main=$(input "$main_bytes")
small=$(input "$small_bytes")
large=$(input "$large_bytes")

stat_of() {	# stat_of FILE.stats KEY
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}

# ---- baseline pattern: the rule pack's keywords, ERE-escaped, '|' ----
# (the literal every opening line of a rule contains, as the scanner's
# screen looks for it: `ktriage rules list --keywords`)
kwfile=$work/keywords.txt
"$build/ktriage" rules list --keywords > "$kwfile" ||
	die "ktriage rules list --keywords failed"
pattern=$(grep -v '^[[:space:]]*$' "$kwfile" |
	  sed -e 's/[][\\.*^$+?(){}|]/\\&/g' | paste -sd '|' -)
nkw=$(grep -c -v '^[[:space:]]*$' "$kwfile")
[ -n "$pattern" ] || die "'$kwfile' has no keywords"

# ---- measuring ----
# run_one LABEL OUT CMD...: runs CMD under measure with stdout to OUT;
# sets wall, cpu, rss_mb and status.
run_one() {
	local label=$1 out=$2 res=$work/measure.out
	shift 2
	rm -f "$res"
	"$measure" -o "$res" -- "$@" >"$out" 2>"$work/$label.stderr" || true
	[ -s "$res" ] ||
		die "measure failed: $(tail -n 1 "$work/$label.stderr")"
	read -r wall user sys rss_kb status < <(sed 's/[a-z_]*=//g' "$res")
	cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", u + s }')
	rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k * 1024 / 1e6 }')
}

median() {	# median of the arguments
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) print v[(NR + 1) / 2]
		else printf "%.3f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

best() {	# smallest argument
	printf '%s\n' "$@" | sort -g | head -n 1
}

largest() {
	printf '%s\n' "$@" | sort -g | tail -n 1
}

mbps() {	# mbps BYTES SECONDS
	awk -v b="$1" -v s="$2" 'BEGIN {
		if (s > 0) printf "%.1f", b / 1e6 / s; else print "inf" }'
}

fail_msgs=()
load_before=$(cut -d ' ' -f 1-3 /proc/loadavg)

echo "warming the page cache..." >&2
cat "$main" "$small" "$large" >/dev/null

# One untimed ktriage run keeps its events, to count them.
events=$work/events-$(to_label "$main_bytes").ndjson
run_one ktriage-events "$events" "$ktriage" scan \
	--format ndjson "$main"
if [ "$status" != 0 ]; then
	fail_msgs+=("ktriage exited with status $status: $(head -n 1 \
		"$work/ktriage-events.stderr")")
fi
nevents=$(wc -l <"$events")

g_wall=() g_cpu=() g_rss=() k_wall=() k_cpu=() k_rss=() k_status=0
grep_count=
for i in $(seq "$runs"); do
	echo "run $i/$runs: grep, ktriage..." >&2
	run_one grep "$work/grep.count" env LC_ALL=C grep -c -E "$pattern" \
		"$main"
	[ "$status" -le 1 ] ||
		die "grep failed (status $status): $(cat "$work/grep.stderr")"
	grep_count=$(cat "$work/grep.count")
	g_wall+=("$wall") g_cpu+=("$cpu") g_rss+=("$rss_mb")
	run_one ktriage /dev/null "$ktriage" scan \
		--format ndjson "$main"
	[ "$status" = 0 ] || k_status=$status
	k_wall+=("$wall") k_cpu+=("$cpu") k_rss+=("$rss_mb")
done
[ "$k_status" = 0 ] || fail_msgs+=("ktriage exited with status $k_status")

echo "peak RSS at other sizes..." >&2
s_label=$(to_label "$small_bytes") l_label=$(to_label "$large_bytes")
run_one ktriage-small /dev/null "$ktriage" scan \
	--format ndjson "$small"
s_wall=$wall s_rss=$rss_mb s_status=$status
run_one ktriage-large /dev/null "$ktriage" scan \
	--format ndjson "$large"
l_wall=$wall l_rss=$rss_mb l_status=$status
[ "$s_status" = 0 ] && [ "$l_status" = 0 ] ||
	fail_msgs+=("ktriage exited with status $s_status/$l_status" \
		    "on the $s_label/$l_label inputs")

# ---- report ----
g_best=$(best "${g_wall[@]}") g_med=$(median "${g_wall[@]}")
k_best=$(best "${k_wall[@]}") k_med=$(median "${k_wall[@]}")
g_mbps_best=$(mbps "$main_bytes" "$g_best")
g_mbps_med=$(mbps "$main_bytes" "$g_med")
k_mbps_best=$(mbps "$main_bytes" "$k_best")
k_mbps_med=$(mbps "$main_bytes" "$k_med")
ratio_med=$(awk -v k="$k_mbps_med" -v g="$g_mbps_med" 'BEGIN {
	if (k == "inf") print "inf"; else printf "%.2f", k / g }')
ratio_best=$(awk -v k="$k_mbps_best" -v g="$g_mbps_best" 'BEGIN {
	if (k == "inf") print "inf"; else printf "%.2f", k / g }')
k_rss_max=$(largest "${k_rss[@]}" "$s_rss" "$l_rss")
reports=$(stat_of "$main.stats" reports)

verdict() {	# verdict OK -> PASS/FAIL
	if [ "$1" = 1 ]; then echo PASS; else echo FAIL; fi
}
ge() {	# ge A B: 1 when A >= B (A may be "inf")
	awk -v a="$1" -v b="$2" 'BEGIN {
		print (a == "inf" || a + 0 >= b + 0) ? 1 : 0 }'
}
le() {
	awk -v a="$1" -v b="$2" 'BEGIN { print (a + 0 <= b + 0) ? 1 : 0 }'
}

v_speed=$(verdict "$(ge "$k_mbps_med" "$TARGET_MBPS")")
v_ratio=$(verdict "$(ge "$ratio_med" "$TARGET_RATIO")")
v_rss=$(verdict "$(le "$k_rss_max" "$TARGET_RSS_MB")")
# A scanner that finds nothing is fast for the wrong reason: ask for at
# least one event per two reports the generator wrote.
v_valid=$(verdict "$(ge "$nevents" "$((reports / 2))")")

cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
rev=$(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo unknown)

echo
echo "== ktriage scan benchmark =="
echo "1 MB = 10^6 bytes; MB/s = input bytes / wall time;" \
	"RSS = peak resident set size"
printf 'machine   %s, %s cores, Linux %s\n' "${cpu_model:-unknown CPU}" \
	"$(nproc)" "$(uname -r)"
printf 'build     %s (%s), commit %s\n' "$build" "${build_type:-?}" "$rev"
printf 'baseline  %s, LC_ALL=C, the %s keywords of the rule pack\n' \
	"$(grep --version | head -n 1)" "$nkw"
printf 'input     %s: %.1f MB, %s lines, %s kernel reports' \
	"${main#"$build"/}" \
	"$(awk -v b="$main_bytes" 'BEGIN { print b / 1e6 }')" \
	"$(stat_of "$main.stats" lines)" "$reports"
printf ' (%s%% of bytes), seed %s\n' \
	"$(awk -v r="$(stat_of "$main.stats" report_bytes)" -v b="$main_bytes" \
		'BEGIN { printf "%.1f", 100 * r / b }')" "$seed"
echo "runs      $runs each, interleaved; page cache warm;" \
	"load average before: $load_before"
echo
printf '%-30s %9s %9s %8s %8s %7s %8s\n' tool "MB/s" "MB/s" "wall s" \
	"wall s" "CPU s" "peak RSS"
printf '%-30s %9s %9s %8s %8s %7s %8s\n' "" best median best median \
	median MB
printf '%-30s %9s %9s %8s %8s %7s %8s\n' \
	"grep -c -E ($nkw keywords)" "$g_mbps_best" "$g_mbps_med" \
	"$g_best" "$g_med" "$(median "${g_cpu[@]}")" \
	"$(largest "${g_rss[@]}")"
printf '%-30s %9s %9s %8s %8s %7s %8s\n' \
	"ktriage scan --format ndjson" "$k_mbps_best" "$k_mbps_med" \
	"$k_best" "$k_med" "$(median "${k_cpu[@]}")" \
	"$(largest "${k_rss[@]}")"
printf '%-30s %9s %9s\n' "ratio ktriage / grep" "${ratio_best}x" \
	"${ratio_med}x"
echo
echo "grep wall s by run:    ${g_wall[*]}"
echo "ktriage wall s by run: ${k_wall[*]}"
echo "found: grep $grep_count matching lines; ktriage $nevents events" \
	"(the generator wrote $reports reports," \
	"$(stat_of "$main.stats" report_lines) report lines)"
if [ "$nevents" -gt 0 ]; then
	printf 'events by type: %s\n' "$(grep -o '"type":"[a-z_]*"' "$events" |
		sed 's/"type":"\(.*\)"/\1/' | sort | uniq -c |
		awk '{ printf "%s%s %s", sep, $2, $1; sep = ", " }')"
fi
echo
printf '%-30s %9s %8s %9s %8s\n' "peak RSS by input size" MB "wall s" \
	"MB/s" "RSS MB"
m_label=$(to_label "$main_bytes")
m_rss=$(largest "${k_rss[@]}")
for row in "$s_label:$small_bytes:$s_wall:$s_rss" \
	   "$m_label:$main_bytes:$k_med:$m_rss" \
	   "$l_label:$large_bytes:$l_wall:$l_rss"; do
	IFS=: read -r lab b w r <<<"$row"
	printf '%-30s %9.1f %8s %9s %8s\n' "  mixed-$lab.log" \
		"$(awk -v b="$b" 'BEGIN { print b / 1e6 }')" "$w" \
		"$(mbps "$b" "$w")" "$r"
done
echo
# ---- the report over a million events (made in memory, no scan) ----
report_bench=$build/bench/report-bench
if "$report_bench" > "$work/report-bench.out" 2>&1; then
	sed -n '/^events/,/^peak RSS/p' "$work/report-bench.out" |
		sed 's/^/report: /'
	v_report=$(sed -n 's/^result: //p' "$work/report-bench.out")
else
	fail_msgs+=("report-bench failed: $(tail -n 1 "$work/report-bench.out")")
	v_report=FAIL
fi
report_total=$(sed -n 's/^total *\([0-9.]*\) s.*/\1/p' "$work/report-bench.out")
report_rss=$(sed -n 's/^peak RSS *\([0-9.]*\) MB.*/\1/p' "$work/report-bench.out")
# ---- watch: alert latency and idle cost (bench/watch-bench.py) ----
echo
if python3 "$src/bench/watch-bench.py" --bin "$build/ktriage" \
	> "$work/watch-bench.out" 2>&1; then
	grep -v '^target:' "$work/watch-bench.out" | sed 's/^/watch: /'
else
	fail_msgs+=("watch-bench failed: $(tail -n 1 "$work/watch-bench.out")")
fi
watch_target() {	# NAME -> "VALUE VERDICT", or "? FAIL"
	local t
	t=$(sed -n "s/^target: $1 //p" "$work/watch-bench.out")
	echo "${t:-? FAIL}"
}
read -r w_lat v_lat <<<"$(watch_target latency-median-ms)"
read -r w_cpu v_cpu <<<"$(watch_target idle-cpu-percent)"
read -r w_rss v_rss_idle <<<"$(watch_target idle-rss-mb)"
echo
echo "targets"
printf '  %-40s %-28s %s\n' "throughput >= $TARGET_MBPS MB/s (median)" \
	"$k_mbps_med MB/s" "$v_speed"
printf '  %-40s %-28s %s\n' "ktriage >= ${TARGET_RATIO}x grep (median)" \
	"${ratio_med}x" "$v_ratio"
printf '  %-40s %-28s %s\n' "peak RSS <= $TARGET_RSS_MB MB at every size" \
	"$k_rss_max MB" "$v_rss"
printf '  %-40s %-28s %s\n' "finds events (>= 1 per 2 reports)" \
	"$nevents for $reports reports" "$v_valid"
printf '  %-40s %-28s %s\n' "report over 1M events < 2 s, < 64 MB" \
	"${report_total:-?} s, ${report_rss:-?} MB" "${v_report:-FAIL}"
printf '  %-40s %-28s %s\n' "watch: alert latency < 100 ms (median)" \
	"$w_lat ms" "$v_lat"
printf '  %-40s %-28s %s\n' "watch idle: < 1% of a core, < 20 MB RSS" \
	"$w_cpu %, $w_rss MB" \
	"$([ "$v_cpu$v_rss_idle" = PASSPASS ] && echo PASS || echo FAIL)"
for m in "${fail_msgs[@]+"${fail_msgs[@]}"}"; do
	echo "  error: $m"
done

result=PASS
for v in "$v_speed" "$v_ratio" "$v_rss" "$v_valid" "${v_report:-FAIL}" \
	"$v_lat" "$v_cpu" "$v_rss_idle"; do
	[ "$v" = PASS ] || result=FAIL
done
[ ${#fail_msgs[@]} -eq 0 ] || result=FAIL
# On a busy machine a single-threaded tool waits for a CPU: wall time
# then exceeds CPU time, and the MB/s figures understate it.
for t in "grep:$g_med:$(median "${g_cpu[@]}")" \
	 "ktriage:$k_med:$(median "${k_cpu[@]}")"; do
	IFS=: read -r name w c <<<"$t"
	if [ "$(awk -v w="$w" -v c="$c" 'BEGIN {
		print (w > 0.5 && w > 1.2 * c) ? 1 : 0 }')" = 1 ]; then
		echo "warning: $name's wall time ($w s) exceeds its CPU time" \
			"($c s) by more than 20%: the machine was busy," \
			"so its MB/s is understated"
	fi
done
if [ "$v_valid" = FAIL ]; then
	echo "note: ktriage found too few events, so its speed and memory" \
		"figures do not describe a working scanner"
fi
echo "result: $result"
if [ "$strict" = 1 ] && [ "$result" != PASS ]; then
	exit 1
fi
exit 0
