//! `Delimited`: frames ended by a delimiter (`\n`, `\r\n`, `<END>`, up to
//! 16 bytes), through every API:
//!
//! - `Decoder` (`decode`, `poll_frame`, `decode_event`, `skip_frames`,
//!   `end_stream` + `finish`), `FrameBuffer` (`next_frame`, `poll_frame`,
//!   `next_event`, `skip_frames`, `end_stream`), `FrameReader` (`read_frame`,
//!   `read_frame_owned`, `frames`, `read_header` + `read_body`,
//!   `copy_body_to`, `skip_frame`, `skip_frames`) over a one-byte-per-read
//!   source, a slice and two pieces, `FrameWriter`, `DatagramFramer`;
//! - under every split point of multi-frame streams and one byte at a
//!   time, against a naive model (split at the first occurrence);
//! - the limit refused at the exact byte where it is crossed, with the
//!   bytes buffered bounded; the last frame with no delimiter; O(n) work
//!   one byte at a time, counted in bytes examined;
//! - property tests: round trip under random splits, agreement with the
//!   model, junk never panics and errors are sticky.
//!
//! Every decoding API is driven by the test kit, `sockframe::testing`.
#![cfg(feature = "testing")]

use std::cell::Cell;
use std::io::{self, IoSlice, Write};
use std::net::UdpSocket;
use std::rc::Rc;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;
use sockframe::framing::delimited::{Delimited, DelimitedScan};
use sockframe::io::udp::{DatagramError, DatagramFramer};
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::testing::{
    check_apis_agree_with, Decoded, Options, ScriptedReader, Split, Step, Take,
};
use sockframe::{
    ConfigError, Decoder, Encode, Error, Event, FrameBuffer, Framing, Head, Limits, Needed, Status,
};

/// Payloads decoded, and how the stream ended (`Ok` at a frame boundary,
/// or the sticky error after every frame before it).
type Outcome = (Vec<Vec<u8>>, Result<(), Error>);

// ---------------------------------------------------------------------------
// The model: split at the first occurrence of the delimiter, found naively
// (the fuzz target's, one copy).

// The other framings' models are unused here.
#[allow(dead_code)]
#[path = "../fuzz/src/framing_models.rs"]
mod framing_models;

use framing_models::naive_find;

/// What every API must yield for `stream`: the frames, each frame's bytes
/// on the wire, and how the stream ends, by the model decoder of
/// fuzz/src/framing_models.rs (the fuzz target's own; split at the first
/// delimiter starting within `max_frame`). `FrameTooLong`'s `length` is
/// how much the decoder had seen, which depends on the pieces: here it is
/// 0, and [`normalize`] checks and clears the decoders' value.
fn model(framing: &Delimited, max_frame: u64, stream: &[u8]) -> (Outcome, Vec<usize>) {
    let limits = Limits::new().max_frame(max_frame);
    let outcome =
        framing_models::delimited_model(framing, &limits, stream, framing_models::Api::Whole);
    let raws = outcome.frames.iter().map(|frame| frame.wire).collect();
    let frames = outcome
        .frames
        .into_iter()
        .map(|frame| frame.payload)
        .collect();
    let end = outcome.end.map_err(|want| match want {
        framing_models::Want::Exactly(Error::FrameTooLong { offset, limit, .. })
        | framing_models::Want::FrameTooLong { offset, limit, .. } => Error::FrameTooLong {
            offset,
            length: 0,
            limit,
        },
        framing_models::Want::Exactly(error) => error,
        other => panic!("the model expects {other:?}: not for Delimited"),
    });
    ((frames, end), raws)
}

/// `FrameTooLong` with its `length` checked (more than the limit: at least
/// the bytes before the refused one) and set to 0, as the model has it.
fn normalize(end: Result<(), Error>) -> Result<(), Error> {
    match end {
        Err(Error::FrameTooLong {
            offset,
            length,
            limit,
        }) => {
            assert!(length > limit, "length {length} within the limit {limit}");
            Err(Error::FrameTooLong {
                offset,
                length: 0,
                limit,
            })
        }
        other => other,
    }
}

/// `decoded`'s payloads, and its end with `FrameTooLong`'s `length`
/// checked and cleared ([`normalize`]).
fn outcome_of(decoded: &Decoded) -> Outcome {
    let payloads = decoded.frames.iter().map(|f| f.payload.clone()).collect();
    (payloads, normalize(decoded.end.clone()))
}

/// Every decoding API over `stream` cut as `split` says, by the test kit
/// (`Decoder`, `FrameBuffer`, `FrameReader` with frames also taken in turn
/// every way, bodies read into 3-byte buffers, datagrams; each call's
/// promises checked), with `max_streamed_body` set to `max_frame`; and,
/// if the limits say otherwise, again under the limits as given, the APIs
/// that hold frames and those that stream bodies each under their own
/// limit: all must agree. Returns what they yielded, and each frame's
/// bytes on the wire.
#[track_caller]
fn every_api(
    framing: Delimited,
    limits: Limits,
    stream: &[u8],
    split: &Split,
) -> (Outcome, Vec<usize>) {
    let options = Options {
        takes: vec![
            Take::Body(3),
            Take::Frame,
            Take::Copy(2),
            Take::Owned,
            Take::Skip,
            Take::Discard,
            Take::SkipBatch,
        ],
        ..Options::default()
    };
    let decoded = check_apis_agree_with(&framing, limits, stream, split, &options).whole;
    let outcome = outcome_of(&decoded);
    if limits.max_streamed_body != limits.max_frame {
        let apart = Options {
            limits_apart: true,
            ..Options::default()
        };
        let agreed = check_apis_agree_with(&framing, limits, stream, split, &apart);
        for (apis, got) in [
            ("held whole", &agreed.whole),
            ("streamed", &agreed.streamed),
        ] {
            assert_eq!(
                outcome_of(got),
                outcome,
                "the limits as given, the APIs {apis}, split {split}"
            );
        }
    }
    let wire = decoded.wire_lens.iter().map(|&n| n as usize).collect();
    (outcome, wire)
}

/// Every cut for streams up to 600 bytes; for longer ones, every cut near
/// a frame boundary and every 997th.
fn cuts(len: usize, raws: &[usize]) -> Vec<usize> {
    let mut bounds = vec![0];
    for raw in raws {
        bounds.push(bounds[bounds.len() - 1] + raw);
    }
    (0..=len)
        .filter(|c| len <= 600 || c % 997 == 0 || bounds.iter().any(|b| c.abs_diff(*b) <= 17))
        .collect()
}

/// `stream` through every API ([`every_api`]), cut in two at every point,
/// one byte at a time, in 3-byte pieces and whole, against the model:
/// the frames, each frame's bytes on the wire, and the end.
#[track_caller]
fn check_stream(framing: Delimited, limits: Limits, stream: &[u8]) -> Outcome {
    let (want, raws) = model(&framing, limits.max_frame, stream);
    let mut splits = vec![
        Split::bytewise(),
        Split::from_steps([Step::Bytes(3)]),
        Split::whole(),
    ];
    splits.extend(
        cuts(stream.len(), &raws)
            .into_iter()
            .map(|cut| Split::at(&[cut])),
    );
    for split in &splits {
        let (got, wire) = every_api(framing, limits, stream, split);
        assert_eq!(got, want, "{framing:?}, split {split}");
        assert_eq!(wire, raws, "{framing:?}, split {split}: bytes on the wire");
    }
    want
}

fn datagram_error(error: &io::Error) -> Option<&DatagramError> {
    error.get_ref()?.downcast_ref::<DatagramError>()
}

/// The frames carrying `payloads`, then `tail` (bytes of a frame with no
/// delimiter).
fn stream_of(framing: &Delimited, payloads: &[&[u8]], tail: &[u8]) -> Vec<u8> {
    let mut stream = Vec::new();
    for payload in payloads {
        framing
            .encode_into(payload, &mut stream)
            .expect("the payload holds no delimiter");
    }
    stream.extend_from_slice(tail);
    stream
}

fn payloads(outcome: &Outcome) -> Vec<&[u8]> {
    outcome.0.iter().map(Vec::as_slice).collect()
}

// ---------------------------------------------------------------------------
// Every API, every split.

#[test]
fn lines_every_split_every_api() {
    let lines = Delimited::lines();
    let frames: [&[u8]; 6] = [
        b"hello",
        b"",
        b"a\r",
        b"x\ry\r",
        b"\xff\x00 bin",
        "你好".as_bytes(),
    ];
    let stream = stream_of(&lines, &frames, b"");
    assert!(stream.starts_with(b"hello\n\na\r\nx\ry\r\n"));
    let outcome = check_stream(lines, Limits::new(), &stream);
    assert_eq!(payloads(&outcome), frames);
    assert_eq!(outcome.1, Ok(()));
}

#[test]
fn crlf_every_split_every_api() {
    let crlf = Delimited::crlf();
    let frames: [&[u8]; 6] = [b"GET / HTTP/1.1", b"a\nb", b"\r", b"", b"\n\n", b"last\r"];
    let stream = stream_of(&crlf, &frames, b"");
    let outcome = check_stream(crlf, Limits::new(), &stream);
    assert_eq!(payloads(&outcome), frames);
    // `\r\r\n`: the payload keeps the first `\r`.
    assert!(stream.windows(3).any(|w| w == b"\r\r\n"));
}

#[test]
fn five_byte_delimiter_with_its_prefixes_in_payloads() {
    let end = Delimited::new(b"<END>").unwrap();
    let frames: [&[u8]; 7] = [b"a<EN", b"<", b"<E<EN<END", b"", b"END>", b"<<<<", b"x<EN>"];
    let stream = stream_of(&end, &frames, b"");
    let outcome = check_stream(end, Limits::new(), &stream);
    assert_eq!(payloads(&outcome), frames);
}

#[test]
fn self_overlapping_and_longest_delimiters() {
    for delimiter in [&b"aab"[..], b"abab", b"\n\n", b"0123456789abcdef", &[0; 16]] {
        let framing = Delimited::new(delimiter).unwrap();
        let candidates: [&[u8]; 8] = [
            b"a",
            b"aa",
            b"b",
            b"ab",
            b"aba",
            b"0123456789abcde",
            &[0; 15],
            b"x",
        ];
        let frames: Vec<&[u8]> = candidates
            .into_iter()
            .filter(|p| framing.check_payload(p).is_ok())
            .collect();
        let stream = stream_of(&framing, &frames, b"");
        let outcome = check_stream(framing, Limits::new(), &stream);
        assert_eq!(payloads(&outcome), frames, "{framing:?}");
    }
}

#[test]
fn a_line_longer_than_a_read_chunk_and_than_max_header() {
    let long: Vec<u8> = (0..150_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let lines = Delimited::lines();
    let frames: [&[u8]; 3] = [b"short", &long, b"end"];
    let stream = stream_of(&lines, &frames, b"");
    // `max_header` plays no part: the frame is bounded by `max_frame`.
    let limits = Limits::new().max_header(4);
    let outcome = check_stream(lines, limits, &stream);
    assert_eq!(payloads(&outcome), frames);
}

// ---------------------------------------------------------------------------
// The end of the stream.

#[test]
fn bytes_after_the_last_delimiter_are_a_frame_cut_short() {
    let cases: [(Delimited, &[u8], usize); 5] = [
        (Delimited::lines(), b"abc", 1),
        (Delimited::crlf(), b"abc", 2),
        (Delimited::crlf(), b"abc\r", 1),
        (Delimited::new(b"<END>").unwrap(), b"abc", 5),
        (Delimited::new(b"<END>").unwrap(), b"ab<EN", 2),
    ];
    for (framing, tail, needed) in cases {
        let stream = stream_of(&framing, &[b"one", b"two"], tail);
        let outcome = check_stream(framing, Limits::new(), &stream);
        assert_eq!(payloads(&outcome), [b"one", b"two"]);
        assert_eq!(
            outcome.1,
            Err(Error::UnexpectedEof {
                offset: stream.len() as u64,
                needed: Needed::at_least(needed),
            }),
            "{framing:?} {tail:?}"
        );
        // FrameReader reports it as an io UnexpectedEof carrying the count.
        let mut reader = FrameReader::new(&stream[..], framing);
        assert!(reader.read_frame().unwrap().is_some());
        assert!(reader.read_frame().unwrap().is_some());
        let error = reader.read_frame().unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(frame_error(&error), outcome.1.as_ref().err());
    }
}

#[test]
fn the_last_frame_without_a_delimiter_when_asked() {
    let cases: [(Delimited, &[u8]); 5] = [
        (Delimited::lines(), b"abc"),
        (Delimited::lines(), b"a\r"),
        (Delimited::crlf(), b"abc\r"),
        (Delimited::new(b"<END>").unwrap(), b"ab<EN"),
        (Delimited::new(b"<END>").unwrap(), b"x"),
    ];
    for (framing, tail) in cases {
        let framing = framing.take_last_frame(true);
        let stream = stream_of(&framing, &[b"one", b""], tail);
        // Every API, every split: `end_stream` hands the tail out whole.
        let outcome = check_stream(framing, Limits::new(), &stream);
        assert_eq!(payloads(&outcome), [&b"one"[..], b"", tail], "{framing:?}");
        assert_eq!(outcome.1, Ok(()));
    }
}

#[test]
fn the_last_frame_through_each_entry_point() {
    let lines = Delimited::lines().take_last_frame(true);

    // Decoder::end_stream, then decode and finish.
    let mut decoder = Decoder::new(lines);
    let stream = b"one\ntwo";
    let Status::Complete((frame, used)) = decoder.decode(stream).unwrap() else {
        panic!()
    };
    assert_eq!((frame.payload(), used), (&b"one"[..], 4));
    let rest = &stream[used..];
    assert!(decoder.decode(rest).unwrap().is_partial());
    assert_eq!(decoder.end_stream(rest), Ok(true));
    let Status::Complete((frame, used)) = decoder.decode(rest).unwrap() else {
        panic!()
    };
    assert_eq!(
        (frame.payload(), frame.raw(), used),
        (&b"two"[..], &b"two"[..], 3)
    );
    assert_eq!(decoder.finish(&rest[used..]), Ok(()));

    // Without `end_stream`, `finish` still says the stream was cut short.
    let mut decoder = Decoder::new(lines);
    assert!(decoder.decode(b"two").unwrap().is_partial());
    assert!(matches!(
        decoder.finish(b"two"),
        Err(Error::UnexpectedEof { offset: 3, .. })
    ));

    // FrameBuffer::end_stream.
    let mut buffer = FrameBuffer::new(Decoder::new(lines));
    buffer.push(b"one\ntw");
    buffer.push(b"o");
    assert_eq!(buffer.next_frame().unwrap().unwrap().payload(), b"one");
    assert!(buffer.next_frame().unwrap().is_none());
    assert_eq!(buffer.end_stream(), Ok(true));
    assert_eq!(buffer.next_frame().unwrap().unwrap().payload(), b"two");
    assert_eq!(buffer.finish(), Ok(()));

    // FrameReader: read_frame returns it at the end of the file.
    let one_byte = Split::bytewise();
    let mut reader = FrameReader::new(ScriptedReader::new(b"one\ntwo", &one_byte), lines);
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"one");
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"two");
    assert!(reader.read_frame().unwrap().is_none());

    // A last frame over the limit is refused, naming its length.
    let crlf = Delimited::crlf().take_last_frame(true);
    let mut buffer = FrameBuffer::new(Decoder::with_limits(crlf, Limits::new().max_frame(3)));
    buffer.push(b"ab\r\nabc\r");
    assert_eq!(buffer.next_frame().unwrap().unwrap().payload(), b"ab");
    assert!(buffer.next_frame().unwrap().is_none());
    let too_long = Error::FrameTooLong {
        offset: 4,
        length: 4,
        limit: 3,
    };
    assert_eq!(buffer.end_stream(), Err(too_long.clone()));
    assert_eq!(buffer.finish(), Err(too_long));

    // One of exactly the limit is taken (found by mutation testing: `>`
    // could become `>=` without a test noticing).
    let mut buffer = FrameBuffer::new(Decoder::with_limits(crlf, Limits::new().max_frame(3)));
    buffer.push(b"ab\r\nabc");
    assert_eq!(buffer.next_frame().unwrap().unwrap().payload(), b"ab");
    assert!(buffer.next_frame().unwrap().is_none());
    assert_eq!(buffer.end_stream(), Ok(true));
    assert_eq!(buffer.next_frame().unwrap().unwrap().payload(), b"abc");
    assert_eq!(buffer.finish(), Ok(()));
}

// ---------------------------------------------------------------------------
// The limit.

/// The stream length at which the model first refuses the frame as too
/// long: where a decoder fed one byte at a time must refuse it.
fn model_refusal(framing: &Delimited, max_frame: u64, stream: &[u8]) -> Option<usize> {
    (0..=stream.len()).find(|&len| {
        let ((_, end), _) = model(framing, max_frame, &stream[..len]);
        matches!(end, Err(Error::FrameTooLong { .. }))
    })
}

#[test]
fn the_limit_is_refused_at_the_byte_that_crosses_it() {
    for delimiter in [&b"\n"[..], b"\r\n", b"<END>", b"aab", b"0123456789abcdef"] {
        for max in [0usize, 1, 4, 10, 100] {
            let framing = Delimited::new(delimiter).unwrap();
            let d = delimiter.len();
            let limits = Limits::new().max_frame(max as u64);
            // Exactly `max` bytes: a frame.
            let exact = vec![b'x'; max];
            let good = &b"ok"[..max.min(2)];
            let accepted =
                check_stream(framing, limits, &stream_of(&framing, &[&exact, good], b""));
            assert_eq!(payloads(&accepted), [&exact[..], good]);
            // One more, or the limit crossed inside the delimiter's
            // prefix: refused where the model says, after the good frame.
            let mut crossing_inside = vec![b'x'; max];
            crossing_inside.extend_from_slice(&delimiter[..d - 1]);
            crossing_inside.extend_from_slice(b"yy");
            let mut overlong_then_delimiter = vec![b'x'; max + 1];
            overlong_then_delimiter.extend_from_slice(delimiter);
            for bad in [
                vec![b'x'; max + 40],
                crossing_inside,
                overlong_then_delimiter,
            ] {
                let stream = stream_of(&framing, &[good], &bad);
                let refused_at = model_refusal(&framing, max as u64, &stream).expect("refused");
                let outcome = check_stream(framing, limits, &stream);
                assert_eq!(payloads(&outcome), [good]);
                assert_eq!(
                    outcome.1,
                    Err(Error::FrameTooLong {
                        offset: (good.len() + d) as u64,
                        length: 0,
                        limit: max as u64
                    })
                );
                check_refusal_byte_by_byte(framing, limits, &stream, refused_at);
            }
        }
    }
}

/// Fed one byte at a time, the buffer refuses the frame exactly when the
/// stream reaches `refused_at` bytes, holding no more than those; fed in
/// larger pieces, it holds at most the limit, the delimiter and a piece.
fn check_refusal_byte_by_byte(
    framing: Delimited,
    limits: Limits,
    stream: &[u8],
    refused_at: usize,
) {
    let d = framing.delimiter().len();
    let max = limits.max_frame as usize;
    for piece_len in [1, 2, 3, 64, 1000] {
        let mut buffer = FrameBuffer::new(Decoder::with_limits(framing, limits));
        let mut pushed = 0;
        let error = stream.chunks(piece_len).find_map(|piece| {
            buffer.push(piece);
            pushed += piece.len();
            loop {
                match buffer.next_frame() {
                    Ok(Some(_)) => continue,
                    Ok(None) => return None,
                    Err(e) => return Some(e),
                }
            }
        });
        let Some(Error::FrameTooLong {
            offset,
            length,
            limit,
        }) = error
        else {
            panic!("{framing:?}: not refused: {error:?}");
        };
        let frame_start = offset as usize;
        let held = buffer.len();
        assert!(
            held <= max + d - 1 + piece_len,
            "{framing:?} max {max}: {held} bytes held"
        );
        assert!(length > limit && length as usize <= pushed - frame_start);
        if piece_len == 1 {
            assert_eq!(
                pushed, refused_at,
                "{framing:?} max {max}: refused at the wrong byte"
            );
            assert_eq!(held, refused_at - frame_start);
        } else {
            assert!(pushed >= refused_at && pushed < refused_at + piece_len);
        }
    }
}

#[test]
fn lines_at_the_limit_as_tokio_max_length() {
    // tokio-util's `LinesCodec::new_with_max_length(4)` takes "abcd\n" and
    // refuses "abcde": the same here, at the fifth byte.
    let limits = Limits::new().max_frame(4);
    let mut decoder = Decoder::with_limits(Delimited::lines(), limits);
    let Status::Complete((frame, _)) = decoder.decode(b"abcd\n").unwrap() else {
        panic!()
    };
    assert_eq!(frame.payload(), b"abcd");
    assert_eq!(
        decoder.decode(b"abcd"),
        Ok(Status::Partial(Needed::at_least(1)))
    );
    assert_eq!(
        decoder.decode(b"abcde"),
        Err(Error::FrameTooLong {
            offset: 5,
            length: 5,
            limit: 4
        })
    );
    // A huge limit overflows nothing.
    let mut decoder = Decoder::with_limits(Delimited::crlf(), Limits::new().max_frame(u64::MAX));
    assert!(decoder.decode(b"abc\r").unwrap().is_partial());
    assert!(decoder.decode(b"abc\r\n").unwrap().complete().is_some());
}

#[test]
fn streamed_apis_hold_the_frame_and_obey_max_frame() {
    // `max_streamed_body` is far larger, but the frame must be held to find
    // its end: `max_frame` bounds it for decode_event and read_header too.
    let limits = Limits::new().max_frame(8).max_streamed_body(1 << 40);
    let stream = b"12345678\n123456789\n";
    let mut decoder = Decoder::with_limits(Delimited::lines(), limits);
    assert!(matches!(
        decoder.decode_event(stream),
        Ok(Status::Complete((Event::Header { body_len: 8, .. }, 0)))
    ));
    let mut reader = FrameReader::with_limits(&stream[..], Delimited::lines(), limits);
    assert_eq!(reader.read_header().unwrap().map(|h| h.1), Some(8));
    assert_eq!(reader.discard_body().unwrap(), 8);
    let error = reader.read_header().unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert_eq!(
        frame_error(&error),
        Some(&Error::FrameTooLong {
            offset: 9,
            length: 9,
            limit: 8
        })
    );
}

// ---------------------------------------------------------------------------
// O(n): bytes examined, counted by the scan itself.

/// `Delimited`, adding up the bytes its scan reports examined and the
/// calls made.
#[derive(Clone, Debug)]
struct Counting {
    inner: Delimited,
    examined: Rc<Cell<u64>>,
    calls: Rc<Cell<u64>>,
}

impl Counting {
    fn new(inner: Delimited) -> Self {
        Counting {
            inner,
            examined: Rc::default(),
            calls: Rc::default(),
        }
    }
}

impl Framing for Counting {
    type Scan = DelimitedScan;
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut DelimitedScan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        let before = scan.examined();
        let result = self.inner.parse_header(input, scan, offset, limits);
        self.examined
            .set(self.examined.get() + scan.examined().saturating_sub(before));
        self.calls.set(self.calls.get() + 1);
        result
    }

    fn header(&self, _: &[u8], _: &Head) {}

    fn parse_last(
        &self,
        input: &[u8],
        scan: &mut DelimitedScan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Option<Head>, Error> {
        self.inner.parse_last(input, scan, offset, limits)
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        self.inner.max_header_len(limits)
    }
}

/// Bytes examined and calls made decoding `stream` (one frame) fed one
/// byte at a time through `Decoder::decode`, `FrameBuffer` and
/// `FrameReader`.
fn work_one_byte_at_a_time(framing: Delimited, stream: &[u8]) -> [(u64, u64); 3] {
    let counting = Counting::new(framing);
    let limits = Limits::new().max_frame(1 << 20);
    let take = |counting: &Counting| {
        let work = (counting.examined.get(), counting.calls.get());
        counting.examined.set(0);
        counting.calls.set(0);
        work
    };

    let mut decoder = Decoder::with_limits(counting.clone(), limits);
    let mut frames = 0;
    for end in 1..=stream.len() {
        if let Status::Complete(_) = decoder.decode(&stream[..end]).unwrap() {
            assert_eq!(end, stream.len());
            frames += 1;
        }
    }
    assert_eq!(frames, 1);
    let by_decode = take(&counting);

    let mut buffer = FrameBuffer::new(Decoder::with_limits(counting.clone(), limits));
    for byte in stream {
        buffer.push(std::slice::from_ref(byte));
        while buffer.next_frame().unwrap().is_some() {}
    }
    buffer.finish().unwrap();
    let by_buffer = take(&counting);

    let one_byte = Split::bytewise();
    let source = ScriptedReader::new(stream, &one_byte);
    let mut reader = FrameReader::with_limits(source, counting.clone(), limits);
    assert!(reader.read_frame().unwrap().is_some());
    assert!(reader.read_frame().unwrap().is_none());
    let by_reader = take(&counting);
    [by_decode, by_buffer, by_reader]
}

#[test]
fn a_100_kb_line_one_byte_at_a_time_examines_each_byte_about_once() {
    let n = 100_000;
    for delimiter in [&b"\n"[..], b"\r\n", b"<END>", b"0123456789abcdef"] {
        let framing = Delimited::new(delimiter).unwrap();
        let line: Vec<u8> = (0..n).map(|i| b"hijklmnopqrstuvwxyz "[i % 20]).collect();
        let stream = stream_of(&framing, &[&line], b"");
        for (api, (examined, calls)) in ["decode", "FrameBuffer", "FrameReader"]
            .into_iter()
            .zip(work_one_byte_at_a_time(framing, &stream))
        {
            eprintln!(
                "{framing:?} {api}: {examined} bytes examined, {calls} calls, for {}",
                stream.len()
            );
            // One call per byte; each byte examined about once (a rescan
            // would be n²/2 = 5 * 10^9).
            assert!(
                calls <= stream.len() as u64 + 2,
                "{framing:?} {api}: {calls} calls"
            );
            let bound = stream.len() as u64 + 2 * delimiter.len() as u64;
            assert!(
                examined <= bound,
                "{framing:?} {api}: {examined} bytes examined for {}",
                stream.len()
            );
            assert!(
                examined >= n as u64,
                "{framing:?} {api}: {examined} bytes examined: some never looked at"
            );
        }
    }
}

#[test]
fn prefixes_of_the_delimiter_everywhere_cost_at_most_its_length_per_byte() {
    // The worst case: every byte may begin the delimiter.
    let n = 100_000;
    let cases: [(&[u8], &[u8]); 4] = [
        (b"\r\n", b"\r"),
        (b"<END>", b"<EN"),
        (b"aab", b"a"),
        (b"aaaaaaaaaaaaaaab", b"a"),
    ];
    for (delimiter, unit) in cases {
        let framing = Delimited::new(delimiter).unwrap();
        let line = unit.repeat(n / unit.len());
        let stream = stream_of(&framing, &[&line], b"");
        for (examined, _) in work_one_byte_at_a_time(framing, &stream) {
            eprintln!(
                "{framing:?}: {examined} bytes examined for {}",
                stream.len()
            );
            let bound = delimiter.len() as u64 * stream.len() as u64 + 64;
            assert!(
                examined <= bound,
                "{framing:?}: {examined} bytes examined for {}",
                stream.len()
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Encoding.

#[test]
fn encoding_appends_the_delimiter_and_refuses_it_in_payloads() {
    let crlf = Delimited::crlf();
    assert!(matches!(
        crlf.encode_header(5),
        Err(Error::CannotEncode { .. })
    ));
    assert_eq!(crlf.encode_header_for(b"abc").unwrap().as_bytes(), b"");
    assert_eq!(crlf.trailer(), b"\r\n");
    assert_eq!(crlf.encode_to_vec(b"a\nb\r").unwrap(), b"a\nb\r\r\n");
    let error = crlf.encode_to_vec(b"a\r\nb").unwrap_err();
    assert!(matches!(error, Error::CannotEncode { .. }));
    assert_eq!(
        error.to_string(),
        "cannot encode: the payload holds the delimiter b\"\\r\\n\" at byte 1, where it would end the frame"
    );
    // Nothing appended on refusal.
    let mut out = b"kept".to_vec();
    assert!(crlf.encode_into(b"\r\n", &mut out).is_err());
    assert!(crlf.encode_checked(b"x\r\n", &mut out).is_err());
    assert_eq!(out, b"kept");
    crlf.encode_checked(b"y", &mut out).unwrap();
    assert_eq!(out, b"kepty\r\n");

    // A payload ending in the delimiter's start, where the delimiter sent
    // after it would complete an earlier one.
    let abab = Delimited::new(b"abab").unwrap();
    let error = abab.check_payload(b"xab").unwrap_err();
    assert!(error.to_string().contains("at byte 1"), "{error}");
    assert!(abab.check_payload(b"xaba").is_ok());
}

/// Records each `write_vectored` call's slices.
#[derive(Default)]
struct Recording {
    calls: Vec<Vec<Vec<u8>>>,
}

impl Write for Recording {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls.push(vec![buf.to_vec()]);
        Ok(buf.len())
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.calls.push(bufs.iter().map(|b| b.to_vec()).collect());
        Ok(bufs.iter().map(|b| b.len()).sum())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn frame_writer_sends_payload_and_delimiter_in_one_vectored_write() {
    let framing = Delimited::new(b"<END>").unwrap();
    let frames: [&[u8]; 4] = [b"hello", b"", b"a<EN", &[0xAB; 5000]];
    let mut writer = FrameWriter::new(Recording::default(), framing);
    for payload in frames {
        writer.write_frame(payload).unwrap();
    }
    let calls = writer.into_inner().unwrap().calls;
    let want: Vec<Vec<Vec<u8>>> = frames
        .iter()
        .map(|p| {
            let mut parts = vec![p.to_vec(), b"<END>".to_vec()];
            parts.retain(|part| !part.is_empty());
            parts
        })
        .collect();
    assert_eq!(calls, want);

    // Round trip, buffered and read back.
    let mut writer = FrameWriter::buffered(Vec::new(), framing);
    for payload in frames {
        writer.write_frame(payload).unwrap();
    }
    let wire = writer.into_inner().unwrap();
    assert_eq!(wire, stream_of(&framing, &frames, b""));
    let want: Vec<Vec<u8>> = frames.iter().map(|f| f.to_vec()).collect();
    assert_eq!(check_stream(framing, Limits::new(), &wire), (want, Ok(())));
}

/// The writers ask the framing for the header of the payload itself
/// (`Encode::encode_header_for`).
#[test]
fn writers_refuse_a_payload_holding_the_delimiter() {
    let lines = Delimited::lines();
    let mut writer = FrameWriter::new(Vec::new(), lines);
    let error = writer.write_frame(b"two\nlines").unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
    assert!(matches!(
        frame_error(&error),
        Some(Error::CannotEncode { .. })
    ));
    // The body of write_frame_from cannot be checked before it is sent.
    let error = writer.write_frame_from(3, &mut &b"abc"[..]).unwrap_err();
    assert!(matches!(
        frame_error(&error),
        Some(Error::CannotEncode { .. })
    ));
    writer.write_frame(b"fine").unwrap();
    assert_eq!(writer.into_inner().unwrap(), b"fine\n");

    let mut framer = DatagramFramer::new(lines);
    let error = framer.encode(b"a\nb").map(drop).unwrap_err();
    assert!(matches!(
        frame_error(&error),
        Some(Error::CannotEncode { .. })
    ));
}

#[test]
fn datagrams_carry_one_delimited_frame_each() {
    let crlf = Delimited::crlf();
    let mut framer = DatagramFramer::new(crlf);
    assert_eq!(framer.encode(b"hello").unwrap(), b"hello\r\n");
    assert_eq!(framer.decode(b"hello\r\n").unwrap().payload(), b"hello");
    let truncated = framer.decode(b"hello\r").map(drop).unwrap_err();
    assert!(matches!(
        datagram_error(&truncated),
        Some(DatagramError::Truncated { datagram_len: 6, needed: Needed::AtLeast(n) }) if n.get() == 1
    ));
    let padded = framer.decode(b"a\r\nb\r\n").map(drop).unwrap_err();
    assert!(matches!(
        datagram_error(&padded),
        Some(DatagramError::Padded {
            datagram_len: 6,
            frame_len: 3
        })
    ));

    // Over loopback UDP.
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.connect(server.local_addr().unwrap()).unwrap();
    server
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut sender = DatagramFramer::new(crlf);
    for payload in [&b"one"[..], b"", b"three\n"] {
        sender.send(&client, payload).unwrap();
        let (frame, from) = framer.recv_from(&server).unwrap();
        assert_eq!(
            (frame.payload(), from),
            (payload, client.local_addr().unwrap())
        );
    }
}

// ---------------------------------------------------------------------------
// Configuration.

#[test]
fn delimiters_of_1_to_16_bytes() {
    assert_eq!(Delimited::default(), Delimited::lines());
    assert_eq!(Delimited::lines().delimiter(), b"\n");
    assert_eq!(Delimited::crlf().delimiter(), b"\r\n");
    assert_eq!(Delimited::new(b"\r\n").unwrap(), Delimited::crlf());
    assert_eq!(Delimited::new(&[9; 16]).unwrap().delimiter(), [9; 16]);
    for bad in [&b""[..], &[9; 17]] {
        let Err(ConfigError::InvalidOption { option, reason }) = Delimited::new(bad) else {
            panic!("{bad:?} accepted")
        };
        assert_eq!(option, "delimiter");
        assert!(!reason.is_empty());
    }
    assert_eq!(
        Delimited::new(&[b'-'; 17]).unwrap_err().to_string(),
        "delimiter: 17 bytes, over the maximum of 16"
    );
    let framing = Delimited::new(b"<\x00>").unwrap().take_last_frame(true);
    assert!(framing.takes_last_frame() && !Delimited::lines().takes_last_frame());
    assert_eq!(
        format!("{framing:?}"),
        r#"Delimited { delimiter: b"<\x00>", take_last_frame: true }"#
    );
    // `max_header_len` covers the whole frame, saturating.
    assert_eq!(
        Delimited::crlf().max_header_len(&Limits::new().max_frame(10)),
        12
    );
    assert_eq!(
        Delimited::crlf().max_header_len(&Limits::new().max_frame(u64::MAX)),
        usize::MAX
    );
}

// ---------------------------------------------------------------------------
// Properties.

const REGRESSIONS: &str = "proptest-regressions/delimited.txt";

fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(REGRESSIONS)));
    config
}

/// Few distinct bytes, so that delimiters and their prefixes occur.
fn narrow_byte() -> impl Strategy<Value = u8> {
    select(vec![b'a', b'b', b'\r', b'\n'])
}

fn delimiter() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => vec(narrow_byte(), 1..=3),
        1 => vec(narrow_byte(), 4..=16),
    ]
}

fn max_frame() -> impl Strategy<Value = u64> {
    prop_oneof![Just(Limits::DEFAULT_MAX_FRAME), Just(u64::MAX), 0..40u64,]
}

/// Every API cut as `cuts` say (taken modulo the stream's length plus
/// one), against the model.
fn check_against_model(
    framing: Delimited,
    limits: Limits,
    stream: &[u8],
    cuts: &[usize],
) -> Outcome {
    let (want, raws) = model(&framing, limits.max_frame, stream);
    let split = random_split(stream, cuts);
    let (got, wire) = every_api(framing, limits, stream, &split);
    assert_eq!(got, want, "{framing:?}, split {split}");
    assert_eq!(wire, raws, "{framing:?}, split {split}: bytes on the wire");
    want
}

/// The split cutting `stream` at `cuts`, each taken modulo its length
/// plus one.
fn random_split(stream: &[u8], cuts: &[usize]) -> Split {
    let cuts: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    Split::at(&cuts)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn round_trip_under_random_splits(
        delimiter in delimiter(),
        frames in vec(vec(narrow_byte(), 0..24), 0..8),
        take_last in any::<bool>(),
        tail in vec(narrow_byte(), 0..6),
        cuts in vec(any::<usize>(), 0..6),
    ) {
        let framing = Delimited::new(&delimiter).unwrap().take_last_frame(take_last);
        let mut sent = Vec::new();
        let mut stream = Vec::new();
        for payload in &frames {
            // Refused exactly when the delimiter would show up early.
            let mut wire = payload.clone();
            wire.extend_from_slice(&delimiter);
            let fits = naive_find(&wire, &delimiter) == Some(payload.len());
            match framing.encode_into(payload, &mut stream) {
                Ok(()) => { prop_assert!(fits); sent.push(payload.clone()); }
                Err(Error::CannotEncode { .. }) => prop_assert!(!fits),
                Err(e) => return Err(TestCaseError::fail(e.to_string())),
            }
        }
        let whole = check_against_model(framing, Limits::new(), &stream, &cuts);
        prop_assert_eq!(&whole, &(sent.clone(), Ok(())));
        // With a tail and the last frame taken, the tail's frames follow.
        let mut with_tail = stream.clone();
        with_tail.extend_from_slice(&tail);
        let outcome = check_against_model(framing, Limits::new(), &with_tail, &cuts);
        prop_assert_eq!(&outcome.0[..sent.len()], &sent[..]);
    }

    #[test]
    fn decoders_agree_with_the_model(
        delimiter in delimiter(),
        stream in vec(narrow_byte(), 0..120),
        max_frame in max_frame(),
        take_last in any::<bool>(),
        cuts in vec(any::<usize>(), 0..8),
    ) {
        let framing = Delimited::new(&delimiter).unwrap().take_last_frame(take_last);
        let _want = check_against_model(framing, Limits::new().max_frame(max_frame), &stream, &cuts);
    }

    #[test]
    fn junk_never_panics_and_errors_stick(
        delimiter in vec(any::<u8>(), 0..20),
        junk in vec(any::<u8>(), 0..200),
        max_frame in prop_oneof![Just(0u64), Just(1), Just(5), Just(u64::MAX - 1), Just(u64::MAX), any::<u64>()],
        max_header in prop_oneof![Just(0usize), Just(1), Just(usize::MAX)],
        take_last in any::<bool>(),
        cuts in vec(any::<usize>(), 0..8),
    ) {
        let Ok(framing) = Delimited::new(&delimiter) else {
            prop_assert!(delimiter.is_empty() || delimiter.len() > 16);
            return Ok(());
        };
        let framing = framing.take_last_frame(take_last);
        let limits = Limits::new().max_frame(max_frame).max_header(max_header);
        let _want = check_against_model(framing, limits, &junk, &cuts);
        // The framing alone, on any input and any scan it left, never panics.
        let mut scan = DelimitedScan::default();
        for cut in random_split(&junk, &cuts).pieces(&junk).iter().map(|p| p.len()).scan(0, |at, n| { *at += n; Some(*at) }) {
            let _ = framing.parse_header(&junk[..cut], &mut scan, 0, &limits);
            let _ = framing.parse_last(&junk[..cut / 2], &mut scan, 0, &limits);
        }
        let _ = framing.check_payload(&junk);
    }
}
