//! What the flat scanner reads by itself. Whether the decoder's verdicts
//! match serde_json is checked in `tests/json_scanner.rs`; a scanner that
//! handed more headers than it should to the full parser would pass there
//! (the full parser finds the same size, only slower), so these pin down
//! that it reads the headers its documentation promises, and which ones it
//! leaves alone.

use alloc::format;
use alloc::string::String;

use super::flat_size;

/// The size serde_json finds under `data_size`, if it is a u64.
fn serde_size(text: &str) -> Option<u64> {
    let value: serde_json::Value = serde_json::from_str(text).ok()?;
    value.get("data_size")?.as_u64()
}

#[test]
fn reads_flat_headers() {
    let eighteen = "123456789012345678";
    let cases: [(String, u64); 23] = [
        (r#"{"data_size": 5}"#.into(), 5),
        (r#"{"data_size":0}"#.into(), 0),
        (r#"{"data_size": 10}"#.into(), 10),
        (r#"{"data_size": 18446744073709551615}"#.into(), u64::MAX),
        (
            r#"{"data_size": 12345678901234567890}"#.into(),
            12_345_678_901_234_567_890,
        ),
        (
            " \t\r\n{ \t\r\n\"data_size\" \t\r\n: \t\r\n7 \t\r\n} \t\r\n".into(),
            7,
        ),
        ("\n{\"data_size\":7}".into(), 7),
        (r#"{"data_size": 1, "data_size": 2}"#.into(), 2),
        (r#"{"data_size": 1,"a": 0}"#.into(), 1),
        (
            r#"{"file_name": "a.txt", "data_size": 3, "md5": "0123456789abcdef"}"#.into(),
            3,
        ),
        (
            r#"{"a": true, "b": false, "c": null, "data_size": 4}"#.into(),
            4,
        ),
        (r#"{"a":true,"b":false,"c":null,"data_size":4}"#.into(), 4),
        (
            r#"{"a": 0, "b": -0, "c": 7, "d": -7, "data_size": 5}"#.into(),
            5,
        ),
        (
            format!(r#"{{"a": {eighteen}, "b": -{eighteen}, "data_size": 6}}"#),
            6,
        ),
        (r#"{"a": "", "data_size": 7}"#.into(), 7),
        (
            r#"{"a": "\"", "b": "x\\", "c": "\/\b\f\n\r\t", "data_size": 8}"#.into(),
            8,
        ),
        (r#"{"a": "\"\"", "b": "abc\"", "data_size": 8}"#.into(), 8),
        (
            r#"{"a": "\u0041\u00e9\uFFFF", "b": "xyz\u0000", "data_size": 9}"#.into(),
            9,
        ),
        (
            "{\"a\": \"caf\u{e9}\", \"b\": \"\u{1f600}x\", \"data_size\": 10}".into(),
            10,
        ),
        ("{\"a\": \"\u{7f}\", \"data_size\": 11}".into(), 11),
        (r#"{"a": ",\"data_size\": 1}", "data_size": 12}"#.into(), 12),
        (r#"{"": 0, "data_size": 13}"#.into(), 13),
        (r#"{"data_size": 14, "a": "x"}"#.into(), 14),
    ];
    for (text, size) in cases {
        assert_eq!(
            flat_size(text.as_bytes(), "data_size"),
            Some(size),
            "{text}"
        );
        assert_eq!(serde_size(&text), Some(size), "{text}");
    }
    assert_eq!(flat_size(br#"{"file_size": 15}"#, "file_size"), Some(15));
}

#[test]
fn leaves_the_rest_to_the_full_parser() {
    let nineteen = "1234567890123456789";
    let cases: [String; 36] = [
        // Not flat, or not as Python writes it: fine JSON.
        r#"{"data\u005fsize": 1}"#.into(),
        r#"{"a\"b": 1, "data_size": 1}"#.into(),
        r#"{"a": [], "data_size": 1}"#.into(),
        r#"{"a": {}, "data_size": 1}"#.into(),
        r#"{"a": 1.5, "data_size": 1}"#.into(),
        r#"{"a": 1e3, "data_size": 1}"#.into(),
        format!(r#"{{"a": {nineteen}, "data_size": 1}}"#),
        format!(r#"{{"a": -{nineteen}, "data_size": 1}}"#),
        r#"{"a": "\ud83d\ude00", "data_size": 1}"#.into(),
        r#"{"data_size": 18446744073709551616}"#.into(),
        r#"{"data_size": 123456789012345678901}"#.into(),
        r#"{"data_size": -1}"#.into(),
        r#"{"data_size": 1.0}"#.into(),
        r#"{"data_size": "1"}"#.into(),
        r#"{"data_size": null}"#.into(),
        r#"{"a": 1}"#.into(),
        "{}".into(),
        // Not JSON.
        r#"{"data_size": 05}"#.into(),
        r#"{"data_size": 00}"#.into(),
        r#"{"a": 05, "data_size": 1}"#.into(),
        r#"{"a": -, "data_size": 1}"#.into(),
        r#"{"a": tru, "data_size": 1}"#.into(),
        r#"{"a": "\x", "data_size": 1}"#.into(),
        r#"{"a": "\u00g0", "data_size": 1}"#.into(),
        r#"{"a": "\ud800", "data_size": 1}"#.into(),
        "{\"a\": \"\u{1}\", \"data_size\": 1}".into(),
        r#"{"data_size": 1,}"#.into(),
        r#"{"data_size": 1 "a": 2}"#.into(),
        r#"{"data_size" 1}"#.into(),
        r#"{"data_size": 1} x"#.into(),
        r#"{"data_size": 1}}"#.into(),
        r#"{"data_size": 1"#.into(),
        r#"{"data_size": "#.into(),
        r#"{"a": "x"#.into(),
        r#"x{"data_size": 1}"#.into(),
        String::new(),
    ];
    for text in cases {
        assert_eq!(flat_size(text.as_bytes(), "data_size"), None, "{text}");
    }
    assert_eq!(
        flat_size(b"{\"a\": \"\xff\", \"data_size\": 1}", "data_size"),
        None
    );
    assert_eq!(
        flat_size(b"{\"a\": \"\xc3\", \"data_size\": 1}", "data_size"),
        None
    );
}
