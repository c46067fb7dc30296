#!/usr/bin/env bash
# Agent liveness makes availability unknown: a real agent probes a TCP port
# that listens (the collector's own HTTP port), so its server is up. The
# agent is stopped: once agent_grace (3 s) has passed, the server's open
# interval is unknown (cause 'agent lost: ...'), starting when the
# connection closed, not when the loss was noticed. The agent is started
# again: the unknown interval ends and the server is up again.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"

agent=$PANTAU_BUILD/agent/pantau-agent
collector=$PANTAU_BUILD/collector/pantau-collector
for b in "$agent" "$collector"; do [ -x "$b" ] || fail "missing $b"; done
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml missing"

pg_tmp_start "$WORK/pg"
agent_port=$(free_port)
http_port=$(free_port)
/usr/bin/python3 - "$PANTAU_ROOT/deploy/rules/tier2.yaml" "$WORK/rules.yaml" <<'PY'
import sys, yaml
pack = yaml.safe_load(open(sys.argv[1]))
pack["settings"].update(default_interval="1s", agent_grace="3s")
yaml.safe_dump(pack, open(sys.argv[2], "w"), sort_keys=False)
PY
pg_collector_config "$WORK/collector.yaml" "$agent_port" "$http_port" "$WORK/rules.yaml"
cat >"$WORK/agent.yaml" <<YAML
agent: { id: live-agent, site: test-site, interval: 3s }
spool: { dir: $WORK/spool }
collector: { address: 127.0.0.1:$agent_port, plaintext: true, batch_max_delay: 100ms }
devices:
  - { name: web-1, kind: server, probe: { tcp: [ "127.0.0.1:$http_port" ] } }
YAML

q() { psql -Atc "$1"; }
states() {
	q "select coalesce(string_agg(state || case when end_at is null then '(open)' else '' end, ' '
	   order by start_at), '') from report.availability where subject = 'web-1'"
}
expect_states() {
	wait_until 30 bash -c "[ \"\$(psql -Atc \"select coalesce(string_agg(state || case when end_at is null then '(open)' else '' end, ' '
		order by start_at), '') from report.availability where subject = 'web-1'\")\" = '$1' ]" \
		|| fail "web-1 intervals: '$(states)', want '$1'"
	echo "ok - web-1: $1"
}

proc_start collector "$collector" --config "$WORK/collector.yaml"
wait_until 30 curl -fsS "http://127.0.0.1:$http_port/health" || fail "collector /health did not answer"
proc_start agent "$agent" --config "$WORK/agent.yaml"
expect_states "up(open)"

proc_stop agent || fail "agent did not exit cleanly"
stopped=$(date +%s)
expect_states "up unknown(open)"
cause=$(q "select cause from report.availability where subject = 'web-1' and end_at is null")
case $cause in "agent lost: "*) echo "ok - cause: $cause" ;; *) fail "unknown cause '$cause'" ;; esac
# It starts when the connection closed (within 2 s of the stop), not after the 3 s grace.
started=$(q "select floor(extract(epoch from start_at))::bigint from report.availability
	where subject = 'web-1' and end_at is null")
[ $((started - stopped)) -le 1 ] && [ $((stopped - started)) -le 2 ] \
	|| fail "unknown starts at $started, agent stopped at $stopped"
echo "ok - unknown from the close ($started, stopped $stopped)"
grep -q "agent live-agent lost" "$WORK/collector.log" || fail "no 'lost' log line"

proc_start agent2 "$agent" --config "$WORK/agent.yaml"
expect_states "up unknown up(open)"
unknown_s=$(q "select duration_s from report.availability where subject = 'web-1' and state = 'unknown'")
[ "$unknown_s" -ge 3 ] || fail "unknown lasted $unknown_s s, less than the grace"
echo "ok - unknown lasted $unknown_s s"

proc_stop agent2 || fail "agent did not exit cleanly"
proc_stop collector || fail "collector did not exit cleanly"
grep -q "ERROR: AddressSanitizer\|runtime error" "$WORK"/agent*.log "$WORK"/collector.log \
	&& fail "sanitizer report"
echo "availability_unknown: all checks passed"
