#!/usr/bin/env bash
# PDF reports an auditor can file: `pantauctl report sla|outages --format pdf`
# over a migrated database with a known March 2024 (the sla_report.sh
# history plus 70 rack devices, enough for page breaks), read back with
# poppler: valid PDFs (pdfinfo), rendered (pdftoppm), Indonesian and English
# labels and the exact figures (pdftotext), the sidecar's SHA-256 in the
# footer and the metadata. `pantauctl evidence verify X.pdf` says valid, and
# not valid after a 1-byte edit anywhere in the PDF, an edit of the sidecar,
# a swapped or missing sidecar, or a signature by another key.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_ctl_init 240
for t in pdfinfo pdftotext pdftoppm; do
    command -v $t >/dev/null || { echo "SKIP: $t missing (poppler-utils)"; exit 77; }
done

# ups-1: 1 h unplanned, 2 h planned, 30 min gap + 10 min unknown, two
# adjacent link drops (one 30 min outage); ups-2: 1 h outage, target 99%.
# rack-NN (01..70): down NN*10 minutes on the NNth hour of March 5; rack-70's
# first 4 hours inside a maintenance window.
col_sla_history
psql -v ON_ERROR_STOP=1 -qAt >/dev/null <<'SQL' || fail "inserting intervals"
INSERT INTO pantau.availability (subject_kind, subject, agent, state, planned, cause, during, source)
SELECT 'device', format('rack-%s', lpad(n::text, 2, '0')), 'ag-r', st, false, c, r, 'import'
FROM generate_series(1, 70) AS n,
LATERAL (VALUES
 ('up', NULL, tstzrange('2024-03-01 00:00+07', '2024-03-05 00:00+07'::timestamptz + n * interval '1 hour')),
 ('down', 'rack PDU trip', tstzrange('2024-03-05 00:00+07'::timestamptz + n * interval '1 hour',
     '2024-03-05 00:00+07'::timestamptz + n * interval '1 hour' + n * interval '10 minutes')),
 ('up', NULL, tstzrange('2024-03-05 00:00+07'::timestamptz + n * interval '1 hour' + n * interval '10 minutes',
     '2024-04-01 00:00+07'))
) AS v(st, c, r);
-- a maintenance window over the first 4 h of rack-70's 11:40 outage: planned
INSERT INTO pantau.maintenance (scope, target, starts_at, ends_at, reason, created_by)
VALUES ('device', 'rack-70', '2024-03-07 22:00+07', '2024-03-08 02:00+07', 'PDU swap', 'test');
SQL
col_auditor
"$CTL" evidence keygen --dir "$COL_TMP/keys" >"$COL_TMP/keygen.log" 2>&1 || fail "keygen"
"$CTL" evidence keygen --dir "$COL_TMP/other" >>"$COL_TMP/keygen.log" 2>&1 || fail "keygen other"
PUB=$COL_TMP/keys/evidence.pub
report() { "$CTL" report "$@" --dsn "$AUDIT_DSN"; }
K=(--key "$COL_TMP/keys/evidence.key")

report sla --period 2024-03 --format pdf --out "$COL_TMP/sla-id.pdf" "${K[@]}" \
    2>"$COL_TMP/report.log" || fail "report sla pdf (id)"
report sla --period 2024-03 --format pdf --lang en --out "$COL_TMP/sla-en.pdf" "${K[@]}" \
    2>>"$COL_TMP/report.log" || fail "report sla pdf (en)"
report outages --period 2024-03 --format pdf --out "$COL_TMP/out-id.pdf" "${K[@]}" \
    2>>"$COL_TMP/report.log" || fail "report outages pdf"

# --- valid PDFs, A4, several pages, the evidence in the metadata.
for f in sla-id sla-en out-id; do
    pdfinfo "$COL_TMP/$f.pdf" >"$COL_TMP/$f.info" 2>"$COL_TMP/pdfinfo.log" || fail "pdfinfo $f: $(cat "$COL_TMP/pdfinfo.log")"
    [ -s "$COL_TMP/pdfinfo.log" ] && fail "pdfinfo complains about $f: $(cat "$COL_TMP/pdfinfo.log")"
    sum=$(sha256sum "$COL_TMP/$f.pdf.csv" | cut -d' ' -f1)
    grep -q "^Keywords: *pantau-evidence-sha256=$sum pantau-evidence-key=" "$COL_TMP/$f.info" \
        || fail "$f: metadata lacks the sidecar's SHA-256 $sum: $(cat "$COL_TMP/$f.info")"
    grep -q "^Page size: *595.276 x 841.89 pts (A4)" "$COL_TMP/$f.info" || fail "$f is not A4"
    pages=$(awk '/^Pages:/ { print $2 }' "$COL_TMP/$f.info")
    [ "$pages" -ge 3 ] || fail "$f: $pages pages; 72 subjects and 75 outages need page breaks"
    echo "ok - $f.pdf: $pages A4 pages, sidecar SHA-256 in the metadata"
    pdftotext -layout "$COL_TMP/$f.pdf" "$COL_TMP/$f.txt" 2>>"$COL_TMP/pdfinfo.log" || fail "pdftotext $f"
    grep -q "SHA-256 $sum" "$COL_TMP/$f.txt" || fail "$f: footer lacks the sidecar's SHA-256"
    [ "$(grep -c "SHA-256 $sum" "$COL_TMP/$f.txt")" = "$pages" ] || fail "$f: a page without the evidence footer"
done
expect_eq "Indonesian title" "$(awk -F': *' '/^Title:/ { print $2 }' "$COL_TMP/sla-id.info")" \
    "Laporan Ketersediaan Layanan (SLA)"
expect_eq "English title" "$(awk -F': *' '/^Title:/ { print $2 }' "$COL_TMP/sla-en.info")" \
    "Availability (SLA) Report"
pdftoppm -r 40 -png "$COL_TMP/sla-id.pdf" "$COL_TMP/page" 2>"$COL_TMP/pdftoppm.log" || fail "pdftoppm"
[ -s "$COL_TMP/pdftoppm.log" ] && fail "pdftoppm complains: $(cat "$COL_TMP/pdftoppm.log")"
expect_eq "pages rendered" "$(ls "$COL_TMP"/page-*.png | wc -l)" \
    "$(awk '/^Pages:/ { print $2 }' "$COL_TMP/sla-id.info")"

# --- labels and figures (pdftotext -layout keeps a table row on one line).
need() { # need FILE TEXT...: every TEXT occurs in FILE
    local f=$1 t; shift
    for t in "$@"; do grep -qF -- "$t" "$f" || fail "$(basename "$f"): '$t' missing"; done
}
need "$COL_TMP/sla-id.txt" "Laporan Ketersediaan Layanan (SLA)" "Periode: 2024-03-01 00:00:00" \
    "2024-04-01 00:00:00 (Asia/Jakarta)" "Dibuat pada:" "Target bawaan: 99,741%" \
    "Ketersediaan" "Target" "Waktu henti" "terencana" "tidak terencana" "Tidak diketahui" \
    "Gangguan" "Ringkasan per subjek" "Ketersediaan per subjek terhadap target" \
    "Linimasa status" "Daftar gangguan" "(lanjutan)" "Halaman 2" "PLN outage" "genset test" \
    "rack PDU trip" "Penyebut = seluruh periode"
# ups-1: 99.4400%, target 99.741%, not met, planned 2 h, unplanned 1.5 h, unknown 40 min, 3 outages
row=$(grep -m1 '^ *ups-1 ' "$COL_TMP/sla-id.txt" | tr -s ' ')
expect_eq "ups-1 summary row (id)" "$row" "ups-1 99,4400% 99,741% Tidak terpenuhi 2:00:00 1:30:00 0:40:00 3"
row=$(grep -m1 '^ *ups-2 ' "$COL_TMP/sla-id.txt" | tr -s ' ')
expect_eq "ups-2 summary row, own target" "$row" "ups-2 99,8656% 99,000% Terpenuhi 0:00:00 1:00:00 0:00:00 1"
# rack-70: down 700 min of 2678400 s -> 98.4319%; 4 h planned (the window), 7:40 not; two outages
row=$(grep -m1 '^ *rack-70 ' "$COL_TMP/sla-id.txt" | tr -s ' ')
expect_eq "rack-70 summary row (window)" "$row" "rack-70 98,4319% 99,741% Tidak terpenuhi 4:00:00 7:40:00 0:00:00 2"
expect_eq "rack-70 sidecar row agrees" \
    "$(awk -F, '$3 == "rack-70" { print $9","$10","$12","$17 }' "$COL_TMP/sla-id.pdf.csv")" "14400,27600,98.4319,2"
row=$(grep -m1 'ups-1 *2024-03-10' "$COL_TMP/sla-id.txt" | tr -s ' ')
expect_eq "planned outage row" "$row" "ups-1 2024-03-10 08:00:00 2024-03-10 10:00:00 2:00:00 ya genset test"
need "$COL_TMP/sla-en.txt" "Availability (SLA) Report" "Period: 2024-03-01 00:00:00" \
    "Default target: 99.741%" "Availability" "Planned downtime" "Unplanned" "Unknown" \
    "Outages" "Outage list" "State timeline" "(continued)" "Page 2" "Generated at:"
row=$(grep -m1 '^ *ups-1 ' "$COL_TMP/sla-en.txt" | tr -s ' ')
expect_eq "ups-1 summary row (en)" "$row" "ups-1 99.4400% 99.741% Not met 2:00:00 1:30:00 0:40:00 3"
grep -q "Ketersediaan\|Halaman" "$COL_TMP/sla-en.txt" && fail "Indonesian label in the English PDF"
need "$COL_TMP/out-id.txt" "Laporan Gangguan" "Daftar gangguan" "2024-03-28 01:00:00" "PLN outage"
row=$(grep -m1 'rack-70 *2024-03-07 22:00:00' "$COL_TMP/out-id.txt" | tr -s ' ')
expect_eq "planned part of rack-70's outage" "$row" "rack-70 2024-03-07 22:00:00 2024-03-08 02:00:00 4:00:00 ya rack PDU trip"
echo "ok - labels and figures in id and en"

# --- the sidecar: the signed CSV of the same query, same figures.
awk -F, '$3 == "ups-1" { print $8","$12","$15 }' "$COL_TMP/sla-id.pdf.csv" >"$COL_TMP/side.txt"
expect_eq "sidecar row" "$(cat "$COL_TMP/side.txt")" "2663400,99.4400,tidak"
expect_eq "outage sidecar rows" "$(grep -c '^[0-9]*,device,' "$COL_TMP/out-id.pdf.csv")" "75"
"$CTL" evidence verify "$COL_TMP/sla-id.pdf.csv" --pubkey "$PUB" >/dev/null || fail "sidecar does not verify"

# --- verify: valid, then every way to break it.
for f in sla-id sla-en out-id; do
    out=$("$CTL" evidence verify "$COL_TMP/$f.pdf" --pubkey "$PUB") || fail "verify $f.pdf: $out"
    case $out in valid*"the trusted key)") ;; *) fail "verify $f.pdf said: $out" ;; esac
done
echo "ok - verify: $out"
bad() { # bad FILE EXPECTED-SUBSTRING: verify exits 1 and says so
    local out rc
    out=$("$CTL" evidence verify "$1" --pubkey "$PUB"); rc=$?
    [ $rc = 1 ] || fail "verify $(basename "$1") exit $rc (want 1): $out"
    case $out in *"$2"*) ;; *) fail "verify $(basename "$1") said: $out (want: $2)" ;; esac
}
size=$(stat -c %s "$COL_TMP/sla-id.pdf")
cp "$COL_TMP/sla-id.pdf.csv" "$COL_TMP/t.pdf.csv"
n=0
# 1-byte edits spread over the file: the header, streams, the metadata, the xref, the signature line.
for pos in 0 7 100 $((size / 7)) $((size / 3)) $((size / 2)) $((size * 3 / 4)) $((size - 300)) \
    $((size - 100)) $((size - 2)) $(grep -abo 'pantau-evidence-sha256=' "$COL_TMP/sla-id.pdf" | cut -d: -f1 | head -1); do
    /usr/bin/python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); p = int(sys.argv[3])
b[p] = b[p] ^ 0x01 if b[p] not in (0x0a, 0x0b) else 0x41
open(sys.argv[2], "wb").write(b)' "$COL_TMP/sla-id.pdf" "$COL_TMP/t.pdf" "$pos" || fail "tamper"
    [ "$(cmp -l "$COL_TMP/sla-id.pdf" "$COL_TMP/t.pdf" | wc -l)" = 1 ] || fail "tamper at $pos is not 1 byte"
    "$CTL" evidence verify "$COL_TMP/t.pdf" --pubkey "$PUB" >"$COL_TMP/t.out"
    [ $? = 1 ] || fail "1-byte edit at offset $pos of $size verified: $(cat "$COL_TMP/t.out")"
    n=$((n + 1))
done
echo "ok - $n single-byte edits of the PDF all fail verify"
cp "$COL_TMP/sla-id.pdf" "$COL_TMP/t.pdf"
"$CTL" evidence verify "$COL_TMP/t.pdf" --pubkey "$PUB" >/dev/null || fail "an untouched copy does not verify"
# a figure in the middle of the PDF (the object data before the signature line)
/usr/bin/python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[len(b) // 2] ^= 0x20
open(sys.argv[1], "wb").write(b)' "$COL_TMP/t.pdf"
bad "$COL_TMP/t.pdf" "the PDF was changed after it was signed"
cp "$COL_TMP/sla-id.pdf" "$COL_TMP/t.pdf"
sed -i '/^[0-9]*,device,ups-1,/s/,2663400,/,2663401,/' "$COL_TMP/t.pdf.csv"
[ "$(cmp -l "$COL_TMP/sla-id.pdf.csv" "$COL_TMP/t.pdf.csv" | wc -l)" = 1 ] || fail "sidecar tamper is not 1 byte"
bad "$COL_TMP/t.pdf" "the sidecar t.pdf.csv is not the one this PDF was made with"
cp "$COL_TMP/sla-en.pdf.csv" "$COL_TMP/t.pdf.csv" # valid and signed, but another export
bad "$COL_TMP/t.pdf" "is not the one this PDF was made with"
rm "$COL_TMP/t.pdf.csv"
bad "$COL_TMP/t.pdf" "its sidecar $COL_TMP/t.pdf.csv cannot be read"
head -c -5 "$COL_TMP/sla-id.pdf" >"$COL_TMP/cut.pdf"
cp "$COL_TMP/sla-id.pdf.csv" "$COL_TMP/cut.pdf.csv"
bad "$COL_TMP/cut.pdf" "no intact pantau signature line"
report sla --period 2024-03 --format pdf --out "$COL_TMP/other.pdf" --key "$COL_TMP/other/evidence.key" \
    2>>"$COL_TMP/report.log" || fail "report with the other key"
"$CTL" evidence verify "$COL_TMP/other.pdf" >/dev/null || fail "the other key's PDF is not intact"
bad "$COL_TMP/other.pdf" "signed by another key, not by the trusted key"
echo "ok - sidecar edit, swapped sidecar, missing sidecar, cut PDF, other signer: all not valid"

# --- bad input: exit 2 with a clear message, nothing written.
report sla --period 2024-03 --format pdf "${K[@]}" >/dev/null 2>"$COL_TMP/bad.log"
expect_eq "pdf without --out exit status" "$?" "2"
grep -q -- "--format pdf needs --out" "$COL_TMP/bad.log" || fail "message: $(cat "$COL_TMP/bad.log")"
report sla --period 2024-03 --format pdf --out "$COL_TMP/no/such/dir.pdf" "${K[@]}" 2>"$COL_TMP/bad.log"
expect_eq "unwritable --out exit status" "$?" "1"
[ -e "$COL_TMP/no" ] && fail "something was written for an unwritable --out"
report sla --period 2024-03 --format xml "${K[@]}" >/dev/null 2>"$COL_TMP/bad.log"
expect_eq "unknown format exit status" "$?" "2"
echo "report_pdf: all checks passed"
