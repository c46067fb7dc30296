#!/usr/bin/env bash
# Alert benchmark. Prints figures; asserts nothing about timing.
#
#   PANTAU_BUILD=build tests/bench/alerts.sh [ROWS]
#
# 1. The engine alone (bench_alerts): the default Tier-2 pack on 10,000
#    series, 100 samples each: rule evaluations per second, ns per sample.
# 2. The whole collector (fake agents -> TCP -> COPY -> commit -> evaluate)
#    for the same ROWS (default 2,000,000 across 1,000 series) three times:
#    without rules, with the default pack (whose rules do not match the fake
#    agents' "m.N" metrics: the cost of looking a series up), and with a pack
#    that puts a threshold rule on every series. The difference in collector
#    CPU per 1,000 samples is what evaluation adds.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 900
root=$(cd "$here/../.." && pwd)

rows=${1:-2000000}
agents=4
series=1000
per_batch=5000
batches=$((rows / agents / per_batch))
rows=$((batches * per_batch * agents))

"$COL_BUILD/collector/bench_alerts" "$root/deploy/rules/tier2.yaml" 10000 100 \
    || fail "bench_alerts"

cat >"$COL_TMP/every.yaml" <<'YAML'
rules:
  - { name: bench_high, metric: "m.*", above: 1e300, clear_below: 1e299 }
  - { name: bench_low, metric: "m.*", below: -1e300, clear_above: -1e299 }
YAML

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
echo "rows=$rows series=$series agents=$agents batch=$per_batch"

# run LABEL [RULES_FILE]: one ingest; prints CPU per 1,000 samples.
run() {
    local label=$1 rules=${2:-}
    psql -qAt -c "DROP SCHEMA IF EXISTS pantau CASCADE; DROP SCHEMA IF EXISTS report CASCADE" \
        >/dev/null 2>&1
    col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
    sed -i 's/log_level: info/log_level: warn/' "$COL_TMP/c.yaml"
    [ -n "$rules" ] && printf 'alerts:\n  rules: %s\n' "$rules" >>"$COL_TMP/c.yaml"
    "$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >"$COL_TMP/migrate.log" 2>&1 || fail "migrate"
    col_start "$COL_TMP/c.yaml" "$COL_TMP/collector-$label.log"
    local start end pids=() i
    start=$(date +%s.%N)
    for i in $(seq "$agents"); do
        "$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent "bench-$i" --batches "$batches" \
            --samples "$per_batch" --series $((series / agents)) --window 8 --timeout 120 \
            >"$COL_TMP/agent-$i.txt" 2>&1 &
        pids+=($!)
        COL_PIDS+=($!)
    done
    for i in "${pids[@]}"; do wait "$i" || fail "agent $i"; done
    end=$(date +%s.%N)
    local stored cpu
    stored=$(psql -qAt -c "SELECT count(*) FROM pantau.samples")
    [ "$stored" = "$rows" ] || fail "$label: stored $stored of $rows rows"
    cpu=$(awk '{ print ($14 + $15) / 100 }' "/proc/$COL_PID/stat")
    col_stop || fail "collector stop"
    awk -v l="$label" -v rows="$rows" -v s="$start" -v e="$end" -v cpu="$cpu" 'BEGIN {
        printf "%s: seconds=%.3f samples_per_s=%.0f cpu_seconds=%.2f cpu_s_per_1000_samples=%.6f\n",
            l, e - s, rows / (e - s), cpu, cpu * 1000 / rows }' | tee -a "$COL_TMP/runs.txt"
}

run no_rules
run default_pack "$root/deploy/rules/tier2.yaml"
run rule_on_every_series "$COL_TMP/every.yaml"
awk -v rows="$rows" '
    { for (i = 1; i <= NF; i++) if ($i ~ /^cpu_seconds=/) { split($i, kv, "="); cpu[NR] = kv[2] } }
    END {
        printf "added_cpu_us_per_sample_default_pack=%.3f\n", (cpu[2] - cpu[1]) * 1e6 / rows
        printf "added_cpu_us_per_sample_rules_on_every_series=%.3f\n", (cpu[3] - cpu[1]) * 1e6 / rows
    }' "$COL_TMP/runs.txt"
