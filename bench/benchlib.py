"""benchlib: what bench/failover and bench/scale share (Python standard library only).

- Paths: the hafd binary ($HAFD, default ../build/hafd), hafd-probe ($HAFD_PROBE,
  default tests/tools/hafd-probe beside $HAFD), tools/hafd-lab.
- Lab: a tools/hafd-lab lab under a prefix unique to this process, removed on
  exit, also on failure or a signal (see cleanup()).
- Statistics (median, linear-interpolated percentiles) and plain-text tables.
- Machine facts for the result files (nproc, CPU model, kernel, load average).
"""
import atexit
import datetime
import os
import platform
import signal
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(BENCH)
LAB_SCRIPT = os.path.join(SRC, "tools", "hafd-lab")
LAB_DIR = os.environ.get("HAFD_LAB_DIR", "/run/hafd-lab")
FAKE_INFER = os.path.join(SRC, "tests", "tools", "fake-infer")


def hafd_bin():
    path = os.environ.get("HAFD") or os.path.join(SRC, "build", "hafd")
    return os.path.abspath(path)


def probe_bin():
    path = os.environ.get("HAFD_PROBE") or os.path.join(
        os.path.dirname(hafd_bin()), "tests", "tools", "hafd-probe")
    return os.path.abspath(path)


def die(msg):
    print(f"{os.path.basename(sys.argv[0])}: {msg}", file=sys.stderr)
    sys.exit(1)


def preflight(need_keepalived=True):
    """Root, the binaries; exits with a message when something is missing."""
    if os.geteuid() != 0:
        die("needs root (network namespaces)")
    for p in (hafd_bin(), probe_bin()):
        if not os.access(p, os.X_OK):
            die(f"{p} not found: build hafd and set HAFD=/path/to/hafd "
                "(and HAFD_PROBE if hafd-probe is elsewhere)")
    os.environ["HAFD"] = hafd_bin()
    if need_keepalived and subprocess.run(["sh", "-c", "command -v keepalived"],
                                          capture_output=True).returncode:
        die("keepalived not found")


# ---- cleanup: every lab and process we made, on any exit --------------------

_labs = []          # labs still up
_procs = []         # Popen objects we started outside a lab's namespaces


def track(proc):
    _procs.append(proc)
    return proc


def cleanup():
    for p in _procs:
        if p.poll() is None:
            try:
                p.kill()
                p.wait(timeout=2)
            except (OSError, subprocess.TimeoutExpired):
                pass
    _procs.clear()
    for lab in list(_labs):
        lab.down()
    if _shm:
        import shutil
        shutil.rmtree(_shm[0], ignore_errors=True)


def _on_signal(signum, frame):
    sys.exit(128 + signum)      # runs atexit, so cleanup()


def install_cleanup():
    atexit.register(cleanup)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, _on_signal)


# ---- the lab ----------------------------------------------------------------

class Lab:
    """One tools/hafd-lab lab. Node names n1, n2...; "client"; "sw"."""

    _count = 0

    def __init__(self, tag="b"):
        Lab._count += 1
        # Short and unique: <tag><pid>x<count> (hafd-lab allows 20 characters).
        self.prefix = f"{tag}{os.getpid()}x{Lab._count}"[:20]
        self.up_done = False

    def lab(self, *args, check=True, quiet=True):
        r = subprocess.run([LAB_SCRIPT, "-p", self.prefix, *args], text=True,
                           capture_output=quiet)
        if check and r.returncode:
            err = (r.stderr or "").strip() if quiet else ""
            raise RuntimeError(f"hafd-lab {' '.join(args)} failed ({r.returncode}) {err}")
        return r

    def up(self, *args):
        _labs.append(self)
        self.up_done = True
        self.lab("up", *args)

    def down(self):
        if self in _labs:
            _labs.remove(self)
        if self.up_done:
            self.lab("down", check=False)
            self.up_done = False

    def ns(self, node):
        return {"client": f"{self.prefix}-c", "router": f"{self.prefix}-r"}.get(
            node, f"{self.prefix}-{node}")

    def state(self, *parts):
        return os.path.join(LAB_DIR, self.prefix, *parts)

    def pid(self, node):
        try:
            with open(self.state(node, "pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def ka_child(self, node):
        try:
            with open(self.state(node, "keepalived-vrrp.pid")) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def log_path(self, node):
        return self.state(node, "log")

    def log(self, node):
        try:
            with open(self.log_path(node), errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def popen(self, node, argv, **kw):
        """Run argv in the node's namespace; the Popen's pid is the program's
        own (ip netns exec execs it). `down` kills it if we do not."""
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        return subprocess.Popen(["ip", "netns", "exec", self.ns(node), *argv], **kw)

    def run(self, node, argv, **kw):
        kw.setdefault("capture_output", True)
        kw.setdefault("text", True)
        return subprocess.run(["ip", "netns", "exec", self.ns(node), *argv], **kw)

    def ns_pids(self, node):
        r = subprocess.run(["ip", "netns", "pids", self.ns(node)], capture_output=True,
                           text=True)
        return [int(x) for x in r.stdout.split()]


_shm = []


def runtime_root():
    """A tmpfs directory for hafd's runtime_dir (pid file, control socket,
    VIP journal), as /run is a tmpfs on a Debian host; here /run may be
    disk-backed, where the journal's rename costs up to milliseconds per
    change. Removed at exit."""
    if not _shm:
        path = f"/dev/shm/hafd-bench-{os.getpid()}"
        os.makedirs(path, mode=0o700, exist_ok=True)
        _shm.append(path)
    return _shm[0]


def fresh_runtime_dirs(nodes=("n1", "n2")):
    """Empty runtime directories for the next lab's nodes: root/NODE."""
    import shutil
    root = runtime_root()
    for n in nodes:
        shutil.rmtree(os.path.join(root, n), ignore_errors=True)
        os.makedirs(os.path.join(root, n), mode=0o700)
    return root


def wait_until(fn, timeout, step=0.02):
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            return v
        time.sleep(step)


# ---- statistics and tables --------------------------------------------------

def percentile(xs, p):
    """Linear interpolation between closest ranks (numpy's default)."""
    xs = sorted(xs)
    if not xs:
        return None
    k = (len(xs) - 1) * p / 100.0
    lo = int(k)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def median(xs):
    return percentile(xs, 50)


def fmt(v, digits=1):
    if v is None:
        return "-"
    if isinstance(v, str):
        return v
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.{max(digits - 1, 0)}f}" if digits > 1 else f"{v:.1f}"
    return f"{v:.{digits + 1}f}"


def table(headers, rows, align=None):
    """Plain-text table (also valid as a Markdown table)."""
    cols = len(headers)
    cells = [[str(c) for c in r] for r in rows]
    width = [max([len(headers[i])] + [len(r[i]) for r in cells]) for i in range(cols)]
    align = align or ["<"] + [">"] * (cols - 1)

    def line(r):
        return "| " + " | ".join(f"{r[i]:{align[i]}{width[i]}}" for i in range(cols)) + " |"
    sep = "|" + "|".join(("-" * (width[i] + 1) + ":") if align[i] == ">" else
                         ("-" * (width[i] + 2)) for i in range(cols)) + "|"
    return "\n".join([line(headers), sep] + [line(r) for r in cells])


# ---- machine facts and output -----------------------------------------------

def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return " ".join(f.read().split()[:3])
    except OSError:
        return "?"


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "?"


def versions():
    out = {}
    r = subprocess.run([hafd_bin(), "-v"], capture_output=True, text=True)
    out["hafd"] = (r.stdout or r.stderr).strip().splitlines()[0] if (r.stdout or r.stderr) else "?"
    r = subprocess.run(["keepalived", "--version"], capture_output=True, text=True)
    text = (r.stdout + r.stderr).strip().splitlines()
    out["keepalived"] = text[0] if text else "?"
    return out


def machine():
    v = versions()
    return {
        "date": datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z"),
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "kernel": platform.release(),
        "loadavg": loadavg(),
        "hafd": v["hafd"] + f" ({hafd_bin()})",
        "keepalived": v["keepalived"],
    }


def machine_lines(m, load_seen=None):
    lines = [f"date: {m['date']}",
             f"machine: {m['nproc']} CPUs, {m['cpu']}, kernel {m['kernel']}",
             f"load average at start: {m['loadavg']}"]
    if load_seen:
        lines.append(f"load average seen during the run (1 min): min {min(load_seen):.2f}, "
                     f"median {median(load_seen):.2f}, max {max(load_seen):.2f}")
    lines += [f"hafd: {m['hafd']}", f"keepalived: {m['keepalived']}"]
    return lines


def load1():
    try:
        with open("/proc/loadavg") as f:
            return float(f.read().split()[0])
    except (OSError, ValueError):
        return 0.0


def out_dir(name, given=None):
    if given:
        path = given
    else:
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        path = os.path.join(BENCH, "out", f"{name}-{stamp}")
    os.makedirs(path, exist_ok=True)
    return path


def parse_duration_ms(s):
    """'1s', '100ms', '10ms', '0.5s' -> milliseconds (float)."""
    s = s.strip()
    if s.endswith("ms"):
        return float(s[:-2])
    if s.endswith("s"):
        return float(s[:-1]) * 1000
    return float(s) * 1000


def dur_label(ms):
    return f"{ms / 1000:g}s" if ms >= 1000 else f"{ms:g}ms"
