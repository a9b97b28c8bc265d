//! Strategies shared by the property tests: framings in every
//! configuration, limits, frames, split schedules.
//!
//! The checks themselves (drivers for every decoding API, the model
//! decoder, expectations worked out from how a stream was built) are the
//! fuzz targets' own, from `fuzz/src/`, so a property and a fuzz target
//! that fail on the same input fail the same way.
#![allow(dead_code)]

use std::num::NonZeroUsize;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Value};
use sockframe::{Ascii, Binary, Endian, Json, JsonStyle, Limits, Needed, Signedness, Width};

#[allow(unused_imports)]
pub use crate::fuzz_bodies::drive::{check_stream, Subject};
#[allow(unused_imports)]
pub use crate::fuzz_bodies::model::{self, End};
#[allow(unused_imports)]
pub use crate::fuzz_bodies::spec::{expected_outcome, AnyFraming, Sent};

/// Cases per property unless `PROPTEST_CASES` says otherwise (proptest's
/// default config reads it; an explicit count here must not override it).
/// Failures are recorded in `proptest-regressions/<file>.txt`.
pub fn config(default_cases: u32, regressions: &'static str) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(regressions)));
    config
}

/// Runs generic code on whichever framing an [`AnyFraming`] holds.
#[allow(unused_macros)]
macro_rules! with_framing {
    ($any:expr, |$framing:ident| $body:expr) => {
        match $any {
            AnyFraming::Ascii($framing) => $body,
            AnyFraming::Binary($framing) => $body,
            AnyFraming::Json($framing) => $body,
        }
    };
}
#[allow(unused_imports)]
pub(crate) use with_framing;

/// Every binary length layout.
pub fn binary() -> impl Strategy<Value = Binary> {
    let width = prop_oneof![
        Just(Width::One),
        Just(Width::Two),
        Just(Width::Four),
        Just(Width::Eight)
    ];
    let endian = prop_oneof![
        Just(Endian::Little),
        Just(Endian::Big),
        Just(Endian::Native)
    ];
    let sign = prop_oneof![Just(Signedness::Signed), Just(Signedness::Unsigned)];
    (width, endian, sign).prop_map(|(w, e, s)| Binary::new(w, e, s))
}

/// Size keys: the usual two, ASCII ones, and any Unicode (which the Python
/// spelling escapes).
pub fn size_key() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(Json::DATA_SIZE.to_owned()),
        Just(Json::FILE_SIZE.to_owned()),
        "[a-z_]{0,10}",
        "\\PC{0,3}",
    ]
}

/// Every framing: ASCII widths 1..=19, every binary layout, JSON with every
/// prefix layout, size key and spelling.
pub fn framing() -> impl Strategy<Value = AnyFraming> {
    prop_oneof![
        (1..=Ascii::MAX_WIDTH).prop_map(|w| AnyFraming::Ascii(Ascii::with_width(w).unwrap())),
        binary().prop_map(AnyFraming::Binary),
        (binary(), size_key(), any::<bool>()).prop_map(|(prefix, key, compact)| {
            AnyFraming::Json(
                Json::new()
                    .with_prefix(prefix)
                    .with_size_key(key)
                    .with_style(if compact {
                        JsonStyle::Compact
                    } else {
                        JsonStyle::Python
                    }),
            )
        }),
    ]
}

/// The longest payload a framing's header can describe.
pub fn max_payload(framing: &AnyFraming) -> u64 {
    match framing {
        AnyFraming::Ascii(a) => a.max_len(),
        AnyFraming::Binary(b) => b.max_len(),
        AnyFraming::Json(_) => u64::MAX,
    }
}

/// Limits that let every generated frame through: the default, or a
/// payload limit of at least `floor`.
pub fn roomy_limits(floor: u64) -> impl Strategy<Value = Limits> {
    prop_oneof![
        Just(Limits::new()),
        (floor..=floor + 5000).prop_map(|n| Limits::new().max_frame(n)),
    ]
}

/// A JSON header field value.
pub fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "\\PC{0,8}".prop_map(Value::from),
        vec("[a-z]{0,3}", 0..3).prop_map(Value::from),
    ]
}

/// Extra JSON header fields (ignored by the length-only framings).
pub fn fields() -> impl Strategy<Value = Map<String, Value>> {
    vec(("[a-z_]{1,8}", field_value()), 0..3).prop_map(|entries| entries.into_iter().collect())
}

/// A payload of up to `cap` bytes: empty and `cap`-long ones included.
pub fn payload(cap: usize, typical: usize) -> impl Strategy<Value = Vec<u8>> {
    let len = prop_oneof![
        1 => Just(0),
        1 => Just(cap),
        6 => 0..=cap.min(typical),
    ];
    len.prop_flat_map(|len| vec(any::<u8>(), len))
}

/// Piece sizes for a split: empty pieces, single bytes, small and large
/// chunks, and everything at once.
pub fn splits() -> impl Strategy<Value = Vec<usize>> {
    let size = prop_oneof![
        1 => Just(0usize),
        3 => Just(1usize),
        4 => 2..=16usize,
        2 => 17..=700usize,
        1 => Just(usize::MAX / 2),
    ];
    vec(size, 1..6)
}

/// Encodes frames, skipping those the header cannot describe.
pub fn send<S: Subject>(framing: &S, frames: &[(Vec<u8>, Map<String, Value>)]) -> Vec<Sent> {
    frames
        .iter()
        .filter_map(|(payload, fields)| framing.send(payload, fields).ok())
        .collect()
}

/// The stream the frames make.
pub fn wire(sent: &[Sent]) -> Vec<u8> {
    sent.iter().flat_map(|s| s.wire.iter().copied()).collect()
}

/// `Needed::AtLeast(n)`.
pub fn at_least(n: usize) -> Needed {
    Needed::AtLeast(NonZeroUsize::new(n).unwrap())
}

/// `Needed::Exact(n)`.
pub fn exactly(n: usize) -> Needed {
    Needed::Exact(NonZeroUsize::new(n).unwrap())
}
