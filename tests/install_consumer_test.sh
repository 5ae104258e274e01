#!/usr/bin/env bash
# mlp as another C++ project uses it (README, "Using mlp from your own C++ project"):
#   1. cmake --install of this build into a temporary prefix; examples/ configured out of tree
#      against it with find_package(mlp), built, and first_network must learn XOR.
#   2. a project that add_subdirectory()s the source tree gets mlp::engine/io/mlp and no tests,
#      benchmarks, app or examples of mlp's; built with SUBDIR_BUILD=1 (slower: compiles the engine).
# Usage: install_consumer_test.sh BUILD_DIR SOURCE_DIR CMAKE CTEST CONFIG CXX_COMPILER GENERATOR
set -euo pipefail
build=$1 src=$2 cmake=$3 ctest=$4 config=$5 cxx=$6 generator=$7
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlp-install-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
fail() { echo "FAIL: $*" >&2; exit 1; }
configure() {  # same compiler, generator and build type as the build under test
  "$cmake" -G "$generator" -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_BUILD_TYPE="$config" "$@"
}
executable() {  # $1/NAME or, with a multi-config generator, $1/CONFIG/NAME
  if [ -x "$1/$2" ]; then echo "$1/$2"; else echo "$1/$config/$2"; fi
}

echo "== 1. install into $prefix, then find_package(mlp) from examples/"
"$cmake" --install "$build" --prefix "$prefix" --config "$config" >"$tmp/install.log" ||
  { cat "$tmp/install.log"; fail "cmake --install $build"; }
for f in include/mlp/network.hpp include/mlp/types.hpp include/mlp/io/model.hpp bin/mlp; do
  [ -f "$prefix/$f" ] || fail "$f is not installed"
done
cmake_dir=$(dirname "$(find "$prefix" -name mlpConfig.cmake | head -1)")
[ -f "$cmake_dir/mlpConfig.cmake" ] || fail "no mlpConfig.cmake under $prefix"
for f in mlpConfigVersion.cmake mlpTargets.cmake; do
  [ -f "$cmake_dir/$f" ] || fail "$cmake_dir/$f is not installed"
done
for lib in mlp_engine_base mlp_engine mlp_io; do
  find "$prefix" -name "*$lib.*" | grep -q . || fail "library $lib is not installed"
done
# src/ holds private headers (src/fast/, src/io/huge_buffer.hpp): none of them is API.
private=$(cd "$src/src" && find . -name '*.hpp' -exec basename {} \;)
for h in $private; do
  if find "$prefix/include" -name "$h" | grep -q .; then fail "private header $h was installed"; fi
done

configure -S "$src/examples" -B "$tmp/examples" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$tmp/configure.log" 2>&1 ||
  { cat "$tmp/configure.log"; fail "configuring examples/ against $prefix"; }
grep -q "^mlp_DIR:PATH=$cmake_dir\$" "$tmp/examples/CMakeCache.txt" ||
  fail "find_package(mlp) did not use the installed package: $(grep '^mlp_DIR' "$tmp/examples/CMakeCache.txt")"
"$cmake" --build "$tmp/examples" --config "$config" --parallel 2 >"$tmp/build.log" 2>&1 ||
  { cat "$tmp/build.log"; fail "building examples/ against $prefix"; }
# The example must compile against the installed headers, with the flags Eigen's ABI depends on.
commands=$tmp/examples/compile_commands.json
if [ -f "$commands" ]; then
  grep -q -- "$prefix/include" "$commands" || fail "first_network.cpp does not use $prefix/include"
  if grep -q -- "$src/include" "$commands"; then fail "first_network.cpp uses the source tree's headers"; fi
  grep -q -- "-DEIGEN_STACK_ALLOCATION_LIMIT=1048576" "$commands" ||
    fail "EIGEN_STACK_ALLOCATION_LIMIT did not reach the consumer"
  if grep -q -- "-march=native" "$cmake_dir/mlpTargets.cmake"; then
    grep -q -- "-march=native" "$commands" || fail "-march=native did not reach the consumer"
  fi
fi
out=$("$(executable "$tmp/examples" first_network)") || fail "first_network exited with status $?"
echo "$out" | tail -1
echo "$out" | grep -q "XOR accuracy: 4/4" || fail "first_network built against the installed mlp did not learn XOR"

echo "== 2. add_subdirectory(mlp) from another project"
mkdir "$tmp/consumer"
cat >"$tmp/consumer/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.16)
project(consumer LANGUAGES CXX)
enable_testing()
add_subdirectory(${MLP_SOURCE_DIR} mlp)
foreach(t mlp::engine mlp::io mlp::mlp)
  if(NOT TARGET ${t})
    message(FATAL_ERROR "add_subdirectory(mlp) does not define ${t}")
  endif()
endforeach()
# Every target mlp's directories created: only libraries (no tests, benchmarks, app, examples).
set(dirs ${MLP_SOURCE_DIR})
set(executables "")
while(dirs)
  list(POP_FRONT dirs dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  list(APPEND dirs ${subdirs})
  message(STATUS "mlp targets in ${dir}: ${targets}")
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    if(type STREQUAL "EXECUTABLE")
      list(APPEND executables ${t})
    endif()
  endforeach()
endwhile()
if(executables)
  message(FATAL_ERROR "add_subdirectory(mlp) created executables: ${executables}")
endif()
add_executable(app ${MLP_SOURCE_DIR}/examples/first_network.cpp)
target_link_libraries(app PRIVATE mlp::engine)
EOF
configure -S "$tmp/consumer" -B "$tmp/consumer/build" -DMLP_SOURCE_DIR="$src" >"$tmp/sub.log" 2>&1 ||
  { cat "$tmp/sub.log"; fail "configuring a project that does add_subdirectory(mlp)"; }
grep "mlp targets in" "$tmp/sub.log"
tests=$(cd "$tmp/consumer/build" && "$ctest" -N -C "$config" | grep "Total Tests")
[ "$tests" = "Total Tests: 0" ] || fail "add_subdirectory(mlp) registered ctest tests ($tests)"
if [ "${SUBDIR_BUILD:-0}" = 1 ]; then
  "$cmake" --build "$tmp/consumer/build" --config "$config" --target app --parallel 2 >"$tmp/sub-build.log" 2>&1 ||
    { cat "$tmp/sub-build.log"; fail "building a project that does add_subdirectory(mlp)"; }
  "$(executable "$tmp/consumer/build" app)" | grep -q "XOR accuracy: 4/4" ||
    fail "first_network built with add_subdirectory(mlp) did not learn XOR"
fi
echo "PASS"
