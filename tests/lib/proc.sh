# Process helpers for integration scripts (source it). Every process started
# with proc_start is stopped by PID when the script exits, and only those.
#
#   proc_start NAME CMD...     start in the background, log to $WORK/NAME.log
#   proc_stop NAME             SIGTERM, wait, SIGKILL after 10 s
#   wait_until SECONDS CMD...  poll CMD every 0.2 s until it succeeds
#   fail MESSAGE               print and exit 1

: "${PANTAU_BUILD:=build}"
case "$PANTAU_BUILD" in /*) ;; *) PANTAU_BUILD=$(pwd)/$PANTAU_BUILD ;; esac
export PANTAU_BUILD
PANTAU_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PANTAU_ROOT
WORK=$(mktemp -d /tmp/pantau-test.XXXXXX)
chmod 755 "$WORK"
export WORK

declare -A PROC_PIDS=()

proc_start() {
	local name=$1
	shift
	"$@" >"$WORK/$name.log" 2>&1 &
	PROC_PIDS[$name]=$!
	# Also on disk: a start inside $(...) (port=$(modbus_sim_start ...))
	# runs in a subshell whose PROC_PIDS is lost, and proc_cleanup must
	# still stop that process.
	printf '%s %s\n' "$!" "$1" >>"$WORK/.proc_pids"
}

# Stops what proc_start recorded on disk and is still running that program.
proc_stop_recorded() {
	local pid prog
	[ -f "$WORK/.proc_pids" ] || return 0
	while read -r pid prog; do
		[ -r "/proc/$pid/cmdline" ] || continue
		case "$(tr '\0' ' ' <"/proc/$pid/cmdline")" in
		"$prog "*) kill -TERM "$pid" 2>/dev/null ;;
		*) continue ;;
		esac
		for _ in $(seq 25); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.2
		done
		kill -KILL "$pid" 2>/dev/null || true
	done <"$WORK/.proc_pids"
}

proc_pid() { echo "${PROC_PIDS[$1]:-}"; }

proc_stop() {
	local name=$1 pid=${PROC_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null
	local rc=$?
	unset "PROC_PIDS[$name]"
	return $rc
}

proc_kill9() {
	local name=$1 pid=${PROC_PIDS[$1]:-}
	[ -n "$pid" ] || return 0
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	unset "PROC_PIDS[$name]"
}

proc_cleanup() {
	local name
	for name in "${!PROC_PIDS[@]}"; do
		proc_stop "$name" || true
	done
	proc_stop_recorded
	# A temporary PostgreSQL (tests/lib/pg.sh) goes with the work dir.
	if declare -F pg_tmp_stop >/dev/null; then
		pg_tmp_stop || true
	fi
	if [ "${KEEP_WORK:-0}" = 1 ]; then
		echo "work dir kept: $WORK"
	else
		rm -rf "$WORK"
	fi
}

wait_until() {
	local limit=$1
	shift
	local end=$((SECONDS + limit))
	while [ $SECONDS -lt $end ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

fail() {
	echo "FAIL: $*"
	local f
	for f in "$WORK"/*.log; do
		[ -f "$f" ] || continue
		echo "--- $(basename "$f") (last 25 lines)"
		tail -25 "$f"
	done
	exit 1
}

skip() {
	echo "skipped: $*"
	exit 77
}

# A free TCP port on 127.0.0.1 (best effort: the kernel picks one).
free_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# A free UDP port on 127.0.0.1.
free_udp_port() {
	/usr/bin/python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Starts snmpsimd serving DIR on 127.0.0.1:PORT and waits until COMMUNITY answers.
snmpsim_start() {
	local dir=$1 port=$2 community=$3
	mkdir -p "$WORK/snmpsim-cache" "$WORK/snmpsim-data"
	cp "$dir"/*.snmprec "$WORK/snmpsim-data/"
	chmod -R a+rwX "$WORK/snmpsim-cache" "$WORK/snmpsim-data"
	local user=()
	[ "$(id -u)" -eq 0 ] && user=(--process-user=nobody --process-group=nogroup)
	proc_start snmpsimd snmpsimd --data-dir="$WORK/snmpsim-data" \
		--agent-udpv4-endpoint=127.0.0.1:"$port" "${user[@]}" \
		--cache-dir="$WORK/snmpsim-cache"
	wait_until 60 snmpget -v2c -c "$community" -t 1 -r 0 127.0.0.1:"$port" 1.3.6.1.2.1.1.2.0 \
		|| fail "snmpsimd did not answer on port $port"
}

trap proc_cleanup EXIT
