# Shared by the fault tests (source it): a temporary PostgreSQL, the
# collector, the counting Modbus responder (an independent record of every
# poll) and agents with a spool and a local /metrics.
#
#   fault_init                    PostgreSQL, collector config, migrations, responder
#   fault_collector_start         start (or restart) the collector, wait for /health
#   fault_agent_config NDEV NFIELDS [EXTRA_SPOOL_YAML]   writes $WORK/agent.yaml
#   fault_agent_start             start the agent (name "agent")
#   agent_metric NAME[{labels}]   one value from the agent's /metrics
#   fault_drain                   stop the responder, wait until the agent has no
#                                 unacknowledged sample, stop the agent
#   fault_check KILLED EXTRA      the counting checks (see fault_check below)
#   fault_check_totals            stored + evicted == polled == served x values,
#                                 from the agent's final counters and the log
#
# Set before fault_init to change where things run (tests/faults/network_cut.sh):
#   FAULT_COLLECTOR_HOST  the address the collector listens on for agents and
#                         the agent dials (default 127.0.0.1)
#   FAULT_PKI             a `pantauctl certs` directory (fault_pki makes one):
#                         mutual TLS instead of loopback plaintext
#   AGENT_EXEC            a command prefix for the agent, the responder and
#                         the curl to the agent's /metrics, e.g.
#                         (ip netns exec NS); it must exec, so PIDs stay right
source "$(dirname "${BASH_SOURCE[0]}")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"

AGENT_BIN=$PANTAU_BUILD/agent/pantau-agent
COLLECTOR_BIN=$PANTAU_BUILD/collector/pantau-collector
CTL_BIN=$PANTAU_BUILD/collector/ctl/pantauctl
FAULT_CLEANUPS=()
FAULT_COLLECTOR_HOST=127.0.0.1
FAULT_PKI=
AGENT_EXEC=()

fault_cleanup() {
	local c name
	for name in "${!PROC_PIDS[@]}"; do proc_stop "$name" || true; done
	for c in "${FAULT_CLEANUPS[@]}"; do eval "$c" || true; done
	pg_tmp_stop >/dev/null 2>&1 || true
	proc_cleanup
}
trap fault_cleanup EXIT

fault_init() {
	for b in "$AGENT_BIN" "$COLLECTOR_BIN"; do [ -x "$b" ] || fail "missing $b"; done
	pg_tmp_start "$WORK/pg" >"$WORK/pg-start.log" 2>&1 || fail "temporary PostgreSQL did not start"
	AGENT_PORT=$(free_port)
	HTTP_PORT=$(free_port)
	METRICS_PORT=$(free_port)
	cat >"$WORK/collector.yaml" <<YAML
collector:
  listen: $FAULT_COLLECTOR_HOST:$AGENT_PORT
$(fault_transport collector)
  http: 127.0.0.1:$HTTP_PORT
  state_dir: $WORK/state
database:
  dsn: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
YAML
	"$COLLECTOR_BIN" --config "$WORK/collector.yaml" --migrate >"$WORK/migrate.log" 2>&1 \
		|| fail "collector --migrate failed"
	proc_start responder "${AGENT_EXEC[@]}" /usr/bin/python3 \
		"$PANTAU_ROOT/tests/faults/counting_modbus.py" --port 0 --log "$WORK/served.txt"
	wait_until 10 grep -q "listening on" "$WORK/responder.log" || fail "responder did not start"
	MODBUS_PORT=$(awk '/listening on/ {print $3}' "$WORK/responder.log")
}

# Makes a CA, a collector certificate for HOST and one for the agent
# fault-agent with pantauctl, and sets FAULT_PKI.
fault_pki() {
	[ -x "$CTL_BIN" ] || fail "missing $CTL_BIN"
	FAULT_PKI=$WORK/pki
	"$CTL_BIN" certs init --dir "$FAULT_PKI" >"$WORK/pki.txt" 2>&1 || fail "pantauctl certs init"
	"$CTL_BIN" certs collector "$1" --dir "$FAULT_PKI" >>"$WORK/pki.txt" 2>&1 \
		|| fail "pantauctl certs collector $1"
	"$CTL_BIN" certs agent fault-agent --dir "$FAULT_PKI" >>"$WORK/pki.txt" 2>&1 \
		|| fail "pantauctl certs agent fault-agent"
}

# The collector: section's transport lines for "collector" or "agent".
fault_transport() {
	if [ -z "$FAULT_PKI" ]; then
		echo "  plaintext: true"
	elif [ "$1" = collector ]; then
		echo "  tls: { ca: $FAULT_PKI/ca.pem, cert: $FAULT_PKI/collector.pem, key: $FAULT_PKI/collector.key }"
	else
		echo "  tls: { ca: $FAULT_PKI/ca.pem, cert: $FAULT_PKI/agents/fault-agent.pem, key: $FAULT_PKI/agents/fault-agent.key }"
	fi
}

collector_healthy() { curl -fsS "http://127.0.0.1:$HTTP_PORT/health" >/dev/null; }

fault_collector_start() {
	[ -f "$WORK/collector.log" ] && cat "$WORK/collector.log" >>"$WORK/collector-all.log.old"
	proc_start collector "$COLLECTOR_BIN" --config "$WORK/collector.yaml"
	wait_until 30 collector_healthy || fail "collector /health did not answer"
}

# NDEV devices polled every 100 ms, each reading NFIELDS values in one
# request: fault.poll (the responder's number N) and NFIELDS-1 others.
fault_agent_config() {
	local ndev=$1 nfields=$2 spool_extra=${3:-}
	FIELDS_PER_POLL=$nfields
	{
		cat <<YAML
agent:
  id: fault-agent
  site: faults
  interval: 100ms
  metrics_listen: 127.0.0.1:$METRICS_PORT
spool:
  dir: $WORK/spool
$spool_extra
collector:
  address: $FAULT_COLLECTOR_HOST:$AGENT_PORT
$(fault_transport agent)
  batch_max_delay: 200ms
devices:
YAML
		for d in $(seq 1 "$ndev"); do
			cat <<YAML
  - name: dev$d
    kind: ems
    modbus:
      address: 127.0.0.1:$MODBUS_PORT
      unit: 1
      timeout: 2s
      fields:
        - { metric: fault.poll, table: input, address: 0, type: uint32 }
YAML
			for f in $(seq 2 "$nfields"); do
				echo "        - { metric: fault.v$f, unit: V, table: input, address: $f, type: int16, scale: 0.1 }"
			done
		done
	} >"$WORK/agent.yaml"
	"$AGENT_BIN" --config "$WORK/agent.yaml" --check >"$WORK/check.log" 2>&1 \
		|| { cat "$WORK/check.log"; fail "agent --check refused the fault config"; }
}

fault_agent_start() {
	[ -f "$WORK/agent.log" ] && cat "$WORK/agent.log" >>"$WORK/agent-all.log.old"
	proc_start agent "${AGENT_EXEC[@]}" "$AGENT_BIN" --config "$WORK/agent.yaml"
	wait_until 20 agent_metric pantau_agent_samples_polled_total \
		|| fail "agent /metrics did not answer"
}

# Prints one value from the agent's /metrics (exact name with labels).
agent_metric() {
	"${AGENT_EXEC[@]}" curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics" 2>/dev/null \
		| awk -v n="$1" '$1 == n {print $2; found=1} END {exit !found}'
}

agent_evicted_total() {
	"${AGENT_EXEC[@]}" curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics" \
		| awk '/^pantau_agent_samples_evicted_total\{/ {s += $2} END {print s + 0}'
}

agent_drained() {
	[ "$(agent_metric pantau_agent_spool_pending_samples)" = 0 ]
}

# Stops polling (the responder goes away: polls fail, no new samples), waits
# for every spooled sample to be acknowledged, and records the agent's
# counters in $WORK/final-metrics.txt before stopping it.
fault_drain() {
	proc_stop responder || true
	wait_until 150 agent_drained || fail "the agent still has unacknowledged samples"
	sleep 0.5
	"${AGENT_EXEC[@]}" curl -fsS "http://127.0.0.1:$METRICS_PORT/metrics" >"$WORK/final-metrics.txt" \
		|| fail "no final /metrics"
	proc_stop agent || fail "agent did not stop cleanly"
}

final_metric() {
	awk -v n="$1" '$1 == n {print $2}' "$WORK/final-metrics.txt"
}

# Every evicted sample in the final counters, all reasons.
final_evicted() {
	awk '/^pantau_agent_samples_evicted_total\{/ {s += $2} END {print s + 0}' "$WORK/final-metrics.txt"
}

# After fault_drain, for runs where the agent was never killed: sets POLLED,
# EVICTED (agent's final counters), SERVED (responder's log) and STORED
# (PostgreSQL) and checks polled == served x values per poll and
# stored + evicted == polled.
fault_check_totals() {
	POLLED=$(final_metric pantau_agent_samples_polled_total)
	EVICTED=$(final_evicted)
	SERVED=$(grep -vc '^close' "$WORK/served.txt")
	STORED=$(psql -qAt -c "select count(*) from pantau.samples")
	echo "responder served $SERVED polls; agent polled $POLLED samples, evicted $EVICTED; stored $STORED"
	[ "$POLLED" -gt 0 ] || fail "nothing polled"
	[ "$POLLED" = $((SERVED * FIELDS_PER_POLL)) ] \
		|| fail "agent polled $POLLED samples, but the responder answered $SERVED polls x $FIELDS_PER_POLL"
	[ $((STORED + EVICTED)) = "$POLLED" ] || fail "stored $STORED + evicted $EVICTED != polled $POLLED"
}

# The counting checks, against the responder's log:
#  - no (series, ts) stored twice, and no poll number stored twice;
#  - every stored poll number was served, with all its FIELDS_PER_POLL values;
#  - every served number is stored, except (when agents were killed) the last
#    answer on a connection that ended by the kill; ALLOWED_LOST_EXTRA more may
#    be missing only when they were counted as evicted.
fault_check() {
	local dups
	dups=$(psql -qAt -c "select count(*) - count(distinct (series_id, ts)) from pantau.samples")
	[ "$dups" = 0 ] || fail "$dups samples stored twice"
	psql -qAt -c "select value::bigint from report.samples where metric = 'fault.poll'" \
		>"$WORK/stored-polls.txt" || fail "psql"
	psql -qAt -c "select count(*) from report.samples where device like 'dev%'" \
		>"$WORK/stored-count.txt" || fail "psql"
	psql -qAt -c "select count(*) from (select device, ts from report.samples
	              where device like 'dev%' group by device, ts
	              having count(*) <> $FIELDS_PER_POLL) x" >"$WORK/partial-polls.txt" || fail "psql"
	[ "$(cat "$WORK/partial-polls.txt")" = 0 ] \
		|| fail "$(cat "$WORK/partial-polls.txt") polls stored without all their $FIELDS_PER_POLL values"
	/usr/bin/python3 - "$WORK/served.txt" "$WORK/stored-polls.txt" "${1:-0}" "${2:-0}" <<'PY' \
		|| fail "stored poll numbers do not match the responder's log"
import sys
served_log, stored_file, killed, allowed_extra = sys.argv[1], sys.argv[2], sys.argv[3] == "1", int(sys.argv[4])
served, last_on_conn, closed = set(), {}, set()
for line in open(served_log):
    a, b = line.split()
    if a == "close":
        closed.add(b)
    else:
        served.add(int(a))
        last_on_conn[b] = int(a)
stored = [int(x) for x in open(stored_file).read().split()]
if len(stored) != len(set(stored)):
    print("a poll number is stored twice"); sys.exit(1)
stored = set(stored)
extra = stored - served
if extra:
    print(len(extra), "stored poll numbers were never served, e.g.", sorted(extra)[:5]); sys.exit(1)
missing = served - stored
excusable = {n for c, n in last_on_conn.items() if c in closed} if killed else set()
unexplained = missing - excusable
print(f"served {len(served)} polls, stored {len(stored)}, missing {len(missing)} "
      f"(of which {len(missing & excusable)} were the last answer before a kill)")
if len(unexplained) > allowed_extra:
    print(len(unexplained), "served polls are missing from PostgreSQL, e.g.", sorted(unexplained)[:10])
    sys.exit(1)
PY
}
