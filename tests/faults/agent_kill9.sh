#!/usr/bin/env bash
# (a) The agent is killed with -9 six times mid-stream (3 devices polled
# every 100 ms, batches appended to the spool all the time) and restarted on
# the same spool. Afterwards every poll the responder answered is stored
# exactly once, except at most the last answer on a connection cut by a kill
# (it may have arrived after the agent died); none is stored twice; the
# restarted agent continued the same stream (one stream in pantau.batches)
# and recovery dropped nothing (no torn record: kill -9 leaves the page cache
# intact).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

fault_init
fault_collector_start
fault_agent_config 3 4
kills=6
for round in $(seq 1 $kills); do
	fault_agent_start
	sleep "$((RANDOM % 2)).$((RANDOM % 9 + 1))"
	proc_kill9 agent
	echo "round $round: agent killed with -9 after $(wc -l <"$WORK/served.txt") answers"
done
fault_agent_start
sleep 1
fault_drain

streams=$(psql -qAt -c "select count(distinct stream) from pantau.batches where agent_id = 'fault-agent'")
[ "$streams" = 1 ] || fail "the agent used $streams streams across restarts"
corrupt=$(cat "$WORK"/agent*.log* | grep -c "dropped at recovery" || true)
[ "$corrupt" = 0 ] || fail "recovery dropped records after kill -9"
evicted=$(final_evicted)
[ "$evicted" = 0 ] || fail "$evicted samples evicted"
fault_check 1 0
grep -q "AddressSanitizer\|runtime error" "$WORK"/*.log* && fail "sanitizer report"
echo "PASS agent_kill9"
