#!/bin/bash
# unicast_ttl_check: a unicast advert is taken from a configured peer
# whatever its TTL (it may have crossed a router), so a host that forges a
# peer's source address can force a failover from off the link. With
# unicast_ttl_check = yes, peers on one link still elect each other, and a
# forged advert with TTL 254 (what one router hop leaves) is dropped by
# both the master (priority 255, "yield") and the backup (priority 0,
# "take over"). With the default (no), a routed pair still works, and the
# same forged advert makes the master yield: the trade-off hafd.conf(5)
# describes.
. "$(dirname "$0")/lib.sh"
need_root
if ! have_scapy; then
	echo "1..0 # SKIP python3-scapy not installed: no forged adverts"
	exit 77
fi

tpl() {   # YES|NO: the unicast_ttl_check line, or none for the default
	lab_conf "ttl-$1.conf" - "$([ "$1" = yes ] && echo "unicast_ttl_check = yes")" <<'T'
[instance web]
virtual_ip = 10.77.0.100/32
unicast_src = @ADDR4@
unicast_peer = @PEERS4@
T
}

N1=10.77.0.11
ttl_drop() { echo "dropped VRRP packet from ${1//./\\.} \\(VRID 51\\): TTL/hop limit not 255"; }
# forge NODE-ADDR AS-ADDR PRIO: from the client, TTL 254, claiming AS-ADDR.
forge() {
	vrrp_scapy client send --dst "$1" --src "$2" --ttl 254 --vrid 51 --prio "$3" \
		--vip 10.77.0.100 --interval-cs 10
}

# ---- peers on one link, unicast_ttl_check = yes ---------------------------
N2=10.77.0.12
lab_up -n 2 -c "$(tpl yes)" --no-start
lab start n1
check "one link, unicast_ttl_check = yes: n1 (150) becomes master" wait_state n1 MASTER 5
lab start n2
check "n2 (100) becomes backup: adverts with TTL 255 pass the check" wait_state n2 BACKUP 5
check "and stays backup" stays 1 eval 'is_state n2 BACKUP && holds n1 && ! holds n2'

check "the client forges priority 255 from n2 ($N2) to n1, TTL 254" forge $N1 $N2 255
check "n1 drops it: TTL not 255" wait_log n1 "$(ttl_drop $N2)" 3
check "the client forges priority 0 from n1 ($N1) to n2, TTL 254" forge $N2 $N1 0
check "n2 drops it: TTL not 255" wait_log n2 "$(ttl_drop $N1)" 3
check "no failover: n1 stays master with the VIP, n2 backup" \
	stays 0.5 eval 'never_logged n1 "MASTER -> " && never_logged n2 "BACKUP -> MASTER" && holds n1 && ! holds n2'
lab_down

# ---- across a router, the default (no) -------------------------------------
N2=10.78.0.12
lab_up -n 2 --routed -c "$(tpl no)" --no-start
lab start n1
check "routed, default: n1 (150) becomes master" wait_state n1 MASTER 5
lab start n2
check "n2 (100, across the router) becomes backup" wait_state n2 BACKUP 5
check "and stays backup: adverts with TTL 254 are taken from the peer" \
	stays 1 eval 'is_state n2 BACKUP && holds n1 && ! holds n2'
check "the client forges priority 255 from n2 ($N2) to n1, TTL 254" forge $N1 $N2 255
check "without the check n1 takes it and yields: the failover the check prevents" \
	wait_log n1 'MASTER -> BACKUP \(higher priority advert\)' 3
