#!/bin/bash
# hold_down (issue 16, section 2): load follows the VIP. When n1's engine
# saturates (429: degraded, degrade_weight -60 takes 150 below n2's 100)
# the VIP moves to n2, whose engine then saturates while n1's recovers.
# Without a hold-down the priorities cross again at once and the VIP
# bounces back; with hold_down = 4s both keep the saturation part of their
# priority as it was at the move, so the VIP stays on n2 until the hold
# ends and then moves back once. A dead engine is never held: n1's engine
# refusing connections moves the VIP at once, inside a hold.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

HOLD_S=4
tpl=$(lab_conf holddown.conf "${GEN_CHECK[@]}" - <<T
interval = 200ms
timeout = 300ms
fall = 1
rise = 1
weight = 0
degrade_weight = -60

[instance web]
track = gen
hold_down = ${HOLD_S}s
T
)

export HAFD_ARGS=-D
engine_pair_up "$tpl"
check "n1 (priority 150) holds the VIP" wait_holds n1 10.77.0.100 10
# n1 became master at start: let that move's hold end first.
sleep $((HOLD_S + 1))
hafctl_of() { in_ns "$1" "$BUILDDIR/hafctl" -s "$HAFD_LAB_DIR/$PREFIX/$1/run/hafd.sock" "${@:2}"; }
check "hafctl shows hold_down, and nothing waiting" \
	eval 'hafctl_of n1 status --json | jq -en "input | .instances[0] | .hold_down_ms == $((HOLD_S * 1000)) and .hold_down_left_ms == 0" >/dev/null'

# --- saturation moves the VIP once ----------------------------------------------------
mark n1; mark n2
set_mode n1 overloaded
check "n1 saturates: its check is DEGRADED (429)" wait_new n1 'check gen: UP -> DEGRADED \(status 429\)' 5
check "n2 takes the VIP by priority (150 - 60 < 100)" wait_new n2 'BACKUP -> MASTER' 5
# The load follows the VIP: n2's engine saturates, n1's recovers.
set_mode n2 overloaded
set_mode n1 healthy
check "n1 recovers, but the +60 waits for the hold" \
	wait_new n1 'degraded checks would change the priority by \+0, not -60: held for' 5
check "n2 saturates, but the -60 waits for the hold" \
	wait_new n2 'degraded checks would change the priority by -60, not \+0: held for' 5
check "hafctl shows n2's change waiting" \
	eval 'hafctl_of n2 status --json | jq -en "input | .instances[0].hold_down_left_ms > 0" >/dev/null'
check "the VIP stays on n2 while the hold lasts" stays 1.5 holds n2
check "when it ends, the VIP moves back to n1" wait_new n1 'BACKUP -> MASTER' $((HOLD_S + 3))
check "n1's priority is back to 150" wait_new n1 'priority 90 -> 150' 1
check "two moves in all, not a ping-pong" \
	eval '[ "$(count_new n1 "-> MASTER|MASTER ->")" = 2 ]'

# --- a dead engine is never held ------------------------------------------------------
mark n1; mark n2
set_mode n2 healthy
set_mode n1 dead
check "inside n1's hold, its engine refuses: DOWN" wait_new n1 'check gen: [A-Z]+ -> DOWN \(' 5
check "n1 enters FAULT at once (weight 0)" wait_new n1 '-> FAULT' 2
check "n2 holds the VIP" wait_holds n2 10.77.0.100 3
check "no hold was logged for it" eval '[ "$(count_new n1 "held for")" = 0 ]'
