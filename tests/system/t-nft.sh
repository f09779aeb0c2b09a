#!/bin/bash
# hafd's nftables tables (src/nft.c) in a lab, each node with its own:
# what they hold in Backup, Master and Fault; a VIP left on a backup by hand
# answers neither ping nor ARP nor NS; accept_mode = no drops traffic to the
# VIP but not VRRP; unicast adverts from a non-peer never reach hafd; a
# VRRP flood from one source is cut while 10 ms adverts pass; SIGTERM
# removes the tables, a restart after SIGKILL leaves exactly one fresh pair;
# nft_table = none creates nothing; fence_port: TCP to the VIP on a fenced
# port sent to the backup is reset at once, on the master it connects.
#
# HAFD_TEST_NFT_TABLE=none runs all of it with nft_table = none: every check
# of what the tables do must then fail (that is how they were shown to bite).
. "$(dirname "$0")/lib.sh"
need_root

T=${HAFD_TEST_NFT_TABLE:-hafd}
VIP=10.77.0.100 VIP6=fd77::100
export HAFD_ARGS="${HAFD_ARGS:-} -D"     # debug: the read-back status is logged

# The rules' comments (nft_build.c) name them in `nft -j` output.
C_PEER="hafd: VRRP from an address that is not a unicast_peer"
C_RATE="hafd: VRRP flood from one source"
C_STANDBY="hafd: VIP of an instance that is not master here"
C_NOACCEPT="hafd: accept_mode = no: only VRRP to the VIP"
C_NA="hafd: NA for a VIP that is not ours"
C_ARP="hafd: ARP for a VIP that is not ours"

nftj() { in_ns "$1" nft -j list table "${2:-inet}" "$T" 2>/dev/null; }   # NODE [FAMILY]
# NODE SET [FAMILY]: the set's elements, sorted, on one line.
elems() {
	nftj "$1" "${3:-inet}" | jq -r --arg s "$2" \
		'.nftables[] | select(.set.name == $s) | .set.elem // [] | .[]' | sort | xargs
}
# NODE COMMENT [FAMILY]: packets counted by the rules with that comment
# (empty when there is no table, so that numeric tests fail).
counter() {
	nftj "$1" "${3:-inet}" | jq --arg c "$2" '[.nftables[] | select(.rule.comment == $c) |
		.rule.expr[] | select(.counter) | .counter.packets] | add // 0'
}
has_rule() { [ "$(nftj "$1" "${3:-inet}" | jq --arg c "$2" '[.nftables[] | select(.rule.comment == $c)] | length')" -gt 0 ]; }
tables_of() { in_ns "$1" nft list tables | sort | xargs; }   # NODE
pair_of_tables() { [ "$(tables_of "$1")" = "table arp $T table inet $T table netdev $T" ]; }
chain_is() {   # NODE CHAIN FAMILY "HOOK PRIO POLICY"
	[ "$(nftj "$1" "$3" | jq -r --arg c "$2" \
		'.nftables[] | select(.chain.name == $c) | .chain | "\(.hook) \(.prio) \(.policy)"')" = "$4" ]
}
standby_is() { [ -n "$(nftj "$1")" ] && [ "$(elems "$1" vip4_standby) $(elems "$1" vip6_standby)" = "$2" ]; }
ping_from_client() { in_ns client ping -q "$@" >/dev/null 2>&1; }   # PING-ARGS...
# The status hafd read back from the kernel after its last change.
last_status() { log_of "$1" | grep 'nft: table .* now holds' | tail -1; }

# python3 (standard library only): COUNT VRRPv3 adverts for VRID 51 from
# SRC to DST with a wrong checksum, from the client, PPS a second (default:
# as fast as it goes). A hafd that receives one logs "dropped VRRP packet
# from SRC".
vrrp_raw() {   # SRC DST COUNT [PPS]
	in_ns client python3 - "$@" <<'PY'
import socket, struct, sys, time
src, dst, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
pps = float(sys.argv[4]) if len(sys.argv) > 4 else 0
vrrp = struct.pack('!BBBBHH4s', 0x31, 51, 200, 1, 10, 0xdead, socket.inet_aton('10.77.0.100'))
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(vrrp), 0, 0, 255, 112, 0,
                 socket.inet_aton(src), socket.inet_aton(dst))
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
start = time.monotonic()
for i in range(count):
    s.sendto(ip + vrrp, (dst, 0))
    if pps and i % 50 == 49:
        time.sleep(max(0, start + (i + 1) / pps - time.monotonic()))
PY
}

# The templates: hafd-lab's default with nft_table = $T, the instance
# named web, and LINES.
nft_conf() {   # NAME [LINES...]
	lab_conf "$1" '[global]' "nft_table = $T" '[instance web]' "${@:2}"
}
# fence_port needs the table (an error with nft_table = none).
FENCE='fence_port = 5432'
[ "$T" = none ] && FENCE=
base=$(nft_conf nft.conf "$FENCE" '[instance web6]' 'vrid = 52' \
	"virtual_ip = $VIP6/64" "$FENCE")

# --- Backup and Master ------------------------------------------------------
lab_up -n 2 -c "$base"
wait_log n1 'web/VRID 51\] BACKUP -> MASTER' 5 && wait_log n1 'web6/VRID 52\] BACKUP -> MASTER' 5 &&
	wait_log n2 'web6/VRID 52\] INIT -> BACKUP' 5
ok $? "n1 (150) is master of both instances, n2 (100) backup"
n1mac=$(mac_of n1) n2mac=$(mac_of n2)

check "n2 has one inet and one arp table named $T" pair_of_tables n2
check "backup: vip4_standby and vip6_standby hold its VIPs" standby_is n2 "$VIP $VIP6"
check "backup: the arp table's vip4_standby holds the IPv4 VIP" test "$(elems n2 vip4_standby arp)" = $VIP
check "master: nothing in the standby sets" standby_is n1 " "
check "accept_mode = yes: vip4_noaccept is empty on the master" \
	test -n "$(nftj n1)" -a -z "$(elems n1 vip4_noaccept)"
check "chain input: hook input, priority filter - 10, policy accept" chain_is n1 input inet "input -10 accept"
check "chain output (inet): hook output" chain_is n1 output inet "output -10 accept"
check "chain output (arp): hook output" chain_is n1 output arp "output -10 accept"
check "the rules are in place" eval 'has_rule n1 "$C_STANDBY" && has_rule n1 "$C_NOACCEPT" &&
	has_rule n1 "$C_RATE" && has_rule n1 "$C_NA" && has_rule n1 "$C_ARP" arp'
check "multicast only: no unicast-peer rule" eval '[ -n "$(nftj n1)" ] && ! has_rule n1 "$C_PEER"'
check "the status hafd reads back lists the backup's VIPs" \
	eval 'last_status n2 | grep -qF "\"vip_standby\":[\"$VIP\",\"$VIP6\"]"'

# --- a VIP left on the backup by hand ---------------------------------------
in_ns n2 ip addr add $VIP/24 dev eth0
in_ns n2 ip addr add $VIP6/64 dev eth0 nodad
macs=$(in_ns client arping -c 3 -w 3 -I eth0 $VIP 2>/dev/null |
	sed -n 's/.* from \([0-9a-f:]*\) .*/\1/p' | sort -u | xargs)
diag "ARP replies for $VIP came from: $macs (n1 $n1mac, n2 $n2mac)"
check "ARP for the VIP: only the master answers, not the backup holding it" test "$macs" = "$n1mac"
check "the backup's ARP rule dropped its replies" test "$(counter n2 "$C_ARP" arp)" -gt 0
in_ns client ip neigh replace $VIP lladdr "$n2mac" dev eth0 nud permanent
check "ping to the VIP sent to the backup's MAC: no answer" not ping_from_client -c 2 -W 1 $VIP
# With the lease (the default) the netdev table's ingress rule meets them
# first: the backup holds no lease for the VIP.
check "the backup's lease rule (or standby rule) counted them" \
	test "$(( $(counter n2 "$C_STANDBY") + $(counter n2 "hafd: VIP whose lease lapsed" netdev) ))" -ge 2
in_ns client ip neigh replace $VIP lladdr "$n1mac" dev eth0 nud permanent
check "ping to the VIP sent to the master's MAC: answered" ping_from_client -c 1 -W 2 $VIP
in_ns client ip neigh del $VIP dev eth0
in_ns client ip -6 neigh flush dev eth0
ping_from_client -6 -c 1 -W 2 $VIP6
check "the backup's NA rule dropped its answer to the client's NS" test "$(counter n2 "$C_NA")" -gt 0
check "the client resolves the IPv6 VIP to the master" \
	test "$(neigh_mac client $VIP6)" = "$n1mac"
in_ns n2 ip addr del $VIP/24 dev eth0
in_ns n2 ip addr del $VIP6/64 dev eth0

# --- fence_port -------------------------------------------------------------------
C_FENCE="hafd: fence_port: TCP to a VIP not master here: reset"
# NODE SET: a fence set's elements as "ADDR . PORT", sorted, comma-separated.
fence_elems() {
	nftj "$1" | jq -r --arg s "$2" '.nftables[] | select(.set.name == $s) | .set.elem // [] |
		.[] | .concat | map(tostring) | join(" . ")' | sort | paste -sd,
}
check "backup: the fence sets hold VIP . 5432" \
	test "$(fence_elems n2 vip4_fence)/$(fence_elems n2 vip6_fence)" = "$VIP . 5432/$VIP6 . 5432"
check "the status hafd reads back lists the backup's fence" \
	eval 'last_status n2 | grep -qF "\"vip_fence\":[\"$VIP . 5432\",\"$VIP6 . 5432\"]"'
check "master: nothing fenced" test "$(nftj n1 | jq '[.nftables[] | select(.set.name == "vip4_fence")] |
	length')/$(fence_elems n1 vip4_fence)" = "1/"
check "chain fence-eth0: hook ingress, priority -20 (before the lease's chains)" \
	chain_is n1 fence-eth0 inet "ingress -20 accept"
# A listener on the master; the backup has none (nor the VIP).
in_ns n1 timeout 60 python3 -c 'import socket, time
s = socket.socket(socket.AF_INET6); s.bind(("::", 5432)); s.listen(16); time.sleep(60)' \
	>/dev/null 2>&1 &
on_exit "kill $! 2>/dev/null"
disown
in_ns client ip neigh replace $VIP lladdr "$n2mac" dev eth0 nud permanent
in_ns client ip -6 neigh replace $VIP6 lladdr "$n2mac" dev eth0 nud permanent
check "to the backup's MAC (a stale entry): VIP:5432 is refused at once" \
	test "$(tcp_try $VIP 5432)" = refused
check "... and [VIP6]:5432 too" test "$(tcp_try $VIP6 5432)" = refused
check "the backup's fence rule counted both" test "$(counter n2 "$C_FENCE")" -ge 2
check "another port is not fenced: it hangs (rule 3 or the lease drop it)" \
	test "$(tcp_try $VIP 5433)" = timeout
in_ns client ip neigh replace $VIP lladdr "$n1mac" dev eth0 nud permanent
in_ns client ip -6 neigh replace $VIP6 lladdr "$n1mac" dev eth0 nud permanent
check "to the master's MAC: VIP:5432 connects" test "$(tcp_try $VIP 5432)" = connected
check "... and [VIP6]:5432 too" test "$(tcp_try $VIP6 5432)" = connected
check "the master's fence rule counted none" test "$(counter n1 "$C_FENCE")" = 0
in_ns client ip neigh del $VIP dev eth0
in_ns client ip -6 neigh del $VIP6 dev eth0

# --- Fault --------------------------------------------------------------------
lab linkdown n1
wait_log n1 'web/VRID 51\] MASTER -> FAULT' 5 && wait_log n2 'web/VRID 51\] BACKUP -> MASTER' 5
ok $? "n1 enters FAULT when its link goes down, n2 takes over"
check "fault: n1's standby sets hold its VIPs" wait_until 3 standby_is n1 "$VIP $VIP6"
check "new master n2: nothing in its standby sets" wait_until 3 standby_is n2 " "
check "fault: n1 fences VIP . 5432, the new master n2 nothing" \
	eval '[ "$(fence_elems n1 vip4_fence)/$(fence_elems n2 vip4_fence)" = "$VIP . 5432/" ]'
lab linkup n1
check "n1 is master again: its sets are empty, n2's hold the VIPs" \
	wait_until 5 eval 'standby_is n1 " " && standby_is n2 "$VIP $VIP6"'

# --- SIGTERM, SIGKILL and restart ----------------------------------------------
lab stop n2
check "SIGTERM: n2's tables are gone" test -z "$(tables_of n2)"
lab kill n1
check "SIGKILL leaves n1's tables (for the next start)" pair_of_tables n1
# What a run with other settings might have left: an element and a chain.
in_ns n1 nft add element inet "$T" vip4_standby "{ 10.77.0.99 }" 2>/dev/null
in_ns n1 nft add chain inet "$T" leftover 2>/dev/null
lab start n1
wait_until 5 eval '[ "$(count_in_log n1 "web/VRID 51\] BACKUP -> MASTER")" -ge 3 ]'
ok $? "n1 restarts and becomes master (n2 is stopped)"
check "restart: exactly one inet and one arp table" pair_of_tables n1
check "restart: the leftover chain and element are gone" eval '[ -n "$(nftj n1)" ] &&
	[ "$(nftj n1 | jq "[.nftables[] | select(.chain.name == \"leftover\")] | length")" = 0 ] &&
	standby_is n1 " "'
lab_down

# --- accept_mode = no -----------------------------------------------------------
noacc=$(nft_conf noaccept.conf 'accept_mode = no')
pair_up -c "$noacc"
ok $? "accept_mode = no: n1 master, n2 backup"
check "master (not owner): vip4_noaccept holds the VIP" test "$(elems n1 vip4_noaccept)" = $VIP
check "the master holds the VIP" wait_holds n1
check "ping to the VIP: no answer" not ping_from_client -c 2 -W 1 $VIP
check "the accept_mode rule counted them" test "$(counter n1 "$C_NOACCEPT")" -ge 2
check "ARP for the VIP is still answered by the master" \
	test "$(in_ns client arping -c 1 -w 2 -I eth0 $VIP 2>/dev/null |
		sed -n 's/.* from \([0-9a-f:]*\) .*/\1/p' | head -1)" = "$(mac_of n1)"
vrrp_raw 10.77.0.2 $VIP 3
check "VRRP to the VIP still reaches hafd" wait_log n1 'dropped VRRP packet from 10\.77\.0\.2' 3
check "ping to the master's own address is answered" ping_from_client -c 1 -W 2 10.77.0.11
check "VRRP flows: n1 stays master and n2 backup" \
	stays 1 eval 'is_state n1 MASTER && is_state n2 BACKUP'
lab_down

# --- unicast: adverts from a non-peer --------------------------------------------
uni=$(nft_conf unicast.conf 'unicast_peer = @PEERS4@')
pair_up -c "$uni"
ok $? "unicast: n1 master, n2 backup"
check "peer4 holds the other node on each" \
	test "$(elems n1 peer4)/$(elems n2 peer4)" = "10.77.0.12/10.77.0.11"
check "the unicast-peer rule is in place" has_rule n1 "$C_PEER"
if have_scapy; then
	vrrp_scapy client send --dst 10.77.0.11 --vrid 51 --prio 200 --vip $VIP --count 5
	check "5 valid adverts from the client (not a peer) dropped by nft" \
		wait_until 3 eval '[ "$(counter n1 "$C_PEER")" -ge 5 ]'
else
	vrrp_raw 10.77.0.2 10.77.0.11 5
	check "5 adverts from the client (not a peer) dropped by nft" \
		wait_until 3 eval '[ "$(counter n1 "$C_PEER")" -ge 5 ]'
fi
vrrp_raw 10.77.0.12 10.77.0.11 1     # the peer's address, forged: passes nft
check "control: an advert from the peer's address reaches hafd" \
	wait_log n1 'dropped VRRP packet from 10\.77\.0\.12' 3
check "none from the client reached hafd" test "$(count_in_log n1 'from 10\.77\.0\.2[ :]')" = 0
check "n1 stays master, n2 backup" eval 'is_state n1 MASTER && is_state n2 BACKUP'
lab_down

# --- rate limit: 10 ms adverts pass, a flood does not ------------------------------
fast=$(nft_conf fast.conf 'advert_interval = 10ms')
pair_up -c "$fast"
ok $? "10 ms adverts: n1 master, n2 backup"
check "one instance at 10 ms: 200/s per source, burst 400" \
	eval 'in_ns n2 nft list chain inet "$T" input | grep -q "limit rate over 200/second burst 400 packets"'
sleep 3
check "3 s of 10 ms adverts: the rate rule dropped none" test "$(counter n2 "$C_RATE")" = 0
ping_from_client -c 1 -W 2 10.77.0.12     # resolve n2 before the flood
vrrp_raw 10.77.0.2 10.77.0.12 5000 5000     # 1 s at 25 times the limit
check "a flood of 5000/s from one source for 1 s: nft dropped most of it" \
	test "$(counter n2 "$C_RATE")" -ge 3000
check "the master's 10 ms adverts kept passing: n2 stayed backup, n1 master" \
	eval '[ "$(count_in_log n2 "BACKUP -> MASTER")" = 0 ] && [ "$(count_in_log n1 "MASTER -> ")" = 0 ]'

lab_down

# --- nft_table = none -----------------------------------------------------------------
none=$(lab_conf none.conf '[global]' 'nft_table = none' '[instance web]')
lab_up -n 1 -c "$none"
wait_log n1 'BACKUP -> MASTER' 5
ok $? "nft_table = none: n1 runs and becomes master"
check "nft_table = none: no table at all" test -z "$(tables_of n1)"
check "nft_table = none: no nft log line" test "$(count_in_log n1 'nft:')" = 0
