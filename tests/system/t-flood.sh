#!/bin/bash
# Spoofed VRRP floods against hafd's nftables tables (issue 19 item 7). The
# per-source rate limit (set vrrp_rate4, 4096 sources) holds a flood from
# one address, but an attacker who forges a new source address per packet
# passes it: each source sends a few packets, far below the limit, and once
# 4096 sources fill the set a new one is not tracked at all. The cap on
# VRRP from sources hafd does not know (its unicast peers, the masters its
# backups follow) holds whatever the number of sources, while the master's
# own adverts are exempt from it, so the backup keeps hearing them.
#
# From the client, tests/tools/vrrp-flood -S sends valid-looking adverts
# from tens of thousands of forged addresses (outside the lab's /24), at
# FLOOD_PPS (30000) for FLOOD_S seconds each: for the instance's own VRID
# at priority 1 to both nodes, then to the backup alone, then for a VRID
# configured nowhere. Checked: hafd on either node read no more of them
# than the cap lets through (its counters in `hafctl status --json`), the
# cap's nft rules dropped the rest, the backup kept following the master
# (whose adverts the cap does not count) and neither changed state.
# Then a busy segment without attack (other routers' VRRP at 3000/s): a
# failover among three nodes elects one master. Then legitimate traffic at
# scale, 255 VRIDs with 10 ms adverts
# (HAFD_TEST_FLOOD_SCALE=0 skips it): the cap drops none of it, at start-up
# (before the backups know their master) or after.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
FLOOD=$BUILDDIR/tests/tools/vrrp-flood
PY=${SCAPY_PYTHON:-/usr/bin/python3}
FLOOD_PPS=${HAFD_TEST_FLOOD_PPS:-30000}
FLOOD_S=${HAFD_TEST_FLOOD_SECS:-4}
SOURCES=20000                   # forged sources: five times the per-source set
SPOOF_BASE=10.78.0.0            # 10.78.0.0 .. 10.78.78.31: no lab address
CAP_DEFAULT=1000                # man hafd.conf, nft_vrrp_cap
N1=10.77.0.11
D="$HAFD_LAB_DIR/$PREFIX"
C_CAP="hafd: VRRP beyond the cap on unknown sources"
if [ ! -x "$FLOOD" ] || [ ! -x "$HAFCTL" ] || ! command -v jq >/dev/null; then
	echo "1..0 # SKIP needs $FLOOD, $HAFCTL (make) and jq"
	exit 77
fi

ctl() { local node=$1; shift; "$HAFCTL" -s "$D/$node/run/hafd.sock" "$@"; }
status() { ctl "$1" status --json 2>/dev/null; }   # NODE
# NODE JQ: a value from the node's status.
st() { status "$1" | jq -r "$2"; }
rcvd() { st "$1" '.instances[] | select(.name == "web") | .counters.rcvd_advertisements'; }
vrid_errors() { st "$1" '.counters.vrid_errors'; }
transitions() { count_in_log "$1" '\] [A-Z]+ -> [A-Z]+ \('; }
# Packets the cap's rules dropped on NODE (both families, both rules); 0
# without them.
cap_drops() { nft_count "$1" 'VRRP beyond the cap'; }
rate_set_size() {   # NODE: sources in the per-source set now
	in_ns "$1" nft -j list set inet hafd vrrp_rate4 2>/dev/null |
		jq '[.nftables[] | select(.set) | .set.elem // [] | .[]] | length'
}

# What the cap lets through in SECS seconds, from what the node's status says
# (the default when it says nothing: the code before the cap existed):
# the bucket's rate for each second and a second more, its burst and the
# rate again (nft's bucket holds rate + burst).
cap_allows() {   # NODE SECS
	local pps burst
	pps=$(st "$1" '.nft.vrrp_cap_pps // empty')
	burst=$(st "$1" '.nft.vrrp_cap_burst // empty')
	pps=${pps:-$CAP_DEFAULT} burst=${burst:-$CAP_DEFAULT}
	awk -v p="$pps" -v b="$burst" -v s="$2" 'BEGIN { printf "%d", p * (s + 1) + b + p }'
}

template() {   # INSTANCES INTERVAL
	local i
	{
		printf '[global]\nrouter_id = @NODE@\nnft_table = hafd\n'
		printf '\n[instance web]\ninterface = eth0\nvrid = 51\npriority = @PRIO@\n'
		printf 'advert_interval = %s\nvirtual_ip = 10.77.0.100/24\n' "$2"
		for ((i = 2; i <= $1; i++)); do
			printf '\n[instance v%d]\ninterface = eth0\nvrid = %d\npriority = @PRIO@\n' \
				"$i" $((i <= 51 ? i - 1 : i))
			printf 'advert_interval = %s\nvirtual_ip = 10.79.%d.1/32\n' "$2" "$i"
		done
	} | write_template "flood-$1.conf"
}

# flood LABEL ARGS...: FLOOD_PPS forged adverts a second for FLOOD_S seconds
# from the client; sets OUT (the flooder's line) and SECS.
flood() {
	local t0 t1
	t0=$EPOCHREALTIME
	OUT=$(in_ns client "$FLOOD" -s $SPOOF_BASE -S $SOURCES -r "$FLOOD_PPS" -t "$FLOOD_S" "$@")
	t1=$EPOCHREALTIME
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	diag "$1: $OUT"
}

# ---- one instance, 100 ms adverts -------------------------------------------------

lab_up -n 2 -c "$(template 1 100ms)"
wait_log n1 'BACKUP -> MASTER' 5 && wait_log n2 'INIT -> BACKUP' 5 &&
	wait_until 5 eval '[ "$(st n2 ".instances[0].master_address")" = $N1 ]'
ok $? "n1 master, n2 backup following it" || exit 1
sleep 1
check "no flood: the cap dropped nothing (n1 $(cap_drops n1), n2 $(cap_drops n2))" \
	test "$(($(cap_drops n1) + $(cap_drops n2)))" = 0

# -- the instance's own VRID, priority 1, multicast: the master answers what
#    reaches it (an advert at most every 10 ms), the backup discards them
#    behind the master it follows
r1=$(rcvd n1) r2=$(rcvd n2) tr1=$(transitions n1) tr2=$(transitions n2) k0=$(cap_drops n2)
flood "VRID 51, priority 1, $SOURCES sources" -v 51 -p 1 -I 10
sleep 0.5
d1=$(($(rcvd n1) - r1)) d2=$(($(rcvd n2) - r2))
sent=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$OUT")
set_n=$(rate_set_size n2)
diag "sent $sent; hafd read n1 $d1, n2 $d2; the cap dropped $(($(cap_drops n2) - k0)) on n2;" \
	"the per-source set holds $set_n sources"
check "the flood filled the per-source set ($set_n of 4096 sources)" test "${set_n:-0}" -ge 4000
allow=$(cap_allows n2 "$SECS")
check "backup: hafd read no more than the cap lets through ($d2 <= $allow in ${SECS}s)" \
	test "$d2" -le "$allow"
allow=$(cap_allows n1 "$SECS")
check "master: hafd read no more than the cap lets through ($d1 <= $allow)" test "$d1" -le "$allow"
check "the cap's rule dropped the rest on n2" test "$(($(cap_drops n2) - k0))" -ge $((sent - allow - sent / 10))
check "the backup did not change state" test "$(transitions n2)" = "$tr2"
check "the master did not change state" test "$(transitions n1)" = "$tr1"
check "the backup still follows n1 (its adverts are exempt from the cap)" \
	test "$(st n2 '.instances[0].master_address')" = $N1
check "the status lists n1 among the backup's known sources" \
	eval 'st n2 ".nft.vrrp_known // [] | index(\"$N1\")" | grep -qv null'

# -- the same aimed at the backup alone (to its address): the master does not
#    see it, so does not answer it, and its 10 adverts a second are all that
#    holds the backup. Were they counted against the cap, about one in 30
#    would reach hafd, and the backup would take over within a second.
r2=$(rcvd n2) tr1=$(transitions n1) tr2=$(transitions n2) k0=$(cap_drops n2)
flood "VRID 51, priority 1, to the backup alone" -v 51 -p 1 -I 10 -d 10.77.0.12
sleep 0.5
d2=$(($(rcvd n2) - r2))
diag "hafd on n2 read $d2; the cap dropped $(($(cap_drops n2) - k0))"
check "backup alone: hafd read no more than the cap lets through ($d2 <= $(cap_allows n2 "$SECS"))" \
	test "$d2" -le "$(cap_allows n2 "$SECS")"
check "backup alone: it did not take over, the master's adverts kept reaching it" \
	test "$(transitions n2)/$(transitions n1)" = "$tr2/$tr1"
check "backup alone: it still follows n1" test "$(st n2 '.instances[0].master_address')" = $N1

# -- a VRID configured nowhere
e1=$(vrid_errors n1) e2=$(vrid_errors n2) tr1=$(transitions n1) tr2=$(transitions n2)
flood "VRID 77, $SOURCES sources" -v 77 -p 200 -I 10
sleep 0.5
d1=$(($(vrid_errors n1) - e1)) d2=$(($(vrid_errors n2) - e2))
diag "hafd read n1 $d1, n2 $d2"
check "another VRID: hafd read no more than the cap lets through (n1 $d1, n2 $d2 <= $(cap_allows n2 "$SECS"))" \
	test "$d1" -le "$(cap_allows n1 "$SECS")" -a "$d2" -le "$(cap_allows n2 "$SECS")"
check "another VRID: no state changed" \
	test "$(transitions n1)/$(transitions n2)" = "$tr1/$tr2"
lab_down

# ---- a busy segment, no attack: a failover among three nodes ---------------------------
# 30 other routers on the segment (10.78.0.1 and up), 100 adverts a second
# each for VRID 77, which hafd does not run. n1 dies; n2 takes over and n3
# must hear n2 at once: an unknown source until then. With one bucket for
# all unknown VRRP the other routers' 3000/s filled it, n3 heard n2's
# adverts about one time in three and took over too: two masters for
# seconds. VRIDs not run here have a bucket of their own.
lab_up -n 3 -c "$(template 1 100ms)"
wait_log n1 'BACKUP -> MASTER' 5 && wait_log n2 'INIT -> BACKUP' 5 && wait_log n3 'INIT -> BACKUP' 5
ok $? "three nodes: n1 master" || exit 1
sleep 1
in_ns client "$FLOOD" -s 10.78.0.0 -S 30 -r 3000 -t 8 -v 77 -p 100 -I 1 >/dev/null &
fpid=$!
on_exit "kill $fpid"
sleep 2
lab kill n1
check "busy segment: n2 takes over from the dead n1" wait_log n2 'BACKUP -> MASTER' 5
check "busy segment: n3 never becomes master (one master, n2)" stays 4 never_logged n3 'BACKUP -> MASTER'
wait "$fpid" 2>/dev/null
lab_down

# ---- legitimate traffic at scale: 255 VRIDs, 10 ms adverts ----------------------------

if [ "${HAFD_TEST_FLOOD_SCALE:-1}" = 0 ]; then
	skip_rest "HAFD_TEST_FLOOD_SCALE=0"
	exit 0
fi
lab_up -n 3 -c "$(template 255 10ms)" --no-start
lab start n1
wait_until 20 eval '[ "$(count_in_log n1 "BACKUP -> MASTER")" -ge 255 ]'
ok $? "255 VRIDs at 10 ms: n1 master of all" || exit 1
lab start n2
lab start n3
# Each backup starts knowing no master: n1's first adverts come from an
# unknown source, 25,500 a second, until hafd has heard it.
wait_until 20 eval '[ "$(count_in_log n2 "INIT -> BACKUP")" -ge 255 ] &&
	[ "$(count_in_log n3 "INIT -> BACKUP")" -ge 255 ]'
ok $? "n2 and n3 backup of all 255"
sleep 3
diag "cap drops: n1 $(cap_drops n1), n2 $(cap_drops n2), n3 $(cap_drops n3);" \
	"n2 knows $(st n2 '.nft.vrrp_known // [] | join(",")')"
check "start-up and 3 s of 10 ms adverts for 255 VRIDs: the cap dropped none" \
	test "$(($(cap_drops n1) + $(cap_drops n2) + $(cap_drops n3)))" = 0
check "no backup took over" \
	test "$(count_in_log n2 'BACKUP -> MASTER')/$(count_in_log n3 'BACKUP -> MASTER')" = 0/0
