# patroni-lib.sh: a replicated PostgreSQL lab for the Patroni tests and
# bench (sourced after lib.sh, bash).
#
# On top of a hafd-lab lab of 2 nodes: etcd 3.4 in the client namespace
# (10.77.0.2:2379, the DCS), and on each node PostgreSQL 15 run by Patroni
# (REST API on :8008, PostgreSQL on :5432, synchronous mode), with the
# Debian packages' binaries. Patroni's timings are small (PG_TTL,
# PG_LOOP_WAIT, PG_RETRY_TIMEOUT) so that a failover fits a test. Patroni
# calls libexec/hafd-patroni-callback on role changes, which asks the
# node's hafd (check "pg") to run its check at once. Everything lives
# under $PGLAB (owned by postgres: PostgreSQL refuses to run as root) and
# every process is stopped by pid at exit.
#
# A writer in the client namespace (pg_writer) inserts through the VIP
# every 10 ms and logs each acknowledged row; a sampler (pg_sampler) logs,
# every 20 ms, which node holds the VIP and what its Patroni says.

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PG_TTL=${PG_TTL:-10}
PG_LOOP_WAIT=${PG_LOOP_WAIT:-1}
PG_RETRY_TIMEOUT=${PG_RETRY_TIMEOUT:-3}
PG_VIP=10.77.0.100
PG_SCOPE=lab$PREFIX
CALLBACK="$SRCDIR/libexec/hafd-patroni-callback"

pg_need() {   # skip the test when a package is missing
	local p missing=""
	for p in patroni etcd-server python3-psycopg2 postgresql-15; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
			missing+=" $p"
	done
	if [ -n "$missing" ]; then
		echo "1..0 # SKIP missing Debian packages:$missing (scripts/deps.sh)"
		exit 77
	fi
	[ -x /usr/bin/etcd ] || { echo "1..0 # SKIP no /usr/bin/etcd (etcd-server)"; exit 77; }
}

# Daemons started in the background go through ip netns exec directly (it
# execs them): $! is then the daemon itself, for the cleanup's kill.
pg_ns() { case $1 in client) echo "$PREFIX-c" ;; *) echo "$PREFIX-$1" ;; esac; }

PGLAB=$(mktemp -d /tmp/hafd-pg.XXXXXX)
chmod 755 "$PGLAB"
_pg_pids=()
_pg_stop_all() {
	local p
	for p in "${_pg_pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
	# Patroni's children (postgres) by their pid files: the postmaster
	# first line of postmaster.pid; SIGQUIT is an immediate shutdown.
	for p in "$PGLAB"/pg*/data/postmaster.pid; do
		[ -f "$p" ] && kill -QUIT "$(head -1 "$p")" 2>/dev/null
	done
	sleep 0.3
	for p in "$PGLAB"/pg*/data/postmaster.pid; do
		[ -f "$p" ] && kill -KILL "$(head -1 "$p")" 2>/dev/null
	done
	_pg_pids=()
}
# A postgres process that is still exiting may write a file while rm
# walks the tree: try again.
_pg_cleanup() {
	_pg_stop_all
	rm -rf "$PGLAB" 2>/dev/null || { sleep 1; rm -rf "$PGLAB"; }
}
on_exit _pg_cleanup
# Stop everything of a lab and start afresh (the bench, between movers).
pg_lab_down() {
	PG_DCS=etcd3
	_pg_stop_all
	lab_down
	rm -rf "${PGLAB:?}"/*
}

# A hafd.conf template: the instance tracks the Patroni check; no
# preemption (the check decides, not the priority).
# A second check, "slow", polls once an hour: only a callback runs it.
# 20 ms adverts: a former master still advertising makes the new leader's
# node wait its Master_Down_Interval (about 70 ms) after its check passes;
# otherwise it goes from FAULT to MASTER at once (request = patroni).
# fence_port: while not master, a node resets
# connections to the VIP's port 5432 (a client sent there by a stale
# neighbour entry fails at once instead of hanging).
pg_hafd_conf() {   # [INTERVAL]
	lab_conf patroni.conf - <<EOF
[global]
control_group = postgres
[check pg]
type = http
request = patroni
url = http://127.0.0.1:8008
interval = ${1:-200ms}
timeout = 500ms
rise = 1
fall = 1
[check slow]
type = http
request = patroni
url = http://127.0.0.1:8008
interval = 60m
[instance lab]
track = pg
advert_interval = 20ms
fence_port = 5432
EOF
}

etcd_start() {
	mkdir -p "$PGLAB/etcd"
	ip netns exec "$(pg_ns client)" /usr/bin/etcd --name e1 --data-dir "$PGLAB/etcd" \
		--listen-client-urls http://10.77.0.2:2379 \
		--advertise-client-urls http://10.77.0.2:2379 \
		--listen-peer-urls http://10.77.0.2:2380 \
		--initial-advertise-peer-urls http://10.77.0.2:2380 \
		--initial-cluster e1=http://10.77.0.2:2380 \
		--heartbeat-interval 50 --election-timeout 500 --enable-v2=true \
		>"$PGLAB/etcd.log" 2>&1 &
	_pg_pids+=($!)
	local i
	for i in $(seq 1 100); do
		in_ns client curl -s -m 1 http://10.77.0.2:2379/health 2>/dev/null | grep -q true &&
			return 0
		sleep 0.1
	done
	return 1
}

# Patroni of node nI (pgI), its configuration in $PGLAB/pgI/patroni.yml.
patroni_conf() {   # I
	local i=$1 d="$PGLAB/pg$1"
	mkdir -p "$d"
	cat >"$d/patroni.yml" <<EOF
scope: $PG_SCOPE
name: pg$i
log:
  level: INFO
restapi:
  listen: 0.0.0.0:8008
  connect_address: 10.77.0.1$i:8008
${PG_DCS:-etcd3}:
  hosts: 10.77.0.2:2379
bootstrap:
  dcs:
    ttl: $PG_TTL
    loop_wait: $PG_LOOP_WAIT
    retry_timeout: $PG_RETRY_TIMEOUT
    maximum_lag_on_failover: 1048576
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 5
        max_replication_slots: 5
        wal_log_hints: "on"
        fsync: "off"
        # A leader demoted by a switchover waits, as it shuts down, for
        # the standby to confirm the last WAL; a standby that promotes
        # first never does, and the old leader hangs in "demote in
        # progress" until this timeout (60 s by default) before it can
        # rejoin as a replica.
        wal_sender_timeout: 5s
  initdb:
  - encoding: UTF8
  - auth: trust
  pg_hba:
  - local all all trust
  - host all all 127.0.0.1/32 trust
  - host all all 10.77.0.0/24 trust
  - host replication replicator 10.77.0.0/24 trust
postgresql:
  listen: 0.0.0.0:5432
  connect_address: 10.77.0.1$i:5432
  data_dir: $d/data
  bin_dir: $PG_BIN
  pgpass: $d/pgpass
  authentication:
    superuser:
      username: postgres
      password: lab
    replication:
      username: replicator
      password: lab
  parameters:
    unix_socket_directories: $d
  callbacks:
    on_role_change: $CALLBACK -s $HAFD_LAB_DIR/$PREFIX/n$i/run/hafd.sock pg
    on_start: $CALLBACK -s $HAFD_LAB_DIR/$PREFIX/n$i/run/hafd.sock pg
    on_stop: $CALLBACK -s $HAFD_LAB_DIR/$PREFIX/n$i/run/hafd.sock pg
    on_restart: $CALLBACK -s $HAFD_LAB_DIR/$PREFIX/n$i/run/hafd.sock pg
EOF
	chown -R postgres:postgres "$d"
}

# Start Patroni on node nI as postgres; its pid in $PGLAB/pgI/pid.
patroni_start() {   # I
	local i=$1 d="$PGLAB/pg$1"
	ip netns exec "$(pg_ns "n$i")" setpriv --reuid=postgres --regid=postgres --init-groups \
		env HOME="$d" HAFCTL="$BUILDDIR/hafctl" PATH=/usr/bin:/bin \
		/usr/bin/patroni "$d/patroni.yml" >>"$d/log" 2>&1 </dev/null &
	echo $! >"$d/pid"
	_pg_pids+=($!)
}

# The pid of the postmaster of node nI (empty when none).
postmaster_pid() { head -1 "$PGLAB/pg$1/data/postmaster.pid" 2>/dev/null; }

# What node nI's Patroni says on /primary: its status, or 000.
pg_primary_status() {   # I
	ip netns exec "$(pg_ns "n$1")" curl -s -o /dev/null -w '%{http_code}' -m 0.5 \
		http://127.0.0.1:8008/primary
}
# Node nI holds the VIP (ip alone: the sampler runs it often).
pg_holds() { ip -n "$(pg_ns "n$1")" -br addr show dev eth0 2>/dev/null | grep -qw "$PG_VIP"; }
# The node whose Patroni is the leader with a read-write PostgreSQL.
pg_leader() {
	local i body
	for i in 1 2; do
		body=$(ip netns exec "$(pg_ns "n$i")" curl -s -m 0.5 -w ' %{http_code}' \
			http://127.0.0.1:8008/primary)
		case "$body" in
		*'"state": "running"'*'"role": "master"'*' 200') echo "$i"; return 0 ;;
		esac
	done
	return 1
}
wait_pg_leader() {   # [SECS]: prints the leader's index
	local deadline=$((SECONDS + ${1:-30}))
	while [ $SECONDS -le $deadline ]; do
		pg_leader && return 0
		sleep 0.1
	done
	return 1
}
# The replica may take over: the DCS names it the synchronous standby (its
# own answer says "sync_standby": true; otherwise Patroni will not promote
# it, "not the healthiest node"), and the leader (the other node) lists it
# as streaming with sync_state sync (the DCS's word alone may name a
# member that has not caught up yet).
pg_sync_ready() {   # I: of the replica
	ip netns exec "$(pg_ns "n$1")" curl -s -m 0.5 http://127.0.0.1:8008/replica |
		grep -q '"sync_standby": true' &&
	ip netns exec "$(pg_ns "n$((3 - $1))")" curl -s -m 0.5 http://127.0.0.1:8008/primary |
		grep -q "\"application_name\": \"pg$1\"[^}]*\"state\": \"streaming\", \"sync_state\": \"sync\""
}

# The movers the bench compares with hafd (bench/patroni): keepalived with
# a curl /primary script as such setups write it (1 s adverts, script
# every second, weight 0: FAULT when it fails), and vip-manager, which
# watches Patroni's leader key in etcd. vip-manager 1.0.2 (Debian 12) reads
# etcd's v2 API only, whose keys are apart from v3's: with it, Patroni
# uses its etcd (v2) store (PG_DCS=etcd) and etcd serves v2 too.
pg_keepalived_conf() {   # ADVERT_INT
	write_template ka-patroni.conf <<EOF
global_defs {
    router_id @NODE@
    vrrp_version 3
    script_user root
}
vrrp_script pg {
    script "/usr/bin/curl -sf -o /dev/null -m 1 http://127.0.0.1:8008/primary"
    interval 1
    timeout 2
    fall 1
    rise 1
}
vrrp_instance lab {
    state BACKUP
    interface eth0
    virtual_router_id 51
    priority 100
    advert_int ${1:-1}
    virtual_ipaddress {
        @VIP4@/24 dev eth0
    }
    track_script {
        pg
    }
}
EOF
}
vip_manager_start() {   # I
	ip netns exec "$(pg_ns "n$1")" /usr/bin/vip-manager --ip "$PG_VIP" --netmask 24 \
		--interface eth0 --trigger-key "/service/$PG_SCOPE/leader" --trigger-value "pg$1" \
		--dcs-type etcd --dcs-endpoints http://10.77.0.2:2379 --interval "${VIP_MANAGER_INTERVAL:-100}" \
		>>"$PGLAB/vip-manager-n$1.log" 2>&1 </dev/null &
	_pg_pids+=($!)
}

# Bring up the lab: hafd on both nodes with the Patroni check (or another
# mover: MOVER hafd, keepalived, vip-manager), etcd, Patroni n1 first (it
# bootstraps), then n2; wait for a sync replica.
pg_lab_up() {   # [INTERVAL] [MOVER]
	local tpl mover=${2:-hafd}
	case $mover in
	hafd) tpl=$(pg_hafd_conf "${1:-}"); lab_up -n 2 -c "$tpl" ;;
	keepalived) tpl=$(pg_keepalived_conf); lab_up -n 2 --daemons keepalived,keepalived -k "$tpl" ;;
	vip-manager) PG_DCS=etcd; lab_up -n 2 --no-start ;;
	esac
	# The callback runs as postgres: let it reach the control sockets.
	chmod 755 "$HAFD_LAB_DIR" "$HAFD_LAB_DIR/$PREFIX" "$HAFD_LAB_DIR/$PREFIX"/n[12] \
		"$HAFD_LAB_DIR/$PREFIX"/n[12]/run 2>/dev/null
	etcd_start || { ok 1 "etcd starts"; return 1; }
	patroni_conf 1
	patroni_conf 2
	patroni_start 1
	wait_pg_leader 60 >/dev/null || { ok 1 "Patroni n1 bootstraps"; return 1; }
	patroni_start 2
	if [ "$mover" = vip-manager ]; then vip_manager_start 1; vip_manager_start 2; fi
	local deadline=$((SECONDS + 60))
	while [ $SECONDS -le $deadline ]; do
		pg_sync_ready 2 && return 0
		sleep 0.2
	done
	ok 1 "n2 becomes a synchronous replica"
	return 1
}

# The psql of the Debian package, as postgres, against HOST.
pg_sql() {   # NODE|client HOST SQL
	in_ns "$1" setpriv --reuid=postgres --regid=postgres --init-groups \
		"$PG_BIN/psql" -X -q -At -h "$2" -U postgres -d postgres -c "$3"
}

# The writer: python3 + psycopg2 in the client namespace. One row per
# 10 ms through the VIP, autocommit; the id of each acknowledged row is
# logged as "ok ID T" (T: the time, seconds since the epoch), each failure as
# "err ID T why". A connection is made with a 1 s timeout and
# tcp_user_timeout = 1 s, so that a write to a vanished server fails
# instead of hanging. SIGTERM ends it.
pg_writer_start() {   # LOG
	cat >"$PGLAB/writer.py" <<'EOF'
import signal, sys, time
import psycopg2

log = open(sys.argv[1], "w", buffering=1)
stop = False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
conn = None
i = 0
while not stop:
    i += 1
    t0 = time.monotonic()
    try:
        if conn is None:
            conn = psycopg2.connect(host=sys.argv[2], user="postgres", dbname="postgres",
                                    connect_timeout=1, tcp_user_timeout=1000,
                                    keepalives=1, keepalives_idle=1, keepalives_interval=1,
                                    keepalives_count=1)
            conn.autocommit = True
        with conn.cursor() as c:
            c.execute("INSERT INTO w(id) VALUES (%s)", (i,))
        log.write("ok %d %.3f\n" % (i, time.time()))
    except Exception as e:
        log.write("err %d %.3f %s\n" % (i, time.time(), str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__))
        try:
            conn.close()
        except Exception:
            pass
        conn = None
    d = 0.01 - (time.monotonic() - t0)
    if d > 0:
        time.sleep(d)
EOF
	pg_sql client "$PG_VIP" "CREATE TABLE IF NOT EXISTS w (id bigint PRIMARY KEY)" || return 1
	ip netns exec "$(pg_ns client)" /usr/bin/python3 "$PGLAB/writer.py" "$1" "$PG_VIP" &
	_pg_writer=$!
	_pg_pids+=($!)
}
pg_writer_stop() {
	kill -TERM "$_pg_writer" 2>/dev/null
	wait "$_pg_writer" 2>/dev/null
}

# Rows acknowledged to the writer (log) that the leader does not have:
# their ids, one a line.
pg_lost_ids() {   # LOG LEADER-INDEX
	local have
	have=$(pg_sql "n$2" 127.0.0.1 "SELECT id FROM w ORDER BY id") || { echo "?"; return 1; }
	awk '$1 == "ok" { print $2 }' "$1" | sort | comm -23 - <(sort <<<"$have") | sort -n
}
pg_lost() { pg_lost_ids "$@" | wc -l; }   # LOG LEADER-INDEX
# The longest run of failed writes in LOG, in ms (first failure to the next
# success).
pg_outage_ms() {   # LOG
	awk '$1 == "err" && !s { s = $3 } $1 == "ok" { if (s) { d = $3 - s; if (d > m) m = d; s = 0 } }
	     END { printf "%d\n", m * 1000 }' "$1"
}

# The sampler: every 20 ms, who holds the VIP and what each Patroni says
# on /primary, asked while holding: lines "T H1 S1 H2 S2 R1 R2" (Hi 1 when
# node i held the VIP before and after asking, Si its status, Ri 1 when
# the answer also says read-write: what the check asks). One python3
# process that enters each node's namespace in turn (setns): a VIP is held
# when a socket can bind to it.
pg_sampler_start() {   # LOG
	cat >"$PGLAB/sampler.py" <<'EOF'
import ctypes, http.client, os, socket, sys, time

libc = ctypes.CDLL("libc.so.6", use_errno=True)
CLONE_NEWNET = 0x40000000
vip, out = sys.argv[1], open(sys.argv[2], "w", buffering=1)
fds = [os.open("/run/netns/" + ns, os.O_RDONLY) for ns in sys.argv[3:5]]

def holds():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind((vip, 0))
        return 1
    except OSError:
        return 0
    finally:
        s.close()

def primary():
    try:
        c = http.client.HTTPConnection("127.0.0.1", 8008, timeout=0.3)
        c.request("GET", "/primary")
        r = c.getresponse()
        body = r.read().decode("utf-8", "replace")
        c.close()
    except Exception:
        return "000", 0
    rw = r.status == 200 and '"state": "running"' in body and \
        '"role": "master"' in body and '"location"' in body
    return str(r.status), int(rw)

while True:
    line, rws = "%.3f" % time.time(), ""
    for fd in fds:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            sys.exit("setns: %s" % os.strerror(ctypes.get_errno()))
        h = holds()
        st, rw = primary()
        h = h and holds()
        line += " %d %s" % (h, st)
        rws += " %d" % rw
    out.write(line + rws + "\n")
    time.sleep(0.02)
EOF
	/usr/bin/python3 "$PGLAB/sampler.py" "$PG_VIP" "$1" "$(pg_ns n1)" "$(pg_ns n2)" 2>>"$PGLAB/sampler.err" &
	_pg_sampler=$!
	_pg_pids+=($!)
}
pg_sampler_stop() { kill "$_pg_sampler" 2>/dev/null; wait "$_pg_sampler" 2>/dev/null; }
# Samples where the VIP was on a node while the other was Patroni's leader,
# or on both: the address on the wrong server. (A leader that is being
# demoted answers 503 while PostgreSQL shuts down, before any callback:
# pg_stale counts those samples, where nobody is the leader.)
pg_violations() { awk '($2 && $5 == 200) || ($4 && $3 == 200) || ($2 && $4)' "$1"; }
pg_stale() { awk '($2 && $3 != 200 && $5 != 200) || ($4 && $5 != 200 && $3 != 200)' "$1" | wc -l; }

# What a client connecting to VIP:5432 sees (lib.sh's tcp_try).
pg_tcp_try() { tcp_try "$PG_VIP" 5432; }
# Cut node nI off from etcd (in the client namespace, port 2379), from the
# other node and from VRRP, in its own namespace with a table of its own;
# the client (the writer) still reaches it. pg_heal undoes it.
pg_partition() {   # I
	in_ns "n$1" nft -f - <<EOF
table inet pgpart {
	chain in {
		type filter hook input priority -300; policy accept;
		tcp sport 2379 drop
		ip saddr 10.77.0.1$((3 - $1)) drop
		ip protocol vrrp drop
	}
	chain out {
		type filter hook output priority -300; policy accept;
		tcp dport 2379 drop
		ip daddr 10.77.0.1$((3 - $1)) drop
		ip protocol vrrp drop
	}
}
EOF
}
pg_heal() { in_ns "n$1" nft delete table inet pgpart 2>/dev/null; }   # I
