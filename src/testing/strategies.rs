//! proptest strategies (feature `proptest`): splits, payload lists and the
//! built-in framings' configurations. Each shrinks towards the simplest
//! case: few large pieces, few short payloads, the first configuration.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::{Ascii, Binary, Delimited, Endian, LengthField, Netstring, Signedness, Varint, Width};
#[cfg(feature = "json")]
use crate::{Json, JsonStyle};

use super::builtin::{AnyFraming, LengthFieldParts};
use super::options::Take;
use super::split::{Split, Step};

/// Splits with 1 to 8 steps, repeated: pieces of up to `max_piece` bytes
/// (empty ones, single bytes and small ones included) and reads failing
/// with `Interrupted`, `WouldBlock` or `TimedOut`. Shrinks towards few
/// steps of `max_piece` bytes: few, large pieces.
///
/// Pass at least the length of the streams tested, so that the whole
/// stream in one piece is among the cases.
pub fn splits(max_piece: usize) -> impl Strategy<Value = Split> {
    let max = max_piece.max(1);
    // Sizes are generated as the shortfall from `max`, which shrinks to 0.
    let large = (0..=max).prop_map(move |short| Step::Bytes(max - short));
    let small_max = max.min(16);
    let small = (0..=small_max).prop_map(move |short| Step::Bytes(small_max - short));
    let step = prop_oneof![
        4 => large,
        5 => small,
        1 => Just(Step::Interrupted),
        1 => Just(Step::WouldBlock),
        1 => Just(Step::TimedOut),
    ];
    vec(step, 1..=8).prop_map(Split::from_steps)
}

/// 1 to 4 [`Take`]s, for [`Options::takes`](super::Options::takes):
/// every way of taking a frame from a `FrameReader`, with `read_body`
/// buffers and `copy_body_to` writes of 1 to 64 bytes. Shrinks towards
/// `read_frame` alone.
pub fn takes() -> impl Strategy<Value = Vec<Take>> {
    let take = prop_oneof![
        Just(Take::Frame),
        Just(Take::Owned),
        (1..=64usize).prop_map(Take::Body),
        (1..=64usize).prop_map(Take::Copy),
        Just(Take::Discard),
        Just(Take::Skip),
        Just(Take::SkipBatch),
    ];
    vec(take, 1..=4)
}

/// Lists of up to `max_count` payloads of up to `max_len` random bytes,
/// empty and `max_len`-byte ones more often than chance would make them.
/// Shrinks towards fewer, shorter payloads.
pub fn payloads(max_count: usize, max_len: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    let payload = prop_oneof![
        6 => vec(any::<u8>(), 0..=max_len),
        1 => Just(Vec::new()),
        1 => vec(any::<u8>(), max_len..=max_len),
    ];
    vec(payload, 0..=max_count)
}

/// [`Ascii`] of every width, 1 to [`Ascii::MAX_WIDTH`] digits.
pub fn ascii() -> impl Strategy<Value = Ascii> {
    (1..=Ascii::MAX_WIDTH).prop_filter_map("a width Ascii takes", |w| Ascii::with_width(w).ok())
}

/// [`Binary`] of every layout: width, byte order, signedness.
pub fn binary() -> impl Strategy<Value = Binary> {
    let width = prop_oneof![
        Just(Width::Four),
        Just(Width::One),
        Just(Width::Two),
        Just(Width::Eight),
    ];
    let endian = prop_oneof![
        Just(Endian::Little),
        Just(Endian::Big),
        Just(Endian::Native)
    ];
    let signedness = prop_oneof![Just(Signedness::Signed), Just(Signedness::Unsigned)];
    (width, endian, signedness).prop_map(|(w, e, s)| Binary::new(w, e, s))
}

/// [`Json`] with every prefix layout, both spellings, and size keys: the
/// usual two, ASCII ones (the empty key included) and any Unicode (which
/// the Python spelling escapes).
#[cfg(feature = "json")]
pub fn json() -> impl Strategy<Value = Json> {
    let key = prop_oneof![
        Just(Json::DATA_SIZE.to_owned()),
        Just(Json::FILE_SIZE.to_owned()),
        "[a-z_]{0,10}",
        "\\PC{0,3}",
    ];
    let style = prop_oneof![Just(JsonStyle::Python), Just(JsonStyle::Compact)];
    (binary(), key, style).prop_map(|(prefix, key, style)| {
        Json::new()
            .with_prefix(prefix)
            .with_size_key(key)
            .with_style(style)
    })
}

/// [`LengthField`] in every configuration the encoder can write (the
/// bytes dropped with the header reach past the length field): the field
/// 0 to 4 bytes in, 1 to 8 bytes wide in either byte order, signed or not,
/// adjusted by -8 to 8, counting itself or not, with neither `num_skip`
/// nor `initial_bytes_to_strip` or either of up to 4 bytes past the field,
/// with or without a `max_frame_length`, any header bytes around the
/// field. Every one builds: nothing is rejected. Shrinks towards
/// tokio-util's default (a 4-byte big-endian length).
pub fn length_field() -> impl Strategy<Value = LengthField> {
    let width = prop_oneof![3 => Just(4usize), 2 => 1..=8usize];
    let endian = prop_oneof![
        Just(Endian::Big),
        Just(Endian::Little),
        Just(Endian::Native)
    ];
    let signedness = prop_oneof![Just(Signedness::Unsigned), Just(Signedness::Signed)];
    let adjustment = prop_oneof![2 => Just(0i64), 1 => -8..=8i64];
    let max = prop_oneof![
        4 => Just(None),
        1 => (0..=1000usize).prop_map(Some),
        1 => Just(Some(usize::MAX)),
    ];
    (
        (0..=4usize, width, endian, signedness),
        (adjustment, any::<bool>(), 0..=2u8, 0..=4usize),
        (max, vec(any::<u8>(), 0..=8)),
    )
        .prop_map(
            |(
                (offset, width, endian, signedness),
                (adjustment, includes, dropped_by, extra),
                (max_frame_length, fill),
            )| {
                LengthFieldParts {
                    offset,
                    width,
                    endian,
                    signedness,
                    adjustment,
                    includes,
                    dropped_by,
                    extra,
                    max_frame_length,
                    fill,
                }
                .build()
            },
        )
}

/// [`Varint`], which has no options.
pub fn varint() -> impl Strategy<Value = Varint> {
    Just(Varint::new())
}

/// [`Netstring`], which has no options.
pub fn netstring() -> impl Strategy<Value = Netstring> {
    Just(Netstring::new())
}

/// [`Delimited`] with every kind of delimiter, taking the last frame or
/// not: `\n`, `\r\n`, 1 to 16 bytes of `a`, `b`, `\r` and `\n` (so that
/// they, their prefixes and overlapping copies turn up in payloads of
/// such bytes, [`narrow_payloads`]), and 1 to 16 bytes of anything. Shrinks
/// towards `\n`.
pub fn delimited() -> impl Strategy<Value = Delimited> {
    let delimiter = prop_oneof![
        2 => Just(b"\n".to_vec()),
        1 => Just(b"\r\n".to_vec()),
        3 => vec(narrow_byte(), 1..=Delimited::MAX_DELIMITER_LEN),
        1 => vec(any::<u8>(), 1..=Delimited::MAX_DELIMITER_LEN),
    ];
    (delimiter, any::<bool>()).prop_map(|(delimiter, take_last)| {
        Delimited::new(&delimiter)
            .expect("1 to 16 bytes")
            .take_last_frame(take_last)
    })
}

/// `a`, `b`, `\r` or `\n`.
fn narrow_byte() -> impl Strategy<Value = u8> {
    proptest::sample::select(&b"ab\r\n"[..])
}

/// [`payloads`] made of the bytes `a`, `b`, `\r` and `\n` only: where
/// [`delimited`]'s delimiters and their prefixes show up, at payload ends
/// and across frame boundaries.
pub fn narrow_payloads(max_count: usize, max_len: usize) -> impl Strategy<Value = Vec<Vec<u8>>> {
    vec(vec(narrow_byte(), 0..=max_len), 0..=max_count)
}

/// Every built-in framing in every configuration: [`Binary`], [`Ascii`],
/// `Json` (feature `json`), [`LengthField`], [`Varint`], [`Netstring`],
/// [`Delimited`], each as its own strategy generates it.
pub fn any_framing() -> impl Strategy<Value = AnyFraming> {
    #[cfg(feature = "json")]
    return prop_oneof![
        binary().prop_map(AnyFraming::Binary),
        ascii().prop_map(AnyFraming::Ascii),
        json().prop_map(AnyFraming::Json),
        length_field().prop_map(AnyFraming::LengthField),
        varint().prop_map(AnyFraming::Varint),
        netstring().prop_map(AnyFraming::Netstring),
        delimited().prop_map(AnyFraming::Delimited),
    ];
    #[cfg(not(feature = "json"))]
    return prop_oneof![
        binary().prop_map(AnyFraming::Binary),
        ascii().prop_map(AnyFraming::Ascii),
        length_field().prop_map(AnyFraming::LengthField),
        varint().prop_map(AnyFraming::Varint),
        netstring().prop_map(AnyFraming::Netstring),
        delimited().prop_map(AnyFraming::Delimited),
    ];
}
