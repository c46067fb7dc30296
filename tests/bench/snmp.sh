#!/usr/bin/env bash
# SNMP polling cost: pantau-agent beside collectd's snmp plugin, polling the
# same simulated UPSes (snmpsimd serving the project's RFC 1628 fixture under
# one community per device) for the same values at the same interval.
# Prints CPU seconds per 1,000 values and peak RSS for each; asserts nothing.
#
#   PANTAU_BUILD=build tests/bench/snmp.sh [DEVICES] [SECONDS] [INTERVAL_S]
#
# Defaults: 100 devices, 120 s, every 10 s. pantau's values are counted in
# PostgreSQL (it sends them to a real collector, whose own CPU is not
# counted); collectd's are the rows its csv plugin wrote. collectd reads each
# scalar with its own GET and walks each table column with GETNEXT, which is
# how its snmp plugin is configured for a gauge per OID; pantau batches
# scalars into GETs and walks tables with GETBULK.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 1800

devices=${1:-100}
seconds=${2:-120}
interval=${3:-10}
AGENT=$COL_BUILD/agent/pantau-agent
[ -x "$AGENT" ] || fail "$AGENT not built"
command -v snmpsimd >/dev/null || fail "snmpsimd (package snmpsim) is not installed"
if ! command -v collectd >/dev/null; then
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends collectd-core \
		>"$COL_TMP/apt.log" 2>&1 || fail "cannot install collectd-core"
fi
COLLECTD=$(command -v collectd)

# One data file per device: the same recording under another community.
data=$COL_TMP/snmp-data
mkdir -p "$data" "$COL_TMP/snmp-cache"
for i in $(seq -f '%04g' "$devices"); do
	cp "$root/tests/fixtures/snmp/ups-rfc1628.snmprec" "$data/ups-$i.snmprec"
done
chmod -R a+rwX "$data" "$COL_TMP/snmp-cache"
snmp_port=$(col_free_port)
snmpsimd --data-dir="$data" --agent-udpv4-endpoint=127.0.0.1:"$snmp_port" \
	--process-user=nobody --process-group=nogroup --cache-dir="$COL_TMP/snmp-cache" \
	>"$COL_TMP/snmpsimd.log" 2>&1 &
COL_PIDS+=($!)
for _ in $(seq 600); do
	snmpget -v2c -c "ups-$(printf '%04d' "$devices")" -t 1 -r 0 127.0.0.1:"$snmp_port" \
		1.3.6.1.2.1.1.2.0 >/dev/null 2>&1 && break
	sleep 0.5
done

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
sed -i 's/log_level: info/log_level: warn/' "$COL_TMP/c.yaml"
"$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >"$COL_TMP/migrate.log" 2>&1 || fail "migrate"
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"

{
	cat <<YAML
agent:
  id: bench-snmp
  site: bench
  interval: ${interval}s
  profile_dir: $root/agent/profiles
  log_level: warn
spool: { dir: $COL_TMP/spool }
collector:
  address: 127.0.0.1:$COL_PORT
  plaintext: true
devices:
YAML
	for i in $(seq -f '%04g' "$devices"); do
		echo "  - { name: ups-$i, kind: ups, profiles: [system, ups-mib],"
		echo "      snmp: { address: 127.0.0.1:$snmp_port, community: ups-$i, timeout: 2s } }"
	done
} >"$COL_TMP/agent.yaml"

# The OIDs pantau reads from one device decide collectd's configuration.
"$AGENT" --config "$COL_TMP/agent.yaml" --once --log-level error >"$COL_TMP/once.json" 2>/dev/null
/usr/bin/python3 - "$COL_TMP/once.json" "$COL_TMP/collectd.conf" "$COL_TMP/csv" \
	"$snmp_port" "$devices" "$interval" <<'PY' || fail "cannot write collectd.conf"
import json, sys
once, out, csvdir, port, devices, interval = sys.argv[1:]
bulk = out.replace(".conf", "-bulk.conf")
oids = sorted({json.loads(l)["labels"]["oid"] for l in open(once)
               if '"metric"' in l and json.loads(l)["device"] == "ups-0001"})
scalars = [o for o in oids if o.endswith(".0")]
columns = sorted({o.rsplit(".", 1)[0] for o in oids if not o.endswith(".0")})
def write(path, csv, extra):
    w = open(path, "w")
    w.write(f'Interval {interval}\nReadThreads 5\nFQDNLookup false\nHostname "bench"\n'
            'LoadPlugin snmp\nLoadPlugin csv\n'
            f'<Plugin csv>\n  DataDir "{csv}"\n  StoreRates false\n</Plugin>\n<Plugin snmp>\n')
    names = []
    for k, o in enumerate(scalars):
        names.append(f"s{k}")
        w.write(f'  <Data "s{k}">\n    Type "gauge"\n    Table false\n    Instance "s{k}"\n'
                f'    Values "{o}"\n  </Data>\n')
    for k, c in enumerate(columns):
        names.append(f"t{k}")
        w.write(f'  <Data "t{k}">\n    Type "gauge"\n    Table true\n    InstancePrefix "t{k}-"\n'
                f'    Values "{c}"\n  </Data>\n')
    coll = " ".join(f'"{n}"' for n in names)
    for i in range(1, int(devices) + 1):
        w.write(f'  <Host "ups-{i:04d}">\n    Address "127.0.0.1:{port}"\n    Version 2\n'
                f'    Community "ups-{i:04d}"\n    Collect {coll}\n    Interval {interval}\n'
                f'    Timeout 2\n    Retries 1\n{extra}  </Host>\n')
    w.write("</Plugin>\n")
write(out, csvdir, "")
# collectd's fastest setting (the architecture's "numbers to beat"): scalars
# of a host in GETBULK requests of 25 varbinds.
write(bulk, csvdir + "-bulk", "    BulkSize 25\n")
print(f"per device: {len(oids)} values ({len(scalars)} scalars, {len(columns)} table columns)")
PY

# cpu_s PID: user + system CPU seconds of a process (all its threads).
cpu_s() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}
rss_mb() {
	awk '/VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# Startup (profiles, net-snmp's init, first connections) is a one-off cost;
# the steady-state figures count only the CPU and the values between the end
# of a warm-up of two intervals and the end of the run.
warm=$((2 * interval))
echo "devices=$devices seconds=$seconds interval=${interval}s warm-up=${warm}s"
now_s() { date +%s.%N; }

"$AGENT" --config "$COL_TMP/agent.yaml" >"$COL_TMP/agent.log" 2>&1 &
agent=$!
COL_PIDS+=("$agent")
sleep "$warm"
a_cpu0=$(cpu_s "$agent")
a_t0=$(now_s)
sleep "$seconds"
a_cpu=$(cpu_s "$agent")
a_t1=$(now_s)
a_rss=$(rss_mb "$agent")
kill -TERM "$agent"
wait "$agent" 2>/dev/null
sleep 2
a_values=$(psql -qAt -d "$(pg_tmp_dsn)" -c "SELECT count(*) FROM report.samples")
a_steady=$(psql -qAt -d "$(pg_tmp_dsn)" -c "SELECT count(*) FROM report.samples
	WHERE ts >= to_timestamp($a_t0) AND ts < to_timestamp($a_t1)")

# run_collectd CONF CSVDIR: sets c_cpu0 c_cpu c_rss c_values c_steady.
run_collectd() {
	mkdir -p "$2"
	"$COLLECTD" -f -C "$1" >"$COL_TMP/collectd.log" 2>&1 &
	local pid=$!
	COL_PIDS+=("$pid")
	sleep "$warm"
	c_cpu0=$(cpu_s "$pid")
	local t0 t1
	t0=$(now_s)
	sleep "$seconds"
	c_cpu=$(cpu_s "$pid")
	t1=$(now_s)
	c_rss=$(rss_mb "$pid")
	kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	c_values=$(find "$2" -type f -exec cat {} + | grep -vc '^epoch')
	c_steady=$(find "$2" -type f -exec cat {} + | grep -v '^epoch' |
		awk -F, -v a="$t0" -v b="$t1" '$1 >= a && $1 < b' | wc -l)
	c_errors=$(grep -ci 'error\|timeout' "$COL_TMP/collectd.log")
}

per_k() { awk -v c="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.4f", c / n * 1000; else print "n/a" }'; }
sub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a - b }'; }
row() {
	printf '%-15s %10s %10s %16s %14s %16s %12s\n' "$1" "$2" "$3" "$(per_k "$3" "$2")" "$5" \
		"$(per_k "$(sub "$3" "$4")" "$5")" "$6"
}
printf '%-15s %10s %10s %16s %14s %16s %12s\n' tool values cpu_s cpu_s_per_1000 \
	steady_values steady_per_1000 peak_rss_mb
row pantau "$a_values" "$a_cpu" "$a_cpu0" "$a_steady" "$a_rss"
grep -c 'ERROR\|WARN' "$COL_TMP/agent.log" | sed 's/^/  agent warnings+errors: /'
run_collectd "$COL_TMP/collectd.conf" "$COL_TMP/csv"
row collectd "$c_values" "$c_cpu" "$c_cpu0" "$c_steady" "$c_rss"
echo "  collectd errors+timeouts: $c_errors"
run_collectd "$COL_TMP/collectd-bulk.conf" "$COL_TMP/csv-bulk"
row collectd-bulk25 "$c_values" "$c_cpu" "$c_cpu0" "$c_steady" "$c_rss"
echo "  collectd errors+timeouts: $c_errors"
