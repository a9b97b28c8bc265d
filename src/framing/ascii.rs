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

use super::digits::{eight_value, four_value};
use super::{Encode, Framing, Head, HeaderBuf};
use crate::error::{ConfigError, Error};
use crate::limits::Limits;
use crate::status::{Needed, Status};

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

impl Framing for Ascii {
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
        let width = self.width();
        let Some(prefix) = input.get(..width) else {
            // At most 19 bytes to look at: a bad one is refused as soon as
            // it arrives.
            parse_digits(input, offset)?;
            return Ok(Status::Partial(Needed::at_least(width - input.len())));
        };
        if let Some(payload_len) = word_digits(prefix) {
            return Ok(Status::Complete(Head::new(width, payload_len)));
        }
        // A byte that is not a digit: found and named byte by byte.
        let payload_len = parse_digits(prefix, offset)?;
        Ok(Status::Complete(Head::new(width, payload_len)))
    }

    #[inline]
    fn header(&self, _header: &[u8], _head: &Head) {}

    fn max_header_len(&self, _limits: &Limits) -> usize {
        self.width()
    }
}

/// The value of a header of 1 to 19 digits, read a word at a time; `None`
/// if any byte is not a digit (or for another length), for
/// [`parse_digits`] to name the first bad byte.
///
/// For 4 and 5 digits, the value is two independent multiplies, an
/// addition and a shift after the load: the next frame's header waits for
/// it.
#[inline(always)]
fn word_digits(prefix: &[u8]) -> Option<u64> {
    // `prefix.len()` is the configured width: the same branch every
    // frame. Ranges rather than a `match`, which would become a jump
    // table in front of the usual width.
    let n = prefix.len();
    if n == 4 {
        let word = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
        if !all_digits_u32(word) {
            return None;
        }
        return Some(four_value(u64::from(word)));
    }
    if n.wrapping_sub(5) < 4 {
        if n == 5 {
            return five(prefix);
        }
        return six_to_eight(prefix);
    }
    other_widths(prefix)
}

/// Whether every byte of `word` is an ASCII digit.
///
/// Below the lowest non-digit byte, every byte is a digit: subtracting
/// 0x30 leaves 0..=9 with no borrow and adding 0x46 gives 0x76..=0x7F with
/// no carry, so neither sets a top bit there. At the lowest non-digit
/// byte `b` (no borrow or carry coming in), `b - 0x30` sets its top bit if
/// `b < 0x30` or `b >= 0xB0`, and `b + 0x46` does if `0x3A <= b <= 0xB9`:
/// one of the two always does. So the result is exact, whatever happens
/// above that byte.
#[inline(always)]
fn all_digits_u32(word: u32) -> bool {
    const ONES: u32 = u32::MAX / 0xFF;
    (word.wrapping_sub(ONES * 0x30) | word.wrapping_add(ONES * 0x46)) & (ONES * 0x80) == 0
}

/// Each byte of `word` minus `b'0'`, and whether every byte from byte
/// `shift / 8` up is an ASCII digit (see [`all_digits_u32`]); the bytes
/// below must be zero.
#[inline(always)]
fn digits_u64(word: u64, shift: u32) -> (u64, bool) {
    const ONES: u64 = u64::MAX / 0xFF;
    let values = word.wrapping_sub((ONES * 0x30) << shift);
    let bad = (values | word.wrapping_add((ONES * 0x46) << shift)) & ((ONES * 0x80) << shift);
    (values, bad == 0)
}

/// 5 digits: the first four as in [`four_value`](super::digits::four_value) but times 10 (in bits
/// 47..64, at most 99_990), plus the last.
#[inline(always)]
fn five(prefix: &[u8]) -> Option<u64> {
    let [a, b, c, d, e] = *prefix else {
        return None;
    };
    let head = u32::from_le_bytes([a, b, c, d]);
    let last = e.wrapping_sub(b'0');
    if !all_digits_u32(head) || last > 9 {
        return None;
    }
    let head = u64::from(head);
    // Digit 2 times 10_000 << 47 and digit 3 times 1000 << 39 are even
    // numbers times 2^63: nothing is left of them in the word.
    let even = (head & 0x000F_000F).wrapping_mul((10_000 << 47) | (100 << 31));
    let odd = (head & 0x0F00_0F00).wrapping_mul((1000 << 39) | (10 << 23));
    Some((even.wrapping_add(odd) >> 47) + u64::from(last))
}

/// 6 to 8 digits: two overlapping 4-byte loads make one word.
#[inline(always)]
fn six_to_eight(prefix: &[u8]) -> Option<u64> {
    let n = prefix.len();
    if !(6..=8).contains(&n) {
        return None;
    }
    let lo = u32::from_le_bytes([prefix[0], prefix[1], prefix[2], prefix[3]]);
    let hi = u32::from_le_bytes([prefix[n - 4], prefix[n - 3], prefix[n - 2], prefix[n - 1]]);
    // Digit `i` in byte `8 - n + i` from both loads; zero bytes below.
    let shift = 8 * (8 - n as u32);
    let word = (u64::from(lo) << shift) | (u64::from(hi) << 32);
    let (digits, ok) = digits_u64(word, shift);
    if !ok {
        return None;
    }
    Some(eight_value(digits))
}

/// 1 to 3 and 9 to 19 digits, out of line: rarer widths.
#[inline(never)]
fn other_widths(prefix: &[u8]) -> Option<u64> {
    match prefix.len() {
        1 => {
            let digit = prefix[0].wrapping_sub(b'0');
            (digit <= 9).then_some(u64::from(digit))
        }
        2 => short::<2>(prefix),
        3 => short::<3>(prefix),
        9 => sixteen::<1>(prefix),
        10 => sixteen::<2>(prefix),
        11 => sixteen::<3>(prefix),
        12 => sixteen::<4>(prefix),
        13 => sixteen::<5>(prefix),
        14 => sixteen::<6>(prefix),
        15 => sixteen::<7>(prefix),
        16 => sixteen::<8>(prefix),
        17 => twenty_four::<1>(prefix),
        18 => twenty_four::<2>(prefix),
        19 => twenty_four::<3>(prefix),
        _ => None,
    }
}

/// `N` (2 or 3) digits as 4, after `4 - N` `b'0'` bytes.
#[inline(always)]
fn short<const N: usize>(prefix: &[u8]) -> Option<u64> {
    if prefix.len() != N {
        return None;
    }
    let mut bytes = [b'0'; 4];
    bytes[4 - N..].copy_from_slice(prefix);
    let word = u32::from_le_bytes(bytes);
    all_digits_u32(word).then(|| four_value(u64::from(word)))
}

/// The `N` (1..=8) bytes `digits[..N]` in one word, after `8 - N` `b'0'`
/// bytes: digit `i` in byte `8 - N + i`.
#[inline(always)]
fn word8<const N: usize>(digits: &[u8]) -> u64 {
    let mut bytes = [b'0'; 8];
    bytes[8 - N..].copy_from_slice(&digits[..N]);
    u64::from_le_bytes(bytes)
}

/// `H + 8` digits (`H` from 1 to 8): the first `H` and the last 8, each
/// read as one word.
#[inline(always)]
fn sixteen<const H: usize>(prefix: &[u8]) -> Option<u64> {
    if prefix.len() != H + 8 {
        return None;
    }
    let (high, high_ok) = digits_u64(word8::<H>(&prefix[..H]), 0);
    let (low, low_ok) = digits_u64(word8::<8>(&prefix[H..]), 0);
    (high_ok & low_ok).then(|| eight_value(high) * 100_000_000 + eight_value(low))
}

/// `H + 16` digits (`H` from 1 to 3), read as three words: at most
/// 10^19 - 1, which fits a `u64`.
#[inline(always)]
fn twenty_four<const H: usize>(prefix: &[u8]) -> Option<u64> {
    if prefix.len() != H + 16 {
        return None;
    }
    let (high, high_ok) = digits_u64(word8::<H>(&prefix[..H]), 0);
    let (mid, mid_ok) = digits_u64(word8::<8>(&prefix[H..H + 8]), 0);
    let (low, low_ok) = digits_u64(word8::<8>(&prefix[H + 8..]), 0);
    (high_ok & mid_ok & low_ok).then(|| {
        (eight_value(high) * 100_000_000 + eight_value(mid)) * 100_000_000 + eight_value(low)
    })
}

/// Parses digits one by one, naming the first bad byte.
fn parse_digits(prefix: &[u8], offset: u64) -> Result<u64, Error> {
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
    Ok(body_len)
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
        // At most 19 digits: always fits.
        HeaderBuf::from_slice(&digits[..width]).ok_or(Error::PayloadTooLong { length: n, max })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::{format, vec, vec::Vec};

    /// `parse_header` for the width of `prefix` gives what the byte by
    /// byte `parse_digits` does, and valid headers take the word path.
    fn check(prefix: &[u8], offset: u64) {
        let framing = Ascii::with_width(prefix.len()).expect("valid width");
        let got = framing
            .parse_header(prefix, &mut (), offset, &Limits::default())
            .map(|status| status.complete().map(|head| head.payload_len));
        let want = parse_digits(prefix, offset);
        assert_eq!(
            got,
            want.clone().map(Some),
            "prefix {prefix:?} at offset {offset}"
        );
        // And the reference itself: the value, or the first bad byte.
        match prefix.iter().position(|b| !b.is_ascii_digit()) {
            Some(i) => {
                assert_eq!(
                    want,
                    Err(Error::InvalidDigit {
                        offset: offset + i as u64,
                        byte: prefix[i],
                    })
                );
                assert_eq!(word_digits(prefix), None, "prefix {prefix:?}");
            }
            None => {
                let text = core::str::from_utf8(prefix).expect("digits");
                let value: u64 = text.parse().expect("at most 19 digits");
                assert_eq!(want, Ok(value));
                assert_eq!(word_digits(prefix), Some(value), "prefix {prefix:?}");
            }
        }
    }

    fn digits(value: u64, width: usize) -> Vec<u8> {
        let text = format!("{value:0width$}");
        assert_eq!(text.len(), width);
        text.into_bytes()
    }

    /// Values worth trying at a width: 0, 10^k - 1 and 10^k, every digit
    /// in every place, and pseudo-random ones.
    fn values(width: usize) -> Vec<u64> {
        let max = Ascii::with_width(width).expect("valid width").max_len();
        let mut values = vec![0, max, max / 2];
        let mut power = 1u64;
        for place in 0..width {
            values.extend([power - 1, power, power + 1]);
            for digit in 1..=9 {
                values.push(digit * power);
                values.push(max - digit * power);
            }
            if place + 1 < width {
                power *= 10;
            }
        }
        let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ width as u64;
        for _ in 0..2000 {
            // xorshift64
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            values.push(state % (max + 1));
        }
        values.retain(|&v| v <= max);
        values
    }

    #[test]
    fn every_width_parses_like_digit_by_digit() {
        for width in 1..=Ascii::MAX_WIDTH {
            if width <= 5 {
                let max = Ascii::with_width(width).unwrap().max_len();
                for value in 0..=max {
                    check(&digits(value, width), 0);
                }
            }
            for value in values(width) {
                check(&digits(value, width), 12_345);
            }
        }
    }

    #[test]
    fn every_width_names_the_first_bad_byte() {
        const BAD: [u8; 16] = [
            b'/', b':', b' ', 0x00, 0xB0, 0xFF, b'a', b'+', b'-', 0x2F, 0x3A, 0x7F, 0x80, 0xB9,
            0xBA, 0xF9,
        ];
        for width in 1..=Ascii::MAX_WIDTH {
            for base in [0, 1, Ascii::with_width(width).unwrap().max_len()] {
                let base = digits(base, width);
                for i in 0..width {
                    // Every byte value at each position: digits included.
                    for byte in 0..=u8::MAX {
                        let mut prefix = base.clone();
                        prefix[i] = byte;
                        check(&prefix, 1_000_000);
                    }
                    // A second bad byte after the first: the first is named.
                    for (k, &first) in BAD.iter().enumerate() {
                        for j in i + 1..width {
                            let mut prefix = base.clone();
                            prefix[i] = first;
                            prefix[j] = BAD[(k + 7) % BAD.len()];
                            check(&prefix, u64::MAX - 64);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn partial_headers_are_checked_as_they_arrive() {
        let framing = Ascii::new();
        let limits = Limits::default();
        assert_eq!(
            framing.parse_header(b"", &mut (), 0, &limits),
            Ok(Status::Partial(Needed::at_least(4)))
        );
        assert_eq!(
            framing.parse_header(b"12", &mut (), 0, &limits),
            Ok(Status::Partial(Needed::at_least(2)))
        );
        assert_eq!(
            framing.parse_header(b"12x", &mut (), 5, &limits),
            Err(Error::InvalidDigit {
                offset: 7,
                byte: b'x'
            })
        );
        assert_eq!(
            framing.parse_header(b"123456", &mut (), 0, &limits),
            Ok(Status::Complete(Head::new(4, 1234)))
        );
    }
}
