#!/usr/bin/env bash
# Backup checks against real files and real commands: newest file by mtime
# (set with touch -d), sizes, good, bad and missing sha256sum sidecars, an
# empty directory, and commands that pass, fail, hang and do not exist. Then
# end to end: the agent reports the same jobs through the collector into a
# temporary PostgreSQL, where report.samples holds each job's backup.status
# and report.devices its state.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"

agent=$PANTAU_BUILD/agent/pantau-agent
collector=$PANTAU_BUILD/collector/pantau-collector
for b in "$agent" "$collector"; do [ -x "$b" ] || fail "missing $b"; done

B=$WORK/backups
mkdir -p "$B"/{good,old,small,large,bad,empty,nosum}
mkfile() { # PATH SIZE WHEN
	head -c "$2" /dev/urandom >"$1"
	touch -d "$3" "$1"
}
sidecar() { # FILE [WRONG]
	(cd "$(dirname "$1")" && sha256sum "$(basename "$1")" >"$(basename "$1").sha256")
	if [ -n "${2:-}" ]; then # change the first hex digit to another one
		local c
		c=$(head -c1 "$1.sha256")
		if [ "$c" = 0 ]; then sed -i 's/^./1/' "$1.sha256"; else sed -i 's/^./0/' "$1.sha256"; fi
	fi
}
mkfile "$B/good/simpeg-1.dump" 3000000 "3 days ago"
sidecar "$B/good/simpeg-1.dump"
mkfile "$B/good/simpeg-2.dump" 2097152 "2 hours ago"
sidecar "$B/good/simpeg-2.dump"
mkfile "$B/good/notes.txt" 10 "1 minute ago" # newer, but not matching the pattern
mkfile "$B/old/db.tar" 5000 "30 hours ago"
mkfile "$B/small/db.tar" 10 "1 hour ago"
mkfile "$B/large/db.tar" 5000 "1 hour ago"
mkfile "$B/bad/db.tar" 5000 "1 hour ago"
sidecar "$B/bad/db.tar" wrong
mkfile "$B/nosum/db.tar" 5000 "1 hour ago"
grep -q "$(sha256sum "$B/bad/db.tar" | cut -c1-64)" "$B/bad/db.tar.sha256" && fail "the bad sidecar is not bad"

jobs_yaml() { # INTERVAL
	cat <<YAML
backups:
  - { name: job-good, path: "$B/good/simpeg-*.dump", rpo: 26h, min_size: 1MiB, max_size: 1GiB, checksum: sha256, interval: $1 }
  - { name: job-old, path: "$B/old/*.tar", max_age: 26h, interval: $1 }
  - { name: job-small, path: "$B/small/*.tar", min_size: 1KiB, interval: $1 }
  - { name: job-large, path: "$B/large/*.tar", max_size: 1KiB, interval: $1 }
  - { name: job-bad, path: "$B/bad/*.tar", checksum: sha256, interval: $1 }
  - { name: job-nosum, path: "$B/nosum/*.tar", checksum: sha256, interval: $1 }
  - { name: job-missing, path: "$B/empty/*.tar", rpo: 1d, interval: $1 }
  - { name: job-nodir, path: "$B/absent/*.tar", interval: $1 }
  - { name: cmd-ok, command: [/bin/sh, -c, "echo checking; echo 'repository ok'"], timeout: 900ms, interval: $1 }
  - { name: cmd-fail, command: [/bin/sh, -c, "echo 'error: lock held' >&2; exit 3"], timeout: 900ms, interval: $1 }
  - { name: cmd-hang, command: [/bin/sh, -c, "/bin/sleep 31.$$; echo never"], timeout: 300ms, interval: $1 }
  - { name: cmd-absent, command: [/nonexistent/backup-tool, --check], timeout: 900ms, interval: $1 }
YAML
}
{
	echo "agent: { id: backup-test, site: test-site }"
	jobs_yaml 1m
} >"$WORK/once.yaml"

"$agent" --config "$WORK/once.yaml" --check >"$WORK/check.log" 2>&1 || fail "--check refused the config"
rc=0
"$agent" --config "$WORK/once.yaml" --once >"$WORK/once.jsonl" 2>"$WORK/once.log" || rc=$?
[ "$rc" != 0 ] || fail "--once succeeded although jobs fail"

# sample DEVICE METRIC [state]: the value (or the state name) printed.
sample() {
	/usr/bin/python3 - "$WORK/once.jsonl" "$@" <<'PY'
import json, sys
f, dev, metric = sys.argv[1:4]
key = sys.argv[4] if len(sys.argv) > 4 else "value"
for line in open(f):
    r = json.loads(line)
    if r.get("device") == dev and r.get("metric") == metric:
        print(r.get(key))
        break
else:
    print("absent")
PY
}
inv() { # DEVICE FIELD
	/usr/bin/python3 - "$WORK/once.jsonl" "$@" <<'PY'
import json, sys
f, dev, field = sys.argv[1:4]
for line in open(f):
    r = json.loads(line)
    if r.get("device") == dev and r.get("inventory", {}).get("type") == "backup":
        print(r["inventory"]["fields"].get(field))
        break
else:
    print("absent")
PY
}
expect() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok - $1 = $3"
}
between() { # what value lo hi
	/usr/bin/python3 -c "import sys; v=float(sys.argv[1]); sys.exit(0 if float(sys.argv[2]) <= v <= float(sys.argv[3]) else 1)" "$2" "$3" "$4" \
		|| fail "$1: $2 not in [$3, $4]"
	echo "ok - $1 = $2"
}

declare -A want=([job-good]=ok [job-old]=too_old [job-small]=too_small [job-large]=too_large
	[job-bad]=checksum_mismatch [job-nosum]=unreadable [job-missing]=missing
	[job-nodir]=unreadable [cmd-ok]=ok [cmd-fail]=failed [cmd-hang]=timeout [cmd-absent]=failed)
declare -A code=([ok]=0 [too_old]=1 [too_small]=2 [too_large]=3 [checksum_mismatch]=4
	[missing]=5 [failed]=6 [timeout]=7 [unreadable]=8)
for job in "${!want[@]}"; do
	w=${want[$job]}
	expect "$job backup.status" "$(sample "$job" backup.status state)" "$w"
	expect "$job backup.status value" "$(sample "$job" backup.status)" "${code[$w]}"
	ok=0; [ "$w" = ok ] && ok=1
	expect "$job backup.ok" "$(sample "$job" backup.ok)" "$ok"
done

expect "good: newest matching file" "$(inv job-good file)" simpeg-2.dump
expect "good: checksum" "$(inv job-good checksum)" ok
expect "good: size" "$(sample job-good backup.size)" 2097152
between "good: age (s)" "$(sample job-good backup.age)" 7100 7400
expect "good: files" "$(sample job-good backup.files)" 2
between "old: age (s)" "$(sample job-old backup.age)" 107900 108300
expect "bad: checksum" "$(inv job-bad checksum)" mismatch
expect "missing: no age" "$(sample job-missing backup.age)" absent
expect "missing: files" "$(sample job-missing backup.files)" 0
expect "cmd-ok: exit" "$(sample cmd-ok backup.exit_status)" 0
expect "cmd-ok: last line" "$(inv cmd-ok output)" "repository ok"
expect "cmd-fail: exit" "$(sample cmd-fail backup.exit_status)" 3
expect "cmd-fail: last line (stderr)" "$(inv cmd-fail output)" "error: lock held"
expect "cmd-absent: no exit status" "$(sample cmd-absent backup.exit_status)" absent
grep -q "job-old: poll failed: too_old: db.tar is 10[0-9]* s old, rpo 93600 s" "$WORK/once.log" \
	|| fail "the too_old reason is not logged"
grep -q "cmd-absent: poll failed: failed: cannot run /nonexistent/backup-tool: no such file" "$WORK/once.log" \
	|| fail "the missing program is not named"
grep -q "cmd-hang: poll failed: timeout: killed after 300 ms" "$WORK/once.log" || fail "no timeout reason"
# The timeout kills the command's whole session, its child sleep included.
wait_until 5 bash -c "! pgrep -f '^/bin/sleep 31.$$\$'" || fail "the hanging command's child survived its timeout"
echo "ok - a timed-out command leaves nothing running"

# End to end through the collector into PostgreSQL.
pg_tmp_start "$WORK/pg"
agent_port=$(free_port)
http_port=$(free_port)
pg_collector_config "$WORK/collector.yaml" "$agent_port" "$http_port"
{
	echo "agent: { id: backup-test, site: test-site }"
	echo "spool: { dir: $WORK/spool }"
	echo "collector: { address: 127.0.0.1:$agent_port, plaintext: true, batch_max_delay: 200ms }"
	jobs_yaml 2s
} >"$WORK/agent.yaml"
"$collector" --config "$WORK/collector.yaml" --migrate >"$WORK/migrate.log" 2>&1 || fail "--migrate failed"
pg_collector_start "$collector" "$http_port"
proc_start agent "$agent" --config "$WORK/agent.yaml"

stored() {
	psql -Atc "select count(distinct device) from report.samples
	           where metric = 'backup.status' and device_kind = 'backup'" | grep -qx 12
}
wait_until 60 stored || fail "not every job's backup.status reached report.samples"
for job in "${!want[@]}"; do
	got=$(psql -Atc "select value from report.samples where device = '$job' and metric = 'backup.status'
	                 order by ts desc limit 1")
	expect "$job in PostgreSQL" "${got%.0}" "${code[${want[$job]}]}"
done
size=$(psql -Atc "select value from report.samples where device = 'job-good' and metric = 'backup.size' limit 1")
expect "job-good size in PostgreSQL" "${size%.0}" 2097152
states_ok() {
	[ "$(psql -Atc "select string_agg(device || '=' || state, ',' order by device) from report.devices
	                where device in ('job-good', 'job-old', 'cmd-ok', 'cmd-fail')")" = \
	  "cmd-fail=down,cmd-ok=up,job-good=up,job-old=down" ]
}
wait_until 30 states_ok || fail "report.devices: $(psql -Atc "select string_agg(device || '=' || state, ',') from report.devices")"
echo "ok - device states follow the jobs"

# A new backup arrives: job-old turns ok on its next check.
mkfile "$B/old/db-new.tar" 5000 "now"
fresh() {
	[ "$(psql -Atc "select value from report.samples where device = 'job-old' and metric = 'backup.status'
	                order by ts desc limit 1")" = 0 ]
}
wait_until 30 fresh || fail "job-old did not turn ok after a new backup"
echo "ok - a new backup clears too_old"

proc_stop agent || fail "agent did not exit cleanly"
proc_stop collector || fail "collector did not exit cleanly"
grep -q "ERROR: AddressSanitizer\|runtime error\|LeakSanitizer" "$WORK"/*.log && fail "sanitizer report"
echo "backup checks ok"
