//! Fuzzing (feature `arbitrary`): `Arbitrary` for splits and the built-in
//! framings' configurations, and [`fuzz_framing`], a whole `fuzz_target!`
//! body for any framing.

use std::fmt::Debug;

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::{Ascii, Binary, Encode, Endian, Framing, Limits, Signedness, Width};
#[cfg(feature = "json")]
use crate::{Json, JsonStyle};

use super::builtin::AnyFraming;
use super::harness::{check_apis_agree, check_roundtrip};
use super::split::{Split, Step};

/// Payload limits to feed the raw bytes under: the edges and the default.
const MAX_FRAMES: [u64; 7] = [0, 1, 16, 255, 4096, 65_536, Limits::DEFAULT_MAX_FRAME];

/// The whole body of a `fuzz_target!` for a framing: one call.
///
/// The fuzzer's bytes are read twice. First as a structured case (with
/// `arbitrary::Unstructured`): a [`Split`] and a list of payloads, proven
/// by [`check_roundtrip`]. Then as they are, a stream of junk cut by the
/// same split under a payload limit they pick, through
/// [`check_apis_agree`]: whatever the bytes, nothing panics but the
/// harness, every API ends the same way, errors are sticky. A failure
/// panics with a message naming the API, the split and the frame, which
/// libFuzzer prints whole.
///
/// ```
/// use sockframe::testing::fuzz_framing;
/// use sockframe::Ascii;
///
/// // What libFuzzer would call with its inputs:
/// for data in [&b""[..], b"0003abc", b"\x07\x01\x02\x03\xff\xff0001x"] {
///     fuzz_framing(&Ascii::new(), data);
/// }
/// ```
pub fn fuzz_framing<F>(framing: &F, data: &[u8])
where
    F: Framing + Encode + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    let mut u = Unstructured::new(data);
    let split = Split::arbitrary(&mut u).unwrap_or_default();
    let max_frame = u.choose(&MAX_FRAMES).copied().unwrap_or_default();
    let payloads = Vec::<Vec<u8>>::arbitrary(&mut u).unwrap_or_default();
    check_roundtrip(framing, &payloads, &split);
    check_apis_agree(framing, Limits::new().max_frame(max_frame), data, &split);
}

/// Empty pieces, single bytes, small and large pieces, the rest of the
/// stream, and failing reads.
impl<'a> Arbitrary<'a> for Step {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=15u8)? {
            0 => Step::Interrupted,
            1 => Step::WouldBlock,
            2 => Step::TimedOut,
            3 => Step::Bytes(0),
            4..=10 => Step::Bytes(u.int_in_range(1..=16)?),
            11..=14 => Step::Bytes(u.int_in_range(17..=1024)?),
            _ => Step::Bytes(usize::MAX),
        })
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, Some(3))
    }
}

/// 1 to 8 [`Step`]s, repeated.
impl<'a> Arbitrary<'a> for Split {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let count = u.int_in_range(1..=8usize)?;
        let steps = (0..count)
            .map(|_| Step::arbitrary(u))
            .collect::<Result<Vec<_>>>()?;
        Ok(Split::from_steps(steps))
    }
}

/// Every width, 1 to [`Ascii::MAX_WIDTH`] digits.
impl<'a> Arbitrary<'a> for Ascii {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let width = u.int_in_range(1..=Ascii::MAX_WIDTH)?;
        Ascii::with_width(width).map_err(|_| arbitrary::Error::IncorrectFormat)
    }
}

impl<'a> Arbitrary<'a> for Width {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(&[Width::One, Width::Two, Width::Four, Width::Eight])
            .copied()
    }
}

impl<'a> Arbitrary<'a> for Endian {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(&[Endian::Little, Endian::Big, Endian::Native])
            .copied()
    }
}

impl<'a> Arbitrary<'a> for Signedness {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(&[Signedness::Signed, Signedness::Unsigned])
            .copied()
    }
}

/// Every layout: width, byte order, signedness.
impl<'a> Arbitrary<'a> for Binary {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Binary::new(u.arbitrary()?, u.arbitrary()?, u.arbitrary()?))
    }
}

#[cfg(feature = "json")]
impl<'a> Arbitrary<'a> for JsonStyle {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(&[JsonStyle::Python, JsonStyle::Compact]).copied()
    }
}

/// Every prefix layout and spelling; the usual size keys, or any string.
#[cfg(feature = "json")]
impl<'a> Arbitrary<'a> for Json {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let prefix: Binary = u.arbitrary()?;
        let style: JsonStyle = u.arbitrary()?;
        let key = match u.int_in_range(0..=3u8)? {
            0 => Json::DATA_SIZE.to_owned(),
            1 => Json::FILE_SIZE.to_owned(),
            _ => String::arbitrary(u)?,
        };
        Ok(Json::new()
            .with_prefix(prefix)
            .with_size_key(key)
            .with_style(style))
    }
}

/// Any built-in framing in any configuration.
impl<'a> Arbitrary<'a> for AnyFraming {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        #[cfg(feature = "json")]
        let last = 2;
        #[cfg(not(feature = "json"))]
        let last = 1;
        Ok(match u.int_in_range(0..=last)? {
            0 => AnyFraming::Binary(u.arbitrary()?),
            1 => AnyFraming::Ascii(u.arbitrary()?),
            #[cfg(feature = "json")]
            _ => AnyFraming::Json(u.arbitrary()?),
            #[cfg(not(feature = "json"))]
            _ => AnyFraming::Ascii(u.arbitrary()?),
        })
    }
}
