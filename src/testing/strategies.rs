//! proptest strategies (feature `proptest`): splits, payload lists and the
//! built-in framings' configurations. Each shrinks towards the simplest
//! case: few large pieces, few short payloads, the first configuration.

use proptest::collection::vec;
use proptest::prelude::*;

use crate::{Ascii, Binary, Endian, Signedness, Width};
#[cfg(feature = "json")]
use crate::{Json, JsonStyle};

use super::builtin::AnyFraming;
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

/// Every built-in framing in every configuration.
pub fn any_framing() -> impl Strategy<Value = AnyFraming> {
    #[cfg(feature = "json")]
    return prop_oneof![
        binary().prop_map(AnyFraming::Binary),
        ascii().prop_map(AnyFraming::Ascii),
        json().prop_map(AnyFraming::Json),
    ];
    #[cfg(not(feature = "json"))]
    return prop_oneof![
        binary().prop_map(AnyFraming::Binary),
        ascii().prop_map(AnyFraming::Ascii),
    ];
}
