#!/usr/bin/env bash
# With database.dsn empty the collector runs its own PostgreSQL cluster
# under state_dir/pg: initdb once, pg_ctl start, database pantau, schema,
# ingest, and pg_ctl stop on exit. As root it refuses (with a message that
# says what to do) and the test runs it as the unprivileged user pantau.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 240

state=$COL_TMP/state
PG_BIN=$(pg_find_bindir)
user=
if [ "$(id -u)" = 0 ]; then
    pg_ensure_pantau_user || fail "cannot create user pantau"
    user=pantau
    mkdir -p "$state"
    chown pantau: "$state"
    as_user() { runuser -u pantau -- "$@"; }
else
    as_user() { "$@"; }
fi
col_config "$COL_TMP/c.yaml" "" "$state"
chmod 644 "$COL_TMP/c.yaml"

if [ -n "$user" ]; then
    out=$("$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate 2>&1)
    rc=$?
    expect_eq "exit code as root" "$rc" 1
    case $out in *"cannot run as root"*"unprivileged user such as 'pantau'"*) echo "ok - root is refused" ;;
        *) fail "message as root: $out" ;; esac
fi

as_user "$COLLECTOR" --config "$COL_TMP/c.yaml" --migrate >"$COL_TMP/migrate.log" 2>&1 \
    || fail "--migrate with the embedded cluster"
[ -f "$state/pg/data/PG_VERSION" ] || fail "no cluster in $state/pg/data"
[ -f "$state/pg/data/postmaster.pid" ] && fail "--migrate left the cluster running"
echo "ok - --migrate created the cluster and stopped it again"

col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log" $user
[ -S "$state/pg/run/.s.PGSQL.5432" ] || fail "no Unix socket in $state/pg/run"
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent emb --batches 4 --samples 25 \
    --series 10 >"$COL_TMP/agent.log" 2>&1 || fail "agent"
psql_emb() { as_user "$PG_BIN/psql" -h "$state/pg/run" -d pantau -qAt -c "$1"; }
expect_eq "rows in the embedded cluster" "$(psql_emb "SELECT count(*), sum(value) FROM report.samples")" \
    "100|4975"
expect_eq "no TCP listener" "$(psql_emb "SHOW listen_addresses")" ""

col_stop || fail "collector exited non-zero on SIGTERM"
[ -f "$state/pg/data/postmaster.pid" ] && fail "the collector left its cluster running"
echo "ok - the cluster was stopped with the collector"
grep -E "AddressSanitizer|runtime error" "$COL_TMP/collector.log" && fail "sanitizer report"

# A second start reuses the cluster (no initdb) and keeps the data.
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector2.log" $user
grep -q "creating a PostgreSQL cluster" "$COL_TMP/collector2.log" && fail "initdb ran twice"
expect_eq "rows after restart" "$(psql_emb "SELECT count(*) FROM report.samples")" 100
col_stop || fail "second stop"
echo "PASS"
