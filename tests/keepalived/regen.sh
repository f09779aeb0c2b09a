#!/bin/bash
# regen.sh: rewrite the expected results of the keepalived configurations
# (NAME.expected: the converter's output; NAME.skipped: its list on standard
# error, "LINE: what" / "LINE: warning: what"; corpus/NAME.hafd-t: what
# `hafd -t` says of the output) from this build. Review the diff before
# committing it: these files are what test_kaconv holds the converter to.
# Usage: tests/keepalived/regen.sh BUILDDIR [NAME.conf...]
set -u
build=$(cd "${1:?usage: regen.sh BUILDDIR [FILE.conf...]}" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
version=$("$build/hafd" -v | awk '{ print $NF }')
cd "$here" || exit 1
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(basic.conf full.conf novip.conf v2-syntax.conf corpus/*.conf)
for f in "${files[@]}"; do
	dir=$(dirname "$f") base=$(basename "$f" .conf)
	(cd "$dir" && "$build/hafctl" convert-keepalived "$base.conf" >"$base.out" 2>"$base.err")
	sed "s/(hafd $version)/(hafd @VERSION@)/" "$dir/$base.out" >"$dir/$base.expected"
	sed -n -e "s/^$base\.conf:\([0-9]*\): not translated: /\1: /p" \
	       -e "s/^$base\.conf:\([0-9]*\): warning: /\1: warning: /p" \
		"$dir/$base.err" >"$dir/$base.skipped"
	if [ "$dir" = corpus ]; then
		"$build/hafd" -t -f "$dir/$base.out" 2>&1 | sed "s|$dir/$base.out|OUTPUT|" \
			>"$dir/$base.hafd-t"
	fi
	rm -f "$dir/$base.out" "$dir/$base.err"
done
