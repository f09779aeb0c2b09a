#!/bin/bash
# Planned handover with drain (issue 18): `hafctl handover --drain D` moves
# the VIP to the backup while every stream that was running on the old
# master completes there: the old master keeps the VIP on lo for TCP
# segments without SYN (no ARP, no new connection), the new master
# forwards segments of flows it does not know to it (nftables dup), and
# the drain ends when no connection is left. IPv4 and IPv6, use_vmac; the
# same on SIGTERM with drain_on_stop. After an unplanned move nothing is
# forwarded, and when the old master dies during a drain the forwarding
# stops within its lapse (clients get the new master's resets, as after
# any crash). Streams: tests/tools/sse-stream, SSE tokens every 100 ms.
. "$(dirname "$0")/lib.sh"
need_root

SSE="$SRCDIR/tests/tools/sse-stream"
PY=${PYTHON:-/usr/bin/python3}   # Debian's, standard library only
VIP=10.77.0.100
VIP6=fd77::100
STREAMS=${DRAIN_STREAMS:-50}
TOKENS=${DRAIN_TOKENS:-40}           # x 100 ms: 4 s streams
ctl() { in_ns "$1" "$BUILDDIR/hafctl" -s "$HAFD_LAB_DIR/$PREFIX/$1/run/hafd.sock" "${@:2}"; }
hook_log() { echo "$HAFD_LAB_DIR/$PREFIX/$1/drain.log"; }

servers=()
serve_sse() {   # NODES...: a stream server on each, port 8000
	for node in "$@"; do
		in_ns "$node" "$PY" "$SSE" serve --host :: --port 8000 --name "$node" \
			--interval 0.1 >/dev/null 2>&1 &
		servers+=($!)
	done
}
stop_servers() { for p in "${servers[@]}"; do kill "$p" 2>/dev/null; done; servers=(); }
on_exit stop_servers
ready() { in_ns client "$PY" -c "import socket; socket.create_connection(('$VIP', 8000), 1)" 2>/dev/null; }

# Streams from the client in the background (pid in $spid); their summary
# goes to OUT.
streams_bg() {   # OUT [STREAMS] [TOKENS] [HOST]
	in_ns client "$PY" "$SSE" client --url "http://${4:-$VIP}:8000" --streams "${2:-$STREAMS}" \
		--tokens "${3:-$TOKENS}" --stagger 0.005 --timeout "${TIMEOUT:-10}" >"$1" 2>"$1.err" &
	spid=$!
}
jq_of() { jq -enr "input | $2" <"$1"; }   # FILE FILTER
# Connections on the old master's VIP (the server's side of the streams).
conns() { in_ns "$1" ss -Htn state established "( sport = :8000 )" | grep -c "${2:-$VIP}"; }

# An IPv4 and an IPv6 instance; SIGTERM hands over with a drain.
tpl=$(lab_conf drain.conf - <<'T'
[global]
script_user = root
drain_on_stop = 30s
notify_drain = echo "$HAFD_DRAIN_ROLE $HAFD_DRAIN_LEFT $HAFD_DRAIN_REASON" >> @RUNDIR@/../drain.log
[instance lab]
[instance lab6]
vrid = 52
virtual_ip = @VIP6@/64
T
)
lab_up -n 2 -c "$tpl"
check "n1 master, n2 backup" eval 'wait_state n1 MASTER 5 && wait_state n2 BACKUP 5 &&
	wait_state n1 MASTER 5 "VRID 52" && wait_state n2 BACKUP 5 "VRID 52"'
serve_sse n1 n2
check "the stream server answers on the VIP" wait_until 5 ready
check "... and on the IPv6 VIP" wait_until 5 in_ns client "$PY" -c \
	"import socket; socket.create_connection(('$VIP6', 8000), 1)"

# --- hafctl handover --drain, mid-stream ------------------------------------------
out6=$TMP/streams6.json
streams_bg "$out6" 10 "$TOKENS" "[$VIP6]"
spid6=$spid
out1=$TMP/streams1.json
streams_bg "$out1"
check "streams are running on n1" wait_until 5 eval '[ "$(conns n1)" -ge "$STREAMS" ] &&
	[ "$(conns n1 $VIP6)" -ge 10 ]'
ctl n1 handover --all --drain 60s >"$TMP/handover.out" 2>&1 &
hpid=$!
check "n2 takes the VIP" wait_holds n2 $VIP 3
check "n1 no longer has it on eth0" wait_not_holds n1 $VIP 2
check "n1 keeps it on lo while draining" eval 'in_ns n1 ip -br addr show dev lo | grep -qw $VIP'
check "n2 forwards (ip table $PREFIX... drain_fwd)" \
	eval 'in_ns n2 nft list chain ip hafd drain_fwd | grep -q "dup to"'
check "hafctl status on n1 says it drains, with the connections left" \
	eval 'ctl n1 status | grep -q "drain: lab/VRID 51 drains here: [0-9]* connections left"'
check "hafctl status on n2 says it forwards to n1" \
	eval 'ctl n2 status | grep -q "drain: VRID 51: forwarding unknown TCP flows to 10.77.0.11"'
check "status --json: n1's instance is draining, n2's (the new master) is not" \
	eval '[ "$(ctl n1 status --json | jq -enr "input | .instances[0].draining")" = true ] &&
	      [ "$(ctl n2 status --json | jq -enr "input | .instances[0].draining")" = false ]'
# A request started during the drain is served by the new master.
out2=$TMP/streams2.json
in_ns client "$PY" "$SSE" client --url "http://$VIP:8000" --streams 3 --tokens 3 >"$out2"
check "a stream started during the drain is served by n2" \
	eval '[ "$(jq_of "$out2" ".complete") $(jq_of "$out2" ".nodes.n2")" = "3 3" ]'
wait "$spid"
diag "streams: $(jq -c '{complete, nodes, errors: .errors[:3]}' <"$out1")"
check "$STREAMS of $STREAMS streams complete with every token" \
	eval '[ "$(jq_of "$out1" ".complete")" = "$STREAMS" ]'
check "all of them were served by n1" eval '[ "$(jq_of "$out1" ".nodes.n1")" = "$STREAMS" ]'
wait "$spid6"
diag "IPv6 streams: $(jq -c '{complete, nodes, errors: .errors[:3]}' <"$out6")"
check "IPv6: 10 of 10 streams complete with every token, from n1" \
	eval '[ "$(jq_of "$out6" ".complete") $(jq_of "$out6" ".nodes.n1")" = "10 10" ]'
wait "$hpid"; rc=$?
diag "handover: $(cat "$TMP/handover.out")"
check "hafctl handover --drain exits 0 once drained" test $rc = 0
check "it says the drain ended with no connection left" \
	eval '[ "$(grep -c "drain ended (no connection left).*0 connections left" "$TMP/handover.out")" = 2 ]'
check "after the drain n1 holds nothing: no VIP on lo" \
	eval '! in_ns n1 ip -br addr show | grep -qw $VIP'
check "n1's vip4_drain set is empty" eval '[ -z "$(in_ns n1 nft -j list set inet hafd vip4_drain | jq -r ".nftables[1].set.elem // empty | .[]")" ]'
check "n2 stopped forwarding: no ip or ip6 table" \
	eval '! in_ns n2 nft list table ip hafd >/dev/null 2>&1 && ! in_ns n2 nft list table ip6 hafd >/dev/null 2>&1'
check "notify_drain ran on the old master with 0 left" \
	wait_until 3 grep -q '^old 0 no connection left' "$(hook_log n1)"
check "notify_drain ran on the new master with 0 left" \
	wait_until 3 grep -q '^new 0 done' "$(hook_log n2)"
check "both logged it" eval 'wait_log n1 "drain ended .* 0 connections left" 1 &&
	wait_log n2 "ended its drain .* 0 connections left there" 1'
ctl n1 resume >/dev/null
check "resume: n1 preempts back" wait_holds n1 $VIP 3

# --- no healthy backup: refused, the VIP stays, nothing drains --------------------------
lab stop n2 >/dev/null
out=$(ctl n1 handover lab --wait 1s --drain 10s 2>&1); rc=$?
diag "no backup: $out"
check "with no backup, handover --drain exits 1" test $rc = 1
check "the VIP stays on n1's eth0, nothing on lo" \
	eval 'holds n1 && ! in_ns n1 ip -br addr show dev lo | grep -qw $VIP'
lab start n2
check "n2 back as backup" wait_state n2 BACKUP 5

# --- SIGTERM with drain_on_stop ------------------------------------------------------------
out4=$TMP/streams4.json
streams_bg "$out4"
check "streams are running on n1" wait_until 5 eval '[ "$(conns n1)" -ge "$STREAMS" ]'
lab stop n1 >/dev/null 2>&1 &
stpid=$!
check "SIGTERM: n2 takes the VIP" wait_holds n2 $VIP 3
check "n1 drains: it is still running" eval 'in_ns n1 ip -br addr show dev lo | grep -qw $VIP'
wait "$spid"
diag "streams across SIGTERM: $(jq -c '{complete, nodes, errors: .errors[:3]}' <"$out4")"
check "SIGTERM: $STREAMS of $STREAMS streams complete with every token" \
	eval '[ "$(jq_of "$out4" ".complete")" = "$STREAMS" ]'
check "n1 stops once drained" wait_log n1 'drain_on_stop: handed over and drained' 5
wait "$stpid"
check "and is gone, holding nothing" eval '! in_ns n1 ip -br addr show | grep -qw $VIP'
lab start n1
check "n1 back, preempts" wait_holds n1 $VIP 5

# --- an unplanned kill, no plan: no forwarding at all ------------------------------------
lab kill n1 >/dev/null
check "n1 killed: n2 takes over" wait_holds n2 $VIP 3
check "n2 never forwards after a crash" stays 1 not in_ns n2 nft list table ip hafd
lab start n1
check "n1 back, preempts" wait_holds n1 $VIP 5

# --- the old master dies during a drain: forwarding stops at once ----------------------
out3=$TMP/streams3.json
TIMEOUT=3 streams_bg "$out3" 10 100
check "streams are running on n1 again" wait_until 5 eval '[ "$(conns n1)" -ge 10 ]'
ctl n1 handover lab --drain 60s >/dev/null 2>&1 &
check "n2 forwards for the drain" wait_until 3 eval 'in_ns n2 nft list table ip hafd >/dev/null 2>&1'
m=$(log_mark n2)
lab kill n1 >/dev/null
t0=$(_now_ms)
check "n2 stops forwarding on its own, the old master silent (not after the 60 s)" \
	eval 'wait_until 3 not in_ns n2 nft list table ip hafd >/dev/null 2>&1 &&
	wait_log_since n2 $m "went silent" 1'
diag "forwarding gone after $(($(_now_ms) - t0)) ms"
wait "$spid"
diag "after the kill: $(jq -c '{complete, errors: .errors[:2]}' <"$out3")"
check "its streams do not complete" eval '[ "$(jq_of "$out3" ".complete")" = 0 ]'
check "notify_drain on n2 says it lapsed" grep -q '^new -1 lapsed' "$(hook_log n2)"
lab_down

# --- use_vmac: the VIPs leave the macvlan for lo in the same way -----------------------------
lab_up -n 2 -c "$(lab_conf vmac.conf '[instance lab]' 'use_vmac = yes')"
check "use_vmac: n1 master, n2 backup" eval 'wait_state n1 MASTER 5 && wait_state n2 BACKUP 5'
serve_sse n1 n2
check "use_vmac: the stream server answers on the VIP" wait_until 5 ready
out5=$TMP/streams5.json
streams_bg "$out5" 20 30
check "use_vmac: streams are running on n1" wait_until 5 eval '[ "$(conns n1)" -ge 20 ]'
out=$(ctl n1 handover --drain 30s 2>&1); rc=$?
wait "$spid"
diag "use_vmac: $(jq -c '{complete, nodes, errors: .errors[:3]}' <"$out5")"
check "use_vmac: 20 of 20 streams complete on n1, drained (exit 0)" \
	eval '[ $rc = 0 ] && [ "$(jq_of "$out5" ".complete") $(jq_of "$out5" ".nodes.n1")" = "20 20" ]'
check "use_vmac: n2 holds the VIP" eval 'in_ns n2 ip -br addr | grep -qw $VIP'
stop_servers
lab_down

# --- a keepalived backup: the VIP moves, hafctl says drain needs hafd on both sides ----------
if command -v keepalived >/dev/null; then
	lab_up -n 2 --daemons hafd,keepalived
	check "hafd n1 master, keepalived n2 backup" \
		eval 'wait_state n1 MASTER 5 && wait_log n2 "Entering BACKUP STATE" 5'
	out=$(ctl n1 handover --drain 30s 2>&1); rc=$?
	diag "handover --drain to keepalived: $out"
	check "the handover still moves the VIP (exit 0)" eval '[ $rc = 0 ] && wait_holds n2 $VIP 2'
	check "hafctl says drain needs hafd on both sides" grep -q 'drain needs hafd on both sides' <<<"$out"
	check "the drain ends at once: nobody forwards" \
		grep -q 'drain ended (not acknowledged by the new master' <<<"$out"
	check "n1 keeps nothing on lo" eval '! in_ns n1 ip -br addr show dev lo | grep -qw $VIP'
	lab_down
else
	skip_rest "keepalived is not installed"
fi
