#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (in their own build directory,
# warnings are errors as everywhere) and runs each for SECONDS.
#
#   tests/fuzz/run.sh [SECONDS] [TARGET...]   # default 60 s each, every target
#
# Targets: wire (frame_reader + wire_decode: every byte an agent sends),
# http (the collector's HTTP request heads, headers, queries), json (the
# API's strict JSON body reader), conf (YAML configs and profiles),
# modbus (register decoding, checked against a naive second decoder),
# snmptext (numbers inside SNMP strings), probehttp (the status line of
# any server an HTTP probe reaches, and probe URLs).
#
# New inputs go to build-fuzz/corpus-TARGET; the committed seeds in
# tests/fuzz/corpus/TARGET are read, never written. A crash is saved as
# build-fuzz/crash-TARGET-* and makes this script fail. The test command runs
# this briefly (tests/integration/fuzz_short.sh); for a longer run, e.g. one
# hour per target before a release: tests/fuzz/run.sh 3600
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(wire http json conf modbus snmptext probehttp)
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
build=${PANTAU_FUZZ_BUILD:-$root/build-fuzz}
command -v clang >/dev/null || { echo "SKIP: clang not installed"; exit 77; }
if [ ! -f "$build/build.ninja" ]; then
	CC=clang meson setup "$build" "$root" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debugoptimized >"$build.setup.log" 2>&1 \
		|| { cat "$build.setup.log"; exit 1; }
fi
if ! ninja -C "$build" $(printf 'tests/fuzz/fuzz_%s ' "${targets[@]}") >"$build.ninja.log" 2>&1; then
	grep -E 'error|FAILED' "$build.ninja.log" | head -20
	echo "fuzz: the clang build failed (log $build.ninja.log)"
	exit 1
fi
status=0
for t in "${targets[@]}"; do
	mkdir -p "$build/corpus-$t"
	log="$build/fuzz-$t.log"
	if (cd "$build" && "./tests/fuzz/fuzz_$t" -max_total_time="$seconds" -max_len=65536 \
		-timeout=10 -rss_limit_mb=2048 -artifact_prefix="$build/crash-$t-" \
		"$build/corpus-$t" "$root/tests/fuzz/corpus/$t") >"$log" 2>&1; then
		echo "fuzz $t: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)s"
	else
		echo "fuzz $t: FAILED (log $log)"
		grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -10
		status=1
	fi
done
exit $status
