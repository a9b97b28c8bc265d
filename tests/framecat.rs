//! The `framecat` binary, run as a user would: encode | decode round trips,
//! bad and truncated input, `--count`, and `serve` + `send` on loopback with
//! bad, oversize and stalled clients that must not disturb a good one.
//! Needs the `cli` feature (`cargo test --all-features`).

#![cfg(feature = "cli")]

mod framecat_support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use sockframe::{Ascii, Binary, Encode, Json};

use framecat_support::{framecat, stderr, stdout_lines, wait_bounded, FRAMECAT};

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
fn bad_option_values_and_options_that_do_not_apply_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["decode", "--framing", "xml"], "invalid value 'xml'"),
        (
            &["decode", "--framing", "struct", "--struct-format", "2i"],
            "--struct-format",
        ),
        (
            &["encode", "--framing", "ascii4", "--digits", "20"],
            "outside 1..=19",
        ),
        (
            &["encode", "--framing", "ascii4", "--digits", "0"],
            "outside 1..=19",
        ),
        (
            &[
                "send",
                "--framing",
                "ascii4",
                "--timeout",
                "-1",
                "127.0.0.1:1",
            ],
            "must be a positive number of seconds",
        ),
        (
            &["send", "--framing", "ascii4", "--timeout=0", "127.0.0.1:1"],
            "must be a positive number of seconds",
        ),
        (
            &[
                "serve",
                "--framing",
                "ascii4",
                "--listen",
                "127.0.0.1:0",
                "--timeout",
                "x",
            ],
            "not a number of seconds",
        ),
        (
            &[
                "decode",
                "--framing",
                "struct",
                "--endian",
                "big",
                "--struct-format",
                "<i",
            ],
            "cannot be used with",
        ),
        // Options of another framing.
        (
            &["decode", "--framing", "struct", "--digits", "6"],
            "--digits does not apply to --framing struct: it is an option of ascii4",
        ),
        (
            &["encode", "--framing", "ascii4", "--length-key", "file_size"],
            "--length-key does not apply to --framing ascii4: it is an option of json",
        ),
        (
            &["decode", "--framing", "ascii4", "--endian", "big"],
            "--endian does not apply to --framing ascii4",
        ),
        (
            &[
                "decode",
                "--framing",
                "json",
                "--struct-format",
                "!I",
                "--digits",
                "4",
            ],
            "--digits does not apply to --framing json",
        ),
        (
            &["decode", "--framing", "struct", "--delimiter", "x"],
            "--delimiter does not apply to --framing struct: it is an option of lines",
        ),
        (
            &["decode", "--framing", "json", "--length-adjustment", "-4"],
            "--length-adjustment does not apply to --framing json",
        ),
        // Options of another command or output.
        (
            &["decode", "--framing", "ascii4", "--separator", ","],
            "--separator applies to --output raw only",
        ),
        (
            &[
                "decode",
                "--framing",
                "ascii4",
                "--output",
                "hex",
                "--separator",
                ",",
            ],
            "--separator applies to --output raw only",
        ),
        (
            &[
                "decode",
                "--framing",
                "ascii4",
                "--count",
                "--output",
                "raw",
            ],
            "cannot be used with",
        ),
        (
            &["encode", "--framing", "ascii4", "--input", "csv"],
            "invalid value 'csv'",
        ),
        (
            &[
                "decode",
                "--framing",
                "ascii4",
                "--output",
                "raw",
                "--separator",
                "\\q",
            ],
            "unknown escape",
        ),
    ];
    for (args, message) in cases {
        let output = framecat(args, b"0002hi");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn options_that_apply_are_taken_with_their_defaults_per_framing() {
    // --endian and --struct-format apply to json's header length too.
    let output = framecat(
        &[
            "encode",
            "--framing",
            "json",
            "--struct-format",
            ">H",
            "--length-key",
            "n",
        ],
        b"hi\n",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, b"\0\x08{\"n\": 2}hi");
    let output = framecat(
        &["encode", "--framing", "struct", "--endian", "native"],
        b"hi\n",
    );
    assert_eq!(output.stdout[..4], 2i32.to_ne_bytes());
}

#[test]
fn help_explains_each_framing_in_one_line_and_the_exit_status() {
    let output = framecat(&["--help"], b"");
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for line in [
        "ascii4        4 ASCII digits, then the payload: str(len(m)).zfill(4).encode() + m",
        "struct        a binary length, then the payload: struct.pack('i', len(m)) + m",
        "json          a binary header length, a JSON header with the body size, the body:",
        "Exit status: 0 success, also when a reader closes stdout early (`| head`):",
        "2 usage error",
    ] {
        assert!(help.contains(line), "{help}");
    }
}

#[test]
fn help_shows_an_example_for_every_subcommand() {
    for (subcommand, example) in [
        ("encode", "| framecat encode --framing ascii4"),
        ("decode", "| framecat decode --framing ascii4"),
        ("transcode", "framecat transcode --from json --to ascii4"),
        (
            "serve",
            "framecat serve --framing json --listen 127.0.0.1:9000",
        ),
        ("send", "| framecat send --framing json 127.0.0.1:9000"),
        ("send-file", "framecat send-file report.pdf 127.0.0.1:9000"),
        (
            "recv-file",
            "framecat recv-file --listen 127.0.0.1:9000 --dir inbox",
        ),
    ] {
        for flag in ["--help", "-h"] {
            let output = framecat(&[subcommand, flag], b"");
            assert!(output.status.success(), "{subcommand} {flag}");
            let help = String::from_utf8(output.stdout).unwrap();
            assert!(help.contains("Example:"), "{subcommand} {flag}: {help}");
            assert!(help.contains(example), "{subcommand} {flag}: {help}");
        }
    }
}

#[test]
fn a_reader_closing_stdout_ends_framecat_quietly_with_status_0() {
    // Far more output than a pipe holds, so framecat is still writing when
    // the reader goes.
    let mut input = Vec::new();
    for i in 0..200_000 {
        Binary::default()
            .encode_into(format!("frame {i}").as_bytes(), &mut input)
            .unwrap();
    }
    let lines: Vec<u8> = (0..200_000)
        .flat_map(|i| format!("line {i}\n").into_bytes())
        .collect();
    let cases: [(&[&str], &[u8]); 5] = [
        (&["decode", "--framing", "struct"], &input),
        (
            &["decode", "--framing", "struct", "--output", "hex"],
            &input,
        ),
        (
            &[
                "decode",
                "--framing",
                "struct",
                "--output",
                "raw",
                "--separator",
                "\\n",
            ],
            &input,
        ),
        (&["encode", "--framing", "ascii4"], &lines),
        (&["transcode", "--from", "struct", "--to", "ascii4"], &input),
    ];
    for (args, input) in cases {
        let mut child = Command::new(FRAMECAT)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let feeder = thread::spawn(move || {
            let _ = stdin.write_all(&input);
        });
        // A line, or the first bytes of a binary stream, then the pipe
        // is closed, as `head -1` and `head -c 64` do: framecat has far
        // more to write than the pipe holds.
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = Vec::new();
        if args[0] == "decode" {
            stdout.read_until(b'\n', &mut first).unwrap();
            assert!(first.ends_with(b"\n"), "{args:?}");
        } else {
            first.resize(64, 0);
            stdout.read_exact(&mut first).unwrap();
        }
        drop(stdout);
        let mut err = String::new();
        let mut stderr_pipe = child.stderr.take().unwrap();
        let status = wait_bounded(&mut child, "framecat with stdout closed");
        stderr_pipe.read_to_string(&mut err).unwrap();
        feeder.join().unwrap();
        assert_eq!(status.code(), Some(0), "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
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
    // --timeout sets the frame, idle and write timeouts at once.
    let mut server = Server::start(&["--framing", "ascii4", "--timeout", "0.5"]);
    let mut stalled = server.connect();
    stalled.write_all(b"0002ok0010hal").unwrap();
    let started = Instant::now();
    // The complete frame is echoed; the connection closes after the stall.
    assert_eq!(read_to_close(stalled), b"0002ok");
    assert!(started.elapsed() >= Duration::from_millis(400));
    let line = server.wait_for("frame timeout: mid-frame for 0.5s");
    assert!(
        line.contains("after 1 frame (7 bytes of the next frame received); connection closed"),
        "{line}"
    );

    // An idle client is closed too, and the server still serves.
    let idle = server.connect();
    assert!(read_to_close(idle).is_empty());
    server.wait_for("idle timeout: idle for 0.5s after 0 frames");
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
fn serve_keeps_connections_over_the_limit_waiting_instead_of_refusing_them() {
    let mut server = Server::start(&["--framing", "struct", "--max-connections", "1"]);
    let mut first = server.connect();
    server.wait_for("connected");
    // The second waits in the listen backlog: connected, not served, not
    // closed.
    let mut second = server.connect();
    second.write_all(b"\x04\0\0\0next").unwrap();
    second
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut echo = [0u8; 8];
    let waiting = second.read(&mut echo).unwrap_err();
    assert!(
        matches!(
            waiting.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{waiting}"
    );
    // The first is still served.
    first.write_all(b"\x02\0\0\0ok").unwrap();
    let mut first_echo = [0u8; 6];
    first.read_exact(&mut first_echo).unwrap();
    assert_eq!(&first_echo, b"\x02\0\0\0ok");
    drop(first);
    server.wait_for("closed after 1 frame");
    // Its slot is free again: the second is served, its frame intact.
    second
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    second.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, b"\x04\0\0\0next");
    drop(second);
    let output = send(&server, &["--framing", "struct"], b"again\n");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_lines(&output), [json!({"body": "again"})]);
    assert!(!server.seen.iter().any(|line| line.contains("refused")));
}

/// A json frame with header fields, as a Python peer writes it.
fn json_frame(fields: Value, body: &[u8]) -> Vec<u8> {
    let mut frame = Vec::new();
    Json::new()
        .encode_with_into(&fields, body, &mut frame)
        .unwrap();
    frame
}

#[test]
fn decode_output_raw_writes_the_payloads_back_to_back() {
    let input = b"0005hello0000\x30\x30\x30\x33\xff\x00\n0002hi";
    let output = framecat(&["decode", "--framing", "ascii4", "--output", "raw"], input);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, b"hello\xff\x00\nhi");
    for (separator, expected) in [
        ("\\n", &b"hello\n\n\xff\x00\n\nhi\n"[..]),
        ("\\r\\n", b"hello\r\n\r\n\xff\x00\n\r\nhi\r\n"),
        (
            "--\\x00\\t\\\\",
            b"hello--\0\t\\--\0\t\\\xff\x00\n--\0\t\\hi--\0\t\\",
        ),
        ("", b"hello\xff\x00\nhi"),
    ] {
        let output = framecat(
            &[
                "decode",
                "--framing",
                "ascii4",
                "--output",
                "raw",
                "--separator",
                separator,
            ],
            input,
        );
        assert!(output.status.success(), "{}", stderr(&output));
        assert_eq!(output.stdout, expected, "--separator {separator:?}");
    }
    // `--separator=...` takes a value that starts with a dash too.
    let output = framecat(
        &[
            "decode",
            "--framing",
            "ascii4",
            "--output",
            "raw",
            "--separator=-",
        ],
        b"0001a0001b",
    );
    assert_eq!(output.stdout, b"a-b-");

    // Bad input: the payloads before it, then the error.
    let output = framecat(
        &["decode", "--framing", "ascii4", "--output", "raw"],
        b"0002hi0003yo",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"hi");
    assert!(
        stderr(&output).contains("1 more byte"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn decode_output_hex_dumps_offset_header_and_payload_of_each_frame() {
    let mut input = json_frame(json!({"file_name": "a"}), b"hello, world\n\x00\xff~!");
    input.extend_from_slice(&Json::new().encode_to_vec(b"").unwrap());
    let output = framecat(&["decode", "--framing", "json", "--output", "hex"], &input);
    assert!(output.status.success(), "{}", stderr(&output));
    let dump = String::from_utf8(output.stdout).unwrap();
    let expected = "\
frame 1 at offset 0: header 39 bytes, payload 17 bytes
header   00000000  23 00 00 00 7b 22 66 69  6c 65 5f 6e 61 6d 65 22  |#...{\"file_name\"|
header   00000010  3a 20 22 61 22 2c 20 22  64 61 74 61 5f 73 69 7a  |: \"a\", \"data_siz|
header   00000020  65 22 3a 20 31 37 7d                              |e\": 17}|
payload  00000027  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a 00 ff 7e  |hello, world...~|
payload  00000037  21                                                |!|
frame 2 at offset 56: header 20 bytes, payload 0 bytes
header   00000038  10 00 00 00 7b 22 64 61  74 61 5f 73 69 7a 65 22  |....{\"data_size\"|
header   00000048  3a 20 30 7d                                       |: 0}|
payload  (empty)
";
    assert_eq!(dump, expected);

    // Cut short: the frames before, then the error.
    let output = framecat(
        &["decode", "--framing", "struct", "--output", "hex"],
        b"\x02\0\0\0hi\x05\0\0\0abc",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "frame 1 at offset 0: header 4 bytes, payload 2 bytes\n\
header   00000000  02 00 00 00                                       |....|\n\
payload  00000004  68 69                                             |hi|\n"
    );
    assert!(
        stderr(&output).contains("2 more bytes"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn decode_output_jsonl_is_the_default() {
    let output = framecat(
        &["decode", "--framing", "ascii4", "--output", "jsonl"],
        b"0002hi",
    );
    assert_eq!(stdout_lines(&output), [json!({"body": "hi"})]);
}

#[test]
fn encode_input_raw_makes_one_frame_of_all_of_stdin() {
    let input = b"line one\nline two\r\n\x00\xff no newline";
    let output = framecat(&["encode", "--framing", "struct", "--input", "raw"], input);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        output.stdout,
        Binary::default().encode_to_vec(input).unwrap()
    );

    // Empty stdin is one empty frame.
    let output = framecat(&["encode", "--framing", "ascii4", "--input", "raw"], b"");
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, b"0000");

    // At most --max-frame bytes, inclusive.
    let output = framecat(
        &[
            "encode",
            "--framing",
            "ascii4",
            "--input",
            "raw",
            "--max-frame",
            "5",
        ],
        b"12345",
    );
    assert_eq!(output.stdout, b"000512345");
    let output = framecat(
        &[
            "encode",
            "--framing",
            "ascii4",
            "--input",
            "raw",
            "--max-frame",
            "5",
        ],
        b"123456",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(
        stderr(&output).contains("stdin is longer than --max-frame (5 bytes)"),
        "{}",
        stderr(&output)
    );
    // A payload the header cannot describe.
    let output = framecat(
        &["encode", "--framing", "ascii4", "--input", "raw"],
        &[b'x'; 10_000],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("stdin: payload of 10000 bytes"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn encode_input_jsonl_carries_json_header_fields() {
    let input = "{\"body\": \"hello\", \"header\": {\"file_name\": \"报告.txt\", \"md5\": \"x\", \"meta\": {\"z\": 1, \"a\": [true, null]}}}\n\
                 \n\
                 {\"body_base64\": \"AP8=\"}\n\
                 {\"header\": {}, \"body\": \"\"}\n";
    let output = framecat(
        &["encode", "--framing", "json", "--input", "jsonl"],
        input.as_bytes(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    // Keys in the order given, spelled as Python's json.dumps spells them.
    let header_text = "{\"file_name\": \"\\u62a5\\u544a.txt\", \"md5\": \"x\", \"meta\": {\"z\": 1, \"a\": [true, null]}, \"data_size\": 5}";
    let mut expected = Vec::new();
    expected.extend_from_slice(&(header_text.len() as i32).to_le_bytes());
    expected.extend_from_slice(header_text.as_bytes());
    expected.extend_from_slice(b"hello");
    expected.extend_from_slice(&Json::new().encode_to_vec(b"\x00\xff").unwrap());
    expected.extend_from_slice(&Json::new().encode_to_vec(b"").unwrap());
    assert_eq!(output.stdout, expected);

    // What decode prints, encode reads back: the same bytes.
    let mut capture = json_frame(
        json!({"file_name": "a.bin", "file_size": 3, "md5": "abc"}),
        b"\x01\x02\x03",
    );
    capture.extend_from_slice(&json_frame(
        json!({"data_size": 0, "note": "size first"}),
        b"",
    ));
    capture.extend_from_slice(&Json::new().encode_to_vec("你好".as_bytes()).unwrap());
    let decoded = framecat(&["decode", "--framing", "json"], &capture);
    assert!(decoded.status.success(), "{}", stderr(&decoded));
    let encoded = framecat(
        &["encode", "--framing", "json", "--input", "jsonl"],
        &decoded.stdout,
    );
    assert!(encoded.status.success(), "{}", stderr(&encoded));
    assert_eq!(encoded.stdout, capture);

    // Bodies alone for the other framings.
    let output = framecat(
        &["encode", "--framing", "ascii4", "--input", "jsonl"],
        b"{\"body\": \"hi\"}\n{\"body_base64\": \"/w==\", \"header\": {}}\n",
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, b"0002hi0001\xff");
}

#[test]
fn encode_input_jsonl_refuses_bad_lines_with_their_number() {
    let cases: &[(&[&str], &str, &str)] = &[
        (
            &["--framing", "struct"],
            "{\"body\": \"hi\", \"header\": {\"file_name\": \"a\"}}",
            "line 2: header fields need --framing json",
        ),
        (
            &["--framing", "json"],
            "{\"body\": \"a\", \"body_base64\": \"YQ==\"}",
            "line 2: give \"body\" or \"body_base64\", not both",
        ),
        (
            &["--framing", "json"],
            "{\"bdy\": \"a\"}",
            "line 2: unknown key \"bdy\"",
        ),
        (
            &["--framing", "json"],
            "{\"body\": 5}",
            "line 2: invalid type: integer `5`",
        ),
        (
            &["--framing", "json"],
            "{\"body\": \"a\", \"header\": [1]}",
            "line 2: invalid type: sequence, expected a JSON object",
        ),
        (
            &["--framing", "json"],
            "{\"body_base64\": \"!\"}",
            "line 2: \"body_base64\" is not base64",
        ),
        (&["--framing", "json"], "not json", "line 2: expected ident"),
        (&["--framing", "json"], "{}", "line 2: no \"body\""),
        (
            &["--framing", "ascii4"],
            &format!("{{\"body\": \"{}\"}}", "x".repeat(10_000)),
            "line 2: payload of 10000 bytes is too long",
        ),
        (
            &["--framing", "ascii4", "--max-frame", "3"],
            "{\"body\": \"abcd\"}",
            "line 2: the body is 4 bytes, over --max-frame (3 bytes)",
        ),
    ];
    for (args, bad, message) in cases {
        let input = format!("{{\"body\": \"ok\"}}\n{bad}\n{{\"body\": \"never\"}}\n");
        let output = framecat(
            &[&["encode", "--input", "jsonl"], *args].concat(),
            input.as_bytes(),
        );
        assert_eq!(output.status.code(), Some(1), "{bad}");
        let first = framecat(&[&["encode"], *args].concat(), b"ok\n");
        // The frame before the bad line is complete on stdout.
        assert_eq!(output.stdout, first.stdout, "{bad}");
        assert!(
            stderr(&output).contains(message),
            "{bad}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn a_missing_size_key_hints_at_length_key() {
    // Header written with file_size as the size key: data_size is absent.
    let mut wire = Vec::new();
    Json::new()
        .with_size_key("file_size")
        .encode_with_into(&json!({"file_name": "a"}), b"hi", &mut wire)
        .unwrap();
    for args in [
        &["decode", "--framing", "json"][..],
        &["decode", "--framing", "json", "--count"],
        &["transcode", "--from", "json", "--to", "ascii4"],
    ] {
        let output = framecat(args, &wire);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert!(
            stderr(&output).contains(
                "JSON header at offset 4 has no \"data_size\" key (use --length-key to name the size key)"
            ),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    let output = framecat(
        &["decode", "--framing", "json", "--length-key", "file_size"],
        &wire,
    );
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn send_hints_that_the_framings_may_not_match_when_replies_do_not_decode() {
    // A server that answers in ascii4 whatever it is sent.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let server = thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        stream.write_all(b"0005hello").unwrap();
        stream.shutdown(Shutdown::Write).unwrap();
        let mut rest = Vec::new();
        let _ = stream.read_to_end(&mut rest);
    });
    let output = framecat(&["send", "--framing", "json", &addr], b"hi\n");
    server.join().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("reading replies: frame at offset 0 has a header of at least"),
        "{err}"
    );
    assert!(
        err.contains("do client and server use the same framing and options?"),
        "{err}"
    );
}

#[test]
fn frames_go_out_as_they_come_in_on_a_live_stream() {
    // Each command gets one frame's input, must write that frame's output
    // before it gets the next (a live pipe or socket), then the rest.
    // Arguments, then input and output of the first and second frames.
    type Case<'a> = (&'a [&'a str], &'a [u8], &'a [u8], &'a [u8], &'a [u8]);
    let cases: [Case; 4] = [
        (
            &["encode", "--framing", "ascii4"],
            b"one\n",
            b"0003one",
            b"two\n",
            b"0003two",
        ),
        (
            &["encode", "--framing", "ascii4", "--input", "jsonl"],
            b"{\"body\": \"one\"}\n",
            b"0003one",
            b"{\"body\": \"two\"}\n",
            b"0003two",
        ),
        (
            &["decode", "--framing", "ascii4"],
            b"0003one",
            b"{\"body\": \"one\"}\n",
            b"0003two",
            b"{\"body\": \"two\"}\n",
        ),
        (
            &["transcode", "--from", "ascii4", "--to", "struct"],
            b"0003one",
            b"\x03\0\0\0one",
            b"0003two",
            b"\x03\0\0\0two",
        ),
    ];
    for (args, first_in, first_out, second_in, second_out) in cases {
        let mut child = Command::new(FRAMECAT)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let expected = [first_out.len(), second_out.len()];
        let reader = thread::spawn(move || {
            for len in expected {
                let mut got = vec![0u8; len];
                if stdout.read_exact(&mut got).is_err() || tx.send(got).is_err() {
                    return;
                }
            }
        });
        stdin.write_all(first_in).unwrap();
        stdin.flush().unwrap();
        let got = rx.recv_timeout(Duration::from_secs(10));
        if got.is_err() {
            let _ = child.kill();
        }
        assert_eq!(
            got.as_deref(),
            Ok(first_out),
            "{args:?}: the first frame did not come out"
        );
        stdin.write_all(second_in).unwrap();
        drop(stdin);
        assert_eq!(
            rx.recv_timeout(Duration::from_secs(10)).as_deref(),
            Ok(second_out),
            "{args:?}"
        );
        assert!(wait_bounded(&mut child, "framecat").success(), "{args:?}");
        reader.join().unwrap();
    }
}
