//! The JSON framing's header scanner against serde_json.
//!
//! `Json` reads flat headers (`{"data_size": 5}`, Python's file-transfer
//! headers) with a scanner of its own and everything else through
//! serde_json; on the headers the scanner accepts, the two must agree. Each
//! header here, explicit or generated from fragments (escaped strings,
//! surrogates, leading zeros, signs, fractions, exponents, whitespace,
//! duplicate keys, nesting, junk), is decoded and the verdict compared with
//! serde_json's reading of the same text: accepted with the same size, or
//! refused with the error that reading implies, at the same offset.
#![cfg(feature = "json")]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use serde_json::Value;
use sockframe::framing::{Framing, Head};
use sockframe::{Decoder, Error, Json, JsonKind, Limits, Status};

/// Runs `check` on its own thread and fails if it takes longer than a
/// minute: a scanner that stops advancing (an escape that moves backwards)
/// makes a failure rather than a hang.
fn with_deadline(check: impl FnOnce() + Send + 'static) {
    let (done, finished) = mpsc::channel();
    let worker = thread::spawn(move || {
        check();
        let _ = done.send(());
    });
    match finished.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => worker.join().unwrap(),
        // The check panicked: report its panic.
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            if let Err(panic) = worker.join() {
                std::panic::resume_unwind(panic);
            }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("the header scan did not finish"),
    }
}

/// `struct.pack('i', len(text)) + text`.
fn wire(text: &[u8]) -> Vec<u8> {
    let mut wire = (text.len() as i32).to_le_bytes().to_vec();
    wire.extend_from_slice(text);
    wire
}

/// The byte offset of serde_json's 1-based line and column in `text`.
fn byte_offset(text: &str, error: &serde_json::Error) -> usize {
    if error.is_eof() {
        return text.len();
    }
    let line_start = if error.line() <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(error.line() - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    (line_start + error.column().saturating_sub(1)).min(text.len())
}

fn kind(value: &Value) -> JsonKind {
    match value {
        Value::Null => JsonKind::Null,
        Value::Bool(_) => JsonKind::Bool,
        Value::Number(n) if n.is_f64() => JsonKind::Float,
        Value::Number(_) => JsonKind::Integer,
        Value::String(_) => JsonKind::String,
        Value::Array(_) => JsonKind::Array,
        Value::Object(_) => JsonKind::Object,
    }
}

/// What decoding `text` under the size key `key` should give, from
/// serde_json's reading of it (the last of repeated keys wins, as in
/// Python): the body size, or the error, with offsets for a frame at
/// stream offset 0 behind a 4-byte prefix.
fn expected(text: &[u8], key: &str) -> Result<u64, Error> {
    let text = std::str::from_utf8(text).map_err(|e| Error::HeaderNotUtf8 {
        offset: 4 + e.valid_up_to() as u64,
    })?;
    let value: Value = serde_json::from_str(text).map_err(|e| Error::HeaderNotJson {
        offset: 4 + byte_offset(text, &e) as u64,
    })?;
    let Value::Object(map) = value else {
        return Err(Error::HeaderNotObject {
            offset: 4,
            found: kind(&value),
        });
    };
    let Some(size) = map.get(key) else {
        return Err(Error::MissingSizeKey {
            offset: 4,
            key: key.to_string(),
        });
    };
    match size {
        Value::Number(n) if n.is_u64() => Ok(n.as_u64().unwrap()),
        Value::Number(n) if n.is_i64() => Err(Error::NegativeLength {
            offset: 0,
            length: n.as_i64().unwrap(),
        }),
        // Integers beyond i64/u64 are floats to serde_json.
        Value::Number(n) if n.as_f64().unwrap() >= 18_446_744_073_709_551_616.0 => {
            Err(Error::FrameTooLong {
                offset: 0,
                length: u64::MAX,
                limit: Limits::DEFAULT_MAX_FRAME,
            })
        }
        Value::Number(n) if n.as_f64().unwrap() <= i64::MIN as f64 => Err(Error::NegativeLength {
            offset: 0,
            length: i64::MIN,
        }),
        other => Err(Error::SizeNotInteger {
            offset: 4,
            found: kind(other),
        }),
    }
}

/// Decodes `text` as a header with `Json::parse_header` and, when the size
/// is small, as a whole frame with a `Decoder`; both must match
/// [`expected`]. A header accepted must be readable as a map.
fn check(text: &[u8], key: &str) -> Result<(), TestCaseError> {
    let json = Json::new().with_size_key(key.to_string());
    let shown = String::from_utf8_lossy(text);
    let want = expected(text, key);
    let wire = wire(text);

    let got = json.parse_header(&wire, &mut (), 0, &Limits::new());
    let got = got.map(|status| match status {
        Status::Complete(head) => head,
        Status::Partial(needed) => panic!("a whole header is partial ({needed:?}): {shown}"),
    });
    prop_assert_eq!(
        got.clone().map(|head: Head| head.payload_len),
        want.clone(),
        "parse_header on {}",
        shown
    );
    if let Ok(head) = got {
        prop_assert_eq!(head.header_len, wire.len(), "header length of {}", shown);
        prop_assert_eq!(head.trailer_len, 0);
    }

    // The decoder, with a body when the size is small.
    let mut decoder = Decoder::new(json);
    match want {
        Ok(size) if size <= 64 => {
            let body: Vec<u8> = (0..size as u8).collect();
            let mut frame = wire.clone();
            frame.extend_from_slice(&body);
            frame.extend_from_slice(b"next");
            match decoder.decode(&frame) {
                Ok(Status::Complete((frame, used))) => {
                    prop_assert_eq!(used, wire.len() + body.len(), "{}", shown);
                    prop_assert_eq!(frame.payload(), &body[..], "{}", shown);
                    prop_assert_eq!(frame.header().as_bytes(), text);
                    prop_assert_eq!(frame.header().as_str().as_bytes(), text);
                    prop_assert_eq!(frame.header().body_len(), size);
                    let map = frame.header().to_map();
                    prop_assert!(map.is_ok(), "to_map refuses {}: {:?}", shown, map);
                }
                other => prop_assert!(false, "decoding {} gave {:?}", shown, other.map(|_| ())),
            }
        }
        Ok(_) => {}
        Err(error) => {
            let got = decoder.decode(&wire).map(|_| ());
            prop_assert_eq!(got, Err(error), "decoding {}", shown);
        }
    }
    Ok(())
}

fn check_all(cases: &[(&[u8], Result<u64, Error>)]) {
    for (text, verdict) in cases {
        let shown = String::from_utf8_lossy(text);
        // The vectors pin serde_json's verdict, so a change in the
        // reference cannot silently weaken the comparison.
        assert_eq!(
            &expected(text, "data_size"),
            verdict,
            "serde_json on {shown}"
        );
        check(text, "data_size").unwrap();
    }
}

fn not_json(offset: u64) -> Result<u64, Error> {
    Err(Error::HeaderNotJson { offset })
}

fn missing(key: &str) -> Result<u64, Error> {
    Err(Error::MissingSizeKey {
        offset: 4,
        key: key.into(),
    })
}

fn not_utf8(offset: u64) -> Result<u64, Error> {
    Err(Error::HeaderNotUtf8 { offset })
}

fn negative(length: i64) -> Result<u64, Error> {
    Err(Error::NegativeLength { offset: 0, length })
}

fn not_integer(found: JsonKind) -> Result<u64, Error> {
    Err(Error::SizeNotInteger { offset: 4, found })
}

fn not_object(found: JsonKind) -> Result<u64, Error> {
    Err(Error::HeaderNotObject { offset: 4, found })
}

#[test]
fn escaped_string_values() {
    with_deadline(|| {
        check_all(&[
            (br#"{"a": "\"", "data_size": 1}"#, Ok(1)),
            (br#"{"a": "x\"y", "data_size": 2}"#, Ok(2)),
            (br#"{"a": "xy\"", "data_size": 3}"#, Ok(3)),
            (br#"{"a": "abc\\", "data_size": 4}"#, Ok(4)),
            (br#"{"a": "abc\\\"", "data_size": 4}"#, Ok(4)),
            (br#"{"a": "a\/b\bc\fd\ne\rf\tg", "data_size": 5}"#, Ok(5)),
            (br#"{"a": "\n\n\n\n", "data_size": 6}"#, Ok(6)),
            (
                br#"{"a": "\u0041\u00e9\u00E9\uffff\u0000", "data_size": 7}"#,
                Ok(7),
            ),
            (br#"{"a": "abc\u0041", "data_size": 7}"#, Ok(7)),
            (br#"{"a": "\ud83d\ude00", "data_size": 8}"#, Ok(8)),
            (br#"{"a": "xyz\uD83D\uDE00", "data_size": 8}"#, Ok(8)),
            (br#"{"a": "\ud800", "data_size": 9}"#, not_json(17)),
            (br#"{"a": "\udc00", "data_size": 9}"#, not_json(16)),
            (br#"{"a": "\ude00\ud83d", "data_size": 9}"#, not_json(16)),
            (br#"{"a": "\u12", "data_size": 9}"#, not_json(16)),
            (br#"{"a": "\u12g4", "data_size": 9}"#, not_json(16)),
            (br#"{"a": "\u", "data_size": 9}"#, not_json(16)),
            (br#"{"a": "\x", "data_size": 9}"#, not_json(12)),
            (br#"{"a": "\'", "data_size": 9}"#, not_json(12)),
            (br#"{"a": "abc\"#, not_json(15)),
            (br#"{"a": "abc\""#, not_json(16)),
            // An escaped quote does not end the string: the size inside it is
            // text.
            (
                br#"{"a": "\", \"data_size\": 5, \"b\": ", "data_size": 6}"#,
                Ok(6),
            ),
            (br#"{"a": "x\", "data_size": 5}"#, not_json(17)),
            // Escaped keys take the full parser, which unescapes them.
            (br#"{"data\u005fsize": 10}"#, Ok(10)),
            (br#"{"\u0064ata_size": 11, "a\"b": 1}"#, Ok(11)),
            (br#"{"data_size\u0000": 11}"#, missing("data_size")),
            (
                "{\"a\": \"caf\u{e9} \u{1f600}\", \"data_size\": 12}".as_bytes(),
                Ok(12),
            ),
            (b"{\"a\": \"\xff\", \"data_size\": 12}", not_utf8(11)),
            (b"{\"a\": \"\xc3\", \"data_size\": 12}", not_utf8(11)),
            (b"{\"a\": \"ab\xe2\x82\", \"data_size\": 12}", not_utf8(13)),
            (b"{\"a\": \"\x01\", \"data_size\": 12}", not_json(11)),
            (b"{\"a\": \"\t\", \"data_size\": 12}", not_json(11)),
            (b"{\"a\": \"\x7f\", \"data_size\": 13}", Ok(13)),
        ]);
    });
}

#[test]
fn size_spellings() {
    const MAX: u64 = u64::MAX;
    // Integers too long for an f64: not JSON serde_json reads.
    let long = format!(r#"{{"a": {}, "data_size": 1}}"#, "9".repeat(400));
    let long_negative = format!(r#"{{"a": -{}, "data_size": 1}}"#, "9".repeat(400));
    let long_size = format!(r#"{{"data_size": {}}}"#, "9".repeat(400));
    let huge = Err(Error::FrameTooLong {
        offset: 0,
        length: u64::MAX,
        limit: Limits::DEFAULT_MAX_FRAME,
    });
    let float = not_integer(JsonKind::Float);
    with_deadline(move || {
        check_all(&[
            (long.as_bytes(), not_json(4 + 405)),
            (long_negative.as_bytes(), not_json(4 + 406)),
            (long_size.as_bytes(), not_json(4 + 413)),
            (br#"{"data_size": 0}"#, Ok(0)),
            (br#"{"data_size": 5}"#, Ok(5)),
            (br#"{"data_size": 10}"#, Ok(10)),
            (br#"{"data_size": 05}"#, not_json(19)),
            (br#"{"data_size": 00}"#, not_json(19)),
            (br#"{"data_size": 0005}"#, not_json(19)),
            (br#"{"data_size": 010}"#, not_json(19)),
            (br#"{"data_size": -0}"#, float.clone()),
            (br#"{"data_size": -5}"#, negative(-5)),
            (br#"{"data_size": -05}"#, not_json(20)),
            (br#"{"data_size": +5}"#, not_json(18)),
            (br#"{"data_size": 5.}"#, not_json(20)),
            (br#"{"data_size": .5}"#, not_json(18)),
            (br#"{"data_size": 5.0}"#, float.clone()),
            (br#"{"data_size": 5e0}"#, float.clone()),
            (br#"{"data_size": 5E+1}"#, float.clone()),
            (br#"{"data_size": 50e-1}"#, float.clone()),
            (br#"{"data_size": 5e}"#, not_json(20)),
            (br#"{"data_size": 1e400}"#, not_json(22)),
            (br#"{"data_size": 18446744073709551615}"#, Ok(MAX)),
            (br#"{"data_size": 18446744073709551616}"#, huge.clone()),
            (br#"{"data_size": 18446744073709551617}"#, huge.clone()),
            (br#"{"data_size": 99999999999999999999}"#, huge.clone()),
            (br#"{"data_size": 100000000000000000000}"#, huge.clone()),
            (br#"{"data_size": 1844674407370955161.5}"#, float.clone()),
            (
                br#"{"data_size": 12345678901234567890}"#,
                Ok(12_345_678_901_234_567_890),
            ),
            (
                br#"{"data_size": 123456789012345678}"#,
                Ok(123_456_789_012_345_678),
            ),
            (
                br#"{"data_size": -9223372036854775808}"#,
                negative(i64::MIN),
            ),
            (
                br#"{"data_size": -9223372036854775809}"#,
                negative(i64::MIN),
            ),
            (
                br#"{"data_size": -99999999999999999999}"#,
                negative(i64::MIN),
            ),
            (br#"{"data_size": -9223372036854774784.5}"#, float.clone()),
            (br#"{"data_size": 5x}"#, not_json(19)),
            (br#"{"data_size": 5 5}"#, not_json(20)),
            (br#"{"data_size": "5"}"#, not_integer(JsonKind::String)),
            (br#"{"data_size": null}"#, not_integer(JsonKind::Null)),
            (br#"{"data_size": true}"#, not_integer(JsonKind::Bool)),
            (br#"{"data_size": [5]}"#, not_integer(JsonKind::Array)),
            (
                br#"{"data_size": {"data_size": 5}}"#,
                not_integer(JsonKind::Object),
            ),
            // Other integers: any sign, no leading zero, any length.
            (br#"{"a": 05, "data_size": 1}"#, not_json(11)),
            (br#"{"a": -05, "data_size": 1}"#, not_json(12)),
            (br#"{"a": -0, "data_size": 1}"#, Ok(1)),
            (br#"{"a": -, "data_size": 1}"#, not_json(11)),
            (br#"{"a": -x, "data_size": 1}"#, not_json(11)),
            (br#"{"a": 123456789012345678, "data_size": 1}"#, Ok(1)),
            (br#"{"a": -1234567890123456789, "data_size": 1}"#, Ok(1)),
            (
                br#"{"a": 123456789012345678901234567890, "data_size": 1}"#,
                Ok(1),
            ),
            (br#"{"a": 1.5e3, "data_size": 1}"#, Ok(1)),
            (br#"{"a": 1e400, "data_size": 1}"#, not_json(14)),
        ]);
    });
}

#[test]
fn layouts() {
    let deep = |n: usize| {
        format!(
            r#"{{"a": {}{}, "data_size": 3}}"#,
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let (deep_ok, deep_bad) = (deep(126), deep(127));
    with_deadline(move || {
        check_all(&[
            (
                b" \t\r\n{ \t\r\n\"data_size\" \t\r\n: \t\r\n7 \t\r\n} \t\r\n",
                Ok(7),
            ),
            (br#"{"data_size":7}"#, Ok(7)),
            (br#"{"data_size": 7, "data_size": 8}"#, Ok(8)),
            (br#"{"data_size": 8, "data_size": -1}"#, negative(-1)),
            (br#"{"data_size": "x", "data_size": 9}"#, Ok(9)),
            (
                br#"{"file_name": "a.txt", "file_size": 5, "md5": "x", "data_size": 2}"#,
                Ok(2),
            ),
            (
                br#"{"a": true, "b": false, "c": null, "data_size": 3}"#,
                Ok(3),
            ),
            (
                br#"{"a": [], "b": {}, "c": [1, "x", {"d": null}], "data_size": 3}"#,
                Ok(3),
            ),
            (br#"{"a": {"data_size": 9}, "data_size": 3}"#, Ok(3)),
            (br#"{"a": {"data_size": 9}}"#, missing("data_size")),
            (deep_ok.as_bytes(), Ok(3)),
            (deep_bad.as_bytes(), not_json(4 + 132)),
            (br#"{"a": tru, "data_size": 3}"#, not_json(13)),
            (br#"{"a": truex, "data_size": 3}"#, not_json(14)),
            (br#"{"a": nul, "data_size": 3}"#, not_json(13)),
            (br#"{"a": True, "data_size": 3}"#, not_json(10)),
            (br#"{"a": NaN, "data_size": 3}"#, not_json(10)),
            (br#"{"a": x, "data_size": 3}"#, not_json(10)),
            (br#"{"a": 1,}"#, not_json(12)),
            (br#"{"data_size": 3,}"#, not_json(20)),
            (br#"{"data_size": 3,, "a": 1}"#, not_json(20)),
            (br#"{"data_size" 3}"#, not_json(17)),
            (br#"{"data_size":: 3}"#, not_json(17)),
            (br#"{"data_size"= 3}"#, not_json(16)),
            (br#"{"data_size": 3; "a": 1}"#, not_json(19)),
            (br#"{"data_size": 3 "a": 1}"#, not_json(20)),
            (br#"{"data_size": 3}}"#, not_json(20)),
            (br#"{"data_size": 3} x"#, not_json(21)),
            (b"{\"data_size\": 3}\0", not_json(20)),
            (br#"{"data_size": 3"#, not_json(19)),
            (br#"{"data_size": 3 "#, not_json(20)),
            (br#"{"data_size": "#, not_json(18)),
            (br#"{"data_size""#, not_json(16)),
            (br#"{"data_size"#, not_json(15)),
            (br#"{"#, not_json(5)),
            (br#"{}"#, missing("data_size")),
            (br#"{ }"#, missing("data_size")),
            (br#"{"a": 1}"#, missing("data_size")),
            (br#"{"data_size ": 1}"#, missing("data_size")),
            (br#"{" data_size": 1}"#, missing("data_size")),
            (br#"{"Data_size": 1}"#, missing("data_size")),
            (br#"{"data_siz": 1}"#, missing("data_size")),
            (br#"{"data_sizee": 1}"#, missing("data_size")),
            (br#"{"": 1, "data_size": 2}"#, Ok(2)),
            (br#"{data_size: 1}"#, not_json(5)),
            (br#"{'data_size': 1}"#, not_json(5)),
            (br#"{1: 1}"#, not_json(5)),
            (b"{\"data_\x01size\": 1}", not_json(11)),
            (
                "{\"dat\u{e9}_size\": 1, \"data_size\": 2}".as_bytes(),
                Ok(2),
            ),
            (b"{\"data_size\xff\": 1}", not_utf8(15)),
            (b"\xef\xbb\xbf{\"data_size\": 1}", not_json(4)),
            (b"{\"data_size\": 1}\xff", not_utf8(20)),
            (b"", not_json(4)),
            (b"   ", not_json(7)),
            (b"x", not_json(4)),
            (br#"[5]"#, not_object(JsonKind::Array)),
            (br#"5"#, not_object(JsonKind::Integer)),
            (br#" -0"#, not_object(JsonKind::Float)),
            (br#""data_size""#, not_object(JsonKind::String)),
            (br#"null"#, not_object(JsonKind::Null)),
            (br#"true"#, not_object(JsonKind::Bool)),
        ]);
    });
}

#[test]
fn other_size_keys() {
    with_deadline(|| {
        for (text, key, verdict) in [
            (
                &br#"{"file_name": "a\"b.txt", "file_size": 5}"#[..],
                "file_size",
                Ok(5),
            ),
            (br#"{"data_size": 5}"#, "file_size", missing("file_size")),
            (br#"{"a\"b": 5}"#, "a\"b", Ok(5)),
            (br#"{"a\\b": 6}"#, "a\\b", Ok(6)),
            ("{\"\u{e9}\": 7}".as_bytes(), "\u{e9}", Ok(7)),
            (br#"{"\u00e9": 8}"#, "\u{e9}", Ok(8)),
            (br#"{"": 9}"#, "", Ok(9)),
            (br#"{"a": 1, "": 9}"#, "", Ok(9)),
            (br#"{"a": 1}"#, "", missing("")),
        ] {
            assert_eq!(
                expected(text, key),
                verdict,
                "{}",
                String::from_utf8_lossy(text)
            );
            check(text, key).unwrap();
        }
    });
}

/// Fragments the generated headers are built from, each slot as a list of
/// good fragments and one of bad ones (a bad one in one slot of 81).
const SPACE: (&[&str], &[&str]) = (
    &[
        "", "", "", "", "", " ", " ", "\t", "\n", "\r\n", "  ", " \t\r\n",
    ],
    &["\x0b", "\u{a0}", "\x0c"],
);
const KEYS: (&[&str], &[&str]) = (
    &[
        "data_size",
        "data_size",
        "file_size",
        "file_size",
        "file_name",
        "md5",
        "a",
        "",
        "data_size ",
        "Data_size",
        "data_siz",
        "file_size_",
        r"data\u005fsize",
        r"\u0066ile_size",
        r"data_size\u0000",
        r#"a\"b"#,
        "caf\u{e9}",
    ],
    &[r"data_size\x", "data\x01size", "data_size\\", r"\ud800"],
);
const STRING_PIECES: (&[&str], &[&str]) = (
    &[
        "a",
        "hello.txt",
        " ",
        "~",
        "\x7f",
        ",",
        "}",
        ":",
        r#"{\"data_size\": 1}"#,
        r#"\""#,
        r#"\""#,
        r"\\",
        r"\\",
        r"\/",
        r"\b",
        r"\f",
        r"\n",
        r"\r",
        r"\t",
        r"\u0041",
        r"\u00e9",
        r"\u00E9",
        r"\uffff",
        r"\u0000",
        r"\ud83d\ude00",
        r"\uD83D\uDE00",
        r"\udbff\udfff",
        "\u{e9}",
        "\u{1f600}",
    ],
    &[
        r"\ud800",
        r"\udfff",
        r"\ud83d",
        r"\ude00",
        r"\ude00\ud83d",
        r"\u12",
        r"\u12g4",
        r"\u",
        r"\x",
        r"\'",
        r"\ ",
        "\\",
        "\"",
        "\x01",
        "\x1f",
        "\t",
        "\n",
    ],
);
/// Bytes that are not UTF-8, put into strings.
const BAD_UTF8: &[&[u8]] = &[b"\xff", b"\xc3", b"\xe2\x82", b"\xed\xa0\x80", b"\x80"];
const SIGNS: (&[&str], &[&str]) = (&["", "", "", "", "", "", "-"], &["+", "--"]);
const INTEGERS: (&[&str], &[&str]) = (
    &[
        "0",
        "1",
        "5",
        "42",
        "65536",
        "123456789012345678",
        "1234567890123456789",
        "9223372036854775807",
        "9223372036854775808",
        "9223372036854775809",
        "18446744073709551615",
        "18446744073709551616",
        "18446744073709551617",
        "99999999999999999999",
        "100000000000000000000",
    ],
    &["00", "05", "007", "0123456789", ""],
);
const FRACTIONS: (&[&str], &[&str]) = (
    &[
        "", "", "", "", "", "", "", "", "", "", "", "", ".0", ".5", ".000",
    ],
    &[".", "x", ".e1"],
);
const EXPONENTS: (&[&str], &[&str]) = (
    &[
        "", "", "", "", "", "", "", "", "", "", "", "", "", "", "e3", "E3", "e+2", "E-2", "e0",
        "e-400",
    ],
    &["e", "e+", "e400"],
);
const OTHER_VALUES: (&[&str], &[&str]) = (
    &[
        "true",
        "false",
        "null",
        "[]",
        "{}",
        "[1, \"a\", [null, true]]",
        "{\"data_size\": 3}",
        "{\"a\": {\"b\": [\"\\\"\"]}}",
    ],
    &[
        "tru",
        "nul",
        "falsey",
        "True",
        "NaN",
        "[1e400]",
        "[\"\\ud800\"]",
        "'x'",
        "[",
        "{\"a\"}",
    ],
);
const SEPARATORS: (&[&str], &[&str]) = (&[","], &[",,", "", ";", ", ,"]);
const COLONS: (&[&str], &[&str]) = (&[":"], &["", "::", "="]);
const ENDS: (&[&str], &[&str]) = (&[""], &["x", ",", "}", "\0", "{}", "\"\""]);

/// A good fragment, or one time in 81 a bad one.
fn slot((good, bad): (&'static [&'static str], &'static [&'static str])) -> BoxedStrategy<Vec<u8>> {
    let pick = |pieces: &'static [&'static str]| {
        prop::sample::select(pieces).prop_map(|piece| piece.as_bytes().to_vec())
    };
    prop_oneof![80 => pick(good), 1 => pick(bad)].boxed()
}

fn string() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        60 => slot(STRING_PIECES),
        1 => prop::sample::select(BAD_UTF8).prop_map(<[u8]>::to_vec),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|pieces| {
        let mut out = b"\"".to_vec();
        out.extend(pieces.concat());
        out.push(b'"');
        out
    })
}

fn number() -> impl Strategy<Value = Vec<u8>> {
    (
        slot(SIGNS),
        slot(INTEGERS),
        slot(FRACTIONS),
        slot(EXPONENTS),
    )
        .prop_map(|(sign, int, frac, exp)| [sign, int, frac, exp].concat())
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![6 => number(), 3 => string(), 2 => slot(OTHER_VALUES)]
}

/// A size that the scanner reads, mostly; any number otherwise.
fn size() -> impl Strategy<Value = Vec<u8>> {
    let plain = prop::sample::select(
        &[
            "0",
            "1",
            "5",
            "10",
            "42",
            "65536",
            "123456789012345678",
            "1234567890123456789",
            "18446744073709551615",
        ][..],
    )
    .prop_map(|size| size.as_bytes().to_vec());
    prop_oneof![3 => plain, 1 => number()]
}

fn entry(
    key: impl Strategy<Value = Vec<u8>>,
    value: impl Strategy<Value = Vec<u8>>,
) -> impl Strategy<Value = Vec<u8>> {
    (
        slot(SPACE),
        key,
        slot(SPACE),
        slot(COLONS),
        slot(SPACE),
        value,
        slot(SPACE),
    )
        .prop_map(|(s1, key, s2, colon, s3, value, s4)| {
            [
                s1,
                [&b"\""[..], &key, b"\""].concat(),
                s2,
                colon,
                s3,
                value,
                s4,
            ]
            .concat()
        })
}

/// An object of entries under the fragments' keys or, half of them, under
/// `size_key` with a size.
fn object(size_key: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let any = entry(slot(KEYS), value());
    let size = entry(Just(size_key.as_bytes().to_vec()), size());
    (
        slot(SPACE),
        prop::collection::vec((prop_oneof![any, size], slot(SEPARATORS)), 0..6),
        slot(SPACE),
        slot(ENDS),
        slot(SPACE),
    )
        .prop_map(|(before, entries, inside, end, after)| {
            let mut out = before;
            out.push(b'{');
            for (i, (entry, separator)) in entries.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(separator);
                }
                out.extend_from_slice(entry);
            }
            out.extend(inside);
            out.push(b'}');
            out.extend(end);
            out.extend(after);
            out
        })
}

fn header(size_key: &'static str) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        20 => object(size_key),
        // Cut short anywhere.
        2 => object(size_key)
            .prop_flat_map(|text| {
                let len = text.len();
                (Just(text), 0..len)
            })
            .prop_map(|(text, len)| text[..len].to_vec()),
        1 => value(),
    ]
}

/// Runs generated headers through [`check`] under the two size keys the
/// fragments use, and makes sure enough of them are accepted for the
/// comparison to keep exercising the scanner's accepting paths.
#[test]
fn generated_headers_agree_with_serde_json() {
    const CASES: u32 = 6000;
    with_deadline(|| {
        let mut runner = TestRunner::new(Config {
            cases: CASES,
            failure_persistence: None,
            ..Config::default()
        });
        let accepted = AtomicU32::new(0);
        let strategy = prop::sample::select(&["data_size", "file_size"][..])
            .prop_flat_map(|key| (header(key), Just(key)));
        runner
            .run(&strategy, |(text, key)| {
                if expected(&text, key).is_ok() {
                    accepted.fetch_add(1, Ordering::Relaxed);
                }
                check(&text, key)
            })
            .unwrap();
        let accepted = accepted.into_inner();
        assert!(
            accepted > CASES / 5,
            "only {accepted} of {CASES} headers accepted"
        );
    });
}
