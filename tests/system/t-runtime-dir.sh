#!/bin/bash
# runtime_dir holds the pid file and the journals that a new run acts on
# (removing the addresses and links they list): hafd refuses one that
# another user owns or that group or others may write, at start and in
# `hafd -t`, and follows no symlink planted at the pid file or a journal
# (issue 19, item 3). Runs hafd in a namespace pair of its own.
. "$(dirname "$0")/lib.sh"
need_root

pid=""
quiet() { "$@" >/dev/null 2>&1; }
solo_ns r pid

conf() {   # DIR: a configuration with runtime_dir DIR, prints its path
	solo_conf "$(basename "$1").conf" "$1" '[global]' "control_socket = $1/hafd.sock" 'crash_guard = no'
}
# hafd in the foreground: must give up at once (a hafd that starts is
# killed after 5 s: exit 124).
refused() {   # CONF LOG
	timeout 5 ip netns exec "$NS_A" "$HAFD" -n -l -f "$1" >"$2" 2>&1
}

# ---- owner and mode ---------------------------------------------------------------
chmod 755 "$TMP"
mkdir -m 700 "$TMP/other" && chown nobody "$TMP/other"
c=$(conf "$TMP/other")
refused "$c" "$TMP/other.log"
rc=$?
diag "$(cat "$TMP/other.log")"
check "a runtime_dir owned by another user: hafd refuses to start" test $rc = 1
check "... saying who owns it" grep -q "runtime_dir $TMP/other is owned by uid $(id -u nobody)" "$TMP/other.log"
"$HAFD" -t -f "$c" >"$TMP/other-t.log" 2>&1
rc=$?
check "... and hafd -t fails on it (exit 1)" test $rc = 1
check "... with the same message" grep -q "runtime_dir $TMP/other is owned by uid" "$TMP/other-t.log"
check "... and does not say the configuration is OK" not grep -q "configuration OK" "$TMP/other-t.log"

mkdir "$TMP/open" && chmod 777 "$TMP/open"
c=$(conf "$TMP/open")
refused "$c" "$TMP/open.log"
rc=$?
diag "$(cat "$TMP/open.log")"
check "a runtime_dir of mode 0777: hafd refuses to start" test $rc = 1
check "... saying that others may write to it" grep -q "runtime_dir $TMP/open is writable by group or others (mode 0777)" "$TMP/open.log"
"$HAFD" -t -f "$c" >/dev/null 2>&1
check "... and hafd -t fails on it" test $? = 1
chmod 2775 "$TMP/open"
refused "$c" "$TMP/open2.log"
check "group-writable (0775) is refused too" test $? = 1
check "a runtime_dir that does not exist yet passes hafd -t" quiet "$HAFD" -t -f "$(conf "$TMP/later")"
check "... and nothing was created by the test" test ! -e "$TMP/later"

# ---- symlinks at the pid file and the journals -------------------------------------
mkdir -m 700 "$TMP/links"
c=$(conf "$TMP/links")
echo precious >"$TMP/victim-pid"
ln -s "$TMP/victim-pid" "$TMP/links/hafd.pid"
refused "$c" "$TMP/pid.log"
rc=$?
diag "$(cat "$TMP/pid.log")"
check "a symlink at the pid file: hafd refuses to start" test $rc = 1
check "... saying so" grep -q "pid file $TMP/links/hafd.pid is a symbolic link" "$TMP/pid.log"
check "... and the link's target is untouched" test "$(cat "$TMP/victim-pid")" = precious
rm -f "$TMP/links/hafd.pid"

rm -f "$TMP/links/vips" "$TMP/links/vmacs"
: >"$TMP/victim-vips"
echo precious >"$TMP/victim-vmacs"
ln -s "$TMP/victim-vips" "$TMP/links/vips"
ln -s "$TMP/victim-vmacs" "$TMP/links/vmacs"
ip netns exec "$NS_A" "$HAFD" -n -l -f "$c" >"$TMP/links.log" 2>&1 &
pid=$!
check "with symlinks at the journals hafd starts and takes the VIP" \
	wait_until 10 sh -c "ip -n $NS_A -br addr show dev eth0 | grep -qw 10.79.0.100"
check "the VIP journal's link target is untouched (empty)" test ! -s "$TMP/victim-vips"
check "the macvlan journal's link target is untouched" test "$(cat "$TMP/victim-vmacs")" = precious
check "the VIP journal is a file of hafd's own, listing the VIP" \
	eval 'test -f "$TMP/links/vips" -a ! -L "$TMP/links/vips" && grep -qx "eth0 10.79.0.100/24" "$TMP/links/vips"'
check "hafd said what it replaced" grep -q "vips.*not a regular file" "$TMP/links.log"
kill -TERM "$pid"
wait "$pid"
check "hafd exits 0 on SIGTERM" test $? = 0
pid=""
