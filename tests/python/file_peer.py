#!/usr/bin/env python3
"""File transfer the way the Python socket programs sockframe interoperates
with do it, for framecat's send-file / recv-file tests.

    file_peer.py send PORT PATH [--name NAME] [--name-json JSON] [--md5 HEX] [--cut N]
        connects to 127.0.0.1:PORT and sends PATH: the header
        {"file_name": NAME, "file_size": size, "md5": hex} (NAME defaults to
        os.path.basename(PATH); --name-json gives it as a JSON string, for
        names a command line cannot carry; --md5 sends a wrong one; --cut N
        stops after N body bytes and closes)
    file_peer.py recv DIR
        listens on 127.0.0.1 (any port), prints {"port": PORT}, accepts one
        connection, receives files until the sender closes, saving each as
        DIR/os.path.basename(name); prints one JSON line per file:
        {"file_name", "file_size", "md5", "md5_ok", "path"}

The wire, as those programs build it:

    header = {"file_name": name, "file_size": size, "md5": md5}
    hb = json.dumps(header).encode("utf-8")
    sock.send(struct.pack("i", len(hb)))
    sock.send(hb)
    sock.sendall(body)
"""

import hashlib
import json
import os
import socket
import struct
import sys


def file_md5(path):
    md5 = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8192), b""):
            md5.update(chunk)
    return md5.hexdigest()


def send(port, path, name=None, md5=None, cut=None):
    size = os.path.getsize(path)
    header = {
        "file_name": name if name is not None else os.path.basename(path),
        "file_size": size,
        "md5": md5 if md5 is not None else file_md5(path),
    }
    hb = json.dumps(header).encode("utf-8")
    sock = socket.create_connection(("127.0.0.1", int(port)), timeout=20)
    sock.send(struct.pack("i", len(hb)))
    sock.send(hb)
    sent = 0
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(8192), b""):
            if cut is not None and sent + len(chunk) > cut:
                sock.sendall(chunk[: cut - sent])
                break
            sock.sendall(chunk)
            sent += len(chunk)
    sock.close()


def recv_exact(conn, n):
    """n bytes, or fewer if the peer closed first."""
    chunks = []
    while n > 0:
        chunk = conn.recv(min(n, 65536))
        if not chunk:
            break
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv(directory):
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(20)
    print(json.dumps({"port": server.getsockname()[1]}), flush=True)
    conn, _ = server.accept()
    conn.settimeout(20)
    while True:
        prefix = recv_exact(conn, 4)
        if not prefix:
            break
        if len(prefix) < 4:
            raise SystemExit("cut inside the header length")
        hlen = struct.unpack("i", prefix)[0]
        header = json.loads(recv_exact(conn, hlen).decode("utf-8"))
        size = header["file_size"]
        path = os.path.join(directory, os.path.basename(header["file_name"]))
        md5 = hashlib.md5()
        left = size
        with open(path, "wb") as f:
            while left > 0:
                chunk = conn.recv(min(left, 65536))
                if not chunk:
                    raise SystemExit("cut inside the body")
                f.write(chunk)
                md5.update(chunk)
                left -= len(chunk)
        print(
            json.dumps(
                {
                    "file_name": header["file_name"],
                    "file_size": size,
                    "md5": header["md5"],
                    "md5_ok": md5.hexdigest() == header["md5"],
                    "path": path,
                    "header_keys": list(header),
                }
            ),
            flush=True,
        )
    conn.close()
    server.close()


if __name__ == "__main__":
    role = sys.argv[1]
    if role == "send":
        args = sys.argv[4:]
        options = dict(zip(args[::2], args[1::2]))
        send(
            sys.argv[2],
            sys.argv[3],
            name=json.loads(options["--name-json"]) if "--name-json" in options else options.get("--name"),
            md5=options.get("--md5"),
            cut=int(options["--cut"]) if "--cut" in options else None,
        )
    elif role == "recv":
        recv(sys.argv[2])
    else:
        raise SystemExit("unknown role " + role)
