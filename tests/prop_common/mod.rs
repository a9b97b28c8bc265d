//! Strategies shared by the property tests: framings in every
//! configuration, limits, frames, split schedules (most of them
//! `sockframe::testing`'s own).
//!
//! The checks themselves are `sockframe::testing`'s (every decoding API
//! under every split) held to the fuzz targets' model decoder and
//! expectations worked out from how a stream was built (`fuzz/src/`), so a
//! property and a fuzz target that fail on the same input fail the same
//! way.
#![allow(dead_code)]

use std::num::NonZeroUsize;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serde_json::{Map, Value};
use sockframe::testing::{self, Options};
use sockframe::{Limits, Needed};

#[allow(unused_imports)]
pub use crate::fuzz_bodies::check::{check_stream, Subject};
#[allow(unused_imports)]
pub use crate::fuzz_bodies::model::{self, End};
#[allow(unused_imports)]
pub use crate::fuzz_bodies::spec::{expected_outcome, AnyFraming, Sent};
#[allow(unused_imports)]
pub use sockframe::testing::{binary, splits, Split};

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

/// Every framing: ASCII widths 1..=19, every binary layout, JSON with every
/// prefix layout, size key and spelling (the kit's strategies).
pub fn framing() -> impl Strategy<Value = AnyFraming> {
    prop_oneof![
        testing::ascii().prop_map(AnyFraming::Ascii),
        testing::binary().prop_map(AnyFraming::Binary),
        testing::json().prop_map(AnyFraming::Json),
    ]
}

/// The kit's options for the model checks: `max_frame` and
/// `max_streamed_body` apart, as the limits say.
pub fn apart() -> Options {
    Options {
        limits_apart: true,
        ..Options::default()
    }
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
