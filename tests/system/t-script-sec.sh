#!/bin/bash
# script_security on a real tree: a user's symbolic link to /bin/true is
# refused (the link can be re-pointed), so are a user-writable script run
# through bash or sh -c, and a notify hook the same way; a root-owned
# script in root-owned directories runs. Each refusal names the file, the
# line and the key.
. "$(dirname "$0")/lib.sh"
need_root

D="$HAFD_LAB_DIR/$PREFIX"
chmod 755 "$TMP"
mkdir -p "$TMP/root" "$TMP/links" "$TMP/u"
printf '#!/bin/sh\necho fine\n' >"$TMP/root/ok.sh"
printf '#!/bin/sh\necho user code; touch %s/ran-$1\n' "$TMP/root" >"$TMP/u/x.sh"
chmod 755 "$TMP/root/ok.sh" "$TMP/u/x.sh"
chown -R nobody "$TMP/u"
ln -s /bin/true "$TMP/links/true"
chown -h nobody "$TMP/links/true"
chmod 755 "$TMP/root"

tpl=$(lab_conf sec.conf - <<T
[global]
script_user = root

[check ok]
type = script
command = $TMP/root/ok.sh
interval = 200ms

[check link]
type = script
command = $TMP/links/true
interval = 200ms

[check bash]
type = script
command = bash $TMP/u/x.sh bash
interval = 200ms

[check shc]
type = script
command = /bin/sh -c '$TMP/u/x.sh shc'
interval = 200ms

[instance web]
notify_master = bash $TMP/u/x.sh hook
T
)
line_of() { grep -n -- "$1" "$D/n1/hafd.conf" | head -1 | cut -d: -f1; }

lab_up -n 1 -c "$tpl"
check "a root-owned script in root-owned directories runs" wait_log n1 'check ok: INIT -> UP \(fine\)' 10
check "a user's symbolic link to /bin/true is refused" \
	wait_log n1 "check link: INIT -> DOWN \(refused by script_security: .*is a symbolic link owned by uid $(id -u nobody)" 5
check "... naming the file, line and key" \
	wait_log n1 "check link: not running .*\($(printf 'script_security; %s:%s: \\[check link\\] command' "$D/n1/hafd.conf" "$(line_of /links/true)")\)" 1
check "bash with a user-writable script is refused" \
	wait_log n1 "check bash: INIT -> DOWN \(refused by script_security: .*$TMP/u is owned by uid" 5
check "sh -c running a user-writable script is refused" \
	wait_log n1 "check shc: INIT -> DOWN \(refused by script_security: .*$TMP/u is owned by uid" 5
check "a notify hook running a user-writable script is refused, with its key" \
	wait_log n1 "\[web\] not running notify hook .*\[instance web\] notify_master\)" 5
wait_log n1 'BACKUP -> MASTER' 10
sleep 0.5
check "none of the user's scripts ran" test -z "$(ls "$TMP/root" | grep ran-)"
