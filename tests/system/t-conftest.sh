#!/bin/bash
# hafd -t warns about what will fail at run time although the file is
# valid (issue 16, section 4): a script check whose program is a path
# that does not exist here, as the example's /usr/local/bin/check-gpu.
# The file stays OK (exit 0: it may be checked on another machine); the
# warning names file:line and key. A program found on PATH at run time
# (a bare name) and one that exists are not warned about.
. "$(dirname "$0")/lib.sh"

conf=$TMP/h.conf
cat >"$conf" <<EOF
[global]
runtime_dir = $TMP/run

[check gpu]
type = script
command = HAFD_GPUS=8 $TMP/nowhere/check-gpu --min-free 10
[check ok]
type = script
command = /bin/true
[check name]
type = script
command = true

[instance web]
interface = eth0
vrid = 51
virtual_ip = 10.0.0.1/24
track = gpu
track = ok
track = name
EOF
out=$("$HAFD" -t -f "$conf" 2>"$TMP/err")
rc=$?
diag "stdout: $out" "stderr: $(cat "$TMP/err")"
check "the file is still OK (exit 0)" test "$rc" = 0 -a "$out" = "configuration OK"
check "a missing program path is warned about, with file:line and key" \
	grep -qxF "$conf:6: [check gpu] command: warning: $TMP/nowhere/check-gpu does not exist: the check will fail until it does" "$TMP/err"
check "nothing else is warned about" test "$(wc -l <"$TMP/err")" = 1
