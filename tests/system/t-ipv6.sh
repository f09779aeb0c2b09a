#!/bin/bash
# IPv6: an instance with VIP fd77::100/64 advertises to ff02::12 from the
# node's link-local address with hop limit 255 (RFC 9568 §5.1.2.1, item 9);
# when the master is killed the backup takes over, its unsolicited NA moves
# the client's neighbour entry, and the client reaches the VIP on it.
. "$(dirname "$0")/lib.sh"
need_root

VIP=fd77::100
tpl=$(lab_conf ipv6.conf '[instance web6]' 'vrid = 61' 'virtual_ip = fd77::100/64')
link_local() { in_ns "$1" ip -6 -o addr show dev eth0 scope link | awk '{ sub("/.*", "", $4); print $4 }'; }
client_neigh_is() { [ "$(neigh_mac client $VIP)" = "$(mac_of "$1")" ]; }   # NODE

lab_up -n 2 -c "$tpl"
serve_probes n1 n2
check "n1 (150) becomes master" wait_state n1 MASTER 5
check "n2 (100) is backup" wait_state n2 BACKUP 5
check "n1 holds $VIP" wait_holds n1 $VIP
check "n2 does not hold $VIP" not holds n2 $VIP
ll=$(link_local n1)
check "n1's primary address is its link-local ($ll)" wait_log n1 "\] primary address $ll\$" 1

if have_scapy; then
	adverts=$(vrrp_scapy client sniff -c 3 -t 3 --vrid 61)
	mapfile -t lines <<<"$adverts"; diag "${lines[@]}"
	check "the client sees n1's adverts" test "$(grep -c . <<<"$adverts")" -ge 3
	check "adverts leave from n1's link-local address to ff02::12" \
		test "$(grep -vc "src=$ll dst=ff02::12 " <<<"$adverts")" = 0
	check "adverts carry hop limit 255, version 3, priority 150" \
		test "$(grep -vc ' ttl=255 version=3 vrid=61 prio=150 ' <<<"$adverts")" = 0
else
	skip_rest "python3-scapy not installed: adverts not captured"
fi

check "the client reaches $VIP on n1" test "$(who_answers $VIP)" = n1
check "the client's neighbour entry for $VIP is n1's MAC" client_neigh_is n1

lab kill n1
check "n2 takes over when n1 is killed" wait_log n2 'BACKUP -> MASTER' 5
check "n2 holds $VIP" wait_holds n2 $VIP
# No traffic from the client until its cache has moved: only n2's
# unsolicited NA can have moved it.
check "n2's unsolicited NA moves the client's neighbour entry to n2" wait_until 3 client_neigh_is n2
check "the client reaches $VIP on n2" test "$(who_answers $VIP)" = n2
