//! Datagrams against Python peers over loopback UDP, written the way
//! Python programs commonly are: `recvfrom(1024)` that cuts what it does
//! not have room for, `sendto` of a frame built by hand, headers read with
//! `json.loads`. Peers: tests/python/udp_peer.py (echo, client) and
//! tests/python/peer.py (udp-send, udp-recv).
//!
//! These tests need `python3` on the PATH and fail, never skip, without it.
//! Every socket read has a timeout and every peer gives up after 10 s of
//! silence, so nothing hangs.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, UdpSocket};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread;
use std::time::Duration;

use serde_json::{json, Value};
use sockframe::io::udp::{datagram_error, DatagramError, DatagramFramer};
use sockframe::{Binary, Encode, Framing, Json, Needed};

const UDP_PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/udp_peer.py");
const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/peer.py");

const WAIT: Duration = Duration::from_secs(10);

/// A running Python peer and its stdout, line by line.
struct Peer {
    child: Child,
    stdout: BufReader<ChildStdout>,
}

impl Peer {
    /// Starts `script` with `args`, writing `stdin` to it. Fails, never
    /// skips, when python3 is missing.
    fn start(script: &str, args: &[&str], stdin: &str) -> Self {
        let mut child = Command::new("python3")
            .arg(script)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("python3 is required by these tests: {e}"));
        let mut input = child.stdin.take().unwrap();
        input.write_all(stdin.as_bytes()).unwrap();
        drop(input);
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Peer { child, stdout }
    }

    /// The next JSON line the peer printed.
    fn line(&mut self) -> Value {
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line)
            .unwrap_or_else(|e| panic!("peer printed {line:?} ({e}); {}", self.stderr()))
    }

    fn stderr(&mut self) -> String {
        let mut stderr = String::new();
        if let Some(mut pipe) = self.child.stderr.take() {
            let _ = pipe.read_to_string(&mut stderr);
        }
        stderr
    }

    /// Waits for the peer; returns the JSON lines it printed since;
    /// panics with its stderr if it failed.
    fn finish(self) -> Vec<Value> {
        self.finish_text()
            .iter()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// [`finish`](Peer::finish), the lines as printed (serde_json's `Value`
    /// sorts keys; these keep Python's order).
    fn finish_text(mut self) -> Vec<String> {
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "python peer failed ({status}):\n{rest}\n{}",
            self.stderr()
        );
        rest.lines().map(str::to_owned).collect()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// peer.py's spec: bodies, and for JSON framings the header's keys in order.
fn spec(messages: &[(&[u8], Value)]) -> String {
    let list: Vec<Value> = messages
        .iter()
        .map(|(body, header)| json!({"body_hex": hex(body), "header": header}))
        .collect();
    json!({ "messages": list }).to_string()
}

fn socket() -> UdpSocket {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket.set_read_timeout(Some(WAIT)).unwrap();
    socket
}

/// A loopback port free a moment ago, for a peer that binds it itself.
fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The payload length whose frame is exactly `frame_len` bytes.
fn payload_for_frame<F: Encode>(framing: &F, frame_len: usize) -> usize {
    (0..frame_len)
        .rev()
        .find(|&n| framing.encode_header(n).unwrap().as_ref().len() + n == frame_len)
        .expect("a payload length that fits")
}

/// Rust sends four frames to a Python echo peer reading with
/// `recvfrom(1024)`: a small one, one of exactly 1024 bytes, one of 2000
/// and a small one. The third comes back cut to 1024 bytes, and Rust says
/// so with the numbers; the others come back whole.
fn recvfrom_1024_cuts_and_rust_reports_it<F>(framing: F)
where
    F: Framing + Encode + Clone,
{
    let mut peer = Peer::start(UDP_PEER, &["echo", "1024", "4"], "");
    let port = peer.line()["port"].as_u64().expect("the peer's port");
    let socket = socket();
    socket.connect(("127.0.0.1", port as u16)).unwrap();

    let exactly_1024 = vec![b'a'; payload_for_frame(&framing, 1024)];
    let long = vec![b'b'; 2000];
    let long_frame = framing.encode_to_vec(&long).unwrap().len();
    let mut framer = DatagramFramer::new(framing);

    framer.send(&socket, b"hello").unwrap();
    assert_eq!(framer.recv(&socket).unwrap().payload(), b"hello");
    framer.send(&socket, &exactly_1024).unwrap();
    assert!(framer.recv(&socket).unwrap().payload() == &exactly_1024[..]);

    framer.send(&socket, &long).unwrap();
    let error = framer.recv(&socket).map(drop).unwrap_err();
    let needed = Needed::exact(long_frame - 1024);
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::Truncated {
            datagram_len: 1024,
            needed
        })
    );
    assert_eq!(
        error.to_string(),
        format!(
            "datagram of 1024 bytes is truncated: its frame lacks {} more bytes",
            long_frame - 1024
        )
    );

    framer.send(&socket, b"after").unwrap();
    assert_eq!(framer.recv(&socket).unwrap().payload(), b"after");

    let received: Vec<u64> = peer
        .finish()
        .iter()
        .map(|line| line["received"].as_u64().unwrap())
        .collect();
    let small = framer.encode(b"hello").unwrap().len() as u64;
    assert_eq!(received, [small, 1024, 1024, small]);
}

#[test]
fn python_recvfrom_1024_cuts_binary_frames_and_rust_reports_the_cut() {
    recvfrom_1024_cuts_and_rust_reports_it(Binary::default());
}

#[test]
fn python_recvfrom_1024_cuts_json_frames_and_rust_reports_the_cut() {
    recvfrom_1024_cuts_and_rust_reports_it(Json::new());
}

#[test]
fn a_python_datagram_over_rusts_receive_limit_is_refused_with_its_length() {
    let socket = socket();
    let port = socket.local_addr().unwrap().port().to_string();
    let long = vec![b'x'; 3000];
    let messages: [(&[u8], Value); 3] = [
        (b"hello", json!([])),
        (&long, json!([])),
        (b"after", json!([])),
    ];
    let peer = Peer::start(PEER, &["udp-send", "json", &port], &spec(&messages));
    // As a Python receiver with recvfrom(1024) would be, but it says so.
    let mut framer = DatagramFramer::new(Json::new()).with_max_recv(1024);
    assert_eq!(framer.recv(&socket).unwrap().payload(), b"hello");
    let error = framer.recv(&socket).unwrap_err();
    // struct.pack('i', 19) + b'{"data_size": 3000}' + the body.
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::TooLarge {
            datagram_len: Some(3023),
            max_datagram: 1024
        })
    );
    assert_eq!(
        error.to_string(),
        "datagram of 3023 bytes is over the 1024-byte receive limit"
    );
    assert_eq!(framer.recv(&socket).unwrap().payload(), b"after");
    peer.finish();
}

#[test]
fn python_reads_the_json_header_fields_rust_sends() {
    let port = free_port();
    let mut peer = Peer::start(PEER, &["udp-recv", "json", &port.to_string(), "2"], "");
    assert_eq!(peer.line(), json!({"ready": true}));
    let to = SocketAddr::from(([127, 0, 0, 1], port));
    let socket = socket();
    let mut framer = DatagramFramer::new(Json::new());
    let fields = json!({"file_name": "报告.txt", "md5": "0cc175b9c0f1b6a831c399e269772661"});
    framer.send_to_with(&socket, &fields, b"a", to).unwrap();
    let (_, mut sender) = framer.split();
    sender
        .send_to_with(&socket, &json!({"seq": 2, "tags": ["x", null]}), b"", to)
        .unwrap();

    let text = peer.finish_text();
    assert_eq!(text.len(), 2);
    // json.loads kept the order Rust wrote; the size key comes last.
    let (_, header_text) = text[0].split_once(r#""header": "#).unwrap();
    let at = |key: &str| header_text.find(&format!("\"{key}\"")).unwrap();
    assert!(
        at("file_name") < at("md5") && at("md5") < at("data_size"),
        "{header_text}"
    );
    let lines: Vec<Value> = text
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["body_hex"], "61");
    assert_eq!(
        lines[0]["header"],
        json!({"file_name": "报告.txt", "md5": "0cc175b9c0f1b6a831c399e269772661", "data_size": 1})
    );
    assert_eq!(
        lines[1]["header"],
        json!({"seq": 2, "tags": ["x", null], "data_size": 0})
    );
}

#[test]
fn a_python_client_gets_its_frames_back_from_a_rust_echo_server() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    // Ends the server's loop once the client is done.
    server
        .set_read_timeout(Some(Duration::from_secs(3)))
        .unwrap();
    let port = server.local_addr().unwrap().port().to_string();
    let server = thread::spawn(move || -> (usize, std::io::Error) {
        let mut framer = DatagramFramer::new(Json::new());
        let (mut receiver, mut sender) = framer.split();
        let mut echoed = 0;
        loop {
            let (frame, from) = match receiver.recv_from(&server) {
                Ok(received) => received,
                Err(error) => return (echoed, error),
            };
            if let Err(error) = sender.send_to(&server, frame.payload(), from) {
                return (echoed, error);
            }
            echoed += 1;
        }
    });

    let large: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 256) as u8).collect();
    let messages: [(&[u8], Value); 4] = [
        (b"hello", json!([])),
        (b"", json!([])),
        ("你好".as_bytes(), json!([])),
        (&large, json!([])),
    ];
    let peer = Peer::start(UDP_PEER, &["client", "json", &port], &spec(&messages));
    let echoed: Vec<u64> = peer
        .finish()
        .iter()
        .map(|line| line["echoed"].as_u64().unwrap())
        .collect();
    let mut json = DatagramFramer::new(Json::new());
    let expected: Vec<u64> = messages
        .iter()
        .map(|(body, _)| json.encode(body).unwrap().len() as u64)
        .collect();
    assert_eq!(echoed, expected);
    let (count, end) = server.join().unwrap();
    assert_eq!(count, 4);
    assert!(
        matches!(
            end.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{end}"
    );
}
