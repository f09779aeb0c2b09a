#!/bin/bash
# hafd -t warns about what will fail at run time although the file is
# valid (issue 16, section 4): a script check whose program is a path
# that does not exist here, as the example's /usr/local/bin/check-gpu.
# The file stays OK (exit 0: it may be checked on another machine); the
# warning names file:line and key. A program found on PATH at run time
# (a bare name) and one that exists are not warned about. An interface or
# tracked interface that does not exist on this host (issue 20): the
# instance would stay in FAULT, the tracked one counts as down; an
# anycast instance's interface or degraded_interface (its service is not
# announced, or announced less preferred); checked in a namespace of the
# test's own, where only lo and eth0 exist.
. "$(dirname "$0")/lib.sh"

conf=$TMP/h.conf
cat >"$conf" <<EOF
[global]
runtime_dir = $TMP/run

[check gpu]
type = script
command = HAFD_GPUS=8 $TMP/nowhere/check-gpu --min-free 10
[check ok]
type = script
command = /bin/true
[check name]
type = script
command = true
[check quoted]
type = script
command = NOTE='two words' $TMP/nowhere/quoted-check

[instance web]
interface = lo
vrid = 51
virtual_ip = 10.0.0.1/24
track = gpu
track = ok
track = name
track = quoted
EOF
out=$("$HAFD" -t -f "$conf" 2>"$TMP/err")
rc=$?
diag "stdout: $out" "stderr: $(cat "$TMP/err")"
check "the file is still OK (exit 0)" test "$rc" = 0 -a "$out" = "configuration OK"
check "a missing program path is warned about, with file:line and key" \
	grep -qxF "$conf:6: [check gpu] command: warning: $TMP/nowhere/check-gpu does not exist: the check will fail until it does" "$TMP/err"
# The shell reads NOTE='two words' as one word: the program comes after.
check "... after a quoted NAME='a b' assignment too" \
	grep -qxF "$conf:15: [check quoted] command: warning: $TMP/nowhere/quoted-check does not exist: the check will fail until it does" "$TMP/err"
check "nothing else is warned about" test "$(wc -l <"$TMP/err")" = 2

# --- interfaces that do not exist here (root: a namespace of our own) -------
if [ "$(id -u)" != 0 ]; then
	skip_rest "interfaces: needs root (network namespaces)"
	exit 0
fi
solo_ns ct
cat >"$TMP/if.conf" <<EOF
[global]
runtime_dir = $TMP/run

[instance here]
interface = eth0
vrid = 51
virtual_ip = 10.79.0.100/24
track_interface = lo

[instance away]
interface = eth9
vrid = 52
virtual_ip = 10.79.0.101/24
track_interface = eth8 weight -10
track_interface = eth7
track_interface = eth0
EOF
out=$(ip netns exec "$NS_A" "$HAFD" -t -f "$TMP/if.conf" 2>"$TMP/if.err")
rc=$?
diag "stdout: $out" "stderr: $(cat "$TMP/if.err")"
check "interfaces: the file is still OK (exit 0)" test "$rc" = 0 -a "$out" = "configuration OK"
check "interfaces: a missing interface is warned about, with file:line and key" \
	grep -qxF "$TMP/if.conf:11: [instance away] interface: warning: eth9 does not exist on this host: the instance stays in FAULT until it does" "$TMP/if.err"
check "interfaces: a missing tracked interface with a weight" \
	grep -qxF "$TMP/if.conf:14: [instance away] track_interface: warning: eth8 does not exist on this host: it counts as down (its weight applies) until it does" "$TMP/if.err"
check "interfaces: a missing tracked interface with weight 0" \
	grep -qxF "$TMP/if.conf:15: [instance away] track_interface: warning: eth7 does not exist on this host: it counts as down (the instance is in FAULT) until it does" "$TMP/if.err"
check "interfaces: those that exist are not warned about" test "$(wc -l <"$TMP/if.err")" = 3

# Anycast instances (hafd-anycast(7)): their interface and
# degraded_interface, each with its line.
cat >"$TMP/any.conf" <<EOF
[global]
runtime_dir = $TMP/run

[check engine]
type = tcp
address = 127.0.0.1:8000

[instance gone]
mode = anycast
interface = hafany0
degraded_interface = hafany1
virtual_ip = 10.79.0.10
track = engine

[instance alone]
mode = anycast
interface = hafany2
virtual_ip = 10.79.0.11
track = engine

[instance here]
mode = anycast
interface = lo
virtual_ip = 10.79.0.12
track = engine
EOF
out=$(ip netns exec "$NS_A" "$HAFD" -t -f "$TMP/any.conf" 2>"$TMP/any.err")
rc=$?
diag "stdout: $out" "stderr: $(cat "$TMP/any.err")"
check "anycast: the file is still OK (exit 0)" test "$rc" = 0 -a "$out" = "configuration OK"
check "anycast: a missing interface, with a degraded_interface to fall back on" \
	grep -qxF "$TMP/any.conf:10: [instance gone] interface: warning: hafany0 does not exist on this host: the service is announced on degraded_interface (less preferred) until it does" "$TMP/any.err"
check "anycast: a missing degraded_interface, with its line" \
	grep -qxF "$TMP/any.conf:11: [instance gone] degraded_interface: warning: hafany1 does not exist on this host: the service is not announced while it is degraded, until it does" "$TMP/any.err"
check "anycast: a missing interface and none to fall back on" \
	grep -qxF "$TMP/any.conf:17: [instance alone] interface: warning: hafany2 does not exist on this host: the service is not announced until it does" "$TMP/any.err"
check "anycast: an interface that exists is not warned about" test "$(wc -l <"$TMP/any.err")" = 3
