#!/usr/bin/env bash
# Makes the pictures of docs/tutorials/ again: runs every `$ mlp ...` command of each page's
# ```console blocks, in order, as tests/test_tutorials.cpp reads them (a trailing `\` continues a
# command), so the files a page's plot commands write to docs/tutorials/img/ land there.
#
#   scripts/tutorial-pictures.sh                      # every page, with build/mlp
#   scripts/tutorial-pictures.sh 02-dying-relu.md     # some pages
#   MLP=/path/to/mlp scripts/tutorial-pictures.sh     # another build
#
# The commands run in a scratch directory laid out like the repository root (datasets/ and
# docs/tutorials/img/ are links to the real ones), so the models, histories and diagnostics they
# write along the way do not litter the tree. A command may fail only where its page shows it
# failing (an `mlp: error:` line); checking the numbers is the test's job, not this script's.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mlp=${MLP:-$root/build/mlp}
[[ -x $mlp ]] || { echo "$mlp not found: build first (scripts/build.sh), or set MLP" >&2; exit 1; }
mlp=$(cd "$(dirname "$mlp")" && pwd)/$(basename "$mlp")

pages=("$@")
if [[ ${#pages[@]} -eq 0 ]]; then
  for p in "$root"/docs/tutorials/[0-9][0-9]-*.md; do pages+=("$(basename "$p")"); done
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$root/docs/tutorials/img" "$scratch/docs/tutorials"
ln -s "$root/datasets" "$scratch/datasets"
ln -s "$root/docs/tutorials/img" "$scratch/docs/tutorials/img"

# One line per command of a page: "ok|fails<TAB>arguments after `mlp`". "fails" when the output
# the page shows for it has an `mlp: error:` line.
commands() {
  awk '
    function flush() { if (cmd != "") print (fails ? "fails" : "ok") "\t" cmd; cmd = ""; fails = 0 }
    /^[ \t]*```/ { if (in_block) { flush(); in_block = 0 } else if ($0 ~ /^[ \t]*```console[ \t]*$/) in_block = 1; next }
    !in_block { next }
    cont { line = $0; sub(/^[ \t]+/, "", line); cmd = cmd " " line; cont = sub(/[ \t]*\\$/, "", cmd); next }
    /^[ \t]*\$ / { flush(); line = $0; sub(/^[ \t]*\$ /, "", line); cmd = line; cont = sub(/[ \t]*\\$/, "", cmd); next }
    /^[ \t]*mlp: error:/ { fails = 1 }
    END { flush() }
  ' "$1"
}

status=0
for page in "${pages[@]}"; do
  file=$root/docs/tutorials/$(basename "$page")
  [[ -f $file ]] || { echo "$file: no such page" >&2; status=1; continue; }
  echo "== docs/tutorials/$(basename "$file")"
  while IFS=$'\t' read -r expect cmd; do
    [[ $cmd == "mlp "* ]] || { echo "  not an mlp command, skipped: $cmd" >&2; status=1; continue; }
    if (cd "$scratch" && eval "\"\$mlp\" ${cmd#mlp }") >"$scratch/out" 2>&1; then ok=ok; else ok=fails; fi
    if [[ $ok != "$expect" ]]; then
      echo "  $cmd: expected it to be $expect, it $( [[ $ok == ok ]] && echo succeeded || echo failed ):" >&2
      sed 's/^/    /' "$scratch/out" | tail -5 >&2
      status=1
    elif [[ $cmd == *.svg* ]]; then  # the commands that drew something
      echo "  $cmd"
    fi
  done < <(commands "$file")
done
ls -l "$root/docs/tutorials/img"/*.svg 2>/dev/null | awk '{print "  " $NF ": " $5 " bytes"}'
exit $status
