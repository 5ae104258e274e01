#!/usr/bin/env bash
# Every doctest case must run as exactly one ctest test. doctest_discover_tests registers one test
# per case, named after it, running `BINARY --test-case=NAME`; a name that CMake or doctest's filter
# reads differently (';' splits a CMake list into two names, '*' and '?' are filter wildcards)
# gives tests that select no case, or several, and pass with "0 test cases". So for every ctest
# test of a doctest binary this lists the cases its filter selects, which must be exactly the case
# it is named after, and every case each binary lists must be a ctest test.
# Usage (run by ctest, see CMakeLists.txt): check_test_registration.sh CTEST BUILD_DIR BINARY...
# Exit 77 (skipped) without python3, which reads ctest's JSON.
set -euo pipefail
ctest=$1
build_dir=$2
shift 2

command -v python3 >/dev/null || { echo "python3 is not installed: skipped"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The cases a doctest binary selects with the given filters, into the array `cases`. Only bash
# builtins besides the binary itself: this runs once per test.
list_cases() {
  local out line
  out=$("$@" --list-test-cases --no-colors=true)
  cases=()
  while IFS= read -r line; do
    [[ $line == "[doctest] "* || $line =~ ^=+$ ]] || cases+=("$line")
  done <<<"$out"
}

failures=0
complain() {
  echo "check_test_registration: $*" >&2
  failures=$((failures + 1))
}
hint="rename the TEST_CASE without ';' (CMake splits names there), ',', '*', '?', '\\' or '[' (doctest filter syntax)"

# Each doctest test as NAME NUL BINARY NUL --test-case=FILTER NUL.
if ! (cd "$build_dir" && "$ctest" -N --show-only=json-v1) >"$tmp/tests.json" 2>"$tmp/ctest.err"; then
  cat "$tmp/ctest.err" >&2
  echo "check_test_registration: ctest cannot list the tests; a test case's name with ']' or a line break" \
    "breaks doctest_discover_tests' script: rename it" >&2
  exit 1
fi
python3 - "$tmp/tests.json" >"$tmp/tests" <<'PY'
import json, os, sys
for test in json.load(open(sys.argv[1]))["tests"]:
    command = test.get("command") or []
    filters = [a for a in command[1:] if a.startswith("--test-case=")]
    if filters:
        sys.stdout.write("\0".join([test["name"], os.path.realpath(command[0]), filters[0]]) + "\0")
PY

declare -A registered  # "BINARY|NAME" -> 1 for every ctest test of a doctest binary
binaries=()
for b in "$@"; do binaries+=("$(realpath "$b")"); done
checked=0
while IFS= read -r -d '' name && IFS= read -r -d '' binary && IFS= read -r -d '' filter; do
  [[ " ${binaries[*]} " == *" $binary "* ]] || binaries+=("$binary")
  registered["$binary|$name"]=1
  checked=$((checked + 1))
  list_cases "$binary" "$filter"
  if [[ ${#cases[@]} != 1 || ${cases[0]} != "$name" ]]; then
    selected=$(printf "'%s', " "${cases[@]}")
    complain "ctest test '$name' runs $(basename "$binary") '$filter', which selects ${#cases[@]}" \
      "test case(s) instead of that one${cases[*]:+: ${selected%, }}; $hint"
  fi
done <"$tmp/tests"
((checked > 0)) || complain "ctest lists no doctest test in $build_dir (did doctest_discover_tests run?)"

for binary in "${binaries[@]}"; do
  [[ -x $binary ]] || { complain "$binary is not an executable"; continue; }
  list_cases "$binary"
  for case in "${cases[@]}"; do
    [[ -n ${registered["$binary|$case"]-} ]] ||
      complain "test case '$case' of $(basename "$binary") is not a ctest test of that name; $hint"
  done
done

if ((failures > 0)); then
  echo "check_test_registration: $failures problem(s): ctest's tests and the doctest cases differ" >&2
  exit 1
fi
echo "check_test_registration: $checked ctest tests, each runs exactly its own doctest case"
