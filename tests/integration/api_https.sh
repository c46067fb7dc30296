#!/usr/bin/env bash
# The collector's HTTP side over HTTPS (collector.http_tls): /health,
# /metrics and the token-protected API answer over TLS with the configured
# certificate; a plain HTTP request to that port gets nothing; a TLS
# handshake of garbage leaves the server serving; and a non-loopback http
# address without http_tls is refused with [file:line], so tokens never
# cross a network in clear by accident.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"
source "$PANTAU_ROOT/tests/lib/api.sh"
source "$PANTAU_ROOT/tests/lib/testpki.sh"
api_init
api_token op noc-andi operator
api_token view grafana viewer
api_collector_config

# A server certificate for 127.0.0.1 from a test CA.
pki=$WORK/pki
testpki "$pki" 30 "IP:127.0.0.1,DNS:localhost"

# Not loopback and no http_tls: refused.
sed "s|^  http: 127.0.0.1:$http_port|  http: 0.0.0.0:$http_port|" "$WORK/collector.yaml" >"$WORK/open.yaml"
grep -q "http: 0.0.0.0:" "$WORK/open.yaml" || fail "could not make open.yaml"
out=$("$collector" --config "$WORK/open.yaml" --check 2>&1) && fail "plain HTTP on 0.0.0.0 accepted"
case $out in *"open.yaml:"*"] collector.http: 0.0.0.0:$http_port is not a loopback address; serve it over HTTPS"*)
	echo "ok - plain HTTP on 0.0.0.0 refused: $out" ;; *) fail "unexpected: $out" ;; esac

# HTTPS on 0.0.0.0 (reached here on 127.0.0.1).
sed "s|^  http: 127.0.0.1:$http_port|  http: 0.0.0.0:$http_port\n  http_tls: { cert: pki/server.pem, key: pki/server.key }|" \
	"$WORK/collector.yaml" >"$WORK/https.yaml"
"$collector" --config "$WORK/https.yaml" --check >/dev/null 2>&1 || fail "--check refused http_tls"
proc_start collector "$collector" --config "$WORK/https.yaml"
base=https://127.0.0.1:$http_port
wait_until 30 curl -sf --cacert "$pki/ca.pem" "$base/health" || fail "no /health over HTTPS: $(tail -5 "$WORK/collector.log")"
grep -q "serving /health, /metrics and /api/v1 on https://0.0.0.0:$http_port" "$WORK/collector.log" \
	|| fail "the log does not say https"
health=$(curl -sf --cacert "$pki/ca.pem" "$base/health")
case $health in *'"status":"ok"'*) echo "ok - /health over HTTPS: $health" ;; *) fail "/health: $health" ;; esac
curl -sf --cacert "$pki/ca.pem" "$base/metrics" | grep -q '^pantau_collector_frames_received_total ' \
	|| fail "/metrics over HTTPS"
echo "ok - /metrics over HTTPS"

code() { curl -s -o "$WORK/body" -w '%{http_code}' --cacert "$pki/ca.pem" "$@"; }
[ "$(code "$base/api/v1/alerts")" = 401 ] || fail "no token: $(cat "$WORK/body")"
echo "ok - API without a token: 401"
[ "$(code -H "Authorization: Bearer $view" "$base/api/v1/alerts")" = 200 ] \
	|| fail "viewer GET alerts: $(cat "$WORK/body")"
echo "ok - API with a token over HTTPS: 200"
# A request with a body (the head and body arrive decrypted in one piece).
note=$(head -c 1900 /dev/zero | tr '\0' x)
[ "$(code -H "Authorization: Bearer $op" -H 'Content-Type: application/json' \
	--data-binary "{\"scope\":\"device\",\"target\":\"ups-1\",\"from\":\"2026-12-01 22:00+07\",\"for\":\"2 hours\",\"reason\":\"$note\"}" \
	"$base/api/v1/maintenance")" = 201 ] || fail "POST maintenance over HTTPS: $(cat "$WORK/body")"
[ "$(psql -Atc "select length(reason) from pantau.maintenance")" = 1900 ] || fail "the body did not arrive whole"
echo "ok - POST with a 2 KB body over HTTPS: 201, stored whole"

# The wrong CA, plain HTTP, and garbage: refused; the server keeps serving.
if curl -sf --cacert /etc/ssl/certs/ca-certificates.crt "$base/health" >/dev/null 2>&1; then
	fail "a client trusting only the system CAs accepted the test certificate"
fi
echo "ok - a client that does not trust the CA refuses the server"
if curl -sf -m 5 "http://127.0.0.1:$http_port/health" >/dev/null 2>&1; then
	fail "plain HTTP was answered on the HTTPS port"
fi
echo "ok - plain HTTP to the HTTPS port gets no answer"
head -c 4096 /dev/urandom >"$WORK/garbage"
/usr/bin/python3 - "$http_port" "$WORK/garbage" <<'PY' || true
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(open(sys.argv[2], "rb").read())
try:
    s.recv(100)
except OSError:
    pass
s.close()
PY
curl -sf --cacert "$pki/ca.pem" "$base/health" >/dev/null || fail "the server stopped serving after garbage"
echo "ok - garbage instead of a ClientHello: connection dropped, server still serving"

proc_stop collector || fail "collector did not stop cleanly"
! grep -q "ERROR: AddressSanitizer\|runtime error" "$WORK/collector.log" || fail "sanitizer report"
echo "api_https ok"
