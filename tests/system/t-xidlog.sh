#!/bin/bash
# hafd -t warns when check_xid, run by a script check, cannot read the
# kernel log as script_user (issue 16, section 4): it would report UNKNOWN
# on every run. Each case runs hafd -t in a private mount namespace whose
# /var/log (and /run/log) is a tmpfs holding a stand-in journal: empty
# files laid out as journald keeps them, MACHINE-ID/system.journal owned
# root:systemd-journal mode 0640 ("Journal files are, by default, owned and
# readable by the systemd-journal system group", systemd-journald.service(8),
# Access Control, systemd 252). The probe opens the files, so their content
# does not matter. Group membership is changed in a copy of /etc/group bound
# over it in the namespace; nothing outside the namespace is touched.
. "$(dirname "$0")/lib.sh"
need_root
command -v unshare >/dev/null || { echo "1..0 # SKIP no unshare(1)"; exit 77; }

# hafd_t CONF JOURNAL GROUP JCTL: hafd -t -f CONF with JOURNAL "files" or
# "none", GROUP "member" (nobody in systemd-journal) or "-", JCTL "-" or
# "hidden" (no journalctl on the scripts' PATH: check_xid reads dmesg).
# Sets OUT, ERR (its stdout and stderr) and RC.
hafd_t() {
	unshare -m --propagation private bash -s "$@" "$TMP" "$HAFD" \
		>"$TMP/out" 2>"$TMP/err" <<'NS'
set -e
conf=$1 journal=$2 group=$3 jctl=$4 tmp=$5 hafd=$6
cp /etc/group "$tmp/group"
grep -q '^systemd-journal:' "$tmp/group" || echo 'systemd-journal:x:64990:' >>"$tmp/group"
if [ "$group" = member ]; then
	sed -i -E '/^systemd-journal:/{s/:$/:nobody/;t;s/$/,nobody/}' "$tmp/group"
fi
mount --bind "$tmp/group" /etc/group
mount -t tmpfs hafd-test /var/log
[ ! -d /run/log ] || mount -t tmpfs hafd-test /run/log
mkdir -p /var/log/journal/0123456789abcdef0123456789abcdef
chgrp -R systemd-journal /var/log/journal
chmod 2755 /var/log/journal /var/log/journal/*
if [ "$journal" = files ]; then
	f=/var/log/journal/0123456789abcdef0123456789abcdef/system.journal
	: >"$f"
	chown root:systemd-journal "$f"
	chmod 0640 "$f"
fi
if [ "$jctl" = hidden ]; then
	: >"$tmp/not-journalctl"
	chmod 0644 "$tmp/not-journalctl"
	for b in /usr/sbin /usr/bin /sbin /bin; do
		[ ! -e "$b/journalctl" ] || mount --bind "$tmp/not-journalctl" "$b/journalctl"
	done
fi
exec "$hafd" -t -f "$conf"
NS
	RC=$?
	OUT=$(cat "$TMP/out")
	ERR=$(cat "$TMP/err")
	diag "rc $RC" "stdout: $OUT" "stderr: $ERR"
}

# conf USER COMMAND: a file whose check xid runs COMMAND as USER.
conf() {
	cat >"$TMP/h.conf" <<EOF
[global]
runtime_dir = $TMP/run
script_user = $1

[check xid]
type = script
command = $2
[check other]
type = script
command = /bin/true

[instance web]
interface = eth0
vrid = 51
virtual_ip = 10.0.0.1/24
track = xid
track = other
EOF
}
XID="$SRCDIR/libexec/check_xid"
mkdir -p "$TMP/run"
valid() { test "$RC" = 0 -a "$OUT" = "configuration OK"; }

conf nobody "HAFD_TIMEOUT=5 $XID"
hafd_t "$TMP/h.conf" files - -
check "a warning leaves the file valid (exit 0)" valid
check "script_user nobody, outside systemd-journal, is warned about" \
	grep -qxF "$TMP/h.conf:7: [check xid] command: warning: script_user nobody cannot read the system journal that check_xid reads: it will report UNKNOWN; add nobody to the systemd-journal group" "$TMP/err"
check "only the check that runs check_xid is warned about" test "$(wc -l <"$TMP/err")" = 1

hafd_t "$TMP/h.conf" files member -
check "no warning once script_user is in the systemd-journal group" test -z "$ERR"
check "... and the file is valid" valid

hafd_t "$TMP/h.conf" none member -
check "no journal files at all is warned about (journalctl finds none, exit 0)" \
	grep -qxF "$TMP/h.conf:7: [check xid] command: warning: no journal files in /var/log/journal or /run/log/journal for check_xid to read: it will report UNKNOWN" "$TMP/err"

conf root "$XID"
hafd_t "$TMP/h.conf" files - -
check "script_user root reads the journal: no warning" test -z "$ERR"

conf nobody "HAFD_XID_LOG_CMD=/usr/local/sbin/klog $XID"
hafd_t "$TMP/h.conf" files - -
check "a check with its own HAFD_XID_LOG_CMD is not judged" test -z "$ERR"

# Without journalctl check_xid runs dmesg, which reads /dev/kmsg: refused
# to a user without CAP_SYSLOG while kernel.dmesg_restrict is 1 (kernel
# Documentation/admin-guide/sysctl/kernel.rst, dmesg_restrict).
conf nobody "$XID"
if [ "$(cat /proc/sys/kernel/dmesg_restrict)" = 1 ]; then
	hafd_t "$TMP/h.conf" files - hidden
	check "without journalctl, dmesg_restrict=1 keeps nobody from /dev/kmsg: warned" \
		grep -qxF "$TMP/h.conf:7: [check xid] command: warning: script_user nobody cannot read the kernel log (/dev/kmsg, kernel.dmesg_restrict) that check_xid reads with dmesg: it will report UNKNOWN" "$TMP/err"
else
	skip_rest "kernel.dmesg_restrict is 0 here: dmesg is readable by all"
fi
conf root "$XID"
hafd_t "$TMP/h.conf" files - hidden
check "without journalctl, root reads /dev/kmsg: no warning" test -z "$ERR"
