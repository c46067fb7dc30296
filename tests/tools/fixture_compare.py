#!/usr/bin/python3
"""Compares `pantau-agent --once` output with the project's own SNMP fixtures'
expectations (FIX/<name>.expected.json, written by hand from the MIBs by
make_facility_fixtures.py and make_network_fixtures.py).

Each fixture is polled as two devices, <name> and <name><SUFFIX> (another
protocol version or request type). For each:
  * samples: the same set of (metric, OID), each printed once; the value (to
    1e-9), unit, state name and row labels equal; an object listed under
    "absent" prints nothing, nor does anything else not expected;
  * with --inventory: the same set of (type, id) inventory records, each
    printed once with exactly the expected fields. Without it, lines other
    than samples are not looked at.

usage: fixture_compare.py --once ONCE.jsonl --suffix .next [--inventory] FIX NAME...
Exit 1 on any difference (each printed)."""
import argparse
import json
import sys

bad = 0


def complain(msg):
    global bad
    bad += 1
    print("  " + msg)


def split(lines, dev, inventory):
    """The device's samples by (metric, OID) and its inventory by (type, id)."""
    got, inv = {}, {}
    for l in lines:
        if l.get("device") != dev:
            continue
        if inventory and "inventory" in l:
            r = l["inventory"]
            key = (r["type"], r["id"])
            if key in inv:
                complain("%s: inventory %s %s printed twice" % (dev, key[0], key[1]))
            inv[key] = r["fields"]
            continue
        if "metric" not in l:
            if inventory:
                complain("%s: a line that is neither a sample nor inventory: %r" % (dev, l))
            continue
        key = (l["metric"], l["labels"].get("oid"))
        if key in got:
            complain("%s: %s at %s printed twice" % (dev, key[0], key[1]))
        got[key] = l
    return got, inv


def check_samples(dev, want, got):
    """Pops every expected sample from got; returns how many were checked."""
    if not got:
        complain("%s: printed no sample" % dev)
    for e in want["samples"]:
        l = got.pop((e["metric"], e["oid"]), None)
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
    return len(want["samples"])


def check_inventory(dev, want, inv):
    """Pops every expected record from inv; returns how many were checked."""
    for r in want["inventory"]:
        fields = inv.pop((r["type"], r["id"]), None)
        if fields is None:
            complain("%s: no inventory record %s %r" % (dev, r["type"], r["id"]))
        elif fields != r["fields"]:
            diff = sorted(set(fields.items()) ^ set(r["fields"].items()))
            complain("%s: inventory %s %r: fields differ: %r" % (dev, r["type"], r["id"], diff))
    for (typ, rid), fields in inv.items():
        complain("%s: unexpected inventory record %s %r %r" % (dev, typ, rid, fields))
    return len(want["inventory"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inventory", action="store_true")
    ap.add_argument("--suffix", required=True)
    ap.add_argument("--once", required=True)
    ap.add_argument("fix")
    ap.add_argument("names", nargs="+")
    a = ap.parse_args()
    lines = [json.loads(l) for l in open(a.once) if l.strip()]
    checked = records = 0
    for name in a.names:
        want = json.load(open("%s/%s.expected.json" % (a.fix, name)))
        for dev in (name, name + a.suffix):
            got, inv = split(lines, dev, a.inventory)
            checked += check_samples(dev, want, got)
            if a.inventory:
                records += check_inventory(dev, want, inv)
    print("checked %d samples%s of %d fixtures (devices NAME and NAME%s)" % (
        checked, " and %d inventory records" % records if a.inventory else "", len(a.names), a.suffix))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
