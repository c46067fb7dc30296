#!/usr/bin/python3
"""Writes the project's facility fixtures: for every vendor profile a short
snmprec (tests/fixtures/snmp/<name>.snmprec, community = <name>) with values
chosen by hand, and <name>.expected.json with every sample pantau-agent --once
must print for it. The expected values are worked out here from the vendor
MIBs' units (the number written next to each raw value), not taken from
pantau's output. Run it after changing a fixture:
    tests/tools/make_facility_fixtures.py tests/fixtures/snmp"""
import json
import os
import sys

INT, STR, OID, GAUGE, TICKS = "2", "4", "6", "66", "67"


def M(oid, typ, raw, metric, value, unit="", labels=None, state=None):
    return (oid, typ, raw, {"metric": metric, "oid": oid, "value": value, "unit": unit,
                            "labels": labels or {}, **({"state": state} if state else {})})


def D(oid, typ, raw):
    return (oid, typ, raw, None)


def system(descr, objid):
    return [D("1.3.6.1.2.1.1.1.0", STR, descr), D("1.3.6.1.2.1.1.2.0", OID, objid),
            M("1.3.6.1.2.1.1.3.0", TICKS, 123456, "snmp.uptime", 1234.56, "s"),
            D("1.3.6.1.2.1.1.5.0", STR, "fixture")]


A = "1.3.6.1.4.1.318.1.1."
FIX = {}

FIX["apc-ups"] = system("APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.7.2 PN:apc_hw05_aos_672.bin AF1:v6.7.2 AN1:apc_hw05_sumx_672.bin MN:SMT1500RMI2U)", "1.3.6.1.4.1.318.1.3.27") + [
    D(A + "1.1.1.1.0", STR, "Smart-UPS 1500"), D(A + "1.1.2.3.0", STR, "AS1234567890"),
    M(A + "1.2.1.1.0", INT, 2, "ups.battery.status", 2, state="batteryNormal"),
    M(A + "1.2.1.2.0", TICKS, 0, "ups.battery.time_on_battery", 0, "s"),
    M(A + "1.2.2.1.0", GAUGE, 97, "apc.ups.adv.battery.charge", 97, "%"),
    M(A + "1.2.2.2.0", GAUGE, 27, "apc.ups.adv.battery.temperature", 27, "celsius"),
    M(A + "1.2.2.3.0", TICKS, 252000, "ups.battery.runtime", 2520, "s"),
    M(A + "1.2.2.4.0", INT, 2, "ups.battery.replace", 2, state="batteryNeedsReplacing"),
    M(A + "1.2.3.1.0", GAUGE, 968, "ups.battery.charge", 96.8, "%"),
    M(A + "1.2.3.2.0", GAUGE, 268, "ups.battery.temperature", 26.8, "celsius"),
    M(A + "1.2.3.4.0", INT, 545, "ups.battery.voltage", 54.5, "V"),
    M(A + "1.3.2.1.0", GAUGE, 229, "apc.ups.adv.input.voltage", 229, "V"),
    M(A + "1.3.2.5.0", INT, 3, "ups.input.fail_cause", 3, state="brownout"),
    M(A + "1.3.3.1.0", GAUGE, 2294, "ups.input.voltage", 229.4, "V"),
    M(A + "1.3.3.4.0", GAUGE, 499, "ups.input.frequency", 49.9, "Hz"),
    M(A + "1.4.1.1.0", INT, 12, "ups.output.status", 12, state="onSmartTrim"),
    M(A + "1.4.3.1.0", GAUGE, 2301, "ups.output.voltage", 230.1, "V"),
    M(A + "1.4.3.2.0", GAUGE, 500, "ups.output.frequency", 50, "Hz"),
    M(A + "1.4.3.3.0", GAUGE, 415, "ups.output.load", 41.5, "%"),
    M(A + "1.4.3.4.0", GAUGE, 27, "ups.output.current", 2.7, "A"),
    M(A + "1.4.3.5.0", INT, -2, "ups.output.efficiency", None, "%"),  # sentinel: no sample
    M(A + "1.4.3.6.0", GAUGE, 123456, "ups.output.energy", 1234.56, "kWh"),
]

FIX["apc-ats"] = system("APC Web/SNMP Management Card (MB:v3.9.2 PF:v3.9.2 PN:apc_hw02_aos_392.bin AF1:v3.9.2 AN1:apc_hw02_ats_392.bin MN:AP7724)", "1.3.6.1.4.1.318.1.3.11") + [
    D(A + "8.1.5.0", STR, "AP7724"),
    M(A + "8.5.1.2.0", INT, 2, "ats.selected_source", 2, state="sourceB"),
    M(A + "8.5.1.3.0", INT, 1, "ats.redundancy", 1, state="atsRedundancyLost"),
    M(A + "8.5.1.12.0", INT, 1, "ats.source_a.status", 1, state="fail"),
    M(A + "8.5.1.13.0", INT, 2, "ats.source_b.status", 2, state="ok"),
    M(A + "8.5.1.14.0", INT, 2, "ats.phase_sync", 2, state="outOfSync"),
    M(A + "17.4.1.4.0", INT, 2, "xats.source1.quality", 2, state="lowVoltage"),
    M(A + "17.4.1.7.1.2.1", INT, 3998, "xats.source1.voltage_ll", 399.8, "V", {"phase": "1"}),
    M(A + "17.4.1.7.1.3.1", INT, -1, "xats.source1.voltage_ln", None, "V", {"phase": "1"}),
    M(A + "17.4.3.12.1.6.1", INT, 52, "xats.output.power", 5200, "W", {"phase": "1"}),
    M(A + "18.1.2.2.0", INT, 6, "genset.status", 6, state="running"),
    M(A + "18.1.3.1.0", INT, 276, "genset.battery.voltage", 27.6, "V"),
    M(A + "18.1.3.5.0", INT, 2, "genset.coolant.level", 2, state="low"),
    M(A + "18.1.3.7.0", INT, 1500, "genset.engine.speed", 1500, "rpm"),
]

FIX["apc-pdu"] = system("APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.4.6 PN:apc_hw05_aos_646.bin AF1:v6.4.6 AN1:apc_hw05_rpdu2g_646.bin MN:AP8959EU3)", "1.3.6.1.4.1.318.1.3.4.6") + [
    D(A + "12.1.5.0", STR, "AP8959EU3"),
    M(A + "12.1.16.0", INT, 1840, "pdu.power", 1840, "W"),
    M(A + "12.2.3.1.1.2.1", GAUGE, 81, "pdu.load.current", 8.1, "A", {"load": "1", "phase": "1", "bank": "0"}),
    M(A + "12.2.3.1.1.3.1", INT, 1, "pdu.load.state", 1, "", {"load": "1", "phase": "1", "bank": "0"}, "phaseLoadNormal"),
    D(A + "12.2.3.1.1.4.1", INT, 1), D(A + "12.2.3.1.1.5.1", INT, 0),
    D(A + "26.4.3.1.3.1", STR, "rack-b7"),
    M(A + "26.4.3.1.4.1", INT, 3, "pdu.device.load_state", 3, "", {"device": "1", "name": "rack-b7"}, "nearOverload"),
    M(A + "26.4.3.1.5.1", INT, 184, "pdu.device.power", 1840, "W", {"device": "1", "name": "rack-b7"}),
    M(A + "26.4.3.1.9.1", INT, 98765, "pdu.device.energy", 9876.5, "kWh", {"device": "1", "name": "rack-b7"}),
    M(A + "26.4.3.1.16.1", INT, -1, "pdu.device.apparent_power", None, "VA", {"device": "1", "name": "rack-b7"}),
    D(A + "4.4.2.1.1.1", INT, 1),
    M(A + "4.4.2.1.3.1", INT, 1, "pdu.outlet.state", 1, "", {"outlet": "1", "outlet_name": "srv-01 PSU1"}, "outletOn"),
    M(A + "4.4.2.1.3.2", INT, 2, "pdu.outlet.state", 2, "", {"outlet": "2", "outlet_name": "srv-02 PSU1"}, "outletOff"),
    D(A + "4.4.2.1.4.1", STR, "srv-01 PSU1"), D(A + "4.4.2.1.4.2", STR, "srv-02 PSU1"),
]

CU = A + "27.1.4.1.2.1."   # coolingUnitStatusAnalogEntry
CD = A + "27.1.4.2.2.1."
RC = A + "13.3.2.2.2."          # airIRRCUnitStatus
RP1 = A + "13.3.3.1.2.2."       # airIRRP100UnitStatus
RP5 = A + "13.3.3.2.2.2."       # airIRRP500UnitStatus
SC = A + "13.3.4.1.2."          # airIRSCUnitStatus
def lab(i, d): return {"unit": "1", "value": str(i), "description": d}
FIX["apc-cooling"] = system("APC Web/SNMP Management Card (MB:v4.0.1 PF:v6.5.0 PN:apc_hw05_aos_650.bin AF1:v6.5.0 AN1:apc_hw05_inrowdx_650.bin MN:ACRD301S)", "1.3.6.1.4.1.318.1.3.14.23") + [
    D(CU + "2.1.1", STR, "Supply Temperature"), D(CU + "2.1.2", STR, "Return Temperature"),
    D(CU + "2.1.3", STR, "Airflow"), D(CU + "2.1.4", STR, "Cool Output"), D(CU + "2.1.5", STR, "Fan Speed"),
    D(CU + "2.1.6", STR, "Compressor Hours"),
    M(CU + "3.1.1", INT, 182, "cooling.temperature", 18.2, "celsius", lab(1, "Supply Temperature")),
    M(CU + "3.1.2", INT, 860, "cooling.temperature", 30, "celsius", lab(2, "Return Temperature")),
    M(CU + "3.1.3", INT, 2150, "cooling.airflow", 2150, "CFM", lab(3, "Airflow")),
    M(CU + "3.1.4", INT, 104, "cooling.power", 10400, "W", lab(4, "Cool Output")),
    M(CU + "3.1.5", INT, 655, "cooling.percent", 65.5, "%", lab(5, "Fan Speed")),
    M(CU + "3.1.6", INT, 4321, "cooling.value", 4321, "", lab(6, "Compressor Hours")),
    D(CU + "4.1.1", STR, "C"), D(CU + "4.1.2", STR, "F"), D(CU + "4.1.3", STR, "CFM"),
    D(CU + "4.1.4", STR, "kW"), D(CU + "4.1.5", STR, "%"), D(CU + "4.1.6", STR, "hr"),
    D(CU + "5.1.1", INT, 10), D(CU + "5.1.2", INT, 10), D(CU + "5.1.3", INT, 1),
    D(CU + "5.1.4", INT, 10), D(CU + "5.1.5", INT, 10), D(CU + "5.1.6", INT, 1),
    D(CD + "2.1.1", STR, "Mode"), D(CD + "3.1.1", STR, "Active"),
    M(CD + "4.1.1", INT, 6, "cooling.discrete", 6, "", {"unit": "1", "value": "1", "description": "Mode"}, "Active"),
    D(CD + "5.1.1", STR, "Unknown(0),Initializing(1),Off(2),Standby(3),Idle(4),Startup Delay(5),Active(6),Maintenance(7)"),
    # airIRRCUnitStatus (InRow RC): airflow in 0.01 L/s, power in 0.1 kW
    M(RC + "1.0", INT, 2, "cooling.operate_mode", 2, state="on"),
    M(RC + "2.0", INT, 123, "cooling.cool_output", 12300, "W"),
    M(RC + "5.0", INT, 45678, "cooling.airflow", 456.78, "l/s"),
    D(RC + "6.0", INT, 720),                    # rack inlet in 0.1 °F: not read
    M(RC + "7.0", INT, 222, "cooling.rack_inlet.temperature", 22.2, "celsius"),
    M(RC + "13.0", INT, 3, "cooling.containment.pressure", 3, "Pa"),
    M(RC + "16.0", INT, 655, "cooling.fan_speed", 65.5, "%"),
    M(RC + "22.0", INT, 125, "cooling.fluid.flow", 1.25, "l/s"),
    M(RC + "27.0", INT, 1, "cooling.leak", 1, state="no-leak"),
    # airIRRP100UnitStatus (InRow RP, 100 series): filter DP at 30, containment at 32
    M(RP1 + "1.0", INT, 5, "cooling.operate_mode", 5, state="service"),
    M(RP1 + "8.0", INT, 452, "cooling.supply_air.humidity", 45.2, "%"),
    M(RP1 + "11.0", INT, 150000, "cooling.airflow", 1500, "l/s"),
    M(RP1 + "30.0", INT, 41, "cooling.filter.pressure", 41, "Pa"),
    M(RP1 + "32.0", INT, 2, "cooling.containment.pressure", 2, "Pa"),
    # airIRRP500UnitStatus: containment DP at 30, filter at 32; other mode numbering
    M(RP5 + "1.0", INT, 5, "cooling.operate_mode", 5, state="backup"),
    M(RP5 + "14.0", INT, 305, "cooling.cool_output", 30500, "W"),
    M(RP5 + "30.0", INT, 4, "cooling.containment.pressure", 4, "Pa"),
    M(RP5 + "32.0", INT, 55, "cooling.filter.pressure", 55, "Pa"),
    M(RP5 + "33.0", INT, 87, "cooling.humidifier.current", 8.7, "A"),
    M(RP5 + "43.0", INT, 2, "cooling.leak", 2, state="leak"),
    # airIRSCUnitStatus (InRow SC): airflow in whole L/s, pressures in kPa
    M(SC + "5.0", INT, 850, "cooling.airflow", 850, "l/s"),
    M(SC + "13.0", INT, 75, "cooling.suction.temperature", 7.5, "celsius"),
    M(SC + "21.0", INT, 480, "cooling.suction.pressure", 480, "kPa"),
    M(SC + "25.0", INT, 333, "cooling.condenser_fan.speed", 33.3, "%"),
    M(SC + "31.0", INT, 351, "cooling.condenser_inlet.temperature", 35.1, "celsius"),
    M(SC + "32.0", INT, 2, "cooling.compressor", 2, state="on"),
]

U = A + "25.1.2.1."
I = A + "10.2.3.2.1."
def ul(s): return {"port": "1", "sensor": str(s), "sensor_name": "Rack %d" % s, "port_name": "Port 1"}
FIX["apc-ems"] = system("APC Web/SNMP Management Card (MB:v4.1.0 PF:v6.8.0 PN:apc_hw05_aos_680.bin MN:AP9641)", "1.3.6.1.4.1.318.1.3.27") + [
    D(U + "3.1.1", STR, "Rack 1"), D(U + "3.1.2", STR, "Rack 2"),
    D(U + "4.1.1", STR, "Port 1"), D(U + "4.1.2", STR, "Port 1"),
    M(U + "6.1.1", INT, 24, "env.temperature", 24, "celsius", ul(1)),
    M(U + "6.1.2", INT, 0, "env.temperature", None, "celsius", ul(2)),   # comm notInstalled: skipped
    M(U + "7.1.1", INT, 45, "env.humidity", 45, "%", ul(1)),
    M(U + "7.1.2", INT, -1, "env.humidity", None, "%", ul(2)),
    M(U + "9.1.1", INT, 1, "env.alarm_status", 1, "", ul(1), "normal"),
    M(U + "9.1.2", INT, 4, "env.alarm_status", 4, "", ul(2), "notApplicable"),
    M(U + "10.1.1", INT, 2, "env.comm_status", 2, "", ul(1), "commsOK"),
    M(U + "10.1.2", INT, 1, "env.comm_status", 1, "", ul(2), "notInstalled"),
    D(I + "2.1", STR, "Cold aisle"), D(I + "2.2", STR, "Hot aisle"),
    M(I + "3.1", INT, 2, "env.probe.status", 2, "", {"probe": "1", "probe_name": "Cold aisle"}, "connected"),
    M(I + "3.2", INT, 2, "env.probe.status", 2, "", {"probe": "2", "probe_name": "Hot aisle"}, "connected"),
    M(I + "4.1", INT, 22, "env.temperature", 22, "celsius", {"probe": "1", "probe_name": "Cold aisle"}),
    M(I + "4.2", INT, 95, "env.temperature", 35, "celsius", {"probe": "2", "probe_name": "Hot aisle"}),
    D(I + "5.1", INT, 1), D(I + "5.2", INT, 2),
    M(I + "6.1", INT, 40, "env.humidity", 40, "%", {"probe": "1", "probe_name": "Cold aisle"}),
    M(I + "6.2", INT, 0, "env.humidity", None, "%", {"probe": "2", "probe_name": "Hot aisle"}),
]

G = "1.3.6.1.4.1.705.1."
FIX["eaton-mge"] = system("Eaton 9PX 3000i", "1.3.6.1.4.1.705.1") + [
    D(G + "1.2.0", STR, "9PX 3000i"),
    M(G + "5.1.0", INT, 1860, "ups.battery.runtime", 1860, "s"),
    M(G + "5.2.0", INT, 100, "ups.battery.charge", 100, "%"),
    M(G + "5.5.0", INT, 723, "ups.battery.voltage", 72.3, "V"),
    M(G + "5.11.0", INT, 1, "ups.battery.replace", 1, state="yes"),
    M(G + "5.14.0", INT, 2, "ups.battery.low", 2, state="no"),
    M(G + "6.4.0", INT, 3, "ups.input.fail_cause", 3, state="outOfTolFreq"),
    M(G + "6.2.1.2.1", INT, 2318, "ups.mg.input.voltage", 231.8, "V", {"phase": "1"}),
    M(G + "6.2.1.3.1", INT, 501, "ups.mg.input.frequency", 50.1, "Hz", {"phase": "1"}),
    M(G + "7.3.0", INT, 2, "ups.output.on_battery", 2, state="no"),
    M(G + "7.2.1.4.1", INT, 37, "ups.mg.output.load", 37, "%", {"phase": "1"}),
    M(G + "7.2.1.5.1", INT, 52, "ups.mg.output.current", 5.2, "A", {"phase": "1"}),
    M(G + "8.1.0", INT, 231, "env.temperature", 23.1, "celsius"),
]

X = "1.3.6.1.4.1.534.1."
FIX["eaton-xups"] = system("Eaton 93PM 50kW", "1.3.6.1.4.1.534.1") + [
    D(X + "1.2.0", STR, "93PM 50kW"),
    M(X + "2.1.0", INT, 960, "xups.battery.runtime", 960, "s"),
    M(X + "2.2.0", INT, 432, "xups.battery.voltage", 432, "V"),
    M(X + "2.3.0", INT, -12, "xups.battery.current", -12, "A"),   # negative: recharging
    M(X + "2.4.0", INT, 99, "xups.battery.charge", 99, "%"),
    M(X + "2.5.0", INT, 3, "xups.battery.abm_status", 3, state="batteryFloating"),
    M(X + "2.9.0", INT, 1, "xups.battery.aged", 1, state="yes"),
    M(X + "3.1.0", INT, 500, "xups.input.frequency", 50, "Hz"),
    M(X + "3.4.1.2.1", INT, 230, "xups.input.voltage", 230, "V", {"phase": "1", "phase_name": "L1/A"}),
    M(X + "3.4.1.3.1", INT, 41, "xups.input.current", 41, "A", {"phase": "1", "phase_name": "L1/A"}),
    M(X + "3.4.1.7.1", INT, 412, "xups.input.current", None, "A"),   # 0.1 A column only where column 3 is absent
    D(X + "3.4.1.6.1", STR, "L1/A"),
    M(X + "3.4.1.2.2", INT, 231, "xups.input.voltage", 231, "V", {"phase": "2"}),
    M(X + "3.4.1.7.2", INT, 397, "xups.input.current", 39.7, "A", {"phase": "2"}),
    M(X + "3.5.0", INT, 6, "xups.input.source", 6, state="generator"),
    M(X + "3.8.2.0", INT, 405, "xups.input.total.current", 40.5, "A"),
    M(X + "3.8.5.0", INT, 92, "xups.input.total.power_factor", 0.92),
    M(X + "3.9.0", INT, 2, "xups.input.status", 2, state="inputGood"),
    M(X + "4.1.0", INT, 44, "xups.output.load", 44, "%"),
    M(X + "4.2.0", INT, 499, "xups.output.frequency", 49.9, "Hz"),
    M(X + "4.4.1.8.3", INT, 47, "xups.output.phase_load", 47, "%", {"phase": "3"}),
    M(X + "4.4.1.9.3", INT, 7400, "xups.output.apparent_power", 7400, "VA", {"phase": "3"}),
    M(X + "4.5.0", INT, 10, "xups.output.source", 10, state="highEfficiencyMode"),
    M(X + "4.7.0", INT, 123456, "xups.output.energy", 123456, "Wh"),
    M(X + "4.9.3.0", INT, 20500, "xups.output.total.power", 20500, "W"),
    M(X + "4.10.0", INT, 2, "xups.output.status", 2, state="outputNotProtected"),
    M(X + "5.1.0", INT, 501, "xups.bypass.frequency", 50.1, "Hz"),
    M(X + "5.3.1.5.1", INT, 8, "xups.bypass.current", 0.8, "A", {"phase": "1"}),
    M(X + "6.1.0", INT, 24, "env.temperature", 24, "celsius"),
    M(X + "6.4.0", INT, 38, "env.humidity", 38, "%"),
    M(X + "6.5.0", INT, 21, "env.remote.temperature", 21, "celsius"),
    M(X + "7.1.0", INT, 2, "xups.alarms", 2),
    M(X + "8.2.0", INT, 7, "xups.test.battery_status", 7, state="scheduled"),
]

HU = "1.3.6.1.4.1.2011.6.174.1."
def hr(r=1): return {"rack": str(r)}
def ha(r, s, t): return {"rack": str(r), "seq": str(s), "alarm": t}
FIX["huawei-ups"] = system("SNMP Card for HUAWEI UPS5000-E", "1.3.6.1.4.1.2011.6.174.4.1.2.4") + [
    M(HU + "1.1.6.0", INT, -35, "huawei.ups.ambient.temperature", -3.5, "celsius"),
    M(HU + "1.1.7.0", GAUGE, 456, "huawei.ups.ambient.humidity", 45.6, "%"),
    D(HU + "2.100.1.2.1", STR, "UPS5000-E-120K"), D(HU + "2.100.1.2.2", STR, "UPS5000-E-120K"),
    D(HU + "2.100.1.5.1", STR, "2102310ABC10G1000123"), D(HU + "2.100.1.5.2", STR, "2102310ABC10G1000124"),
    M(HU + "2.101.1.1.1", INT, 3, "huawei.ups.supply_mode", 3, "", hr(1), "normal"),
    M(HU + "2.101.1.1.2", INT, 7, "huawei.ups.supply_mode", 7, "", hr(2), "batteryECO"),
    M(HU + "2.101.1.2.1", INT, 2, "huawei.ups.running_status", 2, "", hr(1), "parallel"),
    M(HU + "2.101.1.2.2", INT, 4, "huawei.ups.running_status", 4, "", hr(2), "parallelECO"),
    M(HU + "2.101.1.3.1", INT, 4, "huawei.ups.battery.state", 4, "", hr(1), "floatCharge"),
    M(HU + "2.101.1.3.2", INT, 6, "huawei.ups.battery.state", 6, "", hr(2), "discharge"),
    M(HU + "2.101.1.4.1", GAUGE, 412, "huawei.ups.module.temperature", 41.2, "celsius", hr(1)),
    M(HU + "2.101.1.4.2", GAUGE, 395, "huawei.ups.module.temperature", 39.5, "celsius", hr(2)),
    M(HU + "2.101.1.9.1", INT, 1, "huawei.ups.work_mode", 1, "", hr(1), "normalMode"),
    M(HU + "2.101.1.9.2", INT, 2, "huawei.ups.work_mode", 2, "", hr(2), "ecoMode"),
    D(HU + "3.100.1.1.1", GAUGE, 2301),   # input voltage: RFC 1628's, not read here
    M(HU + "3.100.1.8.1", INT, 99, "huawei.ups.input.l1.power_factor", 0.99, "", hr(1)),
    M(HU + "3.100.1.9.1", INT, 98, "huawei.ups.input.l2.power_factor", 0.98, "", hr(1)),
    M(HU + "3.100.1.10.1", INT, -97, "huawei.ups.input.l3.power_factor", -0.97, "", hr(1)),
    M(HU + "4.100.1.11.1", INT, 215, "huawei.ups.output.l1.apparent_power", 21500, "VA", hr(1)),
    M(HU + "4.100.1.12.1", INT, 208, "huawei.ups.output.l2.apparent_power", 20800, "VA", hr(1)),
    M(HU + "4.100.1.13.1", INT, 0, "huawei.ups.output.l3.apparent_power", 0, "VA", hr(1)),
    D(HU + "4.100.1.14.1", GAUGE, 537),   # load %: RFC 1628's upsOutputPercentLoad
    M(HU + "4.100.1.19.1", INT, 90, "huawei.ups.output.l1.power_factor", 0.9, "", hr(1)),
    M(HU + "4.100.1.20.1", INT, 100, "huawei.ups.output.l2.power_factor", 1, "", hr(1)),
    M(HU + "4.100.1.21.1", INT, 85, "huawei.ups.output.l3.power_factor", 0.85, "", hr(1)),
    D(HU + "6.100.1.1.1", GAUGE, 4800),   # battery voltage: RFC 1628's
    M(HU + "6.100.1.6.1", INT, 253, "huawei.ups.battery.temperature", 25.3, "celsius", hr(1)),
    M(HU + "6.100.1.6.2", INT, -12, "huawei.ups.battery.temperature", -1.2, "celsius", hr(2)),
    D(HU + "12.2.0", GAUGE, 2),
    D(HU + "13.1.1.6.1.17", STR, "Bypass Abnormal"), D(HU + "13.1.1.6.2.18", STR, "Battery Discharging"),
    M(HU + "13.1.1.7.1.17", INT, 2, "huawei.ups.alarm.level", 2, "", ha(1, 17, "Bypass Abnormal"), "major"),
    M(HU + "13.1.1.7.2.18", INT, 4, "huawei.ups.alarm.level", 4, "", ha(2, 18, "Battery Discharging"), "warning"),
]

L = "1.3.6.1.4.1.476.1.42.3."
F = L + "9.20.1."
def fl(p, n): return {"point": "1.2.1." + str(p), "point_name": n}


LP = L + "5."                       # lgpPower
WK = LP + "2.1."                    # lgpPwrWellKnownMeasurementPoints
def pt(i): return {"point": str(i), "point_id": WK + {1: "1", 2: "5", 3: "8"}[i]}
def ln(i, l): return {"point": str(i), "line": str(l), "point_id": WK + {1: "1", 2: "5"}[i]}


FIX["liebert"] = system("Liebert APM", "1.3.6.1.4.1.476.1.42") + [
    # lgpPwrBattery: minutes, percent, seconds, enumerations
    M(LP + "1.8.0", INT, 2, "liebert.battery.test_result", 2, state="passed"),
    M(LP + "1.14.0", INT, 4, "liebert.battery.charge_status", 4, state="discharging"),
    M(LP + "1.18.0", INT, 42, "liebert.battery.runtime", 2520, "s"),
    M(LP + "1.19.0", INT, 97, "liebert.battery.charge", 97, "%"),
    M(LP + "1.25.0", INT, 75, "liebert.battery.discharge_time", 75, "s"),
    M(LP + "1.26.0", INT, 3, "liebert.battery.status", 3, state="batteryLow"),
    M(LP + "1.27.0", INT, 2, "liebert.battery.breaker", 2, state="closed"),
    # lgpPwrStatus
    M(LP + "3.1.0", INT, 7, "liebert.transfers", 7),
    M(LP + "3.31.0", INT, 4, "liebert.output.source", 4, state="maintenanceBypass"),
    M(LP + "3.33.0", INT, 2, "liebert.input.qualification", 2, state="marginalLow"),
    M(LP + "3.39.0", INT, 2, "liebert.inverter.state", 2, state="off"),
    # lgpPwrMeasurementPointTable: 1 = source 1 input, 2 = output to load
    D(LP + "2.2.1.2.1", OID, WK + "1"), D(LP + "2.2.1.2.2", OID, WK + "5"),
    M(LP + "2.2.1.6.1", INT, 50, "liebert.point.frequency", 50, "Hz", pt(1)),
    M(LP + "2.2.1.7.2", INT, 21000, "liebert.point.apparent_power", 21000, "VA", pt(2)),
    M(LP + "2.2.1.8.2", INT, 18500, "liebert.point.power", 18500, "W", pt(2)),
    M(LP + "2.2.1.9.2", INT, 88, "liebert.point.power_factor", 0.88, "", pt(2)),
    M(LP + "2.2.1.11.2", INT, 617, "liebert.point.load", 61.7, "%", pt(2)),
    M(LP + "2.2.1.13.2", INT, 3, "liebert.point.ground_current", 0.3, "A", pt(2)),
    # lgpPwrLineMeasurementTable (point, line)
    D(LP + "2.3.1.3.1.1", OID, WK + "1"), D(LP + "2.3.1.3.2.2", OID, WK + "5"),
    M(LP + "2.3.1.4.1.1", INT, 398, "liebert.line.voltage_ll", 398, "V", ln(1, 1)),
    M(LP + "2.3.1.5.1.1", INT, 230, "liebert.line.voltage_ln", 230, "V", ln(1, 1)),
    M(LP + "2.3.1.6.1.1", INT, 27, "liebert.line.current", 27, "A", ln(1, 1)),
    M(LP + "2.3.1.9.2.2", INT, 6100, "liebert.line.power", 6100, "W", ln(2, 2)),
    M(LP + "2.3.1.10.2.2", INT, 21, "liebert.line.voltage_thd", 2.1, "%", ln(2, 2)),
    M(LP + "2.3.1.13.2.2", INT, 14, "liebert.line.crest_factor", 1.4, "", ln(2, 2)),
    M(LP + "2.3.1.14.2.2", INT, 95, "liebert.line.power_factor", 0.95, "", ln(2, 2)),
    # lgpPwrDcMeasurementPointTable: 3 = DC bus
    D(LP + "2.4.1.2.3", OID, WK + "8"),
    M(LP + "2.4.1.4.3", INT, 540, "liebert.dc.voltage", 540, "V", pt(3)),
    # lgpEnvTemperatureTableDegC: whole degrees (3), tenths (50) only as fallback
    D(L + "4.1.3.3.1.2.1", OID, "1.3.6.1.4.1.476.1.42.3.4.1.1.3"),
    M(L + "4.1.3.3.1.3.1", INT, 23, "env.temperature", 23, "celsius", {"sensor": "1", "sensor_type": "1.3.6.1.4.1.476.1.42.3.4.1.1.3"}),
    M(L + "4.1.3.3.1.50.1", INT, 231, "env.temperature", None, "celsius"),
    D(L + "4.1.3.3.1.2.2", OID, "1.3.6.1.4.1.476.1.42.3.4.1.1.2"),
    M(L + "4.1.3.3.1.50.2", INT, 215, "env.temperature", 21.5, "celsius", {"sensor": "2", "sensor_type": "1.3.6.1.4.1.476.1.42.3.4.1.1.2"}),
    # lgpEnvHumidityTableRel
    D(L + "4.2.2.3.1.2.1", OID, "1.3.6.1.4.1.476.1.42.3.4.2.1.2"),
    M(L + "4.2.2.3.1.3.1", INT, 41, "env.humidity", 41, "%", {"sensor": "1", "sensor_type": "1.3.6.1.4.1.476.1.42.3.4.2.1.2"}),
    M(L + "4.2.2.3.1.50.1", INT, 412, "env.humidity", None, "%"),
    # lgpFlexibleBasicTable, IMPLIED data point OID index
    D(F + "10.1.2.1.4096", STR, "System Input RMS A-N"), D(F + "10.1.2.1.4150", STR, "Battery Time Remaining"),
    D(F + "10.1.2.1.4208", STR, "System Output Power"), D(F + "10.1.2.1.4291", STR, "Inlet Air Temperature"),
    D(F + "10.1.2.1.4123", STR, "System Status"), D(F + "10.1.2.1.4113", STR, "System Input RMS Current Phase A"),
    D(F + "10.1.2.1.4116", STR, "System Input Power Factor Phs A"),
    M(F + "20.1.2.1.4096", STR, "231", "liebert.voltage", 231, "V", fl(4096, "System Input RMS A-N")),
    M(F + "20.1.2.1.4113", STR, "40", "liebert.current", 40, "A", fl(4113, "System Input RMS Current Phase A")),
    M(F + "20.1.2.1.4116", STR, "0.95", "liebert.value", 0.95, "", fl(4116, "System Input Power Factor Phs A")),
    M(F + "20.1.2.1.4123", STR, "Normal Operation", "liebert.value", None, "", fl(4123, "System Status")),
    M(F + "20.1.2.1.4150", STR, "42", "liebert.duration", 2520, "s", fl(4150, "Battery Time Remaining")),
    M(F + "20.1.2.1.4208", STR, "18.5", "liebert.power", 18500, "W", fl(4208, "System Output Power")),
    M(F + "20.1.2.1.4291", STR, "77", "liebert.temperature", 25, "celsius", fl(4291, "Inlet Air Temperature")),
    D(F + "30.1.2.1.4096", STR, "VAC"), D(F + "30.1.2.1.4113", STR, "A AC"), D(F + "30.1.2.1.4123", STR, "text"),
    D(F + "30.1.2.1.4150", STR, "min"), D(F + "30.1.2.1.4208", STR, "kW"), D(F + "30.1.2.1.4291", STR, "deg F"),
]

S = "1.3.6.1.4.1.29462.10.2.1."
def sl(u): return {"bus": "1", "unit": str(u), "module": "1"}
FIX["stulz-wib8000"] = system("Stulz GmbH Klimatechnik WIB 8000", "1.3.6.1.4.1.29462.10") + [
    M(S + "1.1.1.1.1.1.1192.1.1.1", INT, 264, "cooling.return_air.temperature", 26.4, "celsius", sl(1)),
    M(S + "1.1.1.1.1.1.1192.1.2.1", INT, 251, "cooling.return_air.temperature", 25.1, "celsius", sl(2)),
    M(S + "1.1.1.1.1.1.1193.1.1.1", INT, 178, "cooling.supply_air.temperature", 17.8, "celsius", sl(1)),
    M(S + "1.1.1.2.1.1.1171.1.1.1", GAUGE, 455, "cooling.air.humidity", 45.5, "%", sl(1)),
    M(S + "1.1.2.1.1.1740.1.1.1", INT, 6, "cooling.water.flow", 100, "l/min", sl(1)),
    M(S + "1.1.3.1.1.2235.1.1.1", INT, 171, "cooling.condensation.pressure", 1710, "kPa", sl(1)),
    M(S + "1.1.3.1.1.2250.1.1.1", INT, 165, "cooling.condensation2.pressure", 1650, "kPa", sl(1)),  # unitCondensationPressure2
    M(S + "1.2.1.2.5.1.5312.1.1.1", GAUGE, 35, "cooling.g_valve1.opening", 35, "%", sl(1)),  # gValve1OpeningGrade
    M(S + "1.2.1.1.1.1.4403.1.1.1", GAUGE, 1, "cooling.compressor1.running", 1, "", sl(1), "running"),
    M(S + "1.2.4.1.1.6932.1.1.1", GAUGE, 72, "cooling.fan1.speed", 72, "%", sl(1)),
    M(S + "4.1.1.1.1013.1.1.1", GAUGE, 1, "cooling.unit.running", 1, "", sl(1), "running"),
    M(S + "4.2.1.1.8.1.1.1", GAUGE, 1, "cooling.general_error", 1, "", sl(1), "error"),
    M(S + "4.4.1.1.1.1010.1.1.1", GAUGE, 0, "cooling.common_alarm", 0, "", sl(1), "ok"),  # unitAlarmsTable commonAlarm
]

R = "1.3.6.1.4.1.2606.4.2.3.5.2.1."
def rl(i, n): return {"sensor": str(i), "sensor_name": n}
R3 = "1.3.6.1.4.1.2606.7.4.2.2.1."
def v3(i, n): return {"device": "1", "variable": str(i), "variable_name": n}
FIX["rittal-cmc"] = system("Rittal CMC-TC-PU2", "1.3.6.1.4.1.2606.4") + [
    M("1.3.6.1.4.1.2606.4.1.3.0", INT, 3, "cmc.condition", 3, state="degraded"),
    D(R + "2.1", INT, 10), D(R + "2.2", INT, 12), D(R + "2.3", INT, 1), D(R + "2.4", INT, 23), D(R + "2.5", INT, 40),
    D(R + "2.6", INT, 77), D(R + "2.7", INT, 65), D(R + "2.8", INT, 54), D(R + "2.9", INT, 73),
    D(R + "3.1", STR, "Temperature"), D(R + "3.2", STR, "Humidity"), D(R + "3.3", STR, "not available"),
    D(R + "3.4", STR, "Leakage"), D(R + "3.5", STR, "LCP Rpm 1"), D(R + "3.6", STR, "PSM Current L1"),
    D(R + "3.7", STR, "RLCP Control temp.1"), D(R + "3.8", STR, "LCP Temp. 4.In"), D(R + "3.9", STR, "PSM Power"),
    M(R + "4.6", INT, 4, "cmc.sensor.status", 4, "", rl(6, "PSM Current L1"), "ok"),
    M(R + "4.7", INT, 4, "cmc.sensor.status", 4, "", rl(7, "RLCP Control temp.1"), "ok"),
    M(R + "4.8", INT, 7, "cmc.sensor.status", 7, "", rl(8, "LCP Temp. 4.In"), "warning"),
    M(R + "4.9", INT, 4, "cmc.sensor.status", 4, "", rl(9, "PSM Power"), "ok"),
    M(R + "4.1", INT, 4, "cmc.sensor.status", 4, "", rl(1, "Temperature"), "ok"),
    M(R + "4.2", INT, 9, "cmc.sensor.status", 9, "", rl(2, "Humidity"), "tooHigh"),
    M(R + "4.3", INT, 1, "cmc.sensor.status", 1, "", rl(3, "not available"), "notAvail"),
    M(R + "4.4", INT, 4, "cmc.sensor.status", 4, "", rl(4, "Leakage"), "ok"),
    M(R + "4.5", INT, 4, "cmc.sensor.status", 4, "", rl(5, "LCP Rpm 1"), "ok"),
    M(R + "5.1", INT, 24, "cmc.temperature", 24, "celsius", rl(1, "Temperature")),
    M(R + "5.2", INT, 71, "cmc.humidity", 71, "%", rl(2, "Humidity")),
    M(R + "5.3", INT, 0, "cmc.sensor.value", None, "", rl(3, "not available")),
    M(R + "5.4", INT, 0, "cmc.sensor.value", 0, "", rl(4, "Leakage")),
    M(R + "5.5", INT, 1580, "cmc.fan_speed", 1580, "rpm", rl(5, "LCP Rpm 1")),
    M(R + "5.6", INT, 163, "cmc.current", 16.3, "A", rl(6, "PSM Current L1")),        # amperePSM: current*10
    M(R + "5.7", INT, 100, "cmc.sensor.value", 100, "", rl(7, "RLCP Control temp.1")),  # 65: valveActual / control temp 1
    M(R + "5.8", INT, 27, "cmc.temperature", 27, "celsius", rl(8, "LCP Temp. 4.In")),  # airTemp41LCP
    M(R + "5.9", INT, 52, "cmc.power", 5200, "W", rl(9, "PSM Power")),                 # totalKWPSM: kW*10
] + [
    # CMC III cmcIIIVarTable (device 1): name 3, type 4, unit 5, value text 10
    D(R3 + "3.1.1", STR, "Temperature.Value"), D(R3 + "3.1.2", STR, "Temperature.SetPtHigh"),
    D(R3 + "3.1.3", STR, "Humidity.Value"),
    D(R3 + "4.1.1", INT, 2), D(R3 + "4.1.2", INT, 3), D(R3 + "4.1.3", INT, 2),
    D(R3 + "5.1.1", STR, "degree C"), D(R3 + "5.1.2", STR, "degree C"), D(R3 + "5.1.3", STR, "%"),
    M(R3 + "10.1.1", STR, "22.5 degree C", "cmc3.temperature", 22.5, "celsius", v3(1, "Temperature.Value")),
    M(R3 + "10.1.2", STR, "35.0 degree C", "cmc3.temperature", None, "celsius", v3(2, "Temperature.SetPtHigh")),  # setHigh: no reading
    M(R3 + "10.1.3", STR, "45.0 %", "cmc3.humidity", 45, "%", v3(3, "Humidity.Value")),
]

P = "1.3.6.1.4.1.13742.6."
def il(s): return {"pdu": "1", "inlet": "1", "sensor": str(s), "inlet_label": "I1"}
def ol(o, s, n): return {"pdu": "1", "outlet": str(o), "sensor": str(s), "outlet_label": str(o), "outlet_name": n}
FIX["raritan-pdu2"] = system("Raritan PX3-5190R", "1.3.6.1.4.1.13742.6") + [
    D(P + "3.2.1.1.3.1", STR, "PX3-5190R"),
    D(P + "3.3.3.1.2.1.1", STR, "I1"),
    D(P + "3.3.4.1.7.1.1.1", GAUGE, 3), D(P + "3.3.4.1.7.1.1.4", GAUGE, 0),
    D(P + "3.3.4.1.7.1.1.5", GAUGE, 0), D(P + "3.3.4.1.7.1.1.7", GAUGE, 2), D(P + "3.3.4.1.7.1.1.23", GAUGE, 1),
    D(P + "3.5.3.1.2.1.1", STR, "1"), D(P + "3.5.3.1.2.1.2", STR, "2"),
    D(P + "3.5.3.1.3.1.1", STR, "db-01"), D(P + "3.5.3.1.3.1.2", STR, "spare"),
    D(P + "3.5.4.1.7.1.1.1", GAUGE, 3), D(P + "3.5.4.1.7.1.2.1", GAUGE, 3),
    D(P + "5.2.3.1.2.1.1.1", INT, 1), D(P + "5.2.3.1.2.1.1.4", INT, 1), D(P + "5.2.3.1.2.1.1.5", INT, 1),
    D(P + "5.2.3.1.2.1.1.7", INT, 2), D(P + "5.2.3.1.2.1.1.23", INT, 1),
    M(P + "5.2.3.1.3.1.1.1", INT, 4, "pdu.inlet.sensor_state", 4, "", il(1), "normal"),
    M(P + "5.2.3.1.3.1.1.4", INT, 4, "pdu.inlet.sensor_state", 4, "", il(4), "normal"),
    M(P + "5.2.3.1.3.1.1.5", INT, 5, "pdu.inlet.sensor_state", 5, "", il(5), "aboveUpperWarning"),
    M(P + "5.2.3.1.3.1.1.7", INT, -1, "pdu.inlet.sensor_state", -1, "", il(7), "unavailable"),
    M(P + "5.2.3.1.3.1.1.23", INT, 4, "pdu.inlet.sensor_state", 4, "", il(23), "normal"),
    D(P + "5.2.3.1.2.1.1.27", INT, 1),
    M(P + "5.2.3.1.3.1.1.27", INT, 29, "pdu.inlet.sensor_state", 29, "", il(27), "selfTest"),   # rcmState
    M(P + "5.2.3.1.4.1.1.1", GAUGE, 12345, "pdu.inlet.current", 12.345, "A", il(1)),
    M(P + "5.2.3.1.4.1.1.4", GAUGE, 229, "pdu.inlet.voltage", 229, "V", il(4)),
    M(P + "5.2.3.1.4.1.1.5", GAUGE, 2710, "pdu.inlet.power", 2710, "W", il(5)),
    M(P + "5.2.3.1.4.1.1.7", GAUGE, 0, "pdu.inlet.power_factor", None, "", il(7)),  # not available
    M(P + "5.2.3.1.4.1.1.23", GAUGE, 499, "pdu.inlet.frequency", 49.9, "Hz", il(23)),
    D(P + "5.4.3.1.2.1.1.1", INT, 1), D(P + "5.4.3.1.2.1.2.1", INT, 1),
    M(P + "5.4.3.1.4.1.1.1", GAUGE, 1870, "pdu.outlet.current", 1.87, "A", ol(1, 1, "db-01")),
    M(P + "5.4.3.1.4.1.2.1", GAUGE, 0, "pdu.outlet.current", 0, "A", ol(2, 1, "spare")),
]

K = "1.3.6.1.4.1.3854.1."
T = K + "2.2.1.16.1."
H = K + "2.2.1.17.1."
W = K + "2.2.1.18.1."
FIX["akcp-sensorprobe"] = system("sensorProbe2", "1.3.6.1.4.1.3854.1") + [
    D(K + "1.6.0", STR, "AKCP"), D(K + "1.8.0", STR, "sensorProbe2 v1.0"),
    M(K + "1.2.0", INT, 3, "env.probe.status", 3, state="highWarning"),
    D(T + "1.0", STR, "Cold aisle"), D(T + "1.1", STR, "Hot aisle"), D(T + "1.2", STR, "Spare port"),
    M(T + "4.0", INT, 2, "env.temperature.status", 2, "", {"port": "0", "description": "Cold aisle"}, "normal"),
    M(T + "4.1", INT, 3, "env.temperature.status", 3, "", {"port": "1", "description": "Hot aisle"}, "highWarning"),
    M(T + "4.2", INT, 1, "env.temperature.status", None, "", {"port": "2", "description": "Spare port"}),
    D(T + "5.0", INT, 1), D(T + "5.1", INT, 1), D(T + "5.2", INT, 2),
    D(T + "12.0", INT, 1), D(T + "12.1", INT, 0), D(T + "12.2", INT, 1),
    M(T + "14.0", INT, 213, "env.temperature", 21.3, "celsius", {"port": "0", "description": "Cold aisle"}),
    M(T + "14.1", INT, 1022, "env.temperature", 39, "celsius", {"port": "1", "description": "Hot aisle"}),
    M(T + "14.2", INT, 0, "env.temperature", None, "celsius", {"port": "2", "description": "Spare port"}),
    D(H + "1.0", STR, "Cold aisle RH"),
    M(H + "3.0", INT, 48, "env.humidity", 48, "%", {"port": "0", "description": "Cold aisle RH"}),
    M(H + "4.0", INT, 2, "env.humidity.status", 2, "", {"port": "0", "description": "Cold aisle RH"}, "normal"),
    D(H + "5.0", INT, 1),
    D(W + "1.0", STR, "Door"),
    M(W + "3.0", INT, 4, "env.switch.status", 4, "", {"port": "0", "description": "Door"}, "highCritical"),
]

HW = "1.3.6.1.4.1.21796.3.3."
def hl(i, n): return {"sensor": str(i), "sensor_name": n}
STE = "1.3.6.1.4.1.21796.4.1."
FIX["hwg-poseidon"] = system("Poseidon2 3468 SNMP Supervisor v1.0.11", "1.3.6.1.4.1.21796.3.3") + [
    M(HW + "1.1.2.1", INT, 1, "env.contact.value", 1, "", {"input": "1", "input_name": "Door"}, "on"),
    D(HW + "1.1.3.1", STR, "Door"),
    M(HW + "1.1.5.1", INT, 1, "env.contact.alarm", 1, "", {"input": "1", "input_name": "Door"}, "alarm"),
    D(HW + "3.1.2.1", STR, "T.Rack"), D(HW + "3.1.2.2", STR, "H.Rack"), D(HW + "3.1.2.3", STR, "T.Outdoor"),
    M(HW + "3.1.4.1", INT, 1, "env.sensor.state", 1, "", hl(1, "T.Rack"), "normal"),
    M(HW + "3.1.4.2", INT, 3, "env.sensor.state", 3, "", hl(2, "H.Rack"), "alarm"),
    M(HW + "3.1.4.3", INT, 1, "env.sensor.state", 1, "", hl(3, "T.Outdoor"), "normal"),
    M(HW + "3.1.6.1", INT, 243, "env.temperature", 24.3, "celsius", hl(1, "T.Rack")),
    M(HW + "3.1.6.2", INT, 712, "env.humidity", 71.2, "%", hl(2, "H.Rack")),
    M(HW + "3.1.6.3", INT, 500, "env.temperature", 10, "celsius", hl(3, "T.Outdoor")),
    D(HW + "3.1.9.1", INT, 0), D(HW + "3.1.9.2", INT, 3), D(HW + "3.1.9.3", INT, 1),
] + [
    # STE-MIB tables (21796.4.1): sensState 3, sensValue 5 (x 10), sensUnit 7 (1 C, 2 F, 3 K, 4 %)
    M(STE + "1.1.2.1", INT, 0, "env.contact.value", 0, "", {"input": "1", "input_name": "Smoke"}, "off"),
    D(STE + "1.1.3.1", STR, "Smoke"),
    M(STE + "1.1.4.1", INT, 0, "env.contact.alarm", 0, "", {"input": "1", "input_name": "Smoke"}, "normal"),
    D(STE + "3.1.2.1", STR, "T.Room"), D(STE + "3.1.2.2", STR, "H.Room"), D(STE + "3.1.2.3", STR, "T.Hall"),
    M(STE + "3.1.3.1", INT, 1, "env.sensor.state", 1, "", hl(1, "T.Room"), "normal"),
    M(STE + "3.1.3.2", INT, 3, "env.sensor.state", 3, "", hl(2, "H.Room"), "outofrangehi"),
    M(STE + "3.1.3.3", INT, 1, "env.sensor.state", 1, "", hl(3, "T.Hall"), "normal"),
    M(STE + "3.1.5.1", INT, 215, "env.temperature", 21.5, "celsius", hl(1, "T.Room")),
    M(STE + "3.1.5.2", INT, 553, "env.humidity", 55.3, "%", hl(2, "H.Room")),
    M(STE + "3.1.5.3", INT, 770, "env.temperature", 25, "celsius", hl(3, "T.Hall")),   # 77.0 F
    D(STE + "3.1.7.1", INT, 1), D(STE + "3.1.7.2", INT, 4), D(STE + "3.1.7.3", INT, 2),
]

E = "1.3.6.1.4.1.3052.23.1.1.1.1."
def el(es, c, p, n): return {"es": str(es), "class": str(c), "point": str(p), "point_name": n}
FIX["siteboss"] = system("SiteBoss 360 2.12.540 STD", "1.3.6.1.4.1.3052.23.3.2") + [
    D(E + "4.1.1.1", STR, "Shelter"), D(E + "4.1.1.2", STR, "Outdoor"), D(E + "4.1.3.1", STR, "Humidity"),
    D(E + "4.11.2.1", STR, "AC Fail"), D(E + "4.12.5.1", STR, "Gen Fuel Level"), D(E + "4.12.5.2", STR, "Gen Battery Voltage"),
    M(E + "5.11.2.1", INT, 1, "site.contact", 1, "", el(11, 2, 1, "AC Fail"), "event"),
    M(E + "5.12.5.1", INT, 2, "site.analog.event", 2, "", el(12, 5, 1, "Gen Fuel Level"), "normal"),
    M(E + "5.12.5.2", INT, 2, "site.analog.event", 2, "", el(12, 5, 2, "Gen Battery Voltage"), "normal"),
    M(E + "6.1.3.1", INT, 55, "site.humidity", 55, "%", el(1, 3, 1, "Humidity")),
    M(E + "7.1.1.1", STR, "86 F", "site.temperature", 30, "celsius", el(1, 1, 1, "Shelter")),
    M(E + "7.1.1.2", STR, "-4.5 C", "site.temperature", -4.5, "celsius", el(1, 1, 2, "Outdoor")),
    M(E + "7.12.5.1", STR, "72.5 %", "site.analog", 72.5, "", el(12, 5, 1, "Gen Fuel Level")),
    M(E + "7.12.5.2", STR, "26.9 volt", "site.analog", 26.9, "", el(12, 5, 2, "Gen Battery Voltage")),
    D("1.3.6.1.4.1.3052.23.1.6.1.1.2.1", STR, "Main tank"), D("1.3.6.1.4.1.3052.23.1.6.1.1.2.2", STR, "unnamed"),
    D("1.3.6.1.4.1.3052.23.1.6.1.1.3.1", STR, "Alive"), D("1.3.6.1.4.1.3052.23.1.6.1.1.3.2", STR, "Unconfigured"),
    M("1.3.6.1.4.1.3052.23.1.6.1.1.4.1", STR, "1520.5 Liters", "site.fuel.volume", 1520.5, "", {"tank": "1", "tank_name": "Main tank"}),
    M("1.3.6.1.4.1.3052.23.1.6.1.1.4.2", STR, "-999.0 Liters", "site.fuel.volume", None, "", {"tank": "2", "tank_name": "unnamed"}),
    M("1.3.6.1.4.1.3052.23.1.6.1.1.7.1", STR, "7602", "site.fuel.level", 76.02, "%", {"tank": "1", "tank_name": "Main tank"}),
    M("1.3.6.1.4.1.3052.23.1.6.1.1.7.2", STR, "0", "site.fuel.level", None, "%", {"tank": "2", "tank_name": "unnamed"}),
]


ST = "1.3.6.1.4.1.1718.3.2."
def il3(t, i): return {"tower": str(t), "infeed": str(i), "infeed_name": "Master_Infeed_A"}
def pl(p, s, n): return {"probe": str(p), "sensor": str(s), "probe_name": n}
FIX["sentry3"] = system("Sentry Switched CDU", "1.3.6.1.4.1.1718.3") + [
    D("1.3.6.1.4.1.1718.3.1.1.0", STR, "Version 7.1c"),
    D(ST + "2.1.3.1.1", STR, "Master_Infeed_A"),
    M(ST + "2.1.5.1.1", INT, 1, "pdu.infeed.status", 1, "", il3(1, 1), "on"),
    M(ST + "2.1.6.1.1", INT, 4, "pdu.infeed.load_status", 4, "", il3(1, 1), "loadHigh"),
    M(ST + "2.1.7.1.1", INT, 1234, "pdu.infeed.current", 12.34, "A", il3(1, 1)),
    M(ST + "2.1.11.1.1", INT, 2308, "pdu.infeed.voltage", 230.8, "V", il3(1, 1)),
    M(ST + "2.1.12.1.1", INT, 2710, "pdu.infeed.power", 2710, "W", il3(1, 1)),
    M(ST + "2.1.14.1.1", INT, -1, "pdu.infeed.power_factor", None, "", il3(1, 1)),
    D(ST + "3.1.3.1.1.1", STR, "web-01"),
    M(ST + "3.1.5.1.1.1", INT, 0, "pdu.outlet.state", 0, "", {"tower": "1", "infeed": "1", "outlet": "1", "outlet_name": "web-01"}, "off"),
    M(ST + "3.1.7.1.1.1", INT, 45, "pdu.outlet.current", 0.45, "A", {"tower": "1", "infeed": "1", "outlet": "1", "outlet_name": "web-01"}),
    D(ST + "5.1.3.1.1", STR, "Temp_Humid_Sensor_A1"), D(ST + "5.1.3.1.2", STR, "Temp_Humid_Sensor_A2"),
    M(ST + "5.1.4.1.1", INT, 0, "env.probe.status", 0, "", pl(1, 1, "Temp_Humid_Sensor_A1"), "found"),
    M(ST + "5.1.4.1.2", INT, 1, "env.probe.status", 1, "", pl(1, 2, "Temp_Humid_Sensor_A2"), "notFound"),
    M(ST + "5.1.6.1.1", INT, 770, "env.temperature", 25, "celsius", pl(1, 1, "Temp_Humid_Sensor_A1")),
    M(ST + "5.1.6.1.2", INT, 0, "env.temperature", None, "celsius", pl(1, 2, "Temp_Humid_Sensor_A2")),
    D(ST + "5.1.9.1.1", INT, 1), D(ST + "5.1.9.1.2", INT, 0),
    M(ST + "5.1.10.1.1", INT, 38, "env.humidity", 38, "%", pl(1, 1, "Temp_Humid_Sensor_A1")),
    M(ST + "5.1.10.1.2", INT, 0, "env.humidity", None, "%", pl(1, 2, "Temp_Humid_Sensor_A2")),
]


S4 = "1.3.6.1.4.1.1718.4.1."
DS = {0: "normal", 7: "notFound", 16: "highWarning", 12: "breakerTripped"}
def s4(metric, tab, col, idx, typ, raw, value, unit="", labels=None, state=None):
    return M(S4 + "%d.3.1.%d.%s" % (tab, col, idx), typ, raw, metric, value, unit, labels, state)
CORD = {"unit": "1", "cord": "1", "cord_name": "Master_Cord_A"}
def s4l(kind, n, name): return {"unit": "1", "cord": "1", kind: str(n), kind + "_label": name}
OUT = {"unit": "1", "cord": "1", "outlet": "3", "outlet_name": "db-02 PSU2"}
def s4s(s, n): return {"unit": "1", "sensor": str(s), "sensor_name": n}
FIX["sentry4"] = system("Sentry Switched PDU", "1.3.6.1.4.1.1718.4") + [
    D(S4 + "1.1.1.0", STR, "Sentry Switched PDU"), D(S4 + "1.1.3.0", STR, "Version 8.0h"),
    D(S4 + "2.2.1.3.1", STR, "Master"), D(S4 + "2.2.1.4.1", STR, "ABEF0001234"), D(S4 + "2.2.1.5.1", STR, "C2WG36MB"),
    M(S4 + "2.3.1.1.1", INT, 0, "pdu.unit.status", 0, "", {"unit": "1", "unit_name": "Master"}, "normal"),
    D(S4 + "3.2.1.3.1.1", STR, "Master_Cord_A"),
    s4("pdu.cord.state", 3, 1, "1.1", INT, 1, 1, "", CORD, "on"),
    s4("pdu.cord.status", 3, 2, "1.1", INT, 16, 16, "", CORD, "highWarning"),
    s4("pdu.cord.power", 3, 3, "1.1", INT, 3120, 3120, "W", CORD),
    s4("pdu.cord.apparent_power", 3, 5, "1.1", INT, 3290, 3290, "VA", CORD),
    s4("pdu.cord.power_utilized", 3, 7, "1.1", INT, 287, 28.7, "%", CORD),
    s4("pdu.cord.power_factor", 3, 8, "1.1", INT, 95, 0.95, "", CORD),
    s4("pdu.cord.energy", 3, 10, "1.1", INT, 123456, 12345.6, "kWh", CORD),
    s4("pdu.cord.frequency", 3, 11, "1.1", INT, 499, 49.9, "Hz", CORD),
    s4("pdu.cord.out_of_balance", 3, 12, "1.1", INT, -1, None, "%", CORD),   # single phase: no reading
    D(S4 + "4.2.1.4.1.1.1", STR, "L1"),
    s4("pdu.line.current", 4, 3, "1.1.1", INT, 1432, 14.32, "A", s4l("line", 1, "L1")),
    s4("pdu.line.current_utilized", 4, 5, "1.1.1", INT, 448, 44.8, "%", s4l("line", 1, "L1")),
    D(S4 + "5.2.1.4.1.1.1", STR, "L1-N"),
    s4("pdu.phase.voltage", 5, 3, "1.1.1", INT, 2301, 230.1, "V", s4l("phase", 1, "L1-N")),
    s4("pdu.phase.voltage_deviation", 5, 5, "1.1.1", INT, 4, 0.4, "%", s4l("phase", 1, "L1-N")),
    s4("pdu.phase.current", 5, 6, "1.1.1", INT, 1432, 14.32, "A", s4l("phase", 1, "L1-N")),
    s4("pdu.phase.power", 5, 8, "1.1.1", INT, 3120, 3120, "W", s4l("phase", 1, "L1-N")),
    s4("pdu.phase.power_factor", 5, 10, "1.1.1", INT, 95, 0.95, "", s4l("phase", 1, "L1-N")),
    s4("pdu.phase.reactance", 5, 12, "1.1.1", INT, 2, 2, "", s4l("phase", 1, "L1-N"), "inductive"),
    s4("pdu.phase.energy", 5, 13, "1.1.1", INT, 123456, 12345.6, "kWh", s4l("phase", 1, "L1-N")),
    D(S4 + "6.2.1.4.1.1.2", STR, "BR2"),
    s4("pdu.ocp.status", 6, 1, "1.1.2", INT, 12, 12, "", s4l("ocp", 2, "BR2"), "breakerTripped"),
    D(S4 + "7.2.1.4.1.1.2", STR, "BR2"),
    s4("pdu.branch.state", 7, 1, "1.1.2", INT, 2, 2, "", s4l("branch", 2, "BR2"), "off"),
    s4("pdu.branch.current", 7, 3, "1.1.2", INT, 0, 0, "A", s4l("branch", 2, "BR2")),
    D(S4 + "8.2.1.3.1.1.3", STR, "db-02 PSU2"),
    s4("pdu.outlet.state", 8, 1, "1.1.3", INT, 1, 1, "", OUT, "on"),
    s4("pdu.outlet.current", 8, 3, "1.1.3", INT, 87, 0.87, "A", OUT),
    s4("pdu.outlet.voltage", 8, 6, "1.1.3", INT, 2299, 229.9, "V", OUT),
    s4("pdu.outlet.power", 8, 7, "1.1.3", INT, 190, 190, "W", OUT),
    s4("pdu.outlet.energy", 8, 14, "1.1.3", INT, 1234567, 1234.567, "kWh", OUT),
    D(S4 + "9.1.10.0", INT, 0),
    D(S4 + "9.2.1.3.1.1", STR, "Inlet_Front"), D(S4 + "9.2.1.3.1.2", STR, "Temp_A2"),
    s4("env.temperature", 9, 1, "1.1", INT, 235, 23.5, "celsius", s4s(1, "Inlet_Front")),
    s4("env.temperature", 9, 1, "1.2", INT, -410, None, "celsius", s4s(2, "Temp_A2")),
    s4("env.temperature.status", 9, 2, "1.1", INT, 0, 0, "", s4s(1, "Inlet_Front"), "normal"),
    s4("env.temperature.status", 9, 2, "1.2", INT, 7, 7, "", s4s(2, "Temp_A2"), "notFound"),
    D(S4 + "10.2.1.3.1.1", STR, "Humid_A1"),
    s4("env.humidity", 10, 1, "1.1", INT, 41, 41, "%", s4s(1, "Humid_A1")),
    s4("env.humidity.status", 10, 2, "1.1", INT, 0, 0, "", s4s(1, "Humid_A1"), "normal"),
]


NB = "1.3.6.1.4.1.5528.100."
def nbid(text):   # a DisplayString index: its length, then its character codes
    return ".".join([str(len(text))] + [str(ord(c)) for c in text])
def nbl(sid, name): return {"sensor": nbid(sid), "sensor_name": name}
ERRS = {0: "normal", 2: "warning", 4: "critical"}
def nb(tab, col, sid, typ, raw, metric, value, unit="", name="", state=None):
    return M(NB + "4.%s.1.%d.%s" % (tab, col, nbid(sid)), typ, raw, metric, value, unit, nbl(sid, name), state)
ENC = "nbHawkEnc_0"
FIX["netbotz"] = system("Linux NetBotz 550 5.2.1", "1.3.6.1.4.1.5528.100.20.10.2016") + [
    D(NB + "2.1.1.1." + nbid(ENC), STR, ENC),
    M(NB + "2.1.1.2." + nbid(ENC), INT, 2, "netbotz.enclosure.status", 2, "", {"enclosure": nbid(ENC), "enclosure_name": "Rack 12"}, "normal"),
    M(NB + "2.1.1.3." + nbid(ENC), INT, 2, "netbotz.enclosure.error_status", 2, "", {"enclosure": nbid(ENC), "enclosure_name": "Rack 12"}, "warning"),
    D(NB + "2.1.1.4." + nbid(ENC), STR, "Rack 12"),
    nb("1.1", 2, "nbHawkEnc_0_TEMP", INT, 236, "env.temperature", 23.6, "celsius", "Temperature"),
    nb("1.1", 3, "nbHawkEnc_0_TEMP", INT, 0, "env.temperature.error_status", 0, "", "Temperature", "normal"),
    D(NB + "4.1.1.1.4." + nbid("nbHawkEnc_0_TEMP"), STR, "Temperature"),
    D(NB + "4.1.1.1.7." + nbid("nbHawkEnc_0_TEMP"), STR, "23.6"),
    nb("1.1", 8, "nbHawkEnc_0_TEMP", INT, 24, "netbotz.temperature.whole", 24, "celsius", "Temperature"),
    D(NB + "4.1.1.1.9." + nbid("nbHawkEnc_0_TEMP"), INT, 74),
    nb("1.1", 2, "nbHawkEnc_1_TEMP1", INT, -55, "env.temperature", -5.5, "celsius", "Freezer"),
    nb("1.1", 3, "nbHawkEnc_1_TEMP1", INT, 4, "env.temperature.error_status", 4, "", "Freezer", "critical"),
    D(NB + "4.1.1.1.4." + nbid("nbHawkEnc_1_TEMP1"), STR, "Freezer"),
    nb("1.1", 8, "nbHawkEnc_1_TEMP1", INT, -6, "netbotz.temperature.whole", -6, "celsius", "Freezer"),
    nb("1.2", 2, "nbHawkEnc_0_HUMI", INT, 418, "env.humidity", 41.8, "%", "Humidity"),
    nb("1.2", 3, "nbHawkEnc_0_HUMI", INT, 0, "env.humidity.error_status", 0, "", "Humidity", "normal"),
    D(NB + "4.1.2.1.4." + nbid("nbHawkEnc_0_HUMI"), STR, "Humidity"),
    nb("1.2", 8, "nbHawkEnc_0_HUMI", INT, 42, "netbotz.humidity.whole", 42, "%", "Humidity"),
    nb("1.3", 2, "nbHawkEnc_0_DEWPT", INT, 98, "env.dew_point", 9.8, "celsius", "Dew Point"),
    nb("1.3", 3, "nbHawkEnc_0_DEWPT", INT, 0, "env.dew_point.error_status", 0, "", "Dew Point", "normal"),
    D(NB + "4.1.3.1.4." + nbid("nbHawkEnc_0_DEWPT"), STR, "Dew Point"),
    nb("1.5", 2, "nbHawkEnc_0_AIRFLOW", INT, 1234, "env.airflow", 123.4, "m/min", "Air Flow"),
    nb("1.5", 3, "nbHawkEnc_0_AIRFLOW", INT, 2, "env.airflow.error_status", 2, "", "Air Flow", "warning"),
    D(NB + "4.1.5.1.4." + nbid("nbHawkEnc_0_AIRFLOW"), STR, "Air Flow"),
    nb("2.1", 2, "nbHawkEnc_0_DRYCONTACT1", INT, 1, "env.contact", 1, "", "Leak rope", "closed"),
    nb("2.1", 3, "nbHawkEnc_0_DRYCONTACT1", INT, 0, "env.contact.error_status", 0, "", "Leak rope", "normal"),
    D(NB + "4.2.1.1.4." + nbid("nbHawkEnc_0_DRYCONTACT1"), STR, "Leak rope"),
    nb("2.2", 2, "nbHawkEnc_0_DOOR", INT, 0, "env.door", 0, "", "Front door", "open"),
    nb("2.2", 3, "nbHawkEnc_0_DOOR", INT, 2, "env.door.error_status", 2, "", "Front door", "warning"),
    D(NB + "4.2.2.1.4." + nbid("nbHawkEnc_0_DOOR"), STR, "Front door"),
    nb("2.10", 2, "nbHawkEnc_0_BEACON", INT, 3, "netbotz.state", 3, "", "Beacon", "Flashing"),
    nb("2.10", 3, "nbHawkEnc_0_BEACON", INT, 0, "netbotz.state.error_status", 0, "", "Beacon", "normal"),
    D(NB + "4.2.10.1.4." + nbid("nbHawkEnc_0_BEACON"), STR, "Beacon"),
    D(NB + "4.2.10.1.7." + nbid("nbHawkEnc_0_BEACON"), STR, "Flashing"),
]


def oid_key(o):
    return [int(x) for x in o.split(".")]


def main(outdir):
    for name, rows in FIX.items():
        rows = sorted(rows, key=lambda r: oid_key(r[0]))
        seen = set()
        with open(os.path.join(outdir, name + ".snmprec"), "w") as f:
            for oid, typ, raw, _ in rows:
                assert oid not in seen, (name, oid)
                seen.add(oid)
                f.write("%s|%s|%s\n" % (oid, typ, raw))
        samples = [s for _, _, _, s in rows if s and s["value"] is not None]
        skipped = [s["oid"] for _, _, _, s in rows if s and s["value"] is None]
        with open(os.path.join(outdir, name + ".expected.json"), "w") as f:
            json.dump({"community": name, "samples": samples, "absent": skipped}, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../fixtures/snmp"))
