#!/bin/bash
# The Debian package (debian/): dpkg-buildpackage -us -uc -b builds
# hafd_*.deb from a copy of the source tree (make check included, with
# the /usr paths), lintian finds no error, and on this machine the
# package installs (hafd -t passes on the shipped example, the group, the
# empty conffile, the unit enabled, man pages and completions in place),
# removes (the conffile stays) and purges with nothing left: files, the
# hafd group, the unit's enablement links and deb-systemd-helper's state.
#
# Skipped without dpkg-buildpackage, debhelper and lintian (scripts/deps.sh
# installs them), or when a hafd package is already installed (not ours
# to remove). The other tests use build/hafd, never /usr/sbin/hafd; this
# one purges the package again at exit, also on failure. About half a
# minute on 2 cores, most of it the package's build.
. "$(dirname "$0")/lib.sh"
need_root

for t in dpkg-buildpackage dh lintian fakeroot; do
	command -v "$t" >/dev/null || {
		echo "1..0 # SKIP no $t (apt-get install dpkg-dev debhelper lintian fakeroot)"
		exit 77
	}
done
if dpkg-query -W -f='${db:Status-Status}' hafd 2>/dev/null | grep -qv '^not-installed$'; then
	echo "1..0 # SKIP a hafd package is installed here already"
	exit 77
fi
group_before=$(getent group hafd)
[ -n "$group_before" ] && diag "a hafd group exists already: it is left alone"

# Whatever happens, the machine is left as it was.
_deb_cleanup() {
	if dpkg-query -W -f='${db:Status-Status}' hafd 2>/dev/null | grep -qv '^not-installed$'; then
		dpkg -P hafd >/dev/null 2>&1
	fi
	[ -z "$group_before" ] && getent group hafd >/dev/null && groupdel hafd
}
on_exit _deb_cleanup

# ---- build -----------------------------------------------------------------
# A copy without build directories or .git (works from a tarball too).
mkdir "$TMP/src"
tar -C "$SRCDIR" --exclude=./build --exclude='./build-*' --exclude=./.git -cf - . |
	tar -C "$TMP/src" -xf -
# -j2: the build is most of this test's time, and the suite runs one test
# at a time.
(cd "$TMP/src" && dpkg-buildpackage -us -uc -b -j2) >"$TMP/build.log" 2>&1
rc=$?
[ $rc = 0 ] || tail -40 "$TMP/build.log" | sed 's/^/# /'
ok $rc "dpkg-buildpackage -us -uc -b -j2"
deb=$(ls "$TMP"/hafd_*.deb 2>/dev/null | head -1)
check "it built hafd_*.deb" test -f "$deb"
[ -f "$deb" ] || exit 1

lintian "$TMP"/hafd_*.changes >"$TMP/lintian" 2>&1
sed 's/^/# /' "$TMP/lintian"
check "lintian: no error" not grep -q '^E:' "$TMP/lintian"
check "the conffile is /etc/hafd.conf" test "$(dpkg-deb -f "$deb" Package >/dev/null &&
	dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles)" = /etc/hafd.conf

# ---- install ---------------------------------------------------------------
dpkg -i "$deb" >"$TMP/install.log" 2>&1
rc=$?
sed 's/^/# /' "$TMP/install.log"
ok $rc "dpkg -i installs it"
check "hafd, hafctl and hafd-lab in /usr/sbin" test -x /usr/sbin/hafd -a -x /usr/sbin/hafctl -a -x /usr/sbin/hafd-lab
check "hafd -V: the version built here" test "$(/usr/sbin/hafd -V)" = "$("$HAFD" -V)"
check "the check scripts in /usr/libexec/hafd" test -x /usr/libexec/hafd/check_gpu -a -x /usr/libexec/hafd/notify-log
ex=/usr/share/doc/hafd/examples/hafd.conf
/usr/sbin/hafd -t -f "$ex" >"$TMP/t.out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/t.out"
ok $rc "hafd -t passes on the shipped example"
check "the example names the packaged scripts" grep -q '/usr/libexec/hafd/notify-log' "$ex"
engine_examples_pass() {
	local e
	for e in vllm sglang tgi triton llamacpp ollama; do
		/usr/sbin/hafd -t -f "/usr/share/doc/hafd/examples/$e.conf" >/dev/null 2>&1 ||
			{ diag "examples/$e.conf: missing, or refused by hafd -t"; return 1; }
	done
}
check "the engine examples are beside it, and pass hafd -t" engine_examples_pass
check "hafd-ai(7), what they do per failure" test -f /usr/share/man/man7/hafd-ai.7.gz
check "/etc/hafd.conf is there, empty (nothing runs until it is written)" \
	test -f /etc/hafd.conf -a ! -s /etc/hafd.conf
check "the unit waits for it (ConditionFileNotEmpty)" \
	grep -qx 'ConditionFileNotEmpty=/etc/hafd.conf' /lib/systemd/system/hafd.service
check "the unit is enabled" test -L /etc/systemd/system/multi-user.target.wants/hafd.service
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify /lib/systemd/system/hafd.service >"$TMP/verify" 2>&1
	sed 's/^/# /' "$TMP/verify"
	check "systemd-analyze verify: the installed unit, no complaint" test ! -s "$TMP/verify"
fi
check "the hafd group exists" eval 'getent group hafd >/dev/null'
check "the man pages say /etc/hafd.conf" eval 'zcat /usr/share/man/man8/hafd.8.gz | grep -q "/etc/hafd.conf"'
check "man pages for hafd, hafctl, hafd.conf, hafd-scripts, hafd-lab" \
	test -f /usr/share/man/man8/hafd.8.gz -a -f /usr/share/man/man8/hafctl.8.gz \
	-a -f /usr/share/man/man5/hafd.conf.5.gz -a -f /usr/share/man/man8/hafd-scripts.8.gz \
	-a -f /usr/share/man/man8/hafd-lab.8.gz
check "bash completions for hafd and hafctl" \
	test -f /usr/share/bash-completion/completions/hafd -a -f /usr/share/bash-completion/completions/hafctl
dpkg -L hafd | sort >"$TMP/files"

# ---- remove, purge ------------------------------------------------------------
dpkg -r hafd >/dev/null 2>&1
ok $? "dpkg -r removes it"
check "the programs are gone" test ! -e /usr/sbin/hafd -a ! -e /usr/sbin/hafctl
check "the conffile stays until purge" test -f /etc/hafd.conf
dpkg -P hafd >/dev/null 2>&1
ok $? "dpkg -P purges it"
left=""
while read -r f; do
	[ "$f" = /. ] && continue
	# Directories shared with other packages (/usr/sbin...) stay.
	[ -e "$f" ] && [ ! -d "$f" ] && left+="$f "
	[ -d "$f" ] && [ -z "$(dpkg -S "$f" 2>/dev/null)" ] && left+="$f "
done <"$TMP/files"
for f in /etc/hafd.conf /etc/systemd/system/multi-user.target.wants/hafd.service \
	 /var/lib/systemd/deb-systemd-helper-enabled/hafd.service.dsh-also \
	 /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/hafd.service \
	 /var/lib/systemd/deb-systemd-helper-masked/hafd.service /run/hafd; do
	[ -e "$f" ] || [ -L "$f" ] && left+="$f "
done
[ -n "$left" ] && diag "left: $left"
check "nothing of the package is left" test -z "$left"
if [ -z "$group_before" ]; then
	check "the hafd group is gone" not getent group hafd
fi
check "dpkg knows no hafd" eval '! dpkg-query -W -f="\${db:Status-Status}" hafd 2>/dev/null | grep -qv "^not-installed$"'
