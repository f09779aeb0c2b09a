#!/bin/bash
# Election: the highest priority wins, whichever node starts first; equal
# priorities are settled by the higher primary address (RFC 9568 §6.4.3),
# shown with a split brain that heals; with three nodes, when the master
# dies the second-highest takes over, not the third.
. "$(dirname "$0")/lib.sh"
need_root

template() {   # ADVERT_INTERVAL
	lab_conf "election-$1.conf" '[instance web]' "advert_interval = $1"
}
only_holder() { holds "$1" && ! holds "$2"; }   # NODE OTHER

# --- two nodes: priority, not start order -----------------------------------
# n1 (100) starts first and may be master for a moment; n2 (200) must win.
lab_up -n 2 -P 100,200 -c "$(template 100ms)"
check "n2 (priority 200) becomes master" wait_state n2 MASTER 5
check "n1 (priority 100) ends as backup" wait_state n1 BACKUP 5
check "n2 alone holds the VIP, and keeps it" stays 0.5 only_holder n2 n1
lab_down

# --- two nodes, equal priority: the higher address wins ---------------------
# n2 (10.77.0.12) is unplugged from the switch, so both become master; once
# it is back, n1 (10.77.0.11) must yield to it.
lab_up -n 2 -P 100,100 -c "$(template 100ms)" --no-start
lab isolate n2
lab start n1
lab start n2
check "n1 becomes master alone" wait_state n1 MASTER 5
check "n2 becomes master alone (split brain)" wait_state n2 MASTER 5
check "both hold the VIP while split" wait_until 2 eval 'holds n1 && holds n2'
lab rejoin n2
check "n1 (lower address) yields to the equal-priority advert" \
	wait_log n1 'MASTER -> BACKUP \(higher priority advert\)' 5
check "n1 released the VIP" wait_not_holds n1
check "n2 (higher address) stays master and keeps the VIP" stays 0.5 only_holder n2 n1
check "n2 never left MASTER" never_logged n2 'MASTER -> '
lab_down

# --- three nodes: the second-highest takes over -------------------------------
# Long adverts so Skew_Time separates n2 (100) from n3 (1) by ~190 ms.
lab_up -n 3 -P 150,100,1 -c "$(template 500ms)"
check "n1 (150) becomes master of three" wait_state n1 MASTER 5
check "n2 and n3 are backups" wait_until 5 eval 'is_state n2 BACKUP && is_state n3 BACKUP'
check "n1 alone holds the VIP" eval 'holds n1 && ! holds n2 && ! holds n3'
lab kill n1
check "n2 (100) takes over when n1 dies" wait_log n2 'BACKUP -> MASTER' 5
check "n2 holds the VIP" wait_holds n2
check "n3 (1) stays backup" stays 1 is_state n3 BACKUP
check "n3 never became master" never_logged n3 ' -> MASTER'
check "n3 does not hold the VIP" not holds n3
