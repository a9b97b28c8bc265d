//! Every error the core reports, with its numbers; stickiness; end of stream.
#![cfg(feature = "testing")]

mod common;

use common::all_apis;
use serde::Deserialize;
use sockframe::testing::Split;
use sockframe::{
    Ascii, Binary, Decoder, Encode, Error, FrameBuffer, Json, JsonKind, JsonStyle, Limits, Needed,
    OwnedFrame, Status,
};

fn json_frame(header: &[u8], body: &[u8]) -> Vec<u8> {
    let mut wire = (header.len() as i32).to_le_bytes().to_vec();
    wire.extend_from_slice(header);
    wire.extend_from_slice(body);
    wire
}

fn json_error(header: &[u8]) -> Error {
    let mut decoder = Decoder::new(Json::new());
    match decoder.decode(&json_frame(header, b"")) {
        Err(e) => e,
        other => panic!(
            "{:?}: expected an error, got {other:?}",
            String::from_utf8_lossy(header)
        ),
    }
}

macro_rules! json_errors {
    ($($header:expr => $error:expr),* $(,)?) => {$(
        assert_eq!(json_error($header), $error, "header {:?}", String::from_utf8_lossy($header));
    )*};
}

#[test]
fn json_header_errors_name_what_and_where() {
    // The JSON text starts at stream offset 4.
    json_errors! {
        br#"{"data_size": 5.0}"# => Error::SizeNotInteger { offset: 4, found: JsonKind::Float },
        br#"{"data_size": 1e3}"# => Error::SizeNotInteger { offset: 4, found: JsonKind::Float },
        br#"{"data_size": "5"}"# => Error::SizeNotInteger { offset: 4, found: JsonKind::String },
        br#"{"data_size": null}"# => Error::SizeNotInteger { offset: 4, found: JsonKind::Null },
        br#"{"data_size": true}"# => Error::SizeNotInteger { offset: 4, found: JsonKind::Bool },
        br#"{"data_size": [5]}"# => Error::SizeNotInteger { offset: 4, found: JsonKind::Array },
        br#"{"data_size": {"n": 5}}"# => Error::SizeNotInteger { offset: 4, found: JsonKind::Object },
        br#"{"data_size": -3}"# => Error::NegativeLength { offset: 0, length: -3 },
        br#"{"data_size": 99999999999999999999999}"# =>
            Error::FrameTooLong { offset: 0, length: u64::MAX, limit: Limits::DEFAULT_MAX_FRAME },
        br#"{"data_size": 8388609}"# =>
            Error::FrameTooLong { offset: 0, length: 8_388_609, limit: Limits::DEFAULT_MAX_FRAME },
        br#"{"file_size": 5}"# => Error::MissingSizeKey { offset: 4, key: "data_size".into() },
        br#"{}"# => Error::MissingSizeKey { offset: 4, key: "data_size".into() },
        br#"[5]"# => Error::HeaderNotObject { offset: 4, found: JsonKind::Array },
        br#"5"# => Error::HeaderNotObject { offset: 4, found: JsonKind::Integer },
        br#""data_size""# => Error::HeaderNotObject { offset: 4, found: JsonKind::String },
        br#"null"# => Error::HeaderNotObject { offset: 4, found: JsonKind::Null },
        b"{\"a\": \"\xff\"}" => Error::HeaderNotUtf8 { offset: 11 },
        br#"{"a" 1}"# => Error::HeaderNotJson { offset: 9 },
        br#"{"data_size": 5} x"# => Error::HeaderNotJson { offset: 21 },
        br#"{"data_size": 5"# => Error::HeaderNotJson { offset: 19 },
        b"" => Error::HeaderNotJson { offset: 4 },
        br#"{'data_size': 5}"# => Error::HeaderNotJson { offset: 5 },
    }
}

#[test]
fn json_size_key_last_wins_like_python() {
    let wire = json_frame(br#"{"data_size": 9, "data_size": 2}"#, b"ok");
    let (frames, end) = all_apis(&Json::new(), Limits::new(), &wire, &Split::whole());
    assert_eq!(end, Ok(()));
    assert_eq!(frames[0].payload, b"ok");
}

#[test]
fn json_header_limit_checked_before_reading_it() {
    let limits = Limits::new().max_header(16);
    let mut decoder = Decoder::with_limits(Json::new(), limits);
    assert_eq!(
        decoder.decode(&17i32.to_le_bytes()),
        Err(Error::HeaderTooLong {
            offset: 0,
            length: 17,
            limit: 16
        })
    );
    let mut decoder = Decoder::with_limits(Json::new(), limits);
    assert_eq!(
        decoder.decode(&(-1i32).to_le_bytes()),
        Err(Error::NegativeLength {
            offset: 0,
            length: -1
        })
    );
    let wire = Json::new().encode_to_vec(b"x").unwrap();
    assert_eq!(wire.len() - 5, 16);
    let (frames, end) = all_apis(&Json::new(), limits, &wire, &Split::whole());
    assert_eq!((frames.len(), end), (1, Ok(())));
}

#[test]
fn frame_limit_is_inclusive() {
    // The same limit for frames held whole and bodies streamed, so that
    // every API refuses the same frame.
    let limits = Limits::new().max_frame(5).max_streamed_body(5);
    let ok = Binary::default().encode_to_vec(b"hello").unwrap();
    let (frames, end) = all_apis(&Binary::default(), limits, &ok, &Split::whole());
    assert_eq!((frames.len(), end), (1, Ok(())));
    let too_long = Binary::default().encode_to_vec(b"hello!").unwrap();
    let stream = [&ok[..], &too_long].concat();
    let (frames, end) = all_apis(&Binary::default(), limits, &stream, &Split::at(&[ok.len()]));
    assert_eq!(frames.len(), 1, "the frame before the error is delivered");
    assert_eq!(
        end,
        Err(Error::FrameTooLong {
            offset: 9,
            length: 6,
            limit: 5
        })
    );
}

#[test]
fn errors_are_sticky_until_reset() {
    let mut decoder = Decoder::new(Ascii::new());
    let first = decoder.decode(b"0005hello00x").unwrap();
    assert!(matches!(first, Status::Complete((_, 9))));
    let error = Error::InvalidDigit {
        offset: 11,
        byte: b'x',
    };
    assert_eq!(decoder.decode(b"00x"), Err(error.clone()));
    // Good bytes afterwards do not resynchronise it.
    assert_eq!(decoder.decode(b"0001a"), Err(error.clone()));
    assert_eq!(decoder.decode_event(b"0001a"), Err(error.clone()));
    assert_eq!(decoder.finish(b""), Err(error.clone()));
    assert_eq!(decoder.error(), Some(&error));
    decoder.reset();
    assert!(matches!(
        decoder.decode(b"0001a").unwrap(),
        Status::Complete((_, 5))
    ));
}

#[test]
fn end_of_stream_between_frames_is_clean() {
    for stream in [&b""[..], b"0000", b"0002hi0001x"] {
        let (_, end) = all_apis(&Ascii::new(), Limits::new(), stream, &Split::whole());
        assert_eq!(end, Ok(()), "{stream:?}");
    }
}

#[test]
fn end_of_stream_mid_frame_says_what_is_missing() {
    let at_least = |n: usize| Needed::AtLeast(n.try_into().unwrap());
    let exact = |n: usize| Needed::Exact(n.try_into().unwrap());
    let cases: &[(&[u8], u64, Needed)] = &[
        (b"0002hi00", 8, at_least(2)),
        (b"0002hi0005he", 12, exact(3)),
        (b"0005", 4, exact(5)),
    ];
    for &(stream, offset, needed) in cases {
        // Whatever the split, the same verdict.
        for cut in 0..=stream.len() {
            let (_, end) = all_apis(&Ascii::new(), Limits::new(), stream, &Split::at(&[cut]));
            assert_eq!(
                end,
                Err(Error::UnexpectedEof { offset, needed }),
                "{stream:?} cut at {cut}"
            );
        }
    }
    // JSON: inside the prefix, inside the header, inside the body.
    let wire = Json::new().encode_to_vec(b"hello").unwrap();
    for (len, needed) in [(3, at_least(1)), (10, at_least(10)), (22, exact(3))] {
        let (_, end) = all_apis(&Json::new(), Limits::new(), &wire[..len], &Split::whole());
        assert_eq!(
            end,
            Err(Error::UnexpectedEof {
                offset: len as u64,
                needed
            }),
            "prefix of {len}"
        );
    }
}

#[test]
fn finish_with_an_unread_frame_is_a_caller_error() {
    let mut decoder = Decoder::new(Ascii::new());
    assert_eq!(
        decoder.finish(b"0001x"),
        Err(Error::UnreadFrame { offset: 0 })
    );
}

#[test]
fn whole_frame_decode_during_a_streamed_body_is_refused() {
    let mut decoder = Decoder::new(Ascii::new());
    let Status::Complete((_, used)) = decoder.decode_event(b"0005he").unwrap() else {
        panic!()
    };
    assert_eq!(used, 4);
    assert_eq!(decoder.body_remaining(), Some(5));
    assert_eq!(
        decoder.decode(b"llo"),
        Err(Error::BodyInProgress { remaining: 5 })
    );
    // Not sticky: it was a misuse, not bad input.
    assert!(decoder.decode_event(b"he").unwrap().complete().is_some());
    assert_eq!(decoder.skip_body(10), 3);
    assert_eq!(decoder.body_remaining(), Some(0));
    assert_eq!(decoder.offset(), 9);
}

#[test]
fn typed_headers_and_header_fields() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct FileHeader {
        file_name: String,
        file_size: u64,
        md5: String,
    }
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let fields =
        serde_json::json!({"file_name": "report.pdf", "md5": "d41d8cd98f00b204e9800998ecf8427e"});
    let mut wire = Vec::new();
    json.encode_with_into(&fields, b"%PDF", &mut wire).unwrap();
    let mut buffer = FrameBuffer::new(Decoder::new(json.clone()));
    buffer.push(&wire);
    let frame = buffer.next_frame().unwrap().unwrap();
    assert_eq!(frame.payload(), b"%PDF");
    let typed: FileHeader = frame.header().deserialize().unwrap();
    assert_eq!(
        typed,
        FileHeader {
            file_name: "report.pdf".into(),
            file_size: 4,
            md5: "d41d8cd98f00b204e9800998ecf8427e".into()
        }
    );
    // The size key is appended after the caller's keys, in their order.
    assert_eq!(
        frame.header().as_str(),
        r#"{"file_name": "report.pdf", "md5": "d41d8cd98f00b204e9800998ecf8427e", "file_size": 4}"#
    );
    let owned: OwnedFrame<_> = frame.to_owned();
    assert_eq!(
        owned.header.to_map().unwrap()["md5"],
        "d41d8cd98f00b204e9800998ecf8427e"
    );
}

#[test]
fn header_fields_must_be_an_object() {
    let json = Json::new();
    assert_eq!(
        json.encode_header_with(&[1, 2], 0),
        Err(Error::HeaderFieldsNotObject {
            found: JsonKind::Array
        })
    );
    assert_eq!(
        json.encode_header_with("x", 0),
        Err(Error::HeaderFieldsNotObject {
            found: JsonKind::String
        })
    );
    let mut not_string_keys = std::collections::BTreeMap::new();
    not_string_keys.insert(vec![1u8], 1);
    assert_eq!(
        json.encode_header_with(&not_string_keys, 0),
        Err(Error::HeaderFieldsNotSerializable)
    );
}

#[test]
fn json_spelling() {
    // What Python's json.dumps({"name": "你好", "data_size": 2}) writes.
    let header = Json::new()
        .encode_header_with(&serde_json::json!({"name": "你好"}), 2)
        .unwrap();
    assert_eq!(&header[4..], br#"{"name": "\u4f60\u597d", "data_size": 2}"#);
    let compact = Json::new()
        .with_style(JsonStyle::Compact)
        .encode_header_with(&serde_json::json!({"name": "你好"}), 2)
        .unwrap();
    assert_eq!(&compact[4..], r#"{"name":"你好","data_size":2}"#.as_bytes());
    assert_eq!(&compact[..4], &(compact.len() as i32 - 4).to_le_bytes());
}

#[test]
fn json_header_too_long_for_its_prefix() {
    let json = Json::new().with_prefix(Binary::from_struct_format("b").unwrap());
    let long = "x".repeat(200);
    assert!(matches!(
        json.encode_header_with(&serde_json::json!({ "k": long }), 1),
        Err(Error::HeaderTooLong { limit: 127, .. })
    ));
}

#[test]
fn display_carries_the_numbers() {
    let cases = [
        (
            Error::InvalidDigit {
                offset: 2,
                byte: b'a',
            },
            &["offset 2", "'a'"][..],
        ),
        (
            Error::FrameTooLong {
                offset: 9,
                length: 6,
                limit: 5,
            },
            &["offset 9", "6 bytes", "limit of 5"],
        ),
        (
            Error::UnexpectedEof {
                offset: 12,
                needed: Needed::Exact(3.try_into().unwrap()),
            },
            &["offset 12", "3 more bytes"],
        ),
        (
            Error::PayloadTooLong {
                length: 10_000,
                max: 9999,
            },
            &["10000", "9999"],
        ),
        (
            Error::MissingSizeKey {
                offset: 4,
                key: "file_size".into(),
            },
            &["offset 4", "\"file_size\""],
        ),
    ];
    for (error, needles) in cases {
        let text = error.to_string();
        for needle in needles {
            assert!(text.contains(needle), "{text:?} lacks {needle:?}");
        }
    }
}

#[test]
fn finish_while_streaming_a_body() {
    let mut decoder = Decoder::new(Ascii::new());
    assert!(decoder.decode_event(b"0005").unwrap().complete().is_some());
    // Three of five body bytes held back by the caller, then the stream ends.
    assert_eq!(
        decoder.clone().finish(b"hel"),
        Err(Error::UnexpectedEof {
            offset: 7,
            needed: Needed::Exact(2.try_into().unwrap())
        })
    );
    // The whole body is there but unread: a caller error, not truncation.
    assert_eq!(
        decoder.clone().finish(b"hello"),
        Err(Error::UnreadFrame { offset: 4 })
    );
    // Body read to its last byte, End not asked for: a clean end.
    assert!(decoder.decode_event(b"hello").unwrap().complete().is_some());
    assert_eq!(decoder.clone().finish(b""), Ok(()));
    // ...unless another frame has started.
    assert_eq!(
        decoder.finish(b"00"),
        Err(Error::UnexpectedEof {
            offset: 11,
            needed: Needed::AtLeast(2.try_into().unwrap())
        })
    );
}

#[test]
fn skip_frames_returns_the_frames_before_a_bad_header_then_the_error() {
    let mut decoder = Decoder::new(sockframe::Ascii::new());
    let skipped = decoder.skip_frames(b"0001a0002bc00x1").unwrap();
    assert_eq!(
        (skipped.frames, skipped.payload_bytes, skipped.stream_bytes),
        (2, 3, 11)
    );
    let bad = Error::InvalidDigit {
        offset: 13,
        byte: b'x',
    };
    assert_eq!(decoder.skip_frames(b"00x1"), Err(bad.clone()));
    // Sticky, as for every API.
    assert_eq!(decoder.skip_frames(b"0000").unwrap_err(), bad);

    // An incomplete frame ends a batch; the next call completes it.
    let mut decoder = Decoder::new(sockframe::Binary::default());
    let skipped = decoder.skip_frames(b"\x01\0\0\0a\x03\0\0\0bc").unwrap();
    assert_eq!((skipped.frames, skipped.stream_bytes), (1, 5));
    assert_eq!(decoder.skip_frames(b"\x03\0\0\0bc").unwrap().frames, 0);
    let skipped = decoder.skip_frames(b"\x03\0\0\0bcd\x02\0\0\0").unwrap();
    assert_eq!(
        (skipped.frames, skipped.payload_bytes, skipped.stream_bytes),
        (1, 3, 7)
    );
    assert_eq!(decoder.offset(), 12);

    // Over the limit, with frames before it.
    let limits = sockframe::Limits::new().max_frame(2);
    let mut decoder = Decoder::with_limits(sockframe::Binary::default(), limits);
    assert_eq!(
        decoder
            .skip_frames(b"\x01\0\0\0a\x03\0\0\0bcd")
            .unwrap()
            .frames,
        1
    );
    assert!(matches!(
        decoder.skip_frames(b"\x03\0\0\0bcd"),
        Err(Error::FrameTooLong {
            offset: 5,
            length: 3,
            limit: 2
        })
    ));
}

#[test]
fn held_and_streamed_payloads_have_their_own_limits() {
    let limits = Limits::new().max_frame(4).max_streamed_body(6);
    let wire = Ascii::new().encode_to_vec(b"hello").unwrap();
    // Held whole: over `max_frame`.
    let mut decoder = Decoder::with_limits(Ascii::new(), limits);
    assert_eq!(
        decoder.decode(&wire).err(),
        Some(Error::FrameTooLong {
            offset: 0,
            length: 5,
            limit: 4
        })
    );
    // Skipped over the caller's bytes: held too.
    let mut decoder = Decoder::with_limits(Ascii::new(), limits);
    assert!(decoder.skip_frames(&wire).is_err());
    // Streamed: under `max_streamed_body`.
    let mut decoder = Decoder::with_limits(Ascii::new(), limits);
    assert!(matches!(
        decoder.decode_event(&wire),
        Ok(Status::Complete((
            sockframe::Event::Header { body_len: 5, .. },
            4
        )))
    ));
    // Over both.
    let long = Ascii::new().encode_to_vec(b"hello!!").unwrap();
    let mut decoder = Decoder::with_limits(Ascii::new(), limits);
    assert_eq!(
        decoder.decode_event(&long).err(),
        Some(Error::FrameTooLong {
            offset: 0,
            length: 7,
            limit: 6
        })
    );
}

#[test]
fn decode_event_with_the_header_cut_off_is_an_error_not_a_panic() {
    let mut decoder = Decoder::new(Ascii::new());
    assert!(decoder.decode(b"0005he").unwrap().is_partial());
    assert_eq!(
        decoder.decode_event(b"00").err(),
        Some(Error::InputShrank {
            offset: 0,
            expected: 4,
            got: 2
        })
    );
    // Not sticky: with the bytes back, the frame streams.
    assert!(matches!(
        decoder.decode_event(b"0005he"),
        Ok(Status::Complete((
            sockframe::Event::Header { body_len: 5, .. },
            4
        )))
    ));
}

#[test]
fn custom_framings_errors_read_as_words() {
    let bad = Error::invalid_header(12, "bad magic byte");
    assert_eq!(
        bad.to_string(),
        "invalid header at offset 12: bad magic byte"
    );
    assert_eq!(
        format!("{bad:?}"),
        "InvalidHeader: invalid header at offset 12: bad magic byte"
    );
    assert_eq!(bad.offset(), Some(12));
    let refused = Error::cannot_encode(format!("topic {:?} holds a space", "a b"));
    assert_eq!(
        refused.to_string(),
        "cannot encode: topic \"a b\" holds a space"
    );
    assert_eq!(refused.offset(), None);
}
