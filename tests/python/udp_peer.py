#!/usr/bin/env python3
"""UDP peers written the way Python programs commonly are, for sockframe's
datagram tests (tests/udp_python.rs). Frames are built by peer.py's encode.

    udp_peer.py echo BUFSIZE COUNT            echoes COUNT datagrams, each read with recvfrom(BUFSIZE)
    udp_peer.py client FRAMING PORT < spec    sends each message to 127.0.0.1:PORT, expects it echoed

echo prints {"port": N} once bound, then {"received": LEN} per datagram:
what recvfrom(BUFSIZE) kept, which is what goes back (a datagram longer
than BUFSIZE comes back cut, as such programs cut it). client prints
{"echoed": LEN} per message and exits 4 if an echo differs from the frame
sent. Both give up after 10 seconds of silence (exit 1).
"""

import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer import encode, read_spec  # noqa: E402


def say(line):
    print(json.dumps(line), flush=True)


def echo(bufsize, count):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    sock.settimeout(10)
    say({"port": sock.getsockname()[1]})
    for _ in range(count):
        data, addr = sock.recvfrom(bufsize)
        say({"received": len(data)})
        sock.sendto(data, addr)
    sock.close()


def client(framing, port, messages):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(10)
    for body, header in messages:
        frame = encode(framing, body, header)
        sock.sendto(frame, ("127.0.0.1", port))
        answer, _ = sock.recvfrom(65535)
        if answer != frame:
            sys.stderr.write("echo differs: sent %r, got %r\n" % (frame[:40], answer[:40]))
            raise SystemExit(4)
        say({"echoed": len(answer)})
    sock.close()


if __name__ == "__main__":
    role = sys.argv[1]
    if role == "echo":
        echo(int(sys.argv[2]), int(sys.argv[3]))
    elif role == "client":
        client(sys.argv[2], int(sys.argv[3]), read_spec())
    else:
        raise SystemExit("unknown role " + role)
