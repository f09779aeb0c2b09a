#!/bin/bash
# The send-only sockets that GARPs and NAs leave from are never read, so
# nothing may queue on them (issue 19, item 6): the packet socket must not
# take in the link's ARP frames, and the raw ICMPv6 socket must filter out
# every ICMPv6 message the host receives. Under ARP and ICMPv6 traffic the
# receive queues of n1's packet and ICMPv6 sockets stay empty, and after a
# takeover the client still sees the new master's GARP and NA.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
tpl=$(lab_conf rxq.conf '[instance web4]' '[instance web6]' 'vrid = 61' 'virtual_ip = fd77::100/64')
# Bytes queued on NODE's packet sockets (/proc/net/packet: Rmem, column 7),
# and on its raw ICMPv6 sockets (/proc/net/raw6, port 003A: rx_queue).
packet_rmem() { in_ns "$1" awk 'NR > 1 { s += $7 } END { print s + 0 }' /proc/net/packet; }
icmp6_rxq() {
	local q s=0
	for q in $(in_ns "$1" awk 'NR > 1 && $2 ~ /:003A$/ { sub(".*:", "", $5); print $5 }' /proc/net/raw6); do
		s=$((s + 16#$q))
	done
	echo $s
}
n_sockets() {   # NODE: packet sockets and raw ICMPv6 sockets
	echo "$(in_ns "$1" awk 'NR > 1' /proc/net/packet | wc -l)" \
		"$(in_ns "$1" awk 'NR > 1 && $2 ~ /:003A$/' /proc/net/raw6 | wc -l)"
}

lab_up -n 2 -c "$tpl"
check "n1 is master of both instances" eval 'wait_state n1 MASTER 5 web4 && wait_state n1 MASTER 5 web6'
check "n1 holds both VIPs" eval 'wait_holds n1 10.77.0.100 && wait_holds n1 fd77::100'
diag "n1: $(n_sockets n1) (packet, raw ICMPv6) sockets"
check "n1 has its packet socket and its raw ICMPv6 socket" test "$(n_sockets n1)" = "1 1"

# ARP: requests for absent addresses are broadcast, three each. ICMPv6:
# echo requests to the VIP, and the neighbour solicitations before them.
for i in $(seq 200 239); do
	in_ns client ping -c 1 -W 1 "10.77.0.$i" >/dev/null 2>&1 &
done
in_ns client ping -6 -c 200 -i 0.005 -q fd77::100 >/dev/null 2>&1
in_ns client ping -c 50 -i 0.005 -q 10.77.0.100 >/dev/null 2>&1
wait
rmem=$(packet_rmem n1) rxq=$(icmp6_rxq n1)
diag "after the traffic: packet Rmem $rmem, ICMPv6 rx_queue $rxq"
check "nothing is queued on n1's packet socket" test "$rmem" = 0
check "nothing is queued on n1's raw ICMPv6 socket" test "$rxq" = 0

# A takeover: n2's GARP and NA reach the client.
# (A capture of a fixed length: a background job ignores SIGINT.)
in_ns client timeout 6 tcpdump -i eth0 -n -U -w "$TMP/takeover.pcap" 'arp or icmp6' \
	>/dev/null 2>&1 &
tcpd=$!
sleep 1
lab stop n1
check "n2 takes over both instances" eval 'wait_state n2 MASTER 5 web4 && wait_state n2 MASTER 5 web6'
wait "$tcpd"
mac2=$(mac_of n2)
tcpdump -n -e -r "$TMP/takeover.pcap" 2>/dev/null >"$TMP/takeover.txt"
check "the client saw n2's gratuitous ARP for 10.77.0.100" \
	grep -qE "^.* $mac2 > ff:ff:ff:ff:ff:ff.*ARP.*Request who-has 10.77.0.100 .*tell 10.77.0.100" "$TMP/takeover.txt"
check "the client saw n2's unsolicited NA for fd77::100" \
	grep -qE "^.* $mac2 > .*neighbor advertisement, tgt is fd77::100" "$TMP/takeover.txt"
errs=$("$HAFCTL" -s "$HAFD_LAB_DIR/$PREFIX/n2/run/hafd.sock" status --json |
	python3 -c 'import json, sys; print(sum(i["counters"]["send_errors"] for i in json.load(sys.stdin)["instances"]))')
check "n2 counted no send errors" test "$errs" = 0
