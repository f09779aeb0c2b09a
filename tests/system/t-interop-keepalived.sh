#!/bin/bash
# Interop with keepalived 2.2.7 (Debian 12): hafd on n1, keepalived on n2,
# two virtual routers in each lab so both directions are tested at once:
#   VRID A: hafd 150, keepalived 100 (hafd master, keepalived backup)
#   VRID B: hafd 100, keepalived 150 (keepalived master, hafd backup)
# For VRRPv3 IPv4, VRRPv3 IPv6, VRRPv2 IPv4 (multicast) and VRRPv3 IPv4
# unicast: the right node is elected; each killed master is replaced by the
# other implementation; each restarted master takes its VRID back
# (preemption); neither side logs a protocol error; every advert hafd sent
# decodes in tshark with a good checksum and the configured fields.
# Then v3_checksum = rfc9568: keepalived 2.2.7 rejects hafd's adverts
# (it only knows the RFC 5798 pseudo-header form), which is why rfc5798 is
# hafd's default.
. "$(dirname "$0")/lib.sh"
need_root
if ! command -v keepalived >/dev/null; then
	echo "1..0 # SKIP keepalived not installed"
	exit 77
fi
WIRE=1
have_tshark || { WIRE=0; diag "tshark or tcpdump missing: wire checks skipped"; }

# The templates of one mode: FAM (4 or 6), VERSION, INT_MS, CAST (multicast
# or unicast), VRID A and B, and VIPs A and B. Sets HTPL and KTPL.
templates() {   # FAM VERSION INT_MS CAST VRID_A VRID_B VIP_A VIP_B [EXTRA_GLOBAL]
	local fam=$1 ver=$2 ms=$3 cast=$4 a=$5 b=$6 va=$7 vb=$8 pfx=24 ka_int hpeers="" kpeers=""
	[ "$fam" = 6 ] && pfx=64
	ka_int=$(awk -v m="$ms" 'BEGIN { printf "%g", m / 1000 }')
	if [ "$cast" = unicast ]; then
		hpeers="unicast_peer = @PEERS$fam@"
		kpeers=$(printf '    unicast_src_ip @ADDR%s@\n    unicast_peer {\n        @PEERS%s@\n    }' "$fam" "$fam")
	fi
	HTPL=$(interop_conf "hafd-$fam-$ver-$cast.conf" ka "$ver" "$ms" "$a" "$va/$pfx" "$b" "$vb/$pfx" "${9:-}" "$hpeers")
	KTPL=$(write_template "ka-$fam-$ver-$cast.conf" <<EOF
global_defs {
    router_id @NODE@
    vrrp_version $ver
}
vrrp_instance VI_$a {
    state BACKUP
    interface eth0
    virtual_router_id $a
    priority 100
    advert_int $ka_int
$kpeers
    virtual_ipaddress {
        $va/$pfx dev eth0
    }
}
vrrp_instance VI_$b {
    state BACKUP
    interface eth0
    virtual_router_id $b
    priority 150
    advert_int $ka_int
$kpeers
    virtual_ipaddress {
        $vb/$pfx dev eth0
    }
}
EOF
)
}

# keepalived's last state for instance VI_N: MASTER, BACKUP, FAULT.
ka_state() {   # NODE VRID
	log_of "$1" | sed -n "s/.*(VI_$2) Entering \([A-Z]*\) STATE.*/\1/p" | tail -1
}
ka_is() { [ "$(ka_state "$1" "$2")" = "$3" ]; }   # NODE VRID STATE

# One lab: elections, both takeovers, both preemptions, error logs, wire.
# NAME names the mode in the TAP lines; the templates come from templates().
run_pair() {   # NAME FAM VERSION INT_MS CAST VRID_A VRID_B VIP_A VIP_B SECS
	local name=$1 fam=$2 ver=$3 ms=$4 cast=$5 a=$6 b=$7 va=$8 vb=$9 secs=${10} m
	templates "$fam" "$ver" "$ms" "$cast" "$a" "$b" "$va" "$vb"
	lab_up -n 2 --daemons hafd,keepalived -c "$HTPL" -k "$KTPL" --no-start
	# Unicast adverts go only to the peer: watch n1's port at the switch.
	if [ $WIRE = 1 ]; then
		if [ "$cast" = unicast ]; then capture_start "$name" sw p-n1
		else capture_start "$name"; fi
	fi
	lab start n1; lab start n2

	check "$name: hafd (150) is master of VRID $a" wait_state n1 MASTER "$secs" "VRID $a"
	check "$name: keepalived (150) is master of VRID $b" wait_until "$secs" ka_is n2 "$b" MASTER
	check "$name: keepalived (100) is backup of VRID $a" wait_until "$secs" ka_is n2 "$a" BACKUP
	check "$name: hafd (100) is backup of VRID $b" wait_state n1 BACKUP "$secs" "VRID $b"
	check "$name: the VIPs are on their masters" \
		eval "wait_serves n1 $va $secs && wait_serves n2 $vb $secs && ! serves n1 $vb && ! serves n2 $va"

	m=$(log_mark n2)
	lab kill n1
	check "$name: keepalived takes VRID $a over when hafd is killed" \
		wait_log_since n2 "$m" "\(VI_$a\) Entering MASTER STATE" "$secs"
	check "$name: keepalived holds $va" wait_serves n2 "$va" "$secs"
	m=$(log_mark n2)
	lab start n1
	check "$name: restarted hafd preempts VRID $a" \
		wait_last_run n1 "\[ka$a/VRID $a\] BACKUP -> MASTER \(preempting lower priority master\)" "$secs"
	check "$name: keepalived yields VRID $a" wait_log_since n2 "$m" "\(VI_$a\) Entering BACKUP STATE" "$secs"
	check "$name: restarted hafd stays backup of VRID $b" eval \
		"wait_last_run n1 '\[ka$b/VRID $b\] INIT -> BACKUP' $secs && ! _last_run_has n1 'VRID $b\] BACKUP -> MASTER'"

	lab kill n2
	check "$name: hafd takes VRID $b over when keepalived is killed" \
		wait_last_run n1 "\[ka$b/VRID $b\] BACKUP -> MASTER \(master down timer\)" "$secs"
	check "$name: hafd holds $vb" wait_serves n1 "$vb" "$secs"
	m=$(log_mark n2)
	lab start n2
	check "$name: restarted keepalived preempts VRID $b" \
		wait_log_since n2 "$m" "\(VI_$b\) Entering MASTER STATE" "$secs"
	check "$name: hafd yields VRID $b" \
		wait_last_run n1 "\[ka$b/VRID $b\] MASTER -> BACKUP \(higher priority advert\)" "$secs"
	check "$name: $vb moved back to keepalived" eval "wait_serves n2 $vb $secs && wait_not_serves n1 $vb $secs"
	check "$name: restarted keepalived stays backup of VRID $a" \
		eval "wait_log_since n2 $m '\(VI_$a\) Entering BACKUP STATE' $secs && ka_is n2 $a BACKUP"

	check "$name: keepalived logs no protocol error" no_proto_errors n2
	check "$name: hafd logs no dropped VRRP packet" no_proto_errors n1
	if [ "$fam-$ver" = 4-3 ]; then
		check "$name: hafd verified keepalived's adverts with the pseudo-header (RFC 5798 form)" \
			csum_forms_are n1 rfc5798
	fi
	[ $WIRE = 1 ] && wire_check "$name" "$fam" "$ver" "$ms" "$cast" "$a" "$b" "$va" "$vb"
	lab_down
}

# Every advert hafd sent, as tshark decodes it (see hafd_adverts_ok).
wire_check() {   # NAME FAM VERSION INT_MS CAST VRID_A VRID_B VIP_A VIP_B
	local name=$1 fam=$2 ver=$3 ms=$4 cast=$5 a=$6 b=$7 va=$8 vb=$9 dst=224.0.0.18 f
	capture_stop "$name"
	[ "$fam" = 6 ] && dst=ff02::12
	[ "$cast" = unicast ] && dst=$(node_vrrp_src n2 "$fam")
	check "$name: hafd's VRID $a adverts decode in tshark, checksum good" \
		hafd_adverts_ok "$name" n1 "$fam" "$ver" "$ms" "$dst" "$a" 150 "$va"
	check "$name: hafd's VRID $b adverts decode in tshark, checksum good" \
		hafd_adverts_ok "$name" n1 "$fam" "$ver" "$ms" "$dst" "$b" 100 "$vb"
	f="$(node_vrrp_filter n1 "$fam") && vrrp.prio == 150"
	case "$fam-$ver-$cast" in
	4-3-multicast) golden_keep "$name" "$f" hafd-vrrpv3-ipv4.pcap ;;
	6-3-multicast) golden_keep "$name" "$f" hafd-vrrpv3-ipv6.pcap ;;
	4-2-multicast) golden_keep "$name" "$f" hafd-vrrpv2-ipv4.pcap ;;
	4-3-unicast) golden_keep "$name" "$f" hafd-vrrpv3-ipv4-unicast.pcap ;;
	esac
}

run_pair "v3 IPv4" 4 3 100 multicast 51 52 10.77.0.100 10.77.0.101 5
run_pair "v3 IPv6" 6 3 100 multicast 61 62 fd77::100 fd77::101 5
run_pair "v2 IPv4" 4 2 1000 multicast 71 72 10.77.0.100 10.77.0.101 10
run_pair "v3 IPv4 unicast" 4 3 100 unicast 81 82 10.77.0.100 10.77.0.101 5

# --- v3_checksum = rfc9568 ----------------------------------------------------
# keepalived 2.2.7 verifies VRRPv3 IPv4 adverts with the pseudo-header only
# (v3_checksum_as_v2 came in 2.2.8): it drops hafd's and, hearing no master,
# becomes one too. hafd accepts keepalived's (pseudo-header) adverts.
templates 4 3 100 multicast 91 92 10.77.0.100 10.77.0.101 "v3_checksum = rfc9568"
lab_up -n 2 --daemons hafd,keepalived -c "$HTPL" -k "$KTPL" --no-start
[ $WIRE = 1 ] && capture_start rfc9568
lab start n1; lab start n2
check "rfc9568: hafd (150) is master of VRID 91" wait_state n1 MASTER 5 "VRID 91"
check "rfc9568: keepalived 2.2.7 rejects hafd's checksum" \
	wait_log n2 '\(VI_91\) Invalid VRRPv3 checksum' 5
check "rfc9568: so keepalived is master of VRID 91 too (two masters)" wait_until 5 ka_is n2 91 MASTER
check "rfc9568: hafd accepts keepalived's pseudo-header checksum (backup of VRID 92)" \
	eval "wait_state n1 BACKUP 5 'VRID 92' && stays 1 is_state n1 BACKUP 'VRID 92'"
check "rfc9568: hafd logs no dropped VRRP packet" no_proto_errors n1
check "rfc9568: hafd counted keepalived's adverts as the RFC 5798 form" csum_forms_are n1 rfc5798
if [ $WIRE = 1 ]; then
	capture_stop rfc9568
	f="ip.src == 10.77.0.11 && vrrp.virt_rtr_id == 91"
	check "rfc9568: tshark finds hafd's checksum good without the pseudo-header" adverts_conform \
		rfc9568 "$f" "v3 vrid=91 prio=(150|0) int=10 type=1 csum=good" -o vrrp.v3_checksum_as_in_v2:TRUE
	check "rfc9568: ... and bad with it (tshark's default, the RFC 5798 reading)" eval \
		"vrrp_adverts rfc9568 '$f' | grep -q csum=bad && ! vrrp_adverts rfc9568 '$f' | grep -q csum=good"
	golden_keep rfc9568 "$f && vrrp.prio == 150" hafd-vrrpv3-ipv4-rfc9568.pcap
fi
