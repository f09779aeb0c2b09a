#!/bin/bash
# type = gpu (issue 17) in a 2-node lab, with the fake NVML library
# (tests/tools/fake-nvml.c) and a FIFO standing in for /dev/kmsg, one of
# each per node. n1 (150) tracks [check gpu] (min_gpus = 2, weight 0:
# down is FAULT; degrade_weight -60) on VRID 51 against n2 (100); VRID 52
# tracks nothing, so its adverts show that n1's loop keeps running.
#  - a GPU lost below min_gpus moves the VIP, and it comes back;
#  - a pending row remap degrades: 150 - 60 = 90 < 100 moves it;
#  - an NVML call that hangs (and ignores SIGTERM, as a helper stuck in
#    the driver does) is reported down within the check's timeout, while
#    n1 keeps advertising VRID 52, and no second helper runs meanwhile;
#  - a fatal Xid line in n1's kernel log moves the VIP;
#  - hafctl status shows each GPU (index, PCI address, ok / lost /
#    remap-pending / xid and the Xid), as a table and in its JSON;
#  - 32 GPUs in PCI domains of 5 digits: the helper's answer (about 500
#    characters) is read whole, not cut at 255.
. "$(dirname "$0")/lib.sh"
need_root

FAKE="$BUILDDIR/tests/tools/libfake-nvml.so"
export HAFD_NVML_HELPER="$BUILDDIR/libexec/hafd-nvml"
for f in "$FAKE" "$HAFD_NVML_HELPER"; do
	[ -e "$f" ] || { echo "1..0 # SKIP $f not built (make)"; exit 0; }
done
for n in n1 n2; do
	mkdir -p "$TMP/$n"
	cp "$FAKE" "$TMP/$n/libnvidia-ml.so.1"
	echo "gpus 2" >"$TMP/$n/fake-nvml.state"
	mkfifo "$TMP/$n/kmsg"
done

tpl=$(lab_conf gpu.conf - <<T
[check gpu]
type = gpu
interval = 200ms
timeout = 1s
rise = 1
fall = 1
min_gpus = 2
degrade_weight = -60
nvml_library = $TMP/@NODE@/libnvidia-ml.so.1
xid_source = $TMP/@NODE@/kmsg
[instance web]
track = gpu
hold_down = 0
[instance other]
vrid = 52
virtual_ip = 10.77.0.101/24
T
)

state() { echo "$2" >"$TMP/$1/fake-nvml.state"; }   # NODE WORDS
hafctl_of() { in_ns "$1" "$BUILDDIR/hafctl" -s "$HAFD_LAB_DIR/$PREFIX/$1/run/hafd.sock" "${@:2}"; }
# GPU I of NODE's check gpu in `hafctl status --json` is STATE (and XID).
gpu_shows() {   # NODE I STATE [XID]
	hafctl_of "$1" status --json | jq -en --argjson i "$2" --arg s "$3" --arg x "${4:-}" \
		'input | .checks[] | select(.name == "gpu") | .gpus[$i] |
		 .index == $i and .state == $s and ((.xid | tostring) == (if $x == "" then "null" else $x end))' >/dev/null
}
# The text status has the row "gpu I PCI STATE XID".
gpu_row() {   # NODE I PCI STATE XID
	hafctl_of "$1" status | grep -qE "^gpu +$2 +$3 +$4 +$5\$"
}

lab_up -n 2 -c "$tpl"
check "n1 (150) is master of VRID 51" wait_holds n1 10.77.0.100 10
check "n1 is master of VRID 52" wait_holds n1 10.77.0.101 10
check "n2 (100) is backup" wait_state n2 BACKUP 10 "VRID 51"
check "the check passes with 2 GPUs" wait_log n1 'check gpu: .*-> UP' 5

# GPU 1 lost: NVML_ERROR_GPU_IS_LOST; 1 healthy < min_gpus 2.
state n1 "gpus 2 lost 1"
check "a lost GPU below min_gpus: n1 in FAULT" wait_state n1 FAULT 5 "VRID 51"
check "the log says which GPU" wait_log n1 'check gpu: UP -> DOWN \(GPU 1 \(0000:00:07\) lost: 1 healthy, below min_gpus 2\)' 5
check "n2 takes the VIP" wait_holds n2 10.77.0.100 5
check "hafctl status --json: GPU 1 lost, GPU 0 ok" eval 'gpu_shows n1 1 lost && gpu_shows n1 0 ok'
check "hafctl status: a row per GPU" eval 'gpu_row n1 0 0000:00:06 ok - && gpu_row n1 1 0000:00:07 lost -'
state n1 "gpus 2"
check "GPU back: n1 preempts" wait_holds n1 10.77.0.100 10

# A pending row remap: DEGRADED, degrade_weight -60.
mark=$(log_mark n1)
state n1 "gpus 2 pending 0"
check "remap pending degrades n1" wait_log_since n1 "$mark" 'check gpu: UP -> DEGRADED \(GPU 0 \(0000:00:06\) row remap pending\)' 5
check "150 - 60 < 100: n2 takes the VIP" wait_holds n2 10.77.0.100 5
check "n1 is backup, not in fault" wait_state n1 BACKUP 5 "VRID 51"
check "hafctl status --json: GPU 0 remap-pending" gpu_shows n1 0 remap-pending
state n1 "gpus 2"
check "remap done: n1 preempts" wait_holds n1 10.77.0.100 10

# A hung NVML call. Each query logs "init PID" in fake-nvml.log.
: >"$TMP/n1/fake-nvml.log"
mark=$(log_mark n1)
mark2=$(log_mark n2)
state n1 "gpus 2 hang"
t0=$(_now_ms)
check "the hung query is reported down" wait_log_since n1 "$mark" 'check gpu: UP -> DOWN \(NVML query timed out after 1000 ms \(helper pid [0-9]+ signalled\)\)' 5
t1=$(_now_ms)
# The first hung query starts within an interval, then the timeout runs:
# well under 1 s + 200 ms + the log's polling; a generous bound.
check "reported within the check's timeout (took $((t1 - t0)) ms)" test $((t1 - t0)) -lt 3000
check "n2 takes VRID 51" wait_holds n2 10.77.0.100 5
check "a later run says the helper is stuck" wait_log_since n1 "$mark" 'NVML helper pid [0-9]+ still running after SIGTERM: no new query until it ends' 5
# While queries hang: never two helpers alive at once, and VRID 52's
# master keeps advertising (n2 stays backup there).
overlap=0
alive() {
	local n=0 pid
	for pid in $(awk '{ print $2 }' "$TMP/n1/fake-nvml.log"); do
		[ -d "/proc/$pid" ] && [ "$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null)" != Z ] && n=$((n + 1))
	done
	echo $n
}
for _ in $(seq 40); do
	[ "$(alive)" -le 1 ] || overlap=1
	sleep 0.1
done
check "never two NVML helpers at once" test $overlap = 0
inits=$(wc -l <"$TMP/n1/fake-nvml.log")
secs=$(( ($(_now_ms) - t0 + 999) / 1000 ))
diag "queries started while hung: $inits in $secs s"
# One per timeout + SIGKILL's second (2 s), not one per 200 ms interval.
check "no query started while one was stuck ($inits in $secs s)" test "$inits" -le $((secs / 2 + 1))
check "n1 kept advertising VRID 52" is_state n1 MASTER "VRID 52"
check "n2 stayed backup of VRID 52" not _log_since_has n2 "$mark2" 'VRID 52\] [A-Z]+ -> MASTER'
check "the stuck helper ended with SIGKILL" wait_log n1 'the stuck NVML helper ended after [0-9]+ ms \(SIGKILL\)' 5
state n1 "gpus 2"
check "NVML answers again: n1 preempts" wait_holds n1 10.77.0.100 10

# A fatal Xid in n1's kernel log, as /dev/kmsg hands it; NVML says ok.
mark=$(log_mark n1)
printf '%s\n' '3,812,93512345,-;NVRM: Xid (PCI:0000:00:07): 79, pid=2214, GPU has fallen off the bus.' >"$TMP/n1/kmsg"
check "the Xid is logged" wait_log_since n1 "$mark" 'check gpu: fatal Xid 79 on 0000:00:07' 5
check "a fatal Xid: n1 in FAULT" wait_log_since n1 "$mark" 'check gpu: UP -> DOWN \(GPU 1 \(0000:00:07\) Xid 79: 1 healthy, below min_gpus 2\)' 5
check "n2 takes the VIP" wait_holds n2 10.77.0.100 5
check "n1 stays down: the Xid holds until a restart" stays 1 is_state n1 FAULT "VRID 51"
check "hafctl status --json: GPU 1 bad by its Xid 79" gpu_shows n1 1 xid 79
check "hafctl status: GPU 1's row names Xid 79" gpu_row n1 1 0000:00:07 xid 79

# 32 GPUs whose PCI domain has 5 digits (Intel VMD): an answer of 495
# characters, which hafd once cut at 255 (the check went down on a
# healthy host). The last GPU's remap pending must be read.
state n1 "gpus 32 domain 10000 pending 31"
lab restart n1 >/dev/null
check "32 GPUs: the last one's remap pending is read" wait_last_run n1 \
	'check gpu: [A-Z]+ -> DEGRADED \(GPU 31 \(10000:01:05\) row remap pending\)' 10
check "32 GPUs: hafctl shows all of them" eval 'gpu_shows n1 31 remap-pending && gpu_shows n1 30 ok'
