#!/usr/bin/python3
# vrrp-scapy.py: see and forge VRRP adverts for the system tests (Debian's
# python3-scapy; run inside a lab namespace with `lab exec`).
#
#   vrrp-scapy.py sniff [-i IFACE] [-c COUNT] [-t SECS] [--vrid N]
#       print one line per VRRP advert seen on IFACE (default eth0):
#         src=ADDR dst=ADDR ttl=N version=N vrid=N prio=N interval_cs=N
#       (interval_cs is in centiseconds for v3, seconds * 100 for v2);
#       exit 1 when fewer than COUNT (default 1) arrived within SECS (default 3).
#   vrrp-scapy.py send --dst ADDR --vrid N --prio N --vip ADDR [-i IFACE]
#                      [--version 2|3] [--interval-cs N] [--count N]
#                      [--src ADDR] [--ttl N]
#       send COUNT (default 3) adverts to ADDR (unicast, or a multicast
#       group on IFACE) from this namespace's own address (or a forged
#       --src), TTL/hop limit 255 (or --ttl), 10 ms apart.
import argparse
import ipaddress
import sys
import time

from scapy.all import (IP, Ether, IPv6, conf, get_if_addr, get_if_hwaddr, send,
                       sendp, sniff)
from scapy.layers.vrrp import VRRP, VRRPv3

conf.verb = 0
PROTO = 112


def describe(pkt):
    if IP in pkt and pkt[IP].proto == PROTO:
        ip, ttl = pkt[IP], pkt[IP].ttl
        data = bytes(ip.payload)
    elif IPv6 in pkt and pkt[IPv6].nh == PROTO:
        ip, ttl = pkt[IPv6], pkt[IPv6].hlim
        data = bytes(ip.payload)
    else:
        return None
    if len(data) < 8:
        return None
    version, vrid, prio = data[0] >> 4, data[1], data[2]
    if version == 3:
        interval = ((data[4] & 0x0F) << 8) | data[5]
    else:
        interval = data[5] * 100
    return (f"src={ip.src} dst={ip.dst} ttl={ttl} version={version} "
            f"vrid={vrid} prio={prio} interval_cs={interval}")


def cmd_sniff(a):
    seen = []

    def keep(pkt):
        line = describe(pkt)
        if line is None or (a.vrid is not None and f" vrid={a.vrid} " not in line):
            return False
        print(line, flush=True)
        seen.append(line)
        return True

    sniff(iface=a.iface, lfilter=keep, count=a.count, timeout=a.timeout, store=False)
    return 0 if len(seen) >= a.count else 1


def cmd_send(a):
    dst = ipaddress.ip_address(a.dst)
    vip = str(ipaddress.ip_address(a.vip))
    if a.version == 2:
        adv = VRRP(version=2, vrid=a.vrid, priority=a.prio, ipcount=1,
                   adv=max(1, a.interval_cs // 100), addrlist=[vip])
    else:
        adv = VRRPv3(version=3, vrid=a.vrid, priority=a.prio, ipcount=1,
                     adv=a.interval_cs, addrlist=[vip])
    if dst.version == 4:
        ip = IP(dst=str(dst), ttl=a.ttl, proto=PROTO)
        if dst.is_multicast:
            ip.src = get_if_addr(a.iface)
    else:
        ip = IPv6(dst=str(dst), hlim=a.ttl, nh=PROTO)
    if a.src:
        ip.src = a.src
    if dst.is_multicast:    # no route to follow: straight out of IFACE
        b = dst.packed
        mac = ("01:00:5e:%02x:%02x:%02x" % (b[1] & 0x7F, b[2], b[3]) if dst.version == 4
               else "33:33:%02x:%02x:%02x:%02x" % tuple(b[12:]))
        ip = Ether(src=get_if_hwaddr(a.iface), dst=mac) / ip
    for _ in range(a.count):
        if dst.is_multicast:
            sendp(ip / adv, iface=a.iface)
        else:
            send(ip / adv)
        time.sleep(0.01)
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("sniff")
    s.add_argument("-i", "--iface", default="eth0")
    s.add_argument("-c", "--count", type=int, default=1)
    s.add_argument("-t", "--timeout", type=float, default=3)
    s.add_argument("--vrid", type=int)
    s.set_defaults(fn=cmd_sniff)
    s = sub.add_parser("send")
    s.add_argument("-i", "--iface", default="eth0")
    s.add_argument("--dst", required=True)
    s.add_argument("--vrid", type=int, required=True)
    s.add_argument("--prio", type=int, required=True)
    s.add_argument("--vip", required=True)
    s.add_argument("--version", type=int, choices=(2, 3), default=3)
    s.add_argument("--interval-cs", type=int, default=100)
    s.add_argument("--count", type=int, default=3)
    s.add_argument("--src", help="forged source address")
    s.add_argument("--ttl", type=int, default=255, help="TTL / hop limit")
    s.set_defaults(fn=cmd_send)
    a = p.parse_args()
    return a.fn(a)


if __name__ == "__main__":
    sys.exit(main())
