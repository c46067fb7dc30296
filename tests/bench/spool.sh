#!/usr/bin/env bash
# Spool benchmark: bytes per sample in the agent's spool, days of a 200
# values/s site per GiB, and the append rate with fsync never, 1s and
# always. Prints figures; asserts nothing about timing.
#
#   PANTAU_BUILD=build tests/bench/spool.sh [SECONDS_OF_DATA]   (default one day)
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${PANTAU_BUILD:-$root/build}
case "$build" in /*) ;; *) build=$root/$build ;; esac
bench=$build/agent/bench_spool
[ -x "$bench" ] || { echo "missing $bench (build first)"; exit 1; }
seconds=${1:-86400}
for fs in never 1s always; do
	dir=$(mktemp -d /var/tmp/pantau-bench-spool.XXXXXX)
	# fsync: always costs one fdatasync per batch: a tenth of the data is enough.
	s=$seconds
	[ "$fs" = always ] && s=$((seconds / 10))
	ASAN_OPTIONS=detect_leaks=0 "$bench" "$dir" "$s" "$fs" | grep -v spool_dir=
	rm -rf "$dir"
done
