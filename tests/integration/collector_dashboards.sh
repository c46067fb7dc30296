#!/usr/bin/env bash
# Every panel query of every dashboard in dashboards/ runs against a real,
# migrated database with data in it, as the read-only role pantau_reader
# (what Grafana is granted), and the measurement panels return rows.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 180
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }

pg_tmp_start "$COL_TMP/pg" >"$COL_TMP/pg.log" 2>&1 || fail "temporary PostgreSQL did not start"
col_config "$COL_TMP/c.yaml" "$(pg_tmp_dsn)"
col_start "$COL_TMP/c.yaml" "$COL_TMP/collector.log"
"$FAKE_AGENT" --connect "127.0.0.1:$COL_PORT" --agent dash --batches 2 --samples 50 --series 10 \
    >"$COL_TMP/agent.log" 2>&1 || fail "agent"

# Grafana's macros, expanded the way its PostgreSQL data source does.
python3 - "$here/../../dashboards" >"$COL_TMP/queries.tsv" <<'PY' || fail "reading dashboards"
import json, os, re, sys
d = sys.argv[1]
for name in sorted(os.listdir(d)):
    if not name.endswith('.json'):
        continue
    dash = json.load(open(os.path.join(d, name)))
    for p in dash.get('panels', []):
        for t in p.get('targets', []):
            sql = t['rawSql']
            sql = re.sub(r'\$__timeFilter\((\w+)\)',
                         r"\1 BETWEEN now() - interval '24 hours' AND now()", sql)
            if '$' in sql:
                sys.exit(f'{name}: panel "{p["title"]}": unexpanded macro in {sql}')
            print(f'{name}\t{p["title"]}\t{p["type"]}\t{sql}')
PY
n=0
while IFS=$'\t' read -r file title type sql; do
    out=$(psql -qAt -v ON_ERROR_STOP=1 -c "SET ROLE pantau_reader" -c "$sql" 2>&1) \
        || fail "$file: panel '$title': $out"
    if [ "$type" = timeseries ] && [ -z "$out" ]; then
        fail "$file: panel '$title' returned no rows"
    fi
    echo "ok - $file: $title"
    n=$((n + 1))
done <"$COL_TMP/queries.tsv"
[ $n -gt 0 ] || fail "no panels found"
col_stop || fail "collector stop"
echo "PASS"
