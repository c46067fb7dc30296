#!/usr/bin/env bash
# RTU devices behind a Modbus TCP gateway: one address, several unit ids.
# The libmodbus slave plays the gateway with a different map per unit
# (unit 3: the temperature sensor, unit 4: the transfer switch) and answers
# GATEWAY TARGET DEVICE FAILED TO RESPOND for any other unit. pantau-agent
# --once reads units 3 and 4 through their profiles, exactly; a device on
# unit 9 fails on its own (exit 1, logged as unreachable) without costing
# the others a value.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/sim/modbus_it.bash"
modbus_require

PROFILES=$PANTAU_ROOT/agent/profiles
SEEDS=$MODBUS_SIM_DIR/profiles
port=$(modbus_sim_start gw --unit-seed "3=$SEEDS/th-sensor.seed" \
	--unit-seed "4=$SEEDS/generic-ats.seed") || exit 1

cat >"$WORK/agent.yaml" <<YAML
agent: { id: it-modbus-gw, profile_dir: $PROFILES }
devices:
  - name: room-th
    kind: ems
    modbus: { address: 127.0.0.1:$port, unit: 3, profile: th-sensor }
  - name: ats-1
    kind: ats
    modbus: { address: 127.0.0.1:$port, unit: 4, profile: generic-ats }
  - name: unit-9
    kind: ems
    modbus: { address: 127.0.0.1:$port, unit: 9, retries: 0, profile: th-sensor }
YAML
modbus_once "$WORK/agent.yaml" "$WORK/once.jsonl"
[ "$ONCE_RC" -eq 1 ] || fail "--once exited $ONCE_RC, not 1 (unit 9 has no device)"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_profile_expect.py" "$PROFILES/modbus/th-sensor.yaml" \
	room-th "$SEEDS/th-sensor.expect" <"$WORK/once.jsonl" || fail "unit 3 read wrong"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_profile_expect.py" "$PROFILES/modbus/generic-ats.yaml" \
	ats-1 "$SEEDS/generic-ats.expect" <"$WORK/once.jsonl" || fail "unit 4 read wrong"
grep -q '"device":"unit-9"' "$WORK/once.jsonl" && fail "unit 9 produced samples"
grep -q "unit-9: poll failed: No route to host" "$WORK/once.jsonl.log" \
	|| fail "unit 9's failure was not logged as unreachable: $(cat "$WORK/once.jsonl.log")"
echo "PASS"
