#!/bin/bash
# Hostile packets from the client's namespace. First, one class at a time,
# packets each wrong in one way (TTL 254, bad checksum, short, long, wrong
# versions and type, counts that lie, interval 0, priority 255 from a
# stranger in unicast mode; tests/system/vrrp-hostile.py): hafd drops each
# with the class's reason in the log and in the counters of `hafctl status
# --json`, and nothing changes state, although each claims priority 200 or
# 255. Then floods of valid-looking adverts at tens of thousands a second
# (tests/tools/vrrp-flood), for another VRID and for the master's own (a
# lower priority), and of bad ones, with hafd's nftables rate limit on and
# with nft_table = none: the master's adverts keep their cadence (gaps seen
# by the client, printed as p50/p99/max), the backup does not flap, hafd's
# CPU stays bounded, the log is rate-limited. Only gross failures fail:
# a gap of 3 advert intervals, a state change, a core's worth of CPU.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
FLOOD=$BUILDDIR/tests/tools/vrrp-flood
HOSTILE="$SRCDIR/tests/system/vrrp-hostile.py"
PY=${SCAPY_PYTHON:-/usr/bin/python3}
AI_MS=50                        # the instances' advert interval
FLOOD_S=${HOSTILE_FLOOD_SECS:-3}
CLIENT=10.77.0.2 N1=10.77.0.11 N2=10.77.0.12
D="$HAFD_LAB_DIR/$PREFIX"
if [ ! -x "$FLOOD" ] || [ ! -x "$HAFCTL" ]; then
	echo "1..0 # SKIP needs $FLOOD and $HAFCTL (make)"
	exit 77
fi

template() {   # NFT_TABLE
	lab_conf "hostile-$1.conf" '[global]' "nft_table = $1" - <<T
[instance web]
advert_interval = ${AI_MS}ms

[instance uni]
vrid = 52
advert_interval = ${AI_MS}ms
virtual_ip = 10.77.0.101/24
unicast_peer = @PEERS4@
T
}


ctl() { local node=$1; shift; "$HAFCTL" -s "$D/$node/run/hafd.sock" "$@"; }
# counter NODE KEY: an instance's counter ("web.ip_ttl_errors") or a global
# one ("checksum_errors") from hafctl status --json.
counter() {
	ctl "$1" status --json 2>/dev/null | "$PY" -c '
import json, sys
d, key = json.load(sys.stdin), sys.argv[1]
if "." in key:
    inst, k = key.split(".")
    print(next(i for i in d["instances"] if i["name"] == inst)["counters"][k])
else:
    print(d["counters"][key])' "$2"
}
counter_moved() { [ "$(counter "$1" "$2")" != "$3" ]; }   # NODE KEY OLD
transitions() { count_in_log "$1" '\] [A-Z]+ -> [A-Z]+ \('; }
drops_logged() { count_in_log "$1" 'dropped VRRP packet'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }   # utime + stime
start_lab() {   # NFT_TABLE
	lab_up -n 2 -c "$(template "$1")"
	wait_until 10 bash -c "[ \"\$($LAB -p $PREFIX log n1 | grep -c 'BACKUP -> MASTER')\" -ge 2 ]" &&
		wait_holds n1 10.77.0.100 5 && wait_holds n1 10.77.0.101 5
	ok $? "nft_table = $1: n1 is master of both instances" || exit 1
	sleep 0.5       # n2 settled as backup
}

# ---- one class at a time (nft_table = none: hafd sees every packet) ------------------

# CLASS NODE VRID COUNTER REASON. One packet each, six per node: each node
# logs 10 drops per 10 s, so every reason shows.
classes="ttl n1 51 web.ip_ttl_errors TTL/hop_limit_not_255
checksum n1 51 checksum_errors bad_checksum
short n1 51 web.packet_length_errors bad_length
long n1 51 web.packet_length_errors bad_length
version n1 51 version_errors bad_version
version2 n1 51 version_errors bad_version
type n2 51 web.rcvd_invalid_type bad_type
count-more n2 51 web.packet_length_errors bad_length
count-fewer n2 51 web.packet_length_errors bad_length
count-zero n2 51 web.address_list_errors address_count_0
interval0 n2 51 web.interval_zero_errors advert_interval_0
valid n2 52 uni.peer_errors not_a_configured_unicast_peer"

start_lab none
before1=$(transitions n1) before2=$(transitions n2)
tried=0
while read -r cls node vrid key reason; do
	reason=${reason//_/ }
	prio=200
	[ "$cls" = valid ] && prio=255
	dst=$N1
	[ "$node" = n2 ] && dst=$N2
	c0=$(counter "$node" "$key")
	in_ns client "$PY" "$HOSTILE" "$cls" --src $CLIENT --dst "$dst" --vrid "$vrid" \
		--prio $prio --interval-cs $((AI_MS / 10)) --count 1
	tried=$((tried + 1))
	wait_until 3 counter_moved "$node" "$key" "$c0"
	sleep 0.2
	c1=$(counter "$node" "$key")
	check "$cls: $node counts it ($key $c0 -> $c1)" test "$((c1 - c0))" = 1
	check "$cls: $node logs the reason \"$reason\"" \
		wait_log "$node" "dropped VRRP packet from $CLIENT \(VRID $vrid\): ${reason//\//\\/}" 3
done <<<"$classes"
c0=$(counter n1 vrid_errors)
in_ns client "$PY" "$HOSTILE" valid --src $CLIENT --dst $N1 --vrid 99 --prio 255 --count 3
sleep 0.3
check "a VRID configured nowhere is counted, not logged as an error ($c0 -> $(counter n1 vrid_errors))" \
	test "$(($(counter n1 vrid_errors) - c0))" = 3
check "nothing changed state on n1 ($tried classes sent)" test "$(transitions n1)" = "$before1"
check "nothing changed state on n2" test "$(transitions n2)" = "$before2"
check "n1 still holds both VIPs" bash -c "ip netns exec $PREFIX-n1 ip -br addr show eth0 | grep -w 10.77.0.100 | grep -qw 10.77.0.101"
check "n2 holds none" not holds n2 10.77.0.100
check "hafd is alive on both" bash -c "kill -0 $(lab pid n1) && kill -0 $(lab pid n2)"

# ---- floods ----------------------------------------------------------------------------------

# Gaps between the master's adverts for VRID 51 as the client saw them in
# [T0, T1]: "N P50 P99 MAX" in ms, and the same for |gap - interval|.
gap_stats() {   # PCAPTXT T0 T1
	"$PY" - "$@" "$AI_MS" <<'PYEOF'
import sys
path, t0, t1, ai = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
ts = []
for line in open(path):
    f = line.split()
    if len(f) > 2 and "vrid 51," in line:
        t = float(f[0])
        if t0 <= t <= t1:
            ts.append(t)
g = sorted((b - a) * 1000 for a, b in zip(ts, ts[1:]))
j = sorted(abs(x - ai) for x in g)
pct = lambda v, p: v[min(len(v) - 1, int(p * len(v)))] if v else -1
print(len(ts), *(f"{pct(v, p):.2f}" for v in (g, j) for p in (0.5, 0.99, 1.0)))
PYEOF
}

# flood LABEL ARGS...: run vrrp-flood ARGS from the client for FLOOD_S seconds
# and check the master, the backup and the log; sets SENT and RATE.
flood() {
	local label=$1 cap=$TMP/cap.txt t0 t1 k1 k2 k1b k2b tr1 tr2 lg1 lg2 out st cpu1 cpu2
	shift
	# Straight through ip netns exec, so $! is tcpdump itself.
	ip netns exec "$PREFIX-c" tcpdump -i eth0 -n -tt -l -s 96 -B 8192 -Q in \
		"ip proto 112 and src host $N1" >"$cap" 2>"$TMP/tcpdump.err" &
	local tpid=$!
	on_exit "kill $tpid"
	wait_until 5 grep -q 'listening on' "$TMP/tcpdump.err"
	sleep 0.3
	tr1=$(transitions n1) tr2=$(transitions n2) lg1=$(drops_logged n1) lg2=$(drops_logged n2)
	k1=$(ticks "$(lab pid n1)") k2=$(ticks "$(lab pid n2)")
	t0=$EPOCHREALTIME
	out=$(in_ns client "$FLOOD" -s $CLIENT -t "$FLOOD_S" "$@")
	t1=$EPOCHREALTIME
	k1b=$(ticks "$(lab pid n1)") k2b=$(ticks "$(lab pid n2)")
	sleep 0.3
	kill -INT "$tpid"; wait "$tpid" 2>/dev/null
	SENT=$(sed -n 's/.*sent=\([0-9]*\).*/\1/p' <<<"$out")
	RATE=$(sed -n 's/.*pps=\([0-9]*\).*/\1/p' <<<"$out")
	read -r n g50 g99 gmax j50 j99 jmax <<<"$(gap_stats "$cap" "$t0" "$t1")"
	cpu1=$(awk -v a="$k1" -v b="$k1b" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", (b - a) / (e - s) }')
	cpu2=$(awk -v a="$k2" -v b="$k2b" -v s="$t0" -v e="$t1" 'BEGIN { printf "%.1f", (b - a) / (e - s) }')
	diag "$label: $out"
	diag "$label: master adverts seen $n; gap ms p50 $g50 p99 $g99 max $gmax; jitter ms p50 $j50 p99 $j99 max $jmax (interval $AI_MS ms)"
	diag "$label: CPU n1 $cpu1% n2 $cpu2%; drop lines logged n1 +$(($(drops_logged n1) - lg1)) n2 +$(($(drops_logged n2) - lg2))"
	echo "$label|$RATE|$n|$g50|$g99|$gmax|$j50|$j99|$jmax|$cpu1|$cpu2" >>"$TMP/results"
	check "$label: the master kept advertising (max gap $gmax ms < 3 intervals)" \
		awk -v m="$gmax" -v n="$n" -v ai=$AI_MS 'BEGIN { exit !(n > 10 && m >= 0 && m < 3 * ai) }'
	check "$label: the backup did not flap" test "$(transitions n2)" = "$tr2"
	check "$label: the master did not change state" test "$(transitions n1)" = "$tr1"
	check "$label: n1 still holds the VIP" holds n1
	check "$label: hafd's CPU stays bounded (n1 $cpu1%, n2 $cpu2% < 90%)" \
		awk -v a="$cpu1" -v b="$cpu2" 'BEGIN { exit !(a < 90 && b < 90) }'
	[ "${RATE:-0}" -ge 10000 ] || diag "$label: only ${RATE:-0} packets/s: a slow machine, the flood proves less"
}

flood_suite() {   # NFT label
	flood "$1: other VRID" -v 77 -p 200 -I $((AI_MS / 10))
	flood "$1: same VRID, lower priority" -v 51 -p 1 -I $((AI_MS / 10))
	local c0 l0
	c0=$(counter n1 checksum_errors) l0=$(drops_logged n1)
	flood "$1: same VRID, bad checksums" -v 51 -p 200 -I $((AI_MS / 10)) -b
	local lines=$(($(drops_logged n1) - l0)) counted=$(($(counter n1 checksum_errors) - c0))
	diag "$1: bad checksums: sent $SENT, counted by n1 $counted, logged $lines lines"
	if [ "$1" = none ]; then
		check "$1: hafd counted the bad packets it read ($counted of $SENT)" test "$counted" -gt 0
		# 10 lines per 10 s: a flood of FLOOD_S seconds spans at most two windows.
		check "$1: the log is rate-limited ($lines lines for $counted drops)" \
			test "$lines" -ge 1 -a "$lines" -le 20
	fi
}

flood_suite none
lab_down

start_lab hafd
n0=$(nft_count n1 'VRRP flood from one source')
flood_suite hafd
nf=$(($(nft_count n1 'VRRP flood from one source') - n0))
diag "hafd: nft per-source rate limit dropped $nf packets on n1"
check "hafd: the per-source rate limit dropped most of the floods ($nf)" test "$nf" -gt 10000
p0=$(nft_count n1 'not a unicast_peer') t0=$(transitions n1)
in_ns client "$PY" "$HOSTILE" valid --src $CLIENT --dst $N1 --vrid 52 --prio 255 --count 3
sleep 0.3
check "hafd: priority 255 from a stranger in unicast mode is dropped by nft ($p0 -> $(nft_count n1 'not a unicast_peer'))" \
	test "$(($(nft_count n1 'not a unicast_peer') - p0))" = 3
check "hafd: and changes nothing" test "$(transitions n1)" = "$t0"
diag "results (label|pps|adverts|gap p50|p99|max|jitter p50|p99|max|cpu n1|cpu n2):"
sed 's/^/# /' "$TMP/results"
