#!/usr/bin/env bash
# HTTP and HTTPS probes against real servers (Python's http.server, over TLS
# with a certificate from a test CA made with openssl): status, time and the
# certificate's remaining life; a status other than 2xx/3xx, an untrusted
# certificate, a refused connection and a name that does not resolve are
# targets that are down, each with its reason; the request carries the Host
# header; a bad URL is a [file:line] error.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/testpki.sh"

agent=$PANTAU_BUILD/agent/pantau-agent
[ -x "$agent" ] || fail "missing $agent"

# A test CA and a server certificate for localhost and 127.0.0.1, 30 days.
pki=$WORK/pki
testpki "$pki" 30 "DNS:localhost,IP:127.0.0.1"
not_after=$(date -d "$(openssl x509 -in "$pki/server.pem" -noout -enddate | cut -d= -f2)" +%s)

tls_port=$(free_port)
plain_port=$(free_port)
closed_port=$(free_port)
cat >"$WORK/server.py" <<'PY'
import http.server, ssl, sys
port, cert, key, seen = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        with open(seen, "a") as f:
            f.write(f"{self.path} {self.headers.get('Host')}\n")
        code = 404 if self.path.startswith("/missing") else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), H)
if cert != "-":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
proc_start https /usr/bin/python3 "$WORK/server.py" "$tls_port" "$pki/server.pem" "$pki/server.key" "$WORK/seen"
proc_start http /usr/bin/python3 "$WORK/server.py" "$plain_port" - - "$WORK/seen-plain"
wait_until 20 bash -c "echo > /dev/tcp/127.0.0.1/$tls_port" || fail "HTTPS server did not start"
wait_until 20 bash -c "echo > /dev/tcp/127.0.0.1/$plain_port" || fail "HTTP server did not start"

cat >"$WORK/agent.yaml" <<YAML
agent: { id: probe-http, interval: 30s }
devices:
  - name: web
    kind: server
    probe:
      http:
        - { url: "https://localhost:$tls_port/health?full=1", ca: pki/ca.pem }
        - { url: "https://127.0.0.1:$tls_port/missing", ca: pki/ca.pem }
        - "http://127.0.0.1:$plain_port/"
        - { url: "http://127.0.0.1:$closed_port/", timeout: 2s }
        - "https://no-such-host.invalid/"
      up: any
  - name: untrusted
    kind: server
    probe:
      http: [ "https://localhost:$tls_port/", { url: "https://127.0.0.1:$tls_port/", verify: false } ]
      up: any
YAML
"$agent" --config "$WORK/agent.yaml" --check >"$WORK/check.log" 2>&1 || fail "--check: $(cat "$WORK/check.log")"
rc=0
"$agent" --config "$WORK/agent.yaml" --log-level info --once >"$WORK/once.jsonl" 2>"$WORK/once.log" || rc=$?
[ "$rc" = 0 ] || fail "--once exit $rc with every device up (up: any): $(tail -5 "$WORK/once.log")"

# value DEVICE METRIC URL: the value printed for one series ("absent" if none).
value() {
	/usr/bin/python3 - "$WORK/once.jsonl" "$@" <<'PY'
import json, sys
f, dev, metric, url = sys.argv[1:5]
for line in open(f):
    r = json.loads(line)
    if r.get("device") == dev and r.get("metric") == metric and r.get("labels", {}).get("url") == url:
        print(r["value"])
        break
else:
    print("absent")
PY
}
expect() { [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"; echo "ok - $1 = $3"; }

u=https://localhost:$tls_port/health?full=1
expect "https up" "$(value web probe.http.up "$u")" 1
expect "https status" "$(value web probe.http.status "$u")" 200
t=$(value web probe.http.time "$u")
/usr/bin/python3 -c "import sys; sys.exit(0 if 0 < float(sys.argv[1]) < 5 else 1)" "$t" || fail "time $t"
echo "ok - https time = $t s"
e=$(value web probe.tls.cert_expiry "$u")
/usr/bin/python3 -c "
import sys, time
e, na = float(sys.argv[1]), int(sys.argv[2])
sys.exit(0 if abs(e - (na - time.time())) < 120 else 1)" "$e" "$not_after" \
	|| fail "cert_expiry $e s does not match notAfter $(date -d "@$not_after")"
echo "ok - certificate expiry = $e s (30 days)"
grep -qx "/health?full=1 localhost:$tls_port" "$WORK/seen" || fail "request line or Host header: $(cat "$WORK/seen")"
echo "ok - GET path and Host header as the URL says"
expect "404 is down" "$(value web probe.http.up "https://127.0.0.1:$tls_port/missing")" 0
expect "404 status" "$(value web probe.http.status "https://127.0.0.1:$tls_port/missing")" 404
expect "plain http up" "$(value web probe.http.up "http://127.0.0.1:$plain_port/")" 1
expect "plain http: no certificate" "$(value web probe.tls.cert_expiry "http://127.0.0.1:$plain_port/")" absent
expect "refused is down" "$(value web probe.http.up "http://127.0.0.1:$closed_port/")" 0
expect "refused: no status" "$(value web probe.http.status "http://127.0.0.1:$closed_port/")" absent
expect "unknown name is down" "$(value web probe.http.up "https://no-such-host.invalid/")" 0
# Not trusted by the system's CAs: down, yet its expiry is known.
expect "untrusted is down" "$(value untrusted probe.http.up "https://localhost:$tls_port/")" 0
[ "$(value untrusted probe.tls.cert_expiry "https://localhost:$tls_port/")" != absent ] \
	|| fail "no expiry for an untrusted certificate"
echo "ok - an untrusted certificate still shows its expiry"
expect "verify: false is up" "$(value untrusted probe.http.up "https://127.0.0.1:$tls_port/")" 1

# The reasons, as the poll reports them (the devices are up: any, so the
# reasons show with --log-level debug only; run a device that is down).
cat >"$WORK/down.yaml" <<YAML
agent: { id: probe-http, interval: 30s }
devices:
  - name: down
    kind: server
    probe:
      http: [ "https://127.0.0.1:$tls_port/missing", "http://127.0.0.1:$closed_port/",
              "https://localhost:$tls_port/", "https://no-such-host.invalid/" ]
YAML
rc=0
"$agent" --config "$WORK/down.yaml" --once >"$WORK/down.jsonl" 2>"$WORK/down.log" || rc=$?
[ "$rc" != 0 ] || fail "--once succeeded with every target down"
for why in "http https://127.0.0.1:$tls_port/missing: status 404" \
	"http http://127.0.0.1:$closed_port/: connection refused" \
	"http https://localhost:$tls_port/: certificate not trusted: unable to get local issuer certificate" \
	"http https://no-such-host.invalid/: cannot resolve the name"; do
	grep -qF "$why" "$WORK/down.log" || fail "reason missing: $why (log: $(cat "$WORK/down.log"))"
	echo "ok - reason: $why"
done

# A bad URL is refused with its line.
printf 'agent: { id: x }\ndevices:\n  - name: w\n    kind: server\n    probe:\n      http: [ "ftp://x/" ]\n' \
	>"$WORK/bad.yaml"
out=$("$agent" --config "$WORK/bad.yaml" --check 2>&1) && fail "ftp:// accepted"
case $out in *"bad.yaml:6] probe.http: 'ftp://x/' is not an http:// or https:// URL"*)
	echo "ok - bad URL: $out" ;; *) fail "unexpected: $out" ;; esac
! grep -q "ERROR: AddressSanitizer\|runtime error" "$WORK"/*.log || fail "sanitizer report"
echo "probe_http ok"
