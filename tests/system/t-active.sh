#!/bin/bash
# Active/active behind HAProxy (issue 25): both engines serve through the
# HAProxy on the VIP node; hafd steers HAProxy from its engine check and
# moves the VIP only with HAProxy or the node.
#  - under load, both engines serve, and no request fails;
#  - the VIP node's engine dies: hafd sets its server to maint in both
#    HAProxies, requests keep succeeding, the VIP stays;
#  - it wedges (no answer): the same once hafd's probe has timed out;
#  - planned maintenance of the other node's engine (hafctl maintenance
#    on: drain in both HAProxies, then the engine stops): no failed request;
#  - the VIP node is cut off: the VIP moves, the other HAProxy serves;
#    when it comes back it takes the VIP back and announces it (GARP): the
#    client's ARP entry points to it again at once;
#  - an engine says it is full: its weight halves in both HAProxies.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"
. "$(dirname "$0")/active-lib.sh"
command -v "$HAPROXY" >/dev/null || { echo "1..0 # SKIP haproxy not installed"; exit 77; }

ctl() { in_ns "$1" "$BUILDDIR/hafctl" -s "$(node_dir "$1")/run/hafd.sock" "${@:2}" >/dev/null; }
# Both HAProxies hold SERVER as STATE (hafd told both: its own socket and
# the peer's).
both_hx() {   # SERVER "STATE WEIGHT" [SECS]
	wait_hx_state n1 "$1" "$2" "${3:-10}" && wait_hx_state n2 "$1" "$2" "${3:-10}"
}
mac_of() { in_ns "$1" cat /sys/class/net/eth0/address; }
client_mac() { in_ns client ip neigh show "$VIP" | sed -n 's/.*lladdr \([^ ]*\).*/\1/p'; }
wait_client_mac() {   # MAC [SECS]
	local deadline=$((SECONDS + ${2:-5}))
	while [ $SECONDS -le $deadline ]; do
		[ "$(client_mac)" = "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
# Requests in [FROM, now) all succeeded, and there were some.
none_failed() {   # FROM WHAT
	local ok fail
	read -r ok fail _ _ <<<"$(load_count "$1" "$(now_s)")"
	diag "$2: $ok ok, $fail failed"
	[ "$ok" -gt 0 ] && [ "$fail" = 0 ]
}

active_up
check "n1 holds the VIP" wait_holds n1 "$VIP" 10
for n in n1 n2; do
	check "$n's hafd sets its engine ready in its own HAProxy and the peer's" \
		eval "wait_log $n 'haproxy /.*/haproxy.sock: server engines/$n ready' 10 &&
			wait_log $n 'haproxy $(node_addr "$(peer_of $n)"):9999: server engines/$n ready' 10"
done
check "both HAProxies hold both engines ready, full weight" both_hx n1 "ready 100" && both_hx n2 "ready 100"
# A reload rebuilds the steering (it points into the configuration):
# what follows shows it still works.
mark n1
check "n1 reloads, and says its engine's state to both HAProxies again" \
	eval "ctl n1 reload && wait_new n1 'haproxy /.*: server engines/n1 ready' 5 &&
		wait_new n1 'haproxy $(node_addr n2):9999: server engines/n1 ready' 5"

# ---- both engines serve -----------------------------------------------------
load_start 12
check "the load flows through the VIP" load_wait_flowing
t0=$(now_s); sleep 2
read -r ok fail by1 by2 <<<"$(load_count "$t0" "$(now_s)")"
diag "both serving: $ok ok ($by1 by n1, $by2 by n2), $fail failed"
check "both engines serve the VIP's requests" test "$by1" -gt 0 -a "$by2" -gt 0
check "no request failed" test "$fail" = 0

# ---- the VIP node's engine dies -------------------------------------------
mark n1
engine_mode n1 dead
check "dead: n1's hafd sets engines/n1 to maint in both HAProxies" \
	eval "wait_new n1 'haproxy /.*: server engines/n1 maint' 10 &&
		wait_new n1 'haproxy $(node_addr n2):9999: server engines/n1 maint' 10"
check "dead: both HAProxies hold engines/n1 in maint" both_hx n1 "maint 100" 5
check "dead: hafctl status says so for each HAProxy, JSON and text" \
	eval '[ "$(in_ns n1 "$BUILDDIR/hafctl" -s "$(node_dir n1)/run/hafd.sock" status --json |
		jq -enr "input | [.checks[] | select(.haproxy) | .haproxy[] |
			\"\\(.server) \\(.state) \\(.error)\"] | join(\",\")")" = \
		"engines/n1 maint null,engines/n1 maint null" ] &&
	      [ "$(in_ns n1 "$BUILDDIR/hafctl" -s "$(node_dir n1)/run/hafd.sock" status |
		grep -c "^haproxy: engines/n1 via .*: maint (check engine)$")" = 2 ]'
t1=$(now_s); sleep 2
check "dead: requests after the detection all succeed (n2 serves)" none_failed "$t1" "after detection"
check "dead: n1 still holds the VIP" holds n1 "$VIP"
check "dead: n1 never left MASTER" not eval 'since_mark n1 | grep -q "MASTER -> "'
engine_mode n1 "$ENGINE_MODE"
check "back: engines/n1 ready again in both HAProxies" both_hx n1 "ready 100" 10

# ---- it wedges ---------------------------------------------------------------
mark n1
engine_mode n1 wedged
check "wedged: n1's hafd sets engines/n1 to maint once its probe times out" \
	wait_new n1 'haproxy /.*: server engines/n1 maint' 15
t1=$(now_s); sleep 3   # the requests caught in the wedge retry after timeout server (2 s)
check "wedged: requests after the detection all succeed" none_failed "$t1" "after detection"
check "wedged: n1 still holds the VIP" holds n1 "$VIP"
engine_mode n1 "$ENGINE_MODE"
check "back: engines/n1 ready again in both HAProxies" both_hx n1 "ready 100" 10

# ---- planned maintenance of n2's engine ---------------------------------------
t1=$(now_s)
check "hafctl maintenance on (n2)" ctl n2 maintenance on
check "maintenance: engines/n2 drains in both HAProxies" both_hx n2 "drain 100" 5
sleep 1   # in-flight requests (200 ms each) finish
engine_mode n2 dead
sleep 2
check "maintenance: no request failed from drain to the engine's stop and after" \
	none_failed "$t1" "maintenance"
engine_mode n2 "$ENGINE_MODE"
check "hafctl maintenance off (n2)" ctl n2 maintenance off
check "maintenance off: engines/n2 ready again in both HAProxies" both_hx n2 "ready 100" 10

# ---- the VIP node is cut off, and comes back ---------------------------------------
mark n2
mac1=$(mac_of n1) mac2=$(mac_of n2)
check "the client reaches the VIP at n1's MAC" test "$(client_mac)" = "$mac1"
t_cut=$(now_s)
lab isolate n1
check "cut off: n2 takes the VIP" wait_new n2 'BACKUP -> MASTER' 5
check "cut off: the client's ARP entry moves to n2" wait_client_mac "$mac2" 5
t_moved=$(now_s)
# The requests in flight in n1's HAProxy are lost: their clients time out
# (3 s) and reconnect, now to n2. Those sent after the move all succeed.
check "cut off: requests flow again, through n2's HAProxy" load_wait_flowing
sleep 2
read -r ok fail by1 by2 <<<"$(load_count_started "$t_moved" "$(now_s)")"
lost=$(load_count "$t_cut" "$(now_s)" | cut -d' ' -f2)
diag "sent after the move: $ok ok ($by1 by n1, $by2 by n2), $fail failed; lost in the move: $lost"
check "cut off: the requests lost are at most those in flight (12 clients)" test "$lost" -le 12
check "cut off: n2's HAProxy serves with n2's engine, no request fails" \
	test "$ok" -gt 0 -a "$by2" = "$ok" -a "$fail" = 0
mark n1
lab rejoin n1
check "rejoined: n2 gives the VIP back to n1" wait_new n2 'MASTER -> BACKUP' 5
# Without an announcement the client would keep n2's MAC until its entry
# went stale and was probed again (seconds): every request meanwhile fails.
check "rejoined: n1 announces the VIP, the client's ARP entry is n1's again" \
	wait_client_mac "$mac1" 2
t_back=$(now_s)
# For a moment both HAProxies send to the engines: n2's still works off
# what its clients queued before they followed the VIP (it cannot hear
# them leave), and each HAProxy's maxconn counts only its own requests.
# An engine that is over-full answers 503 busy, which HAProxy retries on
# the other; when both are full the request fails. Once the clients
# caught in n2's HAProxy have timed out (3 s), nothing may fail.
check "rejoined: requests flow again" load_wait_flowing
t1=$(now_s); sleep 1
read -r ok fail by1 by2 <<<"$(load_count_started "$t1" "$(now_s)")"
diag "at the return: $(load_count "$t_back" "$t1" | cut -d' ' -f2) failed;" \
	"sent after it: $ok ok, $fail failed" $(load_failed_started "$t1")
check "rejoined: requests succeed through n1" test "$ok" -gt 0 -a "$fail" = 0
load_stop

# ---- saturated (no load: a full engine's 503s would reach the clients) -------
engine_mode n2 queue-full-vllm
check "saturated: n2's engine check is DEGRADED, its weight halves in both HAProxies" \
	both_hx n2 "ready 50" 10
engine_mode n2 "$ENGINE_MODE"
check "no longer saturated: full weight again" both_hx n2 "ready 100" 10

# ---- HAProxy itself dies on the VIP node: the VIP moves --------------------------
# The one failure of the node's own making that must move the VIP: its
# check is HAProxy's monitor-uri (the frontend), not the engine.
mark n1; mark n2
stop_haproxy n1
check "HAProxy gone on n1: n2 takes the VIP" wait_new n2 'BACKUP -> MASTER' 10
check "... and n1 gives it up" wait_new n1 'MASTER -> (BACKUP|FAULT)' 5
check "the client reaches the VIP through n2's HAProxy" \
	eval 'wait_client_mac "$mac2" 5'
