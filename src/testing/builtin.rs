//! [`AnyFraming`]: one of the built-in framings, for properties that must
//! hold over every one of them.

use std::fmt::Debug;

#[cfg(feature = "json")]
use crate::Json;
use crate::{Ascii, Binary};

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
}

impl AnyFraming {
    /// [`check_roundtrip`] with this framing.
    pub fn check_roundtrip<P: AsRef<[u8]>>(&self, payloads: &[P], split: &Split) {
        match self {
            AnyFraming::Ascii(framing) => check_roundtrip(framing, payloads, split),
            AnyFraming::Binary(framing) => check_roundtrip(framing, payloads, split),
            #[cfg(feature = "json")]
            AnyFraming::Json(framing) => check_roundtrip(framing, payloads, split),
        }
    }
}
