//! What the drivers share: the APIs, what each saw of a stream (a
//! [`Run`]), where a failure happened, and the [`Harness`] they are methods
//! of (the push-based APIs in `pushed.rs`, the readers in `read.rs`).

use std::fmt::{self, Debug};

use crate::{Decoder, Error, Frame, FrameBuffer, Framing, Limits, Skipped};

use super::options::Options;
use super::split::{Split, Step};

/// Every decoding API the harness drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Api {
    Decode,
    PollFrame,
    DecodeEvent,
    DecoderSkip,
    BufferNextFrame,
    BufferPollFrame,
    BufferNextEvent,
    BufferSkip,
    ReadFrame,
    ReadFrameOwned,
    FramesIter,
    ReadBody,
    CopyBody,
    DiscardBody,
    SkipFrame,
    SkipFrames,
    /// A `FrameReader` taking frames as `Options::takes` says, in turn.
    Takes,
}

impl Api {
    pub(crate) const PUSHED: [Api; 8] = [
        Api::Decode,
        Api::PollFrame,
        Api::DecodeEvent,
        Api::DecoderSkip,
        Api::BufferNextFrame,
        Api::BufferPollFrame,
        Api::BufferNextEvent,
        Api::BufferSkip,
    ];

    pub(crate) const READ: [Api; 8] = [
        Api::ReadFrame,
        Api::ReadFrameOwned,
        Api::FramesIter,
        Api::ReadBody,
        Api::CopyBody,
        Api::DiscardBody,
        Api::SkipFrame,
        Api::SkipFrames,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            Api::Decode => "Decoder::decode",
            Api::PollFrame => "Decoder::poll_frame then decode",
            Api::DecodeEvent => "Decoder::decode_event",
            Api::DecoderSkip => "Decoder::skip_frames",
            Api::BufferNextFrame => "FrameBuffer::push then next_frame",
            Api::BufferPollFrame => "FrameBuffer::unfilled/commit, poll_frame then next_frame",
            Api::BufferNextEvent => "FrameBuffer::next_event",
            Api::BufferSkip => "FrameBuffer::skip_frames",
            Api::ReadFrame => "FrameReader::read_frame",
            Api::ReadFrameOwned => "FrameReader::read_frame_owned",
            Api::FramesIter => "FrameReader::frames",
            Api::ReadBody => "FrameReader::read_header then read_body",
            Api::CopyBody => "FrameReader::read_header_owned then copy_body_to",
            Api::DiscardBody => "FrameReader::read_header then discard_body",
            Api::SkipFrame => "FrameReader::skip_frame",
            Api::SkipFrames => "FrameReader::skip_frames",
            Api::Takes => "FrameReader, frames taken in turn as Options::takes says",
        }
    }

    /// Whether the API streams bodies (bounded by `max_streamed_body`)
    /// rather than holding frames whole (bounded by `max_frame`).
    pub(crate) fn streams(self) -> bool {
        matches!(
            self,
            Api::DecodeEvent
                | Api::BufferNextEvent
                | Api::ReadBody
                | Api::CopyBody
                | Api::DiscardBody
        )
    }

    /// The read chunk a reader API runs with: small ones for some, so that
    /// frames span several reads and `read_body` reads straight into the
    /// caller's buffer.
    pub(crate) fn read_chunk(self) -> usize {
        match self {
            Api::ReadBody => 5,
            Api::ReadFrameOwned | Api::DiscardBody | Api::SkipFrame => 16,
            _ => crate::io::DEFAULT_READ_CHUNK,
        }
    }
}

/// What an API reported of one frame; `None` where the API does not say.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Seen<H> {
    pub(crate) header: Option<H>,
    pub(crate) payload: Option<Vec<u8>>,
    pub(crate) payload_len: u64,
    /// Header, payload and trailer: the frame's bytes on the wire.
    pub(crate) wire_len: Option<u64>,
    pub(crate) header_len: Option<usize>,
}

impl<H> Seen<H> {
    pub(crate) fn counted(payload_len: u64, wire_len: u64) -> Self {
        Seen {
            header: None,
            payload: None,
            payload_len,
            wire_len: Some(wire_len),
            header_len: None,
        }
    }
}

/// How the stream would end if it ended at some point.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EndHere {
    /// `end_stream` took the bytes left as a last frame.
    LastFrame,
    /// `end_stream` refused the bytes left as a last frame (the framing's
    /// `parse_last`: over the limit, say).
    LastFrameRefused(Error),
    /// `finish` said this.
    Ended(Result<(), Error>),
}

/// After a piece: bytes fed so far, frames delivered, and how the stream
/// would end there.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct StreamEnd {
    pub(crate) fed: usize,
    pub(crate) frames: u64,
    pub(crate) end: EndHere,
}

/// What one API saw.
#[derive(Debug, Clone)]
pub(crate) struct Run<H> {
    pub(crate) api: Api,
    pub(crate) frames: Vec<Seen<H>>,
    /// Totals, for the APIs that skip frames in batches (whose `frames` is
    /// empty).
    pub(crate) batches: Option<Skipped>,
    pub(crate) end: Result<(), Error>,
    /// For the push-based APIs, after every piece.
    pub(crate) stream_ends: Vec<StreamEnd>,
    /// Whether the last frame was the bytes left at the end of the stream,
    /// taken as a frame by `end_stream`.
    pub(crate) last_frame: bool,
    /// For `Api::Takes`: the batches skipped, each with the index of its
    /// first frame (a placeholder per frame in `frames`).
    pub(crate) skipped_at: Vec<(usize, Skipped)>,
    /// Bytes of the stream given to the API when it failed.
    pub(crate) failed_after: usize,
}

impl<H> Run<H> {
    pub(crate) fn new(api: Api) -> Self {
        let batches = matches!(api, Api::DecoderSkip | Api::BufferSkip | Api::SkipFrames)
            .then(Skipped::default);
        Run {
            api,
            frames: Vec::new(),
            batches,
            end: Ok(()),
            stream_ends: Vec::new(),
            last_frame: false,
            skipped_at: Vec::new(),
            failed_after: 0,
        }
    }

    /// Frames delivered or skipped so far: the index of the next one.
    pub(crate) fn count(&self) -> u64 {
        match &self.batches {
            Some(totals) => totals.frames,
            None => self.frames.len() as u64,
        }
    }
}

/// Where a failure happened, for its message.
pub(crate) struct Place<'a> {
    pub(crate) api: &'a str,
    pub(crate) split: &'a Split,
    pub(crate) limits: &'a Limits,
}

impl Place<'_> {
    /// The harness's deliberate panic: what went wrong, the API, the split
    /// and the frame, in one message that proptest and libFuzzer show whole.
    #[track_caller]
    pub(crate) fn fail(&self, frame: u64, what: fmt::Arguments<'_>) -> ! {
        panic!(
            "sockframe::testing: {what}\n  api: {}\n  split: {}\n  frame: {frame} (counting from 0)\n  limits: {:?}",
            self.api, self.split, self.limits
        )
    }
}

/// Whether two ends are the same refusal of a frame or header too long, at
/// the same offset under the same limit, their lengths aside: a framing
/// that scans for where a frame or its header ends knows only part of its
/// length when it refuses it, and how much depends on the bytes that had
/// arrived.
pub(crate) fn same_refusal(a: &Result<(), Error>, b: &Result<(), Error>) -> bool {
    match (a, b) {
        (
            Err(Error::FrameTooLong {
                offset,
                length,
                limit,
            }),
            Err(Error::FrameTooLong {
                offset: o,
                length: l,
                limit: m,
            }),
        )
        | (
            Err(Error::HeaderTooLong {
                offset,
                length,
                limit,
            }),
            Err(Error::HeaderTooLong {
                offset: o,
                length: l,
                limit: m,
            }),
        ) => (offset, limit) == (o, m) && length > limit && l > m,
        _ => a == b,
    }
}

/// Fails at `$place`, frame `$frame`, unless `$cond`.
macro_rules! ensure {
    ($place:expr, $frame:expr, $cond:expr, $($what:tt)+) => {
        if !$cond {
            $place.fail($frame, format_args!($($what)+));
        }
    };
}
pub(crate) use ensure;

/// A payload in a message: its length and first bytes (a large payload in
/// full would drown the message).
pub(crate) struct Brief<'a>(pub(crate) &'a [u8]);

impl Debug for Brief<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let shown = &self.0[..self.0.len().min(16)];
        let more = if shown.len() < self.0.len() { ".." } else { "" };
        write!(f, "{} bytes {:?}{more}", self.0.len(), shown)
    }
}

/// Where the payload lies in the frame's raw bytes: the header's length.
pub(crate) fn header_len_of<H>(frame: &Frame<'_, H>) -> Option<usize> {
    let at = (frame.payload().as_ptr() as usize).wrapping_sub(frame.raw().as_ptr() as usize);
    (at.checked_add(frame.payload().len())? <= frame.raw().len()).then_some(at)
}

/// With [`Options::sample_piece_ends`], the piece ends within this many
/// bytes of where a frame starts, its header ends or it ends are all kept.
const NEAR_EDGE: u64 = 32;

/// With [`Options::sample_piece_ends`], at most this many other piece ends
/// are kept, spread evenly.
const SPREAD_PIECE_ENDS: usize = 64;

/// A stream cut into pieces, for every API: the split they follow, and
/// its pieces, worked out once for the push-based APIs.
pub(crate) struct Cut<'s> {
    pub(crate) pieces: Vec<&'s [u8]>,
    pub(crate) split: Split,
}

/// The harness over one framing, limits and stream.
pub(crate) struct Harness<'a, F> {
    pub(crate) framing: &'a F,
    /// With `max_streamed_body` equal to `max_frame`, so that one expected
    /// outcome fits the whole-frame and the streaming APIs alike (unless
    /// `options.limits_apart`).
    pub(crate) limits: Limits,
    pub(crate) options: Options,
    pub(crate) stream: &'a [u8],
    /// The longest trailer seen, for the memory bound.
    pub(crate) largest_trailer: usize,
    /// Each frame's trailer, as far as the references yielded frames.
    pub(crate) trailers: Vec<u64>,
    /// The length on the wire of the stream's first frame, once known: a
    /// valid frame to offer a failed decoder.
    pub(crate) first_frame_len: Option<usize>,
    /// How many frames the references yielded: past them, whether a frame
    /// has a trailer is not known.
    pub(crate) frames_known: u64,
    /// The stream in one piece, for messages about the reference.
    pub(crate) whole: Split,
}

impl<'a, F> Harness<'a, F>
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    pub(crate) fn new(framing: &'a F, limits: Limits, stream: &'a [u8]) -> Self {
        Self::with_options(framing, limits, stream, Options::default())
    }

    pub(crate) fn with_options(
        framing: &'a F,
        limits: Limits,
        stream: &'a [u8],
        options: Options,
    ) -> Self {
        let limits = if options.limits_apart {
            limits
        } else {
            limits.max_streamed_body(limits.max_frame)
        };
        Harness {
            framing,
            limits,
            options,
            stream,
            largest_trailer: 0,
            trailers: Vec::new(),
            first_frame_len: None,
            frames_known: 0,
            whole: Split::whole(),
        }
    }

    pub(crate) fn decoder(&self) -> Decoder<F> {
        Decoder::with_limits(self.framing.clone(), self.limits)
    }

    pub(crate) fn place<'p>(&'p self, api: &'p str, split: &'p Split) -> Place<'p> {
        Place {
            api,
            split,
            limits: &self.limits,
        }
    }

    /// `api` over `stream` (this harness's, or a prefix of it) cut by
    /// `split`.
    pub(crate) fn run(&self, api: Api, stream: &[u8], split: &Split) -> Run<F::OwnedHeader> {
        if Api::PUSHED.contains(&api) {
            self.run_pushed(api, &split.pieces(stream), split)
        } else {
            self.run_reader(api, stream, split)
        }
    }

    /// `api` over this harness's stream cut as `cut` says.
    pub(crate) fn run_cut(&self, api: Api, cut: &Cut<'_>) -> Run<F::OwnedHeader> {
        if Api::PUSHED.contains(&api) {
            self.run_pushed(api, &cut.pieces, &cut.split)
        } else {
            self.run_reader(api, self.stream, &cut.split)
        }
    }

    /// The stream cut by `split`, for every API: as `split` says, or, with
    /// [`Options::sample_piece_ends`], with the piece ends deep inside long
    /// frames of `reference` sampled (see the option's docs).
    pub(crate) fn cut(&self, split: &Split, reference: &Run<F::OwnedHeader>) -> Cut<'a> {
        let pieces = split.pieces(self.stream);
        if !self.options.sample_piece_ends
            || pieces.len() <= SPREAD_PIECE_ENDS
            || !split.makes_progress()
        {
            return Cut {
                pieces,
                split: split.clone(),
            };
        }
        let every = pieces.len().div_ceil(SPREAD_PIECE_ENDS);
        let (mut fed, mut frame, mut start) = (0u64, 0, 0u64);
        let mut kept = Vec::with_capacity(pieces.len());
        for (i, piece) in pieces.iter().enumerate() {
            fed += piece.len() as u64;
            // The frame `fed` falls in (or starts): the first not over by
            // then.
            while let Some(seen) = reference.frames.get(frame) {
                let end = start + seen.wire_len.unwrap_or(0);
                if end > fed {
                    break;
                }
                start = end;
                frame += 1;
            }
            let near = match reference.frames.get(frame) {
                Some(seen) => {
                    let header = seen.header_len.unwrap_or(0) as u64;
                    let end = start + seen.wire_len.unwrap_or(0);
                    fed - start <= header + NEAR_EDGE || end - fed <= NEAR_EDGE
                }
                None => fed - start <= NEAR_EDGE,
            };
            kept.push(near || i % every == 0 || i + 1 == pieces.len());
        }
        if kept.iter().all(|&k| k) {
            return Cut {
                pieces,
                split: split.clone(),
            };
        }
        // The split's steps, in the order `pieces` took them (a failing
        // read is an empty piece), each with its piece.
        let steps = split.steps().iter().cycle().take(pieces.len());
        let mut sampled = Vec::new();
        let mut merged = 0;
        for ((&step, piece), keep) in steps.zip(&pieces).zip(kept) {
            if !keep {
                // Its bytes go with the next piece kept; a failing read or
                // an empty piece here is dropped.
                merged += piece.len();
                continue;
            }
            match step {
                Step::Bytes(_) => sampled.push(Step::Bytes(merged + piece.len())),
                failing => {
                    if merged > 0 {
                        sampled.push(Step::Bytes(merged));
                    }
                    sampled.push(failing);
                }
            }
            merged = 0;
        }
        let split = Split::from_steps(sampled);
        Cut {
            pieces: split.pieces(self.stream),
            split,
        }
    }

    /// Whether `run` ended as `want` says: the same end, or the same
    /// refusal of a frame or header too long with another length, if that
    /// length is what `Decoder::decode` says of the bytes the API had been
    /// given when it failed, in one piece (an error depends on the bytes
    /// that arrived, not on how they were cut).
    pub(crate) fn ends_as(&self, run: &Run<F::OwnedHeader>, want: &Result<(), Error>) -> bool {
        run.end == *want
            || (same_refusal(&run.end, want)
                && run.failed_after <= self.stream.len()
                && run.end
                    == self
                        .run(
                            Api::Decode,
                            &self.stream[..run.failed_after],
                            &Split::whole(),
                        )
                        .end)
    }

    /// Whether frame `index` may still have a trailer to come once its body
    /// is read: some frame of the stream has one, or frame `index` is past
    /// those the references yielded.
    pub(crate) fn may_have_trailer(&self, index: u64) -> bool {
        self.largest_trailer > 0 || index >= self.frames_known
    }

    /// Checks a frame handed out whole and copies it out.
    pub(crate) fn seen_whole(
        &self,
        place: &Place<'_>,
        index: u64,
        frame: &Frame<'_, F::Header<'_>>,
    ) -> Seen<F::OwnedHeader> {
        let raw = frame.raw();
        ensure!(
            place,
            index,
            !raw.is_empty(),
            "a frame of zero bytes on the wire (the stream would yield it forever)"
        );
        let header_len = header_len_of(frame);
        let Some(header_len) = header_len else {
            place.fail(
                index,
                format_args!("the payload is not within the frame's raw bytes"),
            )
        };
        let max_header_len = self.framing.max_header_len(&self.limits);
        ensure!(
            place,
            index,
            header_len <= max_header_len,
            "a {header_len}-byte header was accepted, over the framing's max_header_len of \
             {max_header_len}: whether it is refused would depend on the split"
        );
        let payload_len = frame.payload().len() as u64;
        ensure!(
            place,
            index,
            payload_len <= self.limits.max_frame,
            "a {payload_len}-byte payload was handed out, over the {}-byte limit",
            self.limits.max_frame
        );
        let owned = frame.to_owned();
        Seen {
            header: Some(owned.header),
            payload: Some(owned.payload),
            payload_len,
            wire_len: Some(raw.len() as u64),
            header_len: Some(header_len),
        }
    }

    /// A failed decoder keeps failing the same way, whatever it is asked.
    pub(crate) fn check_decoder_sticky(
        &self,
        place: &Place<'_>,
        index: u64,
        decoder: &mut Decoder<F>,
        input: &[u8],
        error: &Error,
    ) {
        ensure!(
            place,
            index,
            decoder.error() == Some(error),
            "Decoder::error() is {:?} after {error:?}",
            decoder.error()
        );
        ensure!(
            place,
            index,
            !decoder.is_idle(),
            "Decoder::is_idle() says true after {error:?}"
        );
        let again = [
            ("decode", decoder.decode(input).err()),
            ("poll_frame", decoder.poll_frame(input).err()),
            ("decode_event", decoder.decode_event(input).err()),
            ("skip_frames", decoder.skip_frames(input).err()),
            ("finish", decoder.finish(input).err()),
            ("decode of nothing", decoder.decode(&[]).err()),
        ];
        for (call, got) in again {
            ensure!(
                place,
                index,
                got.as_ref() == Some(error),
                "the error is not sticky: after {error:?}, {call} returned {got:?}"
            );
        }
    }

    /// A failed buffer keeps failing the same way.
    pub(crate) fn check_buffer_sticky(
        &self,
        place: &Place<'_>,
        index: u64,
        buffer: &mut FrameBuffer<F>,
        error: &Error,
    ) {
        let mut decoder = buffer.decoder().clone();
        let rest = buffer.buffered().to_vec();
        self.check_decoder_sticky(place, index, &mut decoder, &rest, error);
        let again = [
            ("poll_frame", buffer.poll_frame().err()),
            ("next_frame", buffer.next_frame().err()),
            ("next_event", buffer.next_event().err()),
            ("skip_frames", buffer.skip_frames().err()),
            ("finish", buffer.finish().err()),
        ];
        for (call, got) in again {
            ensure!(
                place,
                index,
                got.as_ref() == Some(error),
                "the error is not sticky: after {error:?}, FrameBuffer::{call} returned {got:?}"
            );
        }
        // Bytes that make no frame, then the stream's first frame again:
        // neither gets past the error.
        buffer.push(&[0; 8]);
        let got = buffer.next_frame().err();
        ensure!(
            place,
            index,
            got.as_ref() == Some(error),
            "the error is not sticky: after {error:?} and more bytes, next_frame returned {got:?}"
        );
        if let Some(first) = self.first_frame_len.filter(|&n| n <= self.stream.len()) {
            let mut fresh = FrameBuffer::new(buffer.decoder().clone());
            fresh.push(&self.stream[..first]);
            let got = fresh.next_frame().err();
            ensure!(
                place,
                index,
                got.as_ref() == Some(error),
                "the error is not sticky: after {error:?}, the stream's first frame pushed \
                 again made next_frame return {got:?}"
            );
        }
    }

    /// An error names a place within the bytes given.
    pub(crate) fn check_error_offset(
        &self,
        place: &Place<'_>,
        index: u64,
        error: &Error,
        fed: usize,
    ) {
        if let Some(offset) = error.offset() {
            ensure!(
                place,
                index,
                offset <= fed as u64,
                "{error:?} names offset {offset}, past the {fed} bytes given"
            );
        }
    }
}
