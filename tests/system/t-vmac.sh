#!/bin/bash
# use_vmac between two hafd nodes. Each makes a macvlan with the VRRP MAC
# at start (vrrp.VRID, vrrp6.VRID for IPv6, mode bridge), down; the master
# brings its own up and puts the VIP on it. Clients learn the VMAC for the
# VIP; adverts, GARPs and NAs leave from the VMAC; on failover the new
# master's GARP moves the VMAC at the switch; a killed node's macvlan is
# removed by its crash guard; a graceful stop removes it. For IPv6 the
# macvlan never gets a link-local address derived from the VMAC (RFC 9568
# item 35): it carries the node's own while master.
. "$(dirname "$0")/lib.sh"
need_root
WIRE=1
have_tshark || { WIRE=0; diag "tshark or tcpdump missing: wire checks skipped"; }

VMAC4=00:00:5e:00:01:33
VMAC6=00:00:5e:00:02:3d
link_mac() { in_ns "$1" cat "/sys/class/net/$2/address" 2>/dev/null; }   # NODE IF
link_up() { in_ns "$1" ip -br link show dev "$2" 2>/dev/null | grep -q '[<,]UP[,>]'; }   # NODE IF: IFF_UP
has_link() { in_ns "$1" ip link show dev "$2" >/dev/null 2>&1; }
addrs_on() { in_ns "$1" ip -br addr show dev "$2" 2>/dev/null | awk '{ $1 = $2 = ""; print }'; }
sysctl_of() { in_ns "$1" cat "/proc/sys/net/$2"; }   # NODE PATH
fdb_port() {   # MAC: the switch port the bridge learned it on
	in_ns sw bridge fdb show br br0 | awk -v m="$1" '$1 == m { print $3; exit }'
}
client_neigh_is_vmac() { [ "$(neigh_mac client "$1")" = "$2" ]; }   # ADDR VMAC
# A two-node lab from TEMPLATE, captured from the start to NAME.pcap
# (WIRE), probes served; n1 becomes master and n2 backup.
start_pair() {   # TEMPLATE NAME
	lab_up -n 2 -c "$1" --no-start
	[ $WIRE = 1 ] && capture_start "$2"
	lab start n1; lab start n2
	serve_probes n1 n2
	wait_state n1 MASTER 5 && wait_state n2 BACKUP 5
}

# --- IPv4 -----------------------------------------------------------------------
tpl=$(lab_conf vmac4.conf '[instance web]' 'use_vmac = yes')
start_pair "$tpl" vmac4
ok $? "n1 (150) becomes master, n2 (100) backup"
check "n1 logs its virtual MAC" wait_log n1 "\[web/VRID 51\] virtual MAC $VMAC4 on vrrp.51" 1
check "n1 has macvlan vrrp.51 with MAC $VMAC4" test "$(link_mac n1 vrrp.51)" = $VMAC4
check "vrrp.51 is a macvlan in bridge mode on eth0" \
	eval "in_ns n1 ip -d link show dev vrrp.51 | grep -q 'macvlan mode bridge' &&
	      in_ns n1 ip -br link show dev vrrp.51 | grep -q '^vrrp.51@eth0 '"
check "the master's vrrp.51 is up and holds the VIP" \
	eval "link_up n1 vrrp.51 && wait_until 2 eval \"addrs_on n1 vrrp.51 | grep -qw 10.77.0.100\""
check "the VIP is not on n1's eth0" not holds n1
check "the backup has vrrp.51 too, down and without the VIP" \
	eval "test \"\$(link_mac n2 vrrp.51)\" = $VMAC4 && ! link_up n2 vrrp.51 && test -z \"\$(addrs_on n2 vrrp.51 | tr -d ' ')\""
check "sysctls: vrrp.51 arp_ignore 1, arp_announce 2, rp_filter 0, no IPv6" \
	test "$(sysctl_of n1 ipv4/conf/vrrp.51/arp_ignore) $(sysctl_of n1 ipv4/conf/vrrp.51/arp_announce) $(sysctl_of n1 ipv4/conf/vrrp.51/rp_filter) $(sysctl_of n1 ipv6/conf/vrrp.51/disable_ipv6)" = "1 2 0 1"
check "sysctls: eth0 arp_ignore 1, arp_announce 2 (no answer for the VIP with eth0's MAC)" \
	test "$(sysctl_of n1 ipv4/conf/eth0/arp_ignore) $(sysctl_of n1 ipv4/conf/eth0/arp_announce)" = "1 2"
check "n1's macvlan is journaled" grep -qx vrrp.51 "$HAFD_LAB_DIR/$PREFIX/n1/run/vmacs"
check "the client reaches the VIP on n1" test "$(who_answers)" = n1
check "the client's ARP entry for the VIP is the VMAC" client_neigh_is_vmac 10.77.0.100 $VMAC4
check "the switch learned the VMAC on n1's port" test "$(fdb_port $VMAC4)" = p-n1

lab kill n1
check "n2 takes over at once when n1 is killed (its crash guard resigns for it)" \
	wait_log n2 'BACKUP -> MASTER \(master resigned' 5
check "n2's vrrp.51 is up with the VIP" eval "wait_serves n2 10.77.0.100 5 && link_up n2 vrrp.51"
check "n2's GARP moved the VMAC to n2's port at the switch" wait_until 3 eval "test \"\$(fdb_port $VMAC4)\" = p-n2"
check "the client reaches the VIP on n2" test "$(who_answers)" = n2
check "the client's ARP entry is still the VMAC" client_neigh_is_vmac 10.77.0.100 $VMAC4

check "n1's crash guard removed the killed run's macvlan" \
	eval "wait_log n1 'removed macvlan vrrp.51 \\(listed in the macvlan journal\\)' 5 && not has_link n1 vrrp.51"
lab start n1
check "restarted n1 makes its macvlan again" wait_until 5 has_link n1 vrrp.51
check "n1 preempts and takes the VMAC back" \
	eval "wait_last_run n1 'BACKUP -> MASTER' 5 && wait_until 3 eval \"test \\\"\\\$(fdb_port $VMAC4)\\\" = p-n1\""
check "n2 took its macvlan down" eval "wait_state n2 BACKUP 5 && wait_until 2 not link_up n2 vrrp.51"

lab stop n1
check "a graceful stop removes the macvlan" not has_link n1 vrrp.51
check "... and empties the macvlan journal" test ! -s "$HAFD_LAB_DIR/$PREFIX/n1/run/vmacs"
check "n2 takes over at once on n1's priority 0" wait_log n2 'BACKUP -> MASTER \(master resigned' 5

if [ $WIRE = 1 ]; then
	capture_stop vmac4
	check "every advert from n1 left from the VMAC, and decodes in tshark" \
		hafd_adverts_ok vmac4 n1 4 3 100 224.0.0.18 51 150 10.77.0.100 $VMAC4
	golden_keep vmac4 "ip.src == 10.77.0.11 && vrrp.prio == 150" hafd-vrrpv3-ipv4-vmac.pcap
	check "the priority-0 adverts (crash guard, graceful stop) left from the VMAC too" \
		test "$(vrrp_adverts vmac4 'ip.src == 10.77.0.11 && vrrp.prio == 0' | grep -c "^mac=$VMAC4 ")" -ge 2
	garps=$(tshark -r "$TMP/vmac4.pcap" -Y 'arp.src.proto_ipv4 == 10.77.0.100' -T fields \
		-e eth.src -e arp.src.hw_mac 2>/dev/null | sort | uniq -c)
	diag "ARP from the VIP: $(tr '\n\t' '; ' <<<"$garps")"
	check "every ARP for the VIP (GARPs and replies) came from the VMAC" \
		eval "test -n \"\$garps\" && ! grep -v \"$VMAC4	$VMAC4\" <<<\"\$(tshark -r $TMP/vmac4.pcap \
		-Y 'arp.src.proto_ipv4 == 10.77.0.100' -T fields -e eth.src -e arp.src.hw_mac 2>/dev/null)\""
	check "no frame left n1's eth0 MAC from the VIP" test -z "$(tshark -r "$TMP/vmac4.pcap" \
		-Y "eth.src == $(mac_of n1) && (arp.src.proto_ipv4 == 10.77.0.100)" 2>/dev/null)"
fi
lab_down

# --- IPv6 -----------------------------------------------------------------------
tpl=$(lab_conf vmac6.conf '[instance web6]' 'vrid = 61' 'virtual_ip = fd77::100/64' 'use_vmac = yes')
start_pair "$tpl" vmac6
ok $? "IPv6: n1 (150) becomes master, n2 (100) backup"
check "IPv6: n1 has vrrp6.61 with MAC $VMAC6" test "$(link_mac n1 vrrp6.61)" = $VMAC6
check "IPv6: vrrp6.61 holds the VIP" wait_until 2 eval "addrs_on n1 vrrp6.61 | grep -qw fd77::100"
ll1=$(node_vrrp_src n1 6)
check "IPv6: no link-local derived from the VMAC (addr_gen_mode none), only n1's own" \
	eval "test \"\$(sysctl_of n1 ipv6/conf/vrrp6.61/addr_gen_mode)\" = 1 &&
	      ! addrs_on n1 vrrp6.61 | grep -q fe80::200:5eff:fe00:23d &&
	      addrs_on n1 vrrp6.61 | grep -qw $ll1/64"
check "IPv6: the backup's vrrp6.61 is down, without addresses" \
	eval "! link_up n2 vrrp6.61 && test -z \"\$(addrs_on n2 vrrp6.61 | tr -d ' ')\""
check "IPv6: the client reaches the VIP on n1" test "$(who_answers fd77::100)" = n1
check "IPv6: the client's neighbour entry for the VIP is the VMAC" client_neigh_is_vmac fd77::100 $VMAC6
lab kill n1
check "IPv6: n2 takes over when n1 is killed" wait_log n2 'BACKUP -> MASTER' 5
check "IPv6: n2's NA moved the VMAC to n2's port at the switch" wait_until 3 eval "test \"\$(fdb_port $VMAC6)\" = p-n2"
check "IPv6: the client reaches the VIP on n2" test "$(who_answers fd77::100)" = n2
if [ $WIRE = 1 ]; then
	capture_stop vmac6
	check "IPv6: every advert from n1 left from the VMAC and n1's link-local, decodes in tshark" \
		hafd_adverts_ok vmac6 n1 6 3 100 ff02::12 61 150 fd77::100 $VMAC6
	golden_keep vmac6 "ipv6.src == $ll1 && vrrp.prio == 150" hafd-vrrpv3-ipv6-vmac.pcap
	check "IPv6: every NA for the VIP came from the VMAC" eval "test -z \"\$(tshark -r $TMP/vmac6.pcap \
		-Y 'icmpv6.type == 136 && icmpv6.nd.na.target_address == fd77::100 && eth.src != $VMAC6' 2>/dev/null)\" &&
		test -n \"\$(tshark -r $TMP/vmac6.pcap -Y 'icmpv6.type == 136 && icmpv6.nd.na.target_address == fd77::100' 2>/dev/null)\""
fi
lab_down

# --- one VRID on two interfaces ---------------------------------------------------
# Names must not collide: each macvlan is then vrrp.VRID.IFINDEX.
tpl=$(lab_conf vmac2.conf - <<'T'
[instance a]
priority =
use_vmac = yes

[instance b]
interface = x0
priority =
virtual_ip = 10.79.0.100/24
use_vmac = yes
T
)
lab_up -n 1 -c "$tpl" --no-start
in_ns n1 ip link add x0 type veth peer name x1
in_ns n1 ip addr add 10.79.0.1/24 dev x0
in_ns n1 ip link set x1 up
in_ns n1 ip link set x0 up
lab start n1
i0=$(in_ns n1 cat /sys/class/net/eth0/ifindex); ix=$(in_ns n1 cat /sys/class/net/x0/ifindex)
check "two interfaces, one VRID: both instances become master" \
	eval "wait_state n1 MASTER 5 'a/VRID' && wait_state n1 MASTER 5 'b/VRID'"
check "... on macvlans vrrp.51.$i0 (on eth0) and vrrp.51.$ix (on x0)" \
	eval "in_ns n1 ip -br link show dev vrrp.51.$i0 | grep -q '^vrrp.51.$i0@eth0 ' &&
	      in_ns n1 ip -br link show dev vrrp.51.$ix | grep -q '^vrrp.51.$ix@x0 '"
check "... each with its VIP" \
	eval "wait_until 2 eval \"addrs_on n1 vrrp.51.$i0 | grep -qw 10.77.0.100 && addrs_on n1 vrrp.51.$ix | grep -qw 10.79.0.100\""
lab_down

# --- the macvlan cannot be made: FAULT, and hafctl says why ------------------------
# A link named vrrp.51 that is not hafd's (a veth here) is left alone; the
# instance waits in FAULT, and status names the reason "vmac" (it said
# "other" before).
tpl=$(lab_conf vmacfail.conf '[instance web]' 'use_vmac = yes')
lab_up -n 1 -c "$tpl" --no-start
in_ns n1 ip link add vrrp.51 type veth peer name vx1
lab start n1
check "a link vrrp.51 that is not ours: the instance waits in FAULT" wait_state n1 FAULT 5
st=$("${HAFCTL:-$BUILDDIR/hafctl}" -s "$HAFD_LAB_DIR/$PREFIX/n1/run/hafd.sock" status --json 2>/dev/null)
check "hafctl status --json gives the reason: vmac" \
	eval 'jq -en --argjson s "$st" "\$s | .instances[0].faults == [\"vmac\"]" >/dev/null'
check "hafctl status says FAULT(vmac)" \
	eval '"${HAFCTL:-$BUILDDIR/hafctl}" -s "$HAFD_LAB_DIR/$PREFIX/n1/run/hafd.sock" status | grep -q "FAULT(vmac)"'
check "the veth by that name is left alone" in_ns n1 ip link show dev vx1
