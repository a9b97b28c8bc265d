#!/usr/bin/env python3
"""A Python socket peer written the way FRAMINGS.md shows, for sockframe's
interop tests.

    peer.py send   FRAMING PORT MODE   < spec.json   frames to 127.0.0.1:PORT (TCP; a PORT
                                                     starting with / is a Unix socket path)
    peer.py recv   FRAMING PORT        < spec.json   frames from 127.0.0.1:PORT, one JSON line each
    peer.py encode FRAMING             < spec.json   the hex of each frame, one per line
    peer.py udp-send FRAMING PORT      < spec.json   one frame per datagram
    peer.py udp-recv FRAMING PORT COUNT              COUNT datagrams, one JSON line each

FRAMING: ascii4 (zfill(4)), struct ('i'), struct-net ('!I'), json
(data_size), json-file (file_size). MODE: whole (header and body in
separate sends, as the examples do), bytes (one byte per send),
glued (every frame in one sendall), odd (pieces of odd sizes), cut (the
last frame stops halfway, then the connection closes).

spec.json: {"messages": [{"body_hex": "...", "header": [[key, value], ...]}]}
"header" (JSON framings only) lists the header's keys in order; a null
value for the size key is filled with the body length, and the size key is
appended when absent.
"""

import hashlib
import json
import socket
import struct
import sys
import time


def size_key(framing):
    return "file_size" if framing == "json-file" else "data_size"


def encode(framing, body, header_items):
    """One frame, exactly as the FRAMINGS.md peers build it."""
    if framing == "ascii4":
        return str(len(body)).zfill(4).encode() + body
    if framing == "struct":
        return struct.pack("i", len(body)) + body
    if framing == "struct-net":
        return struct.pack("!I", len(body)) + body
    if framing in ("json", "json-file"):
        key = size_key(framing)
        header = {}
        for k, v in header_items:
            header[k] = len(body) if (k == key and v is None) else v
        if key not in header:
            header[key] = len(body)
        hb = json.dumps(header).encode("utf-8")
        return struct.pack("i", len(hb)) + hb + body
    raise SystemExit("unknown framing " + framing)


def read_spec():
    """[(body, header_items)] from the JSON spec on stdin."""
    spec = json.load(sys.stdin)
    return [(bytes.fromhex(m["body_hex"]), m.get("header", [])) for m in spec["messages"]]


def connect(port):
    """TCP to 127.0.0.1:PORT, or a Unix stream socket when PORT is a path."""
    if port.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.connect(port)
        return sock
    sock = socket.create_connection(("127.0.0.1", int(port)))
    # Each send leaves as its own segment, so the pieces stay pieces.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send(framing, port, mode, messages):
    frames = [encode(framing, body, header) for body, header in messages]
    sock = connect(port)
    if mode == "whole":
        for frame, (body, _) in zip(frames, messages):
            head = frame[: len(frame) - len(body)]
            if framing in ("json", "json-file"):
                sock.send(head[:4])  # struct.pack('i', len(hb))
                sock.sendall(head[4:])  # hb
            else:
                sock.sendall(head)
            sock.sendall(body)
    elif mode == "bytes":
        for byte in b"".join(frames):
            sock.send(bytes([byte]))
            time.sleep(0.001)
    elif mode == "glued":
        sock.sendall(b"".join(frames))
    elif mode == "odd":
        data = b"".join(frames)
        sizes = [1, 2, 3, 5, 8, 13, 21, 700]
        i = 0
        at = 0
        while at < len(data):
            n = sizes[i % len(sizes)]
            sock.sendall(data[at : at + n])
            at += n
            i += 1
            time.sleep(0.001)
    elif mode == "cut":
        data = b"".join(frames)
        last = frames[-1]
        sock.sendall(data[: len(data) - len(last) // 2])
    else:
        raise SystemExit("unknown mode " + mode)
    sock.close()


def recv_exact(sock, n):
    """n bytes, or fewer if the peer closed first."""
    chunks = []
    while n > 0:
        chunk = sock.recv(min(n, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def read_frame(sock, framing):
    """(header, body) or None at a clean end; exits 3 on a cut frame."""
    prefix_len = 4
    prefix = recv_exact(sock, prefix_len)
    if not prefix:
        return None
    if len(prefix) < prefix_len:
        raise SystemExit(3)
    header = None
    if framing == "ascii4":
        n = int(prefix)
    elif framing == "struct":
        n = struct.unpack("i", prefix)[0]
    elif framing == "struct-net":
        n = struct.unpack("!I", prefix)[0]
    else:
        hlen = struct.unpack("i", prefix)[0]
        hb = recv_exact(sock, hlen)
        if len(hb) < hlen:
            raise SystemExit(3)
        header = json.loads(hb.decode("utf-8"))
        n = header[size_key(framing)]
    body = recv_exact(sock, n)
    if len(body) < n:
        raise SystemExit(3)
    return header, body


def report(header, body):
    line = {"body_hex": body.hex(), "md5": hashlib.md5(body).hexdigest()}
    if header is not None:
        line["header"] = header
    print(json.dumps(line), flush=True)


def recv(framing, port):
    sock = connect(port)
    while True:
        got = read_frame(sock, framing)
        if got is None:
            break
        report(*got)
    sock.close()


def udp_send(framing, port, messages):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for body, header in messages:
        sock.sendto(encode(framing, body, header), ("127.0.0.1", int(port)))
    sock.close()


def udp_recv(framing, port, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", int(port)))
    sock.settimeout(10)
    print(json.dumps({"ready": True}), flush=True)
    for _ in range(int(count)):
        datagram, _ = sock.recvfrom(65535)
        if framing in ("json", "json-file"):
            hlen = struct.unpack("i", datagram[:4])[0]
            header = json.loads(datagram[4 : 4 + hlen].decode("utf-8"))
            body = datagram[4 + hlen :]
            assert header[size_key(framing)] == len(body), "datagram length mismatch"
        else:
            header = None
            fmt = {"struct": "i", "struct-net": "!I"}.get(framing)
            n = int(datagram[:4]) if fmt is None else struct.unpack(fmt, datagram[:4])[0]
            body = datagram[4:]
            assert n == len(body), "datagram length mismatch"
        report(header, body)
    sock.close()


if __name__ == "__main__":
    role, framing = sys.argv[1], sys.argv[2]
    if role == "send":
        send(framing, sys.argv[3], sys.argv[4], read_spec())
    elif role == "recv":
        recv(framing, sys.argv[3])
    elif role == "encode":
        for body, header in read_spec():
            print(encode(framing, body, header).hex(), flush=True)
    elif role == "udp-send":
        udp_send(framing, sys.argv[3], read_spec())
    elif role == "udp-recv":
        udp_recv(framing, sys.argv[3], sys.argv[4])
    else:
        raise SystemExit("unknown role " + role)
