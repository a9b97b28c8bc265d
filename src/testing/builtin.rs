//! [`AnyFraming`]: one of the built-in framings, for properties that must
//! hold over every one of them.

use std::fmt::Debug;

#[cfg(feature = "json")]
use crate::Json;
use crate::{Ascii, Binary, Delimited, LengthField, Netstring, Varint};

use super::harness::check_roundtrip;
use super::split::Split;

/// One of sockframe's built-in framings, in some configuration: what
/// `testing::any_framing()` (feature `proptest`) and its `Arbitrary` impl
/// (feature `arbitrary`) generate, so that one property covers "my
/// protocol's messages over any sockframe framing".
///
/// ```
/// use sockframe::testing::{AnyFraming, Split};
/// use sockframe::Ascii;
///
/// let framing = AnyFraming::Ascii(Ascii::with_width(2)?);
/// // The 120-byte payload does not fit two digits: left out.
/// framing.check_roundtrip(&[&b"ping"[..], &[0; 120]], &Split::bytewise());
/// # Ok::<(), sockframe::ConfigError>(())
/// ```
///
/// A payload that a framing cannot carry (over its header's largest
/// length, shorter than a `LengthField` adjustment allows, or holding a
/// `Delimited` framing's delimiter) is left out, once the encoder has
/// refused it properly: to prove a protocol's messages over every framing,
/// give payloads every framing can carry, or check what was left out.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnyFraming {
    /// A decimal length of some width.
    Ascii(Ascii),
    /// A binary length of some width, byte order and signedness.
    Binary(Binary),
    /// A JSON header behind some binary prefix, with some size key and
    /// spelling.
    #[cfg(feature = "json")]
    Json(Json),
    /// A length field anywhere in a header, of any width, byte order and
    /// signedness, adjusted, with `num_skip` or `initial_bytes_to_strip`,
    /// a `max_frame_length`, and header bytes around the field.
    LengthField(LengthField),
    /// An unsigned LEB128 length (protobuf's delimited messages).
    Varint(Varint),
    /// A netstring: `<decimal length>:<payload>,`.
    Netstring(Netstring),
    /// Frames ended by a delimiter of 1 to 16 bytes, with or without a
    /// last frame after the last delimiter.
    Delimited(Delimited),
}

impl AnyFraming {
    /// [`check_roundtrip`] with this framing.
    pub fn check_roundtrip<P: AsRef<[u8]>>(&self, payloads: &[P], split: &Split) {
        match self {
            AnyFraming::Ascii(framing) => check_roundtrip(framing, payloads, split),
            AnyFraming::Binary(framing) => check_roundtrip(framing, payloads, split),
            #[cfg(feature = "json")]
            AnyFraming::Json(framing) => check_roundtrip(framing, payloads, split),
            AnyFraming::LengthField(framing) => check_roundtrip(framing, payloads, split),
            AnyFraming::Varint(framing) => check_roundtrip(framing, payloads, split),
            AnyFraming::Netstring(framing) => check_roundtrip(framing, payloads, split),
            AnyFraming::Delimited(framing) => check_roundtrip(framing, payloads, split),
        }
    }
}

/// The parts of a [`LengthField`] configuration the kit's strategies and
/// `Arbitrary` impl pick; [`LengthFieldParts::build`] makes one that
/// builds and that the encoder can write, whatever the parts.
#[cfg(any(feature = "proptest", feature = "arbitrary"))]
#[derive(Debug, Clone)]
pub(crate) struct LengthFieldParts {
    /// `length_field_offset`, 0 to 4 (taken modulo 5).
    pub(crate) offset: usize,
    /// `length_field_length`, 1 to 8 (0 and over 8: 4).
    pub(crate) width: usize,
    pub(crate) endian: crate::Endian,
    pub(crate) signedness: crate::Signedness,
    /// `length_adjustment`, -8 to 8 (clamped).
    pub(crate) adjustment: i64,
    pub(crate) includes: bool,
    /// 0: neither `num_skip` nor `initial_bytes_to_strip`; 1: `num_skip`;
    /// 2: `initial_bytes_to_strip` (modulo 3); of `field end + extra % 5`.
    pub(crate) dropped_by: u8,
    pub(crate) extra: usize,
    pub(crate) max_frame_length: Option<usize>,
    /// Cycled into the header bytes before and after the field (zeros if
    /// empty).
    pub(crate) fill: Vec<u8>,
}

#[cfg(any(feature = "proptest", feature = "arbitrary"))]
impl LengthFieldParts {
    /// The framing: every such configuration builds, since a field of 1
    /// byte or more announces up to 127 bytes at least, more than the
    /// adjustment, its own width and the bytes dropped can take away.
    pub(crate) fn build(&self) -> LengthField {
        let offset = self.offset % 5;
        let width = if (1..=8).contains(&self.width) {
            self.width
        } else {
            4
        };
        let field_end = offset + width;
        let dropped = field_end + self.extra % 5;
        let mut builder = LengthField::builder();
        builder
            .length_field_offset(offset)
            .length_field_length(width)
            .endian(self.endian)
            .length_adjustment(self.adjustment.clamp(-8, 8) as isize)
            .length_includes_length_field_length(self.includes);
        if self.signedness == crate::Signedness::Signed {
            builder.signed();
        }
        let header_len = match self.dropped_by % 3 {
            0 => field_end,
            1 => {
                builder.num_skip(dropped);
                dropped
            }
            _ => {
                builder.initial_bytes_to_strip(dropped);
                dropped
            }
        };
        if let Some(max) = self.max_frame_length {
            builder.max_frame_length(max);
        }
        let byte = |i: usize| match self.fill.len() {
            0 => 0,
            n => self.fill[i % n],
        };
        let before: Vec<u8> = (0..offset).map(byte).collect();
        let after: Vec<u8> = (field_end..header_len).map(byte).collect();
        builder.header_fields(&before, &after);
        builder
            .build()
            .expect("every configuration of these parts builds")
    }
}
