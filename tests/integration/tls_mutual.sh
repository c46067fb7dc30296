#!/usr/bin/env bash
# Mutual TLS 1.3 between pantau-agent and pantau-collector, with certificates
# made by pantauctl. A good agent streams Modbus samples into a temporary
# PostgreSQL over TLS; then each refused case shows its log line on the
# collector and its connections_refused_total{reason} counter: a certificate
# from another CA, an expired one, one revoked while the collector runs (CRL
# reread), a certificate for agent A with a Hello for B, a plaintext client,
# garbage bytes, and a collector certificate that does not name the address
# the agent dials. A silent connection (slowloris) and the refused peers do
# not stop the good agent. Configs with plaintext to a non-loopback address
# or unreadable certificate files are rejected by --check.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"

agent=$PANTAU_BUILD/agent/pantau-agent
collector=$PANTAU_BUILD/collector/pantau-collector
ctl=$PANTAU_BUILD/collector/ctl/pantauctl
sim=$PANTAU_BUILD/tests/sim/pantau-sim-modbus
fake=$PANTAU_BUILD/collector/fake_agent
for b in "$agent" "$collector" "$ctl" "$sim" "$fake"; do [ -x "$b" ] || fail "missing $b"; done
( sleep 280; echo "TIMEOUT" >&2; kill -TERM $$ ) & watchdog=$!
trap 'kill $watchdog 2>/dev/null; proc_cleanup' EXIT

pki=$WORK/pki
"$ctl" certs init --dir "$pki" >"$WORK/ctl.log" || fail "certs init"
[ "$(stat -c %a "$pki/ca.key")" = 600 ] || fail "ca.key is not mode 0600"
"$ctl" certs init --dir "$pki" >>"$WORK/ctl.log" 2>&1 && fail "certs init replaced an existing CA"
"$ctl" certs collector 127.0.0.1 localhost --dir "$pki" >>"$WORK/ctl.log" || fail "collector cert"
"$ctl" certs agent tls-a --dir "$pki" >>"$WORK/ctl.log" || fail "agent cert"
"$ctl" certs agent revoked-agent --dir "$pki" >>"$WORK/ctl.log" || fail "agent cert"
"$ctl" certs agent expired-agent --dir "$pki" --not-before 2020-01-01 --not-after 2021-01-01 \
	>>"$WORK/ctl.log" || fail "expired cert"
[ "$(stat -c %a "$pki/agents/tls-a.key")" = 600 ] || fail "agent key is not mode 0600"
"$ctl" certs agent 'bad/id' --dir "$pki" >>"$WORK/ctl.log" 2>&1 && fail "accepted agent id bad/id"
"$ctl" certs init --dir "$WORK/other" --name "other CA" >>"$WORK/ctl.log" || fail "other CA"
"$ctl" certs agent tls-a --dir "$WORK/other" >>"$WORK/ctl.log" || fail "other CA's agent cert"

pg_tmp_start "$WORK/pg"
modbus_port=$(free_port)
agent_port=$(free_port)
http_port=$(free_port)

# Relative paths: taken from the directory of the config file.
cat >"$pki/collector.yaml" <<YAML
collector:
  listen: 127.0.0.1:$agent_port
  http: 127.0.0.1:$http_port
  state_dir: $WORK/state
  tls: { ca: ca.pem, cert: collector.pem, key: collector.key, crl: crl.pem }
database:
  dsn: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
YAML
"$collector" --config "$pki/collector.yaml" --check >/dev/null || fail "collector --check"
"$collector" --config "$pki/collector.yaml" --migrate >"$WORK/migrate.log" 2>&1 || fail "migrate"
proc_start collector "$collector" --config "$pki/collector.yaml"
wait_until 30 curl -fsS "http://127.0.0.1:$http_port/health" || fail "collector /health"
grep -q "listening for agents on 127.0.0.1:$agent_port (mutual TLS 1.3)" "$WORK/collector.log" \
	|| fail "collector does not say it listens with TLS"
proc_start modbus_sim "$sim" --port "$modbus_port"
wait_until 10 bash -c "echo > /dev/tcp/127.0.0.1/$modbus_port" || fail "modbus slave did not start"

metric() { # NAME [LABELS]
	local key="pantau_collector_$1"
	[ -n "${2:-}" ] && key="$key{$2}"
	curl -s "http://127.0.0.1:$http_port/metrics" |
		awk -v k="$key" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}

# agent_config FILE ID CA CERT KEY [SERVER_NAME]
agent_config() {
	cat >"$1" <<YAML
agent: { id: $2, site: tls-site, interval: 1s, profile_dir: $PANTAU_ROOT/agent/profiles }
spool: { dir: $WORK/spool-$(basename "$1" .yaml) }
collector:
  address: 127.0.0.1:$agent_port
  batch_max_delay: 200ms
  tls: { ca: $3, cert: $4, key: $5${6:+, server_name: $6} }
devices:
  - name: ems-$2
    kind: ems
    modbus:
      address: 127.0.0.1:$modbus_port
      unit: 1
      fields:
        - { metric: ems.temperature, unit: celsius, table: input, address: 0, type: int16, scale: 0.1 }
YAML
}

# --- the good agent: samples arrive over TLS ---
agent_config "$WORK/good.yaml" tls-a "$pki/ca.pem" "$pki/agents/tls-a.pem" "$pki/agents/tls-a.key"
"$agent" --config "$WORK/good.yaml" --check >/dev/null || fail "agent --check refused the TLS config"
proc_start good "$agent" --config "$WORK/good.yaml"
samples() { psql -Atc "select count(*) from report.samples where device = 'ems-tls-a'"; }
wait_until 40 bash -c "[ \"\$(psql -Atc \"select count(*) from report.samples where device = 'ems-tls-a'\")\" -ge 3 ]" \
	|| fail "no samples from tls-a over TLS"
grep -q "agent tls-a (site tls-site" "$WORK/collector.log" || fail "no Hello from tls-a logged"
grep -q "connected to collector 127.0.0.1:$agent_port (mutual TLS 1.3)" "$WORK/good.log" \
	|| fail "agent does not say it is on TLS"
[ "$(metric tls_handshakes_total)" -ge 1 ] || fail "tls_handshakes_total is 0"
echo "ok - tls-a streams over mutual TLS ($(samples) samples)"

# refused CASE REASON LOGPATTERN: waits for the log line and the counter.
refused() {
	local name=$1 reason=$2 pattern=$3
	wait_until 30 bash -c "grep -q -- \"$pattern\" \"$WORK/collector.log\"" \
		|| fail "$name: collector log lacks: $pattern"
	wait_until 10 bash -c "[ \"\$(curl -s http://127.0.0.1:$http_port/metrics | awk '\$1 == \"pantau_collector_connections_refused_total{reason=\\\"$reason\\\"}\" { print \$2 }')\" -ge 1 ]" \
		|| fail "$name: connections_refused_total{reason=\"$reason\"} stayed 0"
	echo "ok - $name refused: $(grep -m1 -- "$pattern" "$WORK/collector.log" | sed 's/^[^ ]* //')"
}

# --- a certificate from another CA ---
agent_config "$WORK/other.yaml" tls-a "$pki/ca.pem" "$WORK/other/agents/tls-a.pem" \
	"$WORK/other/agents/tls-a.key"
proc_start other "$agent" --config "$WORK/other.yaml"
refused "other CA" unknown_ca \
	"refused 127.0.0.1:[0-9]*: certificate not issued by a trusted CA (CN=tls-a, issuer CN=other CA) \[unknown_ca\]"
wait_until 10 grep -q "refused this end's certificate.*\[unknown_ca\]" "$WORK/other.log" \
	|| fail "the agent with the other CA's certificate does not log why"
proc_stop other || true

# --- an expired certificate ---
agent_config "$WORK/expired.yaml" expired-agent "$pki/ca.pem" "$pki/agents/expired-agent.pem" \
	"$pki/agents/expired-agent.key"
proc_start expired "$agent" --config "$WORK/expired.yaml"
refused "expired certificate" expired \
	"refused 127.0.0.1:[0-9]*: certificate expired (CN=expired-agent, notAfter 2021-01-01 00:00:00Z) \[expired\]"
wait_until 10 grep -q "certificate expired.*\[expired\]" "$WORK/expired.log" \
	|| fail "the expired agent does not log why it was refused"
proc_stop expired || true

# --- revoked while the collector runs: the CRL is reread ---
"$ctl" certs revoke revoked-agent --dir "$pki" >>"$WORK/ctl.log" || fail "revoke"
sleep 1.5 # the collector checks the CRL file at most once a second, on accept
agent_config "$WORK/revoked.yaml" revoked-agent "$pki/ca.pem" "$pki/agents/revoked-agent.pem" \
	"$pki/agents/revoked-agent.key"
proc_start revoked "$agent" --config "$WORK/revoked.yaml"
refused "revoked certificate" revoked \
	"refused 127.0.0.1:[0-9]*: certificate revoked (CN=revoked-agent, issuer CN=pantau CA) \[revoked\]"
grep -q "reloaded the certificate revocation list" "$WORK/collector.log" || fail "CRL not reloaded"
proc_stop revoked || true

# --- certificate for tls-a, Hello for tls-b ---
agent_config "$WORK/liar.yaml" tls-b "$pki/ca.pem" "$pki/agents/tls-a.pem" "$pki/agents/tls-a.key"
proc_start liar "$agent" --config "$WORK/liar.yaml"
refused "identity mismatch" identity_mismatch \
	"refused 127.0.0.1:[0-9]*: certificate is for agent 'tls-a' (CN) but its Hello says agent 'tls-b' \[identity_mismatch\]"
proc_stop liar || true
psql -Atc "select count(*) from report.samples where device = 'ems-tls-b'" | grep -qx 0 \
	|| fail "samples of the lying agent were stored"

# --- a plaintext client, then garbage, to the TLS listener ---
timeout 20 "$fake" --connect "127.0.0.1:$agent_port" --agent tls-a --batches 1 --samples 1 \
	--timeout 10 >"$WORK/fake.log" 2>&1 && fail "a plaintext client was served"
refused "plaintext client" handshake \
	"refused 127.0.0.1:[0-9]*: TLS handshake failed: .*\[handshake\]"
before=$(metric connections_refused_total 'reason="handshake"')
head -c 3000 /dev/urandom | timeout 10 bash -c "cat > /dev/tcp/127.0.0.1/$agent_port" || true
wait_until 10 bash -c "[ \$(curl -s http://127.0.0.1:$http_port/metrics | awk '\$1 == \"pantau_collector_connections_refused_total{reason=\\\"handshake\\\"}\" { print \$2 }') -gt $before ]" \
	|| fail "garbage bytes were not refused as a handshake failure"
echo "ok - garbage refused"

# --- the collector certificate must name what the agent dials ---
agent_config "$WORK/badname.yaml" tls-a "$pki/ca.pem" "$pki/agents/tls-a.pem" \
	"$pki/agents/tls-a.key" wrong.example.org
proc_start badname "$agent" --config "$WORK/badname.yaml"
wait_until 20 grep -q "certificate does not name the address dialled.*\[identity_mismatch\]" \
	"$WORK/badname.log" || fail "the agent accepted a collector certificate for another name"
proc_stop badname || true
echo "ok - agent refuses a collector certificate without its server_name"

# --- a silent connection holds nothing up; the good agent kept streaming ---
exec 3<>"/dev/tcp/127.0.0.1/$agent_port"
n1=$(samples)
wait_until 30 bash -c "[ \"\$(psql -Atc \"select count(*) from report.samples where device = 'ems-tls-a'\")\" -gt $((n1 + 3)) ]" \
	|| fail "tls-a stopped delivering while a silent connection was open"
exec 3>&-
echo "ok - tls-a kept streaming ($(samples) samples) through every refusal"

# --- --check refuses plaintext to a remote collector and unreadable files ---
cat >"$WORK/remote.yaml" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
collector: { address: 10.1.2.3:7400, plaintext: true }
YAML
rc=0; "$agent" --config "$WORK/remote.yaml" --check >"$WORK/remote.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "plaintext to 10.1.2.3: --check exit $rc"
grep -q "^\[$WORK/remote.yaml:2\] .*only sends in plaintext to a loopback collector" \
	"$WORK/remote.out" || fail "remote plaintext message: $(cat "$WORK/remote.out")"
agent_config "$WORK/nokey.yaml" tls-a "$pki/ca.pem" "$pki/agents/tls-a.pem" "$pki/missing.key"
rc=0; "$agent" --config "$WORK/nokey.yaml" --check >"$WORK/nokey.out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "tls.key: cannot read $pki/missing.key" "$WORK/nokey.out" \
	|| fail "missing key: exit $rc: $(cat "$WORK/nokey.out")"
echo "ok - --check refuses remote plaintext and a missing key"

grep -E "BEGIN (EC )?PRIVATE KEY" "$WORK"/*.log && fail "key material in a log"
proc_stop good || fail "agent did not exit cleanly"
proc_stop collector || fail "collector did not exit cleanly"
grep -q "ERROR: AddressSanitizer\|runtime error" "$WORK"/*.log && fail "sanitizer report"
echo "tls ok"
