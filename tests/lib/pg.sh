# Temporary PostgreSQL clusters for integration tests and benchmarks.
# Source this file, then:
#
#   pg_tmp_start DIR   # initdb + start; exports PGHOST PGPORT PGUSER PGDATABASE
#   pg_tmp_pause       # stop the server (pg_ctl stop -m fast), keep the data
#   pg_tmp_resume      # start it again
#   pg_tmp_stop        # stop the server (the caller removes DIR)
#
# The cluster listens on a Unix socket inside DIR only (listen_addresses=''),
# with a random port number in the socket name, trust authentication for the
# superuser "postgres" and fsync on (the tests prove durability). Database
# "pantau" is created. As root, initdb and pg_ctl run as the unprivileged
# system user "pantau" (created if missing), since PostgreSQL refuses root.

PG_TMP_DIR=
PG_TMP_OWNER=

pg_find_bindir() {
    local best= v d
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/pg_ctl" ] || continue
        v=${d#/usr/lib/postgresql/}
        v=${v%/bin}
        if [ -z "$best" ] || [ "$v" -gt "${best#*:}" ] 2>/dev/null; then
            best="$d:$v"
        fi
    done
    if [ -z "$best" ]; then
        command -v pg_ctl >/dev/null 2>&1 || return 1
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    echo "${best%%:*}"
}

# Makes sure the system user pantau exists (as root only).
pg_ensure_pantau_user() {
    id -u pantau >/dev/null 2>&1 && return 0
    useradd --system --no-create-home --shell /usr/sbin/nologin pantau
}

# Runs a command as the cluster owner (pantau when we are root).
pg_as_owner() {
    if [ -n "$PG_TMP_OWNER" ]; then
        runuser -u "$PG_TMP_OWNER" -- "$@"
    else
        "$@"
    fi
}

pg_tmp_start() {
    local dir=$1
    PG_BIN=$(pg_find_bindir) || { echo "pg.sh: PostgreSQL binaries not found" >&2; return 1; }
    export PG_BIN
    mkdir -p "$dir/run"
    PG_TMP_DIR=$(cd "$dir" && pwd)
    PG_TMP_OWNER=
    if [ "$(id -u)" = 0 ]; then
        pg_ensure_pantau_user || return 1
        PG_TMP_OWNER=pantau
        chown -R pantau: "$PG_TMP_DIR"
    fi
    local port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    while [ -e "$PG_TMP_DIR/run/.s.PGSQL.$port" ]; do port=$((port + 1)); done
    pg_as_owner "$PG_BIN/initdb" -D "$PG_TMP_DIR/data" -A trust -U postgres -E UTF8 \
        --locale=C >"$PG_TMP_DIR/initdb.log" 2>&1 \
        || { cat "$PG_TMP_DIR/initdb.log" >&2; return 1; }
    cat >>"$PG_TMP_DIR/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$PG_TMP_DIR/run'
port = $port
fsync = on
max_wal_size = 2GB
CONF
    export PGHOST="$PG_TMP_DIR/run" PGPORT=$port PGUSER=postgres PGDATABASE=postgres
    pg_tmp_resume || return 1
    "$PG_BIN/psql" -qAt -c "CREATE DATABASE pantau" >/dev/null || return 1
    export PGDATABASE=pantau
}

pg_tmp_resume() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP_DIR/data" -l "$PG_TMP_DIR/server.log" -w -t 60 \
        start >/dev/null || { tail -20 "$PG_TMP_DIR/server.log" >&2; return 1; }
}

pg_tmp_pause() {
    pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_TMP_DIR/data" -m fast -w -t 60 stop >/dev/null
}

pg_tmp_stop() {
    [ -n "$PG_TMP_DIR" ] && [ -f "$PG_TMP_DIR/data/postmaster.pid" ] || return 0
    pg_tmp_pause
}

# The libpq conninfo of the temporary cluster's "pantau" database.
pg_tmp_dsn() {
    echo "host=$PGHOST port=$PGPORT user=postgres dbname=pantau"
}

# pg_collector_config FILE AGENT_PORT HTTP_PORT [RULES]: a plaintext loopback
# collector on the temporary cluster (PGHOST...), state under $WORK/state,
# with the alert rules file RULES when given.
pg_collector_config() {
	{
		cat <<YAML
collector:
  listen: 127.0.0.1:$2
  plaintext: true
  http: 127.0.0.1:$3
  state_dir: $WORK/state
database:
  dsn: "host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
retention:
  samples: 0 # tests insert dated rows (2024): keep them
YAML
		[ -z "${4:-}" ] || printf 'alerts:\n  rules: %s\n' "$4"
	} >"$1"
}

# pg_collector_start COLLECTOR HTTP_PORT: starts COLLECTOR on
# $WORK/collector.yaml (proc_start, as "collector"; tests/lib/proc.sh) and
# waits until its /health on HTTP_PORT answers.
pg_collector_start() {
	proc_start collector "$1" --config "$WORK/collector.yaml"
	wait_until 30 curl -fsS "http://127.0.0.1:$2/health" || fail "collector /health did not answer"
}
