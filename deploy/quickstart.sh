#!/usr/bin/env bash
# pantau quickstart: builds pantau, then runs a small simulated data center
# on this machine: a private PostgreSQL cluster (made by the collector), an
# SNMP UPS (snmpsimd serving the project's own RFC 1628 recording), a Modbus
# TCP EMS sensor (the project's libmodbus slave), the collector and an agent.
# Prints where the data is and how to query it. Ctrl-C stops everything it
# started. Run as root or with sudo on Debian 12.
#
# Environment: PANTAU_QUICKSTART_DIR (state, default /var/tmp/pantau-quickstart),
# PANTAU_QUICKSTART_SECONDS (stop by itself after N seconds; default: run until Ctrl-C).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if [ "$(id -u)" -ne 0 ]; then
	exec sudo -E "$0" "$@"
fi

state=${PANTAU_QUICKSTART_DIR:-/var/tmp/pantau-quickstart}
build=$root/build
snmp_port=11161
modbus_port=15020
agent_port=17400
http_port=17480

say() { printf '\033[1mquickstart:\033[0m %s\n' "$*"; }

bash deploy/install-deps.sh
if [ ! -f "$build/build.ninja" ]; then
	meson setup "$build" --buildtype=release >/dev/null
fi
say "building"
ninja -C "$build" >/dev/null

# The daemons run as an unprivileged user; PostgreSQL refuses root anyway.
if ! id pantau >/dev/null 2>&1; then
	useradd --system --no-create-home --shell /usr/sbin/nologin pantau
fi
mkdir -p "$state"
rm -rf "$state/snmp" "$state/snmpsim-cache"
mkdir -p "$state/snmp" "$state/snmpsim-cache" "$state/log"
cp tests/fixtures/snmp/ups-rfc1628.snmprec "$state/snmp/"
chown -R pantau: "$state"
chmod 755 "$state"

# setpriv execs the daemon itself (runuser would stay as a parent that kills
# its child two seconds after a signal, too soon for a clean PostgreSQL stop).
as_pantau="setpriv --reuid=pantau --regid=pantau --init-groups --"

pids=()
stop_all() {
	trap - INT TERM EXIT
	say "stopping"
	local i
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		kill -TERM "${pids[$i]}" 2>/dev/null || true
	done
	for pid in "${pids[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
		kill -KILL "$pid" 2>/dev/null || true
	done
	say "stopped (state kept in $state; the PostgreSQL cluster stops with the collector)"
}
trap stop_all INT TERM EXIT


say "starting the simulated UPS (snmpsimd on 127.0.0.1:$snmp_port, community ups-rfc1628)"
snmpsimd --data-dir="$state/snmp" --agent-udpv4-endpoint=127.0.0.1:$snmp_port \
	--process-user=pantau --process-group=pantau --cache-dir="$state/snmpsim-cache" \
	>"$state/log/snmpsimd.log" 2>&1 &
pids+=($!)

say "starting the simulated EMS sensor (Modbus TCP on 127.0.0.1:$modbus_port)"
$as_pantau "$build/tests/sim/pantau-sim-modbus" --port $modbus_port \
	>"$state/log/modbus-sim.log" 2>&1 &
pids+=($!)

# Mutual TLS from the first run: a private CA, the collector's certificate
# and the agent's, made by pantauctl as user pantau (keys mode 0600). Kept
# across runs: an existing CA is reused.
pki=$state/pki
ctl="$as_pantau $build/collector/ctl/pantauctl"
if [ ! -f "$pki/ca.key" ]; then
	say "making a private CA and certificates in $pki (pantauctl certs)"
	$ctl certs init --dir "$pki" --name "pantau quickstart CA" >/dev/null
fi
[ -f "$pki/collector.pem" ] || $ctl certs collector 127.0.0.1 localhost --dir "$pki" >/dev/null
[ -f "$pki/agents/quickstart-agent.pem" ] || $ctl certs agent quickstart-agent --dir "$pki" >/dev/null

cat >"$state/collector.yaml" <<YAML
collector:
  listen: 127.0.0.1:$agent_port
  tls: { ca: pki/ca.pem, cert: pki/collector.pem, key: pki/collector.key, crl: pki/crl.pem }
  http: 127.0.0.1:$http_port
  state_dir: $state
database:
  dsn: ""                  # empty: a private PostgreSQL cluster under state_dir/pg
alerts:
  rules: $root/deploy/rules/tier2.yaml   # the default pack for a Tier-2 room
YAML

cat >"$state/agent.yaml" <<YAML
agent:
  id: quickstart-agent
  site: quickstart
  interval: 10s
  profile_dir: $root/agent/profiles
spool:
  dir: $state/spool        # unacknowledged batches, kept across restarts
collector:
  address: 127.0.0.1:$agent_port
  tls: { ca: pki/ca.pem, cert: pki/agents/quickstart-agent.pem, key: pki/agents/quickstart-agent.key }
devices:
  - name: ups-a
    kind: ups
    snmp: { address: 127.0.0.1:$snmp_port, version: 2c, community: ups-rfc1628 }
    profiles: [auto]
  - name: ems-room1
    kind: ems
    modbus:
      address: 127.0.0.1:$modbus_port
      unit: 1
      fields:
        - { metric: ems.temperature, unit: celsius, table: input, address: 0, type: int16, scale: 0.1 }
        - { metric: ems.humidity, unit: "%", table: input, address: 1, type: int16, scale: 0.1 }
        - { metric: ems.leak, table: discrete, address: 0, type: bool }
        - { metric: ems.door_open, table: discrete, address: 1, type: bool }
YAML
chown pantau: "$state/collector.yaml" "$state/agent.yaml"

say "starting the collector (creates its PostgreSQL cluster on first run)"
$as_pantau "$build/collector/pantau-collector" --config "$state/collector.yaml" \
	>"$state/log/collector.log" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
	curl -fsS "http://127.0.0.1:$http_port/health" >/dev/null 2>&1 && break
	kill -0 "${pids[-1]}" 2>/dev/null || { cat "$state/log/collector.log"; exit 1; }
	sleep 0.5
done

say "starting the agent"
$as_pantau "$build/agent/pantau-agent" --config "$state/agent.yaml" \
	>"$state/log/agent.log" 2>&1 &
pids+=($!)

psql_cmd="runuser -u pantau -- psql -h $state/pg/run -d pantau"
# Samples of this run only: the state directory keeps earlier runs' data.
since="to_timestamp($(date +%s))"
say "waiting for the first samples in PostgreSQL"
got=0
for _ in $(seq 60); do
	n=$($psql_cmd -Atc "select count(distinct device) from report.samples
	                    where ts >= $since" 2>/dev/null || echo 0)
	[ "${n:-0}" -ge 2 ] && { got=1; break; }
	sleep 1
done
[ $got = 1 ] || say "no samples from both devices after 60 s; see $state/log/"
# The newest value of each series.
$psql_cmd -c "select distinct on (device, metric, labels) device, metric,
                     labels->>'line' as line, value, unit, ts
              from report.samples where ts >= $since
              order by device, metric, labels, ts desc limit 40"

cat <<TXT

pantau is running. Where to look:
  query the data   $psql_cmd
                   e.g. select * from report.samples order by ts desc limit 20;
                        select * from report.devices;
  health, metrics  curl http://127.0.0.1:$http_port/health
                   curl http://127.0.0.1:$http_port/metrics
  one poll, JSON   $build/agent/pantau-agent --config $state/agent.yaml --once
  alerts           runuser -u pantau -- $build/collector/ctl/pantauctl alerts --dsn "host=$state/pg/run dbname=pantau"
                   (rules: $root/deploy/rules/tier2.yaml)
  logs             $state/log/
  certificates     $pki (CA, collector, agents/; revoke: pantauctl certs revoke ID --dir $pki)
Ctrl-C stops everything this script started.
TXT

if [ -n "${PANTAU_QUICKSTART_SECONDS:-}" ]; then
	sleep "$PANTAU_QUICKSTART_SECONDS"
else
	wait "${pids[-1]}" || true
fi
