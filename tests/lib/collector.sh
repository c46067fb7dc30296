# Helpers for tests/integration/collector_*.sh and tests/bench/ingest.sh.
# Source after tests/lib/pg.sh. Every process a script starts is recorded
# and stopped by PID in col_cleanup (installed as the EXIT trap by col_init).

COL_PIDS=()
COL_TMP=
COL_WATCHDOG=

# col_init SECONDS: finds the build, makes a temp dir, arms a watchdog.
col_init() {
    local limit=${1:-300}
    local root
    root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
    COL_BUILD=${PANTAU_BUILD:-build}
    case $COL_BUILD in /*) ;; *) COL_BUILD=$root/$COL_BUILD ;; esac
    COLLECTOR=$COL_BUILD/collector/pantau-collector
    FAKE_AGENT=$COL_BUILD/collector/fake_agent
    if [ ! -x "$COLLECTOR" ] || [ ! -x "$FAKE_AGENT" ]; then
        echo "SKIP: $COLLECTOR or $FAKE_AGENT not built (set PANTAU_BUILD)"
        exit 77
    fi
    if ! pg_find_bindir >/dev/null; then
        echo "SKIP: PostgreSQL binaries not found"
        exit 77
    fi
    COL_TMP=$(mktemp -d /tmp/pantau-test.XXXXXX)
    chmod 755 "$COL_TMP"
    trap col_cleanup EXIT
    trap 'exit 1' INT TERM
    ( sleep "$limit"; echo "TIMEOUT after ${limit}s" >&2; kill -TERM $$ ) &
    COL_WATCHDOG=$!
}

col_cleanup() {
    local pid
    for pid in "${COL_PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    pg_tmp_stop 2>/dev/null
    # The watchdog's sleep would keep a pipe on stdout open (| tail waits).
    if [ -n "$COL_WATCHDOG" ]; then
        local nap
        nap=$(pgrep -P "$COL_WATCHDOG" sleep)
        kill "$COL_WATCHDOG" $nap 2>/dev/null
    fi
    if [ -n "$COL_TMP" ]; then
        if [ -n "${KEEP_TMP:-}" ]; then echo "kept $COL_TMP"; else rm -rf "$COL_TMP"; fi
    fi
}

fail() {
    echo "FAIL: $*" >&2
    for f in "$COL_TMP"/*.log; do
        [ -f "$f" ] || continue
        echo "--- $f (last 30 lines)" >&2
        tail -30 "$f" >&2
    done
    exit 1
}

# A TCP port on 127.0.0.1 that nothing listens on.
col_free_port() {
    local port
    for _ in $(seq 50); do
        port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
        if ! ss -Htln "sport = :$port" | grep -q .; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# col_config FILE DSN [STATE_DIR]: a config on fresh ports; sets COL_PORT, COL_HTTP.
col_config() {
    COL_PORT=$(col_free_port)
    COL_HTTP=$(col_free_port)
    cat >"$1" <<YAML
collector:
  listen: 127.0.0.1:$COL_PORT
  plaintext: true
  http: 127.0.0.1:$COL_HTTP
  state_dir: ${3:-$COL_TMP/state}
  max_frame: ${COL_MAX_FRAME:-1MiB}
  log_level: info
database:
  dsn: "$2"
  max_queue: ${COL_MAX_QUEUE:-64}
retention:
  samples: ${COL_KEEP_SAMPLES:-0} # tests replay dated samples (2024): keep them
YAML
}

# col_start CONFIG LOG [USER]: starts the daemon (as USER via setpriv, which
# execs in place, so the PID is the collector's own), waits for /health.
col_start() {
    local config=$1 log=$2
    if [ -n "${3:-}" ]; then
        setpriv --reuid="$3" --regid="$3" --clear-groups -- \
            "$COLLECTOR" --config "$config" >"$log" 2>&1 &
    else
        "$COLLECTOR" --config "$config" >"$log" 2>&1 &
    fi
    COL_PID=$!
    COL_PIDS+=("$COL_PID")
    for _ in $(seq 300); do
        if curl -s -o /dev/null "http://127.0.0.1:$COL_HTTP/health"; then
            return 0
        fi
        kill -0 "$COL_PID" 2>/dev/null || fail "collector exited at start"
        sleep 0.1
    done
    fail "collector did not answer /health"
}

# col_stop: SIGTERM, then the exit status of the collector.
col_stop() {
    kill -TERM "$COL_PID"
    local rc=0
    wait "$COL_PID" || rc=$?
    COL_PIDS=("${COL_PIDS[@]/$COL_PID}")
    return $rc
}

# col_metric NAME [LABELS]: one value from /metrics (0 if absent).
col_metric() {
    local key="pantau_collector_$1"
    [ -n "${2:-}" ] && key="$key{$2}"
    curl -s "http://127.0.0.1:$COL_HTTP/metrics" |
        awk -v k="$key" '$1 == k { v = $2 } END { print (v == "" ? 0 : v) }'
}

# expect_eq WHAT GOT WANT
expect_eq() {
    [ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
    echo "ok - $1 = $3"
}

# col_ctl_init SECONDS: col_init; CTL, the built pantauctl (skip without
# it); a temporary cluster in $COL_TMP/pg, the config $COL_TMP/c.yaml on it
# (col_config) and the schema migrated.
col_ctl_init() {
    col_init "$1"
    CTL=$COL_BUILD/collector/ctl/pantauctl
    [ -x "$CTL" ] || { echo "SKIP: $CTL not built"; exit 77; }
    pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
    col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
    "$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >"$COL_TMP/migrate.log" 2>&1 || fail "--migrate"
}

# col_auditor: the login "inspektorat" holding only pantau_auditor, as an
# auditor's reports run; AUDIT_DSN connects as it.
col_auditor() {
    psql -qAt -c "CREATE ROLE inspektorat LOGIN IN ROLE pantau_auditor" >/dev/null || fail "role"
    AUDIT_DSN="host=$PGHOST port=$PGPORT user=inspektorat dbname=pantau"
}

# col_sla_history: a synthetic March 2024 in WIB (UTC+7; 31 days = 2678400 s)
# of availability intervals with known outages (tests/fixtures/sla_march2024.sql).
col_sla_history() {
    psql -v ON_ERROR_STOP=1 -qAt -f "$(dirname "${BASH_SOURCE[0]}")/../fixtures/sla_march2024.sql" >/dev/null \
        || fail "inserting intervals"
}
