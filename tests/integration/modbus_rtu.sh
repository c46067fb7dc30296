#!/usr/bin/env bash
# Modbus RTU through the same poller: socat joins two pseudo-terminals, the
# libmodbus slave answers as unit 7 on one end, pantau-agent --once reads
# the EMS map from the other with `serial:` instead of `address:`.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/sim/modbus_it.bash"
modbus_require
command -v socat >/dev/null || skip "socat is not installed"

proc_start socat socat -d -d "pty,raw,echo=0,link=$WORK/tty-slave" "pty,raw,echo=0,link=$WORK/tty-agent"
wait_until 10 test -e "$WORK/tty-slave" -a -e "$WORK/tty-agent" || fail "socat made no ptys"
proc_start sim "$MODBUS_SIM" --rtu "$WORK/tty-slave" --unit 7 --baud 115200
wait_until 10 grep -q "listening on" "$WORK/sim.log" || fail "the RTU slave did not start"

cat >"$WORK/agent.yaml" <<YAML
agent: { id: it-modbus }
devices:
  - name: ems-rtu
    kind: ems
    modbus:
      serial: { device: "$WORK/tty-agent", baud: 115200, parity: N, data_bits: 8, stop_bits: 1 }
      unit: 7
      timeout: 1s
      fields:
$(modbus_fields '        ')
  - name: ems-rtu-wrong-unit
    kind: ems
    modbus:
      serial: { device: "$WORK/tty-agent", baud: 115200 }
      unit: 8
      timeout: 300ms
      retries: 0
      fields:
        - { metric: temperature, table: input, address: 0, type: int16, scale: 0.1 }
YAML
# Run apart: the second run checks that the line recovers after a unit that
# never answers (modbus_rtu_bus.sh has several units sharing one line).
sed '/ems-rtu-wrong-unit/,$d' "$WORK/agent.yaml" >"$WORK/rtu.yaml"
{ sed -n '1,2p' "$WORK/agent.yaml"; sed -n '/ems-rtu-wrong-unit/,$p' "$WORK/agent.yaml"; } \
	>"$WORK/wrong.yaml"

modbus_once "$WORK/rtu.yaml" "$WORK/once.jsonl"
[ "$ONCE_RC" -eq 0 ] || fail "--once over RTU exited $ONCE_RC"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_expect.py" ems-rtu:all <"$WORK/once.jsonl" \
	|| fail "wrong values over RTU"

# A unit nobody answers for times out, and the line still works afterwards.
# libmodbus's slave, having ignored a request for another unit, expects that
# unit's answer to follow, as it would on a real bus; here none comes, so the
# first request after it is lost and the poller's retry (retries: 1 by
# default) is what brings the values back.
modbus_once "$WORK/wrong.yaml" "$WORK/wrong.jsonl"
[ "$ONCE_RC" -eq 1 ] || fail "--once exited $ONCE_RC, not 1, for a unit that does not answer"
modbus_once "$WORK/rtu.yaml" "$WORK/again.jsonl"
[ "$ONCE_RC" -eq 0 ] || fail "the RTU line did not recover after a timeout"
echo "PASS"
