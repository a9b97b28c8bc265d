//! [`FrameWriter`]: frames to any tokio [`AsyncWrite`].

use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::pin::Pin;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::framing::Encode;
use crate::io::encode_error;
use crate::io::writing::{payload_len, CopyNext, Next, Writing};
use crate::io::DEFAULT_BUFFER_LIMIT;

/// Writes frames to any tokio [`AsyncWrite`]: the async twin of
/// [`io::FrameWriter`](crate::io::FrameWriter).
///
/// Header, payload and trailer go out in one `poll_write_vectored` where the
/// writer supports it (sockets do), without copying the payload. A
/// [buffered](FrameWriter::buffered) writer gathers small frames and writes
/// them together once they reach its limit, or on
/// [`flush`](FrameWriter::flush). Call `flush` (or
/// [`shutdown`](FrameWriter::shutdown)) before dropping it: an async writer
/// cannot write on drop.
///
/// # Errors and cancellation
///
/// `Ok` means the frame was accepted: written, gathered, or, if its first
/// bytes went out and the rest did not (an error, or the future dropped),
/// its rest is kept and goes out first on the next write or flush. `Err`
/// means it was not accepted: none of its bytes were written or kept.
///
/// A `write_frame` future dropped before completing (say, in
/// `tokio::select!`) leaves the stream whole: either none of the frame was
/// written and none is kept, or the rest of it is
/// [pending](FrameWriter::pending). Compare `pending` before and after to
/// tell which, if it matters.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use sockframe::tokio::FrameWriter;
/// use sockframe::Ascii;
///
/// let mut writer = FrameWriter::new(Vec::new(), Ascii::new()); // a TcpStream in real life
/// writer.write_frame(b"hello").await?;
/// writer.write_frame("你好".as_bytes()).await?;
/// assert!(writer.write_frame(&[0; 10_000]).await.is_err()); // 5 digits would corrupt the stream
/// assert_eq!(writer.get_ref(), b"0005hello0006\xe4\xbd\xa0\xe5\xa5\xbd");
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct FrameWriter<W, E> {
    encoder: E,
    /// Apart from the encoder, so that a frame's parts can borrow both.
    sink: Sink<W>,
}

/// Where frames go: the writer and what is not written yet.
#[derive(Debug)]
struct Sink<W> {
    inner: W,
    writing: Writing,
}

impl<W: AsyncWrite + Unpin, E: Encode> FrameWriter<W, E> {
    /// An unbuffered writer: every frame is written before `write_frame`
    /// completes.
    pub fn new(inner: W, encoder: E) -> Self {
        Self::with_buffer_limit(inner, encoder, 0)
    }

    /// A buffered writer gathering up to
    /// [`DEFAULT_BUFFER_LIMIT`](crate::io::DEFAULT_BUFFER_LIMIT) bytes.
    pub fn buffered(inner: W, encoder: E) -> Self {
        Self::with_buffer_limit(inner, encoder, DEFAULT_BUFFER_LIMIT)
    }

    /// A writer gathering frames until they reach `limit` bytes (0:
    /// unbuffered).
    pub fn with_buffer_limit(inner: W, encoder: E, limit: usize) -> Self {
        FrameWriter {
            encoder,
            sink: Sink {
                inner,
                writing: Writing::new(limit),
            },
        }
    }

    /// Writes (or, when buffered, gathers) one frame carrying `payload`.
    pub async fn write_frame(&mut self, payload: &[u8]) -> io::Result<()> {
        self.sink.writing.check()?;
        let header = self
            .encoder
            .encode_header_for(payload)
            .map_err(encode_error)?;
        let trailer = self.encoder.trailer();
        self.sink
            .write_parts([header.as_ref(), payload, trailer])
            .await
    }

    /// Writes bytes that already form whole frames, such as
    /// [`Frame::raw`](crate::Frame::raw) when relaying or echoing a frame
    /// unchanged. The bytes are not checked.
    pub async fn write_raw_frames(&mut self, frames: &[u8]) -> io::Result<()> {
        self.sink.writing.check()?;
        self.sink.write_parts([&[], frames, &[]]).await
    }

    /// Writes one frame whose payload is the next `len` bytes of `body` (a
    /// file, say), streaming it through at most
    /// [`DEFAULT_BUFFER_LIMIT`](crate::io::DEFAULT_BUFFER_LIMIT) bytes of
    /// memory. Gathered frames go out first.
    ///
    /// As with the blocking writer: if `body` ends early or fails, or the
    /// writer fails, before any byte of the frame was written, the frame is
    /// refused whole and the writer stays usable; after that point the peer
    /// has part of a frame, so the error is returned and every later write
    /// is refused. Not cancel-safe past its first byte: dropped there, the
    /// frame is cut short and the next call reports it.
    pub async fn write_frame_from<B: AsyncRead + Unpin + ?Sized>(
        &mut self,
        len: u64,
        body: &mut B,
    ) -> io::Result<()> {
        self.sink.writing.check()?;
        let header = self
            .encoder
            .encode_header(payload_len(len)?)
            .map_err(encode_error)?;
        let trailer = self.encoder.trailer();
        self.sink
            .copy_frame(header.as_ref(), len, body, trailer)
            .await
    }

    /// Writes everything gathered or kept, then flushes the writer.
    pub async fn flush(&mut self) -> io::Result<()> {
        self.sink.writing.check()?;
        self.sink.write_pending().await?;
        poll_fn(|cx| Pin::new(&mut self.sink.inner).poll_flush(cx)).await
    }

    /// Flushes, then shuts the writer down (for a socket, half-closes it:
    /// the peer reads the end of the stream).
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.sink.writing.check()?;
        self.sink.write_pending().await?;
        poll_fn(|cx| Pin::new(&mut self.sink.inner).poll_shutdown(cx)).await
    }

    /// Bytes accepted and not yet written.
    pub fn pending(&self) -> &[u8] {
        self.sink.writing.pending()
    }

    /// Gives back the memory of the gathering buffer beyond the bytes it
    /// holds: for a server holding many idle connections, after a flush.
    pub fn shrink_buffer(&mut self) {
        self.sink.writing.shrink();
    }

    /// The gathering limit (0: unbuffered).
    pub fn buffer_limit(&self) -> usize {
        self.sink.writing.buffer_limit()
    }

    /// The encoder.
    pub fn encoder(&self) -> &E {
        &self.encoder
    }

    /// The encoder, to change what the next frames' headers say.
    pub fn encoder_mut(&mut self) -> &mut E {
        &mut self.encoder
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        &self.sink.inner
    }

    /// The writer. Writing to it directly while frames are
    /// [pending](FrameWriter::pending) corrupts the stream.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.sink.inner
    }

    /// The writer and the bytes accepted but not written, without writing
    /// anything.
    pub fn into_parts(mut self) -> (W, Vec<u8>) {
        let pending = self.sink.writing.take_pending();
        (self.sink.inner, pending)
    }
}

impl<W: AsyncWrite + Unpin> Sink<W> {
    /// Gathers or writes a frame given as header, payload and trailer.
    async fn write_parts(&mut self, frame: [&[u8]; 3]) -> io::Result<()> {
        let Some(mut frame) = self.writing.gather(frame) else {
            return Ok(());
        };
        // Until the frame's first byte goes out, a dropped future leaves
        // it unaccepted; what was pending before it is dropped as written.
        loop {
            let result = poll_fn(|cx| {
                let mut slices = [IoSlice::new(&[]); 4];
                let count = self.writing.frame_slices(&frame, &mut slices);
                Pin::new(&mut self.inner).poll_write_vectored(cx, &slices[..count])
            })
            .await;
            match self.writing.frame_written(&mut frame, result) {
                Next::Done(result) => return result,
                Next::Write if frame.started() => break,
                Next::Write => {}
            }
        }
        // The frame is accepted: its rest is pending from here on, so a
        // dropped future leaves it there. An error that persists shows on
        // the next call.
        self.writing.keep_rest(&frame);
        let _reported_next_call = self.write_pending().await;
        Ok(())
    }

    /// Writes out what is pending, dropping what the writer took as it goes.
    async fn write_pending(&mut self) -> io::Result<()> {
        while !self.writing.pending().is_empty() {
            let result =
                poll_fn(|cx| Pin::new(&mut self.inner).poll_write(cx, self.writing.pending()))
                    .await;
            self.writing.pending_written(result)?;
        }
        Ok(())
    }

    /// Streams one frame from `body`; see
    /// [`FrameWriter::write_frame_from`]. Dropped midway, the frame stays
    /// under way for the next call's check to resolve.
    async fn copy_frame<B: AsyncRead + Unpin + ?Sized>(
        &mut self,
        header: &[u8],
        len: u64,
        body: &mut B,
        trailer: &[u8],
    ) -> io::Result<()> {
        self.write_pending().await?;
        self.writing.start_copy(header, len);
        let result = loop {
            let step = match self.writing.copy_next(trailer) {
                CopyNext::Done => break Ok(()),
                CopyNext::Write => self.write_pending().await,
                CopyNext::Read(want) => {
                    let writing = &mut self.writing;
                    let read = poll_fn(|cx| {
                        // Only the bytes read stay, even while pending: a
                        // dropped future leaves no unread space behind.
                        let mut buf = ReadBuf::new(writing.body_space(want));
                        let polled = Pin::new(&mut *body).poll_read(cx, &mut buf);
                        let n = buf.filled().len();
                        let n = writing.body_filled(want, n);
                        polled.map(|done| done.map(|()| n))
                    })
                    .await;
                    self.writing.body_read(read)
                }
            };
            if let Err(e) = step {
                break Err(e);
            }
        };
        self.writing.end_copy(result)
    }
}

#[cfg(feature = "json")]
impl<W: AsyncWrite + Unpin> FrameWriter<W, crate::Json> {
    /// Writes one frame whose JSON header holds `fields` (any `Serialize`
    /// that is a JSON object) and the body size.
    pub async fn write_frame_with<T: serde::Serialize + ?Sized>(
        &mut self,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<()> {
        self.sink.writing.check()?;
        let header = self
            .encoder
            .encode_header_with(fields, payload.len())
            .map_err(encode_error)?;
        self.sink.write_parts([&header, payload, &[]]).await
    }

    /// Writes one frame whose JSON header holds `fields` and the body size
    /// `len`, streaming the body from `body` (a file transfer); see
    /// [`write_frame_from`](FrameWriter::write_frame_from).
    pub async fn write_frame_with_from<T, B>(
        &mut self,
        fields: &T,
        len: u64,
        body: &mut B,
    ) -> io::Result<()>
    where
        T: serde::Serialize + ?Sized,
        B: AsyncRead + Unpin + ?Sized,
    {
        self.sink.writing.check()?;
        let header = self
            .encoder
            .encode_header_with(fields, payload_len(len)?)
            .map_err(encode_error)?;
        self.sink.copy_frame(&header, len, body, &[]).await
    }
}
