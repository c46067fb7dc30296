#!/usr/bin/env bash
# The collector's JSON HTTP API with real processes: pantau-collector on a
# temporary PostgreSQL, curl and raw sockets as clients, pantauctl to check.
#
#   - no token, a wrong token or another scheme: 401 with WWW-Authenticate;
#     the tokens never appear in the collector's log;
#   - a viewer lists and filters alerts and maintenance but may not ack (403);
#     a backup token may only report backup runs;
#   - an operator acks (who, comment; the event names the token) and adds
#     and ends maintenance windows (also monthly ones); pantauctl and
#     report.alerts / report.maintenance show the same; 404 and 409 for a
#     missing or closed one;
#   - hostile requests: a body over the cap (413), bad JSON, unknown keys
#     and wrong types (400, nothing changed), chunked (501), no length (411),
#     a client that stops mid-body (408) while others are served, more
#     connections than the cap; /health and /metrics keep working.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"
source "$PANTAU_ROOT/tests/lib/api.sh"
api_init
base=http://127.0.0.1:$http_port/api/v1

# Three tokens, made as an operator would.
api_token op noc-op operator
api_token view noc-view viewer
api_token bk bk backup
[ ${#op} -ge 64 ] || fail "pantauctl api token printed no token"
api_collector_config
"$collector" --config "$WORK/collector.yaml" --check >/dev/null || fail "--check refused the config"
api_collector_start

q() { psql -Atc "$1"; }
q "INSERT INTO pantau.alerts (rule, device, labels, agent, severity, state, summary, started_at)
   VALUES ('ups_on_battery', 'ups-a', '{}', 'a1', 'critical', 'firing', 'ups-a on battery', now()),
          ('pdu_load_high', 'pdu-1', '{}', 'a1', 'warning', 'firing', 'pdu-1 load high', now()),
          ('ups_on_battery', 'ups-b', '{}', 'a1', 'critical', 'resolved', 'ups-b on battery',
           now() - interval '1 hour')" >/dev/null
ups_a=$(q "select id from pantau.alerts where device = 'ups-a'")
ups_b=$(q "select id from pantau.alerts where device = 'ups-b'")

# call TOKEN METHOD PATH [BODY]: prints "STATUS BODY".
call() {
	local tok=$1 method=$2 path=$3 body=${4:-}
	local args=(-s -o "$WORK/body" -w '%{http_code}' -X "$method")
	[ -n "$tok" ] && args+=(-H "Authorization: Bearer $tok")
	[ -n "$body" ] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	local code
	code=$(curl "${args[@]}" "$base$path")
	echo "$code $(tr -d '\n' <"$WORK/body")"
}
expect() { # expect WHAT WANT_STATUS "STATUS BODY"
	[ "${3%% *}" = "$2" ] || fail "$1: want $2, got: $3"
	echo "ok - $1 ($2)"
}

# ---- authentication ----
expect "no token" 401 "$(call "" GET /alerts)"
curl -s -D "$WORK/h" -o /dev/null "$base/alerts"
grep -qi '^WWW-Authenticate: Bearer' "$WORK/h" || fail "401 without WWW-Authenticate"
expect "wrong token" 401 "$(call "pantau_${op:7:20}x" GET /alerts)"
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Basic $op" "$base/alerts")
[ "$r" = 401 ] || fail "Basic scheme: got $r"
echo "ok - another scheme (401)"
expect "unknown path, authenticated" 404 "$(call "$view" GET /nothing)"
expect "GET on an ack" 405 "$(call "$op" GET "/alerts/$ups_a/ack")"

# ---- viewer: read, filter; no writes ----
r=$(call "$view" GET /alerts)
expect "viewer lists alerts" 200 "$r"
n=$(echo "${r#* }" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["alerts"]))')
[ "$n" = 2 ] || fail "open alerts: got $n, want 2 ($r)"
r=$(call "$view" GET '/alerts?device=ups-*')
echo "$r" | grep -q '"device" : "ups-a"\|"device":"ups-a"' || fail "device filter: $r"
echo "$r" | grep -q 'pdu-1' && fail "device filter let pdu-1 through: $r"
r=$(call "$view" GET '/alerts?state=resolved')
echo "$r" | grep -q 'ups-b' || fail "state=resolved: $r"
echo "$r" | grep -q 'ups-a' && fail "state=resolved listed an open alert: $r"
echo "ok - filters by device glob and state"
expect "bad state filter" 400 "$(call "$view" GET '/alerts?state=burning')"
expect "bad limit" 400 "$(call "$view" GET '/alerts?limit=0')"
expect "viewer may not ack" 403 "$(call "$view" POST "/alerts/$ups_a/ack" '{"by":"x"}')"
expect "viewer may not add maintenance" 403 \
	"$(call "$view" POST /maintenance '{"scope":"device","target":"ups-a","for":"1 hour","reason":"x"}')"
expect "backup token may not list alerts" 403 "$(call "$bk" GET /alerts)"

# ---- operator: ack ----
r=$(call "$op" POST "/alerts/$ups_a/ack" '{"by":"budi","comment":"genset starting"}')
expect "operator acks" 200 "$r"
[ "$(q "select state || ' ' || acked_by || ' ' || ack_comment from report.alerts where id = $ups_a")" = \
	"acknowledged budi genset starting" ] || fail "report.alerts after the ack"
q "select cause from pantau.alert_events where alert_id = $ups_a" | grep -q 'budi: genset starting (API token noc-op)' \
	|| fail "the ack event does not name the token"
"$ctl" alerts | grep "ups-a" | grep -q '\[ack: budi\]' || fail "pantauctl alerts does not show the ack"
echo "ok - the ack is in report.alerts, the event log and pantauctl"
expect "ack of a resolved alert" 409 "$(call "$op" POST "/alerts/$ups_b/ack" '{"by":"budi"}')"
expect "ack of no alert" 404 "$(call "$op" POST /alerts/999999/ack '{"by":"budi"}')"
r=$(call "$op" POST "/alerts/$(q "select id from pantau.alerts where device = 'pdu-1'")/ack" '{}')
expect "ack without by names the token" 200 "$r"
[ "$(q "select acked_by from pantau.alerts where device = 'pdu-1'")" = noc-op ] || fail "acked_by default"

# ---- hostile bodies: refused, nothing changed ----
before=$(q "select count(*) from pantau.alert_events")
expect "bad JSON" 400 "$(call "$op" POST "/alerts/$ups_a/ack" '{"by":"budi",')"
expect "unknown key" 400 "$(call "$op" POST "/alerts/$ups_a/ack" '{"by":"budi","drop":"table"}')"
expect "wrong type" 400 "$(call "$op" POST "/alerts/$ups_a/ack" '{"by":42}')"
expect "duplicate key" 400 "$(call "$op" POST "/alerts/$ups_a/ack" '{"by":"a","by":"b"}')"
expect "trailing bytes" 400 "$(call "$op" POST "/alerts/$ups_a/ack" '{"by":"a"} {}')"
expect "NUL escape" 400 "$(call "$op" POST "/alerts/$ups_a/ack" '{"by":"a\u0000b"}')"
head -c 100000 /dev/zero | tr '\0' 'a' >"$WORK/big"
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $op" \
	--data-binary @"$WORK/big" "$base/alerts/$ups_a/ack")
[ "$r" = 413 ] || fail "huge body: got $r"
echo "ok - a 100 kB body (413)"
r=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $op" \
	-H 'Transfer-Encoding: chunked' --data-binary '{"by":"x"}' "$base/alerts/$ups_a/ack")
[ "$r" = 501 ] || fail "chunked: got $r"
echo "ok - chunked (501)"
# raw PATH REQUEST_BYTES [WAIT]: sends bytes, prints the status line's code.
raw() {
	/usr/bin/python3 - "$http_port" "$1" "${2:-0}" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=30)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
except socket.timeout:
    pass
print(data.split(b" ")[1].decode() if data.startswith(b"HTTP/1.1 ") else "none")
PY
}
r=$(raw "POST /api/v1/alerts/$ups_a/ack HTTP/1.1\r\nAuthorization: Bearer $op\r\n\r\n")
[ "$r" = 411 ] || fail "POST without Content-Length: got $r"
echo "ok - no Content-Length (411)"
r=$(raw "POST /api/v1/alerts/$ups_a/ack HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n")
[ "$r" = 400 ] || fail "two Content-Lengths: got $r"
echo "ok - two different Content-Lengths (400)"
[ "$(q "select count(*) from pantau.alert_events")" = "$before" ] || fail "a refused request changed alerts"
echo "ok - refused requests changed nothing"

# A slow client (half a body, then silence) gets 408, and meanwhile others
# are served: the loop is not blocked.
/usr/bin/python3 - "$http_port" "$op" "$ups_a" >"$WORK/slow.out" 2>&1 <<'PY' &
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=40)
s.sendall(("POST /api/v1/alerts/%s/ack HTTP/1.1\r\nAuthorization: Bearer %s\r\n"
           "Content-Length: 50\r\n\r\n{\"by\":" % (sys.argv[3], sys.argv[2])).encode())
data = b""
while True:
    chunk = s.recv(4096)
    if not chunk:
        break
    data += chunk
print(data.split(b"\r\n")[0].decode())
PY
slow=$!
sleep 1
expect "served while a slow client waits" 200 "$(call "$view" GET /alerts)"
wait "$slow" || fail "slow client script failed"
grep -q "HTTP/1.1 408" "$WORK/slow.out" || fail "slow client: $(cat "$WORK/slow.out")"
echo "ok - a client that stops mid-body gets 408"

# More idle connections than the cap (64): the extra ones are closed, and
# once they go the API answers again.
/usr/bin/python3 - "$http_port" <<'PY'
import socket, sys, time
socks = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(80)]
time.sleep(0.5)
closed = 0
for s in socks:
    s.settimeout(0.2)
    try:
        if s.recv(1) == b"":
            closed += 1
    except (socket.timeout, ConnectionResetError):
        closed += isinstance(sys.exc_info()[1], ConnectionResetError)
for s in socks:
    s.close()
if closed < 16:
    sys.exit("only %d of 80 connections were refused" % closed)
PY
echo "ok - connections past the cap are refused"
wait_until 10 curl -sf -H "Authorization: Bearer $view" "$base/alerts" || fail "API dead after the flood"
echo "ok - the API answers after the flood"

# ---- maintenance ----
r=$(call "$op" POST /maintenance '{"scope":"device","target":"ups-a","for":"2 hours","reason":"battery swap","by":"sari"}')
expect "add a window" 201 "$r"
mid=$(echo "${r#* }" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
"$ctl" maintenance list | grep -q "^$mid device ups-a .* ACTIVE: battery swap (by sari (API token noc-op))" \
	|| fail "pantauctl maintenance list: $("$ctl" maintenance list)"
[ "$(q "select active from report.maintenance where id = $mid")" = t ] || fail "window not active"
r=$(call "$view" GET /maintenance)
expect "viewer lists windows" 200 "$r"
echo "$r" | grep -q 'battery swap' || fail "window missing from the list: $r"
r=$(call "$op" POST /maintenance '{"scope":"site","target":"dc-1","from":"2026-01-31 22:00+07","for":"3 hours","every":"monthly","reason":"genset test"}')
expect "add a monthly window" 201 "$r"
monthly=$(echo "${r#* }" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
# Monthly: the same day each month, the last day in shorter months.
got=$(q "select string_agg(pantau.maintenance_active(m, t::timestamptz)::text, ' ' order by t)
         from pantau.maintenance m, unnest(array['2026-01-31 14:00Z', '2026-01-31 16:00Z',
              '2026-02-28 16:00Z', '2026-02-28 19:00Z', '2026-03-30 16:00Z', '2026-03-31 16:00Z',
              '2026-04-30 15:30Z', '2027-01-31 17:59Z']) t where m.id = $monthly")
[ "$got" = "false true true false false true true true" ] || fail "monthly window activity: $got"
echo "ok - a monthly window opens on the same day (or the month's last) each month"
"$ctl" maintenance add --group ups --for "2 hours" --every monthly --reason "ups test" --by sari >/dev/null \
	|| fail "pantauctl refused --every monthly"
"$ctl" maintenance add --group ups --for "30 days" --every monthly --reason x --by sari >/dev/null 2>&1 \
	&& fail "a monthly window of 30 days was accepted"
echo "ok - pantauctl --every monthly; a window as long as a month is refused"
expect "bad time" 400 "$(call "$op" POST /maintenance '{"scope":"device","target":"x","from":"yesterday-ish","for":"1 hour","reason":"r"}')"
expect "both to and for" 400 "$(call "$op" POST /maintenance '{"scope":"device","target":"x","to":"2030-01-01","for":"1 hour","reason":"r"}')"
expect "bad scope" 400 "$(call "$op" POST /maintenance '{"scope":"room","target":"x","for":"1 hour","reason":"r"}')"
expect "end the window" 200 "$(call "$op" POST "/maintenance/$mid/end" '{"by":"sari"}')"
[ "$(q "select active from report.maintenance where id = $mid")" = f ] || fail "window still active"
"$ctl" maintenance list --all | grep "^$mid " | grep -q "ended by sari (API token noc-op)" \
	|| fail "pantauctl does not show the end"
expect "end it again" 409 "$(call "$op" POST "/maintenance/$mid/end" '{}')"
expect "end no window" 404 "$(call "$op" POST /maintenance/424242/end '{}')"

# ---- the rest still works; secrets stay out of the log ----
curl -sf "http://127.0.0.1:$http_port/metrics" >/dev/null || fail "/metrics broken"
r=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$http_port/metrics")
[ "$r" = 405 ] || fail "POST /metrics: got $r"
echo "ok - /metrics still GET only"
for t in "$op" "$view" "$bk"; do
	grep -qF "${t:7:16}" "$WORK/collector.log" && fail "a token is in the collector log"
done
echo "ok - no token in the log"
proc_stop collector || fail "collector did not stop cleanly"
echo "ok - collector stopped cleanly"
echo "PASS"
