#!/usr/bin/python3
"""Checks pantau-agent --once output (JSON lines on stdin) against the values
the Modbus simulators serve from tests/sim/ems_default.seed.

    modbus_expect.py DEVICE:SET [DEVICE:SET ...] [--absent METRIC ...]

SET is "all" (every field of fields_all in the integration tests), "one"
(the one-register subset), or "all-but-floats" (an exception hid 100..107).
Exits 0 when every listed device reported exactly the expected values and
nothing else; prints what differs otherwise. Used by tests/integration.
"""
import json
import math
import sys

# metric: (value, table, address, bit or None); strings are inventory.
ALL = {
    "temperature": (23.5, "input", "0", None),
    "humidity": (48.2, "input", "1", None),
    "dew_point": (11.8, "input", "2", None),
    "delta": (-5.5, "input", "3", None),
    "volts": (230.1, "input", "4", None),
    "leak": (0, "discrete", "0", None),
    "door": (0, "discrete", "1", None),
    "smoke": (0, "discrete", "2", None),
    "mains": (1, "discrete", "3", None),
    "buzzer": (0, "coil", "0", None),
    "led": (1, "coil", "1", None),
    "sensor_ok": (1, "holding", "0", "0"),
    "bit1": (0, "holding", "0", "1"),
    "locked": (1, "holding", "0", "15"),
    "e_bb": (1234.5, "holding", "100", None),
    "e_bl": (1234.5, "holding", "102", None),
    "e_lb": (1234.5, "holding", "104", None),
    "e_ll": (1234.5, "holding", "106", None),
    "uptime": (4000000000, "holding", "110", None),
    "i32": (-123456, "holding", "112", None),
    "i32_bl": (-123456, "holding", "114", None),
    "i64": (-1234567890123, "holding", "120", None),
    "u64": (1234567890123456, "holding", "124", None),
    "f64": (230.25, "holding", "128", None),
    "f64_ll": (-0.125, "holding", "132", None),
}
STRINGS = {"model": ("PANTAU-EMS-1", "200"), "serial": ("SN-0042", "208")}
ONE = {k: ALL[k] for k in ("temperature", "humidity", "delta", "leak", "mains", "locked")}
SETS = {
    "all": (ALL, STRINGS),
    "one": (ONE, {}),
    "all-but-floats": ({k: v for k, v in ALL.items() if not k.startswith("e_")}, STRINGS),
}


def check_device(name, want, strings, lines, errors):
    got = {}
    inv = {}
    for rec in lines:
        if rec.get("device") != name:
            continue
        if "inventory" in rec:
            inv[rec["inventory"]["id"]] = rec["inventory"]["fields"]
            continue
        if rec["metric"] in got:
            errors.append(f"{name}: {rec['metric']} reported twice")
        got[rec["metric"]] = rec
    for metric, (value, table, address, bit) in want.items():
        rec = got.pop(metric, None)
        if rec is None:
            errors.append(f"{name}: {metric} missing")
            continue
        v = rec["value"]
        if not math.isclose(v, value, rel_tol=1e-12, abs_tol=1e-12):
            errors.append(f"{name}: {metric} = {v!r}, want {value!r}")
        labels = {"table": table, "address": address}
        if bit is not None:
            labels["bit"] = bit
        if rec["labels"] != labels:
            errors.append(f"{name}: {metric} labels {rec['labels']}, want {labels}")
    for metric in got:
        errors.append(f"{name}: unexpected metric {metric}")
    for metric, (text, address) in strings.items():
        f = inv.pop(metric, None)
        want_f = {"value": text, "table": "holding", "address": address}
        if f != want_f:
            errors.append(f"{name}: inventory {metric} = {f}, want {want_f}")
    for metric in inv:
        errors.append(f"{name}: unexpected inventory {metric}")
    if not want and not strings:
        return
    print(f"{name}: {len(want)} values and {len(strings)} strings checked")


def main():
    lines = []
    for raw in sys.stdin:
        raw = raw.strip()
        if raw:
            lines.append(json.loads(raw))
    errors = []
    for arg in sys.argv[1:]:
        name, _, which = arg.partition(":")
        if which == "none":
            if any(r.get("device") == name for r in lines):
                errors.append(f"{name}: reported values but should have failed")
            continue
        want, strings = SETS[which]
        check_device(name, want, strings, lines, errors)
    for e in errors:
        print("MISMATCH", e)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
