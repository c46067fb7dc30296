#!/usr/bin/env bash
# Hostile or broken agents lose only their own connection: a frame over the
# cap, undecodable bytes, a first message that is not Hello and a sample of
# an undefined series each close that connection and are counted in
# errors_total, while an agent connected at the same time keeps going and a
# new one afterwards is served.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 240

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
COL_MAX_FRAME=1MiB col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"

# A well-behaved agent, slow enough to be connected through all of this.
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent steady --batches 30 --samples 20 \
    --series 10 --window 1 --pause-ms 100 >"$COL_TMP/steady.log" 2>&1 &
steady=$!
COL_PIDS+=("$steady")
sleep 0.5

for mode in oversize garbage nohello undefined; do
    "$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent "bad-$mode" --mode "$mode" \
        --max-frame 1048576 --timeout 10 >"$COL_TMP/bad-$mode.log" 2>&1 \
        || fail "the collector did not close the $mode connection"
    echo "ok - $mode: connection closed by the collector"
done

wait "$steady" || fail "the steady agent was disturbed"
grep -q "acked=30 " "$COL_TMP/steady.log" || fail "steady agent missed acks"
echo "ok - the steady agent got all 30 acks meanwhile"

"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent after --stream 9 --batches 2 \
    --samples 5 --series 5 >"$COL_TMP/after.log" 2>&1 || fail "a new agent after the errors"
echo "ok - a new connection afterwards is served"

expect_eq "errors_total{frame_too_large}" "$(col_metric errors_total 'reason="frame_too_large"')" 1
expect_eq "errors_total{decode}" "$(col_metric errors_total 'reason="decode"')" 1
expect_eq "errors_total{no_hello}" "$(col_metric errors_total 'reason="no_hello"')" 1
expect_eq "errors_total{undefined_series}" "$(col_metric errors_total 'reason="undefined_series"')" 1
expect_eq "connections_total" "$(col_metric connections_total)" 6
expect_eq "connections_active" "$(col_metric connections_active)" 0
expect_eq "rows stored" "$(psql -qAt -c "SELECT count(*) FROM report.samples")" "$((30 * 20 + 2 * 5))"
grep -q "closing connection from 127.0.0.1:[0-9]* (agent bad-garbage): decode" "$COL_TMP/collector.log" \
    || fail "no log line with peer and reason"
echo "ok - the log names the peer and the reason"

col_stop || fail "collector exited non-zero on SIGTERM"
grep -E "AddressSanitizer|runtime error" "$COL_TMP/collector.log" && fail "sanitizer report"
echo "PASS"
