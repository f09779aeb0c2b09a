#!/bin/bash
# tests/layers.sh: each library calls only the layers below it.
#
# hafd links all its libraries, so the linker would accept the edge
# calling into the glue, or the pure core calling the edge: nothing but
# this test stops the layering of README.md's table from eroding. For
# each library it checks, printing TAP:
#  - symbols: what its objects leave undefined is not defined by a library
#    it may not use (nm on the archives in the build directory);
#  - includes: its sources include no header of a library it may not use
#    (a struct read across layers is a dependency too, without a symbol).
# Which file is in which library comes from Makefile.am's *_SOURCES.
set -u
export LC_ALL=C   # sort and join must agree on the order
src=${HAFD_SRCDIR:-$(cd "$(dirname "$0")/.." && pwd)}
build=${HAFD_BUILDDIR:-$src/build}
NM=${NM:-nm}

# LIBRARY: the libraries it may use. Everything else is above it.
uses() {
	case $1 in
	pure) echo "" ;;
	edge) echo "pure" ;;
	glue) echo "edge pure" ;;
	kaconv) echo "pure" ;;   # hafctl's converter, beside the daemon
	*) return 1 ;;
	esac
}
# Every libhafd_*.a of Makefile.am: a new one must get a line above.
libs=$(sed -n 's/^libhafd_\([a-z_]*\)_a_SOURCES *=.*/\1/p' "$src/Makefile.am")

# Known breaches, left for a refactoring of their own; each line is
# "SOURCE HEADER". Remove a line once the breach is gone (the test's log
# names a line no longer needed).
#  - check_run.c, notify.c and nft.c take the daemon's struct hafd as
#    their context, for the configuration, the loop, proc and their own
#    state, rather than being handed those alone.
#  - nft_want.c (pure) takes its types (struct nft_want, nft_desc) from
#    nft_priv.h and nft.h, the headers of the edge's nft.c and nft_build.c;
#    they want a header of their own in the pure library.
allowed="
src/check_run.c src/hafd.h
src/notify.c src/hafd.h
src/nft.c src/hafd.h
src/nft_want.c src/nft_priv.h
"

n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }

# sources LIB: the files Makefile.am lists in libhafd_LIB_a_SOURCES.
sources() {
	awk -v var="libhafd_$1_a_SOURCES" '
		$1 == var && $2 == "=" { on = 1; $1 = ""; $2 = "" }
		on { cont = sub(/\\$/, ""); for (i = 1; i <= NF; i++) print $i; if (!cont) on = 0 }
	' "$src/Makefile.am"
}

# members LIB: the objects of its archive that are the library today. An
# archive that make only updated still holds the objects of files moved
# out of the library since (ar replaces members, it does not drop them).
members() {
	local f b
	for f in $(sources "$1"); do
		case $f in *.c) b=${f##*/}; echo "libhafd_$1_a-${b%.c}.o ${b%.c}.o" ;; esac
	done | tr '\n' ' '
}

# symbols LIB NM-ARGS...: "symbol member" for each symbol nm lists in
# the library's archive, members of today only.
symbols() {
	local l=$1; shift
	$NM "$@" -A "$build/libhafd_$l.a" 2>/dev/null | awk -v keep="$(members "$l")" '
		BEGIN { n = split(keep, k, " "); for (i = 1; i <= n; i++) m[k[i]] = 1 }
		{ split($1, p, ":"); if (p[2] in m) print $NF, p[2], $(NF - 1) }'
}

echo "1..$((2 * $(echo $libs | wc -w)))"
declare -A owner
for l in $libs; do
	for f in $(sources "$l"); do owner[$f]=$l; done
done

for l in $libs; do
	a="$build/libhafd_$l.a"
	if ! uses "$l" >/dev/null; then
		not_ok "$l: symbols (libhafd_$l.a has no line in uses() in $0)"
		not_ok "$l: includes"
		continue
	fi
	if [ ! -f "$a" ]; then
		not_ok "$l: symbols ($a is missing: run make first)"
		not_ok "$l: includes"
		continue
	fi
	# Every library not in uses(): its defined globals, "symbol member".
	above=""
	for o in $libs; do
		[ "$o" = "$l" ] && continue
		case " $(uses "$l") " in *" $o "*) continue ;; esac
		above="$above $o"
	done
	bad=$(
		for o in $above; do
			symbols "$o" -g --defined-only |
				awk -v lib="$o" '$3 != "U" { print $1, lib "/" $2 }'
		done | sort -u >"$build/layers-$l.defs"
		symbols "$l" -u | awk '{ print $1, $2 }' |
			sort -u | join - "$build/layers-$l.defs" |
			awk '{ printf "#   %s calls %s, defined in %s\n", $2, $1, $3 }'
	)
	rm -f "$build/layers-$l.defs"
	if [ -z "$bad" ]; then
		ok "$l: calls no function of a layer above it"
	else
		not_ok "$l: calls a function of a layer above it (it may use: $(uses "$l"))"
		echo "$bad"
	fi

	bad=""
	for f in $(sources "$l"); do
		case $f in *.c) ;; *) continue ;; esac
		for h in $(sed -n 's/^[ \t]*#[ \t]*include[ \t]*"\([^"]*\)".*/\1/p' "$src/$f"); do
			# As the compiler looks: beside the source, then -I src.
			hp="$(dirname "$f")/$h"
			[ -f "$src/$hp" ] || hp="src/$h"
			ol=${owner[$hp]:-}
			[ -z "$ol" ] || [ "$ol" = "$l" ] && continue
			case " $(uses "$l") " in *" $ol "*) continue ;; esac
			if printf '%s\n' "$allowed" | grep -qxF "$f $hp"; then
				echo "# known: $f includes $hp ($ol)"
				continue
			fi
			bad="$bad#   $f includes $hp, a header of $ol"$'\n'
		done
	done
	if [ -z "$bad" ]; then
		ok "$l: includes no header of a layer above it"
	else
		not_ok "$l: includes a header of a layer above it"
		printf '%s' "$bad"
	fi
done

# A known breach that no longer exists: say so, so the list is trimmed.
while read -r f h; do
	[ -n "$f" ] || continue
	grep -q "^[ \t]*#[ \t]*include[ \t]*\"$(basename "$h")\"" "$src/$f" 2>/dev/null ||
		echo "# $f no longer includes $h: remove it from 'allowed' in $0"
done <<<"$allowed"
[ $failed = 0 ]
