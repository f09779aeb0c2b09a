#!/usr/bin/python3
# vrrp-hostile.py CLASS --src ADDR --dst ADDR --vrid N [--count N] [--prio N]
#                 [--vip ADDR] [--interval-cs N]
#
# Sends COUNT (default 3) IPv4 VRRP packets of one hostile CLASS from this
# namespace (run it with `lab exec client`), each wrong in exactly one way:
# everything else, the checksum included, is right, so the receiver must
# name that one reason. Python's standard library only: a raw socket for
# protocol 112, the kernel writes the IP header (TTL set per packet).
#
#   ttl          TTL 254
#   checksum     a wrong checksum
#   short        4 bytes, less than the header
#   long         8 bytes of junk after the address list
#   version      version 4
#   version2     a well-formed VRRPv2 advert (to a version 3 router)
#   type         type 2
#   count-more   count 2, one address
#   count-fewer  count 1, two addresses
#   count-zero   count 0, no address
#   interval0    Max Adver Int 0
#   valid        nothing wrong (for a stranger in unicast mode, a foreign VRID)
import argparse
import socket
import struct
import sys
import time

PROTO = 112
CLASSES = ("ttl", "checksum", "short", "long", "version", "version2", "type",
           "count-more", "count-fewer", "count-zero", "interval0", "valid")


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def with_csum(msg, src, dst, pseudo=True):
    """Fill bytes 6-7: RFC 5798 pseudo-header form for v3, plain for v2."""
    head = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, PROTO, len(msg))
    c = csum((head if pseudo else b"") + msg[:6] + b"\0\0" + msg[8:])
    return msg[:6] + struct.pack("!H", c) + msg[8:]


def build(a):
    vip = socket.inet_aton(a.vip)
    ver_type, count, addrs, interval, tail = 0x31, 1, vip, a.interval_cs, b""
    if a.cls == "version":
        ver_type = 0x41
    elif a.cls == "type":
        ver_type = 0x32
    elif a.cls == "count-more":
        count = 2
    elif a.cls == "count-fewer":
        addrs = vip + socket.inet_aton("10.77.0.199")
    elif a.cls == "count-zero":
        count, addrs = 0, b""
    elif a.cls == "interval0":
        interval = 0
    elif a.cls == "long":
        tail = b"\xde\xad\xbe\xef" * 2
    if a.cls == "version2":     # v2: auth type 0, seconds, 8 bytes of auth data
        msg = struct.pack("!BBBBBBH", 0x21, a.vrid, a.prio, 1, 0, max(1, interval // 100), 0)
        return with_csum(msg + vip + b"\0" * 8, a.src, a.dst, pseudo=False)
    msg = struct.pack("!BBBBHH", ver_type, a.vrid, a.prio, count, interval & 0x0FFF, 0)
    msg = with_csum(msg + addrs + tail, a.src, a.dst)
    if a.cls == "checksum":
        msg = msg[:6] + bytes([msg[6] ^ 0x5A, msg[7] ^ 0xA5]) + msg[8:]
    if a.cls == "short":
        msg = msg[:4]
    return msg


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cls", choices=CLASSES)
    p.add_argument("--src", required=True, help="this namespace's address (checksum)")
    p.add_argument("--dst", required=True)
    p.add_argument("--vrid", type=int, required=True)
    p.add_argument("--prio", type=int, default=200)
    p.add_argument("--vip", default="10.77.0.100")
    p.add_argument("--interval-cs", type=int, default=100)
    p.add_argument("--count", type=int, default=3)
    p.add_argument("-i", "--iface", default="eth0")
    a = p.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, PROTO)
    ttl = 254 if a.cls == "ttl" else 255
    s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, a.iface.encode())
    pkt = build(a)
    for _ in range(a.count):
        s.sendto(pkt, (a.dst, 0))
        time.sleep(0.01)
    return 0


if __name__ == "__main__":
    sys.exit(main())
