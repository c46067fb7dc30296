#!/usr/bin/env bash
# Network profiles end to end: snmpsimd serves the project's own fixtures
# (tests/fixtures/snmp/network/<name>.snmprec: IF-MIB with 32-bit-only and
# ifXTable 64-bit interfaces, ENTITY-MIB containment, LLDP neighbours with
# IPv4/IPv6 management addresses, ENTITY-SENSOR-MIB, HOST-RESOURCES-MIB,
# Cisco, Juniper, ProCurve, MikroTik, FortiGate, UniFi and IEEE 802.11 SSIDs,
# Huawei), pantau-agent --once polls each with profiles: [auto] over GETBULK
# and over GETNEXT, and the output must match <name>.expected.json exactly:
#   * samples: the same set of (metric, OID), value (to 1e-9), unit, state
#     name and row labels; the objects under "absent" print nothing;
#   * inventory: the same set of (type, id) records, each with exactly the
#     expected fields.
# The expected values were chosen by hand from the MIBs
# (tests/tools/make_network_fixtures.py), not taken from pantau's output.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/lib/snmpsim.sh"
snmp_require
FIX=$PANTAU_ROOT/tests/fixtures/snmp/network
names=$(snmp_fixture_names "$FIX")
[ "$(echo "$names" | wc -w)" -ge 13 ] || fail "network fixtures missing in $FIX"

port=$(free_udp_port)
snmpsim_start "$FIX" "$port" if-mib
# shellcheck disable=SC2086
snmp_fixture_config it-snmp-net "$port" .next "bulk: false" $names
snmp_check
snmp_once 120
# shellcheck disable=SC2086
snmp_fixture_compare --suffix .next --inventory "$FIX" $names
echo "ok"
