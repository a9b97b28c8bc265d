//! Checks shared by the tests of the built-in framings whose header is
//! `()` (tests/varint.rs, tests/netstring.rs):
//!
//! - [`check_stream`]: a stream through every decoding API, cut in two at
//!   every point and fed one byte at a time, each API yielding the same
//!   payloads and ending the same way, errors sticky;
//! - [`Resumes`]: a framing wrapper that hides the bytes a scan has seen
//!   and counts calls, so that tests can show a scan never needs a byte
//!   twice and is called O(n) times;
//! - [`check_writers`] and [`check_datagrams`]: the encoding side.
#![allow(dead_code)] // Each test file uses its own part.

use std::cell::Cell;
use std::fmt::Debug;
use std::io::{self, IoSlice, Read, Write};
use std::rc::Rc;

use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};
use sockframe::io::udp::{DatagramError, DatagramFramer};
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::{
    Decoder, Encode, Error, Event, FrameBuffer, Framing, Head, Limits, Skipped, Status,
};

/// Property-test settings: `default_cases` unless `PROPTEST_CASES` says
/// otherwise, failures recorded in `proptest-regressions/<file>.txt` as
/// the other property tests do.
pub fn property_config(default_cases: u32, regressions: &'static str) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(regressions)));
    config
}

/// Payloads decoded, in order.
pub type Payloads = Vec<Vec<u8>>;
/// What an API yielded and how the stream ended: `Ok` at a frame
/// boundary, or the (sticky) error, after every frame before it.
pub type Outcome = (Payloads, Result<(), Error>);
/// What a skipping API counted (frames, payload bytes, stream bytes), and
/// how the stream ended.
pub type Counted = ((u64, u64, u64), Result<(), Error>);

/// A source that hands out one byte per `read`.
pub struct OneByte<'a>(pub &'a [u8]);

impl Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&byte, rest)), Some(slot)) => {
                *slot = byte;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

/// Cuts `stream` at the given points (each clamped to the stream).
pub fn pieces<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts {
        let cut = cut.clamp(start, stream.len());
        out.push(&stream[start..cut]);
        start = cut;
    }
    out.push(&stream[start..]);
    out
}

/// `got == want`, or a panic showing payloads by length and first bytes
/// (a 20 kB payload in full would drown the message).
#[track_caller]
pub fn assert_outcome(got: &Outcome, want: &Outcome, what: &str) {
    let brief = |(payloads, end): &Outcome| {
        let payloads: Vec<String> = payloads
            .iter()
            .map(|p| format!("{} bytes {:?}..", p.len(), &p[..p.len().min(12)]))
            .collect();
        format!("[{}] then {end:?}", payloads.join(", "))
    };
    assert!(
        got == want,
        "{what}:\n  got {}\n want {}",
        brief(got),
        brief(want)
    );
}

/// A stream that yields `expected` and then ends as `end` says, through
/// every API, cut in two at every point (a sample of points for a long
/// stream) and fed one byte at a time:
///
/// - `Decoder`: `decode`, `poll_frame` then `decode`, `decode_event`,
///   `skip_frames`, each followed by `finish`;
/// - `FrameBuffer`: `next_frame`, `poll_frame`, `next_event`,
///   `skip_frames`, then `finish`;
/// - `FrameReader` over a one-byte-per-read source, over the two pieces of
///   every cut and over the whole stream: `read_frame`, `read_header` then
///   `read_body`, `skip_frame`, `skip_frames`.
///
/// `end` must not depend on the API's limit (use equal `max_frame` and
/// `max_streamed_body` for a stream over the limit).
pub fn check_stream<F: Framing + Clone>(
    framing: &F,
    limits: Limits,
    stream: &[u8],
    expected: &[Vec<u8>],
    end: Result<(), Error>,
) {
    let decoder = || Decoder::with_limits(framing.clone(), limits);
    let want: Outcome = (expected.to_vec(), end.clone());
    assert_outcome(
        &via_decode(decoder(), &[stream]),
        &want,
        "the whole stream at once",
    );
    let raw_lens = raw_lens(decoder(), stream);
    assert_eq!(raw_lens.len(), expected.len());
    let counted: Counted = (
        (
            expected.len() as u64,
            expected.iter().map(|p| p.len() as u64).sum(),
            raw_lens.iter().map(|&n| n as u64).sum(),
        ),
        end.clone(),
    );

    let cuts = cuts(stream.len(), &raw_lens);
    let mut piecings: Vec<(String, Vec<&[u8]>)> = cuts
        .iter()
        .map(|&cut| (format!("cut at {cut}"), pieces(stream, &[cut])))
        .collect();
    piecings.push(("one byte at a time".into(), stream.chunks(1).collect()));
    for (how, pieces) in &piecings {
        let buffer = || FrameBuffer::new(decoder());
        let outcomes = [
            ("Decoder::decode", via_decode(decoder(), pieces)),
            ("Decoder::poll_frame", via_poll_frame(decoder(), pieces)),
            ("Decoder::decode_event", via_events(decoder(), pieces)),
            (
                "FrameBuffer::next_frame",
                buffer_next_frame(buffer(), pieces),
            ),
            (
                "FrameBuffer::poll_frame",
                buffer_poll_frame(buffer(), pieces),
            ),
            (
                "FrameBuffer::next_event",
                buffer_next_event(buffer(), pieces),
            ),
        ];
        for (api, outcome) in &outcomes {
            assert_outcome(outcome, &want, &format!("{api}, {how}"));
        }
        assert_eq!(
            via_skip(decoder(), pieces),
            counted,
            "Decoder::skip_frames, {how}"
        );
        assert_eq!(
            buffer_skip(buffer(), pieces),
            counted,
            "FrameBuffer::skip_frames, {how}"
        );
    }

    check_readers(
        &decoder,
        || OneByte(stream),
        &want,
        &counted,
        "one byte per read",
    );
    check_readers(&decoder, || stream, &want, &counted, "the whole stream");
    // Reads of 7 bytes: frames larger than a read, skipped by streaming
    // them through, bodies read past what is buffered.
    let small_reads = || FrameReader::with_decoder(stream, decoder()).with_read_chunk(7);
    assert_outcome(
        &read_frames(small_reads()),
        &want,
        "read_frame, 7-byte reads",
    );
    assert_outcome(
        &read_bodies(small_reads()),
        &want,
        "read_body, 7-byte reads",
    );
    assert_eq!(
        skip_each(small_reads(), false),
        counted,
        "skip_frame, 7-byte reads"
    );
    assert_eq!(
        skip_each(small_reads(), true),
        counted,
        "skip_frames, 7-byte reads"
    );
    for &cut in &cuts {
        let two_pieces = || (&stream[..cut]).chain(&stream[cut..]);
        check_readers(
            &decoder,
            two_pieces,
            &want,
            &counted,
            &format!("cut at {cut}"),
        );
    }
}

/// Every cut of a short stream; for a long one, every cut within 24 bytes
/// of a frame boundary (where headers and trailers lie) and every 997th.
fn cuts(len: usize, raw_lens: &[usize]) -> Vec<usize> {
    if len <= 1024 {
        return (0..=len).collect();
    }
    let mut bounds = vec![0];
    for n in raw_lens {
        bounds.push(bounds[bounds.len() - 1] + n);
    }
    (0..=len)
        .filter(|c| c % 997 == 0 || *c == len || bounds.iter().any(|b| c.abs_diff(*b) <= 24))
        .collect()
}

/// Each whole frame's length on the wire.
fn raw_lens<F: Framing>(mut decoder: Decoder<F>, mut stream: &[u8]) -> Vec<usize> {
    let mut lens = Vec::new();
    while let Ok(Status::Complete((frame, used))) = decoder.decode(stream) {
        assert_eq!(frame.raw().len(), used);
        lens.push(used);
        stream = &stream[used..];
    }
    lens
}

/// The error an API ended with, after checking the next call (`again`)
/// gives it again.
#[track_caller]
fn sticky<T>(error: Error, again: Result<T, Error>, api: &str) -> Result<(), Error> {
    assert_eq!(
        again.err(),
        Some(error.clone()),
        "{api}: the error is not sticky"
    );
    Err(error)
}

fn finish<F: Framing>(decoder: &mut Decoder<F>, rest: &[u8]) -> Result<(), Error> {
    decoder
        .finish(rest)
        .or_else(|e| sticky(e, decoder.finish(rest), "finish"))
}

fn counts(skipped: Skipped) -> (u64, u64, u64) {
    (skipped.frames, skipped.payload_bytes, skipped.stream_bytes)
}

/// `Decoder::decode`, the caller keeping the unconsumed bytes.
pub fn via_decode<F: Framing>(mut decoder: Decoder<F>, pieces: &[&[u8]]) -> Outcome {
    let mut payloads = Vec::new();
    let mut pending = Vec::new();
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            let step = decoder.decode(&pending).map(|status| {
                status.map(|(frame, used)| {
                    assert_eq!(frame.raw().len(), used);
                    payloads.push(frame.payload().to_vec());
                    used
                })
            });
            match step {
                Ok(Status::Complete(used)) => drop(pending.drain(..used)),
                Ok(Status::Partial(needed)) => {
                    assert!(needed.bytes() > 0);
                    break;
                }
                Err(e) => return (payloads, sticky(e, decoder.decode(&pending), "decode")),
            }
        }
    }
    let end = finish(&mut decoder, &pending);
    (payloads, end)
}

fn via_poll_frame<F: Framing>(mut decoder: Decoder<F>, pieces: &[&[u8]]) -> Outcome {
    let mut payloads = Vec::new();
    let mut pending = Vec::new();
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            match decoder.poll_frame(&pending) {
                Ok(Status::Complete((header_len, total))) => {
                    let decoded = decoder.decode(&pending).map(|status| {
                        status.map(|(frame, used)| {
                            assert_eq!((used, frame.raw().len()), (total, total));
                            let payload = frame.payload();
                            assert_eq!(&frame.raw()[header_len..][..payload.len()], payload);
                            payloads.push(payload.to_vec());
                        })
                    });
                    assert_eq!(decoded, Ok(Status::Complete(())), "decode after poll_frame");
                    pending.drain(..total);
                }
                Ok(Status::Partial(_)) => break,
                Err(e) => {
                    let again = decoder.poll_frame(&pending);
                    return (payloads, sticky(e, again, "poll_frame"));
                }
            }
        }
    }
    let end = finish(&mut decoder, &pending);
    (payloads, end)
}

/// A frame being streamed: its body so far and the length announced.
type Streaming = Option<(Vec<u8>, u64)>;

fn on_event<H>(event: Event<'_, H>, current: &mut Streaming, payloads: &mut Payloads) {
    match event {
        Event::Header { body_len, .. } => {
            assert!(current.is_none(), "a header inside a frame");
            *current = Some((Vec::new(), body_len));
        }
        Event::Body(chunk) => {
            assert!(!chunk.is_empty(), "an empty body chunk");
            let (body, _) = current.as_mut().expect("a body outside a frame");
            body.extend_from_slice(chunk);
        }
        Event::End => {
            let (body, body_len) = current.take().expect("an end outside a frame");
            assert_eq!(body.len() as u64, body_len);
            payloads.push(body);
        }
    }
}

fn via_events<F: Framing>(mut decoder: Decoder<F>, pieces: &[&[u8]]) -> Outcome {
    let mut payloads = Vec::new();
    let mut current = None;
    let mut pending = Vec::new();
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            let step = decoder.decode_event(&pending).map(|status| {
                status.map(|(event, used)| {
                    if let Event::Body(chunk) = event {
                        assert_eq!(chunk.len(), used);
                    }
                    on_event(event, &mut current, &mut payloads);
                    used
                })
            });
            match step {
                Ok(Status::Complete(used)) => drop(pending.drain(..used)),
                Ok(Status::Partial(_)) => break,
                Err(e) => {
                    let again = decoder.decode_event(&pending);
                    return (payloads, sticky(e, again, "decode_event"));
                }
            }
        }
    }
    let end = finish(&mut decoder, &pending);
    (payloads, end)
}

fn via_skip<F: Framing>(mut decoder: Decoder<F>, pieces: &[&[u8]]) -> Counted {
    let mut total = Skipped::default();
    let mut pending = Vec::new();
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            match decoder.skip_frames(&pending) {
                Ok(skipped) if skipped.frames == 0 => break,
                Ok(skipped) => {
                    total.add(skipped);
                    pending.drain(..skipped.stream_bytes as usize);
                }
                Err(e) => {
                    let end = sticky(e, decoder.skip_frames(&pending), "skip_frames");
                    return (counts(total), end);
                }
            }
        }
    }
    let end = finish(&mut decoder, &pending);
    (counts(total), end)
}

fn buffer_finish<F: Framing>(buffer: &mut FrameBuffer<F>) -> Result<(), Error> {
    buffer
        .finish()
        .or_else(|e| sticky(e, buffer.finish(), "FrameBuffer::finish"))
}

/// `FrameBuffer::next_frame`, pieces pushed as they come.
pub fn buffer_next_frame<F: Framing>(mut buffer: FrameBuffer<F>, pieces: &[&[u8]]) -> Outcome {
    let mut payloads = Vec::new();
    for piece in pieces {
        buffer.push(piece);
        loop {
            let step = buffer
                .next_frame()
                .map(|frame| frame.map(|frame| payloads.push(frame.payload().to_vec())));
            match step {
                Ok(Some(())) => {}
                Ok(None) => break,
                Err(e) => {
                    let again = buffer.next_frame().map(|_| ());
                    return (payloads, sticky(e, again, "next_frame"));
                }
            }
        }
    }
    let end = buffer_finish(&mut buffer);
    (payloads, end)
}

fn buffer_poll_frame<F: Framing>(mut buffer: FrameBuffer<F>, pieces: &[&[u8]]) -> Outcome {
    let mut payloads = Vec::new();
    for piece in pieces {
        buffer.push(piece);
        loop {
            match buffer.poll_frame() {
                Ok(Status::Complete(total)) => {
                    let next = buffer.next_frame().map(|frame| {
                        frame.map(|frame| {
                            assert_eq!(frame.raw().len(), total);
                            payloads.push(frame.payload().to_vec());
                        })
                    });
                    assert_eq!(next, Ok(Some(())), "next_frame after poll_frame");
                }
                Ok(Status::Partial(_)) => break,
                Err(e) => return (payloads, sticky(e, buffer.poll_frame(), "poll_frame")),
            }
        }
    }
    let end = buffer_finish(&mut buffer);
    (payloads, end)
}

fn buffer_next_event<F: Framing>(mut buffer: FrameBuffer<F>, pieces: &[&[u8]]) -> Outcome {
    let mut payloads = Vec::new();
    let mut current = None;
    for piece in pieces {
        buffer.push(piece);
        loop {
            let step = buffer
                .next_event()
                .map(|event| event.map(|event| on_event(event, &mut current, &mut payloads)));
            match step {
                Ok(Some(())) => {}
                Ok(None) => break,
                Err(e) => {
                    let again = buffer.next_event().map(|_| ());
                    return (payloads, sticky(e, again, "next_event"));
                }
            }
        }
    }
    let end = buffer_finish(&mut buffer);
    (payloads, end)
}

fn buffer_skip<F: Framing>(mut buffer: FrameBuffer<F>, pieces: &[&[u8]]) -> Counted {
    let mut total = Skipped::default();
    for piece in pieces {
        buffer.push(piece);
        loop {
            match buffer.skip_frames() {
                Ok(skipped) if skipped.frames == 0 => break,
                Ok(skipped) => total.add(skipped),
                Err(e) => {
                    let end = sticky(e, buffer.skip_frames(), "skip_frames");
                    return (counts(total), end);
                }
            }
        }
    }
    let end = buffer_finish(&mut buffer);
    (counts(total), end)
}

/// The sockframe error inside a `FrameReader` error.
#[track_caller]
pub fn inner(error: io::Error) -> Error {
    match frame_error(&error) {
        Some(e) => e.clone(),
        None => panic!("not a sockframe error: {error:?}"),
    }
}

/// Every `FrameReader` API over sources made by `source`.
fn check_readers<F: Framing, R: Read>(
    decoder: &impl Fn() -> Decoder<F>,
    source: impl Fn() -> R,
    want: &Outcome,
    counted: &Counted,
    how: &str,
) {
    let reader = || FrameReader::with_decoder(source(), decoder());
    assert_outcome(
        &read_frames(reader()),
        want,
        &format!("FrameReader::read_frame, {how}"),
    );
    assert_outcome(
        &read_bodies(reader()),
        want,
        &format!("FrameReader::read_header + read_body, {how}"),
    );
    assert_eq!(
        skip_each(reader(), false),
        *counted,
        "FrameReader::skip_frame, {how}"
    );
    assert_eq!(
        skip_each(reader(), true),
        *counted,
        "FrameReader::skip_frames, {how}"
    );
}

/// `FrameReader::read_frame` to the end.
pub fn read_frames<R: Read, F: Framing>(mut reader: FrameReader<R, F>) -> Outcome {
    let mut payloads = Vec::new();
    loop {
        let step = reader
            .read_frame()
            .map(|frame| frame.map(|frame| payloads.push(frame.payload().to_vec())));
        match step {
            Ok(Some(())) => {}
            Ok(None) => return (payloads, Ok(())),
            Err(e) => {
                let again = reader.read_frame().map(|_| ()).map_err(inner);
                return (payloads, sticky(inner(e), again, "read_frame"));
            }
        }
    }
}

/// `read_header`, then the body by `read_body` 7 bytes at a time. A
/// failure inside a body is checked sticky by the next `read_header`.
fn read_bodies<R: Read, F: Framing>(mut reader: FrameReader<R, F>) -> Outcome {
    let mut payloads = Vec::new();
    loop {
        let body_len = match reader.read_header().map(|h| h.map(|(_, len)| len)) {
            Ok(Some(len)) => len,
            Ok(None) => return (payloads, Ok(())),
            Err(e) => {
                let again = reader.read_header().map(|_| ()).map_err(inner);
                return (payloads, sticky(inner(e), again, "read_header"));
            }
        };
        let mut body = Vec::new();
        let read = (|| loop {
            let mut buf = [0; 7];
            match reader.read_body(&mut buf)? {
                0 => return Ok(()),
                n => body.extend_from_slice(&buf[..n]),
            }
        })();
        if let Err(e) = read {
            let again = reader.read_header().map(|_| ()).map_err(inner);
            return (
                payloads,
                sticky(inner(e), again, "read_header after a body"),
            );
        }
        assert_eq!(body.len() as u64, body_len);
        payloads.push(body);
    }
}

fn skip_each<R: Read, F: Framing>(mut reader: FrameReader<R, F>, batches: bool) -> Counted {
    let mut total = Skipped::default();
    let skip = |reader: &mut FrameReader<R, F>| {
        if batches {
            reader.skip_frames()
        } else {
            reader.skip_frame()
        }
    };
    loop {
        match skip(&mut reader) {
            Ok(Some(skipped)) => total.add(skipped),
            Ok(None) => return (counts(total), Ok(())),
            Err(e) => {
                let again = skip(&mut reader).map_err(inner);
                return (counts(total), sticky(inner(e), again, "skip_frame(s)"));
            }
        }
    }
}

/// Feeds `stream` one byte at a time to `Decoder::decode`, taking frames
/// as they complete: how many bytes had been fed when it failed, and the
/// error. Shows an error comes as soon as the offending byte arrives.
#[track_caller]
pub fn fails_after<F: Framing>(mut decoder: Decoder<F>, stream: &[u8]) -> (usize, Error) {
    let mut pending = Vec::new();
    for (fed, &byte) in stream.iter().enumerate() {
        pending.push(byte);
        loop {
            match decoder.decode(&pending).map(|s| s.map(|(_, used)| used)) {
                Ok(Status::Complete(used)) => drop(pending.drain(..used)),
                Ok(Status::Partial(_)) => break,
                Err(e) => return (fed + 1, e),
            }
        }
    }
    panic!("no error in {} bytes", stream.len())
}

/// A framing that shows its scan resumes: every byte an earlier call saw
/// (one that answered `Partial`) is replaced by `poison` before the inner
/// framing gets the input again, so a framing that read a byte twice
/// would answer differently; and calls are counted.
#[derive(Clone, Debug)]
pub struct Resumes<F> {
    pub inner: F,
    pub poison: u8,
    pub calls: Rc<Cell<usize>>,
}

impl<F> Resumes<F> {
    pub fn new(inner: F, poison: u8) -> Self {
        Resumes {
            inner,
            poison,
            calls: Rc::default(),
        }
    }
}

/// The inner scan, and how many bytes of the header earlier calls saw.
#[derive(Clone, Debug, Default)]
pub struct ResumeScan<S> {
    inner: S,
    seen: usize,
}

/// More than any header of the framings tested here (netstring: 21).
const HEADER_WINDOW: usize = 64;

impl<F: Framing> Framing for Resumes<F> {
    type Scan = ResumeScan<F::Scan>;
    type Meta = F::Meta;
    type Header<'a> = F::Header<'a>;
    type OwnedHeader = F::OwnedHeader;

    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut Self::Scan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head<F::Meta>>, Error> {
        self.calls.set(self.calls.get() + 1);
        assert!(
            input.len() >= scan.seen,
            "the decoder passed fewer bytes than before"
        );
        let window = input.len().min(scan.seen.max(1) + HEADER_WINDOW);
        let mut hidden = input[..window].to_vec();
        hidden[..scan.seen].fill(self.poison);
        let status = self
            .inner
            .parse_header(&hidden, &mut scan.inner, offset, limits)?;
        if let Status::Partial(_) = status {
            assert_eq!(window, input.len(), "a header longer than the window");
            scan.seen = input.len();
        }
        Ok(status)
    }

    fn header<'a>(&self, header: &'a [u8], head: &Head<F::Meta>) -> F::Header<'a> {
        self.inner.header(header, head)
    }

    fn check_trailer(&self, trailer: &[u8], offset: u64) -> Result<(), Error> {
        self.inner.check_trailer(trailer, offset)
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        self.inner.max_header_len(limits)
    }
}

/// Feeds `stream` one byte at a time through `Decoder::decode`,
/// `decode_event`, `FrameBuffer::next_frame` and `FrameReader::read_frame`
/// with the framing wrapped in [`Resumes`]: each must give what the plain
/// framing gives, and call `parse_header` at most once per byte fed plus
/// once per frame. Returns the most calls any API made.
pub fn check_resumes<F: Framing + Clone>(
    framing: &F,
    poison: u8,
    limits: Limits,
    stream: &[u8],
) -> usize {
    let one_by_one: Vec<&[u8]> = stream.chunks(1).collect();
    let want = via_decode(Decoder::with_limits(framing.clone(), limits), &[stream]);
    let wrapped = Resumes::new(framing.clone(), poison);
    let decoder = || Decoder::with_limits(wrapped.clone(), limits);
    let runs: [(&str, &dyn Fn() -> Outcome); 4] = [
        ("Decoder::decode", &|| via_decode(decoder(), &one_by_one)),
        ("Decoder::decode_event", &|| {
            via_events(decoder(), &one_by_one)
        }),
        ("FrameBuffer::next_frame", &|| {
            buffer_next_frame(FrameBuffer::new(decoder()), &one_by_one)
        }),
        ("FrameReader::read_frame", &|| {
            read_frames(FrameReader::with_decoder(OneByte(stream), decoder()))
        }),
    ];
    let mut most = 0;
    for (api, run) in runs {
        wrapped.calls.set(0);
        let got = run();
        assert_outcome(&got, &want, &format!("{api} with seen bytes hidden"));
        let calls = wrapped.calls.get();
        // One call per byte fed, one more per frame taken (the call that
        // completes a frame is followed by one on the next frame's bytes),
        // and the sticky error or `finish` at the end.
        let bound = stream.len() + got.0.len() + 2;
        assert!(
            calls <= bound,
            "{api}: {calls} calls for {} bytes",
            stream.len()
        );
        most = most.max(calls);
    }
    most
}

/// A writer that records what each `write_vectored` call was given (the
/// non-empty slices, with their addresses) and takes at most `max` bytes
/// per call.
pub struct Recorder {
    pub bytes: Vec<u8>,
    pub calls: Vec<Vec<(usize, Vec<u8>)>>,
    pub max: usize,
}

impl Recorder {
    pub fn new(max: usize) -> Self {
        Recorder {
            bytes: Vec::new(),
            calls: Vec::new(),
            max,
        }
    }
}

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let parts: Vec<(usize, Vec<u8>)> = bufs
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| (b.as_ptr() as usize, b.to_vec()))
            .collect();
        let all: Vec<u8> = parts.iter().flat_map(|(_, b)| b.clone()).collect();
        let n = all.len().min(self.max);
        self.bytes.extend_from_slice(&all[..n]);
        self.calls.push(parts);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes `payloads` with `FrameWriter::write_frame` (unbuffered: header,
/// payload and trailer in one vectored write, the payload not copied;
/// buffered; into a writer taking 3 bytes a call) and with
/// `write_frame_from`; each writes exactly the frames `encode_to_vec`
/// builds, which read back, one byte per read, to the payloads.
pub fn check_writers<F>(framing: &F, payloads: &[Vec<u8>])
where
    F: Framing + Encode + Clone + Debug,
{
    let wire: Vec<u8> = payloads
        .iter()
        .flat_map(|p| framing.encode_to_vec(p).expect("encodable"))
        .collect();

    let mut writer = FrameWriter::new(Recorder::new(usize::MAX), framing.clone());
    for payload in payloads {
        writer.write_frame(payload).unwrap();
    }
    writer.flush().unwrap();
    let recorder = writer.into_inner().unwrap();
    assert_eq!(recorder.bytes, wire, "FrameWriter::new");
    assert_eq!(recorder.calls.len(), payloads.len(), "one write per frame");
    for (call, payload) in recorder.calls.iter().zip(payloads) {
        let header = framing.encode_header(payload.len()).unwrap();
        let mut want = vec![header.as_ref().to_vec()];
        if !payload.is_empty() {
            want.push(payload.clone());
        }
        if !framing.trailer().is_empty() {
            want.push(framing.trailer().to_vec());
        }
        let got: Vec<Vec<u8>> = call.iter().map(|(_, b)| b.clone()).collect();
        assert_eq!(got, want, "header, payload and trailer as separate slices");
    }
    // The payload went out from the caller's memory, not from a copy.
    for payload in payloads.iter().filter(|p| !p.is_empty()) {
        let mut writer = FrameWriter::new(Recorder::new(usize::MAX), framing.clone());
        writer.write_frame(payload).unwrap();
        let recorder = writer.into_inner().unwrap();
        let addresses: Vec<usize> = recorder.calls[0].iter().map(|(a, _)| *a).collect();
        assert!(
            addresses.contains(&(payload.as_ptr() as usize)),
            "the payload was copied"
        );
    }

    for (how, limit) in [("buffered", None), ("trickle", Some(3))] {
        let mut writer = match limit {
            None => FrameWriter::buffered(Recorder::new(usize::MAX), framing.clone()),
            Some(max) => FrameWriter::new(Recorder::new(max), framing.clone()),
        };
        for payload in payloads {
            writer.write_frame(payload).unwrap();
        }
        writer.flush().unwrap();
        assert_eq!(
            writer.into_inner().unwrap().bytes,
            wire,
            "FrameWriter, {how}"
        );
    }

    let mut writer = FrameWriter::new(Recorder::new(usize::MAX), framing.clone());
    for payload in payloads {
        writer
            .write_frame_from(payload.len() as u64, &mut &payload[..])
            .unwrap();
    }
    writer.flush().unwrap();
    assert_eq!(
        writer.into_inner().unwrap().bytes,
        wire,
        "FrameWriter::write_frame_from"
    );

    let reader = FrameReader::new(OneByte(&wire), framing.clone());
    assert_outcome(
        &read_frames(reader),
        &(payloads.to_vec(), Ok(())),
        "written, then read back",
    );
}

/// Each payload as one datagram: `DatagramFramer::encode` gives the frame
/// `encode_to_vec` builds, `decode` gives the payload back, and the same
/// datagram cut short by one byte or with one byte too many is refused.
pub fn check_datagrams<F: Framing + Encode + Clone>(framing: &F, payloads: &[Vec<u8>]) {
    let mut framer = DatagramFramer::new(framing.clone());
    for payload in payloads {
        let datagram = framer.encode(payload).unwrap().to_vec();
        assert_eq!(datagram, framing.encode_to_vec(payload).unwrap());
        let decoded = framer.decode(&datagram).unwrap();
        assert_eq!(decoded.payload(), &payload[..]);
        assert_eq!(decoded.raw(), &datagram[..]);

        let short = framer.decode(&datagram[..datagram.len() - 1]).map(|_| ());
        let short = short.unwrap_err();
        let short = short
            .get_ref()
            .and_then(|e| e.downcast_ref::<DatagramError>());
        assert!(
            matches!(short, Some(DatagramError::Truncated { .. })),
            "{short:?}"
        );

        let padded = [&datagram[..], b","].concat();
        let padded = framer.decode(&padded).map(|_| ()).unwrap_err();
        let padded = padded
            .get_ref()
            .and_then(|e| e.downcast_ref::<DatagramError>());
        assert!(
            matches!(padded, Some(DatagramError::Padded { .. })),
            "{padded:?}"
        );
    }
}
