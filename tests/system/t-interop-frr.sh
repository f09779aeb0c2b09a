#!/bin/bash
# Interop with FRR 8.4 vrrpd (Debian 12): hafd on n1, zebra + vrrpd on n2
# (the lab gives vrrpd the VMAC macvlans it needs), two virtual routers in
# each lab so both directions are tested at once:
#   VRID A: hafd 150, FRR 100 (hafd master, FRR backup)
#   VRID B: hafd 100, FRR 150 (FRR master, hafd backup)
# For VRRPv3 IPv4 with hafd without and with use_vmac, VRRPv3 IPv6 with
# use_vmac and VRRPv2 IPv4: the right node is elected; each killed master
# is replaced by the other implementation; each restarted master takes its
# VRID back; neither side logs a protocol error (FRR's need "debug vrrp
# packets"); every advert hafd sent decodes in tshark with a good checksum,
# the configured fields and, with use_vmac, the VMAC as source MAC.
# Then v3_checksum = rfc9568: FRR 8.4 always uses the pseudo-header, so it
# rejects hafd's adverts.
. "$(dirname "$0")/lib.sh"
need_root
if [ ! -x /usr/lib/frr/vrrpd ] || [ ! -x /usr/lib/frr/zebra ]; then
	echo "1..0 # SKIP FRR (zebra, vrrpd) not installed"
	exit 77
fi
WIRE=1
have_tshark || { WIRE=0; diag "tshark or tcpdump missing: wire checks skipped"; }

# Sets HTPL and FTPL for one mode.
templates() {   # FAM VERSION INT_MS VMAC(yes|no) VRID_A VRID_B VIP_A VIP_B [EXTRA_GLOBAL]
	local fam=$1 ver=$2 ms=$3 vmac=$4 a=$5 b=$6 va=$7 vb=$8 pfx=24 kw=ip
	[ "$fam" = 6 ] && { pfx=64; kw=ipv6; }
	HTPL=$(interop_conf "hafd-$fam-$ver-$vmac.conf" frr "$ver" "$ms" "$a" "$va/$pfx" "$b" "$vb/$pfx" "${9:-}" "use_vmac = $vmac")
	FTPL=$(write_template "frr-$fam-$ver.conf" <<EOF
frr defaults traditional
hostname @NODE@
debug vrrp packets
!
interface eth0
 vrrp $a version $ver
 vrrp $a priority 100
 vrrp $a advertisement-interval $ms
 vrrp $a $kw $va
 vrrp $b version $ver
 vrrp $b priority 150
 vrrp $b advertisement-interval $ms
 vrrp $b $kw $vb
!
EOF
)
}

# FRR's last state for VRID N of family FAM: Master, Backup, Initialize.
frr_state() {   # NODE VRID FAM
	log_of "$1" | sed -n "s/.*\[VRID $2\] \[IPv$3\] [A-Za-z]* -> \([A-Za-z]*\)\$/\1/p" | tail -1
}
frr_is() { [ "$(frr_state "$1" "$2" "$3")" = "$4" ]; }   # NODE VRID FAM STATE
frr_to() { echo "\[VRID $1\] \[IPv$2\] [A-Za-z]+ -> $3\$"; }   # VRID FAM STATE: a regex

run_pair() {   # NAME FAM VERSION INT_MS VMAC VRID_A VRID_B VIP_A VIP_B SECS
	local name=$1 fam=$2 ver=$3 ms=$4 vmac=$5 a=$6 b=$7 va=$8 vb=$9 secs=${10} m
	templates "$fam" "$ver" "$ms" "$vmac" "$a" "$b" "$va" "$vb"
	lab_up -n 2 --daemons hafd,frr -c "$HTPL" -r "$FTPL" --no-start
	[ $WIRE = 1 ] && capture_start "$name"
	lab start n1; lab start n2

	check "$name: hafd (150) is master of VRID $a" wait_state n1 MASTER "$secs" "VRID $a"
	check "$name: FRR (150) is master of VRID $b" wait_until "$secs" frr_is n2 "$b" "$fam" Master
	check "$name: FRR (100) is backup of VRID $a" wait_until "$secs" frr_is n2 "$a" "$fam" Backup
	check "$name: hafd (100) is backup of VRID $b" wait_state n1 BACKUP "$secs" "VRID $b"
	check "$name: the VIPs are served by their masters only" \
		eval "wait_serves n1 $va $secs && wait_serves n2 $vb $secs && ! serves n1 $vb && ! serves n2 $va"

	m=$(log_mark n2)
	lab kill n1
	check "$name: FRR takes VRID $a over when hafd is killed" \
		wait_log_since n2 "$m" "$(frr_to "$a" "$fam" Master)" "$secs"
	check "$name: FRR serves $va" wait_serves n2 "$va" "$secs"
	m=$(log_mark n2)
	lab start n1
	check "$name: restarted hafd preempts VRID $a" \
		wait_last_run n1 "\[frr$a/VRID $a\] BACKUP -> MASTER \(preempting lower priority master\)" "$secs"
	check "$name: FRR yields VRID $a" wait_log_since n2 "$m" "$(frr_to "$a" "$fam" Backup)" "$secs"
	check "$name: FRR's macvlan for VRID $a is held down again" wait_not_serves n2 "$va" "$secs"

	lab kill n2
	check "$name: hafd takes VRID $b over when FRR is killed" \
		wait_last_run n1 "\[frr$b/VRID $b\] BACKUP -> MASTER \(master down timer\)" "$secs"
	check "$name: hafd serves $vb" wait_serves n1 "$vb" "$secs"
	m=$(log_mark n2)
	lab start n2
	check "$name: restarted FRR preempts VRID $b" \
		wait_log_since n2 "$m" "$(frr_to "$b" "$fam" Master)" "$secs"
	check "$name: hafd yields VRID $b" \
		wait_last_run n1 "\[frr$b/VRID $b\] MASTER -> BACKUP \(higher priority advert\)" "$secs"
	check "$name: $vb served by FRR only" eval "wait_serves n2 $vb $secs && wait_not_serves n1 $vb $secs"
	check "$name: restarted FRR stays backup of VRID $a" \
		eval "wait_until $secs frr_is n2 $a $fam Backup && ! _log_since_has n2 $m '$(frr_to "$a" "$fam" Master)'"

	# With "debug vrrp packets" FRR logs every advert it reads, and why it
	# drops one: no "Datagram rx", no check.
	check "$name: FRR logs the adverts it reads (debug vrrp packets)" eval "log_of n2 | grep -q 'Datagram rx'"
	check "$name: FRR logs no protocol error" no_proto_errors n2
	check "$name: hafd logs no dropped VRRP packet" no_proto_errors n1
	if [ "$fam-$ver" = 4-3 ]; then
		check "$name: hafd verified FRR's adverts with the pseudo-header (RFC 5798 form)" \
			csum_forms_are n1 rfc5798
	fi
	[ $WIRE = 1 ] && wire_check "$name" "$fam" "$ver" "$ms" "$vmac" "$a" "$b" "$va" "$vb"
	lab_down
}

wire_check() {   # NAME FAM VERSION INT_MS VMAC VRID_A VRID_B VIP_A VIP_B
	local name=$1 fam=$2 ver=$3 ms=$4 vmac=$5 a=$6 b=$7 va=$8 vb=$9 dst=224.0.0.18 ma="" mb=""
	capture_stop "$name"
	[ "$fam" = 6 ] && dst=ff02::12
	if [ "$vmac" = yes ]; then   # the source MAC is the VMAC (RFC 9568 item 14)
		ma=$(printf '00:00:5e:00:%02x:%02x' $((fam == 4 ? 1 : 2)) "$a")
		mb=$(printf '00:00:5e:00:%02x:%02x' $((fam == 4 ? 1 : 2)) "$b")
	fi
	check "$name: hafd's VRID $a adverts decode in tshark, checksum good" \
		hafd_adverts_ok "$name" n1 "$fam" "$ver" "$ms" "$dst" "$a" 150 "$va" ${ma:+"$ma"}
	check "$name: hafd's VRID $b adverts decode in tshark, checksum good" \
		hafd_adverts_ok "$name" n1 "$fam" "$ver" "$ms" "$dst" "$b" 100 "$vb" ${mb:+"$mb"}
}

run_pair "v3 IPv4" 4 3 100 no 51 52 10.77.0.100 10.77.0.101 5
run_pair "v3 IPv4 use_vmac" 4 3 100 yes 53 54 10.77.0.100 10.77.0.101 5
run_pair "v3 IPv6 use_vmac" 6 3 100 yes 61 62 fd77::100 fd77::101 5
run_pair "v2 IPv4" 4 2 1000 no 71 72 10.77.0.100 10.77.0.101 10

# --- v3_checksum = rfc9568 ----------------------------------------------------
templates 4 3 100 no 91 92 10.77.0.100 10.77.0.101 "v3_checksum = rfc9568"
lab_up -n 2 --daemons hafd,frr -c "$HTPL" -r "$FTPL"
check "rfc9568: hafd (150) is master of VRID 91" wait_state n1 MASTER 5 "VRID 91"
check "rfc9568: FRR 8.4 rejects hafd's checksum" \
	wait_log n2 '\[VRID 91\] \[IPv4\] Datagram invalid: Bad VRRP checksum' 5
check "rfc9568: so FRR is master of VRID 91 too (two masters)" wait_until 5 frr_is n2 91 4 Master
check "rfc9568: hafd accepts FRR's pseudo-header checksum (backup of VRID 92)" \
	eval "wait_state n1 BACKUP 5 'VRID 92' && stays 1 is_state n1 BACKUP 'VRID 92'"
check "rfc9568: hafd logs no dropped VRRP packet" no_proto_errors n1
check "rfc9568: hafd counted FRR's adverts as the RFC 5798 form" csum_forms_are n1 rfc5798
