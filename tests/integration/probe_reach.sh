#!/usr/bin/env bash
# Probes of real targets: ICMP echo and TCP connect from pantau-agent --once
# to loopback (IPv4 and IPv6) and to a network namespace behind a veth pair
# whose far end goes down and comes back. Checks up = 1 with RTT for targets
# that answer, up = 0 (a reading, not a missing sample) for those that do not,
# the --once exit status (non-zero while a target is down), both ICMP socket
# kinds (unprivileged datagram as an unprivileged user, raw as root), and a
# clear error and no sample when neither kind is allowed.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"

agent=$PANTAU_BUILD/agent/pantau-agent
[ -x "$agent" ] || fail "missing $agent"
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespace, sysctl)"
command -v ip >/dev/null || skip "needs iproute2"
ns=pantau-probe-$$
va=pp$$a
vb=pp$$b
old_range=$(sysctl -n net.ipv4.ping_group_range)
cleanup() {
	sysctl -qw net.ipv4.ping_group_range="$old_range" || true
	ip link del "$va" 2>/dev/null || true
	ip netns del "$ns" 2>/dev/null || true
	proc_cleanup
}
trap cleanup EXIT
ip netns add "$ns" || skip "cannot create a network namespace"
ip link add "$va" type veth peer name "$vb" || skip "cannot create a veth pair"
ip link set "$vb" netns "$ns"
ip addr add 10.213.7.1/30 dev "$va"
ip -6 addr add fd00:213:7::1/64 dev "$va" nodad
ip link set "$va" up
ip netns exec "$ns" ip addr add 10.213.7.2/30 dev "$vb"
# Keep the IPv6 address across "link down", as IPv4 keeps its own.
ip netns exec "$ns" sysctl -qw net.ipv6.conf."$vb".keep_addr_on_down=1
ip netns exec "$ns" ip -6 addr add fd00:213:7::2/64 dev "$vb" nodad
ip netns exec "$ns" ip link set "$vb" up
ip netns exec "$ns" ip link set lo up

# Services: an HTTP server in the namespace (v4 and v6), one on loopback.
web_port=$(free_port)
lo_port=$(free_port)
closed_port=$(free_port)
proc_start web_ns ip netns exec "$ns" /usr/bin/python3 -m http.server --bind :: "$web_port"
proc_start web_lo /usr/bin/python3 -m http.server --bind 127.0.0.1 "$lo_port"
# Dual stack (IPv6 socket taking IPv4 too): "localhost" may resolve either way.
dual_port=$(free_port)
proc_start web_dual /usr/bin/python3 -m http.server --bind :: "$dual_port"
wait_until 20 bash -c "echo > /dev/tcp/127.0.0.1/$lo_port" || fail "loopback web server did not start"
wait_until 20 ip netns exec "$ns" bash -c "echo > /dev/tcp/10.213.7.2/$web_port" \
	|| fail "namespace web server did not start"

cat >"$WORK/agent.yaml" <<YAML
agent: { id: probe-test, interval: 10s }
devices:
  - name: loopback
    kind: server
    probe:
      icmp: [ 127.0.0.1, "::1" ]
      tcp: [ "127.0.0.1:$lo_port", "[::1]:$closed_port" ]
      up: any
  - name: far
    kind: server
    probe:
      icmp: [ { address: 10.213.7.2, count: 3, interval: 100ms, timeout: 1s }, "fd00:213:7::2" ]
      tcp: [ "10.213.7.2:$web_port", "[fd00:213:7::2]:$web_port" ]
YAML
cat >"$WORK/names.yaml" <<YAML
agent: { id: probe-test, interval: 10s }
devices:
  - name: named
    kind: server
    probe:
      icmp: localhost
      tcp: [ "localhost:$dual_port", "no-such-host.invalid:80" ]
YAML
cat >"$WORK/closed.yaml" <<YAML
agent: { id: probe-test, interval: 10s }
devices:
  - name: closed
    kind: server
    probe: { tcp: [ "10.213.7.2:$web_port", { address: "10.213.7.2:$closed_port", timeout: 1s } ] }
YAML
"$agent" --config "$WORK/agent.yaml" --check >"$WORK/check.log" 2>&1 || fail "--check refused the config"

# value FILE DEVICE METRIC ADDRESS [PORT]: the value printed for one series.
value() {
	/usr/bin/python3 - "$@" <<'PY'
import json, sys
f, dev, metric, addr = sys.argv[1:5]
port = sys.argv[5] if len(sys.argv) > 5 else None
for line in open(f):
    r = json.loads(line)
    l = r.get("labels", {})
    if r.get("device") == dev and r.get("metric") == metric and l.get("address") == addr \
            and (port is None or l.get("port") == port):
        print(r["value"])
        break
else:
    print("absent")
PY
}
expect() { # what got want
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok - $1 = $3"
}
positive() { # what value
	/usr/bin/python3 -c "import sys; v=float(sys.argv[1]); sys.exit(0 if 0 < v < 5 else 1)" "$2" \
		|| fail "$1: '$2' is not a round trip in seconds"
	echo "ok - $1 = $2 s"
}

run_once() { # NAME [setpriv args...]: --once into $WORK/NAME.jsonl; echo its exit status
	local name=$1 rc=0
	shift
	"$@" "$agent" --config "${CONFIG:-$WORK/agent.yaml}" --log-level info --once >"$WORK/$name.jsonl" 2>"$WORK/$name.log" || rc=$?
	echo "$rc"
}

# 1. As root with unprivileged ICMP disallowed: raw sockets.
sysctl -qw net.ipv4.ping_group_range="1 0"
rc=$(run_once up_raw)
o=$WORK/up_raw.jsonl
expect "--once exit status with every target up" "$rc" 0
grep -q "through a raw socket" "$WORK/up_raw.log" || fail "root did not fall back to a raw socket"
for a in 127.0.0.1 ::1; do
	expect "loopback icmp $a up" "$(value "$o" loopback probe.icmp.up "$a")" 1
	expect "loopback icmp $a loss" "$(value "$o" loopback probe.icmp.loss "$a")" 0
	positive "loopback icmp $a rtt" "$(value "$o" loopback probe.icmp.rtt "$a")"
done
expect "loopback tcp up" "$(value "$o" loopback probe.tcp.up 127.0.0.1 "$lo_port")" 1
positive "loopback tcp connect time" "$(value "$o" loopback probe.tcp.connect_time 127.0.0.1 "$lo_port")"
expect "closed port: up 0" "$(value "$o" loopback probe.tcp.up ::1 "$closed_port")" 0
expect "closed port: no connect time" "$(value "$o" loopback probe.tcp.connect_time ::1 "$closed_port")" absent
for a in 10.213.7.2 fd00:213:7::2; do
	expect "far icmp $a up" "$(value "$o" far probe.icmp.up "$a")" 1
	positive "far icmp $a rtt max" "$(value "$o" far probe.icmp.rtt_max "$a")"
	expect "far tcp $a up" "$(value "$o" far probe.tcp.up "$a" "$web_port")" 1
done
grep -q '"metric":"probe.icmp.up","value":1,"unit":"","state":"up"' "$o" || fail "no state name 'up'"

# A device with a closed port is down (up: all), and its reason says which.
rc=$(CONFIG=$WORK/closed.yaml run_once closed)
[ "$rc" != 0 ] || fail "--once succeeded with a closed port"
expect "closed: open port up" "$(value "$WORK/closed.jsonl" closed probe.tcp.up 10.213.7.2 "$web_port")" 1
expect "closed: closed port up" "$(value "$WORK/closed.jsonl" closed probe.tcp.up 10.213.7.2 "$closed_port")" 0
grep -q "closed: poll failed: tcp 10.213.7.2:$closed_port: connection refused" "$WORK/closed.log" \
	|| fail "the poll reason does not name the closed port"

# Names are looked up at each poll; labels carry the name. One that does not
# resolve is a target that is down, and the reason says so.
wait_until 20 bash -c "echo > /dev/tcp/127.0.0.1/$dual_port" || fail "dual-stack web server did not start"
"$agent" --config "$WORK/names.yaml" --check >"$WORK/check-names.log" 2>&1 || fail "--check refused names"
rc=$(CONFIG=$WORK/names.yaml run_once names)
[ "$rc" != 0 ] || fail "--once succeeded with a name that does not resolve"
o=$WORK/names.jsonl
expect "icmp localhost up" "$(value "$o" named probe.icmp.up localhost)" 1
expect "tcp localhost up" "$(value "$o" named probe.tcp.up localhost "$dual_port")" 1
positive "tcp localhost connect time" "$(value "$o" named probe.tcp.connect_time localhost "$dual_port")"
expect "unknown name: up 0" "$(value "$o" named probe.tcp.up no-such-host.invalid 80)" 0
grep -q "named: poll failed: tcp no-such-host.invalid:80: cannot resolve the name" "$WORK/names.log" \
	|| fail "the poll reason does not say the name did not resolve: $(grep named "$WORK/names.log")"
echo "ok - names resolved at each poll; an unknown name is down, with its reason"

# 2. An unprivileged user with ping_group_range allowing it: datagram sockets.
nobody_gid=$(id -g nobody)
sysctl -qw net.ipv4.ping_group_range="$nobody_gid $nobody_gid"
rc=$(run_once up_dgram setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups --inh-caps=-all)
grep -q "through an unprivileged ICMP socket" "$WORK/up_dgram.log" || fail "nobody did not use an ICMP datagram socket"
grep -q "raw socket" "$WORK/up_dgram.log" && fail "nobody got a raw socket"
for a in 127.0.0.1 ::1 10.213.7.2 fd00:213:7::2; do
	dev=loopback; [[ $a == 127.* || $a == ::1 ]] || dev=far
	expect "unprivileged icmp $a up" "$(value "$WORK/up_dgram.jsonl" $dev probe.icmp.up "$a")" 1
done

# 3. Neither allowed: a clear reason and no ICMP sample (unknown, not down).
sysctl -qw net.ipv4.ping_group_range="1 0"
rc=$(run_once denied setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups --inh-caps=-all)
[ "$rc" != 0 ] || fail "--once succeeded without any ICMP socket"
expect "no socket: no icmp sample" "$(value "$WORK/denied.jsonl" loopback probe.icmp.up 127.0.0.1)" absent
expect "no socket: tcp still probed" "$(value "$WORK/denied.jsonl" loopback probe.tcp.up 127.0.0.1 "$lo_port")" 1
grep -q "cannot open an ICMP socket: Operation not permitted (allow the agent's group in net.ipv4.ping_group_range or grant CAP_NET_RAW)" "$WORK/denied.log" || fail "no reason for the missing ICMP socket"

# 4. The far end goes down: every far target reads up = 0, and --once fails.
sysctl -qw net.ipv4.ping_group_range="0 2147483647"
ip netns exec "$ns" ip link set "$vb" down
rc=$(run_once down)
o=$WORK/down.jsonl
[ "$rc" != 0 ] || fail "--once succeeded while the far end was down"
for a in 10.213.7.2 fd00:213:7::2; do
	expect "far icmp $a down" "$(value "$o" far probe.icmp.up "$a")" 0
	expect "far icmp $a loss" "$(value "$o" far probe.icmp.loss "$a")" 100
	expect "far icmp $a no rtt" "$(value "$o" far probe.icmp.rtt "$a")" absent
	expect "far tcp $a down" "$(value "$o" far probe.tcp.up "$a" "$web_port")" 0
done
grep -q '"metric":"probe.icmp.up","value":0,"unit":"","state":"down"' "$o" || fail "no state name 'down'"
expect "loopback unaffected" "$(value "$o" loopback probe.icmp.up 127.0.0.1)" 1
grep -q "far: poll failed: .*icmp 10.213.7.2: no reply to 3 echo requests" "$WORK/down.log" \
	|| fail "the poll reason does not say the far ICMP target did not answer"

# 5. And comes back.
ip netns exec "$ns" ip link set "$vb" up
back() {
	run_once back >/dev/null
	[ "$(value "$WORK/back.jsonl" far probe.icmp.up 10.213.7.2)" = 1 ] &&
		[ "$(value "$WORK/back.jsonl" far probe.tcp.up fd00:213:7::2 "$web_port")" = 1 ]
}
wait_until 30 back || fail "the far targets did not come back"
echo "ok - far targets up again"

grep -q "ERROR: AddressSanitizer\|runtime error\|LeakSanitizer" "$WORK"/*.log && fail "sanitizer report"
echo "probe reachability ok"
