//! The `framecat` binary, run as a user would: encode | decode round trips,
//! bad and truncated input, `--count`, and `serve` + `send` on loopback with
//! bad, oversize and stalled clients that must not disturb a good one.
//! Needs the `cli` feature (`cargo test --all-features`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sockframe::{Ascii, Binary, Encode, Json};

const FRAMECAT: &str = env!("CARGO_BIN_EXE_framecat");

/// Runs framecat with `input` on stdin.
fn framecat(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(FRAMECAT)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Write from a thread so a large output cannot block the input.
    let feeder = thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    feeder.join().unwrap();
    output
}

fn stdout_lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

const LINES: &[u8] = b"hello\n\xe4\xbd\xa0\xe5\xa5\xbd\n\nwindows line\r\nnot utf-8 \xff\xfe\nlast line without newline";

/// The payloads framecat must make of `LINES`.
fn payloads() -> Vec<&'static [u8]> {
    vec![
        b"hello",
        "你好".as_bytes(),
        b"",
        b"windows line",
        b"not utf-8 \xff\xfe",
        b"last line without newline",
    ]
}

fn expected_lines(header: impl Fn(usize) -> Option<Value>) -> Vec<Value> {
    payloads()
        .iter()
        .map(|p| {
            let mut line = serde_json::Map::new();
            if let Some(h) = header(p.len()) {
                line.insert("header".into(), h);
            }
            match std::str::from_utf8(p) {
                Ok(text) => line.insert("body".into(), json!(text)),
                Err(_) => line.insert("body_base64".into(), json!("bm90IHV0Zi04IP/+")),
            };
            Value::Object(line)
        })
        .collect()
}

fn wire<E: Encode>(encoder: &E) -> Vec<u8> {
    let mut out = Vec::new();
    for p in payloads() {
        encoder.encode_into(p, &mut out).unwrap();
    }
    out
}

#[track_caller]
fn round_trip(args: &[&str], encoder_wire: Vec<u8>, header: impl Fn(usize) -> Option<Value>) {
    let encoded = framecat(&[&["encode"], args].concat(), LINES);
    assert!(encoded.status.success(), "{}", stderr(&encoded));
    assert_eq!(encoded.stdout, encoder_wire, "encode {args:?}");
    let decoded = framecat(&[&["decode"], args].concat(), &encoded.stdout);
    assert!(decoded.status.success(), "{}", stderr(&decoded));
    assert_eq!(
        stdout_lines(&decoded),
        expected_lines(header),
        "decode {args:?}"
    );
    assert_eq!(stderr(&decoded), "");
}

#[test]
fn encode_then_decode_round_trips_every_framing() {
    round_trip(&["--framing", "ascii4"], wire(&Ascii::new()), |_| None);
    round_trip(
        &["--framing", "ascii4", "--digits", "6"],
        wire(&Ascii::with_width(6).unwrap()),
        |_| None,
    );
    round_trip(&["--framing", "struct"], wire(&Binary::default()), |_| None);
    round_trip(
        &["--framing", "struct", "--endian", "big"],
        wire(&Binary::I32_BE),
        |_| None,
    );
    let network = Binary::from_struct_format("!H").unwrap();
    round_trip(
        &["--framing", "struct", "--struct-format", "!H"],
        wire(&network),
        |_| None,
    );
    round_trip(&["--framing", "json"], wire(&Json::new()), |n| {
        Some(json!({"data_size": n}))
    });
    round_trip(
        &[
            "--framing",
            "json",
            "--length-key",
            "file_size",
            "--endian",
            "big",
        ],
        wire(
            &Json::new()
                .with_size_key("file_size")
                .with_prefix(Binary::I32_BE),
        ),
        |n| Some(json!({"file_size": n})),
    );
}

#[test]
fn decode_shows_every_json_header_key() {
    let mut input = Vec::new();
    Json::new()
        .encode_with_into(
            &json!({"file_name": "报告.txt", "md5": "abc"}),
            b"body",
            &mut input,
        )
        .unwrap();
    let output = framecat(&["decode", "--framing", "json"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout_lines(&output),
        [
            json!({"header": {"file_name": "报告.txt", "md5": "abc", "data_size": 4}, "body": "body"})
        ]
    );
}

#[test]
fn truncated_input_prints_the_complete_frames_then_fails() {
    let output = framecat(
        &["decode", "--framing", "ascii4"],
        b"0002hi0003you0010hello",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout_lines(&output),
        [json!({"body": "hi"}), json!({"body": "you"})]
    );
    let err = stderr(&output);
    assert!(err.contains("stream ended at offset 22"), "{err}");
    assert!(err.contains("5 more bytes were missing"), "{err}");

    // Cut inside a JSON header.
    let mut input = Json::new().encode_to_vec(b"first").unwrap();
    input.extend_from_slice(&Json::new().encode_to_vec(b"second").unwrap()[..8]);
    let output = framecat(&["decode", "--framing", "json"], &input);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout_lines(&output),
        [json!({"header": {"data_size": 5}, "body": "first"})]
    );
    assert!(
        stderr(&output).contains("in the middle of a frame"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn malformed_input_is_named_with_its_offset() {
    let cases: &[(&[&str], &[u8], usize, &str)] = &[
        (
            &["--framing", "ascii4"],
            b"0002hi00x3abc",
            1,
            "byte 'x' (0x78) at offset 8",
        ),
        (
            &["--framing", "ascii4"],
            b"+012hello",
            0,
            "at offset 0 is not a decimal digit",
        ),
        (
            &["--framing", "struct"],
            b"\x02\0\0\0ok\xfb\xff\xff\xff",
            1,
            "negative length -5",
        ),
        (
            &["--framing", "json"],
            b"\x02\0\0\0[]",
            0,
            "is an array, not an object",
        ),
        (
            &["--framing", "json"],
            b"\x0b\0\0\0{\"size\": 1}x",
            0,
            "has no \"data_size\" key",
        ),
        (
            &["--framing", "struct", "--max-frame", "100"],
            b"\x03\0\0\0abc\xe8\x03\0\0",
            1,
            "announces 1000 bytes, over the limit of 100",
        ),
    ];
    for (args, input, frames, message) in cases {
        let output = framecat(&[&["decode"], *args].concat(), input);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_eq!(stdout_lines(&output).len(), *frames, "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn count_prints_totals_even_when_the_input_is_cut() {
    let mut input = Vec::new();
    for i in 0..1000 {
        Binary::default()
            .encode_into(format!("frame number {i}").as_bytes(), &mut input)
            .unwrap();
    }
    let stream_bytes = input.len();
    let payload_bytes = stream_bytes - 4000;
    let output = framecat(&["decode", "--framing", "struct", "--count"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout_lines(&output),
        [json!({"frames": 1000, "payload_bytes": payload_bytes, "stream_bytes": stream_bytes})]
    );

    input.extend_from_slice(b"\x10\0\0\0cut");
    let output = framecat(&["decode", "--framing", "struct", "--count"], &input);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        stdout_lines(&output),
        [json!({"frames": 1000, "payload_bytes": payload_bytes, "stream_bytes": stream_bytes})]
    );
    assert!(
        stderr(&output).contains("13 more bytes were missing"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn encode_refuses_a_line_the_header_cannot_describe() {
    let mut input = b"fine\n".to_vec();
    input.extend_from_slice(&[b'x'; 10_000]);
    input.extend_from_slice(b"\nnever\n");
    let output = framecat(&["encode", "--framing", "ascii4"], &input);
    assert_eq!(output.status.code(), Some(1));
    // The frame before the bad line is complete on stdout.
    assert_eq!(output.stdout, b"0004fine");
    let err = stderr(&output);
    assert!(err.contains("line 2"), "{err}");
    assert!(err.contains("at most 9999"), "{err}");

    let output = framecat(
        &["encode", "--framing", "struct", "--max-frame", "3"],
        b"abc\nabcd\n",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"\x03\0\0\0abc");
    assert!(
        stderr(&output).contains("line 2 is longer than --max-frame"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_arguments_are_usage_errors() {
    let output = framecat(&["decode", "--framing", "xml"], b"");
    assert_eq!(output.status.code(), Some(2));
    let output = framecat(
        &["decode", "--framing", "struct", "--struct-format", "2i"],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("--struct-format"),
        "{}",
        stderr(&output)
    );
    let output = framecat(&["encode", "--framing", "ascii4", "--digits", "20"], b"");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("outside 1..=19"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn help_explains_each_framing_in_one_line() {
    let output = framecat(&["--help"], b"");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for line in [
        "ascii4  4 ASCII digits, then the payload: str(len(m)).zfill(4).encode() + m",
        "struct  a binary length, then the payload: struct.pack('i', len(m)) + m",
        "json    a binary header length, a JSON header with the body size, the body:",
    ] {
        assert!(help.contains(line), "{help}");
    }
}

/// A running `framecat serve`, killed on drop; its stderr lines arrive on
/// `log`.
struct Server {
    child: Child,
    addr: String,
    log: Receiver<String>,
    seen: Vec<String>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(FRAMECAT)
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (tx, log) = mpsc::channel();
        let stderr = BufReader::new(child.stderr.take().unwrap());
        thread::spawn(move || {
            for line in stderr.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            addr: String::new(),
            log,
            seen: Vec::new(),
        };
        let line = server.wait_for("listening on");
        server.addr = line.rsplit(' ').next().unwrap().to_owned();
        server
    }

    /// Waits for a stderr line containing `text`.
    fn wait_for(&mut self, text: &str) -> String {
        if let Some(line) = self.seen.iter().find(|l| l.contains(text)) {
            return line.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!("no {text:?} on the server's stderr; saw {:?}", self.seen),
            }
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `framecat send` to the server; returns its output.
fn send(server: &Server, framing: &[&str], input: &[u8]) -> Output {
    framecat(&[&["send"], framing, &[&server.addr]].concat(), input)
}

/// Reads until the server closes the connection; returns what came.
fn read_to_close(mut stream: TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    match stream.read_to_end(&mut got) {
        Ok(_) => got,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => got,
        Err(e) => panic!("the server did not close the connection: {e}"),
    }
}

#[test]
fn serve_echoes_to_good_clients_while_bad_ones_lose_only_their_own_connection() {
    // A long stall timeout: a server serving one client at a time would
    // keep the good client waiting behind the stalled one for 20 s.
    let mut server = Server::start(&[
        "--framing",
        "json",
        "--max-frame",
        "1000",
        "--timeout",
        "20",
    ]);

    // A client that stalls mid-frame, one that sends garbage after a good
    // frame, and one that announces an oversize body.
    let mut stalled = server.connect();
    stalled
        .write_all(&Json::new().encode_to_vec(b"never finished").unwrap()[..20])
        .unwrap();
    server.wait_for("connected");

    let mut garbage = server.connect();
    let mut sent = Json::new().encode_to_vec(b"before the garbage").unwrap();
    sent.extend_from_slice(b"\x05\0\0\0nope!");
    garbage.write_all(&sent).unwrap();

    let mut oversize = server.connect();
    oversize
        .write_all(&Json::new().encode_header(5000).unwrap())
        .unwrap();

    // The good client, served while the others misbehave.
    let started = Instant::now();
    let lines = b"first\n\xe4\xbd\xa0\xe5\xa5\xbd\nthird";
    let output = send(&server, &["--framing", "json"], lines);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        stdout_lines(&output),
        [
            json!({"header": {"data_size": 5}, "body": "first"}),
            json!({"header": {"data_size": 6}, "body": "你好"}),
            json!({"header": {"data_size": 5}, "body": "third"}),
        ]
    );
    assert!(
        stderr(&output).contains("sent 3 frames"),
        "{}",
        stderr(&output)
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the good client waited"
    );

    // The garbage client got its good frame echoed, then was closed.
    let echoed = read_to_close(garbage);
    assert_eq!(
        echoed,
        Json::new().encode_to_vec(b"before the garbage").unwrap()
    );
    server.wait_for("JSON header is not valid JSON");
    assert!(read_to_close(oversize).is_empty());
    server.wait_for("announces 5000 bytes, over the limit of 1000");

    // The staller is still connected, waiting for its timeout.
    stalled.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let still_open = stalled.read(&mut byte).unwrap_err();
    assert_eq!(still_open.kind(), std::io::ErrorKind::WouldBlock);
    assert!(!server.seen.iter().any(|line| line.contains("stalled")));
}

#[test]
fn serve_cuts_off_a_client_stalled_mid_frame_after_the_timeout() {
    let mut server = Server::start(&["--framing", "ascii4", "--timeout", "0.5"]);
    let mut stalled = server.connect();
    stalled.write_all(b"0002ok0010hal").unwrap();
    let started = Instant::now();
    // The complete frame is echoed; the connection closes after the stall.
    assert_eq!(read_to_close(stalled), b"0002ok");
    assert!(started.elapsed() >= Duration::from_millis(400));
    let line = server.wait_for("stalled mid-frame");
    assert!(
        line.contains("after 1 frames (7 bytes of the next frame received)"),
        "{line}"
    );

    // An idle client is closed too, and the server still serves.
    let idle = server.connect();
    assert!(read_to_close(idle).is_empty());
    server.wait_for("idle for 0.5s after 0 frames");
    let output = send(&server, &["--framing", "ascii4"], b"still here\n");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_lines(&output), [json!({"body": "still here"})]);
}

#[test]
fn serve_echoes_many_frames_glued_together() {
    let mut server = Server::start(&["--framing", "ascii4"]);
    let mut client = server.connect();
    let mut burst = Vec::new();
    for i in 0..2000 {
        Ascii::new()
            .encode_into(format!("glued {i}").as_bytes(), &mut burst)
            .unwrap();
    }
    client.write_all(&burst).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    assert!(read_to_close(client) == burst);
    server.wait_for("closed after 2000 frames");
}

#[test]
fn serve_refuses_connections_over_the_limit() {
    let mut server = Server::start(&["--framing", "struct", "--max-connections", "1"]);
    let mut first = server.connect();
    server.wait_for("connected");
    // The second is closed at once.
    let second = server.connect();
    assert!(read_to_close(second).is_empty());
    server.wait_for("refused, 1 connections already open");
    // The first is still served.
    first.write_all(b"\x02\0\0\0ok").unwrap();
    let mut echo = [0u8; 6];
    first.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"\x02\0\0\0ok");
    drop(first);
    server.wait_for("closed after 1 frames");
    // Its slot is free again.
    let output = send(&server, &["--framing", "struct"], b"again\n");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_lines(&output), [json!({"body": "again"})]);
}
