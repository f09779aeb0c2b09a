#!/bin/bash
# What each engine answer means for the VIP (issue 16, sections 2 and 3),
# with the built-in generation probe (request = generate, model unset: the
# first id of GET /v1/models) against fake-infer on two nodes. n1 (150)
# holds the VIP; degrade_weight -60 takes it below n2 (100); weight 0 makes
# a down check a FAULT. For each row n1's engine switches to the answer and
# back, and the test asserts what a user sees: the check's state and
# reason in `hafctl status`, n1's priority, its state, and who holds the VIP.
#  saturated, DEGRADED, priority 90, never FAULT: the queue-full 503 of
#    vLLM (--max-num-queued-reqs, --max-num-queued-tokens, and the PR
#    branch's text), SGLang and Ollama, TGI's 429, and a slow engine
#    (slow_after);
#  dead, DOWN and FAULT: a loading 503, refused, wedged before the headers
#    or after them (at the timeout_fall-th timeout in a row), a 401 for the
#    key in api_key_file, a chat-only server probed on /v1/completions;
#  UP: a list led by a LoRA adapter (the probe asks for the adapter, which
#    generates as vLLM's adapters do).
# A second pair probes with endpoint = chat and stream = yes: a chat-only
# server is up, a stream whose headers come without a token is down, and
# SGLang's streamed queue-full error event is degraded.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

KEY=sk-hafd-test-$$
printf '%s\n' "$KEY" >"$TMP/api-key"
chmod 600 "$TMP/api-key"

# interval 300 ms, timeout 1 s, slow_after 400 ms: a 0.7 s answer is slow,
# no answer is a timeout, the third in a row down.
gen_conf() {   # NAME [LINES...]: the probe's [check gen] and [instance web]
	local name=$1; shift
	lab_conf "$name" '[check gen]' 'type = http' 'url = http://127.0.0.1:8000/v1' \
		'request = generate' "api_key_file = $TMP/api-key" "$@" - <<'T'
interval = 300ms
timeout = 1s
fall = 1
rise = 2
weight = 0
degrade_weight = -60
on_timeout = degrade
timeout_fall = 3
slow_after = 400ms

[instance web]
track = gen
hold_down = 0s
T
}

hafctl_of() { in_ns "$1" "$BUILDDIR/hafctl" -s "$HAFD_LAB_DIR/$PREFIX/$1/run/hafd.sock" "${@:2}"; }
# FIELD of the check gen in NODE's `hafctl status --json`.
check_field() { hafctl_of "$1" status --json | jq -r ".checks[] | select(.name == \"gen\") | .$2"; }
inst_field() { hafctl_of "$1" status --json | jq -r ".instances[0].$2"; }
shows_check() {   # NODE STATE REASON-REGEX
	local deadline=$((SECONDS + 3)) st rs
	while [ $SECONDS -le $deadline ]; do
		st=$(check_field "$1" state) rs=$(check_field "$1" reason)
		[ "$st" = "$2" ] && [[ $rs =~ $3 ]] && return 0
		sleep 0.1
	done
	diag "hafctl on $1: check gen $st, reason: $rs"
	return 1
}
control() { in_ns "$1" curl -s -m 1 http://127.0.0.1:8000/control; }   # NODE

start_pair() {   # CONF
	engine_pair_up "$1"
	check "n1's check comes up" wait_log n1 'check gen: INIT -> UP' 10
	check "n1 (priority 150) holds the VIP" wait_holds n1 10.77.0.100 10
}

# recover WHAT: n1's engine is healthy again: its check UP, the VIP back.
recover() {
	mark n1
	set_mode n1 healthy
	check "$1 over: n1's check is UP again" wait_new n1 'check gen: [A-Z]+ -> UP' 10
	check "$1 over: n1 holds the VIP again" wait_holds n1 10.77.0.100 10
	check "$1 over: n1's priority is 150" wait_until 5 eval '[ "$(inst_field n1 effective_priority)" = 150 ]'
}

# degraded MODE REASON-REGEX: saturation lowers n1's priority by 60 and
# moves the VIP to n2, and n1 is never in FAULT.
degraded() {
	local mode=$1 reason=$2 w=${1%% *}
	mark n1; mark n2
	set_mode n1 "$mode"
	check "$w: n1's check goes DEGRADED" wait_new n1 "check gen: UP -> DEGRADED \\($reason" 10 ||
		since_mark n1 | grep 'check gen' | tail -3 | sed 's/^/# /'
	check "$w: hafctl shows the check DEGRADED and why" shows_check n1 DEGRADED "$reason"
	check "$w: n1's priority is 150 - 60" wait_until 5 eval '[ "$(inst_field n1 effective_priority)" = 90 ]'
	check "$w: n2 holds the VIP" wait_holds n2 10.77.0.100 5
	check "$w: n1 is BACKUP, never FAULT" eval 'stays 1 not is_state n1 FAULT && is_state n1 BACKUP'
	recover "$w"
}

# down MODE REASON-REGEX [SECS]: a dead engine puts n1 in FAULT (weight 0)
# and the VIP moves to n2.
down() {
	local mode=$1 reason=$2 w=${1%% *} lre=$2
	[[ $reason == *'$' ]] && lre="${reason%?}\\)"   # the log line's reason is in ( )
	mark n1; mark n2
	set_mode n1 "$mode"
	check "$w: n1's check goes DOWN" wait_new n1 "check gen: [A-Z]+ -> DOWN \\($lre" "${3:-10}" ||
		since_mark n1 | grep 'check gen' | tail -3 | sed 's/^/# /'
	check "$w: hafctl shows the check DOWN and why" shows_check n1 DOWN "$reason"
	check "$w: n1 enters FAULT" wait_new n1 '-> FAULT \(fault\)' 5
	check "$w: n2 holds the VIP" wait_holds n2 10.77.0.100 5
	recover "$w"
}

export HAFD_ARGS=-D
start_pair "$(gen_conf engine.conf)"
check "the probe asked for the first listed model, fake-model" \
	eval 'control n1 | jq -en "input | .last_model == \"fake-model\" and .last_path == \"/v1/completions\"" >/dev/null'
check "the probe sends the key of api_key_file" \
	eval 'control n1 | jq -en "input | .last_auth == \"Bearer $KEY\"" >/dev/null'

# --- saturated: DEGRADED ------------------------------------------------------------
degraded queue-full-vllm 'POST /v1/completions \(fake-model\): status 503, saturated'
degraded queue-full-vllm-tokens 'POST /v1/completions \(fake-model\): status 503, saturated'
degraded queue-full-vllm-pr 'POST /v1/completions \(fake-model\): status 503, saturated: "queue full"'
degraded queue-full-sglang 'POST /v1/completions \(fake-model\): status 503, saturated: "queue is full"'
degraded queue-full-ollama \
	'POST /v1/completions \(fake-model\): status 503, saturated: "maximum pending requests exceeded"'
degraded overloaded 'POST /v1/completions \(fake-model\): status 429'
degraded "slow delay=0.7" 'fake-model generated a token, slow: [0-9]+ ms, slow_after 400 ms'

# --- dead: DOWN ------------------------------------------------------------------------
down loading 'POST /v1/completions \(fake-model\): status 503$'
# The port closes: a probe in flight may see its connection closed first.
down dead 'connection (refused|closed|reset)'
down wedged '.*timed out.*\(3 timeouts in a row\)' 15
down wedged-body '.*timed out.*\(3 timeouts in a row\)' 15
# The server wants another key than api_key_file's (rotated on the server).
down "healthy api_key=sk-other" 'POST /v1/completions \(fake-model\): status 401: the server refused the key in api_key_file'
down chat-only 'POST /v1/completions \(fake-model\): status 404'

# --- a model list led by a LoRA adapter ------------------------------------------------
# The probe asks the list again after the 404 of a model that went away;
# here it keeps fake-model, which is still served: the adapter is asked
# only when the probe has to choose again, as at a restart of hafd.
set_mode n1 lora-first
lab restart n1 >/dev/null
check "lora-first: n1's check comes up after a restart" wait_last_run n1 'check gen: INIT -> UP' 10
check "lora-first: the probe generated with the adapter, the list's first id" \
	eval 'control n1 | jq -en "input | .last_model == \"fake-lora\"" >/dev/null'
check "lora-first: hafctl shows the check UP" shows_check n1 UP 'fake-lora generated a token'
check "lora-first: n1 holds the VIP" wait_holds n1 10.77.0.100 10
set_mode n1 healthy
lab_down

# --- endpoint = chat, stream = yes -----------------------------------------------------
start_pair "$(gen_conf chat.conf 'endpoint = chat' 'stream = yes')"
check "chat: the probe posts to /v1/chat/completions" \
	eval 'control n1 | jq -en "input | .last_path == \"/v1/chat/completions\"" >/dev/null'
check "stream: hafctl shows the first token streamed" shows_check n1 UP 'streamed a first token'
mark n1
set_mode n1 chat-only
check "chat-only: the chat probe stays UP" stays 2 eval '[ "$(check_field n1 state)" = UP ]'
check "chat-only: n1 keeps the VIP" holds n1 10.77.0.100
check "chat-only: no transition of the check" test "$(count_new n1 'check gen: UP -> ')" = 0
set_mode n1 healthy
down wedged-body '.*timed out.*\(3 timeouts in a row\)' 15
degraded queue-full-sglang 'POST /v1/chat/completions \(fake-model\): error event, saturated: "queue is full"'
