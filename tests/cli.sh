#!/bin/bash
# tests/cli.sh: the command lines of hafd and hafctl. Both take -v, -V
# and --version (each had only its own), print "PROGRAM VERSION" and the
# same version. Their bash completions (completions/) offer options,
# commands and files, and instance names from a hafd that answers, here a
# fake hafctl printing status (t-service asks a real hafd). TAP; runs as
# any user, no daemon.
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

# ---- bash completion --------------------------------------------------------------
# comp WORD...: the sorted completions of the last word, one line.
comp() {
	local COMP_WORDS=("$@") COMP_CWORD=$(($# - 1)) COMPREPLY=()
	"_$1"
	printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
completes() {   # EXPECTED WORD...
	local want=$1 got; shift
	got=$(comp "$@")
	[ "$got" = "$want" ] || { echo "# '$*': '$got', expected '$want'"; return 1; }
}
# shellcheck source=/dev/null
. "$src/completions/hafd" && . "$src/completions/hafctl"
ok "the completions load in bash"
check "hafd --<TAB>: its long options" completes \
	"--cleanup --config --config-test --dont-fork --help --log-console --log-detail --pid --pid-file --use-file --version" hafd --
check "hafd --c<TAB>: --cleanup --config --config-test" completes \
	"--cleanup --config --config-test" hafd --c
mkdir "$tmp/d" && touch "$tmp/d/a.conf" "$tmp/d/b.conf"
check "hafd -f <TAB>: files" completes "$tmp/d/a.conf $tmp/d/b.conf" hafd -f "$tmp/d/"
check "hafd --config=<TAB>: files" completes "$tmp/d/a.conf $tmp/d/b.conf" hafd --config = "$tmp/d/"
check "hafctl <TAB>: its commands" completes \
	"check convert-keepalived handover maintenance metrics reload resume status version" hafctl ''
check "hafctl -s S re<TAB>: commands after options" completes "reload resume" hafctl -s /x re
check "hafctl --<TAB>: long options" completes "--config --help --socket --timeout --version" hafctl --
check "hafctl status <TAB>: --json" completes "--json" hafctl status ''
check "hafctl maintenance <TAB>: on off" completes "off on" hafctl maintenance ''
check "hafctl convert-keepalived <TAB>: files" completes "$tmp/d/a.conf $tmp/d/b.conf" \
	hafctl convert-keepalived "$tmp/d/"
check "hafctl status --json <TAB>: nothing more" completes "" hafctl status --json ''

# A fake hafctl first in PATH: its arguments to $tmp/args, status as hafd
# prints it (a table, then the checks), or as JSON with nested names.
mkdir "$tmp/bin"
cat >"$tmp/bin/hafctl" <<'SH'
#!/bin/sh
echo "$*" >"$ARGS"
[ "$FAIL" = 1 ] && { echo "hafctl: hafd is not running" >&2; exit 3; }
case "$*" in
*--json*) echo '{"hafd":{"version":"x"},"instances":[{"name":"web","checks":[{"name":"alive"}],"track_interfaces":[{"name":"eth1"}]},{"name":"web6","checks":[],"track_interfaces":[]}],"checks":[{"name":"alive"}]}' ;;
*) printf '%s\n' "hafd 0.1.0, pid 1, router n1, up 3s" "" \
	"INSTANCE  VRID  INTERFACE  STATE" "web       51    eth0       MASTER" \
	"web6      51    eth0       BACKUP" "" "CHECK  TYPE    STATE" "alive  script  UP" ;;
esac
SH
chmod +x "$tmp/bin/hafctl"
export ARGS=$tmp/args FAIL=0
PATH="$tmp/bin:$PATH"
if command -v jq >/dev/null; then
	check "hafctl handover <TAB>: --all --wait --drain and the instances (JSON, jq)" \
		completes "--all --drain --wait web web6" hafctl handover ''
else
	n=$((n + 1)); echo "ok $n # SKIP no jq"
fi
nojq_path=$tmp/nojq
mkdir "$nojq_path" && for c in awk tr sort sed cat; do ln -s "$(command -v $c)" "$nojq_path/"; done
check "hafctl resume w<TAB>: the instances (the status table, no jq)" \
	test "$(PATH="$tmp/bin:$nojq_path"; comp hafctl resume w)" = "web web6"
check "the names come from the socket of -s on the line, within a second" \
	eval 'comp hafctl -s /run/x.sock resume "" >/dev/null; grep -q -- "-s /run/x.sock -w 1 status" "$ARGS"'
check "hafctl handover --<TAB>: options only, no query" completes "--all --drain --wait" hafctl handover --
FAIL=1
check "hafd not reachable: --all only, quietly" completes "--all" hafctl resume ''

# ---- shipped examples ----------------------------------------------------------------
# Every engine example (etc/examples, issue 17) is a valid configuration;
# t-examples runs each in the lab.
for f in "$src"/etc/examples/*.conf; do
	check "hafd -t accepts etc/examples/${f##*/}" eval '"$build/hafd" -t -f "$f" >/dev/null 2>&1'
done

echo "1..$n"
[ $failed = 0 ]
