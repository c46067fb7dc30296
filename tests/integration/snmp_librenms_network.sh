#!/usr/bin/env bash
# Interfaces, entities and network sensors against real-device recordings:
# snmpsimd serves all 19 LibreNMS walks from $PANTAU_DEVICES/snmprec,
# pantau-agent --once polls them with profiles: [auto], and the output is
# compared with LibreNMS's expected/*.json:
#   * every `ports` row: an inventory record "interface" with id ifIndex and
#     the same name (ifName), oper_status and speed (bit/s; absent where
#     LibreNMS has null);
#   * every `entity_physical` row's serial and model (where not empty): an
#     inventory record of the device carrying that serial / model;
#   * every sensor of the network devices: a sample at the sensor's full OID
#     whose value is within 1% of LibreNMS's (state sensors: equal).
# Per-device figures are printed. Ports and entities must all match; the
# sensor figure is reported. The recordings are not part of the project:
# without them the test is skipped.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/lib/snmpsim.sh"
snmp_recordings_require

names=$(cd "$DEVICES/expected" && ls *.json | sed 's/\.json$//')
first=$(echo "$names" | head -1)
port=$(free_udp_port)
snmpsim_start "$DEVICES/snmprec" "$port" "$first"

{
	echo "agent: { id: it-librenms-net, profile_dir: $PANTAU_ROOT/agent/profiles }"
	echo "devices:"
	for n in $names; do
		echo "  - { name: $n, kind: other, snmp: { address: 127.0.0.1:$port, community: $n, timeout: 5s, budget: 60s }, profiles: [auto] }"
	done
} >"$WORK/agent.yaml"
snmp_once 300

/usr/bin/python3 - "$WORK/once.jsonl" "$DEVICES/expected" $names <<'PY' || fail "interfaces or entities differ (output in $WORK/once.jsonl)"
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
expected_dir, names = sys.argv[2], sys.argv[3:]
samples, records = {}, {}
for l in lines:
    if "inventory" in l:
        records.setdefault(l["device"], []).append(l["inventory"])
    elif "metric" in l:
        samples.setdefault(l["device"], {}).setdefault(l["labels"]["oid"], []).append(l)

def close(got, want):
    return abs(got - want) <= 0.01 * abs(want) + 1e-9

bad = 0
tot = {"ports": 0, "ports_ok": 0, "ent": 0, "ent_ok": 0, "sens": 0, "sens_ok": 0}
print("%-26s %11s %13s %15s" % ("device", "ports", "entity s/m", "net sensors"))
for n in names:
    exp = json.load(open("%s/%s.json" % (expected_dir, n)))
    recs = records.get(n, [])
    ifs = {r["id"]: r["fields"] for r in recs if r["type"] == "interface"}
    ports = exp.get("ports") or []
    pok = 0
    for p in ports:
        f = ifs.get(str(p["ifIndex"]))
        why = []
        if f is None:
            why.append("no interface record")
        else:
            if f.get("name") != p["ifName"]:
                why.append("name %r != %r" % (f.get("name"), p["ifName"]))
            if f.get("oper_status") != p["ifOperStatus"]:
                why.append("oper %r != %r" % (f.get("oper_status"), p["ifOperStatus"]))
            want = None if p["ifSpeed"] is None else str(p["ifSpeed"])
            if f.get("speed") != want:
                why.append("speed %r != %r" % (f.get("speed"), want))
        if why:
            bad += 1
            print("  %s: ifIndex %s: %s" % (n, p["ifIndex"], "; ".join(why)))
        else:
            pok += 1
    ents = exp.get("entity_physical") or []
    serials = {r["fields"].get("serial") for r in recs}
    models = {r["fields"].get("model") for r in recs}
    ent = eok = 0
    for e in ents:
        for key, have in (("entPhysicalSerialNum", serials), ("entPhysicalModelName", models)):
            v = e.get(key)
            if not v:
                continue
            ent += 1
            if v in have:
                eok += 1
            else:
                bad += 1
                print("  %s: entity %s %s %r not in any record" % (n, e["entPhysicalIndex"], key, v))
    sens = sok = 0
    if exp.get("category") == "network":
        got = samples.get(n, {})
        for s in exp.get("sensors") or []:
            if s.get("raw") is None:
                continue
            sens += 1
            oid = s["sensor_oid"].lstrip(".")
            want = float(s["sensor_current"])
            hit = [l for l in got.get(oid, []) if close(l["value"], want)]
            if hit:
                sok += 1
            else:
                print("  %s: sensor %s %s (%s): pantau %s, LibreNMS %s" % (
                    n, s["sensor_class"], oid, s["sensor_descr"],
                    [l["value"] for l in got.get(oid, [])] or "nothing", want))
    for k, v in (("ports", len(ports)), ("ports_ok", pok), ("ent", ent), ("ent_ok", eok),
                 ("sens", sens), ("sens_ok", sok)):
        tot[k] += v
    print("%-26s %5d/%-5d %6d/%-6d %7d/%-7d" % (n, pok, len(ports), eok, ent, sok, sens))
print("%-26s %5d/%-5d %6d/%-6d %7d/%-7d" % ("total", tot["ports_ok"], tot["ports"], tot["ent_ok"],
                                            tot["ent"], tot["sens_ok"], tot["sens"]))
sys.exit(1 if bad else 0)
PY
echo "ok"
