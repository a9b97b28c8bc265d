//! [`FrameReader`]: frames from any tokio [`AsyncRead`].

use std::future::poll_fn;
use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use crate::buffer::FrameBuffer;
use crate::decoder::Decoder;
use crate::frame::{Frame, OwnedFrame, Skipped};
use crate::framing::{Framing, ToOwnedHeader};
use crate::io::parts::write_zero_body;
use crate::io::reading::{BodyRead, Reading, Want};
use crate::limits::Limits;

/// Reads frames from any tokio [`AsyncRead`]: a `TcpStream`, a
/// `UnixStream`, one half of a split stream.
///
/// The async twin of [`io::FrameReader`](crate::io::FrameReader), with the
/// same methods, `async`: borrowed frames
/// ([`read_frame`](FrameReader::read_frame)), owned ones, streamed bodies
/// ([`read_header`](FrameReader::read_header), then
/// [`read_body`](FrameReader::read_body) or
/// [`copy_body_to`](FrameReader::copy_body_to) an [`AsyncWrite`]) and
/// skipping. Both share one implementation of what to do with the bytes;
/// only the reads differ.
///
/// # Cancel safety
///
/// Every read method is cancel-safe: a future dropped before it completes
/// (a losing branch of `tokio::select!`, a timeout) loses no byte. Bytes
/// are read into the reader's own buffer and nothing is consumed until the
/// method returns, so calling the method again resumes where the dropped
/// one stopped: the same frame, header or body part. Of the body methods,
/// [`read_body`](FrameReader::read_body) hands bytes only to its returned
/// count, and [`copy_body_to`](FrameReader::copy_body_to) consumes what
/// its destination took as it goes: dropped, its count is lost but
/// [`body_remaining`](FrameReader::body_remaining) still says what is
/// due, and no byte is written twice.
///
/// # Errors and end of stream
///
/// As for the blocking reader: `Ok(None)` at a clean end between frames;
/// `UnexpectedEof` (carrying [`Error::UnexpectedEof`](crate::Error) with
/// the missing count) inside a frame; `InvalidData` for bad input, sticky,
/// after every frame complete before it. [`frame_error`](crate::io::frame_error)
/// gets the sockframe error back.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use sockframe::tokio::FrameReader;
/// use sockframe::Binary;
///
/// let stream = &b"\x05\0\0\0hello\x03\0\0\0you"[..]; // a TcpStream in real life
/// let mut reader = FrameReader::new(stream, Binary::default());
/// while let Some(frame) = reader.read_frame().await? {
///     println!("{:?}", frame.payload());
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct FrameReader<R, F: Framing> {
    inner: R,
    reading: Reading<F>,
}

impl<R: AsyncRead + Unpin, F: Framing> FrameReader<R, F> {
    /// A reader with the default [`Limits`].
    pub fn new(inner: R, framing: F) -> Self {
        Self::with_decoder(inner, Decoder::new(framing))
    }

    /// A reader with the given limits.
    pub fn with_limits(inner: R, framing: F, limits: Limits) -> Self {
        Self::with_decoder(inner, Decoder::with_limits(framing, limits))
    }

    /// A reader driving `decoder`.
    pub fn with_decoder(inner: R, decoder: Decoder<F>) -> Self {
        FrameReader {
            inner,
            reading: Reading::new(decoder),
        }
    }

    /// Sets the read chunk (at least 1;
    /// [`DEFAULT_READ_CHUNK`](crate::io::DEFAULT_READ_CHUNK) unless set).
    /// The buffer is the chunk plus 4 KiB (so that a frame cut by a chunk
    /// is finished in place), and each read tops the buffered bytes up to
    /// the chunk, asking for at least 4 KiB (or the chunk, if smaller). A
    /// frame longer than the chunk, when [`read_frame`](Self::read_frame)
    /// holds it whole, grows the buffer by doubling while more than a chunk
    /// of it is missing, and for its last chunk only to the frame's end.
    #[must_use]
    pub fn with_read_chunk(mut self, bytes: usize) -> Self {
        self.reading.read_chunk = bytes.max(1);
        self
    }

    /// The read chunk: how many bytes a read tops the buffer up to.
    pub fn read_chunk(&self) -> usize {
        self.reading.read_chunk
    }

    /// The next whole frame, borrowed from the internal buffer; `Ok(None)`
    /// when the stream ends between frames. Cancel-safe.
    pub async fn read_frame(&mut self) -> io::Result<Option<Frame<'_, F::Header<'_>>>> {
        let taken = self.drive(Reading::frame).await?;
        Ok(taken.map(|taken| self.reading.buffer.frame_at(&taken)))
    }

    /// The next whole frame, copied out; `Ok(None)` when the stream ends
    /// between frames. Cancel-safe.
    pub async fn read_frame_owned(&mut self) -> io::Result<Option<OwnedFrame<F::OwnedHeader>>> {
        Ok(self
            .read_frame()
            .await?
            .map(|frame| OwnedFrame::from_frame::<F>(&frame)))
    }

    /// Whether a whole frame is already buffered, so the next
    /// [`read_frame`](FrameReader::read_frame) returns it without reading:
    /// flush replies only when this is `false`. Never reads.
    pub fn has_buffered_frame(&mut self) -> io::Result<bool> {
        Ok(match self.reading.end_finished_body(false)? {
            Want::Done(()) => self.reading.buffer.poll_frame()?.complete().is_some(),
            Want::Read => false,
        })
    }

    /// Reads past the next frame without handing it out, in bounded
    /// memory; `Ok(None)` when the stream ends between frames. A body
    /// begun with [`read_header`](FrameReader::read_header) is skipped to
    /// its end. Cancel-safe: called again, it finishes the same frame.
    pub async fn skip_frame(&mut self) -> io::Result<Option<Skipped>> {
        self.drive(Reading::skip).await
    }

    /// Skips every whole frame already buffered, or, if there is none,
    /// reads and skips the next frame; `Ok(None)` when the stream ends
    /// between frames. Cancel-safe.
    pub async fn skip_frames(&mut self) -> io::Result<Option<Skipped>> {
        self.drive(Reading::skip_batch).await
    }

    /// The next frame's header and announced body length, as soon as the
    /// header is whole; `Ok(None)` when the stream ends between frames.
    /// Then take the body with [`read_body`](FrameReader::read_body),
    /// [`copy_body_to`](FrameReader::copy_body_to) or
    /// [`discard_body`](FrameReader::discard_body). Cancel-safe.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use sockframe::tokio::FrameReader;
    /// use sockframe::{Encode, Json};
    ///
    /// let wire = Json::new().encode_to_vec(b"a large body")?;
    /// let mut reader = FrameReader::new(&wire[..], Json::new());
    /// let (header, body_len) = reader.read_header().await?.expect("a frame");
    /// assert_eq!(header.as_str(), r#"{"data_size": 12}"#);
    /// let mut file = Vec::new(); // a tokio::fs::File in real life
    /// assert_eq!(reader.copy_body_to(&mut file).await?, body_len);
    /// assert_eq!(file, b"a large body");
    /// assert!(reader.read_header().await?.is_none());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn read_header(&mut self) -> io::Result<Option<(F::Header<'_>, u64)>> {
        if !self.drive(Reading::header).await? {
            return Ok(None);
        }
        self.reading.header_event().map(Some)
    }

    /// [`read_header`](FrameReader::read_header) with the header copied
    /// out, so that it can be used while the body is read. Cancel-safe.
    pub async fn read_header_owned(&mut self) -> io::Result<Option<(F::OwnedHeader, u64)>> {
        Ok(self
            .read_header()
            .await?
            .map(|(header, body_len)| (header.to_owned_header(), body_len)))
    }

    /// Body bytes still due after [`read_header`](FrameReader::read_header),
    /// `None` when no body is being streamed.
    pub fn body_remaining(&self) -> Option<u64> {
        self.reading.body_remaining()
    }

    /// Reads the next part of the body into `buf`; `Ok(0)` once the body is
    /// complete (or if no body is being streamed). Never reads past the
    /// body; reads straight into `buf` when nothing is buffered and `buf`
    /// takes the rest of the body or a read chunk. Cancel-safe: body bytes
    /// are counted only when returned.
    pub async fn read_body(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self
            .drive(|reading, eof| reading.read_body(buf, eof))
            .await?
        {
            BodyRead::Copied(n) => Ok(n),
            BodyRead::Direct(want) => {
                let n = poll_fn(|cx| {
                    let mut read = ReadBuf::new(&mut buf[..want]);
                    ready!(poll_read_retrying(&mut self.inner, cx, &mut read))?;
                    Poll::Ready(Ok::<_, io::Error>(read.filled().len()))
                })
                .await?;
                self.reading.body_read_directly(n)
            }
        }
    }

    /// Writes the rest of the body to `out` and returns how many bytes
    /// that was, holding at most one read chunk in memory. Does not flush
    /// `out`.
    ///
    /// Cancel-safe in that no byte is lost or written twice: what `out`
    /// took is consumed as it goes, and calling again writes the rest
    /// ([`body_remaining`](FrameReader::body_remaining) says how much).
    pub async fn copy_body_to<W: AsyncWrite + Unpin + ?Sized>(
        &mut self,
        out: &mut W,
    ) -> io::Result<u64> {
        let mut copied = 0u64;
        let mut eof = false;
        loop {
            let chunk = match self.reading.body_chunk(eof)? {
                Want::Done(Some(chunk)) => chunk,
                Want::Done(None) => return Ok(copied),
                Want::Read => {
                    eof = self.fill().await? == 0;
                    continue;
                }
            };
            let written = poll_fn(|cx| Pin::new(&mut *out).poll_write(cx, chunk)).await;
            let written = match written {
                Ok(0) => return Err(write_zero_body()),
                Ok(written) => written,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            copied += self.reading.buffer.consume_body(written) as u64;
        }
    }

    /// Reads and drops the rest of the body; returns how many bytes.
    /// Cancel-safe.
    pub async fn discard_body(&mut self) -> io::Result<u64> {
        // As the blocking reader: stepped over in the buffer.
        let Some(due) = self.body_remaining() else {
            return Ok(0);
        };
        self.drive(Reading::skip).await?;
        Ok(due)
    }

    /// The source.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The source. Reading from it directly skips bytes the decoder
    /// expects.
    pub fn get_mut(&mut self) -> &mut R {
        &mut self.inner
    }

    /// The reassembly buffer: bytes read and not yet handed out.
    pub fn buffer(&self) -> &FrameBuffer<F> {
        &self.reading.buffer
    }

    /// Gives back the buffer's memory beyond the bytes it holds (see
    /// [`FrameBuffer::shrink_to_fit`]): for a server holding many idle
    /// connections, between frames. The next read allocates a read chunk
    /// again.
    pub fn shrink_buffer(&mut self) {
        self.reading.buffer.shrink_to_fit();
    }

    /// The decoder (offset, limits, sticky error).
    pub fn decoder(&self) -> &Decoder<F> {
        self.reading.decoder()
    }

    /// The source, dropping any bytes read and not yet handed out.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The source and the buffer with the bytes read but not handed out.
    pub fn into_parts(self) -> (R, FrameBuffer<F>) {
        (self.inner, self.reading.buffer)
    }

    /// Calls `step`, reading whenever it asks. Each await is one read whose
    /// bytes are committed in the same poll, so dropping the future there
    /// loses nothing.
    async fn drive<T>(
        &mut self,
        mut step: impl FnMut(&mut Reading<F>, bool) -> io::Result<Want<T>>,
    ) -> io::Result<T> {
        // The common case, the buffer already holding what the step needs,
        // returns before the first await.
        if let Want::Done(done) = step(&mut self.reading, false)? {
            return Ok(done);
        }
        loop {
            let eof = self.fill().await? == 0;
            if let Want::Done(done) = step(&mut self.reading, eof)? {
                return Ok(done);
            }
        }
    }

    /// One read into the buffer; `Ok(0)` at the end of the stream.
    async fn fill(&mut self) -> io::Result<usize> {
        poll_fn(|cx| self.poll_fill(cx)).await
    }

    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<usize>> {
        let mut read = ReadBuf::new(self.reading.space());
        ready!(poll_read_retrying(&mut self.inner, cx, &mut read))?;
        let n = read.filled().len();
        self.reading.filled(n);
        Poll::Ready(Ok(n))
    }
}

/// One `poll_read`, retrying `Interrupted`.
fn poll_read_retrying<R: AsyncRead + Unpin + ?Sized>(
    source: &mut R,
    cx: &mut Context<'_>,
    buf: &mut ReadBuf<'_>,
) -> Poll<io::Result<()>> {
    loop {
        match ready!(Pin::new(&mut *source).poll_read(cx, buf)) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            done => return Poll::Ready(done),
        }
    }
}
