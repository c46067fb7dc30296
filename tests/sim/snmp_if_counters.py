#!/usr/bin/python3
"""An snmpd `pass_persist` program serving two IF-MIB interfaces whose octet
counters grow with wall time, for tests/integration/snmp_net_rates.sh.

    pass_persist .1.3.6.1.2.1.2.2    /usr/bin/python3 snmp_if_counters.py
    pass_persist .1.3.6.1.2.1.31.1.1 /usr/bin/python3 snmp_if_counters.py

The counters count from the time written in the file named by
$PANTAU_IF_EPOCH (seconds since 1970, a float); the test rewrites it when it
restarts snmpd, so the counters restart with the agent's sysUpTime.
  * ifIndex 1 "eth1": 32-bit ifTable counters only. ifInOctets starts
    2,500,000 below 2^32 and grows 1,000,000 per second, so it wraps about
    2.5 s after each start.
  * ifIndex 2 "eth2" (ifName xe-0/0/2): ifXTable 64-bit counters growing
    1.25e9 octets per second (10 Gbit/s); its 32-bit ifTable counters are
    the low 32 bits, as a real agent serves them.
snmpd calls the program with -g OID (get) or -n OID (next) and reads three
lines: OID, type, value; nothing for "no such object"."""
import os
import sys
import time

TWO32 = 1 << 32
IF, IFX = "1.3.6.1.2.1.2.2.1.", "1.3.6.1.2.1.31.1.1.1."


def objects():
    with open(os.environ["PANTAU_IF_EPOCH"]) as f:
        e = max(0.0, time.time() - float(f.read()))
    in1 = int(TWO32 - 2500000 + 1000000 * e) % TWO32
    out1 = int(1000 + 500000 * e) % TWO32
    in2 = int(TWO32 + 5 + 1250000000 * e)
    out2 = int(10 ** 12 + 125000000 * e)
    o = {}
    for i, descr, speed, cin, cout in ((1, "eth1", 1000000000, in1, out1),
                                       (2, "eth2", 4294967295, in2 % TWO32, out2 % TWO32)):
        o[IF + "1.%d" % i] = ("integer", i)
        o[IF + "2.%d" % i] = ("string", descr)
        o[IF + "3.%d" % i] = ("integer", 6)
        o[IF + "5.%d" % i] = ("gauge", speed)
        o[IF + "7.%d" % i] = ("integer", 1)
        o[IF + "8.%d" % i] = ("integer", 1)
        o[IF + "10.%d" % i] = ("counter", cin)
        o[IF + "16.%d" % i] = ("counter", cout)
    o[IFX + "1.2"] = ("string", "xe-0/0/2")
    o[IFX + "6.2"] = ("counter64", in2)
    o[IFX + "10.2"] = ("counter64", out2)
    o[IFX + "15.2"] = ("gauge", 10000)
    return o


def key(oid):
    return [int(x) for x in oid.strip(".").split(".") if x]


def answer(cmd, oid):
    want = key(oid)
    objs = objects()
    if cmd == "get":
        hit = [o for o in objs if key(o) == want]
    else:
        hit = sorted((o for o in objs if key(o) > want), key=key)[:1]
    if not hit:
        return "NONE\n"
    typ, val = objs[hit[0]]
    return ".%s\n%s\n%s\n" % (hit[0], typ, val)


def main():
    while True:
        line = sys.stdin.readline()
        if not line:
            return
        cmd = line.strip().lower()
        if cmd == "ping":
            out = "PONG\n"
        elif cmd in ("get", "getnext"):
            out = answer(cmd, sys.stdin.readline().strip())
        elif cmd == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            out = "not-writable\n"
        else:
            out = "NONE\n"
        sys.stdout.write(out)
        sys.stdout.flush()


main()
