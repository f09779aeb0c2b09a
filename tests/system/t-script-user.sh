#!/bin/bash
# script_user across reloads: a reload whose script_user cannot be resolved
# (no such user) is refused as a whole, and check scripts keep running as
# the old user, never as root; a good reload applies the new user to every
# check (kept or new) and every notify hook. The check and the hook append
# `id -u` to files, so the test sees who ran them.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
D="$HAFD_LAB_DIR/$PREFIX"
NOUSER="hafd-nouser-$$"
NOBODY=$(id -u nobody)

chmod 755 "$TMP"        # nobody runs the scripts from here
mkdir -p "$TMP/out"
: >"$TMP/out/check"; : >"$TMP/out/hook"
chmod 666 "$TMP/out/check" "$TMP/out/hook"   # written by nobody and by root
cat >"$TMP/id.sh" <<EOF
#!/bin/sh
id -u >>"$TMP/out/\$1"
echo "uid \$(id -u)"
EOF
chmod 755 "$TMP/id.sh"
echo 0 >"$TMP/flag"

tpl=$(lab_conf user.conf '[global]' 'script_user = nobody' \
	"$(script_check who "$TMP/id.sh check")" "$(flag_check flag "$TMP/flag")" \
	'[instance web]' 'track = flag' "notify = $TMP/id.sh hook")
conf() { echo "$D/n1/hafd.conf"; }
set_user() { sed -i "s/^script_user = .*/script_user = $1/" "$(conf)"; }
ctl_reload() { OUT=$("$HAFCTL" -s "$D/n1/run/hafd.sock" reload 2>&1); RC=$?; }
_has_lines() { [ "$(wc -l <"$1")" -ge "$2" ]; }   # FILE N
# fresh FILE: the uids of at least 2 new runs. A run in flight at a reload
# finishes as the user it started as: its line is dropped.
fresh() {
	: >"$TMP/out/$1"
	wait_until 5 _has_lines "$TMP/out/$1" 1 || return 1
	: >"$TMP/out/$1"
	wait_until 5 _has_lines "$TMP/out/$1" 2 || return 1
	sort -u "$TMP/out/$1" | tr '\n' ' '
}
# A flap (FAULT, then back to MASTER) runs the notify hook.
flap_hooks() {
	: >"$TMP/out/hook"
	echo 1 >"$TMP/flag"
	wait_until 5 grep -q . "$TMP/out/hook" || return 1
	echo 0 >"$TMP/flag"
	wait_state n1 MASTER 10 || return 1
	sleep 0.3
	sort -u "$TMP/out/hook" | tr '\n' ' '
}
only() {   # EXPECTED ACTUAL: ACTUAL is "EXPECTED "
	diag "expected uid $1, saw: ${2:-none}"
	test "$2" = "$1 "
}

lab_up -n 1 -c "$tpl"
check "n1 becomes master" wait_state n1 MASTER 10
check "start: the check runs as nobody" only "$NOBODY" "$(fresh check)"
check "start: the notify hook runs as nobody" only "$NOBODY" "$(flap_hooks)"

# --- an unknown user: the reload is refused -------------------------------------
cp "$(conf)" "$TMP/good.conf"
set_user "$NOUSER"
ctl_reload
sed 's/^/# /' <<<"$OUT"
check "reload with an unknown script_user: hafctl reload exits 1" test "$RC" = 1
check "... and names the file, line and key" \
	grep -qE "$(conf):[0-9]+: \[global\] script_user: .*$NOUSER" <<<"$OUT"
check "... the log says the reload was refused" wait_log n1 'reload refused: .*script_user' 2
check "after the refused reload the check still runs as nobody" only "$NOBODY" "$(fresh check)"
check "after the refused reload the hook still runs as nobody" only "$NOBODY" "$(flap_hooks)"

# --- root, then nobody again: both apply to checks and hooks ---------------------
set_user root
ctl_reload
check "reload with script_user = root is accepted" test "$RC" = 0
check "the kept check now runs as root" only 0 "$(fresh check)"
check "the notify hook now runs as root" only 0 "$(flap_hooks)"

set_user nobody
ctl_reload
check "reload with script_user = nobody is accepted" test "$RC" = 0
check "the kept check runs as nobody again" only "$NOBODY" "$(fresh check)"
check "the notify hook runs as nobody again" only "$NOBODY" "$(flap_hooks)"
