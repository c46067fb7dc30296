#!/usr/bin/env bash
# End to end: snmpsimd (UPS) and the libmodbus slave (EMS) -> pantau-agent ->
# pantau-collector -> a temporary PostgreSQL. Checks that every value the agent
# reads (--once) arrives in report.samples with the same value, that a
# collector killed with -9 and restarted loses nothing the agent still holds
# and stores nothing twice, and that both daemons stop cleanly.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"

agent=$PANTAU_BUILD/agent/pantau-agent
collector=$PANTAU_BUILD/collector/pantau-collector
sim=$PANTAU_BUILD/tests/sim/pantau-sim-modbus
for b in "$agent" "$collector" "$sim"; do [ -x "$b" ] || fail "missing $b"; done

pg_tmp_start "$WORK/pg"
snmp_port=$(free_udp_port)
modbus_port=$(free_port)
agent_port=$(free_port)
http_port=$(free_port)

pg_collector_config "$WORK/collector.yaml" "$agent_port" "$http_port"
cat >"$WORK/agent.yaml" <<YAML
agent:
  id: e2e-agent
  site: test-site
  interval: 1s
  profile_dir: $PANTAU_ROOT/agent/profiles
spool:
  dir: $WORK/spool
collector:
  address: 127.0.0.1:$agent_port
  plaintext: true
  batch_max_delay: 200ms
devices:
  - name: ups-a
    kind: ups
    snmp: { address: 127.0.0.1:$snmp_port, version: 2c, community: ups-rfc1628, timeout: 1s }
    profiles: [auto]
  - name: ems-room1
    kind: ems
    modbus:
      address: 127.0.0.1:$modbus_port
      unit: 1
      fields:
        - { metric: ems.temperature, unit: celsius, table: input, address: 0, type: int16, scale: 0.1 }
        - { metric: ems.humidity, unit: "%", table: input, address: 1, type: int16, scale: 0.1 }
        - { metric: ems.leak, table: discrete, address: 0, type: bool }
YAML

"$collector" --config "$WORK/collector.yaml" --migrate >"$WORK/migrate.log" 2>&1 \
	|| fail "collector --migrate failed"
pg_collector_start "$collector" "$http_port"

snmpsim_start "$PANTAU_ROOT/tests/fixtures/snmp" "$snmp_port" ups-rfc1628
proc_start modbus_sim "$sim" --port "$modbus_port"
wait_until 10 bash -c "echo > /dev/tcp/127.0.0.1/$modbus_port" || fail "modbus slave did not start"

"$agent" --config "$WORK/agent.yaml" --check >/dev/null || fail "agent --check refused the config"
"$agent" --config "$WORK/agent.yaml" --once >"$WORK/once.jsonl" 2>"$WORK/once.log" \
	|| fail "agent --once failed"
grep -q '"metric":"ems.temperature"' "$WORK/once.jsonl" || fail "--once printed no EMS temperature"
grep -q '"metric":"ups.battery.charge"' "$WORK/once.jsonl" || fail "--once printed no UPS charge"

proc_start agent "$agent" --config "$WORK/agent.yaml"

# Every series --once printed must reach PostgreSQL with the same value.
compare() {
	psql -Atc "select coalesce(json_agg(json_build_object('device', device, 'metric', metric,
	             'labels', labels, 'value', value)), '[]')
	           from (select distinct on (device, metric, labels) device, metric, labels, value
	                 from report.samples order by device, metric, labels, ts desc) x" \
		>"$WORK/db.json" || return 1
	/usr/bin/python3 - "$WORK/once.jsonl" "$WORK/db.json" <<'PY'
import json, sys
once = [json.loads(l) for l in open(sys.argv[1]) if '"metric"' in l]
db = {(r["device"], r["metric"], json.dumps(r["labels"], sort_keys=True)): r["value"]
      for r in json.load(open(sys.argv[2]))}
missing = []
for s in once:
    key = (s["device"], s["metric"], json.dumps(s["labels"], sort_keys=True))
    if key not in db:
        missing.append(key)
    elif s["value"] is not None and abs(db[key] - s["value"]) > 1e-9 * max(1, abs(s["value"])):
        print("value differs", key, db[key], s["value"])
        sys.exit(2)
if missing:
    print(len(missing), "of", len(once), "series missing, e.g.", missing[0])
    sys.exit(1)
print(len(once), "series match")
PY
}
wait_until 30 compare || { compare || true; fail "values in PostgreSQL differ from --once"; }
compare

# The devices and their kinds are in report.devices.
kinds=$(psql -Atc "select string_agg(device || '=' || kind, ',' order by device) from report.devices")
[ "$kinds" = "ems-room1=ems,ups-a=ups" ] || fail "report.devices: $kinds"

# The UPS's system group arrives as inventory, as --once printed it.
descr=$(/usr/bin/python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r.get("device") == "ups-a" and r.get("inventory", {}).get("type") == "system":
        print(r["inventory"]["fields"]["descr"])' "$WORK/once.jsonl")
[ -n "$descr" ] || fail "--once printed no system inventory for ups-a"
inv_ok() {
	[ "$(psql -Atc "select fields->>'descr' from report.inventory
	                 where device = 'ups-a' and kind = 'system'")" = "$descr" ]
}
wait_until 20 inv_ok || fail "report.inventory lacks the UPS sysDescr '$descr'"

# Kill the collector mid-stream; the agent keeps polling and replays.
before=$(psql -Atc "select count(*) from pantau.samples")
proc_kill9 collector
sleep 3
proc_start collector "$collector" --config "$WORK/collector.yaml"
wait_until 30 curl -fsS "http://127.0.0.1:$http_port/health" || fail "collector did not come back"
after_restart() {
	[ "$(psql -Atc "select count(*) > $before + 20 from pantau.samples")" = t ]
}
wait_until 30 after_restart || fail "no new samples after the collector restart"

# Samples taken while the collector was down arrived: no gap of more than
# two intervals in the UPS charge series.
gap=$(psql -Atc "select coalesce(max(d), 0) from (select extract(epoch from ts - lag(ts) over (order by ts)) d
                 from report.samples where device = 'ups-a' and metric = 'ups.battery.charge') x")
/usr/bin/python3 -c "import sys; sys.exit(0 if float('$gap') <= 3.5 else 1)" \
	|| fail "a gap of $gap s in ups.battery.charge across the collector restart"

dups=$(psql -Atc "select count(*) - count(distinct (series_id, ts)) from pantau.samples")
[ "$dups" = 0 ] || fail "$dups samples stored twice"

proc_stop agent || fail "agent did not exit cleanly (see agent.log)"
proc_stop collector || fail "collector did not exit cleanly (see collector.log)"
grep -q "ERROR: AddressSanitizer\|runtime error" "$WORK"/agent.log "$WORK"/collector.log \
	&& fail "sanitizer report"
echo "pipeline ok"
