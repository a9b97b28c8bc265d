//! Interop with real Python peers (tests/python/peer.py), written the way
//! FRAMINGS.md shows: `str(len).zfill(4)`, `struct.pack('i', ...)`,
//! `json.dumps` headers with `data_size` / `file_size`. Python sends (in
//! whole sends, single bytes, glued frames, odd pieces, or cut short) and
//! receives over loopback TCP and UDP, and prints the frames it would build,
//! which must equal sockframe's encoders byte for byte.
//!
//! These tests need `python3` on the PATH and fail, never skip, without it.

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use md5::{Digest, Md5};
use serde_json::{json, Map, Value};
use sockframe::io::udp::DatagramFramer;
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::{Ascii, Binary, Encode, Error, Framing, Json, Needed, OwnedFrame};

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/peer.py");

/// One message: a body and, for the JSON framings, the header's keys in
/// order (a `null` size key is filled in with the body length).
#[derive(Clone)]
struct Message {
    body: Vec<u8>,
    header: Vec<(String, Value)>,
}

fn message(body: &[u8]) -> Message {
    Message {
        body: body.to_vec(),
        header: Vec::new(),
    }
}

fn with_header(body: &[u8], header: &[(&str, Value)]) -> Message {
    Message {
        body: body.to_vec(),
        header: header
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    }
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Messages for every framing: ASCII, empty, UTF-8, binary and a body
/// larger than one TCP segment.
fn plain_messages() -> Vec<Message> {
    let large: Vec<u8> = (0..3000u32).map(|i| (i * 31 % 256) as u8).collect();
    vec![
        message(b"hello"),
        message(b""),
        message("你好".as_bytes()),
        message(b"\x00\xff\x7f binary \r\n"),
        message(&large),
        message(b"last"),
    ]
}

/// JSON messages whose headers carry application keys that must reach Rust.
fn file_messages() -> Vec<Message> {
    let report = "第一行\n第二行\n".repeat(50).into_bytes();
    let blob: Vec<u8> = (0..5000u32).map(|i| (i * 7 % 251) as u8).collect();
    vec![
        with_header(
            &report,
            &[
                ("file_name", json!("报告.txt")),
                ("file_size", Value::Null),
                ("md5", json!(md5_hex(&report))),
            ],
        ),
        with_header(
            &blob,
            &[
                ("file_name", json!("blob.bin")),
                ("file_size", Value::Null),
                ("md5", json!(md5_hex(&blob))),
                (
                    "meta",
                    json!({"parts": [1, 2.5, null, true], "note": "quote \" and \\"}),
                ),
            ],
        ),
        with_header(
            b"",
            &[
                ("file_name", json!("empty")),
                ("file_size", Value::Null),
                ("md5", json!(md5_hex(b""))),
            ],
        ),
    ]
}

fn spec(messages: &[Message]) -> String {
    let list: Vec<Value> = messages
        .iter()
        .map(|m| {
            let header: Vec<Value> = m.header.iter().map(|(k, v)| json!([k, v])).collect();
            json!({"body_hex": hex(&m.body), "header": header})
        })
        .collect();
    json!({ "messages": list }).to_string()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Starts the Python peer with `spec` on its stdin. Fails, never skips,
/// when python3 is missing.
fn python(args: &[&str], spec: &str) -> Child {
    let mut child = Command::new("python3")
        .arg(PEER)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is required by the interop tests: {e}"));
    child
        .stdin
        .take()
        .unwrap()
        .write_all(spec.as_bytes())
        .unwrap();
    child
}

/// Waits for the peer; returns its stdout lines; panics with its stderr if
/// it failed.
fn finish(child: Child) -> Vec<String> {
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "python peer failed ({}):\n{}\n{}",
        output.status,
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout.lines().map(str::to_owned).collect()
}

/// The header Rust writes for `m`: the same keys in the same order.
fn rust_fields(m: &Message) -> Map<String, Value> {
    m.header.iter().cloned().collect()
}

fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    (listener, port)
}

/// Python sends `messages` in `mode`; Rust reads them all.
fn python_sends<F: Framing + Clone>(
    framing_name: &str,
    framing: F,
    mode: &str,
    messages: &[Message],
) -> (Vec<OwnedFrame<F::OwnedHeader>>, io::Result<()>) {
    let (listener, port) = listener();
    let child = python(&["send", framing_name, &port, mode], &spec(messages));
    let (stream, _) = listener.accept().unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut reader = FrameReader::new(stream, framing);
    let mut frames = Vec::new();
    let end = loop {
        match reader.read_frame_owned() {
            Ok(Some(frame)) => frames.push(frame),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    finish(child);
    (frames, end)
}

fn assert_bodies<H>(frames: &[OwnedFrame<H>], messages: &[Message], what: &str) {
    assert_eq!(frames.len(), messages.len(), "{what}: frame count");
    for (i, (frame, m)) in frames.iter().zip(messages).enumerate() {
        assert!(frame.payload == m.body, "{what}: body {i} differs");
    }
}

const MODES: [&str; 4] = ["whole", "bytes", "glued", "odd"];

/// Short messages for the one-byte-per-send mode, which sleeps per byte.
fn for_mode(mode: &str, messages: Vec<Message>) -> Vec<Message> {
    if mode == "bytes" {
        messages
            .into_iter()
            .filter(|m| m.body.len() < 100)
            .collect()
    } else {
        messages
    }
}

#[test]
fn python_ascii4_sender_in_every_mode() {
    for mode in MODES {
        let messages = for_mode(mode, plain_messages());
        let (frames, end) = python_sends("ascii4", Ascii::new(), mode, &messages);
        end.unwrap();
        assert_bodies(&frames, &messages, &format!("ascii4 {mode}"));
    }
}

#[test]
fn python_struct_sender_in_every_mode() {
    for mode in MODES {
        let messages = for_mode(mode, plain_messages());
        let (frames, end) = python_sends("struct", Binary::default(), mode, &messages);
        end.unwrap();
        assert_bodies(&frames, &messages, &format!("struct 'i' {mode}"));
    }
    let network = Binary::from_struct_format("!I").unwrap();
    let messages = plain_messages();
    let (frames, end) = python_sends("struct-net", network, "odd", &messages);
    end.unwrap();
    assert_bodies(&frames, &messages, "struct '!I' odd");
}

#[test]
fn python_json_sender_in_every_mode() {
    for mode in MODES {
        let messages = for_mode(mode, plain_messages());
        let (frames, end) = python_sends("json", Json::new(), mode, &messages);
        end.unwrap();
        assert_bodies(&frames, &messages, &format!("json {mode}"));
        for (frame, m) in frames.iter().zip(&messages) {
            let header = frame.header.to_map().unwrap();
            assert_eq!(header["data_size"], m.body.len());
            // Python's spelling, as received.
            assert_eq!(
                frame.header.as_header().as_str(),
                format!(r#"{{"data_size": {}}}"#, m.body.len())
            );
        }
    }
}

#[test]
fn python_file_headers_reach_rust_with_every_key() {
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    for mode in ["whole", "glued", "odd"] {
        let messages = file_messages();
        let (frames, end) = python_sends("json-file", json.clone(), mode, &messages);
        end.unwrap();
        assert_bodies(&frames, &messages, &format!("json-file {mode}"));
        for (frame, m) in frames.iter().zip(&messages) {
            let header = frame.header.to_map().unwrap();
            let keys: Vec<&str> = header.keys().map(String::as_str).collect();
            let sent: Vec<&str> = m.header.iter().map(|(k, _)| k.as_str()).collect();
            assert_eq!(keys, sent, "keys in Python's order");
            assert_eq!(header["file_size"], m.body.len());
            assert_eq!(header["file_name"], m.header[0].1);
            // Python's hashlib.md5 of the body, checked against ours.
            assert_eq!(header["md5"], md5_hex(&frame.payload));
        }
        let meta = &frames[1].header.to_map().unwrap()["meta"];
        assert_eq!(meta["note"], "quote \" and \\");
        assert_eq!(meta["parts"], json!([1, 2.5, null, true]));
    }
}

#[test]
fn python_peer_cut_mid_frame_is_reported_with_the_missing_count() {
    let messages = vec![message(b"complete"), message(&[b'z'; 40])];
    let (frames, end) = python_sends("ascii4", Ascii::new(), "cut", &messages);
    assert_bodies(&frames, &messages[..1], "frames before the cut");
    let error = end.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    // The last frame was 44 bytes; Python sent 22 of them.
    assert_eq!(
        frame_error(&error),
        Some(&Error::UnexpectedEof {
            offset: 12 + 22,
            needed: Needed::Exact(22.try_into().unwrap())
        })
    );

    let json_messages = file_messages();
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let (frames, end) = python_sends("json-file", json, "cut", &json_messages);
    assert_eq!(frames.len(), 2);
    let error = end.unwrap_err();
    // The last frame has an empty body: the cut falls in its JSON header.
    assert!(matches!(
        frame_error(&error),
        Some(Error::UnexpectedEof {
            needed: Needed::AtLeast(_),
            ..
        })
    ));
}

/// Rust sends `messages` with `write`; Python reads them the FRAMINGS.md
/// way and reports each as a JSON line.
fn python_receives(
    framing_name: &str,
    write: impl FnOnce(std::net::TcpStream) -> io::Result<()>,
) -> Vec<Value> {
    let (listener, port) = listener();
    let child = python(&["recv", framing_name, &port], "{}");
    let (stream, _) = listener.accept().unwrap();
    write(stream).unwrap();
    finish(child)
        .iter()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn assert_python_got(lines: &[Value], messages: &[Message], what: &str) {
    assert_eq!(lines.len(), messages.len(), "{what}: frame count");
    for (i, (line, m)) in lines.iter().zip(messages).enumerate() {
        assert_eq!(line["body_hex"], hex(&m.body), "{what}: body {i}");
        assert_eq!(line["md5"], md5_hex(&m.body), "{what}: md5 {i}");
    }
}

/// Writes through a writer that takes at most 3 bytes per call, so the
/// Python side meets frames in pieces too.
struct Trickle<W>(W);

impl<W: Write> Write for Trickle<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(3);
        self.0.write_all(&buf[..n])?;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[test]
fn python_receivers_read_what_rust_writes() {
    let messages = plain_messages();
    let send_all = |encoder_name: &str| {
        let messages = messages.clone();
        let name = encoder_name.to_owned();
        move |stream: std::net::TcpStream| -> io::Result<()> {
            match name.as_str() {
                "ascii4" => send_with(FrameWriter::new(stream, Ascii::new()), &messages),
                "struct" => send_with(FrameWriter::buffered(stream, Binary::default()), &messages),
                "struct-net" => send_with(
                    FrameWriter::new(Trickle(stream), Binary::from_struct_format("!I").unwrap()),
                    &messages,
                ),
                _ => send_with(
                    FrameWriter::buffered(Trickle(stream), Json::new()),
                    &messages,
                ),
            }
        }
    };
    for name in ["ascii4", "struct", "struct-net", "json"] {
        let lines = python_receives(name, send_all(name));
        assert_python_got(&lines, &messages, name);
        if name == "json" {
            assert!(lines
                .iter()
                .zip(&messages)
                .all(|(l, m)| l["header"] == json!({"data_size": m.body.len()})));
        }
    }
}

fn send_with<W: Write, E: Encode>(
    mut writer: FrameWriter<W, E>,
    messages: &[Message],
) -> io::Result<()> {
    for m in messages {
        writer.write_frame(&m.body)?;
    }
    writer.flush()
}

#[test]
fn python_receiver_gets_rusts_file_headers_and_streamed_bodies() {
    let messages = file_messages();
    let sent = messages.clone();
    let lines = python_receives("json-file", move |stream| {
        let json = Json::new().with_size_key(Json::FILE_SIZE);
        let mut writer = FrameWriter::new(stream, json);
        for (i, m) in sent.iter().enumerate() {
            if i % 2 == 0 {
                writer.write_frame_with(&rust_fields(m), &m.body)?;
            } else {
                // A body streamed from a reader, as from a file.
                writer.write_frame_with_from(
                    &rust_fields(m),
                    m.body.len() as u64,
                    &mut &m.body[..],
                )?;
            }
        }
        writer.flush()
    });
    assert_python_got(&lines, &messages, "json-file");
    for (line, m) in lines.iter().zip(&messages) {
        let header = line["header"].as_object().unwrap();
        let keys: Vec<&str> = header.keys().map(String::as_str).collect();
        let sent: Vec<&str> = m.header.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, sent);
        assert_eq!(header["file_name"], m.header[0].1);
        assert_eq!(header["file_size"], m.body.len());
        // The md5 Rust put in the header matches what Python computed.
        assert_eq!(header["md5"], line["md5"]);
    }
}

/// The hex of each frame Python builds for `messages`.
fn python_encodes(framing_name: &str, messages: &[Message]) -> Vec<String> {
    finish(python(&["encode", framing_name], &spec(messages)))
}

/// Compares our bytes with Python's hex, naming the first difference.
#[track_caller]
fn assert_same_bytes(ours: &[u8], python_hex: &str, what: &str) {
    let theirs: Vec<u8> = (0..python_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&python_hex[i..i + 2], 16).unwrap())
        .collect();
    if ours != theirs {
        let at = ours.iter().zip(&theirs).take_while(|(a, b)| a == b).count();
        let context = |bytes: &[u8]| {
            String::from_utf8_lossy(&bytes[at.saturating_sub(20)..(at + 20).min(bytes.len())])
                .into_owned()
        };
        panic!(
            "{what}: {} bytes (Rust) vs {} (Python), first difference at byte {at}:\n  Rust:   {:?}\n  Python: {:?}",
            ours.len(),
            theirs.len(),
            context(ours),
            context(&theirs)
        );
    }
}

#[test]
fn rust_encoders_match_python_byte_for_byte() {
    let mut messages = plain_messages();
    messages.push(message(&[b'9'; 9999]));
    let python_ascii = python_encodes("ascii4", &messages);
    let python_struct = python_encodes("struct", &messages);
    let python_network = python_encodes("struct-net", &messages);
    let python_json = python_encodes("json", &messages);
    let network = Binary::from_struct_format("!I").unwrap();
    for (i, m) in messages.iter().enumerate() {
        let cases = [
            (
                "ascii4",
                Ascii::new().encode_to_vec(&m.body),
                &python_ascii[i],
            ),
            (
                "struct",
                Binary::default().encode_to_vec(&m.body),
                &python_struct[i],
            ),
            (
                "struct-net",
                network.encode_to_vec(&m.body),
                &python_network[i],
            ),
            ("json", Json::new().encode_to_vec(&m.body), &python_json[i]),
        ];
        for (name, ours, theirs) in cases {
            assert_same_bytes(&ours.unwrap(), theirs, &format!("{name} {i}"));
        }
    }

    let files = file_messages();
    let python_files = python_encodes("json-file", &files);
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    for (i, m) in files.iter().enumerate() {
        let mut ours = Vec::new();
        json.encode_with_into(&rust_fields(m), &m.body, &mut ours)
            .unwrap();
        assert_same_bytes(&ours, &python_files[i], &format!("json-file {i}"));
    }
}

#[test]
fn python_udp_peers_one_frame_per_datagram() {
    // Python sends; Rust receives.
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let port = socket.local_addr().unwrap().port().to_string();
    let messages = plain_messages();
    let child = python(&["udp-send", "json", &port], &spec(&messages));
    let mut framer = DatagramFramer::new(Json::new());
    for (i, m) in messages.iter().enumerate() {
        let frame = framer.recv(&socket).unwrap();
        assert!(frame.payload() == m.body, "datagram {i}");
        assert_eq!(frame.header().body_len(), m.body.len() as u64);
    }
    finish(child);

    // Rust sends; Python receives and checks header length == datagram.
    let port_socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = port_socket.local_addr().unwrap().port().to_string();
    drop(port_socket); // Python binds it
    let mut child = python(
        &["udp-recv", "ascii4", &port, &messages.len().to_string()],
        "",
    );
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut ready = String::new();
    stdout.read_line(&mut ready).unwrap();
    assert_eq!(ready.trim(), r#"{"ready": true}"#);
    let sender = UdpSocket::bind("127.0.0.1:0").unwrap();
    let mut framer = DatagramFramer::new(Ascii::new());
    for m in &messages {
        framer
            .send_to(
                &sender,
                &m.body,
                format!("127.0.0.1:{port}").parse::<SocketAddr>().unwrap(),
            )
            .unwrap();
    }
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    let status = child.wait().unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(status.success(), "python udp-recv failed: {stderr}");
    let lines: Vec<Value> = rest
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_python_got(&lines, &messages, "udp ascii4");
}
