#!/bin/bash
# Script checks in the daemon: a script that hangs and ignores SIGTERM is
# killed with its whole process group at its timeout (SIGKILL a second
# later), counted as a timeout, never run twice at once, and leaves no
# zombie; the shipped check_gpu runs as script_user (nobody) with a state
# directory hafd gives it, and its "down" moves the VIP; script_security
# refuses a script in a directory others can write; a script written for
# keepalived (degrade_exit = none) that exits 2 fails and moves the VIP by
# its weight, where by default exit 2 is only degraded (issue 20).
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

chmod 755 "$TMP"        # script_user nobody runs the fake nvidia-smi from here
mkdir -p "$TMP/bin" "$TMP/unsafe"
chmod 777 "$TMP/unsafe"
# hang.sh NODE: hangs, ignoring SIGTERM, while $TMP/hang-NODE says so; a
# background child with a marker argument shows the whole group is killed.
cat >"$TMP/hang.sh" <<EOF
#!/bin/bash
if [ "\$(cat $TMP/hang-\$1 2>/dev/null)" = hang ]; then
	trap '' TERM
	sleep 86401 &
	exec sleep 86400
fi
echo "ready"
EOF
cp "$TMP/hang.sh" "$TMP/unsafe/hang.sh"
chmod 755 "$TMP/hang.sh" "$TMP/unsafe/hang.sh"
# The fake nvidia-smi of node N prints the fixture named in $TMP/smi-N.
cat >"$TMP/bin/nvidia-smi" <<EOF
#!/bin/bash
cat "$SRCDIR/tests/golden/nvidia-smi/\$(cat "$TMP/smi-\$HAFD_NODE")"
EOF
chmod 755 "$TMP/bin/nvidia-smi"
fake_smi() { echo "$2" >"$TMP/smi-$1"; }   # NODE FIXTURE
for n in n1 n2; do echo ok >"$TMP/hang-$n"; fake_smi $n healthy.csv; done
# exit.sh NAME NODE: exits with the status in $TMP/exit-NAME-NODE.
printf '#!/bin/sh\nexit "$(cat %s/exit-$1-$2)"\n' "$TMP" >"$TMP/exit.sh"
chmod 755 "$TMP/exit.sh"
for n in n1 n2; do echo 0 >"$TMP/exit-nagios-$n"; echo 0 >"$TMP/exit-legacy-$n"; done

tpl=$(lab_conf script.conf - <<T
[global]
script_user = nobody

[check hang]
type = script
command = exec $TMP/hang.sh @NODE@
interval = 300ms
timeout = 1500ms
rise = 1
fall = 1

[check gpu]
type = script
command = HAFD_NODE=@NODE@ PATH=$TMP/bin:/usr/bin:/bin $SRCDIR/libexec/check_gpu
interval = 300ms
timeout = 5s
rise = 1
fall = 1

[check unsafe]
type = script
command = $TMP/unsafe/hang.sh @NODE@

[check nagios]
type = script
command = $TMP/exit.sh nagios @NODE@
interval = 300ms
rise = 1
fall = 1
weight = -80
degrade_exit = none

[check legacy]
type = script
command = $TMP/exit.sh legacy @NODE@
interval = 300ms
rise = 1
fall = 1
weight = -80

[instance web]
track = hang
track = gpu
track = nagios
track = legacy
T
)

export HAFD_ARGS=-D
lab_up -n 2 -c "$tpl"
check "n1's scripts come up" wait_log n1 'check hang: INIT -> UP \(ready\)' 20 &&
	wait_log n1 'check gpu: INIT -> UP \(OK: 1 GPU\(s\) healthy\)' 20
check "n1 holds the VIP" wait_holds n1 10.77.0.100 20

# --- script_security ---------------------------------------------------------------
check "script_security refuses a script in a world-writable directory" \
	wait_log n1 "check unsafe: not running $TMP/unsafe/hang.sh: $TMP/unsafe is writable by a user other than root"
check "the refused check is DOWN with the reason" wait_log n1 'check unsafe: INIT -> DOWN \(refused by script_security' 5

# --- check_gpu as nobody --------------------------------------------------------------
state="$HAFD_LAB_DIR/$PREFIX/n1/run-state"
check "scripts get a state directory owned by script_user" test "$(stat -c %U "$state")" = nobody
check "check_gpu keeps its state there, as nobody" \
	test "$(stat -c %U "$state/check_gpu-gpu.state" 2>/dev/null)" = nobody
mark n1; mark n2
fake_smi n1 remap-failure.csv
check "check_gpu: a row-remap failure takes n1's check DOWN with the script's line" \
	wait_new n1 'check gpu: UP -> DOWN \(exit 1: DOWN: GPU 0: row remapping failed\)' 10
check "check_gpu: n2 takes the VIP" wait_holds n2
mark n1
fake_smi n1 healthy.csv
check "check_gpu: n1's check returns" wait_new n1 'check gpu: DOWN -> UP' 10
check "check_gpu: n1 holds the VIP again" wait_holds n1

# --- a hanging script -------------------------------------------------------------------
markers() {   # count of live marker processes in n1's namespace
	local n=0 p
	for p in $(ip netns pids "$PREFIX-n1"); do
		{ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -qE '^sleep 8640[01]' &&
			n=$((n + 1))
	done
	echo $n
}
mark n1; mark n2
echo hang >"$TMP/hang-n1"
check "hang: n1's check goes DOWN on the timeout" \
	wait_new n1 'check hang: UP -> DOWN \(timed out after 1500 ms' 10
check "hang: n2 takes the VIP" wait_holds n2
check "hang: the script that ignored SIGTERM was SIGKILLed, and counted" \
	wait_new n1 'check hang: fail in [0-9]+ ms \(timed out after 1500 ms, killed\)' 10
most=0
for _ in $(seq 1 60); do
	c=$(markers); [ "$c" -gt "$most" ] && most=$c
	sleep 0.1
done
diag "at most $most marker processes alive at once"
check "hang: runs are never doubled (at most one group of 2 processes alive)" test "$most" -le 2
check "hang: several timed-out runs are counted" \
	test "$(count_new n1 'check hang: fail in [0-9]+ ms \(timed out after 1500 ms, killed\)')" -ge 2
echo ok >"$TMP/hang-n1"
check "hang: n1's check returns" wait_new n1 'check hang: DOWN -> UP \(ready\)' 10
deadline=$((SECONDS + 5))
while [ "$(markers)" != 0 ] && [ $SECONDS -le $deadline ]; do sleep 0.1; done
check "hang: the killed groups left no process behind" test "$(markers)" = 0
zombies() {
	local pid; pid=$(lab pid n1)
	ps -o stat= --ppid "$pid" | grep -c '^Z'
}
deadline=$((SECONDS + 2))
while [ "$(zombies)" != 0 ] && [ $SECONDS -le $deadline ]; do sleep 0.05; done
check "no zombie children of hafd" test "$(zombies)" = 0
check "n1 holds the VIP again" wait_holds n1

# --- degrade_exit (issue 20) ---------------------------------------------------------
# By default exit 2 is degraded: degrade_weight (0) applies, not weight.
# check_run_done() re-sums the priority before it returns, so a priority
# change would be logged right after the transition.
mark n1
echo 2 >"$TMP/exit-legacy-n1"
check "degrade_exit 2 (default): exit 2 is DEGRADED" \
	wait_new n1 'check legacy: UP -> DEGRADED \(exit 2\)' 10
check "degrade_exit 2 (default): n1's priority stays, and it keeps the VIP" \
	eval '! since_mark n1 | grep -q "priority 150 ->" && holds n1 10.77.0.100'
echo 0 >"$TMP/exit-legacy-n1"
check "degrade_exit 2: the check returns" wait_new n1 'check legacy: DEGRADED -> UP' 10
# degrade_exit = none, as keepalived: exit 2 (a Nagios CRITICAL) fails.
mark n1
echo 2 >"$TMP/exit-nagios-n1"
check "degrade_exit none: exit 2 is a failure" \
	wait_new n1 'check nagios: UP -> DOWN \(exit 2\)' 10
check "degrade_exit none: weight -80 lowers n1's priority" wait_new n1 'priority 150 -> 70' 5
check "degrade_exit none: n2 takes the VIP" wait_holds n2
echo 0 >"$TMP/exit-nagios-n1"
check "degrade_exit none: n1's check returns" wait_new n1 'check nagios: DOWN -> UP' 10
check "degrade_exit none: n1 holds the VIP again" wait_holds n1
