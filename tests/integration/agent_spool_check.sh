#!/usr/bin/env bash
# The spool's configuration: --check accepts the spool section, refuses a
# bad fsync value with [file:line], and says clearly when spool.dir is not
# writable for the agent's user; a second agent on the same spool.dir is
# refused at start (the directory is locked).
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
agent=$PANTAU_BUILD/agent/pantau-agent
[ -x "$agent" ] || fail "missing $agent"

write() {
	cat >"$WORK/$1.yaml" <<YAML
agent: { id: spool-check, interval: 1s }
spool:
  dir: $2
  max_size: 64MiB
  fsync: $3
collector: { address: 127.0.0.1:$(free_port), plaintext: true }
devices:   # one device, so a refused start must also unwind a device
  - name: ems
    kind: ems
    modbus:
      address: 127.0.0.1:$(free_port)
      fields: [ { metric: t, table: input, address: 0, type: int16 } ]
YAML
}

write ok "$WORK/spool" 1s
"$agent" --config "$WORK/ok.yaml" --check >"$WORK/ok.out" 2>&1 || fail "--check refused a good spool section: $(cat "$WORK/ok.out")"
[ ! -e "$WORK/spool" ] || fail "--check created the spool directory"
for fs in always never 250ms; do
	write fs "$WORK/spool" "$fs"
	"$agent" --config "$WORK/fs.yaml" --check >/dev/null 2>&1 || fail "--check refused fsync: $fs"
done

write bad "$WORK/spool" sometimes
rc=0
"$agent" --config "$WORK/bad.yaml" --check >"$WORK/bad.out" 2>&1 || rc=$?
[ "$rc" = 2 ] || fail "--check exit $rc for fsync: sometimes"
grep -q "bad.yaml:5\] spool.fsync: 'sometimes'" "$WORK/bad.out" || fail "no [file:line] for fsync: $(cat "$WORK/bad.out")"

if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null; then
	mkdir -p "$WORK/locked"
	chmod 755 "$WORK/locked"
	write ro "$WORK/locked/spool" 1s
	chmod 644 "$WORK/ro.yaml"
	rc=0
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$agent" --config "$WORK/ro.yaml" --check >"$WORK/ro.out" 2>&1 || rc=$?
	[ "$rc" = 2 ] || fail "--check exit $rc for an unwritable spool.dir: $(cat "$WORK/ro.out")"
	grep -q "spool.dir $WORK/locked/spool is not writable" "$WORK/ro.out" \
		|| fail "unclear message: $(cat "$WORK/ro.out")"
	echo "ok - unwritable spool.dir refused by --check"
fi

# Two agents, one spool.dir: the second is refused at start.
write ok "$WORK/spool" 1s
proc_start first "$agent" --config "$WORK/ok.yaml"
wait_until 10 grep -q "not yet acknowledged" "$WORK/first.log" || fail "first agent did not open its spool"
rc=0
timeout 20 "$agent" --config "$WORK/ok.yaml" >"$WORK/second.out" 2>&1 || rc=$?
[ "$rc" = 3 ] || fail "second agent on the same spool exited $rc"
grep -q "in use by another pantau-agent" "$WORK/second.out" || fail "unclear message: $(cat "$WORK/second.out")"
proc_stop first || fail "first agent did not stop cleanly"
echo "PASS agent_spool_check"
