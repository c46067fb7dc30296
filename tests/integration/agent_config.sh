#!/usr/bin/env bash
# pantau-agent --check: good configs pass; every broken one exits 2 with
# "[file:line] what is wrong" naming the right line.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
agent=$PANTAU_BUILD/agent/pantau-agent
[ -x "$agent" ] || fail "missing $agent"

expect_error() { # NAME LINE PATTERN  (config text on stdin)
	local name=$1 line=$2 pattern=$3 f=$WORK/$1.yaml rc=0
	cat >"$f"
	"$agent" --config "$f" --check >"$WORK/$name.out" 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "$name: exit $rc, expected 2: $(cat "$WORK/$name.out")"
	grep -q "^\[$f:$line\] .*$pattern" "$WORK/$name.out" \
		|| fail "$name: expected [$f:$line] ... $pattern, got: $(cat "$WORK/$name.out")"
}

cat >"$WORK/good.yaml" <<YAML
agent: { id: a1, site: s1, interval: 30s, profile_dir: $PANTAU_ROOT/agent/profiles }
collector: { address: 127.0.0.1:7400, plaintext: true }
devices:
  - name: ups-a
    kind: ups
    snmp: { address: 127.0.0.1:161, version: 2c, community: public }
  - name: ems
    kind: ems
    interval: 5s
    modbus:
      address: 127.0.0.1:502
      unit: 1
      fields:
        - { metric: t, unit: celsius, table: input, address: 0, type: int16, scale: 0.1 }
YAML
"$agent" --config "$WORK/good.yaml" --check | grep -q "configuration OK (2 devices)" \
	|| fail "a good config was refused"

expect_error unknown_key 3 "unknown key 'intervall' in agent" <<YAML
agent:
  id: a1
  intervall: 10s
YAML
expect_error bad_duration 3 "agent.interval: 'often' is not a duration" <<YAML
agent:
  id: a1
  interval: often
YAML
expect_error bad_kind 5 "device.kind: 'toaster' is not one of" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
devices:
  - name: x
    snmp: { address: 127.0.0.1:161 }
    kind: toaster
YAML
expect_error duplicate_device 5 "device name 'x' is used twice" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
devices:
  - name: x
    snmp: { address: 127.0.0.1:161 }
  - name: x
    snmp: { address: 127.0.0.1:162 }
YAML
expect_error no_protocol 3 "has no protocol section" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
devices:
  - name: x
    kind: ups
YAML
expect_error two_protocols 5 "more than one protocol section" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
devices:
  - name: x
    snmp: { address: 127.0.0.1:161 }
    modbus: { address: 127.0.0.1:502, fields: [] }
YAML
expect_error yaml_syntax 4 "did not find expected" <<YAML
agent:
  id: a1
  site: [unclosed
devices: []
YAML
expect_error remote_plaintext 2 "only sends in plaintext to a loopback collector" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
collector: { address: 10.1.2.3:7400, plaintext: true }
YAML
expect_error tls_incomplete 2 "collector.tls: required key 'cert' is missing" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
collector: { address: 127.0.0.1:7400, tls: { ca: ca.pem } }
YAML
expect_error tls_required 2 "mutual TLS is the default" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
collector: { address: noc.example.go.id:7400 }
YAML
expect_error unknown_section 2 "unknown section 'devicez'" <<YAML
agent: { id: a1, profile_dir: $PANTAU_ROOT/agent/profiles }
devicez: []
YAML

# Without --once a collector is required.
printf 'agent: { id: a1 }\n' >"$WORK/nocollector.yaml"
rc=0
"$agent" --config "$WORK/nocollector.yaml" >"$WORK/nocollector.out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "collector.address is required" "$WORK/nocollector.out" \
	|| fail "missing collector: exit $rc: $(cat "$WORK/nocollector.out")"

# A missing file is a clear error too.
rc=0
"$agent" --config "$WORK/nope.yaml" --check >"$WORK/nope.out" 2>&1 || rc=$?
[ "$rc" = 2 ] && grep -q "cannot open" "$WORK/nope.out" || fail "missing file: exit $rc"
echo "agent config checks ok"
