//! [`FrameWriter`]: frames to any tokio [`AsyncWrite`].

use std::future::poll_fn;
use std::io::{self, IoSlice};
use std::pin::Pin;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::error::Error;
use crate::framing::Encode;
use crate::io::encode_error;
use crate::io::parts::{advance, io_slices, write_zero_frame};
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
    /// Bytes accepted and not yet written: gathered frames, or the rest of
    /// a frame whose write stopped partway.
    pending: Vec<u8>,
    /// Gather frames while `pending` stays under this; 0 when unbuffered.
    buffer_limit: usize,
    /// A frame whose body is being copied from a reader: how far it got.
    /// Still set when a call finds it, the copy was dropped midway.
    copying: Option<Copying>,
    /// Bytes of `pending` written so far, all told.
    written: u64,
}

/// A frame streamed from a reader, under way or cut short.
#[derive(Debug, Clone, Copy)]
struct Copying {
    copied: u64,
    announced: u64,
    /// `Sink::written` when the frame's first byte was queued: once more
    /// was written, the peer has part of the frame, and the stream cannot
    /// carry another frame unless this one is finished.
    written_before: u64,
    /// Cut short after it started: every later write is refused.
    broken: bool,
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
                pending: Vec::new(),
                buffer_limit: limit,
                copying: None,
                written: 0,
            },
        }
    }

    /// Writes (or, when buffered, gathers) one frame carrying `payload`.
    pub async fn write_frame(&mut self, payload: &[u8]) -> io::Result<()> {
        self.sink.check_copy()?;
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
        self.sink.check_copy()?;
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
        self.sink.check_copy()?;
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
        self.sink.check_copy()?;
        self.sink.write_pending().await?;
        poll_fn(|cx| Pin::new(&mut self.sink.inner).poll_flush(cx)).await
    }

    /// Flushes, then shuts the writer down (for a socket, half-closes it:
    /// the peer reads the end of the stream).
    pub async fn shutdown(&mut self) -> io::Result<()> {
        self.sink.check_copy()?;
        self.sink.write_pending().await?;
        poll_fn(|cx| Pin::new(&mut self.sink.inner).poll_shutdown(cx)).await
    }

    /// Bytes accepted and not yet written.
    pub fn pending(&self) -> &[u8] {
        &self.sink.pending
    }

    /// Gives back the memory of the gathering buffer beyond the bytes it
    /// holds: for a server holding many idle connections, after a flush.
    pub fn shrink_buffer(&mut self) {
        self.sink.pending.shrink_to_fit();
    }

    /// The gathering limit (0: unbuffered).
    pub fn buffer_limit(&self) -> usize {
        self.sink.buffer_limit
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
    pub fn into_parts(self) -> (W, Vec<u8>) {
        (self.sink.inner, self.sink.pending)
    }
}

impl<W: AsyncWrite + Unpin> Sink<W> {
    /// Gathers or writes a frame given as header, payload and trailer.
    async fn write_parts(&mut self, mut frame: [&[u8]; 3]) -> io::Result<()> {
        let frame_len = frame
            .iter()
            .fold(0usize, |n, part| n.saturating_add(part.len()));
        if self.pending.len().saturating_add(frame_len) < self.buffer_limit {
            frame
                .iter()
                .for_each(|part| self.pending.extend_from_slice(part));
            return Ok(());
        }
        // Until the frame's first byte goes out, a dropped future leaves
        // it unaccepted; what was pending before it is drained as written.
        loop {
            let pending_len = self.pending.len();
            let written = poll_fn(|cx| {
                let parts = [&self.pending[..], frame[0], frame[1], frame[2]];
                let mut slices = [IoSlice::new(&[]); 4];
                let count = io_slices(&parts, &mut slices);
                if count == 0 {
                    return std::task::Poll::Ready(Ok(0));
                }
                Pin::new(&mut self.inner).poll_write_vectored(cx, &slices[..count])
            })
            .await;
            let written = match written {
                Ok(0) if pending_len == 0 && frame_len == 0 => return Ok(()),
                Ok(0) => return Err(write_zero_frame()),
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if written <= pending_len && frame_len > 0 {
                self.pending.drain(..written);
                continue;
            }
            self.pending.clear();
            advance(&mut frame, written - pending_len);
            frame
                .iter()
                .for_each(|part| self.pending.extend_from_slice(part));
            break;
        }
        // The frame is accepted; its rest, if any, is pending. An error
        // that persists shows on the next call.
        let _reported_next_call = self.write_pending().await;
        Ok(())
    }

    /// Refuses to write after a frame copied from a reader was cut short;
    /// forgets a copy dropped before its first byte went out.
    fn check_copy(&mut self) -> io::Result<()> {
        match self.copying {
            None => Ok(()),
            Some(copy) if copy.broken || self.written > copy.written_before => {
                self.copying = Some(Copying {
                    broken: true,
                    ..copy
                });
                Err(io::Error::new(
                    io::ErrorKind::BrokenPipe,
                    format!(
                        "an earlier frame was cut short after {} of its {} body bytes: the \
                         stream cannot carry more frames",
                        copy.copied, copy.announced
                    ),
                ))
            }
            Some(_) => {
                self.pending.clear();
                self.copying = None;
                Ok(())
            }
        }
    }

    /// Streams one frame from `body`; see
    /// [`FrameWriter::write_frame_from`].
    async fn copy_frame<B: AsyncRead + Unpin + ?Sized>(
        &mut self,
        header: &[u8],
        len: u64,
        body: &mut B,
        trailer: &[u8],
    ) -> io::Result<()> {
        self.write_pending().await?;
        self.pending.extend_from_slice(header);
        self.copying = Some(Copying {
            copied: 0,
            announced: len,
            written_before: self.written,
            broken: false,
        });
        let result = self.copy_body(len, body, trailer).await;
        if result.is_err() {
            // Nothing of the frame went out: refuse it whole. Part of it
            // did: no later frame could be told apart from its rest.
            self.pending.clear();
        }
        match (result, self.copying.take()) {
            (Err(e), Some(copy)) if self.written > copy.written_before => {
                self.copying = Some(Copying {
                    broken: true,
                    ..copy
                });
                Err(e)
            }
            (result, _) => result,
        }
    }

    async fn copy_body<B: AsyncRead + Unpin + ?Sized>(
        &mut self,
        len: u64,
        body: &mut B,
        trailer: &[u8],
    ) -> io::Result<()> {
        let mut copied = 0u64;
        let mut trailer = Some(trailer);
        loop {
            if copied == len {
                if let Some(trailer) = trailer.take() {
                    self.pending.extend_from_slice(trailer);
                }
            }
            let room = DEFAULT_BUFFER_LIMIT.saturating_sub(self.pending.len());
            if copied == len || room == 0 {
                self.write_pending().await?;
                if copied == len {
                    return Ok(());
                }
                continue;
            }
            let want = usize::try_from(len - copied).map_or(room, |r| r.min(room));
            let start = self.pending.len();
            let read = poll_fn(|cx| {
                self.pending.resize(start + want, 0);
                let mut buf = ReadBuf::new(&mut self.pending[start..]);
                let polled = Pin::new(&mut *body).poll_read(cx, &mut buf);
                let n = buf.filled().len();
                self.pending.truncate(start + n);
                polled.map(|done| done.map(|()| n))
            })
            .await;
            match read {
                Ok(0) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the body ended after {copied} of the {len} bytes announced"),
                    ))
                }
                Ok(n) => {
                    copied += n as u64;
                    if let Some(copy) = self.copying.as_mut() {
                        copy.copied = copied;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Writes out `pending`, draining what the writer took as it goes.
    async fn write_pending(&mut self) -> io::Result<()> {
        while !self.pending.is_empty() {
            let written =
                poll_fn(|cx| Pin::new(&mut self.inner).poll_write(cx, &self.pending)).await;
            match written {
                Ok(0) => return Err(write_zero_frame()),
                Ok(n) => {
                    let n = n.min(self.pending.len());
                    self.pending.drain(..n);
                    self.written += n as u64;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

/// A body length as a payload length.
fn payload_len(len: u64) -> io::Result<usize> {
    usize::try_from(len).map_err(|_| {
        encode_error(Error::PayloadTooLong {
            length: len,
            max: usize::MAX as u64,
        })
    })
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
        self.sink.check_copy()?;
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
        self.sink.check_copy()?;
        let header = self
            .encoder
            .encode_header_with(fields, payload_len(len)?)
            .map_err(encode_error)?;
        self.sink.copy_frame(&header, len, body, &[]).await
    }
}
