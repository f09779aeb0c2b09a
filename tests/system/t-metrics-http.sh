#!/bin/bash
# /metrics over HTTP (metrics_listen, issue 21), on the loopback inside a
# lab node's namespace: a real scrape passes `promtool check metrics` (when
# Debian's prometheus package is there) and has hafd_up and the per-state
# series; other targets get 404, other methods 405, garbage 400, a head
# that never ends 431; clients that hold every slot, or send one byte a
# second, cannot stall the daemon: the node keeps advertising (its backup
# never takes over), the extra client gets a 503, the slow ones are dropped
# at the deadline, and everything is counted.
. "$(dirname "$0")/lib.sh"
need_root

PY=${PYTHON:-python3}
PORT=9650
URL="http://127.0.0.1:$PORT"
fetch() { in_ns n1 curl -sS -m 5 "$@"; }    # curl ARGS... inside n1
quiet() { "$@" >/dev/null 2>&1; }

tpl=$(lab_conf metrics.conf "[global]" "metrics_listen = 127.0.0.1:$PORT" - <<'T'
[check alive]
type = script
command = /bin/true
interval = 200ms
rise = 1

[instance web]
track = alive
track_interface = trk0 weight -10
T
)
lab_up -n 2 -c "$tpl" --no-start
for node in n1 n2; do
	in_ns "$node" ip link add trk0 type veth peer name trk0-peer &&
		in_ns "$node" ip link set trk0-peer up && in_ns "$node" ip link set trk0 up ||
		{ ok 1 "trk0 on $node"; exit 1; }
done
lab start n1
lab start n2
wait_state n1 MASTER 10 && wait_state n2 BACKUP 10
ok $? "n1 is master, n2 backup"
check "hafd says where it serves /metrics" wait_log n1 "serving /metrics on 127.0.0.1:$PORT" 5

# ---- a scrape -------------------------------------------------------------------
fetch -D "$TMP/h" -o "$TMP/m" "$URL/metrics"
ok $? "GET /metrics answers"
sed 's/^/# /' "$TMP/h"
check "200 OK" grep -q '^HTTP/1.1 200 OK' "$TMP/h"
check "text format 0.0.4" grep -qi '^Content-Type: text/plain; version=0.0.4' "$TMP/h"
check "Content-Length matches the body" \
	test "$(sed -n 's/^Content-Length: \([0-9]*\).*/\1/ip' "$TMP/h")" = "$(wc -c <"$TMP/m")"
if command -v promtool >/dev/null; then
	promtool check metrics <"$TMP/m" >"$TMP/promtool.out" 2>&1
	rc=$?
	sed 's/^/# /' "$TMP/promtool.out"
	ok $rc "promtool check metrics accepts the scrape"
else
	skip_rest "promtool check metrics: promtool missing (apt-get install prometheus)"
fi
has() { grep -qxF "$1" "$TMP/m" || { diag "no sample: $1"; return 1; }; }
has_re() { grep -qE "$1" "$TMP/m" || { diag "no sample matching: $1"; return 1; }; }
L='vrrp_instance="web",vrid="51",interface="eth0"'
check "hafd_up is 1" has 'hafd_up 1'
check "instance state MASTER is 1, BACKUP 0" \
	has "hafd_instance_state{$L,state=\"MASTER\"} 1" && has "hafd_instance_state{$L,state=\"BACKUP\"} 0"
check "the time of the state change, in seconds since 1970" \
	has_re "^hafd_instance_state_timestamp_seconds\{$L\} 1[7-9][0-9]{8}\.[0-9]{3}$"
check "fault reasons as labels, all 0" \
	has "hafd_instance_fault{$L,reason=\"link\"} 0" && has "hafd_instance_fault{$L,reason=\"check\"} 0"
check "the new master reason as a label" \
	has_re "^hafd_vrrp_new_master_reason\{$L,reason=\"(priority|master_no_response)\"\} 1$"
check "no numeric enumeration left" not grep -qE '^hafd_vrrp_new_master_reason\{[^}]*\} [2-9]' "$TMP/m"
check "release_master: n1 never left MASTER" has "hafd_release_master_total{$L} 0"
check "the tracked interface is up" has "hafd_track_interface_up{$L,track_interface=\"trk0\"} 1"
check "the check: one series per state, UP is 1" \
	has 'hafd_check_state{check="alive",type="script",state="UP"} 1' &&
	has 'hafd_check_state{check="alive",type="script",state="DOWN"} 0' &&
	has 'hafd_check_state{check="alive",type="script",state="INIT"} 0'
check "the check's last outcome as a label" \
	has 'hafd_check_last_outcome{check="alive",type="script",kind="ok"} 1'
check "the check's last run time" \
	has_re '^hafd_check_last_run_timestamp_seconds\{check="alive",type="script"\} 1[7-9][0-9]{8}\.[0-9]{3}$'
check "the scrape itself is counted" has_re '^hafd_metrics_http_requests_total\{code="200"\} 1$'

trk_down() { fetch "$URL/metrics" | grep -qxF "hafd_track_interface_up{$L,track_interface=\"trk0\"} 0"; }
in_ns n1 ip link set trk0 down
check "a tracked interface that goes down shows as 0" wait_until 5 trk_down
in_ns n1 ip link set trk0 up
check "... and as 1 again" wait_until 5 not trk_down

# ---- what else is answered --------------------------------------------------------
code() { fetch -o /dev/null -w '%{http_code}' "$@"; }
check "404 for another path" test "$(code "$URL/")" = 404
check "404 for /metricsx" test "$(code "$URL/metricsx")" = 404
check "405 for POST /metrics" test "$(code -X POST -d x=1 "$URL/metrics")" = 405
check "405 for HEAD /metrics" test "$(code -I "$URL/metrics")" = 405
fetch -D - -o /dev/null -X DELETE "$URL/metrics" >"$TMP/h405"
check "405 says what is allowed" grep -qi '^Allow: GET' "$TMP/h405"
raw() {   # BYTES: send them, print the status line
	in_ns n1 "$PY" -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
print(s.makefile("rb").readline().decode().strip())' "$PORT" "$1"
}
check "400 for garbage" test "$(raw 'hello there\r\n\r\n')" = "HTTP/1.1 400 Bad Request"
check "505 for HTTP/2.0" test "$(raw 'GET /metrics HTTP/2.0\r\n\r\n')" = "HTTP/1.1 505 HTTP Version Not Supported"
check "431 for a head that never ends" \
	test "$(raw "GET /metrics HTTP/1.1\\r\\n$(printf 'X-A: %0100d\\r\\n' $(seq 60))")" = \
	"HTTP/1.1 431 Request Header Fields Too Large"
fetch -o "$TMP/m" "$URL/metrics"
check "the bad requests are counted" has_re '^hafd_metrics_http_requests_total\{code="400"\} [3-9]$'
check "the 404s are counted" has_re '^hafd_metrics_http_requests_total\{code="404"\} 2$'

# ---- clients that cannot stall it ------------------------------------------------------
# 8 clients hold every slot: 4 say nothing, 4 send a byte a second. n1 keeps
# advertising meanwhile (n2 stays backup), a 9th client gets a 503, and all
# 8 are dropped at the 5 s deadline.
in_ns n1 "$PY" -c '
import socket, sys, time
cs = [socket.create_connection(("127.0.0.1", int(sys.argv[1]))) for _ in range(8)]
open(sys.argv[2], "w").close()
t0 = time.time(); open_ = set(range(8))
while open_ and time.time() - t0 < 15:
    for i in list(open_):
        c = cs[i]
        try:
            if i % 2:
                c.send(b"G")
            c.settimeout(0.01)
            if c.recv(1) == b"":
                open_.discard(i)
        except socket.timeout:
            pass
        except OSError:
            open_.discard(i)
    time.sleep(1)
print(8 - len(open_), round(time.time() - t0, 1))' "$PORT" "$TMP/slow.up" >"$TMP/slow.out" &
slow=$!
on_exit "kill $slow"
wait_until 5 test -e "$TMP/slow.up"
# Turned away at once: a 503, or a reset when the request crosses the close.
busy=$(code "$URL/metrics")
diag "the ninth client: $busy"
check "with every slot taken, another client is turned away" test "$busy" = 503 -o "$busy" = 000
check "n1 keeps advertising: n2 stays backup" stays 3 is_state n2 BACKUP
wait $slow
read -r closed secs <"$TMP/slow.out"
diag "slow clients: $closed closed after ${secs}s"
check "the slow clients are dropped at the 5s deadline" \
	test "$closed" = 8 -a "${secs%.*}" -ge 3 -a "${secs%.*}" -le 9
check "a scrape works again" test "$(code "$URL/metrics")" = 200
fetch -o "$TMP/m" "$URL/metrics"
check "the refused client is counted" has_re '^hafd_metrics_http_refused_total [1-9]'
check "the dropped clients are counted" has_re '^hafd_metrics_http_timeouts_total [89]$'
check "n1 is still master" is_state n1 MASTER

# ---- hafd gone: the scrape fails ---------------------------------------------------------
lab kill n1
check "a killed hafd answers no scrape (up == 0 in Prometheus)" \
	wait_until 5 not quiet fetch -o /dev/null "$URL/metrics"
