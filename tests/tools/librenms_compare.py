#!/usr/bin/python3
"""Compares `pantau-agent --once` output with the sensors LibreNMS read from
the same recordings (expected/<name>.json, see the recordings' README).

Sensors are matched by full OID (labels.oid against sensor_oid without its
leading dot). LibreNMS's value is raw / divisor * multiplier, then its
user_func (fahrenheit_to_celsius, ...), converted to pantau's unit where
pantau normalises (runtime minutes -> s). A state sensor compares the raw
enumeration. A value is right within 1%.

Where pantau differs from LibreNMS on purpose, a rule of DELIBERATE says why
and what pantau prints instead; the sensor is then listed with its reason and
checked against that rule, never counted silently.

usage: librenms_compare.py ONCE.jsonl EXPECTED_DIR [--bar 0.95] NAME...
Exit 1 if a category is below the bar or a deliberate rule does not hold."""
import argparse
import json
import re
import sys

# LibreNMS sensor_class -> factor from LibreNMS's unit to pantau's, keyed by
# pantau's unit. LibreNMS keeps runtime in minutes; pantau in seconds.
UNIT_FACTOR = {("runtime", "s"): 60.0}

# Differences on purpose. Each rule matches sensors by OID (regex on the OID
# without a leading dot) and optionally by LibreNMS's divisor or raw value;
# `pantau` says what pantau prints instead: "absent", or {"divide": d,
# "scale": m} applied to the raw value.
DELIBERATE = [
    {"oid": r"^1\.3\.6\.1\.2\.1\.33\.1\.(3\.3\.1\.2|4\.2|5\.1)\.", "divisor": 100,
     "pantau": {"divide": 10},
     "reason": "RFC 1628 upsInput/Output/BypassFrequency are in 0.1 Hz (UNITS); "
               "LibreNMS divides by 100 and shows 5 Hz for a 50 Hz mains"},
    {"oid": r"^1\.3\.6\.1\.2\.1\.33\.1\.2\.3\.0$", "raw": [4294967295, -1],
     "pantau": "absent",
     "reason": "upsEstimatedMinutesRemaining 2^32-1 / -1 is the card's 'unknown' "
               "sentinel, not 8171 years of runtime"},
    {"oid": r"^1\.3\.6\.1\.4\.1\.318\.1\.1\.27\.1\.4\.1\.2\.1\.3\.",
     "sibling": [r"\.2\.1\.3\.(\d+\.\d+)$", r".2.1.4.\1", ["kW"]],
     "pantau": {"scale": 1000, "divide": 10},
     "reason": "APC coolingUnit analog rows in kW (units column 'kW'): pantau normalises "
               "power to W; LibreNMS shows the kW figure as W"},
    {"oid": r"^1\.3\.6\.1\.4\.1\.3854\.1\.2\.2\.1\.1[67]\.1\.",
     "sibling": [r"\.1\.\d+\.(\d+)$", r".1.5.\1", ["2"]],
     "pantau": "absent",
     "reason": "AKCP probe port is offline (sensorProbe*Online = 2): no probe plugged in, "
               "so its reading is not a measurement; LibreNMS still shows it"},
    {"oid": r".", "raw_absent": True, "pantau": "absent",
     "reason": "the OID is not in the recording; LibreNMS stores 0, pantau emits no "
               "sample for an absent object"},
]


def leading_number(text):
    m = re.match(r'\s*"?\s*([-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?)', str(text))
    return float(m.group(1)) if m else None


def user_func(name, v):
    if not name:
        return v
    if name == "fahrenheit_to_celsius":
        return (v - 32.0) * 5.0 / 9.0
    if name == "celsius_to_fahrenheit":
        return v * 9.0 / 5.0 + 32.0
    raise SystemExit("unknown user_func %s: teach librenms_compare.py" % name)


def librenms_value(s):
    raw = leading_number(s["raw"]["value"])
    if raw is None:
        return None
    v = raw / float(s["sensor_divisor"] or 1) * float(s["sensor_multiplier"] or 1)
    return user_func(s.get("user_func"), v)


def close(a, b):
    return abs(a - b) <= max(0.01 * abs(b), 1e-9)


RECORDING = {}


def load_recording(path):
    rec = {}
    for line in open(path, errors="replace"):
        parts = line.rstrip("\n").split("|", 2)
        if len(parts) == 3:
            rec[parts[0]] = parts[2]
    return rec


def rule_for(s, oid):
    for r in DELIBERATE:
        if not re.search(r["oid"], oid):
            continue
        if "sibling" in r:
            pat, repl, values = r["sibling"]
            other = re.sub(pat, repl, oid)
            if RECORDING.get(other, "").strip() not in values:
                continue
        if r.get("raw_absent"):
            if s["raw"] is None:
                return r
            continue
        if s["raw"] is None:
            continue
        if "divisor" in r and float(s["sensor_divisor"]) != r["divisor"]:
            continue
        if "raw" in r and leading_number(s["raw"]["value"]) not in r["raw"]:
            continue
        return r
    return None


def check_rule(r, s, got):
    """'' if pantau does what the rule says, else the complaint."""
    if r["pantau"] == "absent":
        return "" if got is None else "printed %r although the rule says absent" % got["value"]
    if got is None:
        return "missing"
    raw = leading_number(s["raw"]["value"])
    want = raw * r["pantau"].get("scale", 1) / r["pantau"].get("divide", 1)
    return "" if close(got["value"], want) else "is %r, the rule says %r" % (got["value"], want)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("once")
    ap.add_argument("expected")
    ap.add_argument("--bar", type=float, default=0.95)
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--snmprec", help="folder of the recordings, for rules that read a sibling OID")
    ap.add_argument("names", nargs="+")
    a = ap.parse_args()
    lines = [json.loads(l) for l in open(a.once) if l.strip()]
    cats = {}
    broken = 0
    for name in a.names:
        exp = json.load(open("%s/%s.json" % (a.expected, name)))
        RECORDING.clear()
        if a.snmprec:
            RECORDING.update(load_recording("%s/%s.snmprec" % (a.snmprec, name)))
        got = {}
        for l in lines:
            if l.get("device") == name and "metric" in l:
                got.setdefault(l["labels"]["oid"], []).append(l)
        total = found = ok = deliberate = 0
        for s in exp["sensors"]:
            oid = s["sensor_oid"].lstrip(".")
            total += 1
            gs = got.get(oid, [])
            g = gs[0] if gs else None
            r = rule_for(s, oid)
            if r is not None:
                why = check_rule(r, s, g)
                if why:
                    broken += 1
                    print("  %s: %s (%s): deliberate rule broken: %s" % (name, oid, s["sensor_descr"], why))
                else:
                    deliberate += 1
                    print("  %s: %s (%s) deliberate: LibreNMS %r, pantau %s: %s" % (
                        name, oid, s["sensor_descr"], s["sensor_current"],
                        "absent" if g is None else "%r %s" % (g["value"], g["unit"]), r["reason"]))
                continue
            if g is None:
                print("  %s: %s (%s, %s) not printed by pantau" % (name, oid, s["sensor_descr"], s["sensor_class"]))
                continue
            found += 1
            # Several pantau metrics may read one OID (a valve's opening that
            # LibreNMS also shows as a state): any of them may match.
            if s["sensor_class"] == "state":
                want = leading_number(s["raw"]["value"])
                for c in gs:
                    if c["value"] == want:
                        g, good = c, True
                        break
                else:
                    good = False
            else:
                lv = librenms_value(s)
                good = False
                for c in gs:
                    want = None if lv is None else lv * UNIT_FACTOR.get((s["sensor_class"], c["unit"]), 1.0)
                    if want is not None and close(c["value"], want):
                        g, good = c, True
                        break
            if good:
                ok += 1
            else:
                print("  %s: %s (%s, %s): pantau %r %s, LibreNMS %r (raw %s / %s * %s %s)" % (
                    name, oid, s["sensor_descr"], s["sensor_class"], g["value"], g["unit"], want,
                    s["raw"]["value"], s["sensor_divisor"], s["sensor_multiplier"], s.get("user_func") or ""))
            if a.verbose:
                print("    %s %s = %r %s" % (name, g["metric"], g["value"], g["unit"]))
        c = cats.setdefault(exp["category"], [0, 0, 0, 0])
        for i, v in enumerate((total, found, ok, deliberate)):
            c[i] += v
        print("%-26s %-9s sensors %3d  printed %3d  within 1%% %3d  deliberate %d" % (
            name, exp["category"], total, found, ok, deliberate))
    low = 0
    for cat, (total, found, ok, deliberate) in sorted(cats.items()):
        share = ok / total if total else 1.0
        print("category %-9s %3d/%3d within 1%% (%.1f%%), printed %d, deliberate differences %d" % (
            cat, ok, total, 100 * share, found, deliberate))
        if share < a.bar:
            low += 1
    if broken:
        print("%d deliberate rules do not hold" % broken)
    return 1 if low or broken else 0


if __name__ == "__main__":
    sys.exit(main())
