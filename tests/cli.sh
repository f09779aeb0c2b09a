#!/bin/bash
# tests/cli.sh: the command lines of hafd and hafctl. Both take -v, -V
# and --version (each had only its own), print "PROGRAM VERSION" and the
# same version. TAP; runs as any user, no daemon.
set -u
src=${HAFD_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${HAFD_BUILDDIR:-$src/build}
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

# ---- version flags ------------------------------------------------------------
version_is() {   # PROG FLAG: exits 0 and prints "PROG VERSION", VERSION in $tmp/v.PROG
	local out rc
	out=$("$build/$1" "$2" 2>&1); rc=$?
	echo "# $1 $2: $out (exit $rc)"
	[ $rc = 0 ] && [[ $out =~ ^$1\ ([0-9][0-9A-Za-z.~+-]*)$ ]] || return 1
	echo "${BASH_REMATCH[1]}" >>"$tmp/v.$1"
}
for p in hafd hafctl; do
	for f in -v -V --version; do
		check "$p $f prints its version" version_is $p $f
	done
done
check "hafd and hafctl print one version" \
	test "$(sort -u "$tmp/v.hafd" "$tmp/v.hafctl" | wc -l)" = 1

echo "1..$n"
[ $failed = 0 ]
