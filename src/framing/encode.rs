//! Encoding: a header for a payload, kept apart from the payload itself so
//! that writers can send both with one vectored write and never copy it.

use alloc::vec::Vec;
use core::ops::Deref;

use crate::error::Error;

/// A framing that can write headers.
pub trait Encode {
    /// The encoded header: a small inline array, or a `Vec` for JSON.
    type Header: AsRef<[u8]>;

    /// The header announcing a payload of `payload_len` bytes.
    ///
    /// Fails with [`Error::PayloadTooLong`] when the header cannot describe
    /// that length; nothing is ever silently truncated or wrapped. A custom
    /// framing refuses anything else it cannot encode with
    /// [`Error::cannot_encode`].
    fn encode_header(&self, payload_len: usize) -> Result<Self::Header, Error>;

    /// The header for `payload`, which every writer holding the whole
    /// payload asks for: by default the header for its length
    /// ([`encode_header`](Encode::encode_header)). A framing that must see
    /// the payload itself (a delimited framing refuses one holding its
    /// delimiter) overrides this, and refuses `encode_header`, which a
    /// writer streaming a body it has not read yet calls with the length
    /// alone.
    fn encode_header_for(&self, payload: &[u8]) -> Result<Self::Header, Error> {
        self.encode_header(payload.len())
    }

    /// Bytes written after every payload (a netstring's `,`); none unless
    /// the framing has a trailer.
    fn trailer(&self) -> &[u8] {
        &[]
    }

    /// Appends header, payload and trailer to `out`.
    fn encode_into(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let header = self.encode_header_for(payload)?;
        let trailer = self.trailer();
        out.reserve(header.as_ref().len() + payload.len() + trailer.len());
        out.extend_from_slice(header.as_ref());
        out.extend_from_slice(payload);
        out.extend_from_slice(trailer);
        Ok(())
    }

    /// The whole frame in a new `Vec`.
    fn encode_to_vec(&self, payload: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.encode_into(payload, &mut out)?;
        Ok(out)
    }
}

/// A header of at most [`HeaderBuf::CAPACITY`] bytes, stored inline: what a
/// framing with short headers returns from
/// [`encode_header`](Encode::encode_header), with no allocation per frame.
///
/// ```
/// use sockframe::framing::HeaderBuf;
///
/// let fixed = HeaderBuf::from_array([0xCA, 0xCA, 0, 5]);
/// assert_eq!(fixed.as_bytes(), b"\xCA\xCA\0\x05");
/// let varint = HeaderBuf::from_slice(&[0x96, 0x01]).expect("short enough");
/// assert_eq!(&varint[..], [0x96, 0x01]);
/// assert!(HeaderBuf::from_slice(&[0; 33]).is_none());
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderBuf {
    bytes: [u8; HeaderBuf::CAPACITY],
    len: u8,
}

impl HeaderBuf {
    /// The most bytes a `HeaderBuf` holds.
    pub const CAPACITY: usize = 32;

    /// A header of exactly `N` bytes, copied with a size known at compile
    /// time (no `memcpy` call per frame). `N` over
    /// [`CAPACITY`](Self::CAPACITY) does not compile.
    #[inline(always)]
    pub fn from_array<const N: usize>(array: [u8; N]) -> Self {
        const {
            assert!(
                N <= HeaderBuf::CAPACITY,
                "a HeaderBuf holds at most 32 bytes"
            )
        };
        let mut bytes = [0; Self::CAPACITY];
        bytes[..N].copy_from_slice(&array);
        HeaderBuf {
            bytes,
            len: N as u8,
        }
    }

    /// A copy of `bytes`; `None` if they are more than
    /// [`CAPACITY`](Self::CAPACITY).
    #[inline]
    pub fn from_slice(bytes: &[u8]) -> Option<Self> {
        let mut buf = HeaderBuf {
            bytes: [0; Self::CAPACITY],
            len: u8::try_from(bytes.len()).ok()?,
        };
        buf.bytes.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(buf)
    }

    /// The header bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }
}

impl Deref for HeaderBuf {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for HeaderBuf {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl core::fmt::Debug for HeaderBuf {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("HeaderBuf").field(&self.as_bytes()).finish()
    }
}
