#!/bin/bash
# Health checks move the VIP: an http check (a one-token completion, as
# ai-services.md recommends) against fake-infer on each node. The master's
# service goes wedged, dead, then loading: each time the check goes DOWN,
# the master enters FAULT and the backup takes the VIP; when the service
# recovers the check comes back UP after `rise` passes and the master
# preempts back. An overloaded service (429) is DEGRADED: the priority drops
# by degrade_weight and the backup takes over, without FAULT.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

tpl=$(lab_conf health.conf "${GEN_CHECK[@]}" - <<'T'
interval = 200ms
timeout = 300ms
fall = 2
rise = 3
degrade_weight = -60

[instance web]
track = gen
hold_down = 0s
T
)

export HAFD_ARGS=-D     # one debug line per check run: passes can be counted
lab_up -n 2 -c "$tpl" --no-start
for n in n1 n2; do start_fake_infer "$n"; done
check "fake-infer answers on n1 and n2" wait_mode n1 healthy && wait_mode n2 healthy
lab start n1
lab start n2
check "n1's check comes up" wait_log n1 'check gen: INIT -> UP \(status 200\)' 10
check "n2's check comes up" wait_log n2 'check gen: INIT -> UP \(status 200\)' 10
check "n1 (priority 150) holds the VIP" wait_holds n1 10.77.0.100 10

# fail_over MODE REASON: n1's service goes MODE; the VIP moves; it returns.
fail_over() {
	local mode=$1 reason=$2 t0
	mark n1; mark n2
	t0=$(now_ms)
	echo "$mode" >"$TMP/mode-n1"
	check "$mode: n1's check goes DOWN ($reason)" wait_new n1 "check gen: UP -> DOWN \\($reason" 10
	check "$mode: n1 enters FAULT" wait_new n1 'MASTER -> FAULT \(fault\)' 5
	check "$mode: n2 takes over" wait_new n2 'BACKUP -> MASTER' 5
	check "$mode: n2 holds the VIP" wait_holds n2
	diag "$mode: n2 master $(($(new_line_ms n2 'BACKUP -> MASTER') - t0)) ms after the switch" \
		"(fall 2 x interval 200 ms + timeout 300 ms = 700 ms, plus takeover and fake-infer's 50 ms poll)"
	check "$mode: n1 released the VIP" wait_not_holds n1
	mark n1; mark n2
	set_mode n1 healthy
	check "$mode: n1's check returns UP" wait_new n1 'check gen: DOWN -> UP \(status 200\)' 10
	check "$mode: it took rise (3) passes in a row" test "$(passes_before_up n1 gen)" = 3
	check "$mode: n1 preempts back" wait_new n2 'MASTER -> BACKUP' 5
	check "$mode: n1 holds the VIP again" wait_holds n1
}

fail_over wedged 'timed out after 300 ms waiting for the response'
fail_over dead 'connection refused'
fail_over loading 'status 503'

# --- degraded: priority, not FAULT ----------------------------------------------
mark n1; mark n2
faults=$(count_in_log n1 '-> FAULT')
set_mode n1 overloaded
check "overloaded: n1's check is DEGRADED (429)" wait_new n1 'check gen: UP -> DEGRADED \(status 429\)' 10
check "overloaded: n1's priority drops by degrade_weight" wait_new n1 'priority 150 -> 90' 5
check "overloaded: n2 preempts n1" wait_new n2 'BACKUP -> MASTER' 5
check "overloaded: n2 holds the VIP" wait_holds n2
check "overloaded: n1 is BACKUP" wait_new n1 'MASTER -> BACKUP' 5
check "overloaded: n1 never entered FAULT" test "$(count_in_log n1 '-> FAULT')" = "$faults"
mark n1
set_mode n1 healthy
check "recovered: n1's check is UP" wait_new n1 'check gen: DEGRADED -> UP' 10
check "recovered: n1's priority is back" wait_new n1 'priority 90 -> 150' 5
check "recovered: n1 holds the VIP again" wait_holds n1
lab down >/dev/null; _lab_up=0

# --- startup grace ----------------------------------------------------------------------
# n1 boots while its server still loads (503): inside startup_grace the check
# counts as up, so n1 keeps its configured mastership; when the grace
# expires without a pass, the unproven check counts as down.
sed -e 's/^rise = 3$/rise = 2\nstartup_grace = 2s/' "$tpl" >"$TMP/grace.conf"
lab_up -n 2 -c "$TMP/grace.conf" --no-start
start_fake_infer n1 loading
start_fake_infer n2 healthy
check "grace: n1's server is loading, n2's is healthy" wait_mode n1 loading && wait_mode n2 healthy
lab start n1
lab start n2
check "grace: n1 becomes master while its failures are ignored" \
	wait_log n1 'BACKUP -> MASTER' 10
check "grace: those failures were not counted" not grep -q 'check gen: INIT -> DOWN' \
	"$HAFD_LAB_DIR/$PREFIX/n1/log"
check "grace: they are logged as ignored (debug)" \
	wait_log n1 'check gen: fail in [0-9]+ ms \(status 503\), ignored in the startup grace' 2
check "grace: its expiry is logged" \
	wait_log n1 'check gen: startup grace over without a pass: INIT counts as down' 5
check "grace: then n1 enters FAULT" wait_log n1 'MASTER -> FAULT' 5
check "grace: and n2 holds the VIP" wait_holds n2
set_mode n1 healthy
check "grace: n1's check comes up after rise passes" wait_log n1 'check gen: (INIT|DOWN) -> UP' 10
check "grace: n1 holds the VIP again" wait_holds n1
