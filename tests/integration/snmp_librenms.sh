#!/usr/bin/env bash
# SNMP poller against real-device recordings: snmpsimd serves the LibreNMS
# walks of three UPSes (Huawei UPS2000, Liebert APM, Eaton 9PX) from
# $PANTAU_DEVICES/snmprec, pantau-agent --once polls them with
# profiles: [auto], and every UPS-MIB sensor LibreNMS found must come out
# at its full OID with the raw value scaled by RFC 1628's units. The figures
# compared with LibreNMS's own values are printed. The recordings are not
# part of the project: without them the test is skipped.
set -u
. "$(dirname "$0")/../lib/proc.sh"
DEVICES=${PANTAU_DEVICES:-/work/shared/devices}
[ -d "$DEVICES/snmprec" ] && [ -d "$DEVICES/expected" ] || skip "no device recordings in $DEVICES"
command -v snmpsimd >/dev/null || skip "snmpsimd (package snmpsim) is not installed"
command -v snmpget >/dev/null || skip "snmpget (package snmp) is not installed"
AGENT=$PANTAU_BUILD/agent/pantau-agent
[ -x "$AGENT" ] || fail "no $AGENT: build first"
UPSES="huaweiups_ups2000 liebert_apm eaton-mgeups_9px"

mkdir -p "$WORK/recordings"
for u in $UPSES; do cp "$DEVICES/snmprec/$u.snmprec" "$WORK/recordings/"; done
port=$(free_udp_port)
snmpsim_start "$WORK/recordings" "$port" huaweiups_ups2000

{
	echo "agent: { id: it-librenms, profile_dir: $PANTAU_ROOT/agent/profiles }"
	echo "devices:"
	for u in $UPSES; do
		echo "  - { name: $u, kind: ups, snmp: { address: 127.0.0.1:$port, community: $u }, profiles: [auto] }"
	done
} >"$WORK/agent.yaml"
timeout 60 "$AGENT" --config "$WORK/agent.yaml" --once >"$WORK/once.jsonl" 2>"$WORK/once.log"
rc=$?
! grep -q "Sanitizer" "$WORK/once.log" || fail "sanitizer report in $WORK/once.log"
[ "$rc" -eq 0 ] || fail "--once exited $rc"

/usr/bin/python3 - "$WORK/once.jsonl" "$DEVICES/expected" $UPSES <<'PY' || fail "values differ (output in $WORK/once.jsonl)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
expected_dir, upses = sys.argv[2], sys.argv[3:]
U = "1.3.6.1.2.1.33.1."
# RFC 1628 UNITS by column or scalar: value = raw * factor, in pantau's units.
factor = {U + "2.2.0": 1, U + "2.3.0": 60, U + "2.4.0": 1, U + "2.5.0": 0.1,
          U + "2.6.0": 0.1, U + "2.7.0": 1, U + "4.2.0": 0.1, U + "5.1.0": 0.1,
          U + "6.1.0": 1, U + "2.1.0": 1, U + "4.1.0": 1,
          U + "3.3.1.2": 0.1, U + "3.3.1.3": 1, U + "3.3.1.4": 0.1, U + "3.3.1.5": 1,
          U + "4.4.1.2": 1, U + "4.4.1.3": 0.1, U + "4.4.1.4": 1, U + "4.4.1.5": 1,
          U + "5.3.1.2": 1, U + "5.3.1.3": 0.1, U + "5.3.1.4": 1}
# LibreNMS keeps runtime in minutes; pantau in seconds.
librenms_unit = {"runtime": 60}
# Sentinels the ups-mib profile treats as "no reading".
invalid = {U + "2.3.0": {4294967295, -1}}
def rfc_factor(oid):
    if oid in factor:
        return factor[oid]
    return factor.get(oid.rsplit(".", 1)[0])
bad = total = found = same_as_librenms = skipped = 0
for ups in upses:
    exp = json.load(open("%s/%s.json" % (expected_dir, ups)))
    got = {l["labels"]["oid"]: l for l in lines if l.get("device") == ups and "metric" in l}
    for s in exp["sensors"]:
        oid = s["sensor_oid"].lstrip(".")
        if not oid.startswith(U) or s["raw"] is None:
            continue
        total += 1
        raw = float(s["raw"]["value"])
        if raw in invalid.get(oid, ()):
            skipped += 1
            if oid in got:
                print("  %s: %s holds the sentinel %g but was printed" % (ups, oid, raw)); bad += 1
            else:
                print("  %s: %s raw %g is the 'unknown' sentinel: not a reading (LibreNMS: %g)"
                      % (ups, oid, raw, s["sensor_current"]))
            continue
        l = got.get(oid)
        if l is None:
            print("  %s: %s (%s) missing" % (ups, oid, s["sensor_descr"])); bad += 1
            continue
        found += 1
        want = raw * rfc_factor(oid)
        if abs(l["value"] - want) > 1e-9 * max(1, abs(want)):
            print("  %s: %s is %r, RFC 1628 says %r" % (ups, oid, l["value"], want)); bad += 1
        theirs = s["sensor_current"] * librenms_unit.get(s["sensor_class"], 1)
        if abs(theirs - l["value"]) <= 0.011 * max(1, librenms_unit.get(s["sensor_class"], 1)):
            same_as_librenms += 1
        else:
            print("  %s: %s %s: pantau %r %s, LibreNMS %r (raw %s, divisor %s)" % (
                ups, oid, s["sensor_descr"], l["value"], l["unit"], s["sensor_current"],
                s["raw"]["value"], s["sensor_divisor"]))
    if s is not None and not any(l.get("device") == ups and "inventory" in l for l in lines):
        print("  %s: no inventory record" % ups); bad += 1
print("UPS-MIB sensors: %d in LibreNMS, %d printed by pantau with the RFC 1628 value, "
      "%d sentinels skipped, %d equal to LibreNMS's value" % (total, found, skipped,
                                                             same_as_librenms))
sys.exit(1 if bad else 0)
PY
echo "ok"
