#!/bin/bash
# control_group (issue 21): a user in that group, not root, reads status,
# JSON, metrics and the SIGUSR1 dump; a reload from it is refused and
# nothing reloads; a user outside the group is denied the socket. The
# group and both users exist for this test only and are removed at the end.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
D="$HAFD_LAB_DIR/$PREFIX"
G="hafdt$$" U="hafdtu$$" O="hafdto$$"
sock() { echo "$D/$1/run/hafd.sock"; }
quiet() { "$@" >/dev/null 2>&1; }

groupadd "$G" || { ok 1 "groupadd $G"; exit 1; }
# Users first: a group cannot go while it is a user's primary group.
on_exit "userdel $U; userdel $O; groupdel $G"
useradd -M -N -g "$G" -s /usr/sbin/nologin "$U" || { ok 1 "useradd $U"; exit 1; }
useradd -M -N -s /usr/sbin/nologin "$O" || { ok 1 "useradd $O"; exit 1; }
# The users run a copy of hafctl they can reach, and need to get through
# the lab's directories to the node's runtime_dir.
mkdir -p "$TMP/pub" && cp "$HAFCTL" "$TMP/pub/hafctl" && chmod 755 "$TMP" "$TMP/pub"
as() { local u=$1; shift; setpriv --reuid="$u" --regid="$(id -g "$u")" --init-groups "$@"; }
member() { as "$U" "$TMP/pub/hafctl" -s "$(sock n1)" "$@"; }

tpl=$(lab_conf group.conf "[global]" "control_group = $G")
lab_up -n 1 -c "$tpl"
wait_state n1 MASTER 10
ok $? "n1 is master"
# The lab directory is shared with other runs: its mode is put back.
on_exit "chmod $(stat -c %a "$HAFD_LAB_DIR") $HAFD_LAB_DIR"
chmod o+x "$HAFD_LAB_DIR" "$D" "$D/n1"

check "the socket is mode 0660, group $G" test "$(stat -c %a:%G "$(sock n1)")" = "660:$G"
check "runtime_dir is mode 0710, group $G" test "$(stat -c %a:%G "$D/n1/run")" = "710:$G"
out=$(member status 2>&1)
ok $? "a member runs hafctl status"
check "... and sees the instance" grep -qE ' 51 +eth0 +MASTER ' <<<"$out"
check "a member reads status --json" quiet member status --json
member metrics >"$TMP/m" 2>&1
check "a member reads the metrics (hafd_up 1)" grep -qx 'hafd_up 1' "$TMP/m"
check "a member asks for the version" quiet member version
mark=$(log_mark n1)
out=$(member reload 2>&1); rc=$?
diag "reload as a member: $out"
check "a reload from a member is refused (exit 1)" test $rc = 1
check "... with the reason" grep -q "only root may do that" <<<"$out"
check "... and nothing was reloaded" not _log_since_has n1 "$mark" "reload requested"
check "root still reloads" quiet "$HAFCTL" -s "$(sock n1)" reload
rm -f "$D/n1/run/hafd.json"
kill -USR1 "$(lab pid n1)"
check "SIGUSR1 writes hafd.json" wait_until 5 test -s "$D/n1/run/hafd.json"
check "hafd.json is mode 0640, group $G" test "$(stat -c %a:%G "$D/n1/run/hafd.json")" = "640:$G"
check "a member reads hafd.json" quiet as "$U" head -c1 "$D/n1/run/hafd.json"
out=$(as "$O" "$TMP/pub/hafctl" -s "$(sock n1)" status 2>&1); rc=$?
check "a user outside the group is denied (exit 3)" test $rc = 3
check "... and cannot read hafd.json" not quiet as "$O" head -c1 "$D/n1/run/hafd.json"
check "n1 is still master" is_state n1 MASTER
lab_down

