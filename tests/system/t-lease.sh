#!/bin/bash
# The VIP as a lease (issue 15): a master whose hafd is killed with its
# guard (the whole tree, as `pkill -9 hafd` or a cgroup OOM kill), stopped
# (SIGSTOP) or frozen in its cgroup keeps its VIPs on the interface, but
# the kernel stops answering for them once the lease lapses: no ARP reply,
# no NA, no answer to a client whose neighbour entry still points at it,
# and never after the new master's first answer. A resumed master does not
# renew before it has read the adverts that waited: it takes the VIP back
# with preempt, or stays BACKUP without. The adverts renew the leases as
# they leave (a rule in the egress chain; a unicast advert's VIPs through a
# renewal on lo, which a peer that is away cannot hold back: checked with a
# whole-tree kill and a peer that never answers): a reload that rebuilds the
# tables carries the running leases over. vip_lease = no is the control:
# the killed node answers on.
. "$(dirname "$0")/lib.sh"
need_root

VIP=10.77.0.100 VIP6=fd77::100
# 100 ms adverts (the template's): n2's master-down interval is 361 ms, a
# lease 250 ms; each fault lasts 3 s.

tpl() {   # NAME [GLOBAL-LINE [INSTANCE-LINE]]
	lab_conf "$1" '[global]' "${2:-}" '[instance web]' "${3:-}" '[instance web6]' 'vrid = 52' \
		"virtual_ip = $VIP6/64" "${3:-}"
}

# hafd and its crash guard (its child), by PID.
tree_pids() { local p; p=$(lab pid "$1"); echo "$p" $(cat /proc/"$p"/task/*/children 2>/dev/null); }

# A client namespace whose neighbour entries for the VIPs are pinned to
# NODE's MAC: it keeps sending to NODE whatever the GARPs say, as a client
# that has not heard them would.
pin_up() {   # NAME HOST-INDEX NODE
	local ns=$PREFIX-$1 mac
	mac=$(mac_of "$3")
	ip netns add "$ns" || return 1
	_pins+=("$ns")
	ip link add eth0 netns "$ns" type veth peer name "p-$1" netns "$PREFIX-sw" || return 1
	ip -n "$PREFIX-sw" link set "p-$1" master br0 up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.eth0.accept_dad=0
	ip -n "$ns" link set lo up
	ip -n "$ns" link set eth0 up
	ip -n "$ns" addr add "10.77.0.$2/24" dev eth0
	ip -n "$ns" addr add "fd77::$2/64" dev eth0 nodad
	ip -n "$ns" neigh replace "$VIP" lladdr "$mac" dev eth0 nud permanent
	ip -n "$ns" neigh replace "$VIP6" lladdr "$mac" dev eth0 nud permanent
}
# Probe ADDR every ms for SECS from NAME ("client" or a pin) into FILE:
# "seq monotonic_us node" per answer.
probe_bg() {   # NAME ADDR SECS FILE
	local ns=$PREFIX-$1
	[ "$1" = client ] && ns=$PREFIX-c
	ip netns exec "$ns" "$PROBE" watch "$2" 7777 -i 1000 -t "$3" -s 1000000 -A -o "$4" \
		>/dev/null 2>&1 &
	_probes+=($!)
}
_pins=()
pins_down() {
	local ns p
	for ns in "${_pins[@]}"; do
		for p in $(ip netns pids "$ns"); do kill -KILL "$p"; done
		ip netns del "$ns"
	done
	_pins=()
}
on_exit pins_down
lease_lab_down() { pins_down; lab_down; }
probes_wait() { wait "${_probes[@]}"; _probes=(); }
_probes=()
first_from() { awk -v n="$2" '$3 == n { print $2; exit }' "$1"; }      # FILE NODE
last_from() { awk -v n="$2" '$3 == n { t = $2 } END { printf "%.0f\n", t }' "$1"; }
answers_in() { wc -l <"$1"; }

# The MACs that answer an ARP request (IPv4) or a Neighbor Solicitation
# (IPv6) for ADDR from the client, sorted, on one line.
claimers() {   # ADDR
	in_ns client "$SCAPY_PYTHON" - "$1" <<'PY'
import sys
from scapy.all import conf, srp, Ether, ARP, IPv6, ICMPv6ND_NS, ICMPv6ND_NA, \
    ICMPv6NDOptSrcLLAddr, ICMPv6NDOptDstLLAddr, in6_getnsma, in6_getnsmac, get_if_hwaddr
from socket import inet_pton, inet_ntop, AF_INET6
conf.verb = 0
a = sys.argv[1]
me = get_if_hwaddr("eth0")
if ":" in a:
    ns = inet_ntop(AF_INET6, in6_getnsma(inet_pton(AF_INET6, a)))
    pkt = (Ether(src=me, dst=in6_getnsmac(inet_pton(AF_INET6, ns))) /
           IPv6(src="fd77::2", dst=ns, hlim=255) / ICMPv6ND_NS(tgt=a) / ICMPv6NDOptSrcLLAddr(lladdr=me))
else:
    pkt = Ether(src=me, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=me, psrc="10.77.0.2", pdst=a)
got = set()
for _ in range(3):
    ans, _ = srp(pkt, iface="eth0", timeout=0.3, multi=True)
    for _, r in ans:
        if ARP in r and r[ARP].op == 2 and r[ARP].psrc == a:
            got.add(r[ARP].hwsrc)
        elif ICMPv6ND_NA in r and r[ICMPv6ND_NA].tgt == a:
            got.add(r[ICMPv6NDOptDstLLAddr].lladdr if ICMPv6NDOptDstLLAddr in r else r[Ether].src)
print(" ".join(sorted(got)))
PY
}

lab_start() {   # TEMPLATE
	lab_up -n 2 -c "$1"
	wait_state n1 MASTER 5 'VRID 51' && wait_state n1 MASTER 5 'VRID 52' &&
		wait_state n2 BACKUP 5 'VRID 51' && wait_state n2 BACKUP 5 'VRID 52'
	ok $? "n1 is master of both instances, n2 backup"
	serve_probes n1 n2
	pin_up p1 3 n1 && pin_up p2 4 n2
	ok $? "two pinned clients: p1 sends to n1's MAC, p2 to n2's"
	in_ns client "$PROBE" ready "$VIP" 7777 -t 5 >/dev/null
	ok $? "the client reaches the VIP"
	N1MAC=$(mac_of n1) N2MAC=$(mac_of n2)
}

# A fault of n1's whole tree, with probes from the client and both pins
# running through it: after the lease lapses n1 answers nothing for the
# VIPs, and never after n2's first answer.
fault_run() {   # WHAT FREEZE-CMD|kill
	local what=$1 fault=$2 secs=3
	probe_bg p1 "$VIP" $secs "$TMP/p1.$what"
	probe_bg p2 "$VIP" $secs "$TMP/p2.$what"
	probe_bg p1 "$VIP6" $secs "$TMP/p1v6.$what"
	probe_bg p2 "$VIP6" $secs "$TMP/p2v6.$what"
	probe_bg client "$VIP" $secs "$TMP/c.$what"
	sleep 0.5
	if [ "$fault" = kill ]; then
		kill -KILL $(tree_pids n1)
	else
		$fault
	fi
	check "$what: n2 takes over on its down timer (the protocol bound)" \
		wait_log n2 'VRID 51\] BACKUP -> MASTER \(master down timer\)' 5
	check "$what: n1 still has the VIPs on its interface" \
		eval "holds n1 $VIP && holds n1 $VIP6"
	check "$what: only n2 answers an ARP request for the VIP" \
		test "$(claimers $VIP)" = "$N2MAC"
	check "$what: only n2 answers a Neighbor Solicitation for the VIP" \
		test "$(claimers $VIP6)" = "$N2MAC"
	probes_wait
	for f in "" v6; do
		local p1=$TMP/p1$f.$what p2=$TMP/p2$f.$what first last
		first=$(first_from "$p2" n2) last=$(last_from "$p1" n1)
		diag "$what${f:+ IPv6}: n1 answered p1 last at $last us, n2 answered p2 first at $first us"
		check "$what${f:+ IPv6}: n1 answered p1 before the fault" test "$last" -gt 0
		check "$what${f:+ IPv6}: n2 answers p2 after the takeover" test -n "$first"
		check "$what${f:+ IPv6}: no answer from n1 after n2's first (never both)" \
			test "$last" -lt "${first:-0}"
	done
	check "$what: the client moved from n1 to n2" \
		test "$(awk '{ print $3 }' "$TMP/c.$what" | uniq | xargs)" = "n1 n2"
}

# --- the lease, healthy ------------------------------------------------------------
lab_start "$(tpl lease.conf)"
lease_of() {   # NODE 4|6: the leased VIPs
	in_ns "$1" nft -j list set netdev hafd "lease${2}" | jq -r '[.nftables[].set.elem // [] |
		.[] | if type == "object" then .elem.val else . end] | sort | join(" ")'
}
check "n1 holds both leases" eval '[ "$(lease_of n1 4)" = "$VIP" ] && [ "$(lease_of n1 6)" = "$VIP6" ]'
check "n2, backup, holds none" eval '[ -z "$(lease_of n2 4)" ] && [ -z "$(lease_of n2 6)" ]'
check "each lease is held once, in the netdev table (not in inet's or arp's)" \
	eval '! in_ns n1 nft list set inet hafd lease4 >/dev/null 2>&1 &&
	      ! in_ns n1 nft list set arp hafd lease4 >/dev/null 2>&1'
check "the lease chains hook eth0: ingress and egress" \
	eval 'in_ns n1 nft list chain netdev hafd in-eth0 | grep -q "hook ingress device \"eth0\"" &&
	      in_ns n1 nft list chain netdev hafd out-eth0 | grep -q "hook egress device \"eth0\""'
check "a lease lasts 5/2 of the advert interval (250 ms, less a jiffy's rounding)" \
	eval 'in_ns n1 nft list set netdev hafd lease4 | grep -qE "timeout 2[4-5][0-9]ms"'
renewals() {   # NODE: the adverts the egress rules renewed a lease from
	in_ns "$1" nft list chain netdev hafd out-eth0 |
		awk '/update @lease/ { for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) }
		     END { print s + 0 }'
}
r0=$(renewals n1)
check "n1's own adverts renew its leases as they leave (no batch of hafd's)" \
	wait_until 2 eval '[ "$(renewals n1)" -gt "$r0" ]'
check "n2 (backup) sends no advert, renews nothing" test "$(renewals n2)" = 0
check "nft lists the whole ruleset" eval 'in_ns n1 nft list ruleset >/dev/null'
probe_bg p1 "$VIP" 2 "$TMP/p1.healthy"
probes_wait
check "a live master's lease never lapses: n1 answered all of p1's 2 s of probes" \
	test "$(answers_in "$TMP/p1.healthy")" -ge 1995

# --- SIGKILL of the whole tree ---------------------------------------------------------
fault_run kill kill
lease_lab_down

# --- unicast: SIGKILL of the whole tree ----------------------------------------------
# A unicast advert renews nothing as it leaves (held back while its peer's
# address resolves, it would renew late): a renewal on lo listing its VIPs
# does, in the chain unicast, which drops it.
uni_tpl() {
	lab_conf lease-uni.conf '[instance web]' 'unicast_peer = @PEERS4@' \
		'[instance web6]' 'vrid = 52' "virtual_ip = $VIP6/64" 'unicast_src = @ADDR6@' \
		'unicast_peer = @PEERS6@'
}
lab_start "$(uni_tpl)"
uni_renewals() {   # NODE: the renewals sent on lo
	in_ns "$1" nft list chain netdev hafd unicast 2>/dev/null |
		awk '/update @lease/ { for (i = 1; i < NF; i++) if ($i == "packets") s += $(i + 1) }
		     END { print s + 0 }'
}
check "unicast: n1 holds both leases" \
	eval '[ "$(lease_of n1 4)" = "$VIP" ] && [ "$(lease_of n1 6)" = "$VIP6" ]'
r0=$(uni_renewals n1)
check "unicast: n1's renewals on lo renew them (chain unicast, lo's egress)" \
	wait_until 2 eval '[ "$(uni_renewals n1)" -gt "$r0" ]'
check "unicast: its adverts on eth0 renew nothing" test "$(renewals n1)" = 0
check "unicast: n2 (backup) renews nothing" test "$(uni_renewals n2)" = 0
fault_run unicast-kill kill
lease_lab_down

# --- unicast: SIGSTOP of the tree; it resumes and preempts ---------------------------
stop_tree() { _stopped=$(tree_pids n1); kill -STOP $_stopped; on_exit "kill -CONT $_stopped"; }
lab_start "$(uni_tpl)"
fault_run unicast-sigstop stop_tree
m2=$(log_mark n2)
probe_bg p1 "$VIP" 1 "$TMP/p1.uni-resume"
kill -CONT $_stopped
check "unicast, resumed: n1 preempts, n2 yields" \
	wait_log_since n2 "$m2" 'VRID 51\] MASTER -> BACKUP \(higher priority advert\)' 5
probes_wait
check "unicast, resumed: n1 serves again (its renewals on lo resumed)" \
	test -n "$(first_from "$TMP/p1.uni-resume" n1)"
check "unicast, resumed: only n1 answers ARP for the VIP in the end" \
	test "$(claimers $VIP)" = "$N1MAC"
lease_lab_down

# --- SIGSTOP of the tree for 5 x master-down; it resumes and preempts -------------
lab_start "$(tpl lease.conf)"
fault_run sigstop stop_tree     # it lasted 3 s and more: over 5 x master-down
m1=$(log_mark n1) m2=$(log_mark n2)
probe_bg p1 "$VIP" 2 "$TMP/p1.resume"
probe_bg p2 "$VIP" 2 "$TMP/p2.resume"
probe_bg client "$VIP" 2 "$TMP/c.resume"
sleep 0.3
kill -CONT $_stopped
check "resumed: n1 has the higher priority and preempt: n2 yields" \
	wait_log_since n2 "$m2" 'VRID 51\] MASTER -> BACKUP \(higher priority advert\)' 5
check "resumed: n1 never left MASTER" eval '! log_since n1 $m1 | grep -q "MASTER -> BACKUP"'
probes_wait
first=$(first_from "$TMP/p1.resume" n1) last=$(last_from "$TMP/p2.resume" n2)
diag "resume: n2 answered p2 last at $last us, n1 answered p1 first at $first us"
check "resumed: n1 serves again" test -n "$first"
check "resumed: n1 did not answer while frozen, n2 did until n1 came back" test "$last" -gt 0
check "resumed: the client goes back to n1 with no gap of more than 20 ms" \
	awk 'BEGIN { bad = 1 } $3 == "n1" { bad = 0 } p && $2 - p > 20000 { gap = 1 } { p = $2 }
	     END { exit bad || gap }' "$TMP/c.resume"
check "only n1 answers ARP for the VIP in the end" test "$(claimers $VIP)" = "$N1MAC"
lease_lab_down

# --- cgroup freeze; it resumes without preempt: BACKUP ---------------------------
cg=""
if [ -w /sys/fs/cgroup/unified ] && mkdir "/sys/fs/cgroup/unified/$PREFIX" 2>/dev/null; then
	cg=/sys/fs/cgroup/unified/$PREFIX
	if [ -e "$cg/cgroup.freeze" ]; then
		cg_freeze() { echo "$1" >"$cg/cgroup.freeze"; }
	else
		rmdir "$cg"; cg=""
	fi
fi
if [ -z "$cg" ] && [ -w /sys/fs/cgroup/freezer ] && mkdir "/sys/fs/cgroup/freezer/$PREFIX" 2>/dev/null; then
	cg=/sys/fs/cgroup/freezer/$PREFIX
	cg_freeze() { if [ "$1" = 1 ]; then echo FROZEN; else echo THAWED; fi >"$cg/freezer.state"; }
fi
if [ -z "$cg" ]; then
	skip_rest "no cgroup freezer here (cgroup v2 cgroup.freeze or v1 freezer)"
else
	root=$(dirname "$cg")
	on_exit "cg_freeze 0; for p in \$(cat $cg/cgroup.procs); do echo \$p >$root/cgroup.procs; done; rmdir $cg"
	lab_start "$(tpl lease-np.conf '' 'preempt = no')"
	freeze_tree() { for p in $(tree_pids n1); do echo "$p" >"$cg/cgroup.procs"; done; cg_freeze 1; }
	fault_run cgfreeze freeze_tree
	m1=$(log_mark n1)
	probe_bg p1 "$VIP" 1.5 "$TMP/p1.thaw"
	probe_bg client "$VIP" 1.5 "$TMP/c.thaw"
	cg_freeze 0
	check "thawed, preempt = no: n1 goes BACKUP (stalled), after reading n2's adverts" \
		wait_log_since n1 "$m1" 'VRID 51\] MASTER -> BACKUP \(stalled past master down interval\)' 5
	probes_wait
	check "thawed: n1 never answered p1 again (no renewal before the adverts were read)" \
		test "$(answers_in "$TMP/p1.thaw")" = 0
	check "thawed: the client stays with n2 (one outage in all)" \
		test "$(awk '{ print $3 }' "$TMP/c.thaw" | uniq | xargs)" = "n2"
	check "thawed: n1 holds no lease, its VIPs are standby" \
		eval '[ -z "$(lease_of n1 4)" ] && ! holds n1 $VIP'
	lease_lab_down
fi

# --- a reload that rebuilds the tables carries the leases over ---------------
lab_start "$(tpl lease.conf)"
cat >>"$HAFD_LAB_DIR/$PREFIX/n1/hafd.conf" <<'T'

[instance api]
interface = eth0
vrid = 53
priority = 150
advert_interval = 100ms
virtual_ip = 10.77.0.101/24
T
probe_bg p1 "$VIP" 2 "$TMP/p1.reload"
sleep 0.3
m1=$(log_mark n1)
kill -HUP "$(lab pid n1)"
check "reload: a new instance (new VRID: new tables)" wait_log_since n1 "$m1" 'reloaded:' 3
probes_wait
check "reload: the lease never lapsed under the live master (2 s of probes)" \
	test "$(answers_in "$TMP/p1.reload")" -ge 1995
check "reload: the new instance's VIP is leased too" \
	wait_until 3 eval '[ "$(lease_of n1 4)" = "$VIP 10.77.0.101" ]'
# A batch that fails (here: someone deleted hafd's inet table, and a
# reload changes a unicast peer, a set there) makes hafd rebuild every
# table a second later: the leases carry over then too.
sed -i 's/^vrid = 53$/vrid = 53\nunicast_peer = 10.77.0.250/' "$HAFD_LAB_DIR/$PREFIX/n1/hafd.conf"
m1=$(log_mark n1)
kill -HUP "$(lab pid n1)"
check "reload: api gets a unicast peer" wait_log_since n1 "$m1" 'reloaded:' 3
# Its peer does not exist: the adverts wait for a neighbour entry that
# never resolves and never leave, so they renew nothing; the renewals on
# lo do: its VIP answers on.
check "unicast: api, its peer away, is master again and its VIP leased" \
	eval 'wait_state n1 MASTER 3 "VRID 53" &&
	      wait_until 3 eval "[ \"\$(lease_of n1 4)\" = \"$VIP 10.77.0.101\" ]"'
in_ns client "$PROBE" ready 10.77.0.101 7777 -t 3 >/dev/null
probe_bg client 10.77.0.101 1.5 "$TMP/c.peerless"
probes_wait
check "unicast: api's VIP answers on (1.5 s of probes)" \
	test "$(answers_in "$TMP/c.peerless")" -ge 1490
# With lo down no renewal gets through: api has no lease (warned), and
# its VIP is served as without vip_lease; back in the lease with lo up.
m1=$(log_mark n1)
in_ns n1 ip link set lo down
check "lo down: hafd warns that unicast instances have no lease" \
	wait_log_since n1 "$m1" 'lo is down: the instances with a unicast_peer have no VIP lease' 3
check "lo down: api's VIP is out of vip4 and answers" \
	eval '! in_ns n1 nft list set netdev hafd vip4 | grep -q 10.77.0.101 &&
	      in_ns client ping -c 3 -i 0.2 -W 1 10.77.0.101 >/dev/null'
in_ns n1 ip link set lo up
check "lo up: api's VIP is leased again" \
	wait_until 3 eval '[ "$(lease_of n1 4)" = "$VIP 10.77.0.101" ] &&
			   in_ns n1 nft list set netdev hafd vip4 | grep -q 10.77.0.101'
in_ns n1 nft delete table inet hafd
sed -i 's/^unicast_peer = 10.77.0.250$/unicast_peer = 10.77.0.251/' "$HAFD_LAB_DIR/$PREFIX/n1/hafd.conf"
probe_bg p1 "$VIP" 2 "$TMP/p1.rebuild"
sleep 0.3
m1=$(log_mark n1)
kill -HUP "$(lab pid n1)"
probes_wait
check "rebuild: hafd made the deleted table again" eval 'in_ns n1 nft list set inet hafd peer4 | grep -q 10.77.0.251'
check "rebuild: the lease never lapsed under the live master (2 s of probes)" \
	test "$(answers_in "$TMP/p1.rebuild")" -ge 1995
lease_lab_down

# --- vip_lease = no: the control ------------------------------------------------------
lab_start "$(tpl nolease.conf 'vip_lease = no')"
check "vip_lease = no: no lease set" eval '! in_ns n1 nft list set netdev hafd lease4 >/dev/null 2>&1'
probe_bg p1 "$VIP" 2 "$TMP/p1.nolease"
probe_bg p2 "$VIP" 2 "$TMP/p2.nolease"
sleep 0.3
kill -KILL $(tree_pids n1)
probes_wait
check "vip_lease = no: the killed n1 answers on after n2 took over (both answer)" \
	test "$(last_from "$TMP/p1.nolease" n1)" -gt "$(first_from "$TMP/p2.nolease" n2)"
lease_lab_down
