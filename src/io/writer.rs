//! [`FrameWriter`]: frames to any [`Write`].

use std::io::{self, IoSlice, Read, Write};

use crate::error::Error;
use crate::framing::Encode;
use crate::io::error::encode_error;
use crate::io::parts::{advance, io_slices, write_zero_frame};

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
    /// Bytes accepted and not yet written: gathered frames, or the rest of
    /// a frame whose write failed partway.
    pending: Vec<u8>,
    /// Gather frames while `pending` stays under this; 0 when unbuffered.
    buffer_limit: usize,
    /// Set when a body copied from a reader was cut short: the stream is
    /// mid-frame for good.
    broken: Option<BrokenFrame>,
}

#[derive(Debug, Clone, Copy)]
struct BrokenFrame {
    written: u64,
    announced: u64,
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
                pending: Vec::new(),
                buffer_limit: limit,
                broken: None,
            },
        }
    }

    /// Writes (or, when buffered, gathers) one frame carrying `payload`.
    pub fn write_frame(&mut self, payload: &[u8]) -> io::Result<()> {
        self.sink.check_broken()?;
        let header = self
            .encoder
            .encode_header_for(payload)
            .map_err(encode_error)?;
        let trailer = self.encoder.trailer();
        self.sink.write_parts(header.as_ref(), payload, trailer)
    }

    /// Writes bytes that already form whole frames, such as
    /// [`Frame::raw`](crate::Frame::raw) when relaying or echoing a frame
    /// unchanged. The bytes are not checked.
    pub fn write_raw_frames(&mut self, frames: &[u8]) -> io::Result<()> {
        self.sink.check_broken()?;
        self.sink.write_parts(&[], frames, &[])
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
        self.sink.check_broken()?;
        let payload_len = usize::try_from(len).map_err(|_| {
            encode_error(Error::PayloadTooLong {
                length: len,
                max: usize::MAX as u64,
            })
        })?;
        let header = self
            .encoder
            .encode_header(payload_len)
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
        let pending = std::mem::take(&mut self.sink.pending);
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

    fn check_broken(&self) -> io::Result<()> {
        match self.broken {
            None => Ok(()),
            Some(BrokenFrame { written, announced }) => Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!(
                    "an earlier frame was cut short after {written} of its {announced} body \
                     bytes: the stream cannot carry more frames"
                ),
            )),
        }
    }

    /// Gathers or writes a frame given as header, payload and trailer.
    fn write_parts(&mut self, header: &[u8], payload: &[u8], trailer: &[u8]) -> io::Result<()> {
        let frame_len = header
            .len()
            .saturating_add(payload.len())
            .saturating_add(trailer.len());
        if self.pending.len().saturating_add(frame_len) < self.buffer_limit {
            self.pending.extend_from_slice(header);
            self.pending.extend_from_slice(payload);
            self.pending.extend_from_slice(trailer);
            return Ok(());
        }
        let pending_len = self.pending.len();
        let inner = self.inner.as_mut().expect("present until into_inner");
        let mut parts = [&self.pending[..], header, payload, trailer];
        let (written, result) = write_all_vectored(inner, &mut parts);
        let Err(error) = result else {
            self.pending.clear();
            return Ok(());
        };
        if written <= pending_len {
            // Nothing of this frame went out: refuse it.
            self.pending.drain(..written);
            return Err(error);
        }
        // Part of this frame went out: keep the rest so the stream is never
        // left mid-frame; an error that persists shows on the next call.
        let [_, header_rest, payload_rest, trailer_rest] = parts;
        let mut rest = Vec::with_capacity(frame_len);
        rest.extend_from_slice(header_rest);
        rest.extend_from_slice(payload_rest);
        rest.extend_from_slice(trailer_rest);
        self.pending = rest;
        Ok(())
    }

    /// Writes out `pending`, keeping what the writer did not take.
    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let inner = self.inner.as_mut().expect("present until into_inner");
        let mut parts = [&self.pending[..]];
        let (written, result) = write_all_vectored(inner, &mut parts);
        self.pending.drain(..written);
        result
    }

    fn copy_frame<B: Read + ?Sized>(
        &mut self,
        header: &[u8],
        len: u64,
        body: &mut B,
        trailer: &[u8],
    ) -> io::Result<()> {
        self.write_pending()?;
        self.pending.extend_from_slice(header);
        let mut copied = 0u64;
        // Whether any byte of this frame reached the writer.
        let mut started = false;
        let mut trailer = Some(trailer);
        let result = loop {
            if copied == len {
                if let Some(trailer) = trailer.take() {
                    self.pending.extend_from_slice(trailer);
                }
            }
            let room = DEFAULT_BUFFER_LIMIT.saturating_sub(self.pending.len());
            if copied == len || room == 0 {
                let before = self.pending.len();
                let written = self.write_pending();
                started |= self.pending.len() < before;
                if let Err(e) = written {
                    break Err(e);
                }
                if copied == len {
                    break Ok(());
                }
                continue;
            }
            let want = usize::try_from(len - copied).map_or(room, |r| r.min(room));
            let start = self.pending.len();
            self.pending.resize(start + want, 0);
            let read = body.read(&mut self.pending[start..]);
            let n = match &read {
                Ok(n) => (*n).min(want),
                Err(_) => 0,
            };
            self.pending.truncate(start + n);
            match read {
                Ok(0) => {
                    break Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the body ended after {copied} of the {len} bytes announced"),
                    ))
                }
                Ok(_) => copied += n as u64,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        if result.is_err() {
            // Unsent bytes of this frame are dropped: either none was sent
            // and the frame is refused whole, or the peer has part of it and
            // no later frame can be told apart from its missing rest.
            self.pending.clear();
            if started {
                self.broken = Some(BrokenFrame {
                    written: copied,
                    announced: len,
                });
            }
        }
        result
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
        self.sink.check_broken()?;
        let header = self
            .encoder
            .encode_header_with(fields, payload.len())
            .map_err(encode_error)?;
        self.sink.write_parts(&header, payload, &[])
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
        self.sink.check_broken()?;
        let payload_len = usize::try_from(len).map_err(|_| {
            encode_error(Error::PayloadTooLong {
                length: len,
                max: usize::MAX as u64,
            })
        })?;
        let header = self
            .encoder
            .encode_header_with(fields, payload_len)
            .map_err(encode_error)?;
        self.sink.copy_frame(&header, len, body, &[])
    }
}

impl<W: Write, E> Drop for FrameWriter<W, E> {
    fn drop(&mut self) {
        if let Some(inner) = self.sink.inner.as_mut() {
            if !self.sink.pending.is_empty() && self.sink.broken.is_none() {
                let mut parts = [&self.sink.pending[..]];
                let _ = write_all_vectored(inner, &mut parts);
            }
        }
    }
}

/// Writes every part, in order, with as few `write_vectored` calls as the
/// writer allows, retrying `Interrupted`. Returns the bytes written and how
/// it ended; on return `parts` holds what was not written.
fn write_all_vectored<W: Write + ?Sized, const N: usize>(
    out: &mut W,
    parts: &mut [&[u8]; N],
) -> (usize, io::Result<()>) {
    let mut written = 0;
    loop {
        let mut slices = [IoSlice::new(&[]); N];
        let count = io_slices(parts, &mut slices);
        if count == 0 {
            return (written, Ok(()));
        }
        let n = match out.write_vectored(&slices[..count]) {
            Ok(0) => return (written, Err(write_zero_frame())),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return (written, Err(e)),
        };
        written += n;
        advance(parts, n);
    }
}
