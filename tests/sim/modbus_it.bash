# Helpers for tests/integration/modbus_*.sh (source after tests/lib/proc.sh).
# Kept here, not in tests/integration, because every *.sh there is a test.

MODBUS_SIM=$PANTAU_BUILD/tests/sim/pantau-sim-modbus
PANTAU_AGENT=$PANTAU_BUILD/agent/pantau-agent
MODBUS_SIM_DIR=$PANTAU_ROOT/tests/sim

modbus_require() {
	[ -x "$PANTAU_AGENT" ] || skip "no $PANTAU_AGENT (build first)"
	[ -x "$MODBUS_SIM" ] || skip "no $MODBUS_SIM (build first)"
}

# modbus_sim_start NAME [ARGS...]: starts the libmodbus slave on a free
# port; the port is printed on stdout once it listens.
modbus_sim_start() {
	local name=$1
	shift
	proc_start "$name" "$MODBUS_SIM" --port 0 "$@"
	wait_until 10 grep -q "listening on" "$WORK/$name.log" || fail "$name did not start"
	sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$WORK/$name.log"
}

# modbus_pysim_start NAME [ARGS...]: the pymodbus slave (default seed
# unless ARGS say --seed FILE).
modbus_pysim_start() {
	local name=$1
	shift
	proc_start "$name" /usr/bin/python3 "$MODBUS_SIM_DIR/pymodbus_slave.py" --port 0 "$@"
	wait_until 30 grep -q "listening on" "$WORK/$name.log" || fail "$name did not start"
	sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$WORK/$name.log"
}

# modbus_fields INDENT: ems_fields.yaml indented for a device's fields list.
modbus_fields() {
	grep -v '^#' "$MODBUS_SIM_DIR/ems_fields.yaml" | sed "s/^/$1/"
}

# modbus_once CONFIG OUT: runs --once (stdout to OUT, stderr to OUT.log);
# sets ONCE_RC (1 = a device failed; 86/87 = a sanitizer complained) and ONCE_MS.
modbus_once() {
	local start=$(date +%s%N)
	"$PANTAU_AGENT" --config "$1" --once >"$2" 2>"$2.log"
	ONCE_RC=$?
	ONCE_MS=$((($(date +%s%N) - start) / 1000000))
	echo "--once exit $ONCE_RC after $ONCE_MS ms"
}
