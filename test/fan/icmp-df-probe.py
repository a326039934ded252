"""ICMP echo with the Don't Fragment bit forced on (IP_PMTUDISC_DO), like `ping -M do`.

Usage: icmp-df-probe.py TARGET PAYLOAD_BYTES [COUNT] [WAIT_SECONDS] [DEADLINE_SECONDS]

Sends up to COUNT echo requests carrying PAYLOAD_BYTES of data and waits up to WAIT_SECONDS for
each reply, never longer than DEADLINE_SECONDS in all. Exit status: 0 when a reply came back,
1 when none did, 2 when the kernel refused to send because the packet exceeds the path MTU
("message too long"), which is what a DF packet larger than the MTU must get.
"""
import errno
import os
import select
import socket
import struct
import sys
import time

IP_MTU_DISCOVER = 10
IP_PMTUDISC_DO = 2
ICMP_ECHO_REQUEST = 8
ICMP_ECHO_REPLY = 0


def checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(ident: int, seq: int, payload: bytes) -> bytes:
    header = struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, 0, ident, seq)
    return struct.pack("!BBHHH", ICMP_ECHO_REQUEST, 0, checksum(header + payload), ident, seq) + payload


def main() -> int:
    target = sys.argv[1]
    size = int(sys.argv[2])
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    wait = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    deadline = time.monotonic() + (float(sys.argv[5]) if len(sys.argv) > 5 else 4.0)
    sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
    sock.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
    ident = os.getpid() & 0xFFFF
    payload = bytes(i & 0xFF for i in range(size))
    for seq in range(1, count + 1):
        if time.monotonic() >= deadline:
            break
        try:
            sock.sendto(echo_request(ident, seq, payload), (target, 0))
        except OSError as err:
            if err.errno == errno.EMSGSIZE:
                print(f"{target}: {size} bytes with DF: message too long (exceeds the MTU)")
                return 2
            raise
        until = min(time.monotonic() + wait, deadline)
        while True:
            left = until - time.monotonic()
            if left <= 0 or not select.select([sock], [], [], left)[0]:
                break
            packet, (source, _) = sock.recvfrom(65535)
            ihl = (packet[0] & 0x0F) * 4
            icmp_type, _, _, reply_ident, reply_seq = struct.unpack("!BBHHH", packet[ihl : ihl + 8])
            if source == target and icmp_type == ICMP_ECHO_REPLY and reply_ident == ident:
                print(f"{target}: reply to {size} bytes with DF (seq {reply_seq})")
                return 0
    print(f"{target}: no reply to {size} bytes with DF")
    return 1


if __name__ == "__main__":
    sys.exit(main())
