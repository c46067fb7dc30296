# Helpers for tests/integration/alerts_*.sh: devices on pantau-sim-modbus ->
# pantau-agent -> pantau-collector with a rules file -> a temporary
# PostgreSQL, and local receivers for the notifications. Source after
# tests/lib/proc.sh and tests/lib/pg.sh. Every process is started with
# proc_start, so proc_cleanup stops it by PID.
#
#   alerts_init [NAME...]        agent, collector, sim (the binaries), python3-yaml,
#                                the cluster; free ports agent_port, http_port, NAME_port
#   alerts_rules [ARG...] <<PY   $WORK/rules.yaml: the shipped Tier-2 pack as edited
#                                by the Python on stdin (it sees `pack` and `args`)
#   alerts_agent_config ID <<Y   $WORK/agent.yaml: agent ID, 1 s polls, the devices on stdin
#   alerts_ups_device [STATES]   the YAML of UPS ups-a at $modbus_port (holding 301)
#   alerts_ups_config ID         an agent with that UPS only; $WORK/seed: on mains
#   alerts_sim_start NAME PORT [ARG...]   pantau-sim-modbus on PORT (log $WORK/NAME.log)
#   alerts_start                 the collector (until /health answers), then the agent
#   alerts_stop                  both must exit cleanly, without a sanitizer report
#   alerts_receiver NAME PORT [--json] [--fail-first N]   an HTTP receiver writing $WORK/NAME.got
#   set_reg ADDR VALUE           writes a holding register on $modbus_port (function 06)
#   q SQL                        one psql query, unaligned
#   lines NAME                   how many lines $WORK/NAME.got has (0 if none)
#   polls N                      waits until the collector stored N more samples of ups-a

alerts_init() {
	agent=$PANTAU_BUILD/agent/pantau-agent
	collector=$PANTAU_BUILD/collector/pantau-collector
	sim=$PANTAU_BUILD/tests/sim/pantau-sim-modbus
	local b
	for b in "$agent" "$collector" "$sim"; do [ -x "$b" ] || fail "missing $b"; done
	/usr/bin/python3 -c 'import yaml' 2>/dev/null || skip "python3-yaml missing"
	trap proc_cleanup EXIT # stops the temporary PostgreSQL too
	pg_tmp_start "$WORK/pg" || fail "temporary PostgreSQL did not start"
	local name
	for name in agent http "$@"; do
		printf -v "${name}_port" '%s' "$(free_port)"
	done
}

alerts_rules() {
	/usr/bin/python3 -c '
import sys, yaml
pack = yaml.safe_load(open(sys.argv[1]))
args = sys.argv[3:]
exec(sys.stdin.read())
yaml.safe_dump(pack, open(sys.argv[2], "w"), sort_keys=False)
' "$PANTAU_ROOT/deploy/rules/tier2.yaml" "$WORK/rules.yaml" "$@" || fail "cannot write the rules"
}

alerts_agent_config() {
	{
		cat <<YAML
agent:
  id: $1
  site: test-site
  interval: 1s
spool:
  dir: $WORK/spool
collector:
  address: 127.0.0.1:$agent_port
  plaintext: true
  batch_max_delay: 100ms
devices:
YAML
		cat
	} >"$WORK/agent.yaml"
}

# Holding 301: the UPS output source in UPS-MIB codes, named by STATES
# (default "3: normal, 5: battery").
alerts_ups_device() {
	cat <<YAML
  - name: ups-a
    kind: ups
    modbus:
      address: 127.0.0.1:$modbus_port
      unit: 1
      fields:
        - { metric: ups.output.source, table: holding, address: 301, type: uint16,
            states: { ${1:-3: normal, 5: battery} } }
YAML
}

alerts_ups_config() {
	printf 'holding 301 uint16 3\n' >"$WORK/seed"
	alerts_ups_device | alerts_agent_config "$1"
}

alerts_sim_start() {
	local name=$1 port=$2
	shift 2
	proc_start "$name" "$sim" --port "$port" "$@"
	wait_until 10 bash -c "echo > /dev/tcp/127.0.0.1/$port" || fail "modbus slave $name did not start"
}

alerts_start() {
	pg_collector_start "$collector" "$http_port"
	proc_start agent "$agent" --config "$WORK/agent.yaml"
}

alerts_stop() {
	proc_stop agent || fail "agent did not exit cleanly"
	proc_stop collector || fail "collector did not exit cleanly"
	! grep -q "ERROR: AddressSanitizer\|runtime error" "$WORK"/agent.log "$WORK"/collector.log \
		|| fail "sanitizer report"
}

# Without --json a POST is one line "PATH BODY" (newlines in the body made
# spaces); with it a JSON line {"path", "auth" (Authorization), "body"}.
alerts_receiver() {
	proc_start "receiver-$1" /usr/bin/python3 "$PANTAU_ROOT/tests/lib/http_receiver.py" \
		"$2" "$WORK/$1.got" "${@:3}"
	wait_until 10 bash -c "echo > /dev/tcp/127.0.0.1/$2" || fail "receiver $1 did not start"
}

set_reg() {
	/usr/bin/python3 - "$modbus_port" "$1" "$2" <<'PY'
import socket, struct, sys
port, addr, value = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) & 0xFFFF
s = socket.create_connection(("127.0.0.1", port), timeout=5)
req = struct.pack(">HHHBBHH", 1, 0, 6, 1, 6, addr, value)
s.sendall(req)
resp = s.recv(64)
if resp[7] != 6 or resp[8:12] != req[8:12]:
    sys.exit("modbus write refused: " + resp.hex())
PY
}

q() { psql -Atc "$1"; }

lines() { [ -f "$WORK/$1.got" ] && wc -l <"$WORK/$1.got" || echo 0; }

polls() {
	local n
	n=$(q "select count(*) from report.samples where device = 'ups-a'")
	wait_until 20 bash -c "[ \$(psql -Atc \"select count(*) from report.samples where device = 'ups-a'\") -ge $((n + $1)) ]" \
		|| fail "polling stopped"
}
