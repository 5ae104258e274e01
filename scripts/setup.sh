#!/usr/bin/env bash
# Installs what mlp needs to build and test, from Debian's packages, and nothing when all is
# present. Run as root (or with sudo available).
set -euo pipefail
# python3: tests/check_test_registration.sh reads ctest's list of tests (JSON) with it.
packages=(g++ cmake make libeigen3-dev libcli11-dev doctest-dev nlohmann-json3-dev python3)
packages+=("$@")  # extra packages a caller needs (e.g. the benchmark's)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi
echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
