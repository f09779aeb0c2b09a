# health-lib.sh: helpers for the health-check and notify system tests
# (sourced after lib.sh).

FAKE_INFER="$SRCDIR/tests/tools/fake-infer"

# The first lines of a [check gen] section: fake-infer's one-token
# completion, as ai-services.md recommends. Tests add timing and weights:
#   lab_conf NAME "${GEN_CHECK[@]}" - <<'T' (interval = ..., [instance web] ...)
GEN_CHECK=('[check gen]' 'type = http' 'url = http://127.0.0.1:8000/v1/completions'
	'method = POST' 'header = Content-Type: application/json'
	'body = {"model":"fake-model","prompt":"ping","max_tokens":1,"temperature":0}'
	'expect_body = "choices"')

# Milliseconds since midnight, now or from a log line's HH:MM:SS.mmm stamp
# (the same clock: the lab logs to stderr with local time).
now_ms() { stamp_ms "$(date +%H:%M:%S.%3N)"; }
stamp_ms() {
	local h m s ms
	IFS=:. read -r h m s ms <<<"${1%% *}"
	echo $(((10#$h * 3600 + 10#$m * 60 + 10#$s) * 1000 + 10#$ms))
}
# Stamp of the first line after the mark matching REGEX, in ms.
new_line_ms() { stamp_ms "$(since_mark "$1" | grep -E -- "$2" | head -1)"; }

# fake-infer on NODE's own 127.0.0.1:8000, its mode in $TMP/mode-NODE.
# The lab's `down` kills whatever still runs in its namespaces.
start_fake_infer() {   # NODE [MODE]
	echo "${2:-healthy}" >"$TMP/mode-$1"
	in_ns "$1" "${PYTHON:-python3}" "$FAKE_INFER" --port 8000 --control "$TMP/mode-$1" \
		>>"$TMP/fake-$1.log" 2>&1 &
	on_exit "kill $!"
}

# Wait until NODE's fake-infer has read MODE and /health answers as MODE
# does. /health alone cannot tell healthy from wedged or overloaded (all
# 200), nor loading from engine-dead: /control without a mode names the
# mode fake-infer has read from its file (every 50 ms). A slow mode's
# /health is slow on purpose: its /control answer is enough.
wait_mode() {   # NODE MODE
	local want=200 deadline=$((SECONDS + 10))
	case $2 in loading|engine-dead) want=503 ;; dead) want=000 ;; esac
	while [ $SECONDS -le $deadline ]; do
		if [ "$2" = dead ] || in_ns "$1" curl -s -m 0.5 http://127.0.0.1:8000/control |
			grep -qF "\"mode\": \"$2\""; then
			[ "$2" = slow ] && return 0
			[ "$(in_ns "$1" curl -s -o /dev/null -m 0.5 -w '%{http_code}' \
				http://127.0.0.1:8000/health)" = "$want" ] && return 0
		fi
		sleep 0.05
	done
	return 1
}
set_mode() { echo "$2" >"$TMP/mode-$1"; wait_mode "$1" "${2%% *}"; }   # NODE MODE...

# mark NODE, then wait_new NODE REGEX [SECS]: a matching line logged after
# the mark (the logs keep every earlier transition).
mark() { eval "MARK_$1=$(log_of "$1" | wc -l)"; }
since_mark() { local m="MARK_$1"; log_of "$1" | tail -n +$((${!m:-0} + 1)); }
wait_new() {   # NODE REGEX [SECS]
	local deadline=$((SECONDS + ${3:-10}))
	while [ $SECONDS -le $deadline ]; do
		since_mark "$1" | grep -qE -- "$2" && return 0
		sleep 0.05
	done
	return 1
}
count_new() { since_mark "$1" | grep -cE -- "$2"; }   # NODE REGEX

# Passes in a row that brought CHECK up, from the debug lines (hafd -D)
# after the mark: the passes just before "-> UP", plus the one that made it.
passes_before_up() {   # NODE CHECK
	since_mark "$1" | awk -v c="check $2: " '
		index($0, c) == 0 { next }
		index($0, c "pass in") { run++; next }
		index($0, c "fail in") || index($0, c "degraded in") { run = 0; next }
		/ -> UP / { print run + 1; exit }'
}

wait_for_file_line() {   # FILE REGEX [SECS]
	local deadline=$((SECONDS + ${3:-10}))
	while [ $SECONDS -le $deadline ]; do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# The last state transition of NODE's log matches REGEX (and stays so).
wait_log_last() {   # NODE REGEX [SECS]
	local deadline=$((SECONDS + ${3:-10}))
	while [ $SECONDS -le $deadline ]; do
		log_of "$1" | grep -E ' -> [A-Z]+ \(' | grep -F "${4:-}" | tail -1 | grep -qE -- "$2" &&
			return 0
		sleep 0.05
	done
	return 1
}

# FILE has not changed for SECS seconds and its last line is an "end".
wait_quiet() {   # FILE SECS
	local last="" now deadline=$((SECONDS + 20)) stable=0
	while [ $SECONDS -le $deadline ]; do
		now=$(md5sum <"$1")
		if [ "$now" = "$last" ] && tail -1 "$1" | grep -q '^end'; then
			stable=$((stable + 1))
			[ $stable -ge $(($2 * 10)) ] && return 0
		else
			stable=0
		fi
		last=$now
		sleep 0.1
	done
	return 1
}

# Lines alternate start / end, starting with start.
alternates() {   # FILE
	awk '{ want = (NR % 2) ? "start" : "end"; if ($1 != want) exit 1 }' "$1"
}

# Every line of A appears in B, in the same order (B may have more).
subsequence() {   # A B (newline-separated words)
	awk -v a="$1" -v b="$2" 'BEGIN {
		na = split(a, x, "\n"); nb = split(b, y, "\n"); j = 1
		for (i = 1; i <= na; i++) {
			while (j <= nb && y[j] != x[i]) j++
			if (j > nb) exit 1
			j++
		}
	}'
}

# A two-node lab from TEMPLATE where each node's engine is fake-infer,
# healthy, before hafd starts on n1 and n2.
engine_pair_up() {   # TEMPLATE
	lab_up -n 2 -c "$1" --no-start
	for n in n1 n2; do start_fake_infer "$n"; done
	check "fake-infer answers on n1 and n2" wait_mode n1 healthy && wait_mode n2 healthy
	lab start n1
	lab start n2
}
