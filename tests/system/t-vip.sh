#!/bin/bash
# t-vip.sh: vip.c against the kernel, through tests/tools/viptool, in two
# network namespaces made (and removed) here: A holds the interfaces under
# test, B holds the peer ends of the veth pairs so links can go down from
# outside. Prints TAP; needs root (skips with 77 without it).
set -u

if [ "$(id -u)" -ne 0 ]; then
	echo "1..0 # SKIP needs root (network namespaces)"
	exit 77
fi
VIPTOOL=${VIPTOOL:-${HAFD_BUILDDIR:-.}/tests/tools/viptool}
if [ ! -x "$VIPTOOL" ]; then
	echo "1..0 # SKIP no viptool at $VIPTOOL (set VIPTOOL or HAFD_BUILDDIR)"
	exit 77
fi

P=hv$$
NSA=$P-a
NSB=$P-b
TMP=$(mktemp -d "/tmp/$P.XXXXXX")
J=$TMP/run/vips
WATCH_PID=

cleanup() {
	[ -n "$WATCH_PID" ] && watch_stop
	ip netns del "$NSA" 2>/dev/null
	ip netns del "$NSB" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

N=0
FAILED=0
ok() {          # ok STATUS DESCRIPTION
	N=$((N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $N - $2"
	else
		echo "not ok $N - $2"
		FAILED=$((FAILED + 1))
	fi
}
t() {           # t DESCRIPTION COMMAND...: ok when COMMAND succeeds
	local d=$1
	shift
	"$@" >"$TMP/t.out" 2>&1
	local rc=$?
	ok $rc "$d"
	[ $rc -eq 0 ] || sed 's/^/# /' "$TMP/t.out"
}
vt() { ip netns exec "$NSA" "$VIPTOOL" "$@"; }
# wait_for COMMAND...: up to 5 s for COMMAND to succeed
wait_for() {
	local i
	for i in $(seq 50); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}
# addr_line DEV ADDR/PFX: the one-line `ip -o addr` entry for exactly that address
addr_line() { ip -n "$NSA" -o addr show dev "$1" | awk -v a="$2" '$4 == a'; }
has_addr() { [ -n "$(addr_line "$1" "$2")" ]; }
no_addr() { ! has_addr "$1" "$2"; }
jcount() { grep -cxF -- "$2" "$1" 2>/dev/null; }
jonce() { [ "$(jcount "$1" "$2")" = 1 ]; }
jnone() { [ "$(jcount "$1" "$2")" = 0 ]; }
not() { ! "$@"; }
both() { "$1" "$2" "$3" && "$1" "$2" "$4"; }       # both CHECK DEV X Y
is() { [ "$1" = "$2" ] || { echo "got '$1', want '$2'"; return 1; }; }
linklocal() { ip -n "$NSA" -o -6 addr show dev "$1" scope link | awk '{sub("/.*", "", $4); print $4}'; }
ll_ready() { [ -n "$(linklocal va)" ] && ! ip -n "$NSA" -o -6 addr show dev va scope link | grep -q tentative; }

setup() {
	ip netns add "$NSA" && ip netns add "$NSB" &&
	ip -n "$NSA" link set lo up &&
	ip -n "$NSA" link add va type veth peer name vb netns "$NSB" &&
	ip -n "$NSA" link add vc type veth peer name vd netns "$NSB" &&
	ip -n "$NSA" link set va up && ip -n "$NSB" link set vb up &&
	ip -n "$NSA" link set vc up && ip -n "$NSB" link set vd up &&
	ip -n "$NSA" addr add 10.77.0.1/24 dev va &&
	ip -n "$NSA" addr add 10.77.0.2/24 dev va &&
	mkdir -p "$TMP/run"
}

# watch_start IFNAME: viptool watch in the background, once it is ready
watch_start() {
	: >"$TMP/w.out"
	: >"$TMP/w.err"
	ip netns exec "$NSA" "$VIPTOOL" watch "$J" "$1" 60 >"$TMP/w.out" 2>"$TMP/w.err" &
	WATCH_PID=$!
	wait_for grep -q watching "$TMP/w.err"
}
watch_stop() {      # CONT too: a stopped watcher would not act on TERM
	kill "$WATCH_PID" 2>/dev/null
	kill -CONT "$WATCH_PID" 2>/dev/null
	wait "$WATCH_PID" 2>/dev/null
	WATCH_PID=
}
saw() { grep -qxF -- "$1" "$TMP/w.out"; }

if ! setup >"$TMP/setup.out" 2>&1; then
	echo "1..0 # SKIP cannot build the namespaces: $(head -1 "$TMP/setup.out")"
	exit 77
fi

# --- add --------------------------------------------------------------------
t "add IPv4 VIP" vt add "$J" va 10.77.0.100/32
t "IPv4 VIP is on the interface" has_addr va 10.77.0.100/32
t "IPv4 VIP is journaled once" jonce "$J" "va 10.77.0.100/32"
t "journal is mode 0600" is "$(stat -c %a "$J")" 600
t "add IPv6 VIP" vt add "$J" va fd00:77::100/64
t "IPv6 VIP is on the interface" has_addr va fd00:77::100/64
nodad() { addr_line va fd00:77::100/64 | grep -qw nodad && ! addr_line va fd00:77::100/64 | grep -qw tentative; }
t "IPv6 VIP is nodad and not tentative" nodad
t "adding a present VIP succeeds" vt add "$J" va fd00:77::100/64
t "... and journals it once" jonce "$J" "va fd00:77::100/64"
t "journal holds just the two VIPs" is "$(wc -l <"$J")" 2

# --- primary ----------------------------------------------------------------
t "primary IPv4 is the first non-secondary address" is "$(vt primary va 4 "$J")" 10.77.0.1
# On vc the VIP comes first (kernel order), then a real address.
vt add "$J" vc 10.78.0.100/32 >/dev/null 2>&1
ip -n "$NSA" addr add 10.78.0.1/24 dev vc
t "kernel lists the VIP first on vc" \
	is "$(ip -n "$NSA" -o -4 addr show dev vc | awk 'NR == 1 {print $4}')" 10.78.0.100/32
t "primary IPv4 skips a VIP hafd added" is "$(vt primary vc 4 "$J")" 10.78.0.1
vt del "$J" vc 10.78.0.100/32 >/dev/null 2>&1
wait_for ll_ready
t "primary IPv6 is the link-local address" is "$(vt primary va 6)" "$(linklocal va)"

# --- del --------------------------------------------------------------------
t "del IPv4 VIP" vt del "$J" va 10.77.0.100/32
t "IPv4 VIP left the interface" no_addr va 10.77.0.100/32
t "IPv4 VIP left the journal" jnone "$J" "va 10.77.0.100/32"
t "del IPv6 VIP" vt del "$J" va fd00:77::100/64
t "IPv6 VIP left the interface" no_addr va fd00:77::100/64
t "IPv6 VIP left the journal" jnone "$J" "va fd00:77::100/64"
t "deleting an absent VIP succeeds" vt del "$J" va 10.77.0.100/32
t "a missing journal directory fails the add" not vt add "$TMP/nodir/vips" va 10.77.0.102/32
t "... and adds nothing" no_addr va 10.77.0.102/32

# --- cleanup after a crash ----------------------------------------------------
J2=$TMP/run/crashed
vt add "$J2" va 10.77.0.101/32 >/dev/null 2>&1
vt add "$J2" va fd00:77::101/128 >/dev/null 2>&1
printf 'this is not a VIP\nnosuch0 10.77.9.9/32\n' >>"$J2"
t "crashed run's VIPs are in place" both has_addr va 10.77.0.101/32 fd00:77::101/128
vt cleanup "$J2" >"$TMP/c.out" 2>"$TMP/c.err"
t "cleanup counts the VIPs it removed" is "$(cat "$TMP/c.out")" 2
t "cleanup removed them" both no_addr va 10.77.0.101/32 fd00:77::101/128
t "cleanup emptied the journal" test ! -s "$J2"
t "cleanup named the malformed line" grep -q "crashed:3: malformed.*this is not a VIP" "$TMP/c.err"
t "cleanup of a missing journal removes 0" is "$(vt cleanup "$TMP/run/none")" 0

# A NUL byte in a line (a torn write, a disk error) spoils that line only:
# the VIP on the next line is still removed (issue 19, item 5).
J3=$TMP/run/nul
vt add "$J3" va 10.77.0.103/32 >/dev/null 2>&1
printf 'va 10.77.0.1\0002/32\nva 10.77.0.103/32\n' >"$J3"
vt cleanup "$J3" >"$TMP/c3.out" 2>"$TMP/c3.err"
t "cleanup reads past a NUL byte: the VIP on the next line is removed" no_addr va 10.77.0.103/32
t "... and counted" is "$(cat "$TMP/c3.out")" 1
t "... the line with the NUL is named malformed" grep -q "nul:1: malformed" "$TMP/c3.err"
t "... and the journal is emptied" test ! -s "$J3"

# A symlink planted at the journal path is not followed (issue 19, item 3):
# not to append to its target, not to read VIPs to remove from it. It is
# replaced by a journal of our own.
J4=$TMP/run/link
: >"$TMP/victim"
ln -s "$TMP/victim" "$J4"
t "add with a symlink at the journal path" vt add "$J4" va 10.77.0.104/32
t "... writes nothing to the link's target" test ! -s "$TMP/victim"
t "... and journals the VIP in a file of its own" eval 'test ! -L "$J4" && jonce "$J4" "va 10.77.0.104/32"'
vt del "$J4" va 10.77.0.104/32 >/dev/null 2>&1
ip -n "$NSA" addr add 10.77.0.9/32 dev va
echo "va 10.77.0.9/32" >"$TMP/victim2"
rm -f "$J4" && ln -s "$TMP/victim2" "$J4"
vt cleanup "$J4" >/dev/null 2>&1
t "cleanup does not read VIPs through a symlink" has_addr va 10.77.0.9/32
t "... leaves the link's target as it was" is "$(cat "$TMP/victim2")" "va 10.77.0.9/32"
t "... and replaces the link" test ! -L "$J4"
ip -n "$NSA" addr del 10.77.0.9/32 dev va

# --- watch ------------------------------------------------------------------
t "watch starts" watch_start va
ip -n "$NSB" link set vb down
t "watch: link down when the peer goes down" wait_for saw "link va down"
ip -n "$NSA" addr del 10.77.0.2/24 dev va
t "watch: addr-deleted for an address removed by hand" wait_for saw "addr-deleted va 10.77.0.2"
ip -n "$NSB" link set vb up
t "watch: link up when the peer comes back" wait_for saw "link va up"
watch_stop

# --- overrun: events lost while the watcher is stopped ------------------------
t "watch starts (overrun)" watch_start vc
kill -STOP "$WATCH_PID"
for i in $(seq 6000); do echo "link set vc alias burst$i"; done >"$TMP/burst"
ip -n "$NSA" -b "$TMP/burst" >/dev/null 2>&1
ip -n "$NSA" addr add 10.78.0.55/32 dev vc
kill -CONT "$WATCH_PID"
t "overrun is reported and resynced" wait_for grep -q "resyncing" "$TMP/w.err"
t "resync reports the link" wait_for saw "link vc up"
ip -n "$NSA" addr del 10.78.0.55/32 dev vc
t "events after the resync know addresses added during the overrun" \
	wait_for saw "addr-deleted vc 10.78.0.55"
watch_stop

echo "1..$N"
[ "$FAILED" -eq 0 ]
