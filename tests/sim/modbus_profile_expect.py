#!/usr/bin/python3
"""Checks pantau-agent --once output against a Modbus profile's expected values.

    modbus_profile_expect.py PROFILE.yaml DEVICE EXPECT_FILE < once.jsonl

EXPECT_FILE has one line per field of the profile: `metric value [state]`,
or `metric -` when no sample may appear (a sentinel listed in `invalid`).
Every metric the profile defines must be listed (so a field added to a
profile without a test value fails), every listed value must match, and the
device must emit nothing else. Each sample must carry labels.table and
labels.address."""
import json
import math
import re
import sys


def profile_metrics(path):
    metrics = []
    with open(path) as f:
        for line in f:
            m = re.search(r"\bmetric:\s*([a-z0-9_.]+)", line.split("#", 1)[0])
            if m:
                metrics.append(m.group(1))
    return metrics


def read_expect(path):
    want = {}
    with open(path) as f:
        for n, line in enumerate(f, 1):
            parts = line.split("#", 1)[0].split()
            if not parts:
                continue
            if len(parts) not in (2, 3) or parts[0] in want:
                sys.exit(f"{path}:{n}: expected `metric value [state]` once per metric")
            want[parts[0]] = (None if parts[1] == "-" else float(parts[1]),
                              parts[2] if len(parts) == 3 else None)
    return want


def main():
    profile, device, expect = sys.argv[1:4]
    want = read_expect(expect)
    errors = []
    for m in profile_metrics(profile):
        if m not in want:
            errors.append(f"{m}: defined in {profile} but has no expected value in {expect}")
    got = {}
    for line in sys.stdin:
        rec = json.loads(line)
        if rec.get("device") != device or "metric" not in rec:
            continue
        if rec["metric"] in got:
            errors.append(f"{rec['metric']}: emitted twice")
        got[rec["metric"]] = rec
    for m, (value, state) in want.items():
        rec = got.pop(m, None)
        if value is None:
            if rec is not None:
                errors.append(f"{m}: expected no sample, got {rec['value']}")
            continue
        if rec is None:
            errors.append(f"{m}: missing (expected {value})")
            continue
        v = rec["value"]
        if not math.isclose(v, value, rel_tol=1e-12, abs_tol=1e-12):
            errors.append(f"{m}: value {v!r}, expected {value!r}")
        if rec.get("state") != state:
            errors.append(f"{m}: state {rec.get('state')!r}, expected {state!r}")
        labels = rec.get("labels", {})
        if not labels.get("table") or not labels.get("address"):
            errors.append(f"{m}: labels.table/labels.address missing: {labels}")
    for m in got:
        errors.append(f"{m}: emitted but not expected")
    for e in errors:
        print(f"{device}: {e}")
    checked = sum(1 for v in want.values() if v[0] is not None)
    print(f"{device}: {checked} values and {len(want) - checked} absences checked, "
          f"{len(errors)} errors")
    sys.exit(1 if errors else 0)


main()
