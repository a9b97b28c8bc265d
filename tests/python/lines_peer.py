#!/usr/bin/env python3
"""A Python peer speaking lines the way Python programs do, for sockframe's
`Delimited` interop tests (tests/python_lines.rs).

    lines_peer.py send PORT MODE DELIMITER_HEX END  < lines.hex   lines to 127.0.0.1:PORT
    lines_peer.py recv PORT                                      lines from 127.0.0.1:PORT

send: reads the lines to send from stdin, one per line in hex, connects and
writes each with `sock.sendall(line + delimiter)` (MODE whole), one byte
per `sendall` (MODE bytes), or every line in one `sendall` (MODE glued);
END is `final`, or `no-final` for a last line sent with no delimiter. Then
closes.

recv: connects and reads `sock.makefile('rb').readline()` until the end of
the stream, printing each line as read (newline included) in hex, one per
line of output.

Every socket operation has a timeout and the whole run an alarm, so a test
that goes wrong fails instead of hanging.
"""

import signal
import socket
import sys

TIMEOUT_SECONDS = 20


def connect(port):
    sock = socket.create_connection(("127.0.0.1", int(port)), timeout=TIMEOUT_SECONDS)
    sock.settimeout(TIMEOUT_SECONDS)
    return sock


def send(port, mode, delimiter_hex, end):
    lines = [bytes.fromhex(h.strip()) for h in sys.stdin.read().splitlines()]
    delimiter = bytes.fromhex(delimiter_hex)
    frames = [line + delimiter for line in lines]
    if frames and end == "no-final":
        frames[-1] = lines[-1]
    sock = connect(port)
    if mode == "whole":
        for frame in frames:
            sock.sendall(frame)
    elif mode == "bytes":
        for frame in frames:
            for i in range(len(frame)):
                sock.sendall(frame[i : i + 1])
    elif mode == "glued":
        sock.sendall(b"".join(frames))
    else:
        raise SystemExit("unknown mode " + mode)
    sock.shutdown(socket.SHUT_WR)
    # Wait for the reader to close first, so that nothing is cut short.
    while sock.recv(4096):
        pass
    sock.close()


def recv(port):
    sock = connect(port)
    reader = sock.makefile("rb")
    while True:
        line = reader.readline()
        if not line:
            break
        print(line.hex(), flush=True)
    reader.close()
    sock.close()


def main():
    signal.alarm(3 * TIMEOUT_SECONDS)
    command = sys.argv[1]
    if command == "send":
        send(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5])
    elif command == "recv":
        recv(sys.argv[2])
    else:
        raise SystemExit("unknown command " + command)


if __name__ == "__main__":
    main()
