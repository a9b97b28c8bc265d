#!/usr/bin/env python3
"""A Python peer speaking netstrings (djb, https://cr.yp.to/proto/netstrings.txt),
written the way Python socket programs write them, for sockframe's interop
tests (tests/python_varint_netstring.rs).

    netstring_peer.py send PORT MODE < messages   netstrings to 127.0.0.1:PORT (TCP)
    netstring_peer.py recv PORT                   netstrings from 127.0.0.1:PORT, "HEX MD5" each
    netstring_peer.py encode < messages           the hex of each netstring

messages: one payload per line, in hex (an empty line is an empty payload).
MODE: whole (length, payload and comma in three sends), bytes (one byte
per send), glued (every netstring in one sendall), odd (pieces of odd
sizes), cut (the last netstring stops halfway, then the connection closes),
semicolon (the last netstring ends with ';' instead of ',').
"""

import hashlib
import socket
import sys
import time

TIMEOUT = 20  # seconds, for every socket operation


def netstring(payload, end=b","):
    return b"%d:%s%s" % (len(payload), payload, end)


def read_messages():
    return [bytes.fromhex(line) for line in sys.stdin.read().splitlines()]


def connect(port):
    sock = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT)
    # Each send leaves as its own segment, so the pieces stay pieces.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send(port, mode, messages):
    frames = [netstring(m) for m in messages]
    if mode == "semicolon":
        frames[-1] = netstring(messages[-1], b";")
    data = b"".join(frames)
    sock = connect(port)
    if mode == "whole":
        for m in messages:
            sock.sendall(str(len(m)).encode() + b":")
            if m:
                sock.sendall(m)
            sock.sendall(b",")
    elif mode == "bytes":
        for byte in data:
            sock.sendall(bytes([byte]))
            time.sleep(0.001)
    elif mode in ("glued", "semicolon"):
        sock.sendall(data)
    elif mode == "odd":
        sizes = [1, 2, 3, 5, 8, 13, 21, 700]
        at = 0
        i = 0
        while at < len(data):
            n = sizes[i % len(sizes)]
            sock.sendall(data[at : at + n])
            at += n
            i += 1
            time.sleep(0.001)
    elif mode == "cut":
        sock.sendall(data[: len(data) - len(frames[-1]) // 2])
    else:
        raise SystemExit("unknown mode " + mode)
    sock.close()


def read_netstring(stream):
    """The next payload, or None at a clean end between netstrings. Exits 3
    when the stream is cut inside one, 4 on a malformed one."""
    digits = b""
    while True:
        c = stream.read(1)
        if not c:
            if not digits:
                return None
            raise SystemExit(3)
        if c == b":":
            break
        if not c.isdigit() or len(digits) >= 20:
            raise SystemExit(4)
        digits += c
    if not digits or (len(digits) > 1 and digits.startswith(b"0")):
        raise SystemExit(4)
    n = int(digits)
    payload = stream.read(n)
    comma = stream.read(1)
    if len(payload) < n or not comma:
        raise SystemExit(3)
    if comma != b",":
        raise SystemExit(4)
    return payload


def recv(port):
    sock = connect(port)
    stream = sock.makefile("rb")
    while True:
        payload = read_netstring(stream)
        if payload is None:
            break
        print(payload.hex(), hashlib.md5(payload).hexdigest(), flush=True)
    stream.close()
    sock.close()


if __name__ == "__main__":
    role = sys.argv[1]
    if role == "send":
        send(sys.argv[2], sys.argv[3], read_messages())
    elif role == "recv":
        recv(sys.argv[2])
    elif role == "encode":
        for m in read_messages():
            print(netstring(m).hex())
    else:
        raise SystemExit("unknown role " + role)
