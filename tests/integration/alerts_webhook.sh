#!/usr/bin/env bash
# Alert notifications end to end: a UPS (pantau-sim-modbus, output source in
# a holding register) -> pantau-agent -> pantau-collector with the shipped
# pack and two webhooks -> local receivers (python3 http.server).
#
#   - the UPS switching to battery sends exactly one notification to the
#     "noc" webhook, with the JSON body the template makes; its resolution
#     sends exactly one more; more polls in either state send nothing;
#   - the "late" webhook's receiver is not there at first: the delivery is
#     retried with backoff (logged as retry in pantau.notifications) and
#     arrives once the receiver starts, exactly once;
#   - unacknowledged for escalate_after (5 s), the alert is escalated to
#     Tier 2 (PK 43): escalation_level 2, an event, one notification to the
#     tier 2 webhook only; an alert acknowledged in time is not escalated;
#   - inside a maintenance window (pantauctl maintenance add) the alert is
#     stored as planned and notifies nobody; after `maintenance end` the next
#     one notifies again.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"
source "$PANTAU_ROOT/tests/lib/alerts.sh"
alerts_init modbus noc late tier2

alerts_rules "$noc_port" "$late_port" "$tier2_port" <<'PY'
pack["settings"].update(default_interval="1s", agent_grace="3s", escalate_after="5s")
pack["notify"] = {"webhooks": [
    {"name": "tier2", "url": "http://127.0.0.1:%s/esc" % args[2], "tier": 2},
    {"name": "noc", "url": "http://127.0.0.1:%s/hook?token=s3cret" % args[0],
     "min_severity": "critical"},
    {"name": "late", "url": "http://127.0.0.1:%s/hook" % args[1],
     "retry_first": "200ms", "retry_max": "1s", "max_attempts": 1000, "resolved": False,
     "body": '{"text": "{summary}", "transition": "{transition}"}'},
]}
PY
pg_collector_config "$WORK/collector.yaml" "$agent_port" "$http_port" "$WORK/rules.yaml"
alerts_ups_config hook-agent

alerts_receiver noc "$noc_port"
alerts_receiver tier2 "$tier2_port"
alerts_sim_start sim "$modbus_port" --seed "$WORK/seed"
alerts_start
polls 2
[ "$(lines noc)" = 0 ] || fail "notifications before anything fired: $(cat "$WORK/noc.got")"

set_reg 301 5
wait_until 20 bash -c "[ -s '$WORK/noc.got' ]" || fail "no notification reached the noc webhook"
polls 3
[ "$(lines noc)" = 1 ] || fail "noc got $(lines noc) notifications: $(cat "$WORK/noc.got")"
/usr/bin/python3 - "$WORK/noc.got" <<'PY' || fail "noc notification: $(cat "$WORK/noc.got")"
import json, sys
path, body = open(sys.argv[1]).readline().split(" ", 1)
n = json.loads(body)
assert path == "/hook?token=s3cret", path
assert n["rule"] == "ups_on_battery" and n["device"] == "ups-a", n
assert n["state"] == "firing" and n["severity"] == "critical", n
assert n["summary"] == "ups-a: UPS on battery (battery)", n
assert n["value"] == "5" and n["labels"].get("address") == "301" and n["at"].endswith("Z"), n
PY
echo "on battery: one notification with the templated body"

# The late receiver appears; the retried delivery arrives once.
wait_until 20 bash -c "[ \"\$(psql -Atc \"select count(*) > 0 from pantau.notifications where channel = 'late' and outcome = 'retry'\")\" = t ]" \
	|| fail "no retry logged for the late webhook"
alerts_receiver late "$late_port"
wait_until 20 bash -c "[ \"\$(psql -Atc \"select count(*) from pantau.notifications where channel = 'late' and outcome = 'sent'\")\" = 1 ]" \
	|| fail "late delivery not sent: $(q "select string_agg(outcome || ':' || coalesce(error, ''), ' ') from pantau.notifications where channel = 'late'")"
[ "$(lines late)" = 1 ] || fail "late got $(lines late) notifications"
grep -q '"transition": "fire"' "$WORK/late.got" || fail "late body: $(cat "$WORK/late.got")"
retries=$(q "select count(*) from pantau.notifications where channel = 'late' and outcome = 'retry'")
echo "late webhook: delivered once after $retries retries"

# Not acknowledged within escalate_after (5 s): escalated to Tier 2, once.
wait_until 30 bash -c "[ \"\$(psql -Atc \"select escalation_level from pantau.alerts where rule = 'ups_on_battery'\")\" = 2 ]" \
	|| fail "the unacknowledged alert was not escalated"
wait_until 20 bash -c "[ -s '$WORK/tier2.got' ]" || fail "no escalation reached the tier2 webhook"
grep -q '"state":"firing"' "$WORK/tier2.got" || fail "tier2 body: $(cat "$WORK/tier2.got")"
polls 3
[ "$(lines tier2)" = 1 ] || fail "tier2 got $(lines tier2) notifications"
q "select cause from pantau.alert_events where cause like 'escalated to Tier 2%'" | grep -q . \
	|| fail "no escalation in the alert history"
[ "$(lines noc)" = 1 ] || fail "the escalation went to a Tier 1 channel too"
echo "escalation: one notification to Tier 2 after 5 s unacknowledged"

set_reg 301 3
wait_until 20 bash -c "[ \$(wc -l <'$WORK/noc.got') -ge 2 ]" || fail "no resolution notification"
polls 3
[ "$(lines noc)" = 2 ] || fail "noc got $(lines noc) notifications: $(cat "$WORK/noc.got")"
sed -n 2p "$WORK/noc.got" | grep -q '"state":"resolved"' || fail "second notification: $(sed -n 2p "$WORK/noc.got")"
[ "$(lines late)" = 1 ] || fail "late (resolved: false) got a resolution"
sent=$(q "select string_agg(channel || ':' || transition, ' ' order by channel, id) from pantau.notifications where outcome = 'sent'")
[ "$sent" = "late:fire noc:fire noc:resolve tier2:escalate" ] || fail "delivery log: $sent"
grep -q "s3cret" "$WORK/collector.log" && fail "the webhook token appears in the log"
echo "resolution: one more notification; delivery log: $sent"

# An alert acknowledged in time is not escalated.
set_reg 301 5
wait_until 20 bash -c "[ \"\$(psql -Atc \"select count(*) from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null\")\" = 1 ]" \
	|| fail "the UPS alert did not fire again"
id=$(q "select id from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null")
PANTAU_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE" \
	"$PANTAU_BUILD/collector/ctl/pantauctl" ack "$id" --by tier1-sari >/dev/null || fail "ack"
sleep 8 # past escalate_after and several checks
[ "$(q "select escalation_level from pantau.alerts where id = $id")" = 1 ] \
	|| fail "an acknowledged alert was escalated"
[ "$(lines tier2)" = 1 ] || fail "tier2 got $(lines tier2) notifications"
echo "acknowledged in time: not escalated"

# A maintenance window on the UPS: the alert is planned and tells nobody.
ctl=$PANTAU_BUILD/collector/ctl/pantauctl
export PANTAU_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
set_reg 301 3
wait_until 20 bash -c "[ \"\$(psql -Atc \"select count(*) from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null\")\" = 0 ]" \
	|| fail "the acknowledged alert did not resolve"
noc_before=$(lines noc)
rc=0; "$ctl" maintenance add --device ups-a --reason x >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "maintenance add without an end exited $rc"
"$ctl" maintenance add --device ups-a --for "1 hour" --reason "battery replacement" \
	--by "dc-team-budi" >"$WORK/mw.out" || fail "maintenance add: $(cat "$WORK/mw.out")"
mw=$(sed -n 's/^maintenance \([0-9]*\):.*/\1/p' "$WORK/mw.out")
"$ctl" maintenance list | grep -q "^$mw device ups-a .* ACTIVE: battery replacement (by dc-team-budi)" \
	|| fail "maintenance list: $("$ctl" maintenance list)"
set_reg 301 5
wait_until 20 bash -c "[ \"\$(psql -Atc \"select planned from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null\")\" = t ]" \
	|| fail "the alert in the maintenance window is not planned"
polls 3
set_reg 301 3
wait_until 20 bash -c "[ \"\$(psql -Atc \"select count(*) from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null\")\" = 0 ]" \
	|| fail "the planned alert did not resolve"
polls 2
[ "$(lines noc)" = "$noc_before" ] || fail "an alert in maintenance was notified: $(tail -2 "$WORK/noc.got")"
grep -q "in maintenance, not notified" "$WORK/collector.log" || fail "no log line for the held notification"
# The window ends: the next alert notifies again.
"$ctl" maintenance end "$mw" --by dc-team-budi >/dev/null || fail "maintenance end"
"$ctl" maintenance list | grep -q ACTIVE && fail "the window is still active"
set_reg 301 5
wait_until 20 bash -c "[ \$(wc -l <'$WORK/noc.got') -gt $noc_before ]" || fail "no notification after the window ended"
[ "$(q "select planned from pantau.alerts where rule = 'ups_on_battery' and resolved_at is null")" = f ] \
	|| fail "an alert after the window is planned"
echo "maintenance: planned and silent inside the window, notified after it"

# Recurring windows: weekly Saturday 22:00-02:00 (UTC) from 2026-01-03, until
# 2026-02-28; daily 01:00-01:30 ended early on 2026-03-10 12:00.
active() {
	q "select pantau.maintenance_active(m, '$2'::timestamptz) from pantau.maintenance m where id = $1"
}
wk=$("$ctl" maintenance add --site s1 --from "2026-01-03 22:00+00" --to "2026-01-04 02:00+00" \
	--every weekly --until "2026-02-28 23:59+00" --reason "weekly genset test" --by x \
	| sed -n 's/^maintenance \([0-9]*\):.*/\1/p')
dy=$("$ctl" maintenance add --group cooling-room1 --from "2026-03-01 01:00+00" --for "30 min" \
	--every daily --reason "filter check" --by x | sed -n 's/^maintenance \([0-9]*\):.*/\1/p')
q "update pantau.maintenance set ended_at = '2026-03-10 12:00+00' where id = $dy" >/dev/null
for c in "$wk 2026-01-03T21:59Z f" "$wk 2026-01-03T23:00Z t" "$wk 2026-01-18T01:59Z t" \
	"$wk 2026-01-18T02:00Z f" "$wk 2026-01-20T23:00Z f" "$wk 2026-02-28T22:30Z t" \
	"$wk 2026-03-07T22:30Z f" "$dy 2026-03-05T01:15Z t" "$dy 2026-03-05T01:45Z f" \
	"$dy 2026-03-11T01:15Z f"; do
	set -- $c
	[ "$(active "$1" "$2")" = "$3" ] || fail "window $1 at $2: $(active "$1" "$2"), want $3"
done
rc=0; "$ctl" maintenance add --device d --from "2026-01-01" --for "2 days" --every daily \
	--reason r --by x >/dev/null 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a daily window longer than a day was accepted ($rc)"
echo "recurring windows: weekly and daily occurrences, until and early end"

alerts_stop
echo "alerts webhook ok"
