//! framecat's length-field, varint, netstring and lines framings (issue
//! 10), run as a user would: each encodes as the library does and decodes
//! back, with its options and their defaults; options of other framings are
//! usage errors; `--max-frame` is inclusive for every framing; bad and cut
//! input prints the frames before it and nothing after. Needs the `cli`
//! feature.

#![cfg(feature = "cli")]

mod framecat_support;

use serde_json::{json, Value};
use sockframe::framing::delimited::Delimited;
use sockframe::{Ascii, Binary, Encode, Endian, Json, LengthField, Netstring, Varint};

use framecat_support::{framecat, stderr, stdout_lines};

/// Lines for `encode`, and the payloads they make.
const LINES: &[u8] = b"hello\n\xe4\xbd\xa0\xe5\xa5\xbd\n\nnot utf-8 \xff\nlast";

fn payloads() -> Vec<&'static [u8]> {
    vec![b"hello", "你好".as_bytes(), b"", b"not utf-8 \xff", b"last"]
}

fn decoded() -> Vec<Value> {
    vec![
        json!({"body": "hello"}),
        json!({"body": "你好"}),
        json!({"body": ""}),
        json!({"body_base64": "bm90IHV0Zi04IP8="}),
        json!({"body": "last"}),
    ]
}

fn wire(encoder: &impl Encode) -> Vec<u8> {
    let mut out = Vec::new();
    for p in payloads() {
        encoder.encode_into(p, &mut out).unwrap();
    }
    out
}

fn length_field(configure: impl FnOnce(&mut sockframe::LengthFieldBuilder)) -> LengthField {
    let mut builder = LengthField::builder();
    configure(&mut builder);
    builder.build().unwrap()
}

#[track_caller]
fn round_trip(args: &[&str], expected_wire: Vec<u8>) {
    let encoded = framecat(&[&["encode"], args].concat(), LINES);
    assert!(encoded.status.success(), "{args:?}: {}", stderr(&encoded));
    assert_eq!(encoded.stdout, expected_wire, "encode {args:?}");
    let output = framecat(&[&["decode"], args].concat(), &encoded.stdout);
    assert!(output.status.success(), "{args:?}: {}", stderr(&output));
    assert_eq!(stdout_lines(&output), decoded(), "decode {args:?}");
    assert_eq!(stderr(&output), "");
}

#[test]
fn each_framing_encodes_as_the_library_and_decodes_back() {
    // tokio-util's defaults: 4 bytes, big-endian, offset 0.
    round_trip(&["--framing", "length-field"], wire(&LengthField::new()));
    round_trip(
        &[
            "--framing",
            "length-field",
            "--endian",
            "little",
            "--length-field-length",
            "3",
        ],
        wire(&length_field(|b| {
            b.length_field_length(3).endian(Endian::Little);
        })),
    );
    round_trip(
        &[
            "--framing",
            "length-field",
            "--endian",
            "native",
            "--length-field-length",
            "8",
        ],
        wire(&length_field(|b| {
            b.length_field_length(8).endian(Endian::Native);
        })),
    );
    // The field counts itself: both spellings of a negative number.
    let counts_itself = wire(&length_field(|b| {
        b.length_field_length(2).length_adjustment(-2);
    }));
    assert_eq!(&counts_itself[..7], b"\x00\x07hello");
    round_trip(
        &[
            "--framing",
            "length-field",
            "--length-field-length",
            "2",
            "--length-adjustment",
            "-2",
        ],
        counts_itself.clone(),
    );
    round_trip(
        &[
            "--framing",
            "length-field",
            "--length-field-length=2",
            "--length-adjustment=-2",
        ],
        counts_itself,
    );
    // num_skip equal to the header: the default, given.
    round_trip(
        &[
            "--framing",
            "length-field",
            "--length-field-length",
            "1",
            "--num-skip",
            "1",
        ],
        wire(&length_field(|b| {
            b.length_field_length(1);
        })),
    );
    round_trip(&["--framing", "varint"], wire(&Varint::new()));
    round_trip(&["--framing", "netstring"], wire(&Netstring::new()));
    round_trip(&["--framing", "lines"], wire(&Delimited::lines()));
    round_trip(
        &["--framing", "lines", "--delimiter", "\\r\\n"],
        wire(&Delimited::crlf()),
    );
    round_trip(
        &["--framing", "lines", "--delimiter", "\\x00\\t<\\\\>"],
        wire(&Delimited::new(b"\x00\t<\\>").unwrap()),
    );
    // The library's examples, byte for byte.
    let output = framecat(&["encode", "--framing", "netstring"], b"hello\n\n");
    assert_eq!(output.stdout, b"5:hello,0:,");
    let output = framecat(
        &["encode", "--framing", "varint", "--input", "raw"],
        &[b'x'; 300],
    );
    assert_eq!(&output.stdout[..2], b"\xac\x02");
}

#[test]
fn length_field_decodes_any_layout_and_encodes_only_the_field() {
    // netty's example: 2 header bytes, a 3-byte length, the header dropped.
    let wire = b"\xCA\xFE\x00\x00\x0CHELLO, WORLD";
    let args = [
        "--framing",
        "length-field",
        "--length-field-offset",
        "2",
        "--length-field-length",
        "3",
        "--num-skip",
        "5",
    ];
    let output = framecat(&[&["decode"], &args[..]].concat(), wire);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(stdout_lines(&output), [json!({"body": "HELLO, WORLD"})]);
    // The same, with the whole frame as the payload.
    let output = framecat(
        &[
            "decode",
            "--framing",
            "length-field",
            "--length-field-offset",
            "2",
            "--length-field-length",
            "3",
            "--length-adjustment",
            "5",
            "--num-skip",
            "0",
            "--output",
            "raw",
        ],
        wire,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, wire);
    // transcode reads it: the options go to the side that takes them.
    let output = framecat(
        &[
            "transcode",
            "--from",
            "length-field",
            "--to",
            "ascii4",
            "--length-field-offset",
            "2",
            "--length-field-length",
            "3",
            "--num-skip",
            "5",
        ],
        wire,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, b"0012HELLO, WORLD");

    // Encoding needs header bytes framecat does not have.
    for (extra, message) in [
        (&["--length-field-offset", "2"][..], "--length-field-offset 2: framecat cannot write the 2 header bytes before the length field"),
        (&["--num-skip", "6"], "--num-skip 6: framecat cannot write the 2 header bytes after the length field"),
        (&["--num-skip", "0"], "--num-skip 0: the length field (bytes 0 to 4) would be part of the payload"),
    ] {
        for command in [&["encode"][..], &["send", "127.0.0.1:1"]] {
            let output = framecat(&[command, &["--framing", "length-field"], extra].concat(), b"hi\n");
            assert_eq!(output.status.code(), Some(2), "{extra:?}: {}", stderr(&output));
            assert!(stderr(&output).contains(message), "{extra:?}: {}", stderr(&output));
        }
        let to: Vec<String> = extra
            .iter()
            .map(|a| a.replacen("--", "--to-", 1))
            .collect();
        let to: Vec<&str> = to.iter().map(String::as_str).collect();
        let output = framecat(
            &[&["transcode", "--from", "ascii4", "--to", "length-field"], &to[..]].concat(),
            b"",
        );
        assert_eq!(output.status.code(), Some(2), "{to:?}: {}", stderr(&output));
        assert!(stderr(&output).contains("--to-"), "{}", stderr(&output));
    }
}

#[test]
fn options_of_other_framings_are_usage_errors() {
    let cases: &[(&[&str], &str)] = &[
        (&["--framing", "varint", "--endian", "big"], "--endian does not apply to --framing varint: it is an option of struct, json and length-field"),
        (&["--framing", "netstring", "--delimiter", "x"], "--delimiter does not apply to --framing netstring: it is an option of lines"),
        (&["--framing", "lines", "--num-skip", "4"], "--num-skip does not apply to --framing lines: it is an option of length-field"),
        (&["--framing", "length-field", "--struct-format", "!I"], "--struct-format does not apply to --framing length-field: it is an option of struct and json"),
        (&["--framing", "length-field", "--digits", "4"], "--digits does not apply to --framing length-field"),
        (&["--framing", "struct", "--length-field-length", "2"], "--length-field-length does not apply to --framing struct"),
        (&["--framing", "ascii4", "--length-field-offset", "1"], "--length-field-offset does not apply to --framing ascii4"),
        (&["--framing", "json", "--length-adjustment=-4"], "--length-adjustment does not apply to --framing json"),
        (&["--framing", "length-field", "--length-field-length", "0"], "0 is not in 1..=8"),
        (&["--framing", "length-field", "--length-field-length", "9"], "9 is not in 1..=8"),
        (&["--framing", "length-field", "--length-adjustment", "x"], "invalid value 'x'"),
        (&["--framing", "lines", "--delimiter", ""], "the delimiter must not be empty"),
        (&["--framing", "lines", "--delimiter="], "the delimiter must not be empty"),
        (&["--framing", "lines", "--delimiter", "\\q"], "unknown escape \\q"),
        (&["--framing", "lines", "--delimiter", "\\x4"], "needs two hex digits"),
        (&["--framing", "lines", "--delimiter", "0123456789abcdefg"], "--delimiter: 17 bytes, over the maximum of 16"),
    ];
    for (args, message) in cases {
        for command in ["encode", "decode"] {
            let output = framecat(&[&[command], *args].concat(), b"");
            assert_eq!(
                output.status.code(),
                Some(2),
                "{command} {args:?}: {}",
                stderr(&output)
            );
            assert!(
                stderr(&output).contains(message),
                "{command} {args:?}: {}",
                stderr(&output)
            );
        }
    }
    // A delimiter that starts with a dash is a value.
    let output = framecat(
        &["encode", "--framing", "lines", "--delimiter", "--"],
        b"a\n",
    );
    assert_eq!(output.stdout, b"a--");
}

/// One frame of `len` bytes, in each framing, at and over the limit.
#[test]
fn max_frame_is_inclusive_for_every_framing() {
    type Encoder = Box<dyn Fn(&[u8]) -> Vec<u8>>;
    let framings: [(&[&str], Encoder); 7] = [
        (
            &["--framing", "ascii4"],
            Box::new(|p| Ascii::new().encode_to_vec(p).unwrap()),
        ),
        (
            &["--framing", "struct"],
            Box::new(|p| Binary::default().encode_to_vec(p).unwrap()),
        ),
        (
            &["--framing", "json"],
            Box::new(|p| Json::new().encode_to_vec(p).unwrap()),
        ),
        (
            &["--framing", "length-field"],
            Box::new(|p| LengthField::new().encode_to_vec(p).unwrap()),
        ),
        (
            &["--framing", "varint"],
            Box::new(|p| Varint::new().encode_to_vec(p).unwrap()),
        ),
        (
            &["--framing", "netstring"],
            Box::new(|p| Netstring::new().encode_to_vec(p).unwrap()),
        ),
        (
            &["--framing", "lines"],
            Box::new(|p| Delimited::lines().encode_to_vec(p).unwrap()),
        ),
    ];
    for (args, encode) in &framings {
        let at = encode(&[b'a'; 100]);
        let over = encode(&[b'a'; 101]);
        for command in [&["decode"][..], &["decode", "--count"]] {
            let base = [command, *args, &["--max-frame", "100"]].concat();
            let output = framecat(&base, &at);
            assert!(output.status.success(), "{base:?}: {}", stderr(&output));
            let output = framecat(&base, &over);
            assert_eq!(output.status.code(), Some(1), "{base:?}");
            assert!(
                stderr(&output).contains("over the limit of 100"),
                "{base:?}: {}",
                stderr(&output)
            );
        }
        let lines = [&b"a"[..]; 100].concat();
        let output = framecat(
            &[&["encode"], *args, &["--max-frame", "100"]].concat(),
            &[&lines[..], b"\n"].concat(),
        );
        assert!(output.status.success(), "{args:?}: {}", stderr(&output));
        let output = framecat(
            &[&["encode"], *args, &["--max-frame", "100"]].concat(),
            &[&lines[..], b"a\n"].concat(),
        );
        assert_eq!(output.status.code(), Some(1), "{args:?}");
    }
    // The default is 8 MiB.
    let limit = 8 * 1024 * 1024;
    let output = framecat(
        &["decode", "--framing", "length-field", "--count"],
        &LengthField::new().encode_to_vec(&vec![0; limit]).unwrap(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let output = framecat(
        &["decode", "--framing", "varint", "--count"],
        &Varint::new().encode_to_vec(&vec![0; limit + 1]).unwrap(),
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("announces 8388609 bytes, over the limit of 8388608"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn bad_and_cut_input_prints_the_frames_before_and_nothing_after() {
    // Arguments, input, the payloads printed, the error.
    type Case<'a> = (&'a [&'a str], &'a [u8], &'a [&'a str], &'a str);
    let cases: &[Case] = &[
        (
            &["--framing", "length-field"],
            b"\0\0\0\x02hi\0\0\0\x05abc",
            &["hi"],
            "stream ended at offset 13",
        ),
        (
            &[
                "--framing",
                "length-field",
                "--length-field-length",
                "1",
                "--length-adjustment=-2",
            ],
            b"\x04hi\x01",
            &["hi"],
            "negative length",
        ),
        (
            &["--framing", "varint"],
            b"\x02hi\xff\xff\xff\xff\xff\xff\xff\xff\xff\x7f",
            &["hi"],
            "at offset 12: varint over 64 bits",
        ),
        (
            &["--framing", "varint"],
            b"\x02hi\x80\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01",
            &["hi"],
            "overlong varint",
        ),
        (
            &["--framing", "varint"],
            b"\x02hi\x05ab",
            &["hi"],
            "3 more bytes",
        ),
        (
            &["--framing", "netstring"],
            b"2:hi,02:hi,",
            &["hi"],
            "at offset 6: leading zero",
        ),
        (
            &["--framing", "netstring"],
            b"2:hi,2:hi;",
            &["hi"],
            "at offset 9",
        ),
        (
            &["--framing", "netstring"],
            b"2:hi,x:",
            &["hi"],
            "at offset 5",
        ),
        (
            &["--framing", "lines"],
            b"one\ntwo",
            &["one"],
            "stream ended at offset 7",
        ),
        (
            &["--framing", "lines", "--delimiter", "\\r\\n"],
            b"one\r\ntwo\r",
            &["one"],
            "stream ended at offset 9",
        ),
    ];
    for (args, input, frames, message) in cases {
        let output = framecat(&[&["decode"], *args].concat(), input);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?}: {}",
            stderr(&output)
        );
        let expected: Vec<Value> = frames.iter().map(|b| json!({"body": b})).collect();
        assert_eq!(stdout_lines(&output), expected, "{args:?}");
        assert!(
            stderr(&output).contains(message),
            "{args:?}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn lines_strip_only_the_delimiter_and_refuse_payloads_holding_it() {
    let output = framecat(&["decode", "--framing", "lines"], b"a\r\n\n b \n");
    assert_eq!(
        stdout_lines(&output),
        [
            json!({"body": "a\r"}),
            json!({"body": ""}),
            json!({"body": " b "})
        ]
    );
    // encode splits stdin at \n; a line holding --delimiter is refused,
    // after the frames before it.
    let output = framecat(
        &["encode", "--framing", "lines", "--delimiter", ";"],
        b"one\ntwo;three\nfour\n",
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"one;");
    assert!(
        stderr(&output)
            .contains("line 2: cannot encode: the payload holds the delimiter b\";\" at byte 3"),
        "{}",
        stderr(&output)
    );
    // So is a payload whose end and the delimiter make the delimiter:
    // "xab" + "aba" would read back as "x".
    let output = framecat(
        &["encode", "--framing", "lines", "--delimiter", "aba"],
        b"xab\n",
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // transcode to lines: the same.
    let input = Varint::new().encode_to_vec(b"ok").unwrap();
    let mut two = input.clone();
    two.extend_from_slice(&Varint::new().encode_to_vec(b"x\ny").unwrap());
    let output = framecat(&["transcode", "--from", "varint", "--to", "lines"], &two);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(output.stdout, b"ok\n");
    assert!(
        stderr(&output).contains("frame 2: the output framing refused it"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn transcode_between_the_new_framings() {
    let varint = wire(&Varint::new());
    let output = framecat(
        &["transcode", "--from", "varint", "--to", "netstring"],
        &varint,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, wire(&Netstring::new()));
    let output = framecat(
        &[
            "transcode",
            "--from",
            "netstring",
            "--to",
            "length-field",
            "--to-endian",
            "little",
            "--length-field-length",
            "2",
        ],
        &output.stdout,
    );
    assert!(output.status.success(), "{}", stderr(&output));
    let little = length_field(|b| {
        b.length_field_length(2).endian(Endian::Little);
    });
    assert_eq!(output.stdout, wire(&little));
    // --endian for length-field and struct alike, each its default
    // otherwise: length-field big, struct little.
    let output = framecat(
        &["transcode", "--from", "length-field", "--to", "struct"],
        &wire(&LengthField::new()),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(output.stdout, wire(&Binary::default()));
    // A large payload into lines is held whole, up to --max-frame.
    let big = vec![b'z'; 3_000_000];
    let output = framecat(
        &["transcode", "--from", "varint", "--to", "lines"],
        &Varint::new().encode_to_vec(&big).unwrap(),
    );
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(output.stdout == [&big[..], b"\n"].concat());
}

#[test]
fn serve_echoes_a_layout_it_could_not_encode() {
    use std::io::{Read, Write};
    use std::time::Duration;

    // serve only decodes: any length-field layout will do.
    let mut server = framecat_support::Background::framecat(&[
        "serve",
        "--listen",
        "127.0.0.1:0",
        "--framing",
        "length-field",
        "--length-field-offset",
        "2",
        "--length-field-length",
        "3",
        "--num-skip",
        "5",
    ]);
    let addr = server.listening_addr();
    let mut client = std::net::TcpStream::connect(addr).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let frame = b"\xCA\xFE\x00\x00\x0CHELLO, WORLD";
    client.write_all(frame).unwrap();
    let mut echo = [0u8; 17];
    client.read_exact(&mut echo).unwrap();
    assert_eq!(&echo, frame);
    drop(client);
    server.wait_for("closed after 1 frame");
}
