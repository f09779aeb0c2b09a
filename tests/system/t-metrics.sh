#!/bin/bash
# type = metrics moves the VIP on what the engine's /metrics says. Each
# node runs a tiny static /metrics server (below, not fake-infer) serving a
# file the test rewrites, with vLLM's names (the vllm preset). The master's
# engine goes:
#  - saturated: vllm:num_requests_waiting over the queue rule's threshold:
#    the check is DEGRADED, the priority drops by the rule's weight and the
#    backup takes the VIP, without FAULT;
#  - stalled: requests running and waiting, vllm:generation_tokens_total
#    not moving for the stall rule's 2 s: the check goes DOWN (weight 0:
#    FAULT) and the VIP moves;
#  - wedged: the server takes longer than `timeout` to answer: a timeout,
#    counted and judged as an http check's;
# and once the scrape is back to normal the master takes the VIP back.
# Hostile lines in the scrape (garbage, NaN, a duplicate series) are
# dropped and counted: the check stays UP.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

tpl=$(lab_conf metrics.conf - <<'T'
[check met]
type = metrics
url = http://127.0.0.1:8001/metrics
interval = 200ms
timeout = 300ms
fall = 2
rise = 2
preset = vllm
degrade_cap = -60
rule = queue gauge vllm:num_requests_waiting > 10 degrade -60
rule = stall stall vllm:generation_tokens_total for 2s while vllm:num_requests_running+vllm:num_requests_waiting down

[instance web]
track = met
hold_down = 0s
T
)

# The stand-in: GET /metrics answers the file $TMP/metrics-NODE as
# Prometheus text (version 0.0.4, as vLLM's prometheus_client serves it);
# a first line "sleep SECONDS" makes it wait that long first (a wedge), and
# @TICK@ is replaced by a number that grows at every request (an engine
# that generates tokens).
cat >"$TMP/metrics-server.py" <<'PY'
import http.server, sys, time
path = sys.argv[2]
tick = [1000]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        with open(path, "rb") as f:
            body = f.read()
        tick[0] += 7
        body = body.replace(b"@TICK@", str(tick[0]).encode())
        if body.startswith(b"sleep "):
            first, _, body = body.partition(b"\n")
            time.sleep(float(first.split()[1]))
        self.send_response(200 if self.path == "/metrics" else 404)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY

# [SLEEP=S] scrape NODE WAITING RUNNING TOKENS [EXTRA LINE...]: what NODE's
# engine says; extra lines go after vLLM's.
scrape() {
	local node=$1 waiting=$2 running=$3 tokens=$4; shift 4
	{
		[ -n "${SLEEP:-}" ] && echo "sleep $SLEEP"
		cat <<M
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="m"} $running
# HELP vllm:num_requests_waiting Number of requests waiting to be processed.
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="m"} $waiting
# TYPE vllm:kv_cache_usage_perc gauge
vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.25
# TYPE vllm:num_preemptions_total counter
vllm:num_preemptions_total{engine="0",model_name="m"} 0.0
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{engine="0",model_name="m"} $tokens
M
		[ $# -gt 0 ] && printf '%s\n' "$@"
	} >"$TMP/metrics-$node.new"
	mv "$TMP/metrics-$node.new" "$TMP/metrics-$node"
}

export HAFD_ARGS=-D     # one debug line per check run, with its reason
lab_up -n 2 -c "$tpl" --no-start
for n in n1 n2; do
	scrape "$n" 0 0 100
	in_ns "$n" "${PYTHON:-python3}" "$TMP/metrics-server.py" 8001 "$TMP/metrics-$n" \
		>>"$TMP/metrics-server-$n.log" 2>&1 &
	on_exit "kill $!"
done
check "the stand-ins answer" bash -c "for i in \$(seq 50); do
	$LAB -p $PREFIX exec n1 curl -sf -m 0.5 http://127.0.0.1:8001/metrics >/dev/null &&
	$LAB -p $PREFIX exec n2 curl -sf -m 0.5 http://127.0.0.1:8001/metrics >/dev/null && exit 0
	sleep 0.1; done; exit 1"
lab start n1
lab start n2
check "n1's check comes up" wait_log n1 'check met: INIT -> UP \(no rule fired\)' 10
check "n2's check comes up" wait_log n2 'check met: INIT -> UP \(no rule fired\)' 10
check "n1 (priority 150) holds the VIP" wait_holds n1 "" 10

# --- hostile lines: counted, dropped, nothing else -----------------------------
mark n1
scrape n1 0 0 100 'garbage line' 'vllm:num_requests_waiting{engine="0",model_name="m"} NaN' \
	'vllm:num_requests_waiting{engine="0",model_name="m"} 99' 'x{a="1",a="2"} 1'
check "hostile: the drops are counted in the run's reason" \
	wait_new n1 'check met: pass in [0-9]+ ms \(no rule fired; dropped 2 bad, 0 long, 1 duplicate, 1 NaN\)' 5
check "hostile: the check stays UP" test "$(count_new n1 'check met: UP ->')" = 0

# --- saturated: DEGRADED, priority, no FAULT -----------------------------------
mark n1; mark n2
faults=$(count_in_log n1 '-> FAULT')
scrape n1 50 8 @TICK@   # saturated, but it generates
check "queue: n1's check is DEGRADED" \
	wait_new n1 'check met: UP -> DEGRADED \(queue 50 > 10\)' 10
check "queue: n1's priority drops by the rule's weight" wait_new n1 'priority 150 -> 90' 5
check "queue: n2 takes the VIP" wait_new n2 'BACKUP -> MASTER' 5
check "queue: n2 holds the VIP" wait_holds n2
check "queue: n1 never entered FAULT" test "$(count_in_log n1 '-> FAULT')" = "$faults"
mark n1
scrape n1 0 0 200
check "queue: over, n1's check is UP" wait_new n1 'check met: DEGRADED -> UP' 10
check "queue: n1's priority is back" wait_new n1 'priority 90 -> 150' 5
check "queue: n1 holds the VIP again" wait_holds n1

# --- stalled: DOWN after 2 s without a token, FAULT -----------------------------
mark n1; mark n2
scrape n1 3 4 200
check "stall: n1's check goes DOWN" wait_new n1 \
	'check met: UP -> DOWN \(stall: vllm:generation_tokens_total at 200 for [0-9]+ s, 7 pending \(down\)\)' 10
# 2 s at one scrape per 200 ms: passes first, about ten (five is plenty).
check "stall: not before the stall's 2 s" test "$(since_mark n1 |
	awk '/check met: fail in/ { exit } /check met: pass in/ { n++ } END { print n + 0 }')" -ge 5
check "stall: n1 enters FAULT" wait_new n1 'MASTER -> FAULT' 5
check "stall: n2 takes the VIP" wait_new n2 'BACKUP -> MASTER' 5
check "stall: n2 holds the VIP" wait_holds n2
mark n1
scrape n1 3 4 260        # tokens move again
check "stall: over, n1's check is UP" wait_new n1 'check met: DOWN -> UP' 10
check "stall: n1 holds the VIP again" wait_holds n1 "" 10

# --- wedged: a scrape timeout counts like http's --------------------------------
mark n1; mark n2
SLEEP=2 scrape n1 0 0 300
check "timeout: n1's check goes DOWN" \
	wait_new n1 'check met: UP -> DOWN \(timed out after 300 ms (waiting for|reading) the response\)' 10
check "timeout: counted as timeouts" wait_new n1 'check met: fail in [0-9]+ ms \(timed out' 1
check "timeout: n2 takes the VIP" wait_new n2 'BACKUP -> MASTER' 5
mark n1
scrape n1 0 0 300
check "timeout: over, n1's check is UP" wait_new n1 'check met: DOWN -> UP' 10
check "timeout: n1 holds the VIP again" wait_holds n1 "" 10
