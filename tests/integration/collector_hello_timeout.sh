#!/usr/bin/env bash
# A client that connects and then says nothing holds a slot for at most 30 s:
# the collector closes it, logs why and counts it in
# errors_total{reason="hello_timeout"}, while an agent that connects at the
# same time is served at once. (Waits about 35 s by design.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 180

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"

# The silent client: connect, send nothing, report when the server closes.
/usr/bin/python3 - "$COL_PORT" >"$COL_TMP/silent.out" 2>&1 <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(60)
start = time.monotonic()
try:
    data = s.recv(1)
    print("closed after %.0f s, %d bytes" % (time.monotonic() - start, len(data)))
except socket.timeout:
    print("still open after 60 s")
PY
silent=$!
COL_PIDS+=("$silent")
sleep 1

# Meanwhile a real (fake) agent is served without waiting for the silent one.
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent prompt --batches 3 --samples 10 \
    --series 5 --window 1 --timeout 10 >"$COL_TMP/prompt.log" 2>&1 \
    || fail "an agent was not served while a silent client was connected"
echo "ok - an agent is served while a silent client holds a connection"

wait "$silent"
out=$(cat "$COL_TMP/silent.out")
case $out in
"closed after "*", 0 bytes") ;;
*) fail "silent client: $out" ;;
esac
secs=$(sed -n 's/closed after \([0-9]*\) s.*/\1/p' "$COL_TMP/silent.out")
[ "$secs" -ge 29 ] || fail "the silent client was closed after $secs s, before the 30 s allowed"
echo "ok - silent client closed by the collector ($out)"
grep -q "no Hello within 30 s" "$COL_TMP/collector.log" || fail "no log line for the timeout"
echo "ok - the timeout is logged"
expect_eq "errors_total{hello_timeout}" "$(col_metric errors_total 'reason="hello_timeout"')" 1
