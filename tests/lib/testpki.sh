# A test CA and one server certificate made with the openssl command line,
# for the scripts that talk HTTPS to a real server (probe_http.sh,
# api_https.sh). Source after tests/lib/proc.sh.
#
#   testpki DIR DAYS SAN    DIR/ca.pem (+ ca.key) and DIR/server.pem,
#                           DIR/server.key valid DAYS days for SAN
#                           (e.g. "DNS:localhost,IP:127.0.0.1"); P-256 keys

testpki() {
	local dir=$1 days=$2 san=$3
	command -v openssl >/dev/null || skip "needs openssl"
	mkdir -p "$dir"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
		-subj "/CN=pantau test CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>"$dir/log" \
		|| fail "test CA: $(cat "$dir/log")"
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=pantau test server" \
		-keyout "$dir/server.key" -out "$dir/server.csr" 2>"$dir/log" \
		|| fail "test CSR: $(cat "$dir/log")"
	printf 'subjectAltName=%s\n' "$san" >"$dir/ext"
	openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
		-CAcreateserial -days "$days" -extfile "$dir/ext" -out "$dir/server.pem" 2>"$dir/log" \
		|| fail "test certificate: $(cat "$dir/log")"
}
