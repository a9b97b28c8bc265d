#!/usr/bin/env python3
"""Writes the committed seed corpus, fuzz/seeds/<target>/.

The raw-bytes targets read a few configuration bytes (the framing's, three
limit indices: max_frame, max_header, max_streamed_body; then the split),
then the stream (see decode_ascii & co. in src/lib.rs); the seeds are the FRAMINGS.md vectors and
their error cases, built the way the Python peers build them, under a spread
of configurations. The structured targets (split_reassembly, roundtrip) take
any bytes; their seeds are a few fixed byte patterns.
(blocking_reader is structured too.)

Run from anywhere: python3 fuzz/make_seeds.py
"""

import hashlib
import json
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

# Indices into RAW_MAX_FRAMES / RAW_MAX_HEADERS in src/spec.rs.
FRAME_DEFAULT, FRAME_5, FRAME_255, FRAME_MAX = 8, 3, 5, 13
HEADER_DEFAULT, HEADER_16 = 6, 3
# Indices into RAW_KEYS in src/lib.rs.
KEY_DATA_SIZE, KEY_FILE_SIZE = 0, 1

# PrefixSpec::from_byte: bits 0-1 width (1, 2, 4, 8), bits 2-3 order
# (little, big, native), bit 4 signed.
WIDTHS = {1: 0, 2: 1, 4: 2, 8: 3}
STRUCT_CODES = {(1, True): "b", (1, False): "B", (2, True): "h", (2, False): "H",
                (4, True): "i", (4, False): "I", (8, True): "q", (8, False): "Q"}


def prefix_byte(width, big, signed):
    return WIDTHS[width] | (4 if big else 0) | (16 if signed else 0)


def pack(width, big, signed, n):
    return struct.pack((">" if big else "<") + STRUCT_CODES[(width, signed)], n)


def limits(frame, header, streamed=None):
    """The limit bytes: indices of max_frame, max_header, max_streamed_body
    (the same as max_frame unless given)."""
    return bytes([frame, header, frame if streamed is None else streamed])


def sizes(*pieces):
    """The split schedule bytes: a count, then piece sizes (0..=63)."""
    return bytes([len(pieces) - 1, *pieces])


def write(target, data):
    directory = os.path.join(HERE, "seeds", target)
    os.makedirs(directory, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(directory, name), "wb") as f:
        f.write(data)


def ascii_frame(width, msg):
    return str(len(msg)).zfill(width).encode() + msg


def ascii_seeds():
    hello = "你好".encode()
    for width in (4, 1, 2, 19):
        config = bytes([width - 1]) + limits(FRAME_DEFAULT, HEADER_DEFAULT)
        msgs = [m for m in (b"hello", b"", hello, b"x" * 9) if len(m) < 10 ** width]
        stream = b"".join(ascii_frame(width, m) for m in msgs)
        write("decode_ascii", config + sizes(0) + stream)
        write("decode_ascii", config + sizes(1) + stream)
        write("decode_ascii", config + sizes(3, 0, 7) + stream[:-2])
    config = bytes([3]) + limits(FRAME_DEFAULT, HEADER_DEFAULT)
    write("decode_ascii", config + sizes(2) + b"0005hello00a5hello")
    write("decode_ascii", config + sizes(0) + b"0005hello+012")
    config = bytes([3]) + limits(FRAME_5, HEADER_DEFAULT)
    write("decode_ascii", config + sizes(5) + b"0005hello0006world!")


def binary_seeds():
    for width, big, signed in [(4, False, True), (4, True, False), (2, True, False),
                               (1, False, False), (8, False, True), (8, True, False)]:
        config = bytes([prefix_byte(width, big, signed)]) + limits(FRAME_DEFAULT, HEADER_DEFAULT)
        stream = b"".join(pack(width, big, signed, len(m)) + m
                          for m in (b"hello", b"", b"you"))
        write("decode_binary", config + sizes(0) + stream)
        write("decode_binary", config + sizes(1, 2) + stream)
        write("decode_binary", config + sizes(0) + stream[:-1])
    i32 = prefix_byte(4, False, True)
    write("decode_binary", bytes([i32]) + limits(FRAME_DEFAULT, 0) + sizes(0)
          + pack(4, False, True, 5) + b"hello" + pack(4, False, True, -5))
    write("decode_binary", bytes([i32]) + limits(FRAME_DEFAULT, 0) + sizes(0) + b"\xff\xff\xff\x7f")
    write("decode_binary", bytes([prefix_byte(8, False, False)]) + limits(FRAME_MAX, 0) + sizes(0)
          + b"\xff" * 8)
    write("decode_binary", bytes([prefix_byte(1, False, False)]) + limits(FRAME_5, 0) + sizes(1)
          + b"\x05hello\x06world!")


def json_frame(width, big, signed, header, body, raw=None):
    hb = raw if raw is not None else json.dumps(header).encode("utf-8")
    return pack(width, big, signed, len(hb)) + hb + body


def json_seeds():
    for width, big, signed in [(4, False, True), (4, True, False), (2, False, False),
                               (8, True, True)]:
        config = bytes([prefix_byte(width, big, signed), KEY_DATA_SIZE]) + limits(
            FRAME_DEFAULT, HEADER_DEFAULT)
        stream = (json_frame(width, big, signed, {"data_size": 5}, b"hello")
                  + json_frame(width, big, signed, {"data_size": 0}, b"")
                  + json_frame(width, big, signed, {"cmd": "ls", "data_size": 3}, b"a\nb"))
        write("decode_json", config + sizes(0) + stream)
        write("decode_json", config + sizes(1, 5) + stream)
        write("decode_json", config + sizes(0) + stream[:-4])
    i32 = prefix_byte(4, False, True)
    config = bytes([i32, KEY_FILE_SIZE]) + limits(FRAME_DEFAULT, HEADER_DEFAULT) + sizes(0)
    write("decode_json", config + json_frame(
        4, False, True, {"file_name": "a.txt", "file_size": 3, "md5": "0" * 32}, b"abc"))
    write("decode_json", config + json_frame(
        4, False, True, {"file_name": "你好.txt", "file_size": 2}, b"hi"))
    config = bytes([i32, KEY_DATA_SIZE]) + limits(FRAME_DEFAULT, HEADER_DEFAULT) + sizes(0)
    for raw in [b'{"data_size": 5.0}', b'{"data_size": "5"}', b'{"data_size": -3}',
                b'{"data_size": 99999999999999999999999}', b'{"file_size": 5}', b'[5]',
                b'null', b'{"a": "\xff"}', b'{"a" 1}', b'{"data_size": 5} x', b'',
                b'{"data_size": 9, "data_size": 2}', b'{"data_size":2}',
                b'{"a": "\\ud800", "data_size": 2}', b'{"a": 1e400, "data_size": 2}',
                b'{"a": ' + b"[" * 130 + b"]" * 130 + b', "data_size": 2}',
                # The full parser's size visitor: a size over u64 (as a
                # float), one under i64::MIN, a boolean, null, an array,
                # an object; a \u escape the flat scanner declines.
                b'{"data_size": 1e30}', b'{"data_size": -9223372036854775809}',
                b'{"data_size": -1e300}', b'{"data_size": true}',
                b'{"data_size": null}', b'{"data_size": [1, 2]}',
                b'{"data_size": {"n": 2}}', b'{"a": "\\u00G0", "data_size": 2}',
                b'{"a": "\\u00e9", "data_size": 2}', b'true']:
        write("decode_json", config + json_frame(4, False, True, None, b"ok", raw=raw))
    config = bytes([i32, KEY_DATA_SIZE]) + limits(FRAME_5, HEADER_16) + sizes(0)
    write("decode_json", config + json_frame(4, False, True, {"data_size": 6}, b"abcdef"))
    write("decode_json", config + json_frame(4, False, True, {"data_size": 1, "x": 1}, b"a"))


def structured_seeds():
    patterns = [b"", b"\x00" * 64, b"\xff" * 64, bytes(range(256)),
                bytes(range(256))[::-1] * 2, b"0005hello" * 8,
                b"\x05\x00\x00\x00hello" * 8]
    for target in ("split_reassembly", "roundtrip", "blocking_reader"):
        for data in patterns:
            write(target, data)


if __name__ == "__main__":
    ascii_seeds()
    binary_seeds()
    json_seeds()
    structured_seeds()
