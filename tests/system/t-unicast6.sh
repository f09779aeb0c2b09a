#!/bin/bash
# IPv6 unicast across a router (hafd-lab up --routed): n1 on fd77::/64, n2
# on fd78::/64, each sending from its global address (unicast_src) to the
# other's. Adverts arrive with hop limit 254, which unicast mode accepts
# from a configured peer; election, failover after a SIGKILL, and
# preemption work across the router.
. "$(dirname "$0")/lib.sh"
need_root

# A /128 VIP: the nodes sit on different subnets.
tpl=$(lab_conf unicast6.conf - <<'T'
[instance web6]
vrid = 52
virtual_ip = fd77::100/128
unicast_src = @ADDR6@
unicast_peer = @PEERS6@
T
)
N1=fd77::11 N2=fd78::12 VIP=fd77::100

lab_up -n 2 --routed -c "$tpl" --no-start
lab start n1
check "n1 (150, $N1) becomes master alone" wait_state n1 MASTER 5
check "n1 holds $VIP" wait_holds n1 "$VIP" 5
lab start n2
check "n2 (100, $N2) starts as backup" wait_state n2 BACKUP 5
check "n2 hears n1 across the router and stays backup" \
	stays 1 eval "is_state n2 BACKUP && holds n1 $VIP && ! holds n2 $VIP"

if have_scapy; then
	adverts=$(vrrp_scapy n2 sniff -c 2 -t 3 --vrid 52)
	mapfile -t lines <<<"$adverts"; diag "${lines[@]}"
	check "n1's adverts reach n2 unicast from its global address, hop limit 254" \
		test "$(grep -c "src=$N1 dst=$N2 ttl=254 version=3 vrid=52 prio=150 " <<<"$adverts")" -ge 2
else
	skip_rest "python3-scapy not installed: adverts not captured"
fi

lab kill n1
check "n2 takes over when n1 is killed" wait_log n2 'BACKUP -> MASTER' 5
check "n2 holds $VIP" wait_holds n2 "$VIP" 5
lab start n1
check "n1 returns and preempts n2 across the router" \
	wait_log n1 'BACKUP -> MASTER \(preempting lower priority master\)' 5
check "n2 yields to n1" wait_log n2 'MASTER -> BACKUP \(higher priority advert\)' 5
check "n1 holds $VIP again, n2 released it" wait_until 5 eval "holds n1 $VIP && ! holds n2 $VIP"
check "no protocol errors logged" eval 'no_proto_errors n1 && no_proto_errors n2'
