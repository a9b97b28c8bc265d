//! Interop of `Delimited` with a real Python peer (tests/python/lines_peer.py)
//! over loopback TCP, both directions: Python writes
//! `sock.sendall(line + b"\n")` (whole, one byte per send, or glued) and
//! reads `sock.makefile('rb').readline()`.
//!
//! These tests need `python3` on the PATH and fail, never skip, without it.
//! Every socket has a timeout and every peer a deadline, so a broken test
//! fails instead of hanging.
#![cfg(feature = "std")]

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use sockframe::framing::delimited::Delimited;
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::{Error, Needed};

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/lines_peer.py");

/// How long a peer may run.
const DEADLINE: Duration = Duration::from_secs(60);
/// How long a socket call may wait.
const SOCKET_TIMEOUT: Duration = Duration::from_secs(20);

/// Lines of every kind: empty, a `\r` before the newline (which stays in
/// the payload with `\n` as the delimiter), UTF-8, binary, and one longer
/// than a read chunk.
fn lines() -> Vec<Vec<u8>> {
    let long: Vec<u8> = (0..100_000u32).map(|i| b' ' + (i % 90) as u8).collect();
    vec![
        b"hello".to_vec(),
        b"".to_vec(),
        b"ends with CR\r".to_vec(),
        "第一行, naïve".as_bytes().to_vec(),
        b"\x00\xff\x7f binary \r".to_vec(),
        long,
        b"last".to_vec(),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex from the peer"))
        .collect()
}

fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    (listener, port)
}

/// Starts the peer with `input` on its stdin. Fails, never skips, when
/// python3 is missing.
fn python(args: &[&str], input: String) -> Child {
    let mut child = Command::new("python3")
        .arg(PEER)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is required by the interop tests: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    // Written from a thread: the peer reads it only after connecting.
    thread::spawn(move || stdin.write_all(input.as_bytes()));
    child
}

/// Accepts the peer's connection, with timeouts on both directions.
fn accept(listener: &TcpListener) -> TcpStream {
    listener.set_nonblocking(true).unwrap();
    let started = Instant::now();
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock && started.elapsed() < DEADLINE => {
                thread::sleep(Duration::from_millis(10))
            }
            Err(e) => panic!("the python peer did not connect: {e}"),
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream.set_read_timeout(Some(SOCKET_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(SOCKET_TIMEOUT)).unwrap();
    stream
}

/// Waits for the peer (killing it past the deadline); returns its stdout
/// lines; panics with its stderr if it failed.
fn finish(mut child: Child) -> Vec<String> {
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    // Drained while waiting, so that a full pipe never blocks the peer.
    let out = thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).map(|_| text)
    });
    let err = thread::spawn(move || {
        let mut text = String::new();
        stderr.read_to_string(&mut text).map(|_| text)
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > DEADLINE {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("the python peer ran past {DEADLINE:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    let stdout = out.join().unwrap().unwrap();
    let stderr = err.join().unwrap().unwrap();
    assert!(
        status.success(),
        "python peer failed ({status}):\n{stdout}\n{stderr}"
    );
    stdout.lines().map(str::to_owned).collect()
}

/// Python sends `lines` ended by `delimiter` in `mode` (the last without
/// one unless `final_delimiter`); Rust reads them with `framing`.
fn python_sends(
    framing: Delimited,
    mode: &str,
    lines: &[Vec<u8>],
    final_delimiter: bool,
) -> (Vec<Vec<u8>>, io::Result<()>) {
    let (listener, port) = listener();
    let input: String = lines.iter().map(|l| hex(l) + "\n").collect();
    let end = if final_delimiter { "final" } else { "no-final" };
    let delimiter = hex(framing.delimiter());
    let child = python(&["send", &port, mode, &delimiter, end], input);
    let mut reader = FrameReader::new(accept(&listener), framing);
    let mut frames = Vec::new();
    let end = loop {
        match reader.read_frame_owned() {
            Ok(Some(frame)) => frames.push(frame.payload),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    // Closing tells the peer it may exit.
    drop(reader);
    finish(child);
    (frames, end)
}

#[test]
fn python_sendall_lines_reach_rust_in_every_mode() {
    let lines = lines();
    for mode in ["whole", "bytes", "glued"] {
        let (frames, end) = python_sends(Delimited::lines(), mode, &lines, true);
        end.unwrap();
        assert!(frames == lines, "{mode}: the lines differ");
    }
    // `\r\n` lines: the payloads may hold a bare `\n`, and end with `\r`.
    let mut crlf_lines = lines.clone();
    crlf_lines.push(b"a\nb".to_vec());
    let (frames, end) = python_sends(Delimited::crlf(), "whole", &crlf_lines, true);
    end.unwrap();
    assert!(frames == crlf_lines, "crlf: the lines differ");
}

#[test]
fn a_last_line_with_no_newline_is_cut_short_or_taken() {
    let lines = lines();
    // By default: every whole line, then UnexpectedEof saying 1 byte (the
    // newline) was missing.
    let (frames, end) = python_sends(Delimited::lines(), "glued", &lines, false);
    assert!(frames == lines[..lines.len() - 1]);
    let error = end.unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    let total: usize = lines.iter().map(|l| l.len() + 1).sum::<usize>() - 1;
    assert_eq!(
        frame_error(&error),
        Some(&Error::UnexpectedEof {
            offset: total as u64,
            needed: Needed::at_least(1),
        })
    );
    // Taken as a last frame, as Python's readline() returns it.
    let (frames, end) = python_sends(
        Delimited::lines().take_last_frame(true),
        "whole",
        &lines,
        false,
    );
    end.unwrap();
    assert!(frames == lines);
}

/// Rust writes with `write`; Python reads `readline()` until the end of
/// the stream and reports each line, newline included.
fn python_reads(write: impl FnOnce(TcpStream) -> io::Result<()>) -> Vec<Vec<u8>> {
    let (listener, port) = listener();
    let child = python(&["recv", &port], String::new());
    write(accept(&listener)).unwrap();
    finish(child).iter().map(|line| unhex(line)).collect()
}

#[test]
fn python_readline_reads_what_rust_writes() {
    let lines = lines();
    let with_newlines: Vec<Vec<u8>> = lines.iter().map(|l| [&l[..], b"\n"].concat()).collect();

    // Unbuffered: payload and newline in one vectored write per line.
    let sent = lines.clone();
    let got = python_reads(move |stream| {
        let mut writer = FrameWriter::new(stream, Delimited::lines());
        for line in &sent {
            writer.write_frame(line)?;
        }
        writer.into_inner()?.shutdown(Shutdown::Write)
    });
    assert!(got == with_newlines, "unbuffered: python read other lines");

    // Buffered, then a last line with no newline written raw: readline()
    // returns it as it is.
    let sent = lines.clone();
    let got = python_reads(move |stream| {
        let mut writer = FrameWriter::buffered(stream, Delimited::lines());
        for line in &sent {
            writer.write_frame(line)?;
        }
        writer.write_raw_frames(b"no newline")?;
        writer.into_inner()?.shutdown(Shutdown::Write)
    });
    let mut want = with_newlines.clone();
    want.push(b"no newline".to_vec());
    assert!(got == want, "buffered: python read other lines");
}
