# lib.sh: shared plumbing for the system tests (sourced, bash).
#
# Each test prints TAP. Labs are built with scripts/hafd-lab under a prefix
# unique to the run, and removed on exit, also on failure. Tests wait for
# log lines and state, never for fixed times longer than needed.

SRCDIR=${HAFD_SRCDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BUILDDIR=${HAFD_BUILDDIR:-$SRCDIR/build}
export HAFD=${HAFD:-$BUILDDIR/hafd}
LAB="$SRCDIR/scripts/hafd-lab"
PROBE="$BUILDDIR/tests/tools/hafd-probe"
export HAFD_LAB_DIR=${HAFD_LAB_DIR:-/run/hafd-lab}
# Short, unique per run: several tests may run at once.
PREFIX="t$$$(printf '%03d' $((RANDOM % 1000)))"
TMP=$(mktemp -d /tmp/hafd-test.XXXXXX)

_tap_n=0 _tap_fail=0 _lab_up=0
_cleanups=()

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
	if [ $_tap_fail -gt 0 ] && [ $_lab_up = 1 ]; then
		for i in 1 2 3; do
			[ -f "$HAFD_LAB_DIR/$PREFIX/n$i/log" ] || continue
			diag "---- n$i log (last 30 lines) ----"
			tail -30 "$HAFD_LAB_DIR/$PREFIX/n$i/log" | sed 's/^/# /'
		done
	fi
	for c in "${_cleanups[@]}"; do eval "$c" >/dev/null 2>&1; done
	[ $_lab_up = 1 ] && "$LAB" -p "$PREFIX" down >/dev/null 2>&1
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

# ---- state, time and packets (t-election, t-preempt, t-ipv6, ...) ----------

lab_down() { lab down >/dev/null; _lab_up=0; }
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
