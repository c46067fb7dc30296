#!/usr/bin/env bash
# Every panel query of every dashboard in dashboards/ runs against a real,
# migrated database with data in it, as the read-only role pantau_reader
# (what Grafana is granted), with Grafana's macros expanded the way its
# PostgreSQL data source does; every panel returns rows, and a few return
# exactly the figures the data implies. Data: a fake agent through the
# collector (the overview's measurements), plus rows inserted the way the
# collector stores them: UPS, cooling and genset samples under every metric
# name the dashboards use (each must be one a shipped profile emits), open
# and resolved alerts, agent losses, reachability changes and availability
# intervals with planned and unplanned outages, an inventory record.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 180
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
printf '  every: 1s\n' >>"$COL_TMP/c.yaml" # rollups (retention:, last in the file) each second
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent dash --batches 2 --samples 50 --series 10 \
    >"$COL_TMP/agent.log" 2>&1 || fail "agent"

# The metric names the dashboards query, each checked against the profiles.
python3 - "$root/dashboards" >"$COL_TMP/metrics.txt" <<'PY' || fail "reading metric names"
import json, os, re, sys
names = set()
for f in sorted(os.listdir(sys.argv[1])):
    if f.endswith('.json'):
        for p in json.load(open(os.path.join(sys.argv[1], f))).get('panels', []):
            for t in p.get('targets', []):
                for arr in re.findall(r"ANY\(ARRAY\[([^\]]*)\]\)", t['rawSql']):
                    names.update(re.findall(r"'([^']+)'", arr))
print('\n'.join(sorted(names)))
PY
[ "$(wc -l <"$COL_TMP/metrics.txt")" -ge 20 ] || fail "too few metric names found: $(cat "$COL_TMP/metrics.txt")"
while read -r m; do
    case $m in
    probe.*) # the agent's own probes (agent/poll_probe.c)
        grep -qF "\"$m\"" "$root/agent/poll_probe.c" \
            || fail "dashboards use metric '$m', which agent/poll_probe.c does not emit" ;;
    *)
        grep -rqE "metric: *${m//./\\.}[ ,}]" "$root/agent/profiles/snmp" "$root/agent/profiles/modbus" \
            || fail "dashboards use metric '$m', which no profile in agent/profiles emits" ;;
    esac
done <"$COL_TMP/metrics.txt"
echo "ok - $(wc -l <"$COL_TMP/metrics.txt") metric names, each emitted by a shipped profile or probe"

# Rows as the collector stores them: samples every 5 minutes for 6 hours,
# value 10 * (the metric's line in metrics.txt) + the step (0..72).
python3 - "$COL_TMP/metrics.txt" >"$COL_TMP/data.sql" <<'PY' || fail "generating data"
import sys
ms = [l.strip() for l in open(sys.argv[1]) if l.strip()]
def device(m):
    if m.startswith('genset.'): return 'gen-1'
    if m.split('.')[0] in ('cooling', 'env', 'ems', 'cmc', 'site'): return 'crac-1'
    return 'ups-a'
print("BEGIN;")
print("""INSERT INTO pantau.agents (id, site) VALUES ('noc-a', 'dc-jakarta'), ('noc-b', 'drc-batam');
INSERT INTO pantau.devices (agent_id, name, kind, site, state, state_since) VALUES
 ('noc-a', 'ups-a', 'ups', 'dc-jakarta', 'up', now() - interval '3 days'),
 ('noc-a', 'crac-1', 'cooling', 'dc-jakarta', 'down', now() - interval '40 minutes'),
 ('noc-b', 'gen-1', 'genset', 'drc-batam', 'unknown', NULL);
DO $$ DECLARE d date; BEGIN
 FOR d IN SELECT generate_series((now() AT TIME ZONE 'UTC')::date - 8, (now() AT TIME ZONE 'UTC')::date + 1, '1 day')::date LOOP
  EXECUTE format('CREATE TABLE IF NOT EXISTS pantau.samples_%s PARTITION OF pantau.samples FOR VALUES FROM (%L) TO (%L)',
                 to_char(d, 'YYYYMMDD'), d::text || ' 00:00:00+00', (d + 1)::text || ' 00:00:00+00');
 END LOOP; END $$;""")
for i, m in enumerate(ms, 1):
    labels = '{"phase": "1"}' if m == 'ups.input.voltage' else '{}'
    print(f"""INSERT INTO pantau.series (device_id, metric, unit, labels)
 SELECT id, '{m}', '', '{labels}' FROM pantau.devices WHERE name = '{device(m)}';
INSERT INTO pantau.samples (series_id, ts, value)
 SELECT s.id, date_trunc('minute', now()) - k * interval '5 minutes', {10 * i} + 72 - k
   FROM pantau.series s, generate_series(0, 72) AS k WHERE s.metric = '{m}';""")
print("""INSERT INTO pantau.inventory (device_id, kind, item_id, fields, updated_at)
 SELECT id, 'system', '', '{"sysDescr": "Smart-UPS 3000", "sysObjectID": "1.3.6.1.4.1.318.1.3.27"}', now()
   FROM pantau.devices WHERE name = 'ups-a';
INSERT INTO pantau.device_states (device_id, ts, state, reason)
 SELECT id, now() - interval '40 minutes', 'down', 'timeout' FROM pantau.devices WHERE name = 'crac-1';
INSERT INTO pantau.alerts (rule, device, labels, agent, severity, state, summary, value, started_at, resolved_at, acked_at, acked_by) VALUES
 ('device_down', 'crac-1', '{}', 'noc-a', 'critical', 'firing', 'crac-1 is down', NULL, now() - interval '40 minutes', NULL, NULL, NULL),
 ('ups_on_battery', 'ups-a', '{}', 'noc-a', 'warning', 'acknowledged', 'ups-a on battery', 5, now() - interval '2 hours', NULL, now() - interval '1 hour', 'budi'),
 ('ups_load_high', 'ups-a', '{}', 'noc-a', 'info', 'resolved', 'ups-a load high', 81, now() - interval '5 hours', now() - interval '4 hours', NULL, NULL);
INSERT INTO pantau.agent_losses (agent_id, stream, reason, samples, last_loss) VALUES
 ('noc-b', 1, 'spool_full', 1200, now() - interval '1 day'), ('noc-b', 2, 'spool_full', 34, now() - interval '20 hours');
INSERT INTO pantau.availability (subject_kind, subject, agent, state, planned, cause, during, source) VALUES
 ('device', 'ups-a', 'noc-a', 'up', false, NULL, tstzrange(now() - interval '40 days', now() - interval '30 hours'), 'import'),
 ('device', 'ups-a', 'noc-a', 'down', true, 'battery replacement', tstzrange(now() - interval '30 hours', now() - interval '28 hours'), 'import'),
 ('device', 'ups-a', 'noc-a', 'up', false, NULL, tstzrange(now() - interval '28 hours', now() - interval '5 hours'), 'import'),
 ('device', 'ups-a', 'noc-a', 'down', false, 'PLN outage', tstzrange(now() - interval '5 hours', now() - interval '4 hours'), 'import'),
 ('device', 'ups-a', 'noc-a', 'up', false, NULL, tstzrange(now() - interval '4 hours', NULL), 'import');
-- The batches those samples came in, not yet rolled up: the collector's
-- rollup job makes report.samples_5m and samples_1h from them.
INSERT INTO pantau.batches (agent_id, stream, seq, received_at, samples, ts_min, ts_max, rolled) VALUES
 ('noc-a', 1, 1, now(), 1, now() - interval '7 hours', now(), false),
 ('noc-b', 1, 1, now(), 1, now() - interval '7 hours', now(), false);
COMMIT;""")
PY
psql -qAt -v ON_ERROR_STOP=1 -f "$COL_TMP/data.sql" >"$COL_TMP/data.log" 2>&1 || fail "inserting data: $(tail -5 "$COL_TMP/data.log")"
for _ in $(seq 100); do
    [ "$(psql -qAt -c "SELECT count(*) FROM pantau.batches WHERE NOT rolled")" = 0 ] && break
    sleep 0.2
done
[ "$(psql -qAt -c "SELECT count(*) FROM pantau.batches WHERE NOT rolled")" = 0 ] \
    || fail "the rollup job did not catch up: $(grep retain "$COL_TMP/collector.log" | tail -3)"

# Grafana's macros, expanded the way its PostgreSQL data source does, for
# the last 7 days.
python3 - "$root/dashboards" >"$COL_TMP/queries.tsv" <<'PY' || fail "reading dashboards"
import datetime, json, os, re, sys
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
fr, to = [(t).strftime("'%Y-%m-%dT%H:%M:%SZ'") for t in (now - datetime.timedelta(days=7), now)]
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    if not name.endswith('.json'):
        continue
    dash = json.load(open(os.path.join(d, name)))
    dsvars = [v for v in dash.get('templating', {}).get('list', []) if v.get('type') == 'datasource']
    if not dsvars:
        sys.exit(f'{name}: no datasource variable')
    for p in dash.get('panels', []):
        if p.get('datasource', {}).get('uid') != '${%s}' % dsvars[0]['name']:
            sys.exit(f'{name}: panel "{p["title"]}" does not use the datasource variable')
        for t in p.get('targets', []):
            sql = t['rawSql']
            sql = re.sub(r'\$__timeFilter\((\w+)\)', r'\1 BETWEEN %s AND %s' % (fr, to), sql)
            sql = sql.replace('$__timeFrom()', fr).replace('$__timeTo()', to)
            if '$' in sql or '\t' in sql or '\n' in sql:
                sys.exit(f'{name}: panel "{p["title"]}": unexpanded macro or tab/newline in {sql}')
            print(f'{name}\t{p["title"]}\t{p["type"]}\t{sql}')
PY
n=0
while IFS=$'\t' read -r file title type sql; do
    out=$(psql -qAt -v ON_ERROR_STOP=1 -c "SET ROLE pantau_reader" -c "$sql" 2>&1) \
        || fail "$file: panel '$title': $out"
    [ -n "$out" ] || fail "$file: panel '$title' returned no rows"
    printf '%s\n' "$out" >"$COL_TMP/panel-$file-$(printf '%s' "$title" | tr -c 'a-zA-Z0-9' _).out"
    echo "ok - $file: $title ($(printf '%s\n' "$out" | wc -l) rows)"
    n=$((n + 1))
done <"$COL_TMP/queries.tsv"
[ $n -ge 25 ] || fail "only $n panels found"

# Figures the data implies.
panel() { cat "$COL_TMP/panel-$1-$(printf '%s' "$2" | tr -c 'a-zA-Z0-9' _).out"; }
expect_eq "open alerts by severity" "$(panel pantau-noc.json "Open alerts by severity" | paste -sd,)" \
    "critical|1,warning|1,info|0"
expect_eq "devices by state" "$(panel pantau-noc.json "Devices by state" | paste -sd,)" \
    "down|1,unknown|2,up|1" # gen-1 and the fake agent's dev-000
expect_eq "samples dropped" "$(panel pantau-noc.json "Samples dropped by agents")" "1234"
expect_eq "open alerts, critical first" "$(panel pantau-noc.json "Open alerts" | cut -d'|' -f2-5 | paste -sd,)" \
    "critical|firing|device_down|crac-1,warning|acknowledged|ups_on_battery|ups-a"
line() { grep -nxF "$1" "$COL_TMP/metrics.txt" | cut -d: -f1; }
expect_eq "UPS now: latest load and charge of ups-a" \
    "$(panel pantau-power-cooling.json "UPS now" | cut -d'|' -f1-3)" \
    "ups-a|$((10 * $(line xups.output.load) + 72))|$((10 * $(line xups.battery.charge) + 72))"
expect_eq "temperature series: one per metric" \
    "$(panel pantau-power-cooling.json "Temperatures (rooms and cooling units)" | cut -d'|' -f2 | sort -u | wc -l)" \
    "$(grep -cE '(^cooling\..*temperature|^(env|ems|cmc|site)\.temperature)$' "$COL_TMP/metrics.txt")"
expect_eq "outages in the range" "$(panel pantau-sla.json "Outages" | cut -d'|' -f4,7,8 | paste -sd,)" \
    "ups-a|f|PLN outage,ups-a|t|battery replacement"
expect_eq "downtime per day adds up" \
    "$(panel pantau-sla.json "Downtime per day" | awk -F'|' '{ s[$2] += $3 } END { print s["planned"], s["unplanned"] }')" \
    "7200 3600"
# Hourly rollups against the raw samples: each hour's max, min and average
# of ups-a's load (a step a sample, so the rows of an hour are known).
expect_eq "hourly UPS load = raw samples per hour" "$(psql -qAt -c "
    SELECT count(*) FROM report.samples_1h r, LATERAL (SELECT max(value) AS hi, min(value) AS lo,
        avg(value) AS av, count(*) AS n FROM report.samples s WHERE s.device = r.device
        AND s.metric = r.metric AND s.ts >= r.ts AND s.ts < r.ts + interval '1 hour') raw
     WHERE r.device = 'ups-a' AND r.metric = 'xups.output.load'
       AND (r.max, r.min, r.count) = (raw.hi, raw.lo, raw.n) AND abs(r.avg - raw.av) < 1e-9")" \
    "$(psql -qAt -c "SELECT count(DISTINCT date_trunc('hour', ts)) FROM report.samples
        WHERE device = 'ups-a' AND metric = 'xups.output.load'")"
col_stop || fail "collector stop"
echo "PASS ($n panels)"
