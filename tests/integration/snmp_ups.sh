#!/usr/bin/env bash
# SNMP poller end to end: pantau-agent --once against snmpsimd serving the
# project's own three-phase UPS (tests/fixtures/snmp/ups-rfc1628.snmprec).
# Every UPS-MIB value, unit, state name, OID and line label must match
# tests/fixtures/snmp/ups-rfc1628.expected.json exactly, over v2c GETBULK,
# v2c GETNEXT (bulk: false), SNMPv1 and tiny requests (max_oids 2,
# max_repetitions 1). A device that never answers makes --once exit non-zero
# while every other device still prints. --check reports a broken profile
# as [file:line].
set -u
. "$(dirname "$0")/../lib/proc.sh"
command -v snmpsimd >/dev/null || skip "snmpsimd (package snmpsim) is not installed"
command -v snmpget >/dev/null || skip "snmpget (package snmp) is not installed"
AGENT=$PANTAU_BUILD/agent/pantau-agent
[ -x "$AGENT" ] || fail "no $AGENT: build first"
FIX=$PANTAU_ROOT/tests/fixtures/snmp

port=$(free_udp_port)
dead=$(free_udp_port)
snmpsim_start "$FIX" "$port" ups-rfc1628

cat >"$WORK/agent.yaml" <<YAML
agent: { id: it-snmp-ups, profile_dir: $PANTAU_ROOT/agent/profiles }
devices:
  - name: ups-bulk
    kind: ups
    snmp: { address: 127.0.0.1:$port, version: 2c, community: ups-rfc1628, timeout: 2s, retries: 1 }
    profiles: [auto]
  - name: ups-getnext
    kind: ups
    snmp: { address: 127.0.0.1:$port, community: ups-rfc1628, bulk: false }
    profiles: [system, ups-mib]
  - name: ups-v1
    kind: ups
    snmp: { address: 127.0.0.1:$port, version: 1, community: ups-rfc1628 }
  - name: ups-tiny
    kind: ups
    snmp: { address: 127.0.0.1:$port, community: ups-rfc1628, max_oids: 2, max_repetitions: 1 }
  - name: dead
    kind: ups
    snmp: { address: 127.0.0.1:$dead, community: public, timeout: 300ms, retries: 1 }
YAML

"$AGENT" --config "$WORK/agent.yaml" --check >"$WORK/check.log" 2>&1 || fail "--check refused the config"
timeout 60 "$AGENT" --config "$WORK/agent.yaml" --once >"$WORK/once.jsonl" 2>"$WORK/once.log"
rc=$?
! grep -q "Sanitizer" "$WORK/once.log" || fail "sanitizer report in $WORK/once.log"
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || fail "--once exited $rc; the dead device should make it fail"
grep -q "dead" "$WORK/once.log" || fail "the dead device's failure is not logged"

/usr/bin/python3 - "$WORK/once.jsonl" "$FIX/ups-rfc1628.expected.json" <<'PY' || fail "values differ (output in $WORK/once.jsonl)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
want = json.load(open(sys.argv[2]))
bad = 0
def complain(msg):
    global bad
    bad += 1
    print("  " + msg)
for dev in ("ups-bulk", "ups-getnext", "ups-v1", "ups-tiny"):
    got = {}
    for l in lines:
        if l.get("device") != dev or "metric" not in l:
            continue
        key = (l["metric"], l["labels"].get("oid"))
        if key in got:
            complain("%s: %s at %s printed twice" % (dev, key[0], key[1]))
        got[key] = l
    for e in want["samples"]:
        l = got.pop((e["metric"], e["oid"]), None)
        if l is None:
            complain("%s: missing %s at %s" % (dev, e["metric"], e["oid"]))
            continue
        if l["value"] != e["value"] or l["unit"] != e["unit"]:
            complain("%s: %s at %s is %r %s, want %r %s" % (dev, e["metric"], e["oid"],
                     l["value"], l["unit"], e["value"], e["unit"]))
        if l.get("state") != e.get("state"):
            complain("%s: %s state %r, want %r" % (dev, e["metric"], l.get("state"), e.get("state")))
        labels = dict(l["labels"])
        labels.pop("oid")
        if labels != e["labels"]:
            complain("%s: %s labels %r, want %r" % (dev, e["metric"], labels, e["labels"]))
        if not l.get("ts"):
            complain("%s: %s has no ts" % (dev, e["metric"]))
    for key in got:
        complain("%s: unexpected %s at %s" % (dev, key[0], key[1]))
    inv = [l["inventory"] for l in lines if l.get("device") == dev and "inventory" in l]
    for w in want["inventory"]:
        if w not in inv:
            complain("%s: inventory %s missing or different: %r" % (dev, w["type"], inv))
if any(l.get("device") == "dead" for l in lines):
    complain("the dead device printed something")
print("checked %d lines" % len(lines))
sys.exit(1 if bad else 0)
PY

# A broken profile is reported by --check with its file and line.
mkdir -p "$WORK/profiles/snmp"
cp "$PANTAU_ROOT"/agent/profiles/snmp/*.yaml "$WORK/profiles/snmp/"
printf 'name: broken\nscalars:\n  - { metric: x.y, oid: 1.3.6.1.4.1.x }\n' >"$WORK/profiles/snmp/broken.yaml"
sed "s|profile_dir: [^ }]*|profile_dir: $WORK/profiles|" "$WORK/agent.yaml" >"$WORK/broken.yaml"
if "$AGENT" --config "$WORK/broken.yaml" --check >"$WORK/check-broken.log" 2>&1; then
	fail "--check accepted a broken profile"
fi
grep -q "broken.yaml:3\] scalars\[0\]: '1.3.6.1.4.1.x' is not a numeric OID" "$WORK/check-broken.log" \
	|| fail "--check did not name the broken profile's file and line: $(cat "$WORK/check-broken.log")"
echo "ok"
