#!/usr/bin/env bash
# Alerts end to end with real processes: pantau-sim-modbus (an EMS sensor and
# a UPS whose output source is a holding register) -> pantau-agent ->
# pantau-collector with the shipped Tier-2 rule pack -> a temporary
# PostgreSQL. Values change at runtime through Modbus writes to the
# simulator's holding registers.
#
#   1. a temperature oscillating inside the hysteresis band fires once and
#      resolves once it drops below the clear threshold;
#   2. the UPS switching to battery fires one alert, on the first sample
#      that shows battery (so within two poll intervals), never repeated;
#   3. a collector restart neither loses nor repeats the open alert, and
#      its resolution is stored once;
#   4. a stopped agent yields one agent alert and its open alerts turn
#      unknown, with no device-unreachable alerts;
#   5. an agent that never reconnects after a collector restart is judged
#      lost (agent_unreachable) all the same.
# Between 2 and 3, pantauctl ack acknowledges the UPS alert (who, comment);
# it stays acknowledged while it fires and across the restart.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"
source "$PANTAU_ROOT/tests/lib/alerts.sh"
alerts_init modbus

# The shipped pack, with test timings: 1 s polls, a 3 s agent grace, and no
# 5-minute wait on the inlet temperature rule.
alerts_rules <<'PY'
pack["settings"].update(default_interval="1s", agent_grace="3s", agent_silent_intervals=5)
for r in pack["rules"]:
    if r["name"] == "inlet_temperature_high":
        r["for"] = "0s"
PY

pg_collector_config "$WORK/collector.yaml" "$agent_port" "$http_port" "$WORK/rules.yaml"
# Holding 300: temperature in 0.1 C; holding 301: UPS output source (UPS-MIB codes).
cat >"$WORK/seed" <<'SEED'
holding 300 int16 240
holding 301 uint16 3
SEED
alerts_agent_config alerts-agent <<YAML
  - name: ems-room1
    kind: ems
    modbus:
      address: 127.0.0.1:$modbus_port
      unit: 1
      fields:
        - { metric: ems.temperature, unit: celsius, table: holding, address: 300, type: int16, scale: 0.1 }
$(alerts_ups_device "3: normal, 4: bypass, 5: battery")
YAML

latest() {
	q "select value from report.samples where device = '$1' and metric = '$2' order by ts desc limit 1"
}
# Sets a register and waits until the collector has stored a sample showing it.
drive() {
	local dev=$1 metric=$2 reg=$3 raw=$4 want=$5
	set_reg "$reg" "$raw"
	wait_until 20 bash -c "[ \"\$(psql -Atc \"select abs(value - ($want)) < 1e-6 from report.samples
		where device = '$dev' and metric = '$metric' order by ts desc limit 1\")\" = t ]" \
		|| fail "$dev $metric never showed $want (latest $(latest "$dev" "$metric"))"
	# One more poll after it, so the evaluation of that sample is behind us.
	local n
	n=$(q "select count(*) from report.samples where device = '$dev' and metric = '$metric'")
	wait_until 20 bash -c "[ \$(psql -Atc \"select count(*) from report.samples
		where device = '$dev' and metric = '$metric'\") -gt $n ]" || fail "polling stopped"
}
events() { # rule to_state
	q "select count(*) from pantau.alert_events e join pantau.alerts a on a.id = e.alert_id
	   where a.rule = '$1' and e.to_state = '$2'"
}
state_of() { q "select string_agg(state, ',' order by id) from pantau.alerts where rule = '$1'"; }

"$collector" --config "$WORK/collector.yaml" --check >/dev/null || fail "collector --check refused the rules"
# A broken rules file stops --check with its file and line.
printf 'rules:\n  - { name: hot, metric: ems.temperature, above: 27, clear_below: 28 }\n' >"$WORK/bad.yaml"
sed "s|rules: $WORK/rules.yaml|rules: bad.yaml|" "$WORK/collector.yaml" >"$WORK/bad-collector.yaml"
rc=0
"$collector" --config "$WORK/bad-collector.yaml" --check >"$WORK/check.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--check with a bad rules file exited $rc"
grep -qF "[$WORK/bad.yaml:2] rule hot: clear_below 28 is above the fire threshold 27" "$WORK/check.out" \
	|| fail "--check said: $(cat "$WORK/check.out")"
alerts_sim_start sim "$modbus_port" --seed "$WORK/seed"
alerts_start

# ---- 1. hysteresis: fire above 27, clear below 26 ----
drive ems-room1 ems.temperature 300 265 26.5
for raw in 275 265 272 261 279 264 271; do
	drive ems-room1 ems.temperature 300 "$raw" "$raw / 10.0"
done
[ "$(events inlet_temperature_high firing)" = 1 ] \
	|| fail "oscillating inside the band: $(events inlet_temperature_high firing) firings, want 1"
[ "$(state_of inlet_temperature_high)" = firing ] || fail "inlet alert: $(state_of inlet_temperature_high)"
drive ems-room1 ems.temperature 300 255 25.5
[ "$(events inlet_temperature_high resolved)" = 1 ] || fail "inlet alert did not resolve once"
[ "$(events inlet_temperature_high firing)" = 1 ] || fail "inlet alert fired again"
echo "hysteresis ok: one firing, one resolution"

# ---- 2. UPS on battery ----
set_reg 301 5
wait_until 20 bash -c "[ \"\$(psql -Atc \"select state from pantau.alerts where rule = 'ups_on_battery'\")\" = firing ]" \
	|| fail "no ups_on_battery alert"
first=$(q "select min(ts) from report.samples where device = 'ups-a' and metric = 'ups.output.source' and value = 5")
started=$(q "select started_at from pantau.alerts where rule = 'ups_on_battery'")
[ "$first" = "$started" ] || fail "alert started at $started, the first battery sample was at $first"
summary=$(q "select summary from pantau.alerts where rule = 'ups_on_battery'")
[ "$summary" = "ups-a: UPS on battery (battery)" ] || fail "summary: $summary"
drive ups-a ups.output.source 301 5 5
drive ups-a ups.output.source 301 5 5
[ "$(events ups_on_battery firing)" = 1 ] || fail "ups_on_battery fired $(events ups_on_battery firing) times"
echo "on battery ok: fired on the first battery sample ($first), once"

# ---- 2b. acknowledgement (pantauctl ack): who, when, comment; it sticks ----
ctl=$PANTAU_BUILD/collector/ctl/pantauctl
export PANTAU_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
id=$(q "select id from pantau.alerts where rule = 'ups_on_battery'")
"$ctl" ack "$id" --by "tier1-andi" --comment "genset starting, PLN notified" >"$WORK/ack.out" \
	|| fail "pantauctl ack: $(cat "$WORK/ack.out")"
rc=0; "$ctl" ack 999999 --by x >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "acknowledging a missing alert exited $rc"
[ "$(state_of ups_on_battery)" = acknowledged ] || fail "after ack: $(state_of ups_on_battery)"
[ "$(q "select acked_by || '|' || ack_comment from pantau.alerts where id = $id")" = "tier1-andi|genset starting, PLN notified" ] \
	|| fail "ack not recorded"
"$ctl" alerts >"$WORK/list.out" || fail "pantauctl alerts failed"
grep -q "acknowledged.*ups-a: UPS on battery (battery) \[ack: tier1-andi\]" "$WORK/list.out" \
	|| fail "pantauctl alerts: $(cat "$WORK/list.out")"
drive ups-a ups.output.source 301 5 5
[ "$(state_of ups_on_battery)" = acknowledged ] || fail "a new sample undid the ack"
echo "ack ok: acknowledged by tier1-andi, kept while it fires"

# ---- 3. collector restart ----
proc_stop collector || fail "collector did not stop cleanly"
proc_start collector "$collector" --config "$WORK/collector.yaml"
wait_until 30 curl -fsS "http://127.0.0.1:$http_port/health" || fail "collector did not come back"
grep -q "open alerts restored" "$WORK/collector.log" || fail "collector did not say it restored alerts"
drive ups-a ups.output.source 301 5 5
drive ups-a ups.output.source 301 5 5
[ "$(events ups_on_battery firing)" = 1 ] || fail "restart repeated the alert"
[ "$(state_of ups_on_battery)" = acknowledged ] || fail "after restart: $(state_of ups_on_battery)"
drive ups-a ups.output.source 301 3 3
[ "$(state_of ups_on_battery)" = resolved ] || fail "not resolved: $(state_of ups_on_battery)"
[ "$(events ups_on_battery resolved)" = 1 ] || fail "resolution stored $(events ups_on_battery resolved) times"
"$ctl" alerts --all --json --rule ups_on_battery | /usr/bin/python3 -c '
import json, sys
rows = [json.loads(l) for l in sys.stdin]
assert len(rows) == 1 and rows[0]["state"] == "resolved" and rows[0]["acked_by"] == "tier1-andi", rows
' || fail "pantauctl alerts --json"
echo "restart ok: the open alert survived, was not repeated, resolved once"

# ---- 4. a stopped agent: unknown, not down ----
set_reg 301 5
wait_until 20 bash -c "[ \"\$(psql -Atc \"select count(*) from pantau.alerts where rule = 'ups_on_battery' and state = 'firing'\")\" = 1 ]" \
	|| fail "no second ups_on_battery alert"
proc_stop agent || fail "agent did not stop cleanly"
wait_until 30 bash -c "[ \"\$(psql -Atc \"select state from pantau.alerts where rule = 'agent_unreachable'\")\" = firing ]" \
	|| fail "no agent_unreachable alert"
wait_until 10 bash -c "[ \"\$(psql -Atc \"select state from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null\")\" = unknown ]" \
	|| fail "open UPS alert is $(q "select state from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null")"
sleep 3 # a few more ticks: nothing else may appear
down=$(q "select count(*) from pantau.alerts where rule = 'device_unreachable'")
[ "$down" = 0 ] || fail "$down device_unreachable alerts for a stopped agent"
total=$(q "select count(*) from pantau.alerts where resolved_at is null")
[ "$total" = 2 ] || fail "$total open alerts, want 2: $(q "select string_agg(rule || ':' || state, ' ') from pantau.alerts where resolved_at is null")"
echo "stopped agent ok: one agent alert, the UPS alert unknown, no device alerts"

# The agent comes back: its alert resolves, the UPS alert fires again from data.
proc_start agent "$agent" --config "$WORK/agent.yaml"
wait_until 30 bash -c "[ \"\$(psql -Atc \"select state from pantau.alerts where rule = 'agent_unreachable'\")\" = resolved ]" \
	|| fail "agent_unreachable did not resolve"
wait_until 30 bash -c "[ \"\$(psql -Atc \"select state from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null\")\" = firing ]" \
	|| fail "UPS alert did not return to firing"

# ---- 5. the collector restarts and the agent never comes back ----
# The agent delivered data minutes ago, so the new collector expects it:
# after agent_grace (3 s) without a connection it is judged lost.
proc_stop collector || fail "collector did not stop cleanly"
proc_stop agent || fail "agent did not stop cleanly"
proc_start collector "$collector" --config "$WORK/collector.yaml"
wait_until 30 curl -fsS "http://127.0.0.1:$http_port/health" || fail "collector did not come back"
wait_until 30 bash -c "[ \"\$(psql -Atc \"select count(*) from pantau.alerts where rule = 'agent_unreachable' and state = 'firing'\")\" = 1 ]" \
	|| fail "an agent that never reconnected raised no agent_unreachable: $(q "select string_agg(rule || ':' || state, ' ') from pantau.alerts")"
echo "restart without the agent ok: agent_unreachable fired for the agent that stayed away"

[ "$(q "select count(*) from report.alerts")" -ge 3 ] || fail "report.alerts is short"
alerts_stop
echo "alerts scenarios ok"
