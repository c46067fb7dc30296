#!/usr/bin/env bash
# Every shipped Modbus profile (agent/profiles/modbus/*.yaml) end to end: the
# libmodbus slave serves tests/sim/profiles/NAME.seed (known values at the
# profile's addresses, sentinels included), pantau-agent --once reads a
# device that names the profile, and modbus_profile_expect.py compares every
# metric the profile defines with tests/sim/profiles/NAME.expect: values,
# state names, absences for `invalid` sentinels, labels.table and
# labels.address, nothing extra. The SDM630 map is read from pymodbus too
# (an encoder that is neither ours nor libmodbus). A device's own extra
# field and a per-device max_registers_per_read ride along. Then a broken
# profile fails --check with its [file:line], and an unknown profile name
# lists the known ones.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/sim/modbus_it.bash"
modbus_require
/usr/bin/python3 -c 'import pymodbus' 2>/dev/null || skip "python3-pymodbus is not installed"

PROFILES=$PANTAU_ROOT/agent/profiles
SEEDS=$MODBUS_SIM_DIR/profiles
names=()
for f in "$PROFILES"/modbus/*.yaml; do
	names+=("$(basename "$f" .yaml)")
done
[ "${#names[@]}" -ge 4 ] || fail "expected at least 4 shipped Modbus profiles, found ${#names[@]}"

{
	echo "agent: { id: it-modbus-profiles, profile_dir: $PROFILES }"
	echo "devices:"
	for n in "${names[@]}"; do
		[ -f "$SEEDS/$n.seed" ] && [ -f "$SEEDS/$n.expect" ] \
			|| fail "profile $n has no $SEEDS/$n.seed and .expect"
		port=$(modbus_sim_start "sim-$n" --seed "$SEEDS/$n.seed") || exit 1
		echo "  - name: $n"
		echo "    modbus: { address: 127.0.0.1:$port, profile: $n }"
		# The same device one register per read: the plan must not matter.
		echo "  - name: $n-small"
		echo "    modbus: { address: 127.0.0.1:$port, profile: $n, max_registers_per_read: 2, max_gap: 0 }"
	done
	pyport=$(modbus_pysim_start pysim --seed "$SEEDS/eastron-sdm630.seed") || exit 1
	echo "  - name: eastron-sdm630-pymodbus"
	echo "    modbus: { address: 127.0.0.1:$pyport, profile: eastron-sdm630 }"
	# A profile plus a field of the device's own (the sensor's unused register 0).
	echo "  - name: th-extra"
	echo "    modbus:"
	echo "      address: 127.0.0.1:$(modbus_sim_start sim-extra --seed "$SEEDS/th-sensor.seed")"
	echo "      profile: th-sensor"
	echo "      fields: [ { metric: ems.raw0, table: input, address: 0, type: int16 } ]"
} >"$WORK/agent.yaml"

"$PANTAU_AGENT" --config "$WORK/agent.yaml" --check || fail "--check refused the profiles"
modbus_once "$WORK/agent.yaml" "$WORK/once.jsonl"
[ "$ONCE_RC" -eq 0 ] || fail "--once exited $ONCE_RC"
for n in "${names[@]}"; do
	for dev in "$n" "$n-small"; do
		/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_profile_expect.py" \
			"$PROFILES/modbus/$n.yaml" "$dev" "$SEEDS/$n.expect" <"$WORK/once.jsonl" \
			|| fail "profile $n: wrong values on $dev (output in $WORK/once.jsonl)"
	done
done
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_profile_expect.py" "$PROFILES/modbus/eastron-sdm630.yaml" \
	eastron-sdm630-pymodbus "$SEEDS/eastron-sdm630.expect" <"$WORK/once.jsonl" \
	|| fail "eastron-sdm630 read from pymodbus differs"
{ cat "$SEEDS/th-sensor.expect"; echo "ems.raw0 999"; } >"$WORK/th-extra.expect"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_profile_expect.py" "$PROFILES/modbus/th-sensor.yaml" \
	th-extra "$WORK/th-extra.expect" <"$WORK/once.jsonl" || fail "profile plus own field"

# A broken profile: --check names the file and line, and fails.
mkdir -p "$WORK/profiles/modbus"
cp "$PROFILES"/modbus/*.yaml "$WORK/profiles/modbus/"
cat >"$WORK/profiles/modbus/zz-broken.yaml" <<'YAML'
name: zz-broken
fields:
  - { metric: ok.one, table: holding, address: 0 }
  - { metric: bad.type, table: holding, address: 1, type: float24 }
YAML
sed "s|profile_dir: [^ }]*|profile_dir: $WORK/profiles|" "$WORK/agent.yaml" >"$WORK/broken.yaml"
"$PANTAU_AGENT" --config "$WORK/broken.yaml" --check >"$WORK/check.out" 2>&1 \
	&& fail "--check accepted a broken profile"
grep -q "\[$WORK/profiles/modbus/zz-broken.yaml:4\] modbus field.type: 'float24'" "$WORK/check.out" \
	|| fail "no [file:line] error for the broken profile: $(cat "$WORK/check.out")"

# An unknown profile name: the device's line, and the names that exist.
cat >"$WORK/unknown.yaml" <<YAML
agent: { id: it-modbus-profiles, profile_dir: $PROFILES }
devices:
  - name: g
    modbus: { address: 127.0.0.1:1, profile: dse-gensett }
YAML
"$PANTAU_AGENT" --config "$WORK/unknown.yaml" --check >"$WORK/unknown.out" 2>&1 \
	&& fail "--check accepted an unknown profile"
grep -q "\[$WORK/unknown.yaml:4\] modbus.profile: unknown Modbus profile 'dse-gensett'.*dse-genset" \
	"$WORK/unknown.out" || fail "unexpected message: $(cat "$WORK/unknown.out")"
echo "PASS"
