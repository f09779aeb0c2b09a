#!/bin/bash
# Planned handover (issue 18, its first part): `hafctl handover` moves the
# VIPs to a backup by lowering this node's priority to 1 and waiting for a
# backup to preempt; the node then yields (never preempts back) until
# `hafctl resume`. With no backup that takes over, it restores the
# priority, keeps the VIPs and exits 1. `hafctl maintenance on` makes every
# instance yield, also across a restart. An address owner (255) refuses.
# A keepalived backup takes over by priority like a hafd one.
. "$(dirname "$0")/lib.sh"
need_root

ctl() { in_ns "$1" "$BUILDDIR/hafctl" -s "$HAFD_LAB_DIR/$PREFIX/$1/run/hafd.sock" "${@:2}"; }
json() { ctl "$1" status --json | jq -enr "input | $2"; }   # NODE JQ-FILTER

lab_up -n 2
check "n1 (150) is master, n2 (100) backup" eval 'wait_state n1 MASTER 5 && wait_state n2 BACKUP 5'

# --- a handover moves the VIP, and n1 stays away ---------------------------------
out=$(ctl n1 handover 2>&1); rc=$?
diag "handover: $out"
check "hafctl handover exits 0" test $rc = 0
check "it says where the VIP went" grep -q 'lab/VRID 51: now BACKUP, the master is 10.77.0.12 (priority 100)' <<<"$out"
check "n2 holds the VIP" wait_holds n2 10.77.0.100 2
check "n1 no longer has it" wait_not_holds n1 10.77.0.100 2
check "n1 advertises nothing and yields at priority 1" \
	eval '[ "$(json n1 ".instances[0] | \"\(.yielding) \(.effective_priority)\"")" = "true 1" ]'
check "n1 does not preempt back (150 > 100, preempt = yes)" stays 1.5 holds n2
check "hafctl status shows it" eval 'ctl n1 status | grep -q "1 (yields)"'
out=$(ctl n1 resume 2>&1); rc=$?
check "hafctl resume exits 0" test $rc = 0
check "after resume, n1 preempts back" wait_holds n1 10.77.0.100 3

# --- no backup: refused, the VIP stays ---------------------------------------------
lab stop n2 >/dev/null
check "n2 stopped" wait_log n2 'MASTER -> INIT|BACKUP -> INIT|stopping' 5
m=$(log_mark n1)
out=$(ctl n1 handover --wait 1s 2>&1); rc=$?
diag "handover with no backup: $out"
check "with no backup, hafctl handover exits 1" test $rc = 1
check "it says no router took over and the VIPs stay" \
	grep -q 'no router took over: still MASTER, priority 150 again, the VIPs stay here' <<<"$out"
check "n1 never left MASTER" eval '! log_since n1 $m | grep -q "MASTER ->"'
check "n1 still holds the VIP, priority 150, not yielding" \
	eval 'holds n1 && [ "$(json n1 ".instances[0] | \"\(.yielding) \(.effective_priority)\"")" = "false 150" ]'

# --- maintenance mode, across a restart ----------------------------------------------
lab start n2
check "n2 is back as backup" wait_state n2 BACKUP 5
out=$(ctl n1 maintenance on 2>&1); rc=$?
check "hafctl maintenance on exits 0" test $rc = 0
check "maintenance: n2 takes the VIP" wait_holds n2 10.77.0.100 3
check "the mode is kept in runtime_dir" test -f "$HAFD_LAB_DIR/$PREFIX/n1/run/maintenance"
lab restart n1 >/dev/null
check "n1 restarted" wait_last_run n1 'INIT -> BACKUP' 5
check "after the restart n1 still yields: no preemption" stays 1.5 holds n2
check "status says maintenance" eval '[ "$(json n1 .hafd.maintenance)" = true ]'
check "resume is refused while in maintenance" not ctl n1 resume
ctl n1 maintenance off >/dev/null
check "maintenance off: n1 preempts back" wait_holds n1 10.77.0.100 3
check "the file is gone" test ! -e "$HAFD_LAB_DIR/$PREFIX/n1/run/maintenance"

# --- errors ---------------------------------------------------------------------------
out=$(ctl n1 handover nosuch 2>&1); rc=$?
check "an unknown instance: exit 1 with its name" eval '[ $rc = 1 ] && grep -q "no instance nosuch" <<<"$out"'
lab_down

# --- an address owner refuses ------------------------------------------------------------
lab_up -n 2 -P 255,100
check "the owner n1 is master" wait_state n1 MASTER 5
out=$(ctl n1 handover 2>&1); rc=$?
check "the owner refuses a handover (exit 1) and says why" \
	eval '[ $rc = 1 ] && grep -q "address owner (priority 255)" <<<"$out" && holds n1'
lab_down

# --- a keepalived backup takes over by priority ---------------------------------------------
if command -v keepalived >/dev/null; then
	lab_up -n 2 --daemons hafd,keepalived
	check "hafd n1 master, keepalived n2 backup" \
		eval 'wait_state n1 MASTER 5 && wait_log n2 "Entering BACKUP STATE" 5'
	out=$(ctl n1 handover 2>&1); rc=$?
	diag "handover to keepalived: $out"
	check "handover to a keepalived backup exits 0" test $rc = 0
	check "keepalived n2 holds the VIP" wait_holds n2 10.77.0.100 2
	lab_down
else
	skip_rest "keepalived is not installed"
fi
