#!/usr/bin/env bash
# Device reachability with real processes: an agent polls a switch and an EMS
# behind it (Modbus ports where nothing listens yet) and two UPSes of an N+1
# group (one answering, one not), with the shipped Tier-2 pack.
#
#   - the unreachable switch fires device_unreachable; the EMS behind it is
#     suppressed with the switch named as the root cause;
#   - the UPS group down to one unit fires ups_redundancy_lost;
#   - when the switch answers, its alert resolves and the EMS (still down)
#     fires on its own; when the second UPS answers, redundancy resolves.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"

agent=$PANTAU_BUILD/agent/pantau-agent
collector=$PANTAU_BUILD/collector/pantau-collector
sim=$PANTAU_BUILD/tests/sim/pantau-sim-modbus
for b in "$agent" "$collector" "$sim"; do [ -x "$b" ] || fail "missing $b"; done
/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml missing"

pg_tmp_start "$WORK/pg"
ups_a_port=$(free_port)
ups_b_port=$(free_port)
switch_port=$(free_port)
ems_port=$(free_port)
agent_port=$(free_port)
http_port=$(free_port)

/usr/bin/python3 - "$PANTAU_ROOT/deploy/rules/tier2.yaml" "$WORK/rules.yaml" <<'PY'
import sys, yaml
pack = yaml.safe_load(open(sys.argv[1]))
pack["settings"].update(default_interval="1s", agent_grace="3s")
pack["devices"] = [{"name": "ems-room1", "depends_on": "switch-core-1"}]
pack["groups"] = [{"name": "ups-room1", "devices": ["ups-a", "ups-b"], "min_up": 2}]
pack["rules"] = [r for r in pack["rules"] if r["name"] != "cooling_redundancy_lost"]
yaml.safe_dump(pack, open(sys.argv[2], "w"), sort_keys=False)
PY

pg_collector_config "$WORK/collector.yaml" "$agent_port" "$http_port" "$WORK/rules.yaml"
field='fields: [ { metric: ems.temperature, unit: celsius, table: input, address: 0, type: int16, scale: 0.1 } ]'
cat >"$WORK/agent.yaml" <<YAML
agent:
  id: reach-agent
  site: test-site
  interval: 1s
spool:
  dir: $WORK/spool
collector:
  address: 127.0.0.1:$agent_port
  plaintext: true
  batch_max_delay: 100ms
devices:
  - { name: switch-core-1, kind: switch, modbus: { address: 127.0.0.1:$switch_port, unit: 1, $field } }
  - { name: ems-room1, kind: ems, modbus: { address: 127.0.0.1:$ems_port, unit: 1, $field } }
  - { name: ups-a, kind: ups, modbus: { address: 127.0.0.1:$ups_a_port, unit: 1, $field } }
  - { name: ups-b, kind: ups, modbus: { address: 127.0.0.1:$ups_b_port, unit: 1, $field } }
YAML

q() { psql -Atc "$1"; }
open_alerts() {
	q "select coalesce(string_agg(rule || ':' || device || ':' || state, ' ' order by rule, device), '')
	   from pantau.alerts where resolved_at is null"
}
expect_open() {
	wait_until 30 bash -c "[ \"\$(psql -Atc \"select coalesce(string_agg(rule || ':' || device || ':' || state, ' ' order by rule, device), '')
		from pantau.alerts where resolved_at is null\")\" = '$1' ]" \
		|| fail "open alerts: '$(open_alerts)', want '$1'"
}
start_sim() {
	"$sim" --port "$2" >"$WORK/sim-$1.log" 2>&1 &
	PROC_PIDS[sim-$1]=$!
	wait_until 10 bash -c "echo > /dev/tcp/127.0.0.1/$2" || fail "modbus slave $1 did not start"
}

"$collector" --config "$WORK/collector.yaml" --check >/dev/null || fail "collector --check refused the rules"
start_sim ups-a "$ups_a_port"
proc_start collector "$collector" --config "$WORK/collector.yaml"
wait_until 30 curl -fsS "http://127.0.0.1:$http_port/health" || fail "collector /health did not answer"
proc_start agent "$agent" --config "$WORK/agent.yaml"

expect_open "device_unreachable:ems-room1:suppressed device_unreachable:switch-core-1:firing device_unreachable:ups-b:firing ups_redundancy_lost:ups-room1:firing"
cause=$(q "select cause from pantau.alerts where device = 'ems-room1' and resolved_at is null")
[ "$cause" = "switch-core-1 is down" ] || fail "suppressed alert names '$cause' as cause"
echo "switch down: EMS suppressed behind it; UPS group lost redundancy"

start_sim switch "$switch_port"
expect_open "device_unreachable:ems-room1:firing device_unreachable:ups-b:firing ups_redundancy_lost:ups-room1:firing"
echo "switch back: its alert resolved, the EMS fires on its own"

start_sim ups-b "$ups_b_port"
start_sim ems "$ems_port"
expect_open ""
[ "$(q "select count(*) from pantau.alert_events where to_state = 'firing' and alert_id in
        (select id from pantau.alerts where rule = 'ups_redundancy_lost')")" = 1 ] \
	|| fail "redundancy fired more than once"
echo "all back: nothing open"

proc_stop agent || fail "agent did not exit cleanly"
proc_stop collector || fail "collector did not exit cleanly"
grep -q "ERROR: AddressSanitizer\|runtime error" "$WORK"/agent.log "$WORK"/collector.log \
	&& fail "sanitizer report"
echo "alerts reachability ok"
