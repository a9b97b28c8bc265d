//! Framings: the [`Framing`] trait that lets one [`Decoder`](crate::Decoder)
//! drive any header format, and one file per built-in framing.
//!
//! # Your own framing
//!
//! A framing is one function, [`parse_header`](Framing::parse_header): given
//! the bytes of the current frame received so far, it answers with the
//! frame's [`Head`] (how long the header, payload and trailer are), with
//! [`Status::Partial`] saying how many more bytes it needs, or with an
//! [`Error`]. The decoder does everything else the same way for every
//! framing: limits, offsets, sticky errors, streaming bodies, splits.
//!
//! A two-byte magic followed by a big-endian `u16` length:
//!
//! ```
//! use sockframe::framing::{Framing, Head};
//! use sockframe::{Decoder, Error, Limits, Needed, Status};
//!
//! struct Magic;
//!
//! impl Framing for Magic {
//!     type Scan = ();
//!     type Meta = ();
//!     type Header<'a> = ();
//!     type OwnedHeader = ();
//!
//!     fn parse_header(&self, input: &[u8], _: &mut (), offset: u64, _: &Limits)
//!         -> Result<Status<Head>, Error>
//!     {
//!         if let Some(at) = input.iter().take(2).position(|&b| b != 0xCA) {
//!             return Err(Error::invalid_header(offset + at as u64, "bad magic byte"));
//!         }
//!         match input.get(..4) {
//!             Some(&[_, _, hi, lo]) => Ok(Status::Complete(Head::new(4, u16::from_be_bytes([hi, lo]).into()))),
//!             _ => Ok(Status::Partial(Needed::at_least(4 - input.len()))),
//!         }
//!     }
//!
//!     fn header(&self, _: &[u8], _: &Head) {}
//! }
//!
//! let mut decoder = Decoder::new(Magic);
//! let Status::Complete((frame, used)) = decoder.decode(b"\xCA\xCA\0\x02hi")? else { panic!() };
//! assert_eq!((frame.payload(), used), (&b"hi"[..], 6));
//! assert!(decoder.decode(b"\xCA\x00").is_err());
//! # Ok::<(), sockframe::Error>(())
//! ```
//!
//! Headers that must be scanned (a varint, a text line, a delimiter) keep
//! where they stopped in [`Framing::Scan`], so that bytes arriving one at a
//! time are examined once. Fields besides the length that the caller should
//! see are recorded once in [`Head::meta`] and handed out through
//! [`Framing::header`]. Bytes after the payload (a netstring's `,`) are a
//! trailer: [`Head::trailer_len`], checked by [`Framing::check_trailer`].
//! Frames ended by a delimiter are frames whose "header" is found only at
//! the delimiter: `Head::new(0, payload_len).with_trailer(delimiter_len)`.

pub mod ascii;
pub mod binary;
pub mod delimited;
mod digits;
mod encode;
mod header_bytes;
#[cfg(feature = "json")]
pub mod json;
pub mod length_field;
pub mod netstring;
mod struct_format;
pub mod varint;

use alloc::string::String;
use core::fmt;

pub use encode::{Encode, HeaderBuf};
pub use header_bytes::HeaderBytes;

use crate::error::Error;
use crate::limits::Limits;
use crate::status::Status;

/// What a framing learned from a whole header: where the frame's parts lie.
///
/// A frame is `header_len` header bytes, `payload_len` payload bytes, then
/// `trailer_len` trailer bytes, all counted from the start of the frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Head<M = ()> {
    /// Header bytes before the payload.
    pub header_len: usize,
    /// Payload bytes announced (or found, for a delimited frame).
    pub payload_len: u64,
    /// Bytes after the payload that belong to the frame, checked by
    /// [`Framing::check_trailer`] and never part of the payload.
    pub trailer_len: usize,
    /// What else the header said, kept for [`Framing::header`].
    pub meta: M,
}

impl Head {
    /// A header of `header_len` bytes announcing `payload_len` payload
    /// bytes, with no trailer and nothing else to remember.
    pub const fn new(header_len: usize, payload_len: u64) -> Self {
        Head {
            header_len,
            payload_len,
            trailer_len: 0,
            meta: (),
        }
    }
}

impl<M> Head<M> {
    /// The same head with `trailer_len` bytes after the payload.
    #[must_use]
    pub fn with_trailer(mut self, trailer_len: usize) -> Self {
        self.trailer_len = trailer_len;
        self
    }

    /// The same head carrying `meta` for [`Framing::header`].
    #[must_use]
    pub fn with_meta<N>(self, meta: N) -> Head<N> {
        Head {
            header_len: self.header_len,
            payload_len: self.payload_len,
            trailer_len: self.trailer_len,
            meta,
        }
    }

    /// Header, payload and trailer: the whole frame's length, if it fits a
    /// `usize`.
    #[inline(always)]
    pub fn frame_len(&self) -> Option<usize> {
        // Header and trailer first: for a fixed-size framing, a constant.
        let around = self.header_len.checked_add(self.trailer_len)?;
        usize::try_from(self.payload_len).ok()?.checked_add(around)
    }
}

/// One way of marking frame boundaries.
///
/// Implemented by [`Ascii`](crate::Ascii), [`Binary`](crate::Binary) and
/// [`Json`](crate::Json); implement it to drive your own format with the
/// same decoders, buffers and readers (see the [module docs](self)).
pub trait Framing {
    /// Where an unfinished header scan stopped, kept by the decoder between
    /// calls and reset to `Default` at every frame: a scanning framing
    /// resumes there instead of examining the same bytes again. `()` for
    /// headers whose length shows in a fixed-size start.
    type Scan: Default + Clone + fmt::Debug;

    /// What parsing a header learned besides its lengths (say, where a
    /// field lies), kept until the frame is handed out so the header is
    /// never parsed twice. `()` if nothing.
    type Meta: Clone + fmt::Debug;

    /// The caller's view of a header, borrowed from the input.
    type Header<'a>: ToOwnedHeader<Owned = Self::OwnedHeader>;

    /// An owned copy of [`Header`](Framing::Header).
    type OwnedHeader;

    /// Parses the header at the front of `input`, which holds the current
    /// frame's bytes received so far (and possibly more).
    ///
    /// - `Complete(head)` once the header is whole: where header, payload
    ///   and trailer lie. The payload limits are the decoder's to check.
    /// - `Partial(needed)` while the header is incomplete: at least how
    ///   many more bytes ([`Needed::at_least`](crate::Needed::at_least)).
    ///   The next call gets the same bytes and more, with `scan` as this
    ///   call left it. A header still incomplete at
    ///   [`max_header_len`](Framing::max_header_len) bytes is refused by
    ///   the decoder.
    /// - `Err` for bad bytes ([`Error::invalid_header`] names the offending
    ///   byte); `offset` is the stream offset of `input[0]`. Refuse them as
    ///   soon as the shape lets you tell (a fixed prefix: at once; a line
    ///   parsed whole: at its end, within
    ///   [`max_header_len`](Framing::max_header_len)), without examining
    ///   the same bytes again on every call.
    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut Self::Scan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head<Self::Meta>>, Error>;

    /// The caller's view of a header parsed before: `header` is the whole
    /// header (`head.header_len` bytes).
    fn header<'a>(&self, header: &'a [u8], head: &Head<Self::Meta>) -> Self::Header<'a>;

    /// At the end of the stream, `input` (not empty) holds an unfinished
    /// frame: a framing that takes such bytes as a last frame (lines with no
    /// final newline, say) returns its head, whose frame must lie within
    /// `input`; `None`, the default, means the stream was cut short. Only
    /// asked when the caller declares the end
    /// ([`Decoder::end_stream`](crate::Decoder::end_stream)), never in the
    /// middle of a stream.
    fn parse_last(
        &self,
        input: &[u8],
        scan: &mut Self::Scan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Option<Head<Self::Meta>>, Error> {
        let _ = (input, scan, offset, limits);
        Ok(None)
    }

    /// Checks the bytes after the payload (`head.trailer_len` of them);
    /// `offset` is the stream offset of `trailer[0]`.
    fn check_trailer(&self, trailer: &[u8], offset: u64) -> Result<(), Error> {
        let _ = (trailer, offset);
        Ok(())
    }

    /// The longest header accepted under `limits`: the decoder refuses a
    /// header still incomplete at this many bytes, before buffering more.
    fn max_header_len(&self, limits: &Limits) -> usize {
        limits.max_header
    }
}

/// A framing by reference frames as the framing does: a decoder can borrow
/// a framing it does not own (one per datagram, say).
impl<F: Framing + ?Sized> Framing for &F {
    type Scan = F::Scan;
    type Meta = F::Meta;
    type Header<'a> = F::Header<'a>;
    type OwnedHeader = F::OwnedHeader;

    #[inline(always)]
    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut F::Scan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head<F::Meta>>, Error> {
        (**self).parse_header(input, scan, offset, limits)
    }

    #[inline(always)]
    fn header<'a>(&self, header: &'a [u8], head: &Head<F::Meta>) -> F::Header<'a> {
        (**self).header(header, head)
    }

    fn parse_last(
        &self,
        input: &[u8],
        scan: &mut F::Scan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Option<Head<F::Meta>>, Error> {
        (**self).parse_last(input, scan, offset, limits)
    }

    #[inline(always)]
    fn check_trailer(&self, trailer: &[u8], offset: u64) -> Result<(), Error> {
        (**self).check_trailer(trailer, offset)
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        (**self).max_header_len(limits)
    }
}

/// A header view that can be copied out of the input it borrows: what
/// [`Frame::to_owned`](crate::Frame::to_owned) uses.
pub trait ToOwnedHeader {
    /// The owned copy.
    type Owned;

    /// Copies the header out of the input.
    fn to_owned_header(&self) -> Self::Owned;
}

impl ToOwnedHeader for () {
    type Owned = ();
    fn to_owned_header(&self) {}
}

/// Byte headers are owned as [`HeaderBytes`]: inline when short, so that
/// owning one allocates nothing per frame.
impl ToOwnedHeader for &[u8] {
    type Owned = HeaderBytes;
    #[inline]
    fn to_owned_header(&self) -> HeaderBytes {
        HeaderBytes::new(self)
    }
}

impl ToOwnedHeader for &str {
    type Owned = String;
    fn to_owned_header(&self) -> String {
        String::from(*self)
    }
}

impl<T: ToOwnedHeader> ToOwnedHeader for Option<T> {
    type Owned = Option<T::Owned>;
    fn to_owned_header(&self) -> Self::Owned {
        self.as_ref().map(T::to_owned_header)
    }
}
