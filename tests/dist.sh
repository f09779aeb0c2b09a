#!/bin/bash
# tests/dist.sh: the tarball (make dist) holds every file of the
# repository but the editor and git settings, so that scripts/check and
# scripts/demo work from it as from a clone: they source scripts/deps.sh,
# run tests/fuzz/run, tools/hafd-lab and every tests/system/t-*.sh, and
# run autoreconf (m4/). make distdir, compared with git ls-files; skipped
# outside a git checkout. (A full make distcheck, which also builds and
# tests the tarball, takes minutes: HACKING.md.) TAP.
set -u
src=${HAFD_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${HAFD_BUILDDIR:-$src/build}
# (make distcheck unpacks the tarball inside the build directory, maybe
# inside a clone: that is no checkout of the tarball.)
if ! command -v git >/dev/null ||
   [ "$(git -C "$src" rev-parse --show-toplevel 2>/dev/null)" != "$(cd "$src" && pwd -P)" ]; then
	echo "1..0 # SKIP not a git checkout"
	exit 0   # the TAP driver takes the plan's SKIP; a status of 77 is an ERROR to it
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else not_ok "$d"; fi; }

# Not shipped: settings for editors and git.
NOT_SHIPPED='^(\.gitignore|\.editorconfig|.*/\.gitignore)$'

# The make of make check passes its flags down (-j, jobserver): harmless.
make -s -C "$build" distdir distdir="$tmp/dist" >"$tmp/distdir.log" 2>&1
rc=$?
sed 's/^/# /' "$tmp/distdir.log" | tail -20
if [ $rc = 0 ]; then ok "make distdir"; else not_ok "make distdir"; fi

git -C "$src" ls-files | grep -Ev "$NOT_SHIPPED" >"$tmp/tracked"
missing=$(while read -r f; do [ -e "$tmp/dist/$f" ] || echo "$f"; done <"$tmp/tracked")
[ -z "$missing" ] || printf '# not in the tarball: %s\n' $missing
check "every file of the repository is in the tarball ($(wc -l <"$tmp/tracked") files)" test -z "$missing"
for f in scripts/deps.sh scripts/check scripts/demo tests/fuzz/run tools/hafd-lab \
	 tests/system/lib.sh m4 debian/rules; do
	check "$f: what scripts/check, scripts/demo or the package need" test -e "$tmp/dist/$f"
done
echo "1..$n"
[ $failed = 0 ]
