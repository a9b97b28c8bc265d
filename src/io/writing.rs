//! What a frame writer decides, apart from how it writes: one copy for the
//! blocking [`io::FrameWriter`](super::FrameWriter) and the async
//! `tokio::FrameWriter`.
//!
//! A step either finishes or says what to do next: write the slices
//! [`frame_slices`](Writing::frame_slices) or [`pending`](Writing::pending)
//! offer, or read a body into [`body_space`](Writing::body_space). The
//! adapter does it and hands the result to the next step. Every byte a write
//! took is accounted for in [`Writing`] as soon as it is reported, so an
//! async write dropped while it waits leaves a state the next call resolves
//! ([`check`](Writing::check)).

use std::io::{self, IoSlice};

use crate::error::Error;
use crate::io::error::encode_error;
use crate::io::parts::{advance, io_slices, write_zero_frame};
use crate::io::DEFAULT_BUFFER_LIMIT;

/// A step's outcome.
pub(crate) enum Next<T> {
    /// Finished.
    Done(T),
    /// Write once more, then call the step again.
    Write,
}

/// What a frame streamed from a reader needs next.
pub(crate) enum CopyNext {
    /// Write out everything [pending](Writing::pending), then step again.
    Write,
    /// Read up to this many body bytes into
    /// [`body_space`](Writing::body_space), then report them.
    Read(usize),
    /// The frame is written.
    Done,
}

/// What a frame writer keeps between calls.
#[derive(Debug)]
pub(crate) struct Writing {
    /// Bytes accepted and not yet written are `pending[sent..]`: gathered
    /// frames, the rest of a frame whose write stopped partway, or a
    /// streamed frame's next chunk.
    pending: Vec<u8>,
    /// Bytes at the front of `pending` already written: dropped all at once
    /// rather than moving the rest after every partial write.
    sent: usize,
    /// Gather frames while the pending bytes stay under this; 0 when
    /// unbuffered.
    buffer_limit: usize,
    /// A frame whose body is streamed from a reader: under way, or, when a
    /// call finds it still set, cut short or dropped midway.
    copy: Option<Copying>,
}

/// A frame streamed from a reader, under way or cut short.
#[derive(Debug, Clone, Copy)]
struct Copying {
    copied: u64,
    announced: u64,
    trailer_queued: bool,
    /// Some of its bytes were written: the peer has part of the frame, and
    /// the stream cannot carry another frame unless this one is finished.
    started: bool,
}

/// A frame too large to gather, on its way out behind what was pending.
#[derive(Debug)]
pub(crate) struct Outgoing<'a> {
    /// Header, payload and trailer: what is not written yet.
    rest: [&'a [u8]; 3],
    /// Bytes in `rest`.
    left: usize,
    /// Some of its bytes were written: it can no longer be refused.
    started: bool,
}

impl Outgoing<'_> {
    /// Some of the frame was written: from here on it is accepted.
    #[cfg(feature = "tokio")] // The async writer's cancellation point.
    pub(crate) fn started(&self) -> bool {
        self.started
    }
}

impl Writing {
    pub(crate) fn new(buffer_limit: usize) -> Self {
        Writing {
            pending: Vec::new(),
            sent: 0,
            buffer_limit,
            copy: None,
        }
    }

    /// Bytes accepted and not yet written.
    #[inline]
    pub(crate) fn pending(&self) -> &[u8] {
        &self.pending[self.sent..]
    }

    pub(crate) fn buffer_limit(&self) -> usize {
        self.buffer_limit
    }

    /// Gives back the memory beyond the pending bytes.
    pub(crate) fn shrink(&mut self) {
        self.drop_sent();
        self.pending.shrink_to_fit();
    }

    /// The pending bytes, leaving none.
    pub(crate) fn take_pending(&mut self) -> Vec<u8> {
        self.drop_sent();
        std::mem::take(&mut self.pending)
    }

    /// No frame streamed from a reader is under way or cut short: what is
    /// pending is whole frames (or the rest of one), safe to write out.
    pub(crate) fn pending_is_whole_frames(&self) -> bool {
        self.copy.is_none()
    }

    /// Before every write: refuses it once a streamed frame was cut short
    /// after it started; forgets one dropped before its first byte went out.
    #[inline(always)]
    pub(crate) fn check(&mut self) -> io::Result<()> {
        match self.copy {
            None => Ok(()),
            Some(copy) => self.check_copy(copy),
        }
    }

    #[inline(never)]
    fn check_copy(&mut self, copy: Copying) -> io::Result<()> {
        if copy.started {
            return Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                format!(
                    "an earlier frame was cut short after {} of its {} body bytes: the stream \
                     cannot carry more frames",
                    copy.copied, copy.announced
                ),
            ));
        }
        self.clear_pending();
        self.copy = None;
        Ok(())
    }

    /// A write of [`pending`](Writing::pending) ended so: `Ok` to go on
    /// (bytes taken, or interrupted), `Err` to stop.
    #[inline]
    pub(crate) fn pending_written(&mut self, result: io::Result<usize>) -> io::Result<()> {
        match result {
            Ok(0) => Err(write_zero_frame()),
            Ok(n) => {
                self.consume(n);
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Gathers a frame given as header, payload and trailer while the
    /// pending bytes stay under the limit. `None` when that is all there is
    /// to do (it was gathered, or there is nothing to write); otherwise the
    /// frame, to write out behind what is pending.
    #[inline(always)]
    pub(crate) fn gather<'a>(&mut self, frame: [&'a [u8]; 3]) -> Option<Outgoing<'a>> {
        let frame_len = frame
            .iter()
            .fold(0usize, |n, part| n.saturating_add(part.len()));
        if self.sent > 0 {
            self.drop_sent();
        }
        let pending_len = self.pending.len();
        if pending_len.saturating_add(frame_len) < self.buffer_limit {
            self.queue(&frame);
            return None;
        }
        if pending_len == 0 && frame_len == 0 {
            return None;
        }
        Some(Outgoing {
            rest: frame,
            left: frame_len,
            started: false,
        })
    }

    /// Fills `slices` for the next vectored write of `frame`: what is
    /// pending, then the frame's rest. Returns how many.
    #[inline(always)]
    pub(crate) fn frame_slices<'s>(
        &'s self,
        frame: &Outgoing<'s>,
        slices: &mut [IoSlice<'s>; 4],
    ) -> usize {
        let [header, payload, trailer] = frame.rest;
        io_slices(&[self.pending(), header, payload, trailer], slices)
    }

    /// A vectored write of [`frame_slices`](Writing::frame_slices) ended so.
    /// `Done(Ok)` once all is written, or when the writer failed after the
    /// frame started (its rest is then pending: an error that persists
    /// shows on the next call); `Done(Err)` when it failed before: the frame
    /// is refused, none of it written or kept.
    #[inline(always)]
    pub(crate) fn frame_written(
        &mut self,
        frame: &mut Outgoing<'_>,
        result: io::Result<usize>,
    ) -> Next<io::Result<()>> {
        match result {
            Ok(n) if n > 0 => {
                let pending_len = self.pending.len() - self.sent;
                if pending_len > 0 {
                    self.consume(n.min(pending_len));
                }
                // The frame's bytes follow the pending ones.
                let from_frame = n.saturating_sub(pending_len).min(frame.left);
                if from_frame > 0 {
                    frame.started = true;
                    frame.left -= from_frame;
                    if frame.left == 0 {
                        return Next::Done(Ok(()));
                    }
                    advance(&mut frame.rest, from_frame);
                    return Next::Write;
                }
                if frame.left == 0 && n >= pending_len {
                    return Next::Done(Ok(()));
                }
                Next::Write
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Next::Write,
            failed => Next::Done(self.frame_failed(frame, failed.err())),
        }
    }

    /// The writer failed, or took nothing (`None`).
    #[inline(never)]
    fn frame_failed(&mut self, frame: &Outgoing<'_>, error: Option<io::Error>) -> io::Result<()> {
        let error = error.unwrap_or_else(write_zero_frame);
        if !frame.started {
            return Err(error);
        }
        self.keep_rest(frame);
        Ok(())
    }

    /// Makes the unwritten rest of a started frame pending, so that it goes
    /// out first on the next write or flush: the stream is never left
    /// mid-frame.
    pub(crate) fn keep_rest(&mut self, frame: &Outgoing<'_>) {
        debug_assert!(frame.started && self.pending().is_empty());
        self.queue(&frame.rest);
    }

    /// Starts a frame whose body of `len` bytes is streamed from a reader:
    /// queues its header. What was pending must be written out first.
    pub(crate) fn start_copy(&mut self, header: &[u8], len: u64) {
        debug_assert!(self.pending().is_empty());
        self.queue(&[header]);
        self.copy = Some(Copying {
            copied: 0,
            announced: len,
            trailer_queued: false,
            started: false,
        });
    }

    /// What the streamed frame needs next. Its body goes through `pending`
    /// in chunks of at most [`DEFAULT_BUFFER_LIMIT`] bytes; `trailer` is
    /// queued once the body is all there.
    pub(crate) fn copy_next(&mut self, trailer: &[u8]) -> CopyNext {
        let Some(copy) = self.copy.as_mut() else {
            return CopyNext::Done;
        };
        if copy.copied == copy.announced {
            if !copy.trailer_queued {
                copy.trailer_queued = true;
                self.queue(&[trailer]);
            }
            if self.pending().is_empty() {
                return CopyNext::Done;
            }
            return CopyNext::Write;
        }
        let left = copy.announced - copy.copied;
        let room = DEFAULT_BUFFER_LIMIT.saturating_sub(self.pending().len());
        if room == 0 {
            return CopyNext::Write;
        }
        CopyNext::Read(usize::try_from(left).map_or(room, |left| left.min(room)))
    }

    /// Where the next `want` body bytes are read to, after
    /// [`CopyNext::Read`]; then [`body_filled`](Writing::body_filled) says
    /// how many came.
    pub(crate) fn body_space(&mut self, want: usize) -> &mut [u8] {
        let start = self.pending.len();
        self.pending.resize(start + want, 0);
        &mut self.pending[start..]
    }

    /// `n` bytes were read into the [`body_space`](Writing::body_space) of
    /// `want`: keeps them, drops the rest of the space. Returns how many
    /// are kept.
    #[inline]
    pub(crate) fn body_filled(&mut self, want: usize, n: usize) -> usize {
        let n = n.min(want);
        self.pending.truncate(self.pending.len() - want + n);
        n
    }

    /// A read into the [`body_space`](Writing::body_space) ended so, with
    /// the count [`body_filled`](Writing::body_filled) kept: `Ok` to go
    /// on, `Err` to end the frame with.
    pub(crate) fn body_read(&mut self, result: io::Result<usize>) -> io::Result<()> {
        let Some(copy) = self.copy.as_mut() else {
            return Ok(());
        };
        match result {
            Ok(0) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the body ended after {} of the {} bytes announced",
                    copy.copied, copy.announced
                ),
            )),
            Ok(n) => {
                copy.copied += n as u64;
                Ok(())
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// The streamed frame ended so. On an error its unsent bytes are
    /// dropped: either none was sent and the frame is refused whole, or the
    /// peer has part of it, no later frame could be told apart from its
    /// missing rest, and every later write is refused.
    pub(crate) fn end_copy(&mut self, result: io::Result<()>) -> io::Result<()> {
        let copy = self.copy.take();
        if result.is_err() {
            self.clear_pending();
            self.copy = copy.filter(|copy| copy.started);
        }
        result
    }

    /// Appends `parts` to the pending bytes. Only a write partway through
    /// them leaves sent bytes in front, and every caller comes after a
    /// write that finished, or after [`drop_sent`](Writing::drop_sent).
    #[inline(always)]
    fn queue(&mut self, parts: &[&[u8]]) {
        debug_assert_eq!(self.sent, 0);
        for part in parts {
            self.pending.extend_from_slice(part);
        }
    }

    /// `n` pending bytes were written.
    #[inline(always)]
    fn consume(&mut self, n: usize) {
        let n = n.min(self.pending.len() - self.sent);
        if n > 0 {
            if let Some(copy) = self.copy.as_mut() {
                copy.started = true;
            }
        }
        self.sent += n;
        if self.sent == self.pending.len() {
            self.clear_pending();
        }
    }

    /// Drops the bytes written from the front of `pending`.
    #[inline(never)]
    fn drop_sent(&mut self) {
        self.pending.drain(..self.sent);
        self.sent = 0;
    }

    fn clear_pending(&mut self) {
        self.pending.clear();
        self.sent = 0;
    }
}

/// A body length as a payload length.
pub(crate) fn payload_len(len: u64) -> io::Result<usize> {
    usize::try_from(len).map_err(|_| {
        encode_error(Error::PayloadTooLong {
            length: len,
            max: usize::MAX as u64,
        })
    })
}
