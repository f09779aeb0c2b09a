#!/bin/bash
# Sync groups: two instances per node, VRID 51 (VIP .100) and VRID 52 (VIP
# .101), with priorities that would split them between the nodes (n1
# 150/100, n2 100/150), as the control run without a group shows. In one
# [group] they stay together on one node; a fault of one member (its
# tracked interface goes down) takes its sibling along, and both move to
# the other node; when the node holding them is killed, both move.
. "$(dirname "$0")/lib.sh"
need_root

A=10.77.0.100 B=10.77.0.101
# lab_conf puts the group before the instances, so that instance b (no
# priority in the template: it is added per node with node_conf_add) is
# the last section.
template() {   # GROUP_SECTION
	lab_conf "group-$RANDOM.conf" "$1" - <<T
[instance a]
virtual_ip = $A/24
track_interface = trk0

[instance b]
vrid = 52
priority =
virtual_ip = $B/24
T
}
# Each node gets trk0 (one end of a veth pair of its own, to track) and
# b's priority; then hafd starts.
start_lab() {   # TEMPLATE
	lab_up -n 2 -P 150,100 -c "$1" --no-start
	for node in n1 n2; do
		in_ns "$node" ip link add trk0 type veth peer name trk0-peer &&
			in_ns "$node" ip link set trk0-peer up && in_ns "$node" ip link set trk0 up ||
			{ ok 1 "trk0 on $node"; exit 1; }
	done
	node_conf_add n1 "priority = 100"
	node_conf_add n2 "priority = 150"
	lab start n1
	lab start n2
}
other() { if [ "$1" = n1 ]; then echo n2; else echo n1; fi; }
holds_both() { holds "$1" $A && holds "$1" $B && ! holds "$(other "$1")" $A && ! holds "$(other "$1")" $B; }
# The node that holds both VIPs while the other holds none (empty if none).
together_on() { for n in n1 n2; do holds_both $n && { echo $n; return; }; done; }

# --- control: without the group the instances split ---------------------------
start_lab "$(template '')"
check "without a group, n1 holds $A (a: 150 vs 100)" wait_holds n1 $A 5
check "without a group, n2 holds $B (b: 150 vs 100)" wait_holds n2 $B 5
check "and they stay split" stays 0.5 eval "holds n1 $A && ! holds n1 $B && holds n2 $B && ! holds n2 $A"
lab_down

# --- with the group: together ---------------------------------------------------
start_lab "$(template $'[group ai]\ninstance = a\ninstance = b')"
check "with the group, one node holds both VIPs" wait_until 8 eval 'test -n "$(together_on)"'
first=$(together_on); second=$(other "$first")
[ -n "$first" ] || exit 1
diag "both instances on $first"
check "and keeps both ($first)" stays 1 holds_both "$first"
check "both of $first's instances are MASTER" eval "is_state $first MASTER 'a/' && is_state $first MASTER 'b/'"
check "both of $second's instances are BACKUP" eval "is_state $second BACKUP 'a/' && is_state $second BACKUP 'b/'"

# --- group fault: one member's tracked interface goes down ------------------------
in_ns "$first" ip link set trk0 down
check "$first's a enters FAULT (trk0 down)" wait_state "$first" FAULT 5 'a/'
check "its sibling b follows into FAULT" wait_state "$first" FAULT 5 'b/'
check "$second takes both VIPs" wait_until 5 holds_both "$second"
in_ns "$first" ip link set trk0 up
check "$first's a leaves FAULT when trk0 is back" wait_state "$first" BACKUP 5 'a/'
check "and b with it" wait_state "$first" BACKUP 5 'b/'
# n1's a (150) would preempt alone, n2's b would too: the group holds them.
check "both VIPs stay together on $second" stays 1 holds_both "$second"

# --- the node holding both is killed ----------------------------------------------
lab kill "$second"
check "both instances on $first take over when $second is killed" \
	eval "wait_state $first MASTER 5 'a/' && wait_state $first MASTER 5 'b/'"
check "$first holds both VIPs" wait_until 5 eval "holds $first $A && holds $first $B"
