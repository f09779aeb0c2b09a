#!/bin/bash
# tests/paths.sh: what is installed says this build's paths. The man
# pages, the example configuration and hafd.service are written with the
# packaged paths (/etc/hafd.conf, /usr/sbin/, /usr/libexec/hafd) and
# generated with the configured ones (Makefile.am, do_subst): a
# /usr/local build's hafd reads /usr/local/etc/hafd.conf, and its man
# pages and unit must say that, not /etc. Also: the unit passes
# systemd-analyze verify and the man pages render without warnings. TAP;
# make check sets the directories (AM_TESTS_ENVIRONMENT).
set -u
src=${HAFD_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${HAFD_BUILDDIR:-$src/build}
prefix=${HAFD_PREFIX:-/usr/local}
sbindir=${HAFD_SBINDIR:-$prefix/sbin}
sysconfdir=${HAFD_SYSCONFDIR:-$prefix/etc}
libexecdir=${HAFD_LIBEXECDIR:-$prefix/libexec}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }
skip() { n=$((n + 1)); echo "ok $n # SKIP $*"; }
count() { grep -cF -- "$1" "$2"; }   # STRING FILE

echo "# sbindir=$sbindir sysconfdir=$sysconfdir libexecdir=$libexecdir"
# GENERATED SOURCE: every packaged path of SOURCE is the configured one in
# GENERATED, and none is left (unless the configured one is the same).
same_paths() {   # GENERATED SOURCE
	local gen=$build/$1 in=$src/$2 from to text
	[ -f "$gen" ] || { echo "# $gen missing"; return 1; }
	while IFS='|' read -r from to; do
		[ "$(count "$from" "$in")" = "$(count "$to" "$gen")" ] || {
			echo "# $1: $(count "$from" "$in") '$from' in $2, $(count "$to" "$gen") '$to'"
			return 1
		}
		# (/usr/local/etc/hafd.conf holds /etc/hafd.conf: not counted)
		text=$(<"$gen") text=${text//"$to"/}
		[[ $text != *"$from"* ]] || { echo "# $1 still says $from"; return 1; }
	done <<-E
	/etc/hafd.conf|$sysconfdir/hafd.conf
	/usr/sbin/|$sbindir/
	/usr/libexec/hafd|$libexecdir/hafd
	E
}
for p in hafd.8:man/hafd.8 hafd.conf.5:man/hafd.conf.5 hafd-scripts.8:man/hafd-scripts.8 \
	 hafctl.8:man/hafctl.8 etc/hafd.conf.example:etc/hafd.conf hafd.service:etc/hafd.service; do
	check "${p%%:*} says this build's paths" same_paths "${p%%:*}" "${p#*:}"
done
check "hafd's default configuration is the one its man page names" \
	grep -qF "(default $sysconfdir/hafd.conf)" <("$build/hafd" --help)

# The unit as systemd reads it, its programs those of the build.
if command -v systemd-analyze >/dev/null && [ -f "$build/hafd.service" ]; then
	sed "s|$sbindir/|$build/|g" "$build/hafd.service" >"$tmp/hafd.service"
	systemd-analyze verify --man=no "$tmp/hafd.service" >"$tmp/verify" 2>&1
	check "systemd-analyze verify hafd.service: no complaint" test ! -s "$tmp/verify"
	sed 's/^/# /' "$tmp/verify"
else
	skip "no systemd-analyze (apt-get install systemd), or no hafd.service"
fi

# The sources: a long prefix (make distcheck's) in the generated ones makes
# lines groff cannot adjust, a warning about the prefix, not the page.
if command -v groff >/dev/null; then
	for m in hafd.8 hafd.conf.5 hafd-scripts.8 hafctl.8 hafd-lab.8; do
		# Markup mistakes, not line filling: a long URL or path that cannot
		# be adjusted to an 80-column terminal is the reader's width.
		groff -man -ww -z -Tutf8 "$src/man/$m" 2>&1 |
			grep -Ev "warning .*: (cannot adjust line|can't break line)" >"$tmp/groff"
		check "$m renders without warnings" test ! -s "$tmp/groff"
		sed 's/^/# /' "$tmp/groff"
	done
else
	skip "no groff (apt-get install groff-base)"
fi

echo "1..$n"
[ $failed = 0 ]
