//! Binary length header, as Python's `struct.pack('i', len(msg))` writes it.
//!
//! ```text
//! +----+----+----+----+-------------------+
//! | 05 | 00 | 00 | 00 |  h  e  l  l  o    |
//! +----+----+----+----+-------------------+
//!   i32, little-endian    N payload bytes
//! ```
//!
//! Width 1, 2, 4 or 8 bytes; little-endian (Python's `'i'` on x86-64 and
//! ARM64, the default), big-endian (network order, `'!I'`) or native;
//! signed or unsigned. A negative signed length is an error, and so is a
//! length over the decoder's limit, before any memory is reserved for it.

use super::struct_format;
use super::{Encode, Framing, Head, HeaderBuf};
use crate::error::{ConfigError, Error};
use crate::limits::Limits;
use crate::status::{Needed, Status};

/// Size of the length integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Width {
    /// 1 byte (`'b'`, `'B'`).
    One = 1,
    /// 2 bytes (`'h'`, `'H'`).
    Two = 2,
    /// 4 bytes (`'i'`, `'I'`, standard `'l'`).
    Four = 4,
    /// 8 bytes (`'q'`, `'Q'`).
    Eight = 8,
}

impl Width {
    /// The width in bytes.
    pub const fn bytes(self) -> usize {
        self as usize
    }
}

/// Byte order of the length integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Endian {
    /// Least significant byte first (`'<'`; `'i'` on x86-64 and ARM64).
    Little,
    /// Most significant byte first: network order (`'>'`, `'!'`).
    Big,
    /// This machine's order (`'='`, `'@'`).
    Native,
}

/// Whether the length integer is signed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Signedness {
    /// Signed (`'i'`): a negative length is an error.
    Signed,
    /// Unsigned (`'I'`).
    Unsigned,
}

/// The binary length header framing. The default is Python's `'i'` on
/// x86-64: a signed 32-bit little-endian integer.
///
/// ```
/// use sockframe::{Binary, Decoder, Encode, Status};
///
/// let network_order = Binary::from_struct_format("!I")?;
/// assert_eq!(network_order.encode_to_vec(b"hello")?, b"\0\0\0\x05hello");
///
/// let mut decoder = Decoder::new(Binary::default());
/// assert!(decoder.decode(b"\x05\0\0\0he")?.is_partial());
/// let Status::Complete((frame, used)) = decoder.decode(b"\x05\0\0\0hello")? else { panic!() };
/// assert_eq!((frame.payload(), used), (&b"hello"[..], 9));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Binary {
    width: Width,
    endian: Endian,
    signedness: Signedness,
}

impl Binary {
    /// `struct.pack('<i', n)`: the default.
    pub const I32_LE: Binary = Binary::new(Width::Four, Endian::Little, Signedness::Signed);
    /// `struct.pack('!i', n)`.
    pub const I32_BE: Binary = Binary::new(Width::Four, Endian::Big, Signedness::Signed);
    /// `struct.pack('<I', n)`.
    pub const U32_LE: Binary = Binary::new(Width::Four, Endian::Little, Signedness::Unsigned);
    /// `struct.pack('!I', n)`.
    pub const U32_BE: Binary = Binary::new(Width::Four, Endian::Big, Signedness::Unsigned);

    /// A header of the given layout.
    pub const fn new(width: Width, endian: Endian, signedness: Signedness) -> Self {
        Binary {
            width,
            endian,
            signedness,
        }
    }

    /// The layout a Python `struct` format names: `"i"`, `"<i"`, `"!I"`,
    /// `">H"`, `"=q"`, …, a single integer code with an optional byte-order
    /// prefix. Sizes follow Python: with no prefix or `'@'`, `'l'` and `'n'`
    /// take this platform's C sizes.
    ///
    /// ```
    /// use sockframe::{Binary, Endian, Signedness, Width};
    /// assert_eq!(Binary::from_struct_format(">H")?,
    ///            Binary::new(Width::Two, Endian::Big, Signedness::Unsigned));
    /// assert!(Binary::from_struct_format("2i").is_err());
    /// # Ok::<(), sockframe::ConfigError>(())
    /// ```
    pub fn from_struct_format(format: &str) -> Result<Self, ConfigError> {
        let int = struct_format::parse(format)?;
        let width = match int.bytes {
            1 => Width::One,
            2 => Width::Two,
            4 => Width::Four,
            _ => Width::Eight,
        };
        let endian = match int.order {
            '<' => Endian::Little,
            '>' => Endian::Big,
            _ => Endian::Native,
        };
        let signedness = if int.signed {
            Signedness::Signed
        } else {
            Signedness::Unsigned
        };
        Ok(Binary::new(width, endian, signedness))
    }

    /// The same layout with another byte order.
    #[must_use]
    pub const fn with_endian(mut self, endian: Endian) -> Self {
        self.endian = endian;
        self
    }

    /// The same layout with another width.
    #[must_use]
    pub const fn with_width(mut self, width: Width) -> Self {
        self.width = width;
        self
    }

    /// The same layout, signed or unsigned.
    #[must_use]
    pub const fn with_signedness(mut self, signedness: Signedness) -> Self {
        self.signedness = signedness;
        self
    }

    /// The integer width.
    pub const fn width(&self) -> Width {
        self.width
    }

    /// The byte order.
    pub const fn endian(&self) -> Endian {
        self.endian
    }

    /// Signed or unsigned.
    pub const fn signedness(&self) -> Signedness {
        self.signedness
    }

    /// The longest payload the header can describe (`i32::MAX` for `'i'`).
    pub const fn max_len(&self) -> u64 {
        let bits = self.width.bytes() as u32 * 8;
        let bits = match self.signedness {
            Signedness::Signed => bits - 1,
            Signedness::Unsigned => bits,
        };
        if bits == 64 {
            u64::MAX
        } else {
            (1u64 << bits) - 1
        }
    }

    /// Reads the length integer, sign-extended when signed
    /// (`bytes.len() == width`). Fixed-size reads: this runs once per frame.
    #[inline]
    fn read(&self, bytes: &[u8]) -> LengthValue {
        if matches!(
            (self.width, self.endian, self.signedness),
            (Width::Four, Endian::Little, Signedness::Signed)
        ) {
            // The default, Python's `'i'` on x86-64: one compare, one load.
            let mut b = [0u8; 4];
            b.copy_from_slice(&bytes[..4]);
            return LengthValue::Signed(i64::from(i32::from_le_bytes(b)));
        }
        self.read_any(bytes)
    }

    /// [`read`](Binary::read) for every layout.
    fn read_any(&self, bytes: &[u8]) -> LengthValue {
        let raw = match self.width {
            Width::One => u64::from(bytes[0]),
            Width::Two => {
                let mut b = [0u8; 2];
                b.copy_from_slice(&bytes[..2]);
                u64::from(match self.endian {
                    Endian::Little => u16::from_le_bytes(b),
                    Endian::Big => u16::from_be_bytes(b),
                    Endian::Native => u16::from_ne_bytes(b),
                })
            }
            Width::Four => {
                let mut b = [0u8; 4];
                b.copy_from_slice(&bytes[..4]);
                u64::from(match self.endian {
                    Endian::Little => u32::from_le_bytes(b),
                    Endian::Big => u32::from_be_bytes(b),
                    Endian::Native => u32::from_ne_bytes(b),
                })
            }
            Width::Eight => {
                let mut b = [0u8; 8];
                b.copy_from_slice(&bytes[..8]);
                match self.endian {
                    Endian::Little => u64::from_le_bytes(b),
                    Endian::Big => u64::from_be_bytes(b),
                    Endian::Native => u64::from_ne_bytes(b),
                }
            }
        };
        match self.signedness {
            Signedness::Unsigned => LengthValue::Unsigned(raw),
            Signedness::Signed => {
                // Sign-extend from the header's width.
                let unused = 64 - 8 * self.width.bytes() as u32;
                LengthValue::Signed(((raw << unused) as i64) >> unused)
            }
        }
    }

    /// Reads a length prefix: the payload length, or why it is refused.
    #[inline(always)]
    pub(crate) fn read_len(&self, bytes: &[u8], offset: u64) -> Result<u64, Error> {
        match self.read(bytes) {
            LengthValue::Unsigned(len) => Ok(len),
            LengthValue::Signed(len) => u64::try_from(len).map_err(|_| Error::NegativeLength {
                offset,
                length: len,
            }),
        }
    }

    /// Writes `len` into a header of this layout (`len <= max_len()`).
    #[cfg(feature = "json")] // The JSON framing's header-length prefix.
    pub(crate) fn write_len(&self, len: u64, out: &mut [u8]) {
        use byteorder::{BigEndian, ByteOrder, LittleEndian, NativeEndian};
        let n = self.width.bytes();
        match self.endian {
            Endian::Little => LittleEndian::write_uint(out, len, n),
            Endian::Big => BigEndian::write_uint(out, len, n),
            Endian::Native => NativeEndian::write_uint(out, len, n),
        }
    }
}

enum LengthValue {
    Unsigned(u64),
    Signed(i64),
}

impl Default for Binary {
    fn default() -> Self {
        Binary::I32_LE
    }
}

impl Framing for Binary {
    type Scan = ();
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    #[inline(always)]
    fn parse_header(
        &self,
        input: &[u8],
        _scan: &mut (),
        offset: u64,
        _limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        let width = self.width.bytes();
        match input.get(..width) {
            Some(prefix) => Ok(Status::Complete(Head::new(
                width,
                self.read_len(prefix, offset)?,
            ))),
            None => Ok(Status::Partial(Needed::at_least(width - input.len()))),
        }
    }

    #[inline]
    fn header(&self, _header: &[u8], _head: &Head) {}

    fn max_header_len(&self, _limits: &Limits) -> usize {
        self.width.bytes()
    }
}

impl Encode for Binary {
    type Header = HeaderBuf;

    #[inline]
    fn encode_header(&self, payload_len: usize) -> Result<HeaderBuf, Error> {
        let length = payload_len as u64;
        let max = self.max_len();
        if length > max {
            return Err(Error::PayloadTooLong { length, max });
        }
        // Fixed-size writes (`length <= max` fits the width): once per frame.
        Ok(match (self.width, self.endian) {
            (Width::One, _) => HeaderBuf::from_array([length as u8]),
            (Width::Two, Endian::Little) => HeaderBuf::from_array((length as u16).to_le_bytes()),
            (Width::Two, Endian::Big) => HeaderBuf::from_array((length as u16).to_be_bytes()),
            (Width::Two, Endian::Native) => HeaderBuf::from_array((length as u16).to_ne_bytes()),
            (Width::Four, Endian::Little) => HeaderBuf::from_array((length as u32).to_le_bytes()),
            (Width::Four, Endian::Big) => HeaderBuf::from_array((length as u32).to_be_bytes()),
            (Width::Four, Endian::Native) => HeaderBuf::from_array((length as u32).to_ne_bytes()),
            (Width::Eight, Endian::Little) => HeaderBuf::from_array(length.to_le_bytes()),
            (Width::Eight, Endian::Big) => HeaderBuf::from_array(length.to_be_bytes()),
            (Width::Eight, Endian::Native) => HeaderBuf::from_array(length.to_ne_bytes()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn struct_formats_name_layouts() {
        use Endian::*;
        use Signedness::*;
        use Width::*;
        let cases = [
            ("i", Four, Native, Signed),
            ("<i", Four, Little, Signed),
            ("!I", Four, Big, Unsigned),
            (">H", Two, Big, Unsigned),
            ("=q", Eight, Native, Signed),
            ("<B", One, Little, Unsigned),
        ];
        for (format, width, endian, signedness) in cases {
            assert_eq!(
                Binary::from_struct_format(format),
                Ok(Binary::new(width, endian, signedness)),
                "format {format:?}"
            );
        }
    }
}
