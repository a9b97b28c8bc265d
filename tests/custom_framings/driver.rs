//! Runs a stream through every decoding API, cut every way, and checks
//! that each API yields the same frames and ends the same way; plus the
//! instruments the tests use (a one-byte reader, a counter of bytes
//! examined).

use std::cell::Cell;
use std::fmt::Debug;
use std::io::{self, Read};
use std::rc::Rc;

use sockframe::io::udp::{DatagramError, DatagramFramer};
use sockframe::io::{frame_error, FrameReader};
use sockframe::{
    Decoder, Error, Event, FrameBuffer, Framing, Limits, Skipped, Status, ToOwnedHeader,
};

/// Frames as (owned header, payload).
pub type Frames<H> = Vec<(H, Vec<u8>)>;
/// What an API yielded, and how the stream ended: `Ok` at a frame
/// boundary, or the error (checked sticky on the way).
pub type Outcome<H> = (Frames<H>, Result<(), Error>);
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

/// What a scanning framing reports of its own work: calls to
/// `parse_header` and bytes examined. Clones share the counts, so a test
/// keeps one while the decoder owns a clone of the framing.
#[derive(Clone, Debug, Default)]
pub struct Counter {
    calls: Rc<Cell<usize>>,
    bytes: Rc<Cell<usize>>,
}

impl Counter {
    pub fn call(&self) {
        self.calls.set(self.calls.get() + 1);
    }
    pub fn examine(&self, bytes: usize) {
        self.bytes.set(self.bytes.get() + bytes);
    }
    pub fn calls(&self) -> usize {
        self.calls.get()
    }
    pub fn bytes(&self) -> usize {
        self.bytes.get()
    }
    pub fn reset(&self) {
        self.calls.set(0);
        self.bytes.set(0);
    }
}

/// A stream that decodes to `expected` and ends cleanly, through every API
/// cut every way, under the default limits.
pub fn check_every_api<F>(framing: F, stream: &[u8], expected: &[(F::OwnedHeader, Vec<u8>)])
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    check_stream(&framing, Limits::default(), stream, expected, Ok(()));
}

/// A stream that yields `expected`, then ends as `end` says (`Ok`, or the
/// error every API must report after delivering every frame before it),
/// through every API cut every way:
///
/// - cut in two at every point (at a sample of points near frame
///   boundaries and every 2477th for long streams), and one byte at a time;
///   through `Decoder::decode`, `poll_frame`, `decode_event`,
///   `skip_frames` (each then `finish`) and `FrameBuffer::next_frame`,
///   `poll_frame`, `next_event`, `skip_frames` (then `finish`);
/// - `FrameReader` over a source that returns one byte per read, over the
///   two pieces of every cut and over the whole stream: `read_frame`,
///   `read_frame_owned`, `frames`, `read_header` then `read_body` or
///   `discard_body`, `read_header_owned` then `copy_body_to`,
///   `skip_frame`, `skip_frames`;
/// - `DatagramFramer::decode` of each frame alone, then cut short by one
///   byte (`Truncated`) and with a byte too many (`Padded`).
pub fn check_stream<F>(
    framing: &F,
    limits: Limits,
    stream: &[u8],
    expected: &[(F::OwnedHeader, Vec<u8>)],
    end: Result<(), Error>,
) where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    let decoder = || Decoder::with_limits(framing.clone(), limits);
    let want: Outcome<F::OwnedHeader> = (expected.to_vec(), end.clone());
    // The reference: the whole stream at once. It also gives each frame's
    // bytes on the wire, for the skip counts and the datagrams.
    assert_same(
        &via_decode(decoder(), &[stream]),
        &want,
        "the whole stream at once",
    );
    let raws = raw_frames(decoder(), stream);
    assert_eq!(raws.len(), expected.len());
    let counted: Counted = (
        (
            expected.len() as u64,
            expected.iter().map(|(_, p)| p.len() as u64).sum(),
            raws.iter().map(|r| r.len() as u64).sum(),
        ),
        end.clone(),
    );

    let cuts = cuts(stream.len(), &raws);
    let mut piecings: Vec<(String, Vec<&[u8]>)> = cuts
        .iter()
        .map(|&cut| {
            (
                format!("cut at {cut}"),
                vec![&stream[..cut], &stream[cut..]],
            )
        })
        .collect();
    piecings.push(("one byte at a time".into(), stream.chunks(1).collect()));
    for (how, pieces) in &piecings {
        let buffer = || FrameBuffer::new(decoder());
        assert_same(
            &via_decode(decoder(), pieces),
            &want,
            &format!("Decoder::decode, {how}"),
        );
        assert_same(
            &via_poll_frame(decoder(), pieces),
            &want,
            &format!("Decoder::poll_frame, {how}"),
        );
        assert_same(
            &via_events(decoder(), pieces),
            &want,
            &format!("Decoder::decode_event, {how}"),
        );
        assert_eq!(
            via_skip(decoder(), pieces),
            counted,
            "Decoder::skip_frames, {how}"
        );
        assert_same(
            &buffer_next_frame(buffer(), pieces),
            &want,
            &format!("FrameBuffer::next_frame, {how}"),
        );
        assert_same(
            &buffer_poll_frame(buffer(), pieces),
            &want,
            &format!("FrameBuffer::poll_frame, {how}"),
        );
        assert_same(
            &buffer_next_event(buffer(), pieces),
            &want,
            &format!("FrameBuffer::next_event, {how}"),
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
    check_readers(&decoder, || stream, &want, &counted, "whole stream");
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

    for (raw, frame) in raws.iter().zip(expected) {
        let mut framer = DatagramFramer::with_limits(framing.clone(), limits);
        let decoded = framer.decode(raw).map(|f| f.to_owned());
        let decoded = decoded.map(|f| (f.header, f.payload));
        assert_eq!(decoded.ok().as_ref(), Some(frame), "datagram {raw:?}");
        let short = framer
            .decode(&raw[..raw.len() - 1])
            .map(|_| ())
            .unwrap_err();
        let short = short
            .get_ref()
            .and_then(|e| e.downcast_ref::<DatagramError>());
        assert!(
            matches!(short, Some(DatagramError::Truncated { .. })),
            "{short:?}"
        );
        let padded = [&raw[..], b"\0"].concat();
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

/// `got == want`, or a panic showing payloads by length and first bytes
/// (a 70 kB payload in full would drown the message).
fn assert_same<H: PartialEq + Debug>(got: &Outcome<H>, want: &Outcome<H>, what: &str) {
    let brief = |(frames, end): &Outcome<H>| {
        let frames: Vec<String> = frames
            .iter()
            .map(|(h, p)| format!("({h:?}, {} bytes {:?}..)", p.len(), &p[..p.len().min(12)]))
            .collect();
        format!("[{}] then {end:?}", frames.join(", "))
    };
    assert!(
        got == want,
        "{what}:\n  got {}\n want {}",
        brief(got),
        brief(want)
    );
}

/// Every cut for a short stream; for a long one, every cut within 16
/// bytes of a frame boundary (where short headers and trailers lie) and
/// every 2477th, so that a 70 kB stream costs seconds, not hours.
fn cuts(len: usize, raws: &[Vec<u8>]) -> Vec<usize> {
    if len <= 2048 {
        return (0..=len).collect();
    }
    let mut bounds = vec![0];
    for raw in raws {
        bounds.push(bounds[bounds.len() - 1] + raw.len());
    }
    (0..=len)
        .filter(|c| c % 2477 == 0 || c == &len || bounds.iter().any(|b| c.abs_diff(*b) <= 16))
        .collect()
}

/// Each frame's bytes on the wire, from decoding the whole stream at once.
fn raw_frames<F: Framing>(mut decoder: Decoder<F>, mut stream: &[u8]) -> Vec<Vec<u8>> {
    let mut raws = Vec::new();
    while let Ok(Status::Complete((frame, used))) = decoder.decode(stream) {
        raws.push(frame.raw().to_vec());
        stream = &stream[used..];
    }
    raws
}

/// The error every API ends with, after checking it is sticky: `again` is
/// the next call's result.
fn sticky<T>(error: Error, again: Result<T, Error>, api: &str) -> Result<(), Error> {
    assert_eq!(
        again.err(),
        Some(error.clone()),
        "{api}: the error is not sticky"
    );
    Err(error)
}

/// `Decoder::finish` on the bytes left, sticky if it fails.
fn finish<F: Framing>(decoder: &mut Decoder<F>, rest: &[u8]) -> Result<(), Error> {
    decoder
        .finish(rest)
        .or_else(|e| sticky(e, decoder.finish(rest), "finish"))
}

fn counts(skipped: Skipped) -> (u64, u64, u64) {
    (skipped.frames, skipped.payload_bytes, skipped.stream_bytes)
}

pub fn via_decode<F: Framing>(
    mut decoder: Decoder<F>,
    pieces: &[&[u8]],
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    let mut pending = Vec::new();
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            // Owned values only: the frame's borrow ends with the statement.
            let step = decoder.decode(&pending).map(|status| {
                status.map(|(frame, used)| {
                    assert_eq!(frame.raw().len(), used);
                    let owned = frame.to_owned();
                    frames.push((owned.header, owned.payload));
                    used
                })
            });
            match step {
                Ok(Status::Complete(used)) => drop(pending.drain(..used)),
                Ok(Status::Partial(needed)) => {
                    assert!(needed.bytes() > 0);
                    break;
                }
                Err(e) => return (frames, sticky(e, decoder.decode(&pending), "decode")),
            }
        }
    }
    let end = finish(&mut decoder, &pending);
    (frames, end)
}

fn via_poll_frame<F: Framing>(
    mut decoder: Decoder<F>,
    pieces: &[&[u8]],
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    let mut pending = Vec::new();
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            match decoder.poll_frame(&pending) {
                Ok(Status::Complete((header_len, total))) => {
                    let decoded = decoder.decode(&pending).map(|status| {
                        status.map(|(frame, used)| {
                            assert_eq!((used, frame.raw().len()), (total, total));
                            let payload_len = frame.payload().len();
                            assert_eq!(&frame.raw()[header_len..][..payload_len], frame.payload());
                            let owned = frame.to_owned();
                            frames.push((owned.header, owned.payload));
                        })
                    });
                    assert_eq!(decoded, Ok(Status::Complete(())), "decode after poll_frame");
                    pending.drain(..total);
                }
                Ok(Status::Partial(_)) => break,
                Err(e) => {
                    return (
                        frames,
                        sticky(e, decoder.poll_frame(&pending), "poll_frame"),
                    )
                }
            }
        }
    }
    let end = finish(&mut decoder, &pending);
    (frames, end)
}

/// A frame being streamed: header, body so far, body length announced.
type Streaming<H> = Option<(H, Vec<u8>, u64)>;

/// Adds one event to the frame being streamed, or to the frames once it ends.
fn on_event<H: ToOwnedHeader>(
    event: Event<'_, H>,
    current: &mut Streaming<H::Owned>,
    frames: &mut Frames<H::Owned>,
) {
    match event {
        Event::Header { header, body_len } => {
            assert!(current.is_none(), "a header inside a frame");
            *current = Some((header.to_owned_header(), Vec::new(), body_len));
        }
        Event::Body(chunk) => {
            assert!(!chunk.is_empty(), "an empty body chunk");
            current
                .as_mut()
                .expect("a body outside a frame")
                .1
                .extend_from_slice(chunk);
        }
        Event::End => {
            let (header, body, body_len) = current.take().expect("an end outside a frame");
            assert_eq!(body.len() as u64, body_len);
            frames.push((header, body));
        }
    }
}

fn via_events<F: Framing>(mut decoder: Decoder<F>, pieces: &[&[u8]]) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
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
                    on_event(event, &mut current, &mut frames);
                    used
                })
            });
            match step {
                Ok(Status::Complete(used)) => drop(pending.drain(..used)),
                Ok(Status::Partial(_)) => break,
                Err(e) => {
                    return (
                        frames,
                        sticky(e, decoder.decode_event(&pending), "decode_event"),
                    )
                }
            }
        }
    }
    let end = finish(&mut decoder, &pending);
    (frames, end)
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

fn buffer_next_frame<F: Framing>(
    mut buffer: FrameBuffer<F>,
    pieces: &[&[u8]],
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    for piece in pieces {
        buffer.push(piece);
        loop {
            let step = buffer.next_frame().map(|frame| {
                frame.map(|frame| {
                    let owned = frame.to_owned();
                    frames.push((owned.header, owned.payload));
                })
            });
            match step {
                Ok(Some(())) => {}
                Ok(None) => break,
                Err(e) => {
                    return (
                        frames,
                        sticky(e, buffer.next_frame().map(|_| ()), "next_frame"),
                    )
                }
            }
        }
    }
    let end = buffer
        .finish()
        .or_else(|e| sticky(e, buffer.finish(), "finish"));
    (frames, end)
}

fn buffer_poll_frame<F: Framing>(
    mut buffer: FrameBuffer<F>,
    pieces: &[&[u8]],
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    for piece in pieces {
        buffer.push(piece);
        loop {
            match buffer.poll_frame() {
                Ok(Status::Complete(total)) => {
                    let next = buffer.next_frame().map(|frame| {
                        frame.map(|frame| {
                            assert_eq!(frame.raw().len(), total);
                            let owned = frame.to_owned();
                            frames.push((owned.header, owned.payload));
                        })
                    });
                    assert_eq!(next, Ok(Some(())), "next_frame after poll_frame");
                }
                Ok(Status::Partial(_)) => break,
                Err(e) => return (frames, sticky(e, buffer.poll_frame(), "poll_frame")),
            }
        }
    }
    let end = buffer
        .finish()
        .or_else(|e| sticky(e, buffer.finish(), "finish"));
    (frames, end)
}

fn buffer_next_event<F: Framing>(
    mut buffer: FrameBuffer<F>,
    pieces: &[&[u8]],
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    let mut current = None;
    for piece in pieces {
        buffer.push(piece);
        loop {
            let step = buffer
                .next_event()
                .map(|event| event.map(|event| on_event(event, &mut current, &mut frames)));
            match step {
                Ok(Some(())) => {}
                Ok(None) => break,
                Err(e) => {
                    return (
                        frames,
                        sticky(e, buffer.next_event().map(|_| ()), "next_event"),
                    )
                }
            }
        }
    }
    let end = buffer
        .finish()
        .or_else(|e| sticky(e, buffer.finish(), "finish"));
    (frames, end)
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
                    return (
                        counts(total),
                        sticky(e, buffer.skip_frames(), "skip_frames"),
                    )
                }
            }
        }
    }
    let end = buffer
        .finish()
        .or_else(|e| sticky(e, buffer.finish(), "finish"));
    (counts(total), end)
}

/// The sockframe error inside a `FrameReader` error.
fn inner(error: io::Error) -> Error {
    match frame_error(&error) {
        Some(e) => e.clone(),
        None => panic!("not a sockframe error: {error:?}"),
    }
}

/// Every `FrameReader` API over sources made by `source`.
fn check_readers<F, R>(
    decoder: &impl Fn() -> Decoder<F>,
    source: impl Fn() -> R,
    want: &Outcome<F::OwnedHeader>,
    counted: &Counted,
    how: &str,
) where
    F: Framing,
    F::OwnedHeader: Clone + PartialEq + Debug,
    R: Read,
{
    let reader = || FrameReader::with_decoder(source(), decoder());
    assert_same(
        &read_frames(reader()),
        want,
        &format!("FrameReader::read_frame, {how}"),
    );
    assert_same(
        &read_frames_owned(reader()),
        want,
        &format!("FrameReader::read_frame_owned, {how}"),
    );
    assert_same(
        &frames_iter(reader()),
        want,
        &format!("FrameReader::frames, {how}"),
    );
    assert_same(
        &read_bodies(reader(), Body::Read),
        want,
        &format!("FrameReader::read_body, {how}"),
    );
    assert_same(
        &read_bodies(reader(), Body::Copy),
        want,
        &format!("FrameReader::copy_body_to, {how}"),
    );
    // `discard_body` keeps no payload: zeros of the length discarded.
    let zeros = want.0.iter().map(|(h, p)| (h.clone(), vec![0; p.len()]));
    let zeros = (zeros.collect(), want.1.clone());
    let discarded = read_bodies(reader(), Body::Discard);
    assert_same(
        &discarded,
        &zeros,
        &format!("FrameReader::discard_body, {how}"),
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

fn read_frames<R: Read, F: Framing>(mut reader: FrameReader<R, F>) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    loop {
        let step = reader.read_frame().map(|frame| {
            frame.map(|frame| {
                let owned = frame.to_owned();
                frames.push((owned.header, owned.payload));
            })
        });
        match step {
            Ok(Some(())) => {}
            Ok(None) => return (frames, Ok(())),
            Err(e) => {
                let again = reader.read_frame().map(|_| ()).map_err(inner);
                return (frames, sticky(inner(e), again, "read_frame"));
            }
        }
    }
}

fn read_frames_owned<R: Read, F: Framing>(
    mut reader: FrameReader<R, F>,
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    loop {
        match reader.read_frame_owned() {
            Ok(Some(frame)) => frames.push((frame.header, frame.payload)),
            Ok(None) => return (frames, Ok(())),
            Err(e) => {
                let again = reader.read_frame_owned().map_err(inner);
                return (frames, sticky(inner(e), again, "read_frame_owned"));
            }
        }
    }
}

fn frames_iter<R: Read, F: Framing>(mut reader: FrameReader<R, F>) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    for frame in reader.frames() {
        match frame {
            Ok(frame) => frames.push((frame.header, frame.payload)),
            Err(e) => {
                let e = inner(e);
                // The iterator ends after an error; the reader stays failed.
                let again = reader.read_frame_owned().map_err(inner);
                return (frames, sticky(e, again, "frames"));
            }
        }
    }
    (frames, Ok(()))
}

#[derive(Clone, Copy)]
enum Body {
    Read,
    Copy,
    Discard,
}

/// `read_header`, then the body by `read_body` (7 bytes at a time), or
/// `discard_body` (a payload of zeros of the length discarded); or
/// `read_header_owned`, then `copy_body_to`. A failure inside a body is checked sticky by the next
/// `read_header`, the next call a caller makes.
fn read_bodies<R: Read, F: Framing>(
    mut reader: FrameReader<R, F>,
    how: Body,
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    loop {
        let step = match how {
            Body::Copy => reader.read_header_owned(),
            _ => reader
                .read_header()
                .map(|h| h.map(|(header, body_len)| (header.to_owned_header(), body_len))),
        };
        let (header, body_len) = match step {
            Ok(Some(owned)) => owned,
            Ok(None) => return (frames, Ok(())),
            Err(e) => {
                let again = reader.read_header().map(|_| ()).map_err(inner);
                return (frames, sticky(inner(e), again, "read_header"));
            }
        };
        let mut body = Vec::new();
        let result = match how {
            Body::Read => (|| loop {
                let mut buf = [0; 7];
                match reader.read_body(&mut buf)? {
                    0 => return Ok(()),
                    n => body.extend_from_slice(&buf[..n]),
                }
            })(),
            Body::Copy => reader
                .copy_body_to(&mut body)
                .map(|n| assert_eq!(n, body_len)),
            Body::Discard => reader.discard_body().map(|n| body = vec![0; n as usize]),
        };
        if let Err(e) = result {
            let again = reader.read_header().map(|_| ()).map_err(inner);
            return (frames, sticky(inner(e), again, "read_header after a body"));
        }
        assert_eq!(body.len() as u64, body_len);
        frames.push((header, body));
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

/// Feeds `stream` one byte at a time to `Decoder::decode` (taking frames as
/// they complete): how many bytes had been fed when it failed, and the
/// error. Shows an error comes as soon as the offending byte arrives.
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

/// Feeds `stream` one byte at a time through `Decoder::decode`,
/// `decode_event`, `FrameBuffer` and `FrameReader`: for each, the bytes the
/// framing examined and its calls, as `counter` (shared with the framing)
/// says.
pub fn examined_one_byte_at_a_time<F: Framing + Clone>(
    framing: &F,
    limits: Limits,
    counter: &Counter,
    stream: &[u8],
) -> Vec<(&'static str, usize, usize)> {
    let decoder = || Decoder::with_limits(framing.clone(), limits);
    let pieces: Vec<&[u8]> = stream.chunks(1).collect();
    let measure = |api: &'static str, run: &dyn Fn()| {
        counter.reset();
        run();
        (api, counter.bytes(), counter.calls())
    };
    vec![
        measure("Decoder::decode", &|| drop(via_decode(decoder(), &pieces))),
        measure("Decoder::decode_event", &|| {
            drop(via_events(decoder(), &pieces))
        }),
        measure("FrameBuffer::next_frame", &|| {
            drop(buffer_next_frame(FrameBuffer::new(decoder()), &pieces))
        }),
        measure("FrameReader::read_frame", &|| {
            drop(read_frames(FrameReader::with_decoder(
                OneByte(stream),
                decoder(),
            )))
        }),
    ]
}

/// `F` with its scan thrown away after every call: a framing that rescans
/// its header from the start each time, to show what the counter would
/// catch.
#[derive(Clone)]
pub struct Forgetful<F>(pub F);

impl<F: Framing> Framing for Forgetful<F> {
    type Scan = ();
    type Meta = F::Meta;
    type Header<'a> = F::Header<'a>;
    type OwnedHeader = F::OwnedHeader;

    fn parse_header(
        &self,
        input: &[u8],
        _: &mut (),
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<sockframe::Head<F::Meta>>, Error> {
        self.0
            .parse_header(input, &mut F::Scan::default(), offset, limits)
    }

    fn header<'a>(&self, header: &'a [u8], head: &sockframe::Head<F::Meta>) -> F::Header<'a> {
        self.0.header(header, head)
    }

    fn check_trailer(&self, trailer: &[u8], offset: u64) -> Result<(), Error> {
        self.0.check_trailer(trailer, offset)
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        self.0.max_header_len(limits)
    }
}
