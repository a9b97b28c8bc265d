//! The decoder state machine shared by every framing.
//!
//! A [`Framing`] knows how to read one kind of header. A [`Decoder`] drives it
//! over the caller's bytes and remembers how far it got, so that bytes
//! arriving one at a time cost O(n) in total: the header is parsed once, and
//! once the frame's length is known each call is a length comparison.

use alloc::vec::Vec;

use crate::error::Error;
use crate::limits::Limits;
use crate::status::{Needed, Status};

/// What a framing learned from the fixed-size start of a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// The header is complete; the payload is this long.
    Complete {
        /// Payload length announced.
        body_len: u64,
    },
    /// The header has a variable part: the whole header is this long.
    NeedsRest {
        /// Whole header length, fixed part included.
        header_len: usize,
    },
}

/// One way of marking frame boundaries: a header format.
///
/// Implemented by [`Ascii`](crate::Ascii), [`Binary`](crate::Binary) and
/// [`Json`](crate::Json); implement it to drive your own header format with
/// the same decoders, buffers and readers.
pub trait Framing {
    /// What a decoded frame carries besides its payload.
    type Header<'a>;

    /// An owned copy of [`Header`](Framing::Header).
    type OwnedHeader;

    /// Copies a header out of the input it borrows.
    fn to_owned_header(header: &Self::Header<'_>) -> Self::OwnedHeader;

    /// Length of the fixed part of the header, which tells either the payload
    /// length or the whole header length. At least 1.
    fn prefix_len(&self) -> usize;

    /// The longest header this framing accepts under `limits`; buffers use it
    /// to bound their growth.
    fn max_header_len(&self, limits: &Limits) -> usize {
        let _ = limits;
        self.prefix_len()
    }

    /// Checks an incomplete fixed part, so bad bytes are refused as soon as
    /// they arrive. `offset` is the stream offset of `partial[0]`.
    fn check_partial(&self, partial: &[u8], offset: u64) -> Result<(), Error> {
        let _ = (partial, offset);
        Ok(())
    }

    /// Parses the fixed part (`prefix.len() == self.prefix_len()`).
    fn parse_prefix(&self, prefix: &[u8], offset: u64, limits: &Limits) -> Result<Head, Error>;

    /// Parses a whole variable-length header, after
    /// [`parse_prefix`](Framing::parse_prefix) returned [`Head::NeedsRest`],
    /// and returns the payload length. Framings whose headers have no
    /// variable part never get this call; the default says "empty payload".
    fn parse_rest(&self, header: &[u8], offset: u64, limits: &Limits) -> Result<u64, Error> {
        let _ = (header, offset, limits);
        Ok(0)
    }

    /// Builds the caller's view of a header that was parsed before.
    /// `header` holds the whole header, fixed part included.
    fn header<'a>(&self, header: &'a [u8], body_len: u64) -> Self::Header<'a>;
}

/// A whole frame, borrowed from the bytes it was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a, H = ()> {
    header: H,
    payload: &'a [u8],
    raw: &'a [u8],
}

impl<'a, H> Frame<'a, H> {
    /// The payload (JSON framing: the body).
    pub fn payload(&self) -> &'a [u8] {
        self.payload
    }

    /// The header's decoded form (`()` for the length-only framings).
    pub fn header(&self) -> &H {
        &self.header
    }

    /// The frame exactly as it was on the wire, header included: handy for
    /// relaying or echoing a frame unchanged.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Splits the frame into its header and payload.
    pub fn into_parts(self) -> (H, &'a [u8]) {
        (self.header, self.payload)
    }
}

impl Frame<'_> {
    /// Copies the frame out of the input.
    pub fn to_owned(&self) -> OwnedFrame {
        OwnedFrame {
            header: (),
            payload: self.payload.to_vec(),
        }
    }
}

/// A frame that owns its payload.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedFrame<H = ()> {
    /// The header's decoded form (`()` for the length-only framings).
    pub header: H,
    /// The payload (JSON framing: the body).
    pub payload: Vec<u8>,
}

impl<H> OwnedFrame<H> {
    /// Copies a frame of framing `F` out of the input (generic code's
    /// `to_owned`).
    pub fn from_frame<'a, F>(frame: &Frame<'a, F::Header<'a>>) -> Self
    where
        F: Framing<OwnedHeader = H>,
    {
        OwnedFrame {
            header: F::to_owned_header(&frame.header),
            payload: frame.payload.to_vec(),
        }
    }
}

/// Frames stepped over without being built: see
/// [`Decoder::skip_frames`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Skipped {
    /// Whole frames.
    pub frames: u64,
    /// Their payload bytes (JSON framing: body bytes).
    pub payload_bytes: u64,
    /// Their bytes on the wire, headers included: what to consume.
    pub stream_bytes: u64,
}

impl Skipped {
    /// Adds `other`'s counts to these.
    pub fn add(&mut self, other: Skipped) {
        self.frames += other.frames;
        self.payload_bytes += other.payload_bytes;
        self.stream_bytes += other.stream_bytes;
    }

    /// Counts one more frame.
    pub(crate) fn add_frame(&mut self, payload_bytes: u64, stream_bytes: u64) {
        self.frames += 1;
        self.payload_bytes += payload_bytes;
        self.stream_bytes += stream_bytes;
    }
}

/// One step of a frame decoded as a stream, for bodies too large to hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event<'a, H = ()> {
    /// A header; `body_len` bytes of body follow as [`Event::Body`] chunks.
    Header {
        /// The header's decoded form.
        header: H,
        /// Body length announced.
        body_len: u64,
    },
    /// The next chunk of the body (never empty).
    Body(&'a [u8]),
    /// The body is complete; the next event starts a new frame.
    End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At a frame boundary, or inside the fixed part of a header.
    Head,
    /// The fixed part said how long the whole header is.
    HeadRest { header_len: usize },
    /// The header is parsed and still at the front of the caller's input.
    Frame { header_len: usize, body_len: u64 },
    /// Streaming: the header was consumed, this much body is still due.
    Body { remaining: u64 },
}

/// Where a completed frame lies in the input it was decoded from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub(crate) header_len: usize,
    pub(crate) body_len: u64,
    /// Header and payload: the bytes to consume.
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
pub struct Decoder<F> {
    framing: F,
    limits: Limits,
    state: State,
    /// Stream offset of the first byte of the caller's next input.
    offset: u64,
    error: Option<Error>,
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
            state: State::Head,
            offset: 0,
            error: None,
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

    /// `true` at a frame boundary, with no partial header or body pending.
    pub fn is_idle(&self) -> bool {
        self.error.is_none() && self.state == State::Head
    }

    /// The sticky error, if the decoder has failed.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// Body bytes still due while streaming a body, `None` otherwise.
    pub fn body_remaining(&self) -> Option<u64> {
        match self.state {
            State::Body { remaining } => Some(remaining),
            _ => None,
        }
    }

    /// Accounts for up to `n` body bytes the caller took from the source
    /// itself (say, read straight into its own buffer) instead of through
    /// [`decode_event`](Decoder::decode_event). Returns how many were
    /// accounted for: at most [`body_remaining`](Decoder::body_remaining).
    pub fn skip_body(&mut self, n: u64) -> u64 {
        match &mut self.state {
            State::Body { remaining } => {
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
        self.state = State::Head;
        self.offset = 0;
        self.error = None;
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
            Status::Complete(span) => Status::Complete((self.frame_at(input, span), span.total)),
            Status::Partial(needed) => Status::Partial(needed),
        })
    }

    /// [`decode`](Decoder::decode) without the borrow: where the completed
    /// frame lies in `input`. Lets a buffer hand out a frame after deciding,
    /// with no borrow held, whether it has one.
    #[inline(always)]
    pub(crate) fn decode_span(&mut self, input: &[u8]) -> Result<Status<Span>, Error> {
        let (header_len, body_len, total) = match self.fast_header(input) {
            Some(Ok(lengths)) => lengths,
            Some(Err(e)) => return Err(e),
            None => match self.decode_general(input)? {
                Status::Complete(lengths) => lengths,
                Status::Partial(needed) => return Ok(Status::Partial(needed)),
            },
        };
        if input.len() < total {
            // Waiting for the rest is then one length comparison per call.
            self.state = State::Frame {
                header_len,
                body_len,
            };
            return Ok(Status::Partial(Needed::exact(total - input.len())));
        }
        self.state = State::Head;
        self.offset += total as u64;
        Ok(Status::Complete(Span {
            header_len,
            body_len,
            total,
        }))
    }

    /// The frame `span` locates in `input`, as returned by
    /// [`decode_span`](Decoder::decode_span) for the same bytes.
    #[inline(always)]
    pub(crate) fn frame_at<'a>(&self, input: &'a [u8], span: Span) -> Frame<'a, F::Header<'a>> {
        Frame {
            header: self
                .framing
                .header(&input[..span.header_len], span.body_len),
            payload: &input[span.header_len..span.total],
            raw: &input[..span.total],
        }
    }

    /// Steps over every whole frame at the front of `input` without
    /// building them, for counting or dropping frames in bulk: drop the
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
        let mut skipped = Skipped::default();
        let mut pos = 0usize;
        // Off once a header turns out to have a variable part (JSON), so
        // that its fixed part is not parsed twice per frame.
        let mut fixed_headers = true;
        loop {
            // Frames whose fixed part says it all, with the decoder's state
            // kept in locals: a header parse, a limit check and an add per
            // frame.
            if fixed_headers && self.state == State::Head && self.error.is_none() {
                let prefix_len = self.framing.prefix_len();
                let start = pos;
                while let Some(prefix) = input.get(pos..pos + prefix_len) {
                    let offset = self.offset + (pos - start) as u64;
                    let body_len = match self.framing.parse_prefix(prefix, offset, &self.limits) {
                        Ok(Head::Complete { body_len }) => body_len,
                        Ok(Head::NeedsRest { .. }) => {
                            fixed_headers = false;
                            break;
                        }
                        Err(_) => break,
                    };
                    let end = match usize::try_from(body_len)
                        .ok()
                        .and_then(|b| b.checked_add(pos + prefix_len))
                    {
                        Some(end) if body_len <= self.limits.max_frame && end <= input.len() => end,
                        _ => break,
                    };
                    skipped.add_frame(body_len, (end - pos) as u64);
                    pos = end;
                }
                self.offset += (pos - start) as u64;
            }
            // Anything else (a variable-length header, an incomplete or bad
            // frame, a state left by an earlier call) one frame at a time.
            match self.decode_span(&input[pos..]) {
                Ok(Status::Complete(span)) => {
                    skipped.add_frame(span.body_len, span.total as u64);
                    pos += span.total;
                }
                Ok(Status::Partial(_)) => break,
                Err(e) if skipped.frames == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(skipped)
    }

    /// The common case of [`decode`](Decoder::decode) and
    /// [`poll_frame`](Decoder::poll_frame), kept small so that it inlines
    /// into the caller's loop: no error, and the header parsed now (from
    /// state `Head`, which is kept) or by an earlier call (state `Frame`).
    /// Gives `Some(Ok((header_len, body_len, frame_len)))`, or `Some(Err)`
    /// for a bad header (made sticky). `None` leaves everything else (a
    /// partial header, a length over a limit, a body in progress, a failed
    /// decoder) to the general paths; parsing is pure, so they may parse the
    /// same header again.
    #[inline(always)]
    fn fast_header(&mut self, input: &[u8]) -> Option<Result<(usize, u64, usize), Error>> {
        // `Head` first, tested on its own: the common case costs one
        // comparison rather than a jump through a table of states.
        let (header_len, body_len) = if self.state == State::Head && self.error.is_none() {
            let prefix_len = self.framing.prefix_len();
            if input.len() < prefix_len {
                return None;
            }
            match self
                .framing
                .parse_prefix(&input[..prefix_len], self.offset, &self.limits)
            {
                Ok(Head::Complete { body_len }) => (prefix_len, body_len),
                Ok(Head::NeedsRest { header_len }) => {
                    self.state = State::HeadRest { header_len };
                    if input.len() < header_len {
                        return None;
                    }
                    match self
                        .framing
                        .parse_rest(&input[..header_len], self.offset, &self.limits)
                    {
                        Ok(body_len) => (header_len, body_len),
                        Err(e) => return Some(Err(self.fail(e))),
                    }
                }
                Err(e) => return Some(Err(self.fail(e))),
            }
        } else if let (
            State::Frame {
                header_len,
                body_len,
            },
            None,
        ) = (self.state, &self.error)
        {
            (header_len, body_len)
        } else {
            return None;
        };
        if body_len > self.limits.max_frame {
            return None;
        }
        let total = usize::try_from(body_len)
            .ok()
            .and_then(|b| b.checked_add(header_len))?;
        Some(Ok((header_len, body_len, total)))
    }

    /// Everything [`fast_header`](Decoder::fast_header) leaves out; kept
    /// out of line so that the fast path inlines into the caller's loop.
    /// `Complete((header_len, body_len, frame_len))` once the frame is whole.
    #[inline(never)]
    fn decode_general(&mut self, input: &[u8]) -> Result<Status<(usize, u64, usize)>, Error> {
        let (header_len, total) = match self.poll_frame_general(input)? {
            Status::Complete(lengths) => lengths,
            Status::Partial(needed) => return Ok(Status::Partial(needed)),
        };
        let State::Frame { body_len, .. } = self.state else {
            return Err(self.fail(Error::UnreadFrame {
                offset: self.offset,
            }));
        };
        Ok(Status::Complete((header_len, body_len, total)))
    }

    /// Advances over the header without completing the frame: `Complete`
    /// gives `(header_len, frame_len)` once `input` holds the whole frame.
    /// The next [`decode`](Decoder::decode) on the same bytes then completes
    /// it without parsing anything again.
    #[inline]
    pub fn poll_frame(&mut self, input: &[u8]) -> Result<Status<(usize, usize)>, Error> {
        match self.fast_header(input) {
            Some(Ok((header_len, body_len, total))) => {
                self.state = State::Frame {
                    header_len,
                    body_len,
                };
                if input.len() < total {
                    return Ok(Status::Partial(Needed::exact(total - input.len())));
                }
                Ok(Status::Complete((header_len, total)))
            }
            Some(Err(e)) => Err(e),
            None => self.poll_frame_general(input),
        }
    }

    /// [`poll_frame`](Decoder::poll_frame) for every state.
    #[inline(never)]
    fn poll_frame_general(&mut self, input: &[u8]) -> Result<Status<(usize, usize)>, Error> {
        self.check_failed()?;
        if let State::Body { remaining } = self.state {
            return Err(Error::BodyInProgress { remaining });
        }
        let (header_len, body_len) = match self.poll_header(input)? {
            Status::Complete(lengths) => lengths,
            Status::Partial(needed) => return Ok(Status::Partial(needed)),
        };
        let total = match usize::try_from(body_len)
            .ok()
            .and_then(|b| b.checked_add(header_len))
        {
            Some(total) => total,
            None => {
                return Err(self.fail(Error::FrameTooLong {
                    offset: self.offset,
                    length: body_len,
                    limit: usize::MAX as u64,
                }))
            }
        };
        if input.len() < total {
            return Ok(Status::Partial(Needed::exact(total - input.len())));
        }
        Ok(Status::Complete((header_len, total)))
    }

    /// Decodes the next streaming step from the front of `input`.
    ///
    /// Unlike [`decode`](Decoder::decode), bytes are consumed as they are
    /// reported: drop the first `n` bytes after every `Complete((event, n))`.
    /// A header is only reported once it is whole (until then nothing is
    /// consumed); a body comes as chunks of whatever is available.
    #[allow(clippy::type_complexity)] // The event and the count to consume.
    pub fn decode_event<'a>(
        &mut self,
        input: &'a [u8],
    ) -> Result<Status<(Event<'a, F::Header<'a>>, usize)>, Error> {
        self.check_failed()?;
        if let State::Body { remaining } = self.state {
            if remaining == 0 {
                self.state = State::Head;
                return Ok(Status::Complete((Event::End, 0)));
            }
            if input.is_empty() {
                return Ok(Status::Partial(Needed::exact(
                    usize::try_from(remaining).unwrap_or(usize::MAX),
                )));
            }
            let chunk = usize::try_from(remaining).map_or(input.len(), |r| r.min(input.len()));
            self.state = State::Body {
                remaining: remaining - chunk as u64,
            };
            self.offset += chunk as u64;
            return Ok(Status::Complete((Event::Body(&input[..chunk]), chunk)));
        }
        let (header_len, body_len) = match self.poll_header(input)? {
            Status::Complete(lengths) => lengths,
            Status::Partial(needed) => return Ok(Status::Partial(needed)),
        };
        let header = self.framing.header(&input[..header_len], body_len);
        self.state = State::Body {
            remaining: body_len,
        };
        self.offset += header_len as u64;
        Ok(Status::Complete((
            Event::Header { header, body_len },
            header_len,
        )))
    }

    /// Declares the end of the stream, with `rest` the bytes not consumed.
    ///
    /// `Ok` at a frame boundary; [`Error::UnexpectedEof`] with the number of
    /// missing bytes inside a frame. Drain complete frames first: if `rest`
    /// still holds one, this returns [`Error::UnreadFrame`].
    pub fn finish(&mut self, rest: &[u8]) -> Result<(), Error> {
        self.check_failed()?;
        let needed = match self.state {
            State::Body { remaining: 0 } => {
                // The body is complete; only its `End` was not asked for.
                self.state = State::Head;
                return self.finish(rest);
            }
            State::Body { remaining } => match remaining.checked_sub(rest.len() as u64) {
                Some(missing) if missing > 0 => {
                    Needed::exact(usize::try_from(missing).unwrap_or(usize::MAX))
                }
                _ => {
                    return Err(Error::UnreadFrame {
                        offset: self.offset,
                    })
                }
            },
            _ => match self.poll_frame(rest)? {
                Status::Partial(_) if rest.is_empty() && self.state == State::Head => return Ok(()),
                Status::Partial(needed) => needed,
                Status::Complete(_) => {
                    return Err(Error::UnreadFrame {
                        offset: self.offset,
                    })
                }
            },
        };
        Err(self.fail(Error::UnexpectedEof {
            offset: self.offset + rest.len() as u64,
            needed,
        }))
    }

    /// Runs the header states; `Complete((header_len, body_len))` once the
    /// header is parsed (the state is then `Frame`).
    fn poll_header(&mut self, input: &[u8]) -> Result<Status<(usize, u64)>, Error> {
        loop {
            match self.state {
                State::Head => {
                    let prefix_len = self.framing.prefix_len();
                    if input.len() < prefix_len {
                        if let Err(e) = self.framing.check_partial(input, self.offset) {
                            return Err(self.fail(e));
                        }
                        return Ok(Status::Partial(Needed::at_least(prefix_len - input.len())));
                    }
                    match self
                        .framing
                        .parse_prefix(&input[..prefix_len], self.offset, &self.limits)
                    {
                        Ok(Head::Complete { body_len }) => {
                            self.enter_frame(prefix_len, body_len)?
                        }
                        Ok(Head::NeedsRest { header_len }) => {
                            self.state = State::HeadRest { header_len }
                        }
                        Err(e) => return Err(self.fail(e)),
                    }
                }
                State::HeadRest { header_len } => {
                    if input.len() < header_len {
                        return Ok(Status::Partial(Needed::at_least(header_len - input.len())));
                    }
                    match self
                        .framing
                        .parse_rest(&input[..header_len], self.offset, &self.limits)
                    {
                        Ok(body_len) => self.enter_frame(header_len, body_len)?,
                        Err(e) => return Err(self.fail(e)),
                    }
                }
                State::Frame {
                    header_len,
                    body_len,
                } => return Ok(Status::Complete((header_len, body_len))),
                State::Body { remaining } => return Err(Error::BodyInProgress { remaining }),
            }
        }
    }

    fn enter_frame(&mut self, header_len: usize, body_len: u64) -> Result<(), Error> {
        if body_len > self.limits.max_frame {
            return Err(self.fail(Error::FrameTooLong {
                offset: self.offset,
                length: body_len,
                limit: self.limits.max_frame,
            }));
        }
        self.state = State::Frame {
            header_len,
            body_len,
        };
        Ok(())
    }

    fn check_failed(&self) -> Result<(), Error> {
        match &self.error {
            Some(e) => Err(e.clone()),
            None => Ok(()),
        }
    }

    #[cold]
    fn fail(&mut self, error: Error) -> Error {
        self.error = Some(error.clone());
        error
    }
}
