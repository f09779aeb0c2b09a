#!/bin/bash
# A rebooting primary must not take the VIP before its model is up (issue
# 16, section 1). n1 (priority 150) tracks an http check with a long
# startup_grace and a weight that would keep it above n2 (100) only while
# its service is up. n2 is master, its service healthy, when n1 starts with
# its engine loading (503): n1 follows n2 and stays backup until its check
# has risen, then preempts. Then both nodes boot while loading: no master
# to hear, so the grace counts as up and n1 is elected, as before.
. "$(dirname "$0")/lib.sh"
need_root
. "$(dirname "$0")/health-lib.sh"

tpl=$(lab_conf startup.conf - <<'T'
[check gen]
type = http
url = http://127.0.0.1:8000/health
interval = 200ms
timeout = 300ms
fall = 1
rise = 3
weight = -60
startup_grace = 60s

[instance web]
track = gen
T
)

lab_up -n 2 -c "$tpl" --no-start
start_fake_infer n1 loading
start_fake_infer n2 healthy
check "fake-infer: n1 loading, n2 healthy" wait_mode n1 loading && wait_mode n2 healthy
lab start n2
check "n2 alone becomes master" wait_log n2 'BACKUP -> MASTER' 10
check "n2's check comes up" wait_log n2 'check gen: INIT -> UP' 10
lab start n1
check "n1 starts and follows n2" wait_log n1 'INIT -> BACKUP' 5
check "n1 says it does not preempt while its check is unproven" \
	wait_log n1 'a tracked check has not passed yet: no preemption' 5
# 3 s: 15 runs of the check, 30 of n2's adverts; old hafd preempted in 0.1 s.
check "n1 stays backup while its engine loads" stays 3 not is_state n1 MASTER
check "n2 keeps the VIP" holds n2
check "n1 does not hold the VIP" not holds n1
mark n1; mark n2
set_mode n1 healthy
check "n1's check rises once the model is up" wait_new n1 'check gen: INIT -> UP' 10
check "then n1 preempts" wait_new n1 'BACKUP -> MASTER \(preempt' 5
check "n2 yields" wait_new n2 'MASTER -> BACKUP' 5
check "n1 holds the VIP" wait_holds n1
check "n2 released it" wait_not_holds n2
lab_down

# A cold start of both nodes while loading: one of them is elected.
lab_up -n 2 -c "$tpl" --no-start
start_fake_infer n1 loading
start_fake_infer n2 loading
check "fake-infer: both loading" wait_mode n1 loading && wait_mode n2 loading
lab start n1
lab start n2
check "cold start: n1 (priority 150, grace counts as up) is elected" wait_log n1 'BACKUP -> MASTER' 10
check "cold start: n2 stays backup" stays 1 not is_state n2 MASTER
check "cold start: n1 holds the VIP" wait_holds n1
