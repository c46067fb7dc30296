#!/usr/bin/env bash
# Rollups and retention (collector/retain.c) against a real PostgreSQL: the
# 5-minute and hourly rollups hold the exact count, min, max and average of
# the raw samples, and are made again when late data lands in a bucket;
# partitions wholly past their retention are dropped (and nothing else);
# old batch records are deleted; samples older than retention.samples are
# counted and left out; a retention shorter than what it is made from is a
# config error with [file:line].
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 240

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"

# Config errors first.
COL_KEEP_SAMPLES=12h col_config "$COL_TMP/bad1.yaml" "$(pg_tmp_dsn)"
out=$("$COLLECTOR" --config "$COL_TMP/bad1.yaml" --check 2>&1) && fail "12h raw retention accepted"
case $out in *"bad1.yaml:"*"] retention.samples: keep raw samples at least 1d"*)
    echo "ok - retention.samples: 12h refused: $out" ;; *) fail "unexpected: $out" ;; esac
COL_KEEP_SAMPLES=30d col_config "$COL_TMP/bad2.yaml" "$(pg_tmp_dsn)"
printf '  rollups_5m: 7d\n' >>"$COL_TMP/bad2.yaml"
out=$("$COLLECTOR" --config "$COL_TMP/bad2.yaml" --check 2>&1) && fail "rollups_5m < samples accepted"
case $out in *"bad2.yaml:"*"] retention.rollups_5m is shorter than retention.samples"*)
    echo "ok - rollups_5m shorter than samples refused" ;; *) fail "unexpected: $out" ;; esac

COL_KEEP_SAMPLES=3d col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
printf '  rollups_5m: 40d\n  rollups_1h: 800d\n  batches: 2d\n  every: 1s\n' >>"$COL_TMP/c.yaml"
"$COLLECTOR" --config "$COL_TMP/c.yaml" --check >/dev/null 2>&1 || fail "--check"
"$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >"$COL_TMP/migrate.log" 2>&1 || fail "--migrate"

# Partitions and records from long ago, as a database that ran for years
# holds them; and one partition that is not the collector's.
psql -v ON_ERROR_STOP=1 -q <<'SQL' >/dev/null || fail "old partitions"
CREATE TABLE pantau.samples_20200101 PARTITION OF pantau.samples
    FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-01-02 00:00+00');
INSERT INTO pantau.samples VALUES (1, '2020-01-01 12:00+00', 1);
CREATE TABLE pantau.samples_archive PARTITION OF pantau.samples
    FOR VALUES FROM ('2019-01-01 00:00+00') TO ('2019-02-01 00:00+00');
CREATE TABLE pantau.rollups_5m_202001 PARTITION OF pantau.rollups_5m
    FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-02-01 00:00+00');
CREATE TABLE pantau.rollups_1h_2020 PARTITION OF pantau.rollups_1h
    FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2021-01-01 00:00+00');
INSERT INTO pantau.agents (id) VALUES ('ag-old');
INSERT INTO pantau.batches (agent_id, stream, seq, received_at, samples, rolled)
    VALUES ('ag-old', 9, 1, now() - interval '10 days', 5, true),
           ('ag-old', 9, 2, now() - interval '1 day', 5, true);
SQL

col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"
now=$(date +%s%3N)
hour=$(( (now - 86400000) / 3600000 * 3600000 )) # a whole hour, a day ago

# 600 samples of one series, one a second from the hour: g + 0.25 for g in
# 0..599, so the two 5-minute buckets hold g 0..299 and 300..599.
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent ag-1 --stream 1 --batches 1 \
    --samples 600 --series 1 --base-ms "$hour" >"$COL_TMP/agent1.log" 2>&1 || fail "agent run 1"

# wait_for SQL WANT: polls (at most 30 s) until the query answers WANT.
wait_for() {
    local got
    for _ in $(seq 150); do
        got=$(psql -qAt -c "$1")
        [ "$got" = "$2" ] && return 0
        sleep 0.2
    done
    fail "waited for '$1' = '$2', last '$got'"
}
q5="SELECT to_char(ts AT TIME ZONE 'UTC', 'HH24:MI'), count, min, max, round(avg::numeric, 4)
    FROM report.samples_5m WHERE device = 'dev-000' ORDER BY ts"
q1="SELECT count, min, max, round(avg::numeric, 4) FROM report.samples_1h WHERE device = 'dev-000'"
hh=$(date -u -d "@$((hour / 1000))" +%H)
wait_for "SELECT count(*) FROM report.samples_5m WHERE device = 'dev-000'" 2
expect_eq "5-minute rollups" "$(psql -qAt -c "$q5")" "$hh:00|300|0.25|299.25|149.7500
$hh:05|300|300.25|599.25|449.7500"
wait_for "SELECT count(*) FROM report.samples_1h WHERE device = 'dev-000'" 1
expect_eq "hourly rollup" "$(psql -qAt -c "$q1")" "600|0.25|599.25|299.7500"
expect_eq "rollups equal the raw samples" "$(psql -qAt -c "
    SELECT count(*) FROM report.samples_5m r, LATERAL (SELECT count(*) AS n, min(value) AS lo,
        max(value) AS hi FROM report.samples s WHERE s.device = r.device AND s.metric = r.metric
        AND s.ts >= r.ts AND s.ts < r.ts + interval '5 minutes') raw
     WHERE (r.count, r.min, r.max) IS DISTINCT FROM (raw.n, raw.lo, raw.hi)")" "0"

# Late data for the first bucket (another stream: an agent's spool emptying
# after an outage): 0.25 .. 9.25 at minute 2:30. The bucket and the hour are
# made again from the raw samples.
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent ag-1 --stream 2 --batches 1 \
    --samples 10 --series 1 --base-ms $((hour + 150000)) >"$COL_TMP/agent2.log" 2>&1 \
    || fail "agent run 2"
wait_for "SELECT count FROM report.samples_1h WHERE device = 'dev-000'" 610
# (sum(0.25..299.25) + sum(0.25..9.25)) / 310 = (44925 + 47.5) / 310
expect_eq "5-minute rollups after late data" "$(psql -qAt -c "$q5")" "$hh:00|310|0.25|299.25|145.0726
$hh:05|300|300.25|599.25|449.7500"
expect_eq "hourly rollup after late data" "$(psql -qAt -c "$q1")" "610|0.25|599.25|294.9139"

# Samples older than retention.samples (3 days) are counted and left out;
# the batch is still acknowledged.
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent ag-1 --stream 3 --batches 1 \
    --samples 5 --series 1 --base-ms $((now - 10 * 86400000)) >"$COL_TMP/agent3.log" 2>&1 \
    || fail "agent run 3"
grep -q "acked=1 " "$COL_TMP/agent3.log" || fail "old batch not acked"
expect_eq "samples_rejected_total{retention}" \
    "$(col_metric samples_rejected_total 'reason="retention"')" "5"

# Retention: the 2020 partitions go, the rest stays.
parts="SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent IN ('pantau.samples'::regclass, 'pantau.rollups_5m'::regclass,
                          'pantau.rollups_1h'::regclass)
      AND c.relname LIKE '%2020%' OR c.relname = 'samples_archive'"
wait_for "$parts" "samples_archive"
expect_eq "partitions_dropped_total" "$(col_metric partitions_dropped_total)" "3"
wait_for "SELECT string_agg(seq::text, ',') FROM pantau.batches WHERE agent_id = 'ag-old'" "2"
expect_eq "batch_records_deleted_total" "$(col_metric batch_records_deleted_total)" "1"
wait_for "SELECT count(*) FROM pantau.batches WHERE NOT rolled" 0
echo "ok - every batch rolled up, the one whose samples were all refused too"
expect_eq "raw samples kept" "$(psql -qAt -c "SELECT count(*) FROM report.samples")" "610"
expect_eq "retain_failures_total" "$(col_metric retain_failures_total)" "0"
rows=$(col_metric rollup_rows_total)
[ "$rows" -ge 5 ] || fail "rollup_rows_total = $rows"
echo "ok - rollup_rows_total = $rows"
grep -q "dropped pantau.samples_20200101: older than the samples retention (3 days)" \
    "$COL_TMP/collector.log" || fail "the drop is not logged"
echo "ok - drops are logged"

col_stop || fail "collector exit status"
echo "ok - collector stopped cleanly"
