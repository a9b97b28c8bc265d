#!/usr/bin/env python3
"""A Python peer speaking varint-delimited messages, framed the way
protobuf's writeDelimitedTo / parseDelimitedFrom frame them, for sockframe's
interop tests (tests/python_varint_netstring.rs).

    varint_peer.py send PORT MODE [--protobuf] < messages   messages to 127.0.0.1:PORT (TCP)
    varint_peer.py recv PORT [--protobuf]                   messages from 127.0.0.1:PORT, "HEX MD5" each
    varint_peer.py encode [--protobuf]        < numbers     the hex of each number's varint
    varint_peer.py decode [--protobuf]        < hex lines   each varint's value, or "error: ..."
    varint_peer.py has-protobuf                             exit 0 if google.protobuf imports

messages: one payload per line, in hex (an empty line is an empty payload).
MODE: whole (the varint and the message in separate sends, as
writeDelimitedTo's two writes), bytes (one byte per send), glued (every
frame in one sendall), odd (pieces of odd sizes), cut (the last frame stops
halfway, then the connection closes).

Without --protobuf the varint code is written here, line for line as
protobuf's pure-Python encoder._VarintBytes and decoder._DecodeVarint are,
so the protobuf package is not needed; with it, the package's own
functions are used.
"""

import hashlib
import socket
import struct
import sys
import time

TIMEOUT = 20  # seconds, for every socket operation
MASK64 = (1 << 64) - 1


def _EncodeVarint(write, value):
    """protobuf's encoder._VarintEncoder()(write, value)."""
    local_int2byte = struct.Struct(">B").pack
    bits = value & 0x7F
    value >>= 7
    while value:
        write(local_int2byte(0x80 | bits))
        bits = value & 0x7F
        value >>= 7
    return write(local_int2byte(bits))


def _VarintBytes(value):
    """protobuf's encoder._VarintBytes: the varint of value, minimal."""
    pieces = []
    _EncodeVarint(pieces.append, value)
    return b"".join(pieces)


class DecodeError(Exception):
    pass


def _DecodeVarint(buffer, pos):
    """protobuf's decoder._DecodeVarint: (value, new pos). As protobuf,
    more than 10 bytes is an error and bits past 64 are masked off."""
    result = 0
    shift = 0
    while 1:
        b = buffer[pos]
        result |= (b & 0x7F) << shift
        pos += 1
        if not (b & 0x80):
            result &= MASK64
            return (result, pos)
        shift += 7
        if shift >= 64:
            raise DecodeError("Too many bytes when decoding varint.")


def codec(use_protobuf):
    """(varint_bytes, decode_varint) from protobuf or from this file."""
    if not use_protobuf:
        return _VarintBytes, _DecodeVarint
    from google.protobuf.internal import decoder, encoder

    return encoder._VarintBytes, decoder._DecodeVarint


def read_messages():
    return [bytes.fromhex(line) for line in sys.stdin.read().splitlines()]


def connect(port):
    sock = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT)
    # Each send leaves as its own segment, so the pieces stay pieces.
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def send(port, mode, messages, varint_bytes):
    frames = [varint_bytes(len(m)) + m for m in messages]
    data = b"".join(frames)
    sock = connect(port)
    if mode == "whole":
        for m in messages:
            sock.sendall(varint_bytes(len(m)))
            if m:
                sock.sendall(m)
    elif mode == "bytes":
        for byte in data:
            sock.sendall(bytes([byte]))
            time.sleep(0.001)
    elif mode == "glued":
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


def read_varint(stream, decode_varint):
    """The next varint from a stream, read a byte at a time as
    parseDelimitedFrom reads it; None at a clean end between messages."""
    raw = bytearray()
    while True:
        b = stream.read(1)
        if not b:
            if not raw:
                return None
            raise SystemExit(3)  # Cut inside the varint.
        raw += b
        if not (b[0] & 0x80) or len(raw) == 10:
            value, _ = decode_varint(bytes(raw), 0)
            return value


def recv(port, decode_varint):
    sock = connect(port)
    stream = sock.makefile("rb")
    while True:
        length = read_varint(stream, decode_varint)
        if length is None:
            break
        message = stream.read(length)
        if len(message) < length:
            raise SystemExit(3)  # Cut inside the message.
        print(message.hex(), hashlib.md5(message).hexdigest(), flush=True)
    stream.close()
    sock.close()


def decode_lines(decode_varint):
    for line in sys.stdin.read().splitlines():
        raw = bytes.fromhex(line)
        try:
            value, end = decode_varint(raw, 0)
            print(value if end == len(raw) else "error: %d bytes left" % (len(raw) - end))
        except Exception as e:  # DecodeError, protobuf's own, or IndexError
            print("error:", type(e).__name__, e)


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--protobuf"]
    varint_bytes, decode_varint = codec("--protobuf" in sys.argv[1:])
    role = args[0]
    if role == "send":
        send(args[1], args[2], read_messages(), varint_bytes)
    elif role == "recv":
        recv(args[1], decode_varint)
    elif role == "encode":
        for line in sys.stdin.read().split():
            print(varint_bytes(int(line)).hex())
    elif role == "decode":
        decode_lines(decode_varint)
    elif role == "has-protobuf":
        try:
            import google.protobuf  # noqa: F401
        except ImportError:
            raise SystemExit(1)
    else:
        raise SystemExit("unknown role " + role)
