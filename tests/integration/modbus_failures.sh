#!/usr/bin/env bash
# Failing Modbus devices do not delay the others: a slave that accepts and
# never answers (two devices on it), a refused port and a slave that drops
# every connection, next to a healthy device. --once must exit non-zero,
# report every value of the healthy device, nothing from the others, and
# finish in about one device's time budget (timeout 1s x 2 attempts), not
# the sum of them.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/sim/modbus_it.bash"
modbus_require

good=$(modbus_sim_start good) || exit 1
hang=$(modbus_sim_start hang --hang) || exit 1
closer=$(modbus_sim_start closer --close) || exit 1
refused=$(free_port)

device() { # NAME PORT
	cat <<YAML
  - name: $1
    kind: ems
    modbus:
      address: 127.0.0.1:$2
      timeout: 1s
      retries: 1
      fields:
$(modbus_fields '        ')
YAML
}
{
	echo "agent: { id: it-modbus, workers: 4 }"
	echo "devices:"
	device ems-hang-1 "$hang"
	device ems-good "$good"
	device ems-hang-2 "$hang"
	device ems-refused "$refused"
	device ems-closer "$closer"
} >"$WORK/agent.yaml"

modbus_once "$WORK/agent.yaml" "$WORK/once.jsonl"
[ "$ONCE_RC" -eq 1 ] || fail "--once exited $ONCE_RC, not 1 (a device failed)"
/usr/bin/python3 "$MODBUS_SIM_DIR/modbus_expect.py" ems-good:all ems-hang-1:none \
	ems-hang-2:none ems-refused:none ems-closer:none <"$WORK/once.jsonl" \
	|| fail "wrong output"
# Each hanging device takes two 1 s attempts; one after the other would be
# over 4 s. In parallel the whole run stays near 2 s.
[ "$ONCE_MS" -ge 1900 ] || fail "--once took $ONCE_MS ms: the hanging device was not waited for"
[ "$ONCE_MS" -lt 3500 ] || fail "--once took $ONCE_MS ms: devices delayed each other"
echo "PASS"
