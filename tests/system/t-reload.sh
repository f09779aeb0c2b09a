#!/bin/bash
# Hitless reload (SIGHUP): an unchanged instance keeps its state with no
# flap, no GARP and no notify hook, even while a client probes the VIP;
# a new instance starts, a removed one resigns, a priority change is
# advertised at once; a configuration with errors is refused and the old
# one keeps running.
. "$(dirname "$0")/lib.sh"
need_root

tpl=$(lab_conf reload.conf - <<'T'
[instance web]
notify = /bin/sh -c 'echo "$1 $2" >> @RUNDIR@/../notify.log' notify
T
)
conf() { echo "$HAFD_LAB_DIR/$PREFIX/$1/hafd.conf"; }
notes() { cat "$HAFD_LAB_DIR/$PREFIX/$1/notify.log" 2>/dev/null; }
reload() {   # NODE: SIGHUP, then wait for the result line
	local before; before=$(count_in_log "$1" 'reloaded:|reload refused:')
	kill -HUP "$(lab pid "$1")"
	local deadline=$((SECONDS + 5))
	while [ $SECONDS -le $deadline ]; do
		[ "$(count_in_log "$1" 'reloaded:|reload refused:')" -gt "$before" ] && return 0
		sleep 0.05
	done
	return 1
}
transitions() { count_in_log "$1" ' -> (MASTER|BACKUP|FAULT|INIT)'; }

pair_up --probes -c "$tpl"
ok $? "n1 master, n2 backup"
in_ns client "$PROBE" ready 10.77.0.100 7777 -t 5 >/dev/null

# --- unchanged: no flap while the client probes --------------------------------
t1=$(transitions n1) t2=$(transitions n2) nn=$(notes n1 | wc -l)
in_ns client timeout 4 tcpdump -l -n -i eth0 arp 2>/dev/null >"$TMP/arp.txt" &
tcpd=$!
on_exit "kill $tcpd"
in_ns client "$PROBE" watch 10.77.0.100 7777 -t 2 -s 0 >"$TMP/probe.txt" &
probe=$!
sleep 0.5
check "SIGHUP with the same configuration reloads" reload n1
wait "$probe"
diag "$(cat "$TMP/probe.txt")"
check "the client saw no change of master during the reload" grep -q 'outage_ms=none from=n1' "$TMP/probe.txt"
check "no state change on n1" test "$(transitions n1)" = "$t1"
check "no state change on n2" test "$(transitions n2)" = "$t2"
check "no notify hook ran" test "$(notes n1 | wc -l)" = "$nn"
kill "$tcpd" 2>/dev/null; wait "$tcpd" 2>/dev/null
garp_re='Request who-has 10\.77\.0\.100 .*tell 10\.77\.0\.100'
check "no gratuitous ARP from n1 during the reload" not grep -qE "$garp_re" "$TMP/arp.txt"

# --- a new instance on both nodes ------------------------------------------------
for n in n1 n2; do
	prio=$([ $n = n1 ] && echo 150 || echo 100)
	cat >>"$(conf $n)" <<T

[instance api]
interface = eth0
vrid = 52
priority = $prio
advert_interval = 100ms
virtual_ip = 10.77.0.101/24
T
	reload $n
done
check "the new instance starts on n1 and becomes master" wait_log n1 '\[api/VRID 52\] BACKUP -> MASTER' 5
check "and on n2 as backup" wait_log n2 '\[api/VRID 52\] INIT -> BACKUP' 5
check "n1 holds the new VIP" wait_holds n1 10.77.0.101
check "the old instance did not move" test "$(transitions n1 | tr -d ' ')" = "$((t1 + 2))"

# --- a removed instance resigns ----------------------------------------------------
python3 - "$(conf n1)" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
open(p, "w").write(s[:s.index("[instance api]")])
PY
check "removing the instance from n1's configuration" reload n1
check "n1's api instance resigns (priority 0)" wait_log n1 '\[api/VRID 52\] MASTER -> INIT \(shutdown\)' 5
check "n2 takes api over at once" wait_log n2 '\[api/VRID 52\] BACKUP -> MASTER \(master resigned' 5
check "n1 removed the VIP of the removed instance" wait_not_holds n1 10.77.0.101

# --- a priority change is advertised at once ----------------------------------------
sed -i 's/^priority = 150$/priority = 50/' "$(conf n1)"
in_ns client timeout 3 tcpdump -l -n -i eth0 arp 2>/dev/null >"$TMP/arp2.txt" &
tcpd=$!
sleep 0.5
check "lowering n1's priority" reload n1
check "n2 preempts as soon as it hears the lower priority" \
	wait_log n2 '\[web/VRID 51\] BACKUP -> MASTER \(preempting lower priority master\)' 5
check "n1 yields" wait_log n1 '\[web/VRID 51\] MASTER -> BACKUP \(higher priority advert\)' 5
wait "$tcpd" 2>/dev/null
check "(control: the capture does see the new master's gratuitous ARPs)" grep -qE "$garp_re" "$TMP/arp2.txt"

# --- a bad configuration is refused ----------------------------------------------------
cp "$(conf n1)" "$TMP/good.conf"
sed -i 's/^priority = 50$/prority = 200/' "$(conf n1)"
t1=$(transitions n1)
check "a configuration with errors" reload n1
check "is refused with its error, file and line" wait_log n1 "reload refused: .*hafd.conf:[0-9]+: \[instance web\] prority: unknown key \(did you mean 'priority'\?\)" 2
check "and the running configuration stays" test "$(transitions n1)" = "$t1"
check "n1 is still running" kill -0 "$(lab pid n1)"
cp "$TMP/good.conf" "$(conf n1)"
