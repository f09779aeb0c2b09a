# deps.sh: Debian packages hafd needs, and their installation (sourced by
# scripts/check and scripts/demo).

# Build and run.
HAFD_BUILD_PKGS="build-essential autoconf automake libtool pkg-config
 libnl-3-dev libnl-route-3-dev libmnl-dev libnftnl-dev libinih-dev libcmocka-dev
 iproute2 nftables procps"
# Tests only: peers, packet tools, fuzzing, man page checks, the unit
# (systemd-analyze) and the Debian package (t-deb).
HAFD_TEST_PKGS="clang libclang-rt-dev iputils-ping arping tshark python3 python3-scapy
 keepalived frr curl jq psmisc man-db groff-base valgrind tcpdump prometheus
 systemd dpkg-dev debhelper fakeroot lintian
 postgresql-15 patroni etcd-server etcd-client python3-psycopg2 vip-manager haproxy"

# deps_install PKG...: install the packages that are missing (needs root).
deps_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "missing packages (run as root to install them): ${missing[*]}" >&2
		return 1
	fi
	echo "== installing: ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
	apt-get update -q >/dev/null &&
		apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
}

# deps_build DIR [CONFIGURE-ARGS...]: autoreconf when needed, configure, make.
deps_build() {
	local top dir=$1; shift
	top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	[ -x "$top/configure" ] && [ "$top/configure" -nt "$top/configure.ac" ] ||
		(cd "$top" && autoreconf -fi >/dev/null 2>&1) || return 1
	mkdir -p "$dir" || return 1
	if [ ! -f "$dir/Makefile" ] || [ "$top/configure" -nt "$dir/Makefile" ]; then
		(cd "$dir" && "$top/configure" -q "$@") || return 1
	fi
	(cd "$dir" && make -s -j"$(nproc 2>/dev/null || echo 2)" >/dev/null 2>"$dir/build.err")
	local rc=$?
	[ $rc -ne 0 ] && cat "$dir/build.err" >&2
	return $rc
}
