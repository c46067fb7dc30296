# Helpers for the scripts that test the collector's HTTP API
# (tests/integration/alerts_api.sh, backup_runs_api.sh): pantau-collector on
# a temporary PostgreSQL with tokens made by pantauctl, as an operator would.
# Source after tests/lib/proc.sh and tests/lib/pg.sh.
#
#   api_init                  collector and ctl (the binaries), curl; the cluster
#                             (PANTAU_DSN exported); http_port is free
#   api_token VAR NAME ROLE   pantauctl api token NAME --role ROLE: the token in VAR,
#                             its config line kept for api_collector_config
#   api_collector_config      $WORK/collector.yaml with every token made so far
#   api_collector_start       starts the collector and waits until /health answers

API_TOKEN_LINES=

api_init() {
	collector=$PANTAU_BUILD/collector/pantau-collector
	ctl=$PANTAU_BUILD/collector/ctl/pantauctl
	local b
	for b in "$collector" "$ctl"; do [ -x "$b" ] || fail "missing $b"; done
	command -v curl >/dev/null || skip "curl missing"
	trap proc_cleanup EXIT # stops the temporary PostgreSQL too
	pg_tmp_start "$WORK/pg" || fail "temporary PostgreSQL did not start"
	export PANTAU_DSN="host=$PGHOST port=$PGPORT user=$PGUSER dbname=$PGDATABASE"
	http_port=$(free_port)
}

api_token() {
	"$ctl" api token "$2" --role "$3" >"$WORK/$2.tok" 2>/dev/null \
		|| fail "pantauctl api token $2 --role $3 failed"
	printf -v "$1" '%s' "$(sed -n 1p "$WORK/$2.tok")"
	API_TOKEN_LINES+=$(sed -n 2p "$WORK/$2.tok")$'\n'
}

api_collector_config() {
	pg_collector_config "$WORK/collector.yaml" "$(free_port)" "$http_port"
	printf 'api:\n  tokens:\n%s' "$API_TOKEN_LINES" >>"$WORK/collector.yaml"
}

api_collector_start() {
	proc_start collector "$collector" --config "$WORK/collector.yaml"
	wait_until 30 curl -sf "http://127.0.0.1:$http_port/health" || fail "collector did not start"
}
