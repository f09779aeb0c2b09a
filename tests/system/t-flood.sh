#!/bin/bash
# A flood of valid-looking adverts from spoofed sources, each packet from
# another address (tests/tools/vrrp-flood -S), at tens of thousands a
# second. hafd's nftables table limits VRRP per source (one token bucket
# per address, in a set of 4096): more sources than that fill the set, and
# a per-source limit alone lets the rest through. An overall cap on VRRP
# from sources hafd does not know (not a unicast_peer, not the master a
# backup follows) must hold whatever the number of sources: the backup
# reads at most the cap, the master it follows still gets through (no
# takeover), and the master keeps its advert cadence.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
FLOOD=$BUILDDIR/tests/tools/vrrp-flood
PY=${SCAPY_PYTHON:-/usr/bin/python3}
AI_MS=50                        # 20 adverts/s: the per-source rate and the cap are 100/s
SECS=${FLOOD_SECS:-4}
RATE=${FLOOD_RATE:-30000}         # packets/s, as issue 19 measures it
SOURCES=20000                   # five times what the per-source set holds
SPOOF_BASE=10.77.128.0            # spoofed sources: 10.77.128.1 and up, no node among them
D="$HAFD_LAB_DIR/$PREFIX"
if [ ! -x "$FLOOD" ] || [ ! -x "$HAFCTL" ]; then
	echo "1..0 # SKIP needs $FLOOD and $HAFCTL (make)"
	exit 77
fi

ctl() { local node=$1; shift; "$HAFCTL" -s "$D/$node/run/hafd.sock" "$@"; }
rcvd() {   # NODE: valid adverts hafd read for instance web
	ctl "$1" status --json 2>/dev/null | "$PY" -c '
import json, sys
d = json.load(sys.stdin)
print(next(i for i in d["instances"] if i["name"] == "web")["counters"]["rcvd_advertisements"])'
}
nft_status() {   # NODE KEY: a field of the nft object of hafctl status --json
	ctl "$1" status --json 2>/dev/null | "$PY" -c '
import json, sys
print(json.load(sys.stdin)["nft"][sys.argv[1]])' "$2"
}
transitions() { count_in_log "$1" '\] [A-Z]+ -> [A-Z]+ \('; }

tpl=$(lab_conf flood.conf '[instance web]' "advert_interval = ${AI_MS}ms")
lab_up -n 2 -c "$tpl"
wait_state n1 MASTER 10 web && wait_state n2 BACKUP 10 web
ok $? "n1 is master, n2 backup" || exit 1
sleep 0.5

cap=$(nft_status n2 vrrp_cap_pps)
check "hafctl status shows the cap on VRRP from unknown sources ($cap/s)" test "${cap:-0}" -gt 0
tr1=$(transitions n1) tr2=$(transitions n2)
r0=$(rcvd n2) c0=$(nft_count n2 'VRRP beyond the cap')
t0=$EPOCHREALTIME
out=$(in_ns client "$FLOOD" -s $SPOOF_BASE -S $SOURCES -r "$RATE" -v 51 -p 1 -I $((AI_MS / 10)) -t "$SECS")
t1=$EPOCHREALTIME
sleep 0.3
r1=$(rcvd n2) c1=$(nft_count n2 'VRRP beyond the cap')
rate=$(sed -n 's/.*pps=\([0-9]*\).*/\1/p' <<<"$out")
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
got=$((r1 - r0))
# What may reach the backup's hafd: the cap and its burst, the master's
# adverts, and as many again for the master's answers: it answers every
# lower-priority advert that its own cap lets in.
most=$(awk -v s="$secs" -v c="${cap:-100}" -v ai=$AI_MS 'BEGIN { printf "%d", (s + 1) * (2 * c + 1000 / ai) + 2 * c }')
diag "flood: $out; $SOURCES sources; n2 read $got adverts in $secs s (at most $most allowed); cap dropped $((c1 - c0))"
[ "${rate:-0}" -ge 10000 ] || diag "only ${rate:-0} packets/s: a slow machine, the flood proves less"
check "the flood was sent ($rate packets/s)" test "${rate:-0}" -ge $((RATE / 2))
check "the backup read no more than the cap lets through ($got <= $most)" test "$got" -le "$most"
check "the cap's rule counted the drops ($((c1 - c0)))" test "$((c1 - c0))" -gt 0
check "the backup did not take over (the master it follows is exempt)" test "$(transitions n2)" = "$tr2"
check "the master did not change state" test "$(transitions n1)" = "$tr1"
check "n1 still holds the VIP" holds n1
check "n2 holds no VIP" not holds n2
