#!/bin/bash
# Notify hooks run in order, one at a time per instance, through a burst of
# flaps: a file check toggled every 60 ms makes n1 flap between FAULT,
# BACKUP and MASTER while each hook takes 150 ms. Hooks never overlap, the
# states they report follow the daemon's transitions in order (collapsing
# is allowed, reordering is not), and the last hook describes the final
# state. A sync group's hooks run when the whole group changes state, and
# the STOP hooks run before a graceful stop completes.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

# hook.sh LOG KIND [ARGS]: "start"/"end" lines around a 150 ms nap.
cat >"$TMP/hook.sh" <<'EOF'
#!/bin/bash
log=$1 kind=$2; shift 2
echo "start $kind $HAFD_TYPE ${HAFD_INSTANCE:-} ${HAFD_GROUP:-} $HAFD_STATE $HAFD_PREV_STATE args=$*" >>"$log"
sleep 0.15
echo "end $kind $HAFD_STATE" >>"$log"
EOF
chmod 755 "$TMP/hook.sh"
echo 0 >"$TMP/flag"

# Both templates: hooks as root, and the instance web tracks $TMP/flag.
flagged=('[global]' 'script_user = root' "$(flag_check flag "$TMP/flag")" '[instance web]' 'track = flag')
tpl=$(lab_conf notify.conf "${flagged[@]}" - <<T
notify = $TMP/hook.sh $TMP/web.log notify
notify_master = $TMP/hook.sh $TMP/web.log master
notify_stop = $TMP/hook.sh $TMP/web.log stop
T
)

lab_up -n 1 -c "$tpl"
check "n1 becomes master" wait_log n1 'web/VRID 51\] BACKUP -> MASTER' 10
check "the MASTER hooks ran: notify_master, then notify with NAME STATE PRIORITY" \
	wait_for_file_line "$TMP/web.log" 'end notify MASTER'
first=$(grep -E '^start' "$TMP/web.log" | tail -2 | cut -d' ' -f2,6,8-)
check "notify_master ran before notify for the same transition" \
	test "$first" = "$(printf 'master MASTER args=\nnotify MASTER args=web MASTER 150')"

# --- a burst of flaps ---------------------------------------------------------------
for i in $(seq 1 24); do
	echo $((i % 2)) >"$TMP/flag"
	sleep 0.06
done
echo 0 >"$TMP/flag"
check "n1 settles as master after the flaps" wait_log_last n1 '\] [A-Z]+ -> MASTER' 10 'web/VRID 51'

# Wait until the queue is drained: the last hook has ended and no new one starts.
check "the hooks finish" wait_quiet "$TMP/web.log" 1
transitions=$(log_of n1 | sed -nE 's/.*\[web\/VRID 51\] [A-Z]+ -> ([A-Z]+) .*/\1/p')
hooks=$(sed -nE 's/^start notify INSTANCE web +([A-Z]+) .*/\1/p' "$TMP/web.log")
diag "$(wc -l <<<"$transitions") transitions, $(wc -l <<<"$hooks") generic notify hooks"
check "hooks never overlap: start and end alternate" alternates "$TMP/web.log"
check "the hooks' states follow the transitions in order" subsequence "$hooks" "$transitions"
check "the last hook describes the current state (MASTER)" test "$(tail -1 <<<"$hooks")" = MASTER
check "transitions that came while a hook ran were collapsed" \
	test "$(wc -l <<<"$hooks")" -lt "$(wc -l <<<"$transitions")"
check "every hook got its environment (type, instance, state, previous state)" \
	awk '/^start/ && (NF < 7 || $3 != "INSTANCE" || $4 != "web") { exit 1 }' "$TMP/web.log"

# --- graceful stop -----------------------------------------------------------------
lab stop n1
check "the STOP hooks ran before hafd exited" grep -qE '^end stop STOP' "$TMP/web.log"
check "notify STOP too, last" test "$(grep -E '^end' "$TMP/web.log" | tail -1)" = "end notify STOP"
check "hafd stopped cleanly" wait_log n1 'hafd stopped' 1
lab down >/dev/null; _lab_up=0

# --- a sync group ---------------------------------------------------------------------
echo 0 >"$TMP/flag"
tpl=$(lab_conf group.conf "${flagged[@]}" - <<T
notify = $TMP/hook.sh $TMP/member.log notify

[instance api]
vrid = 52
virtual_ip = 10.77.0.101/24

[group pair]
instance = web
instance = api
notify = $TMP/hook.sh $TMP/group.log notify
notify_fault = $TMP/hook.sh $TMP/group.log fault
T
)
wait_last_group_state() {
	local deadline=$((SECONDS + 10))
	while [ $SECONDS -le $deadline ]; do
		grep -E '^start notify GROUP' "$TMP/group.log" | tail -1 | grep -qE " pair $1 " &&
			return 0
		sleep 0.05
	done
	return 1
}
lab_up -n 1 -c "$tpl"
check "group: both members become master" wait_log n1 'api/VRID 52\] BACKUP -> MASTER' 10 &&
	wait_log n1 'web/VRID 51\] BACKUP -> MASTER' 10
check "group: its notify ran for MASTER once both members were master (GROUP STATE 0)" \
	wait_for_file_line "$TMP/group.log" '^start notify GROUP (web|api) pair MASTER BACKUP args=pair MASTER 0$'
check "group: a member's own hooks get HAFD_GROUP" \
	wait_for_file_line "$TMP/member.log" '^start notify INSTANCE web pair MASTER '
echo 1 >"$TMP/flag"
check "group: notify_fault, then notify, when a member faults" \
	wait_for_file_line "$TMP/group.log" '^end notify FAULT' &&
	grep -A1 -E '^end notify MASTER' "$TMP/group.log" | grep -qE '^start fault GROUP (web|api) pair FAULT MASTER'
echo 0 >"$TMP/flag"
check "group: back to MASTER" wait_last_group_state MASTER
lab stop n1
check "group: its STOP hook ran before hafd exited" grep -qE '^end notify STOP' "$TMP/group.log"
check "group: hafd stopped cleanly" wait_log n1 'hafd stopped' 1
