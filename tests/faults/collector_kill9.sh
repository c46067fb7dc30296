#!/usr/bin/env bash
# (b) The collector is killed with -9 five times while an agent streams 3
# devices polled every 100 ms; each time it comes back after a pause. The
# agent never stops, so every poll the responder answered must be stored
# exactly once: stored == polled (by the responder's own log and by the
# agent's counter), nothing evicted, no (series, ts) twice.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

fault_init
fault_collector_start
fault_agent_config 3 4
fault_agent_start

for round in 1 2 3 4 5; do
	sleep "0.$((RANDOM % 9 + 1))"
	proc_kill9 collector
	echo "round $round: collector killed with -9"
	sleep "1.$((RANDOM % 9))"
	fault_collector_start
done
sleep 2
fault_drain

fault_check_totals
acked=$(final_metric pantau_agent_samples_acked_total)
[ "$EVICTED" = 0 ] || fail "$EVICTED samples evicted"
[ "$acked" -ge "$POLLED" ] || fail "acked $acked < polled $POLLED"
fault_check 0 0
grep -q "AddressSanitizer\|runtime error" "$WORK"/*.log* && fail "sanitizer report"
echo "PASS collector_kill9"
