#!/bin/bash
# The systemd watchdog (WatchdogSec= in etc/hafd.service): with
# NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID set as systemd sets them,
# hafd sends WATCHDOG=1 every half period from its event loop. When the
# loop stops turning (here: the process is stopped with SIGSTOP), the
# pings stop, which is what systemd acts on (it kills and restarts the
# unit once WATCHDOG_USEC passes without one); they resume with the loop.
# No pings when WATCHDOG_PID names another process (hafd forked, or the
# variable leaked from a parent), nor without WATCHDOG_USEC, nor once a
# graceful stop has begun. This machine has no systemd as init: the test
# listens on NOTIFY_SOCKET itself, as in t-ctl.
. "$(dirname "$0")/lib.sh"
need_root

PY=${PYTHON:-python3}
HPID=""
solo_ns wd HPID
conf=$(solo_conf wd.conf "$TMP/run")

# notify-times.py ADDR OUT: each assignment received, one line of OUT,
# after the monotonic time in milliseconds it arrived at.
cat >"$TMP/notify-times.py" <<'PY'
import socket, sys, time
addr, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(addr)
open(out + ".bound", "w").close()
while True:
    msg = s.recv(4096).decode()
    ms = int(time.monotonic() * 1000)
    with open(out, "a") as f:
        for line in msg.split("\n"):
            f.write(f"{ms} {line}\n")
PY

listen() {   # SOCK OUT
	"$PY" "$TMP/notify-times.py" "$1" "$2" &
	on_exit "kill $!"
	wait_until 5 test -e "$2.bound"
}
mono_ms() { "$PY" -c 'import time; print(int(time.monotonic() * 1000))'; }
pings() { grep -c ' WATCHDOG=1$' "$1" 2>/dev/null; }   # OUT
pings_after() { awk -v t="$2" '$2 == "WATCHDOG=1" && $1 > t' "$1" | wc -l; }   # OUT MS
# The longest gap between two pings of OUT, in ms.
max_gap() { awk '$2 == "WATCHDOG=1" { if (p && $1 - p > m) m = $1 - p; p = $1 } END { print m + 0 }' "$1"; }

# run_hafd OUT LOG WATCHDOG_PID-MODE [ENV...]: hafd in NS_A with
# NOTIFY_SOCKET=OUT.sock; MODE self: WATCHDOG_PID is hafd's own pid (the
# shell that execs it), other: pid 1's, none: unset. Sets HPID.
run_hafd() {   # OUT LOG MODE [ENV...]
	local out=$1 log=$2 mode=$3; shift 3
	listen "$out.sock" "$out" || return 1
	# shellcheck disable=SC2016
	MODE=$mode sh -c 'case $MODE in self) export WATCHDOG_PID=$$ ;; other) export WATCHDOG_PID=1 ;; esac
		exec "$@"' sh ip netns exec "$NS_A" env NOTIFY_SOCKET="$out.sock" "$@" \
		"$HAFD" -n -l -f "$conf" >"$log" 2>&1 &
	HPID=$!
	wait_until 10 grep -q ' READY=1$' "$out" 2>/dev/null
}
stop_hafd() {   # graceful: SIGTERM, wait for the exit
	kill -TERM "$HPID" 2>/dev/null
	wait_until 10 not kill -0 "$HPID" 2>/dev/null
	wait "$HPID" 2>/dev/null
	HPID=""
}

# ---- pings from a turning loop ------------------------------------------------
# 400 ms: a ping every 200 ms.
run_hafd "$TMP/n1" "$TMP/hafd1.log" self WATCHDOG_USEC=400000
ok $? "hafd started, READY=1 received"
check "hafd says it pings" grep -q "systemd watchdog: a ping every 200 ms" "$TMP/hafd1.log"
sleep 1.5
n=$(pings "$TMP/n1")
diag "pings in 1.5 s: $n, longest gap $(max_gap "$TMP/n1") ms"
check "WATCHDOG=1 every half period (at least 6 in 1.5 s)" test "${n:-0}" -ge 6
check "no gap between pings reaches the period (400 ms)" test "$(max_gap "$TMP/n1")" -lt 400

# ---- a loop that stops turning: the pings stop -----------------------------
kill -STOP "$HPID"
t0=$(mono_ms)
sleep 1.2   # three watchdog periods: systemd would have acted after one
t1=$(mono_ms)
check "a stopped loop sends no ping for three periods" \
	test "$(awk -v a="$((t0 + 50))" -v b="$t1" '$2 == "WATCHDOG=1" && $1 > a && $1 <= b' "$TMP/n1" | wc -l)" = 0
check "hafd is alive, only stopped (systemd, not death, must notice)" \
	grep -q '^State:.*T' "/proc/$HPID/status"
kill -CONT "$HPID"
check "pings resume when the loop turns again" \
	wait_until 2 eval "[ \$(pings_after \"$TMP/n1\" $t1) -ge 2 ]"

# ---- a graceful stop: STOPPING=1, then no more pings -------------------------
stop_hafd
check "STOPPING=1 on SIGTERM" grep -q ' STOPPING=1$' "$TMP/n1"
last_stop=$(awk '$2 == "STOPPING=1" { print $1 }' "$TMP/n1" | tail -1)
check "no ping after STOPPING=1" test "$(pings_after "$TMP/n1" "${last_stop:-0}")" = 0

# ---- not for us: no pings -----------------------------------------------------
run_hafd "$TMP/n2" "$TMP/hafd2.log" other WATCHDOG_USEC=400000
ok $? "hafd with WATCHDOG_PID of another process started"
sleep 0.8
check "WATCHDOG_PID of another process: no ping" test "$(pings "$TMP/n2")" = 0
stop_hafd

run_hafd "$TMP/n3" "$TMP/hafd3.log" self
ok $? "hafd without WATCHDOG_USEC started"
sleep 0.8
check "no WATCHDOG_USEC: no ping" test "$(pings "$TMP/n3")" = 0
stop_hafd
