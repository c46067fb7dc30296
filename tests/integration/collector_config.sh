#!/usr/bin/env bash
# Configuration errors: --check prints "[file:line] what is wrong" and exits
# 2; the collector refuses plaintext on a non-loopback address; a good
# config passes --check.
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../lib/pg.sh"
. "$here/../lib/collector.sh"
col_init 60

check() { # check FILE -> prints output, sets rc
    out=$("$COLLECTOR" --config "$1" --check 2>&1)
    rc=$?
}

printf 'collector:\n  plaintext: true\n  listen: 127.0.0.1:7400\n  max_frame: huge\n' >"$COL_TMP/bad.yaml"
check "$COL_TMP/bad.yaml"
expect_eq "exit code for a bad size" "$rc" "2"
case $out in "[$COL_TMP/bad.yaml:4] collector.max_frame: 'huge' is not a size"*) echo "ok - $out" ;;
    *) fail "message: $out" ;; esac

printf 'collector:\n  plaintext: true\n  lisen: 127.0.0.1:7400\n' >"$COL_TMP/typo.yaml"
check "$COL_TMP/typo.yaml"
expect_eq "exit code for an unknown key" "$rc" "2"
case $out in "[$COL_TMP/typo.yaml:3] unknown key 'lisen'"*) echo "ok - $out" ;; *) fail "message: $out" ;; esac

printf 'collector:\n  plaintext: true\n  listen: 0.0.0.0:7400\n' >"$COL_TMP/open.yaml"
check "$COL_TMP/open.yaml"
expect_eq "exit code for plaintext on 0.0.0.0" "$rc" "2"
case $out in *"[$COL_TMP/open.yaml:3]"*"plaintext is allowed only on a loopback"*) echo "ok - $out" ;;
    *) fail "message: $out" ;; esac

printf 'collector:\n  listen: 127.0.0.1:7400\n  plaintext: false\n' >"$COL_TMP/tls.yaml"
check "$COL_TMP/tls.yaml"
expect_eq "exit code without plaintext" "$rc" "2"
case $out in *"[$COL_TMP/tls.yaml:3]"*"plaintext: true"*) echo "ok - $out" ;; *) fail "message: $out" ;; esac

printf 'collector:\n  plaintext: true\n   x: [\n' >"$COL_TMP/syntax.yaml"
check "$COL_TMP/syntax.yaml"
expect_eq "exit code for broken YAML" "$rc" "2"
case $out in "[$COL_TMP/syntax.yaml:"*) echo "ok - $out" ;; *) fail "message: $out" ;; esac

check "$COL_TMP/missing.yaml"
expect_eq "exit code for a missing file" "$rc" "2"

col_config "$COL_TMP/good.yaml" "host=/nonexistent"
check "$COL_TMP/good.yaml"
expect_eq "exit code for a good config" "$rc" "0"
echo "PASS"
