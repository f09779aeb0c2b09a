#!/bin/bash
# hafd --cleanup, run by hafd.service as ExecStopPost (issue 15). A unit
# killed by systemd (systemctl kill -s KILL, a cgroup OOM kill) loses hafd
# and its crash guard at once: nothing removes the VIPs or the nftables
# tables until the next start. --cleanup does what that start would:
#   (a) after hafd and its guard are SIGKILLed together, the VIPs (IPv4
#       and IPv6) and both tables are still there; --cleanup, run as the
#       unit's ExecStopPost line says, removes them, empties the journal,
#       and a second run is quiet; after a graceful stop it is quiet too,
#       and after a crash the guard cleaned up it removes only the tables;
#   (b) while hafd runs, --cleanup says so and changes nothing;
#   (c) a group-writable runtime_dir is refused, its journal not acted on.
# The unit itself passes systemd-analyze verify (skipped without it).
. "$(dirname "$0")/lib.sh"
need_root

VIP=10.77.0.100 VIP6=fd77::100
T=hafd          # nft_table's default
UNIT="$SRCDIR/etc/hafd.service"
tpl=$(lab_conf cleanup.conf '[global]' 'crash_guard = yes' '[instance web]' \
	'[instance web6]' 'vrid = 61' "virtual_ip = $VIP6/64")
NODE_DIR="$HAFD_LAB_DIR/$PREFIX/n1"
CONF="$NODE_DIR/hafd.conf" RUN="$NODE_DIR/run"

tables_of() { in_ns n1 nft list tables | sort | xargs; }
has_tables() { [ "$(tables_of)" = "table arp $T table inet $T table netdev $T" ]; }
no_tables() { ! tables_of | grep -qw "$T"; }
# A process that is gone, or a zombie its new parent has not reaped yet.
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# hafd --cleanup in n1's namespace: ARGS..., output to $TMP/LOG, exit status in rc.
cleanup_run() {   # LOG ARGS...
	local log=$1; shift
	in_ns n1 "$HAFD" "$@" >"$TMP/$log" 2>&1
	rc=$?
	diag "exit $rc: $(tr '\n' '|' <"$TMP/$log")"
}

# ---- the unit --------------------------------------------------------------------
# Its ExecStopPost line, as arguments, with the lab's configuration.
stop_post=$(sed -n 's|^ExecStopPost=-\{0,1\}/usr/sbin/hafd ||p' "$UNIT")
check "hafd.service runs 'hafd --cleanup' as ExecStopPost" \
	eval '[[ " $stop_post " == *" --cleanup "* ]] && [[ " $stop_post " == *" -f /etc/hafd.conf "* ]]'
if command -v systemd-analyze >/dev/null; then
	# verify wants the programs to exist and the man pages installed.
	# hafctl first: /usr/sbin/hafd is the start of /usr/sbin/hafctl.
	sed -e "s|/usr/sbin/hafctl|$BUILDDIR/hafctl|g" -e "s|/usr/sbin/hafd|$HAFD|g" "$UNIT" \
		>"$TMP/hafd.service"
	out=$(systemd-analyze verify --man=no "$TMP/hafd.service" 2>&1)
	rc=$?
	[ -n "$out" ] && diag "$out"
	check "systemd-analyze verify accepts hafd.service, without a word" test $rc = 0 -a -z "$out"
else
	skip_rest "systemd-analyze not installed: the unit is not verified"
fi

# ---- (a) hafd and its guard killed at once ----------------------------------------
lab_up -n 1 -c "$tpl"
check "n1 is master of both instances" \
	eval 'wait_state n1 MASTER 5 "VRID 51" && wait_state n1 MASTER 5 "VRID 61"'
check "n1 holds $VIP and $VIP6" eval "wait_holds n1 $VIP && wait_holds n1 $VIP6"
check "hafd's tables inet $T, arp $T and netdev $T are there" wait_until 5 has_tables
hafd=$(lab pid n1)
guard=$(log_of n1 | sed -n 's/.*crash guard started (pid \([0-9]*\)).*/\1/p' | tail -1)
check "the crash guard ($guard) is hafd's ($hafd) child" \
	eval "[ -n '$guard' ] && grep -qw '$guard' /proc/$hafd/task/*/children"
# As systemd's kill of the cgroup: the guard must not get to act before
# its own SIGKILL, so it is frozen first (SIGKILL ends a stopped process).
kill -STOP "$guard"
on_exit "kill -KILL $guard"
kill -KILL "$hafd" "$guard"
check "hafd and its guard are gone" eval "wait_until 5 gone $hafd && wait_until 5 gone $guard"
check "the guard did nothing" never_logged n1 'guard: hafd died'
check "the killed node still holds $VIP and $VIP6 (the bug)" eval "holds n1 $VIP && holds n1 $VIP6"
check "its tables are still there" has_tables
check "the journal lists both VIPs" eval "grep -q ' $VIP/24\$' $RUN/vips && grep -q ' $VIP6/64\$' $RUN/vips"

# Exactly as the unit would run it (its other paths are the lab's).
read -ra args <<<"${stop_post//\/etc\/hafd.conf/$CONF}"
[ -n "$stop_post" ] || args=(--cleanup -f "$CONF")     # never a bare hafd: it would start
cleanup_run clean1.log "${args[@]}"
check "hafd --cleanup exits 0" test "$rc" = 0
check "... and removes $VIP and $VIP6" eval "! holds n1 $VIP && ! holds n1 $VIP6"
check "... and both tables" no_tables
check "... and empties the journal" test ! -s "$RUN/vips"
check "... saying what it removed" grep -q 'removed 2 VIPs left by hafd' "$TMP/clean1.log"
check "... tables included" grep -q "removed nftables tables inet $T, arp $T and netdev $T" "$TMP/clean1.log"
check "... and leaves no pid file" test ! -e "$RUN/hafd.pid"
cleanup_run clean2.log --cleanup -f "$CONF"
check "a second --cleanup exits 0" test "$rc" = 0
check "... and says nothing" test ! -s "$TMP/clean2.log"

# After a graceful stop (ExecStopPost runs then too) there is nothing to do.
lab start n1
check "n1 starts again and is master" wait_last_run n1 'BACKUP -> MASTER' 5
check "n1 holds $VIP again" wait_holds n1 $VIP
lab stop n1
cleanup_run clean3.log -C -f "$CONF"
check "after a graceful stop --cleanup (-C) exits 0 and says nothing" \
	test "$rc" = 0 -a ! -s "$TMP/clean3.log"

# After a crash the guard cleaned up, only the tables are left.
lab start n1
check "n1 is master once more" eval "wait_last_run n1 'BACKUP -> MASTER' 5 && wait_holds n1 $VIP"
guard=$(last_run n1 | sed -n 's/.*crash guard started (pid \([0-9]*\)).*/\1/p')
lab kill n1
check "killed alone, hafd's guard removes the VIPs" wait_log n1 'guard: hafd died; removed 2 VIPs' 5
check "... and exits" eval "[ -n '$guard' ] && wait_until 5 gone '$guard'"
check "... and leaves the tables" has_tables
cleanup_run clean4.log --cleanup -f "$CONF"
check "--cleanup after the guard exits 0 and removes only the tables" \
	eval "test $rc = 0 && no_tables && test \"\$(cat $TMP/clean4.log)\" = 'hafd: removed nftables tables inet $T, arp $T and netdev $T'"

# ---- (b) hafd running ---------------------------------------------------------------
lab start n1
check "n1 is master again" eval "wait_last_run n1 'BACKUP -> MASTER' 5 && wait_holds n1 $VIP6"
wait_until 5 has_tables
journal_before=$(cat "$RUN/vips")
pid_before=$(cat "$RUN/hafd.pid")
cleanup_run running.log --cleanup -f "$CONF"
check "--cleanup while hafd runs exits 0" test "$rc" = 0
check "... saying hafd is running" \
	grep -qF "hafd: hafd is running (pid file $RUN/hafd.pid is locked): nothing to clean" "$TMP/running.log"
check "... and nothing else" test "$(grep -c . "$TMP/running.log")" = 1
check "the VIPs stay" stays 0.5 eval "holds n1 $VIP && holds n1 $VIP6"
check "the tables stay" has_tables
check "the journal is unchanged" test "$(cat "$RUN/vips")" = "$journal_before"
check "the pid file is unchanged ($pid_before)" test "$(cat "$RUN/hafd.pid")" = "$pid_before"
check "hafd is still master" eval 'is_state n1 MASTER "VRID 51" && is_state n1 MASTER "VRID 61"'
lab_down

# ---- (c) an unsafe runtime_dir -------------------------------------------------------
# A namespace of the test's own with the VIP on eth0 and a journal that
# lists it: refusing the directory must leave the address alone.
solo_ns c
ip -n "$NS_A" addr add 10.79.0.100/24 dev eth0
mkdir -m 770 "$TMP/gw"
chmod 770 "$TMP/gw"             # whatever the umask
echo "eth0 10.79.0.100/24" >"$TMP/gw/vips"
c=$(solo_conf gw.conf "$TMP/gw")
ip netns exec "$NS_A" "$HAFD" --cleanup -f "$c" >"$TMP/gw.log" 2>&1
rc=$?
diag "exit $rc: $(tr '\n' '|' <"$TMP/gw.log")"
check "a group-writable runtime_dir: --cleanup exits 1" test $rc = 1
check "... naming the directory" \
	grep -q "runtime_dir $TMP/gw is writable by group or others (mode 0770)" "$TMP/gw.log"
check "... and removes nothing it lists" eval "ip -n $NS_A -br addr show dev eth0 | grep -qw 10.79.0.100"
check "... nor touches the journal" grep -qx "eth0 10.79.0.100/24" "$TMP/gw/vips"
check "... nor makes a pid file" test ! -e "$TMP/gw/hafd.pid"
