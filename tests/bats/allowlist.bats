#!/usr/bin/env bats
# allowlist.bats: --net=allowlist. The sandbox has a private network with
# only loopback; sbx's proxy takes it to the --allow-host hosts and nowhere
# else; --allow-localhost forwards one host loopback port. Checked from
# the host side: each server's log says which requests reached it.

load helpers

setup() {
	PIDS=()
	requires landlock=1
	command -v curl >/dev/null || skip_or_fail "needs curl" || return 1
	command -v python3 >/dev/null || skip_or_fail "needs python3" || return 1
	WORK=$(mktemp -d /var/tmp/sbx-allow.XXXXXX)
	chmod 755 "$WORK"
	cd "$WORK" || return 1
	echo "HOSTFILE-$$" >f.txt
	# the host's own address on a real interface (not loopback)
	IP=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n1)
	[ -n "$IP" ] || skip_or_fail "needs an IPv4 address on a non-loopback interface" || return 1
}

teardown() {
	[ "${#PIDS[@]}" -eq 0 ] || kill "${PIDS[@]}" 2>/dev/null || true
	cd /
	if [ -n "${WORK:-}" ]; then rm -rf "$WORK"; fi
}

# serve NAME ADDR [CERT KEY]: an HTTP server (HTTPS with CERT and KEY) for
# $WORK on ADDR and a free port; sets PORT_NAME; its requests are logged in
# $WORK/NAME.log
serve() {
	local name=$1 addr=$2
	python3 - "$addr" "$WORK/$name.port" "${3:-}" "${4:-}" >"$WORK/$name.log" 2>&1 <<-'EOF' &
		import http.server, os, ssl, sys, functools
		addr, portfile, cert, key = sys.argv[1:5]
		h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=os.getcwd())
		s = http.server.ThreadingHTTPServer((addr, 0), h)
		if cert:
		    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
		    ctx.load_cert_chain(cert, key)
		    s.socket = ctx.wrap_socket(s.socket, server_side=True)
		with open(portfile + ".tmp", "w") as f:
		    f.write(str(s.server_address[1]))
		os.rename(portfile + ".tmp", portfile)
		s.serve_forever()
	EOF
	PIDS+=($!)
	local i
	for i in $(seq 100); do [ -s "$WORK/$name.port" ] && break; sleep 0.1; done
	printf -v "PORT_$name" '%s' "$(cat "$WORK/$name.port")"
}

requests() { grep -c '"GET /f.txt' "$WORK/$1.log" || true; }

@test "allowlist: an allowed host is reached through the proxy, by plain HTTP and by CONNECT" {
	if ! have_userns; then
		refused_without_userns --allow-host="$IP"
		return
	fi
	serve pub "$IP"
	# control: the host reaches it
	run curl -s -m 5 "http://$IP:$PORT_pub/f.txt"
	assert_output_contains "HOSTFILE-$$"
	run sbx --allow-host="$IP:$PORT_pub" -- curl -s -m 10 "http://$IP:$PORT_pub/f.txt"
	assert_status 0
	assert_output_contains "HOSTFILE-$$"
	# a tunnel (what HTTPS uses)
	run sbx --allow-host="$IP:$PORT_pub" -- curl -s -m 10 -p "http://$IP:$PORT_pub/f.txt"
	assert_status 0
	assert_output_contains "HOSTFILE-$$"
	# SOCKS5 on the same port (ALL_PROXY), the name resolved by the proxy
	run sbx --allow-host="$IP:$PORT_pub" -- sh -c 'curl -s -m 10 -x "$ALL_PROXY" "$0"' "http://$IP:$PORT_pub/f.txt"
	assert_status 0
	assert_output_contains "HOSTFILE-$$"
	[ "$(requests pub)" -eq 4 ]
}

@test "allowlist: other hosts and ports, direct connections and the host's loopback reach nothing" {
	if ! have_userns; then
		refused_without_userns --net=allowlist
		return
	fi
	serve pub "$IP"
	serve lo 127.0.0.1
	# another port of an allowed address: refused by the proxy
	run sbx --allow-host="$IP:1" -- curl -s -m 10 "http://$IP:$PORT_pub/f.txt"
	assert_output_contains "not in the allowlist"
	refute_output_contains "HOSTFILE-$$"
	# no proxy at all: the private network has no route out
	run sbx --allow-host="$IP:$PORT_pub" -- curl -s -m 10 --noproxy '*' "http://$IP:$PORT_pub/f.txt"
	[ "$status" -ne 0 ]
	refute_output_contains "HOSTFILE-$$"
	# a raw TCP connect, not HTTP: nothing but loopback exists
	run sbx --allow-host="$IP:$PORT_pub" -- "$PROBES/net" connect "$IP" "$PORT_pub"
	[ "$status" -ne 0 ]
	# the host's loopback service through the proxy, not allowed: refused
	run sbx --allow-host="$IP:$PORT_pub" -- env -u NO_PROXY -u no_proxy curl -s -m 10 "http://localhost:$PORT_lo/f.txt"
	assert_output_contains "not in the allowlist"
	refute_output_contains "HOSTFILE-$$"
	# and by SOCKS5
	run sbx --allow-host="$IP:$PORT_pub" -- sh -c 'curl -s -m 10 -x "$ALL_PROXY" "$0"' "http://127.0.0.1:$PORT_lo/f.txt"
	[ "$status" -ne 0 ]
	refute_output_contains "HOSTFILE-$$"
	# and the sandbox's own 127.0.0.1 is not the host's
	run sbx --allow-host="$IP:$PORT_pub" -- curl -s -m 10 "http://127.0.0.1:$PORT_lo/f.txt"
	refute_output_contains "HOSTFILE-$$"
	# host side: none of these got through
	[ "$(requests pub)" -eq 0 ]
	[ "$(requests lo)" -eq 0 ]
}

@test "allowlist: --allow-localhost forwards exactly that host loopback port" {
	if ! have_userns; then
		refused_without_userns --allow-localhost=8080
		return
	fi
	serve lo 127.0.0.1
	serve lo2 127.0.0.1
	run sbx --allow-localhost="$PORT_lo" -- curl -s -m 10 "http://127.0.0.1:$PORT_lo/f.txt"
	assert_status 0
	assert_output_contains "HOSTFILE-$$"
	run sbx --allow-localhost="$PORT_lo" -- curl -s -m 10 "http://127.0.0.1:$PORT_lo2/f.txt"
	refute_output_contains "HOSTFILE-$$"
	[ "$(requests lo)" -eq 1 ]
	[ "$(requests lo2)" -eq 0 ]
}

@test "allowlist: the proxy survives garbage and a flood of connections, and the allowed still works" {
	if ! have_userns; then
		refused_without_userns --net=allowlist
		return
	fi
	serve pub "$IP"
	cat >"$WORK/flood.py" <<-'EOF'
		import socket, sys
		port = 3128
		# garbage, a head that never ends, a SOCKS greeting cut short
		for payload in (b"\x00\xff garbage\r\n\r\n", b"GET " + b"x" * 20000, b"\x05"):
		    s = socket.create_connection(("127.0.0.1", port), timeout=5)
		    s.sendall(payload)
		    s.close()
		# 500 connections at once
		held = []
		for i in range(500):
		    try:
		        held.append(socket.create_connection(("127.0.0.1", port), timeout=5))
		    except OSError:
		        pass
		for s in held:
		    s.close()
		print("flooded", len(held))
	EOF
	run sbx --allow-host="$IP:$PORT_pub" -- sh -c "python3 '$WORK/flood.py' && sleep 1 && curl -s -m 20 http://$IP:$PORT_pub/f.txt"
	assert_status 0
	assert_output_contains "flooded"
	assert_output_contains "HOSTFILE-$$"
	# nothing of the proxy outlives the sandbox
	sleep 1
	! pgrep -f "sbx-exec --allow-host=$IP:$PORT_pub" >/dev/null || false
}

@test "allowlist: patterns are checked, the plan says it, and what cannot hold it refuses" {
	for bad in "bad host" "a:0" "a:99999" "[zz]" "-x.com"; do
		run sbx --allow-host="$bad" -- touch ran
		assert_status 125
		assert_output_contains "invalid allow-host"
	done
	run sbx --allow-localhost=http -- touch ran
	assert_status 125
	[ ! -e ran ]
	local be=()
	have_userns || be=(--best-effort)
	run sbx "${be[@]}" --write=scope --writable=. --allow-host='*.example.com' --allow-host=example.org:8443 --print -- true
	assert_status 0
	assert_output_contains "net.allowlist"
	if have_userns; then
		assert_output_contains "--allow-host '*.example.com'"
		assert_output_contains "--unshare-net"
	fi
	run env SBX_ALLOW_HOST="a.example,b.example" "$SBX_EXEC" "${be[@]}" --write=scope --writable=. --print -- true
	assert_output_contains "net.allowlist"
	run sbx --backend=gvisor --allow-host=example.com -- touch ran
	assert_status 125
	assert_output_contains "private network and proxy"
	run sbx --best-effort --backend=gvisor --allow-host=example.com -- touch ran
	assert_status 125
	run "$PROBES/deny" userns -- "$SBX_EXEC" --write=scope --writable=. --allow-host=example.com -- touch ran
	assert_status 125
	assert_output_contains "net.allowlist"
	[ ! -e ran ]
	if have_userns; then
		run sbx --write=scope --writable=. -- env ASAN_OPTIONS=detect_leaks=0 "$SBX_EXEC" --write=scope --writable=. --allow-host=example.com -- touch ran
		assert_status 125
		assert_output_contains "cannot be made inside"
		[ ! -e ran ]
	fi
}

@test "allowlist: --report counts each host the proxy was asked for, allowed or refused" {
	if ! have_userns; then
		refused_without_userns --allow-host="$IP" --report
		return
	fi
	serve pub "$IP"
	run sbx --allow-host="$IP:$PORT_pub" --report -- sh -c "curl -s -m 10 http://$IP:$PORT_pub/f.txt; curl -s -m 10 http://$IP:$PORT_pub/f.txt; curl -s -m 10 http://$IP:1/; true"
	assert_output_contains "HOSTFILE-$$"
	assert_output_contains "allowed  $IP:$PORT_pub (2)"
	assert_output_contains "refused  $IP:1 (1)"
	[ "$(requests pub)" -eq 2 ]
	run sbx --allow-host="$IP:$PORT_pub" --report --json -- sh -c "curl -s -m 10 -o /dev/null http://$IP:$PORT_pub/f.txt"
	"$PROBES/jsoncheck" <<<"${lines[-1]}"
	assert_output_contains '"host":"'"$IP"'","port":'"$PORT_pub"',"allowed":true,"count":1'
}

@test "allowlist: no UDP leaves, and nothing outside reaches a listener inside" {
	if ! have_userns; then
		refused_without_userns --net=allowlist
		return
	fi
	# a host UDP receiver on the host's address, counting datagrams
	python3 - "$IP" "$WORK/udp.port" >"$WORK/udp.log" 2>&1 <<-'EOF' &
		import socket, sys, os
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.bind((sys.argv[1], 0))
		open(sys.argv[2] + ".tmp", "w").write(str(s.getsockname()[1]))
		os.rename(sys.argv[2] + ".tmp", sys.argv[2])
		s.settimeout(8)
		n = 0
		try:
		    while True:
		        s.recv(100)
		        n += 1
		except socket.timeout:
		    pass
		print("received", n)
	EOF
	local up=$! i
	for i in $(seq 100); do [ -s "$WORK/udp.port" ] && break; sleep 0.1; done
	local port
	port=$(cat "$WORK/udp.port")
	# control: the host's own datagram arrives
	python3 -c "import socket,sys; socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b'x', (sys.argv[1], int(sys.argv[2])))" "$IP" "$port"
	run sbx --allow-host="$IP:$port" -- python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(5):
    try:
        s.sendto(b'leak', (sys.argv[1], int(sys.argv[2])))
    except OSError as e:
        print('send refused:', e.errno)
" "$IP" "$port"
	wait "$up"
	[ "$(cat "$WORK/udp.log")" = "received 1" ]
	# a TCP listener inside, on every address: the host cannot connect
	rm -f "$WORK/inner.port"
	sbx --allow-host="$IP:1" -- python3 -c "
import socket, sys, os, time
s = socket.socket()
s.bind(('0.0.0.0', 0))
s.listen(1)
open(sys.argv[1] + '.tmp', 'w').write(str(s.getsockname()[1]))
os.rename(sys.argv[1] + '.tmp', sys.argv[1])
s.settimeout(4)
try:
    s.accept()
    print('ACCEPTED')
except socket.timeout:
    print('nothing came')
" "$WORK/inner.port" >"$WORK/inner.log" 2>&1 &
	local inner=$!
	for i in $(seq 100); do [ -s "$WORK/inner.port" ] && break; sleep 0.1; done
	run python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=2)" "$(cat "$WORK/inner.port")"
	[ "$status" -ne 0 ]
	run python3 -c "import socket,sys; socket.create_connection((sys.argv[2], int(sys.argv[1])), timeout=2)" "$(cat "$WORK/inner.port")" "$IP"
	[ "$status" -ne 0 ]
	wait "$inner"
	[ "$(cat "$WORK/inner.log")" = "nothing came" ]
}

@test "allowlist: HTTPS through the proxy: the TLS handshake and the certificate check pass end to end" {
	if ! have_userns; then
		refused_without_userns --allow-host="$IP"
		return
	fi
	command -v openssl >/dev/null || skip_or_fail "needs openssl" || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=sbx-test" \
		-addext "subjectAltName=IP:$IP" -keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
	serve tls "$IP" "$WORK/cert.pem" "$WORK/key.pem"
	local port=$PORT_tls
	# control: the host reaches it, verifying the certificate
	run curl -s -m 5 --cacert "$WORK/cert.pem" "https://$IP:$port/f.txt"
	assert_output_contains "HOSTFILE-$$"
	# inside: HTTPS_PROXY takes it through a CONNECT tunnel; curl checks the
	# same certificate, so the bytes crossed unchanged
	run sbx --allow-host="$IP:$port" -- curl -s -m 10 --cacert "$WORK/cert.pem" "https://$IP:$port/f.txt"
	assert_status 0
	assert_output_contains "HOSTFILE-$$"
	# the same host on another port is refused by the proxy, nothing reaches it
	run sbx --allow-host="$IP:1" -- curl -s -m 10 --cacert "$WORK/cert.pem" "https://$IP:$port/f.txt"
	[ "$status" -ne 0 ]
	refute_output_contains "HOSTFILE-$$"
	[ "$(grep -c '"GET /f.txt' "$WORK/tls.log")" -eq 2 ]
}
