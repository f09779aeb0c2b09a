# active-lib.sh: the active/active lab (issue 25), sourced after lib.sh and
# health-lib.sh by t-active.sh and bench/active.
#
# Two hafd-lab nodes, each with fake-infer as its engine on :8001 (every
# address; a fixed service time `hold` and a concurrency limit
# `capacity`), and HAProxy on :8000 in front of both engines, made from
# the shipped etc/examples/active-active/haproxy.cfg; hafd's configuration
# is the shipped hafd.conf. Only what a lab must change is changed:
# addresses, server names (n1, n2), socket paths, no syslog, a shorter
# `timeout server` (2 s: the wedge's retry). The client runs tests/tools/
# active-load against the VIP.

EXAMPLES="$SRCDIR/etc/examples/active-active"
ACTIVE_LOAD="$SRCDIR/tests/tools/active-load"
HAPROXY=${HAPROXY:-haproxy}
# The engine, 200 ms a request: 4 slots for requests (HAProxy's maxconn
# 4), room for the probes of both HAProxies and hafd, and 3 for the
# moment between an answer and the stand-in's release of its slot, when
# HAProxy may already send the next request (longer on a loaded
# machine). Beyond that it answers vLLM's 503 "currently busy" (HAProxy
# retries it on the other engine).
ENGINE_MODE=${ENGINE_MODE:-"healthy capacity=10 hold=0.2"}
VIP=10.77.0.100

node_dir() { echo "$HAFD_LAB_DIR/$PREFIX/$1"; }
node_addr() { echo "10.77.0.$((10 + ${1#n}))"; }
peer_of() { if [ "$1" = n1 ]; then echo n2; else echo n1; fi; }

# The lab's hafd template, from the shipped hafd.conf.
active_hafd_template() {
	sed -e 's/^router_id = gpu-a/router_id = @NODE@/' \
		-e 's/^priority = 150/priority = @PRIO@/' \
		-e 's|^virtual_ip = 192.0.2.100/24|virtual_ip = @VIP4@/24|' \
		-e 's|^haproxy_server = engines/gpu-a|haproxy_server = engines/@NODE@|' \
		-e 's|^haproxy_socket = /run/haproxy/admin.sock|haproxy_socket = @RUNDIR@/haproxy.sock|' \
		-e 's|^haproxy_socket = 192.0.2.12:9999|haproxy_socket = @PEER4@:9999|' \
		"$EXAMPLES/hafd.conf"
}

# NODE's haproxy.cfg, from the shipped one. With ACTIVE_STANDBY=1 (the
# bench's active/standby), HAProxy has only the node's own engine.
active_haproxy_cfg() {   # NODE
	local drop='^$'
	[ "${ACTIVE_STANDBY:-0}" = 1 ] && drop="^\tserver gpu-$([ "$1" = n1 ] && echo b || echo a) "
	sed -e "/$drop/d" -e 's|^\tlog /dev/log local0|\tlog stdout format raw local0|' \
		-e "s|/run/haproxy/admin.sock|$(node_dir "$1")/run/haproxy.sock|" \
		-e "s|ipv4@192.0.2.11:9999|ipv4@$(node_addr "$1"):9999|" \
		-e "s|192.0.2.100:8000|$VIP:8000|" \
		-e 's|^\ttimeout server 300s|\ttimeout server 2s|' \
		-e "s|server gpu-a 192.0.2.11:8001|server n1 $(node_addr n1):8001|" \
		-e "s|server gpu-b 192.0.2.12:8001|server n2 $(node_addr n2):8001|" \
		"$EXAMPLES/haproxy.cfg"
}

start_engine() {   # NODE
	echo "$ENGINE_MODE" >"$TMP/mode-$1"
	in_ns "$1" "${PYTHON:-python3}" "$FAKE_INFER" --host 0.0.0.0 --port 8001 \
		--control "$TMP/mode-$1" >>"$TMP/fake-$1.log" 2>&1 &
	on_exit "kill $!"
}
engine_mode() { echo "$2" >"$TMP/mode-$1"; }   # NODE MODE...

start_haproxy() {   # NODE
	active_haproxy_cfg "$1" >"$TMP/haproxy-$1.cfg"
	# exec all the way down (subshell, hafd-lab, ip netns exec): $! is
	# HAProxy's own PID, so stop_haproxy stops HAProxy, not a shell
	# around it.
	(exec "$LAB" -p "$PREFIX" exec "$1" "$HAPROXY" -db -f "$TMP/haproxy-$1.cfg") \
		>>"$TMP/haproxy-$1.log" 2>&1 &
	echo $! >"$TMP/haproxy-$1.pid"
	on_exit "kill $!"
}
stop_haproxy() { kill "$(cat "$TMP/haproxy-$1.pid")"; }   # NODE

# A command on NODE's HAProxy's runtime API; its answer on stdout.
hx_cmd() {   # NODE COMMAND
	"${PYTHON:-python3}" - "$(node_dir "$1")/run/haproxy.sock" "$2" <<'PY'
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.settimeout(2)
s.connect(sys.argv[1])
s.sendall(sys.argv[2].encode() + b"\n")
out = b""
while True:
    d = s.recv(65536)
    if not d:
        break
    out += d
sys.stdout.write(out.decode())
PY
}
# SERVER's admin state in NODE's HAProxy: ready, drain, maint (bits of
# srv_admin_state: 0x01 forced maint, 0x08 forced drain), and its weight.
hx_state() {   # NODE SERVER
	hx_cmd "$1" "show servers state engines" | awk -v s="$2" '
		$4 == s { a = $7 + 0; w = $8
			st = (a % 2) ? "maint" : (int(a / 8) % 2) ? "drain" : "ready"
			print st, w }'
}
wait_hx_state() {   # NODE SERVER "STATE WEIGHT" [SECS]
	local deadline=$((SECONDS + ${4:-10}))
	while [ $SECONDS -le $deadline ]; do
		[ "$(hx_state "$1" "$2")" = "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

# Both nodes up: engines, HAProxies (ip_nonlocal_bind: both bind the VIP),
# then hafd. DAEMONS: hafd (default) or keepalived,keepalived.
# ACTIVE_HAFD_TPL: another hafd template (the bench's active/standby).
active_up() {   # [LAB_UP_OPTION...]
	local tpl n
	tpl=${ACTIVE_HAFD_TPL:-$(active_hafd_template | write_template active.conf)}
	lab_up -n 2 -c "$tpl" --no-start "$@"
	for n in n1 n2; do
		[ -f "$(node_dir $n)/hafd.conf" ] &&
			sed -i "s|@PEER4@|$(node_addr "$(peer_of $n)")|" "$(node_dir $n)/hafd.conf"
		in_ns $n sysctl -qw net.ipv4.ip_nonlocal_bind=1
		start_engine $n
	done
	for n in n1 n2; do start_haproxy $n; done
	lab start n1
	lab start n2
}

# The load: CLIENTS clients against the VIP until load_stop.
load_start() {   # [CLIENTS]
	LOAD_OUT="$TMP/load.out"
	: >"$LOAD_OUT"
	rm -f "$TMP/load.stop"
	in_ns client "${PYTHON:-python3}" "$ACTIVE_LOAD" --host "$VIP" --clients "${1:-12}" \
		--timeout 3 --stop "$TMP/load.stop" --out "$LOAD_OUT" 2>>"$TMP/load.err" &
	LOAD_PID=$!
	on_exit "kill $LOAD_PID"
}
load_stop() { touch "$TMP/load.stop"; wait "$LOAD_PID" 2>/dev/null; }
now_s() { date +%s.%N; }
# Requests that ended in [FROM, TO): "OK FAILED SERVED-BY-n1 SERVED-BY-n2".
load_count() {   # FROM TO
	awk -v a="$1" -v b="$2" '$1 >= a && $1 < b {
		if ($2 == 200) { ok++; by[$3]++ } else fail++ }
		END { printf "%d %d %d %d\n", ok, fail, by["n1"], by["n2"] }' "$LOAD_OUT"
}
# The same for the requests that started at FROM or later.
load_count_started() {   # FROM TO
	awk -v a="$1" -v b="$2" '$1 - $4 / 1000 >= a && $1 < b {
		if ($2 == 200) { ok++; by[$3]++ } else fail++ }
		END { printf "%d %d %d %d\n", ok, fail, by["n1"], by["n2"] }' "$LOAD_OUT"
}
# The failed requests that started at FROM or later, for diagnostics.
load_failed_started() {   # FROM
	awk -v a="$1" '$1 - $4 / 1000 >= a && $2 != 200' "$LOAD_OUT" | head -5
}
# Wait until a request ended after now (the load is flowing).
load_wait_flowing() {
	local t deadline=$((SECONDS + 12))
	t=$(now_s)
	while [ $SECONDS -le $deadline ]; do
		awk -v t="$t" '$1 >= t && $2 == 200 { f = 1 } END { exit !f }' "$LOAD_OUT" && return 0
		sleep 0.1
	done
	return 1
}
