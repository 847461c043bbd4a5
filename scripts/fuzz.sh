#!/usr/bin/env bash
# Run the libFuzzer harnesses one after another (never in parallel: the machines have 2 cores).
#
#   scripts/fuzz.sh SECONDS [harness ...]   each harness for SECONDS (default: every built harness)
#
# Called by `make fuzz` (FUZZ_SECONDS, default 60) and `make fuzz-smoke` (FUZZ_SMOKE_SECONDS), which build the
# harnesses first into build/fuzz/. Seeds are regenerated from tests/vectors/ into build/fuzz-corpus/<harness>/
# (ignored by git) by fuzz/seeds.mjs; what libFuzzer finds stays there for the next run. A crash, leak, timeout,
# out-of-memory or oracle failure stops that harness, writes the input to build/fuzz-artifacts/<harness>/ and makes
# this script exit 1 after the remaining harnesses ran. Logs: build/fuzz-logs/<harness>.log.
# Environment: FUZZ_DIR, FUZZ_CORPUS, FUZZ_FLAGS (extra libFuzzer flags, e.g. -seed=1).
set -uo pipefail
cd "$(dirname "$0")/.."

SECONDS_EACH=${1:-60}
shift || true
FUZZ_DIR=${FUZZ_DIR:-build/fuzz}
CORPUS=${FUZZ_CORPUS:-build/fuzz-corpus}
ARTIFACTS=build/fuzz-artifacts
LOGS=build/fuzz-logs

if [ $# -gt 0 ]; then
	HARNESSES=("$@")
else
	HARNESSES=()
	for b in "$FUZZ_DIR"/fuzz_*; do
		[ -x "$b" ] && HARNESSES+=("${b##*/fuzz_}")
	done
fi
[ ${#HARNESSES[@]} -gt 0 ] || { echo "fuzz: no harness built in $FUZZ_DIR (run make fuzz)" >&2; exit 2; }

# Per harness: the largest input worth mutating (the biggest real seed fits) and its dictionary.
max_len() {
	case $1 in
	quote) echo 8192 ;;
	jsonnum) echo 512 ;;
	x509) echo 6144 ;;
	compose | yaml) echo 16384 ;;
	collateral | eventlog) echo 32768 ;;
	evidence | run_json | cache) echo 65536 ;;
	*) echo 16384 ;;
	esac
}
dict() {
	case $1 in
	quote | x509) echo fuzz/der.dict ;;
	compose | yaml) echo fuzz/yaml.dict ;;
	*) echo fuzz/json.dict ;;
	esac
}

node fuzz/seeds.mjs "$CORPUS" || exit 2
mkdir -p "$ARTIFACTS" "$LOGS"

# LeakSanitizer is on (a leak is a finding). UBSan stops at the first report (built with -fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

failed=()
printf '%-11s %6s %10s %9s %7s %7s %s\n' harness secs execs exec/s cov ft corpus
for h in "${HARNESSES[@]}"; do
	bin=$FUZZ_DIR/fuzz_$h
	[ -x "$bin" ] || { echo "fuzz: $bin is not built" >&2; failed+=("$h(missing)"); continue; }
	mkdir -p "$CORPUS/$h" "$ARTIFACTS/$h"
	log=$LOGS/$h.log
	start=$(date +%s)
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$SECONDS_EACH" -timeout=5 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
		-max_len="$(max_len "$h")" -dict="$(dict "$h")" -print_final_stats=1 \
		-artifact_prefix="$ARTIFACTS/$h/" ${FUZZ_FLAGS:-} "$CORPUS/$h" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$last")
	printf '%-11s %6s %10s %9s %7s %7s %s\n' "$h" "$secs" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
	if [ $rc -ne 0 ]; then
		failed+=("$h")
		echo "---- fuzz_$h failed (exit $rc); the end of $log:" >&2
		grep -E 'ERROR|SUMMARY|runtime error|fuzz invariant|Test unit written|==[0-9]+==' "$log" | head -20 >&2
		tail -n 40 "$log" >&2
	fi
done

if [ ${#failed[@]} -gt 0 ]; then
	echo "fuzz: findings in: ${failed[*]} (inputs in $ARTIFACTS/, logs in $LOGS/)" >&2
	exit 1
fi
echo "fuzz: no findings (${#HARNESSES[@]} harnesses, ${SECONDS_EACH} s each)"
