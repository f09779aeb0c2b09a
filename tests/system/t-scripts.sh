#!/bin/bash
# The shipped check scripts, run directly: check_gpu against a fake
# nvidia-smi replaying each fixture of tests/golden/nvidia-smi, check_xid
# against fixture kernel logs, check_openai_gen and check_engine_progress
# against fake-infer (in a lab node's namespace, so it listens on that
# node's own 127.0.0.1), and the notify-log example hook.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

SCRIPTS="$SRCDIR/libexec"
GOLDEN="$SRCDIR/tests/golden/nvidia-smi"
export HAFD_STATE_DIR="$TMP/state"
OUT="" RC=0

# run_script NAME [VAR=VALUE...]: runs it with a clean environment like
# hafd's; sets OUT (its status line) and RC.
run_script() {
	local name=$1; shift
	OUT=$(env -i PATH="$TMP/bin:/usr/sbin:/usr/bin:/sbin:/bin" HAFD_STATE_DIR="$HAFD_STATE_DIR" \
		"$@" "$SCRIPTS/$name")
	RC=$?
}
expect() {   # RC REGEX DESCRIPTION
	[ "$RC" = "$1" ] && grep -qE -- "$2" <<<"$OUT"
	ok $? "$3 (exit $RC: $OUT)"
}
lines() { printf '%s\n' "$OUT" | wc -l; }

# --- check_gpu ------------------------------------------------------------------
mkdir -p "$TMP/bin" "$HAFD_STATE_DIR"
# fake_smi FIXTURE [RC] [SLEEP]: nvidia-smi replays FIXTURE and logs its arguments.
fake_smi() {
	cat >"$TMP/bin/nvidia-smi" <<EOF
#!/bin/bash
echo "\$*" >"$TMP/smi-args"
${3:+sleep $3}
cat "$GOLDEN/$1"
exit ${2:-0}
EOF
	chmod +x "$TMP/bin/nvidia-smi"
}

fake_smi healthy.csv
run_script check_gpu
expect 0 '^OK: 1 GPU' "check_gpu: healthy H100 output is up"
check "check_gpu prints one status line" test "$(lines)" = 1
grep -q -- '--query-gpu=index,ecc.errors.uncorrected.volatile.total,remapped_rows.pending,remapped_rows.failure,gpu_recovery_action --format=csv,nounits' "$TMP/smi-args"
ok $? "check_gpu queries the documented fields"
check "check_gpu stored the GPU count of its first run" grep -qx 'gpus 1' "$HAFD_STATE_DIR/check_gpu-default.state"

fake_smi two-gpus.csv
run_script check_gpu
expect 1 '2 GPUs visible, expected 1' "check_gpu: a GPU count unlike the first run's is down"
run_script check_gpu HAFD_GPUS=2
expect 0 '^OK: 2 GPU' "check_gpu: HAFD_GPUS sets the expected count"
fake_smi remap-failure.csv
run_script check_gpu
expect 1 'GPU 0: row remapping failed' "check_gpu: remapped_rows.failure Yes is down"
fake_smi recovery-reset.csv
run_script check_gpu
expect 1 'GPU 0: recovery action Reset' "check_gpu: gpu_recovery_action not None is down"
fake_smi remap-pending.csv
run_script check_gpu
expect 2 'GPU 0: row remap pending' "check_gpu: remapped_rows.pending Yes is degraded"
fake_smi not-available.csv
run_script check_gpu
expect 0 '^OK' "check_gpu: [N/A] fields (older GPUs) are not faults"

fake_smi ecc-2.csv
run_script check_gpu
expect 1 'uncorrected ECC errors rose from 0 to 2' "check_gpu: a rising uncorrected ECC count is down"
run_script check_gpu
expect 1 'rose from 0 to 2' "check_gpu: it stays down while the count stays above the baseline"
fake_smi healthy.csv
run_script check_gpu
expect 0 '^OK' "check_gpu: up again once the volatile counter is reset"

fake_smi badfield.txt 2
run_script check_gpu
expect 3 'rejected the query.*not a valid field' "check_gpu: nvidia-smi rc 2 (bad field) is unknown"
# Issue 16: a warning on stderr is no GPU row. nvidia-smi warns there (an
# infoROM, a GPU it cannot reach); counted as a row it hid a lost GPU.
fake_smi healthy.csv
sed -i 's|^cat |echo "WARNING: infoROM is corrupted at gpu 0000:41:00.0" >\&2; cat |' "$TMP/bin/nvidia-smi"
run_script check_gpu HAFD_GPUS=2
expect 1 '1 GPUs visible, expected 2' "check_gpu: a stderr warning is not counted as a GPU"
# A driver that lacks a queried field: query without it, not UNKNOWN.
cat >"$TMP/bin/nvidia-smi" <<SMI
#!/bin/bash
case "\$*" in
*gpu_recovery_action*) echo 'Field "gpu_recovery_action" is not a valid field to query.'; exit 2 ;;
esac
cut -d, -f1-4 "$GOLDEN/healthy.csv"
SMI
chmod +x "$TMP/bin/nvidia-smi"
run_script check_gpu
expect 0 '^OK: 1 GPU.*not known to this driver: gpu_recovery_action' \
	"check_gpu: a field the driver lacks is left out, not unknown"
fake_smi no-devices.txt 6
run_script check_gpu
expect 1 'no devices found: No devices were found' "check_gpu: rc 6 (no devices) is down"
fake_smi gpu-lost.txt 15
run_script check_gpu
expect 1 'GPU lost \(fell off the bus\): Unable to determine' "check_gpu: rc 15 (GPU fell off the bus) is down"
fake_smi healthy.csv 0 30
run_script check_gpu HAFD_TIMEOUT=0.5
expect 1 'timed out after 0.5s' "check_gpu: a hanging nvidia-smi is killed and down"
rm -f "$TMP/bin/nvidia-smi"
run_script check_gpu
expect 1 'not found' "check_gpu: no nvidia-smi is down"
fake_smi healthy.csv
run_script check_gpu HAFD_STATE_DIR=/proc/hafd-none
expect 3 'cannot write' "check_gpu: an unwritable state directory is unknown"

# --- check_xid ------------------------------------------------------------------
xid() { run_script check_xid HAFD_XID_LOG_CMD="cat $GOLDEN/$1" "${@:2}"; }
xid dmesg-clean.txt
expect 0 '^OK: no new fatal Xid$' "check_xid: a driver log without Xid is up"
xid dmesg-xid-warn.txt
expect 2 'Xid 13 on PCI:0000:00:06' "check_xid: a new application-level Xid degrades"
xid dmesg-xid-warn.txt
expect 0 '^OK' "check_xid: the same lines are not judged twice"
xid dmesg-xid.txt
expect 1 'fatal Xid 79 on PCI:0000:00:06' "check_xid: a new Xid 79 (fell off the bus) is down"
xid dmesg-clean.txt
expect 1 'fatal Xid seen earlier.*79' "check_xid: the fatal flag outlives the log lines"
rm -f "$HAFD_STATE_DIR"/check_xid-default.fatal
xid dmesg-clean.txt
expect 0 '^OK' "check_xid: removing the flag clears it"
# Issue 16: the lists follow NVIDIA's Xid catalog (immediate action per
# code). 63, a row marked for remapping (IGNORE: the GPU stays usable, a
# reset is due), was fatal and kept a healthy node down until an operator
# came; 46, GPU stopped processing (RESET_GPU), was only mentioned.
xid dmesg-xid-63.txt HAFD_CHECK=x63
expect 2 'Xid 63 on PCI:0000:00:06' "check_xid: Xid 63 (row remap pending) degrades, it does not fail"
xid dmesg-clean.txt HAFD_CHECK=x63
expect 0 '^OK' "check_xid: Xid 63 leaves no fatal flag behind"
xid dmesg-xid-46.txt HAFD_CHECK=x46
expect 1 'fatal Xid 46 on PCI:0000:00:06' "check_xid: Xid 46 (GPU stopped processing, reset the GPU) is down"
# 64, a row that could not be remapped, stays fatal: the catalog's
# immediate action is RESET_GPU (and check_gpu downs remapped_rows.failure).
xid dmesg-xid-64.txt HAFD_CHECK=x64
expect 1 'fatal Xid 64 on PCI:0000:00:06' "check_xid: Xid 64 (row remapping failure, reset the GPU) is down"
# 94, a contained memory error, ends the application (RESTART_APP); the
# 45 that follows it is the driver's cleanup (follow the other Xid).
xid dmesg-xid-94.txt HAFD_CHECK=x94
expect 2 'list: Xid 94 on PCI:0000:00:06$' "check_xid: Xid 94 (contained) degrades, and the 45 after it does not"
xid dmesg-xid-warn.txt HAFD_CHECK=custom HAFD_XID_FATAL=13
expect 1 'fatal Xid 13' "check_xid: HAFD_XID_FATAL sets the fatal codes"
run_script check_xid HAFD_XID_LOG_CMD='echo "dmesg: read kernel buffer failed: Operation not permitted" >&2; exit 1'
expect 3 'unreadable.*not permitted' "check_xid: an unreadable kernel log is unknown"
# journalctl without the journal's groups: with -q (the old default) it
# printed nothing and exited 0, so an unreadable log read as OK.
cat >"$TMP/bin/journalctl" <<'JCTL'
#!/bin/bash
case " $* " in *" -q "*|*" --quiet "*) exit 0 ;; esac
echo "Hint: You are currently not seeing messages from other users and the system." >&2
echo "      Users in groups 'adm', 'systemd-journal' can see all messages." >&2
echo "      Pass -q to turn off this notice." >&2
JCTL
chmod +x "$TMP/bin/journalctl"
run_script check_xid HAFD_CHECK=nojournal
expect 3 'unreadable.*not seeing messages' "check_xid: a journal this user cannot read is unknown, not OK"
rm -f "$TMP/bin/journalctl"
run_script check_xid HAFD_CHECK=since HAFD_XID_LOG_CMD='echo "since=$HAFD_XID_SINCE"' HAFD_XID_WINDOW=100
expect 0 '^OK' "check_xid: a log command gets HAFD_XID_SINCE"

# --- check_openai_gen and check_engine_progress against fake-infer ----------
lab_up -n 1 --no-start
start_fake_infer n1 healthy
mode() { set_mode n1 "$*"; }   # MODE [running=N ...]: switched, and read
check "fake-infer answers in n1's namespace" mode healthy
ns_script() {   # NAME [VAR=VALUE...]: run a script inside n1
	local name=$1; shift
	OUT=$(in_ns n1 env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HAFD_STATE_DIR="$HAFD_STATE_DIR" \
		"$@" "$SCRIPTS/$name")
	RC=$?
}
gen() { ns_script check_openai_gen HAFD_TIMEOUT=1 "$@"; }

gen
expect 0 '^OK: fake-model generated a token' "check_openai_gen: finds the model in /v1/models and generates"
gen HAFD_MODEL=other
expect 1 'HTTP 404' "check_openai_gen: an unknown model is down"
mode overloaded
gen
expect 2 'HTTP 429 \(overloaded\)' "check_openai_gen: 429 is degraded"
gen HAFD_MODEL=fake-model HAFD_DEGRADE_STATUS="429 503"
expect 2 'HTTP 429' "check_openai_gen: HAFD_DEGRADE_STATUS lists degraded statuses"
mode loading
gen
expect 1 'HTTP 503' "check_openai_gen: 503 while loading is down (default)"
mode engine-dead
gen HAFD_MODEL=fake-model
expect 1 'HTTP 500' "check_openai_gen: a dead engine's 500 is down"
mode wedged
gen
expect 2 'timed out after 1s \(1 of 3' "check_openai_gen: a wedged engine's first timeout is degraded"
gen
expect 2 '\(2 of 3' "check_openai_gen: so is the second"
gen
expect 1 'timed out after 1s \(3 in a row\)' "check_openai_gen: the third timeout in a row is down"
mode healthy
gen
expect 0 '^OK' "check_openai_gen: a generation ends the run of timeouts"
mode wedged
gen HAFD_TIMEOUT_FAILS=1
expect 1 '\(1 in a row\)' "check_openai_gen: HAFD_TIMEOUT_FAILS=1 makes the first timeout down"
# Issue 16: both requests fit in the check's timeout (HAFD_CHECK_TIMEOUT,
# set by hafd). Each answer takes 1 s: the model list and the completion
# took 2 s of a 2 s check, and hafd killed the script before it said a word.
mode healthy
mode slow delay=1
t0=$EPOCHREALTIME
ns_script check_openai_gen HAFD_CHECK_TIMEOUT=2 HAFD_CHECK=budget
took=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
expect 2 'POST /v1/completions timed out after 0\.[0-9]+s \(1 of 3' \
	"check_openai_gen: the completion gets what the model list left of the check's timeout"
check "check_openai_gen: the whole run ends within HAFD_CHECK_TIMEOUT (${took}s < 2s)" \
	awk -v t="$took" 'BEGIN { exit !(t < 2) }'
mode dead
gen
expect 1 'connection refused' "check_openai_gen: a closed port is down"

# fake-infer serves vLLM's generation counter only, not its prompt one.
prog() {
	ns_script check_engine_progress HAFD_STALL_SEC=1 HAFD_METRIC_TOKENS=vllm:generation_tokens_total "$@"
}
mode healthy running=2
prog
expect 0 '^OK: vllm progress .* 2 running, 0 waiting' "check_engine_progress: reads the vLLM metrics"
mode wedged running=2
prog
expect 0 '^OK' "check_engine_progress: a counter that just stopped is not yet a stall"
deadline=$((SECONDS + 10))
while prog && [ "$RC" = 0 ] && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
expect 1 'no progress \(vllm:generation_tokens_total\) for [0-9]+s with [2-9] running' "check_engine_progress: pending requests and a still counter are down"
mode healthy running=2
prog; prog
expect 0 '^OK' "check_engine_progress: up again when tokens flow"
mode wedged
prog; sleep 1.2; prog
expect 0 '0 running, 0 waiting' "check_engine_progress: an idle engine is never stalled"
mode healthy running=1 waiting=9
prog HAFD_MAX_WAITING=5
expect 2 '9 requests waiting \(more than 5\)' "check_engine_progress: a long queue is degraded"
prog HAFD_METRIC_TOKENS=nope_total
expect 3 'metric nope_total not found' "check_engine_progress: a missing metric is unknown"
mode dead
prog
expect 1 'connection refused' "check_engine_progress: a closed port is down"

# Issue 16: a long prefill is not a stall, for each engine's metric names.
# Pages as each engine's documentation shows them (read through curl's
# file://): vLLM (docs.vllm.ai "Production Metrics", v0.9.1: the label
# model_name; V1 adds engine), SGLang (docs.sglang.io "Production Metrics": values in
# exponent notation), TGI 3.x (reference/metrics: unlabelled gauges, the
# forward-pass counter labelled by method). page ENGINE PROMPT GEN RUN:
# prompt tokens (prefill passes for TGI) PROMPT, generated tokens (decode
# passes) GEN, RUN running requests, none waiting.
page() {
	local d="$TMP/metrics-$1"
	mkdir -p "$d"
	case $1 in
	vllm) cat >"$d/metrics" <<EOF
# HELP vllm:num_requests_running Number of requests in model execution batches.
# TYPE vllm:num_requests_running gauge
vllm:num_requests_running{engine="0",model_name="m"} $4.0
# TYPE vllm:num_requests_waiting gauge
vllm:num_requests_waiting{engine="0",model_name="m"} 0.0
# TYPE vllm:prompt_tokens_total counter
vllm:prompt_tokens_total{engine="0",model_name="m"} $2.0
# TYPE vllm:generation_tokens_total counter
vllm:generation_tokens_total{engine="0",model_name="m"} $3.0
EOF
	;;
	sglang) cat >"$d/metrics" <<EOF
# HELP sglang:prompt_tokens_total Number of prefill tokens processed.
# TYPE sglang:prompt_tokens_total counter
sglang:prompt_tokens_total{model_name="m"} $(printf '%e' "$2")
# TYPE sglang:generation_tokens_total counter
sglang:generation_tokens_total{model_name="m"} $(printf '%e' "$3")
# TYPE sglang:num_running_reqs gauge
sglang:num_running_reqs{model_name="m"} $4.0
# TYPE sglang:num_queue_reqs gauge
sglang:num_queue_reqs{model_name="m"} 0.0
EOF
	;;
	tgi) cat >"$d/metrics" <<EOF
# TYPE tgi_batch_current_size gauge
tgi_batch_current_size $4
# TYPE tgi_queue_size gauge
tgi_queue_size 0
# TYPE tgi_batch_inference_success counter
tgi_batch_inference_success{method="prefill"} $2
tgi_batch_inference_success{method="decode"} $3
EOF
	;;
	esac
}
for e in vllm sglang tgi; do
	pr() { run_script check_engine_progress HAFD_STALL_SEC=1 HAFD_CHECK=$e HAFD_URL="file://$TMP/metrics-$e"; }
	page $e 1000 50 2
	pr
	expect 0 "^OK: $e progress" "check_engine_progress: finds $e's metric names"
	sleep 1.2
	page $e 9000 50 2
	pr
	expect 0 "^OK: $e progress .* 2 running" "check_engine_progress ($e): prompt progress without a generated token is no stall"
	sleep 1.2
	pr
	expect 1 "^DOWN: no progress .* for [0-9]+s with 2 running" "check_engine_progress ($e): both still with requests running is a stall"
done

# --- notify-log -----------------------------------------------------------------
OUT=$(env -i PATH=/usr/bin:/bin HAFD_NOTIFY_LOG="$TMP/notify.log" HAFD_TYPE=INSTANCE \
	HAFD_PREV_STATE=BACKUP HAFD_VRID=51 HAFD_INTERFACE=eth0 HAFD_CAUSE="master down timer" \
	HAFD_ROUTER_ID=n1 "$SCRIPTS/notify-log" web MASTER 150)
RC=$?
OUT=$(cat "$TMP/notify.log")
expect 0 'router=n1 instance=web BACKUP -> MASTER priority=150 vrid=51 interface=eth0 cause="master down timer"' \
	"notify-log appends one line per transition"
