#!/usr/bin/env bash
# The append-only, hash-chained audit log of evidence tables: a maintenance
# window added and ended through pantauctl, a backup run and an
# availability correction each leave audit rows naming the database user
# and application; the agent feed does not. UPDATE/DELETE/TRUNCATE on the
# log are refused; a superuser who bypasses the triggers to edit or delete
# a row is caught by `pantauctl evidence audit --verify`, which names the
# row (run as a login holding only pantau_auditor).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_ctl_init 240
col_auditor
dsn=$(pg_tmp_dsn)

"$CTL" maintenance add --device ups-1 --from "2024-03-10 08:00+07" --for "2 hours" \
    --reason "genset test" --by budi --dsn "$dsn" >"$COL_TMP/m.log" 2>&1 || fail "maintenance add"
id=$(psql -qAt -c "SELECT max(id) FROM pantau.maintenance")
"$CTL" maintenance end "$id" --by sari --dsn "$dsn" >>"$COL_TMP/m.log" 2>&1 || fail "maintenance end"
expect_eq "maintenance changes audited (who, how)" \
    "$(psql -qAt -c "SELECT tbl, row_id = '$id', action, db_user, application_name,
        new_row ->> 'created_by', COALESCE(new_row ->> 'ended_by', '-')
        FROM pantau.audit_log ORDER BY id" | paste -sd' ')" \
    "pantau.maintenance|t|INSERT|postgres|pantauctl|budi|- pantau.maintenance|t|UPDATE|postgres|pantauctl|budi|sari"
expect_eq "old row kept on update" \
    "$(psql -qAt -c "SELECT old_row ->> 'ended_at' IS NULL, new_row ->> 'ended_at' IS NOT NULL
        FROM pantau.audit_log WHERE action = 'UPDATE'")" "t|t"

PGAPPNAME=bacula-hook psql -qAt -c "INSERT INTO pantau.backup_runs (job, finished_at, status)
    VALUES ('arsip', '2024-03-01 06:00+07', 'ok')" >/dev/null || fail "backup run"
# A correction by hand is audited; the collector's agent feed is not.
psql -qAt -c "INSERT INTO pantau.availability (subject_kind, subject, state, planned, cause, during, source)
    VALUES ('device', 'ups-1', 'down', true, 'PLN notice', '[2024-03-02 10:00+07, 2024-03-02 11:00+07)', 'manual')" \
    >/dev/null || fail "correction"
PGAPPNAME=pantau-collector psql -qAt -c "SELECT pantau.availability_report('device', 'ups-9', 'ag-1', 'up',
    '2024-03-01 00:00+00', '')" >/dev/null || fail "agent feed"
expect_eq "backup run and correction audited, agent feed not" \
    "$(psql -qAt -c "SELECT tbl || ':' || application_name FROM pantau.audit_log WHERE id > 2 ORDER BY id" | paste -sd' ')" \
    "pantau.backup_runs:bacula-hook pantau.availability:psql"

# Append-only: even the owner is refused.
for sql in "UPDATE pantau.audit_log SET db_user = 'x'" "DELETE FROM pantau.audit_log" \
           "TRUNCATE pantau.audit_log"; do
    psql -qAt -c "$sql" >/dev/null 2>"$COL_TMP/ro.log" && fail "allowed: $sql"
    grep -q "append-only" "$COL_TMP/ro.log" || fail "$sql: $(cat "$COL_TMP/ro.log")"
done
echo "ok - UPDATE, DELETE and TRUNCATE on the audit log refused"

out=$("$CTL" evidence audit --verify --dsn "$AUDIT_DSN") || fail "verify intact: $out"
case $out in "intact: 4 audit rows"*) echo "ok - $out" ;; *) fail "verify: $out" ;; esac
"$CTL" evidence audit --dsn "$AUDIT_DSN" --table pantau.maintenance >"$COL_TMP/list.txt" || fail "list"
expect_eq "list shows the maintenance rows" "$(grep -c 'pantau.maintenance' "$COL_TMP/list.txt")" "2"

# A superuser bypasses the triggers and rewrites who ended the window.
psql -qAt >/dev/null <<'SQL' || fail "tamper"
SET session_replication_role = replica;
UPDATE pantau.audit_log SET new_row = jsonb_set(new_row, '{ended_by}', '"nobody"') WHERE id = 2;
SQL
out=$("$CTL" evidence audit --verify --dsn "$AUDIT_DSN")
expect_eq "verify exit status after an edit" "$?" "1"
expect_eq "verify names the edited row" "$out" \
    "NOT intact: audit row id 2 (pantau.maintenance UPDATE) was changed: its hash does not match its content"
psql -qAt >/dev/null <<'SQL' || fail "restore"
SET session_replication_role = replica;
UPDATE pantau.audit_log SET new_row = jsonb_set(new_row, '{ended_by}', '"sari"') WHERE id = 2;
SQL
"$CTL" evidence audit --verify --dsn "$AUDIT_DSN" >/dev/null || fail "restored row does not verify"
# ... or deletes a row.
psql -qAt >/dev/null <<'SQL' || fail "delete"
SET session_replication_role = replica;
DELETE FROM pantau.audit_log WHERE id = 3;
SQL
out=$("$CTL" evidence audit --verify --dsn "$AUDIT_DSN")
expect_eq "verify exit status after a delete" "$?" "1"
case $out in *"breaks at audit row id 4"*"between id 2 and id 4 were removed"*) echo "ok - removal named" ;;
    *) fail "after delete: $out" ;; esac
"$CTL" evidence audit --bogus >/dev/null 2>&1
expect_eq "bad option exit status" "$?" "2"
echo "audit_log: all checks passed"
