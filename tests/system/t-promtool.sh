#!/bin/bash
# contrib/prometheus/hafd.rules.yml: `promtool check rules` (syntax, and
# that every expression parses) and `promtool test rules` on
# hafd.rules.test.yml (split brain, no master, hafd down and absent,
# flapping, check down fire when they should and not before); then a
# rules file broken on purpose, to show the check can fail.
# contrib/grafana/hafd.json must be JSON whose queries name only metrics
# hafd serves. Skipped without promtool (Debian's prometheus package).
# Needs no root and no lab.
. "$(dirname "$0")/lib.sh"
quiet() { "$@" >/dev/null 2>&1; }

command -v promtool >/dev/null || { skip_rest "promtool missing (apt-get install prometheus)"; exit 0; }
R="$SRCDIR/contrib/prometheus"
PY=${PYTHON:-python3}

promtool check rules "$R/hafd.rules.yml" >"$TMP/check.out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/check.out"
ok $rc "promtool check rules hafd.rules.yml"
(cd "$R" && promtool test rules hafd.rules.test.yml) >"$TMP/test.out" 2>&1
rc=$?
sed 's/^/# /' "$TMP/test.out"
ok $rc "promtool test rules hafd.rules.test.yml"
sed 's/> 1$/> 1 by/' "$R/hafd.rules.yml" >"$TMP/bad.rules.yml"
check "a broken expression fails the check" not quiet promtool check rules "$TMP/bad.rules.yml"
check "every alert of the issue is there" sh -c "for a in HafdSplitBrain HafdNoMaster \
	HafdFlapping HafdCheckDown HafdDown HafdAbsent; do grep -q \"alert: \$a\$\" '$R/hafd.rules.yml' || exit 1; done"

# The dashboard: JSON, and no query on a metric hafd does not serve.
G="$SRCDIR/contrib/grafana/hafd.json"
check "the dashboard is JSON" "$PY" -c 'import json,sys; json.load(open(sys.argv[1]))' "$G"
"$PY" - "$G" "$SRCDIR/man/hafctl.8" >"$TMP/names.out" 2>&1 <<'PY'
import json, re, sys
doc = json.load(open(sys.argv[1]))
man = open(sys.argv[2]).read().replace("\\", "")
exprs = [t["expr"] for p in doc["panels"] for t in p.get("targets", [])]
names = set()
for e in exprs:
    names |= set(re.findall(r"\b(hafd_[a-z_]+)", e))
known = set(re.findall(r"\b(hafd_[a-z_]+)", man))
# hafd_vrrp_NAME_total are documented by NAME
known |= {"hafd_vrrp_%s_total" % n for n in re.findall(r"\.BR? ([a-z_]+) ?,?$", man, re.M)}
missing = sorted(n for n in names if n not in known)
print("queries:", len(exprs), "metrics:", sorted(names))
sys.exit("not in hafctl(8): %s" % missing if missing else 0)
PY
rc=$?
sed 's/^/# /' "$TMP/names.out"
ok $rc "the dashboard's queries name metrics that hafctl(8) documents"
