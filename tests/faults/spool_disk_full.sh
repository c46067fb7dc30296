#!/usr/bin/env bash
# (c) The spool sits on a 1 MiB tmpfs and the collector is away, so the disk
# fills: the agent must keep running, evict its oldest segments, count every
# evicted sample (reason disk_full) and say so in its log. Once the
# collector is up, stored + evicted == polled, where polled is the
# responder's own count of answers x values per poll (and the agent's
# counter agrees), and no sample is stored twice.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
fault_init
mkdir -p "$WORK/spool"
mount -t tmpfs -o size=1m tmpfs "$WORK/spool" || skip "cannot mount a tmpfs"
FAULT_CLEANUPS+=("umount '$WORK/spool'")

fault_agent_config 8 100
fault_agent_start
full() {
	local e
	e=$(agent_metric 'pantau_agent_samples_evicted_total{reason="disk_full"}') || return 1
	[ "${e:-0}" -gt 20000 ]
}
wait_until 120 full || fail "no disk_full eviction within 120 s ($(agent_metric 'pantau_agent_samples_evicted_total{reason="disk_full"}'))"
df -k "$WORK/spool" | tail -1
kill -0 "$(proc_pid agent)" || fail "the agent died on a full disk"
grep -q "samples evicted (disk_full)" "$WORK/agent.log" || fail "eviction not logged"

proc_stop responder || true
sleep 0.5
fault_collector_start
fault_drain

fault_check_totals
disk=$(final_metric 'pantau_agent_samples_evicted_total{reason="disk_full"}')
echo "evicted for a full disk: $disk"
[ "$disk" -gt 0 ] || fail "nothing evicted for a full disk"
fault_check 0 $((EVICTED / FIELDS_PER_POLL))
# The collector was told: report.agent_losses holds the agent's total.
reported=$(psql -qAt -c "select samples from report.agent_losses
                         where agent = 'fault-agent' and reason = 'disk_full'")
[ "$reported" = "$disk" ] || fail "report.agent_losses says '$reported' samples lost to a full disk, the agent $disk"
grep -q "reports $disk samples lost" "$WORK/collector.log" || fail "the collector did not log the loss"

grep -q "AddressSanitizer\|runtime error" "$WORK"/*.log* && fail "sanitizer report"
echo "PASS spool_disk_full"
