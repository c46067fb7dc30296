# Helpers for the SNMP integration scripts that poll snmpsimd with
# pantau-agent --once (source after tests/lib/proc.sh, whose snmpsim_start
# starts snmpsimd and records it for proc_cleanup).
#
#   snmp_require              skip without snmpsimd/snmpget; AGENT = the built agent
#   snmp_recordings_require   also skip without the LibreNMS recordings (DEVICES)
#   snmp_fixture_names DIR    the fixtures DIR/NAME.expected.json, one NAME a line
#   snmp_fixture_config ...   $WORK/agent.yaml polling each fixture two ways
#   snmp_check                pantau-agent --check must accept $WORK/agent.yaml
#   snmp_once SECONDS         pantau-agent --once on $WORK/agent.yaml, must exit 0
#   snmp_fixture_compare ...  $WORK/once.jsonl against the fixtures' expectations

snmp_require() {
	command -v snmpsimd >/dev/null || skip "snmpsimd (package snmpsim) is not installed"
	command -v snmpget >/dev/null || skip "snmpget (package snmp) is not installed"
	AGENT=$PANTAU_BUILD/agent/pantau-agent
	[ -x "$AGENT" ] || fail "no $AGENT: build first"
}

# Real-device recordings (not part of the project): $PANTAU_DEVICES, by
# default /work/shared/devices, with snmprec/NAME.snmprec and expected/NAME.json.
snmp_recordings_require() {
	DEVICES=${PANTAU_DEVICES:-/work/shared/devices}
	[ -d "$DEVICES/snmprec" ] && [ -d "$DEVICES/expected" ] || skip "no device recordings in $DEVICES"
	snmp_require
}

snmp_fixture_names() {
	(cd "$1" && ls ./*.expected.json | sed 's|^\./||; s|\.expected\.json$||')
}

# snmp_fixture_config ID PORT SUFFIX OPTS NAME...: $WORK/agent.yaml for agent
# ID polling snmpsimd on PORT, every fixture NAME (community NAME) twice, with
# profiles: [auto]: as device NAME with the defaults (v2c GETBULK) and as
# NAME$SUFFIX with the snmp options OPTS added ("bulk: false", "version: 1").
snmp_fixture_config() {
	local id=$1 port=$2 suffix=$3 opts=$4 n
	shift 4
	{
		echo "agent: { id: $id, profile_dir: ${PANTAU_PROFILE_DIR:-$PANTAU_ROOT/agent/profiles} }"
		echo "devices:"
		for n in "$@"; do
			echo "  - { name: $n, snmp: { address: 127.0.0.1:$port, community: $n, timeout: 3s, retries: 2 }, profiles: [auto] }"
			echo "  - { name: $n$suffix, snmp: { address: 127.0.0.1:$port, $opts, community: $n, timeout: 3s, retries: 2 }, profiles: [auto] }"
		done
	} >"$WORK/agent.yaml"
}

snmp_check() {
	"$AGENT" --config "$WORK/agent.yaml" --check >"$WORK/check.log" 2>&1 \
		|| fail "--check refused the config: $(cat "$WORK/check.log")"
}

# Samples to $WORK/once.jsonl, the log to $WORK/once.log; a sanitizer report
# or an exit status other than 0 (124: the time ran out) fails the script.
snmp_once() {
	local rc=0
	timeout "$1" "$AGENT" --config "$WORK/agent.yaml" --once >"$WORK/once.jsonl" 2>"$WORK/once.log" || rc=$?
	! grep -q "Sanitizer" "$WORK/once.log" || fail "sanitizer report in $WORK/once.log"
	[ "$rc" -eq 0 ] || fail "--once exited $rc ($(tail -3 "$WORK/once.log"))"
}

# snmp_fixture_compare --suffix SUFFIX [--inventory] FIX NAME...: every
# fixture NAME, polled as devices NAME and NAME$SUFFIX, printed exactly what
# FIX/NAME.expected.json says (tests/tools/fixture_compare.py).
snmp_fixture_compare() {
	/usr/bin/python3 "$PANTAU_ROOT/tests/tools/fixture_compare.py" --once "$WORK/once.jsonl" "$@" \
		|| fail "output differs from the fixtures (in $WORK/once.jsonl; KEEP_WORK=1 keeps it)"
}
