//! Properties of whole streams, for every framing in every configuration,
//! through every decoding API (`Decoder`, `FrameBuffer`, `FrameReader`,
//! datagrams, driven by `sockframe::testing`):
//!
//! - however the stream is cut, the frames out are the frames in, and the
//!   consumed counts add up to the stream length;
//! - a frame over a limit is refused at its header whatever the split, the
//!   frames before it all delivered, and memory stays within the limit plus
//!   the largest piece;
//! - a length a peer announces reserves no memory;
//! - every strict prefix of a stream yields its whole frames, then the
//!   end-of-stream error with the exact number of bytes missing.
//!
//! The kit also checks every call's own promises (see `sockframe::testing`),
//! and what the APIs yield agrees with the model decoder
//! (`fuzz/src/model.rs`), wherever the stream could end. And the kit's
//! own round trip holds over every built-in framing, the issue-10 ones
//! included, in every configuration its strategies generate.
#![cfg(all(feature = "proptest", feature = "json"))]

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;
mod prop_common;

use proptest::collection::vec;
use proptest::prelude::*;
use serde_json::{Map, Value};
use sockframe::testing::{any_framing, narrow_payloads, payloads};
use sockframe::{Encode, Error, Limits};

use prop_common::*;

const REGRESSIONS: &str = "proptest-regressions/prop_stream.txt";

type Frames = Vec<(Vec<u8>, Map<String, Value>)>;

/// A framing, limits its frames fit, and up to `max_frames` frames of up to
/// `typical` bytes (and some of the largest size the header allows, up to
/// `largest`).
fn stream_case(
    typical: usize,
    largest: u64,
    max_frames: usize,
) -> impl Strategy<Value = (AnyFraming, Limits, Frames)> {
    framing().prop_flat_map(move |framing| {
        let cap = max_payload(&framing).min(largest) as usize;
        let frames = vec((payload(cap, typical), fields()), 0..max_frames);
        (Just(framing), roomy_limits(cap as u64), frames)
    })
}

/// A framing, a payload limit and a JSON header limit, and frames whose
/// lengths are within a few bytes of the payload limit.
fn near_limit_case() -> impl Strategy<Value = (AnyFraming, Limits, Frames)> {
    (
        framing(),
        0..=3000u64,
        prop_oneof![Just(Limits::DEFAULT_MAX_HEADER), 16..=96usize],
    )
        .prop_flat_map(|(framing, max_frame, max_header)| {
            let cap = max_payload(&framing).min(4000) as usize;
            let len =
                (0..7usize).prop_map(move |d| (max_frame as usize + d).saturating_sub(3).min(cap));
            let frame = (len.prop_flat_map(|n| vec(any::<u8>(), n)), fields());
            let limits = Limits::new().max_frame(max_frame).max_header(max_header);
            (Just(framing), Just(limits), vec(frame, 1..5))
        })
}

/// A framing and a payload limit of up to `cap` below the longest length
/// its header can announce: a length over the limit can always be sent,
/// so that deep runs reject nothing.
fn framing_and_limit_below_its_max(cap: u64) -> impl Strategy<Value = (AnyFraming, u64)> {
    framing().prop_flat_map(move |framing| {
        let max = max_payload(&framing).min(usize::MAX as u64);
        (Just(framing), 0..=cap.min(max - 1))
    })
}

/// A JSON prefix layout and a header limit of up to `cap` below the
/// longest text length it can announce.
fn prefix_and_limit_below_its_max(cap: usize) -> impl Strategy<Value = (sockframe::Binary, usize)> {
    binary().prop_flat_map(move |prefix| {
        let max = usize::try_from(prefix.max_len()).unwrap_or(usize::MAX);
        (Just(prefix), 0..=cap.min(max - 1))
    })
}

proptest! {
    #![proptest_config(config(256, REGRESSIONS))]

    #[test]
    fn frames_out_equal_frames_in_whatever_the_split(
        (framing, limits, frames) in stream_case(48, 2048, 7),
        split in splits(16_000),
    ) {
        with_framing!(&framing, |framing| {
            let sent = send(framing, &frames);
            let stream = wire(&sent);
            let expected = expected_outcome(&sent, &limits, stream.len());
            prop_assert_eq!(&expected.end, &End::Clean);
            prop_assert_eq!(expected.frames.len(), sent.len());
            for (frame, sent) in expected.frames.iter().zip(&sent) {
                prop_assert_eq!(&frame.payload[..], &sent.wire[sent.header_len..]);
            }
            prop_assert_eq!(check_stream(framing, limits, &stream, &split, &apart()), expected);
        });
    }

    #[test]
    fn announced_lengths_reserve_nothing(
        (framing, limit) in framing_and_limit_below_its_max(1000),
        excess in any::<u64>(),
        split in splits(16),
    ) {
        let max = max_payload(&framing).min(usize::MAX as u64);
        with_framing!(&framing, |framing| {
            let announced = limit + 1 + excess % (max - limit);
            let Ok(header) = framing.encode_header(announced as usize) else {
                // A JSON text too long for a 1-byte prefix.
                return Ok(());
            };
            let header = header.as_ref();
            let limits = Limits::new().max_frame(limit);
            let expected = Error::FrameTooLong { offset: 0, length: announced, limit };
            refused_at_header(framing, limits, header, &split, &expected)?;
        });
    }

    #[test]
    fn announced_json_headers_reserve_nothing(
        (prefix, limit) in prefix_and_limit_below_its_max(1000),
        excess in any::<u64>(),
        split in splits(16),
    ) {
        let max = prefix.max_len();
        let announced = limit as u64 + 1 + excess % (max - limit as u64);
        let header = prefix.encode_header(announced as usize).unwrap();
        let limits = Limits::new().max_header(limit);
        let expected = Error::HeaderTooLong { offset: 0, length: announced, limit: limit as u64 };
        let json = sockframe::Json::new().with_prefix(prefix);
        refused_at_header(&json, limits, &header, &split, &expected)?;
    }
}

/// A header that announces too much, cut as `split` says, through every
/// API: nothing is refused before the header is whole (the model of every
/// prefix, wherever the stream could end), then exactly `expected`; no
/// buffer grows with the length announced (the kit's memory checks: at
/// most its smallest allocation for these few bytes).
fn refused_at_header<S: Subject>(
    framing: &S,
    limits: Limits,
    header: &[u8],
    split: &Split,
    expected: &Error,
) -> Result<(), TestCaseError> {
    let outcome = check_stream(framing, limits, header, split, &apart());
    prop_assert!(outcome.frames.is_empty());
    prop_assert_eq!(
        &outcome.end,
        &End::Failed(model::Expected::Exactly(expected.clone()))
    );
    Ok(())
}

proptest! {
    #![proptest_config(config(64, REGRESSIONS))]

    #[test]
    fn limits_hold_whatever_the_split(
        (framing, limits, frames) in near_limit_case(),
        split in splits(16_000),
    ) {
        with_framing!(&framing, |framing| {
            let sent = send(framing, &frames);
            let stream = wire(&sent);
            let expected = expected_outcome(&sent, &limits, stream.len());
            // Spelled out: frames are delivered up to the first one over a
            // limit, which is refused with its offset, length and limit.
            let mut at = 0u64;
            for (i, frame) in sent.iter().enumerate() {
                let text_len = frame.json_text.as_ref().map_or(0, Vec::len);
                let refusal = if text_len > limits.max_header {
                    Some(Error::HeaderTooLong {
                        offset: at,
                        length: text_len as u64,
                        limit: limits.max_header as u64,
                    })
                } else if frame.payload_len as u64 > limits.max_frame {
                    Some(Error::FrameTooLong {
                        offset: at,
                        length: frame.payload_len as u64,
                        limit: limits.max_frame,
                    })
                } else {
                    None
                };
                if let Some(error) = refusal {
                    prop_assert_eq!(expected.frames.len(), i);
                    prop_assert_eq!(&expected.end, &End::Failed(model::Expected::Exactly(error)));
                    break;
                }
                at += frame.wire.len() as u64;
            }
            // Memory: checked by the kit on every push and every read.
            prop_assert_eq!(check_stream(framing, limits, &stream, &split, &apart()), expected);
        });
    }

    #[test]
    fn every_strict_prefix_yields_whole_frames_then_eof(
        (framing, limits, frames) in stream_case(12, 100, 4),
        split in splits(600),
    ) {
        with_framing!(&framing, |framing| {
            let sent = send(framing, &frames);
            let stream = wire(&sent);
            let layout = framing.layout();
            for cut in 0..stream.len() {
                let expected = expected_outcome(&sent, &limits, cut);
                // Spelled out: the frames that end by the cut, then a clean
                // end at a boundary, or the bytes missing: at least to the
                // end of the length prefix, then (JSON) of the header text,
                // exactly to the end of the frame once its length is known.
                let mut start = 0;
                let mut whole = 0;
                let mut end = End::Clean;
                for frame in &sent {
                    let frame_end = start + frame.wire.len();
                    if cut >= frame_end {
                        whole += 1;
                        start = frame_end;
                        continue;
                    }
                    if cut > start {
                        let prefix_end = start + frame.prefix_len;
                        let header_end = start + frame.header_len;
                        let needed = if cut < prefix_end {
                            at_least(prefix_end - cut)
                        } else if cut < header_end {
                            at_least(header_end - cut)
                        } else {
                            exactly(frame_end - cut)
                        };
                        end = End::Truncated { offset: cut as u64, needed };
                    }
                    break;
                }
                prop_assert_eq!(expected.frames.len(), whole);
                prop_assert_eq!(&expected.end, &end);
                let model = model::decode(&layout, &limits, &stream[..cut], model::Api::WholeFrames);
                prop_assert_eq!(&model, &expected);
            }
            // The decoders: at every prefix, where the stream ends after
            // each byte (the model of each prefix, held to by `check_stream`,
            // is the expectation above), and on prefixes of their own,
            // cut as the split says.
            prop_assert_eq!(
                check_stream(framing, limits, &stream, &Split::bytewise(), &apart()),
                expected_outcome(&sent, &limits, stream.len())
            );
            let step = stream.len().div_ceil(8).max(1);
            for cut in (0..stream.len()).step_by(step) {
                let expected = expected_outcome(&sent, &limits, cut);
                prop_assert_eq!(check_stream(framing, limits, &stream[..cut], &split, &apart()), expected);
            }
        });
    }
}

proptest! {
    #![proptest_config(config(128, REGRESSIONS))]

    /// The kit's own round trip (every API under the split, the encoder,
    /// the limits, junk after the frames) over every built-in framing in
    /// every configuration the kit generates: "a protocol over any
    /// sockframe framing".
    #[test]
    fn every_framing_round_trips_through_the_kit(
        framing in any_framing(),
        payloads in prop_oneof![payloads(6, 300), narrow_payloads(6, 40)],
        split in splits(2000),
    ) {
        framing.check_roundtrip(&payloads, &split);
    }
}
