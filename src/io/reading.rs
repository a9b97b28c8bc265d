//! What a frame reader decides, apart from how it reads: one copy for the
//! blocking [`io::FrameReader`](super::FrameReader) and the async
//! `tokio::FrameReader`.
//!
//! Each step either finishes or asks for one more read ([`Want::Read`]).
//! The adapter then reads into [`space`](Reading::space), commits with
//! [`filled`](Reading::filled) and calls the step again, saying whether that
//! read found the end of the stream. Nothing is kept between steps but the
//! buffer and the decoder, so an async read dropped while it waits loses no
//! byte: the next call resumes from the same state.

use std::io;

use crate::buffer::FrameBuffer;
use crate::decoder::{Decoder, Span};
use crate::frame::{Event, Skipped};
use crate::framing::Framing;
use crate::status::{Needed, Status};

/// How many bytes of stream a frame reader's read tops its buffer up to,
/// unless configured otherwise.
pub const DEFAULT_READ_CHUNK: usize = 64 * 1024;

/// A step's outcome.
pub(crate) enum Want<T> {
    /// Finished.
    Done(T),
    /// Read once more, then call the step again.
    Read,
}

/// A frame consumed from the buffer: where it starts, and its span.
pub(crate) type Taken<M> = (usize, Span<M>);

/// How [`Reading::read_body`] handed body bytes over.
pub(crate) enum BodyRead {
    /// This many were copied from the buffer into the caller's buffer.
    Copied(usize),
    /// Nothing is buffered: read up to this many straight into the caller's
    /// buffer, then report with [`Reading::body_read_directly`].
    Direct(usize),
}

/// The least room a frame reader asks for before a read, unless its read
/// chunk is smaller or the frame being read needs fewer bytes to end.
const MIN_READ: usize = 4096;

/// The buffer and decoder of a frame reader, and its read size.
#[derive(Debug)]
pub(crate) struct Reading<F: Framing> {
    pub(crate) buffer: FrameBuffer<F>,
    pub(crate) read_chunk: usize,
    /// What the frame being read still lacks, if [`frame`](Reading::frame)
    /// found it partial since the last read (kept across a read that was
    /// not ready).
    lacking: Option<Needed>,
}

impl<F: Framing> Reading<F> {
    pub(crate) fn new(decoder: Decoder<F>) -> Self {
        Reading {
            buffer: FrameBuffer::new(decoder),
            read_chunk: DEFAULT_READ_CHUNK,
            lacking: None,
        }
    }

    /// Where the next read goes.
    ///
    /// A new buffer is a read chunk plus [`MIN_READ`] long (plus less if
    /// the chunk, or the largest frame the limits allow, is smaller), so
    /// that a frame cut by one chunk is finished without growing it. A read
    /// then tops the buffered bytes up to the chunk at least, asking for no
    /// less than [`MIN_READ`].
    ///
    /// A frame longer than the chunk grows the buffer by doubling while
    /// more than a chunk of it is missing, and for its last chunk only to
    /// the frame's end, not to twice the bytes buffered.
    #[inline]
    pub(crate) fn space(&mut self) -> &mut [u8] {
        let buffered = self.buffer.len();
        let min_read = MIN_READ.min(self.read_chunk);
        match self.lacking {
            Some(Needed::Exact(rest)) if buffered.saturating_add(rest.get()) > self.read_chunk => {
                let rest = rest.get();
                // The length is the peer's word: the buffer grows to the
                // frame's end only for its last chunk, and by doubling
                // before that.
                if rest <= self.read_chunk {
                    self.buffer.unfilled_exactly(rest)
                } else {
                    self.buffer.unfilled(self.read_chunk)
                }
            }
            _ if self.buffer.capacity() == 0 => {
                // A new or shrunk buffer; no room for frames the limits refuse.
                let slack = min_read.min(self.buffer.frame_bound());
                self.buffer
                    .unfilled_exactly(self.read_chunk.saturating_add(slack))
            }
            _ => {
                let wanted = self.read_chunk.saturating_sub(buffered).max(min_read);
                self.buffer.unfilled(wanted)
            }
        }
    }

    /// `n` bytes were read into [`space`](Reading::space).
    #[inline]
    pub(crate) fn filled(&mut self, n: usize) {
        self.buffer.commit(n);
        self.lacking = None;
    }

    pub(crate) fn decoder(&self) -> &Decoder<F> {
        self.buffer.decoder()
    }

    pub(crate) fn body_remaining(&self) -> Option<u64> {
        self.decoder().body_remaining()
    }

    /// Takes the next whole frame; `None` when the stream ended between
    /// frames.
    #[inline(always)]
    #[allow(clippy::type_complexity)] // The frame's place, if any, or a read.
    pub(crate) fn frame(&mut self, eof: bool) -> io::Result<Want<Option<Taken<F::Meta>>>> {
        if let Want::Read = self.end_finished_body(eof)? {
            return Ok(Want::Read);
        }
        // At the end, no byte came since the frame was last found partial.
        if eof {
            return self.frame_at_end();
        }
        match self.buffer.take_span()? {
            Status::Complete(taken) => Ok(Want::Done(Some(taken))),
            Status::Partial(lacking) => {
                self.lacking = Some(lacking);
                Ok(Want::Read)
            }
        }
    }

    /// The stream ended inside a frame: the framing's last frame, or the
    /// end (clean, or `UnexpectedEof`).
    #[inline(never)]
    #[allow(clippy::type_complexity)]
    fn frame_at_end(&mut self) -> io::Result<Want<Option<Taken<F::Meta>>>> {
        if !self.buffer.end_stream()? {
            self.buffer.finish()?;
            return Ok(Want::Done(None));
        }
        match self.buffer.take_span()? {
            Status::Complete(taken) => Ok(Want::Done(Some(taken))),
            Status::Partial(_) => Err(desync("a last frame taken at the end was not whole")),
        }
    }

    /// Makes the next header whole; `false` when the stream ended between
    /// frames. Then [`header_event`](Reading::header_event) hands it out.
    pub(crate) fn header(&mut self, eof: bool) -> io::Result<Want<bool>> {
        if let Want::Read = self.end_finished_body(eof)? {
            return Ok(Want::Read);
        }
        // At the end, no byte came since the header was last found partial.
        if eof || self.buffer.poll_streamed_header()?.is_partial() {
            if !eof {
                return Ok(Want::Read);
            }
            if !self.buffer.end_stream()? {
                self.buffer.finish()?;
                return Ok(Want::Done(false));
            }
            if self.buffer.poll_streamed_header()?.is_partial() {
                return Err(desync("a last frame taken at the end had no whole header"));
            }
        }
        Ok(Want::Done(true))
    }

    /// The header [`header`](Reading::header) made whole, and its body
    /// length.
    pub(crate) fn header_event(&mut self) -> io::Result<(F::Header<'_>, u64)> {
        match self.buffer.next_event()? {
            Some(Event::Header { header, body_len }) => Ok((header, body_len)),
            _ => Err(desync("a header polled whole was not there")),
        }
    }

    /// Steps over the next frame, streaming its body through the buffer;
    /// resumes a body already begun. `None` when the stream ended between
    /// frames.
    pub(crate) fn skip(&mut self, eof: bool) -> io::Result<Want<Option<Skipped>>> {
        if self.decoder().streamed_frame().is_none() {
            match self.header(eof)? {
                Want::Read => return Ok(Want::Read),
                Want::Done(false) => return Ok(Want::Done(None)),
                Want::Done(true) => {
                    self.header_event()?;
                }
            }
        }
        let (payload_bytes, stream_bytes) = self
            .decoder()
            .streamed_frame()
            .ok_or_else(|| desync("a header read whole left no body"))?;
        loop {
            match self.body_remaining() {
                Some(0) | None => break,
                Some(_) if self.buffer.is_empty() => {
                    if eof {
                        return Err(self.end_in_body());
                    }
                    return Ok(Want::Read);
                }
                Some(remaining) => {
                    let n = usize::try_from(remaining).unwrap_or(usize::MAX);
                    self.buffer.consume_body(n);
                }
            }
        }
        if let Want::Read = self.end_finished_body(eof)? {
            return Ok(Want::Read);
        }
        let mut one = Skipped::default();
        one.add_frame(payload_bytes, stream_bytes);
        Ok(Want::Done(Some(one)))
    }

    /// Every whole frame buffered, or else the next one as
    /// [`skip`](Reading::skip) does.
    pub(crate) fn skip_batch(&mut self, eof: bool) -> io::Result<Want<Option<Skipped>>> {
        if !eof && self.body_remaining().is_none() {
            let skipped = self.buffer.skip_streamed()?;
            if skipped.frames > 0 {
                return Ok(Want::Done(Some(skipped)));
            }
        }
        self.skip(eof)
    }

    /// The next part of a streamed body into `buf`, never past the body.
    /// `Copied(0)` once the body is complete, or if none is being streamed.
    pub(crate) fn read_body(&mut self, buf: &mut [u8], eof: bool) -> io::Result<Want<BodyRead>> {
        self.check_failed()?;
        let remaining = match self.body_remaining() {
            Some(0) => {
                return Ok(match self.end_finished_body(eof)? {
                    Want::Read => Want::Read,
                    Want::Done(()) => Want::Done(BodyRead::Copied(0)),
                })
            }
            Some(remaining) => remaining,
            None => return Ok(Want::Done(BodyRead::Copied(0))),
        };
        let want = usize::try_from(remaining).map_or(buf.len(), |r| r.min(buf.len()));
        if want == 0 {
            return Ok(Want::Done(BodyRead::Copied(0)));
        }
        if self.buffer.is_empty() {
            if eof {
                return Err(self.end_in_body());
            }
            // The rest of the body, or at least a read chunk: no copy.
            if want as u64 == remaining || want >= self.read_chunk {
                return Ok(Want::Done(BodyRead::Direct(want)));
            }
            return Ok(Want::Read);
        }
        let buffered = self.buffer.buffered();
        let n = want.min(buffered.len());
        buf[..n].copy_from_slice(&buffered[..n]);
        self.buffer.consume_body(n);
        Ok(Want::Done(BodyRead::Copied(self.body_bytes_read(n))))
    }

    /// `n` body bytes were read straight into the caller's buffer after
    /// [`BodyRead::Direct`].
    pub(crate) fn body_read_directly(&mut self, n: usize) -> io::Result<usize> {
        if n == 0 {
            return Err(self.end_in_body());
        }
        self.buffer.decoder_mut().skip_body(n as u64);
        Ok(self.body_bytes_read(n))
    }

    /// The next buffered part of a streamed body, for the caller to write
    /// out and then [`consume_body`](FrameBuffer::consume_body) as much as
    /// was taken; `None` once the body is complete (and its end stepped
    /// past), or if none is being streamed.
    pub(crate) fn body_chunk(&mut self, eof: bool) -> io::Result<Want<Option<&[u8]>>> {
        self.check_failed()?;
        let remaining = match self.body_remaining() {
            Some(0) | None => {
                return Ok(match self.end_finished_body(eof)? {
                    Want::Read => Want::Read,
                    Want::Done(()) => Want::Done(None),
                })
            }
            Some(remaining) => remaining,
        };
        if self.buffer.is_empty() {
            if eof {
                return Err(self.end_in_body());
            }
            return Ok(Want::Read);
        }
        let buffered = self.buffer.buffered();
        let n = usize::try_from(remaining).map_or(buffered.len(), |r| r.min(buffered.len()));
        Ok(Want::Done(Some(&buffered[..n])))
    }

    /// `n` body bytes went to the caller: step past the body's end if it
    /// came, but hand the bytes over whatever that step meets (a trailer
    /// not yet read, a bad one): the next call reports it, as the
    /// decoder's error is sticky and an unfinished step is retried.
    fn body_bytes_read(&mut self, n: usize) -> usize {
        let _reported_next_call = self.end_finished_body(false);
        n
    }

    /// Once a streamed body is complete, steps the decoder past its end
    /// (and the framing's trailer, read if need be) so the next frame can
    /// start.
    #[inline(always)]
    pub(crate) fn end_finished_body(&mut self, eof: bool) -> io::Result<Want<()>> {
        if self.body_remaining() == Some(0) {
            return self.step_past_body(eof);
        }
        Ok(Want::Done(()))
    }

    #[inline(never)]
    fn step_past_body(&mut self, eof: bool) -> io::Result<Want<()>> {
        while self.body_remaining() == Some(0) {
            if self.buffer.next_event()?.is_none() {
                if eof {
                    return Err(self.end_in_body());
                }
                return Ok(Want::Read);
            }
        }
        Ok(Want::Done(()))
    }

    /// The decoder's sticky error: a body cut short stays cut short, rather
    /// than reading as complete on the next call.
    fn check_failed(&self) -> io::Result<()> {
        match self.decoder().error() {
            Some(error) => Err(error.clone().into()),
            None => Ok(()),
        }
    }

    /// The error for a stream that ended inside a streamed body.
    pub(crate) fn end_in_body(&mut self) -> io::Error {
        match self.buffer.finish() {
            Err(e) => e.into(),
            Ok(()) => desync("the stream ended with the body complete"),
        }
    }
}

/// A broken internal invariant, reported rather than panicking.
pub(crate) fn desync(what: &str) -> io::Error {
    io::Error::other(format!(
        "sockframe frame reader: {what} (please report this bug)"
    ))
}
