#!/usr/bin/env bash
# Static analysis of the C core (`make lint`): cppcheck and clang-tidy over src/. Exits 1 on any finding that is
# not a documented suppression:
#   scripts/lint/cppcheck.supp    cppcheck suppressions (<id>:<file>), each with its reason
#   scripts/lint/clang-tidy.yaml  the clang-tidy check set, and why each excluded check is excluded
#   scripts/lint/clang-tidy.supp  single-line clang-tidy false positives (<file>|<check>|<line text>), with reasons
#   scripts/lint/analyzer-model.h tells the analyzer that cv_fail() returns its (non-OK) code (see the file)
# Needs cppcheck and clang-tidy (Debian packages cppcheck, clang-tidy).
set -uo pipefail
cd "$(dirname "$0")/.."

JOBS=${LINT_JOBS:-2}
for tool in cppcheck clang-tidy; do
	command -v "$tool" >/dev/null || {
		echo "lint: $tool is not installed. Install it with: sudo apt-get install -y cppcheck clang-tidy" >&2
		exit 2
	}
done
[ -f third_party/cjson/cJSON.h ] || { echo "lint: third_party/ is missing: run make deps" >&2; exit 2; }

INCLUDES=(-Isrc -Ithird_party/bearssl/inc -Ithird_party/bearssl/src -Ithird_party/cjson)
status=0

# ---- cppcheck ----
# Without -D for CV_TEST_BUILD / CV_WASM, cppcheck checks the configurations with and without them.
echo "lint: cppcheck $(cppcheck --version | sed 's/^Cppcheck //') over src/"
cpp_out=$(cppcheck --enable=warning,portability,performance --error-exitcode=1 --inline-suppr -q --std=c11 \
	--suppressions-list=scripts/lint/cppcheck.supp --suppress=missingIncludeSystem -j "$JOBS" \
	--template='{file}:{line}: {severity}: {message} [{id}]' "${INCLUDES[@]}" -DCJSON_NESTING_LIMIT=64 \
	src/ 2>&1)
cpp_rc=$?
if [ $cpp_rc -ne 0 ] || grep -q '^src/' <<<"$cpp_out"; then
	echo "$cpp_out"
	echo "lint: cppcheck found problems (fix them, or suppress with a reason in scripts/lint/cppcheck.supp)" >&2
	status=1
else
	echo "lint: cppcheck clean"
fi

# ---- clang-tidy ----
echo "lint: $(clang-tidy --version | grep -o 'LLVM version [0-9.]*' | head -1 | sed 's/LLVM/clang-tidy/') over src/"
tidy_one() { # $1: a source file; prints its findings (one line each: file:line:col: warning: msg [check])
	local f=$1 model=(-include scripts/lint/analyzer-model.h)
	# diag.c defines cv_fail: the model's macro would rewrite the definition.
	[ "$f" = src/diag.c ] && model=()
	clang-tidy --quiet --config-file=scripts/lint/clang-tidy.yaml "$f" -- -std=c11 "${model[@]}" \
		-Isrc -Ithird_party/bearssl/inc -Ithird_party/bearssl/src -Ithird_party/cjson -DCJSON_NESTING_LIMIT=64 \
		-DCV_TEST_BUILD -Wno-unknown-attributes 2>/dev/null |
		grep -E '^[^ ].*:[0-9]+:[0-9]+: (warning|error): '
	return 0
}
export -f tidy_one
tidy_out=$(ls src/*.c | xargs -P "$JOBS" -I{} bash -c 'tidy_one {}' | sort -u)

# Drop the documented single-line false positives.
remaining=()
suppressed=0
while IFS= read -r line; do
	[ -n "$line" ] || continue
	file=$(sed -E 's/^(.*):([0-9]+):[0-9]+: .*/\1/' <<<"$line")
	lno=$(sed -E 's/^(.*):([0-9]+):[0-9]+: .*/\2/' <<<"$line")
	check=$(sed -nE 's/.*\[([^]]+)\]$/\1/p' <<<"$line")
	rel=${file#"$PWD"/}
	text=$(sed -n "${lno}p" "$file" 2>/dev/null | sed -E 's/^[[:space:]]+//; s/[[:space:]]+$//')
	if grep -v '^#' scripts/lint/clang-tidy.supp | grep -qxF "$rel|$check|$text"; then
		suppressed=$((suppressed + 1))
	else
		remaining+=("${line#"$PWD"/}")
	fi
done <<<"$tidy_out"
if [ ${#remaining[@]} -gt 0 ]; then
	printf '%s\n' "${remaining[@]}"
	echo "lint: clang-tidy found ${#remaining[@]} problem(s) (run clang-tidy --config-file=scripts/lint/clang-tidy.yaml" \
		"on the file for the explanation; fix, or document a false positive in scripts/lint/clang-tidy.supp)" >&2
	status=1
else
	echo "lint: clang-tidy clean ($suppressed documented false positive(s) suppressed)"
fi
exit $status
