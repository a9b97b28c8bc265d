//! [`FrameCodec`]: any framing as a tokio-util codec.

use std::io;

use bytes::{Buf, Bytes, BytesMut};
use tokio_util::codec;

use crate::decoder::Decoder;
use crate::framing::{Encode, Framing, ToOwnedHeader};
use crate::io::encode_error;
use crate::io::DEFAULT_READ_CHUNK;
use crate::limits::Limits;
use crate::status::Status;

/// Any framing, built-in or your own, as a `tokio_util::codec`
/// [`Decoder`](codec::Decoder) and [`Encoder`](codec::Encoder), for
/// `FramedRead`, `FramedWrite` and `Framed`.
///
/// - Decoded items are [`BytesFrame`]s: the payload is a [`Bytes`] split
///   from the read buffer, not copied, and the header comes along in its
///   owned form (the JSON header's text, a custom framing's typed header).
/// - Read-buffer space is reserved from what the decoder still needs, at
///   most a read chunk at a time: an announced length never sizes an
///   allocation (a peer announcing 2 GiB costs nothing until it sends).
///   Frames over [`Limits::max_frame`] are refused at their header.
/// - At the end of the stream, `decode_eof` yields the framing's last frame
///   if it takes one (a delimited stream's unterminated tail, when
///   configured), or fails with `UnexpectedEof` and the missing count.
/// - Errors are `io::Error` carrying the sockframe
///   [`Error`](crate::Error): [`frame_error`](crate::io::frame_error), or
///   `get_ref()` then `downcast_ref`, gets it back. Decoding errors are
///   sticky; every frame complete before one is yielded first.
/// - Encoding takes any `AsRef<[u8]>` payload (`&[u8]`, `Vec<u8>`,
///   `Bytes`) and appends header, payload and trailer to the write buffer.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use futures_util::{SinkExt, StreamExt};
/// use sockframe::tokio::FrameCodec;
/// use sockframe::Json;
/// use tokio_util::codec::{FramedRead, FramedWrite};
///
/// let (client, server) = tokio::io::duplex(64);
/// let mut out = FramedWrite::new(client, FrameCodec::new(Json::new()));
/// let mut frames = FramedRead::new(server, FrameCodec::new(Json::new()));
///
/// out.send(&b"hello"[..]).await?;
/// let frame = frames.next().await.expect("a frame")?;
/// assert_eq!(frame.header.as_str(), r#"{"data_size": 5}"#);
/// assert_eq!(frame.payload, "hello");
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct FrameCodec<F: Framing> {
    decoder: Decoder<F>,
    read_chunk: usize,
}

/// A frame decoded by [`FrameCodec`]: its payload shares the read buffer's
/// memory.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BytesFrame<H = ()> {
    /// The header's decoded form, owned (`()` for the length-only
    /// framings).
    pub header: H,
    /// The payload (JSON framing: the body).
    pub payload: Bytes,
}

impl<F: Framing> FrameCodec<F> {
    /// A codec with the default [`Limits`].
    pub fn new(framing: F) -> Self {
        Self::with_decoder(Decoder::new(framing))
    }

    /// A codec with the given limits.
    pub fn with_limits(framing: F, limits: Limits) -> Self {
        Self::with_decoder(Decoder::with_limits(framing, limits))
    }

    /// A codec driving `decoder`.
    pub fn with_decoder(decoder: Decoder<F>) -> Self {
        FrameCodec {
            decoder,
            read_chunk: DEFAULT_READ_CHUNK,
        }
    }

    /// Sets the most read-buffer space reserved at a time (at least 1;
    /// [`DEFAULT_READ_CHUNK`](crate::io::DEFAULT_READ_CHUNK) unless set).
    #[must_use]
    pub fn with_read_chunk(mut self, bytes: usize) -> Self {
        self.read_chunk = bytes.max(1);
        self
    }

    /// The decoder (offset, limits, sticky error).
    pub fn decoder(&self) -> &Decoder<F> {
        &self.decoder
    }

    /// The framing.
    pub fn framing(&self) -> &F {
        self.decoder.framing()
    }
}

impl<F: Framing> FrameCodec<F> {
    /// Decodes the next frame, its header made into what `header` makes of
    /// it; both codecs' `decode`.
    #[inline(always)]
    fn next<H>(
        &mut self,
        src: &mut BytesMut,
        header: impl FnOnce(F::Header<'_>) -> H,
    ) -> io::Result<Option<(H, Bytes)>> {
        match self.decoder.decode_span(src)? {
            Status::Complete(span) => {
                let (header_bytes, _) = self.decoder.frame_at(src, &span).into_parts();
                let header = header(header_bytes);
                // As tokio-util does: step over the header, split the
                // payload off (one handle on the buffer), step over the
                // trailer. `total` fits `usize` and counts the payload.
                src.advance(span.head.header_len);
                let payload = src.split_to(span.head.payload_len as usize).freeze();
                src.advance(span.head.trailer_len);
                Ok(Some((header, payload)))
            }
            Status::Partial(needed) => {
                src.reserve(needed.bytes().min(self.read_chunk));
                Ok(None)
            }
        }
    }

    /// [`next`](FrameCodec::next) at the end of the stream: the framing's
    /// last frame, or the end (clean, or `UnexpectedEof`).
    fn next_at_end<H>(
        &mut self,
        src: &mut BytesMut,
        header: impl Fn(F::Header<'_>) -> H,
    ) -> io::Result<Option<(H, Bytes)>> {
        if let Some(frame) = self.next(src, &header)? {
            return Ok(Some(frame));
        }
        if self.decoder.end_stream(src)? {
            return self.next(src, &header);
        }
        self.decoder.finish(src)?;
        Ok(None)
    }
}

impl<F: Framing> codec::Decoder for FrameCodec<F> {
    type Item = BytesFrame<F::OwnedHeader>;
    type Error = io::Error;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<Self::Item>> {
        Ok(self
            .next(src, |header| header.to_owned_header())?
            .map(|(header, payload)| BytesFrame { header, payload }))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> io::Result<Option<Self::Item>> {
        Ok(self
            .next_at_end(src, |header| header.to_owned_header())?
            .map(|(header, payload)| BytesFrame { header, payload }))
    }
}

/// [`FrameCodec`] yielding payloads alone, as [`Bytes`], with no header
/// copied out: what `LengthDelimitedCodec` yields, for code written against
/// it, and the fastest when the header is not needed. Made by
/// [`FrameCodec::payloads`].
///
/// ```
/// use bytes::BytesMut;
/// use sockframe::tokio::FrameCodec;
/// use sockframe::LengthField;
/// use tokio_util::codec::Decoder;
///
/// let mut codec = FrameCodec::new(LengthField::new()).payloads();
/// let mut buf = BytesMut::from(&b"\0\0\0\x05hello"[..]);
/// assert_eq!(codec.decode(&mut buf)?.expect("a frame"), "hello");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct PayloadCodec<F: Framing>(FrameCodec<F>);

impl<F: Framing> FrameCodec<F> {
    /// This codec yielding payloads alone: see [`PayloadCodec`].
    pub fn payloads(self) -> PayloadCodec<F> {
        PayloadCodec(self)
    }
}

impl<F: Framing> PayloadCodec<F> {
    /// The codec yielding whole frames, headers included.
    pub fn into_frame_codec(self) -> FrameCodec<F> {
        self.0
    }

    /// The decoder (offset, limits, sticky error).
    pub fn decoder(&self) -> &Decoder<F> {
        self.0.decoder()
    }
}

impl<F: Framing> codec::Decoder for PayloadCodec<F> {
    type Item = Bytes;
    type Error = io::Error;

    #[inline]
    fn decode(&mut self, src: &mut BytesMut) -> io::Result<Option<Bytes>> {
        Ok(self.0.next(src, |_| ())?.map(|((), payload)| payload))
    }

    fn decode_eof(&mut self, src: &mut BytesMut) -> io::Result<Option<Bytes>> {
        Ok(self
            .0
            .next_at_end(src, |_| ())?
            .map(|((), payload)| payload))
    }
}

impl<F: Framing + Encode, B: AsRef<[u8]>> codec::Encoder<B> for PayloadCodec<F> {
    type Error = io::Error;

    fn encode(&mut self, payload: B, dst: &mut BytesMut) -> io::Result<()> {
        self.0.encode(payload, dst)
    }
}

impl<F: Framing + Encode, B: AsRef<[u8]>> codec::Encoder<B> for FrameCodec<F> {
    type Error = io::Error;

    fn encode(&mut self, payload: B, dst: &mut BytesMut) -> io::Result<()> {
        let payload = payload.as_ref();
        let framing = self.decoder.framing();
        let header = framing.encode_header_for(payload).map_err(encode_error)?;
        let trailer = framing.trailer();
        dst.reserve(header.as_ref().len() + payload.len() + trailer.len());
        dst.extend_from_slice(header.as_ref());
        dst.extend_from_slice(payload);
        dst.extend_from_slice(trailer);
        Ok(())
    }
}
