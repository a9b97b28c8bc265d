//! Fuzzing (feature `arbitrary`): `Arbitrary` for splits and the built-in
//! framings' configurations, and [`fuzz_framing`], a whole `fuzz_target!`
//! body for any framing.

use std::fmt::Debug;

use arbitrary::{Arbitrary, Result, Unstructured};

use crate::{
    Ascii, Binary, Delimited, Encode, Endian, Framing, LengthField, Limits, Netstring, Signedness,
    Varint, Width,
};
#[cfg(feature = "json")]
use crate::{Json, JsonStyle};

use super::builtin::{AnyFraming, LengthFieldParts};
use super::harness::{check_apis_agree_with, roundtrip_with};
use super::options::{Options, Take};
use super::split::{Split, Step};

/// Payload limits to feed the raw bytes under: the edges and the default.
const MAX_FRAMES: [u64; 7] = [0, 1, 16, 255, 4096, 65_536, Limits::DEFAULT_MAX_FRAME];

/// The whole body of a `fuzz_target!` for a framing: one call.
///
/// The fuzzer's bytes are read twice. First as a structured case (with
/// `arbitrary::Unstructured`): a [`Split`] and a list of payloads, proven
/// by [`check_roundtrip`](super::check_roundtrip). Then as they are, a
/// stream of junk cut by the same split under a payload limit they pick,
/// through [`check_apis_agree`](super::check_apis_agree): whatever the
/// bytes, nothing panics but the harness, every API ends the same way,
/// errors are sticky. A failure panics with a message naming the API, the
/// split and the frame, which libFuzzer prints whole.
///
/// Both run in the kit's lighter mode for fuzzing,
/// [`Options::sample_piece_ends`]: every piece goes to every API, but how
/// the stream would end is checked at a sample of the piece ends, so that
/// an input making a long stream in tiny pieces costs milliseconds, not
/// seconds.
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
    let options = Options {
        sample_piece_ends: true,
        ..Options::default()
    };
    roundtrip_with(framing, &payloads, &split, &options);
    let limits = Limits::new().max_frame(max_frame);
    check_apis_agree_with(framing, limits, data, &split, &options);
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

/// Every configuration the encoder can write, as
/// [`length_field`](super::length_field) generates them: the field 0 to 4
/// bytes in, 1 to 8 bytes wide in either byte order, signed or not,
/// adjusted by -8 to 8, counting itself or not, `num_skip` or
/// `initial_bytes_to_strip` of up to 4 bytes past the field or neither,
/// with or without a `max_frame_length`, any header bytes around the field.
impl<'a> Arbitrary<'a> for LengthField {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let max_frame_length = match u.int_in_range(0..=5u8)? {
            0 => Some(usize::from(u.arbitrary::<u16>()?) % 1001),
            1 => Some(usize::MAX),
            _ => None,
        };
        let fill_len = u.int_in_range(0..=8usize)?;
        Ok(LengthFieldParts {
            offset: u.int_in_range(0..=4)?,
            width: u.int_in_range(1..=8)?,
            endian: u.arbitrary()?,
            signedness: u.arbitrary()?,
            adjustment: u.int_in_range(-8..=8)?,
            includes: u.arbitrary()?,
            dropped_by: u.int_in_range(0..=2)?,
            extra: u.int_in_range(0..=4)?,
            max_frame_length,
            fill: u.bytes(fill_len)?.to_vec(),
        }
        .build())
    }
}

/// [`Varint::new`]: it has no options (reads nothing).
impl<'a> Arbitrary<'a> for Varint {
    fn arbitrary(_: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Varint::new())
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (0, Some(0))
    }
}

/// [`Netstring::new`]: it has no options (reads nothing).
impl<'a> Arbitrary<'a> for Netstring {
    fn arbitrary(_: &mut Unstructured<'a>) -> Result<Self> {
        Ok(Netstring::new())
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (0, Some(0))
    }
}

/// `\n`, `\r\n`, 1 to 16 bytes of `a`, `b`, `\r` and `\n`, or 1 to 16
/// bytes of anything; taking the last frame or not.
impl<'a> Arbitrary<'a> for Delimited {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let delimiter = match u.int_in_range(0..=3u8)? {
            0 => b"\n".to_vec(),
            1 => b"\r\n".to_vec(),
            kind => {
                let len = u.int_in_range(1..=Delimited::MAX_DELIMITER_LEN)?;
                let bytes = u.bytes(len)?;
                if kind == 2 {
                    bytes
                        .iter()
                        .map(|&b| b"ab\r\n"[usize::from(b % 4)])
                        .collect()
                } else {
                    bytes.to_vec()
                }
            }
        };
        let framing = Delimited::new(&delimiter).map_err(|_| arbitrary::Error::IncorrectFormat)?;
        Ok(framing.take_last_frame(u.arbitrary()?))
    }
}

/// Every way of taking a frame; `read_body` buffers and `copy_body_to`
/// writes of 1 to 64 bytes.
impl<'a> Arbitrary<'a> for Take {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=6u8)? {
            0 => Take::Frame,
            1 => Take::Owned,
            2 => Take::Body(u.int_in_range(1..=64)?),
            3 => Take::Copy(u.int_in_range(1..=64)?),
            4 => Take::Discard,
            5 => Take::Skip,
            _ => Take::SkipBatch,
        })
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, Some(2))
    }
}

/// Any built-in framing in any configuration.
impl<'a> Arbitrary<'a> for AnyFraming {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(match u.int_in_range(0..=6u8)? {
            0 => AnyFraming::Binary(u.arbitrary()?),
            1 => AnyFraming::Ascii(u.arbitrary()?),
            #[cfg(feature = "json")]
            2 => AnyFraming::Json(u.arbitrary()?),
            #[cfg(not(feature = "json"))]
            2 => AnyFraming::Binary(u.arbitrary()?),
            3 => AnyFraming::LengthField(u.arbitrary()?),
            4 => AnyFraming::Varint(u.arbitrary()?),
            5 => AnyFraming::Netstring(u.arbitrary()?),
            _ => AnyFraming::Delimited(u.arbitrary()?),
        })
    }
}
