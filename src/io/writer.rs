//! [`FrameWriter`]: frames to any [`Write`].

use std::io::{self, IoSlice, Read, Write};

use crate::framing::Encode;
use crate::io::error::encode_error;
use crate::io::writing::{payload_len, CopyNext, Next, Writing};

/// How many bytes a buffered [`FrameWriter`] gathers before it writes them
/// out, unless configured otherwise; also the chunk size of
/// [`FrameWriter::write_frame_from`].
pub const DEFAULT_BUFFER_LIMIT: usize = 64 * 1024;

/// Writes frames to any [`Write`].
///
/// Header and payload go out together with one `write_vectored` call where
/// the writer supports it (sockets do), without copying the payload; a
/// partial write is finished with further calls. A payload the header cannot
/// describe is refused with `InvalidInput` before anything is written.
///
/// A [buffered](FrameWriter::buffered) writer instead gathers small frames
/// and writes them together once they reach its limit, or on
/// [`flush`](FrameWriter::flush); a frame that does not fit goes out at once
/// with whatever is gathered, still without copying its payload. Dropping the
/// writer flushes it, ignoring errors: call `flush` to see them.
///
/// # Errors
///
/// `Ok` means the frame was accepted: written, gathered, or, when the writer
/// failed partway through it, its unwritten rest is kept and goes out first
/// on the next write or flush (a stream is never left mid-frame; an error
/// that persists is reported there). `Err` means the frame was not accepted:
/// none of its bytes were written or kept, so retrying it (after
/// `WouldBlock`, say) is safe.
///
/// ```
/// use sockframe::io::FrameWriter;
/// use sockframe::Ascii;
///
/// let mut writer = FrameWriter::new(Vec::new(), Ascii::new());
/// writer.write_frame(b"hello")?;
/// writer.write_frame("你好".as_bytes())?;
/// assert!(writer.write_frame(&[0; 10_000]).is_err()); // 5 digits would corrupt the stream
/// assert_eq!(writer.get_ref(), b"0005hello0006\xe4\xbd\xa0\xe5\xa5\xbd");
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FrameWriter<W: Write, E> {
    encoder: E,
    /// Apart from the encoder, so that a frame's parts can borrow both.
    sink: Sink<W>,
}

/// Where frames go: the writer and what is not written yet.
#[derive(Debug)]
struct Sink<W> {
    /// `None` only while `into_inner` takes it out.
    inner: Option<W>,
    writing: Writing,
}

impl<W: Write, E: Encode> FrameWriter<W, E> {
    /// An unbuffered writer: every frame is written before `write_frame`
    /// returns.
    pub fn new(inner: W, encoder: E) -> Self {
        Self::with_buffer_limit(inner, encoder, 0)
    }

    /// A buffered writer gathering up to [`DEFAULT_BUFFER_LIMIT`] bytes.
    pub fn buffered(inner: W, encoder: E) -> Self {
        Self::with_buffer_limit(inner, encoder, DEFAULT_BUFFER_LIMIT)
    }

    /// A writer gathering frames until they reach `limit` bytes (0:
    /// unbuffered).
    pub fn with_buffer_limit(inner: W, encoder: E, limit: usize) -> Self {
        FrameWriter {
            encoder,
            sink: Sink {
                inner: Some(inner),
                writing: Writing::new(limit),
            },
        }
    }

    /// Writes (or, when buffered, gathers) one frame carrying `payload`.
    pub fn write_frame(&mut self, payload: &[u8]) -> io::Result<()> {
        self.sink.writing.check()?;
        let header = self
            .encoder
            .encode_header_for(payload)
            .map_err(encode_error)?;
        let trailer = self.encoder.trailer();
        self.sink.write_parts([header.as_ref(), payload, trailer])
    }

    /// Writes bytes that already form whole frames, such as
    /// [`Frame::raw`](crate::Frame::raw) when relaying or echoing a frame
    /// unchanged. The bytes are not checked.
    pub fn write_raw_frames(&mut self, frames: &[u8]) -> io::Result<()> {
        self.sink.writing.check()?;
        self.sink.write_parts([&[], frames, &[]])
    }

    /// Writes one frame whose payload is the next `len` bytes of `body`
    /// (a file, say), streaming it through at most [`DEFAULT_BUFFER_LIMIT`]
    /// bytes of memory. Gathered frames go out first.
    ///
    /// Meant for blocking writers. If `body` ends early or fails, or the
    /// writer fails, before any byte of the frame was written, the frame is
    /// refused whole and the writer stays usable. After that point the peer
    /// has part of a frame: the error is returned and every later write is
    /// refused, since the stream cannot be resumed.
    pub fn write_frame_from<B: Read + ?Sized>(&mut self, len: u64, body: &mut B) -> io::Result<()> {
        self.sink.writing.check()?;
        let header = self
            .encoder
            .encode_header(payload_len(len)?)
            .map_err(encode_error)?;
        let trailer = self.encoder.trailer();
        self.sink.copy_frame(header.as_ref(), len, body, trailer)
    }

    /// Writes everything gathered or kept, then flushes the writer.
    pub fn flush(&mut self) -> io::Result<()> {
        self.sink.write_pending()?;
        self.sink.inner_mut().flush()
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

    /// The encoder, to change what the next frames' headers say (a custom
    /// framing's per-message field, say). Frames already written or
    /// gathered keep their headers.
    pub fn encoder_mut(&mut self) -> &mut E {
        &mut self.encoder
    }

    /// The writer.
    pub fn get_ref(&self) -> &W {
        self.sink.inner.as_ref().expect("present until into_inner")
    }

    /// The writer, for settings such as `set_write_timeout`. Writing to it
    /// directly while frames are [pending](FrameWriter::pending) corrupts
    /// the stream.
    pub fn get_mut(&mut self) -> &mut W {
        self.sink.inner_mut()
    }

    /// Flushes, then returns the writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.sink.inner.take().expect("present until into_inner"))
    }

    /// The writer and the bytes accepted but not written, without writing
    /// anything.
    pub fn into_parts(mut self) -> (W, Vec<u8>) {
        let pending = self.sink.writing.take_pending();
        (
            self.sink.inner.take().expect("present until into_inner"),
            pending,
        )
    }
}

impl<W: Write> Sink<W> {
    fn inner_mut(&mut self) -> &mut W {
        self.inner.as_mut().expect("present until into_inner")
    }

    /// Gathers or writes a frame given as header, payload and trailer.
    fn write_parts(&mut self, frame: [&[u8]; 3]) -> io::Result<()> {
        let Some(mut frame) = self.writing.gather(frame) else {
            return Ok(());
        };
        let inner = self.inner.as_mut().expect("present until into_inner");
        loop {
            let mut slices = [IoSlice::new(&[]); 4];
            let count = self.writing.frame_slices(&frame, &mut slices);
            let result = inner.write_vectored(&slices[..count]);
            if let Next::Done(result) = self.writing.frame_written(&mut frame, result) {
                return result;
            }
        }
    }

    /// Writes out what is pending, keeping what the writer did not take.
    fn write_pending(&mut self) -> io::Result<()> {
        let inner = self.inner.as_mut().expect("present until into_inner");
        while !self.writing.pending().is_empty() {
            let result = inner.write_vectored(&[IoSlice::new(self.writing.pending())]);
            self.writing.pending_written(result)?;
        }
        Ok(())
    }

    /// Streams one frame from `body`; see [`FrameWriter::write_frame_from`].
    fn copy_frame<B: Read + ?Sized>(
        &mut self,
        header: &[u8],
        len: u64,
        body: &mut B,
        trailer: &[u8],
    ) -> io::Result<()> {
        self.write_pending()?;
        self.writing.start_copy(header, len);
        let result = loop {
            let step = match self.writing.copy_next(trailer) {
                CopyNext::Done => break Ok(()),
                CopyNext::Write => self.write_pending(),
                CopyNext::Read(want) => {
                    let read = body.read(self.writing.body_space(want));
                    let n = self.writing.body_filled(want, *read.as_ref().unwrap_or(&0));
                    self.writing.body_read(read.map(|_| n))
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
impl<W: Write> FrameWriter<W, crate::Json> {
    /// Writes one frame whose JSON header holds `fields` (any `Serialize`
    /// that is a JSON object: a map, a struct) and the body size.
    ///
    /// ```
    /// use sockframe::io::FrameWriter;
    /// use sockframe::Json;
    /// use serde_json::json;
    ///
    /// let json = Json::new().with_size_key(Json::FILE_SIZE);
    /// let mut writer = FrameWriter::new(Vec::new(), json);
    /// writer.write_frame_with(&json!({"file_name": "a.txt"}), b"abc")?;
    /// assert_eq!(&writer.get_ref()[4..], br#"{"file_name": "a.txt", "file_size": 3}abc"#);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn write_frame_with<T: serde::Serialize + ?Sized>(
        &mut self,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<()> {
        self.sink.writing.check()?;
        let header = self
            .encoder
            .encode_header_with(fields, payload.len())
            .map_err(encode_error)?;
        self.sink.write_parts([&header, payload, &[]])
    }

    /// Writes one frame whose JSON header holds `fields` and the body size
    /// `len`, streaming the body from `body` (a file transfer); see
    /// [`write_frame_from`](FrameWriter::write_frame_from).
    pub fn write_frame_with_from<T: serde::Serialize + ?Sized, B: Read + ?Sized>(
        &mut self,
        fields: &T,
        len: u64,
        body: &mut B,
    ) -> io::Result<()> {
        self.sink.writing.check()?;
        let header = self
            .encoder
            .encode_header_with(fields, payload_len(len)?)
            .map_err(encode_error)?;
        self.sink.copy_frame(&header, len, body, &[])
    }
}

impl<W: Write, E> Drop for FrameWriter<W, E> {
    fn drop(&mut self) {
        // A frame streamed from a reader and cut short must not be finished
        // with the next frame's bytes.
        if self.sink.inner.is_some() && self.sink.writing.pending_is_whole_frames() {
            let _ = self.sink.write_pending();
        }
    }
}
