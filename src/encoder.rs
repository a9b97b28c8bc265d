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
    /// that length; nothing is ever silently truncated or wrapped.
    fn encode_header(&self, payload_len: usize) -> Result<Self::Header, Error>;

    /// Appends header and payload to `out`.
    fn encode_into(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        let header = self.encode_header(payload.len())?;
        out.reserve(header.as_ref().len() + payload.len());
        out.extend_from_slice(header.as_ref());
        out.extend_from_slice(payload);
        Ok(())
    }

    /// Header and payload in a new `Vec`.
    fn encode_to_vec(&self, payload: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.encode_into(payload, &mut out)?;
        Ok(out)
    }
}

/// A header of at most [`HeaderBuf::CAPACITY`] bytes, stored inline.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HeaderBuf {
    bytes: [u8; HeaderBuf::CAPACITY],
    len: u8,
}

impl HeaderBuf {
    /// The most bytes a `HeaderBuf` holds: enough for 19 ASCII digits or a
    /// 64-bit integer.
    pub const CAPACITY: usize = 19;

    /// A header of exactly `N <= CAPACITY` bytes, copied with a size known
    /// at compile time (no `memcpy` call per frame).
    #[inline(always)]
    pub(crate) fn from_array<const N: usize>(array: [u8; N]) -> Self {
        let mut bytes = [0; Self::CAPACITY];
        bytes[..N].copy_from_slice(&array);
        HeaderBuf {
            bytes,
            len: N as u8,
        }
    }

    /// `bytes.len()` must be at most `CAPACITY`; longer input is cut there.
    pub(crate) fn from_slice(bytes: &[u8]) -> Self {
        let len = bytes.len().min(Self::CAPACITY);
        let mut buf = HeaderBuf {
            bytes: [0; Self::CAPACITY],
            len: len as u8,
        };
        buf.bytes[..len].copy_from_slice(&bytes[..len]);
        buf
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
