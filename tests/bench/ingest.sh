#!/usr/bin/env bash
# Ingest benchmark: binary COPY straight into PostgreSQL against the whole
# collector path (TCP, decode, writer thread, COPY, commit, ack) for the same
# rows. Prints figures; asserts nothing about timing.
#
#   PANTAU_BUILD=build tests/bench/ingest.sh [ROWS] [AGENTS]
#
# Defaults: 2,000,000 rows across 1,000 series; 4 agents sending batches of
# 5,000 samples with up to 8 batches in flight each.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 900

rows=${1:-2000000}
agents=${2:-4}
series=1000
per_batch=5000
per_agent=$((rows / agents))
batches=$((per_agent / per_batch))
rows=$((batches * per_batch * agents))

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
echo "rows=$rows series=$series agents=$agents batch=$per_batch"

"$COL_BUILD/collector/bench_raw_copy" "$rows" "$series" | tee "$COL_TMP/raw.txt" || fail "raw copy"
raw=$(sed -n 's/.*raw_copy_rows_per_s=\([0-9]*\).*/\1/p' "$COL_TMP/raw.txt")
psql -qAt -c "CHECKPOINT" >/dev/null

COL_MAX_QUEUE=${COL_MAX_QUEUE:-64} col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
sed -i 's/log_level: info/log_level: warn/' "$COL_TMP/c.yaml"
"$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >"$COL_TMP/migrate.log" 2>&1 || fail "migrate"
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"

start=$(date +%s.%N)
pids=()
for i in $(seq "$agents"); do
    "$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent "bench-$i" --batches "$batches" \
        --samples "$per_batch" --series $((series / agents)) --window 8 --timeout 120 \
        >"$COL_TMP/agent-$i.txt" 2>&1 &
    pids+=($!)
    COL_PIDS+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "agent $p"; done
end=$(date +%s.%N)
stored=$(psql -qAt -c "SELECT count(*) FROM pantau.samples")
[ "$stored" = "$rows" ] || fail "stored $stored of $rows rows"
cpu=$(awk '{ print ($14 + $15) / 100 }' "/proc/$COL_PID/stat")
rss=$(awk '/VmHWM/ { print $2 }' "/proc/$COL_PID/status")
commit=$(col_metric store_commit_seconds_total)
col_stop || fail "collector stop"

awk -v rows="$rows" -v s="$start" -v e="$end" -v raw="$raw" -v cpu="$cpu" -v rss="$rss" \
    -v commit="$commit" 'BEGIN {
    secs = e - s; rate = rows / secs
    printf "collector_seconds=%.3f collector_samples_per_s=%.0f\n", secs, rate
    printf "collector_cpu_seconds=%.2f collector_cpu_s_per_1000_samples=%.6f collector_peak_rss_kib=%d\n", cpu, cpu * 1000 / rows, rss
    printf "collector_store_commit_seconds=%.3f\n", commit
    printf "ratio_collector_to_raw_copy=%.2f\n", rate / raw
}'
