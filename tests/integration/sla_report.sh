#!/usr/bin/env bash
# SLAs from availability intervals, exact to the second, as signed evidence:
# the collector turns DeviceState into intervals; a synthetic March 2024
# (WIB) with known outages, maintenance, a gap and unknown time gives exact
# figures in `pantauctl report sla|outages` (CSV and JSON, run as a login
# holding only pantau_auditor) and in report.sla_monthly; `pantauctl
# evidence verify` says valid, and names the line after a 1-byte edit, a
# removed row and a re-signature with another key.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_ctl_init 240
"$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >>"$COL_TMP/migrate.log" 2>&1 || fail "--migrate again"
expect_eq "auditor reads report, not pantau" \
    "$(psql -qAt -c "SELECT has_table_privilege('pantau_auditor', 'report.availability', 'SELECT'),
        has_table_privilege('pantau_auditor', 'report.sla_monthly', 'SELECT'),
        has_table_privilege('pantau_auditor', 'report.samples', 'SELECT'),
        has_table_privilege('pantau_auditor', 'pantau.availability', 'SELECT')")" "t|t|t|f"

# --- the collector: a DeviceState becomes an open interval; the same state
# again (later, or re-sent) adds nothing.
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"
base=1709251200000 # 2024-03-01T00:00:00Z
for b in $base $((base + 60000)); do
    "$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent ag-1 --stream "$b" --batches 1 \
        --samples 1 --series 1 --base-ms "$b" --extras 1 >>"$COL_TMP/agent.log" 2>&1 || fail "fake agent"
done
col_stop || fail "collector exit status"
expect_eq "DeviceState -> one open interval" \
    "$(psql -qAt -c "SELECT subject_kind, subject, agent, site, state, cause,
        to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), end_at IS NULL
        FROM report.availability")" "device|dev-000|ag-1|test-site|down|timeout|2024-03-01 00:00:00|t"
# What the collector calls for the next report (up 90 s later) closes it.
psql -qAt -c "SELECT pantau.availability_report('device', 'dev-000', 'ag-1', 'up',
    '2024-03-01 00:01:30+00', '')" >/dev/null || fail "availability_report"
expect_eq "an up report closes the down interval" \
    "$(psql -qAt -c "SELECT state || ':' || COALESCE(extract(epoch FROM end_at - start_at)::bigint::text, 'open')
        FROM report.availability WHERE subject = 'dev-000' ORDER BY start_at" | paste -sd,)" \
    "down:90,up:open"
psql -qAt -c "DELETE FROM pantau.availability" >/dev/null

# --- a synthetic March 2024 in WIB (UTC+7): 31 days = 2678400 s.
# ups-1: 1 h unplanned power cut, 2 h planned genset test, a 30 min gap,
# 10 min unknown (agent gone), two adjacent link drops (20 + 10 min, one
# outage). ups-2: one 1 h outage, its own target 99%.
col_sla_history
col_auditor

"$CTL" evidence keygen --dir "$COL_TMP/keys" >"$COL_TMP/keygen.log" 2>&1 || fail "keygen"
expect_eq "signing key mode" "$(stat -c %a "$COL_TMP/keys/evidence.key")" "600"
"$CTL" evidence keygen --dir "$COL_TMP/keys" >>"$COL_TMP/keygen.log" 2>&1 && fail "keygen overwrote a key"
report() { "$CTL" report "$@" --dsn "$AUDIT_DSN" --key "$COL_TMP/keys/evidence.key"; }

report sla --period 2024-03 --format csv --out "$COL_TMP/sla.csv" 2>"$COL_TMP/report.log" \
    || fail "report sla csv"
# period_s up_s planned unplanned unknown availability excl_planned target met budget outages
expect_eq "ups-1 SLA row (id)" \
    "$(awk -F, '$3 == "ups-1" { print $7","$8","$9","$10","$11","$12","$13","$14","$15","$16","$17 }' "$COL_TMP/sla.csv")" \
    "2678400,2663400,7200,5400,2400,99.4400,99.7080,99.7410,tidak,-8063,3"
expect_eq "ups-2 SLA row, own target" \
    "$(awk -F, '$3 == "ups-2" { print $8","$9","$10","$11","$12","$14","$15 }' "$COL_TMP/sla.csv")" \
    "2674800,0,3600,0,99.8656,99.0000,ya"
expect_eq "Indonesian column line" "$(grep -m1 '^seq,' "$COL_TMP/sla.csv" | cut -d, -f1-4,12)" \
    "seq,jenis_subjek,subjek,agen,ketersediaan_persen"
expect_eq "period in WIB" "$(awk -F, '$3 == "ups-1" { print $5" "$6 }' "$COL_TMP/sla.csv")" \
    "2024-03-01T00:00:00+07:00 2024-04-01T00:00:00+07:00"
out=$("$CTL" evidence verify "$COL_TMP/sla.csv" --pubkey "$COL_TMP/keys/evidence.pub") \
    || fail "verify of an untouched export: $out"
case $out in valid*) echo "ok - verify: $out" ;; *) fail "verify said: $out" ;; esac

# One byte: ups-1's up seconds 2663400 -> 2663401 (row 1 of the rows).
line=$(grep -n '^[0-9]*,device,ups-1,' "$COL_TMP/sla.csv" | cut -d: -f1)
sed "${line}s/,2663400,/,2663401,/" "$COL_TMP/sla.csv" >"$COL_TMP/tampered.csv"
[ "$(cmp -l "$COL_TMP/sla.csv" "$COL_TMP/tampered.csv" | wc -l)" = 1 ] || fail "tamper is not 1 byte"
out=$("$CTL" evidence verify "$COL_TMP/tampered.csv" --pubkey "$COL_TMP/keys/evidence.pub")
rc=$?
expect_eq "verify exit status after a 1-byte edit" "$rc" "1"
expect_eq "verify names the row" "$out" "NOT valid: $COL_TMP/tampered.csv: line $line (row 1) was changed"
sed "${line}d" "$COL_TMP/sla.csv" >"$COL_TMP/removed.csv"
out=$("$CTL" evidence verify "$COL_TMP/removed.csv") && fail "a removed row verified"
case $out in *"row 1 was removed (before line $line)"*) echo "ok - removed row named" ;;
    *) fail "removed row: $out" ;; esac

# --- JSON, English; the numbers parsed by Python's json module.
report sla --period 2024-03 --format json --lang en >"$COL_TMP/sla.json" 2>>"$COL_TMP/report.log" \
    || fail "report sla json"
expect_eq "JSON figures (en)" "$(/usr/bin/python3 - "$COL_TMP/sla.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["rows"] if x["subject"] == "ups-1"][0]
print(d["meta"]["report"], d["end"]["rows"], r["period_s"], r["up_s"], r["down_planned_s"],
      r["down_unplanned_s"], r["unknown_s"], r["availability_pct"], r["target_met"])
PY
)" "sla 2 2678400 2663400 7200 5400 2400 99.44 no"
"$CTL" evidence verify "$COL_TMP/sla.json" --pubkey "$COL_TMP/keys/evidence.pub" >/dev/null \
    || fail "JSON export does not verify"

# Another key signs a copy: valid in itself, rejected against the collector's key.
"$CTL" evidence keygen --dir "$COL_TMP/other" >/dev/null || fail "keygen other"
"$CTL" report sla --period 2024-03 --dsn "$AUDIT_DSN" --key "$COL_TMP/other/evidence.key" \
    >"$COL_TMP/other.csv" || fail "report with the other key"
out=$("$CTL" evidence verify "$COL_TMP/other.csv" --pubkey "$COL_TMP/keys/evidence.pub") \
    && fail "another key's export verified"
case $out in *"not by the trusted key"*) echo "ok - another signer rejected" ;;
    *) fail "other key: $out" ;; esac

# --- outages: merged link drops, planned flag, causes, WIB times.
report outages --from 2024-03-01 --to 2024-04-01 --kind device --subject ups-1 --lang en \
    >"$COL_TMP/out.csv" 2>>"$COL_TMP/report.log" || fail "report outages"
expect_eq "outage list" "$(grep -v '^#' "$COL_TMP/out.csv" | tail -n +2 | cut -d, -f1,5-10)" \
"1,2024-03-02T10:00:00+07:00,2024-03-02T11:00:00+07:00,3600,1:00:00,no,PLN outage
2,2024-03-10T08:00:00+07:00,2024-03-10T10:00:00+07:00,7200,2:00:00,yes,genset test
3,2024-03-28T01:00:00+07:00,2024-03-28T01:30:00+07:00,1800,0:30:00,no,link"
"$CTL" evidence verify "$COL_TMP/out.csv" --pubkey "$COL_TMP/keys/evidence.pub" >/dev/null \
    || fail "outage export does not verify"

# --- the Grafana view agrees (these intervals do not overlap).
expect_eq "report.sla_monthly for ups-1, 2024-03" \
    "$(psql -qAt -c "SELECT period_s, up_s, down_planned_s, down_unplanned_s, unknown_s,
        availability_pct, availability_excl_planned_pct, target_met FROM report.sla_monthly
        WHERE subject = 'ups-1' AND month = '2024-03'")" \
    "2678400|2663400|7200|5400|2400|99.4400|99.7080|f"

# --- bad input: clear errors, exit 2, nothing written.
"$CTL" report sla --period 2024-13 --key "$COL_TMP/keys/evidence.key" 2>"$COL_TMP/bad.log" >/dev/null
expect_eq "bad period exit status" "$?" "2"
grep -q "is not YYYY, YYYY-Qn or YYYY-MM" "$COL_TMP/bad.log" || fail "bad period message"
"$CTL" report sla --period 2024-03 --format pdf --key "$COL_TMP/keys/evidence.key" >/dev/null 2>&1
expect_eq "unsupported format exit status" "$?" "2"
echo "sla_report: all checks passed"
