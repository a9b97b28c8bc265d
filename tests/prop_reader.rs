//! Properties of the blocking `io::FrameReader` over a mock `Read` that
//! returns short reads, `Interrupted`, `WouldBlock` and `TimedOut` at random
//! points, for every framing in every configuration:
//!
//! - it yields the frames that went in, whether taken whole (`read_frame`),
//!   owned (`read_frame_owned`) or as a header and a streamed body
//!   (`read_body` into small buffers, `copy_body_to` a writer that takes a
//!   few bytes at a time);
//! - `WouldBlock` and `TimedOut` lose nothing: calling again resumes;
//! - the end of the stream, or the first error, is what the model decoder
//!   says, with the right `io::ErrorKind`, and an error is sticky;
//! - its buffer stays within the limit plus the read chunk.
//!
//! The checks are the `blocking_reader` fuzz target's own
//! (`check_reader_case` in `fuzz/src/lib.rs`: `sockframe::testing` takes
//! the frames in turn as the case says, with every other API beside, and
//! the model says what they must be); proptest generates the cases and
//! shrinks them.
#![cfg(all(feature = "testing", feature = "json"))]

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;
mod prop_common;

use proptest::collection::vec;
use proptest::prelude::*;

use fuzz_bodies::spec::{
    EndianSpec, FieldValue, FrameSpec, FramingSpec, KeySpec, LimitsSpec, PrefixSpec, ReadMode,
    ReadStep, WidthSpec,
};
use fuzz_bodies::{check_reader_case, ReaderCase, Tail};
use prop_common::config;

fn prefix() -> impl Strategy<Value = PrefixSpec> {
    let width = prop_oneof![
        Just(WidthSpec::One),
        Just(WidthSpec::Two),
        Just(WidthSpec::Four),
        Just(WidthSpec::Eight)
    ];
    let endian = prop_oneof![
        Just(EndianSpec::Little),
        Just(EndianSpec::Big),
        Just(EndianSpec::Native)
    ];
    (width, endian, any::<bool>()).prop_map(|(width, endian, signed)| PrefixSpec {
        width,
        endian,
        signed,
    })
}

fn framing() -> impl Strategy<Value = FramingSpec> {
    let key = prop_oneof![
        Just(KeySpec::DataSize),
        Just(KeySpec::FileSize),
        "[a-z_]{0,8}".prop_map(KeySpec::Other),
        "\\PC{0,3}".prop_map(KeySpec::Other),
    ];
    prop_oneof![
        any::<u8>().prop_map(|width| FramingSpec::Ascii { width }),
        prefix().prop_map(FramingSpec::Binary),
        (prefix(), key, any::<bool>()).prop_map(|(prefix, key, compact)| FramingSpec::Json {
            prefix,
            key,
            compact
        }),
    ]
}

/// Mostly the defaults; sometimes small enough to refuse frames.
fn limits() -> impl Strategy<Value = LimitsSpec> {
    let max_frame = prop_oneof![3 => Just(None), 1 => (0..=600u16).prop_map(Some)];
    let max_header = prop_oneof![3 => Just(None), 1 => (8..=128u16).prop_map(Some)];
    let max_streamed_body = prop_oneof![3 => Just(None), 1 => (0..=600u16).prop_map(Some)];
    (max_frame, max_header, max_streamed_body).prop_map(
        |(max_frame, max_header, max_streamed_body)| LimitsSpec {
            max_frame,
            max_header,
            max_streamed_body,
        },
    )
}

fn frame() -> impl Strategy<Value = FrameSpec> {
    let len = prop_oneof![1 => Just(0usize), 6 => 0..=40usize, 1 => 41..=700usize];
    let value = prop_oneof![
        Just(FieldValue::Null),
        any::<bool>().prop_map(FieldValue::Bool),
        any::<i64>().prop_map(FieldValue::Int),
        "\\PC{0,8}".prop_map(FieldValue::Text),
        vec("[a-z]{0,3}", 0..3).prop_map(FieldValue::List),
    ];
    (
        len.prop_flat_map(|n| vec(any::<u8>(), n)),
        vec(("[a-z_]{1,8}", value), 0..3),
    )
        .prop_map(|(payload, fields)| FrameSpec { payload, fields })
}

fn tail() -> impl Strategy<Value = Tail> {
    prop_oneof![
        2 => Just(Tail::Whole),
        1 => any::<u32>().prop_map(Tail::CutShort),
        1 => vec(any::<u8>(), 1..40).prop_map(Tail::Junk),
    ]
}

/// Short reads mostly; `Interrupted`, `WouldBlock`, `TimedOut` between.
fn script() -> impl Strategy<Value = Vec<ReadStep>> {
    let step = prop_oneof![
        4 => (1..=4u16).prop_map(ReadStep::Bytes),
        2 => any::<u16>().prop_map(ReadStep::Bytes),
        1 => Just(ReadStep::Interrupted),
        1 => Just(ReadStep::WouldBlock),
        1 => Just(ReadStep::TimedOut),
    ];
    vec(step, 1..8)
}

fn modes() -> impl Strategy<Value = Vec<ReadMode>> {
    let mode = prop_oneof![
        Just(ReadMode::Frame),
        Just(ReadMode::Owned),
        any::<u8>().prop_map(ReadMode::Body),
        any::<u8>().prop_map(ReadMode::Copy),
        Just(ReadMode::Skip),
        Just(ReadMode::SkipBatch),
    ];
    vec(mode, 1..4)
}

fn case() -> impl Strategy<Value = ReaderCase> {
    (
        framing(),
        limits(),
        vec(frame(), 0..6),
        tail(),
        script(),
        modes(),
        prop_oneof![1..=8u16, 9..=512u16, Just(u16::MAX)],
    )
        .prop_map(
            |(framing, limits, frames, tail, script, modes, read_chunk)| ReaderCase {
                framing,
                limits,
                frames,
                tail,
                script,
                modes,
                read_chunk,
            },
        )
}

proptest! {
    #![proptest_config(config(256, "proptest-regressions/prop_reader.txt"))]

    #[test]
    fn blocking_reader_yields_the_frames_and_loses_nothing(case in case()) {
        check_reader_case(&case);
    }
}
