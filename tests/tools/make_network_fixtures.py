#!/usr/bin/python3
"""Writes the project's network fixtures: for every network profile a short
snmprec (tests/fixtures/snmp/network/<name>.snmprec, community = <name>) with
values chosen by hand, and <name>.expected.json with every sample and every
inventory record pantau-agent --once must print for it. The expected values
are worked out here from the MIBs (units, scale and precision columns,
enumerations), never taken from pantau's output. Run it after changing a
fixture:
    tests/tools/make_network_fixtures.py tests/fixtures/snmp/network"""
import json
import os
import sys

INT, STR, HEX, OID, IP, C32, G32, TICKS, C64 = "2", "4", "4x", "6", "64", "65", "66", "67", "70"


def M(oid, typ, raw, metric, value, unit="", labels=None, state=None):
    return (oid, typ, raw, {"metric": metric, "oid": oid, "value": value, "unit": unit,
                            "labels": labels or {}, **({"state": state} if state else {})})


def D(oid, typ, raw):
    return (oid, typ, raw, None)


def R(typ, rid, **fields):
    """An inventory record that --once must print."""
    return {"type": typ, "id": rid, "fields": fields}


def system(descr, objid):
    rows = [D("1.3.6.1.2.1.1.1.0", STR, descr), D("1.3.6.1.2.1.1.2.0", OID, objid),
            M("1.3.6.1.2.1.1.3.0", TICKS, 123456, "snmp.uptime", 1234.56, "s"),
            D("1.3.6.1.2.1.1.5.0", STR, "fixture")]
    rec = R("system", "", descr=descr, object_id=objid, uptime="1234.56", name="fixture")
    return rows, [rec]


FIX = {}

# --- IF-MIB: a 32-bit-only interface, a 64-bit ifXTable one, and one with
# ifXTable names but only 32-bit counters (the per-row fallback).
IF, IFX = "1.3.6.1.2.1.2.2.1.", "1.3.6.1.2.1.31.1.1.1."
rows, inv = system("Linux fixture 6.1.0 x86_64", "1.3.6.1.4.1.8072.3.2.10")
l1 = {"ifindex": "1"}
l2 = {"ifindex": "2", "ifname": "xe-0/0/1"}
l3 = {"ifindex": "3", "ifname": "ae0"}
rows += [
    D(IF + "1.1", INT, 1), D(IF + "2.1", STR, "lo"), D(IF + "3.1", INT, 24), D(IF + "4.1", INT, 65536),
    D(IF + "5.1", G32, 10000000), D(IF + "6.1", STR, ""), D(IF + "7.1", INT, 1),
    M(IF + "8.1", INT, 1, "if.oper_status", 1, "", l1, "up"),
    M(IF + "10.1", C32, 5000, "if.in.octets", 5000, "B", l1),
    M(IF + "11.1", C32, 50, "if.in.ucast_packets", 50, "", l1),
    M(IF + "13.1", C32, 0, "if.in.discards", 0, "", l1),
    M(IF + "14.1", C32, 0, "if.in.errors", 0, "", l1),
    M(IF + "16.1", C32, 6000, "if.out.octets", 6000, "B", l1),
    M(IF + "17.1", C32, 60, "if.out.ucast_packets", 60, "", l1),
    M(IF + "19.1", C32, 1, "if.out.discards", 1, "", l1),
    M(IF + "20.1", C32, 2, "if.out.errors", 2, "", l1),
    # ifIndex 2: ifSpeed is pinned at 2^32-1, ifHighSpeed says 10 Gbit/s;
    # its 32-bit counters lose to the ifXTable HC ones.
    D(IF + "1.2", INT, 2), D(IF + "2.2", STR, "Intel X710 10GbE"), D(IF + "3.2", INT, 6),
    D(IF + "4.2", INT, 9000), D(IF + "5.2", G32, 4294967295), D(IF + "6.2", HEX, "0050569a1b2c"),
    D(IF + "7.2", INT, 1), M(IF + "8.2", INT, 1, "if.oper_status", 1, "", l2, "up"),
    D(IF + "10.2", C32, 1111), D(IF + "11.2", C32, 33),
    M(IF + "13.2", C32, 5, "if.in.discards", 5, "", l2),
    M(IF + "14.2", C32, 3, "if.in.errors", 3, "", l2),
    D(IF + "16.2", C32, 2222), D(IF + "17.2", C32, 44),
    M(IF + "19.2", C32, 6, "if.out.discards", 6, "", l2),
    M(IF + "20.2", C32, 4, "if.out.errors", 4, "", l2),
    D(IFX + "1.2", STR, "xe-0/0/1"),
    D(IFX + "2.2", C32, 700), D(IFX + "3.2", C32, 800), D(IFX + "4.2", C32, 900), D(IFX + "5.2", C32, 1000),
    M(IFX + "6.2", C64, 9876543210123, "if.in.octets", 9876543210123, "B", l2),
    M(IFX + "7.2", C64, 123456789012, "if.in.ucast_packets", 123456789012, "", l2),
    M(IFX + "8.2", C64, 7000, "if.in.multicast_packets", 7000, "", l2),
    M(IFX + "9.2", C64, 8000, "if.in.broadcast_packets", 8000, "", l2),
    M(IFX + "10.2", C64, 1234567890123456, "if.out.octets", 1234567890123456, "B", l2),
    M(IFX + "11.2", C64, 987654321098, "if.out.ucast_packets", 987654321098, "", l2),
    M(IFX + "12.2", C64, 9000, "if.out.multicast_packets", 9000, "", l2),
    M(IFX + "13.2", C64, 10000, "if.out.broadcast_packets", 10000, "", l2),
    D(IFX + "15.2", G32, 10000), D(IFX + "18.2", STR, "uplink core-sw-1"), D(IFX + "19.2", TICKS, 0),
    # ifIndex 3: a LAG that is down below, ifHighSpeed 0 (unknown) so the
    # speed is ifSpeed, and no HC counters: the 32-bit ones are used.
    D(IF + "1.3", INT, 3), D(IF + "2.3", STR, "ae0"), D(IF + "3.3", INT, 161), D(IF + "4.3", INT, 1500),
    D(IF + "5.3", G32, 100000000), D(IF + "6.3", HEX, "0050569a1b2d"), D(IF + "7.3", INT, 1),
    M(IF + "8.3", INT, 7, "if.oper_status", 7, "", l3, "lowerLayerDown"),
    M(IF + "10.3", C32, 4294967000, "if.in.octets", 4294967000, "B", l3),
    M(IF + "11.3", C32, 77, "if.in.ucast_packets", 77, "", l3),
    M(IF + "13.3", C32, 0, "if.in.discards", 0, "", l3),
    M(IF + "14.3", C32, 0, "if.in.errors", 0, "", l3),
    M(IF + "16.3", C32, 12345, "if.out.octets", 12345, "B", l3),
    M(IF + "17.3", C32, 88, "if.out.ucast_packets", 88, "", l3),
    M(IF + "19.3", C32, 0, "if.out.discards", 0, "", l3),
    M(IF + "20.3", C32, 0, "if.out.errors", 0, "", l3),
    D(IFX + "1.3", STR, "ae0"),
    M(IFX + "2.3", C32, 12, "if.in.multicast_packets", 12, "", l3),
    D(IFX + "15.3", G32, 0), D(IFX + "18.3", STR, ""),
]
inv += [
    R("interface", "1", name="lo", descr="lo", type="softwareLoopback", speed="10000000", mac="",
      admin_status="up", oper_status="up", mtu="65536"),
    R("interface", "2", name="xe-0/0/1", descr="Intel X710 10GbE", alias="uplink core-sw-1",
      type="ethernetCsmacd", speed="10000000000", mac="0050569a1b2c", admin_status="up",
      oper_status="up", mtu="9000"),
    R("interface", "3", name="ae0", descr="ae0", alias="", type="ieee8023adLag", speed="100000000",
      mac="0050569a1b2d", admin_status="up", oper_status="lowerLayerDown", mtu="1500"),
]
FIX["if-mib"] = (rows, inv)

# --- ENTITY-MIB: chassis > slot > line card > port, and a PSU in the chassis.
E = "1.3.6.1.2.1.47.1.1.1.1."
CLASSES = {3: "chassis", 5: "container", 6: "powerSupply", 9: "module", 10: "port"}
rows, inv = system("Fixture Networks FX-48T", "1.3.6.1.4.1.99999.1.48")
ENTS = [  # index, descr, vendor type, within, class, pos, name, hw, fw, sw, serial, mfg, model, fru
    (1, "Fixture 48-port switch", "1.3.6.1.4.1.99999.3.1", 0, 3, -1, "Chassis", "V02", "1.2.3", "7.0(1)",
     "FXS1234A0BC", "Fixture Networks", "FX-48T", 2),
    (2, "Line card slot 1", "1.3.6.1.4.1.99999.3.2", 1, 5, 1, "Slot 1", "", "", "", "", "", "", 2),
    (3, "24-port GE line card", "1.3.6.1.4.1.99999.3.3", 2, 9, 1, "Line card 1", "A1", "2.0", "",
     "FOC2233X1YZ", "Fixture Networks", "FX-LC-24G", 1),
    (4, "350 W AC power supply", "1.3.6.1.4.1.99999.3.4", 1, 6, 2, "PSU 1", "B0", "", "",
     "PSU00042", "Fixture Power", "FX-PWR-350W-AC", 1),
    (5, "Gigabit port 1", "0.0", 3, 10, 1, "Gi1/0/1", "", "", "", "", "", "", 2),
]
for (i, descr, vt, within, cls, pos, name, hw, fw, sw, serial, mfg, model, fru) in ENTS:
    s = str(i)
    rows += [D(E + "2." + s, STR, descr), D(E + "3." + s, OID, vt), D(E + "4." + s, INT, within),
             D(E + "5." + s, INT, cls), D(E + "6." + s, INT, pos), D(E + "7." + s, STR, name),
             D(E + "8." + s, STR, hw), D(E + "9." + s, STR, fw), D(E + "10." + s, STR, sw),
             D(E + "11." + s, STR, serial), D(E + "12." + s, STR, mfg), D(E + "13." + s, STR, model),
             D(E + "14." + s, STR, ""), D(E + "15." + s, STR, ""), D(E + "16." + s, INT, fru)]
    inv.append(R("entity", s, descr=descr, **{"class": CLASSES[cls]}, name=name, hardware_rev=hw,
                 firmware_rev=fw, software_rev=sw, serial=serial, manufacturer=mfg, model=model,
                 alias="", asset_id="", fru="true" if fru == 1 else "false",
                 contained_in=str(within), parent_position=str(pos), vendor_type=vt))
FIX["entity-mib"] = (rows, inv)

# --- LLDP-MIB: two neighbours, one with an IPv4 and one with an IPv6
# management address; port 5 has no description, so its id names it.
LOC, REM, MAN = "1.0.8802.1.1.2.1.3.7.1.", "1.0.8802.1.1.2.1.4.1.1.", "1.0.8802.1.1.2.1.4.2.1."
rows, inv = system("Fixture access switch", "1.3.6.1.4.1.99999.1.24")
rows += [
    D(LOC + "2.3", INT, 5), D(LOC + "2.5", INT, 5),
    D(LOC + "3.3", STR, "Gi1/0/3"), D(LOC + "3.5", STR, "Gi1/0/5"), D(LOC + "4.3", STR, "uplink A"),
    D(REM + "4.0.3.1", INT, 4), D(REM + "5.0.3.1", HEX, "001b213a4f5c"), D(REM + "6.0.3.1", INT, 5),
    D(REM + "7.0.3.1", STR, "xe-0/0/12"), D(REM + "8.0.3.1", STR, "to access-sw-3"),
    D(REM + "9.0.3.1", STR, "core-sw-1"), D(REM + "10.0.3.1", STR, "Juniper Networks QFX5100"),
    D(REM + "4.0.5.2", INT, 7), D(REM + "5.0.5.2", STR, "sw-edge-2"), D(REM + "6.0.5.2", INT, 3),
    D(REM + "7.0.5.2", HEX, "a4bb6d112233"), D(REM + "9.0.5.2", STR, "edge-sw-2"),
    D(MAN + "3.0.3.1.1.4.10.0.0.9", INT, 2),
    D(MAN + "3.0.5.2.2.16.254.128.0.0.0.0.0.0.0.0.0.0.0.0.0.1", INT, 2),
]
inv += [
    R("neighbour", "0.3.1", local_port_num="3", local_port="uplink A", chassis_id_subtype="macAddress",
      chassis_id="001b213a4f5c", port_id_subtype="interfaceName", port_id="xe-0/0/12",
      port_descr="to access-sw-3", system_name="core-sw-1", system_descr="Juniper Networks QFX5100",
      mgmt_address="10.0.0.9"),
    R("neighbour", "0.5.2", local_port_num="5", local_port="Gi1/0/5", chassis_id_subtype="local",
      chassis_id="sw-edge-2", port_id_subtype="macAddress", port_id="a4bb6d112233",
      system_name="edge-sw-2", mgmt_address="fe80::1"),
    R("lldp_port", "3", port_id="Gi1/0/3", descr="uplink A"),
    R("lldp_port", "5", port_id="Gi1/0/5"),
]
FIX["lldp-mib"] = (rows, inv)

# --- ENTITY-SENSOR-MIB: value x 10^scale / 10^precision per row.
S = "1.3.6.1.2.1.99.1.1.1."
rows, inv = system("Fixture router", "1.3.6.1.4.1.99999.1.7")
SENS = [  # index, name, type, scale, precision, raw, metric, value, unit, status, state
    (10, "CPU temp", 8, 9, 1, 415, "sensor.temperature", 41.5, "celsius", 1, "ok"),
    (11, "12V rail", 4, 8, 0, 12050, "sensor.voltage", 12.05, "V", 1, "ok"),
    (12, "PSU current", 5, 7, 0, 250000, "sensor.current", 0.25, "A", 1, "ok"),
    (13, "PSU power", 6, 10, 2, 150, "sensor.power", 1500, "W", 1, "ok"),
    (14, "Fan 1", 10, 9, 0, 5400, "sensor.fan_speed", 5400, "rpm", 3, "nonoperational"),
    (15, "Inlet humidity", 9, 9, 0, 45, "sensor.humidity", 45, "%", 2, "unavailable"),
    (16, "Inlet temp", 8, 8, 0, 38500, "sensor.temperature", 38.5, "celsius", 1, "ok"),
    (17, "Mains frequency", 7, 9, 1, 499, "sensor.frequency", 49.9, "Hz", 1, "ok"),
]
for (i, name, typ, scale, prec, raw, metric, value, unit, st, stname) in SENS:
    s, lab = str(i), {"entity": str(i), "name": name}
    rows += [D(E + "7." + s, STR, name), D(S + "1." + s, INT, typ), D(S + "2." + s, INT, scale),
             D(S + "3." + s, INT, prec), M(S + "4." + s, INT, raw, metric, value, unit, lab),
             M(S + "5." + s, INT, st, "sensor.oper_status", st, "", lab, stname)]
    inv.append(R("entity", s, name=name))
FIX["entity-sensor-mib"] = (rows, inv)

# --- HOST-RESOURCES-MIB: two CPUs, RAM and a disk.
H = "1.3.6.1.2.1.25."
rows, inv = system("Linux fixture server", "1.3.6.1.4.1.8072.3.2.10")
ram = {"storage": "1", "descr": "Physical memory", "type": "1.3.6.1.2.1.25.2.1.2"}
disk = {"storage": "31", "descr": "/", "type": "1.3.6.1.2.1.25.2.1.4"}
rows += [
    M(H + "3.3.1.2.196608", INT, 12, "cpu.load", 12, "%", {"cpu": "196608"}),
    M(H + "3.3.1.2.196609", INT, 87, "cpu.load", 87, "%", {"cpu": "196609"}),
    D(H + "2.3.1.2.1", OID, "1.3.6.1.2.1.25.2.1.2"), D(H + "2.3.1.2.31", OID, "1.3.6.1.2.1.25.2.1.4"),
    D(H + "2.3.1.3.1", STR, "Physical memory"), D(H + "2.3.1.3.31", STR, "/"),
    M(H + "2.3.1.4.1", INT, 1024, "storage.allocation_unit", 1024, "B", ram),
    M(H + "2.3.1.4.31", INT, 4096, "storage.allocation_unit", 4096, "B", disk),
    M(H + "2.3.1.5.1", INT, 2000000, "storage.size", 2000000, "", ram),
    M(H + "2.3.1.5.31", INT, 5000000, "storage.size", 5000000, "", disk),
    M(H + "2.3.1.6.1", INT, 1500000, "storage.used", 1500000, "", ram),
    M(H + "2.3.1.6.31", INT, 1234567, "storage.used", 1234567, "", disk),
]
FIX["host-resources-mib"] = (rows, inv)

# --- Cisco: CPU (Rev columns with the old ones as fallback), memory pools,
# ENVMON, HSRP, PoE.
C = "1.3.6.1.4.1.9.9."
rows, inv = system("Cisco IOS Software, C3560 Software (C3560-IPSERVICESK9-M), Version 15.0(2)SE11",
                   "1.3.6.1.4.1.9.1.516")
c1, c2 = {"cpu": "1"}, {"cpu": "2"}
pool = {"pool": "1", "name": "Processor"}
emp = {"entity": "1000", "pool": "1", "name": "Processor"}
rows += [
    D(C + "109.1.1.1.1.3.1", G32, 70), D(C + "109.1.1.1.1.4.1", G32, 80), D(C + "109.1.1.1.1.5.1", G32, 90),
    M(C + "109.1.1.1.1.6.1", G32, 7, "cpu.load_5s", 7, "%", c1),
    M(C + "109.1.1.1.1.7.1", G32, 8, "cpu.load_1min", 8, "%", c1),
    M(C + "109.1.1.1.1.8.1", G32, 9, "cpu.load_5min", 9, "%", c1),
    M(C + "109.1.1.1.1.3.2", G32, 11, "cpu.load_5s", 11, "%", c2),
    M(C + "109.1.1.1.1.4.2", G32, 12, "cpu.load_1min", 12, "%", c2),
    M(C + "109.1.1.1.1.5.2", G32, 13, "cpu.load_5min", 13, "%", c2),
    D(C + "48.1.1.1.2.1", STR, "Processor"),
    M(C + "48.1.1.1.5.1", G32, 52428800, "memory.pool.used", 52428800, "B", pool),
    M(C + "48.1.1.1.6.1", G32, 104857600, "memory.pool.free", 104857600, "B", pool),
    D(C + "221.1.1.1.1.3.1000.1", STR, "Processor"),
    D(C + "221.1.1.1.1.7.1000.1", G32, 3000), D(C + "221.1.1.1.1.8.1000.1", G32, 7000),
    M(C + "221.1.1.1.1.18.1000.1", C64, 5000000000, "memory.pool.used", 5000000000, "B", emp),
    M(C + "221.1.1.1.1.20.1000.1", C64, 7000000000, "memory.pool.free", 7000000000, "B", emp),
    D(C + "13.1.3.1.2.1008", STR, "Inlet"),
    M(C + "13.1.3.1.3.1008", G32, 28, "env.temperature", 28, "celsius", {"sensor": "1008", "descr": "Inlet"}),
    M(C + "13.1.3.1.4.1008", INT, 60, "env.temperature.threshold", 60, "celsius", {"sensor": "1008", "descr": "Inlet"}),
    M(C + "13.1.3.1.6.1008", INT, 2, "env.temperature.state", 2, "", {"sensor": "1008", "descr": "Inlet"}, "warning"),
    D(C + "13.1.4.1.2.1", STR, "Fan 1"), D(C + "13.1.4.1.2.2", STR, "Fan 2"),
    M(C + "13.1.4.1.3.1", INT, 1, "env.fan.state", 1, "", {"fan": "1", "descr": "Fan 1"}, "normal"),
    M(C + "13.1.4.1.3.2", INT, 3, "env.fan.state", 3, "", {"fan": "2", "descr": "Fan 2"}, "critical"),
    D(C + "13.1.5.1.2.1", STR, "PS1"), D(C + "13.1.5.1.2.2", STR, "PS2"),
    M(C + "13.1.5.1.3.1", INT, 1, "env.power_supply.state", 1, "", {"supply": "1", "descr": "PS1"}, "normal"),
    M(C + "13.1.5.1.3.2", INT, 5, "env.power_supply.state", 5, "", {"supply": "2", "descr": "PS2"}, "notPresent"),
    D(C + "106.1.2.1.1.11.5.10", IP, "10.1.1.1"),
    M(C + "106.1.2.1.1.15.5.10", INT, 6, "hsrp.state", 6, "", {"ifindex": "5", "group": "10", "virtual_ip": "10.1.1.1"}, "active"),
    M(C + "402.1.4.1.0", G32, 12, "poe.devices", 12),
]
FIX["cisco"] = (rows, inv)

# --- Juniper: chassis, containers (with a type the profile cannot name),
# contents, operating components, FRUs, optics, virtual chassis, alarms.
J = "1.3.6.1.4.1.2636.3."
T = "1.3.6.1.4.1.2636.1.1."
rows, inv = system("Juniper Networks, Inc. qfx5100-48s-6q Ethernet Switch, kernel JUNOS 18.4R3",
                   "1.3.6.1.4.1.2636.1.1.1.2.82")
CONT = [  # index, within, type, descr, model LibreNMS shows (the MIB name)
    (1, 0, T + "2.1.82.0", "chassis frame", "QFXSwitch"),
    (2, 1, T + "2.2.82.3.0", "Power Supply slot", "Slot Power"),
    (7, 1, T + "2.2.82.1.0", "FPC slot", "Slot FPC"),
    (8, 7, T + "2.3.82.1.0", "PIC slot", "Media Card Space PIC"),
    (9, 1, T + "2.2.99.7.0", "Mystery slot", T + "2.2.99.7.0"),  # not in the profile's names
]
rows += [D(J + "1.2.0", STR, "Juniper QFX5100-48S Switch"), D(J + "1.3.0", STR, "VG3715AB0123")]
inv.append(R("chassis", "", descr="Juniper QFX5100-48S Switch", serial="VG3715AB0123"))
for (i, within, typ, descr, model) in CONT:
    s = str(i)
    rows += [D(J + "1.6.1.1." + s, INT, i), D(J + "1.6.1.4." + s, INT, within),
             D(J + "1.6.1.5." + s, OID, typ), D(J + "1.6.1.6." + s, STR, descr)]
    inv.append(R("container", s, descr=descr, model=model, type_oid=typ, contained_in=str(within)))
CONTENTS = [  # index, type, descr, serial, revision, part number
    ("2.1.1.0", T + "3.2.82.3.1", "Power Supply 0 @ 0/0/*", "1GA99887766", "REV 03", "740-044332"),
    ("7.1.0.0", T + "3.2.82.1.1", "FPC: QFX5100-48S-6Q @ 0/*/*", "TA0000000001", "REV 11", "650-056264"),
]
for (i, typ, descr, serial, rev, part) in CONTENTS:
    rows += [D(J + "1.8.1.5." + i, OID, typ), D(J + "1.8.1.6." + i, STR, descr),
             D(J + "1.8.1.7." + i, STR, serial), D(J + "1.8.1.8." + i, STR, rev),
             D(J + "1.8.1.10." + i, STR, part)]
    inv.append(R("module", i, descr=descr, serial=serial, hardware_rev=rev, model=part, type_oid=typ,
                 container=i.split(".")[0]))
# The routing engine has an operating row but no contents row: its module
# record is named by jnxOperatingDescr alone.
inv.append(R("module", "9.1.0.0", descr="Routing Engine 0", container="9"))
fpc = {"container": "7", "l1": "1", "l2": "0", "l3": "0", "descr": "FPC: QFX5100-48S-6Q @ 0/*/*"}
re0 = {"container": "9", "l1": "1", "l2": "0", "l3": "0", "descr": "Routing Engine 0"}
rows += [
    D(J + "1.13.1.5.7.1.0.0", STR, "FPC: QFX5100-48S-6Q @ 0/*/*"), D(J + "1.13.1.5.9.1.0.0", STR, "Routing Engine 0"),
    M(J + "1.13.1.6.7.1.0.0", INT, 2, "component.state", 2, "", fpc, "running"),
    M(J + "1.13.1.6.9.1.0.0", INT, 5, "component.state", 5, "", re0, "runningAtFullSpeed"),
    M(J + "1.13.1.7.7.1.0.0", G32, 38, "component.temperature", 38, "celsius", fpc),
    M(J + "1.13.1.7.9.1.0.0", G32, 0, "component.temperature", None, "celsius", re0),
    M(J + "1.13.1.8.7.1.0.0", G32, 14, "cpu.load", 14, "%", fpc),
    M(J + "1.13.1.8.9.1.0.0", G32, 6, "cpu.load", 6, "%", re0),
    M(J + "1.13.1.11.7.1.0.0", G32, 33, "memory.buffer_used", 33, "%", fpc),
    M(J + "1.13.1.11.9.1.0.0", G32, 55, "memory.buffer_used", 55, "%", re0),
    M(J + "1.13.1.12.9.1.0.0", G32, 21, "memory.heap_used", 21, "%", re0),
    D(J + "1.15.1.5.2.1.1.0", STR, "Power Supply 0"), D(J + "1.15.1.5.7.1.0.0", STR, "FPC 0"),
    M(J + "1.15.1.8.2.1.1.0", INT, 6, "fru.state", 6, "", {"container": "2", "l1": "1", "l2": "1", "l3": "0", "name": "Power Supply 0"}, "online"),
    M(J + "1.15.1.8.7.1.0.0", INT, 8, "fru.state", 8, "", {"container": "7", "l1": "1", "l2": "0", "l3": "0", "name": "FPC 0"}, "offline"),
    M(J + "1.15.1.9.2.1.1.0", G32, 0, "fru.temperature", None, "celsius", {"container": "2", "l1": "1", "l2": "1", "l3": "0", "name": "Power Supply 0"}),
    M(J + "1.15.1.9.7.1.0.0", G32, 40, "fru.temperature", 40, "celsius", {"container": "7", "l1": "1", "l2": "0", "l3": "0", "name": "FPC 0"}),
    D("1.3.6.1.2.1.31.1.1.1.1.514", STR, "xe-0/0/0"),
    M(J + "60.1.1.1.1.5.514", INT, -312, "optic.rx_power", -3.12, "dBm", {"ifindex": "514", "ifname": "xe-0/0/0"}),
    M(J + "60.1.1.1.1.6.514", INT, 6500, "optic.tx_bias", 0.0065, "A", {"ifindex": "514", "ifname": "xe-0/0/0"}),
    M(J + "60.1.1.1.1.7.514", INT, -215, "optic.tx_power", -2.15, "dBm", {"ifindex": "514", "ifname": "xe-0/0/0"}),
    M(J + "60.1.1.1.1.8.514", INT, 34, "optic.temperature", 34, "celsius", {"ifindex": "514", "ifname": "xe-0/0/0"}),
    D(J + "40.1.4.1.1.1.2.0", STR, "VG3715AB0123"),
    M(J + "40.1.4.1.1.1.3.0", INT, 1, "virtual_chassis.role", 1, "", {"member": "0", "serial": "VG3715AB0123"}, "master"),
    M(J + "4.2.2.1.0", INT, 2, "alarm.yellow", 2, "", {}, "off"),
    M(J + "4.2.3.1.0", INT, 3, "alarm.red", 3, "", {}, "on"),
]
FIX["juniper"] = (rows, inv)

# --- HP ProCurve: CPU, memory, chassis sensors.
P = "1.3.6.1.4.1.11.2.14.11."
rows, inv = system("ProCurve J9147A Switch 2910al-48G, revision W.14.38", "1.3.6.1.4.1.11.2.3.7.11.87")
sl = {"slot": "1"}
rows += [
    M(P + "5.1.9.6.1.0", INT, 7, "cpu.load", 7, "%"),
    M(P + "5.1.1.2.1.1.1.5.1", G32, 134217728, "memory.total", 134217728, "B", sl),
    M(P + "5.1.1.2.1.1.1.6.1", G32, 50331648, "memory.free", 50331648, "B", sl),
    M(P + "5.1.1.2.1.1.1.7.1", G32, 83886080, "memory.used", 83886080, "B", sl),
    D(P + "1.2.6.1.2.1", OID, "1.3.6.1.4.1.11.2.3.7.8.3.2"),
    D(P + "1.2.6.1.2.2", OID, "1.3.6.1.4.1.11.2.3.7.8.3.1"),
    D(P + "1.2.6.1.2.3", OID, "1.3.6.1.4.1.11.2.3.7.8.3.3"),
    M(P + "1.2.6.1.4.1", INT, 4, "chassis.sensor.state", 4, "", {"sensor": "1", "descr": "Fan Sensor", "type": "1.3.6.1.4.1.11.2.3.7.8.3.2"}, "good"),
    M(P + "1.2.6.1.4.2", INT, 2, "chassis.sensor.state", 2, "", {"sensor": "2", "descr": "Power Supply Sensor", "type": "1.3.6.1.4.1.11.2.3.7.8.3.1"}, "bad"),
    M(P + "1.2.6.1.4.3", INT, 5, "chassis.sensor.state", 5, "", {"sensor": "3", "descr": "Over-temperature Sensor", "type": "1.3.6.1.4.1.11.2.3.7.8.3.3"}, "notPresent"),
    D(P + "1.2.6.1.7.1", STR, "Fan Sensor"), D(P + "1.2.6.1.7.2", STR, "Power Supply Sensor"),
    D(P + "1.2.6.1.7.3", STR, "Over-temperature Sensor"),
]
FIX["procurve"] = (rows, inv)

# --- MikroTik: health scalars, the RouterOS 7 gauge table by unit, PoE, SFP.
K = "1.3.6.1.4.1.14988.1.1."
rows, inv = system("RouterOS RB760iGS", "1.3.6.1.4.1.14988.1")
def g(i, n): return {"sensor": str(i), "name": n}
rows += [
    M(K + "3.8.0", INT, 243, "health.voltage", 24.3, "V"),
    M(K + "3.10.0", INT, 415, "health.temperature", 41.5, "celsius"),
    M(K + "3.11.0", INT, 520, "health.cpu_temperature", 52, "celsius"),
    M(K + "3.12.0", INT, 84, "health.power", 8.4, "W"),
    M(K + "3.13.0", INT, 350, "health.current", 0.35, "A"),
    M(K + "6.1.0", G32, 17, "dhcp.leases", 17),
    D(K + "3.100.1.2.1", STR, "cpu-temperature"), D(K + "3.100.1.2.2", STR, "fan1-speed"),
    D(K + "3.100.1.2.3", STR, "psu1-voltage"), D(K + "3.100.1.2.4", STR, "psu1-state"),
    D(K + "3.100.1.2.5", STR, "mystery"),
    M(K + "3.100.1.3.1", INT, 48, "health.sensor.temperature", 48, "celsius", g(1, "cpu-temperature")),
    M(K + "3.100.1.3.2", INT, 3200, "health.sensor.fan_speed", 3200, "rpm", g(2, "fan1-speed")),
    M(K + "3.100.1.3.3", INT, 241, "health.sensor.voltage", 24.1, "V", g(3, "psu1-voltage")),
    M(K + "3.100.1.3.4", INT, 1, "health.sensor.state", 1, "", g(4, "psu1-state"), "fail"),
    M(K + "3.100.1.3.5", INT, 5, "health.sensor.other", None, "", g(5, "mystery")),  # unit 99: no metric
    D(K + "3.100.1.4.1", INT, 1), D(K + "3.100.1.4.2", INT, 2), D(K + "3.100.1.4.3", INT, 3),
    D(K + "3.100.1.4.4", INT, 6), D(K + "3.100.1.4.5", INT, 99),
    D(K + "15.1.1.2.2", STR, "ether2"),
    M(K + "15.1.1.3.2", INT, 3, "poe.state", 3, "", {"ifindex": "2", "name": "ether2"}, "poweredOn"),
    M(K + "15.1.1.4.2", INT, 239, "poe.voltage", 23.9, "V", {"ifindex": "2", "name": "ether2"}),
    M(K + "15.1.1.5.2", INT, 120, "poe.current", 0.12, "A", {"ifindex": "2", "name": "ether2"}),
    M(K + "15.1.1.6.2", INT, 29, "poe.power", 2.9, "W", {"ifindex": "2", "name": "ether2"}),
    D(K + "19.1.1.2.6", STR, "sfp1"),
    M(K + "19.1.1.3.6", INT, 0, "optic.rx_loss", 0, "", {"ifindex": "6", "name": "sfp1"}, "no"),
    M(K + "19.1.1.4.6", INT, 1, "optic.tx_fault", 1, "", {"ifindex": "6", "name": "sfp1"}, "yes"),
    M(K + "19.1.1.6.6", INT, 37, "optic.temperature", 37, "celsius", {"ifindex": "6", "name": "sfp1"}),
    M(K + "19.1.1.7.6", INT, 3291, "optic.supply_voltage", 3.291, "V", {"ifindex": "6", "name": "sfp1"}),
    M(K + "19.1.1.8.6", INT, 6, "optic.tx_bias", 0.006, "A", {"ifindex": "6", "name": "sfp1"}),
    M(K + "19.1.1.9.6", INT, -2345, "optic.tx_power", -2.345, "dBm", {"ifindex": "6", "name": "sfp1"}),
    M(K + "19.1.1.10.6", INT, -5678, "optic.rx_power", -5.678, "dBm", {"ifindex": "6", "name": "sfp1"}),
]
FIX["mikrotik"] = (rows, inv)

# --- FortiGate: system scalars (KB and MB converted to bytes), hardware
# sensors with text readings, SSL VPN.
F = "1.3.6.1.4.1.12356.101."
rows, inv = system("FortiGate-100E", "1.3.6.1.4.1.12356.101.1.1004")
rows += [
    D(F + "4.1.1.0", STR, "v6.4.9,build1966,220421 (GA)"), D("1.3.6.1.4.1.12356.100.1.1.1.0", STR, "FG100E4Q17000001"),
    M(F + "4.1.3.0", G32, 4, "cpu.load", 4, "%"),
    M(F + "4.1.4.0", G32, 61, "memory.used_percent", 61, "%"),
    M(F + "4.1.5.0", G32, 3849008, "memory.total", 3849008 * 1024, "B"),
    M(F + "4.1.6.0", G32, 1200, "disk.used", 1200 * 1048576, "B"),
    M(F + "4.1.7.0", G32, 15000, "disk.total", 15000 * 1048576, "B"),
    M(F + "4.1.8.0", G32, 1532, "sessions.count", 1532),
    M(F + "4.1.11.0", G32, 25, "sessions.rate_1min", 25, "1/s"),
    M(F + "4.1.12.0", G32, 24, "sessions.rate_10min", 24, "1/s"),
    M(F + "4.1.13.0", G32, 23, "sessions.rate_30min", 23, "1/s"),
    M(F + "4.1.14.0", G32, 22, "sessions.rate_60min", 22, "1/s"),
    M(F + "12.1.1.0", INT, 3, "vpn.ipsec.tunnels_up", 3),
    D(F + "4.3.2.1.2.1", STR, "CPU ON-DIE Temp"), D(F + "4.3.2.1.2.2", STR, "+12V"),
    D(F + "4.3.2.1.2.3", STR, "PS1 Status"),
    M(F + "4.3.2.1.3.1", STR, "52", "hw.sensor.value", 52, "", {"sensor": "1", "name": "CPU ON-DIE Temp"}),
    M(F + "4.3.2.1.3.2", STR, "12.1", "hw.sensor.value", 12.1, "", {"sensor": "2", "name": "+12V"}),
    M(F + "4.3.2.1.3.3", STR, "", "hw.sensor.value", None, "", {"sensor": "3", "name": "PS1 Status"}),
    M(F + "4.3.2.1.4.1", INT, 0, "hw.sensor.alarm", 0, "", {"sensor": "1", "name": "CPU ON-DIE Temp"}, "false"),
    M(F + "4.3.2.1.4.2", INT, 1, "hw.sensor.alarm", 1, "", {"sensor": "2", "name": "+12V"}, "true"),
    M(F + "4.3.2.1.4.3", INT, 0, "hw.sensor.alarm", 0, "", {"sensor": "3", "name": "PS1 Status"}, "false"),
    M(F + "12.2.3.1.1.1", INT, 2, "vpn.ssl.state", 2, "", {"vdom": "1"}, "enabled"),
    M(F + "12.2.3.1.2.1", G32, 5, "vpn.ssl.users", 5, "", {"vdom": "1"}),
    M(F + "12.2.3.1.6.1", G32, 4, "vpn.ssl.tunnels", 4, "", {"vdom": "1"}),
]
inv.append(R("firewall", "", version="v6.4.9,build1966,220421 (GA)", serial="FG100E4Q17000001"))
FIX["fortinet"] = (rows, inv)

# --- UniFi AP: radios, two SSIDs (VAPs), one of them down.
U = "1.3.6.1.4.1.41112.1.6."
rows, inv = system("Linux 4.4.153 #1 SMP UAP-nanoHD", "1.3.6.1.4.1.8072.3.2.10")
def rl(i, n): return {"radio": str(i), "radio_name": n}
def vl(i, s, r): return {"vap": str(i), "ssid": s, "radio": r}
rows += [
    D(U + "3.3.0", STR, "UAP-nanoHD"), D(U + "3.6.0", STR, "4.3.28.11361"),
    D(U + "1.1.1.3.1", STR, "wifi0"), D(U + "1.1.1.3.2", STR, "wifi1"),
    M(U + "1.1.1.6.1", INT, 23, "wifi.radio.channel_busy", 23, "%", rl(1, "wifi0")),
    M(U + "1.1.1.6.2", INT, 9, "wifi.radio.channel_busy", 9, "%", rl(2, "wifi1")),
    M(U + "1.1.1.7.1", INT, 11, "wifi.radio.channel_busy_rx", 11, "%", rl(1, "wifi0")),
    M(U + "1.1.1.7.2", INT, 3, "wifi.radio.channel_busy_rx", 3, "%", rl(2, "wifi1")),
    M(U + "1.1.1.8.1", INT, 5, "wifi.radio.channel_busy_tx", 5, "%", rl(1, "wifi0")),
    M(U + "1.1.1.8.2", INT, 2, "wifi.radio.channel_busy_tx", 2, "%", rl(2, "wifi1")),
    M(U + "1.1.1.9.1", INT, 7, "wifi.radio.other_bss", 7, "%", rl(1, "wifi0")),
    M(U + "1.1.1.9.2", INT, 4, "wifi.radio.other_bss", 4, "%", rl(2, "wifi1")),
    D(U + "1.2.1.2.1", HEX, "784558a1b2c3"), D(U + "1.2.1.2.2", HEX, "7a4558a1b2c4"),
    D(U + "1.2.1.4.1", INT, 6), D(U + "1.2.1.4.2", INT, 36),
    D(U + "1.2.1.6.1", STR, "Diskominfo-Staff"), D(U + "1.2.1.6.2", STR, "Diskominfo-Tamu"),
    D(U + "1.2.1.7.1", STR, "ath0"), D(U + "1.2.1.7.2", STR, "ath1"),
    M(U + "1.2.1.8.1", INT, 12, "wifi.ssid.clients", 12, "", vl(1, "Diskominfo-Staff", "ng")),
    M(U + "1.2.1.8.2", INT, 3, "wifi.ssid.clients", 3, "", vl(2, "Diskominfo-Tamu", "na")),
    D(U + "1.2.1.9.1", STR, "ng"), D(U + "1.2.1.9.2", STR, "na"),
    M(U + "1.2.1.21.1", INT, 20, "wifi.ssid.tx_power", 20, "dBm", vl(1, "Diskominfo-Staff", "ng")),
    M(U + "1.2.1.21.2", INT, 23, "wifi.ssid.tx_power", 23, "dBm", vl(2, "Diskominfo-Tamu", "na")),
    D(U + "1.2.1.22.1", INT, 1), D(U + "1.2.1.22.2", INT, 2),
]
inv += [
    R("ap", "", model="UAP-nanoHD", version="4.3.28.11361"),
    R("ssid", "1", ssid="Diskominfo-Staff", name="ath0", bssid="784558a1b2c3", radio="ng", channel="6", up="true"),
    R("ssid", "2", ssid="Diskominfo-Tamu", name="ath1", bssid="7a4558a1b2c4", radio="na", channel="36", up="false"),
]
FIX["unifi"] = (rows, inv)

# --- IEEE802dot11-MIB: an AP that says whether each SSID is encrypted.
W = "1.2.840.10036."
rows, inv = system("Fixture wireless AP", "1.3.6.1.4.1.99999.1.80211")
rows += [
    D(W + "1.1.1.9.5", STR, "Pemda-Secure"), D(W + "1.1.1.9.6", STR, "Pemda-Guest"),
    D(W + "1.5.1.1.5", INT, 1), D(W + "1.5.1.1.6", INT, 2),
    D("1.3.6.1.2.1.31.1.1.1.1.5", STR, "wlan0"), D("1.3.6.1.2.1.31.1.1.1.1.6", STR, "wlan1"),
]
inv += [
    R("ssid", "5", ssid="Pemda-Secure", name="wlan0", security="encrypted"),
    R("ssid", "6", ssid="Pemda-Guest", name="wlan1", security="open"),
]
FIX["ieee802dot11"] = (rows, inv)

# --- Huawei VRP: CPU, memory and temperature per board, named from ENTITY-MIB.
HW = "1.3.6.1.4.1.2011.5.25.31.1.1.1.1."
rows, inv = system("Huawei Versatile Routing Platform Software S5720", "1.3.6.1.4.1.2011.2.23.96")
b1 = {"entity": "16842753", "name": "MPU Board 1"}
b2 = {"entity": "67108867", "name": "Power 1"}
rows += [
    D(E + "7.16842753", STR, "MPU Board 1"), D(E + "7.67108867", STR, "Power 1"),
    M(HW + "5.16842753", INT, 12, "cpu.load", 12, "%", b1),
    M(HW + "5.67108867", INT, 0, "cpu.load", 0, "%", b2),
    M(HW + "7.16842753", INT, 43, "memory.used_percent", 43, "%", b1),
    M(HW + "7.67108867", INT, 0, "memory.used_percent", 0, "%", b2),
    M(HW + "11.16842753", INT, 39, "board.temperature", 39, "celsius", b1),
    M(HW + "11.67108867", INT, 31, "board.temperature", 31, "celsius", b2),
]
inv += [R("entity", "16842753", name="MPU Board 1"), R("entity", "67108867", name="Power 1")]
FIX["huawei"] = (rows, inv)


def oid_key(o):
    return [int(x) for x in o.split(".")]


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    for name, (rows, inv) in FIX.items():
        rows = sorted(rows, key=lambda r: oid_key(r[0]))
        seen = set()
        with open(os.path.join(outdir, name + ".snmprec"), "w") as f:
            for oid, typ, raw, _ in rows:
                assert oid not in seen, (name, oid)
                seen.add(oid)
                f.write("%s|%s|%s\n" % (oid, typ, raw))
        samples = [s for _, _, _, s in rows if s and s["value"] is not None]
        skipped = [s["oid"] for _, _, _, s in rows if s and s["value"] is None]
        keys = [(r["type"], r["id"]) for r in inv]
        assert len(keys) == len(set(keys)), name
        with open(os.path.join(outdir, name + ".expected.json"), "w") as f:
            json.dump({"community": name, "samples": samples, "absent": skipped, "inventory": inv},
                      f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../fixtures/snmp/network"))
