#!/usr/bin/env bash
# Ingest benchmark, in one run and on one temporary PostgreSQL:
#  1. raw binary COPY of the rows straight into a table shaped like
#     pantau.samples (bench_raw_copy: the ceiling);
#  2. the whole collector path from AGENTS fake agents over mutual TLS 1.3
#     (certificates made with pantauctl): TLS, decode, writer thread, COPY,
#     commit, ack, into a fresh database;
#  3. the same over plaintext TCP, into another fresh database;
# then the rollup job over the plaintext run's rows (collector/retain.c),
# then bytes per sample on the wire (TCP payload the agents sent, TLS records
# included, and the plaintext frames inside) and in the agent's spool
# (bench_spool: the agent's own spool code on a typical site's polls).
# Prints figures; asserts nothing about timing (only that every row arrived).
#
#   PANTAU_BUILD=build tests/bench/ingest.sh [ROWS] [AGENTS]
#
# Defaults: 2,000,000 rows across 1,000 series; 4 agents sending batches of
# 5,000 samples with up to 8 batches in flight each.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 1800

rows=${1:-2000000}
agents=${2:-4}
series=1000
per_batch=5000
per_agent=$((rows / agents))
batches=$((per_agent / per_batch))
rows=$((batches * per_batch * agents))
[ "$rows" -gt 0 ] || fail "ROWS must be at least AGENTS x $per_batch"
CTL=$COL_BUILD/collector/ctl/pantauctl
SPOOL_BENCH=$COL_BUILD/agent/bench_spool
for b in "$CTL" "$SPOOL_BENCH" "$COL_BUILD/collector/bench_raw_copy"; do
    [ -x "$b" ] || fail "missing $b (build first)"
done

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
echo "rows=$rows series=$series agents=$agents batch=$per_batch"

# Certificates for the TLS run: a CA, the collector (127.0.0.1), one per agent.
pki=$COL_TMP/pki
"$CTL" certs init --dir "$pki" >"$COL_TMP/ctl.log" 2>&1 || fail "pantauctl certs init"
"$CTL" certs collector 127.0.0.1 --dir "$pki" >>"$COL_TMP/ctl.log" 2>&1 \
    || fail "pantauctl certs collector"
for i in $(seq "$agents"); do
    "$CTL" certs agent "bench-$i" --dir "$pki" >>"$COL_TMP/ctl.log" 2>&1 \
        || fail "pantauctl certs agent bench-$i"
done

"$COL_BUILD/collector/bench_raw_copy" "$rows" "$series" | tee "$COL_TMP/raw.txt" || fail "raw copy"
raw=$(sed -n 's/.*raw_copy_rows_per_s=\([0-9]*\).*/\1/p' "$COL_TMP/raw.txt")
[ -n "$raw" ] || fail "bench_raw_copy printed no rate"

# collector_run NAME tls|plain: a fresh database pantau_NAME, a collector on
# it, AGENTS fake agents; writes $COL_TMP/NAME.txt (key=value figures).
collector_run() {
    local name=$1 mode=$2 db=pantau_$1 i
    psql -qAt -c "CHECKPOINT" >/dev/null
    psql -qAt -c "CREATE DATABASE $db" >/dev/null || fail "create database $db"
    COL_MAX_QUEUE=${COL_MAX_QUEUE:-64} col_config "$COL_TMP/$name.yaml" \
        "host=$PGHOST port=$PGPORT user=postgres dbname=$db"
    sed -i 's/log_level: info/log_level: warn/' "$COL_TMP/$name.yaml"
    local tls_args=()
    if [ "$mode" = tls ]; then
        sed -i "s|^  plaintext: true\$|  tls: { ca: $pki/ca.pem, cert: $pki/collector.pem, key: $pki/collector.key }|" \
            "$COL_TMP/$name.yaml"
        grep -q "tls: { ca:" "$COL_TMP/$name.yaml" || fail "no tls line in $name.yaml"
    fi
    "$COLLECTOR" --config "$COL_TMP/$name.yaml" --migrate >"$COL_TMP/migrate-$name.log" 2>&1 \
        || fail "migrate $db"
    col_start "$COL_TMP/$name.yaml" "$COL_TMP/collector-$name.log"

    local start end pids=()
    start=$(date +%s.%N)
    for i in $(seq "$agents"); do
        [ "$mode" = tls ] && tls_args=(--tls-ca "$pki/ca.pem" --tls-cert "$pki/agents/bench-$i.pem"
            --tls-key "$pki/agents/bench-$i.key")
        "$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent "bench-$i" --batches "$batches" \
            --samples "$per_batch" --series $((series / agents)) --window 8 --timeout 120 \
            "${tls_args[@]}" >"$COL_TMP/agent-$name-$i.log" 2>&1 &
        pids+=($!)
        COL_PIDS+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || fail "$name agent bench-$((i + 1)) failed"
    done
    end=$(date +%s.%N)
    local stored cpu rss commit
    stored=$(psql -d "$db" -qAt -c "SELECT count(*) FROM pantau.samples")
    [ "$stored" = "$rows" ] || fail "$name: stored $stored of $rows rows"
    cpu=$(awk '{ print ($14 + $15) / 100 }' "/proc/$COL_PID/stat")
    rss=$(awk '/VmHWM/ { print $2 }' "/proc/$COL_PID/status")
    commit=$(col_metric store_commit_seconds_total)
    if [ "$mode" = tls ]; then
        [ "$(col_metric tls_handshakes_total)" -ge "$agents" ] \
            || fail "the collector counted fewer than $agents TLS handshakes"
    fi
    col_stop || fail "$name collector stop"
    cat "$COL_TMP"/agent-"$name"-*.log | grep -h "tls=" | awk -v rows="$rows" -v s="$start" \
        -v e="$end" -v cpu="$cpu" -v rss="$rss" -v commit="$commit" '
    {
        for (i = 2; i <= NF; i++) { split($i, kv, "="); sum[kv[1]] += kv[2] }
        tls = $2
    }
    END {
        secs = e - s
        printf "seconds=%.3f samples_per_s=%.0f cpu_seconds=%.2f cpu_s_per_1000_samples=%.6f peak_rss_kib=%d store_commit_seconds=%.3f\n", \
            secs, rows / secs, cpu, cpu * 1000 / rows, rss, commit
        printf "samples_sent=%d wire_bytes_out=%d wire_bytes_per_sample=%.2f batch_frame_bytes_per_sample=%.2f wire_bytes_in=%d\n", \
            sum["samples_sent"], sum["wire_bytes_out"], sum["wire_bytes_out"] / sum["samples_sent"], \
            sum["batch_frame_bytes"] / sum["samples_sent"], sum["wire_bytes_in"]
    }' >"$COL_TMP/$name.txt"
    grep -q "samples_sent=$rows " "$COL_TMP/$name.txt" || fail "$name: the agents report other than $rows samples sent"
    local want=no
    [ "$mode" = tls ] && want=yes
    [ "$(cat "$COL_TMP"/agent-"$name"-*.log | grep -c "tls=$want ")" = "$agents" ] \
        || fail "$name: not every agent ran with tls=$want"
    sed "s/^/collector_${name}_/; s/ / collector_${name}_/g" "$COL_TMP/$name.txt"
}

collector_run tls tls
collector_run plain plain

# Rollups: the plain run's rows rolled up from scratch by the collector's
# job (collector/retain.c), as after a day of ingest: every batch marked not
# rolled up, the rollup tables emptied, a collector started with every: 1s.
psql -d pantau_plain -qAt -c "UPDATE pantau.batches SET rolled = false" \
    -c "TRUNCATE pantau.rollups_5m, pantau.rollups_1h" >/dev/null || fail "resetting rollups"
printf '  every: 1s\n' >>"$COL_TMP/plain.yaml"
col_start "$COL_TMP/plain.yaml" "$COL_TMP/collector-rollup.log"
for _ in $(seq 1200); do
    [ "$(psql -d pantau_plain -qAt -c "SELECT count(*) FROM pantau.batches WHERE NOT rolled")" = 0 ] && break
    sleep 0.5
done
[ "$(psql -d pantau_plain -qAt -c "SELECT count(*) FROM pantau.batches WHERE NOT rolled")" = 0 ] \
    || fail "the rollup job did not finish"
sleep 1.5 # the run that finished has reported its time
rollup_s=$(col_metric retain_seconds_total)
rollup_rows=$(col_metric rollup_rows_total)
[ "$(col_metric retain_failures_total)" = 0 ] || fail "rollup runs failed"
col_stop || fail "rollup collector stop"
awk -v r="$rows" -v s="$rollup_s" -v n="$rollup_rows" 'BEGIN {
    printf "rollup_seconds=%.3f rollup_samples_per_s=%.0f rollup_rows_written=%d\n", s, r / s, n }' \
    | tee "$COL_TMP/rollup.txt"

# Bytes per sample in the agent's spool: one hour of a 200 values/s site
# written by the agent's spool code (tests/bench/spool.sh runs a whole day).
sdir=$(mktemp -d /var/tmp/pantau-bench-spool.XXXXXX)
ASAN_OPTIONS=detect_leaks=0 "$SPOOL_BENCH" "$sdir" 3600 never >"$COL_TMP/spool.txt" 2>&1
src=$?
rm -rf "$sdir"
[ "$src" = 0 ] || { cat "$COL_TMP/spool.txt"; fail "bench_spool"; }
spool_bps=$(sed -n 's/.*spool_bytes_per_sample=\([0-9.]*\).*/\1/p' "$COL_TMP/spool.txt")
grep "spool_bytes_per_sample" "$COL_TMP/spool.txt"

fig() { sed -n "s/.*\\b$2=\\([0-9.]*\\).*/\\1/p" "$COL_TMP/$1.txt"; }
echo "--- summary"
awk -v raw="$raw" -v tls="$(fig tls samples_per_s)" -v plain="$(fig plain samples_per_s)" \
    -v wt="$(fig tls wire_bytes_per_sample)" -v wp="$(fig plain wire_bytes_per_sample)" \
    -v fr="$(fig tls batch_frame_bytes_per_sample)" -v sp="$spool_bps" 'BEGIN {
    printf "raw_copy_rows_per_s=%d\n", raw
    printf "collector_tls_samples_per_s=%d ratio_tls_to_raw_copy=%.2f\n", tls, tls / raw
    printf "collector_plaintext_samples_per_s=%d ratio_plaintext_to_raw_copy=%.2f\n", plain, plain / raw
    printf "wire_bytes_per_sample_tls=%.2f wire_bytes_per_sample_plaintext=%.2f batch_frame_bytes_per_sample=%.2f\n", wt, wp, fr
    printf "spool_bytes_per_sample=%s\n", sp
}'
cat "$COL_TMP/rollup.txt"
