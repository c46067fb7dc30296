#!/usr/bin/env bash
# A Modbus exception on one read leaves the other fields reported: the slave
# answers ILLEGAL DATA ADDRESS for any read covering holding 102, so the
# read of holding 100..107 (the four float32 fields) fails, everything else
# arrives, the missing fields are logged, and --once still exits 0. A device
# whose every read gets an exception is a failed device (exit non-zero)
# without holding up a healthy one.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/sim/modbus_it.bash"
modbus_require

port=$(modbus_sim_start sim --exception-at holding:102) || exit 1

cat >"$WORK/partial.yaml" <<YAML
agent: { id: it-modbus }
devices:
  - name: ems-partial
    kind: ems
    modbus:
      address: 127.0.0.1:$port
      max_gap: 0      # keep 100..107 apart from 110.. so one read carries the exception
      fields:
$(modbus_fields '        ')
YAML
modbus_once "$WORK/partial.yaml" "$WORK/partial.jsonl"
[ "$ONCE_RC" -eq 0 ] || fail "--once exited $ONCE_RC though the device answered"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_expect.py" ems-partial:all-but-floats \
	<"$WORK/partial.jsonl" || fail "wrong values with one failing read"
grep -q "5 of 28 fields not read: e_bb (holding 100: Illegal data address)" \
	"$WORK/partial.jsonl.log" || fail "the failed fields were not logged"

cat >"$WORK/allbad.yaml" <<YAML
agent: { id: it-modbus }
devices:
  - name: ems-allbad
    kind: ems
    modbus:
      address: 127.0.0.1:$port
      fields:
        - { metric: energy, table: holding, address: 102, type: float32 }
  - name: ems-good
    kind: ems
    modbus:
      address: 127.0.0.1:$port
      fields:
        - { metric: temperature, unit: celsius, table: input, address: 0, type: int16, scale: 0.1 }
        - { metric: humidity, unit: "%", table: input, address: 1, scale: 0.1 }
        - { metric: delta, unit: K, table: input, address: 3, type: int16, scale: 0.1 }
        - { metric: leak, table: discrete, address: 0 }
        - { metric: mains, table: discrete, address: 3 }
        - { metric: locked, table: holding, address: 0, type: bool, bit: 15 }
YAML
modbus_once "$WORK/allbad.yaml" "$WORK/allbad.jsonl"
[ "$ONCE_RC" -eq 1 ] || fail "--once exited $ONCE_RC, not 1, though a device returned only exceptions"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_expect.py" ems-good:one ems-allbad:none \
	<"$WORK/allbad.jsonl" || fail "the healthy device was affected"
echo "PASS"
