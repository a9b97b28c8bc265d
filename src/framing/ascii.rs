//! ASCII decimal length: `b"0005hello"`.
//!
//! ```text
//! +----+----+----+----+-------------------+
//! | '0'| '0'| '0'| '5'|  h  e  l  l  o    |
//! +----+----+----+----+-------------------+
//!   4 ASCII digits,      N payload bytes
//!   zero-padded
//! ```
//!
//! The peer writes `str(len(msg)).zfill(4).encode() + msg`. The decoder is
//! strict: every header byte must be `b'0'..=b'9'` (no sign, no space), and a
//! bad byte is refused as soon as it arrives.

use crate::decoder::{Framing, Head};
use crate::encoder::{Encode, HeaderBuf};
use crate::error::{ConfigError, Error};
use crate::limits::Limits;

/// The ASCII decimal length framing, 4 digits unless configured otherwise.
///
/// ```
/// use sockframe::{Ascii, Decoder, Encode, Status};
///
/// let wire = Ascii::new().encode_to_vec(b"hello")?;
/// assert_eq!(wire, b"0005hello");
///
/// let mut decoder = Decoder::new(Ascii::new());
/// // Two bytes of header: at least two more are needed.
/// assert!(matches!(decoder.decode(b"00")?, Status::Partial(n) if n.bytes() == 2));
/// // The whole frame and the start of the next one.
/// let Status::Complete((frame, used)) = decoder.decode(b"0005hello0003")? else { panic!() };
/// assert_eq!((frame.payload(), used), (&b"hello"[..], 9));
/// # Ok::<(), sockframe::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ascii {
    width: u8,
}

impl Ascii {
    /// The widest header supported: 19 digits still fit a `u64`.
    pub const MAX_WIDTH: usize = 19;

    /// Four digits, as `zfill(4)` writes: payloads of 0..=9999 bytes.
    pub const fn new() -> Self {
        Ascii { width: 4 }
    }

    /// Another number of digits, from 1 to [`MAX_WIDTH`](Self::MAX_WIDTH).
    pub fn with_width(width: usize) -> Result<Self, ConfigError> {
        match u8::try_from(width) {
            Ok(w) if (1..=Self::MAX_WIDTH).contains(&width) => Ok(Ascii { width: w }),
            _ => Err(ConfigError::AsciiWidth { width }),
        }
    }

    /// The number of digits.
    pub fn width(&self) -> usize {
        usize::from(self.width)
    }

    /// The longest payload the header can describe: `10^width - 1`.
    pub fn max_len(&self) -> u64 {
        10u64.pow(u32::from(self.width)) - 1
    }
}

impl Default for Ascii {
    fn default() -> Self {
        Self::new()
    }
}

/// The first byte that is not an ASCII digit, with its index.
fn first_non_digit(bytes: &[u8]) -> Option<(usize, u8)> {
    bytes
        .iter()
        .copied()
        .enumerate()
        .find(|(_, b)| !b.is_ascii_digit())
}

impl Framing for Ascii {
    type Header<'a> = ();
    type OwnedHeader = ();

    fn to_owned_header(_header: &()) {}

    #[inline]
    fn prefix_len(&self) -> usize {
        self.width()
    }

    fn check_partial(&self, partial: &[u8], offset: u64) -> Result<(), Error> {
        match first_non_digit(partial) {
            Some((i, byte)) => Err(Error::InvalidDigit {
                offset: offset + i as u64,
                byte,
            }),
            None => Ok(()),
        }
    }

    #[inline(always)]
    fn parse_prefix(&self, prefix: &[u8], offset: u64, _limits: &Limits) -> Result<Head, Error> {
        if let Some(body_len) = four_digits(prefix) {
            return Ok(Head::Complete { body_len });
        }
        parse_digits(prefix, offset)
    }

    #[inline]
    fn header<'a>(&self, _header: &'a [u8], _body_len: u64) -> Self::Header<'a> {}
}

/// The value of a 4-digit header (the usual width), read as one word;
/// `None` for another width or if any byte is not a digit.
#[inline(always)]
fn four_digits(prefix: &[u8]) -> Option<u64> {
    if prefix.len() != 4 {
        return None;
    }
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(prefix);
    let word = u32::from_le_bytes(bytes);
    // Every byte is 0x30..=0x39: high nibble 3, and adding 6 to the low
    // nibble does not carry into it.
    if word & 0xF0F0_F0F0 != 0x3030_3030
        || word.wrapping_add(0x0606_0606) & 0xF0F0_F0F0 != 0x3030_3030
    {
        return None;
    }
    let digits = word - 0x3030_3030; // First digit in the low byte.
                                     // Pairs: bytes 0 and 2 become d0*10+d1 and d2*10+d3 (at most 99).
    let pairs = (digits * 10 + (digits >> 8)) & 0x00FF_00FF;
    Some(u64::from((pairs & 0xFF) * 100 + (pairs >> 16)))
}

/// Parses a header of any width digit by digit, naming the first bad byte.
fn parse_digits(prefix: &[u8], offset: u64) -> Result<Head, Error> {
    let mut body_len = 0u64;
    for (i, &byte) in prefix.iter().enumerate() {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return Err(Error::InvalidDigit {
                offset: offset + i as u64,
                byte,
            });
        }
        // At most 19 digits: cannot overflow a u64.
        body_len = body_len * 10 + u64::from(digit);
    }
    Ok(Head::Complete { body_len })
}

impl Encode for Ascii {
    type Header = HeaderBuf;

    #[inline]
    fn encode_header(&self, payload_len: usize) -> Result<HeaderBuf, Error> {
        if self.width == 4 {
            // The usual width, with a fixed-size header: once per frame.
            let length = payload_len as u64;
            if length > 9999 {
                return Err(Error::PayloadTooLong { length, max: 9999 });
            }
            let n = length as u32;
            return Ok(HeaderBuf::from_array([
                b'0' + (n / 1000) as u8,
                b'0' + (n / 100 % 10) as u8,
                b'0' + (n / 10 % 10) as u8,
                b'0' + (n % 10) as u8,
            ]));
        }
        let max = self.max_len();
        let mut n = payload_len as u64;
        if n > max {
            return Err(Error::PayloadTooLong { length: n, max });
        }
        let mut digits = [b'0'; Ascii::MAX_WIDTH];
        let width = self.width();
        for slot in digits[..width].iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        Ok(HeaderBuf::from_slice(&digits[..width]))
    }
}
