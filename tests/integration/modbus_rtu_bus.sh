#!/usr/bin/env bash
# Several unit ids on one serial line, in turn: socat joins two
# pseudo-terminals; on one end the libmodbus slave answers as unit 7 (the
# temperature sensor map) and unit 8 (the DSE genset map); on the other,
# three pantau devices share the line: units 7 and 8, and unit 9 that
# nobody answers. All three are polled at once by --once, so without
# turn-taking their frames would collide; every value of units 7 and 8 must
# arrive exactly, and unit 9 alone fails. Then --check refuses a device that
# names the same line with other settings.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/sim/modbus_it.bash"
modbus_require
command -v socat >/dev/null || skip "socat is not installed"

PROFILES=$PANTAU_ROOT/agent/profiles
SEEDS=$MODBUS_SIM_DIR/profiles
proc_start socat socat -d -d "pty,raw,echo=0,link=$WORK/tty-slave" "pty,raw,echo=0,link=$WORK/tty-agent"
wait_until 10 test -e "$WORK/tty-slave" -a -e "$WORK/tty-agent" || fail "socat made no ptys"
proc_start sim "$MODBUS_SIM" --rtu "$WORK/tty-slave" --baud 115200 \
	--unit-seed "7=$SEEDS/th-sensor.seed" --unit-seed "8=$SEEDS/dse-genset.seed"
wait_until 10 grep -q "unit 8" "$WORK/sim.log" || fail "the RTU slave did not start"

line="serial: { device: \"$WORK/tty-agent\", baud: 115200 }"
cat >"$WORK/agent.yaml" <<YAML
agent: { id: it-modbus-bus, workers: 4, profile_dir: $PROFILES }
devices:
  - name: unit-9
    modbus: { $line, unit: 9, timeout: 300ms, retries: 0, profile: th-sensor }
  - name: genset
    kind: genset
    modbus: { $line, unit: 8, timeout: 1s, profile: dse-genset }
  - name: room-th
    kind: ems
    modbus: { $line, unit: 7, timeout: 1s, profile: th-sensor }
YAML
"$PANTAU_AGENT" --config "$WORK/agent.yaml" --check || fail "--check refused the shared line"
modbus_once "$WORK/agent.yaml" "$WORK/once.jsonl"
[ "$ONCE_RC" -eq 1 ] || fail "--once exited $ONCE_RC, not 1 (unit 9 does not answer)"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_profile_expect.py" "$PROFILES/modbus/th-sensor.yaml" \
	room-th "$SEEDS/th-sensor.expect" <"$WORK/once.jsonl" || fail "unit 7 read wrong"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_profile_expect.py" "$PROFILES/modbus/dse-genset.yaml" \
	genset "$SEEDS/dse-genset.expect" <"$WORK/once.jsonl" || fail "unit 8 read wrong"
grep -q '"device":"unit-9"' "$WORK/once.jsonl" && fail "unit 9 produced samples"

cat >"$WORK/clash.yaml" <<YAML
agent: { id: it-modbus-bus, profile_dir: $PROFILES }
devices:
  - name: room-th
    modbus: { $line, unit: 7, profile: th-sensor }
  - name: other
    modbus:
      serial: { device: "$WORK/tty-agent", baud: 9600 }
      unit: 8
      profile: th-sensor
YAML
"$PANTAU_AGENT" --config "$WORK/clash.yaml" --check >"$WORK/clash.out" 2>&1 \
	&& fail "--check accepted one line with two baud rates"
grep -q "\[$WORK/clash.yaml:7\] modbus.serial: .* is also used by device 'room-th'" \
	"$WORK/clash.out" || fail "unexpected message: $(cat "$WORK/clash.out")"
echo "PASS"
