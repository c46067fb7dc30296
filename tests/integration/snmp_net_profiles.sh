#!/usr/bin/env bash
# Network profiles end to end: snmpsimd serves the project's own fixtures
# (tests/fixtures/snmp/network/<name>.snmprec: IF-MIB with 32-bit-only and
# ifXTable 64-bit interfaces, ENTITY-MIB containment, LLDP neighbours with
# IPv4/IPv6 management addresses, ENTITY-SENSOR-MIB, HOST-RESOURCES-MIB,
# Cisco, Juniper, ProCurve, MikroTik, FortiGate, UniFi and IEEE 802.11 SSIDs,
# Huawei), pantau-agent --once polls each with profiles: [auto] over GETBULK
# and over GETNEXT, and the output must match <name>.expected.json exactly:
#   * samples: the same set of (metric, OID), value (to 1e-9), unit, state
#     name and row labels; the objects under "absent" print nothing;
#   * inventory: the same set of (type, id) records, each with exactly the
#     expected fields.
# The expected values were chosen by hand from the MIBs
# (tests/tools/make_network_fixtures.py), not taken from pantau's output.
set -u
. "$(dirname "$0")/../lib/proc.sh"
command -v snmpsimd >/dev/null || skip "snmpsimd (package snmpsim) is not installed"
command -v snmpget >/dev/null || skip "snmpget (package snmp) is not installed"
AGENT=$PANTAU_BUILD/agent/pantau-agent
[ -x "$AGENT" ] || fail "no $AGENT: build first"
FIX=$PANTAU_ROOT/tests/fixtures/snmp/network
names=$(cd "$FIX" && ls ./*.expected.json | sed 's|^\./||; s|\.expected\.json$||')
[ "$(echo "$names" | wc -w)" -ge 13 ] || fail "network fixtures missing in $FIX"

port=$(free_udp_port)
snmpsim_start "$FIX" "$port" if-mib
{
	echo "agent: { id: it-snmp-net, profile_dir: ${PANTAU_PROFILE_DIR:-$PANTAU_ROOT/agent/profiles} }"
	echo "devices:"
	for n in $names; do
		echo "  - { name: $n, snmp: { address: 127.0.0.1:$port, community: $n, timeout: 3s, retries: 2 }, profiles: [auto] }"
		echo "  - { name: $n.next, snmp: { address: 127.0.0.1:$port, community: $n, bulk: false, timeout: 3s, retries: 2 }, profiles: [auto] }"
	done
} >"$WORK/agent.yaml"
"$AGENT" --config "$WORK/agent.yaml" --check >"$WORK/check.log" 2>&1 || fail "--check refused the config: $(cat "$WORK/check.log")"
timeout 120 "$AGENT" --config "$WORK/agent.yaml" --once >"$WORK/once.jsonl" 2>"$WORK/once.log"
rc=$?
! grep -q "Sanitizer" "$WORK/once.log" || fail "sanitizer report in $WORK/once.log"
[ "$rc" -eq 0 ] || fail "--once exited $rc ($(tail -3 "$WORK/once.log"))"

# shellcheck disable=SC2086
/usr/bin/python3 - "$WORK/once.jsonl" "$FIX" $names <<'PY' || fail "output differs (in $WORK/once.jsonl; KEEP_WORK=1 keeps it)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fix, names = sys.argv[2], sys.argv[3:]
bad = checked = records = 0
def complain(msg):
    global bad
    bad += 1
    print("  " + msg)
for name in names:
    want = json.load(open("%s/%s.expected.json" % (fix, name)))
    for dev in (name, name + ".next"):
        got, inv = {}, {}
        for l in lines:
            if l.get("device") != dev:
                continue
            if "inventory" in l:
                r = l["inventory"]
                key = (r["type"], r["id"])
                if key in inv:
                    complain("%s: inventory %s %s printed twice" % (dev, key[0], key[1]))
                inv[key] = r["fields"]
                continue
            key = (l["metric"], l["labels"].get("oid"))
            if key in got:
                complain("%s: %s at %s printed twice" % (dev, key[0], key[1]))
            got[key] = l
        if not got:
            complain("%s: printed no sample" % dev)
        for e in want["samples"]:
            l = got.pop((e["metric"], e["oid"]), None)
            checked += 1
            if l is None:
                complain("%s: missing %s at %s" % (dev, e["metric"], e["oid"]))
                continue
            if abs(l["value"] - e["value"]) > 1e-9 * max(1.0, abs(e["value"])) or l["unit"] != e["unit"]:
                complain("%s: %s at %s is %r %s, want %r %s" % (dev, e["metric"], e["oid"],
                         l["value"], l["unit"], e["value"], e["unit"]))
            if l.get("state") != e.get("state"):
                complain("%s: %s at %s state %r, want %r" % (dev, e["metric"], e["oid"], l.get("state"), e.get("state")))
            labels = dict(l["labels"])
            labels.pop("oid")
            if labels != e["labels"]:
                complain("%s: %s at %s labels %r, want %r" % (dev, e["metric"], e["oid"], labels, e["labels"]))
        for (metric, oid), l in got.items():
            why = "it should be absent" if oid in want["absent"] else "not in the fixture's expectations"
            complain("%s: unexpected %s at %s = %r (%s)" % (dev, metric, oid, l["value"], why))
        for r in want["inventory"]:
            fields = inv.pop((r["type"], r["id"]), None)
            records += 1
            if fields is None:
                complain("%s: no inventory record %s %r" % (dev, r["type"], r["id"]))
            elif fields != r["fields"]:
                diff = sorted(set(fields.items()) ^ set(r["fields"].items()))
                complain("%s: inventory %s %r: fields differ: %r" % (dev, r["type"], r["id"], diff))
        for (typ, rid), fields in inv.items():
            complain("%s: unexpected inventory record %s %r %r" % (dev, typ, rid, fields))
print("checked %d samples and %d inventory records of %d fixtures (GETBULK and GETNEXT)" % (checked, records, len(names)))
sys.exit(1 if bad else 0)
PY
echo "ok"
