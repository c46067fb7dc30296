#!/usr/bin/env bash
# (e) The collector's PostgreSQL is stopped and started again five times
# while the real agent streams 3 devices polled every 100 ms over mutual TLS
# (certificates by pantauctl) through its disk spool: pg_ctl stop -m fast,
# -m immediate (a crash: recovery from the WAL on start), and pg_ctl restart.
# While the database is down the collector must stop acknowledging (its
# batches_stored_total and the agent's acked counter stand still, /health
# answers 503, the agent's spool grows) and log the failure; once it is back
# the collector recovers by itself (same process, "works again" logged) and
# the backlog is stored. Afterwards, by the responder's own log: stored ==
# polled - evicted (nothing evicted), every served poll stored, none twice.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

fault_pki 127.0.0.1
fault_init
fault_collector_start
fault_agent_config 3 4
fault_agent_start
collector_pid=$(proc_pid collector)
wait_until 30 bash -c "[ \"\$(psql -qAt -c 'select count(*) from pantau.samples')\" -gt 0 ]" \
	|| fail "nothing stored before the first restart"

col_metric() {
	curl -fsS "http://127.0.0.1:$HTTP_PORT/metrics" \
		| awk -v n="pantau_collector_$1" '$1 == n {print $2; found=1} END {exit !found}'
}
health_code() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$HTTP_PORT/health"; }
health_is() { [ "$(health_code)" = "$1" ]; }
pg_stop() { pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP_DIR/data" -m "$1" -w -t 60 stop >/dev/null; }
acked() { agent_metric pantau_agent_samples_acked_total; }

# One outage with pg_ctl stop -m MODE, PostgreSQL down for a few seconds.
outage() {
	local mode=$1 round=$2 stored1 stored2 acked1 acked2 pend1 pend2
	pg_stop "$mode" || fail "pg_ctl stop -m $mode"
	wait_until 30 health_is 503 || fail "round $round: /health still $(health_code) with PostgreSQL down"
	stored1=$(col_metric batches_stored_total)
	acked1=$(acked)
	pend1=$(agent_metric pantau_agent_spool_pending_samples)
	sleep "3.$((RANDOM % 10))"
	stored2=$(col_metric batches_stored_total)
	acked2=$(acked)
	pend2=$(agent_metric pantau_agent_spool_pending_samples)
	echo "round $round (-m $mode): down: batches stored $stored1 -> $stored2, agent acked $acked1 -> $acked2, pending $pend1 -> $pend2"
	[ "$stored1" = "$stored2" ] || fail "the collector stored batches with PostgreSQL down"
	[ "$acked1" = "$acked2" ] || fail "the agent got acks with PostgreSQL down"
	[ "$pend2" -gt "$pend1" ] || fail "the agent's spool did not grow while PostgreSQL was down"
	pg_tmp_resume || fail "pg_ctl start"
	recovered "$round" "$acked2"
}

# The collector comes back by itself: /health 200 and new acks.
recovered() {
	wait_until 60 health_is 200 || fail "round $1: /health $(health_code) after PostgreSQL came back"
	wait_until 60 bash -c "[ \"\$(curl -fsS http://127.0.0.1:$METRICS_PORT/metrics \
		| awk '\$1 == \"pantau_agent_samples_acked_total\" {print \$2}')\" -gt $2 ]" \
		|| fail "round $1: no acks after PostgreSQL came back"
	kill -0 "$collector_pid" 2>/dev/null || fail "the collector died"
	[ "$(proc_pid collector)" = "$collector_pid" ] || fail "the collector was restarted"
}

outage fast 1
sleep 2
outage immediate 2
sleep 2
outage fast 3
sleep 1
outage immediate 4
sleep 1
# pg_ctl restart: a short outage the collector may or may not notice.
acked0=$(acked)
pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP_DIR/data" -l "$PG_TMP_DIR/server.log" -m fast -w -t 60 \
	restart >/dev/null || fail "pg_ctl restart"
recovered 5 "$acked0"
echo "round 5 (pg_ctl restart -m fast): recovered"

grep -q "failed, will retry" "$WORK/collector.log" || fail "the collector did not log the database failure"
grep -q "writing to PostgreSQL works again" "$WORK/collector.log" \
	|| fail "the collector did not log its recovery"
sleep 1
fault_drain
fault_check_totals
[ "$EVICTED" = 0 ] || fail "$EVICTED samples evicted"
dup=$(col_metric batches_duplicate_total)
echo "collector: $(col_metric batches_received_total) batches received, $(col_metric batches_stored_total) stored, $dup duplicates acknowledged again"
fault_check 0 0
kill -0 "$collector_pid" 2>/dev/null || fail "the collector died"
grep -q "AddressSanitizer\|runtime error" "$WORK"/*.log* && fail "sanitizer report"
echo "PASS pg_restart"
