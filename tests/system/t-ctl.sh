#!/bin/bash
# The control socket and hafctl: status as text and as JSON (its schema
# checked), metrics that parse as strict Prometheus text, version, reload
# (refused with the errors, exit 1), the SIGUSR1 dump, the socket's mode
# and a stale socket replaced, clear errors (not running, not allowed, no
# answer), idle clients that cannot stall the daemon, the NOTIFY_SOCKET
# protocol (a path and an abstract name), and daemon mode (fork + pid file).
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
PY=${PYTHON:-python3}
D="$HAFD_LAB_DIR/$PREFIX"
sock() { echo "$D/$1/run/hafd.sock"; }
ctl() { local node=$1; shift; "$HAFCTL" -s "$(sock "$node")" "$@"; }
quiet() { "$@" >/dev/null 2>&1; }

# ---- helpers in python3 (stdlib only) ---------------------------------------

# check-json.py FILE: the status JSON has every member, of the right type.
cat >"$TMP/check-json.py" <<'PY'
import json, sys
S, I, F, B, N = str, int, float, bool, type(None)
NUM = (int, float)
COUNTERS = ["master_transitions", "rcvd_advertisements", "adv_interval_errors",
            "ip_ttl_errors", "rcvd_pri_zero", "sent_pri_zero", "rcvd_invalid_type",
            "address_list_errors", "packet_length_errors", "sent_advertisements",
            "send_errors", "interval_zero_errors", "auth_errors", "peer_errors",
            "garp_sent", "na_sent"]
SCHEMA = {
    "hafd": {"version": S, "pid": I, "uptime_s": NUM, "started_at": I, "config": S,
             "router_id": S, "runtime_dir": S, "control_socket": S, "maintenance": B},
    "instances": [{
        "name": S, "vrid": I, "interface": S, "family": S, "version": I, "state": S,
        "faults": [S], "priority": I, "effective_priority": I,
        "master_address": (S, N), "master_priority": (I, N), "primary_address": (S, N),
        "time_in_state_s": NUM, "advert_interval_ms": I, "preempt": B, "yielding": B,
        "preempt_delay_ms": I, "hold_down_ms": I, "hold_down_left_ms": I, "accept_mode": B, "vips": [S], "vips_up": B,
        "draining": B,
        "unicast_peers": [S], "group": (S, N),
        "checks": [{"name": S, "state": (S, N), "weight": I}],
        "track_interfaces": [{"name": S, "weight": I}],
        "counters": {k: I for k in COUNTERS},
        "new_master_reason": S, "proto_err_reason": S}],
    "anycast": [{   # mode = anycast instances (hafd-anycast(7)); none here
        "name": S, "state": S, "reason": S, "since_seconds": NUM, "interface": S,
        "degraded_interface": (S, N), "addresses": [S], "lease_seconds": NUM,
        "drain_seconds": NUM, "handover": B, "error": (S, N)}],
    "checks": [{
        "name": S, "type": S, "state": S, "time_in_state_s": NUM, "in_grace": B,
        "last_result": S, "last_kind": (S, N), "reason": (S, N), "latency_ms": (F, I, N),
        "last_run_ago_s": (F, I, N), "running": B, "weight": I, "rise": I, "fall": I,
        "counters": {"runs": I, "passes": I, "fails": I, "degraded": I, "ignored": I,
                     "transitions": I, "skipped": I, "sigkilled": I, "kinds": dict}}],
    "counters": {"checksum_errors": I, "version_errors": I, "vrid_errors": I,
                 "other_errors": I, "csum_rfc5798_rx": I, "csum_rfc9568_rx": I,
                 "notify_skipped": I},
    "nft": (dict, N),
}

def check(v, s, path):
    if isinstance(s, dict):
        if not isinstance(v, dict):
            sys.exit(f"{path}: not an object")
        missing = set(s) - set(v)
        extra = set(v) - set(s)
        if missing or extra:
            sys.exit(f"{path}: missing {sorted(missing)}, unexpected {sorted(extra)}")
        for k in s:
            check(v[k], s[k], f"{path}.{k}")
    elif isinstance(s, list):
        if not isinstance(v, list):
            sys.exit(f"{path}: not an array")
        for i, e in enumerate(v):
            check(e, s[0], f"{path}[{i}]")
    elif not is_type(v, s if isinstance(s, tuple) else (s,)):
        sys.exit(f"{path}: {v!r} has the wrong type")

def is_type(v, types):
    for t in types:
        if isinstance(t, tuple) and is_type(v, t):
            return True
        if t is N and v is None or t is B and isinstance(v, bool):
            return True
        if t not in (N, B) and not isinstance(t, tuple) and isinstance(v, t) \
                and not isinstance(v, bool):
            return True
    return False

doc = json.load(open(sys.argv[1]))
check(doc, SCHEMA, "$")
for inst in doc["instances"]:
    assert inst["state"] in ("INIT", "BACKUP", "MASTER", "FAULT"), inst["state"]
    assert inst["family"] in ("ipv4", "ipv6")
for c in doc["checks"]:
    assert c["state"] in ("INIT", "UP", "DEGRADED", "DOWN"), c["state"]
    assert set(c["counters"]["kinds"]) >= {"ok", "exit", "timeout"}
print("ok")
PY

# check-prom.py FILE: strict text format 0.0.4; prints "name{labels} value"
# lines (labels sorted) for the test to grep.
cat >"$TMP/check-prom.py" <<'PY'
import re, sys
NAME = re.compile(r'[a-zA-Z_:][a-zA-Z0-9_:]*$')
LNAME = r'[a-zA-Z_][a-zA-Z0-9_]*'
LVAL = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:%s=%s(?:,%s=%s)*)?\})? (\S+)( -?\d+)?$'
                    % (LNAME, LVAL, LNAME, LVAL))
text = open(sys.argv[1]).read()
if not text.endswith("\n"):
    sys.exit("no newline at the end")
types, helps, done, series, out = {}, set(), set(), set(), []
current = None
for n, line in enumerate(text[:-1].split("\n"), 1):
    if line.startswith("#"):
        m = re.match(r'# (HELP|TYPE) (\S+) (.*)$', line)
        if not m:
            if line.startswith("# HELP") or line.startswith("# TYPE"):
                sys.exit(f"{n}: bad {line!r}")
            continue
        kind, name, rest = m.groups()
        if not NAME.match(name):
            sys.exit(f"{n}: bad metric name {name}")
        if name in done:
            sys.exit(f"{n}: {kind} for {name} after its samples")
        if kind == "TYPE":
            if name in types or rest not in ("counter", "gauge", "histogram", "summary", "untyped"):
                sys.exit(f"{n}: bad or second TYPE for {name}")
            types[name] = rest
        else:
            if name in helps or not rest:
                sys.exit(f"{n}: bad or second HELP for {name}")
            helps.add(name)
        continue
    m = SAMPLE.match(line)
    if not m:
        sys.exit(f"{n}: not a sample line: {line!r}")
    name, labels, value = m.group(1), m.group(2) or "", m.group(3)
    if name not in types or name not in helps:
        sys.exit(f"{n}: {name} has no TYPE or HELP before it")
    if current != name:
        if name in done:
            sys.exit(f"{n}: samples of {name} are not together")
        if current:
            done.add(current)
        current = name
    if types[name] == "counter" and not name.endswith("_total"):
        sys.exit(f"{n}: counter {name} does not end in _total")
    try:
        v = float(value)
    except ValueError:
        sys.exit(f"{n}: value {value!r} is not a number")
    if types[name] == "counter" and not v >= 0:
        sys.exit(f"{n}: counter {name} is {v}")
    pairs = sorted(re.findall(r'(%s)=(%s)' % (LNAME, LVAL), labels))
    if len({k for k, _ in pairs}) != len(pairs):
        sys.exit(f"{n}: a label appears twice")
    key = name + "{" + ",".join(f"{k}={v}" for k, v in pairs) + "}"
    if key in series:
        sys.exit(f"{n}: {key} twice")
    series.add(key)
    out.append(f"{key} {value}")
print("\n".join(out))
PY

# notify-listen.py ADDR OUT LOG: systemd's side of NOTIFY_SOCKET. Each
# assignment is one line of OUT; READY=1 is written as "READY=1 started"
# when LOG already has a transition out of INIT (the instances started).
cat >"$TMP/notify-listen.py" <<'PY'
import os, socket, sys
addr, out, log = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("\0" + addr[1:] if addr.startswith("@") else addr)
open(out + ".bound", "w").close()
while True:
    msg = s.recv(4096).decode()
    started = os.path.exists(log) and " INIT -> " in open(log).read()
    with open(out, "a") as f:
        for line in msg.split("\n"):
            f.write(line + (" started" if line == "READY=1" and started else "") + "\n")
PY

listen() {   # ADDR OUT LOG [NAMESPACE]: start a listener, wait until it is bound
	local ns=()
	[ -n "${4:-}" ] && ns=(ip netns exec "$4")
	"${ns[@]}" "$PY" "$TMP/notify-listen.py" "$1" "$2" "$3" &
	local pid=$!
	on_exit "kill $pid"
	wait_until 5 test -e "$2.bound"
}

tpl=$(lab_conf ctl.conf - <<'T'
[check alive]
type = script
command = /bin/true
interval = 200ms
rise = 1

[instance web]
track = alive
T
)

lab_up -n 2 -c "$tpl" --no-start
listen "$TMP/notify.sock" "$TMP/notify-n1" "$D/n1/log"
NOTIFY_SOCKET="$TMP/notify.sock" lab start n1
lab start n2
wait_state n1 MASTER 10 && wait_state n2 BACKUP 10
ok $? "n1 is master, n2 backup"

# ---- NOTIFY_SOCKET (a path) -------------------------------------------------
check "READY=1 is sent once the instances have started" \
	wait_until 5 quiet grep -qx 'READY=1 started' "$TMP/notify-n1"
check "STATUS= follows the states" \
	wait_until 5 quiet grep -qx 'STATUS=1 instance: 1 master' "$TMP/notify-n1"

# ---- the socket -------------------------------------------------------------
check "the control socket is mode 0600" test "$(stat -c %a "$(sock n1)")" = 600
check "the control socket is a socket owned by root" \
	test "$(stat -c %F:%U "$(sock n1)")" = "socket:root"

# ---- status (text) ----------------------------------------------------------
out=$(ctl n1 status); rc=$?
sed "s/^/# /" <<<"$out"
ok $rc "hafctl status exits 0"
check "status names the daemon" grep -qE "^hafd [0-9.]+, pid [0-9]+, router n1, up " <<<"$out"
check "status has the table header" \
	grep -qE "^INSTANCE +VRID +INTERFACE +STATE +PRIO +EFFECTIVE +MASTER +SINCE +VIPS +CHECKS" <<<"$out"
check "n1's row: master, priorities, its own address, VIP, check" \
	grep -qE "^web +51 +eth0 +MASTER +150 +150 +10\.77\.0\.11 \(us\) +[0-9.]+m?s +10\.77\.0\.100/24 +alive:UP$" <<<"$out"
check "the checks table lists the check" grep -qE "^alive +script +UP +pass " <<<"$out"
out=$(ctl n2 status)
check "n2's row: backup, the master's address" \
	grep -qE "^web +51 +eth0 +BACKUP +100 +100 +10\.77\.0\.11 +" <<<"$out"

# ---- status --json ----------------------------------------------------------
ctl n1 status --json >"$TMP/n1.json"
ok $? "hafctl status --json exits 0"
check "the JSON has the schema" quiet "$PY" "$TMP/check-json.py" "$TMP/n1.json"
jq_() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
check "JSON: n1 is MASTER with its own address" \
	test "$(jq_ "$TMP/n1.json" 'd["instances"][0]["state"], d["instances"][0]["master_address"]')" = "MASTER 10.77.0.11"
check "JSON: adverts were sent and the check ran" \
	test "$(jq_ "$TMP/n1.json" 'd["instances"][0]["counters"]["sent_advertisements"] > 0 and d["checks"][0]["counters"]["passes"] > 0')" = True
check "JSON: the daemon's pid" test "$(jq_ "$TMP/n1.json" 'd["hafd"]["pid"]')" = "$(lab pid n1)"
ctl n2 status --json >"$TMP/n2.json" && "$PY" "$TMP/check-json.py" "$TMP/n2.json" >/dev/null
ok $? "n2's JSON has the schema too"
check "JSON: n2 received adverts from the master" \
	test "$(jq_ "$TMP/n2.json" 'd["instances"][0]["counters"]["rcvd_advertisements"] > 0')" = True

# ---- metrics ------------------------------------------------------------------
ctl n1 metrics >"$TMP/n1.prom"
ok $? "hafctl metrics exits 0"
"$PY" "$TMP/check-prom.py" "$TMP/n1.prom" >"$TMP/n1.samples"
ok $? "metrics parse as strict Prometheus text"
# Labels sorted: interface, [state,] vrid, vrrp_instance.
I='interface="eth0"' L='vrid="51",vrrp_instance="web"'
has_sample() { grep -qxF "$1" "$TMP/n1.samples" || { diag "no sample: $1"; return 1; }; }
check "metrics: state MASTER is 1" has_sample "hafd_instance_state{$I,state=\"MASTER\",$L} 1"
check "metrics: state BACKUP is 0" has_sample "hafd_instance_state{$I,state=\"BACKUP\",$L} 0"
check "metrics: priorities" has_sample "hafd_instance_effective_priority{$I,$L} 150"
check "metrics: one master transition" has_sample "hafd_master_transitions_total{$I,$L} 1"
check "metrics: no label named instance (Prometheus' own)" \
	not grep -q '[{,]instance=' "$TMP/n1.samples"
check "metrics: the check is up" has_sample 'hafd_check_up{check="alive",type="script"} 1'
check "metrics: build info" grep -qE '^hafd_build_info\{version="[0-9.]+"\} 1$' "$TMP/n1.samples"
check "metrics: RFC 6527 counters are there" \
	grep -qE "^hafd_vrrp_(rcvd_advertisements|ip_ttl_errors|packet_length_errors)_total\{" "$TMP/n1.samples"
check "metrics: check runs by result" \
	grep -qE '^hafd_check_runs_total\{check="alive",result="pass",type="script"\} [1-9]' "$TMP/n1.samples"
check "metrics: check latency" grep -qE '^hafd_check_latency_seconds\{check="alive",type="script"\} [0-9.]+$' "$TMP/n1.samples"
# The parser is strict: a counter without _total is refused.
sed 's/^hafd_master_transitions_total/hafd_master_transitions/; s/TYPE hafd_master_transitions_total/TYPE hafd_master_transitions/; s/HELP hafd_master_transitions_total/HELP hafd_master_transitions/' \
	"$TMP/n1.prom" >"$TMP/bad.prom"
check "the metrics checker refuses a counter without _total" \
	not quiet "$PY" "$TMP/check-prom.py" "$TMP/bad.prom"

# ---- version, unknown requests --------------------------------------------------
check "hafctl version" test "$(ctl n1 version)" = "$("$HAFD" -v)"
ans=$(printf 'frobnicate\n' | "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(sys.stdin.buffer.read())
print(s.makefile().read(), end="")' "$(sock n1)")
check "an unknown request is answered with an error" \
	grep -q "^error$" <<<"$(head -1 <<<"$ans")"
"$HAFCTL" -s "$(sock n1)" frobnicate 2>/dev/null
check "hafctl: an unknown command is a usage error (exit 2)" test $? = 2

# ---- reload ---------------------------------------------------------------------
out=$(ctl n2 reload 2>&1); rc=$?
check "hafctl reload exits 0 for a good configuration" test $rc = 0
cp "$D/n2/hafd.conf" "$TMP/n2.conf.good"
printf 'priorty = 120\n' >>"$D/n2/hafd.conf"
out=$(ctl n2 reload 2>&1 >/dev/null); rc=$?
sed "s/^/# /" <<<"$out"
check "hafctl reload of a bad configuration exits 1" test $rc = 1
check "... and prints the error with file and line" \
	grep -qF "$D/n2/hafd.conf:$(wc -l <"$D/n2/hafd.conf"): [instance web] priorty" <<<"$out"
cp "$TMP/n2.conf.good" "$D/n2/hafd.conf"
check "n2 is still backup" is_state n2 BACKUP

# ---- SIGUSR1 ----------------------------------------------------------------------
rm -f "$D/n1/run/hafd.json"
kill -USR1 "$(lab pid n1)"
check "SIGUSR1 writes hafd.json" wait_until 5 test -s "$D/n1/run/hafd.json"
check "hafd.json has the schema" quiet "$PY" "$TMP/check-json.py" "$D/n1/run/hafd.json"
check "hafd.json is mode 0600, no temporary file left" \
	test "$(stat -c %a "$D/n1/run/hafd.json")" = 600 -a ! -e "$D/n1/run/hafd.json.tmp"

# ---- errors ------------------------------------------------------------------------
out=$("$HAFCTL" -s "$TMP/none.sock" status 2>&1); rc=$?
check "no socket: exit 3" test $rc = 3
check "no socket: 'hafd is not running'" \
	test "$out" = "hafctl: hafd is not running (no socket at $TMP/none.sock)"
"$PY" -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$TMP/dead.sock"
out=$("$HAFCTL" -s "$TMP/dead.sock" status 2>&1); rc=$?
check "a socket nobody listens on: exit 3, not running" \
	test $rc = 3 -a "$out" = "hafctl: hafd is not running (no socket at $TMP/dead.sock)"
mkdir -p "$TMP/pub" && cp "$HAFCTL" "$TMP/pub/hafctl" && chmod 755 "$TMP" "$TMP/pub"
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups "$TMP/pub/hafctl" -s "$(sock n1)" status 2>&1); rc=$?
check "as nobody: exit 3, permission denied" \
	test $rc = 3 -a "$out" = "hafctl: permission denied on $(sock n1) (run as root)"
"$PY" -c '
import socket, sys, time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen()
open(sys.argv[1] + ".up", "w").close()
c, _ = s.accept(); time.sleep(30)' "$TMP/mute.sock" &
mute=$!
on_exit "kill $mute"
wait_until 5 test -e "$TMP/mute.sock.up"
t0=$(_now_ms)
out=$("$HAFCTL" -w 0.5 -s "$TMP/mute.sock" status 2>&1); rc=$?
t1=$(_now_ms)
check "no answer: exit 3 after the timeout" test $rc = 3 -a $((t1 - t0)) -lt 3000
check "no answer: says so" test "$out" = "hafctl: hafd did not answer in time on $TMP/mute.sock"
kill "$mute" 2>/dev/null
out=$("$HAFCTL" -f "$D/n2/hafd.conf" version)
check "-f takes control_socket from the configuration" test "$out" = "$("$HAFD" -v)"

# ---- convert-keepalived ---------------------------------------------------------------
"$HAFCTL" convert-keepalived "$SRCDIR/tests/keepalived/full.conf" >"$TMP/full.hafd.conf" \
	2>"$TMP/full.err"
check "convert-keepalived exits 0 with settings left out" test $? = 0
check "what it left out is listed with file and line" \
	grep -qF "$SRCDIR/tests/keepalived/full.conf:5: not translated: vrrp_strict" "$TMP/full.err"
check "the converted file passes hafd -t" quiet "$HAFD" -t -f "$TMP/full.hafd.conf"
"$HAFCTL" convert-keepalived "$SRCDIR/tests/keepalived/novip.conf" >/dev/null 2>"$TMP/novip.err"
check "a result that would not load: exit 1, with hafd's error" \
	test $? = 1 -a -n "$(grep -F 'virtual_ip: required key is missing' "$TMP/novip.err")"

# ---- idle clients cannot stall hafd -----------------------------------------------
# 16 clients that connect and say nothing hold every slot; hafd keeps
# running VRRP, refuses more clients, and drops the idle ones at the deadline.
"$PY" -c '
import socket, sys, time
cs = [socket.socket(socket.AF_UNIX) for _ in range(16)]
for c in cs: c.connect(sys.argv[1])
open(sys.argv[2], "w").close()
t0 = time.time(); closed = 0
for c in cs:
    c.settimeout(15)
    if c.recv(1) == b"": closed += 1
print(closed, round(time.time() - t0, 1))' "$(sock n1)" "$TMP/idle.up" >"$TMP/idle.out" &
idle=$!
on_exit "kill $idle"
wait_until 5 test -e "$TMP/idle.up"
"$HAFCTL" -s "$(sock n1)" -w 2 status >/dev/null 2>"$TMP/busy.err"
check "with every slot taken, another client is turned away" test $? = 3
diag "busy: $(cat "$TMP/busy.err")"
check "... and told that hafd is busy (not 'Connection reset by peer')" \
	grep -q "hafd is busy" "$TMP/busy.err"
check "n1 stays master meanwhile (no flap on n2)" stays 2 is_state n2 BACKUP
wait $idle
read -r closed secs <"$TMP/idle.out"
diag "idle clients: $closed closed after ${secs}s"
check "the idle clients are dropped at the 5s deadline" \
	test "$closed" = 16 -a "${secs%.*}" -ge 3 -a "${secs%.*}" -le 8
check "hafctl works again" quiet ctl n1 version

# ---- a stale socket is replaced ------------------------------------------------------
lab kill n2
check "a killed hafd leaves its socket file" test -S "$(sock n2)"
lab start n2
check "a new hafd replaces the stale socket" wait_until 10 quiet ctl n2 version
check "n2 is backup again" wait_last_run n2 ' -> BACKUP ' 10

# ---- STOPPING=1 -----------------------------------------------------------------------
lab stop n1
check "STOPPING=1 on SIGTERM" grep -qx 'STOPPING=1' "$TMP/notify-n1"
check "the socket is removed on a graceful stop" test ! -e "$(sock n1)"
lab_down

# ---- outside the lab: abstract NOTIFY_SOCKET and daemon mode --------------------------
solo="" dpid=""
solo_ns c solo dpid
mkdir -p "$TMP/solo/run"
solo_conf solo.conf "$TMP/solo/run" >/dev/null
abstract="@hafd-test-$PREFIX"
listen "$abstract" "$TMP/notify-solo" "$TMP/solo.log" "$NS_A"
ip netns exec "$NS_A" env NOTIFY_SOCKET="$abstract" "$HAFD" -n -l -f "$TMP/solo.conf" \
	>"$TMP/solo.log" 2>&1 &
solo=$!
check "abstract NOTIFY_SOCKET: READY=1 after start" \
	wait_until 5 quiet grep -qx 'READY=1 started' "$TMP/notify-solo"
kill -TERM "$solo"
check "abstract NOTIFY_SOCKET: STOPPING=1" wait_until 5 quiet grep -qx 'STOPPING=1' "$TMP/notify-solo"
wait "$solo"
rc=$? solo=""
check "hafd -n exits 0 on SIGTERM" test $rc = 0

# Daemon mode: without -n, hafd forks, the command returns at once, and the
# pid file names the daemon.
ip netns exec "$NS_A" "$HAFD" -f "$TMP/solo.conf"
check "hafd without -n returns 0 at once" test $? = 0
check "the pid file appears" wait_until 5 test -s "$TMP/solo/run/hafd.pid"
dpid=$(cat "$TMP/solo/run/hafd.pid")
check "the pid file names a running hafd" test "$(ps -o comm= -p "$dpid")" = hafd
check "the daemon is in a session of its own, not a child of the test" \
	test "$(ps -o ppid= -p "$dpid" | tr -d ' ')" != $$ -a "$(ps -o sid= -p "$dpid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')"
check "the daemon answers on its socket" \
	wait_until 5 quiet "$HAFCTL" -s "$TMP/solo/run/hafd.sock" version
check "the daemon holds its VIP" wait_until 10 sh -c "ip -n $NS_A -br addr show dev eth0 | grep -qw 10.79.0.100"
kill -TERM "$dpid"
check "SIGTERM stops the daemon" wait_until 10 not quiet kill -0 "$dpid" && dpid=""
check "the pid file is removed" test ! -e "$TMP/solo/run/hafd.pid"
check "the socket is removed" test ! -e "$TMP/solo/run/hafd.sock"
check "the VIP is removed" not sh -c "ip -n $NS_A -br addr show dev eth0 | grep -qw 10.79.0.100"
