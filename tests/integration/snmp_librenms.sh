#!/usr/bin/env bash
# SNMP profiles against real-device recordings: snmpsimd serves the LibreNMS
# walks of every UPS, cooling, generator/ATS and EMS device in
# $PANTAU_DEVICES/snmprec, pantau-agent --once polls them with
# profiles: [auto], and tests/tools/librenms_compare.py matches every sensor
# of expected/<name>.json by full OID: the value must be within 1% of
# LibreNMS's raw / divisor * multiplier (+ user_func), in pantau's units, and
# a state must carry the raw enumeration. Deliberate differences (LibreNMS
# wrong) are listed with their reason. Each category must reach 95%. Every
# device must also print an inventory record. The recordings are not part of
# the project: without them the test is skipped.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/lib/snmpsim.sh"
snmp_recordings_require

# Every recording of the facility categories, whatever its name.
names=$(/usr/bin/python3 - "$DEVICES/expected" <<'PY'
import glob, json, os, sys
for f in sorted(glob.glob(sys.argv[1] + "/*.json")):
    if json.load(open(f)).get("category") in ("ups", "cooling", "generator", "ems"):
        print(os.path.basename(f)[:-5])
PY
)
[ -n "$names" ] || skip "no ups, cooling, generator or ems recordings in $DEVICES"
mkdir -p "$WORK/recordings"
first=
for n in $names; do
	cp "$DEVICES/snmprec/$n.snmprec" "$WORK/recordings/"
	first=${first:-$n}
done
port=$(free_udp_port)
snmpsim_start "$WORK/recordings" "$port" "$first"

{
	echo "agent: { id: it-librenms, profile_dir: ${PANTAU_PROFILE_DIR:-$PANTAU_ROOT/agent/profiles} }"
	echo "devices:"
	for n in $names; do
		echo "  - { name: $n, snmp: { address: 127.0.0.1:$port, community: $n, timeout: 3s, retries: 2 }, profiles: [auto] }"
	done
} >"$WORK/agent.yaml"
snmp_once 120
for n in $names; do
	grep -q "\"device\":\"$n\".*\"inventory\"" "$WORK/once.jsonl" || fail "$n: no inventory record"
done

# shellcheck disable=SC2086
/usr/bin/python3 "$PANTAU_ROOT/tests/tools/librenms_compare.py" "$WORK/once.jsonl" \
	"$DEVICES/expected" --snmprec "$DEVICES/snmprec" $names || fail "below the bar (output in $WORK/once.jsonl)"
echo "ok"
