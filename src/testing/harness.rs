//! The harness's entry points: a framing's frames through every decoding
//! API, compared with one another and with what the caller expects.

use std::fmt::Debug;

use crate::io::udp::{DatagramError, DatagramFramer};
use crate::{Encode, Error, Framing, Limits, OwnedFrame, Skipped};

use super::drivers::{
    ensure, same_refusal, Api, Brief, EndHere, Harness, Place, Run, Seen, StreamEnd,
};
use super::options::Options;
use super::split::Split;

/// Bytes appended after a valid stream to see that the frames before them
/// are all delivered, whatever they make of them.
const JUNK: [u8; 8] = [0xFF; 8];

/// How many strict prefixes the readers are run over (the push-based APIs
/// are asked after every piece).
const READER_PREFIXES: usize = 8;

/// Proves that `payloads`, encoded by `framing` and cut as `split` says,
/// come out of every decoding API as they went in, and that the framing
/// keeps its promises on the way. Panics, naming the API, the split and the
/// frame, on the first broken one.
///
/// Payloads the header cannot describe are left out, once the encoder has
/// refused them properly ([`Error::PayloadTooLong`] naming their length, or
/// [`Error::cannot_encode`]). The stream of the others is then checked
/// under the tightest limits that let them through (`max_frame` = the
/// longest payload), with [`check_stream`]'s checks, and:
///
/// - each frame's bytes are what [`Encode`] wrote: consumed counts add up;
/// - under a limit one byte below the longest payload, the frames before
///   the first such payload are delivered, then it is refused with
///   [`Error::FrameTooLong`] at its offset, and refused before its last
///   byte arrives (a limit checked only once the frame was buffered fails
///   here);
/// - followed by junk bytes, the stream still yields every frame before
///   the junk, whatever the junk makes.
///
/// ```
/// use sockframe::testing::{check_roundtrip, Split};
/// use sockframe::Binary;
///
/// let payloads = [&b"hello"[..], b"", b"world"];
/// check_roundtrip(&Binary::default(), &payloads, &Split::bytewise());
/// check_roundtrip(&Binary::default(), &payloads, &Split::at(&[3, 9]));
/// ```
pub fn check_roundtrip<F, P>(framing: &F, payloads: &[P], split: &Split)
where
    F: Framing + Encode + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
    P: AsRef<[u8]>,
{
    roundtrip_with(framing, payloads, split, &Options::default());
}

/// [`check_roundtrip`] with `options` (those that keep one expected
/// outcome for every API: [`Options::sample_piece_ends`], the read chunk).
pub(crate) fn roundtrip_with<F, P>(framing: &F, payloads: &[P], split: &Split, options: &Options)
where
    F: Framing + Encode + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
    P: AsRef<[u8]>,
{
    let options = Options {
        limits_apart: false,
        takes: Vec::new(),
        ..options.clone()
    };
    let sent = encode_all(framing, payloads, split);
    let stream: Vec<u8> = sent.iter().flat_map(|s| s.wire.iter().copied()).collect();
    let longest = sent.iter().map(|s| s.payload.len()).max().unwrap_or(0);
    let limits = Limits::new().max_frame(longest as u64);

    // Every frame through every API.
    let mut harness = Harness::with_options(framing, limits, &stream, options.clone());
    let reference = harness.reference();
    let place = harness.reference_place();
    expect_frames(&place, &reference, &sent);
    for (i, (seen, sent)) in reference.frames.iter().zip(&sent).enumerate() {
        ensure!(
            place,
            i as u64,
            seen.wire_len == Some(sent.wire.len() as u64),
            "a {}-byte frame on the wire was decoded from {:?} bytes",
            sent.wire.len(),
            seen.wire_len
        );
    }
    expect_end(&place, &reference, sent.len(), &Ok(()));
    harness.check_every_api(&reference, split);

    // One byte under the longest payload.
    if longest > 0 {
        check_over_limit(framing, &stream, &sent, longest, split, &options);
    }

    // Followed by junk: the frames before it all delivered.
    let junked = [&stream[..], &JUNK].concat();
    let mut harness = Harness::with_options(framing, limits, &junked, options);
    let reference = harness.reference();
    expect_frames(&harness.reference_place(), &reference, &sent);
    harness.check_every_api(&reference, split);
}

/// A payload and the frame that carries it.
struct Sent<'p> {
    payload: &'p [u8],
    wire: Vec<u8>,
}

/// Encodes the payloads the header can describe, after checking that the
/// encoder refuses the others properly and writes the same bytes however
/// asked.
fn encode_all<'p, F, P>(framing: &F, payloads: &'p [P], split: &Split) -> Vec<Sent<'p>>
where
    F: Encode,
    P: AsRef<[u8]>,
{
    let limits = Limits::new();
    let place = Place {
        api: "Encode::encode_to_vec",
        split,
        limits: &limits,
    };
    let mut sent = Vec::with_capacity(payloads.len());
    for (i, payload) in payloads.iter().enumerate() {
        let payload = payload.as_ref();
        let i = i as u64;
        let wire = match framing.encode_to_vec(payload) {
            Ok(wire) => wire,
            Err(Error::PayloadTooLong { length, max }) => {
                ensure!(
                    place,
                    i,
                    length == payload.len() as u64 && max < length,
                    "a {}-byte payload refused as PayloadTooLong {{ length: {length}, max: {max} }}",
                    payload.len()
                );
                continue;
            }
            Err(Error::CannotEncode { .. }) => continue,
            Err(other) => place.fail(
                i,
                format_args!(
                    "a {}-byte payload refused with {other:?}, not PayloadTooLong or CannotEncode",
                    payload.len()
                ),
            ),
        };
        // A framing that needs the payload to write its header may refuse
        // `encode_header` alone; one that writes it must write what
        // `encode_to_vec` wrote.
        match framing.encode_header(payload.len()) {
            Ok(header) => {
                let parts = [header.as_ref(), payload, framing.trailer()].concat();
                ensure!(
                    place,
                    i,
                    parts == wire,
                    "encode_to_vec wrote {:?}, not the header, payload and trailer {:?}",
                    Brief(&wire),
                    Brief(&parts)
                );
            }
            Err(Error::CannotEncode { .. }) => {}
            Err(other) => place.fail(
                i,
                format_args!(
                    "encode_to_vec took a {}-byte payload, encode_header refused it with \
                     {other:?}",
                    payload.len()
                ),
            ),
        }
        sent.push(Sent { payload, wire });
    }
    sent
}

/// Under a limit one byte below the longest payload: the frames before the
/// first such payload delivered, then that frame refused with
/// `FrameTooLong` at its offset, before its last byte arrives.
fn check_over_limit<F>(
    framing: &F,
    stream: &[u8],
    sent: &[Sent<'_>],
    longest: usize,
    split: &Split,
    options: &Options,
) where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    let Some(over) = sent.iter().position(|s| s.payload.len() == longest) else {
        return;
    };
    let limit = longest as u64 - 1;
    let at: usize = sent[..over].iter().map(|s| s.wire.len()).sum();
    let limits = Limits::new().max_frame(limit);
    let mut harness = Harness::with_options(framing, limits, stream, options.clone());
    let reference = harness.reference();
    let place = harness.reference_place();
    expect_frames(&place, &reference, &sent[..over]);
    let refused = matches!(
        reference.end,
        Err(Error::FrameTooLong { offset, length, limit: l })
            if offset == at as u64 && l == limit && length > limit
    );
    ensure!(
        place,
        over as u64,
        refused && reference.count() == over as u64,
        "a {longest}-byte payload over a limit of {limit}: expected FrameTooLong at offset \
         {at} after {over} frames; got {:?} after {} frames",
        reference.end,
        reference.count()
    );
    let frame_end = at + sent[over].wire.len();
    let cut = harness.end_of_prefix(frame_end - 1);
    ensure!(
        place,
        over as u64,
        same_refusal(&cut, &reference.end),
        "a frame over the limit is refused only once it is whole (the limit is checked after \
         the frame was buffered): cut one byte short, the stream ends with {cut:?}"
    );
    harness.check_every_api(&reference, split);
}

/// The first frames of `reference` are the `sent` payloads.
fn expect_frames<H>(place: &Place<'_>, reference: &Run<H>, sent: &[Sent<'_>]) {
    for (i, sent) in sent.iter().enumerate() {
        let got = reference.frames.get(i).and_then(|s| s.payload.as_deref());
        ensure!(
            place,
            i as u64,
            got == Some(sent.payload),
            "frame {i}, payload {:?}, was not delivered: got {:?}, then {} frames in all and {:?}",
            Brief(sent.payload),
            got.map(Brief),
            reference.frames.len(),
            reference.end
        );
    }
}

/// `reference` ends as `end` says after `frames` frames.
fn expect_end<H>(place: &Place<'_>, reference: &Run<H>, frames: usize, end: &Result<(), Error>) {
    ensure!(
        place,
        reference.count(),
        reference.count() == frames as u64 && reference.end == *end,
        "expected {frames} frames then {end:?}; got {} frames then {:?}",
        reference.count(),
        reference.end
    );
}

/// Proves that `stream`, cut as `split` says, yields `expected` through
/// every decoding API, then ends as `expected_end` says: `Ok(())` at a
/// frame boundary, or the error every API must report, sticky, after every
/// frame before it. Panics, naming the API, the split and the frame, on the
/// first broken promise.
///
/// Every API runs under `limits`, with
/// [`max_streamed_body`](Limits::max_streamed_body) set to
/// [`max_frame`](Limits::max_frame) so that one expected outcome fits the
/// APIs that hold frames and those that stream them. On the way it checks
/// what [`check_apis_agree`] checks.
///
/// ```
/// use sockframe::testing::{check_stream, Split};
/// use sockframe::{Ascii, Error, Limits, Needed, OwnedFrame};
///
/// let frames = [OwnedFrame { header: (), payload: b"hi".to_vec() }];
/// let cut_short = Err(Error::UnexpectedEof { offset: 11, needed: Needed::exact(1) });
/// for split in [Split::whole(), Split::bytewise(), Split::at(&[5])] {
///     check_stream(&Ascii::new(), Limits::new(), b"0002hi0002x", &frames, cut_short.clone(), &split);
/// }
/// ```
pub fn check_stream<F>(
    framing: &F,
    limits: Limits,
    stream: &[u8],
    expected: &[OwnedFrame<F::OwnedHeader>],
    expected_end: Result<(), Error>,
    split: &Split,
) where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    let mut harness = Harness::new(framing, limits, stream);
    let reference = harness.reference();
    let place = harness.reference_place();
    {
        for (i, want) in expected.iter().enumerate() {
            let Some(seen) = reference.frames.get(i) else {
                place.fail(
                    i as u64,
                    format_args!(
                        "expected {} frames then {expected_end:?}; got {} frames then {:?}",
                        expected.len(),
                        reference.frames.len(),
                        reference.end
                    ),
                )
            };
            ensure!(
                place,
                i as u64,
                seen.header.as_ref() == Some(&want.header)
                    && seen.payload.as_deref() == Some(&want.payload[..]),
                "got {:?}, {:?}; want {:?}, {:?}",
                seen.header,
                seen.payload.as_deref().map(Brief),
                want.header,
                Brief(&want.payload)
            );
        }
        expect_end(&place, &reference, expected.len(), &expected_end);
    }
    harness.check_every_api(&reference, split);
}

/// Runs any bytes through every decoding API cut as `split` says, and
/// proves they agree: every API yields the frames
/// [`Decoder::decode`](crate::Decoder::decode) yields over the whole stream
/// at once, and ends the same way. Returns those frames and that end.
/// Use it for a stream whose outcome you do not know (fuzzer input, junk);
/// [`check_stream`] when you do.
/// Panics, naming the API, the split and the frame, on the first broken
/// promise.
///
/// On the way, every call's own promises: frames are delivered as soon as
/// their last byte arrives; consumed counts and offsets add up; a
/// `Partial` that says exactly how many bytes are missing is right, and
/// one that says "at least n" does not see the length known sooner; a
/// `Partial` from `decode`, `poll_frame` or `next_frame` says what
/// `finish` would say were the stream to end there;
/// wherever the stream could end, it ends at a frame boundary or with
/// [`Error::UnexpectedEof`] at that offset, the exact count right; errors
/// are sticky, in every API (a failed decoder is not idle, and refuses
/// even the stream's first frame offered again), and name an offset within
/// the bytes given; a
/// `FrameBuffer`'s and a `FrameReader`'s memory stays within `max_frame +
/// max_header_len` plus the frame's trailer and the largest piece or read
/// chunk, and grows with bytes that arrived, never with a length announced;
/// no payload over `max_frame` and no header over the framing's
/// `max_header_len` is handed out; each frame alone is a datagram that
/// `DatagramFramer` takes, cut short or padded one that it refuses. And
/// what a `Decoder` says when it is misused (asked on a copy, so the runs
/// go on): `finish` with a whole frame at hand not taken is
/// [`Error::UnreadFrame`] at its offset, and `end_stream` there declines or
/// hands out that frame next; in the middle of a streamed body,
/// `decode` and `poll_frame` refuse with [`Error::BodyInProgress`] and the
/// bytes due, `finish` says the frame is unread if its rest is at hand and
/// the exact count missing if not, and, the body read but its `End` not
/// taken, what it says once the `End` is taken; given fewer bytes than
/// before (none), `decode`, `decode_event` and `end_stream` answer, fail as
/// they would with the bytes, or refuse with [`Error::InputShrank`], which
/// does not fail the decoder.
///
/// `max_streamed_body` is set to `max_frame`, as in [`check_stream`]; to
/// keep them apart, to choose the readers' read chunk or to mix the ways
/// of reading in one stream, see [`check_apis_agree_with`].
///
/// ```
/// use sockframe::testing::{check_apis_agree, Split};
/// use sockframe::{Ascii, Limits};
///
/// let decoded = check_apis_agree(&Ascii::new(), Limits::new(), b"0001x00z", &Split::bytewise());
/// assert_eq!((decoded.frames.len(), decoded.end.is_err()), (1, true));
/// assert_eq!(decoded.wire_lens, [5]);
/// ```
pub fn check_apis_agree<F>(
    framing: &F,
    limits: Limits,
    stream: &[u8],
    split: &Split,
) -> Decoded<F::OwnedHeader>
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    check_apis_agree_with(framing, limits, stream, split, &Options::default()).whole
}

/// [`check_apis_agree`], and what `options` adds: `max_streamed_body`
/// kept apart from `max_frame` (the streaming APIs then checked against
/// [`Decoder::decode_event`](crate::Decoder::decode_event) over the whole
/// stream), the readers' read chunk, one more `FrameReader` run taking
/// frames in turn in several ways. Returns what the APIs that hold frames
/// whole yielded and what those that stream bodies yielded (the same,
/// unless the limits are apart).
///
/// A frame taken in [`Options::takes`] by `read_body` or `copy_body_to`
/// is checked on the way: `body_remaining` counts down with every chunk
/// read, and through a `WouldBlock` in the middle of a copy, and reaches
/// `None` once the body is read unless a trailer is still to come.
///
/// ```
/// use sockframe::testing::{check_apis_agree_with, Options, Split, Take};
/// use sockframe::{Binary, Encode, Limits};
///
/// let framing = Binary::default();
/// let stream = [framing.encode_to_vec(b"hi")?, framing.encode_to_vec(b"!")?].concat();
/// let options = Options { takes: vec![Take::Copy(1), Take::Skip], ..Options::default() };
/// let decoded = check_apis_agree_with(&framing, Limits::new(), &stream, &Split::bytewise(), &options);
/// assert_eq!(decoded.whole.frames.len(), 2);
/// # Ok::<(), sockframe::Error>(())
/// ```
pub fn check_apis_agree_with<F>(
    framing: &F,
    limits: Limits,
    stream: &[u8],
    split: &Split,
    options: &Options,
) -> Agreed<F::OwnedHeader>
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    let mut harness = Harness::with_options(framing, limits, stream, options.clone());
    let reference = harness.reference();
    let streamed = harness.streamed_reference();
    let runs = harness.check_every_api_apart(&reference, streamed.as_ref(), split);
    let whole = decoded_of(reference, runs.0);
    let streamed = match (streamed, runs.1) {
        (Some(streamed), Some(run)) => decoded_of(streamed, run),
        _ => whole.clone(),
    };
    Agreed { whole, streamed }
}

/// What a reference run says the stream holds, with where the stream could
/// have ended after each piece of `split_run` (the same API under the
/// split).
fn decoded_of<H: Clone>(reference: Run<H>, split_run: Run<H>) -> Decoded<H> {
    let mut frames = Vec::with_capacity(reference.frames.len());
    let mut wire_lens = Vec::with_capacity(reference.frames.len());
    for seen in reference.frames {
        if let (Some(header), Some(payload)) = (seen.header, seen.payload) {
            frames.push(OwnedFrame { header, payload });
            wire_lens.push(seen.wire_len.unwrap_or(0));
        }
    }
    let piece_ends = split_run
        .stream_ends
        .into_iter()
        .map(|stream_end| {
            let (frames, end) = match stream_end.end {
                EndHere::LastFrame => (stream_end.frames + 1, Ok(())),
                EndHere::LastFrameRefused(error) => (stream_end.frames, Err(error)),
                EndHere::Ended(end) => (stream_end.frames, end),
            };
            PieceEnd {
                fed: stream_end.fed,
                frames,
                end,
            }
        })
        .collect();
    Decoded {
        frames,
        wire_lens,
        end: reference.end,
        piece_ends,
    }
}

/// Each frame's trailer: its bytes on the wire after its header and
/// payload.
fn trailers_of<H>(run: &Run<H>) -> Vec<u64> {
    run.frames
        .iter()
        .map(|seen| {
            let inside = seen.header_len.unwrap_or(0) as u64 + seen.payload_len;
            seen.wire_len.unwrap_or(0).saturating_sub(inside)
        })
        .collect()
}

/// What [`check_apis_agree`] found the stream holds: what every API
/// yielded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded<H = ()> {
    /// The frames, in order.
    pub frames: Vec<OwnedFrame<H>>,
    /// Each frame's length on the wire (header, payload and trailer), in
    /// order.
    pub wire_lens: Vec<u64>,
    /// How the stream ended: `Ok(())` at a frame boundary, or the error.
    pub end: Result<(), Error>,
    /// Where the stream could have ended, after each piece of the split
    /// (up to the piece where an error came): what a model of the framing
    /// can be held to at every point a peer could stop, the exact count of
    /// missing bytes included.
    pub piece_ends: Vec<PieceEnd>,
}

/// How a stream would have ended after one piece of a split: what
/// `end_stream` and then `finish` said there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PieceEnd {
    /// Bytes of the stream given so far.
    pub fed: usize,
    /// Frames delivered by then, with a last frame `end_stream` would take
    /// from the bytes left.
    pub frames: u64,
    /// `Ok(())` at a frame boundary (or after such a last frame), else the
    /// error: [`Error::UnexpectedEof`] with the count missing, or the
    /// framing's refusal of the bytes left.
    pub end: Result<(), Error>,
}

/// What [`check_apis_agree_with`] found: what the APIs that hold frames
/// whole yielded, and what those that stream bodies yielded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Agreed<H = ()> {
    /// `Decoder::decode` over the whole stream, and every API that holds
    /// frames whole under the split.
    pub whole: Decoded<H>,
    /// `Decoder::decode_event` over the whole stream, and every API that
    /// streams bodies under the split: the same as `whole` unless
    /// [`Options::limits_apart`].
    pub streamed: Decoded<H>,
}

impl<F> Harness<'_, F>
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    /// `Decoder::decode` over the whole stream at once: what every other
    /// API is compared with.
    pub(crate) fn reference(&mut self) -> Run<F::OwnedHeader> {
        let reference = self.run(Api::Decode, self.stream, &Split::whole());
        self.trailers = trailers_of(&reference);
        self.largest_trailer = self.trailers.iter().copied().max().unwrap_or(0) as usize;
        self.first_frame_len = reference
            .frames
            .first()
            .and_then(|seen| seen.wire_len)
            .map(|len| len as usize);
        self.frames_known = reference.frames.len() as u64;
        reference
    }

    /// With the limits apart, `Decoder::decode_event` over the whole
    /// stream: what the streaming APIs are compared with.
    pub(crate) fn streamed_reference(&mut self) -> Option<Run<F::OwnedHeader>> {
        if !self.options.limits_apart {
            return None;
        }
        let reference = self.run(Api::DecodeEvent, self.stream, &Split::whole());
        let trailers = trailers_of(&reference);
        let largest = trailers.iter().copied().max().unwrap_or(0) as usize;
        self.largest_trailer = self.largest_trailer.max(largest);
        if trailers.len() > self.trailers.len() {
            self.trailers = trailers;
        }
        self.frames_known = self.frames_known.max(reference.frames.len() as u64);
        if self.first_frame_len.is_none() {
            self.first_frame_len = reference
                .frames
                .first()
                .and_then(|seen| seen.wire_len)
                .map(|len| len as usize);
        }
        Some(reference)
    }

    /// Where a failure of the reference is reported.
    pub(crate) fn reference_place(&self) -> Place<'_> {
        Place {
            api: "Decoder::decode over the whole stream at once",
            split: &self.whole,
            limits: &self.limits,
        }
    }

    /// How the stream's first `len` bytes end through `Decoder::decode`.
    pub(crate) fn end_of_prefix(&self, len: usize) -> Result<(), Error> {
        self.run(Api::Decode, &self.stream[..len], &Split::whole())
            .end
    }

    /// Every API under `split`, compared with `reference`.
    pub(crate) fn check_every_api(&self, reference: &Run<F::OwnedHeader>, split: &Split) {
        self.check_every_api_apart(reference, None, split);
    }

    /// Every API under `split`: those that hold frames whole compared with
    /// `reference`, those that stream bodies with `streamed` if the limits
    /// are apart (else with `reference` too). Returns `Decoder::decode`'s
    /// run under the split, and `Decoder::decode_event`'s if the limits are
    /// apart.
    pub(crate) fn check_every_api_apart(
        &self,
        reference: &Run<F::OwnedHeader>,
        streamed: Option<&Run<F::OwnedHeader>>,
        split: &Split,
    ) -> (Run<F::OwnedHeader>, Option<Run<F::OwnedHeader>>) {
        // The pieces, worked out once for every API (as the split says, or
        // sampled around the frames the whole stream yields).
        let frames = match streamed {
            Some(streamed) if streamed.frames.len() > reference.frames.len() => streamed,
            _ => reference,
        };
        let cut = self.cut(split, frames);
        // From here on, the split every API follows (sampled, or as given).
        let split = &cut.split;
        let decoded = self.run_cut(Api::Decode, &cut);
        self.compare(&decoded, reference, split);
        self.check_stream_ends(&decoded, reference, split);
        let events = streamed.map(|streamed| {
            let events = self.run_cut(Api::DecodeEvent, &cut);
            self.compare(&events, streamed, split);
            self.check_stream_ends(&events, streamed, split);
            (events, streamed)
        });
        let family = |api: Api| match &events {
            Some((events, streamed)) if api.streams() => (*streamed, events),
            _ => (reference, &decoded),
        };
        for api in Api::PUSHED.into_iter().skip(1) {
            if events.is_some() && api == Api::DecodeEvent {
                continue;
            }
            let (want, base) = family(api);
            let run = self.run_cut(api, &cut);
            self.compare(&run, want, split);
            self.compare_stream_ends(&run, base, split);
        }
        for api in Api::READ {
            // Their limit depends on the read chunk.
            if events.is_some() && matches!(api, Api::SkipFrame | Api::SkipFrames) {
                continue;
            }
            let run = self.run_cut(api, &cut);
            self.compare(&run, family(api).0, split);
        }
        if !self.options.takes.is_empty() && events.is_none() {
            let mut run = self.run_cut(Api::Takes, &cut);
            self.fill_skipped(&mut run, reference, split);
            self.compare(&run, reference, split);
        }
        self.check_reader_prefixes(&decoded, reference, split);
        self.check_datagrams(reference);
        (decoded, events.map(|(events, _)| events))
    }

    /// The batches a `Takes` run skipped hold the reference's frames at
    /// their place: their totals checked, their placeholders then filled
    /// with what a skip tells of each frame.
    fn fill_skipped(
        &self,
        run: &mut Run<F::OwnedHeader>,
        reference: &Run<F::OwnedHeader>,
        split: &Split,
    ) {
        let place = Place {
            api: run.api.name(),
            split,
            limits: &self.limits,
        };
        for &(start, batch) in &run.skipped_at {
            let count = batch.frames as usize;
            let frames = reference.frames.get(start..start + count);
            let mut want = Skipped::default();
            for seen in frames.unwrap_or_default() {
                want.frames += 1;
                want.payload_bytes += seen.payload_len;
                want.stream_bytes += seen.wire_len.unwrap_or(0);
            }
            ensure!(
                place,
                start as u64,
                frames.is_some() && batch == want,
                "skip_frames skipped {batch:?} from frame {start}; Decoder::decode over the \
                 whole stream saw {want:?} there"
            );
            for (slot, seen) in run.frames[start..start + count]
                .iter_mut()
                .zip(frames.unwrap_or_default())
            {
                *slot = Seen::counted(seen.payload_len, seen.wire_len.unwrap_or(0));
            }
        }
    }

    /// `run` saw what `reference` saw, as far as its API tells.
    fn compare(&self, run: &Run<F::OwnedHeader>, reference: &Run<F::OwnedHeader>, split: &Split) {
        let place = Place {
            api: run.api.name(),
            split,
            limits: &self.limits,
        };
        if let Some(got) = &run.batches {
            let mut want = Skipped::default();
            for seen in &reference.frames {
                want.frames += 1;
                want.payload_bytes += seen.payload_len;
                want.stream_bytes += seen.wire_len.unwrap_or(0);
            }
            ensure!(
                place,
                got.frames.min(want.frames),
                *got == want,
                "skipped {got:?}; Decoder::decode over the whole stream saw {want:?}"
            );
        } else {
            for (i, (got, want)) in run.frames.iter().zip(&reference.frames).enumerate() {
                ensure!(
                    place,
                    i as u64,
                    same_frame(got, want),
                    "got {}; Decoder::decode over the whole stream got {}",
                    describe(got),
                    describe(want)
                );
            }
            ensure!(
                place,
                run.frames.len().min(reference.frames.len()) as u64,
                run.frames.len() == reference.frames.len(),
                "{} frames, then {:?}; Decoder::decode over the whole stream got {} frames, \
                 then {:?}",
                run.frames.len(),
                run.end,
                reference.frames.len(),
                reference.end
            );
        }
        ensure!(
            place,
            run.count(),
            self.ends_as(run, &reference.end),
            "the stream ends with {:?}; Decoder::decode over the whole stream ends with {:?}",
            run.end,
            reference.end
        );
    }

    /// A push-based API would have ended as `Decoder::decode` would,
    /// wherever the stream ended.
    fn compare_stream_ends(
        &self,
        run: &Run<F::OwnedHeader>,
        decoded: &Run<F::OwnedHeader>,
        split: &Split,
    ) {
        let place = Place {
            api: run.api.name(),
            split,
            limits: &self.limits,
        };
        for (got, want) in run.stream_ends.iter().zip(&decoded.stream_ends) {
            ensure!(
                place,
                got.frames,
                got == want,
                "if the stream ended after {} bytes: {:?} after {} frames; Decoder::decode under \
                 the same split: {:?} after {} frames",
                got.fed,
                got.end,
                got.frames,
                want.end,
                want.frames
            );
        }
    }

    /// Wherever `Decoder::decode` under `split` could have seen the stream
    /// end: every frame whole by then delivered, and a clean end at a frame
    /// boundary, or the bytes missing from the frame under way.
    fn check_stream_ends(
        &self,
        decoded: &Run<F::OwnedHeader>,
        reference: &Run<F::OwnedHeader>,
        split: &Split,
    ) {
        let place = Place {
            api: "Decoder::decode, were the stream to end after a piece",
            split,
            limits: &self.limits,
        };
        // Where each frame of the reference ends, but a last frame taken
        // from the bytes left at the end: it comes only at the end.
        let mut ends = Vec::with_capacity(reference.frames.len());
        let mut at = 0u64;
        for seen in &reference.frames {
            at += seen.wire_len.unwrap_or(0);
            ends.push(at);
        }
        if reference.last_frame {
            ends.pop();
        }
        // The frames whole by each piece end, counted on from the last
        // piece end's (the piece ends come in stream order).
        let mut whole = 0u64;
        for &StreamEnd {
            fed,
            frames,
            ref end,
        } in &decoded.stream_ends
        {
            let fed = fed as u64;
            while ends.get(whole as usize).is_some_and(|&e| e <= fed) {
                whole += 1;
            }
            ensure!(
                place,
                frames,
                frames == whole,
                "{whole} frames were whole after {fed} bytes, but {frames} were delivered"
            );
            let start = whole.checked_sub(1).map_or(0, |last| ends[last as usize]);
            // What a framing makes of bytes left at the end is its own
            // affair; only that every API agrees.
            let EndHere::Ended(end) = end else { continue };
            if fed == start {
                ensure!(
                    place,
                    frames,
                    *end == Ok(()),
                    "the stream ending after {fed} bytes, at a frame boundary, ends with {end:?}"
                );
                continue;
            }
            let missing = ends.get(whole as usize).map(|&e| e - fed);
            match (end, missing) {
                (Err(Error::UnexpectedEof { offset, needed }), missing) if *offset == fed => {
                    let n = needed.bytes() as u64;
                    let right = match (needed, missing) {
                        (crate::Needed::Exact(_), Some(missing)) => n == missing,
                        (crate::Needed::AtLeast(_), Some(missing)) => n <= missing,
                        (_, None) => true,
                    };
                    ensure!(
                        place,
                        frames,
                        right,
                        "the stream ending after {fed} bytes says {needed:?} more were needed; \
                         the frame under way needed {missing:?}"
                    );
                }
                (end, Some(missing)) => place.fail(
                    frames,
                    format_args!(
                        "the stream ending after {fed} bytes, {missing} bytes short of the end \
                         of a frame, ends with {end:?}, not UnexpectedEof at offset {fed}"
                    ),
                ),
                // Past the frames the whole stream yields: anything
                // `finish` says, but an end of stream where it was.
                (end, None) => ensure!(
                    place,
                    frames,
                    !matches!(end, Err(Error::UnexpectedEof { offset, .. }) if *offset != fed)
                        && *end != Ok(()),
                    "the stream ending after {fed} bytes ends with {end:?}"
                ),
            }
        }
    }

    /// `FrameReader::read_frame` over strict prefixes of the stream (a
    /// sample of where the pieces end) ends as the push-based APIs said.
    fn check_reader_prefixes(
        &self,
        decoded: &Run<F::OwnedHeader>,
        reference: &Run<F::OwnedHeader>,
        split: &Split,
    ) {
        let ends: Vec<&StreamEnd> = decoded
            .stream_ends
            .iter()
            .filter(|e| e.fed < self.stream.len())
            .collect();
        let step = ends.len().div_ceil(READER_PREFIXES).max(1);
        for stream_end in ends.into_iter().step_by(step) {
            let run = self.run(Api::ReadFrame, &self.stream[..stream_end.fed], split);
            let place = Place {
                api: "FrameReader::read_frame over the stream cut short",
                split,
                limits: &self.limits,
            };
            let (frames, end) = match &stream_end.end {
                EndHere::LastFrame => (stream_end.frames + 1, Ok(())),
                EndHere::LastFrameRefused(error) => (stream_end.frames, Err(error.clone())),
                EndHere::Ended(end) => (stream_end.frames, end.clone()),
            };
            let same_frames = run
                .frames
                .iter()
                .zip(&reference.frames)
                .take(stream_end.frames as usize)
                .all(|(got, want)| same_frame(got, want));
            ensure!(
                place,
                run.count(),
                same_frames && run.count() == frames && self.ends_as(&run, &end),
                "cut after {} bytes: {} frames then {:?}; the push-based APIs: {frames} frames \
                 then {end:?}",
                stream_end.fed,
                run.count(),
                run.end
            );
        }
    }

    /// Each frame alone is a datagram; cut short or padded, it is refused.
    fn check_datagrams(&self, reference: &Run<F::OwnedHeader>) {
        let place = Place {
            api: "DatagramFramer::decode of each frame alone",
            split: &self.whole,
            limits: &self.limits,
        };
        let mut framer = DatagramFramer::with_limits(self.framing.clone(), self.limits);
        // A last frame taken from the bytes left at the end has no end of
        // its own to be a datagram by.
        let whole_frames = reference.frames.len() - usize::from(reference.last_frame);
        let mut at = 0;
        for (i, seen) in reference.frames[..whole_frames].iter().enumerate() {
            let i = i as u64;
            let wire = seen.wire_len.unwrap_or(0) as usize;
            let raw = &self.stream[at..at + wire];
            at += wire;
            let decoded = framer.decode(raw).map(|frame| frame.to_owned());
            let same = decoded.as_ref().is_ok_and(|frame| {
                Some(&frame.header) == seen.header.as_ref()
                    && Some(&frame.payload) == seen.payload.as_ref()
            });
            ensure!(
                place,
                i,
                same,
                "the frame's {wire} bytes as a datagram: {:?}",
                decoded.map(|frame| (frame.header, frame.payload.len()))
            );
            let datagram_error = |result: std::io::Result<()>| {
                result.err().and_then(|e| {
                    e.get_ref()
                        .and_then(|inner| inner.downcast_ref::<DatagramError>())
                        .cloned()
                })
            };
            let short = datagram_error(framer.decode(&raw[..wire - 1]).map(|_| ()));
            ensure!(
                place,
                i,
                matches!(short, Some(DatagramError::Truncated { .. })),
                "the frame cut one byte short as a datagram: {short:?}, not Truncated"
            );
            let padded = [raw, &[0]].concat();
            let padded = datagram_error(framer.decode(&padded).map(|_| ()));
            ensure!(
                place,
                i,
                matches!(padded, Some(DatagramError::Padded { .. })),
                "the frame and one byte more as a datagram: {padded:?}, not Padded"
            );
        }
    }
}

/// The same frame, as far as `got`'s API tells.
fn same_frame<H: PartialEq>(got: &Seen<H>, want: &Seen<H>) -> bool {
    fn agrees<T: PartialEq>(got: &Option<T>, want: &Option<T>) -> bool {
        got.is_none() || got == want
    }
    got.payload_len == want.payload_len
        && agrees(&got.header, &want.header)
        && agrees(&got.payload, &want.payload)
        && agrees(&got.wire_len, &want.wire_len)
        && agrees(&got.header_len, &want.header_len)
}

/// A frame in a message.
fn describe<H: Debug>(seen: &Seen<H>) -> String {
    let mut out = String::new();
    if let Some(header) = &seen.header {
        out += &format!("header {header:?}, ");
    }
    match &seen.payload {
        Some(payload) => out += &format!("payload {:?}", Brief(payload)),
        None => out += &format!("a {}-byte payload", seen.payload_len),
    }
    if let Some(wire) = seen.wire_len {
        out += &format!(", {wire} bytes on the wire");
    }
    if let Some(header_len) = seen.header_len {
        out += &format!(", a {header_len}-byte header");
    }
    out
}
