#!/bin/bash
# What a check script prints reaches the log and `hafctl status` escaped:
# control characters (an ANSI sequence, a terminal title, BEL, SOH, a tab)
# and invalid UTF-8 become \xNN (\t for a tab, \\ for a backslash), valid
# UTF-8 stays, and the JSON status still parses.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
D="$HAFD_LAB_DIR/$PREFIX"
chmod 755 "$TMP"
cat >"$TMP/out.sh" <<'EOF'
#!/bin/sh
printf 'A\033]0;pwned\007\033[31mred\001 tab\there \\ caf\303\251 \377\n'
EOF
chmod 755 "$TMP/out.sh"
want='A\x1b]0;pwned\x07\x1b[31mred\x01 tab\there \\ café \xff'

tpl=$(lab_conf out.conf '[global]' 'script_user = nobody' "$(script_check out "$TMP/out.sh")" \
	'[instance web]' 'track = out')
ctl() { "$HAFCTL" -s "$D/n1/run/hafd.sock" "$@"; }
no_ctrl() { ! LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]'; }   # < TEXT

lab_up -n 1 -c "$tpl"
check "the check comes up" wait_log n1 'check out: INIT -> UP' 10
line=$(log_of n1 | grep -a 'check out: INIT -> UP')
diag "log: $line"
check "the log line has no control character" no_ctrl <<<"$line"
check "the log line shows them escaped" grep -qF -- "($want)" <<<"$line"
ctl status >"$TMP/status.txt"
sed 's/^/# /' "$TMP/status.txt" | cat -v
check "hafctl status has no control character" no_ctrl <"$TMP/status.txt"
check "hafctl status shows the escaped line" grep -qF -- "$want" "$TMP/status.txt"
ctl status --json >"$TMP/status.json"
check "hafctl status --json is valid JSON with the escaped line as the reason" \
	"${PYTHON:-python3}" -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
r = [c for c in d["checks"] if c["name"] == "out"][0]["reason"]
print("# reason:", ascii(r))
sys.exit(r != sys.argv[2])' "$TMP/status.json" "$want"
