//! The `Netstring` framing (`<decimal length>:<payload>,`) through every
//! API: vectors, every split, exact errors (digits, leading zeros, the
//! comma, limits refused while the digits arrive), the O(n) scan,
//! writers, datagrams, and property tests against the fuzz targets' model
//! decoder (fuzz/src/framing_models.rs). Every decoding API is driven by
//! the test kit, `sockframe::testing`.
#![cfg(feature = "testing")]

#[path = "framing_checks/mod.rs"]
mod framing_checks;
// The model decoders are the fuzz targets' (one copy); the other framings'
// models are unused here.
#[allow(dead_code)]
#[path = "../fuzz/src/framing_models.rs"]
mod framing_models;

use std::num::NonZeroUsize;

use framing_checks::{
    check_datagrams, check_resumes, check_stream, check_writers, decoded, fails_after, frames,
    property_config, Outcome,
};
use proptest::prelude::*;
use sockframe::framing::netstring::Netstring;
use sockframe::io::{frame_error, FrameReader};
use sockframe::testing::{self, ScriptedReader, Split};
use sockframe::{Decoder, Encode, Error, Event, FrameBuffer, Framing, Limits, Needed, Status};

fn netstring(payload: &[u8]) -> Vec<u8> {
    [format!("{}:", payload.len()).as_bytes(), payload, b","].concat()
}

fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(37) ^ seed)
        .collect()
}

fn exact(n: usize) -> Needed {
    Needed::Exact(NonZeroUsize::new(n).unwrap())
}

fn at_least(n: usize) -> Needed {
    Needed::AtLeast(NonZeroUsize::new(n).unwrap())
}

/// Both payload limits at `limit`, so that every API refuses alike.
fn both_limits(limit: u64) -> Limits {
    Limits::new().max_frame(limit).max_streamed_body(limit)
}

/// The error, asserting it is an `InvalidHeader` at `offset` whose reason
/// says `why`.
#[track_caller]
fn assert_invalid(error: &Error, offset: u64, why: &str) {
    match error {
        Error::InvalidHeader { offset: at, reason } => {
            assert_eq!(*at, offset, "{error}");
            assert!(reason.contains(why), "{error}");
        }
        other => panic!("expected InvalidHeader at {offset}, got {other:?}"),
    }
}

/// The error decoding `stream` whole ends with.
fn error_of(stream: &[u8], limits: Limits) -> Error {
    decoded(&Netstring::new(), limits, stream).1.unwrap_err()
}

#[test]
fn encoder_writes_djbs_vectors() {
    let netstring = Netstring::new();
    assert_eq!(
        netstring.encode_to_vec(b"hello world!").unwrap(),
        b"12:hello world!,"
    );
    assert_eq!(netstring.encode_to_vec(b"").unwrap(), b"0:,");
    assert_eq!(netstring.trailer(), b",");
    for len in [0usize, 9, 10, 99, 100, 999, 1000, 9999, 10_000, 123_456_789] {
        let header = netstring.encode_header(len).unwrap();
        assert_eq!(header.as_bytes(), format!("{len}:").as_bytes());
        assert_eq!(Netstring::header_len(len as u64), header.len());
    }
    assert_eq!(
        netstring.encode_header(usize::MAX).unwrap().as_bytes(),
        format!("{}:", usize::MAX).as_bytes()
    );
}

#[test]
fn vectors_through_every_api_and_every_split() {
    let payloads = vec![
        b"hello world!".to_vec(),
        Vec::new(),
        b",:0".to_vec(), // The framing's own bytes inside a payload.
        payload(9, 1),
        payload(10, 2),
        payload(100, 3),
        payload(250, 4),
    ];
    let stream: Vec<u8> = payloads.iter().flat_map(|p| netstring(p)).collect();
    assert_eq!(&stream[..19], b"12:hello world!,0:,");
    check_stream(&Netstring::new(), Limits::new(), &stream, &payloads, Ok(()));
}

#[test]
fn the_comma_is_checked_where_it_stands() {
    let stream = b"2:hi,5:hello;".to_vec();
    let error = error_of(&stream, Limits::new());
    assert_invalid(&error, 12, "expected ','");
    assert_eq!(
        error.to_string(),
        "invalid header at offset 12: expected ',' after the netstring's payload, found ';' (0x3b)"
    );
    check_stream(
        &Netstring::new(),
        Limits::new(),
        &stream,
        &[b"hi".to_vec()],
        Err(error),
    );
    assert_eq!(fails_after(&Netstring::new(), Limits::new(), &stream).0, 13);
    // A payload one byte longer than announced puts its last byte there.
    assert_invalid(&error_of(b"3:abcd,", Limits::new()), 5, "found 'd'");
    assert_invalid(
        &error_of(b"0:\x00", Limits::new()),
        2,
        "found '\\x00' (0x00)",
    );
}

#[test]
fn leading_zeros_are_refused_at_the_second_digit() {
    for (stream, offset) in [(&b"00:"[..], 1), (b"01:x,", 1), (b"0:,007:", 4)] {
        let error = error_of(stream, Limits::new());
        assert_invalid(&error, offset, "leading zero");
        let before: &[Vec<u8>] = if offset == 4 { &[Vec::new()] } else { &[] };
        check_stream(&Netstring::new(), Limits::new(), stream, before, Err(error));
        assert_eq!(
            fails_after(&Netstring::new(), Limits::new(), stream).0,
            offset as usize + 1
        );
    }
}

#[test]
fn an_empty_length_is_refused_at_its_colon() {
    let error = error_of(b"1:a,:", Limits::new());
    assert_invalid(&error, 4, "empty netstring length");
    check_stream(
        &Netstring::new(),
        Limits::new(),
        b"1:a,:",
        &[b"a".to_vec()],
        Err(error),
    );
}

#[test]
fn a_byte_that_is_neither_digit_nor_colon_is_named() {
    for (stream, offset, byte) in [
        (&b"x"[..], 0, b'x'),
        (b"+5:hello,", 0, b'+'),
        (b" 5:hello,", 0, b' '),
        (b"5 :hello,", 1, b' '),
        (b"5x", 1, b'x'),
        (b"-1:", 0, b'-'),
        (b"1:a,2;", 5, b';'),
        (b"12\xff", 2, 0xFF),
    ] {
        let error = Error::InvalidDigit { offset, byte };
        assert_eq!(error_of(stream, Limits::new()), error, "{stream:?}");
        let before: &[Vec<u8>] = if offset == 5 { &[b"a".to_vec()] } else { &[] };
        check_stream(&Netstring::new(), Limits::new(), stream, before, Err(error));
    }
}

#[test]
fn a_length_over_the_limits_is_refused_as_its_digits_arrive() {
    // Both limits at 100: `1000` is refused at its fourth digit, with the
    // frame's offset and the digits so far.
    let limits = both_limits(100);
    let stream = b"3:abc,1000:".to_vec();
    let error = Error::FrameTooLong {
        offset: 6,
        length: 1000,
        limit: 100,
    };
    assert_eq!(
        fails_after(&Netstring::new(), limits, &stream),
        (10, error.clone())
    );
    check_stream(
        &Netstring::new(),
        limits,
        &stream[..10],
        &[b"abc".to_vec()],
        Err(error),
    );
    // `100` is within them.
    let hundred = netstring(&payload(100, 7));
    check_stream(
        &Netstring::new(),
        limits,
        &hundred,
        &[payload(100, 7)],
        Ok(()),
    );

    // Only `max_frame` at 100: the framing cannot tell which API runs, so
    // it waits for the `:`, then `decode` refuses and `decode_event`
    // streams the body.
    let limits = Limits::new().max_frame(100);
    let (fed, error) = fails_after(&Netstring::new(), limits, &stream);
    assert_eq!(
        (fed, error),
        (
            11,
            Error::FrameTooLong {
                offset: 6,
                length: 1000,
                limit: 100
            }
        )
    );
    let mut decoder = Decoder::with_limits(Netstring::new(), limits);
    assert!(matches!(
        decoder.decode_event(b"1000:"),
        Ok(Status::Complete((Event::Header { body_len: 1000, .. }, 5)))
    ));

    // The default limits: 8 MiB held, 1 TiB streamed; 13 digits at most.
    let (fed, error) = fails_after(&Netstring::new(), Limits::new(), b"9223372036854775808:");
    assert_eq!(
        (fed, error),
        (
            13,
            Error::FrameTooLong {
                offset: 0,
                length: 9_223_372_036_854,
                limit: Limits::DEFAULT_MAX_STREAMED_BODY
            }
        )
    );
}

#[test]
fn a_length_over_64_bits_is_refused_at_the_digit_that_overflows() {
    let everything = both_limits(u64::MAX);
    let error = error_of(b"18446744073709551616:", everything);
    assert_invalid(&error, 19, "over 64 bits");
    let error = error_of(b"99999999999999999999999", everything);
    assert_invalid(&error, 19, "over 64 bits");
    assert_eq!(Netstring::new().max_header_len(&everything), 21);
    // `u64::MAX` itself is a length, more than memory can hold.
    let mut decoder = Decoder::with_limits(Netstring::new(), everything);
    assert_eq!(
        decoder.decode(b"18446744073709551615:"),
        Err(Error::FrameTooLong {
            offset: 0,
            length: u64::MAX,
            limit: usize::MAX as u64
        })
    );
}

#[test]
fn a_2_pow_63_length_is_only_announced_never_allocated() {
    let stream = b"9223372036854775808:first bytes".to_vec();
    // Under limits that allow it, the stream ending is `UnexpectedEof` with
    // the exact count (payload and comma), and memory follows the bytes
    // that arrived.
    let everything = both_limits(u64::MAX);
    let one_byte = Split::bytewise();
    let source = ScriptedReader::new(&stream, &one_byte);
    let mut reader = FrameReader::with_limits(source, Netstring::new(), everything);
    let error = reader.read_frame().map(|_| ()).unwrap_err();
    let error = frame_error(&error).expect("a sockframe error").clone();
    let total = 20 + (1usize << 63) + 1;
    assert_eq!(
        error,
        Error::UnexpectedEof {
            offset: stream.len() as u64,
            needed: exact(total - stream.len())
        }
    );
    assert!(reader.buffer().capacity() <= 1 << 17);
    let mut buffer = FrameBuffer::new(Decoder::with_limits(Netstring::new(), everything));
    buffer.push(&stream);
    assert!(buffer.next_frame().unwrap().is_none());
    assert!(buffer.capacity() <= 1 << 17);
}

#[test]
fn a_header_longer_than_max_header_is_refused() {
    let limits = Limits::new().max_header(3);
    let mut decoder = Decoder::with_limits(Netstring::new(), limits);
    assert!(decoder.decode(b"10:0123456789,").is_ok());
    let mut decoder = Decoder::with_limits(Netstring::new(), limits);
    assert_eq!(
        decoder.decode(b"100"),
        Err(Error::HeaderTooLong {
            offset: 0,
            length: 4,
            limit: 3
        })
    );
}

#[test]
fn truncation_counts_the_payload_and_the_comma() {
    for (stream, offset, needed) in [
        (&b"2:hi,5:hel"[..], 10, exact(3)),
        (b"2:hi,5:hello", 12, exact(1)),
        (b"2:hi,5:", 7, exact(6)),
        (b"2:hi,12", 7, at_least(1)),
    ] {
        check_stream(
            &Netstring::new(),
            Limits::new(),
            stream,
            &[b"hi".to_vec()],
            Err(Error::UnexpectedEof { offset, needed }),
        );
    }
}

#[test]
fn a_20000_byte_payload_through_every_api() {
    let payloads = vec![payload(20_000, 5), b"between".to_vec(), payload(20_000, 6)];
    let stream: Vec<u8> = payloads.iter().flat_map(|p| netstring(p)).collect();
    assert_eq!(&stream[..6], b"20000:");
    check_stream(&Netstring::new(), Limits::new(), &stream, &payloads, Ok(()));
}

#[test]
fn one_byte_at_a_time_examines_each_header_byte_once() {
    let mut stream = Vec::new();
    for len in [0, 1, 9, 10, 99, 100, 1000, 20_000] {
        stream.extend(netstring(&payload(len, len as u8)));
    }
    let everything = both_limits(u64::MAX);
    for limits in [Limits::new(), everything] {
        let calls = check_resumes(&Netstring::new(), b'x', limits, &stream);
        assert!(calls <= stream.len() + 10, "{calls}");
    }
    // Errors found on resumed scans too: a leading zero, a bad digit, the
    // limit, 64 bits.
    for bad in [&b"01:"[..], b"12x", b"1000000000000000000000", b"123:abc;"] {
        let stream = [&stream[..], bad].concat();
        check_resumes(&Netstring::new(), b'x', both_limits(10_000_000), &stream);
        check_resumes(&Netstring::new(), b'x', everything, &stream);
    }
}

#[test]
fn writers_send_header_payload_and_comma_in_one_vectored_write() {
    let payloads = vec![
        b"hello".to_vec(),
        Vec::new(),
        payload(128, 7),
        payload(20_000, 8),
    ];
    check_writers(&Netstring::new(), &payloads);
}

#[test]
fn datagrams_carry_one_frame_each() {
    let payloads = vec![
        b"hello".to_vec(),
        Vec::new(),
        payload(300, 9),
        payload(20_000, 1),
    ];
    check_datagrams(&Netstring::new(), &payloads);
}

/// The model decoder, fuzz/src/framing_models.rs (the fuzz target's own),
/// with `limit` on payloads (both limits): the payloads, then `Ok` or the
/// error, `InvalidHeader` reasons in the model's words.
fn model(stream: &[u8], limit: u64) -> Outcome {
    let outcome =
        framing_models::netstring_model(&both_limits(limit), stream, framing_models::Api::Whole);
    let payloads = outcome
        .frames
        .into_iter()
        .map(|frame| frame.payload)
        .collect();
    let end = outcome.end.map_err(|want| match want {
        framing_models::Want::Exactly(error) => error,
        other => panic!("the model expects {other:?}: not under the default max_header"),
    });
    (payloads, end)
}

/// The outcome with `InvalidHeader` reasons cut to the model's words.
fn comparable((payloads, end): Outcome) -> Outcome {
    let end = end.map_err(|e| match e {
        Error::InvalidHeader { offset, reason } => {
            let word = ["empty", "leading zero", "over 64 bits", "expected ','"]
                .into_iter()
                .find(|word| reason.contains(word))
                .unwrap_or("?");
            Error::invalid_header(offset, word)
        }
        other => other,
    });
    (payloads, end)
}

/// A stream of pieces: whole netstrings, and bytes that look like parts of
/// them (digits, colons, commas, zeros) or are anything at all.
fn stream_strategy() -> impl Strategy<Value = Vec<u8>> {
    let frame = prop::collection::vec(any::<u8>(), 0..200).prop_map(|p| netstring(&p));
    let near_miss = prop::collection::vec(
        prop_oneof![
            4 => b'0'..=b'9',
            1 => Just(b':'),
            1 => Just(b','),
            1 => any::<u8>(),
        ],
        1..24,
    );
    let junk = prop::collection::vec(any::<u8>(), 1..8);
    prop::collection::vec(prop_oneof![4 => frame, 2 => near_miss, 1 => junk], 0..8)
        .prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(property_config(256, "proptest-regressions/netstring.txt"))]

    #[test]
    fn round_trip_under_random_splits(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..8),
        cuts in prop::collection::vec(0usize..3000, 0..6),
    ) {
        let stream: Vec<u8> = payloads
            .iter()
            .flat_map(|p| Netstring::new().encode_to_vec(p).unwrap())
            .collect();
        // Every API cut as `cuts` say, and one byte at a time.
        for split in [Split::at(&cuts), Split::bytewise()] {
            testing::check_stream(&Netstring::new(), Limits::new(), &stream, &frames(&payloads), Ok(()), &split);
        }
    }

    #[test]
    fn agrees_with_the_model(
        stream in stream_strategy(),
        cuts in prop::collection::vec(0usize..2000, 0..4),
        limit in prop_oneof![Just(u64::MAX), 0u64..300, Just(Limits::DEFAULT_MAX_FRAME)],
    ) {
        // Every API agrees with `Decoder::decode` over the whole stream,
        // cut as `cuts` say and one byte at a time; the model says what
        // they must all say.
        let limits = both_limits(limit);
        let want = model(&stream, limit);
        for split in [Split::at(&cuts), Split::bytewise()] {
            let decoded = testing::check_apis_agree(&Netstring::new(), limits, &stream, &split);
            let payloads = decoded.frames.into_iter().map(|f| f.payload).collect();
            prop_assert_eq!(comparable((payloads, decoded.end)), want.clone());
        }
    }

    #[test]
    fn junk_never_panics_and_every_api_agrees(
        junk in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..48),
            prop::collection::vec(prop_oneof![b'0'..=b'9', Just(b':'), Just(b',')], 0..48),
        ],
        limit in prop_oneof![Just(u64::MAX), 0u64..100],
    ) {
        // `check_stream` runs every API at every split and checks that
        // errors are sticky; the model says what they must all say.
        let limits = both_limits(limit);
        let (payloads, end) = decoded(&Netstring::new(), limits, &junk);
        prop_assert_eq!(comparable((payloads.clone(), end.clone())), model(&junk, limit));
        check_stream(&Netstring::new(), limits, &junk, &payloads, end);
    }
}
