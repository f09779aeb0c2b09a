#!/bin/bash
# Overload is not death (issue 16, section 2). n1's http check probes a
# one-token completion with on_timeout = degrade, timeout_fall = 3 and
# slow_after = 400ms; degrade_weight -60 takes n1 (150) below n2 (100).
#  - slow (answers in 0.6 s, inside the 1 s timeout): DEGRADED, kind slow,
#    the VIP moves by priority and n1 is never in FAULT;
#  - wedged (no answer: a timeout each run): DEGRADED for two runs, DOWN at
#    the third timeout in a row, and weight 0 puts n1 in FAULT. Before
#    timeout_fall, a wedged engine stayed DEGRADED for ever.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

tpl=$(lab_conf overload.conf "${GEN_CHECK[@]}" - <<'T'
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
)

export HAFD_ARGS=-D
engine_pair_up "$tpl"
check "n1's check comes up" wait_log n1 'check gen: INIT -> UP' 10
check "n1 (priority 150) holds the VIP" wait_holds n1 10.77.0.100 10

mark n1; mark n2
set_mode n1 "slow delay=0.6"
check "slow: n1's check is DEGRADED, kind slow" \
	wait_new n1 'check gen: UP -> DEGRADED \(status 200, slow: [0-9]+ ms, slow_after 400 ms\)' 10
check "slow: n2 takes over by priority (150 - 60 < 100)" wait_new n2 'BACKUP -> MASTER' 5
check "slow: n1 is never in FAULT" stays 2 not is_state n1 FAULT
check "slow: n2 holds the VIP" wait_holds n2
mark n1; mark n2
set_mode n1 healthy
check "slow over: n1's check returns UP" wait_new n1 'check gen: DEGRADED -> UP' 10
check "slow over: n1 preempts back" wait_holds n1 10.77.0.100 10

mark n1; mark n2
set_mode n1 wedged
check "wedged: the first timeout is DEGRADED" wait_new n1 'check gen: UP -> DEGRADED \(timed out' 10
check "wedged: the third timeout in a row is DOWN" \
	wait_new n1 'check gen: DEGRADED -> DOWN \(.*\(3 timeouts in a row\)\)' 10
check "wedged: n1 enters FAULT (weight 0)" wait_new n1 '-> FAULT \(fault\)' 5
check "wedged: n2 holds the VIP" wait_holds n2
check "wedged: the second timeout was degraded too (debug line)" \
	test "$(count_new n1 'check gen: degraded in [0-9]+ ms \(timed out')" = 1
