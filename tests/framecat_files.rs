//! `framecat send-file` and `recv-file` against a Python peer written the
//! way the Python file-transfer programs are (tests/python/file_peer.py),
//! both directions over loopback, with multi-megabyte files, hostile file
//! names, damaged and cut transfers; and the progress bar, drawn only on a
//! terminal. Needs the `cli` feature and `python3` (fails, never skips,
//! without it).

#![cfg(feature = "cli")]

mod framecat_support;

use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

use md5::{Digest, Md5};
use serde_json::{json, Value};

use framecat_support::{finish, framecat, stderr, stdout_lines, Background, FRAMECAT};

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/file_peer.py");

/// A directory of its own for one test, removed afterwards.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let path = std::env::temp_dir().join(format!(
            "framecat-files-{}-{}-{test}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&path);
        fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    fn dir(&self, relative: &str) -> PathBuf {
        let dir = self.0.join(relative);
        fs::create_dir_all(&dir).unwrap();
        dir
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// `len` pseudo-random bytes, the same every run.
fn sample(len: usize, seed: u64) -> Vec<u8> {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u8
        })
        .collect()
}

fn md5_hex(bytes: &[u8]) -> String {
    Md5::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn python(args: &[&str]) -> Command {
    let mut command = Command::new("python3");
    command.arg(PEER).args(args);
    command
}

/// The Python sender, run to its end; returns whether it succeeded.
fn python_sends(port: &str, path: &Path, extra: &[&str]) -> bool {
    let child = python(&[&["send", port, path.to_str().unwrap()], extra].concat())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is required by these tests: {e}"));
    finish(child, b"", "the Python sender").status.success()
}

/// `framecat recv-file` into `dir`; returns it and its port.
fn recv_file(dir: &Path, extra: &[&str]) -> (Background, String) {
    let mut receiver = Background::framecat(
        &[
            &[
                "recv-file",
                "--listen",
                "127.0.0.1:0",
                "--dir",
                dir.to_str().unwrap(),
            ],
            extra,
        ]
        .concat(),
    );
    let addr = receiver.listening_addr();
    let port = addr.rsplit(':').next().unwrap().to_owned();
    (receiver, port)
}

/// A progress bar or any terminal control in `text`.
fn has_progress_bar(text: &str) -> bool {
    text.contains('\r') || text.contains('\u{1b}') || text.contains("ETA")
}

#[test]
fn a_python_sender_to_recv_file() {
    let scratch = Scratch::new("py-to-rust");
    let outbox = scratch.dir("outbox");
    let inbox = scratch.dir("inbox");
    // Larger than --max-frame's 8 MiB default: bodies are streamed.
    let data = sample(9 * 1024 * 1024 + 123, 1);
    let path = outbox.join("capture 1.bin");
    fs::write(&path, &data).unwrap();

    let (mut receiver, port) = recv_file(&inbox, &["--count", "1"]);
    assert!(python_sends(&port, &path, &[]));
    let line = receiver.next_json();
    let (status, log) = receiver.wait();
    assert!(status.success(), "{log:?}");
    let saved = inbox.join("capture 1.bin");
    assert_eq!(
        line,
        json!({
            "file_name": "capture 1.bin",
            "path": saved.to_str().unwrap(),
            "file_size": data.len(),
            "md5": md5_hex(&data),
        })
    );
    assert!(fs::read(&saved).unwrap() == data, "the file differs");
    // No temporary file left behind.
    assert_eq!(names_in(&inbox), ["capture 1.bin"]);
    let log = log.join("\n");
    assert!(
        log.contains("received \"capture 1.bin\" (9437307 bytes, md5 ok)"),
        "{log}"
    );
    // stderr is a pipe here: no progress bar.
    assert!(!has_progress_bar(&log), "{log}");
}

#[test]
fn send_file_to_a_python_receiver() {
    let scratch = Scratch::new("rust-to-py");
    let outbox = scratch.dir("outbox");
    let inbox = scratch.dir("inbox");
    let data = sample(6 * 1024 * 1024 + 7, 2);
    let path = outbox.join("报告.bin");
    fs::write(&path, &data).unwrap();

    let mut peer = python(&["recv", inbox.to_str().unwrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is required by these tests: {e}"));
    let mut peer_out = BufReader::new(peer.stdout.take().unwrap());
    let mut line = String::new();
    peer_out.read_line(&mut line).unwrap();
    let port = serde_json::from_str::<Value>(&line).unwrap()["port"].to_string();

    let sent = framecat(
        &[
            "send-file",
            path.to_str().unwrap(),
            &format!("127.0.0.1:{port}"),
        ],
        b"",
    );
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert_eq!(
        stdout_lines(&sent),
        [json!({"file_name": "报告.bin", "file_size": data.len(), "md5": md5_hex(&data)})]
    );
    assert!(!has_progress_bar(&stderr(&sent)), "{}", stderr(&sent));

    line.clear();
    peer_out.read_line(&mut line).unwrap();
    let status = framecat_support::wait_bounded(&mut peer, "the Python receiver");
    assert!(status.success());
    let got: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(got["md5_ok"], true, "{got}");
    assert_eq!(got["file_name"], "报告.bin");
    assert_eq!(got["file_size"], data.len());
    // The keys in the order the Python programs write them.
    assert_eq!(got["header_keys"], json!(["file_name", "file_size", "md5"]));
    assert!(fs::read(inbox.join("报告.bin")).unwrap() == data);
}

#[test]
fn hostile_file_names_cannot_leave_the_directory() {
    let scratch = Scratch::new("names");
    let outbox = scratch.dir("outbox");
    // ../../etc/passwd from inbox would be a/etc/passwd.
    let inbox = scratch.dir("a/b/inbox");
    let path = outbox.join("payload");
    fs::write(&path, b"not a password file\n").unwrap();

    let (mut receiver, port) = recv_file(&inbox, &["--count", "2"]);
    assert!(python_sends(&port, &path, &["--name", "../../etc/passwd"]));
    let line = receiver.next_json();
    assert_eq!(line["file_name"], "../../etc/passwd");
    assert_eq!(line["path"], inbox.join("passwd").to_str().unwrap());
    assert!(python_sends(&port, &path, &["--name", "/tmp/absolute.txt"]));
    let line = receiver.next_json();
    assert_eq!(line["path"], inbox.join("absolute.txt").to_str().unwrap());
    let (status, log) = receiver.wait();
    assert!(status.success(), "{log:?}");
    assert_eq!(names_in(&inbox), ["absolute.txt", "passwd"]);
    assert_eq!(names_in(&scratch.0.join("a")), ["b"]);
    assert_eq!(
        fs::read(inbox.join("passwd")).unwrap(),
        b"not a password file\n"
    );

    // Names that name no file are refused; each counts as a failed file.
    let refused = [
        "..",
        "",
        "x/..",
        "/",
        "bad\u{0}name",
        "two\nlines",
        "tab\there",
    ];
    let count = refused.len().to_string();
    let (receiver, port) = recv_file(&inbox, &["--count", &count]);
    for name in refused {
        // The receiver may close before the body is all sent: the sender
        // may fail, which is fine here.
        let name = serde_json::to_string(name).unwrap();
        python_sends(&port, &path, &["--name-json", &name]);
    }
    let (status, log) = receiver.wait();
    assert_eq!(status.code(), Some(1), "{log:?}");
    let log = log.join("\n");
    for name in refused {
        assert!(
            log.contains(&format!("file name {name:?} refused")),
            "{name:?}: {log}"
        );
    }
    assert!(
        log.contains(&format!("{count} of {count} files failed")),
        "{log}"
    );
    assert!(receiver_printed_nothing(&log));
    assert_eq!(names_in(&inbox), ["absolute.txt", "passwd"]);
}

fn receiver_printed_nothing(log: &str) -> bool {
    !log.contains("received \"")
}

#[test]
fn a_damaged_or_cut_file_is_deleted_and_the_exit_status_is_1() {
    let scratch = Scratch::new("damaged");
    let outbox = scratch.dir("outbox");
    let inbox = scratch.dir("inbox");
    let data = sample(3 * 1024 * 1024, 3);
    let path = outbox.join("data.bin");
    fs::write(&path, &data).unwrap();

    // A wrong md5 in the header.
    let (receiver, port) = recv_file(&inbox, &["--count", "1"]);
    let wrong = "0123456789abcdef0123456789abcdef";
    assert!(python_sends(&port, &path, &["--md5", wrong]));
    let (status, log) = receiver.wait();
    assert_eq!(status.code(), Some(1), "{log:?}");
    let log = log.join("\n");
    assert!(
        log.contains(&format!(
            "\"data.bin\": md5 mismatch: the header says {wrong}, the 3145728 bytes received hash to {}; the file was deleted",
            md5_hex(&data)
        )),
        "{log}"
    );
    assert!(
        log.contains("framecat: error: 1 of 1 files failed"),
        "{log}"
    );
    assert!(names_in(&inbox).is_empty(), "{:?}", names_in(&inbox));

    // The sender stops halfway and closes.
    let (receiver, port) = recv_file(&inbox, &["--count", "1"]);
    assert!(python_sends(&port, &path, &["--cut", "1000000"]));
    let (status, log) = receiver.wait();
    assert_eq!(status.code(), Some(1), "{log:?}");
    let log = log.join("\n");
    assert!(
        log.contains("receiving \"data.bin\": stream ended at offset"),
        "{log}"
    );
    assert!(log.contains("the partial file was deleted"), "{log}");
    assert!(names_in(&inbox).is_empty(), "{:?}", names_in(&inbox));

    // Over --max-size: refused before anything is written.
    let (receiver, port) = recv_file(&inbox, &["--count", "1", "--max-size", "1000"]);
    python_sends(&port, &path, &[]);
    let (status, log) = receiver.wait();
    assert_eq!(status.code(), Some(1), "{log:?}");
    assert!(
        log.join("\n")
            .contains("announces 3145728 bytes, over the limit of 1000"),
        "{log:?}"
    );
    assert!(names_in(&inbox).is_empty());
}

#[test]
fn send_file_to_recv_file_several_files_and_connections() {
    let scratch = Scratch::new("rust-to-rust");
    let outbox = scratch.dir("outbox");
    let inbox = scratch.dir("inbox");
    let big = sample(2 * 1024 * 1024 + 1, 4);
    fs::write(outbox.join("big.bin"), &big).unwrap();
    fs::write(outbox.join("empty"), b"").unwrap();
    fs::write(inbox.join("empty-renamed"), b"an older file of that name").unwrap();

    let (mut receiver, port) = recv_file(&inbox, &["--count", "2"]);
    let addr = format!("127.0.0.1:{port}");
    let sent = framecat(
        &["send-file", outbox.join("big.bin").to_str().unwrap(), &addr],
        b"",
    );
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert_eq!(receiver.next_json()["md5"], md5_hex(&big));
    let sent = framecat(
        &[
            "send-file",
            "--name",
            "empty-renamed",
            outbox.join("empty").to_str().unwrap(),
            &addr,
        ],
        b"",
    );
    assert!(sent.status.success(), "{}", stderr(&sent));
    assert_eq!(
        receiver.next_json(),
        json!({
            "file_name": "empty-renamed",
            "path": inbox.join("empty-renamed").to_str().unwrap(),
            "file_size": 0,
            "md5": md5_hex(b""),
        })
    );
    let (status, log) = receiver.wait();
    assert!(status.success(), "{log:?}");
    assert!(fs::read(inbox.join("big.bin")).unwrap() == big);
    // Replaced whole.
    assert_eq!(fs::read(inbox.join("empty-renamed")).unwrap(), b"");
    assert_eq!(names_in(&inbox), ["big.bin", "empty-renamed"]);
}

#[test]
fn send_file_errors_name_the_file_and_the_address() {
    let scratch = Scratch::new("errors");
    let missing = scratch.0.join("missing.bin");
    let output = framecat(
        &["send-file", missing.to_str().unwrap(), "127.0.0.1:1"],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("missing.bin: No such file"),
        "{}",
        stderr(&output)
    );

    let present = scratch.0.join("present");
    fs::write(&present, b"x").unwrap();
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = closed.local_addr().unwrap().to_string();
    drop(closed);
    let output = framecat(&["send-file", present.to_str().unwrap(), &addr], b"");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains(&format!("connecting to {addr}")),
        "{}",
        stderr(&output)
    );

    let output = framecat(
        &[
            "recv-file",
            "--listen",
            "127.0.0.1:0",
            "--dir",
            missing.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("--dir"), "{}", stderr(&output));
    let output = framecat(
        &[
            "recv-file",
            "--listen",
            "127.0.0.1:0",
            "--dir",
            ".",
            "--count",
            "0",
        ],
        b"",
    );
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
}

/// Runs `command` with a pseudo-terminal as stdin, stdout and stderr
/// (Python's `pty.spawn`); returns what it wrote there.
fn on_a_terminal(command: &[&str]) -> (bool, String) {
    let child = Command::new("python3")
        .args([
            "-c",
            "import pty, sys; sys.exit(0 if pty.spawn(sys.argv[1:]) == 0 else 1)",
        ])
        .args(command)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is required by these tests: {e}"));
    let output = finish(child, b"", "framecat on a pseudo-terminal");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn the_progress_bar_shows_on_a_terminal_only() {
    let scratch = Scratch::new("progress");
    let outbox = scratch.dir("outbox");
    let inbox = scratch.dir("inbox");
    let data = sample(4 * 1024 * 1024, 5);
    let path = outbox.join("movie.bin");
    fs::write(&path, &data).unwrap();

    let (receiver, port) = recv_file(&inbox, &["--count", "1"]);
    let (ok, screen) = on_a_terminal(&[
        FRAMECAT,
        "send-file",
        path.to_str().unwrap(),
        &format!("127.0.0.1:{port}"),
    ]);
    assert!(ok, "{screen}");
    // Bytes done of the size, rate and time left (how far the bar got
    // depends on the machine's speed).
    assert!(screen.contains("sending movie.bin"), "{screen}");
    assert!(screen.contains("/4.00 MiB"), "{screen}");
    assert!(
        screen.contains("framecat: sent movie.bin (4194304 bytes, md5"),
        "{screen}"
    );
    assert!(screen.contains("/s ETA"), "{screen}");
    let (status, log) = receiver.wait();
    assert!(status.success(), "{log:?}");
    // The receiver's stderr is a pipe: no bar there.
    assert!(!has_progress_bar(&log.join("\n")), "{log:?}");
    assert!(fs::read(inbox.join("movie.bin")).unwrap() == data);
}

/// Peak resident memory of a running process, from /proc.
#[cfg(target_os = "linux")]
fn peak_rss_kib(pid: u32) -> u64 {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn recv_file_streams_a_large_file_in_bounded_memory() {
    let scratch = Scratch::new("memory");
    let outbox = scratch.dir("outbox");
    let inbox = scratch.dir("inbox");
    let data = sample(40 * 1024 * 1024, 6);
    let path = outbox.join("large.bin");
    fs::write(&path, &data).unwrap();

    // --count 2: still running after the first file, to be measured.
    let (mut receiver, port) = recv_file(&inbox, &["--count", "2"]);
    assert!(python_sends(&port, &path, &[]));
    assert_eq!(receiver.next_json()["md5"], md5_hex(&data));
    let peak = peak_rss_kib(receiver.pid());
    eprintln!("recv-file peaked at {peak} KiB");
    assert!(
        peak < 20 * 1024,
        "recv-file peaked at {peak} KiB for a 40 MiB file"
    );
}
