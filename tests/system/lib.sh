# lib.sh: shared plumbing for the system tests (sourced, bash).
#
# Each test prints TAP. Labs are built with tools/hafd-lab under a prefix
# unique to the run, and removed on exit, also on failure. Tests wait for
# log lines and state, never for fixed times longer than needed.

SRCDIR=${HAFD_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILDDIR=${HAFD_BUILDDIR:-$SRCDIR/build}
export HAFD=${HAFD:-$BUILDDIR/hafd}
LAB="$SRCDIR/tools/hafd-lab"
PROBE="$BUILDDIR/tests/tools/hafd-probe"
export HAFD_LAB_DIR=${HAFD_LAB_DIR:-/run/hafd-lab}
# Short, unique per run: several tests may run at once.
PREFIX="t$$$(printf '%03d' $((RANDOM % 1000)))"
TMP=$(mktemp -d /tmp/hafd-test.XXXXXX)

_tap_n=0 _tap_fail=0 _lab_up=0
_cleanups=()

# A sanitized hafd (configure --enable-sanitizers; scripts/check runs a
# third of the tests with build-asan/hafd): every sanitized process the
# test starts (lab nodes, their crash guards, hafd -t, daemons a test runs
# itself with its output elsewhere) writes its reports to $TMP/san.PID
# (log_path), where no redirection can hide them. Before the lab goes
# (lab_down, or at exit) every hafd node is stopped with SIGTERM, so
# LeakSanitizer runs at its exit; then, and once more after the cleanups
# at exit, each new report file, and a node log that holds a report
# (ASAN_OPTIONS of the caller's without log_path), is a failed test point
# with the report as diagnostics. UBSan aborts on its first report
# (-fno-sanitize-recover) and, in this combined build, writes only its
# SUMMARY line to the file, the report itself to stderr (the node's log).
if grep -q __asan_init "$HAFD" 2>/dev/null; then
	HAFD_SANITIZED=1
	export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:print_summary=1:log_path=$TMP/san}
	export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:print_summary=1:log_path=$TMP/san}
else
	HAFD_SANITIZED=0
fi
_SAN_RE='ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: [A-Za-z]*Sanitizer'
_san_seen=" "
_san_files() {
	local f
	for f in "$TMP"/san.*; do
		[ -s "$f" ] && [ "${_san_seen#* $f }" = "$_san_seen" ] || continue
		_san_seen+="$f "
		ok 1 "sanitizer report from pid ${f##*.}"
		head -60 "$f" | sed 's/^/# /'
	done
}
_san_scan() {
	[ "$HAFD_SANITIZED" = 1 ] || return 0
	local d n
	for d in "$HAFD_LAB_DIR/$PREFIX"/n[0-9]*; do
		[ $_lab_up = 1 ] && [ -d "$d" ] || continue
		n=${d##*/}
		[ "$(lab daemon "$n" 2>/dev/null)" = hafd ] && lab stop "$n" >/dev/null 2>&1
		if grep -qE -- "$_SAN_RE" "$d/log" 2>/dev/null; then
			ok 1 "sanitizer report in $n's log"
			grep -E -A25 -- "$_SAN_RE" "$d/log" | head -60 | sed 's/^/# /'
		fi
	done
	_san_files
}

need_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root (network namespaces)"
		exit 77
	fi
}

# TAP
ok() {   # ok CONDITION-STATUS DESCRIPTION  (use: ok $? "desc" or check "desc" cmd...)
	local rc=$1; shift
	_tap_n=$((_tap_n + 1))
	if [ "$rc" -eq 0 ]; then
		echo "ok $_tap_n - $*"
	else
		echo "not ok $_tap_n - $*"
		_tap_fail=$((_tap_fail + 1))
	fi
	return "$rc"
}
check() {   # check DESCRIPTION CMD...: run CMD, pass when it succeeds
	local desc=$1; shift
	"$@"
	ok $? "$desc"
}
diag() { printf '# %s\n' "$@"; }
skip_rest() { echo "ok $((_tap_n + 1)) # SKIP $*"; _tap_n=$((_tap_n + 1)); }

on_exit() { _cleanups+=("$*"); }

_finish() {
	local rc=$?
	_san_scan
	if [ $_tap_fail -gt 0 ] && [ $_lab_up = 1 ]; then
		for i in 1 2 3; do
			[ -f "$HAFD_LAB_DIR/$PREFIX/n$i/log" ] || continue
			diag "---- n$i log (last 30 lines) ----"
			tail -30 "$HAFD_LAB_DIR/$PREFIX/n$i/log" | sed 's/^/# /'
		done
	fi
	for c in "${_cleanups[@]}"; do eval "$c" >/dev/null 2>&1; done
	[ $_lab_up = 1 ] && "$LAB" -p "$PREFIX" down >/dev/null 2>&1
	[ "$HAFD_SANITIZED" = 1 ] && _san_files   # from what the cleanups stopped
	rm -rf "$TMP"
	echo "1..$_tap_n"
	[ $rc -eq 77 ] && exit 77
	exit 0
}
trap _finish EXIT
trap 'exit 1' INT TERM

# The lab
lab() { "$LAB" -p "$PREFIX" "$@"; }
lab_up() {
	_lab_up=1
	lab up "$@" >/dev/null || { ok 1 "lab up"; exit 1; }
}
wait_log() { lab wait "$@" 2>/dev/null; }   # NODE REGEX [SECS]
log_of() { lab log "$1"; }
in_ns() { local node=$1; shift; lab exec "$node" "$@"; }
# From the lab's client namespace: ADDR PORT, what a client connecting
# to it sees within 3 s: connected, refused (a reset), timeout, or error
# ERRNO.
tcp_try() {
	in_ns client python3 - "$1" "$2" <<'PY'
import socket, sys
a, p = sys.argv[1], int(sys.argv[2])
s = socket.socket(socket.AF_INET6 if ':' in a else socket.AF_INET)
s.settimeout(3)
try:
    s.connect((a, p))
    print("connected")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
except OSError as e:
    print("error", e.errno)
PY
}
holds() {   # NODE [ADDR]: the node has the VIP on eth0
	in_ns "$1" ip -br addr show dev eth0 | grep -qw "${2:-10.77.0.100}"
}
wait_holds() {   # NODE [ADDR] [SECS]
	local deadline=$((SECONDS + ${3:-10}))
	while [ $SECONDS -le $deadline ]; do
		holds "$1" "${2:-10.77.0.100}" && return 0
		sleep 0.05
	done
	return 1
}
wait_not_holds() {   # NODE [ADDR] [SECS]
	local deadline=$((SECONDS + ${3:-10}))
	while [ $SECONDS -le $deadline ]; do
		holds "$1" "${2:-10.77.0.100}" || return 0
		sleep 0.05
	done
	return 1
}
count_in_log() { log_of "$1" | grep -cE -- "$2"; }   # NODE REGEX

# A UDP responder on each node answering with its name, for the client.
serve_probes() {   # NODES...
	for node in "$@"; do
		in_ns "$node" "$PROBE" serve 7777 "$node" >/dev/null 2>&1 &
	done
}
# Which node answers the client at ADDR now (empty when none).
who_answers() {   # [ADDR]
	local out
	out=$(in_ns client "$PROBE" watch "${1:-10.77.0.100}" 7777 -t 0.3 -s 0 2>/dev/null)
	sed -n 's/.*from=\([^ ]*\).*/\1/p' <<<"$out" | grep -v '^-$'
}
write_template() {   # NAME: stdin to $TMP/NAME, prints the path
	cat >"$TMP/$1"
	echo "$TMP/$1"
}
not() { ! "$@"; }

# ---- configuration templates (lab_conf) -----------------------------------
# lab_conf NAME [LINES...]: write $TMP/NAME, a hafd.conf template for
# `lab_up -c`, and print its path. It is hafd-lab's default template
# (`hafd-lab template`: [global] router_id = @NODE@; [instance lab] on
# eth0, vrid 51, priority @PRIO@, advert_interval 100ms, virtual_ip
# @VIP4@/24) with LINES merged in, so that a test states only what it
# changes:
#
#   tpl=$(lab_conf v2.conf '[instance web]' 'version = 2' 'advert_interval = 1s')
#   tpl=$(lab_conf flag.conf - <<T
#   [check flag]
#   type = file
#   ...
#   [instance web]
#   track = flag
#   T
#   )
#
# Each argument holds one line or several; "-" stands for stdin's lines.
# Blank lines are dropped; the others are hafd.conf lines:
#   [global], [check X], [group X]...  what follows goes in that section.
#           A section the template lacks is added, after [global] and
#           before the instances, in the order given.
#   [instance X]  the first one names the template's instance X; each
#           later one is a new instance, after the others, that starts as
#           a copy of the template's (set at least its vrid and virtual_ip).
#   key = value   in the current section (the template's instance before
#           any header): replaces the template's line for key, or else is
#           added at the section's end (a repeatable key given twice: the
#           first replaces the template's line, the second adds one).
#   key =         removes the template's line for key (e.g. priority, for
#           one set later per node with node_conf_add).
#   others (comments, @PEERS4@ lines without a key...) are added as they are.
lab_conf() {   # NAME [LINES... | -]
	local name=$1 a text; shift
	for a in "$@"; do
		if [ "$a" = - ]; then cat; else printf '%s\n' "$a"; fi
	done >"$TMP/$name.lines"
	text=$("$LAB" template hafd | awk "$_LAB_CONF_AWK" - "$TMP/$name.lines") ||
		{ echo "lab_conf $name: cannot merge its lines" >&2; return 1; }
	rm -f "$TMP/$name.lines"
	write_template "$name" <<<"$text"
}
# File 1: the template; file 2: the test's lines. Sections are numbered in
# order of appearance: kind[s] (global, other, instance), hdr[s] (what is
# between the brackets), line[s, i] and mine[s, i] (1: from the template,
# still to be replaced; -1: removed).
# shellcheck disable=SC2016 # awk's $0, not the shell's
_LAB_CONF_AWK='
function trim(x) { gsub(/^[ \t]+|[ \t]+$/, "", x); return x }
function section(h,    s) {
	for (s = 1; s <= ns; s++) if (hdr[s] == h) return s
	ns++; hdr[ns] = h; n[ns] = 0
	kind[ns] = h == "global" ? "global" : h ~ /^instance[ \t]/ ? "instance" : "other"
	return ns
}
function add(s, l, tmpl) { n[s]++; line[s, n[s]] = l; mine[s, n[s]] = tmpl }
function keyof(l) { return l ~ /^[A-Za-z0-9_-]+[ \t]*=/ ? trim(substr(l, 1, index(l, "=") - 1)) : "" }
{ l = trim($0) }
FNR == NR {   # the template
	if (l == "") next
	if (l ~ /^\[.*\]$/) {
		cur = section(trim(substr(l, 2, length(l) - 2)))
		if (kind[cur] == "instance" && !ti) ti = cur
	} else add(cur, l, 1)
	next
}
!started { started = 1; cur = ti; nt = n[ti]; for (i = 1; i <= nt; i++) tl[i] = line[ti, i] }
l == "" { next }
l ~ /^\[.*\]$/ {
	h = trim(substr(l, 2, length(l) - 2))
	if (h ~ /^instance[ \t]/ && !named) { named = 1; hdr[ti] = h; cur = ti; next }
	known = 0; for (s = 1; s <= ns; s++) if (hdr[s] == h) known = 1
	cur = section(h)
	if (!known && kind[cur] == "instance")
		for (i = 1; i <= nt; i++) add(cur, tl[i], 1)
	next
}
{
	k = keyof(l); v = k == "" ? "" : trim(substr(l, index(l, "=") + 1))
	for (i = 1; k != "" && i <= n[cur]; i++)
		if (mine[cur, i] == 1 && keyof(line[cur, i]) == k) break
	if (k != "" && i <= n[cur]) {
		if (v == "") mine[cur, i] = -1
		else { line[cur, i] = l; mine[cur, i] = 0 }
	} else if (k != "" && v == "") {
		print "lab_conf: no template line for \"" k "\" to remove in [" hdr[cur] "]" > "/dev/stderr"; bad = 1
	} else add(cur, l, 0)
}
END {
	if (bad) exit 1
	first = 1
	for (pass = 1; pass <= 3; pass++)
		for (s = 1; s <= ns; s++) {
			if (kind[s] != (pass == 1 ? "global" : pass == 2 ? "other" : "instance")) continue
			if (!first) print ""
			first = 0; print "[" hdr[s] "]"
			for (i = 1; i <= n[s]; i++) if (mine[s, i] != -1) print line[s, i]
		}
}'
# Lines for lab_conf: [check NAME], a file check of PATH every 50 ms that
# goes down and up at once (rise 1, fall 1), then LINEs.
flag_check() {   # NAME PATH [LINE...]
	printf '%s\n' "[check $1]" 'type = file' "path = $2" 'interval = 50ms' 'rise = 1' 'fall = 1' "${@:3}"
}
# Lines for lab_conf: [check NAME], a script check running COMMAND every
# 200 ms that goes down and up at once (rise 1, fall 1), then LINEs.
script_check() {   # NAME COMMAND [LINE...]
	printf '%s\n' "[check $1]" 'type = script' "command = $2" 'interval = 200ms' 'rise = 1' 'fall = 1' "${@:3}"
}
# The hafd side of an interop lab (t-interop-*): instance LABEL<VRID_A>,
# priority 150, and LABEL<VRID_B>, priority 100, with VERSION and INT_MS;
# GLOBAL_LINE goes in [global], INSTANCE_LINE in both instances.
interop_conf() {   # NAME LABEL VERSION INT_MS VRID_A VIP_A VRID_B VIP_B [GLOBAL_LINE [INSTANCE_LINE]]
	local name=$1 label=$2 ver=$3 ms=$4 args=('[global]' "${9:-}") vrid prio vip
	while read -r vrid prio vip; do
		args+=("[instance $label$vrid]" "vrid = $vrid" "priority = $prio" "version = $ver"
			"advert_interval = ${ms}ms" "virtual_ip = $vip" "${10:-}")
	done <<<"$5 150 $6
$7 100 $8"
	lab_conf "$name" "${args[@]}"
}

# ---- the usual start ------------------------------------------------------
# pair_up [--probes] [LAB_UP_OPTION...]: a two-node lab (lab_up -n 2 ...),
# probes served on both nodes with --probes; true once n1 is master and
# n2 backup, false if either takes more than 5 s (for ok $?).
pair_up() {
	local probes=0
	[ "${1:-}" = --probes ] && { probes=1; shift; }
	lab_up -n 2 "$@"
	[ $probes = 1 ] && serve_probes n1 n2
	wait_log n1 'BACKUP -> MASTER' 5 && wait_log n2 'INIT -> BACKUP' 5
}

# ---- hafd outside the lab (t-ctl, t-relconf, t-runtime-dir) ----------------
# solo_ns TAG [VAR...]: a namespace pair of the test's own, NS_A and NS_B
# ($PREFIX-TAGa, -TAGb), joined by a veth pair (eth0 in each; NS_A's has
# 10.79.0.1/24), for a hafd the test runs itself. On exit the pids held in
# the variables VAR... then every process left in NS_A are killed, and
# both namespaces removed.
solo_ns() {   # TAG [VAR...]
	NS_A="$PREFIX-${1}a" NS_B="$PREFIX-${1}b"; shift
	on_exit "_solo_cleanup $NS_A $NS_B $*"
	ip netns add "$NS_A" && ip netns add "$NS_B" &&
		ip link add eth0 netns "$NS_A" type veth peer name eth0 netns "$NS_B" &&
		ip -n "$NS_A" link set lo up && ip -n "$NS_A" link set eth0 up &&
		ip -n "$NS_B" link set eth0 up && ip -n "$NS_A" addr add 10.79.0.1/24 dev eth0
	ok $? "a namespace pair of our own"
}
_solo_cleanup() {   # NS_A NS_B [VAR...]
	local _sa=$1 _sb=$2 _sv _sp; shift 2
	for _sv in "$@"; do for _sp in ${!_sv}; do kill -KILL "$_sp"; done; done
	for _sp in $(ip netns pids "$_sa"); do kill -KILL "$_sp"; done
	ip netns del "$_sa"
	ip netns del "$_sb"
}
# solo_conf NAME RUNDIR [LINES...]: $TMP/NAME (printed), a configuration for
# hafd in NS_A: runtime_dir RUNDIR, no nftables table, one instance
# "solo" on eth0 (VRID 9, 100 ms adverts, VIP 10.79.0.100/24, the default
# priority); LINES are merged as lab_conf merges them.
solo_conf() {   # NAME RUNDIR [LINES...]
	local name=$1 run=$2; shift 2
	lab_conf "$name" '[global]' 'router_id =' "runtime_dir = $run" 'nft_table = none' \
		'[instance solo]' 'vrid = 9' 'priority =' 'virtual_ip = 10.79.0.100/24' "$@"
}

# ---- state, time and packets (t-election, t-preempt, t-ipv6, ...) ----------

lab_down() { _san_scan; lab down >/dev/null; _lab_up=0; }
# Append LINEs to NODE's generated configuration, so to its last section
# (for a setting only one node has; use `lab up --no-start`, then start).
node_conf_add() {   # NODE LINE...
	local node=$1; shift
	printf '%s\n' "$@" >>"$HAFD_LAB_DIR/$PREFIX/$node/hafd.conf"
}

# wait_until SECS CMD...: poll CMD every 50 ms until it succeeds.
wait_until() {
	local deadline=$((SECONDS + $1)); shift
	while [ $SECONDS -le $deadline ]; do
		"$@" && return 0
		sleep 0.05
	done
	return 1
}
# stays SECS CMD...: CMD keeps succeeding for SECS (fractions allowed). For
# "nothing happens" checks, which need a window; keep SECS to a few
# master-down intervals.
stays() {
	local end; end=$(($(_now_ms) + $(awk -v s="$1" 'BEGIN { printf "%d", s * 1000 }'))); shift
	"$@" || return 1
	while [ "$(_now_ms)" -lt $end ]; do
		sleep 0.05
		"$@" || return 1
	done
}
_now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }

# The state NODE's instance entered last, from its transition lines
# ("[web/VRID 51] BACKUP -> MASTER (...)"); LABEL (a regex, e.g. "VRID 52")
# picks one instance; empty before the first transition.
state_of() {   # NODE [LABEL]
	log_of "$1" | grep -E "\[[^]]*${2:-}[^]]*\] [A-Z]+ -> [A-Z]+ " | tail -1 |
		sed -E 's/.* -> ([A-Z]+) .*/\1/'
}
is_state() { [ "$(state_of "$1" "${3:-}")" = "$2" ]; }   # NODE STATE [LABEL]
wait_state() {   # NODE STATE [SECS] [LABEL]
	wait_until "${3:-10}" is_state "$1" "$2" "${4:-}"
}

# Log stamps ("HH:MM:SS.mmm ...", local time, the same clock for every node).
# log_ms NODE REGEX: the first matching line's stamp in ms since midnight.
log_ms() {
	local h m s ms line
	line=$(log_of "$1" | grep -E -- "$2" | head -1)
	IFS=:. read -r h m s ms <<<"$line"
	[ -n "$ms" ] || return 1
	echo $(((10#$h * 3600 + 10#$m * 60 + 10#$s) * 1000 + 10#${ms%% *}))
}
# ms_between NODE_A REGEX_A NODE_B REGEX_B: ms from A's line to B's (a run
# across midnight is handled), fails when either line is missing.
ms_between() {
	local a b; a=$(log_ms "$1" "$2") && b=$(log_ms "$3" "$4") || return 1
	[ "$b" -lt $((a - 43200000)) ] && b=$((b + 86400000))
	echo $((b - a))
}
never_logged() { [ "$(count_in_log "$1" "$2")" = 0 ]; }   # NODE REGEX

# A node's log keeps every run: last_run NODE prints the lines since hafd's
# last "starting" line, wait_last_run waits for a line there.
last_run() { log_of "$1" | awk '/ hafd .* starting \(/ { run = "" } { run = run $0 "\n" } END { printf "%s", run }'; }
wait_last_run() { wait_until "${3:-10}" _last_run_has "$1" "$2"; }   # NODE REGEX [SECS]
_last_run_has() { last_run "$1" | grep -qE -- "$2"; }
# in_order REGEX_A REGEX_B < LOG: both match, and A's first line comes first.
in_order() {
	A=$1 B=$2 awk '!ia && $0 ~ ENVIRON["A"] { ia = NR } !ib && $0 ~ ENVIRON["B"] { ib = NR }
		END { exit !(ia && ib && ia < ib) }'
}

mac_of() { in_ns "$1" cat /sys/class/net/eth0/address; }   # NODE
# The link-layer address NODE's neighbour cache has for ADDR (empty if none).
neigh_mac() {   # NODE ADDR
	in_ns "$1" ip neigh show "$2" dev eth0 | sed -n 's/.*lladdr \([0-9a-f:]*\).*/\1/p'
}

# Does this hafd accept a [global] KEY = VALUE? (For settings other work
# may add: a test can use them where they exist.)
hafd_accepts_global() {   # KEY VALUE
	printf '[global]\n%s = %s\n[instance probe]\ninterface = lo\nvrid = 1\nvirtual_ip = 10.77.0.100/24\n' \
		"$1" "$2" >"$TMP/accepts.conf"
	"$HAFD" -t -f "$TMP/accepts.conf" >/dev/null 2>&1
}

# VRRP adverts seen or forged with python3-scapy (Debian's python, not a
# virtualenv's): tests/system/vrrp-scapy.py, run inside a lab namespace.
SCAPY_PYTHON=${SCAPY_PYTHON:-/usr/bin/python3}
VRRP_SCAPY="$SRCDIR/tests/system/vrrp-scapy.py"
have_scapy() { "$SCAPY_PYTHON" -c 'import scapy.layers.vrrp' 2>/dev/null; }
vrrp_scapy() { local node=$1; shift; in_ns "$node" "$SCAPY_PYTHON" "$VRRP_SCAPY" "$@"; }   # NODE ARGS...

# Packets counted by the rules of NODE's nftables ruleset (hafd's tables)
# whose comment matches REGEX; 0 when there are none (nft_table = none).
nft_count() {   # NODE REGEX
	in_ns "$1" nft list ruleset 2>/dev/null | grep -E "comment \"[^\"]*$2" |
		sed -n 's/.* counter packets \([0-9]*\) .*/\1/p' | awk '{ s += $1 } END { print s + 0 }'
}

# ---- interop: keepalived and FRR vrrpd as peers (t-interop-*, t-vmac) ------

daemon_of() { lab daemon "$1"; }   # NODE: hafd, keepalived or frr
# A mark in NODE's log (its line count now), for waiting on what comes after
# it: keepalived and FRR logs have no "starting" line per run as hafd's has.
log_mark() { log_of "$1" | wc -l; }
log_since() { log_of "$1" | tail -n +"$(($2 + 1))"; }   # NODE MARK
wait_log_since() {   # NODE MARK REGEX [SECS]
	wait_until "${4:-10}" _log_since_has "$1" "$2" "$3"
}
_log_since_has() { log_since "$1" "$2" | grep -qE -- "$3"; }

# What each daemon logs when it drops an advert (keepalived 2.2.7's
# vrrp_in_chk, FRR 8.4's "Datagram invalid", which needs "debug vrrp
# packets"; its VRID mismatches are normal on a shared segment).
KEEPALIVED_PROTO_ERRORS='Invalid VRRPv[23] checksum|invalid TTL/HL|wrong version|advertisement interval mismatch|Invalid packet type|unexpected ip number count|ip_tot_len mismatch|expected [0-9]+ VIPs but received|not present in MASTER advert|not a unicast peer|TTL/HL [0-9]+ not in range|VRRP packet (with AH )?too short|Expected [a-z]*icast packet but received|received a [0-9]+ auth'
FRR_PROTO_ERRORS='Datagram invalid|Bad VRRP checksum|should be 255|Bad version|Bad type|Bad authentication type|Bad IP address|Hop Limit not received'
FRR_PROTO_NORMAL='does not match our instance'
HAFD_PROTO_ERRORS='dropped VRRP packet'
proto_errors() {   # NODE: the protocol error lines in its log
	case "$(daemon_of "$1")" in
	keepalived) log_of "$1" | grep -E -- "$KEEPALIVED_PROTO_ERRORS" ;;
	frr) log_of "$1" | grep -E -- "$FRR_PROTO_ERRORS" | grep -vE -- "$FRR_PROTO_NORMAL" ;;
	*) log_of "$1" | grep -E -- "$HAFD_PROTO_ERRORS" ;;
	esac
}
no_proto_errors() {   # NODE
	local e; e=$(proto_errors "$1") || return 0
	diag "$1 ($(daemon_of "$1")) logged: $(head -1 <<<"$e" | cut -c1-160)"
	return 1
}

# NODE has ADDR on an interface that is up: eth0, or a macvlan (use_vmac,
# FRR). An FRR backup keeps its VIPs on a macvlan held down (protodown).
serves() { in_ns "$1" ip -br addr show | awk '$2 == "UP" || $2 == "UNKNOWN"' | grep -qw -- "${2:-10.77.0.100}"; }
wait_serves() { wait_until "${3:-10}" serves "$1" "${2:-10.77.0.100}"; }   # NODE [ADDR] [SECS]
wait_not_serves() { wait_until "${3:-10}" not serves "$1" "${2:-10.77.0.100}"; }

# ---- captures and tshark (wire conformance) --------------------------------

have_tshark() { command -v tshark >/dev/null && command -v tcpdump >/dev/null; }
# capture_start NAME [WHERE [IF]]: capture VRRP, ARP and ICMPv6 to
# $TMP/NAME.pcap, by default in the client's namespace on eth0 (the
# switch's port p-nI sees node I's unicast too: WHERE sw, IF p-nI).
capture_start() {
	local where=${2:-client} ifc=${3:-eth0}
	"$LAB" -p "$PREFIX" exec "$where" tcpdump -Z root -U -n -s 256 -i "$ifc" -w "$TMP/$1.pcap" \
		'ip proto 112 or ip6 proto 112 or arp or icmp6' >/dev/null 2>&1 &
	echo $! >"$TMP/$1.pid"
	on_exit "kill $! 2>/dev/null"
	wait_until 3 test -s "$TMP/$1.pcap"
}
capture_stop() {   # NAME: stop once it has written all that was sent so far
	local p; p=$(cat "$TMP/$1.pid" 2>/dev/null) || return 1
	# A marker from the client (an echo to all nodes, "hafdcapt" inside):
	# once tcpdump has written it, it has written everything before it.
	in_ns client ping -6 -c 1 -W 1 -p 6861666463617074 -I eth0 ff02::1 >/dev/null 2>&1
	wait_until 3 grep -qa hafdcapt "$TMP/$1.pcap"
	kill -INT "$p" 2>/dev/null
	wait_until 3 not kill -0 "$p" 2>/dev/null
}
# The VRRP adverts in capture NAME that match the display FILTER, as
# tshark decodes them, one per line:
#   mac=SRC-MAC src=IP dst=IP ttl=N v3 vrid=N prio=N int=N type=1 csum=good|bad addrs=A,B
# (int: centiseconds for v3, seconds for v2). Extra tshark options follow.
vrrp_adverts() {   # NAME FILTER [TSHARK-OPTION...]
	local f=$1 filter=$2; shift 2
	tshark -r "$TMP/$f.pcap" "$@" -Y "vrrp && ($filter)" -T fields -E separator='|' \
		-e eth.src -e ip.src -e ipv6.src -e ip.dst -e ipv6.dst -e ip.ttl -e ipv6.hlim \
		-e vrrp.version -e vrrp.virt_rtr_id -e vrrp.prio -e vrrp.short_adver_int \
		-e vrrp.adver_int -e vrrp.type -e vrrp.checksum.status -e vrrp.ip_addr \
		-e vrrp.ipv6_addr 2>/dev/null |
	awk -F'|' '{ printf "mac=%s src=%s%s dst=%s%s ttl=%s%s v%s vrid=%s prio=%s int=%s%s type=%s csum=%s addrs=%s%s\n",
		$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
		$14 == "1" ? "good" : $14 == "0" ? "bad" : "unverified", $15, $16 }'
}
# Every advert of capture NAME matching FILTER decodes as VRRP with a good
# checksum and matches the regex EXPECT (over vrrp_adverts' line); there
# is at least one. Extra tshark options follow.
adverts_conform() {   # NAME FILTER EXPECT [TSHARK-OPTION...]
	local out bad
	out=$(vrrp_adverts "$1" "$2" "${@:4}")
	[ -n "$out" ] || { diag "no adverts matching '$2' in $1.pcap"; return 1; }
	bad=$(grep -vE -- "$3" <<<"$out")
	[ -z "$bad" ] && grep -q 'csum=good' <<<"$out" && ! grep -q 'csum=bad' <<<"$out" && return 0
	diag "$(grep -c . <<<"$out") adverts matching '$2'; not as expected (/$3/):"
	head -2 <<<"${bad:-$out}" | sed 's/^/#   /'
	return 1
}
# With HAFD_GOLDEN_UPDATE=1, keep the first COUNT adverts of capture NAME
# matching FILTER as tests/golden/FILE (classic pcap, read by
# tests/unit/test_golden_hafd.c).
golden_keep() {   # NAME FILTER FILE [COUNT]
	[ "${HAFD_GOLDEN_UPDATE:-0}" = 1 ] || return 0
	local last
	last=$(tshark -r "$TMP/$1.pcap" -Y "vrrp && ($2)" -T fields -e frame.number 2>/dev/null |
		sed -n "${4:-3}p")
	[ -n "$last" ] || { diag "golden $3: not enough adverts"; return 1; }
	tshark -r "$TMP/$1.pcap" -Y "vrrp && ($2) && frame.number <= $last" -F pcap \
		-w "$SRCDIR/tests/golden/$3" 2>/dev/null && diag "wrote tests/golden/$3"
}
# The source of NODE's adverts: eth0's first IPv4 address, or its
# link-local address (FAM 6).
node_vrrp_src() {   # NODE FAM
	if [ "$2" = 6 ]; then
		in_ns "$1" ip -6 -o addr show dev eth0 scope link | awk '{ sub("/.*", "", $4); print $4; exit }'
	else
		in_ns "$1" ip -4 -o addr show dev eth0 | awk '{ sub("/.*", "", $4); print $4; exit }'
	fi
}
# The tshark filter for NODE's adverts (FAM 4 or 6).
node_vrrp_filter() {   # NODE FAM
	if [ "$2" = 6 ]; then echo "ipv6.src == $(node_vrrp_src "$1" 6)"
	else echo "ip.src == $(node_vrrp_src "$1" 4)"; fi
}
# Every advert NODE sent for VRID in capture NAME left from its address
# and MAC (eth0's, or MAC), to DST, with TTL 255, version VER, priority
# PRIO (or 0, on its way out), INT_MS, the one VIP, and a good checksum.
hafd_adverts_ok() {   # NAME NODE FAM VER INT_MS DST VRID PRIO VIP [MAC]
	local int=$(($5 / 10)) mac=${10:-$(mac_of "$2")}
	[ "$4" = 2 ] && int=$(($5 / 1000))
	adverts_conform "$1" "$(node_vrrp_filter "$2" "$3") && vrrp.virt_rtr_id == $7" \
		"^mac=$mac src=$(node_vrrp_src "$2" "$3") dst=$6 ttl=255 v$4 vrid=$7 prio=($8|0) int=$int type=1 csum=good addrs=$9\$"
}
# A counter from hafd on NODE (hafctl metrics): the value of the line that
# starts with KEY (name and labels), empty when there is none.
hafd_metric() {   # NODE KEY
	"${HAFCTL:-$BUILDDIR/hafctl}" -s "$HAFD_LAB_DIR/$PREFIX/$1/run/hafd.sock" metrics 2>/dev/null |
		awk -v k="$2" 'index($0, k " ") == 1 { print $NF; exit }'
}
# The IPv4 VRRPv3 adverts hafd on NODE accepted all verified in FORM
# (rfc5798: with the pseudo-header; rfc9568: without), and some did.
csum_forms_are() {   # NODE FORM
	local k=hafd_vrrp_checksum_form_received_total other=rfc9568 n o
	[ "$2" = rfc9568 ] && other=rfc5798
	n=$(hafd_metric "$1" "$k{form=\"$2\"}"); o=$(hafd_metric "$1" "$k{form=\"$other\"}")
	{ [ "${n:-0}" -gt 0 ] && [ "${o:-1}" = 0 ]; } || { diag "$1: $2 $n, $other $o"; return 1; }
}
