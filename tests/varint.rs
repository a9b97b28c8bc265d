//! The `Varint` framing (unsigned LEB128 length, protobuf's delimited
//! messages) through every API: vectors, every split, exact errors,
//! limits, the O(n) scan, writers, datagrams, and property tests against the
//! fuzz targets' model decoder (fuzz/src/framing_models.rs). Every
//! decoding API is driven by the test kit, `sockframe::testing`.
#![cfg(feature = "testing")]

#[path = "framing_checks/mod.rs"]
mod framing_checks;
// The model decoders are the fuzz targets' (one copy); the other framings'
// models are unused here.
#[allow(dead_code)]
#[path = "../fuzz/src/framing_models.rs"]
mod framing_models;

use std::num::NonZeroUsize;
use std::panic::{catch_unwind, AssertUnwindSafe};

use framing_checks::{
    check_datagrams, check_resumes, check_stream, check_writers, decoded, fails_after, frames,
    property_config, Outcome,
};
use proptest::prelude::*;
use sockframe::framing::varint::Varint;
use sockframe::io::{frame_error, FrameReader};
use sockframe::testing::{self, ScriptedReader, Split};
use sockframe::{Decoder, Encode, Error, FrameBuffer, Framing, Head, Limits, Needed, Status};

/// Unsigned LEB128, written the plain way (as protobuf's `_VarintBytes`).
fn leb128(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// A frame with the varint padded to `width` bytes (non-minimal when
/// longer than the minimal form).
fn padded_frame(payload: &[u8], width: usize) -> Vec<u8> {
    let mut varint = leb128(payload.len() as u64);
    let last = varint.len() - 1;
    if width > varint.len() {
        varint[last] |= 0x80;
        varint.resize(width - 1, 0x80);
        varint.push(0x00);
    }
    [varint, payload.to_vec()].concat()
}

fn payload(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
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

#[test]
fn encoder_writes_the_minimal_form() {
    let cases: [(u64, &[u8]); 12] = [
        (0, b"\x00"),
        (1, b"\x01"),
        (127, b"\x7f"),
        (128, b"\x80\x01"),
        (150, b"\x96\x01"),
        (300, b"\xac\x02"),
        (16_383, b"\xff\x7f"),
        (16_384, b"\x80\x80\x01"),
        (2_097_151, b"\xff\xff\x7f"),
        (u32::MAX as u64, b"\xff\xff\xff\xff\x0f"),
        (1 << 63, b"\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01"),
        (u64::MAX, b"\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01"),
    ];
    for (len, want) in cases {
        let header = Varint::new().encode_header(len as usize).unwrap();
        assert_eq!(header.as_bytes(), want, "length {len}");
        assert_eq!(Varint::header_len(len), want.len());
    }
    assert_eq!(Varint::new().trailer(), b"");
    assert_eq!(Varint::new().encode_to_vec(b"hello").unwrap(), b"\x05hello");
}

#[test]
fn vectors_through_every_api_and_every_split() {
    let payloads = vec![
        b"hello".to_vec(),
        Vec::new(),
        payload(127, 1),
        payload(128, 2),
        payload(300, 3),
        b"x".to_vec(),
    ];
    let stream: Vec<u8> = payloads
        .iter()
        .flat_map(|p| Varint::new().encode_to_vec(p).unwrap())
        .collect();
    assert_eq!(&stream[..7], b"\x05hello\x00");
    check_stream(&Varint::new(), Limits::new(), &stream, &payloads, Ok(()));
}

#[test]
fn non_minimal_forms_are_accepted_as_protobuf_does() {
    // 0 as `80 00`, 5 padded to 3 and to 10 bytes, 127 as `FF 00`.
    let payloads = vec![
        Vec::new(),
        b"hello".to_vec(),
        b"world".to_vec(),
        payload(127, 9),
    ];
    let stream = [
        &b"\x80\x00"[..],
        b"\x85\x80\x00hello",
        &padded_frame(b"world", 10),
        &padded_frame(&payloads[3], 2),
    ]
    .concat();
    assert_eq!(&padded_frame(&payloads[3], 2)[..2], b"\xff\x00");
    check_stream(&Varint::new(), Limits::new(), &stream, &payloads, Ok(()));
}

#[test]
fn a_tenth_byte_that_does_not_end_the_varint_is_overlong() {
    let mut stream = b"\x02hi".to_vec();
    stream.extend([0x80; 9]);
    stream.push(0x81); // Bit 63 and a continuation: an 11th byte would come.
    stream.extend(b"more bytes");
    let error = decoded(&Varint::new(), Limits::new(), &stream)
        .1
        .unwrap_err();
    assert_invalid(&error, 3 + 9, "overlong");
    assert_eq!(
        error.to_string(),
        "invalid header at offset 12: overlong varint: its 10th byte has the continuation \
         bit set (at most 10 bytes)"
    );
    check_stream(
        &Varint::new(),
        Limits::new(),
        &stream,
        &[b"hi".to_vec()],
        Err(error),
    );
    // Refused when the 10th byte arrives, not later.
    let (fed, _) = fails_after(&Varint::new(), Limits::new(), &stream);
    assert_eq!(fed, 13);
    // Eleven bytes or more, however they continue: the same.
    let error = decoded(&Varint::new(), Limits::new(), &[0x80; 11])
        .1
        .unwrap_err();
    assert_invalid(&error, 9, "overlong");
}

#[test]
fn a_value_over_64_bits_is_refused_at_its_tenth_byte() {
    for tenth in [0x02u8, 0x03, 0x40, 0x7F, 0x82, 0xFF] {
        let mut stream = b"\x00".to_vec();
        stream.extend([0xFF; 9]);
        stream.push(tenth);
        let error = decoded(&Varint::new(), Limits::new(), &stream)
            .1
            .unwrap_err();
        assert_invalid(&error, 1 + 9, "over 64 bits");
        check_stream(
            &Varint::new(),
            Limits::new(),
            &stream,
            &[Vec::new()],
            Err(error),
        );
        assert_eq!(fails_after(&Varint::new(), Limits::new(), &stream).0, 11);
    }
}

#[test]
fn the_largest_values_that_fit_are_refused_by_the_limits_only() {
    // 2^63 and u64::MAX: ten bytes, the tenth `01`.
    let two_63 = leb128(1 << 63);
    let max = leb128(u64::MAX);
    assert_eq!((two_63.len(), max.len()), (10, 10));
    for (varint, length) in [(&two_63, 1u64 << 63), (&max, u64::MAX)] {
        let mut decoder = Decoder::new(Varint::new());
        assert_eq!(
            decoder.decode(varint),
            Err(Error::FrameTooLong {
                offset: 0,
                length,
                limit: Limits::DEFAULT_MAX_FRAME
            })
        );
        let mut decoder = Decoder::new(Varint::new());
        assert_eq!(
            decoder.decode_event(varint),
            Err(Error::FrameTooLong {
                offset: 0,
                length,
                limit: Limits::DEFAULT_MAX_STREAMED_BODY
            })
        );
        // Under the limits the 2^63 frame is only announced: nothing is
        // reserved for it, and the stream ending is `UnexpectedEof` with
        // the exact count. `u64::MAX` bytes and a header are more than
        // memory can hold: refused at the size of memory.
        let everything = both_limits(u64::MAX);
        let stream = [varint.as_slice(), b"first bytes"].concat();
        let one_byte = Split::bytewise();
        let source = ScriptedReader::new(&stream, &one_byte);
        let mut reader = FrameReader::with_limits(source, Varint::new(), everything);
        let error = reader.read_frame().map(|_| ()).unwrap_err();
        let error = frame_error(&error).expect("a sockframe error").clone();
        let frame_len = length.checked_add(10).and_then(|n| usize::try_from(n).ok());
        match frame_len {
            Some(total) => assert_eq!(
                error,
                Error::UnexpectedEof {
                    offset: stream.len() as u64,
                    needed: exact(total - stream.len())
                }
            ),
            None => assert_eq!(
                error,
                Error::FrameTooLong {
                    offset: 0,
                    length,
                    limit: usize::MAX as u64
                }
            ),
        }
        assert!(
            reader.buffer().capacity() <= 1 << 17,
            "memory follows the bytes read"
        );
        let mut buffer = FrameBuffer::new(Decoder::with_limits(Varint::new(), everything));
        buffer.push(&stream);
        assert!(buffer.next_frame().map(|f| f.is_none()).unwrap_or(true));
        assert!(buffer.capacity() <= 1 << 17);
    }
}

#[test]
fn lengths_over_the_limit_name_the_frame() {
    let limits = both_limits(200);
    let big = payload(201, 4);
    let stream = [
        Varint::new().encode_to_vec(b"ok").unwrap(),
        Varint::new().encode_to_vec(&big).unwrap(),
    ]
    .concat();
    let error = Error::FrameTooLong {
        offset: 3,
        length: 201,
        limit: 200,
    };
    check_stream(
        &Varint::new(),
        limits,
        &stream,
        &[b"ok".to_vec()],
        Err(error),
    );
    // Only the API's own limit counts: a body streamed through under a
    // larger `max_streamed_body` is fine.
    let mut decoder = Decoder::with_limits(Varint::new(), Limits::new().max_frame(200));
    assert!(matches!(
        decoder.decode_event(&stream[3..]),
        Ok(Status::Complete(_))
    ));
}

#[test]
fn a_varint_longer_than_max_header_is_refused() {
    let limits = Limits::new().max_header(3);
    assert_eq!(Varint::new().max_header_len(&limits), 3);
    assert_eq!(Varint::new().max_header_len(&Limits::new()), 10);
    // 2^21 takes four bytes.
    let mut decoder = Decoder::with_limits(Varint::new(), limits);
    assert_eq!(
        decoder.decode(&leb128(1 << 21)[..3]),
        Err(Error::HeaderTooLong {
            offset: 0,
            length: 4,
            limit: 3
        })
    );
    let mut decoder = Decoder::with_limits(Varint::new(), limits);
    assert!(decoder.decode(&leb128((1 << 21) - 1)).is_ok());
}

#[test]
fn truncation_says_how_much_is_missing() {
    // Inside the payload: the exact count.
    check_stream(
        &Varint::new(),
        Limits::new(),
        b"\x02hi\x05hel",
        &[b"hi".to_vec()],
        Err(Error::UnexpectedEof {
            offset: 7,
            needed: exact(2),
        }),
    );
    // Right after the header, a 300-byte payload.
    check_stream(
        &Varint::new(),
        Limits::new(),
        b"\xac\x02",
        &[],
        Err(Error::UnexpectedEof {
            offset: 2,
            needed: exact(300),
        }),
    );
    // Inside the varint: at least one more byte.
    check_stream(
        &Varint::new(),
        Limits::new(),
        b"\x00\xac\x80",
        &[Vec::new()],
        Err(Error::UnexpectedEof {
            offset: 3,
            needed: at_least(1),
        }),
    );
}

#[test]
fn a_20000_byte_payload_through_every_api() {
    let payloads = vec![payload(20_000, 5), b"between".to_vec(), payload(20_000, 6)];
    let stream: Vec<u8> = payloads
        .iter()
        .flat_map(|p| Varint::new().encode_to_vec(p).unwrap())
        .collect();
    assert_eq!(&stream[..3], b"\xa0\x9c\x01");
    check_stream(&Varint::new(), Limits::new(), &stream, &payloads, Ok(()));
}

#[test]
fn one_byte_at_a_time_examines_each_header_byte_once() {
    // Headers of every length from 1 to 10 bytes (non-minimal ones for the
    // longest), a bad one last.
    let mut stream = Vec::new();
    let mut payloads = Vec::new();
    for width in 1..=10 {
        let p = payload(width * 3, width as u8);
        stream.extend(padded_frame(&p, width));
        payloads.push(p);
    }
    stream.extend(leb128(20_000));
    stream.extend(payload(20_000, 0));
    let calls = check_resumes(&Varint::new(), 0x00, Limits::new(), &stream);
    // At most one call per byte fed and per frame: O(n), with each byte
    // examined once (the wrapper hides the bytes seen).
    assert!(calls <= stream.len() + 13, "{calls}");
    let bad = [&stream[..], &[0xFF; 10]].concat();
    check_resumes(&Varint::new(), 0x00, Limits::new(), &bad);
}

/// A varint framing that starts its scan over at every call: the check
/// above must catch it.
#[derive(Clone, Debug)]
struct Forgetful;

impl Framing for Forgetful {
    type Scan = ();
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    fn parse_header(
        &self,
        input: &[u8],
        _: &mut (),
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        Varint::new().parse_header(input, &mut Default::default(), offset, limits)
    }

    fn header(&self, _: &[u8], _: &Head) {}
}

#[test]
fn the_resume_check_catches_a_scan_that_starts_over() {
    let stream = padded_frame(b"abc", 4);
    let caught = catch_unwind(AssertUnwindSafe(|| {
        check_resumes(&Forgetful, 0x00, Limits::new(), &stream)
    }));
    assert!(caught.is_err(), "a rescanning framing went unnoticed");
}

#[test]
fn writers_send_header_and_payload_in_one_vectored_write() {
    let payloads = vec![
        b"hello".to_vec(),
        Vec::new(),
        payload(128, 7),
        payload(20_000, 8),
    ];
    check_writers(&Varint::new(), &payloads);
}

#[test]
fn datagrams_carry_one_frame_each() {
    let payloads = vec![
        b"hello".to_vec(),
        Vec::new(),
        payload(300, 9),
        payload(20_000, 1),
    ];
    check_datagrams(&Varint::new(), &payloads);
}

/// The model decoder, fuzz/src/framing_models.rs (the fuzz target's own),
/// with `limit` on payloads (both limits): the payloads, then `Ok` or the
/// error, `InvalidHeader` reasons in the model's words.
fn model(stream: &[u8], limit: u64) -> Outcome {
    let outcome =
        framing_models::varint_model(&both_limits(limit), stream, framing_models::Api::Whole);
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
        Error::InvalidHeader { offset, reason } if reason.contains("overlong") => {
            Error::invalid_header(offset, "overlong")
        }
        Error::InvalidHeader { offset, reason } if reason.contains("over 64 bits") => {
            Error::invalid_header(offset, "over 64 bits")
        }
        other => other,
    });
    (payloads, end)
}

/// A stream of pieces: whole frames (varints of any width, minimal or
/// not) and raw bytes, which may be anything.
fn stream_strategy() -> impl Strategy<Value = Vec<u8>> {
    let frame = (prop::collection::vec(any::<u8>(), 0..200), 0usize..=10)
        .prop_map(|(payload, width)| padded_frame(&payload, width));
    let junk = prop::collection::vec(any::<u8>(), 1..16);
    // Ten-byte varints with any tenth byte: where overlong and over-64-bit
    // forms lie.
    let tenth = prop_oneof![0u8..4, 0x7Eu8..0x84, any::<u8>()];
    let ten_bytes = (any::<[u8; 9]>(), tenth).prop_map(|(first, tenth)| {
        let mut varint: Vec<u8> = first.iter().map(|b| b | 0x80).collect();
        varint.push(tenth);
        varint
    });
    let varint = prop_oneof![ten_bytes, any::<u64>().prop_map(leb128)];
    prop::collection::vec(prop_oneof![4 => frame, 1 => junk, 1 => varint], 0..8)
        .prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(property_config(256, "proptest-regressions/varint.txt"))]

    #[test]
    fn round_trip_under_random_splits(
        payloads in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..300), 0..8),
        cuts in prop::collection::vec(0usize..3000, 0..6),
    ) {
        let stream: Vec<u8> = payloads
            .iter()
            .flat_map(|p| Varint::new().encode_to_vec(p).unwrap())
            .collect();
        // Every API cut as `cuts` say, and one byte at a time.
        for split in [Split::at(&cuts), Split::bytewise()] {
            testing::check_stream(&Varint::new(), Limits::new(), &stream, &frames(&payloads), Ok(()), &split);
        }
    }

    #[test]
    fn agrees_with_the_model(
        stream in stream_strategy(),
        cuts in prop::collection::vec(0usize..2000, 0..4),
        limit in prop_oneof![Just(u64::MAX), 0u64..300],
    ) {
        // Every API agrees with `Decoder::decode` over the whole stream,
        // cut as `cuts` say and one byte at a time; the model says what
        // they must all say.
        let limits = both_limits(limit);
        let want = model(&stream, limit);
        for split in [Split::at(&cuts), Split::bytewise()] {
            let decoded = testing::check_apis_agree(&Varint::new(), limits, &stream, &split);
            let payloads = decoded.frames.into_iter().map(|f| f.payload).collect();
            prop_assert_eq!(comparable((payloads, decoded.end)), want.clone());
        }
    }

    #[test]
    fn junk_never_panics_and_every_api_agrees(
        junk in prop::collection::vec(any::<u8>(), 0..64),
        limit in prop_oneof![Just(u64::MAX), 0u64..100],
    ) {
        // `check_stream` runs every API at every split and checks that
        // errors are sticky; the model says what they must all say.
        let limits = both_limits(limit);
        let (payloads, end) = decoded(&Varint::new(), limits, &junk);
        prop_assert_eq!(comparable((payloads.clone(), end.clone())), model(&junk, limit));
        check_stream(&Varint::new(), limits, &junk, &payloads, end);
    }
}
