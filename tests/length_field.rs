//! `LengthField`: tokio-util's and netty's documented examples; every
//! decoding API under every split of multi-frame streams in several
//! layouts; the blocking reader and writer and datagrams; the encoder;
//! errors with their offsets; configurations refused; and properties
//! against a model decoder written from tokio-util's and netty's formulas. Every decoding API is driven by
//! the test kit, `sockframe::testing`.
#![cfg(feature = "testing")]

mod common;

use std::io::{self, ErrorKind, IoSlice, Write};

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use sockframe::framing::length_field::{LengthField, LengthFieldBuilder};
use sockframe::io::udp::{DatagramError, DatagramFramer};
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::{
    ConfigError, Decoder, Encode, Endian, Error, FrameBuffer, HeaderBytes, Limits, Needed,
    OwnedFrame, Signedness, Status,
};

use common::{all_apis, Outcome};
use sockframe::testing::{
    self, check_apis_agree, check_apis_agree_with, Options, ScriptedReader, Split, Take,
};

type Owned = OwnedFrame<HeaderBytes>;

fn frame(header: &[u8], payload: &[u8]) -> Owned {
    OwnedFrame {
        header: HeaderBytes::new(header),
        payload: payload.to_vec(),
    }
}

// ---------------------------------------------------------------------------
// Layouts, each with a multi-frame stream and the frames it holds.

struct Case {
    name: &'static str,
    framing: LengthField,
    /// Whether `encode_header` writes this layout (header fields set).
    encodes: bool,
    stream: Vec<u8>,
    frames: Vec<Owned>,
}

/// A case whose stream the framing itself encodes.
fn encoded(name: &'static str, framing: LengthField, payloads: &[&[u8]]) -> Case {
    let mut stream = Vec::new();
    let mut frames = Vec::new();
    for payload in payloads {
        let header = framing.encode_header(payload.len()).unwrap();
        frames.push(frame(&header, payload));
        framing.encode_into(payload, &mut stream).unwrap();
    }
    Case {
        name,
        framing,
        encodes: true,
        stream,
        frames,
    }
}

/// A case built from whole frames written by hand, `(header, payload)`.
fn by_hand(name: &'static str, framing: LengthField, frames: &[(&[u8], &[u8])]) -> Case {
    Case {
        name,
        framing,
        encodes: false,
        stream: frames.iter().flat_map(|(h, p)| [*h, *p].concat()).collect(),
        frames: frames.iter().map(|(h, p)| frame(h, p)).collect(),
    }
}

fn cases() -> Vec<Case> {
    vec![
        encoded(
            "tokio-util's default",
            LengthField::new(),
            &[b"hello", b"", b"x"],
        ),
        encoded(
            "HDR1 | LEN | HDR2 | payload, HDR1 and LEN dropped",
            LengthField::builder()
                .length_field_offset(1)
                .length_field_length(2)
                .length_adjustment(1)
                .num_skip(3)
                .header_fields(b"\xCA", b"")
                .build()
                .unwrap(),
            &[b"\xFEHELLO, WORLD", b"\xFE", b"\x01ab"],
        ),
        encoded(
            "3-byte little-endian signed, counting itself",
            LengthField::builder()
                .length_field_length(3)
                .little_endian()
                .signed()
                .length_includes_length_field_length(true)
                .build()
                .unwrap(),
            &[b"abc", b"", b"\x00\x00\x00\x00"],
        ),
        encoded(
            "num_skip past the field (tokio-util's example 7)",
            LengthField::builder()
                .length_field_length(3)
                .num_skip(4)
                .header_fields(b"", b"\xFF")
                .build()
                .unwrap(),
            &[b"Hello world", b"", b"!"],
        ),
        encoded(
            "netty: strip past the field",
            LengthField::builder()
                .length_field_offset(1)
                .length_field_length(2)
                .length_adjustment(1)
                .initial_bytes_to_strip(4)
                .header_fields(b"\xCA", b"\xFE")
                .build()
                .unwrap(),
            &[b"HELLO, WORLD", b"", b"xy"],
        ),
        encoded(
            "1-byte field, max_frame_length 10",
            LengthField::builder()
                .length_field_length(1)
                .max_frame_length(10)
                .build()
                .unwrap(),
            &[b"0123456789", b"", b"a"],
        ),
        by_hand(
            "num_skip 0: the whole frame is the payload (tokio-util's example 2)",
            LengthField::builder()
                .length_field_length(2)
                .length_adjustment(2)
                .num_skip(0)
                .build()
                .unwrap(),
            &[
                (b"", b"\x00\x0BHello world"),
                (b"", b"\x00\x00"),
                (b"", b"\x00\x01!"),
            ],
        ),
        by_hand(
            "8-byte little-endian at offset 2, the field in the payload",
            LengthField::builder()
                .length_field_offset(2)
                .length_field_length(8)
                .little_endian()
                .length_adjustment(8)
                .num_skip(2)
                .build()
                .unwrap(),
            &[
                (b"\x01\x02", b"\x03\0\0\0\0\0\0\0abc"),
                (b"\x00\x00", b"\0\0\0\0\0\0\0\0"),
            ],
        ),
    ]
}

/// Every way of cutting `stream` into one, two or three pieces, and one
/// byte at a time.
fn every_split(stream: &[u8]) -> Vec<Split> {
    let n = stream.len();
    let mut splits = vec![Split::whole(), Split::bytewise()];
    for i in 0..=n {
        splits.push(Split::at(&[i]));
        for j in i..=n {
            splits.push(Split::at(&[i, j]));
        }
    }
    splits
}

/// Every decoding API (the test kit's: `Decoder`, `FrameBuffer`,
/// `FrameReader`, datagrams; each call's promises checked) under every
/// split of each layout's stream.
#[test]
fn every_layout_decodes_under_every_split_through_decode_events_and_the_buffer() {
    for case in cases() {
        for split in every_split(&case.stream) {
            testing::check_stream(
                &case.framing,
                Limits::new(),
                &case.stream,
                &case.frames,
                Ok(()),
                &split,
            );
        }
    }
}

/// Each frame's bytes on the wire are its header and payload: what every
/// skipping API (`Decoder`, `FrameBuffer`, `FrameReader`: `skip_frames`,
/// `skip_frame`) must count, which the test kit checks under every split
/// in the test above.
#[test]
fn every_layout_streams_and_skips_under_every_split() {
    for case in cases() {
        let decoded = check_apis_agree(&case.framing, Limits::new(), &case.stream, &Split::whole());
        let wire: Vec<u64> = case
            .frames
            .iter()
            .map(|f| (f.header.len() + f.payload.len()) as u64)
            .collect();
        assert_eq!(decoded.wire_lens, wire, "{}", case.name);
    }
}

/// Every way of taking frames from a `FrameReader` reading one byte per
/// read, mixed in one stream: bodies read into 3-byte buffers and copied
/// one byte per write, frames whole and owned, skipped one at a time and
/// in batches.
#[test]
fn frame_reader_reads_every_layout_one_byte_per_read() {
    let options = Options {
        takes: vec![
            Take::Frame,
            Take::Body(3),
            Take::Skip,
            Take::Owned,
            Take::Copy(1),
            Take::SkipBatch,
            Take::Discard,
        ],
        ..Options::default()
    };
    for case in cases() {
        for split in [Split::bytewise(), Split::whole()] {
            let agreed =
                check_apis_agree_with(&case.framing, Limits::new(), &case.stream, &split, &options);
            assert_eq!(agreed.whole.frames, case.frames, "{}", case.name);
            assert_eq!(agreed.whole.end, Ok(()), "{}", case.name);
        }
    }
}

/// Takes at most `max_per_call` bytes per call and counts the slices each
/// `write_vectored` call was offered.
struct Trickle {
    out: Vec<u8>,
    max_per_call: usize,
    slices_offered: Vec<usize>,
}

impl Write for Trickle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.slices_offered
            .push(bufs.iter().filter(|b| !b.is_empty()).count());
        let mut budget = self.max_per_call;
        for buf in bufs {
            let n = buf.len().min(budget);
            self.out.extend_from_slice(&buf[..n]);
            budget -= n;
        }
        Ok(self.max_per_call - budget)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn frame_writer_writes_header_and_payload_vectored_and_round_trips() {
    for case in cases().into_iter().filter(|c| c.encodes) {
        for max_per_call in [1, 3, usize::MAX] {
            let sink = Trickle {
                out: Vec::new(),
                max_per_call,
                slices_offered: Vec::new(),
            };
            let mut writer = FrameWriter::new(sink, case.framing);
            for f in &case.frames {
                writer.write_frame(&f.payload).unwrap();
            }
            let sink = writer.into_inner().unwrap();
            assert_eq!(sink.out, case.stream, "{}", case.name);
            if max_per_call == usize::MAX {
                // One call per frame: the header and a non-empty payload together.
                let expected: Vec<usize> = case
                    .frames
                    .iter()
                    .map(|f| 1 + usize::from(!f.payload.is_empty()))
                    .collect();
                assert_eq!(sink.slices_offered, expected, "{}", case.name);
            }
            let mut reader = FrameReader::new(&sink.out[..], case.framing);
            let frames: Vec<_> = reader.frames().map(Result::unwrap).collect();
            assert_eq!(frames, case.frames, "{}", case.name);
        }
    }
}

#[test]
fn frame_writer_changes_the_header_fields_per_frame() {
    let framing = LengthField::builder()
        .length_field_offset(1)
        .length_field_length(2)
        .build()
        .unwrap();
    let mut writer = FrameWriter::new(Vec::new(), framing);
    // No type byte given: refused before anything is written.
    let error = writer.write_frame(b"x").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(matches!(
        frame_error(&error),
        Some(Error::CannotEncode { .. })
    ));
    for (kind, payload) in [(1u8, &b"ping"[..]), (2, b"pong")] {
        writer
            .encoder_mut()
            .set_header_fields(&[kind], b"")
            .unwrap();
        writer.write_frame(payload).unwrap();
    }
    assert_eq!(writer.get_ref(), b"\x01\x00\x04ping\x02\x00\x04pong");
}

#[test]
fn datagrams_hold_exactly_one_frame_in_every_layout() {
    for case in cases() {
        let mut framer = DatagramFramer::new(case.framing);
        for (i, f) in case.frames.iter().enumerate() {
            let wire = [&f.header[..], &f.payload].concat();
            if case.encodes {
                assert_eq!(
                    framer.encode(&f.payload).unwrap(),
                    &wire[..],
                    "{}",
                    case.name
                );
            }
            let got = framer.decode(&wire).unwrap();
            assert_eq!(
                (*got.header(), got.payload()),
                (&f.header[..], &f.payload[..]),
                "{} frame {i}",
                case.name
            );
            let padded = [&wire[..], b"!"].concat();
            let error = framer.decode(&padded).unwrap_err();
            let padded_error = error
                .get_ref()
                .and_then(|e| e.downcast_ref::<DatagramError>());
            assert_eq!(
                padded_error,
                Some(&DatagramError::Padded {
                    datagram_len: wire.len() + 1,
                    frame_len: wire.len()
                }),
                "{}",
                case.name
            );
            let truncated = framer.decode(&wire[..wire.len() - 1]).unwrap_err();
            let truncated_error = truncated
                .get_ref()
                .and_then(|e| e.downcast_ref::<DatagramError>());
            assert!(
                matches!(truncated_error, Some(DatagramError::Truncated { .. })),
                "{}: {truncated:?}",
                case.name
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The documented examples.

#[test]
fn tokio_utils_documented_examples_decode_as_tokio_util_decodes_them() {
    // (builder, input, decoded), from tokio-util's `length_delimited` docs.
    let examples: [(LengthFieldBuilder, &[u8], &[u8]); 7] = [
        (
            LengthField::builder()
                .length_field_offset(0)
                .length_field_type::<u16>()
                .length_adjustment(0)
                .clone(),
            b"\x00\x0BHello world",
            b"Hello world",
        ),
        (
            LengthField::builder()
                .length_field_offset(0)
                .length_field_type::<u16>()
                .length_adjustment(2)
                .num_skip(0)
                .clone(),
            b"\x00\x0BHello world",
            b"\x00\x0BHello world",
        ),
        (
            LengthField::builder()
                .length_field_offset(0)
                .length_field_type::<u16>()
                .length_adjustment(-2)
                .clone(),
            b"\x00\x0DHello world",
            b"Hello world",
        ),
        (
            LengthField::builder()
                .length_field_offset(0)
                .length_field_length(3)
                .length_adjustment(3 + 2)
                .num_skip(0)
                .clone(),
            b"\x00\x00\x0B\xCA\xFEHello world",
            b"\x00\x00\x0B\xCA\xFEHello world",
        ),
        (
            LengthField::builder()
                .length_field_offset(1)
                .length_field_type::<u16>()
                .length_adjustment(1)
                .num_skip(3)
                .clone(),
            b"\xCA\x00\x0B\xFEHello world",
            b"\xFEHello world",
        ),
        (
            LengthField::builder()
                .length_field_offset(1)
                .length_field_type::<u16>()
                .length_adjustment(-3)
                .num_skip(3)
                .clone(),
            b"\xCA\x00\x0F\xFEHello world",
            b"\xFEHello world",
        ),
        (
            LengthField::builder()
                .length_field_offset(0)
                .length_field_length(3)
                .length_adjustment(0)
                .num_skip(4)
                .clone(),
            b"\x00\x00\x0B\xFFHello world",
            b"Hello world",
        ),
    ];
    for (i, (builder, input, decoded)) in examples.into_iter().enumerate() {
        let framing = builder.build().unwrap();
        let header = &input[..input.len() - decoded.len()];
        for split in every_split(input) {
            assert_eq!(
                all_apis(&framing, Limits::new(), input, &split),
                (vec![frame(header, decoded)], Ok(())),
                "tokio-util example {}",
                i + 1
            );
        }
    }
}

/// netty's parameters: offset, length, adjustment, initialBytesToStrip;
/// then the bytes before and after decoding.
type NettyExample = (usize, usize, isize, usize, &'static [u8], &'static [u8]);

#[test]
fn nettys_documented_examples_decode_as_netty_decodes_them() {
    let examples: [NettyExample; 7] = [
        (0, 2, 0, 0, b"\x00\x0CHELLO, WORLD", b"\x00\x0CHELLO, WORLD"),
        (0, 2, 0, 2, b"\x00\x0CHELLO, WORLD", b"HELLO, WORLD"),
        (
            0,
            2,
            -2,
            0,
            b"\x00\x0EHELLO, WORLD",
            b"\x00\x0EHELLO, WORLD",
        ),
        (
            2,
            3,
            0,
            0,
            b"\xCA\xFE\x00\x00\x0CHELLO, WORLD",
            b"\xCA\xFE\x00\x00\x0CHELLO, WORLD",
        ),
        (
            0,
            3,
            2,
            0,
            b"\x00\x00\x0C\xCA\xFEHELLO, WORLD",
            b"\x00\x00\x0C\xCA\xFEHELLO, WORLD",
        ),
        (
            1,
            2,
            1,
            3,
            b"\xCA\x00\x0C\xFEHELLO, WORLD",
            b"\xFEHELLO, WORLD",
        ),
        (
            1,
            2,
            -3,
            3,
            b"\xCA\x00\x10\xFEHELLO, WORLD",
            b"\xFEHELLO, WORLD",
        ),
    ];
    for (i, (offset, length, adjustment, strip, before, after)) in examples.into_iter().enumerate()
    {
        let netty = LengthField::builder()
            .length_field_offset(offset)
            .length_field_length(length)
            .length_adjustment(adjustment)
            .initial_bytes_to_strip(strip)
            .build()
            .unwrap();
        // tokio-util's spelling of the same layout.
        let tokio = LengthField::builder()
            .length_field_offset(offset)
            .length_field_length(length)
            .length_adjustment(adjustment + (offset + length) as isize - strip as isize)
            .num_skip(strip)
            .build()
            .unwrap();
        for framing in [netty, tokio] {
            for split in every_split(before) {
                assert_eq!(
                    all_apis(&framing, Limits::new(), before, &split),
                    (vec![frame(&before[..strip], after)], Ok(())),
                    "netty example {}",
                    i + 1
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Errors, with their offsets.

/// Runs `stream` through every API under every split: all must agree.
fn outcome_under_every_split(
    framing: LengthField,
    limits: Limits,
    stream: &[u8],
) -> Outcome<HeaderBytes> {
    let whole = all_apis(&framing, limits, stream, &Split::whole());
    for split in every_split(stream) {
        assert_eq!(all_apis(&framing, limits, stream, &split), whole, "{split}");
    }
    whole
}

#[test]
fn a_length_that_adjusts_below_zero_is_negative_at_its_frame() {
    let framing = LengthField::builder()
        .length_field_length(2)
        .length_adjustment(-5)
        .build()
        .unwrap();
    // 7 - 5 = 2 payload bytes, then 3 - 5 = -2 at offset 4.
    let stream = b"\x00\x07ab\x00\x03xyz";
    assert_eq!(
        outcome_under_every_split(framing, Limits::new(), stream),
        (
            vec![frame(b"\x00\x07", b"ab")],
            Err(Error::NegativeLength {
                offset: 4,
                length: -2
            })
        )
    );
}

#[test]
fn a_negative_signed_field_is_negative_even_if_the_adjustment_would_lift_it() {
    let framing = LengthField::builder()
        .signed()
        .length_adjustment(6)
        .build()
        .unwrap();
    let stream = b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xFF\xFF\xFF\xFE";
    assert_eq!(
        outcome_under_every_split(framing, Limits::new(), stream),
        (
            vec![frame(b"\0\0\0\0", b"\0\0\0\0\0\0")],
            Err(Error::NegativeLength {
                offset: 10,
                length: -2
            })
        )
    );
}

#[test]
fn a_frame_ending_inside_its_header_is_refused_at_the_length_field() {
    // num_skip 0: the frame is field + 0 bytes, and 1 byte cannot hold the
    // 2-byte field. tokio-util would hand out one byte and read the next
    // frame from inside this one.
    let tokio = LengthField::builder()
        .length_field_offset(1)
        .length_field_length(2)
        .num_skip(0)
        .build()
        .unwrap();
    let (frames, end) =
        outcome_under_every_split(tokio, Limits::new(), b"\x07\x00\x05ab\x07\x00\x02");
    assert_eq!(frames, [frame(b"", b"\x07\x00\x05ab")]);
    match end {
        Err(Error::InvalidHeader { offset: 6, reason }) => {
            assert!(reason.contains("length 2"), "{reason}");
            assert!(reason.contains("3-byte header"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    // netty: 4 bytes stripped from a frame of 2 + 1 bytes.
    let netty = LengthField::builder()
        .length_field_length(2)
        .initial_bytes_to_strip(4)
        .build()
        .unwrap();
    let (frames, end) = outcome_under_every_split(netty, Limits::new(), b"\x00\x02ab\x00\x01x");
    assert_eq!(frames, [frame(b"\x00\x02ab", b"")]);
    assert!(
        matches!(end, Err(Error::InvalidHeader { offset: 4, .. })),
        "{end:?}"
    );
}

#[test]
fn max_frame_length_bounds_the_adjusted_length_in_every_api() {
    let over_after = LengthField::builder()
        .length_field_length(1)
        .length_adjustment(3)
        .max_frame_length(10)
        .build()
        .unwrap();
    // Field 7 + 3 = 10: at the limit. Field 8 + 3 = 11: over it, though the
    // field alone is within it.
    let at_limit = [&[7u8][..], &[b'x'; 10]].concat();
    let stream = [&at_limit[..], &[8]].concat();
    assert_eq!(
        outcome_under_every_split(over_after, Limits::new(), &stream),
        (
            vec![frame(&[7], &[b'x'; 10])],
            Err(Error::FrameTooLong {
                offset: 11,
                length: 11,
                limit: 10
            })
        )
    );
    // A field over the limit that adjusts within it is accepted.
    let within_after = LengthField::builder()
        .length_field_length(1)
        .length_adjustment(-3)
        .max_frame_length(10)
        .build()
        .unwrap();
    let stream = [&[13u8][..], &[b'y'; 10]].concat();
    assert_eq!(
        outcome_under_every_split(within_after, Limits::new(), &stream),
        (vec![frame(&[13], &[b'y'; 10])], Ok(()))
    );
    // Streamed bodies too, which `Limits::max_frame` does not bound.
    let mut decoder = Decoder::new(over_after);
    assert_eq!(
        decoder.decode_event(&[8]),
        Err(Error::FrameTooLong {
            offset: 0,
            length: 11,
            limit: 10
        })
    );
    let mut reader = FrameReader::new(&[8u8, 0, 0][..], over_after);
    let error = reader.read_header().unwrap_err();
    assert!(matches!(
        frame_error(&error),
        Some(Error::FrameTooLong { length: 11, .. })
    ));
}

#[test]
fn max_frame_length_holds_on_tokio_utils_default_layout_too() {
    // The layout decoded with one 4-byte load still checks the limit.
    let framing = LengthField::builder().max_frame_length(10).build().unwrap();
    let stream = b"\0\0\0\x0a0123456789\0\0\0\x0b";
    assert_eq!(
        outcome_under_every_split(framing, Limits::new(), stream),
        (
            vec![frame(b"\0\0\0\x0a", b"0123456789")],
            Err(Error::FrameTooLong {
                offset: 14,
                length: 11,
                limit: 10
            })
        )
    );
    assert_eq!(
        framing.encode_header(11),
        Err(Error::PayloadTooLong {
            length: 11,
            max: 10
        })
    );
}

#[test]
fn the_decoders_limit_is_checked_on_the_adjusted_length_too() {
    let limits = Limits::new().max_frame(10);
    let plus_three = LengthField::builder()
        .length_field_length(1)
        .length_adjustment(3)
        .build()
        .unwrap();
    assert_eq!(
        outcome_under_every_split(plus_three, limits.max_streamed_body(10), &[8]),
        (
            vec![],
            Err(Error::FrameTooLong {
                offset: 0,
                length: 11,
                limit: 10
            })
        )
    );
    let minus_three = LengthField::builder()
        .length_field_length(1)
        .length_adjustment(-3)
        .build()
        .unwrap();
    let stream = [&[13u8][..], &[b'z'; 10]].concat();
    assert_eq!(
        outcome_under_every_split(minus_three, limits.max_streamed_body(10), &stream),
        (vec![frame(&[13], &[b'z'; 10])], Ok(()))
    );
}

#[test]
fn a_huge_announcement_is_refused_before_anything_is_reserved() {
    let mut buffer = FrameBuffer::new(Decoder::new(LengthField::new()));
    buffer.push(b"\xFF\xFF\xFF\xFF");
    assert_eq!(
        buffer.next_frame().map(|f| f.is_some()),
        Err(Error::FrameTooLong {
            offset: 0,
            length: u32::MAX as u64,
            limit: Limits::DEFAULT_MAX_FRAME
        })
    );
    assert!(buffer.capacity() < 1 << 16, "{}", buffer.capacity());
}

#[test]
fn a_stream_cut_short_says_how_many_bytes_were_missing() {
    let framing = LengthField::builder()
        .length_field_offset(1)
        .length_field_length(2)
        .num_skip(4)
        .build()
        .unwrap();
    // Header: type byte, length 5, one more byte; payload "hello".
    let wire = b"\x01\x00\x05\xEEhello";
    for (cut, needed) in [
        (1, Needed::at_least(2)),
        (2, Needed::at_least(1)),
        // The length is known, but the header's 4th byte is not here.
        (3, Needed::at_least(1)),
        (4, Needed::exact(5)),
        (7, Needed::exact(2)),
        (8, Needed::exact(1)),
    ] {
        let (frames, end) = outcome_under_every_split(framing, Limits::new(), &wire[..cut]);
        assert_eq!(
            (frames, end),
            (
                vec![],
                Err(Error::UnexpectedEof {
                    offset: cut as u64,
                    needed
                })
            ),
            "cut at {cut}"
        );
        let one_byte = Split::bytewise();
        let mut reader = FrameReader::new(ScriptedReader::new(&wire[..cut], &one_byte), framing);
        let error = reader.read_frame().unwrap_err();
        assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
        assert_eq!(
            frame_error(&error),
            Some(&Error::UnexpectedEof {
                offset: cut as u64,
                needed
            })
        );
    }
}

#[test]
fn errors_are_sticky_until_reset() {
    let framing = LengthField::builder()
        .length_field_length(2)
        .length_adjustment(-3)
        .build()
        .unwrap();
    let mut decoder = Decoder::new(framing);
    let negative = Err(Error::NegativeLength {
        offset: 0,
        length: -2,
    });
    assert_eq!(decoder.decode(b"\x00\x01").map(|_| ()), negative);
    assert_eq!(decoder.decode(b"\x00\x05ab").map(|_| ()), negative);
    assert_eq!(decoder.decode_event(b"\x00\x05ab").map(|_| ()), negative);
    assert_eq!(decoder.finish(b"").map(|_| ()), negative);
    decoder.reset();
    let Status::Complete((f, used)) = decoder.decode(b"\x00\x05ab").unwrap() else {
        panic!("a whole frame");
    };
    assert_eq!((f.payload(), used), (&b"ab"[..], 4));
}

// ---------------------------------------------------------------------------
// Configurations refused.

fn refused(builder: &LengthFieldBuilder) -> &'static str {
    match builder.build() {
        Err(ConfigError::InvalidOption { option, reason }) => {
            assert!(!reason.is_empty());
            option
        }
        other => panic!("{builder:?} built: {other:?}"),
    }
}

#[test]
fn impossible_configurations_name_their_option() {
    assert_eq!(
        refused(LengthField::builder().length_field_length(0)),
        "length_field_length"
    );
    assert_eq!(
        refused(LengthField::builder().length_field_length(9)),
        "length_field_length"
    );
    assert_eq!(
        refused(LengthField::builder().length_field_offset(usize::MAX)),
        "length_field_offset"
    );
    assert_eq!(
        refused(LengthField::builder().num_skip(2).initial_bytes_to_strip(2)),
        "initial_bytes_to_strip"
    );
    assert_eq!(
        refused(LengthField::builder().num_skip(usize::MAX)),
        "num_skip"
    );
    assert_eq!(
        refused(LengthField::builder().initial_bytes_to_strip(usize::MAX)),
        "initial_bytes_to_strip"
    );
    // A 1-byte field holds at most 255: every length adjusts below zero.
    assert_eq!(
        refused(
            LengthField::builder()
                .length_field_length(1)
                .length_adjustment(-256)
        ),
        "length_adjustment"
    );
    assert!(LengthField::builder()
        .length_field_length(1)
        .length_adjustment(-255)
        .build()
        .is_ok());
    // Header fields of the wrong sizes, or with nowhere to go.
    assert_eq!(
        refused(
            LengthField::builder()
                .length_field_offset(1)
                .header_fields(b"", b"")
        ),
        "header_fields"
    );
    assert_eq!(
        refused(LengthField::builder().num_skip(5).header_fields(b"", b"")),
        "header_fields"
    );
    assert_eq!(
        refused(LengthField::builder().num_skip(0).header_fields(b"", b"")),
        "header_fields"
    );
    assert_eq!(
        refused(
            LengthField::builder()
                .length_field_offset(30)
                .header_fields(&[0; 30], b"")
        ),
        "header_fields"
    );
    // Decoding such a header is fine; only the encoder is limited.
    assert!(LengthField::builder()
        .length_field_offset(1000)
        .build()
        .is_ok());
    // The largest header allowed is `isize::MAX` bytes, as for any slice.
    assert!(LengthField::builder()
        .num_skip(isize::MAX as usize)
        .build()
        .is_ok());
    assert_eq!(
        refused(LengthField::builder().num_skip(isize::MAX as usize + 1)),
        "num_skip"
    );
}

#[test]
fn the_getters_report_the_configuration() {
    let framing = LengthField::builder()
        .length_field_offset(1)
        .length_field_type::<u16>()
        .little_endian()
        .signed()
        .length_adjustment(-3)
        .length_includes_length_field_length(true)
        .initial_bytes_to_strip(5)
        .max_frame_length(99)
        .build()
        .unwrap();
    assert_eq!(framing.length_field_offset(), 1);
    assert_eq!(framing.length_field_length(), 2);
    assert_eq!(framing.endian(), Endian::Little);
    assert_eq!(framing.signedness(), Signedness::Signed);
    assert_eq!(framing.length_adjustment(), -3);
    assert!(framing.length_includes_length_field_length());
    assert_eq!(framing.num_skip(), 5);
    assert_eq!(framing.max_frame_length(), Some(99));
    let native = LengthField::builder().native_endian().build().unwrap();
    let expected = if cfg!(target_endian = "big") {
        Endian::Big
    } else {
        Endian::Little
    };
    assert_eq!(native.endian(), expected);
    assert_eq!(LengthField::default(), LengthField::new());
    assert_eq!(LengthField::new().max_frame_length(), None);
    assert_eq!(LengthField::new().num_skip(), 4);
    assert_eq!(LengthField::new().length_adjustment(), 0);
    // Each setter changes the builder it is called on (found by mutation
    // testing: `big_endian` could return another builder unnoticed, the
    // default being big-endian anyway).
    let mut builder = LengthField::builder();
    builder.little_endian();
    builder.big_endian();
    assert_eq!(builder.build().unwrap().endian(), Endian::Big);
}

// ---------------------------------------------------------------------------
// The encoder.

#[test]
fn the_default_encodes_as_tokio_utils_default() {
    assert_eq!(
        LengthField::new().encode_to_vec(b"hello world").unwrap(),
        b"\x00\x00\x00\x0bhello world"
    );
    assert_eq!(LengthField::new().max_encoded_len(), u32::MAX as u64);
}

#[test]
fn a_length_the_field_cannot_hold_is_refused_never_truncated() {
    let three = LengthField::builder()
        .length_field_length(3)
        .build()
        .unwrap();
    assert_eq!(
        three.encode_header(1 << 24),
        Err(Error::PayloadTooLong {
            length: 1 << 24,
            max: (1 << 24) - 1
        })
    );
    assert_eq!(
        three.encode_header((1 << 24) - 1).unwrap().as_bytes(),
        b"\xFF\xFF\xFF"
    );
    // Counting itself, the field leaves 3 bytes less for the payload.
    let counting = LengthField::builder()
        .length_field_length(3)
        .length_includes_length_field_length(true)
        .build()
        .unwrap();
    assert_eq!(
        counting.encode_header((1 << 24) - 3),
        Err(Error::PayloadTooLong {
            length: (1 << 24) - 3,
            max: (1 << 24) - 4
        })
    );
    assert_eq!(
        counting.encode_header(5).unwrap().as_bytes(),
        b"\x00\x00\x08"
    );
    let signed = LengthField::builder()
        .length_field_length(1)
        .signed()
        .build()
        .unwrap();
    assert_eq!(
        signed.encode_header(128),
        Err(Error::PayloadTooLong {
            length: 128,
            max: 127
        })
    );
    let capped = LengthField::builder()
        .max_frame_length(100)
        .build()
        .unwrap();
    assert_eq!(
        capped.encode_header(101),
        Err(Error::PayloadTooLong {
            length: 101,
            max: 100
        })
    );
    assert_eq!(capped.encode_header(100).unwrap().as_bytes(), b"\0\0\0\x64");
}

#[test]
fn wide_and_odd_fields_encode_their_largest_value_in_both_orders() {
    for width in 1..=8usize {
        for little in [false, true] {
            let mut builder = LengthField::builder();
            builder.length_field_length(width);
            if little {
                builder.little_endian();
            }
            let framing = builder.build().unwrap();
            let max = if width == 8 {
                u64::MAX
            } else {
                (1 << (8 * width)) - 1
            };
            let len = usize::try_from(max).unwrap_or(usize::MAX);
            assert_eq!(framing.max_encoded_len(), max);
            let header = framing.encode_header(len).unwrap();
            assert_eq!(header.len(), width);
            // 0x0102... shows the byte order.
            let value: u64 = (1..=width as u64).fold(0, |v, b| v << 8 | b);
            let header = framing.encode_header(value as usize).unwrap();
            let mut expected: Vec<u8> = (1..=width as u8).collect();
            if little {
                expected.reverse();
            }
            assert_eq!(&header[..], &expected[..], "width {width}, little {little}");
            let mut decoder = Decoder::with_limits(framing, Limits::new().max_frame(u64::MAX));
            match decoder.decode(&header).unwrap() {
                Status::Partial(needed) => assert_eq!(needed, Needed::exact(value as usize)),
                Status::Complete(_) => panic!("width {width}: a payload is due"),
            }
        }
    }
}

#[test]
fn a_payload_shorter_than_the_adjustment_allows_cannot_be_encoded() {
    // The length counts 5 header bytes that are part of the payload.
    let framing = LengthField::builder().length_adjustment(5).build().unwrap();
    match framing.encode_header(3) {
        Err(Error::CannotEncode { reason }) => assert!(reason.contains("-2"), "{reason}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(framing.encode_header(5).unwrap().as_bytes(), b"\0\0\0\0");
}

#[test]
fn header_bytes_besides_the_field_are_the_callers() {
    let typed = LengthField::builder()
        .length_field_offset(1)
        .length_field_length(2)
        .num_skip(4)
        .build()
        .unwrap();
    assert!(matches!(
        typed.encode_header(3),
        Err(Error::CannotEncode { .. })
    ));
    assert_eq!(
        typed
            .encode_header_with(b"\x07", b"\xEE", 3)
            .unwrap()
            .as_bytes(),
        b"\x07\x00\x03\xEE"
    );
    for (before, after) in [
        (&b""[..], &b"\xEE"[..]),
        (b"\x07", b""),
        (b"\x07", b"\xEE\xEE"),
    ] {
        assert!(
            matches!(
                typed.encode_header_with(before, after, 3),
                Err(Error::CannotEncode { .. })
            ),
            "{before:?} {after:?}"
        );
    }
    let mut typed = typed;
    typed.set_header_fields(b"\x07", b"\xEE").unwrap();
    assert_eq!(typed.encode_to_vec(b"abc").unwrap(), b"\x07\x00\x03\xEEabc");
    assert!(typed.set_header_fields(b"", b"").is_err());
    // The field inside the payload: the payload's to write.
    let whole = LengthField::builder().num_skip(0).build().unwrap();
    match whole.encode_header(3) {
        Err(Error::CannotEncode { reason }) => assert!(reason.contains("payload"), "{reason}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn netty_style_length_includes_its_own_field_in_both_directions() {
    // LengthFieldPrepender(2, true) with LengthFieldBasedFrameDecoder(_, 0, 2, -2, 2).
    let framing = LengthField::builder()
        .length_field_length(2)
        .length_includes_length_field_length(true)
        .build()
        .unwrap();
    let wire = framing.encode_to_vec(b"HELLO, WORLD").unwrap();
    assert_eq!(wire, b"\x00\x0EHELLO, WORLD");
    let netty = LengthField::builder()
        .length_field_length(2)
        .length_adjustment(-2)
        .initial_bytes_to_strip(2)
        .build()
        .unwrap();
    for decoding in [framing, netty] {
        assert_eq!(
            all_apis(&decoding, Limits::new(), &wire, &Split::whole()),
            (vec![frame(b"\x00\x0E", b"HELLO, WORLD")], Ok(()))
        );
    }
}

// ---------------------------------------------------------------------------
// Properties, against a model of tokio-util's and netty's formulas.

// The model is the fuzz target's (fuzz/src/framing_models.rs, one copy);
// the other framings' models are unused here.
#[allow(dead_code)]
#[path = "../fuzz/src/framing_models.rs"]
mod framing_models;

use framing_models::{Dropped, Layout};

/// The model: decodes `stream` frame by frame with tokio-util's and netty's
/// formulas, as the decoders must, errors and all (`InvalidHeader`'s
/// reason aside), with `limit` on payloads (both limits).
fn model_decode(layout: &Layout, stream: &[u8], limit: u64) -> Outcome<HeaderBytes> {
    let limits = Limits::new().max_frame(limit).max_streamed_body(limit);
    let outcome =
        framing_models::length_field_model(layout, &limits, stream, framing_models::Api::Whole);
    let frames = outcome
        .frames
        .iter()
        .map(|taken| frame(&taken.header, &taken.payload))
        .collect();
    let end = outcome.end.map_err(|want| match want {
        framing_models::Want::Exactly(Error::InvalidHeader { offset, .. }) => {
            Error::invalid_header(offset, "")
        }
        framing_models::Want::Exactly(error) => error,
        other => panic!("the model expects {other:?}: not for LengthField"),
    });
    (frames, end)
}

/// `InvalidHeader`'s reason is prose: compared by offset only.
fn without_reasons(outcome: Outcome<HeaderBytes>) -> Outcome<HeaderBytes> {
    let (frames, end) = outcome;
    let end = end.map_err(|e| match e {
        Error::InvalidHeader { offset, .. } => Error::invalid_header(offset, ""),
        other => other,
    });
    (frames, end)
}

fn raw_layouts() -> impl Strategy<Value = Layout> {
    let dropped_by = prop_oneof![
        2 => Just(Dropped::Default),
        1 => (0usize..12).prop_map(Dropped::NumSkip),
        1 => (0usize..12).prop_map(Dropped::Strip),
    ];
    // Weighted toward tokio-util's default, whose layout has a fast path.
    (
        prop_oneof![Just(0usize), 0usize..4],
        prop_oneof![Just(4usize), 1usize..=8],
        any::<bool>(),
        any::<bool>(),
        prop_oneof![Just(0i64), -12i64..12],
        dropped_by,
        any::<bool>(),
        proptest::option::of(0usize..64),
    )
        .prop_map(
            |(offset, width, big, signed, adjustment, dropped_by, includes, max)| Layout {
                offset,
                width,
                endian: if big { Endian::Big } else { Endian::Little },
                signed,
                adjustment,
                dropped_by,
                includes,
                max,
            },
        )
}

fn built(layout: Layout) -> Option<(Layout, LengthField)> {
    Some((layout, layout.builder().build().ok()?))
}

/// Every layout that builds.
fn layouts() -> impl Strategy<Value = (Layout, LengthField)> {
    raw_layouts().prop_filter_map("an impossible configuration", built)
}

/// Layouts whose header (every byte up to the payload) the encoder writes:
/// the bytes dropped reach past the length field.
fn encodable_layouts() -> impl Strategy<Value = (Layout, LengthField)> {
    raw_layouts()
        .prop_map(|mut layout| {
            let end = layout.field_end();
            layout.dropped_by = match layout.dropped_by {
                Dropped::Default => Dropped::Default,
                Dropped::NumSkip(n) => Dropped::NumSkip(end + n % 4),
                Dropped::Strip(n) => Dropped::Strip(end + n % 4),
            };
            layout
        })
        .prop_filter_map("an impossible configuration", built)
}

/// Valid frames for `layout`: payload lengths the field can announce
/// within the limits, the rest of each frame random.
fn valid_stream(
    layout: &Layout,
    lengths: &[usize],
    filler: &[u8],
    limit: u64,
) -> (Vec<u8>, Vec<Owned>) {
    let mut stream = Vec::new();
    let mut frames = Vec::new();
    let dropped = layout.dropped();
    for (i, &payload) in lengths.iter().enumerate() {
        let frame_len = dropped + payload;
        let field = layout.field_for(payload);
        let fits_limits = payload as u64 <= limit && layout.max.is_none_or(|m| payload <= m);
        if frame_len < layout.field_end()
            || !(0..=layout.field_max()).contains(&field)
            || !fits_limits
        {
            continue;
        }
        let mut bytes: Vec<u8> = (0..frame_len)
            .map(|j| filler[(i * 7 + j) % filler.len()])
            .collect();
        layout.write_field(field, &mut bytes);
        frames.push(frame(&bytes[..dropped], &bytes[dropped..]));
        stream.extend_from_slice(&bytes);
    }
    (stream, frames)
}

fn config(cases: u32) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = cases;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(
        "proptest-regressions/length_field.txt",
    )));
    config
}

fn cuts() -> impl Strategy<Value = Vec<usize>> {
    vec(0usize..400, 0..6).prop_map(|mut cuts| {
        cuts.sort_unstable();
        cuts
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// Encoded with the framing, decoded by every API under a random split:
    /// the payloads and headers come back.
    #[test]
    fn encoded_frames_decode_back_under_any_split(
        (layout, framing) in encodable_layouts(),
        payloads in vec(vec(any::<u8>(), 0..48), 0..5),
        fields in vec(any::<u8>(), 0..16),
        cuts in cuts(),
    ) {
        let dropped = layout.dropped();
        let field_byte = |i: usize| fields.get(i).copied().unwrap_or(0xAA);
        let before: Vec<u8> = (0..layout.offset).map(field_byte).collect();
        let after: Vec<u8> = (layout.field_end()..dropped).map(field_byte).collect();
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        for payload in &payloads {
            match framing.encode_header_with(&before, &after, payload.len()) {
                Ok(header) => {
                    prop_assert_eq!(header.len(), dropped);
                    prop_assert_eq!(&header[..layout.offset], &before[..]);
                    prop_assert_eq!(&header[layout.field_end()..], &after[..]);
                    expected.push(frame(&header, payload));
                    stream.extend_from_slice(&header);
                    stream.extend_from_slice(payload);
                }
                Err(Error::PayloadTooLong { length, max }) => {
                    prop_assert_eq!(length, payload.len() as u64);
                    prop_assert!(length > max);
                    prop_assert_eq!(max, framing.max_encoded_len());
                }
                // Shorter than the adjustment allows: the field would be negative.
                Err(Error::CannotEncode { .. }) => {
                    prop_assert!(layout.field_for(payload.len()) < 0);
                }
                Err(other) => prop_assert!(false, "{other:?}"),
            }
        }
        let mut with_fields = framing;
        with_fields.set_header_fields(&before, &after).unwrap();
        let encodable = payloads.iter().filter(|p| with_fields.encode_header(p.len()).is_ok());
        for (f, payload) in expected.iter().zip(encodable) {
            let whole = [&f.header[..], &f.payload].concat();
            prop_assert_eq!(with_fields.encode_to_vec(payload).unwrap(), whole);
        }
        let limits = Limits::new().max_frame(u64::MAX);
        let outcome = all_apis(&framing, limits, &stream, &Split::at(&cuts));
        prop_assert_eq!(&outcome, &(expected, Ok(())));
        prop_assert_eq!(without_reasons(outcome), model_decode(&layout, &stream, u64::MAX));
    }

    /// Streams of valid frames written by the model, any layout (the field
    /// in the payload too): every API and the model agree on them, whole
    /// and cut short.
    #[test]
    fn valid_streams_agree_with_the_model(
        (layout, framing) in layouts(),
        lengths in vec(0usize..40, 0..6),
        filler in vec(any::<u8>(), 1..64),
        cuts in cuts(),
        keep in any::<prop::sample::Index>(),
    ) {
        let limit = 32;
        let limits = Limits::new().max_frame(limit).max_streamed_body(limit);
        let (stream, expected) = valid_stream(&layout, &lengths, &filler, limit);
        let outcome = all_apis(&framing, limits, &stream, &Split::at(&cuts));
        prop_assert_eq!(&outcome, &(expected, Ok(())));
        prop_assert_eq!(&outcome, &model_decode(&layout, &stream, limit));
        let cut_short = &stream[..keep.index(stream.len() + 1)];
        let outcome = all_apis(&framing, limits, cut_short, &Split::at(&cuts));
        prop_assert_eq!(without_reasons(outcome), model_decode(&layout, cut_short, limit));
    }

    /// Junk never panics, every API and the model agree on it, and an
    /// error stays.
    #[test]
    fn junk_agrees_with_the_model_and_errors_are_sticky(
        (layout, framing) in layouts(),
        junk in vec(any::<u8>(), 0..96),
        limit in prop_oneof![Just(0u64), 0u64..64, Just(u64::MAX)],
        cuts in cuts(),
    ) {
        let limits = Limits::new().max_frame(limit).max_streamed_body(limit);
        let outcome = all_apis(&framing, limits, &junk, &Split::at(&cuts));
        prop_assert_eq!(without_reasons(outcome.clone()), model_decode(&layout, &junk, limit));
        // The test kit checked on the way that every API, `Decoder::decode`
        // frame by frame over the whole stream first, ends with the same
        // error, and that it stays: asked again, by `decode`, `poll_frame`,
        // `decode_event`, `skip_frames`, `finish`, and by a `FrameBuffer`
        // and a `FrameReader`.
    }
}
