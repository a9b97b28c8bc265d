//! Varint length prefix: an unsigned LEB128 integer, as protobuf's delimited
//! messages (`writeDelimitedTo` / `parseDelimitedFrom`, Python's
//! `_VarintBytes(len(m)) + m`).
//!
//! ```text
//! +----------+----------+-------------------------+
//! | 1 0101100| 0 0000010|  300 payload bytes      |
//! +----------+----------+-------------------------+
//!    0xAC       0x02
//!   low 7 bits first; the top bit says another byte follows
//!
//! 5 bytes:      05 68 65 6C 6C 6F          ("hello")
//! 150 bytes:    96 01 <150 bytes>
//! 300 bytes:    AC 02 <300 bytes>
//! 2^63 bytes:   80 80 80 80 80 80 80 80 80 01 <...>
//! ```
//!
//! The length is 1 to 10 bytes, each carrying 7 bits of it, least
//! significant first, with the top bit (`0x80`) set on every byte but the
//! last. The encoder writes the shortest form, as protobuf does.
//!
//! The decoder takes what protobuf's parsers take, and refuses the rest at
//! the offending byte with [`Error::InvalidHeader`]:
//!
//! - **Non-minimal forms are accepted**: `80 00` is 0 and `FF 80 00` is
//!   127, as protobuf (C++, Java, Python) reads them; a peer that pads its
//!   varints to a fixed width still decodes.
//! - **The 10th byte must end the varint and carry only bit 63** (`00` or
//!   `01`): a 10th byte with its top bit set is an *overlong* varint (an
//!   11th byte would follow), and one with any of the bits `0x7E` set
//!   gives a value *over 64 bits*. Both are refused at the 10th byte,
//!   without waiting for more. (Protobuf's Java and Python parsers drop
//!   the bits past 64 silently; Go's `protowire` and prost refuse them,
//!   as sockframe does: a peer that sends them is broken, and a length
//!   read modulo 2^64 would frame the rest of the stream wrongly.)
//!
//! The length is checked against the decoder's [`Limits`] as soon as the
//! varint is whole, before any memory is reserved for the payload; a
//! varint still incomplete after [`Limits::max_header`] bytes (if under
//! 10) is refused as [`Error::HeaderTooLong`].

use super::{Encode, Framing, Head, HeaderBuf};
use crate::error::Error;
use crate::limits::Limits;
use crate::status::{Needed, Status};

/// The varint (unsigned LEB128) length-prefix framing: protobuf's
/// delimited messages.
///
/// ```
/// use sockframe::framing::varint::Varint;
/// use sockframe::{Decoder, Encode, Error, Status};
///
/// let wire = Varint::new().encode_to_vec(&[7u8; 300])?;
/// assert_eq!(wire[..2], [0xAC, 0x02]);
///
/// let mut decoder = Decoder::new(Varint::new());
/// // Half a varint: at least one more byte is needed.
/// assert!(decoder.decode(&wire[..1])?.is_partial());
/// let Status::Complete((frame, used)) = decoder.decode(&wire)? else { panic!() };
/// assert_eq!((frame.payload().len(), used), (300, 302));
///
/// // A non-minimal zero, as protobuf accepts it: an empty payload.
/// let mut decoder = Decoder::new(Varint::new());
/// let Status::Complete((frame, used)) = decoder.decode(b"\x80\x00")? else { panic!() };
/// assert_eq!((frame.payload(), used), (&b""[..], 2));
///
/// // Ten bytes that do not end: refused at the tenth.
/// let mut decoder = Decoder::new(Varint::new());
/// let error = decoder.decode(&[0xFF; 10]).unwrap_err();
/// assert!(matches!(error, Error::InvalidHeader { offset: 9, .. }));
/// # Ok::<(), sockframe::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Varint {
    // Room for options (say, refusing non-minimal forms) without breaking
    // callers: build with `new()` or `default()`.
    _private: (),
}

impl Varint {
    /// The longest varint: 10 bytes hold 64 bits.
    pub const MAX_HEADER_LEN: usize = 10;

    /// The varint framing.
    pub const fn new() -> Self {
        Varint { _private: () }
    }

    /// The length of the varint the encoder writes for a payload of
    /// `payload_len` bytes: 1 to 10.
    ///
    /// ```
    /// use sockframe::framing::varint::Varint;
    /// assert_eq!(Varint::header_len(127), 1);
    /// assert_eq!(Varint::header_len(128), 2);
    /// assert_eq!(Varint::header_len(u64::MAX), 10);
    /// ```
    pub const fn header_len(payload_len: u64) -> usize {
        // Significant bits, 7 per byte; 0 still takes one byte.
        let bits = 64 - (payload_len | 1).leading_zeros() as usize;
        bits.div_ceil(7)
    }
}

/// Where an unfinished varint stopped: the bytes read and the value they
/// make, so that the scan resumes at the next byte.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct VarintScan {
    /// Bytes of the varint read, all with the continuation bit (at most 9).
    bytes_seen: u8,
    /// Their 7-bit groups, in place.
    value: u64,
}

impl Framing for Varint {
    type Scan = VarintScan;
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    #[inline(always)]
    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut VarintScan,
        offset: u64,
        _limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        // Payloads under 16 KiB have one- or two-byte varints: read at once
        // when no scan is under way, with no loop and no state written.
        if scan.bytes_seen == 0 {
            if let Some(&first) = input.first() {
                if first < 0x80 {
                    return Ok(Status::Complete(Head::new(1, u64::from(first))));
                }
                if let Some(&second) = input.get(1) {
                    if second < 0x80 {
                        let value = u64::from(first & 0x7F) | u64::from(second) << 7;
                        return Ok(Status::Complete(Head::new(2, value)));
                    }
                }
            }
        }
        resume(input, scan, offset)
    }

    #[inline]
    fn header(&self, _header: &[u8], _head: &Head) {}

    fn max_header_len(&self, limits: &Limits) -> usize {
        Self::MAX_HEADER_LEN.min(limits.max_header)
    }
}

/// The varint from where `scan` stopped: every byte of `input` is examined
/// once, however it arrives.
#[inline(never)]
fn resume(input: &[u8], scan: &mut VarintScan, offset: u64) -> Result<Status<Head>, Error> {
    let seen = usize::from(scan.bytes_seen);
    let Some(unseen) = input.get(seen..) else {
        // Fewer bytes than were scanned (the decoder never does this):
        // wait for them again rather than misread.
        return Ok(Status::Partial(Needed::at_least(seen + 1 - input.len())));
    };
    let mut value = scan.value;
    // `index` stays below 10: the 10th byte either ends the varint or is
    // refused.
    for (index, &byte) in (seen..Varint::MAX_HEADER_LEN).zip(unseen) {
        if index == Varint::MAX_HEADER_LEN - 1 && byte > 1 {
            return Err(tenth_byte_error(byte, offset + index as u64));
        }
        value |= u64::from(byte & 0x7F) << (7 * index);
        if byte < 0x80 {
            return Ok(Status::Complete(Head::new(index + 1, value)));
        }
    }
    // Every byte so far continues the varint, so there are at most 9.
    scan.bytes_seen = input.len() as u8;
    scan.value = value;
    Ok(Status::Partial(Needed::at_least(1)))
}

/// Why a 10th byte other than `00` or `01` is refused.
#[cold]
fn tenth_byte_error(byte: u8, offset: u64) -> Error {
    if byte & 0x7E != 0 {
        Error::invalid_header(
            offset,
            "varint over 64 bits: its 10th byte sets bits past bit 63",
        )
    } else {
        Error::invalid_header(
            offset,
            "overlong varint: its 10th byte has the continuation bit set (at most 10 bytes)",
        )
    }
}

impl Encode for Varint {
    type Header = HeaderBuf;

    #[inline]
    fn encode_header(&self, payload_len: usize) -> Result<HeaderBuf, Error> {
        let length = payload_len as u64;
        // Fixed-size headers for payloads under 16 KiB: once per frame.
        if length < 0x80 {
            return Ok(HeaderBuf::from_array([length as u8]));
        }
        if length < 0x4000 {
            return Ok(HeaderBuf::from_array([
                length as u8 | 0x80,
                (length >> 7) as u8,
            ]));
        }
        encode_long(length)
    }
}

/// The minimal varint of 3 to 10 bytes for `length`.
#[inline(never)]
fn encode_long(length: u64) -> Result<HeaderBuf, Error> {
    let mut bytes = [0u8; Varint::MAX_HEADER_LEN];
    let mut rest = length;
    let mut len = 0;
    for slot in bytes.iter_mut() {
        len += 1;
        if rest < 0x80 {
            *slot = rest as u8;
            break;
        }
        *slot = rest as u8 | 0x80;
        rest >>= 7;
    }
    // At most 10 bytes: always fits a `HeaderBuf`.
    HeaderBuf::from_slice(&bytes[..len]).ok_or(Error::PayloadTooLong {
        length,
        max: u64::MAX,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Unsigned LEB128, the plain way.
    fn leb128(mut value: u64) -> Vec<u8> {
        let mut out = Vec::new();
        loop {
            let byte = (value & 0x7F) as u8;
            value >>= 7;
            if value == 0 {
                out.push(byte);
                return out;
            }
            out.push(byte | 0x80);
        }
    }

    fn parse(input: &[u8]) -> Result<Status<Head>, Error> {
        Varint::new().parse_header(input, &mut VarintScan::default(), 0, &Limits::new())
    }

    fn values() -> Vec<u64> {
        let mut values = alloc::vec![0, 1, u64::MAX, u64::MAX - 1, 1 << 63];
        for bit in 0..64 {
            values.extend([(1u64 << bit) - 1, 1 << bit, (1 << bit) + 1]);
        }
        values
    }

    #[test]
    fn encodes_the_minimal_form_and_reads_it_back() {
        for value in values() {
            let Ok(len) = usize::try_from(value) else {
                continue;
            };
            let header = Varint::new().encode_header(len).unwrap();
            assert_eq!(header.as_bytes(), leb128(value), "value {value}");
            assert_eq!(Varint::header_len(value), header.len(), "value {value}");
            assert_eq!(
                parse(&header),
                Ok(Status::Complete(Head::new(header.len(), value)))
            );
        }
    }

    #[test]
    fn resumes_one_byte_at_a_time() {
        for value in values() {
            let wire = leb128(value);
            let mut scan = VarintScan::default();
            for end in 1..wire.len() {
                assert_eq!(
                    Varint::new().parse_header(&wire[..end], &mut scan, 0, &Limits::new()),
                    Ok(Status::Partial(Needed::at_least(1)))
                );
            }
            assert_eq!(
                Varint::new().parse_header(&wire, &mut scan, 0, &Limits::new()),
                Ok(Status::Complete(Head::new(wire.len(), value)))
            );
        }
    }

    #[test]
    fn tenth_byte_is_checked() {
        let mut wire = [0x80u8; 10];
        for last in 0..=u8::MAX {
            wire[9] = last;
            let got = parse(&wire);
            match last {
                0 => assert_eq!(got, Ok(Status::Complete(Head::new(10, 0)))),
                1 => assert_eq!(got, Ok(Status::Complete(Head::new(10, 1 << 63)))),
                _ => assert!(
                    matches!(&got, Err(Error::InvalidHeader { offset: 9, .. })),
                    "{last:#x}: {got:?}"
                ),
            }
        }
    }
}
