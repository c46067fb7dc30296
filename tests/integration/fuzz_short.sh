#!/usr/bin/env bash
# A short libFuzzer run of every target (20 s each) inside the test command,
# on top of the committed corpus that the unit suite replays. Finds nothing
# new most days; it exists so a parser change that crashes on mutated input
# fails the build here rather than in a long run later.
set -euo pipefail
. "$(dirname "$0")/../lib/proc.sh"
PANTAU_FUZZ_BUILD=${PANTAU_FUZZ_BUILD:-$PANTAU_ROOT/build-fuzz} \
	bash "$PANTAU_ROOT/tests/fuzz/run.sh" "${PANTAU_FUZZ_SECONDS:-20}"
echo "ok 1 - every fuzz target ran without a crash"
