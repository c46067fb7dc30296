#!/usr/bin/env bash
# Modbus polling benchmark: pantau-agent and collectd's modbus plugin poll
# the same simulated slaves (one pantau-sim-modbus process listening on
# SLAVES loopback ports, each a slave serving the EMS map) for the same time
# at the same interval, reading the same 10 registers per slave. Prints, for
# each, the CPU seconds it used per 1,000 values it delivered and its peak
# RSS, side by side. Asserts nothing about timing; not part of tests/run.sh.
#
#   PANTAU_BUILD=build-release tests/bench/modbus.sh [SLAVES] [SECONDS] [INTERVAL_S]
#
# Defaults: 100 slaves, 60 s, 1 s interval. Use a build without sanitizers
# (meson setup build-release --buildtype=release): ASan/UBSan multiply the
# agent's CPU and RSS. pantau's values are counted in PostgreSQL (the agent
# sends to a real pantau-collector with a temporary cluster, whose CPU is
# not counted); collectd's are counted in its csv output. CPU is utime +
# stime from /proc/PID/stat just before the process is stopped; peak RSS is
# VmHWM from /proc/PID/status. collectd-core is installed with apt-get if
# missing (as root).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"

slaves=${1:-100}
seconds=${2:-60}
interval=${3:-1}
col_init $((seconds * 2 + 300))

AGENT=$COL_BUILD/agent/pantau-agent
SIM=$COL_BUILD/tests/sim/pantau-sim-modbus
[ -x "$AGENT" ] && [ -x "$SIM" ] || { echo "SKIP: build pantau-agent and pantau-sim-modbus"; exit 77; }
if grep -q __asan_init "$AGENT"; then
	echo "WARNING: $AGENT is a sanitizer build; its figures are inflated"
fi
if ! command -v collectd >/dev/null; then
	[ "$(id -u)" -eq 0 ] || { echo "SKIP: collectd is not installed (apt-get install collectd-core)"; exit 77; }
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends collectd-core \
		>"$COL_TMP/apt.log" 2>&1 || fail "apt-get install collectd-core"
fi
COLLECTD=$(command -v collectd)
[ -f /usr/lib/collectd/modbus.so ] || fail "collectd has no modbus plugin"

clk=$(getconf CLK_TCK)
cpu_of() { awk -v t="$clk" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
rss_of() { awk '/VmHWM/ { print $2 }' "/proc/$1/status"; }

# ---- the slaves -----------------------------------------------------------
"$SIM" --port 0 --ports "$slaves" >"$COL_TMP/sim.log" 2>&1 &
SIM_PID=$!
COL_PIDS+=("$SIM_PID")
for _ in $(seq 100); do
	[ "$(grep -c 'listening on' "$COL_TMP/sim.log")" -ge "$slaves" ] && break
	sleep 0.1
done
mapfile -t ports < <(sed -n 's/.*listening on .*:\([0-9]*\)$/\1/p' "$COL_TMP/sim.log")
[ "${#ports[@]}" -eq "$slaves" ] || fail "the simulator opened ${#ports[@]} of $slaves ports"
echo "slaves=$slaves seconds=$seconds interval=${interval}s values_per_poll=10 cpus=$(nproc)"

# The 10 registers, as pantau fields and as collectd Data blocks:
# name table address pantau-type pantau-word-order collectd-type
registers="temperature input 0 int16 big Int16
humidity input 1 uint16 big Uint16
dew_point input 2 int16 big Int16
supply_delta input 3 int16 big Int16
mains_voltage input 4 uint16 big Uint16
status holding 0 uint16 big Uint16
energy holding 100 float32 big Float
energy_cdab holding 102 float32 little FloatLE
uptime holding 110 uint32 big Uint32
counter holding 112 int32 big Int32"

# ---- pantau ---------------------------------------------------------------
pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
sed -i 's/log_level: info/log_level: warn/' "$COL_TMP/c.yaml"
"$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >"$COL_TMP/migrate.log" 2>&1 || fail "migrate"
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"
{
	echo "agent: { id: bench-modbus, interval: ${interval}s, log_level: warn }"
	echo "collector: { address: 127.0.0.1:$COL_PORT, plaintext: true }"
	echo "spool: { dir: $COL_TMP/spool }"
	echo "devices:"
	for i in "${!ports[@]}"; do
		echo "  - name: slave-$i"
		echo "    kind: ems"
		echo "    modbus:"
		echo "      address: 127.0.0.1:${ports[$i]}"
		echo "      fields:"
		while read -r name table addr type word _; do
			w=
			[ "$word" = little ] && w=", word_order: little"
			echo "        - { metric: $name, table: $table, address: $addr, type: $type$w }"
		done <<<"$registers"
	done
} >"$COL_TMP/agent.yaml"
"$AGENT" --config "$COL_TMP/agent.yaml" --check >"$COL_TMP/check.log" 2>&1 || fail "agent --check"
"$AGENT" --config "$COL_TMP/agent.yaml" >"$COL_TMP/agent.log" 2>&1 &
AGENT_PID=$!
COL_PIDS+=("$AGENT_PID")
sleep "$seconds"
kill -0 "$AGENT_PID" 2>/dev/null || fail "pantau-agent exited early"
p_cpu=$(cpu_of "$AGENT_PID")
p_rss=$(rss_of "$AGENT_PID")
kill -TERM "$AGENT_PID"
wait "$AGENT_PID" || echo "note: pantau-agent exited $?"
metrics=$(while read -r name _; do printf "'%s'," "$name"; done <<<"$registers")
p_values=$(psql -qAt -c "SELECT count(*) FROM pantau.samples s JOIN pantau.series r
	ON r.id = s.series_id WHERE r.metric IN (${metrics%,})")
col_stop || echo "note: collector exit status $?"

# ---- collectd -------------------------------------------------------------
mkdir -p "$COL_TMP/csv"
{
	echo "Hostname \"bench\""
	echo "FQDNLookup false"
	echo "Interval $interval"
	echo "ReadThreads 5"
	echo "LoadPlugin csv"
	echo "<Plugin csv>"
	echo "  DataDir \"$COL_TMP/csv\""
	echo "  StoreRates false"
	echo "</Plugin>"
	echo "LoadPlugin modbus"
	echo "<Plugin modbus>"
	while read -r name table addr _ _ ctype; do
		cmd=ReadHolding
		[ "$table" = input ] && cmd=ReadInput
		echo "  <Data \"$name\">"
		echo "    RegisterBase $addr"
		echo "    RegisterCmd $cmd"
		echo "    RegisterType $ctype"
		echo "    Type gauge"
		echo "    Instance \"$name\""
		echo "  </Data>"
	done <<<"$registers"
	for i in "${!ports[@]}"; do
		echo "  <Host \"slave-$i\">"
		echo "    Address \"127.0.0.1\""
		echo "    Port \"${ports[$i]}\""
		echo "    Interval $interval"
		echo "    <Slave 1>"
		echo "      Instance \"s$i\""
		while read -r name _; do echo "      Collect \"$name\""; done <<<"$registers"
		echo "    </Slave>"
		echo "  </Host>"
	done
	echo "</Plugin>"
} >"$COL_TMP/collectd.conf"
"$COLLECTD" -t -C "$COL_TMP/collectd.conf" >"$COL_TMP/collectd-check.log" 2>&1 \
	|| fail "collectd refused its config: $(cat "$COL_TMP/collectd-check.log")"
"$COLLECTD" -f -C "$COL_TMP/collectd.conf" -P "$COL_TMP/collectd.pid" >"$COL_TMP/collectd.log" 2>&1 &
CD_PID=$!
COL_PIDS+=("$CD_PID")
sleep "$seconds"
kill -0 "$CD_PID" 2>/dev/null || fail "collectd exited early"
c_cpu=$(cpu_of "$CD_PID")
c_rss=$(rss_of "$CD_PID")
kill -TERM "$CD_PID"
wait "$CD_PID" || true
# One value per csv line, minus each file's header line.
c_values=$(find "$COL_TMP/csv" -type f -name 'gauge-*' -exec cat {} + | grep -vc '^epoch')
err=$(grep -ci 'error' "$COL_TMP/collectd.log")

awk -v pc="$p_cpu" -v pr="$p_rss" -v pv="$p_values" -v cc="$c_cpu" -v cr="$c_rss" \
	-v cv="$c_values" -v want=$((slaves * 10 * seconds / interval)) 'BEGIN {
	printf "%-22s %14s %14s\n", "", "pantau-agent", "collectd"
	printf "%-22s %14d %14d\n", "values delivered", pv, cv
	printf "%-22s %14.2f %14.2f\n", "cpu seconds", pc, cc
	printf "%-22s %14.5f %14.5f\n", "cpu s per 1000 values", pv ? pc * 1000 / pv : 0, cv ? cc * 1000 / cv : 0
	printf "%-22s %14.1f %14.1f\n", "peak rss MiB", pr / 1024, cr / 1024
	printf "(about %d values expected from each: slaves x 10 x seconds / interval)\n", want
	printf "modbus_bench pantau_cpu_s_per_1000=%.5f pantau_peak_rss_kib=%d collectd_cpu_s_per_1000=%.5f collectd_peak_rss_kib=%d\n", \
		pv ? pc * 1000 / pv : 0, pr, cv ? cc * 1000 / cv : 0, cr
}'
[ "$err" -eq 0 ] || echo "note: collectd logged $err error lines (see $COL_TMP/collectd.log with KEEP_TMP=1)"
[ "$p_values" -gt 0 ] && [ "$c_values" -gt 0 ] || fail "one side delivered no values"
