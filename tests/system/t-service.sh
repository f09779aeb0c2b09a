#!/bin/bash
# hafd.service's ExecReload= in a lab: `systemctl reload hafd` must fail
# when hafd refuses the new file (a SIGHUP, as before, always succeeded).
# This machine has no systemd as init: the test runs the unit's
# ExecReload= command line itself, with the unit's /usr/sbin/ and
# /etc/hafd.conf pointed at the build and at a lab node's file, and checks
# its exit status as systemd would: 0 for a file hafd takes, non-zero for
# one with a syntax error (hafctl cannot even read its control_socket)
# and for one that loads but hafd refuses (an unknown script_user).
# Also: hafctl's bash completion offers the running hafd's instances.
. "$(dirname "$0")/lib.sh"
need_root

UNIT="$SRCDIR/etc/hafd.service"
D="$HAFD_LAB_DIR/$PREFIX"
conf="$D/n1/hafd.conf"

reload_cmd=$(sed -n 's/^ExecReload=//p' "$UNIT")
diag "ExecReload=$reload_cmd"
case $reload_cmd in
*'$MAINPID'*|*kill*) ok 1 "ExecReload= waits for hafd's answer (not a signal)" ;;
*) ok 0 "ExecReload= waits for hafd's answer (not a signal)" ;;
esac
# The build's hafctl and the node's file in place of the installed ones.
reload_cmd=${reload_cmd//\/usr\/sbin\//$BUILDDIR/}
reload_cmd=${reload_cmd//\/etc\/hafd.conf/$conf}
systemd_reload() {   # OUT: run ExecReload= as systemd would (no shell), its output to OUT
	# shellcheck disable=SC2086 # systemd splits the line into words
	env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin $reload_cmd >"$1" 2>&1
}

tpl=$(lab_conf service.conf - <<'T'
[check alive]
type = script
command = /bin/true
interval = 1s
rise = 1

[instance web]
track = alive
T
)
lab_up -n 1 -c "$tpl"
check "n1 becomes master" wait_state n1 MASTER 10
cp "$conf" "$TMP/good.conf"

systemd_reload "$TMP/out1"; rc=$?
sed 's/^/# /' "$TMP/out1"
ok $rc "ExecReload= with a good file exits 0"
check "and hafd reloaded" wait_log n1 'reloaded: 1 instance' 5

sed -i 's/^priority = \(.*\)/prority = \1/' "$conf"
systemd_reload "$TMP/out2"; rc=$?
sed 's/^/# /' "$TMP/out2"
check "ExecReload= with a syntax error exits non-zero (was: exit 0)" test "$rc" != 0
check "it names the error, file and line" \
	grep -qE "hafd.conf:[0-9]+: \[instance web\] prority: unknown key" "$TMP/out2"
check "hafd still runs, as master" is_state n1 MASTER

cp "$TMP/good.conf" "$conf"
sed -i '/^\[global\]/a script_user = hafd-no-such-user' "$conf"
systemd_reload "$TMP/out3"; rc=$?
sed 's/^/# /' "$TMP/out3"
check "ExecReload= with a file hafd refuses (unknown script_user) exits 1" test "$rc" = 1
check "it prints hafd's error" grep -q "script_user: 'hafd-no-such-user'" "$TMP/out3"
check "hafd logged the refusal" wait_log n1 "reload refused: .*hafd-no-such-user" 5
check "hafd still runs, as master" is_state n1 MASTER

cp "$TMP/good.conf" "$conf"
systemd_reload "$TMP/out4"
ok $? "ExecReload= with the good file again exits 0"

# ---- bash completion: the instance names from the socket ----------------------
# shellcheck source=/dev/null
. "$SRCDIR/completions/hafctl"
comp() {   # WORD...: the sorted completions of the last word
	local COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
	_hafctl
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
got=$(PATH="$BUILDDIR:$PATH"; comp hafctl -s "$D/n1/run/hafd.sock" handover '')
diag "hafctl -s SOCKET handover <TAB>: $got"
check "completion offers the running hafd's instance (web)" test "$got" = "--all --drain --wait web"
got=$(PATH="$BUILDDIR:$PATH"; comp hafctl -f "$conf" resume w)
check "also with -f FILE, its control_socket" test "$got" = "web"
