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
source "$PANTAU_ROOT/tests/lib/alerts.sh"
alerts_init ups_a ups_b switch ems

alerts_rules <<'PY'
pack["settings"].update(default_interval="1s", agent_grace="3s")
pack["devices"] = [{"name": "ems-room1", "depends_on": "switch-core-1"}]
pack["groups"] = [{"name": "ups-room1", "devices": ["ups-a", "ups-b"], "min_up": 2}]
pack["rules"] = [r for r in pack["rules"] if r["name"] != "cooling_redundancy_lost"]
PY

pg_collector_config "$WORK/collector.yaml" "$agent_port" "$http_port" "$WORK/rules.yaml"
field='fields: [ { metric: ems.temperature, unit: celsius, table: input, address: 0, type: int16, scale: 0.1 } ]'
alerts_agent_config reach-agent <<YAML
  - { name: switch-core-1, kind: switch, modbus: { address: 127.0.0.1:$switch_port, unit: 1, $field } }
  - { name: ems-room1, kind: ems, modbus: { address: 127.0.0.1:$ems_port, unit: 1, $field } }
  - { name: ups-a, kind: ups, modbus: { address: 127.0.0.1:$ups_a_port, unit: 1, $field } }
  - { name: ups-b, kind: ups, modbus: { address: 127.0.0.1:$ups_b_port, unit: 1, $field } }
YAML

open_alerts() {
	q "select coalesce(string_agg(rule || ':' || device || ':' || state, ' ' order by rule, device), '')
	   from pantau.alerts where resolved_at is null"
}
expect_open() {
	wait_until 30 bash -c "[ \"\$(psql -Atc \"select coalesce(string_agg(rule || ':' || device || ':' || state, ' ' order by rule, device), '')
		from pantau.alerts where resolved_at is null\")\" = '$1' ]" \
		|| fail "open alerts: '$(open_alerts)', want '$1'"
}

"$collector" --config "$WORK/collector.yaml" --check >/dev/null || fail "collector --check refused the rules"
alerts_sim_start sim-ups-a "$ups_a_port"
alerts_start

expect_open "device_unreachable:ems-room1:suppressed device_unreachable:switch-core-1:firing device_unreachable:ups-b:firing ups_redundancy_lost:ups-room1:firing"
cause=$(q "select cause from pantau.alerts where device = 'ems-room1' and resolved_at is null")
[ "$cause" = "switch-core-1 is down" ] || fail "suppressed alert names '$cause' as cause"
echo "switch down: EMS suppressed behind it; UPS group lost redundancy"

alerts_sim_start sim-switch "$switch_port"
expect_open "device_unreachable:ems-room1:firing device_unreachable:ups-b:firing ups_redundancy_lost:ups-room1:firing"
echo "switch back: its alert resolved, the EMS fires on its own"

alerts_sim_start sim-ups-b "$ups_b_port"
alerts_sim_start sim-ems "$ems_port"
expect_open ""
[ "$(q "select count(*) from pantau.alert_events where to_state = 'firing' and alert_id in
        (select id from pantau.alerts where rule = 'ups_redundancy_lost')")" = 1 ] \
	|| fail "redundancy fired more than once"
echo "all back: nothing open"

alerts_stop
echo "alerts reachability ok"
