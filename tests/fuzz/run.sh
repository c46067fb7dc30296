#!/usr/bin/env bash
# Builds the libFuzzer driver for frame_reader + wire_decode with clang (in
# its own build directory) and runs it.
#
#   tests/fuzz/run.sh [SECONDS]     # default 60
#
# New inputs go to build-fuzz/corpus-wire; the committed seeds in
# tests/fuzz/corpus/wire are read, never written. Crashes are saved as
# build-fuzz/crash-* and make this script fail. Warnings are not errors
# here: clang warns about things gcc (the warning-free build) does not.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
build=${PANTAU_FUZZ_BUILD:-$root/build-fuzz}
command -v clang >/dev/null || { echo "SKIP: clang not installed"; exit 77; }
if [ ! -f "$build/build.ninja" ]; then
    CC=clang meson setup "$build" "$root" -Dfuzz=true -Db_sanitize=address,undefined \
        -Db_lundef=false -Dbuildtype=debugoptimized -Dwerror=false >/dev/null
fi
ninja -C "$build" collector/fuzz_wire
mkdir -p "$build/corpus-wire"
cd "$build"
./collector/fuzz_wire -max_total_time="$seconds" -max_len=65536 -artifact_prefix="$build/" \
    "$build/corpus-wire" "$root/tests/fuzz/corpus/wire"
