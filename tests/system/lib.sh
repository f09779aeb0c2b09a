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
