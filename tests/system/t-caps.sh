#!/bin/bash
# Capabilities: once started, hafd and its crash guard keep only the
# capabilities caps.h lists, in the effective, permitted and bounding sets,
# with nothing inheritable or ambient; a check script running as nobody has
# no capabilities and no descriptor of hafd's; as root (script_user = root,
# which the log says) it has only the reduced bounding set. What the kept
# set is for still works after the drop: a reload hands the scripts' state
# directory to script_user again (CAP_CHOWN), a new priority moves the VIP
# and the nft tables (CAP_NET_ADMIN), a timed-out script running as nobody
# is killed (CAP_KILL). hafd runs SCHED_RR (realtime_priority, default 10)
# and its scripts and guard do not; realtime_priority = 0 leaves it normal.
. "$(dirname "$0")/lib.sh"
need_root

# CAP_CHOWN 0, DAC_READ_SEARCH 2, KILL 5, SETGID 6, SETUID 7, NET_ADMIN 12,
# NET_RAW 13, as /proc/PID/status prints them.
KEPT=$(printf '%016x' $(((1 << 0) | (1 << 2) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 12) | (1 << 13))))
NONE=0000000000000000

# The check writes what it sees of itself into its state directory (owned
# by script_user): its own status, and its descriptors as ls lists them.
chmod 755 "$TMP"        # nobody runs the script from here
cat >"$TMP/self.sh" <<'S'
#!/bin/sh
d=$HAFD_STATE_DIR
cat /proc/self/status >"$d/st.tmp" && mv -f "$d/st.tmp" "$d/status"
ls -l /proc/self/fd >"$d/fd.tmp" && mv -f "$d/fd.tmp" "$d/fds"
cut -d' ' -f40,41 /proc/self/stat >"$d/sched.tmp" && mv -f "$d/sched.tmp" "$d/sched"
S
chmod 755 "$TMP/self.sh"
tpl=$(lab_conf caps.conf '[global]' 'script_user = nobody' \
	"$(script_check self "$TMP/self.sh" 'timeout = 2s')" - <<T
[check hang]
type = script
command = exec sleep 86397
interval = 500ms
timeout = 300ms
weight = -1

[instance web]
track = self
track = hang
T
)

D="$HAFD_LAB_DIR/$PREFIX"
lab_up -n 2 -c "$tpl" --no-start
sed -i 's/^script_user = nobody/script_user = root/' "$D/n2/hafd.conf"
sed -i 's/^\[global\]$/[global]\nrealtime_priority = 0/' "$D/n2/hafd.conf"
lab start n1
lab start n2
wait_log n1 'BACKUP -> MASTER' 10
ok $? "n1 becomes master" || exit 1
check "hafd logs the set it keeps" wait_log n1 'capabilities: kept only cap_chown,cap_dac_read_search,cap_kill,cap_setgid,cap_setuid,cap_net_admin,cap_net_raw' 5

capline() { sed -n "s/^$2:[[:space:]]*//p" "$1" 2>/dev/null; }   # FILE FIELD
caps_are() {   # FILE EFF PRM BND INH AMB
	local f=$1 got want
	got="$(capline "$f" CapEff) $(capline "$f" CapPrm) $(capline "$f" CapBnd) $(capline "$f" CapInh) $(capline "$f" CapAmb)"
	want="$2 $3 $4 $5 $6"
	[ "$got" = "$want" ] || { diag "$f: Eff Prm Bnd Inh Amb = $got, want $want"; return 1; }
}
pid1=$(lab pid n1)
guard1=$(log_of n1 | sed -n 's/.*crash guard started (pid \([0-9]*\)).*/\1/p' | tail -1)
check "hafd keeps only the kept set (effective, permitted, bounding), nothing inheritable or ambient" \
	caps_are "/proc/$pid1/status" "$KEPT" "$KEPT" "$KEPT" "$NONE" "$NONE"
check "so does its crash guard" caps_are "/proc/$guard1/status" "$KEPT" "$KEPT" "$KEPT" "$NONE" "$NONE"

# /proc/PID/stat fields 40 and 41: rt_priority and policy (0 normal, 2 SCHED_RR).
sched_of() { cut -d' ' -f40,41 "/proc/$1/stat" 2>/dev/null; }
if chrt -r 1 true 2>/dev/null; then
	check "hafd runs SCHED_RR at realtime_priority 10" test "$(sched_of "$pid1")" = "10 2"
	check "the log says so" wait_log n1 'scheduling: SCHED_RR priority 10' 1
else    # a machine that refuses real-time scheduling to root (a cgroup without RT time)
	check "hafd says real-time scheduling was refused" wait_log n1 'SCHED_RR refused, normal scheduling' 1
	check "and runs with normal scheduling" test "$(sched_of "$pid1")" = "0 0"
fi
check "its crash guard does not" test "$(sched_of "$guard1")" = "0 0"
check "realtime_priority = 0 leaves n2's hafd normal" test "$(sched_of "$(lab pid n2)")" = "0 0"

# --- a script as nobody -----------------------------------------------------------
st1="$D/n1/run-state"
check "n1's check script reports" wait_until 10 test -s "$st1/status" -a -s "$st1/fds"
check "it runs as nobody" test "$(capline "$st1/status" Uid | awk '{ print $1, $2 }')" = "$(id -u nobody) $(id -u nobody)"
check "as nobody it has no capabilities; its bounding set is hafd's" \
	caps_are "$st1/status" "$NONE" "$NONE" "$KEPT" "$NONE" "$NONE"
# Descriptors beyond 0-2, other than the one ls opened to list them.
extra_fds() { awk 'NF >= 11 && $9 ~ /^[0-9]+$/ && $9 > 2 && $11 !~ /^\/proc\/[0-9]+\/fd$/ { print $9 " -> " $11 }' "$1"; }
fds_only_std() {
	local x; x=$(extra_fds "$1")
	[ -z "$x" ] || { diag "$1: inherited $x"; return 1; }
	[ "$(awk '$9 ~ /^[0-2]$/' "$1" | wc -l)" = 3 ]
}
check "it inherits no descriptor beyond 0-2" fds_only_std "$st1/fds"
check "nor hafd's realtime scheduling" wait_until 5 test "$(cat "$st1/sched" 2>/dev/null)" = "0 0"
diag "n1 script fds: $(awk 'NF >= 11 { printf "%s->%s ", $9, $11 }' "$st1/fds")"

# --- a script as root (script_user = root) ----------------------------------------
st2="$D/n2/run-state"
check "the log says why scripts run as root" \
	wait_log n2 'check scripts run as root, as script_user = root asks' 5
check "n2's check script (as root) reports" wait_until 10 test -s "$st2/status" -a -s "$st2/fds"
check "as root it has only the reduced bounding set, not full root" \
	caps_are "$st2/status" "$KEPT" "$KEPT" "$KEPT" "$NONE" "$NONE"
check "as root it inherits no descriptor beyond 0-2 either" fds_only_std "$st2/fds"

# --- what the kept set is for still works ----------------------------------------
hangs() {   # live "sleep 86397" processes in NODE's namespace
	local n=0 p
	for p in $(ip netns pids "$PREFIX-$1"); do
		{ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q '^sleep 86397' && n=$((n + 1))
	done
	echo $n
}
check "CAP_KILL: a timed-out script running as nobody is stopped" \
	wait_log n1 'check hang: INIT -> DOWN \(timed out after 300 ms' 10
sleep 0.4
most=0
for _ in $(seq 1 20); do c=$(hangs n1); [ "$c" -gt "$most" ] && most=$c; sleep 0.1; done
check "CAP_KILL: at most the one running hang is alive (killed ones are gone)" test "$most" -le 1

before=$(stat -c %y "$st1/status" 2>/dev/null)
sed -i 's/^priority = .*/priority = 90/' "$D/n1/hafd.conf"
kill -HUP "$pid1"
check "a reload after the drop is applied" wait_log n1 'reloaded: 1 instance' 5
check "CAP_NET_ADMIN: the lower priority moves the VIP to n2" wait_holds n2 10.77.0.100 5
check "n1 removed it" wait_not_holds n1 10.77.0.100 5
check "the nft tables followed on n1 (VIPs dropped as backup)" \
	bash -c "ip netns exec $PREFIX-n1 nft list table inet hafd | grep -q 10.77.0.100"
check "no nftables or VIP error after the drop" never_logged n1 'nft: table [^ ]+:|nft: (updating|removing)|netlink: |removing VIP|vip: '
check "CAP_CHOWN: the reload hands the state directory to nobody again, without error" \
	never_logged n1 'state directory .* for check scripts'
check "scripts still write their state after the reload" \
	wait_until 5 bash -c "[ \"\$(stat -c %y '$st1/status')\" != '$before' ]"
check "the state directory is still nobody's" test "$(stat -c %U "$st1")" = nobody
check "hafd is still running" kill -0 "$pid1"
