#!/usr/bin/env bash
# SNMP poller against a real net-snmp snmpd (tests/fixtures/snmp/snmpd.conf):
# the system group as inventory and snmp.uptime over v1, v2c and SNMPv3 at
# every security level and with several auth/priv protocols; then the
# failures an operator meets (wrong password, unknown user, wrong level,
# wrong community) fail the device with a clear reason. The fixture's view
# shows the system group only, so profiles: [auto] must choose `system` and
# nothing else (exactly one record and one sample per device).
set -u
. "$(dirname "$0")/../lib/proc.sh"
command -v snmpd >/dev/null || skip "snmpd is not installed"
command -v snmpget >/dev/null || skip "snmpget (package snmp) is not installed"
AGENT=$PANTAU_BUILD/agent/pantau-agent
[ -x "$AGENT" ] || fail "no $AGENT: build first"

port=$(free_udp_port)
mkdir -p "$WORK/snmpd-state"
proc_start snmpd env MIBS= MIBDIRS="$WORK" SNMP_PERSISTENT_DIR="$WORK/snmpd-state" \
	snmpd -f -Lo -C -c "$PANTAU_ROOT/tests/fixtures/snmp/snmpd.conf" udp:127.0.0.1:"$port"
wait_until 30 snmpget -v2c -c public -t 1 -r 0 127.0.0.1:"$port" 1.3.6.1.2.1.1.5.0 \
	|| fail "snmpd did not answer on port $port"

v3() { # name user auth auth_pass priv priv_pass
	local s="address: 127.0.0.1:$port, version: 3, user: $2"
	[ "$3" = - ] || s="$s, auth: $3, auth_pass: $4"
	[ "$5" = - ] || s="$s, priv: $5, priv_pass: $6"
	printf '  - { name: %s, snmp: { %s } }\n' "$1" "$s"
}

{
	echo "agent: { id: it-snmpd, profile_dir: $PANTAU_ROOT/agent/profiles }"
	echo "devices:"
	echo "  - { name: v2c, snmp: { address: 127.0.0.1:$port } }"
	echo "  - { name: v1, snmp: { address: 127.0.0.1:$port, version: 1 } }"
	echo "  - { name: v2c-getnext, snmp: { address: 127.0.0.1:$port, bulk: false }, profiles: [system] }"
	v3 v3-sha256-aes pantau-priv SHA-256 pantau-auth-secret AES-128 pantau-priv-secret
	v3 v3-sha512-aes pantau-sha512 SHA-512 pantau-auth-secret AES-128 pantau-priv-secret
	v3 v3-sha-des pantau-des SHA pantau-auth-secret DES pantau-priv-secret
	v3 v3-sha384-aes256 pantau-aes256 SHA-384 pantau-auth-secret AES-256 pantau-priv-secret
	v3 v3-sha224-aes192 pantau-aes192 SHA-224 pantau-auth-secret AES-192 pantau-priv-secret
	v3 v3-md5 pantau-auth MD5 pantau-auth-secret - -
	v3 v3-noauth pantau-noauth - - - -
} >"$WORK/good.yaml"

"$AGENT" --config "$WORK/good.yaml" --check >"$WORK/check.log" 2>&1 || fail "--check refused the config"
timeout 60 "$AGENT" --config "$WORK/good.yaml" --once >"$WORK/good.jsonl" 2>"$WORK/good.log"
rc=$?
! grep -q "Sanitizer" "$WORK/good.log" || fail "sanitizer report in $WORK/good.log"
[ "$rc" -eq 0 ] || fail "--once exited $rc"

/usr/bin/python3 - "$WORK/good.jsonl" <<'PY' || fail "values differ (output in $WORK/good.jsonl)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
devices = ["v2c", "v1", "v2c-getnext", "v3-sha256-aes", "v3-sha512-aes", "v3-sha-des",
           "v3-sha384-aes256", "v3-sha224-aes192", "v3-md5", "v3-noauth"]
want = {"descr": "pantau snmpd fixture", "object_id": "1.3.6.1.4.1.8072.3.2.10",
        "contact": "noc@example.go.id", "name": "pantau-snmpd", "location": "Ruang Server 2"}
bad = 0
for dev in devices:
    mine = [l for l in lines if l.get("device") == dev]
    inv = [l["inventory"] for l in mine if "inventory" in l]
    up = [l for l in mine if l.get("metric") == "snmp.uptime"]
    if len(inv) != 1 or inv[0]["type"] != "system":
        print("  %s: want one system record, got %r" % (dev, inv)); bad += 1; continue
    fields = dict(inv[0]["fields"])
    uptime = fields.pop("uptime", None)
    if fields != want:
        print("  %s: system fields %r" % (dev, fields)); bad += 1
    if len(up) != 1 or up[0]["labels"] != {"oid": "1.3.6.1.2.1.1.3.0"} or up[0]["unit"] != "s":
        print("  %s: snmp.uptime %r" % (dev, up)); bad += 1; continue
    if not (0 < up[0]["value"] < 3600) or abs(float(uptime) - up[0]["value"]) > 0.001:
        print("  %s: uptime %r vs %r" % (dev, up[0]["value"], uptime)); bad += 1
    if len(mine) != 2:
        print("  %s: %d lines, want 2" % (dev, len(mine))); bad += 1
print("checked %d devices" % len(devices))
sys.exit(1 if bad else 0)
PY

{
	echo "agent: { id: it-snmpd-bad, profile_dir: $PANTAU_ROOT/agent/profiles }"
	echo "devices:"
	v3 bad-pass pantau-auth MD5 not-the-secret - -
	v3 bad-user nobody-here SHA pantau-auth-secret - -
	v3 bad-level pantau-noauth SHA pantau-auth-secret - -
	echo "  - { name: bad-community, snmp: { address: 127.0.0.1:$port, community: private, timeout: 300ms, retries: 1 } }"
	echo "  - { name: fine, snmp: { address: 127.0.0.1:$port } }"
} >"$WORK/bad.yaml"
timeout 60 "$AGENT" --config "$WORK/bad.yaml" --once >"$WORK/bad.jsonl" 2>"$WORK/bad.log"
rc=$?
! grep -q "Sanitizer" "$WORK/bad.log" || fail "sanitizer report in $WORK/bad.log"
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "--once exited $rc with four failing devices"
grep -q "bad-pass.*Authentication failure" "$WORK/bad.log" || fail "wrong password not reported"
grep -q "bad-user.*Unknown user name" "$WORK/bad.log" || fail "unknown user not reported"
grep -q "bad-level.*Unsupported security level" "$WORK/bad.log" || fail "wrong level not reported"
grep -q "bad-community.*timeout" "$WORK/bad.log" || fail "wrong community not reported as a timeout"
grep -q '"device":"fine"' "$WORK/bad.jsonl" || fail "the healthy device printed nothing"
if grep -q '"device":"bad-' "$WORK/bad.jsonl"; then fail "a failing device printed values"; fi
echo "ok"
