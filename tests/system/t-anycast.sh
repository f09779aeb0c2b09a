#!/bin/bash
# mode = anycast through FRR (hafd-anycast(7)), in tools/hafd-anylab: a
# router running bgpd + bfdd with ECMP toward three nodes, each running
# FRR (zebra, bgpd, bfdd), fake-infer as its engine and hafd with an
# anycast instance for 10.79.100.1; a client behind the router.
#   - the client's requests spread over the three nodes;
#   - an engine that wedges: its node's route is withdrawn, and then no
#     client request fails;
#   - a degraded engine (429): the router prefers the other two, and
#     still has the less preferred path;
#   - maintenance: less preferred first, withdrawn after the drain;
#   - hafd killed alone: its crash guard withdraws at once;
#   - hafd killed with its crash guard, and hafd frozen: the address
#     lapses, the route goes within lease + 1 s;
#   - a host cut off (nft drop): BFD takes its route down, before BGP's
#     hold time would.
. "$(dirname "$0")/lib.sh"
need_root
if [ ! -x /usr/lib/frr/bgpd ] || [ ! -x /usr/lib/frr/bfdd ] || ! command -v vtysh >/dev/null; then
	echo "1..0 # SKIP FRR (bgpd, bfdd, vtysh) not installed"
	exit 77
fi
ALAB="$SRCDIR/tools/hafd-anylab"
HAFCTL="$BUILDDIR/hafctl"
SVC=10.79.100.1
SVC6=fd79:100::1
LEASE=2
alab() { "$ALAB" -p "$PREFIX" "$@"; }
on_exit "'$ALAB' -p $PREFIX down"

alab up -n 3 >/dev/null || { ok 1 "anycast lab up"; exit 1; }
for i in 1 2 3; do
	echo healthy >"$TMP/mode-n$i"
	alab exec "n$i" /usr/bin/python3 "$SRCDIR/tests/tools/fake-infer" --host 0.0.0.0 --port 8000 \
		--model "n$i" --control "$TMP/mode-n$i" >>"$TMP/fake-n$i.log" 2>&1 &
	on_exit "kill $!"
	cat >"$TMP/n$i.conf" <<EOF
[global]
runtime_dir = $HAFD_LAB_DIR/$PREFIX/n$i/run
[check gen]
type = http
url = http://127.0.0.1:8000/v1
request = generate
interval = 200ms
timeout = 300ms
rise = 1
fall = 2
[instance svc]
mode = anycast
interface = hafany0
degraded_interface = hafany1
virtual_ip = $SVC
track = gen
lease = ${LEASE}s
drain = 2s
[instance svc6]
mode = anycast
interface = hafany0
virtual_ip = $SVC6
track = gen
lease = ${LEASE}s
EOF
done
for i in 1 2 3; do alab start "n$i" "$TMP/n$i.conf" || { ok 1 "hafd starts on n$i"; exit 1; }; done

paths() { alab paths | tr '\n' ' ' | sed 's/ $//'; }
paths_are() { [ "$(paths)" = "$*" ]; }
paths6_are() { [ "$(alab paths $SVC6 | tr '\n' ' ' | sed 's/ $//')" = "$*" ]; }
ctl() { local n=$1; shift; alab exec "$n" "$HAFCTL" -s "$HAFD_LAB_DIR/$PREFIX/$n/run/hafd.sock" "$@"; }
status() { alab exec "$1" "$HAFCTL" -s "$HAFD_LAB_DIR/$PREFIX/$1/run/hafd.sock" status; }
status_says() { status "$1" | grep -qE "^svc +$2"; }   # NODE REGEX
set_mode() { echo "$2" >"$TMP/mode-$1"; }
# Who answers one request: a fresh connection (a new source port, so the
# router's L4 hash may pick another node); "fail" when none does.
ask() {
	alab exec client curl -s -m 2 "http://$SVC:8000/v1/models" |
		sed -n 's/.*"id": *"\(n[0-9]\)".*/\1/p' | grep . || echo fail
}
answers() { for _ in $(seq "$1"); do ask; done | sort | uniq -c | awk '{ print $2 "=" $1 }' | tr '\n' ' '; }
gone() { ! kill -0 "$1" 2>/dev/null; }
has_addr() { alab exec "$1" ip -br addr show dev "$2" | grep -qw "$SVC"; }   # NODE IFNAME

check "every node announces $SVC: the router has three next hops" wait_until 15 paths_are n1 n2 n3
check "hafctl status says announced (checks up)" status_says n1 "announced .*hafany0 .*checks up"
check "IPv6: the router has three next hops for $SVC6" wait_until 10 paths6_are n1 n2 n3
check "hafctl metrics: hafd_anycast_state of svc is announced" \
	eval "ctl n1 metrics | grep -qx 'hafd_anycast_state{anycast_instance=\"svc\",state=\"announced\"} 1'"
check "hafctl status --json: both anycast instances, members typed as hafctl(8) says" \
	eval "ctl n1 status --json | jq -en 'input | .anycast | length == 2 and all(.[]; (.name|type) == \"string\" and (.since_seconds|type) == \"number\" and (.addresses|type) == \"array\" and (.handover|type) == \"boolean\" and .error == null and .lease_seconds == $LEASE)' >/dev/null"
check "hafctl status --json names state and reason" \
	eval "ctl n1 status --json | jq -en 'input | .anycast[] | select(.name == \"svc\") | .state == \"announced\" and .reason == \"checks up\"' >/dev/null"
a=$(answers 24)
diag "24 requests: $a"
check "requests spread over the three nodes" eval '[[ "$a" == *n1=* && "$a" == *n2=* && "$a" == *n3=* && "$a" != *fail* ]]'

# The service address carries the lease as its lifetime.
check "the address on hafany0 has a lifetime of at most the lease" \
	eval "alab exec n1 ip addr show dev hafany0 | grep -qE 'valid_lft [0-$LEASE]sec'"

# Engine wedged on n2: completions hang while /health says 200.
set_mode n2 wedged
check "n2's wedged engine: its route is withdrawn" wait_until 10 paths_are n1 n3
check "n2's status says withdrawn and why" status_says n2 "withdrawn .*check gen down"
a=$(answers 12)
diag "12 requests with n2 wedged: $a"
check "no client request fails after the withdrawal, none reaches n2" \
	eval '[[ "$a" != *fail* && "$a" != *n2* ]]'
set_mode n2 healthy
check "n2 healthy again: announced again" wait_until 10 paths_are n1 n2 n3

# Degraded (429 Model is overloaded) on n3: less preferred.
set_mode n3 overloaded
check "n3 degraded: the router prefers n1 and n2" wait_until 10 paths_are n1 n2
check "n3's status says less-preferred, on hafany1" status_says n3 "less-preferred .*hafany1 .*check gen degraded"
check "the router keeps n3's path, as-path prepended" \
	eval "alab vtysh router 'show ip bgp $SVC/32' | grep -qE '^ +65003 65003 65003 65003$'"
a=$(answers 10)
check "no request reaches degraded n3" eval '[[ "$a" != *fail* && "$a" != *n3* ]]'
# Every node saturated: all less preferred alike, so all used again.
set_mode n1 overloaded; set_mode n2 overloaded
check "all three degraded: the router uses the three less preferred paths" \
	eval "wait_until 10 status_says n1 less-preferred && wait_until 10 status_says n2 less-preferred && wait_until 10 paths_are n1 n2 n3"
set_mode n1 healthy; set_mode n2 healthy
check "n1 and n2 healthy: preferred again over degraded n3" wait_until 10 paths_are n1 n2
set_mode n3 healthy
check "n3 healthy again: announced again" wait_until 10 paths_are n1 n2 n3

# Maintenance on n1: less preferred during the drain, then withdrawn.
check "hafctl maintenance on" eval "ctl n1 maintenance on >/dev/null"
check "maintenance: n1 less preferred at once (draining)" wait_until 2 \
	eval "paths_are n2 n3 && status_says n1 'less-preferred .*maintenance: draining'"
check "maintenance: withdrawn after the drain" wait_until 6 status_says n1 "withdrawn .*maintenance"
check "maintenance: n1's path is gone from the router" \
	wait_until 5 eval "alab vtysh router 'show ip bgp $SVC/32' | grep -q 'Paths: (2 available'"
alab exec n1 "$HAFCTL" -s "$HAFD_LAB_DIR/$PREFIX/n1/run/hafd.sock" maintenance off >/dev/null
check "maintenance off: announced again" wait_until 10 paths_are n1 n2 n3

# A handover of one anycast instance: the same drain, until resume.
check "hafctl handover svc on n2 answers at once" eval "ctl n2 handover svc | grep -q 'less preferred now'"
check "handover: n2 less preferred, then withdrawn after the drain" \
	eval "wait_until 2 paths_are n1 n3 && wait_until 6 status_says n2 'withdrawn .*handover'"
check "handover: svc6 is not handed over" eval "paths6_are n1 n2 n3"
check "hafctl resume svc: announced again" eval "ctl n2 resume svc >/dev/null && wait_until 10 paths_are n1 n2 n3"

# A reload that changes nothing of the addresses keeps them announced.
m=$(alab log n3 | wc -l)
sed -i 's/^drain = 2s$/drain = 3s/' "$TMP/n3.conf"
cp "$TMP/n3.conf" "$HAFD_LAB_DIR/$PREFIX/n3/hafd.conf"
check "hafctl reload with a new drain" eval "ctl n3 reload >/dev/null"
check "...keeps n3 announced, no withdrawal in between" \
	eval "stays 1 paths_are n1 n2 n3 && ! alab log n3 | tail -n +$((m + 1)) | grep -q withdrawn"

# A degraded_interface that does not exist (a typo): the error is shown,
# hafd runs on, and the address stays announced on hafany0 rather than
# nowhere.
sed 's/^degraded_interface = hafany1$/degraded_interface = nosuch0/' "$TMP/n1.conf" \
	>"$HAFD_LAB_DIR/$PREFIX/n1/hafd.conf"
ctl n1 reload >/dev/null
check "n1 reloaded with a missing degraded_interface: announced" wait_until 10 paths_are n1 n2 n3
set_mode n1 overloaded
check "...degraded: status says it fails on nosuch0, and why" \
	wait_until 5 eval "status n1 | grep -q 'check gen degraded; failing on nosuch0: No such device'"
check "...n1 stays announced on hafany0 rather than not at all" \
	eval "has_addr n1 hafany0 && stays 1 paths_are n1 n2 n3"
set_mode n1 healthy
cp "$TMP/n1.conf" "$HAFD_LAB_DIR/$PREFIX/n1/hafd.conf"
ctl n1 reload >/dev/null
check "...fixed: announced, no error left" wait_until 10 eval "status_says n1 'announced .*checks up\$' && paths_are n1 n2 n3"

# hafd alone killed (a crash, an OOM kill of hafd): its crash guard
# withdraws the addresses at once, as it removes VIPs.
m=$(alab log n2 | wc -l)
p=$(alab pid n2)
kill -KILL "$p"
check "n2's hafd killed: the crash guard withdraws both addresses" \
	eval "wait_until 3 paths_are n1 n3 && paths6_are n1 n3 && alab log n2 | tail -n +$((m + 1)) | grep -q 'guard: hafd died; withdrew 2 anycast addresses'"
check "n2's hafd restarted: announced again" \
	eval "wait_until 5 gone $p && alab start n2 && wait_until 10 paths_are n1 n2 n3"

# hafd on n1 killed with its crash guard: nothing withdraws it but the lease.
t0=$(_now_ms)
alab kill n1
# The bound itself is the kernel's (the lifetime checked above); the wait
# leaves room for a loaded machine.
check "n1's hafd killed: the address lapses, the route goes" wait_until $((LEASE + 4)) paths_are n2 n3
t1=$(_now_ms)
diag "route gone $((t1 - t0)) ms after SIGKILL (lease ${LEASE} s, bound lease + 1 s + BGP)"
check "n1 has no service address left" eval "! has_addr n1 hafany0 && ! has_addr n1 hafany1"
check "IPv6: n1's route lapses too" wait_until 3 paths6_are n2 n3
alab start n1
check "n1's hafd restarted: announced again" wait_until 10 paths_are n1 n2 n3

# hafd on n3 frozen (SIGSTOP): the same lapse; SIGCONT announces again.
p=$(alab pid n3)
kill -STOP "$p"
on_exit "kill -CONT $p"
check "n3's hafd frozen: the route lapses" wait_until $((LEASE + 4)) paths_are n1 n2
kill -CONT "$p"
check "n3's hafd thawed: announced again" wait_until 10 paths_are n1 n2 n3

# n2 cut off from the network: every packet on its eth0 dropped. BFD
# (100 ms x 3) takes the session down well before BGP's 3 s hold time.
alab exec n2 nft -f - <<'EOF'
table inet anylab_cut {
	chain in { type filter hook input priority -300; iifname "eth0" drop; }
	chain out { type filter hook output priority -300; oifname "eth0" drop; }
}
EOF
on_exit "'$ALAB' -p $PREFIX exec n2 nft delete table inet anylab_cut"
check "n2 cut off: its route is gone" wait_until 5 paths_are n1 n3
check "...taken down by BFD" \
	eval "alab vtysh router 'show bgp neighbors 10.79.2.2' | grep -qi 'Last reset.*BFD'"
a=$(answers 10)
check "no client request fails with n2 cut off" eval '[[ "$a" != *fail* && "$a" != *n2* ]]'
alab exec n2 nft delete table inet anylab_cut
check "n2 back on the network: announced again" wait_until 15 paths_are n1 n2 n3

check "hafd stops cleanly: withdrawn at once" eval "alab stop n3 && wait_until 3 paths_are n1 n2"
