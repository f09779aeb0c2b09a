#!/usr/bin/python3
# chaos-plan.py SEED EVENTS ADVERT_MS CHECK_MS: the schedule of t-chaos.sh.
#
# A seeded random walk over three nodes (n1, n2, n3; priorities 150, 100,
# 50; a file check of weight -60 each) that also keeps the model of what
# the VRRP rules must elect after each step: the live node (hafd running,
# link up) with the highest effective priority (base, minus 60 while its
# health file says down, never below 1); preempt is on everywhere. Windows
# (loss, partition, isolate, stall) end inside their step, so every check
# sees a whole network.
#
# One line per step, fields split by "|":
#   STEP|EXPECT|QUIET_MS|BOUND_MS|ASSERT|EVENT;EVENT;...
# EXPECT is the node that must hold the VIP, or "none"; BOUND_MS is what the
# protocol allows the client's outage in this step (informational); ASSERT
# is 1 when some node could serve all through the step, so a long outage is
# a failure and not the schedule's doing. Events:
#   kill N | term N | start N | restart N | linkdown N | linkup N
#   health N up|down | reload N PRIO | sleep MS
#   loss MS N:PCT,N:PCT... | partition MS N,N... (that side against the rest)
#   isolate MS N | stall MS N
# n2 is never killed, stopped or restarted: its hafd runs through the whole
# test, so its descriptors, memory and children can be compared.
import random
import sys

NODES = ("n1", "n2", "n3")
SURVIVOR = "n2"
WEIGHT = 60
# Base priorities a reload may pick. All of them and their -60 forms are
# distinct across nodes, so no two live nodes ever tie.
CANDIDATES = {"n1": (150, 125, 95), "n2": (100, 140, 115), "n3": (50, 130, 105)}


class Model:
    def __init__(self, advert_ms, check_ms):
        self.ai = advert_ms
        self.chk = check_ms
        self.base = {n: CANDIDATES[n][0] for n in NODES}
        self.run = dict.fromkeys(NODES, True)
        self.link = dict.fromkeys(NODES, True)
        self.healthy = dict.fromkeys(NODES, True)

    def eff(self, n):
        return max(1, self.base[n] - (0 if self.healthy[n] else WEIGHT))

    def master(self, without=()):
        live = [n for n in NODES if self.run[n] and self.link[n] and n not in without]
        return max(live, key=self.eff) if live else None

    def skew(self, n):
        return (256 - self.eff(n)) * self.ai / 256 if n else 0

    def mdi(self, n):
        return 3 * self.ai + self.skew(n) if n else 0


def choices(m):
    """(weight, kind, node) for every event the state allows."""
    out = []
    for n in NODES:
        if m.run[n] and n != SURVIVOR:
            out += [(3, "kill", n), (2, "term", n), (1.5, "restart", n)]
        if not m.run[n]:
            out.append((6, "start", n))
        if m.link[n]:
            out.append((1.5, "linkdown", n))
        else:
            out.append((6, "linkup", n))
        if m.run[n]:
            out += [(1, "stall", n), (1.5, "reload", n)]
        out.append((2, "health", n))
    out += [(4, "loss", None), (4, "partition", None), (2, "isolate", None)]
    return out


def pick(rnd, m):
    opts = choices(m)
    x = rnd.uniform(0, sum(w for w, _, _ in opts))
    for w, kind, n in opts:
        x -= w
        if x <= 0:
            return kind, n
    return opts[-1][1:]


def apply(rnd, m, kind, n):
    """Change the model; return (event text, bound ms, served all through)."""
    old = m.master()
    during = old
    if kind in ("kill", "term", "restart"):
        m.run[n] = kind == "restart"
        new = m.master()
        during = m.master(without=(n,))
        bound = 0 if old != n else m.mdi(new) if kind == "kill" else m.skew(new) + m.ai
        if kind == "restart" and m.master() == n:
            bound += m.ai
        return f"{kind} {n}", bound, during is not None and new is not None
    if kind in ("start", "linkup", "linkdown"):
        if kind == "start":
            m.run[n] = True
        else:
            m.link[n] = kind == "linkup"
        new = m.master()
        bound = m.mdi(new) if old == n and new != n else m.ai if new != old else 0
        return f"{kind} {n}", bound, old is not None and new is not None
    if kind == "health":
        m.healthy[n] = not m.healthy[n]
        new = m.master()
        bound = m.chk + m.ai if new != old else 0
        return f"health {n} {'up' if m.healthy[n] else 'down'}", bound, old is not None
    if kind == "reload":
        prio = rnd.choice(CANDIDATES[n] + (m.base[n],))   # often the same
        m.base[n] = prio
        new = m.master()
        return f"reload {n} {prio}", m.ai if new != old else 0, old is not None
    ms = rnd.choice((80, 150, 250, 400, 700))
    if kind == "loss":
        who = rnd.sample(NODES, rnd.randint(1, 3))
        spec = ",".join(f"{w}:{rnd.choice((20, 40, 60, 80))}" for w in sorted(who))
        return f"loss {ms} {spec}", m.mdi(old) + m.ai, old is not None
    if kind == "partition":
        side = sorted(rnd.sample(NODES, rnd.randint(1, 2)))
        return f"partition {ms} {','.join(side)}", m.mdi(old) + m.ai, old is not None
    n = rnd.choice(NODES) if kind == "isolate" else n
    if kind == "stall" and not m.run[n]:
        return None, 0, True
    during = m.master(without=(n,))
    bound = m.mdi(during) + m.ai if old == n else 0
    return f"{kind} {ms} {n}", bound, during is not None


def main():
    seed, events = int(sys.argv[1]), int(sys.argv[2])
    m = Model(int(sys.argv[3]), int(sys.argv[4]))
    rnd = random.Random(seed)
    done = step = 0
    while done < events:
        step += 1
        evs, bound, served = [], 0.0, m.master() is not None
        for _ in range(min(rnd.choices((1, 2, 3), (55, 30, 15))[0], events - done)):
            kind, n = pick(rnd, m)
            text, b, ok = apply(rnd, m, kind, n)
            if text is None:
                continue
            if evs and rnd.random() < 0.5:
                evs.append(f"sleep {rnd.choice((10, 30, 60))}")
            evs.append(text)
            bound += b
            served = served and ok
            done += 1
        if not evs:
            continue
        expect = m.master() or "none"
        quiet = rnd.choice((100, 150, 200, 300))
        print(f"{step}|{expect}|{quiet}|{round(bound)}|{int(served)}|{';'.join(evs)}")


if __name__ == "__main__":
    main()
