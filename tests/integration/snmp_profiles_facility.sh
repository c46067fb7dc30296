#!/usr/bin/env bash
# Facility vendor profiles end to end: snmpsimd serves the project's own
# fixtures (tests/fixtures/snmp/<profile>.snmprec: APC UPS/ATS/PDU/cooling/
# EMS, Eaton MGE and XUPS, Liebert, Stulz, Rittal CMC, Raritan PX, AKCP,
# HW-group, Asentria SiteBoss), pantau-agent --once polls each with
# profiles: [auto] over v2c GETBULK and over SNMPv1 GETNEXT, and every sample
# must match <profile>.expected.json: the same set of (metric, OID), the
# value (to 1e-9), the unit, the state name and the row labels. The objects
# listed under "absent" (sentinels, offline probes, rows whose status says
# not installed, text without a number) must print nothing. The expected
# values come from the MIBs' units (tests/tools/make_facility_fixtures.py).
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/lib/snmpsim.sh"
snmp_require
FIX=$PANTAU_ROOT/tests/fixtures/snmp
names=$(snmp_fixture_names "$FIX" | grep -v '^ups-rfc1628$')
[ -n "$names" ] || fail "no facility fixtures in $FIX"

port=$(free_udp_port)
snmpsim_start "$FIX" "$port" apc-ups
# shellcheck disable=SC2086
snmp_fixture_config it-snmp-facility "$port" .v1 "version: 1" $names
snmp_check
snmp_once 120
# shellcheck disable=SC2086
snmp_fixture_compare --suffix .v1 "$FIX" $names
echo "ok"
