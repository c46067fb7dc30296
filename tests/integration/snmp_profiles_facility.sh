#!/usr/bin/env bash
# Facility vendor profiles end to end: snmpsimd serves the project's own
# fixtures (tests/fixtures/snmp/<profile>.snmprec: APC UPS/ATS/PDU/cooling/
# EMS, Eaton MGE and XUPS, Liebert, Stulz, Rittal CMC, Raritan PX, AKCP,
# HW-group, Asentria SiteBoss), pantau-agent --once polls each with
# profiles: [auto] over v2c GETBULK and over SNMPv1 GETNEXT, and every sample
# must match <profile>.expected.json: the same set of (metric, OID), the
# value (to 1e-9), the unit, the state name and the row labels. The objects
# listed under "absent" (sentinels, offline probes, rows whose status says
# not installed, text without a number) must print nothing. The expected
# values come from the MIBs' units (tests/tools/make_facility_fixtures.py).
set -u
. "$(dirname "$0")/../lib/proc.sh"
command -v snmpsimd >/dev/null || skip "snmpsimd (package snmpsim) is not installed"
command -v snmpget >/dev/null || skip "snmpget (package snmp) is not installed"
AGENT=$PANTAU_BUILD/agent/pantau-agent
[ -x "$AGENT" ] || fail "no $AGENT: build first"
FIX=$PANTAU_ROOT/tests/fixtures/snmp
names=$(cd "$FIX" && ls ./*.expected.json | sed 's|^\./||; s|\.expected\.json$||' | grep -v '^ups-rfc1628$')
[ -n "$names" ] || fail "no facility fixtures in $FIX"

port=$(free_udp_port)
snmpsim_start "$FIX" "$port" apc-ups
{
	echo "agent: { id: it-snmp-facility, profile_dir: ${PANTAU_PROFILE_DIR:-$PANTAU_ROOT/agent/profiles} }"
	echo "devices:"
	for n in $names; do
		echo "  - { name: $n, snmp: { address: 127.0.0.1:$port, community: $n, timeout: 3s, retries: 2 }, profiles: [auto] }"
		echo "  - { name: $n.v1, snmp: { address: 127.0.0.1:$port, version: 1, community: $n, timeout: 3s, retries: 2 }, profiles: [auto] }"
	done
} >"$WORK/agent.yaml"
"$AGENT" --config "$WORK/agent.yaml" --check >"$WORK/check.log" 2>&1 || fail "--check refused the config: $(cat "$WORK/check.log")"
timeout 120 "$AGENT" --config "$WORK/agent.yaml" --once >"$WORK/once.jsonl" 2>"$WORK/once.log"
rc=$?
! grep -q "Sanitizer" "$WORK/once.log" || fail "sanitizer report in $WORK/once.log"
[ "$rc" -eq 0 ] || fail "--once exited $rc ($(tail -3 "$WORK/once.log"))"

# shellcheck disable=SC2086
/usr/bin/python3 - "$WORK/once.jsonl" "$FIX" $names <<'PY' || fail "values differ (output in $WORK/once.jsonl)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
fix, names = sys.argv[2], sys.argv[3:]
bad = checked = 0
def complain(msg):
    global bad
    bad += 1
    print("  " + msg)
for name in names:
    want = json.load(open("%s/%s.expected.json" % (fix, name)))
    for dev in (name, name + ".v1"):
        got = {}
        for l in lines:
            if l.get("device") != dev or "metric" not in l:
                continue
            key = (l["metric"], l["labels"].get("oid"))
            if key in got:
                complain("%s: %s at %s printed twice" % (dev, key[0], key[1]))
            got[key] = l
        if not got:
            complain("%s: printed nothing" % dev)
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
print("checked %d samples of %d fixtures" % (checked, len(names)))
sys.exit(1 if bad else 0)
PY
echo "ok"
