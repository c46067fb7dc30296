#!/usr/bin/env bash
# Maintenance windows make downtime planned, exact to the second, in
# `pantauctl report sla|outages` and in report.sla_monthly: a one-off device
# window added with pantauctl maintenance covers 1 h of a 3 h outage; a
# daily site window (recurrence expanded, until inclusive) covers 30 + 15
# min of a 23 h 45 min outage; a window of another device covers nothing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_ctl_init 240
dsn=$(pg_tmp_dsn)
psql -v ON_ERROR_STOP=1 -qAt >/dev/null <<'SQL' || fail "inserting intervals"
INSERT INTO pantau.agents (id, site) VALUES ('ag-x', 'dc-babel');
INSERT INTO pantau.availability (subject_kind, subject, agent, state, cause, during, source)
SELECT 'device', 'ups-1', 'ag-x', st, c, tstzrange(a::timestamptz, b::timestamptz), 'import' FROM (VALUES
 ('up',   NULL,         '2024-03-01 00:00+07', '2024-03-05 00:00+07'),
 ('down', 'PLN outage', '2024-03-05 00:00+07', '2024-03-05 03:00+07'),
 ('up',   NULL,         '2024-03-05 03:00+07', '2024-03-11 22:30+07'),
 ('down', 'breaker',    '2024-03-11 22:30+07', '2024-03-12 22:15+07'),
 ('up',   NULL,         '2024-03-12 22:15+07', '2024-04-01 00:00+07')) AS v(st, c, a, b);
SQL
"$CTL" maintenance add --device ups-1 --from "2024-03-05 01:00+07" --to "2024-03-05 02:00+07" \
    --reason "battery swap" --by budi --dsn "$dsn" >/dev/null || fail "maintenance add (device)"
"$CTL" maintenance add --site dc-babel --from "2024-03-10 22:00+07" --for "1 hour" --every daily \
    --until "2024-03-12 22:00+07" --reason "nightly genset test" --by budi --dsn "$dsn" >/dev/null \
    || fail "maintenance add (site, daily)"
"$CTL" maintenance add --device ups-2 --from "2024-03-05 00:00+07" --for "3 hours" \
    --reason "other device" --by budi --dsn "$dsn" >/dev/null || fail "maintenance add (ups-2)"

"$CTL" evidence keygen --dir "$COL_TMP/keys" >/dev/null 2>&1 || fail "keygen"
report() { "$CTL" report "$@" --dsn "$dsn" --key "$COL_TMP/keys/evidence.key" --lang en; }
report sla --period 2024-03 >"$COL_TMP/sla.csv" 2>"$COL_TMP/r.log" || fail "report sla: $(cat "$COL_TMP/r.log")"
# down 10800 + 85500 = 96300; planned 3600 + 1800 + 900 = 6300
expect_eq "SLA row: period up planned unplanned unknown outages" \
    "$(awk -F, '$3 == "ups-1" { print $7","$8","$9","$10","$11","$17 }' "$COL_TMP/sla.csv")" \
    "2678400,2582100,6300,90000,0,6"
report outages --period 2024-03 >"$COL_TMP/out.csv" 2>>"$COL_TMP/r.log" || fail "report outages"
expect_eq "outages split at the windows" "$(grep -v '^#' "$COL_TMP/out.csv" | tail -n +2 | cut -d, -f5-10)" \
"2024-03-05T00:00:00+07:00,2024-03-05T01:00:00+07:00,3600,1:00:00,no,PLN outage
2024-03-05T01:00:00+07:00,2024-03-05T02:00:00+07:00,3600,1:00:00,yes,PLN outage
2024-03-05T02:00:00+07:00,2024-03-05T03:00:00+07:00,3600,1:00:00,no,PLN outage
2024-03-11T22:30:00+07:00,2024-03-11T23:00:00+07:00,1800,0:30:00,yes,breaker
2024-03-11T23:00:00+07:00,2024-03-12T22:00:00+07:00,82800,23:00:00,no,breaker
2024-03-12T22:00:00+07:00,2024-03-12T22:15:00+07:00,900,0:15:00,yes,breaker"
"$CTL" evidence verify "$COL_TMP/out.csv" >/dev/null || fail "outage export does not verify"
expect_eq "report.sla_monthly agrees" \
    "$(psql -qAt -c "SELECT period_s, up_s, down_planned_s, down_unplanned_s, unknown_s
        FROM report.sla_monthly WHERE subject = 'ups-1' AND month = '2024-03'")" \
    "2678400|2582100|6300|90000|0"
expect_eq "occurrences of the daily window" \
    "$(psql -qAt -c "SELECT count(*), min(lower(during)) AT TIME ZONE 'Asia/Jakarta',
        max(upper(during)) AT TIME ZONE 'Asia/Jakarta'
        FROM pantau.maintenance_occurrences('2024-03-01', '2024-04-01') WHERE scope = 'site'")" \
    "3|2024-03-10 22:00:00|2024-03-12 23:00:00"
# Ending the window early cuts its later occurrences (ended_at).
psql -qAt -c "UPDATE pantau.maintenance SET ended_at = '2024-03-11 22:40+07', ended_by = 'sari'
    WHERE scope = 'site'" >/dev/null || fail "end early"
expect_eq "ended early: 10 min of the breaker outage planned" \
    "$(psql -qAt -c "SELECT down_planned_s FROM report.sla_monthly WHERE subject = 'ups-1' AND month = '2024-03'")" \
    "4200"
# Redundancy of a group from the rules file: ups-2 up all month, ups-1 as
# above; N = min_up - 1 = 1.
psql -qAt -c "INSERT INTO pantau.availability (subject_kind, subject, agent, state, during, source)
    VALUES ('device', 'ups-2', 'ag-x', 'up', '[2024-03-01 00:00+07, 2024-04-01 00:00+07)', 'import')" \
    >/dev/null || fail "ups-2 interval"
printf 'groups:\n  - { name: ups-room1, devices: [ups-1, ups-2], min_up: 2 }\nrules:\n  - { name: lost, type: agent_down, severity: info, summary: x }\n' >"$COL_TMP/rules.yaml"
report redundancy --group ups-room1 --rules "$COL_TMP/rules.yaml" --period 2024-03 \
    >"$COL_TMP/red.csv" 2>>"$COL_TMP/r.log" || fail "report redundancy: $(cat "$COL_TMP/r.log")"
expect_eq "redundancy: members N period N+1 N below unknown" \
    "$(grep -v '^#' "$COL_TMP/red.csv" | tail -n +2 | cut -d, -f3,4,7-11)" \
    "ups-1 ups-2,1,2678400,2582100,96300,0,0"
"$CTL" evidence verify "$COL_TMP/red.csv" >/dev/null || fail "redundancy export does not verify"
# --format pdf: the same figures in an A4 report (English, and Indonesian by
# default) with its signed CSV sidecar; verify passes, a 1-byte edit fails.
for t in pdfinfo pdftotext pdftoppm; do
    command -v $t >/dev/null || fail "$t missing (poppler-utils, deploy/packages.txt)"
done
report redundancy --group ups-room1 --rules "$COL_TMP/rules.yaml" --period 2024-03 \
    --format pdf --out "$COL_TMP/red-en.pdf" 2>>"$COL_TMP/r.log" || fail "redundancy pdf: $(cat "$COL_TMP/r.log")"
"$CTL" report redundancy --group ups-room1 --rules "$COL_TMP/rules.yaml" --period 2024-03 \
    --format pdf --out "$COL_TMP/red-id.pdf" --dsn "$dsn" --key "$COL_TMP/keys/evidence.key" \
    2>>"$COL_TMP/r.log" || fail "redundancy pdf (id): $(cat "$COL_TMP/r.log")"
for f in red-en red-id; do
    pdfinfo "$COL_TMP/$f.pdf" >"$COL_TMP/$f.info" 2>"$COL_TMP/pdfinfo.log" || fail "pdfinfo $f"
    [ -s "$COL_TMP/pdfinfo.log" ] && fail "pdfinfo complains about $f: $(cat "$COL_TMP/pdfinfo.log")"
    grep -q "^Page size: *595.276 x 841.89 pts (A4)" "$COL_TMP/$f.info" || fail "$f is not A4"
    sum=$(sha256sum "$COL_TMP/$f.pdf.csv" | cut -d' ' -f1)
    grep -q "^Keywords: *pantau-evidence-sha256=$sum " "$COL_TMP/$f.info" || fail "$f: metadata lacks the sidecar hash"
    pdftoppm -r 40 -png "$COL_TMP/$f.pdf" "$COL_TMP/$f-page" 2>"$COL_TMP/pdftoppm.log" || fail "pdftoppm $f"
    [ -s "$COL_TMP/pdftoppm.log" ] && fail "pdftoppm complains: $(cat "$COL_TMP/pdftoppm.log")"
    expect_eq "$f pages rendered" "$(ls "$COL_TMP/$f"-page-*.png | wc -l)" "$(awk '/^Pages:/ { print $2 }' "$COL_TMP/$f.info")"
    pdftotext -layout "$COL_TMP/$f.pdf" "$COL_TMP/$f.txt" || fail "pdftotext $f"
    grep -q "SHA-256 $sum" "$COL_TMP/$f.txt" || fail "$f: footer lacks the sidecar's SHA-256"
    out=$("$CTL" evidence verify "$COL_TMP/$f.pdf" --pubkey "$COL_TMP/keys/evidence.pub") || fail "verify $f.pdf: $out"
    case $out in valid*) echo "ok - $f.pdf verifies" ;; *) fail "verify $f.pdf said: $out" ;; esac
done
expect_eq "redundancy sidecar = the CSV export" "$(grep -v '^#' "$COL_TMP/red-en.pdf.csv" | cut -d, -f2-)" \
    "$(grep -v '^#' "$COL_TMP/red.csv" | cut -d, -f2-)"
line() { grep "^ *$2" "$1" | head -1 | tr -s ' ' | sed 's/^ //'; }
expect_eq "title (en)" "$(awk -F': *' '/^Title:/ { print $2 }' "$COL_TMP/red-en.info")" "Redundancy Report"
expect_eq "title (id)" "$(awk -F': *' '/^Title:/ { print $2 }' "$COL_TMP/red-id.info")" "Laporan Redundansi"
expect_eq "group row (en)" "$(line "$COL_TMP/red-en.txt" ups-room1)" "ups-room1 ups-1, ups-2 1"
expect_eq "N+1 (en)" "$(line "$COL_TMP/red-en.txt" "N+1 or more")" "N+1 or more 29 d 21:15:00 2,582,100 96.4046%"
expect_eq "at N (en)" "$(line "$COL_TMP/red-en.txt" "Exactly N")" "Exactly N 1 d 02:45:00 96,300 3.5954%"
expect_eq "below N (en)" "$(line "$COL_TMP/red-en.txt" "Below N")" "Below N 0:00:00 0 0.0000%"
expect_eq "period (en)" "$(line "$COL_TMP/red-en.txt" "Whole period")" "Whole period 31 d 00:00:00 2,678,400 100.0000%"
expect_eq "N+1 (id)" "$(line "$COL_TMP/red-id.txt" "N+1 atau lebih")" "N+1 atau lebih 29 hari 21:15:00 2.582.100 96,4046%"
expect_eq "at N (id)" "$(line "$COL_TMP/red-id.txt" "Tepat N")" "Tepat N 1 hari 02:45:00 96.300 3,5954%"
expect_eq "unknown (id)" "$(line "$COL_TMP/red-id.txt" "Tidak diketahui")" "Tidak diketahui 0:00:00 0 0,0000%"
for t in "Grup redundan" "Waktu per tingkat redundansi" "Anggota" "Unit dibutuhkan (N)" "Porsi periode" \
    "Periode: 2024-03-01 00:00:00" "Halaman 1"; do
    grep -qF -- "$t" "$COL_TMP/red-id.txt" || fail "red-id.pdf: '$t' missing"
done
size=$(stat -c %s "$COL_TMP/red-id.pdf")
cp "$COL_TMP/red-id.pdf.csv" "$COL_TMP/t.pdf.csv"
for pos in 0 $((size / 2)) $((size - 2)); do
    /usr/bin/python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); p = int(sys.argv[3])
b[p] = b[p] ^ 0x01 if b[p] not in (0x0a, 0x0b) else 0x41
open(sys.argv[2], "wb").write(b)' "$COL_TMP/red-id.pdf" "$COL_TMP/t.pdf" "$pos" || fail "tamper"
    [ "$(cmp -l "$COL_TMP/red-id.pdf" "$COL_TMP/t.pdf" | wc -l)" = 1 ] || fail "tamper at $pos is not 1 byte"
    "$CTL" evidence verify "$COL_TMP/t.pdf" >/dev/null
    expect_eq "1-byte edit at $pos of $size: verify exit" "$?" "1"
done
report redundancy --group nope --rules "$COL_TMP/rules.yaml" --period 2024-03 >/dev/null 2>"$COL_TMP/bad.log"
expect_eq "unknown group exit status" "$?" "1"
grep -q "no group 'nope'" "$COL_TMP/bad.log" || fail "unknown group message"
# A group's window covers its member devices when the report knows the
# groups (the rules file); without it, only the group subject.
"$CTL" maintenance add --group ups-room1 --from "2024-03-05 02:00+07" --to "2024-03-05 03:00+07" \
    --reason "room works" --by budi --dsn "$dsn" >/dev/null || fail "maintenance add (group)"
expect_eq "group window without the rules file: ups-1 planned,unplanned" \
    "$(report sla --period 2024-03 --subject ups-1 | awk -F, '$3 == "ups-1" { print $9","$10 }')" \
    "4200,92100"
expect_eq "group window with --rules: ups-1 planned,unplanned" \
    "$(report sla --period 2024-03 --subject ups-1 --rules "$COL_TMP/rules.yaml" |
        awk -F, '$3 == "ups-1" { print $9","$10 }')" "7800,88500"
echo "availability_planned: all checks passed"
