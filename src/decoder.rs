//! The decoder: one state machine that drives any [`Framing`] for every
//! decoding API.
//!
//! A framing knows how to read one kind of header. A [`Decoder`] runs it over
//! the caller's bytes through one header driver,
//! [`drive`](Decoder::drive), and remembers how far it got, so that
//! bytes arriving one at a time cost O(n) in total: the framing resumes its
//! scan where it stopped, the header is parsed once, and once the frame's
//! length is known each call is a length comparison.

use crate::error::Error;
use crate::frame::{Event, Frame, Skipped};
use crate::framing::{Framing, Head};
use crate::limits::Limits;
use crate::status::{Needed, Status};

#[derive(Debug, Clone)]
enum State<S, M> {
    /// At a frame boundary, or inside a header the framing is scanning.
    Head(S),
    /// The header is parsed and still at the front of the caller's input.
    Frame(Head<M>),
    /// Streaming: the header was consumed; this much body, then the
    /// trailer, are still due.
    Body { remaining: u64, head: Head<M> },
    /// Failed: the error is in `Decoder::error`.
    Failed,
}

/// Where a completed frame lies in the input it was decoded from.
#[derive(Debug, Clone)]
pub(crate) struct Span<M> {
    pub(crate) head: Head<M>,
    /// Header, payload and trailer: the bytes to consume.
    pub(crate) total: usize,
}

/// An incremental decoder for one framing.
///
/// It offers the same state machine three ways:
///
/// - [`decode`](Decoder::decode): zero-copy over the caller's buffer. Pass
///   the unconsumed bytes starting at the current frame; get a [`Frame`]
///   borrowing from them and the count to consume, or [`Status::Partial`]
///   saying how many bytes are missing. Keep the bytes and call again with
///   more appended.
/// - [`decode_event`](Decoder::decode_event): the header, then the body as
///   chunks that are consumed as they come, for bodies of any size.
/// - [`FrameBuffer`](crate::FrameBuffer): owns a buffer and takes the stream
///   in arbitrary pieces.
///
/// After an error the decoder stays failed, returning the same error, until
/// [`reset`](Decoder::reset): it never guesses where the next frame starts.
#[derive(Debug, Clone)]
pub struct Decoder<F: Framing> {
    framing: F,
    limits: Limits,
    state: State<F::Scan, F::Meta>,
    /// Stream offset of the first byte of the caller's next input.
    offset: u64,
    /// The sticky error, once `state` is `Failed`.
    error: Option<Error>,
    /// Bytes of the current header a scanning framing has seen, so that a
    /// caller passing fewer again is told so instead of the framing being
    /// handed an input shorter than its scan (kept for non-empty `Scan`s
    /// only: a framing with nothing to resume reads any input afresh).
    seen: usize,
}

impl<F: Framing + Default> Default for Decoder<F> {
    fn default() -> Self {
        Self::new(F::default())
    }
}

impl<F: Framing> Decoder<F> {
    /// A decoder with the default [`Limits`].
    pub fn new(framing: F) -> Self {
        Self::with_limits(framing, Limits::default())
    }

    /// A decoder with the given limits.
    pub fn with_limits(framing: F, limits: Limits) -> Self {
        Decoder {
            framing,
            limits,
            state: State::Head(F::Scan::default()),
            offset: 0,
            error: None,
            seen: 0,
        }
    }

    /// The framing being decoded.
    pub fn framing(&self) -> &F {
        &self.framing
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Stream offset of the first byte the next call will be given.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// `true` when the decoder holds nothing of a frame: no header parsed
    /// and waiting for its payload, no body being streamed, no error. The
    /// bytes of a header still incomplete are the caller's (the decoder
    /// keeps at most where a scan stopped), so they do not count.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Head(_))
    }

    /// The sticky error, if the decoder has failed.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Body bytes still due while streaming a body, `None` otherwise.
    pub fn body_remaining(&self) -> Option<u64> {
        match self.state {
            State::Body { remaining, .. } => Some(remaining),
            _ => None,
        }
    }

    /// The frame whose body is being streamed: its payload length and its
    /// whole length on the wire.
    #[cfg(feature = "std")] // For `io::FrameReader`.
    pub(crate) fn streamed_frame(&self) -> Option<(u64, u64)> {
        match &self.state {
            State::Body { head, .. } => Some((
                head.payload_len,
                head.payload_len
                    .saturating_add(head.header_len as u64)
                    .saturating_add(head.trailer_len as u64),
            )),
            _ => None,
        }
    }

    /// Accounts for up to `n` body bytes the caller took from the source
    /// itself (say, read straight into its own buffer) instead of through
    /// [`decode_event`](Decoder::decode_event). Returns how many were
    /// accounted for: at most [`body_remaining`](Decoder::body_remaining).
    pub fn skip_body(&mut self, n: u64) -> u64 {
        match &mut self.state {
            State::Body { remaining, .. } => {
                let taken = n.min(*remaining);
                *remaining -= taken;
                self.offset += taken;
                taken
            }
            _ => 0,
        }
    }

    /// Forgets all state, including a sticky error; offsets restart at 0.
    pub fn reset(&mut self) {
        self.state = State::Head(F::Scan::default());
        self.offset = 0;
        self.error = None;
        self.seen = 0;
    }

    /// Decodes one whole frame from the front of `input`.
    ///
    /// `input` must start at the current frame: after `Partial`, call again
    /// with the same bytes and more appended; after `Complete((frame, n))`,
    /// drop the first `n` bytes.
    #[inline(always)]
    #[allow(clippy::type_complexity)] // The frame and the count to consume.
    pub fn decode<'a>(
        &mut self,
        input: &'a [u8],
    ) -> Result<Status<(Frame<'a, F::Header<'a>>, usize)>, Error> {
        Ok(match self.decode_span(input)? {
            Status::Complete(span) => {
                let total = span.total;
                Status::Complete((self.frame_at(input, &span), total))
            }
            Status::Partial(needed) => Status::Partial(needed),
        })
    }

    /// [`decode`](Decoder::decode) without the borrow: where the completed
    /// frame lies in `input`. Lets a buffer hand out a frame after deciding,
    /// with no borrow held, whether it has one.
    #[inline(always)]
    pub(crate) fn decode_span(&mut self, input: &[u8]) -> Result<Status<Span<F::Meta>>, Error> {
        self.take_frame(input, self.limits.max_frame)
    }

    /// The frame `span` locates in `input`, as returned by
    /// [`decode_span`](Decoder::decode_span) for the same bytes.
    #[inline(always)]
    pub(crate) fn frame_at<'a>(
        &self,
        input: &'a [u8],
        span: &Span<F::Meta>,
    ) -> Frame<'a, F::Header<'a>> {
        let header_len = span.head.header_len;
        Frame {
            header: self.framing.header(&input[..header_len], &span.head),
            // `total` fits `usize` and counts the payload.
            payload: &input[header_len..][..span.head.payload_len as usize],
            raw: &input[..span.total],
        }
    }

    /// Steps over every whole frame at the front of `input` without
    /// handing them out, for counting or dropping frames in bulk: drop the
    /// first [`Skipped::stream_bytes`] bytes afterwards.
    ///
    /// Stops before an incomplete frame, as [`decode`](Decoder::decode)'s
    /// `Partial` would. A bad header ends the run too: with frames skipped
    /// before it, they are returned and the next call reports the error
    /// (frames before an error are never lost); with none, it is the
    /// error.
    ///
    /// ```
    /// use sockframe::{Ascii, Decoder};
    ///
    /// let mut decoder = Decoder::new(Ascii::new());
    /// let skipped = decoder.skip_frames(b"0002hi0003you0005he")?;
    /// assert_eq!((skipped.frames, skipped.payload_bytes, skipped.stream_bytes), (2, 5, 13));
    /// # Ok::<(), sockframe::Error>(())
    /// ```
    pub fn skip_frames(&mut self, input: &[u8]) -> Result<Skipped, Error> {
        self.skip_frames_within(input, self.limits.max_frame)
    }

    /// [`skip_frames`](Decoder::skip_frames) with payloads bounded by
    /// `limit`: a reader that never waits for a frame larger than its read
    /// chunk skips under [`Limits::max_streamed_body`].
    pub(crate) fn skip_frames_within(
        &mut self,
        input: &[u8],
        limit: u64,
    ) -> Result<Skipped, Error> {
        let mut skipped = Skipped::default();
        let mut pos = 0usize;
        loop {
            match self.take_frame(&input[pos..], limit) {
                Ok(Status::Complete(span)) => {
                    skipped.add_frame(span.head.payload_len, span.total as u64);
                    pos += span.total;
                }
                Ok(Status::Partial(_)) => return Ok(skipped),
                Err(e) if skipped.frames == 0 => return Err(e),
                // Sticky: the next call reports it.
                Err(_) => return Ok(skipped),
            }
        }
    }

    /// Advances over the header without completing the frame: `Complete`
    /// gives `(header_len, frame_len)` once `input` holds the whole frame.
    /// The next [`decode`](Decoder::decode) on the same bytes then completes
    /// it without parsing anything again.
    #[inline]
    pub fn poll_frame(&mut self, input: &[u8]) -> Result<Status<(usize, usize)>, Error> {
        self.drive(
            input,
            self.limits.max_frame,
            #[inline(always)]
            |this, head| {
                let total = this.frame_len(&head)?;
                let header_len = head.header_len;
                if input.len() < total {
                    this.state = State::Frame(head);
                    return Ok(Status::Partial(Needed::exact(total - input.len())));
                }
                // Whole: what `decode` would refuse, refused now.
                this.check_trailer(input, &head, total)?;
                this.state = State::Frame(head);
                Ok(Status::Complete((header_len, total)))
            },
        )
    }

    /// Parses the next header for streaming without consuming it: once
    /// `Complete`, [`decode_event`](Decoder::decode_event) on the same bytes
    /// returns it without parsing again. For adapters that must know a
    /// header is whole before they borrow it.
    #[cfg(feature = "std")]
    pub(crate) fn poll_streamed_header(&mut self, input: &[u8]) -> Result<Status<()>, Error> {
        self.drive(input, self.limits.max_streamed_body, |this, head| {
            this.state = State::Frame(head);
            Ok(Status::Complete(()))
        })
    }

    /// Decodes the next streaming step from the front of `input`.
    ///
    /// Unlike [`decode`](Decoder::decode), bytes are consumed as they are
    /// reported: drop the first `n` bytes after every `Complete((event, n))`.
    /// A header is only reported once it is whole (until then nothing is
    /// consumed); a body comes as chunks of whatever is available; `End`
    /// consumes the framing's trailer, if it has one, once it is whole.
    /// Bodies are bounded by [`Limits::max_streamed_body`].
    #[allow(clippy::type_complexity)] // The event and the count to consume.
    pub fn decode_event<'a>(
        &mut self,
        input: &'a [u8],
    ) -> Result<Status<(Event<'a, F::Header<'a>>, usize)>, Error> {
        if let State::Body { remaining, head } = &mut self.state {
            if *remaining == 0 {
                let trailer_len = head.trailer_len;
                let Some(trailer) = input.get(..trailer_len) else {
                    return Ok(Status::Partial(Needed::exact(trailer_len - input.len())));
                };
                if let Err(e) = self.framing.check_trailer(trailer, self.offset) {
                    return Err(self.fail(e));
                }
                self.offset += trailer_len as u64;
                self.state = State::Head(F::Scan::default());
                return Ok(Status::Complete((Event::End, trailer_len)));
            }
            if input.is_empty() {
                return Ok(Status::Partial(Needed::exact(
                    usize::try_from(*remaining).unwrap_or(usize::MAX),
                )));
            }
            let chunk = usize::try_from(*remaining).map_or(input.len(), |r| r.min(input.len()));
            *remaining -= chunk as u64;
            self.offset += chunk as u64;
            return Ok(Status::Complete((Event::Body(&input[..chunk]), chunk)));
        }
        self.drive(input, self.limits.max_streamed_body, |this, head| {
            let header_len = head.header_len;
            let body_len = head.payload_len;
            let Some(header) = input.get(..header_len) else {
                // Parsed by an earlier call over more bytes than these.
                return Err(Error::InputShrank {
                    offset: this.offset,
                    expected: header_len,
                    got: input.len(),
                });
            };
            let header = this.framing.header(header, &head);
            this.offset += header_len as u64;
            this.state = State::Body {
                remaining: body_len,
                head,
            };
            Ok(Status::Complete((
                Event::Header { header, body_len },
                header_len,
            )))
        })
    }

    /// Tells the decoder the stream ended with `rest` not consumed, and asks
    /// the framing whether those bytes, an unfinished frame, make a last
    /// frame anyway ([`Framing::parse_last`]: lines with no final newline,
    /// say). `true` if so: the next [`decode`](Decoder::decode),
    /// [`decode_event`](Decoder::decode_event) or
    /// [`skip_frames`](Decoder::skip_frames) on the same bytes hands it out.
    /// `false` otherwise, and then [`finish`](Decoder::finish) says whether
    /// the stream was cut short.
    pub fn end_stream(&mut self, rest: &[u8]) -> Result<bool, Error> {
        if core::mem::size_of::<F::Scan>() != 0 && rest.len() < self.seen {
            return Err(self.input_shrank(rest.len()));
        }
        let State::Head(scan) = &mut self.state else {
            return Ok(false);
        };
        if rest.is_empty() {
            return Ok(false);
        }
        let head = match self
            .framing
            .parse_last(rest, scan, self.offset, &self.limits)
        {
            Ok(Some(head)) => head,
            Ok(None) => return Ok(false),
            Err(e) => return Err(self.fail(e)),
        };
        match head.frame_len() {
            Some(total) if total <= rest.len() => {
                self.state = State::Frame(head);
                self.seen = 0;
                Ok(true)
            }
            // Not a frame of these bytes: the stream was cut short.
            _ => Ok(false),
        }
    }

    /// Declares the end of the stream, with `rest` the bytes not consumed.
    ///
    /// `Ok` at a frame boundary; [`Error::UnexpectedEof`] with the number of
    /// missing bytes inside a frame. Drain complete frames first: if `rest`
    /// still holds one, this returns [`Error::UnreadFrame`].
    pub fn finish(&mut self, rest: &[u8]) -> Result<(), Error> {
        let needed = match &self.state {
            State::Failed => return Err(self.sticky()),
            State::Body { remaining, head } => {
                let due = remaining.saturating_add(head.trailer_len as u64);
                if due == 0 {
                    // The body is complete; only its `End` was not asked for.
                    self.state = State::Head(F::Scan::default());
                    return self.finish(rest);
                }
                match due.checked_sub(rest.len() as u64) {
                    Some(missing) if missing > 0 => {
                        Needed::exact(usize::try_from(missing).unwrap_or(usize::MAX))
                    }
                    _ => {
                        return Err(Error::UnreadFrame {
                            offset: self.offset,
                        })
                    }
                }
            }
            State::Head(_) if rest.is_empty() => return Ok(()),
            State::Head(_) | State::Frame(_) => {
                // No payload limit: whatever the caller was doing, the
                // question is only whether the bytes end mid-frame.
                match self.frame_head(rest, u64::MAX)? {
                    Status::Partial(needed) => needed,
                    Status::Complete(Span { head, total }) if rest.len() < total => {
                        self.state = State::Frame(head);
                        Needed::exact(total - rest.len())
                    }
                    Status::Complete(_) => {
                        return Err(Error::UnreadFrame {
                            offset: self.offset,
                        })
                    }
                }
            }
        };
        Err(self.fail(Error::UnexpectedEof {
            offset: self.offset + rest.len() as u64,
            needed,
        }))
    }

    /// Consumes the frame at the front of `input` once it is whole, with
    /// its payload bounded by `limit`; `Partial` until then.
    #[inline(always)]
    fn take_frame(&mut self, input: &[u8], limit: u64) -> Result<Status<Span<F::Meta>>, Error> {
        self.drive(
            input,
            limit,
            #[inline(always)]
            |this, head| {
                let total = this.frame_len(&head)?;
                if input.len() < total {
                    // Waiting for the rest is then one length comparison per call.
                    this.state = State::Frame(head);
                    return Ok(Status::Partial(Needed::exact(total - input.len())));
                }
                this.check_trailer(input, &head, total)?;
                this.state = State::Head(F::Scan::default());
                this.offset += total as u64;
                Ok(Status::Complete(Span { head, total }))
            },
        )
    }

    /// The head of the frame at the front of `input` and the frame's whole
    /// length, which must fit in memory: where the frame will lie.
    fn frame_head(&mut self, input: &[u8], limit: u64) -> Result<Status<Span<F::Meta>>, Error> {
        self.drive(input, limit, |this, head| {
            let total = this.frame_len(&head)?;
            Ok(Status::Complete(Span { head, total }))
        })
    }

    /// The one header driver, behind every decoding API: runs the framing
    /// over the header at the front of `input`, resuming its scan (state
    /// `Head`), or recalls the head parsed by an earlier call (state
    /// `Frame`); refuses a header past [`Framing::max_header_len`] and a
    /// payload over `limit`; then hands the head to `then`, the API's own
    /// step.
    ///
    /// A fresh header is handed over on its own path, so that a fixed-size
    /// framing's constants (header length, no trailer) reach `then` and the
    /// common case compiles to a header parse and a few comparisons.
    #[inline(always)]
    fn drive<T>(
        &mut self,
        input: &[u8],
        limit: u64,
        then: impl FnOnce(&mut Self, Head<F::Meta>) -> Result<Status<T>, Error>,
    ) -> Result<Status<T>, Error> {
        if let State::Head(scan) = &mut self.state {
            // A compile-time constant: no cost for fixed-size framings.
            let scans = core::mem::size_of::<F::Scan>() != 0;
            if scans && input.len() < self.seen {
                return Err(self.input_shrank(input.len()));
            }
            // The framing sees no byte past its header limit, so that how
            // the stream is cut cannot change whether a header is too long
            // (whole, it would be completed; byte by byte, refused).
            let max_header_len = self.framing.max_header_len(&self.limits);
            let header_input = &input[..input.len().min(max_header_len)];
            let head =
                match self
                    .framing
                    .parse_header(header_input, scan, self.offset, &self.limits)
                {
                    Ok(Status::Complete(head)) if head.header_len <= max_header_len => head,
                    Ok(Status::Complete(head)) => {
                        return Err(self.fail(Error::HeaderTooLong {
                            offset: self.offset,
                            length: head.header_len as u64,
                            limit: max_header_len as u64,
                        }))
                    }
                    Ok(Status::Partial(needed)) => {
                        self.check_partial_header(header_input.len(), needed)?;
                        if scans {
                            self.seen = header_input.len();
                        }
                        return Ok(Status::Partial(needed));
                    }
                    Err(e) => return Err(self.fail(e)),
                };
            if scans {
                self.seen = 0;
            }
            self.check_payload(&head, limit)?;
            return then(self, head);
        }
        let head = self.recall_head()?;
        self.check_payload(&head, limit)?;
        then(self, head)
    }

    /// The head an earlier call parsed (state `Frame`), or why there is
    /// none to decode.
    #[inline(never)]
    fn recall_head(&mut self) -> Result<Head<F::Meta>, Error> {
        match &self.state {
            State::Frame(head) => Ok(head.clone()),
            State::Body { remaining, .. } => Err(Error::BodyInProgress {
                remaining: *remaining,
            }),
            State::Head(_) | State::Failed => Err(self.sticky()),
        }
    }

    /// Checks the trailer of the whole frame at the front of `input`
    /// (`total` bytes long), if the framing has one.
    #[inline(always)]
    fn check_trailer(
        &mut self,
        input: &[u8],
        head: &Head<F::Meta>,
        total: usize,
    ) -> Result<(), Error> {
        if head.trailer_len == 0 {
            return Ok(());
        }
        let trailer_at = total - head.trailer_len;
        let offset = self.offset + trailer_at as u64;
        match self
            .framing
            .check_trailer(&input[trailer_at..total], offset)
        {
            Ok(()) => Ok(()),
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Refuses a payload over `limit` before anything is reserved for it.
    #[inline(always)]
    fn check_payload(&mut self, head: &Head<F::Meta>, limit: u64) -> Result<(), Error> {
        if head.payload_len > limit {
            return Err(self.fail(Error::FrameTooLong {
                offset: self.offset,
                length: head.payload_len,
                limit,
            }));
        }
        Ok(())
    }

    /// The whole frame's length, which must fit a `usize` to be held.
    #[inline(always)]
    fn frame_len(&mut self, head: &Head<F::Meta>) -> Result<usize, Error> {
        match head.frame_len() {
            Some(total) => Ok(total),
            None => Err(self.fail(Error::FrameTooLong {
                offset: self.offset,
                length: head.payload_len,
                limit: usize::MAX as u64,
            })),
        }
    }

    /// A header still incomplete after `seen` bytes: refused once it would
    /// run past the framing's header limit, before more of it is buffered.
    #[cold]
    fn check_partial_header(&mut self, seen: usize, needed: Needed) -> Result<(), Error> {
        let limit = self.framing.max_header_len(&self.limits);
        let at_least = seen.saturating_add(needed.bytes());
        if at_least > limit {
            return Err(self.fail(Error::HeaderTooLong {
                offset: self.offset,
                length: at_least as u64,
                limit: limit as u64,
            }));
        }
        Ok(())
    }

    /// The caller passed `got` bytes, fewer than were seen of the frame.
    #[cold]
    fn input_shrank(&self, got: usize) -> Error {
        Error::InputShrank {
            offset: self.offset,
            expected: self.seen,
            got,
        }
    }

    #[cold]
    fn sticky(&self) -> Error {
        self.error.clone().unwrap_or(Error::UnreadFrame {
            offset: self.offset,
        })
    }

    #[cold]
    fn fail(&mut self, error: Error) -> Error {
        self.state = State::Failed;
        self.error = Some(error.clone());
        error
    }
}
