//! `framecat transcode`, run as a user would: every pair of framings, JSON
//! header fields carried between json framings, options for one side or
//! both, bad and cut input, payloads the output cannot carry, and large
//! frames streamed in bounded memory. Needs the `cli` feature.

#![cfg(feature = "cli")]

mod framecat_support;

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;

use serde_json::json;
use sockframe::{Ascii, Binary, Encode, Json};

use framecat_support::{framecat, stderr, stdout_lines, wait_bounded, FRAMECAT};

fn payloads() -> Vec<Vec<u8>> {
    vec![
        b"hello".to_vec(),
        Vec::new(),
        "你好".as_bytes().to_vec(),
        b"\x00\xff binary \r\n".to_vec(),
        (0..5000u32).map(|i| (i % 251) as u8).collect(),
    ]
}

fn wire(encoder: &impl Encode, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for p in payloads {
        encoder.encode_into(p, &mut out).unwrap();
    }
    out
}

#[test]
fn every_pair_of_framings_carries_the_payloads() {
    let payloads = payloads();
    let framings: [(&str, Vec<u8>); 3] = [
        ("ascii4", wire(&Ascii::new(), &payloads)),
        ("struct", wire(&Binary::default(), &payloads)),
        ("json", wire(&Json::new(), &payloads)),
    ];
    for (from, input) in &framings {
        for (to, expected) in &framings {
            let output = framecat(&["transcode", "--from", from, "--to", to], input);
            assert!(
                output.status.success(),
                "{from} -> {to}: {}",
                stderr(&output)
            );
            assert!(output.stdout == *expected, "{from} -> {to}");
            assert_eq!(stderr(&output), "");
        }
    }
}

#[test]
fn options_go_to_the_sides_that_take_them() {
    let payloads = payloads();
    // --endian for both struct sides, overridden on one.
    let output = framecat(
        &[
            "transcode",
            "--from",
            "struct",
            "--to",
            "struct",
            "--endian",
            "big",
            "--to-endian",
            "little",
        ],
        &wire(&Binary::I32_BE, &payloads),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout == wire(&Binary::I32_LE, &payloads));

    // Plain options applying to one side each.
    let output = framecat(
        &[
            "transcode",
            "--from",
            "json",
            "--to",
            "ascii4",
            "--length-key",
            "n",
            "--digits",
            "6",
        ],
        &wire(&Json::new().with_size_key("n"), &payloads),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout == wire(&Ascii::with_width(6).unwrap(), &payloads));

    // One side's struct format, the other's endian.
    let output = framecat(
        &[
            "transcode",
            "--from",
            "struct",
            "--to",
            "json",
            "--from-struct-format",
            "!H",
            "--to-endian",
            "big",
        ],
        &wire(&Binary::from_struct_format("!H").unwrap(), &payloads),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout == wire(&Json::new().with_prefix(Binary::I32_BE), &payloads));
}

#[test]
fn options_that_apply_to_no_side_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--from", "json", "--to", "ascii4", "--endian", "big", "--from-endian", "little"],
            "--endian is overridden by --from-endian or --to-endian on every side that takes it",
        ),
        (
            &["--from", "ascii4", "--to", "ascii4", "--length-key", "x"],
            "--length-key applies to neither --from ascii4 nor --to ascii4: it is an option of json",
        ),
        (
            &["--from", "ascii4", "--to", "json", "--from-length-key", "x"],
            "--from-length-key does not apply to --from ascii4: it is an option of json",
        ),
        (
            &["--from", "json", "--to", "struct", "--to-digits", "5"],
            "--to-digits does not apply to --to struct: it is an option of ascii4",
        ),
        (
            &["--from", "json", "--to", "struct", "--to-endian", "big", "--to-struct-format", "<i"],
            "cannot be used with",
        ),
        (&["--from", "json"], "--to <FRAMING>"),
    ];
    for (args, message) in cases {
        let output = framecat(&[&["transcode"], *args].concat(), b"");
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn json_header_fields_go_on_to_a_json_output_only() {
    let mut input = Vec::new();
    Json::new()
        .encode_with_into(
            &json!({"file_name": "报告.txt", "meta": {"z": 1, "a": 2}}),
            b"body",
            &mut input,
        )
        .unwrap();
    // The key order as written, at every depth, and the size under the
    // output's key.
    let mut nested = b"{\"file_name\": \"\\u62a5\\u544a.txt\", \"meta\": {\"z\": 1, \"a\": 2}, \"data_size\": 4}".to_vec();
    let mut raw = (nested.len() as i32).to_le_bytes().to_vec();
    raw.append(&mut nested);
    raw.extend_from_slice(b"body");

    let output = framecat(
        &[
            "transcode",
            "--from",
            "json",
            "--to",
            "json",
            "--to-length-key",
            "file_size",
            "--to-endian",
            "big",
        ],
        &raw,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let decoded = framecat(
        &[
            "decode",
            "--framing",
            "json",
            "--length-key",
            "file_size",
            "--endian",
            "big",
        ],
        &output.stdout,
    );
    assert_eq!(
        String::from_utf8(decoded.stdout).unwrap(),
        "{\"header\": {\"file_name\": \"\\u62a5\\u544a.txt\", \"meta\": {\"z\": 1, \"a\": 2}, \"file_size\": 4}, \"body\": \"body\"}\n"
    );
    // Same framing both sides: the bytes unchanged.
    let output = framecat(&["transcode", "--from", "json", "--to", "json"], &raw);
    assert_eq!(output.stdout, raw);
    // Another framing: the payload alone.
    let output = framecat(&["transcode", "--from", "json", "--to", "ascii4"], &raw);
    assert_eq!(output.stdout, b"0004body");
}

#[test]
fn bad_input_ends_after_the_frames_before_it() {
    let mut input = wire(&Binary::default(), &[b"one".to_vec(), b"two".to_vec()]);
    input.extend_from_slice(b"\x05\0\0\0thr");
    let output = framecat(&["transcode", "--from", "struct", "--to", "ascii4"], &input);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"0003one0003two");
    assert!(
        stderr(&output).contains("stream ended at offset 21"),
        "{}",
        stderr(&output)
    );

    let output = framecat(
        &[
            "transcode",
            "--from",
            "struct",
            "--to",
            "ascii4",
            "--max-frame",
            "3",
        ],
        &wire(&Binary::default(), &[b"abc".to_vec(), b"abcd".to_vec()]),
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"0003abc");
    assert!(
        stderr(&output).contains("announces 4 bytes, over the limit of 3"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_payload_the_output_cannot_carry_is_an_error() {
    let input = wire(&Binary::default(), &[b"ok".to_vec(), vec![b'x'; 10_000]]);
    let output = framecat(&["transcode", "--from", "struct", "--to", "ascii4"], &input);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"0002ok");
    assert!(
        stderr(&output).contains("frame 2: the output framing refused it: payload of 10000 bytes is too long for the header, which can describe at most 9999"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn large_frames_are_streamed_byte_for_byte() {
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i * 7 % 256) as u8).collect();
    let payloads = vec![b"before".to_vec(), big, b"after".to_vec()];
    let input = wire(&Json::new(), &payloads);
    let output = framecat(
        &[
            "transcode",
            "--from",
            "json",
            "--to",
            "struct",
            "--to-endian",
            "big",
        ],
        &input,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout == wire(&Binary::I32_BE, &payloads));
    // Cut inside the large body: the frames before, then the error.
    let cut = &input[..input.len() - 1_000_000];
    let output = framecat(&["transcode", "--from", "json", "--to", "struct"], cut);
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.starts_with(b"\x06\0\0\0before"));
    assert!(
        stderr(&output).contains("stream ended at offset"),
        "{}",
        stderr(&output)
    );
    // A payload over --max-frame is refused before any of it is copied.
    let output = framecat(
        &[
            "transcode",
            "--from",
            "json",
            "--to",
            "struct",
            "--max-frame",
            "2000000",
        ],
        &input,
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"\x06\0\0\0before");
    assert!(
        stderr(&output).contains("over the limit of 2000000"),
        "{}",
        stderr(&output)
    );
}

/// Peak resident memory of a running process, from /proc.
#[cfg(target_os = "linux")]
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

#[cfg(target_os = "linux")]
#[test]
fn a_frame_larger_than_memory_allows_goes_through_in_bounded_memory() {
    // One 48 MiB frame, fed in pieces; measured once it is all out, while
    // framecat still waits for more input.
    let len = 48 * 1024 * 1024;
    let mut child = Command::new(FRAMECAT)
        .args([
            "transcode",
            "--from",
            "struct",
            "--to",
            "json",
            "--max-frame",
            "100000000",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let feeder = thread::spawn(move || {
        stdin.write_all(&(len as i32).to_le_bytes()).unwrap();
        let piece = vec![b'z'; 1 << 20];
        for _ in 0..48 {
            stdin.write_all(&piece).unwrap();
        }
        stdin
    });
    // Read and check the output in a thread, so that a framecat that
    // stops writing fails the test at the deadline instead of hanging it.
    let mut stdout = child.stdout.take().unwrap();
    let (done, outcome) = mpsc::channel();
    thread::spawn(move || {
        let mut check = || -> Result<(), String> {
            let header = Json::new().encode_header(len).unwrap();
            let mut got = vec![0u8; header.len()];
            stdout.read_exact(&mut got).map_err(|e| e.to_string())?;
            if got != header {
                return Err(format!("header {got:?}"));
            }
            let mut left = len;
            let mut buf = vec![0u8; 1 << 16];
            while left > 0 {
                let n = stdout
                    .read(&mut buf[..left.min(1 << 16)])
                    .map_err(|e| e.to_string())?;
                if n == 0 {
                    return Err(format!("the output ended {left} bytes early"));
                }
                if !buf[..n].iter().all(|&b| b == b'z') {
                    return Err("the payload differs".into());
                }
                left -= n;
            }
            Ok(())
        };
        let _ = done.send(check());
    });
    match outcome.recv_timeout(framecat_support::DEADLINE) {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("{e}"),
        Err(_) => {
            let _ = child.kill();
            panic!(
                "the whole frame did not come out within {:?}",
                framecat_support::DEADLINE
            );
        }
    }
    let stdin = feeder.join().unwrap();
    let peak = peak_rss_kib(child.id());
    drop(stdin);
    let status = wait_bounded(&mut child, "framecat transcode");
    assert!(status.success());
    assert!(
        peak < 16 * 1024,
        "transcode peaked at {peak} KiB for a 48 MiB frame"
    );
}

#[test]
fn transcode_output_decodes_as_decode_shows_it() {
    let output = framecat(
        &[
            "transcode",
            "--from",
            "ascii4",
            "--to",
            "json",
            "--to-length-key",
            "len",
        ],
        b"0002hi0000",
    );
    let decoded = framecat(
        &["decode", "--framing", "json", "--length-key", "len"],
        &output.stdout,
    );
    assert_eq!(
        stdout_lines(&decoded),
        [
            json!({"header": {"len": 2}, "body": "hi"}),
            json!({"header": {"len": 0}, "body": ""}),
        ]
    );
}
