#!/bin/bash
# `hafd -f relative/path`: the daemon forks and changes to /, so the path
# is made absolute at start; a reload (SIGHUP or hafctl reload) reads the
# same file (issue 19, item 8). Runs hafd in a namespace pair of its own.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
PY=${PYTHON:-python3}
NS_A="$PREFIX-la" NS_B="$PREFIX-lb" dpid=""
quiet() { "$@" >/dev/null 2>&1; }
solo_cleanup() {
	local p
	[ -n "$dpid" ] && kill -KILL "$dpid"
	for p in $(ip netns pids "$NS_A"); do kill -KILL "$p"; done
	ip netns del "$NS_A"
	ip netns del "$NS_B"
}
on_exit solo_cleanup
ip netns add "$NS_A" && ip netns add "$NS_B" &&
	ip link add eth0 netns "$NS_A" type veth peer name eth0 netns "$NS_B" &&
	ip -n "$NS_A" link set lo up && ip -n "$NS_A" link set eth0 up &&
	ip -n "$NS_B" link set eth0 up && ip -n "$NS_A" addr add 10.79.0.1/24 dev eth0
ok $? "a namespace pair of our own"

RUN=$TMP/rel/run
SOCK=$RUN/hafd.sock
mkdir -p "$TMP/rel/etc"
write_conf() {   # PRIORITY
	cat >"$TMP/rel/etc/hafd.conf" <<EOF
[global]
runtime_dir = $RUN
nft_table = none

[instance solo]
interface = eth0
vrid = 9
priority = $1
advert_interval = 100ms
virtual_ip = 10.79.0.100/24
EOF
}
priority() {
	"$HAFCTL" -s "$SOCK" status --json 2>/dev/null |
		"$PY" -c 'import json, sys; print(json.load(sys.stdin)["instances"][0]["priority"])'
}
priority_is() { [ "$(priority)" = "$1" ]; }

write_conf 100
(cd "$TMP/rel" && ip netns exec "$NS_A" "$HAFD" -f etc/hafd.conf)
check "hafd -f etc/hafd.conf (relative) forks and returns 0" test $? = 0
check "the daemon answers on its socket" wait_until 5 quiet "$HAFCTL" -s "$SOCK" version
dpid=$(cat "$RUN/hafd.pid")
check "priority 100 at start" priority_is 100

write_conf 120
kill -HUP "$dpid"
check "SIGHUP reloads the relative path: priority 120" wait_until 5 priority_is 120

write_conf 130
out=$("$HAFCTL" -s "$SOCK" reload 2>&1)
rc=$?
diag "$out"
check "hafctl reload exits 0" test $rc = 0
check "... and names the file by its absolute path" \
	grep -qF "configuration reloaded from $TMP/rel/etc/hafd.conf" <<<"$out"
check "... priority 130" priority_is 130

check "a missing relative file is still an error naming it" \
	eval '(cd "$TMP/rel" && "$HAFD" -t -f etc/nosuch.conf 2>&1) | grep -q "etc/nosuch.conf"'

kill -TERM "$dpid"
check "SIGTERM stops the daemon" wait_until 10 not quiet kill -0 "$dpid" && dpid=""
