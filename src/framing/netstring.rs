//! Netstrings (D. J. Bernstein, <https://cr.yp.to/proto/netstrings.txt>):
//! `<decimal length>:<payload>,`.
//!
//! ```text
//! +-----+-----+-----+------------------------------+-----+
//! | '1' | '2' | ':' |  h e l l o   w o r l d !     | ',' |
//! +-----+-----+-----+------------------------------+-----+
//!   decimal length,    N payload bytes                trailer
//!   no leading zero
//!
//! b"5:hello,"   b"0:,"   b"12:hello world!,"
//! ```
//!
//! The header is the length in ASCII decimal digits, then `:`; the payload
//! follows, then a `,` that belongs to the frame (its trailer) but not to
//! the payload. The decoder is strict, as djb's text asks, and names the
//! offending byte of anything else:
//!
//! | input | error |
//! |---|---|
//! | `:`, a colon with no digits | [`Error::InvalidHeader`] at the colon ("empty length") |
//! | `x`, `+5:`, ` 5:`, `5 :` | [`Error::InvalidDigit`] at the byte that is neither a digit nor (after a digit) `:` |
//! | `00:`, `01:x,` | [`Error::InvalidHeader`] at the second digit ("leading zero"): only `0` itself starts with `0` |
//! | `5:hello;` | [`Error::InvalidHeader`] at the `;` ("expected ','") |
//! | digits over the limits | [`Error::FrameTooLong`] at the frame, as soon as the digits exceed them (see below) |
//! | 20 digits over `u64::MAX`, or 21 digits, where the limits allow that much | [`Error::InvalidHeader`] at the digit that overflows ("over 64 bits") |
//!
//! # Limits
//!
//! A length is refused while its digits arrive, as soon as they exceed the
//! larger of [`Limits::max_frame`] and [`Limits::max_streamed_body`]: the
//! framing cannot tell whether the frame will be held whole or streamed,
//! so it refuses early only what no API would accept. Once the `:`
//! arrives the decoder checks the length against the limit of the API in
//! use, as for every framing, before reserving anything. With both limits
//! at 100, `1000` is refused at its fourth digit
//! ([`Error::FrameTooLong`], with `length` the digits so far, 1000, a lower
//! bound of the length announced); with only `max_frame` at 100,
//! [`Decoder::decode`](crate::Decoder::decode) refuses `1000:` at its `:`
//! and [`Decoder::decode_event`](crate::Decoder::decode_event) streams it.
//!
//! With no leading zeros, a header has at most as many digits as that
//! limit has, plus the `:`: never more than 21 bytes (nor more than
//! [`Limits::max_header`], if that is lower: [`Error::HeaderTooLong`]).

use alloc::format;

use super::digits::{eight_value, four_value, non_digit_bits};
use super::{Encode, Framing, Head, HeaderBuf};
use crate::error::Error;
use crate::limits::Limits;
use crate::status::{Needed, Status};

/// The netstring framing: `<decimal length>:<payload>,`.
///
/// ```
/// use sockframe::framing::netstring::Netstring;
/// use sockframe::{Decoder, Encode, Error, Limits, Status};
///
/// assert_eq!(Netstring::new().encode_to_vec(b"hello")?, b"5:hello,");
///
/// let mut decoder = Decoder::new(Netstring::new());
/// // The length is known; the payload and the comma are not all here:
/// // exactly 3 more bytes.
/// assert!(matches!(decoder.decode(b"5:hel")?, Status::Partial(n) if n.bytes() == 3));
/// let Status::Complete((frame, used)) = decoder.decode(b"5:hello,0:,")? else { panic!() };
/// assert_eq!((frame.payload(), used), (&b"hello"[..], 8));
///
/// // Anything but a comma after the payload is refused where it stands.
/// let mut decoder = Decoder::new(Netstring::new());
/// assert!(matches!(decoder.decode(b"5:hello;"), Err(Error::InvalidHeader { offset: 7, .. })));
///
/// // A length over the limits is refused as soon as its digits exceed them.
/// let limits = Limits::new().max_frame(100).max_streamed_body(100);
/// let mut decoder = Decoder::with_limits(Netstring::new(), limits);
/// assert_eq!(
///     decoder.decode(b"1000"),
///     Err(Error::FrameTooLong { offset: 0, length: 1000, limit: 100 })
/// );
/// # Ok::<(), sockframe::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Netstring {
    // Room for options without breaking callers: build with `new()` or
    // `default()`.
    _private: (),
}

impl Netstring {
    /// The longest header: 20 digits (`u64::MAX` has 20) and the `:`.
    pub const MAX_HEADER_LEN: usize = 21;

    /// The bytes after every payload.
    pub const TRAILER: &'static [u8] = b",";

    /// The netstring framing.
    pub const fn new() -> Self {
        Netstring { _private: () }
    }

    /// The length of the header the encoder writes for a payload of
    /// `payload_len` bytes: its decimal digits and the `:`.
    ///
    /// ```
    /// use sockframe::framing::netstring::Netstring;
    /// assert_eq!(Netstring::header_len(0), 2);
    /// assert_eq!(Netstring::header_len(100), 4);
    /// assert_eq!(Netstring::header_len(u64::MAX), 21);
    /// ```
    pub const fn header_len(payload_len: u64) -> usize {
        decimal_digits(payload_len) + 1
    }
}

/// How many decimal digits `value` has (1 for 0).
const fn decimal_digits(value: u64) -> usize {
    match value.checked_ilog10() {
        Some(log) => log as usize + 1,
        None => 1,
    }
}

/// The limit digits are checked against while they arrive: what no API
/// would accept (see the [module docs](self)).
#[inline(always)]
fn early_limit(limits: &Limits) -> u64 {
    limits.max_frame.max(limits.max_streamed_body)
}

/// Where an unfinished length stopped: the digits read and their value,
/// so that the scan resumes at the next byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct NetstringScan {
    /// Digits read (at most 20), none of them a leading zero.
    digits: u8,
    /// Their value, within the limit.
    value: u64,
}

/// Up to 19 digits never overflow a `u64` (`10^19 - 1 < u64::MAX`): only
/// the 20th needs checked arithmetic.
const UNCHECKED_DIGITS: usize = 19;

impl Framing for Netstring {
    type Scan = NetstringScan;
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    #[inline(always)]
    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut NetstringScan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        let limit = early_limit(limits);
        if scan.digits == 0 {
            if let Some(head) = short_header(input, limit) {
                return Ok(Status::Complete(head));
            }
        }
        scan_digits(input, scan, offset, limit)
    }

    #[inline]
    fn header(&self, _header: &[u8], _head: &Head) {}

    #[inline]
    fn check_trailer(&self, trailer: &[u8], offset: u64) -> Result<(), Error> {
        // A pattern, not `==`: one byte compared, no `memcmp` call.
        match trailer {
            [b','] => Ok(()),
            _ => Err(bad_trailer(trailer, offset)),
        }
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        Netstring::header_len(early_limit(limits)).min(limits.max_header)
    }
}

/// The header byte by byte from where `scan` stopped: every byte is
/// examined once, however the input arrives, and a bad one is named. Out
/// of line: the usual header takes [`short_header`].
#[inline(never)]
fn scan_digits(
    input: &[u8],
    scan: &mut NetstringScan,
    offset: u64,
    limit: u64,
) -> Result<Status<Head>, Error> {
    let mut at = usize::from(scan.digits);
    let mut value = scan.value;
    // Each byte is examined once: the scan resumes after the digits
    // read by earlier calls.
    while let Some(&byte) = input.get(at) {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            if byte == b':' && at > 0 {
                let head = Head::new(at + 1, value).with_trailer(1);
                return Ok(Status::Complete(head));
            }
            return Err(not_a_digit(byte, at, offset));
        }
        // A digit after a first `0`: only `0` itself starts with one.
        if value == 0 && at > 0 {
            return Err(Error::invalid_header(
                offset + at as u64,
                "leading zero in a netstring length",
            ));
        }
        value = if at < UNCHECKED_DIGITS {
            value * 10 + u64::from(digit)
        } else {
            match value
                .checked_mul(10)
                .and_then(|v| v.checked_add(digit.into()))
            {
                Some(value) => value,
                None => return Err(over_64_bits(offset + at as u64)),
            }
        };
        if value > limit {
            return Err(Error::FrameTooLong {
                offset,
                length: value,
                limit,
            });
        }
        at += 1;
    }
    // At most 20 digits: any more overflow or exceed the limit. (`at`
    // exceeds the input only if the caller gave fewer bytes than
    // before, which the decoder never does: then it asks for them.)
    scan.digits = at as u8;
    scan.value = value;
    Ok(Status::Partial(Needed::at_least(
        (at + 1).saturating_sub(input.len()),
    )))
}

/// A whole header of 1 to 7 digits read from one 8-byte word, when there
/// are 8 bytes to read and the header is valid and within `limit`: the
/// usual case, with no loop. `None` otherwise, for the byte-by-byte scan
/// to finish or to name the offending byte.
///
/// The next frame's position waits for this value, so the work is kept
/// shallow: the `:` is found in the word (no second load), and up to 4
/// digits take two multiplies that do not wait for each other.
#[inline(always)]
fn short_header(input: &[u8], limit: u64) -> Option<Head> {
    const ONES: u64 = u64::MAX / 0xFF;
    let bytes: [u8; 8] = input.get(..8)?.try_into().ok()?;
    let word = u64::from_le_bytes(bytes);
    // Below the first byte that is not a digit, no byte sets its top bit
    // in either term; that byte always sets it in one of them (see
    // `Ascii`'s word parse): its index is exact, whatever lies above.
    let not_digits = non_digit_bits(word);
    let digits = (not_digits.trailing_zeros() / 8) as usize;
    // 1 to 7 digits, then ':', and no leading zero.
    if digits.wrapping_sub(1) >= 7 || (word >> (8 * digits)) as u8 != b':' {
        return None;
    }
    if digits > 1 && bytes[0] == b'0' {
        return None;
    }
    // The digits' values, the last in the top byte: shifting drops the
    // bytes from the ':' on and leaves zeros (leading zeros) below.
    let values = word & (ONES * 0x0F);
    let value = if digits <= 4 {
        four_value(values << (8 * (4 - digits)))
    } else {
        eight_value(values << (8 * (8 - digits)))
    };
    (value <= limit).then(|| Head::new(digits + 1, value).with_trailer(1))
}

/// `byte`, at index `at` of the header, is neither a digit nor a `:` that
/// ends at least one digit.
#[cold]
fn not_a_digit(byte: u8, at: usize, offset: u64) -> Error {
    let offset = offset + at as u64;
    if byte == b':' {
        Error::invalid_header(
            offset,
            "empty netstring length: ':' with no digit before it",
        )
    } else {
        Error::InvalidDigit { offset, byte }
    }
}

#[cold]
fn over_64_bits(offset: u64) -> Error {
    Error::invalid_header(
        offset,
        "netstring length over 64 bits (more than 18446744073709551615)",
    )
}

/// The byte after the payload is not the `,` that must end a netstring.
#[cold]
fn bad_trailer(trailer: &[u8], offset: u64) -> Error {
    match trailer {
        [byte] => Error::invalid_header(
            offset,
            format!(
                "expected ',' after the netstring's payload, found '{}' (0x{byte:02x})",
                core::ascii::escape_default(*byte)
            ),
        ),
        _ => Error::invalid_header(offset, "expected ',' after the netstring's payload"),
    }
}

impl Encode for Netstring {
    type Header = HeaderBuf;

    #[inline]
    fn encode_header(&self, payload_len: usize) -> Result<HeaderBuf, Error> {
        let length = payload_len as u64;
        // Fixed-size headers for payloads under 10 000 bytes: once per
        // frame, with no loop.
        let digit = |n: u64| b'0' + (n % 10) as u8;
        if length < 10 {
            return Ok(HeaderBuf::from_array([digit(length), b':']));
        }
        if length < 100 {
            return Ok(HeaderBuf::from_array([
                digit(length / 10),
                digit(length),
                b':',
            ]));
        }
        if length < 1000 {
            return Ok(HeaderBuf::from_array([
                digit(length / 100),
                digit(length / 10),
                digit(length),
                b':',
            ]));
        }
        if length < 10_000 {
            return Ok(HeaderBuf::from_array([
                digit(length / 1000),
                digit(length / 100),
                digit(length / 10),
                digit(length),
                b':',
            ]));
        }
        encode_long(length)
    }

    #[inline]
    fn trailer(&self) -> &[u8] {
        Netstring::TRAILER
    }
}

/// The header for a length of 5 to 20 digits.
#[inline(never)]
fn encode_long(length: u64) -> Result<HeaderBuf, Error> {
    let mut bytes = [b':'; Netstring::MAX_HEADER_LEN];
    let len = Netstring::header_len(length);
    let mut rest = length;
    for slot in bytes[..len - 1].iter_mut().rev() {
        *slot = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    // At most 21 bytes: always fits a `HeaderBuf`.
    HeaderBuf::from_slice(&bytes[..len]).ok_or(Error::PayloadTooLong {
        length,
        max: u64::MAX,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    fn parse(input: &[u8], limits: &Limits) -> Result<Status<Head>, Error> {
        Netstring::new().parse_header(input, &mut NetstringScan::default(), 1000, limits)
    }

    #[test]
    fn encodes_decimal_lengths() {
        let everything = Limits::new().max_frame(u64::MAX);
        let mut values = alloc::vec![0u64, u64::MAX, u64::MAX / 10, 10_000];
        let mut power = 1u64;
        while let Some(next) = power.checked_mul(10) {
            values.extend([power - 1, power, power + 1, next - 1]);
            power = next;
        }
        for value in values {
            let Ok(len) = usize::try_from(value) else {
                continue;
            };
            let header = Netstring::new().encode_header(len).unwrap();
            let want = value.to_string() + ":";
            assert_eq!(header.as_bytes(), want.as_bytes());
            assert_eq!(Netstring::header_len(value), want.len());
            assert_eq!(
                parse(&header, &everything),
                Ok(Status::Complete(
                    Head::new(want.len(), value).with_trailer(1)
                ))
            );
        }
    }

    #[test]
    fn twenty_digits_fit_up_to_u64_max() {
        let everything = Limits::new()
            .max_frame(u64::MAX)
            .max_streamed_body(u64::MAX);
        assert_eq!(
            parse(b"18446744073709551615:", &everything),
            Ok(Status::Complete(Head::new(21, u64::MAX).with_trailer(1)))
        );
        assert!(matches!(
            parse(b"18446744073709551616:", &everything),
            Err(Error::InvalidHeader { offset: 1019, .. })
        ));
        assert!(matches!(
            parse(b"99999999999999999999", &everything),
            Err(Error::InvalidHeader { offset: 1019, .. })
        ));
    }

    /// `short_header` reads what the byte-by-byte scan reads, or leaves
    /// the input to it.
    #[test]
    fn the_word_parse_agrees_with_the_scan() {
        let tails: [&[u8]; 4] = [b"", b"xxxxxxxx", b"0123456", b":,\xff\x00\x80:99"];
        let mut heads: Vec<Vec<u8>> = Vec::new();
        for value in (0..=100_000u64).chain((0..7).map(|k| 10u64.pow(k + 1) - 1)) {
            heads.push(value.to_string().into_bytes());
            heads.push(format!("{value}:").into_bytes());
            heads.push(format!("0{value}:").into_bytes());
        }
        for prefix in [
            &b":"[..],
            b"00:",
            b"0:",
            b"1x:",
            b"12345678:",
            b"9999999:",
            b"\xb9:",
        ] {
            heads.push(prefix.to_vec());
        }
        for limit in [u64::MAX, 0, 99, 100, 5_000_000] {
            for head in &heads {
                for tail in tails {
                    let input = [&head[..], tail].concat();
                    let Some(fast) = short_header(&input, limit) else {
                        continue;
                    };
                    let slow = scan_digits(&input, &mut NetstringScan::default(), 0, limit);
                    assert_eq!(Ok(Status::Complete(fast)), slow, "{input:?}");
                }
            }
        }
        // Every valid header of 1 to 7 digits with 8 bytes takes it.
        for value in [0u64, 7, 10, 99, 100, 12_345, 999_999, 1_000_000, 9_999_999] {
            let input = format!("{value}:hello,");
            let head = Head::new(Netstring::header_len(value), value).with_trailer(1);
            assert_eq!(short_header(input.as_bytes(), u64::MAX), Some(head));
        }
    }

    #[test]
    fn max_header_len_follows_the_limits() {
        let netstring = Netstring::new();
        assert_eq!(netstring.max_header_len(&Limits::new()), 14);
        let small = Limits::new().max_frame(0).max_streamed_body(0);
        assert_eq!(netstring.max_header_len(&small), 2);
        let everything = Limits::new().max_streamed_body(u64::MAX);
        assert_eq!(netstring.max_header_len(&everything), 21);
        assert_eq!(netstring.max_header_len(&everything.max_header(5)), 5);
    }
}
