#!/bin/bash
# Every engine example of etc/examples (issue 17), run in a 2-node lab
# against fake-infer answering like that engine (--engine), with the fake
# NVML library and a FIFO for /dev/kmsg, n1 as the active node (150) and n2
# as the standby (100). For each engine, what the example promises:
#  - saturation on the master (the engine's own "full" answer, a queue
#    over the example's threshold in /metrics, or slow answers where the
#    engine never refuses) lowers n1 below n2: n2 takes the VIP, n1 stays
#    BACKUP (never FAULT), and the VIP does not come back while n1 stays
#    saturated, nor at once when it recovers (hold_down);
#  - a wedge on the master (n2 by then: generation hangs while the
#    engine's health endpoints stay green) is FAULT and moves the VIP to
#    n1 at once, hold-down or not;
#  - a GPU lost on the master (n1 again), below the example's min_gpus,
#    is FAULT and moves the VIP to n2.
#
# Each example is rewritten for the lab mechanically (lab_example below),
# never in its checks: router_id, priority, virtual_ip, unicast_src and
# unicast_peer become the lab's placeholders; every interval, timeout,
# slow_after, startup_grace and hold_down is divided by 10 (the stand-in's
# SGLang health timeout too: health_timeout=2 for its 20 s); the gpu check
# gets the node's fake NVML library and kmsg FIFO. fake-infer listens on
# the engine's own ports, which stay as written.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

FAKE_NVML="$BUILDDIR/tests/tools/libfake-nvml.so"
export HAFD_NVML_HELPER="$BUILDDIR/libexec/hafd-nvml"
for f in "$FAKE_NVML" "$HAFD_NVML_HELPER"; do
	[ -e "$f" ] || { echo "1..0 # SKIP $f not built (make)"; exit 0; }
done
EXAMPLES="$SRCDIR/etc/examples"

# lab_example ENGINE: the example as a lab template, path printed. Each
# engine's files are in $TMP/ENGINE (runs go in parallel).
lab_example() {
	mkdir -p "$TMP/$1"
	awk -v dir="$TMP/$1" '
	function ms(v,    n, u) {
		n = v; sub(/[a-z]+$/, "", n); u = substr(v, length(n) + 1)
		return n * (u == "ms" ? 1 : u == "m" ? 60000 : u == "h" ? 3600000 : 1000)
	}
	/^router_id *=/ { print "router_id = @NODE@"; next }
	/^priority *=/ { print "priority = @PRIO@"; next }
	/^virtual_ip *=/ { print "virtual_ip = @VIP4@/24"; next }
	/^unicast_src *=/ { print "unicast_src = @ADDR4@"; next }
	/^unicast_peer *=/ { print "unicast_peer = @PEERS4@"; next }
	/^(interval|timeout|slow_after|startup_grace|hold_down) *= *[0-9.]+[a-z]*$/ {
		printf "%s = %dms\n", $1, ms($NF) / 10; next
	}
	/^type *= *gpu$/ {
		print
		print "nvml_library = " dir "/@NODE@/libnvidia-ml.so.1"
		print "xid_source = " dir "/@NODE@/kmsg"
		next
	}
	{ print }' "$EXAMPLES/$1.conf" >"$TMP/$1/hafd.tpl"
	echo "$TMP/$1/hafd.tpl"
}

# The stand-in for ENGINE on NODE: its ports, model and scaled settings.
declare -A PORT=([vllm]=8000 [sglang]=30000 [tgi]=8080 [triton]=8000 [llamacpp]=8080 [ollama]=11434)
declare -A ARGS=([triton]="--metrics-port 8002 --model ensemble" [ollama]="--model llama3.2")
# Words after each mode: SGLang's 20 s health timeout scaled; llama.cpp,
# which never refuses, answers a saturated request late, past slow_after
# (300 ms here) but before the timeout (500 ms).
declare -A EXTRA=([sglang]="health_timeout=2 health_step=0.1" [llamacpp]="delay=0.35")
start_engine() {   # NODE
	echo "healthy ${EXTRA[$E]:-}" >"$TMP/$E/mode-$1"
	# shellcheck disable=SC2086 # ARGS holds several words
	in_ns "$1" python3 "$FAKE_INFER" --engine "$E" --port "${PORT[$E]}" ${ARGS[$E]:-} \
		--control "$TMP/$E/mode-$1" >>"$TMP/$E/fake-$1.log" 2>&1 &
}
mode_is() {   # NODE MODE: fake-infer has read it
	[ "$(in_ns "$1" curl -s -m 0.5 "http://127.0.0.1:${PORT[$E]}/control" |
		jq -r '.mode' 2>/dev/null)" = "$2" ]
}
engine_mode() {   # NODE MODE
	echo "$2 ${EXTRA[$E]:-}" >"$TMP/$E/mode-$1"
	wait_until 5 mode_is "$1" "$2" || diag "$E: $1's stand-in did not take mode $2"
}
hafctl_of() { in_ns "$1" "$BUILDDIR/hafctl" -s "$HAFD_LAB_DIR/$PREFIX/$1/run/hafd.sock" "${@:2}"; }
inst_field() { hafctl_of "$1" status --json | jq -r ".instances[0].$2"; }
prio_below() { local p; p=$(inst_field "$1" effective_priority); [ -n "$p" ] && [ "$p" -lt "$2" ]; }
masters_of() { count_in_log "$1" '\] [A-Z]+ -> MASTER'; }

# The first "A -> B" transition of NODE after the mark, as ms since
# midnight (health-lib.sh's stamps).
moved_ms() { since_mark "$1" | grep -E -- "$2" | head -1 | { read -r t _; stamp_ms "$t"; }; }

# One engine's run, in a subshell of its own with its own lab (PREFIX).
run_engine() {
	local tpl m2 n became left out back
	tpl=$(lab_example "$E")
	_lab_up=1
	# One lab at a time: ip netns add races with itself.
	flock "$TMP/lab.lock" "$LAB" -p "$PREFIX" up -n 2 -c "$tpl" --no-start >/dev/null ||
		{ ok 1 "$E: lab up"; return; }
	for n in n1 n2; do
		mkdir -p "$TMP/$E/$n"
		cp "$FAKE_NVML" "$TMP/$E/$n/libnvidia-ml.so.1"
		# As many GPUs as the example's min_gpus asks.
		echo "gpus $(awk '/^min_gpus/ { print $NF }' "$tpl")" >"$TMP/$E/$n/fake-nvml.state"
		mkfifo "$TMP/$E/$n/kmsg"
		start_engine "$n"
	done
	check "$E: the stand-ins answer" wait_until 15 eval 'mode_is n1 healthy && mode_is n2 healthy'
	lab start n1
	lab start n2
	check "$E: n1 (150), its checks up, holds the VIP" wait_holds n1 10.77.0.100 10
	check "$E: n2 is the standby" wait_state n2 BACKUP 5
	# A new master's degraded checks wait out its hold_down (60 s / 10):
	# the test sleeps until it ends, from the stamp of n1's move.
	became=$(log_ms n1 'BACKUP -> MASTER') || became=$(now_ms)
	left=$((became + 6000 + 100 - $(now_ms)))
	[ $left -gt 0 ] && sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"

	# --- saturation on the master --------------------------------------
	mark n1
	m2=$(masters_of n2)
	engine_mode n1 saturated
	check "$E: saturated, n1's priority drops below n2's" wait_until 5 prio_below n1 100
	check "$E: saturated, n2 takes the VIP" wait_holds n2 10.77.0.100 5
	check "$E: saturated, n1 stays BACKUP and the VIP on n2 (one move)" \
		stays 1 eval 'is_state n1 BACKUP && holds n2 10.77.0.100 && [ "$(masters_of n2)" = $((m2 + 1)) ]'
	engine_mode n1 healthy
	# n1 recovers, and would take the VIP back: the load that followed
	# the VIP to n2 would come back with it. Its hold-down (6 s from the
	# move) keeps its saturated priority, and says so in its log.
	# Two checks may have degraded (the engine's metrics and the
	# generation probe): the first to recover says what the priority
	# would be with the other still degraded (-60), the second nothing
	# more (the same hold); either way the priority is held.
	check "$E: recovered, n1 holds its priority until the hold-down ends" wait_new n1 \
		'would change the priority by [-+][0-9]+, not -[0-9]+: held for [0-9.]+ s more' 5
	check "$E: n1 was never in FAULT" test "$(count_new n1 '-> FAULT')" = 0

	# --- a wedge on the master (n2 now) ------------------------------------
	mark n2
	engine_mode n2 wedged
	check "$E: wedged, n2 goes to FAULT" wait_new n2 '-> FAULT' 8
	check "$E: wedged, n1 takes the VIP at once, hold-down or not" wait_holds n1 10.77.0.100 3
	# n1 came back only when n2 failed, or after its hold-down: never
	# because the load had left it.
	out=$(moved_ms n1 'MASTER -> BACKUP') back=$(moved_ms n1 'BACKUP -> MASTER')
	fault=$(moved_ms n2 '-> FAULT')
	check "$E: n1 took the VIP back $((back - out)) ms after losing it, $((back - fault)) ms after n2's FAULT" \
		eval '[ $((back - out)) -ge 5950 ] || [ $back -ge $fault ]'

	# --- a GPU lost on the master (n1 again) ---------------------------------
	engine_mode n2 healthy
	check "$E: n2's engine back, n2 is the standby again" wait_new n2 'FAULT -> BACKUP' 8
	mark n1
	echo "gpus $(awk '/^min_gpus/ { print $NF }' "$tpl") lost 1" >"$TMP/$E/n1/fake-nvml.state"
	check "$E: a GPU lost, below min_gpus: n1 goes to FAULT" wait_new n1 \
		'check gpus: UP -> DOWN \(GPU 1 .* lost: .* below min_gpus' 5
	check "$E: a GPU lost: n2 takes the VIP" wait_holds n2 10.77.0.100 3
	if [ "$_tap_fail" -gt 0 ]; then
		for n in n1 n2; do
			diag "---- $E: $n's log (last 12 lines) ----"
			log_of "$n" | grep -v debug | tail -12 | sed 's/^/# /'
		done
	fi
	lab_down
}

all_pass_t() {
	local f
	for f in "$EXAMPLES"/*.conf; do
		"$HAFD" -t -f "$f" >/dev/null || { diag "$f fails hafd -t"; return 1; }
	done
}
check "every example passes hafd -t" all_pass_t

# The engines run in parallel, HAFD_EXAMPLES_JOBS at a time (each waits
# out two hold-downs, mostly asleep); each writes its TAP lines to a file,
# replayed here in order.
ENGINES=${T_ENGINES:-vllm sglang tgi triton llamacpp ollama}
jobs=${HAFD_EXAMPLES_JOBS:-6} i=0 pids=()
for E in $ENGINES; do
	i=$((i + 1))
	on_exit "$LAB -p $PREFIX$i down"
	(
		trap - EXIT
		PREFIX=$PREFIX$i _tap_n=0 _tap_fail=0 _lab_up=0
		run_engine
	) >"$TMP/out-$E" 2>&1 &
	pids+=($!)
	if [ ${#pids[@]} -ge "$jobs" ]; then
		wait "${pids[0]}"
		pids=("${pids[@]:1}")
	fi
done
wait
for E in $ENGINES; do
	while IFS= read -r line; do
		if [[ $line =~ ^ok\ [0-9]+\ -\ (.*) ]]; then ok 0 "${BASH_REMATCH[1]}"
		elif [[ $line =~ ^not\ ok\ [0-9]+\ -\ (.*) ]]; then ok 1 "${BASH_REMATCH[1]}"
		else printf '%s\n' "$line"; fi
	done <"$TMP/out-$E"
done
