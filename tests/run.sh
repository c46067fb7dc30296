#!/usr/bin/env bash
# pantau's one test command: installs what is missing, builds with ASan and
# UBSan (warnings are errors), runs every unit test (TAP) and every
# integration script, and ends with the line "N passed, N failed".
#
#   tests/run.sh                 everything
#   tests/run.sh unit            unit tests only
#   tests/run.sh integration [NAME...]   integration scripts (all, or the named ones)
#   tests/run.sh faults [NAME...]        fault scripts in tests/faults (kill -9, full disk)
#
# Environment: PANTAU_BUILD (build dir, default build-test), PANTAU_TEST_TIMEOUT
# (seconds per integration script, default 300).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
what=${1:-all}
shift || true

bash deploy/install-deps.sh || { echo "tests/run.sh: cannot install dependencies"; echo "0 passed, 1 failed"; exit 1; }

build=${PANTAU_BUILD:-$root/build-test}
case "$build" in /*) ;; *) build=$root/$build ;; esac
export PANTAU_BUILD=$build
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" -Db_sanitize=address,undefined -Db_lundef=false \
		--buildtype=debugoptimized >"$build.setup.log" 2>&1 \
		|| { cat "$build.setup.log"; echo "0 passed, 1 failed"; exit 1; }
fi
if ! ninja -C "$build" >"$build.ninja.log" 2>&1; then
	grep -E "error|FAILED" "$build.ninja.log" | head -40
	echo "build failed (full log: $build.ninja.log)"
	echo "0 passed, 1 failed"
	exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:exitcode=86:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1:exitcode=87}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}

passed=0
failed=0
skipped=0
failures=()

run_unit() {
	local list
	list=$(meson introspect --tests "$build" | /usr/bin/python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if "unit" in t["suite"] or any(s.endswith(":unit") for s in t["suite"]):
        print(t["name"] + "\t" + " ".join(t["cmd"]))
')
	while IFS=$'\t' read -r name cmd; do
		[ -n "$name" ] || continue
		local out rc
		out=$(cd "$build" && timeout 120 $cmd 2>&1)
		rc=$?
		local ok notok
		ok=$(grep -c '^ok ' <<<"$out")
		notok=$(grep -c '^not ok ' <<<"$out")
		passed=$((passed + ok))
		failed=$((failed + notok))
		if [ "$notok" -gt 0 ] || [ "$rc" -ne 0 ]; then
			echo "--- unit $name (exit $rc)"
			grep -v '^ok ' <<<"$out" | tail -40
			[ "$notok" -gt 0 ] || { failed=$((failed + 1)); }
			failures+=("unit:$name")
		fi
	done <<<"$list"
	echo "unit: $passed passed, $failed failed"
}

run_integration() {
	local dir=${SCRIPT_DIR:-tests/integration}
	local scripts=()
	if [ $# -gt 0 ]; then
		for n in "$@"; do scripts+=("$dir/${n%.sh}.sh"); done
	else
		scripts=("$dir"/*.sh)
	fi
	local limit=${PANTAU_TEST_TIMEOUT:-300}
	for s in "${scripts[@]}"; do
		[ -f "$s" ] || continue
		[ "$(basename "$s")" != lib.sh ] || continue
		local name log rc start
		name=$(basename "$s" .sh)
		log=$build/integration-$name.log
		start=$(date +%s)
		timeout --kill-after=10 "$limit" bash "$s" >"$log" 2>&1
		rc=$?
		case $rc in
		0) passed=$((passed + 1)); echo "PASS $name ($(($(date +%s) - start)) s)" ;;
		77) skipped=$((skipped + 1)); echo "SKIP $name: $(tail -1 "$log")" ;;
		*)
			failed=$((failed + 1))
			failures+=("integration:$name")
			echo "FAIL $name (exit $rc; log $log)"
			tail -30 "$log" | sed 's/^/    /'
			;;
		esac
	done
}

case $what in
all) run_unit; run_integration; SCRIPT_DIR=tests/faults run_integration ;;
unit) run_unit ;;
integration) run_integration "$@" ;;
faults) SCRIPT_DIR=tests/faults run_integration "$@" ;;
*) echo "usage: tests/run.sh [all|unit|integration [NAME...]|faults [NAME...]]"; exit 2 ;;
esac

[ ${#failures[@]} -eq 0 ] || printf 'failed: %s\n' "${failures[@]}"
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
