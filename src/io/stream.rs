//! [`FrameStream`]: both directions of one connection.

use std::io::{self, Read, Write};
use std::net::TcpStream;
#[cfg(unix)]
use std::os::unix::net::UnixStream;

use crate::decoder::Decoder;
use crate::frame::{Frame, OwnedFrame};
use crate::framing::{Encode, Framing};
use crate::io::reader::FrameReader;
use crate::io::writer::FrameWriter;
use crate::limits::Limits;

/// A connection that can hand out a second handle to itself, so that one
/// handle reads while the other writes.
pub trait TryCloneStream: Sized {
    /// Another handle to the same connection.
    fn try_clone_stream(&self) -> io::Result<Self>;
}

impl TryCloneStream for TcpStream {
    fn try_clone_stream(&self) -> io::Result<Self> {
        self.try_clone()
    }
}

#[cfg(unix)]
impl TryCloneStream for UnixStream {
    fn try_clone_stream(&self) -> io::Result<Self> {
        self.try_clone()
    }
}

/// Frames both ways over one connection: a [`FrameReader`] and a
/// [`FrameWriter`] on two handles of the same `TcpStream` or `UnixStream`.
///
/// Use it whole in one thread, or [`split`](FrameStream::split) it to read
/// in one thread and write in another.
///
/// ```no_run
/// use std::net::TcpStream;
/// use sockframe::io::FrameStream;
/// use sockframe::Ascii;
///
/// let mut stream = FrameStream::new(TcpStream::connect("127.0.0.1:9000")?, Ascii::new())?;
/// stream.write_frame(b"ping")?;
/// if let Some(reply) = stream.read_frame()? {
///     println!("{:?}", String::from_utf8_lossy(reply.payload()));
/// }
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct FrameStream<S: Write, F: Framing> {
    reader: FrameReader<S, F>,
    writer: FrameWriter<S, F>,
}

impl<S, F> FrameStream<S, F>
where
    S: Read + Write + TryCloneStream,
    F: Framing + Encode + Clone,
{
    /// Frames over `stream` with the default [`Limits`] and an unbuffered
    /// writer.
    pub fn new(stream: S, framing: F) -> io::Result<Self> {
        Self::with_limits(stream, framing, Limits::default())
    }

    /// Frames over `stream` with the given limits for incoming frames.
    pub fn with_limits(stream: S, framing: F, limits: Limits) -> io::Result<Self> {
        let write_half = stream.try_clone_stream()?;
        Ok(FrameStream {
            reader: FrameReader::with_decoder(
                stream,
                Decoder::with_limits(framing.clone(), limits),
            ),
            writer: FrameWriter::new(write_half, framing),
        })
    }
}

impl<S: Read + Write, F: Framing + Encode> FrameStream<S, F> {
    /// Joins a reader and a writer over two handles of one connection (for
    /// a buffered writer, say, or a custom read chunk).
    pub fn from_parts(reader: FrameReader<S, F>, writer: FrameWriter<S, F>) -> Self {
        FrameStream { reader, writer }
    }

    /// The next whole incoming frame; see [`FrameReader::read_frame`].
    pub fn read_frame(&mut self) -> io::Result<Option<Frame<'_, <F as Framing>::Header<'_>>>> {
        self.reader.read_frame()
    }

    /// The next incoming frame, copied out.
    pub fn read_frame_owned(
        &mut self,
    ) -> io::Result<Option<OwnedFrame<<F as Framing>::OwnedHeader>>> {
        self.reader.read_frame_owned()
    }

    /// Sends one frame; see [`FrameWriter::write_frame`].
    pub fn write_frame(&mut self, payload: &[u8]) -> io::Result<()> {
        self.writer.write_frame(payload)
    }

    /// Writes out what the writer gathered.
    pub fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    /// The reading half.
    pub fn reader(&self) -> &FrameReader<S, F> {
        &self.reader
    }

    /// The reading half, for streaming bodies.
    pub fn reader_mut(&mut self) -> &mut FrameReader<S, F> {
        &mut self.reader
    }

    /// The writing half.
    pub fn writer(&self) -> &FrameWriter<S, F> {
        &self.writer
    }

    /// The writing half, for JSON headers and streamed bodies.
    pub fn writer_mut(&mut self) -> &mut FrameWriter<S, F> {
        &mut self.writer
    }

    /// The connection (the reading handle), for settings such as
    /// `set_read_timeout` or `shutdown`.
    pub fn get_ref(&self) -> &S {
        self.reader.get_ref()
    }

    /// The two halves, to move into different threads.
    pub fn split(self) -> (FrameReader<S, F>, FrameWriter<S, F>) {
        (self.reader, self.writer)
    }
}

#[cfg(feature = "json")]
impl<S: Read + Write> FrameStream<S, crate::Json> {
    /// Sends one frame whose JSON header holds `fields` and the body size;
    /// see [`FrameWriter::write_frame_with`].
    pub fn write_frame_with<T: serde::Serialize + ?Sized>(
        &mut self,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<()> {
        self.writer.write_frame_with(fields, payload)
    }
}
