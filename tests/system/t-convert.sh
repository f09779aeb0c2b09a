#!/bin/bash
# The converter keeps behaviour (issue 20): one keepalived.conf, run as it
# is by a keepalived pair and, converted by hafctl convert-keepalived, by a
# hafd pair. Both pairs must elect the same master and react the same way
# to a failing script: a check that exits 2 (a Nagios CRITICAL, a shell
# error) is a failure in keepalived, so the VIP moves to the other node in
# both (in hafd only because the converter writes degrade_exit = none).
# The lab's placeholders (@PRIO@, @VIP4@, @RUNDIR@) are swapped for tokens
# before the conversion and back after it, so one template serves both.
. "$(dirname "$0")/lib.sh"
need_root
if ! command -v keepalived >/dev/null; then
	echo "1..0 # SKIP keepalived not installed"
	exit 77
fi
HAFCTL=${HAFCTL:-$HAFD_BUILDDIR/hafctl}
SECS=15

# keepalived's own defaults: no script_user (scripts run as root), state
# BACKUP on both, the priority decides. The check fails with status 2 while
# the node's flag file exists.
KTPL=$(write_template keepalived.conf <<'KA'
global_defs {
    router_id @NODE@
}
vrrp_script chk_flag {
    script "/bin/sh -c '[ -e @RUNDIR@/fail ] && exit 2; exit 0'"
    interval 1
    weight -80
}
vrrp_instance VI_1 {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority @PRIO@
    advert_int 1
    virtual_ipaddress {
        @VIP4@/24
    }
    track_script {
        chk_flag
    }
}
KA
)

# The converted template: tokens the converter passes through as they are.
tokens=(-e 's|@PRIO@|177|g' -e 's|@VIP4@|10.255.255.77|g' -e 's|@RUNDIR@|/tok-rundir|g'
	-e 's|@NODE@|toknode|g')
back=(-e 's|177|@PRIO@|g' -e 's|10\.255\.255\.77|@VIP4@|g' -e 's|/tok-rundir|@RUNDIR@|g'
      -e 's|toknode|@NODE@|g')
sed "${tokens[@]}" "$KTPL" >"$TMP/ka-tokens.conf"
"$HAFCTL" convert-keepalived "$TMP/ka-tokens.conf" >"$TMP/hafd-tokens.conf" 2>"$TMP/convert.err"
check "the template converts and the result passes the converter's hafd -t" test $? -eq 0
check "the converter says scripts run as root" grep -q "warning: scripts and notify hooks run as root" "$TMP/convert.err"
check "the converter writes degrade_exit = none" grep -qx "degrade_exit = none" "$TMP/hafd-tokens.conf"
HTPL=$(sed "${back[@]}" "$TMP/hafd-tokens.conf" | write_template hafd.conf)
diag "converted: $(grep -c . "$HTPL") lines"

flag() { touch "$HAFD_LAB_DIR/$PREFIX/$1/run/fail"; }   # NODE: its check now exits 2
ka_is() { [ "$(log_of "$1" | sed -n 's/.*(VI_1) Entering \([A-Z]*\) STATE.*/\1/p' | tail -1)" = "$2" ]; }

# The same scenario on each pair; VIP4 and the priorities are the lab's
# (n1 higher than n2).
scenario() {   # NAME DAEMONS IS_MASTER...
	local name=$1 daemons=$2 vip
	if [ "$daemons" = keepalived ]; then
		lab_up -n 2 --daemons keepalived,keepalived -k "$KTPL"
	else
		lab_up -n 2 --daemons hafd,hafd -c "$HTPL"
	fi
	vip=10.77.0.100        # the lab's @VIP4@ (tools/hafd-lab), inside its namespaces
	check "$name: n1 (higher priority) holds the VIP" wait_serves n1 "$vip" $SECS
	check "$name: n2 does not" not serves n2 "$vip"
	if [ "$daemons" = keepalived ]; then
		check "$name: n1 is MASTER" wait_until $SECS ka_is n1 MASTER
	else
		check "$name: n1 is MASTER" wait_state n1 MASTER $SECS
	fi
	flag n1
	check "$name: n1's check exits 2: the VIP moves to n2" wait_serves n2 "$vip" $SECS
	check "$name: and leaves n1" wait_not_serves n1 "$vip" $SECS
	rm -f "$HAFD_LAB_DIR/$PREFIX/n1/run/fail"
	check "$name: n1's check passes again: the VIP comes back" wait_serves n1 "$vip" $SECS
	lab_down
}

scenario "keepalived pair" keepalived
scenario "converted hafd pair" hafd
