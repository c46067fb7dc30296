#!/usr/bin/env bash
# Backup software reports runs to the collector's API (issue 7): POST
# /api/v1/backups/runs with a token of role backup (or operator) stores one
# row per run in pantau.backup_runs, readable in report.backup_runs with the
# token's name as source. Bad reports are refused with 400 and store
# nothing; a viewer token may not report (403), no token is 401.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"
source "$PANTAU_ROOT/tests/lib/api.sh"
api_init
api_token bk bareos-dir backup
api_token view grafana viewer
api_collector_config
api_collector_start

q() { psql -Atc "$1"; }
post() { # post TOKEN BODY: prints the status
	curl -s -o "$WORK/body" -w '%{http_code}' -H "Authorization: Bearer $1" \
		-H 'Content-Type: application/json' --data-binary "$2" \
		"http://127.0.0.1:$http_port/api/v1/backups/runs"
}
expect() { # expect WHAT WANT GOT
	[ "$3" = "$2" ] || fail "$1: want $2, got $3 ($(cat "$WORK/body"))"
	echo "ok - $1 ($2)"
}

expect "a good run" 201 "$(post "$bk" '{"job":"simpeg-db","started_at":"2026-03-01T01:00:00+07:00","finished_at":"2026-03-01T01:42:10+07:00","status":"ok","size_bytes":73400320,"message":"full","restore_test":true}')"
grep -q '"id"' "$WORK/body" || fail "no id in the answer: $(cat "$WORK/body")"
expect "a failed run, fewer fields" 201 "$(post "$bk" '{"job":"simpeg-db","finished_at":"2026-03-02T01:05:00+07:00","status":"failed","message":"tape full"}')"
expect "no status" 400 "$(post "$bk" '{"job":"simpeg-db","finished_at":"2026-03-02T01:05:00Z"}')"
expect "status not ok|failed" 400 "$(post "$bk" '{"job":"j","finished_at":"2026-03-02T01:05:00Z","status":"maybe"}')"
expect "no finished_at" 400 "$(post "$bk" '{"job":"j","status":"ok"}')"
expect "finished_at not a time" 400 "$(post "$bk" '{"job":"j","finished_at":"soon","status":"ok"}')"
expect "negative size" 400 "$(post "$bk" '{"job":"j","finished_at":"2026-03-02T01:05:00Z","status":"ok","size_bytes":-1}')"
expect "fractional size" 400 "$(post "$bk" '{"job":"j","finished_at":"2026-03-02T01:05:00Z","status":"ok","size_bytes":1.5}')"
expect "started after finished" 400 "$(post "$bk" '{"job":"j","started_at":"2026-03-03T00:00:00Z","finished_at":"2026-03-02T01:05:00Z","status":"ok"}')"
expect "restore_test not a bool" 400 "$(post "$bk" '{"job":"j","finished_at":"2026-03-02T01:05:00Z","status":"ok","restore_test":"yes"}')"
expect "empty job" 400 "$(post "$bk" '{"job":"","finished_at":"2026-03-02T01:05:00Z","status":"ok"}')"
expect "viewer may not report" 403 "$(post "$view" '{"job":"j","finished_at":"2026-03-02T01:05:00Z","status":"ok"}')"
expect "no token" 401 "$(post "" '{"job":"j","finished_at":"2026-03-02T01:05:00Z","status":"ok"}')"

[ "$(q "select count(*) from pantau.backup_runs")" = 2 ] || fail "refused reports were stored"
echo "ok - only the two good runs are stored"
got=$(q "select job, source, status, size_bytes, restore_test, duration, message
         from report.backup_runs order by finished_at" | tr '\n' ';')
want="simpeg-db|bareos-dir|ok|73400320|t|00:42:10|full;simpeg-db|bareos-dir|failed||f||tape full;"
[ "$got" = "$want" ] || fail "report.backup_runs: got '$got', want '$want'"
echo "ok - report.backup_runs holds both runs with the token's name as source"
grep -qF "${bk:7:16}" "$WORK/collector.log" && fail "the token is in the log"
echo "ok - the token is not in the log"
echo "PASS"
