#!/bin/bash
# Failover in a two-node lab: the master is killed (SIGKILL), loses its
# link, or stops gracefully (SIGTERM); each time the backup takes over,
# the VIP moves, and the client reaches the VIP on the new master.
. "$(dirname "$0")/lib.sh"
need_root

tpl=$(lab_conf failover.conf '[instance web]')

start_pair() { pair_up --probes -c "$tpl"; }

# --- SIGKILL ---------------------------------------------------------------
start_pair
ok $? "n1 (priority 150) becomes master, n2 (100) backup"
check "n1 holds the VIP" holds n1
check "n2 does not hold the VIP" not holds n2
check "client reaches the VIP on n1" test "$(who_answers)" = n1

lab kill n1
check "n2 takes over after n1 is killed" wait_log n2 'BACKUP -> MASTER' 5
check "n2 holds the VIP" wait_holds n2
out=$(in_ns client "$PROBE" watch 10.77.0.100 7777 -t 3 -s 100)
diag "$out"
check "client reaches the VIP on n2" test "$(who_answers)" = n2

lab start n1
check "n1 preempts back when it returns" wait_log n2 'MASTER -> BACKUP \(higher priority advert\)' 5
check "n1 holds the VIP again" wait_holds n1
check "n2 released the VIP" wait_not_holds n2
lab down >/dev/null; _lab_up=0

# --- link down ---------------------------------------------------------------
start_pair
lab linkdown n1
check "n1 enters FAULT when its link goes down" wait_log n1 'MASTER -> FAULT \(fault\)' 5
check "n2 takes over when n1's link is down" wait_log n2 'BACKUP -> MASTER' 5
check "n1 removed the VIP in FAULT" wait_not_holds n1
check "client reaches the VIP on n2" test "$(who_answers)" = n2
lab linkup n1
check "n1 leaves FAULT when its link returns" wait_log n1 'FAULT -> BACKUP \(fault cleared\)' 5
check "n1 takes the VIP back" wait_holds n1
lab down >/dev/null; _lab_up=0

# --- SIGTERM -------------------------------------------------------------------
start_pair
lab stop n1
check "n1 removed its VIP on SIGTERM" not holds n1
check "n2 takes over at once on priority 0" wait_log n2 'BACKUP -> MASTER \(master resigned \(priority 0\)\)' 5
check "n1's journal of VIPs is empty after a graceful stop" test ! -s "$HAFD_LAB_DIR/$PREFIX/n1/run/vips"
check "client reaches the VIP on n2" test "$(who_answers)" = n2
