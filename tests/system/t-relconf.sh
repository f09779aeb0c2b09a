#!/bin/bash
# `hafd -f relative/path`: the daemon forks and changes to /, so the path
# is made absolute at start; a reload (SIGHUP or hafctl reload) reads the
# same file (issue 19, item 8). Runs hafd in a namespace pair of its own.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
PY=${PYTHON:-python3}
dpid=""
quiet() { "$@" >/dev/null 2>&1; }
solo_ns l dpid

RUN=$TMP/rel/run
SOCK=$RUN/hafd.sock
mkdir -p "$TMP/rel/etc"
write_conf() {   # PRIORITY
	solo_conf rel/etc/hafd.conf "$RUN" "priority = $1" >/dev/null
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
