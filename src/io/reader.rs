//! [`FrameReader`]: frames from any [`Read`].

use std::io::{self, Read, Write};

use crate::buffer::FrameBuffer;
use crate::decoder::Decoder;
use crate::frame::{Frame, OwnedFrame, Skipped};
use crate::framing::{Framing, ToOwnedHeader};
use crate::io::parts::write_zero_body;
use crate::io::reading::{BodyRead, Reading, Want};
use crate::limits::Limits;

/// Reads frames from any [`Read`]: a `TcpStream`, a `UnixStream`, a file,
/// stdin.
///
/// It reads in large chunks into one reusable buffer, so a burst of small
/// frames costs one `read` call, not the two per frame of `recv(4)` then
/// `recv(n)`. Frames come out borrowed from that buffer
/// ([`read_frame`](FrameReader::read_frame)) or owned
/// ([`read_frame_owned`](FrameReader::read_frame_owned)); a body too large
/// to hold can be streamed ([`read_header`](FrameReader::read_header), then
/// [`read_body`](FrameReader::read_body) or
/// [`copy_body_to`](FrameReader::copy_body_to)).
///
/// # Errors and end of stream
///
/// - The stream ending between frames is `Ok(None)`; inside a frame it is an
///   [`io::ErrorKind::UnexpectedEof`] error carrying
///   [`Error::UnexpectedEof`](crate::Error::UnexpectedEof), which says how
///   many bytes were missing.
/// - Bad input is [`io::ErrorKind::InvalidData`] carrying the sockframe
///   [`Error`](crate::Error) (get it with [`frame_error`](super::frame_error)).
///   Decoding errors are sticky; every frame complete before one was
///   returned first.
/// - `Interrupted` reads are retried. Any other read error, notably
///   `WouldBlock` and `TimedOut` from a non-blocking socket or one with
///   `set_read_timeout`, is returned as is with no byte lost: the bytes read
///   so far stay buffered and the next call resumes the same frame.
///
/// ```
/// use sockframe::io::FrameReader;
/// use sockframe::Binary;
///
/// let stream = b"\x05\0\0\0hello\x03\0\0\0you";
/// let mut reader = FrameReader::new(&stream[..], Binary::default());
/// while let Some(frame) = reader.read_frame()? {
///     println!("{:?}", frame.payload());
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FrameReader<R, F: Framing> {
    inner: R,
    reading: Reading<F>,
}

impl<R: Read, F: Framing> FrameReader<R, F> {
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
    /// when the stream ends between frames.
    ///
    /// After [`read_header`](FrameReader::read_header), read the body to its
    /// end first; until then this fails with `InvalidInput`
    /// ([`Error::BodyInProgress`](crate::Error::BodyInProgress)).
    #[inline]
    pub fn read_frame(&mut self) -> io::Result<Option<Frame<'_, F::Header<'_>>>> {
        // A frame already buffered is the common case, kept small enough to
        // inline; reading is out of line. The frame is consumed first and
        // borrowed after, so no borrow is held across a read.
        let taken = match self.reading.frame(false)? {
            Want::Done(taken) => taken,
            Want::Read => self.read_then(Reading::frame)?,
        };
        Ok(taken.map(|taken| self.reading.buffer.frame_at(&taken)))
    }

    /// Reads and calls `step` again until it is done.
    #[inline(never)]
    fn read_then<T>(
        &mut self,
        mut step: impl FnMut(&mut Reading<F>, bool) -> io::Result<Want<T>>,
    ) -> io::Result<T> {
        loop {
            let eof = self.fill()? == 0;
            if let Want::Done(done) = step(&mut self.reading, eof)? {
                return Ok(done);
            }
        }
    }

    /// Calls `step`, reading whenever it asks.
    fn drive<T>(
        &mut self,
        mut step: impl FnMut(&mut Reading<F>, bool) -> io::Result<Want<T>>,
    ) -> io::Result<T> {
        match step(&mut self.reading, false)? {
            Want::Done(done) => Ok(done),
            Want::Read => self.read_then(step),
        }
    }

    /// The next whole frame, copied out; `Ok(None)` when the stream ends
    /// between frames.
    pub fn read_frame_owned(&mut self) -> io::Result<Option<OwnedFrame<F::OwnedHeader>>> {
        Ok(self
            .read_frame()?
            .map(|frame| OwnedFrame::from_frame::<F>(&frame)))
    }

    /// Owned frames until the end of the stream. The iterator ends after
    /// yielding an error; after `WouldBlock` or `TimedOut`, call `frames`
    /// again to resume.
    pub fn frames(&mut self) -> Frames<'_, R, F> {
        Frames {
            reader: self,
            failed: false,
        }
    }

    /// Whether a whole frame is already buffered, so the next
    /// [`read_frame`](FrameReader::read_frame) returns it without reading.
    /// Lets a relay or echo server flush its replies only before it would
    /// block. Never reads; bad buffered bytes are reported as by `read_frame`.
    pub fn has_buffered_frame(&mut self) -> io::Result<bool> {
        Ok(match self.reading.end_finished_body(false)? {
            Want::Done(()) => self.reading.buffer.poll_frame()?.complete().is_some(),
            Want::Read => false,
        })
    }

    /// Reads past the next frame without handing it out; `Ok(None)` when
    /// the stream ends between frames. For counting or filtering: the
    /// [`Skipped`] count says its payload length and its bytes on the wire.
    ///
    /// The frame is streamed through and dropped (where it is buffered
    /// already, that is only a step past it), so memory stays bounded by
    /// the read chunk; payloads are bounded by
    /// [`Limits::max_streamed_body`]. After
    /// `WouldBlock` or `TimedOut` in the middle of that, calling again
    /// finishes the same frame. A body begun with
    /// [`read_header`](FrameReader::read_header) is skipped to its end.
    ///
    /// ```
    /// use sockframe::io::FrameReader;
    /// use sockframe::Ascii;
    ///
    /// let mut reader = FrameReader::new(&b"0005hello0002hi"[..], Ascii::new());
    /// assert_eq!(reader.skip_frame()?.map(|s| s.payload_bytes), Some(5));
    /// assert_eq!(reader.skip_frame()?.map(|s| s.stream_bytes), Some(6));
    /// assert_eq!(reader.skip_frame()?, None);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn skip_frame(&mut self) -> io::Result<Option<Skipped>> {
        self.drive(Reading::skip)
    }

    /// Skips every whole frame already buffered, or, if there is none, reads
    /// and skips the next frame as [`skip_frame`](FrameReader::skip_frame)
    /// does; `Ok(None)` when the stream ends between frames. The fastest way
    /// to count a stream:
    ///
    /// ```
    /// use sockframe::io::FrameReader;
    /// use sockframe::{Ascii, Skipped};
    ///
    /// let mut reader = FrameReader::new(&b"0005hello0002hi0000"[..], Ascii::new());
    /// let mut total = Skipped::default();
    /// while let Some(skipped) = reader.skip_frames()? {
    ///     total.add(skipped);
    /// }
    /// assert_eq!((total.frames, total.payload_bytes, total.stream_bytes), (3, 7, 19));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    ///
    /// A bad header after some frames ends a batch; the next call reports
    /// it.
    pub fn skip_frames(&mut self) -> io::Result<Option<Skipped>> {
        self.drive(Reading::skip_batch)
    }

    /// The next frame's header and announced body length, as soon as the
    /// header is whole, without waiting for the body; `Ok(None)` when the
    /// stream ends between frames.
    ///
    /// Then take the body with [`read_body`](FrameReader::read_body),
    /// [`copy_body_to`](FrameReader::copy_body_to) or
    /// [`discard_body`](FrameReader::discard_body), in bounded memory
    /// whatever its size, up to [`Limits::max_streamed_body`] (1 TiB
    /// unless set), whatever [`Limits::max_frame`] says.
    ///
    /// ```
    /// use sockframe::io::FrameReader;
    /// use sockframe::{Encode, Json, Limits};
    ///
    /// let wire = Json::new().encode_to_vec(b"a large body")?;
    /// // Streamed bodies are not held: `max_frame` does not bound them.
    /// let limits = Limits::new().max_frame(4);
    /// let mut reader = FrameReader::with_limits(&wire[..], Json::new(), limits);
    ///
    /// let (header, body_len) = reader.read_header()?.expect("a frame");
    /// assert_eq!(header.as_str(), r#"{"data_size": 12}"#);
    /// let mut file = Vec::new();
    /// assert_eq!(reader.copy_body_to(&mut file)?, body_len);
    /// assert_eq!(file, b"a large body");
    /// assert!(reader.read_header()?.is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_header(&mut self) -> io::Result<Option<(F::Header<'_>, u64)>> {
        if !self.drive(Reading::header)? {
            return Ok(None);
        }
        self.reading.header_event().map(Some)
    }

    /// [`read_header`](FrameReader::read_header) with the header copied
    /// out, so that it can still be used while the body is read: the usual
    /// file-transfer flow (header, fields, body to a file, check).
    ///
    /// ```
    /// use std::io::Write;
    /// use md5::{Digest, Md5};
    /// use serde::Deserialize;
    /// use sockframe::io::{FrameReader, FrameWriter};
    /// use sockframe::Json;
    ///
    /// #[derive(Deserialize)]
    /// struct FileHeader { file_name: String, file_size: u64, md5: String }
    ///
    /// /// Hashes what it writes on to a file.
    /// struct Hashing<W>(Md5, W);
    /// impl<W: Write> Write for Hashing<W> {
    ///     fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
    ///         let n = self.1.write(bytes)?;
    ///         self.0.update(&bytes[..n]);
    ///         Ok(n)
    ///     }
    ///     fn flush(&mut self) -> std::io::Result<()> { self.1.flush() }
    /// }
    ///
    /// // What a Python peer sends (a TcpStream in real life).
    /// let json = Json::new().with_size_key(Json::FILE_SIZE);
    /// let body = b"file contents";
    /// let md5 = format!("{:x}", Md5::digest(body));
    /// let mut writer = FrameWriter::new(Vec::new(), json.clone());
    /// writer.write_frame_with(&serde_json::json!({"file_name": "a.txt", "md5": md5}), body)?;
    /// let wire = writer.into_inner()?;
    ///
    /// let mut reader = FrameReader::new(&wire[..], json);
    /// while let Some((header, size)) = reader.read_header_owned()? {
    ///     let file: FileHeader = header.deserialize()?;
    ///     let mut out = Hashing(Md5::new(), Vec::new()); // File::create(dir.join(..)) in real life
    ///     assert_eq!(reader.copy_body_to(&mut out)?, size);
    ///     assert_eq!(format!("{:x}", out.0.finalize()), file.md5, "{} is damaged", file.file_name);
    ///     assert_eq!((header.as_str().len() > 0, file.file_size), (true, size));
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn read_header_owned(&mut self) -> io::Result<Option<(F::OwnedHeader, u64)>> {
        Ok(self
            .read_header()?
            .map(|(header, body_len)| (header.to_owned_header(), body_len)))
    }

    /// Body bytes still due after [`read_header`](FrameReader::read_header),
    /// `None` when no body is being streamed.
    pub fn body_remaining(&self) -> Option<u64> {
        self.reading.body_remaining()
    }

    /// Reads the next part of the body announced by
    /// [`read_header`](FrameReader::read_header) into `buf`; `Ok(0)` once
    /// the body is complete (or if no body is being streamed).
    ///
    /// Never reads past the body into `buf`. When nothing is buffered and
    /// `buf` can take the rest of the body or at least a read chunk, the
    /// source reads straight into `buf`, with no copy.
    pub fn read_body(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.drive(|reading, eof| reading.read_body(buf, eof))? {
            BodyRead::Copied(n) => Ok(n),
            BodyRead::Direct(want) => {
                let n = read_retrying(&mut self.inner, &mut buf[..want])?;
                self.reading.body_read_directly(n)
            }
        }
    }

    /// Writes the rest of the body announced by
    /// [`read_header`](FrameReader::read_header) to `out` and returns how
    /// many bytes that was, holding at most one read chunk in memory.
    ///
    /// On an error nothing is lost: the bytes `out` did not take stay
    /// buffered, [`body_remaining`](FrameReader::body_remaining) says how
    /// many are still due, and calling again resumes.
    pub fn copy_body_to<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<u64> {
        let mut copied = 0u64;
        let mut eof = false;
        loop {
            let chunk = match self.reading.body_chunk(eof)? {
                Want::Done(Some(chunk)) => chunk,
                Want::Done(None) => return Ok(copied),
                Want::Read => {
                    eof = self.fill()? == 0;
                    continue;
                }
            };
            let written = match out.write(chunk) {
                Ok(0) => return Err(write_zero_body()),
                Ok(written) => written,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            copied += self.reading.buffer.consume_body(written) as u64;
        }
    }

    /// Reads and drops the rest of the body announced by
    /// [`read_header`](FrameReader::read_header); returns how many bytes.
    pub fn discard_body(&mut self) -> io::Result<u64> {
        // The rest of the skip of a frame whose header was read: the body
        // is stepped over in the buffer, not copied to a sink.
        let Some(due) = self.body_remaining() else {
            return Ok(0);
        };
        self.drive(Reading::skip)?;
        Ok(due)
    }

    /// The source.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The source, for settings such as `set_read_timeout`. Reading from it
    /// directly skips bytes the decoder expects.
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

    /// The source, dropping any bytes read and not yet handed out (see
    /// [`into_parts`](FrameReader::into_parts) to keep them).
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// The source and the buffer with the bytes read but not handed out.
    pub fn into_parts(self) -> (R, FrameBuffer<F>) {
        (self.inner, self.reading.buffer)
    }

    /// One read into the buffer; `Ok(0)` at the end of the stream.
    fn fill(&mut self) -> io::Result<usize> {
        let n = read_retrying(&mut self.inner, self.reading.space())?;
        self.reading.filled(n);
        Ok(n)
    }
}

/// Reads once, retrying `Interrupted`.
fn read_retrying<R: Read + ?Sized>(source: &mut R, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match source.read(buf) {
            Ok(n) => return Ok(n.min(buf.len())),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Owned frames from a [`FrameReader`]; see [`FrameReader::frames`].
#[derive(Debug)]
pub struct Frames<'r, R, F: Framing> {
    reader: &'r mut FrameReader<R, F>,
    failed: bool,
}

impl<R: Read, F: Framing> Iterator for Frames<'_, R, F> {
    type Item = io::Result<OwnedFrame<F::OwnedHeader>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        match self.reader.read_frame_owned() {
            Ok(frame) => frame.map(Ok),
            Err(e) => {
                self.failed = true;
                Some(Err(e))
            }
        }
    }
}
