#!/bin/bash
# VRRPv2 (RFC 3768): an instance with `version = 2` and whole-second adverts
# elects a master, advertises version 2 on the wire, drops version 3
# adverts for its VRID, and fails over when the master is killed.
. "$(dirname "$0")/lib.sh"
need_root

tpl=$(lab_conf v2.conf '[instance web]' 'version = 2' 'advert_interval = 1s')

lab_up -n 2 -c "$tpl"
serve_probes n1 n2
# v2 master-down interval: 3 s + Skew_Time (0.4 s for priority 150).
check "n1 (150) becomes master" wait_state n1 MASTER 8
check "n2 (100) is backup" wait_state n2 BACKUP 2
check "n1 holds the VIP" wait_holds n1
check "n2 does not hold the VIP" not holds n2

if have_scapy; then
	adverts=$(vrrp_scapy client sniff -c 2 -t 4 --vrid 51)
	mapfile -t lines <<<"$adverts"; diag "${lines[@]}"
	check "the client sees n1's adverts" test "$(grep -c . <<<"$adverts")" -ge 2
	check "they are version 2, every second, TTL 255, from n1 to 224.0.0.18" \
		test "$(grep -vc 'src=10.77.0.11 dst=224.0.0.18 ttl=255 version=2 vrid=51 prio=150 interval_cs=100$' <<<"$adverts")" = 0
	# A version 3 advert for the same VRID, priority 255: a v3 router on
	# the segment must not take the VIP from a v2 instance.
	check "the client sends a version 3 advert, priority 255, for VRID 51" \
		vrrp_scapy client send --dst 224.0.0.18 --vrid 51 --prio 255 --vip 10.77.0.100 --version 3
	check "n1 drops a version 3 advert" \
		wait_log n1 'dropped VRRP packet from 10\.77\.0\.2 \(VRID 51\): bad version' 3
	check "n1 never left MASTER and holds the VIP" \
		eval "never_logged n1 'MASTER -> ' && holds n1"
else
	skip_rest "python3-scapy not installed: adverts not captured or forged"
fi
check "the client reaches the VIP on n1" test "$(who_answers)" = n1

lab kill n1
check "n2 takes over when n1 is killed" wait_log n2 'BACKUP -> MASTER' 8
check "n2 holds the VIP" wait_holds n2
check "the client reaches the VIP on n2" test "$(who_answers)" = n2
