#!/bin/bash
# Restart after SIGKILL: the killed master keeps its VIP and its journal
# (runtime_dir/vips) still lists it; when hafd starts again it removes the
# VIP first, logs it, and only then enters BACKUP; the journal follows what
# each node holds. `preempt = no` keeps the restarted node backup, so the
# VIP's absence can be seen.
. "$(dirname "$0")/lib.sh"
need_root

# Where hafd has a crash guard (which would remove the VIP at once), turn it
# off: this test is about what the next start does.
guard=""
hafd_accepts_global crash_guard no && guard="crash_guard = no"
tpl=$(lab_conf restart.conf '[global]' "$guard" '[instance web]' 'preempt = no')
LINE="eth0 10.77.0.100/24"
REMOVED='removed 1 VIP left by an earlier run'
STARTED='INIT -> BACKUP \(startup\)'
journal() { cat "$HAFD_LAB_DIR/$PREFIX/$1/run/vips" 2>/dev/null; }   # NODE
journal_is() { [ "$(journal "$1")" = "$2" ]; }   # NODE TEXT

lab_up -n 2 -c "$tpl"
serve_probes n1 n2
check "n1 is master and holds the VIP" eval 'wait_state n1 MASTER 5 && wait_holds n1'
check "n1's journal lists the VIP: '$LINE'" journal_is n1 "$LINE"
check "n2's journal is empty (backup)" journal_is n2 ""

lab kill n1
check "n2 takes over" wait_state n2 MASTER 5
check "n2's journal lists the VIP" wait_until 2 journal_is n2 "$LINE"
check "the killed n1 still holds the VIP (stale)" holds n1
check "and its journal still lists it" journal_is n1 "$LINE"

lab start n1
check "n1 starts again and logs the removal" wait_last_run n1 "$REMOVED" 5
check "n1 enters BACKUP" wait_last_run n1 "$STARTED" 5
# Once the startup line is there, the VIP must already be gone.
check "the stale VIP was gone before n1 entered BACKUP" not holds n1
check "n1 logged the removal before entering BACKUP" eval 'last_run n1 | in_order "$REMOVED" "$STARTED"'
check "n1's journal is empty" journal_is n1 ""
check "n2 is still master with the VIP, n1 backup without it" \
	stays 0.5 eval 'is_state n1 BACKUP && holds n2 && ! holds n1'
check "the client reaches the VIP on n2" test "$(who_answers)" = n2

# --- and the other way: the node restarted as backup takes over -------------
lab kill n2
check "n1 takes over from the killed n2" wait_state n1 MASTER 5
check "n1's journal lists the VIP once" wait_until 2 journal_is n1 "$LINE"
lab start n2
check "n2's next start removes its stale VIP" wait_last_run n2 "$REMOVED" 5
check "n2 enters BACKUP without the VIP" eval 'wait_last_run n2 "$STARTED" 5 && ! holds n2'
check "n2's journal is empty, n1's still lists the VIP" eval 'journal_is n2 "" && journal_is n1 "$LINE"'
check "the client reaches the VIP on n1" test "$(who_answers)" = n1
