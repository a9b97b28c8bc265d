//! What decoders hand out: whole frames borrowed or owned, streaming events,
//! and counts of frames skipped.

use alloc::vec::Vec;

use crate::framing::{Framing, ToOwnedHeader};

/// A whole frame, borrowed from the bytes it was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a, H = ()> {
    pub(crate) header: H,
    pub(crate) payload: &'a [u8],
    pub(crate) raw: &'a [u8],
}

impl<'a, H> Frame<'a, H> {
    /// The payload (JSON framing: the body).
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The header's decoded form (`()` for the length-only framings).
    pub fn header(&self) -> &H {
        &self.header
    }

    /// The frame exactly as it was on the wire, header and trailer
    /// included: handy for relaying or echoing a frame unchanged.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Splits the frame into its header and payload.
    pub fn into_parts(self) -> (H, &'a [u8]) {
        (self.header, self.payload)
    }
}

impl<H: ToOwnedHeader> Frame<'_, H> {
    /// Copies the frame out of the input, header included, whatever the
    /// framing.
    pub fn to_owned(&self) -> OwnedFrame<H::Owned> {
        OwnedFrame {
            header: self.header.to_owned_header(),
            payload: self.payload.to_vec(),
        }
    }
}

/// A frame that owns its payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedFrame<H = ()> {
    /// The header's decoded form (`()` for the length-only framings).
    pub header: H,
    /// The payload (JSON framing: the body).
    pub payload: Vec<u8>,
}

impl<H> OwnedFrame<H> {
    /// Copies a frame of framing `F` out of the input (the same as
    /// [`Frame::to_owned`], named by framing for generic code).
    pub fn from_frame<'a, F>(frame: &Frame<'a, F::Header<'a>>) -> Self
    where
        F: Framing<OwnedHeader = H> + 'a,
    {
        frame.to_owned()
    }
}

/// Frames stepped over without being handed out: see
/// [`Decoder::skip_frames`](crate::Decoder::skip_frames).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Skipped {
    /// Whole frames.
    pub frames: u64,
    /// Their payload bytes (JSON framing: body bytes).
    pub payload_bytes: u64,
    /// Their bytes on the wire, headers and trailers included: what to
    /// consume.
    pub stream_bytes: u64,
}

impl Skipped {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: Skipped) {
        self.frames += other.frames;
        self.payload_bytes += other.payload_bytes;
        self.stream_bytes += other.stream_bytes;
    }

    /// Counts one more frame.
    pub(crate) fn add_frame(&mut self, payload_bytes: u64, stream_bytes: u64) {
        self.frames += 1;
        self.payload_bytes += payload_bytes;
        self.stream_bytes += stream_bytes;
    }
}

/// One step of a frame decoded as a stream, for bodies too large to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a, H = ()> {
    /// A header; `body_len` bytes of body follow as [`Event::Body`] chunks.
    Header {
        /// The header's decoded form.
        header: H,
        /// Body length announced.
        body_len: u64,
    },
    /// The next chunk of the body (never empty).
    Body(&'a [u8]),
    /// The body (and the trailer, if the framing has one) is complete; the
    /// next event starts a new frame.
    End,
}
