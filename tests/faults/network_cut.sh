#!/usr/bin/env bash
# (d) The network between agent and collector is cut and healed, and made
# slow and lossy, while the agent polls 3 devices every 100 ms. The agent
# and the counting responder run in their own network namespace, joined to
# the collector's by a veth pair, so the agent dials 10.x.y.1 (not loopback)
# and speaks mutual TLS 1.3 with certificates made by pantauctl.
#
# Faults, in order: three short cuts (link down, 2-5 s); a long cut (12 s)
# during which nothing may reach PostgreSQL and the agent's spool must hold
# the backlog; a lossy, delayed link (tc netem delay 200ms loss 20% when the
# kernel has sch_netem, otherwise a 16 kbit/s tbf link with a 2 KB queue:
# queueing delay up to ~1 s and tail drops); the collector's end of the
# connection destroyed twice (ss -K: the agent must reconnect and replay);
# a cut while the link is lossy. Afterwards, by the responder's own log:
# stored == polled - evicted, every served poll stored, none twice.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
for t in ip tc ss; do command -v "$t" >/dev/null || skip "$t (iproute2) not installed"; done
NS=pantau-cut-$$
VH=pcut$$h
VA=pcut$$a
ip netns add "$NS" 2>/dev/null || skip "cannot create a network namespace"
FAULT_CLEANUPS+=("ip netns del '$NS'" "ip link del '$VH' 2>/dev/null")
ip link add "$VH" type veth peer name "$VA" 2>/dev/null || skip "cannot create a veth pair"
net=
for _ in $(seq 20); do
	n=10.231.$((RANDOM % 250 + 1))
	ip -4 addr | grep -q "inet $n\." || { net=$n; break; }
done
[ -n "$net" ] || fail "no free 10.231.x.0/30 subnet"
HOST_IP=$net.1
AGENT_IP=$net.2
ip link set "$VA" netns "$NS"
ip addr add "$HOST_IP/30" dev "$VH"
ip link set "$VH" up
ip netns exec "$NS" ip link set lo up
ip netns exec "$NS" ip addr add "$AGENT_IP/30" dev "$VA"
ip netns exec "$NS" ip link set "$VA" up

NETEM=0
if tc qdisc add dev "$VH" root netem delay 1ms 2>/dev/null; then
	NETEM=1
	tc qdisc del dev "$VH" root
	echo "impairment: tc netem delay 200ms loss 20%"
else
	echo "impairment: sch_netem is not in this kernel; a 16 kbit/s tbf link with a 2 KB queue (delay and tail drops) instead"
fi
tc_both() { # ACTION [QDISC ARGS...]: tc qdisc ACTION on the host end and the agent end
	local action=$1
	shift
	tc qdisc "$action" dev "$VH" root "$@"
	ip netns exec "$NS" tc qdisc "$action" dev "$VA" root "$@"
}
impair() {
	if [ "$NETEM" = 1 ]; then
		tc_both replace netem delay 200ms loss 20%
	else
		tc_both replace tbf rate 16kbit burst 1600 limit 2000
	fi
}
unimpair() {
	tc -s qdisc show dev "$VH" | sed -n 's/^ *Sent \(.*\)/  collector end: sent \1/p'
	ip netns exec "$NS" tc -s qdisc show dev "$VA" | sed -n 's/^ *Sent \(.*\)/  agent end: sent \1/p'
	tc_both del 2>/dev/null || true
}
link_cut() { ip link set "$VH" down; }
link_heal() { ip link set "$VH" up; }
stored() { psql -qAt -c "select count(*) from pantau.samples"; }

FAULT_COLLECTOR_HOST=$HOST_IP
AGENT_EXEC=(ip netns exec "$NS")
fault_pki "$HOST_IP"
fault_init
fault_collector_start
grep -q "listening for agents on $HOST_IP:$AGENT_PORT (mutual TLS 1.3)" "$WORK/collector.log" \
	|| fail "the collector does not listen with TLS on $HOST_IP"
fault_agent_config 3 4
fault_agent_start
wait_until 30 bash -c "[ \"\$(psql -qAt -c 'select count(*) from pantau.samples')\" -gt 0 ]" \
	|| fail "nothing stored over the veth link"
grep -q "agent fault-agent (site faults.*connected from $AGENT_IP" "$WORK/collector.log" \
	|| fail "the agent did not connect from $AGENT_IP"
echo "streaming over TLS from $AGENT_IP to $HOST_IP:$AGENT_PORT"

for round in 1 2 3; do
	link_cut
	sleep "$((RANDOM % 4 + 2)).$((RANDOM % 10))"
	link_heal
	echo "round $round: short cut healed ($(stored) samples stored)"
	sleep 2
done

link_cut
sleep 2
before=$(stored)
sleep 10
after=$(stored)
pending=$(agent_metric pantau_agent_spool_pending_samples)
link_heal
echo "long cut: stored $before -> $after during the cut; $pending samples pending in the spool"
[ "$before" = "$after" ] || fail "samples reached PostgreSQL through a cut link ($before -> $after)"
[ "$pending" -gt 0 ] || fail "the spool held nothing while the link was down"
wait_until 120 bash -c "[ \"\$(psql -qAt -c 'select count(*) from pantau.samples')\" -gt $after ]" \
	|| fail "nothing stored within 120 s after the long cut healed"

impair
sleep 8
echo "lossy link for 8 s ($(stored) samples stored)"
unimpair
sleep 2

connects0=$(agent_metric pantau_agent_collector_connects_total)
for round in 1 2; do
	ss -K state established dst "$AGENT_IP" >/dev/null 2>&1 || fail "ss -K failed"
	echo "drop $round: the collector's end of the connection destroyed"
	sleep 3
done
wait_until 60 bash -c "[ \"\$(ip netns exec $NS curl -fsS http://127.0.0.1:$METRICS_PORT/metrics \
	| awk '\$1 == \"pantau_agent_collector_connects_total\" {print \$2}')\" -gt $connects0 ]" \
	|| fail "the agent did not reconnect after its connection was destroyed"

impair
sleep 2
link_cut
sleep 3
link_heal
sleep 3
echo "cut while lossy, healed ($(stored) samples stored)"
unimpair

fault_drain
fault_check_totals
[ "$EVICTED" = 0 ] || fail "$EVICTED samples evicted (the spool is far from full)"
fault_check 0 0
echo "agent connected $(final_metric pantau_agent_collector_connects_total) times"
grep -q "AddressSanitizer\|runtime error" "$WORK"/*.log* && fail "sanitizer report"
echo "PASS network_cut"
