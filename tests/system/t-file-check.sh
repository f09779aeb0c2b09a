#!/bin/bash
# A file check's integer multiplies a negative weight, as keepalived's
# track_file does: n1 (150) tracks its file with weight -30 against n2
# (100). Holding 1 costs 30 (120: n1 stays master), 2 costs 60 (90: n2
# takes over), 0 costs nothing (n1 preempts back), and 9 costs 270, beyond
# -254: FAULT. The effective priority is read from hafctl.
. "$(dirname "$0")/lib.sh"
need_root

HAFCTL=${HAFCTL:-$BUILDDIR/hafctl}
D="$HAFD_LAB_DIR/$PREFIX"
echo 0 >"$TMP/n1.flag"
echo 0 >"$TMP/n2.flag"

tpl=$(lab_conf file.conf "$(flag_check flag "$TMP/@NODE@.flag" 'weight = -30')" \
	'[instance web]' 'track = flag')

# NODE: the effective priority hafctl reports for its instance.
eff() {
	"$HAFCTL" -s "$D/$1/run/hafd.sock" status --json 2>/dev/null |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["instances"][0]["effective_priority"])' 2>/dev/null
}
eff_is() { [ "$(eff "$1")" = "$2" ]; }   # NODE PRIORITY

lab_up -n 2 -c "$tpl"
check "n1 (150) becomes master" wait_holds n1 10.77.0.100 10
check "n2 (100) is backup" wait_state n2 BACKUP 10

echo 1 >"$TMP/n1.flag"
check "1 in the file: 150 - 30 = 120" wait_until 5 eff_is n1 120
check "n1 stays master" stays 1 holds n1 10.77.0.100

echo 2 >"$TMP/n1.flag"
check "2 in the file: 150 - 2 x 30 = 90" wait_until 5 eff_is n1 90
check "n2 takes the VIP" wait_holds n2 10.77.0.100 5
check "n1 gave it up" wait_not_holds n1 10.77.0.100 5

echo 0 >"$TMP/n1.flag"
check "0 in the file: back to 150" wait_until 5 eff_is n1 150
check "n1 preempts" wait_holds n1 10.77.0.100 5

echo 9 >"$TMP/n1.flag"
check "9 x 30 is below -254: n1 enters FAULT" wait_state n1 FAULT 5
check "n2 holds the VIP" wait_holds n2 10.77.0.100 5

echo 0 >"$TMP/n1.flag"
check "n1 leaves FAULT and preempts" wait_holds n1 10.77.0.100 10
check "n2 released the VIP" wait_not_holds n2 10.77.0.100 5
