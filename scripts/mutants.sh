#!/usr/bin/env bash
# Mutation testing: does the suite notice a plausible one-line bug? Applies each mutation of a list
# alone to a copy of the sources, builds it (Release, incrementally in one build directory) and runs
# the suite through ctest. A mutant is KILLED when some test fails and SURVIVES when the suite
# passes: each survivor is a bug the tests would let through. Not run by CI (a full run builds once
# per mutant: about a minute each on two cores).
#
# Usage: scripts/mutants.sh [-j JOBS] [--only REGEX] [--exclude REGEX] [--keep] [MUTANTS_FILE]
#   MUTANTS_FILE  default scripts/mutants.txt
#   -j JOBS       parallel build and test jobs (default 2)
#   --only REGEX  run only the mutants whose line matches REGEX (grep -E)
#   --exclude REGEX  also leave out the ctest tests matching REGEX (ctest -E), e.g. one that fails
#                 before any mutation because someone is working on it
#   --keep        keep the work directory (copy, build, logs) and print where it is
# Exit status: 0 every mutant killed, 1 some survived, 2 a bad list entry, a mutant that does not
# build, or a suite that fails before any mutation.
#
# The list: one mutation a line, four fields separated by '|':
#   FILE|ORIGINAL|REPLACEMENT|DESCRIPTION
#   src/init.cpp|I::Normal, 2, I::FanIn|I::Normal, 1, I::FanIn|he_normal with variance 1/fan_in
# FILE is relative to the repository root. ORIGINAL is exact text (spaces included, no '|') that
# must occur exactly once in FILE; it is replaced by REPLACEMENT (which may be empty). Blank lines
# and lines starting with '#' are ignored.
#
# The repository is only read: its files (tracked and untracked, less what .gitignore ignores, as
# they are in the working tree) are copied into a fresh temporary directory, where everything else
# happens, and which is removed on exit, interrupted or not.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
list="$repo/scripts/mutants.txt"
jobs=2
only=""
keep=0
# Tests left out: those that take minutes (the benchmark, the PyTorch comparison, skipped without
# torch anyway), and those that read the sources as text rather than run them (ctest's test names;
# docs/*.md's links to source lines, which any edit of a linked line breaks, bug or not).
exclude='^(bench_quick|model_to_pytorch_reproduces_predict|check_test_registration)$|^docs: '
while (($#)); do
  case $1 in
    -j) jobs=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --exclude) exclude="$exclude|$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "mutants: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) list=$1; shift ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/mlp-mutants.XXXXXX")
cleanup() {
  if ((keep)); then echo "mutants: work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
src="$work/src" build="$work/build" logs="$work/logs"
mkdir -p "$src" "$logs"

# A file's exact contents (trailing newlines included), and how often a text occurs in it.
read_exact() { local s; s=$(cat -- "$1"; printf x); printf '%s' "${s%x}"; }
occurrences() {
  local text=$1 piece=$2 n=0
  while [[ $text == *"$piece"* ]]; do
    text=${text#*"$piece"}
    n=$((n + 1))
  done
  echo "$n"
}

# ---- the copy -----------------------------------------------------------------------------------
(
  cd "$repo"
  git ls-files -z --cached --others --exclude-standard |
    while IFS= read -r -d '' f; do [[ -f $f ]] && printf '%s\0' "$f"; done |
    tar --null -T - -cf -
) | tar -xf - -C "$src"

# ---- the list, checked whole before anything is built --------------------------------------------
files=() originals=() replacements=() descriptions=()
bad=0
lineno=0
while IFS= read -r line || [[ -n $line ]]; do
  lineno=$((lineno + 1))
  [[ -z ${line//[[:space:]]/} || $line == \#* ]] && continue
  [[ -n $only ]] && ! grep -qE -e "$only" <<<"$line" && continue
  IFS='|' read -r file original replacement description extra <<<"$line"
  where="$list:$lineno"
  if [[ -n $extra || -z $description || -z $original ]]; then
    echo "$where: expected FILE|ORIGINAL|REPLACEMENT|DESCRIPTION (four fields, no '|' inside one)" >&2
    bad=1
    continue
  fi
  if [[ ! -f $src/$file ]]; then
    echo "$where: no file $file in the repository" >&2
    bad=1
    continue
  fi
  n=$(occurrences "$(read_exact "$src/$file")" "$original")
  if ((n != 1)); then
    echo "$where: the original text occurs $n times in $file, not exactly once: '$original'" >&2
    bad=1
    continue
  fi
  if [[ $original == "$replacement" ]]; then
    echo "$where: the replacement is the original text" >&2
    bad=1
    continue
  fi
  files+=("$file") originals+=("$original") replacements+=("$replacement") descriptions+=("$description")
done <"$list"
((bad == 0)) || { echo "mutants: fix the list above first" >&2; exit 2; }
((${#files[@]} > 0)) || { echo "mutants: no mutation to run in $list" >&2; exit 2; }

# ---- build and test -------------------------------------------------------------------------------
build_it() { cmake --build "$build" -j "$jobs" >"$1" 2>&1; }
# Runs the suite; prints the names of the tests that failed, one a line.
run_suite() {
  local log=$1
  if (cd "$build" && ctest -j "$jobs" -E "$exclude" --timeout 600 --output-on-failure) >"$log" 2>&1; then
    return 0
  fi
  sed -n '/The following tests FAILED:/,$p' "$log" | sed -n 's/^[[:space:]]*[0-9]* - \(.*\) (.*)$/\1/p'
  return 1
}

echo "mutants: ${#files[@]} mutations from $list; copy and build in $work" >&2
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >"$logs/configure.log" 2>&1 ||
  { cat "$logs/configure.log" >&2; exit 2; }
build_it "$logs/baseline.build.log" || { tail -30 "$logs/baseline.build.log" >&2; echo "mutants: the unmutated sources do not build" >&2; exit 2; }
if ! failed=$(run_suite "$logs/baseline.test.log"); then
  echo "mutants: the suite fails before any mutation; fix that first. Failed tests:" >&2
  echo "$failed" >&2
  exit 2
fi

killed=0 survived=0 unbuilt=0
results=()
for i in "${!files[@]}"; do
  k=$((i + 1))
  file=${files[i]}
  path="$src/$file"
  before=$(read_exact "$path")
  printf '%s' "${before/"${originals[i]}"/"${replacements[i]}"}" >"$path"
  if ! build_it "$logs/$k.build.log"; then
    status="NOT BUILT" detail="the mutant does not compile: fix the list entry"
    grep -m 5 'error' "$logs/$k.build.log" >&2 || true
    unbuilt=$((unbuilt + 1))
  elif failed=$(run_suite "$logs/$k.test.log"); then
    status="SURVIVED" detail="the suite passed"
    survived=$((survived + 1))
  else
    count=$(grep -c . <<<"$failed" || true)
    status="killed" detail="by $count test(s): $(head -3 <<<"$failed" | paste -sd ';' - | sed 's/;/; /g')"
    killed=$((killed + 1))
  fi
  # Written back after the build, so its time stamp is newer than the mutant's object file.
  printf '%s' "$before" >"$path"
  results+=("$(printf '%2d  %-9s  %-28s  %s (%s)' "$k" "$status" "$file" "${descriptions[i]}" "$detail")")
  echo "${results[-1]}" >&2
done

echo
echo " #  result     file                          mutation"
printf '%s\n' "${results[@]}"
echo
echo "mutants: ${#files[@]} run: $killed killed, $survived survived, $unbuilt not built"
((unbuilt == 0)) || exit 2
((survived == 0)) || exit 1
