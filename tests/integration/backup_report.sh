#!/usr/bin/env bash
# Backup SLA evidence, exact to the second: a synthetic March 2024 (WIB) of
# agent checks (kind-backup device samples: backup.ok/status/age/size/rpo)
# and of runs posted by backup software (pantau.backup_runs, RPO and size
# range from pantau.backup_jobs) gives known RPO adherence, success rates,
# last good backup, restore-test age and size breaches in `pantauctl report
# backups` (run as a login holding only pantau_auditor), signed and
# verified; report.backups (Grafana) agrees on the last good backup.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_ctl_init 240

psql -v ON_ERROR_STOP=1 -qAt >/dev/null <<'SQL' || fail "inserting the history"
CREATE TABLE pantau.samples_test PARTITION OF pantau.samples
    FOR VALUES FROM ('2024-02-01') TO ('2024-05-01');
INSERT INTO pantau.agents (id, site) VALUES ('ag-1', 'dc');
INSERT INTO pantau.devices (agent_id, name, kind) VALUES ('ag-1', 'simpeg-db', 'backup');
INSERT INTO pantau.series (device_id, metric, unit)
SELECT d.id, m, '' FROM pantau.devices d,
       unnest(ARRAY['backup.ok', 'backup.status', 'backup.age', 'backup.size', 'backup.rpo']) m;
-- checks: (ts, ok, status, age s, size); rpo 26 h sent with each
INSERT INTO pantau.samples (series_id, ts, value)
SELECT s.id, c.ts::timestamptz,
       CASE s.metric WHEN 'backup.ok' THEN c.ok WHEN 'backup.status' THEN c.st
                     WHEN 'backup.age' THEN c.age WHEN 'backup.size' THEN c.size
                     ELSE 93600 END
  FROM pantau.series s, (VALUES
    ('2024-02-29 23:00+07', 1, 0, 3600, 5000),
    ('2024-03-01 23:00+07', 1, 0, 3600, 5000),
    ('2024-03-05 12:00+07', 0, 1, 309600, 5000),
    ('2024-03-10 00:00+07', 1, 0, 0, 5000),
    ('2024-03-10 01:00+07', 1, 0, 3600, 5000),
    ('2024-03-31 23:00+07', 1, 0, 7200, 5000)) AS c(ts, ok, st, age, size);
INSERT INTO pantau.backup_jobs (job, rpo, min_size, max_size) VALUES ('arsip-files', '24h', 1000, 5000);
INSERT INTO pantau.backup_runs (job, source, finished_at, status, size_bytes, restore_test) VALUES
    ('arsip-files', 'bacula', '2024-02-28 12:00+07', 'ok', 2000, true),
    ('arsip-files', 'bacula', '2024-03-01 06:00+07', 'ok', 2000, false),
    ('arsip-files', 'bacula', '2024-03-02 06:00+07', 'failed', NULL, false),
    ('arsip-files', 'bacula', '2024-03-03 06:00+07', 'ok', 9000, true),
    ('arsip-files', 'bacula', '2024-03-15 06:00+07', 'ok', 3000, false),
    ('arsip-files', 'bacula', '2024-04-02 06:00+07', 'ok', 3000, true);
SQL
col_auditor
"$CTL" evidence keygen --dir "$COL_TMP/keys" >/dev/null 2>&1 || fail "keygen"
report() { "$CTL" report backups "$@" --dsn "$AUDIT_DSN" --key "$COL_TMP/keys/evidence.key"; }

report --period 2024-03 --lang en --out "$COL_TMP/b.csv" 2>"$COL_TMP/report.log" \
    || fail "report backups: $(cat "$COL_TMP/report.log")"
expect_eq "columns (en)" "$(grep -m1 '^seq,' "$COL_TMP/b.csv")" \
    "seq,job,period_start,period_end,rpo_s,period_s,within_rpo_s,rpo_breach_s,longest_rpo_breach_s,rpo_adherence_pct,checks,checks_ok,runs,runs_ok,success_pct,success_basis,last_good_backup,last_good_age_s,last_restore_test,restore_test_age_s,size_breaches,chain"
# simpeg-db: made Feb 29 22:00 and Mar 1 22:00 cover Mar 1-2 (2 d); Mar 10
# 00:00 covers 26 h; Mar 31 21:00 covers 3 h. 5 checks in March, 4 ok.
expect_eq "simpeg-db (checks, rpo from backup.rpo)" \
    "$(awk -F, '$2 == "simpeg-db" { print $5","$6","$7","$8","$9","$10","$11","$12","$13","$14","$15","$16","$17","$18","$19","$20","$21 }' "$COL_TMP/b.csv")" \
    "93600,2678400,277200,2401200,1796400,10.3495,5,4,0,0,80.0000,checks,2024-03-31T21:00:00+07:00,10800,,,0"
# arsip-files: ok runs Mar 1, 3, 15 06:00 cover 24 h each; 4 runs in March,
# 3 ok; restore test Mar 3 (the April one is after the period); the 9000 B
# run is above max_size.
expect_eq "arsip-files (runs, rpo and sizes from backup_jobs)" \
    "$(awk -F, '$2 == "arsip-files" { print $5","$6","$7","$8","$9","$10","$11","$12","$13","$14","$15","$16","$17","$18","$19","$20","$21 }' "$COL_TMP/b.csv")" \
    "86400,2678400,259200,2419200,1360800,9.6774,0,0,4,3,75.0000,runs,2024-03-15T06:00:00+07:00,1447200,2024-03-03T06:00:00+07:00,2484000,1"
out=$("$CTL" evidence verify "$COL_TMP/b.csv" --pubkey "$COL_TMP/keys/evidence.pub") \
    || fail "verify: $out"
case $out in valid*) echo "ok - backups export verifies" ;; *) fail "verify said: $out" ;; esac
line=$(grep -n ',simpeg-db,' "$COL_TMP/b.csv" | cut -d: -f1)
sed "${line}s/,277200,/,277201,/" "$COL_TMP/b.csv" >"$COL_TMP/t.csv"
out=$("$CTL" evidence verify "$COL_TMP/t.csv") && fail "an edited backups export verified"
case $out in *"line $line"*"was changed"*) echo "ok - edit named: line $line" ;;
    *) fail "edited export: $out" ;; esac

# JSON, Indonesian (default), one job; numbers are JSON numbers.
report --from 2024-03-01 --to 2024-04-01 --job arsip-files --format json >"$COL_TMP/b.json" \
    2>>"$COL_TMP/report.log" || fail "report backups json"
expect_eq "JSON (id)" "$(/usr/bin/python3 - "$COL_TMP/b.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
r = d["rows"]
print(d["meta"]["report"], len(r), r[0]["tugas_cadangan"], r[0]["detik_dalam_rpo"],
      r[0]["tingkat_keberhasilan_persen"], r[0]["dasar_keberhasilan"], r[0]["pelanggaran_ukuran"])
PY
)" "backups 1 arsip-files 259200 75.0 eksekusi 1"
"$CTL" evidence verify "$COL_TMP/b.json" >/dev/null || fail "JSON export does not verify"

# --format pdf: an A4 report and its signed CSV sidecar; the same figures,
# Indonesian by default, English with --lang en; verify checks the PDF's
# signature, the sidecar's hash it records and the sidecar's chain.
if command -v pdfinfo >/dev/null && command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null; then
    report --period 2024-03 --format pdf --out "$COL_TMP/b-id.pdf" 2>>"$COL_TMP/report.log" \
        || fail "report backups pdf: $(cat "$COL_TMP/report.log")"
    report --period 2024-03 --format pdf --lang en --out "$COL_TMP/b-en.pdf" 2>>"$COL_TMP/report.log" \
        || fail "report backups pdf (en)"
    for f in b-id b-en; do
        pdfinfo "$COL_TMP/$f.pdf" >"$COL_TMP/$f.info" 2>"$COL_TMP/pdfinfo.log" || fail "pdfinfo $f"
        [ -s "$COL_TMP/pdfinfo.log" ] && fail "pdfinfo complains about $f: $(cat "$COL_TMP/pdfinfo.log")"
        grep -q "^Page size: *595.276 x 841.89 pts (A4)" "$COL_TMP/$f.info" || fail "$f is not A4"
        sum=$(sha256sum "$COL_TMP/$f.pdf.csv" | cut -d' ' -f1)
        grep -q "^Keywords: *pantau-evidence-sha256=$sum " "$COL_TMP/$f.info" || fail "$f: metadata lacks the sidecar hash"
        pdftotext -layout "$COL_TMP/$f.pdf" "$COL_TMP/$f.txt" || fail "pdftotext $f"
        grep -q "SHA-256 $sum" "$COL_TMP/$f.txt" || fail "$f: footer lacks the sidecar's SHA-256"
        rm -f "$COL_TMP"/bpage-*.png
        pdftoppm -r 40 -png "$COL_TMP/$f.pdf" "$COL_TMP/bpage" 2>"$COL_TMP/pdftoppm.log" || fail "pdftoppm $f"
        [ -s "$COL_TMP/pdftoppm.log" ] && fail "pdftoppm complains: $(cat "$COL_TMP/pdftoppm.log")"
        expect_eq "$f pages rendered" "$(ls "$COL_TMP"/bpage-*.png | wc -l)" \
            "$(awk '/^Pages:/ { print $2 }' "$COL_TMP/$f.info")"
        out=$("$CTL" evidence verify "$COL_TMP/$f.pdf" --pubkey "$COL_TMP/keys/evidence.pub") \
            || fail "verify $f.pdf: $out"
        case $out in valid*) echo "ok - $f.pdf verifies" ;; *) fail "verify $f.pdf said: $out" ;; esac
    done
    expect_eq "sidecar = the CSV export" "$(grep -v '^#' "$COL_TMP/b-en.pdf.csv" | cut -d, -f2,5-21 | sort)" \
        "$(grep -v '^#' "$COL_TMP/b.csv" | cut -d, -f2,5-21 | sort)"
    expect_eq "Indonesian title" "$(awk -F': *' '/^Title:/ { print $2 }' "$COL_TMP/b-id.info")" \
        "Laporan Pencadangan Data"
    expect_eq "English title" "$(awk -F': *' '/^Title:/ { print $2 }' "$COL_TMP/b-en.info")" "Backup Report"
    for t in "Periode: 2024-03-01 00:00:00" "Kepatuhan RPO per tugas cadangan" \
        "Tingkat keberhasilan per tugas cadangan" "Cadangan baik terakhir dan uji pemulihan" \
        "Tugas cadangan" "Kepatuhan RPO = bagian periode" "Halaman 1"; do
        grep -qF -- "$t" "$COL_TMP/b-id.txt" || fail "b-id.pdf: '$t' missing"
    done
    for t in "Period: 2024-03-01 00:00:00" "RPO adherence per backup job" "Success rate per backup job" \
        "Last good backup and restore test" "Backup job" "Page 1"; do
        grep -qF -- "$t" "$COL_TMP/b-en.txt" || fail "b-en.pdf: '$t' missing"
    done
    nth() { grep "^ *$2 " "$1" | sed -n "${3}p" | tr -s ' ' | sed 's/^ //'; }
    # the figures of the CSV above, formatted: durations, percentages, ratios ok/total
    expect_eq "arsip-files RPO (id)" "$(nth "$COL_TMP/b-id.txt" arsip-files 1)" \
        "arsip-files 1 hari 00:00:00 3 hari 00:00:00 28 hari 00:00:00 15 hari 18:00:00 9,6774%"
    expect_eq "simpeg-db RPO (id)" "$(nth "$COL_TMP/b-id.txt" simpeg-db 1)" \
        "simpeg-db 1 hari 02:00:00 3 hari 05:00:00 27 hari 19:00:00 20 hari 19:00:00 10,3495%"
    expect_eq "arsip-files success (id)" "$(nth "$COL_TMP/b-id.txt" arsip-files 2)" \
        "arsip-files 0/0 3/4 75,0000% eksekusi 1"
    expect_eq "simpeg-db success (id)" "$(nth "$COL_TMP/b-id.txt" simpeg-db 2)" \
        "simpeg-db 4/5 0/0 80,0000% pemeriksaan 0"
    expect_eq "arsip-files last backup (id)" "$(nth "$COL_TMP/b-id.txt" arsip-files 3)" \
        "arsip-files 2024-03-15 06:00 16 hari 18:00:00 2024-03-03 06:00 28 hari 18:00:00"
    expect_eq "simpeg-db last backup (en)" "$(nth "$COL_TMP/b-en.txt" simpeg-db 3)" \
        "simpeg-db 2024-03-31 21:00 3:00:00 – –"
    expect_eq "arsip-files RPO (en)" "$(nth "$COL_TMP/b-en.txt" arsip-files 1)" \
        "arsip-files 1 d 00:00:00 3 d 00:00:00 28 d 00:00:00 15 d 18:00:00 9.6774%"
    expect_eq "simpeg-db success (en)" "$(nth "$COL_TMP/b-en.txt" simpeg-db 2)" \
        "simpeg-db 4/5 0/0 80.0000% checks 0"
    # one byte changed anywhere in the PDF or its sidecar: verify fails
    size=$(stat -c %s "$COL_TMP/b-id.pdf")
    cp "$COL_TMP/b-id.pdf.csv" "$COL_TMP/t.pdf.csv"
    for pos in 0 $((size / 3)) $((size / 2)) $((size - 2)); do
        /usr/bin/python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); p = int(sys.argv[3])
b[p] = b[p] ^ 0x01 if b[p] not in (0x0a, 0x0b) else 0x41
open(sys.argv[2], "wb").write(b)' "$COL_TMP/b-id.pdf" "$COL_TMP/t.pdf" "$pos" || fail "tamper"
        [ "$(cmp -l "$COL_TMP/b-id.pdf" "$COL_TMP/t.pdf" | wc -l)" = 1 ] || fail "tamper at $pos is not 1 byte"
        out=$("$CTL" evidence verify "$COL_TMP/t.pdf"); rc=$?
        expect_eq "1-byte edit at $pos of $size: verify exit" "$rc" "1"
    done
    cp "$COL_TMP/b-id.pdf" "$COL_TMP/t.pdf"
    "$CTL" evidence verify "$COL_TMP/t.pdf" >/dev/null || fail "an untouched copy does not verify"
    sed -i '/,simpeg-db,/s/,277200,/,277201,/' "$COL_TMP/t.pdf.csv"
    [ "$(cmp -l "$COL_TMP/b-id.pdf.csv" "$COL_TMP/t.pdf.csv" | wc -l)" = 1 ] || fail "sidecar tamper is not 1 byte"
    out=$("$CTL" evidence verify "$COL_TMP/t.pdf"); rc=$?
    expect_eq "1-byte edit of the sidecar: verify exit" "$rc" "1"
    case $out in *"is not the one this PDF was made with"*) echo "ok - sidecar edit: $out" ;;
        *) fail "sidecar edit said: $out" ;; esac
    report --period 2024-03 --format pdf >/dev/null 2>"$COL_TMP/bad.log"
    expect_eq "pdf without --out exit status" "$?" "2"
    grep -q -- "--format pdf needs --out" "$COL_TMP/bad.log" || fail "message: $(cat "$COL_TMP/bad.log")"
else
    fail "pdfinfo, pdftotext or pdftoppm missing (poppler-utils, deploy/packages.txt)"
fi

# Grafana's view: the newest good backups (arsip-files' April run counts now).
expect_eq "report.backups" "$(psql -qAt -c "SELECT job, to_char(last_good_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD HH24:MI'),
    extract(epoch FROM rpo)::bigint, to_char(last_restore_test_at AT TIME ZONE 'Asia/Jakarta', 'MM-DD')
    FROM report.backups ORDER BY job" | paste -sd' ')" \
    "arsip-files|2024-04-02 06:00|86400|04-02 simpeg-db|2024-03-31 21:00|93600|"
expect_eq "auditor reads report.backups" \
    "$(psql -qAt -c "SELECT has_table_privilege('pantau_auditor', 'report.backups', 'SELECT')")" "t"

# A job with no RPO anywhere: rates and last backup, adherence left empty;
# --rpo gives one.
psql -qAt -c "INSERT INTO pantau.backup_runs (job, finished_at, status) VALUES
    ('docs', '2024-03-10 00:00+07', 'ok')" >/dev/null || fail "insert docs run"
report --period 2024-03 --job docs --lang en >"$COL_TMP/d.csv" 2>>"$COL_TMP/report.log" || fail "docs"
expect_eq "no RPO: adherence empty" "$(awk -F, '$2 == "docs" { print $5"|"$7"|"$10"|"$15 }' "$COL_TMP/d.csv")" \
    "|||100.0000"
report --period 2024-03 --job docs --lang en --rpo 1d >"$COL_TMP/d.csv" 2>>"$COL_TMP/report.log" || fail "docs --rpo"
expect_eq "--rpo 1d" "$(awk -F, '$2 == "docs" { print $5"|"$7 }' "$COL_TMP/d.csv")" "86400|86400"

# Bad input: clear errors, exit 2.
report --period 2024-03 --rpo soon >/dev/null 2>"$COL_TMP/bad.log"
expect_eq "bad --rpo exit status" "$?" "2"
grep -q "duration like 26h" "$COL_TMP/bad.log" || fail "bad --rpo message"
report --period 2024-03 --bogus 1 >/dev/null 2>&1
expect_eq "unknown option exit status" "$?" "2"
echo "backup_report: all checks passed"
