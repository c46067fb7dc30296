#!/usr/bin/env bash
# Interface rates and network inventory end to end: a real net-snmp snmpd
# whose IF-MIB counters come from a `pass_persist` program (tests/sim/
# snmp_if_counters.py) and grow between polls, plus snmpsimd serving the
# network fixtures -> pantau-agent (interval 1 s) -> pantau-collector -> a
# temporary PostgreSQL with every migration. snmpd is restarted mid-test: its
# sysUpTime goes back to 0 and the counters restart. The stored rows must show
#   * a rate at every poll but the first and the one after the restart, equal
#     (to 1%) to the increase of the stored counters over the stored
#     timestamps: 64-bit ifHCInOctets (10 Gbit/s) and 32-bit ifInOctets;
#   * the 32-bit counter wrapping (it starts 2.5 MB below 2^32) with the
#     small true rate (~8 Mbit/s), never a spike;
#   * no rate across the restart, although the 32-bit counter then went up
#     by ~4.29e9 (a wrap-reading would claim ~34 Gbit/s);
# and migration 002's views report.interfaces, report.entities,
# report.neighbours and report.ssids must give the records the agent read,
# compared with the fixtures' hand-written expectations; a device without
# a system group gets no (empty) system row.
set -u
. "$(dirname "$0")/../lib/proc.sh"
. "$PANTAU_ROOT/tests/lib/pg.sh"
command -v snmpd >/dev/null || skip "snmpd is not installed"
command -v snmpsimd >/dev/null || skip "snmpsimd (package snmpsim) is not installed"
command -v snmpget >/dev/null || skip "snmpget (package snmp) is not installed"
agent=$PANTAU_BUILD/agent/pantau-agent
collector=$PANTAU_BUILD/collector/pantau-collector
for b in "$agent" "$collector"; do [ -x "$b" ] || fail "missing $b: build first"; done
pg_find_bindir >/dev/null || skip "PostgreSQL binaries not found"

pg_tmp_start "$WORK/pg" >"$WORK/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
snmpd_port=$(free_udp_port)
sim_port=$(free_udp_port)
agent_port=$(free_port)
http_port=$(free_port)
NET=$PANTAU_ROOT/tests/fixtures/snmp/network

# --- snmpd: the system group plus the pass program's two interfaces.
mkdir -p "$WORK/snmpd-state"
chmod 755 "$WORK/snmpd-state"
cat >"$WORK/snmpd.conf" <<CONF
sysDescr     pantau rate fixture
sysName      rate-router
view         rates included .1.3.6.1.2.1.1
view         rates included .1.3.6.1.2.1.2.2
view         rates included .1.3.6.1.2.1.31.1.1
rocommunity  public 127.0.0.1 -V rates
pass_persist .1.3.6.1.2.1.2.2 /usr/bin/python3 $PANTAU_ROOT/tests/sim/snmp_if_counters.py
pass_persist .1.3.6.1.2.1.31.1.1 /usr/bin/python3 $PANTAU_ROOT/tests/sim/snmp_if_counters.py
master       no
CONF
start_snmpd() {
	/usr/bin/python3 -c 'import time; print(repr(time.time()))' >"$WORK/epoch"
	chmod 644 "$WORK/epoch"
	# The built-in interface modules are off: the pass program owns ifTable.
	proc_start snmpd env MIBS= PANTAU_IF_EPOCH="$WORK/epoch" SNMP_PERSISTENT_DIR="$WORK/snmpd-state" \
		snmpd -f -Lo -C -c "$WORK/snmpd.conf" -I -ifTable,-ifXTable,-interfaces udp:127.0.0.1:"$snmpd_port"
	wait_until 30 snmpget -v2c -c public -t 1 -r 0 127.0.0.1:"$snmpd_port" 1.3.6.1.2.1.2.2.1.10.1 \
		|| fail "snmpd (with the pass program) did not answer on port $snmpd_port"
}
start_snmpd

# --- snmpsimd: the network fixtures, and a device without a system group.
mkdir -p "$WORK/fix"
cp "$NET"/*.snmprec "$WORK/fix/"
grep '^1\.3\.6\.1\.2\.1\.47\.' "$NET/entity-mib.snmprec" >"$WORK/fix/nosystem.snmprec"
snmpsim_start "$WORK/fix" "$sim_port" entity-mib

cat >"$WORK/collector.yaml" <<YAML
collector:
  listen: 127.0.0.1:$agent_port
  plaintext: true
  http: 127.0.0.1:$http_port
  state_dir: $WORK/state
database:
  dsn: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
YAML
# The router has retries: 0 so that a poll started while snmpd is down fails
# at once rather than being answered after a retransmission (its values
# would carry the time of that late answer, and count all the same).
sim() { echo "{ address: 127.0.0.1:$sim_port, community: $1, timeout: 2s, retries: 2 }"; }
cat >"$WORK/agent.yaml" <<YAML
agent: { id: it-net-rates, site: test-site, interval: 1s, profile_dir: $PANTAU_ROOT/agent/profiles }
spool: { dir: $WORK/spool }
collector: { address: 127.0.0.1:$agent_port, plaintext: true, batch_max_delay: 200ms }
devices:
  - { name: router, kind: router, snmp: { address: 127.0.0.1:$snmpd_port, timeout: 1s, retries: 0 } }
  - { name: ent, kind: switch, snmp: $(sim entity-mib) }
  - { name: lldp, kind: switch, snmp: $(sim lldp-mib) }
  - { name: jun, kind: switch, snmp: $(sim juniper) }
  - { name: ap-unifi, kind: ap, snmp: $(sim unifi) }
  - { name: ap-dot11, kind: ap, snmp: $(sim ieee802dot11) }
  - { name: nosys, kind: other, snmp: $(sim nosystem) }
YAML

"$collector" --config "$WORK/collector.yaml" --migrate >"$WORK/migrate.log" 2>&1 || fail "collector --migrate failed"
[ "$(psql -qAt -c "select count(*) from pantau.schema_migrations where name = '002_inventory'")" = 1 ] \
	|| fail "migration 002_inventory was not applied"
proc_start collector "$collector" --config "$WORK/collector.yaml"
wait_until 30 curl -fsS "http://127.0.0.1:$http_port/health" || fail "collector /health did not answer"
"$agent" --config "$WORK/agent.yaml" --check >"$WORK/check.log" 2>&1 || fail "agent --check refused the config"
# Counters start now, so the 32-bit one wraps ~2.5 s into the first run too.
/usr/bin/python3 -c 'import time; print(repr(time.time()))' >"$WORK/epoch"
proc_start agent "$agent" --config "$WORK/agent.yaml"

polls() { # stored polls of the router's 32-bit counter (after epoch ms $1)
	psql -qAt -c "select count(*) from report.samples where device = 'router'
	  and metric = 'if.in.octets' and labels->>'oid' = '1.3.6.1.2.1.2.2.1.10.1'
	  and ts > to_timestamp($1 / 1000.0)"
}
now_ms() { /usr/bin/python3 -c 'import time; print(int(time.time() * 1000))'; }
enough() { [ "$(polls "$1")" -ge "$2" ]; }
wait_until 60 enough 0 6 || fail "fewer than 6 polls of the router stored ($(polls 0))"

# Restart snmpd: sysUpTime and the counters start again from 0 / their base.
proc_stop snmpd
sleep 1.5
start_snmpd
restarted=$(now_ms)
wait_until 60 enough "$restarted" 5 || fail "fewer than 5 polls after the restart ($(polls "$restarted"))"
proc_stop agent || fail "agent did not exit cleanly"

psql -qAt -c "select coalesce(json_agg(json_build_object('metric', metric, 'oid', labels->>'oid',
	  'ts', (extract(epoch from ts) * 1000)::bigint, 'value', value)), '[]')
	from report.samples where device = 'router'
	  and metric in ('snmp.uptime', 'if.in.octets', 'if.in.bits_rate', 'if.out.octets', 'if.out.bits_rate')" \
	>"$WORK/router.json" || fail "reading the router's samples"
/usr/bin/python3 - "$WORK/router.json" <<'PY' || fail "rates differ (samples in $WORK/router.json; KEEP_WORK=1 keeps it)"
import json, sys
rows = json.load(open(sys.argv[1]))
def series(metric, oid):
    return sorted((r["ts"], r["value"]) for r in rows if r["metric"] == metric and r["oid"] == oid)
import bisect
# Each value carries the time its answer came: sysUpTime (a scalar, read
# first) a little before the interface counters of the same poll.
ups = series("snmp.uptime", "1.3.6.1.2.1.1.3.0")
def uptime_of(t):
    i = bisect.bisect_right([u[0] for u in ups], t) - 1
    return ups[i][1] if i >= 0 and t - ups[i][0] < 900 else None
bad = 0
def complain(msg):
    global bad
    bad += 1
    print("  " + msg)
def check(counter, rate, oid, bits, lo, hi):
    cs, rs = series(counter, oid), dict(series(rate, oid))
    stats = {"ok": 0, "wrap": 0, "reboot": 0}
    if len(cs) < 10:
        complain("%s %s: only %d counter samples" % (counter, oid, len(cs)))
    if cs and cs[0][0] in rs:
        complain("%s %s: a rate at the first poll" % (rate, oid))
    for (t1, c1), (t2, c2) in zip(cs, cs[1:]):
        u1, u2 = uptime_of(t1), uptime_of(t2)
        if u1 is None or u2 is None:
            complain("%s %s: no sysUpTime stored with the poll at %d" % (counter, oid, t2))
            continue
        if u2 < u1:
            stats["reboot"] += 1
            if t2 in rs:
                complain("%s %s: rate %r across the restart (%r -> %r)" % (rate, oid, rs[t2], c1, c2))
            continue
        delta = c2 - c1
        if delta < 0 and bits == 32:
            delta += 2 ** 32
            stats["wrap"] += 1
        want = delta * 8 / ((t2 - t1) / 1000.0)
        got = rs.get(t2)
        if got is None:
            complain("%s %s: no rate at %d (%r -> %r)" % (rate, oid, t2, c1, c2))
        elif abs(got - want) > 0.01 * want:
            complain("%s %s at %d: %r, want %r from the counters" % (rate, oid, t2, got, want))
        elif not lo <= got <= hi:
            complain("%s %s at %d: %r bit/s is not the link's rate (%g..%g)" % (rate, oid, t2, got, lo, hi))
        else:
            stats["ok"] += 1
    for t in rs:
        if t not in dict(cs):
            complain("%s %s: a rate at %d without a counter" % (rate, oid, t))
    print("%-15s %-28s %2d rates checked, %d of them over a 32-bit wrap, %d restart(s) without a rate"
          % (rate, oid, stats["ok"], stats["wrap"], stats["reboot"]))
    return stats
# The ranges only tell the link's rate (8 Mbit/s, 10 Gbit/s, 1 Gbit/s) from a
# wrap or restart misread (2^32 octets in a second are 34 Gbit/s); the exact
# check is the 1% one against the stored counters.
s32 = check("if.in.octets", "if.in.bits_rate", "1.3.6.1.2.1.2.2.1.10.1", 32, 2e6, 32e6)
s64 = check("if.in.octets", "if.in.bits_rate", "1.3.6.1.2.1.31.1.1.1.6.2", 64, 2.5e9, 4e10)
check("if.out.octets", "if.out.bits_rate", "1.3.6.1.2.1.31.1.1.1.10.2", 64, 2.5e8, 4e9)
if s32["wrap"] < 1:
    complain("the 32-bit counter never wrapped between two stored polls")
if s32["reboot"] != 1 or s64["reboot"] != 1:
    complain("want exactly one restart between stored polls, saw %d / %d" % (s32["reboot"], s64["reboot"]))
sys.exit(1 if bad else 0)
PY

# --- Inventory through migration 002's views.
view() { # SQL -> JSON rows
	psql -qAt -c "select coalesce(json_agg(x), '[]') from ($1) x"
}
view "select device, if_index, name, descr, alias, type, speed_bps::text, mac, admin_status, oper_status, mtu
      from report.interfaces" >"$WORK/interfaces.json" || fail "report.interfaces"
view "select device, kind, entity_index, class, descr, name, model, serial, hardware_rev, firmware_rev,
      software_rev, contained_in from report.entities" >"$WORK/entities.json" || fail "report.entities"
view "select device, lldp_index, local_port, chassis_id, port_id, system_name, mgmt_address
      from report.neighbours" >"$WORK/neighbours.json" || fail "report.neighbours"
view "select device, item_id, ssid, radio, security from report.ssids" >"$WORK/ssids.json" || fail "report.ssids"
view "select device, kind, item_id, fields from report.inventory where device = 'nosys'" >"$WORK/nosys.json" \
	|| fail "report.inventory"
/usr/bin/python3 - "$WORK" "$NET" <<'PY' || fail "inventory views differ"
import json, sys
work, net = sys.argv[1:]
def load(n): return json.load(open("%s/%s.json" % (work, n)))
def want(fixture, typ):
    return {r["id"]: r["fields"] for r in json.load(open("%s/%s.expected.json" % (net, fixture)))["inventory"]
            if r["type"] == typ}
bad = 0
def same(what, got, exp):
    global bad
    if got != exp:
        bad += 1
        print("  %s:\n    got  %r\n    want %r" % (what, got, exp))
    else:
        print("ok - %s (%d rows)" % (what, len(got)))

ifs = {(r["device"], r["if_index"]): r for r in load("interfaces")}
same("report.interfaces of the router",
     {k[1]: (r["name"], r["descr"], r["type"], r["speed_bps"], r["admin_status"], r["oper_status"])
      for k, r in ifs.items() if k[0] == "router"},
     {"1": ("eth1", "eth1", "ethernetCsmacd", "1000000000", "up", "up"),
      "2": ("xe-0/0/2", "eth2", "ethernetCsmacd", "10000000000", "up", "up")})

ents = load("entities")
cols = ("class", "descr", "name", "model", "serial", "hardware_rev", "firmware_rev", "software_rev", "contained_in")
same("report.entities of the ENTITY-MIB switch",
     {r["entity_index"]: tuple(r[c] for c in cols) for r in ents if r["device"] == "ent"},
     {i: tuple(f.get(c) for c in cols) for i, f in want("entity-mib", "entity").items()})
same("report.entities of the Juniper (modules)",
     {r["entity_index"]: (r["descr"], r["model"], r["serial"], r["hardware_rev"])
      for r in ents if r["device"] == "jun" and r["kind"] == "module"},
     {i: (f.get("descr"), f.get("model"), f.get("serial"), f.get("hardware_rev"))
      for i, f in want("juniper", "module").items()})
same("report.entities of the device without a system group",
     sorted(r["entity_index"] for r in ents if r["device"] == "nosys"),
     sorted(want("entity-mib", "entity")))

ncols = ("local_port", "chassis_id", "port_id", "system_name", "mgmt_address")
same("report.neighbours",
     {(r["device"], r["lldp_index"]): tuple(r[c] for c in ncols) for r in load("neighbours")},
     {("lldp", i): tuple(f.get(c) for c in ncols) for i, f in want("lldp-mib", "neighbour").items()})

exp = {("ap-unifi", i): (f["ssid"], f["radio"], None) for i, f in want("unifi", "ssid").items()}
exp.update({("ap-dot11", i): (f["ssid"], None, f["security"]) for i, f in want("ieee802dot11", "ssid").items()})
same("report.ssids", {(r["device"], r["item_id"]): (r["ssid"], r["radio"], r["security"]) for r in load("ssids")}, exp)

same("report.inventory kinds of the device without a system group",
     sorted({r["kind"] for r in load("nosys")}), ["entity"])
sys.exit(1 if bad else 0)
PY
proc_stop collector || fail "collector did not exit cleanly"
grep -q "ERROR: AddressSanitizer\|runtime error" "$WORK"/agent.log "$WORK"/collector.log && fail "sanitizer report"
echo "ok"
