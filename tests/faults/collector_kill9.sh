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

polled=$(final_metric pantau_agent_samples_polled_total)
acked=$(final_metric pantau_agent_samples_acked_total)
evicted=$(awk '/^pantau_agent_samples_evicted_total\{/ {s += $2} END {print s + 0}' "$WORK/final-metrics.txt")
served=$(grep -vc '^close' "$WORK/served.txt")
stored=$(psql -qAt -c "select count(*) from pantau.samples")
echo "responder served $served polls; agent polled $polled samples, evicted $evicted; stored $stored"
[ "$polled" -gt 0 ] || fail "nothing polled"
[ "$evicted" = 0 ] || fail "$evicted samples evicted"
[ "$polled" = $((served * FIELDS_PER_POLL)) ] \
	|| fail "agent polled $polled samples, but the responder answered $served polls x $FIELDS_PER_POLL"
[ "$stored" = "$polled" ] || fail "stored $stored samples, polled $polled"
[ "$acked" -ge "$polled" ] || fail "acked $acked < polled $polled"
fault_check 0 0
grep -q "AddressSanitizer\|runtime error" "$WORK"/*.log* && fail "sanitizer report"
echo "PASS collector_kill9"
