//! Interop with Python peers for the `Varint` and `Netstring` framings
//! (tests/python/varint_peer.py, tests/python/netstring_peer.py), over
//! loopback TCP in both directions:
//!
//! - varint-delimited messages, with the LEB128 code protobuf's
//!   pure-Python `_VarintBytes` / `_DecodeVarint` use (copied into the
//!   peer, so the `protobuf` package is not needed), and with the
//!   `protobuf` package's own functions when it imports (skipped, saying
//!   so, when it does not);
//! - netstrings as Python socket programs write and read them.
//!
//! Python sends whole, a byte per send, glued, in odd pieces, or cut
//! short; Rust reads with `FrameReader`. Rust writes with `FrameWriter`
//! (vectored, buffered, or through a writer taking 3 bytes a call); Python
//! reads with `sock.makefile('rb')`. Every socket has a timeout and every
//! child a deadline, after which it is killed and the test fails.
//!
//! These tests need `python3` on the PATH and fail, never skip, without it.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use sockframe::framing::netstring::Netstring;
use sockframe::framing::varint::Varint;
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::{Encode, Error, Framing, Limits, Needed, Status};

const VARINT_PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/varint_peer.py");
const NETSTRING_PEER: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/python/netstring_peer.py"
);

/// How long a peer may run, and a socket may wait.
const DEADLINE: Duration = Duration::from_secs(60);
const SOCKET_TIMEOUT: Duration = Duration::from_secs(20);

/// A running Python peer: its stdout and stderr are drained by threads,
/// so a chatty peer never blocks on a full pipe.
struct Peer {
    child: Child,
    stdout: JoinHandle<String>,
    stderr: JoinHandle<String>,
    what: String,
}

fn drain(mut pipe: impl Read + Send + 'static) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut out = String::new();
        let _ = pipe.read_to_string(&mut out);
        out
    })
}

/// Starts `python3 script args...` with `input` on its stdin.
fn start(script: &str, args: &[&str], input: &str) -> Peer {
    let mut child = Command::new("python3")
        .arg(script)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is required by the interop tests: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(input.as_bytes()).unwrap();
    drop(stdin);
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    Peer {
        child,
        stdout,
        stderr,
        what: format!("{script} {}", args.join(" ")),
    }
}

impl Peer {
    /// Waits for the peer (killing it past the deadline): its exit code and
    /// stdout lines.
    fn wait(mut self) -> (Option<i32>, Vec<String>, String) {
        let started = Instant::now();
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > DEADLINE {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("{}: still running after {DEADLINE:?}, killed", self.what);
            }
            thread::sleep(Duration::from_millis(10));
        };
        let stdout = self.stdout.join().unwrap();
        let stderr = self.stderr.join().unwrap();
        let lines = stdout.lines().map(str::to_owned).collect();
        (status.code(), lines, stderr)
    }

    /// Waits for the peer, which must succeed: its stdout lines.
    fn success(self) -> Vec<String> {
        let what = self.what.clone();
        let (code, lines, stderr) = self.wait();
        assert_eq!(
            code,
            Some(0),
            "{what} failed:\n{}\n{stderr}",
            lines.join("\n")
        );
        lines
    }
}

/// A listener on a free loopback port.
fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    (listener, port)
}

/// The peer's connection, waited for no longer than the deadline.
fn accept(listener: &TcpListener, peer: &mut Peer) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let started = Instant::now();
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if let Some(status) = peer.child.try_wait().unwrap() {
                    panic!("{} exited ({status}) without connecting", peer.what);
                }
                assert!(started.elapsed() < DEADLINE, "{}: no connection", peer.what);
                thread::sleep(Duration::from_millis(5));
            }
            Err(e) => panic!("accept: {e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(SOCKET_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(SOCKET_TIMEOUT)).unwrap();
    stream
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn md5_hex(bytes: &[u8]) -> String {
    hex(&Md5::digest(bytes))
}

/// Payloads, one hex line each, for a peer's stdin.
fn spec(messages: &[Vec<u8>]) -> String {
    messages.iter().map(|m| hex(m) + "\n").collect()
}

/// ASCII, empty, UTF-8, binary (with the framings' own bytes), one larger
/// than a TCP segment and one over 16 KiB (a three-byte varint, a
/// five-digit netstring length).
fn messages() -> Vec<Vec<u8>> {
    vec![
        b"hello".to_vec(),
        Vec::new(),
        "你好".as_bytes().to_vec(),
        b"\x00\xff\x80\x7f,:0 binary \r\n".to_vec(),
        (0..3000u32).map(|i| (i * 31 % 256) as u8).collect(),
        (0..20_000u32).map(|i| (i * 7 % 251) as u8).collect(),
        b"last".to_vec(),
    ]
}

const MODES: [&str; 4] = ["whole", "bytes", "glued", "odd"];

/// Short messages for the one-byte-per-send mode, which sleeps per byte.
fn for_mode(mode: &str) -> Vec<Vec<u8>> {
    let all = messages();
    if mode == "bytes" {
        all.into_iter().filter(|m| m.len() < 100).collect()
    } else {
        all
    }
}

/// The peer sends `messages`; Rust reads every frame and how the stream
/// ended.
fn python_sends<F: Framing + Clone>(
    script: &str,
    extra: &[&str],
    framing: F,
    mode: &str,
    messages: &[Vec<u8>],
) -> (Vec<Vec<u8>>, io::Result<()>) {
    let (listener, port) = listener();
    let mut args = vec!["send", &port, mode];
    args.extend_from_slice(extra);
    let mut peer = start(script, &args, &spec(messages));
    let stream = accept(&listener, &mut peer);
    let mut reader = FrameReader::new(stream, framing);
    let mut payloads = Vec::new();
    let end = loop {
        match reader.read_frame() {
            Ok(Some(frame)) => payloads.push(frame.payload().to_vec()),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    peer.success();
    (payloads, end)
}

#[track_caller]
fn assert_payloads(got: &[Vec<u8>], want: &[Vec<u8>], what: &str) {
    assert_eq!(got.len(), want.len(), "{what}: frame count");
    for (i, (got, want)) in got.iter().zip(want).enumerate() {
        assert!(got == want, "{what}: payload {i} differs");
    }
}

/// A writer that takes at most 3 bytes per call, so Python meets frames
/// in pieces too.
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

/// Writes every message with a `FrameWriter` of kind `how` over `stream`.
fn write_all<E: Encode>(stream: TcpStream, encoder: E, how: &str) -> io::Result<()> {
    let messages = messages();
    match how {
        "vectored" => send_with(FrameWriter::new(stream, encoder), &messages),
        "buffered" => send_with(FrameWriter::buffered(stream, encoder), &messages),
        _ => send_with(FrameWriter::new(Trickle(stream), encoder), &messages),
    }
}

fn send_with<W: Write, E: Encode>(
    mut writer: FrameWriter<W, E>,
    messages: &[Vec<u8>],
) -> io::Result<()> {
    for m in messages {
        writer.write_frame(m)?;
    }
    writer.flush()
}

/// Rust writes `messages()`; the peer reads them and reports each as
/// "HEX MD5", which must be what was sent.
fn python_receives(script: &str, extra: &[&str], write: impl FnOnce(TcpStream) -> io::Result<()>) {
    let (listener, port) = listener();
    let mut args = vec!["recv", &port];
    args.extend_from_slice(extra);
    let mut peer = start(script, &args, "");
    let stream = accept(&listener, &mut peer);
    write(stream).unwrap();
    let lines = peer.success();
    let want: Vec<String> = messages()
        .iter()
        .map(|m| format!("{} {}", hex(m), md5_hex(m)))
        .collect();
    assert_eq!(lines.len(), want.len(), "{script}: message count");
    for (i, (got, want)) in lines.iter().zip(&want).enumerate() {
        assert!(got == want, "{script} {extra:?}: message {i} differs");
    }
}

/// Whether the `protobuf` package imports; says so when it does not.
fn protobuf_installed() -> bool {
    let (code, _, _) = start(VARINT_PEER, &["has-protobuf"], "").wait();
    if code != Some(0) {
        eprintln!("note: the protobuf package is not installed; its part of the test is skipped");
    }
    code == Some(0)
}

#[test]
fn python_varint_sender_in_every_mode() {
    for mode in MODES {
        let messages = for_mode(mode);
        let (payloads, end) = python_sends(VARINT_PEER, &[], Varint::new(), mode, &messages);
        end.unwrap();
        assert_payloads(&payloads, &messages, &format!("varint {mode}"));
    }
}

#[test]
fn python_varint_receiver_reads_what_rust_writes() {
    for how in ["vectored", "buffered", "trickle"] {
        python_receives(VARINT_PEER, &[], |s| write_all(s, Varint::new(), how));
    }
}

#[test]
fn protobuf_packages_own_varints_both_ways() {
    if !protobuf_installed() {
        return;
    }
    let messages = messages();
    let (payloads, end) = python_sends(
        VARINT_PEER,
        &["--protobuf"],
        Varint::new(),
        "odd",
        &messages,
    );
    end.unwrap();
    assert_payloads(&payloads, &messages, "protobuf's _VarintBytes");
    python_receives(VARINT_PEER, &["--protobuf"], |s| {
        write_all(s, Varint::new(), "vectored")
    });
    let lengths = lengths();
    let input: String = lengths.iter().map(|n| format!("{n}\n")).collect();
    let theirs = start(VARINT_PEER, &["encode", "--protobuf"], &input).success();
    for (n, theirs) in lengths.iter().zip(&theirs) {
        let ours = Varint::new().encode_header(*n as usize).unwrap();
        assert_eq!(&hex(&ours), theirs, "length {n}");
    }
}

/// Lengths around every varint width.
fn lengths() -> Vec<u64> {
    let mut lengths = vec![0, 1, 150, 300, u64::MAX, u64::MAX - 1];
    for bits in (7..64).step_by(7) {
        lengths.extend([(1u64 << bits) - 1, 1 << bits]);
    }
    lengths
}

#[test]
fn rust_varints_match_pythons_byte_for_byte() {
    let lengths = lengths();
    let input: String = lengths.iter().map(|n| format!("{n}\n")).collect();
    let theirs = start(VARINT_PEER, &["encode"], &input).success();
    assert_eq!(theirs.len(), lengths.len());
    for (n, theirs) in lengths.iter().zip(&theirs) {
        let ours = Varint::new().encode_header(*n as usize).unwrap();
        assert_eq!(&hex(&ours), theirs, "length {n}");
    }
}

#[test]
fn python_and_rust_read_varints_alike() {
    // (varint, what Rust says, what Python says)
    let cases: [(&[u8], Option<u64>, &str); 8] = [
        (b"\x00", Some(0), "0"),
        (b"\x96\x01", Some(150), "150"),
        (b"\x80\x00", Some(0), "0"), // Non-minimal: both accept.
        (b"\xff\x80\x80\x00", Some(127), "127"),
        (
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01",
            Some(u64::MAX),
            "18446744073709551615",
        ),
        // 11 bytes: both refuse.
        (
            b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x00",
            None,
            "error: DecodeError",
        ),
        // Over 64 bits: Rust refuses, Python masks it to 64 bits.
        (
            b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
            None,
            "18446744073709551615",
        ),
        // Cut short.
        (b"\x80", None, "error: IndexError"),
    ];
    let input: String = cases.iter().map(|(v, _, _)| hex(v) + "\n").collect();
    let theirs = start(VARINT_PEER, &["decode"], &input).success();
    for ((varint, ours, python), theirs) in cases.iter().zip(&theirs) {
        assert!(
            theirs.starts_with(python),
            "{varint:02x?}: python said {theirs}"
        );
        // The framing itself: the limits are the decoder's business.
        let parsed = Varint::new().parse_header(varint, &mut Default::default(), 0, &Limits::new());
        let rust = match parsed {
            Ok(Status::Complete(head)) if head.header_len == varint.len() => Some(head.payload_len),
            _ => None,
        };
        assert_eq!(rust, *ours, "{varint:02x?}");
    }
}

#[test]
fn python_varint_sender_cut_short_is_reported_with_the_missing_count() {
    let messages = vec![b"complete".to_vec(), vec![b'z'; 300]];
    let (payloads, end) = python_sends(VARINT_PEER, &[], Varint::new(), "cut", &messages);
    assert_payloads(&payloads, &messages[..1], "frames before the cut");
    let error = end.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    // The last frame is 2 + 300 bytes; Python sent 151 of them.
    assert_eq!(
        frame_error(&error),
        Some(&Error::UnexpectedEof {
            offset: 9 + 151,
            needed: Needed::Exact(151.try_into().unwrap())
        })
    );
}

#[test]
fn python_netstring_sender_in_every_mode() {
    for mode in MODES {
        let messages = for_mode(mode);
        let (payloads, end) = python_sends(NETSTRING_PEER, &[], Netstring::new(), mode, &messages);
        end.unwrap();
        assert_payloads(&payloads, &messages, &format!("netstring {mode}"));
    }
}

#[test]
fn python_netstring_receiver_reads_what_rust_writes() {
    for how in ["vectored", "buffered", "trickle"] {
        python_receives(NETSTRING_PEER, &[], |s| write_all(s, Netstring::new(), how));
    }
}

#[test]
fn rust_netstrings_match_pythons_byte_for_byte() {
    let messages = messages();
    let theirs = start(NETSTRING_PEER, &["encode"], &spec(&messages)).success();
    assert_eq!(theirs.len(), messages.len());
    for (m, theirs) in messages.iter().zip(&theirs) {
        assert_eq!(&hex(&Netstring::new().encode_to_vec(m).unwrap()), theirs);
    }
}

#[test]
fn python_netstring_errors_reach_rust_with_their_offsets() {
    // Cut halfway through the last netstring: `10:0123456789,` is 14
    // bytes, 7 sent; 7 missing, the comma included.
    let messages = vec![b"complete".to_vec(), b"0123456789".to_vec()];
    let (payloads, end) = python_sends(NETSTRING_PEER, &[], Netstring::new(), "cut", &messages);
    assert_payloads(&payloads, &messages[..1], "frames before the cut");
    let error = end.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(
        frame_error(&error),
        Some(&Error::UnexpectedEof {
            offset: 11 + 7,
            needed: Needed::Exact(7.try_into().unwrap())
        })
    );

    // A semicolon where the comma belongs: refused at its offset.
    let (payloads, end) = python_sends(
        NETSTRING_PEER,
        &[],
        Netstring::new(),
        "semicolon",
        &messages,
    );
    assert_payloads(&payloads, &messages[..1], "frames before the bad one");
    let error = end.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    assert!(
        matches!(
            frame_error(&error),
            Some(Error::InvalidHeader { offset: 24, .. })
        ),
        "{error}"
    );
}
