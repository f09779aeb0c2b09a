#!/bin/bash
# Unicast mode across a router (hafd-lab up --routed): n1 on 10.77.0.0/24,
# n2 on 10.78.0.0/24. Adverts arrive with TTL 254, which unicast mode
# accepts, checking the sender against unicast_peer instead; election,
# failover and preemption work across the router, and an advert from a
# host that is not a configured peer is dropped however high its priority:
# by hafd's nftables rule when it is sent to the node (with nft_table =
# none, by hafd itself), by hafd when it is sent to 224.0.0.18.
. "$(dirname "$0")/lib.sh"
need_root

# A /32 VIP: the nodes sit on different subnets (no route side effects).
tpl=$(lab_conf unicast.conf - <<'T'
[instance web]
virtual_ip = 10.77.0.100/32
unicast_src = @ADDR4@
unicast_peer = @PEERS4@
T
)
N1=10.77.0.11 N2=10.78.0.12 CLIENT=10.77.0.2
NOT_A_PEER="dropped VRRP packet from ${CLIENT//./\\.} \(VRID 51\): not a configured unicast peer"
# NODE dropped the client's advert for that reason: in hafd (logged), or
# in its nftables input chain (counted).
dropped_not_a_peer() {
	[ "$(count_in_log "$1" "$NOT_A_PEER")" -gt 0 ] ||
		[ "$(nft_count "$1" 'not a unicast_peer')" -gt 0 ]
}

lab_up -n 2 --routed -c "$tpl" --no-start
lab start n1
check "n1 (150, $N1) becomes master alone" wait_state n1 MASTER 5
lab start n2
check "n2 (100, $N2) starts as backup" wait_state n2 BACKUP 5
check "n2 hears n1 across the router and stays backup" \
	stays 1 eval 'is_state n2 BACKUP && holds n1 && ! holds n2'

if have_scapy; then
	adverts=$(vrrp_scapy n2 sniff -c 2 -t 3 --vrid 51)
	mapfile -t lines <<<"$adverts"; diag "${lines[@]}"
	check "n1's adverts reach n2 unicast, with TTL 254 (one router hop)" \
		test "$(grep -c "src=$N1 dst=$N2 ttl=254 version=3 vrid=51 prio=150 " <<<"$adverts")" -ge 2

	# Priority 255 from the client, which is no one's peer: to the master
	# on its own subnet (TTL 255), to the backup through the router, and
	# to the VRRP group on the master's subnet.
	check "the client sends priority 255 adverts to n1 and n2" eval \
		'vrrp_scapy client send --dst $N1 --vrid 51 --prio 255 --vip 10.77.0.100 &&
		 vrrp_scapy client send --dst $N2 --vrid 51 --prio 255 --vip 10.77.0.100'
	check "n1 drops them: not a configured unicast peer" wait_until 3 dropped_not_a_peer n1
	check "n2 drops them: not a configured unicast peer" wait_until 3 dropped_not_a_peer n2
	check "and to 224.0.0.18" \
		vrrp_scapy client send --dst 224.0.0.18 --vrid 51 --prio 255 --vip 10.77.0.100
	check "hafd on n1 drops it: not a configured unicast peer" wait_log n1 "$NOT_A_PEER" 3
	diag "drops counted by nftables: n1 $(nft_count n1 'not a unicast_peer'), n2 $(nft_count n2 'not a unicast_peer')"
	check "n1 never left MASTER and holds the VIP" \
		eval "never_logged n1 'MASTER -> ' && holds n1"
else
	skip_rest "python3-scapy not installed: adverts not captured or forged"
fi

lab kill n1
check "n2 takes over when n1 is killed" wait_log n2 'BACKUP -> MASTER' 5
check "n2 holds the VIP" wait_holds n2
lab start n1
check "n1 returns and preempts n2 across the router" \
	wait_log n1 'BACKUP -> MASTER \(preempting lower priority master\)' 5
check "n2 yields to n1" wait_log n2 'MASTER -> BACKUP \(higher priority advert\)' 5
check "n1 holds the VIP again, n2 released it" wait_until 5 eval 'holds n1 && ! holds n2'
