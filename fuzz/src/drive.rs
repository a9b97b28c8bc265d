//! Drivers: one stream, cut into given pieces, through every decoding API,
//! checking each call's promises on the way and the result against the
//! model at the end.

use std::fmt::Debug;
use std::num::NonZeroUsize;

use serde_json::{Map, Value};
use sockframe::{
    Ascii, Binary, Decoder, Encode, Endian, Error, Event, FrameBuffer, Framing, Json, JsonHeader,
    Limits, Needed, OwnedJsonHeader, Signedness, Skipped, Status,
};

use super::model::{self, Api, Layout, ModelFrame, Outcome, Prefix};
use super::spec::Sent;

/// A framing the drivers can run and the model can describe.
pub trait Subject: Framing + Encode + Clone + Debug {
    /// The framing as the model sees it.
    fn layout(&self) -> Layout;

    /// The JSON text of a decoded header (`None` for length-only framings),
    /// after checking that the header announces `body_len` and that the
    /// application can read it.
    fn header_text(&self, header: &<Self as Framing>::Header<'_>, body_len: u64)
        -> Option<Vec<u8>>;

    /// [`header_text`](Subject::header_text) of an owned header.
    fn owned_header_text(
        &self,
        header: &<Self as Framing>::OwnedHeader,
        body_len: u64,
    ) -> Option<Vec<u8>>;

    /// Encodes a frame, with `fields` in the header if it has room for them.
    fn send(&self, payload: &[u8], fields: &Map<String, Value>) -> Result<Sent, Error>;
}

/// A length-only frame.
fn send_plain<E: Encode>(framing: &E, payload: &[u8]) -> Result<Sent, Error> {
    let header = framing.encode_header_for(payload)?;
    let header = header.as_ref();
    let mut wire = header.to_vec();
    wire.extend_from_slice(payload);
    assert_eq!(wire, framing.encode_to_vec(payload)?);
    Ok(Sent {
        wire,
        header_len: header.len(),
        prefix_len: header.len(),
        json_text: None,
        payload_len: payload.len(),
    })
}

fn prefix_of(binary: &Binary) -> Prefix {
    Prefix {
        width: binary.width().bytes(),
        big_endian: match binary.endian() {
            Endian::Big => true,
            Endian::Little => false,
            Endian::Native => cfg!(target_endian = "big"),
        },
        signed: binary.signedness() == Signedness::Signed,
    }
}

impl Subject for Ascii {
    fn layout(&self) -> Layout {
        Layout::Ascii {
            width: self.width(),
        }
    }

    fn header_text(&self, _header: &(), _body_len: u64) -> Option<Vec<u8>> {
        None
    }

    fn owned_header_text(&self, _header: &(), _body_len: u64) -> Option<Vec<u8>> {
        None
    }

    fn send(&self, payload: &[u8], _fields: &Map<String, Value>) -> Result<Sent, Error> {
        send_plain(self, payload)
    }
}

impl Subject for Binary {
    fn layout(&self) -> Layout {
        Layout::Binary(prefix_of(self))
    }

    fn header_text(&self, _header: &(), _body_len: u64) -> Option<Vec<u8>> {
        None
    }

    fn owned_header_text(&self, _header: &(), _body_len: u64) -> Option<Vec<u8>> {
        None
    }

    fn send(&self, payload: &[u8], _fields: &Map<String, Value>) -> Result<Sent, Error> {
        send_plain(self, payload)
    }
}

impl Subject for Json {
    fn layout(&self) -> Layout {
        Layout::Json {
            prefix: prefix_of(&self.prefix()),
            key: self.size_key().to_owned(),
        }
    }

    fn header_text(&self, header: &JsonHeader<'_>, body_len: u64) -> Option<Vec<u8>> {
        assert_eq!(header.body_len(), body_len, "JSON header body_len");
        assert_eq!(header.as_str().as_bytes(), header.as_bytes());
        // Every header the decoder accepts must reach the application.
        let map = header
            .to_map()
            .unwrap_or_else(|e| panic!("accepted header {:?}: to_map: {e}", header.as_str()));
        assert_eq!(
            map.get(self.size_key()).and_then(Value::as_u64),
            Some(body_len),
            "size key in {:?}",
            header.as_str()
        );
        Some(header.as_bytes().to_vec())
    }

    fn owned_header_text(&self, header: &OwnedJsonHeader, body_len: u64) -> Option<Vec<u8>> {
        self.header_text(&header.as_header(), body_len)
    }

    fn send(&self, payload: &[u8], fields: &Map<String, Value>) -> Result<Sent, Error> {
        let header = self.encode_header_with(fields, payload.len())?;
        let prefix_len = self.prefix().width().bytes();
        let mut wire = header.clone();
        wire.extend_from_slice(payload);
        Ok(Sent {
            wire,
            header_len: header.len(),
            prefix_len,
            json_text: Some(header[prefix_len..].to_vec()),
            payload_len: payload.len(),
        })
    }
}

/// The longest header a layout allows under `limits`.
pub fn max_header_len(layout: &Layout, limits: &Limits) -> usize {
    match layout {
        Layout::Ascii { width } => *width,
        Layout::Binary(prefix) => prefix.width,
        Layout::Json { prefix, .. } => prefix.width.saturating_add(limits.max_header),
    }
}

/// Cuts `stream` into pieces of the given sizes, cycling through them; `0`
/// makes an empty piece. Whatever a cycle of zeros cannot cut is one piece.
pub fn cut<'a>(stream: &'a [u8], sizes: &[usize]) -> Vec<&'a [u8]> {
    let mut pieces = Vec::new();
    let mut at = 0;
    if sizes.iter().any(|&s| s > 0) {
        'outer: loop {
            for &size in sizes {
                if at == stream.len() {
                    break 'outer;
                }
                let end = at + size.min(stream.len() - at);
                pieces.push(&stream[at..end]);
                at = end;
            }
        }
    }
    if at < stream.len() || pieces.is_empty() {
        pieces.push(&stream[at..]);
    }
    pieces
}

/// What a driver saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Whole frames, in order.
    pub frames: Vec<ModelFrame>,
    /// The first error, or the result of `finish`.
    pub end: Result<(), Error>,
}

/// What the previous `Partial` promised about the next call.
struct Promise {
    needed: Needed,
    fed_then: usize,
}

impl Promise {
    /// Checks a whole-frame status against the promise: with `Exact(n)`, n
    /// more bytes complete the frame and fewer leave exactly the rest
    /// missing; with `AtLeast(n)`, fewer than n bytes cannot complete it.
    fn check<T>(&self, fed_now: usize, status: &Status<T>) {
        let added = fed_now - self.fed_then;
        match (self.needed, status) {
            (Needed::Exact(n), Status::Complete(_)) => {
                assert!(
                    added >= n.get(),
                    "completed with {added} of {n} exact bytes"
                )
            }
            (Needed::Exact(n), Status::Partial(now)) => {
                assert!(added < n.get(), "{n} exact bytes added, still partial");
                assert_eq!(now.bytes(), n.get() - added, "exact count after {added}");
                assert!(matches!(now, Needed::Exact(_)));
            }
            (Needed::AtLeast(n), Status::Complete(_)) => {
                assert!(added >= n.get(), "completed with {added} of at least {n}")
            }
            (Needed::AtLeast(n), Status::Partial(now)) => {
                if added < n.get() {
                    let left = NonZeroUsize::new(n.get() - added).expect("added < n");
                    assert_eq!(*now, Needed::AtLeast(left), "after {added} of at least {n}");
                }
            }
        }
    }
}

/// Checks that a failed decoder keeps failing the same way, whatever it is
/// asked next.
fn check_sticky<F: Framing>(decoder: &mut Decoder<F>, input: &[u8], error: &Error) {
    assert_eq!(decoder.error(), Some(error), "error() after {error:?}");
    assert!(!decoder.is_idle());
    assert_eq!(decoder.decode(input).err().as_ref(), Some(error), "decode");
    assert_eq!(
        decoder.poll_frame(input).err().as_ref(),
        Some(error),
        "poll"
    );
    assert_eq!(
        decoder.decode_event(input).err().as_ref(),
        Some(error),
        "event"
    );
    assert_eq!(decoder.finish(input).err().as_ref(), Some(error), "finish");
    assert_eq!(decoder.decode(&[]).err().as_ref(), Some(error), "decode []");
}

fn check_frame_bytes(layout: &Layout, limits: &Limits, raw: &[u8], payload: &[u8]) {
    assert!(
        raw.ends_with(payload),
        "payload is the end of the raw frame"
    );
    assert!(
        payload.len() as u64 <= limits.max_frame,
        "frame over the limit"
    );
    assert!(raw.len() - payload.len() <= max_header_len(layout, limits));
}

/// `Decoder::decode`, the caller keeping the unconsumed bytes.
pub fn via_decode<S: Subject>(framing: &S, limits: Limits, pieces: &[&[u8]]) -> Decoded {
    let layout = framing.layout();
    let mut decoder = Decoder::with_limits(framing.clone(), limits);
    let mut frames = Vec::new();
    let mut pending = Vec::new();
    let (mut fed, mut consumed) = (0, 0);
    let mut promise: Option<Promise> = None;
    for piece in pieces {
        pending.extend_from_slice(piece);
        fed += piece.len();
        loop {
            let status = match decoder.decode(&pending) {
                Ok(status) => status.map(|(frame, used)| {
                    assert!(used <= pending.len(), "consumed more than given");
                    assert_eq!(frame.raw(), &pending[..used]);
                    check_frame_bytes(&layout, &limits, frame.raw(), frame.payload());
                    let payload_len = frame.payload().len() as u64;
                    let header = framing.header_text(frame.header(), payload_len);
                    let payload = frame.payload().to_vec();
                    (ModelFrame { header, payload }, used)
                }),
                Err(e) => {
                    check_sticky(&mut decoder, &pending, &e);
                    return Decoded {
                        frames,
                        end: Err(e),
                    };
                }
            };
            if let Some(promise) = &promise {
                promise.check(fed, &status);
            }
            match status {
                Status::Complete((frame, used)) => {
                    frames.push(frame);
                    pending.drain(..used);
                    consumed += used;
                    assert_eq!(decoder.offset(), consumed as u64);
                    assert!(decoder.is_idle());
                    promise = None;
                }
                Status::Partial(needed) => {
                    promise = Some(Promise {
                        needed,
                        fed_then: fed,
                    });
                    break;
                }
            }
        }
    }
    assert_eq!(consumed + pending.len(), fed, "consumed + unconsumed = fed");
    let end = decoder.finish(&pending);
    if let Err(e) = &end {
        check_sticky(&mut decoder, &pending, e);
    }
    Decoded { frames, end }
}

/// An [`Event`] copied out of the input.
#[derive(Debug)]
enum OwnedEvent {
    Header {
        text: Option<Vec<u8>>,
        body_len: u64,
    },
    Body(Vec<u8>),
    End,
}

impl OwnedEvent {
    fn of<S: Subject>(framing: &S, event: Event<'_, <S as Framing>::Header<'_>>) -> Self {
        match event {
            Event::Header { header, body_len } => OwnedEvent::Header {
                text: framing.header_text(&header, body_len),
                body_len,
            },
            Event::Body(chunk) => OwnedEvent::Body(chunk.to_vec()),
            Event::End => OwnedEvent::End,
        }
    }
}

/// Collects `decode_event` steps into frames.
struct EventFrames {
    frames: Vec<ModelFrame>,
    current: Option<(ModelFrame, u64)>,
}

impl EventFrames {
    fn new() -> Self {
        EventFrames {
            frames: Vec::new(),
            current: None,
        }
    }

    fn take(&mut self, event: OwnedEvent, limits: &Limits) {
        match event {
            OwnedEvent::Header { text, body_len } => {
                assert!(self.current.is_none(), "header inside a frame");
                assert!(body_len <= limits.max_streamed_body, "body over the limit");
                let frame = ModelFrame {
                    header: text,
                    payload: Vec::new(),
                };
                self.current = Some((frame, body_len));
            }
            OwnedEvent::Body(chunk) => {
                let (frame, body_len) = self.current.as_mut().expect("body outside a frame");
                assert!(!chunk.is_empty(), "empty body chunk");
                frame.payload.extend_from_slice(&chunk);
                assert!(frame.payload.len() as u64 <= *body_len, "body too long");
            }
            OwnedEvent::End => {
                let (frame, body_len) = self.current.take().expect("end outside a frame");
                assert_eq!(frame.payload.len() as u64, body_len, "body length at End");
                self.frames.push(frame);
            }
        }
    }
}

/// `Decoder::decode_event`, bytes consumed as they are reported.
pub fn via_events<S: Subject>(framing: &S, limits: Limits, pieces: &[&[u8]]) -> Decoded {
    let mut decoder = Decoder::with_limits(framing.clone(), limits);
    let mut out = EventFrames::new();
    let mut pending = Vec::new();
    let (mut fed, mut consumed) = (0, 0);
    let mut promise: Option<Promise> = None;
    for piece in pieces {
        pending.extend_from_slice(piece);
        fed += piece.len();
        loop {
            let remaining_before = decoder.body_remaining();
            let status = match decoder.decode_event(&pending) {
                Ok(status) => status.map(|(event, used)| (OwnedEvent::of(framing, event), used)),
                Err(e) => {
                    check_sticky(&mut decoder, &pending, &e);
                    return Decoded {
                        frames: out.frames,
                        end: Err(e),
                    };
                }
            };
            if let Some(Promise {
                needed: Needed::AtLeast(n),
                fed_then,
            }) = promise
            {
                if fed - fed_then < n.get() {
                    assert!(status.is_partial(), "header complete too early");
                }
            }
            match status {
                Status::Complete((event, used)) => {
                    assert!(used <= pending.len(), "consumed more than given");
                    match (&event, remaining_before) {
                        (OwnedEvent::Body(chunk), Some(remaining)) => {
                            assert_eq!(chunk.len(), used);
                            assert_eq!(chunk, &pending[..used]);
                            assert_eq!(decoder.body_remaining(), Some(remaining - used as u64));
                        }
                        (OwnedEvent::End, Some(0)) => assert_eq!(used, 0),
                        (OwnedEvent::Header { body_len, .. }, None) => {
                            assert!(used > 0);
                            assert_eq!(decoder.body_remaining(), Some(*body_len));
                        }
                        (event, remaining) => panic!("{event:?} with {remaining:?} body due"),
                    }
                    out.take(event, &limits);
                    pending.drain(..used);
                    consumed += used;
                    assert_eq!(decoder.offset(), consumed as u64);
                    promise = None;
                }
                Status::Partial(needed) => {
                    if let Some(remaining) = remaining_before {
                        assert!(pending.is_empty(), "partial with body bytes at hand");
                        assert_eq!(needed.bytes() as u64, remaining.min(usize::MAX as u64));
                    }
                    promise = Some(Promise {
                        needed,
                        fed_then: fed,
                    });
                    break;
                }
            }
        }
    }
    assert_eq!(consumed + pending.len(), fed, "consumed + unconsumed = fed");
    let end = decoder.finish(&pending);
    if let Err(e) = &end {
        check_sticky(&mut decoder, &pending, e);
    }
    Decoded {
        frames: out.frames,
        end,
    }
}

/// Checks on a [`FrameBuffer`]'s memory: it never holds more than one frame
/// of the largest allowed size plus the largest piece, and otherwise grows
/// with the bytes that arrived, not with lengths announced.
struct MemoryCheck {
    bound: usize,
    peak_buffered: usize,
}

/// The buffer's smallest allocation (`MIN_GROWTH` in src/buffer.rs): tiny
/// streams may make it allocate this much at once.
const SMALLEST_ALLOCATION: usize = 4096;

impl MemoryCheck {
    fn new(layout: &Layout, limits: &Limits, pieces: &[&[u8]]) -> Self {
        let largest_piece = pieces.iter().map(|p| p.len()).max().unwrap_or(0);
        let bound = usize::try_from(limits.max_frame)
            .unwrap_or(usize::MAX)
            .saturating_add(max_header_len(layout, limits))
            .saturating_add(largest_piece);
        MemoryCheck {
            bound,
            peak_buffered: 0,
        }
    }

    fn check<F: Framing>(&mut self, buffer: &FrameBuffer<F>) {
        self.peak_buffered = self.peak_buffered.max(buffer.len());
        let capacity = buffer.capacity();
        assert!(
            capacity <= self.bound,
            "capacity {capacity} over max frame + max header + largest piece = {}",
            self.bound
        );
        assert!(
            capacity <= SMALLEST_ALLOCATION.max(2 * self.peak_buffered),
            "capacity {capacity} for at most {} bytes buffered",
            self.peak_buffered
        );
    }
}

/// Pushes a piece: by copy, or straight into the spare capacity.
fn feed<F: Framing>(buffer: &mut FrameBuffer<F>, piece: &[u8], by_copy: bool) {
    let before = buffer.len();
    if by_copy {
        buffer.push(piece);
    } else {
        let spare = buffer.unfilled(piece.len());
        assert!(spare.len() >= piece.len());
        spare[..piece.len()].copy_from_slice(piece);
        buffer.commit(piece.len());
    }
    assert_eq!(buffer.len(), before + piece.len());
}

fn check_buffer_sticky<F: Framing>(buffer: &mut FrameBuffer<F>, error: &Error) {
    assert_eq!(buffer.decoder().error(), Some(error));
    assert_eq!(buffer.poll_frame().err().as_ref(), Some(error));
    assert_eq!(buffer.next_frame().err().as_ref(), Some(error));
    assert_eq!(buffer.next_event().err().as_ref(), Some(error));
    assert_eq!(buffer.finish().err().as_ref(), Some(error));
    buffer.push(b"0000");
    assert_eq!(buffer.next_frame().err().as_ref(), Some(error));
}

/// [`FrameBuffer::poll_frame`] then [`FrameBuffer::next_frame`].
pub fn via_buffer<S: Subject>(framing: &S, limits: Limits, pieces: &[&[u8]]) -> Decoded {
    let layout = framing.layout();
    let mut memory = MemoryCheck::new(&layout, &limits, pieces);
    let mut buffer = FrameBuffer::new(Decoder::with_limits(framing.clone(), limits));
    let mut frames = Vec::new();
    let (mut fed, mut consumed) = (0, 0);
    let mut promise: Option<Promise> = None;
    for (i, piece) in pieces.iter().enumerate() {
        feed(&mut buffer, piece, i % 2 == 0);
        fed += piece.len();
        memory.check(&buffer);
        loop {
            let status = match buffer.poll_frame() {
                Ok(status) => status,
                Err(e) => {
                    check_buffer_sticky(&mut buffer, &e);
                    return Decoded {
                        frames,
                        end: Err(e),
                    };
                }
            };
            if let Some(promise) = &promise {
                promise.check(fed, &status);
            }
            let Status::Complete(frame_len) = status else {
                let Status::Partial(needed) = status else {
                    unreachable!()
                };
                promise = Some(Promise {
                    needed,
                    fed_then: fed,
                });
                assert!(matches!(buffer.next_frame(), Ok(None)));
                break;
            };
            promise = None;
            let frame = buffer
                .next_frame()
                .expect("poll_frame said complete")
                .expect("poll_frame said complete");
            assert_eq!(frame.raw().len(), frame_len);
            check_frame_bytes(&layout, &limits, frame.raw(), frame.payload());
            let payload_len = frame.payload().len() as u64;
            frames.push(ModelFrame {
                header: framing.header_text(frame.header(), payload_len),
                payload: frame.payload().to_vec(),
            });
            drop(frame);
            consumed += frame_len;
            assert_eq!(buffer.decoder().offset(), consumed as u64);
            assert_eq!(buffer.len() + consumed, fed);
        }
    }
    let end = buffer.finish();
    if let Err(e) = &end {
        check_buffer_sticky(&mut buffer, e);
    }
    Decoded { frames, end }
}

/// [`FrameBuffer::next_event`].
pub fn via_buffer_events<S: Subject>(framing: &S, limits: Limits, pieces: &[&[u8]]) -> Decoded {
    let layout = framing.layout();
    let mut memory = MemoryCheck::new(&layout, &limits, pieces);
    let mut buffer = FrameBuffer::new(Decoder::with_limits(framing.clone(), limits));
    let mut out = EventFrames::new();
    let mut fed = 0;
    for (i, piece) in pieces.iter().enumerate() {
        feed(&mut buffer, piece, i % 2 == 1);
        fed += piece.len();
        memory.check(&buffer);
        loop {
            let step = match buffer.next_event() {
                Ok(Some(event)) => {
                    out.take(OwnedEvent::of(framing, event), &limits);
                    Ok(true)
                }
                Ok(None) => Ok(false),
                Err(e) => Err(e),
            };
            match step {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    check_buffer_sticky(&mut buffer, &e);
                    return Decoded {
                        frames: out.frames,
                        end: Err(e),
                    };
                }
            }
            assert_eq!(buffer.len() as u64 + buffer.decoder().offset(), fed as u64);
        }
    }
    let end = buffer.finish();
    if let Err(e) = &end {
        check_buffer_sticky(&mut buffer, e);
    }
    Decoded {
        frames: out.frames,
        end,
    }
}

/// [`FrameBuffer::skip_frames`] after every piece: the totals of the frames
/// skipped and how the stream ended.
pub fn via_skip<S: Subject>(
    framing: &S,
    limits: Limits,
    pieces: &[&[u8]],
) -> (Skipped, Result<(), Error>) {
    let layout = framing.layout();
    let mut memory = MemoryCheck::new(&layout, &limits, pieces);
    let mut buffer = FrameBuffer::new(Decoder::with_limits(framing.clone(), limits));
    let mut total = Skipped::default();
    let mut fed = 0;
    for (i, piece) in pieces.iter().enumerate() {
        feed(&mut buffer, piece, i % 2 == 0);
        fed += piece.len();
        memory.check(&buffer);
        loop {
            match buffer.skip_frames() {
                Ok(skipped) if skipped.frames == 0 => {
                    assert_eq!(skipped, Skipped::default());
                    break;
                }
                Ok(skipped) => total.add(skipped),
                Err(e) => {
                    check_buffer_sticky(&mut buffer, &e);
                    return (total, Err(e));
                }
            }
            assert_eq!(buffer.decoder().offset(), total.stream_bytes);
            assert_eq!(buffer.len() as u64 + total.stream_bytes, fed as u64);
        }
    }
    let end = buffer.finish();
    if let Err(e) = &end {
        check_buffer_sticky(&mut buffer, e);
    }
    (total, end)
}

/// Runs `stream`, cut by `sizes`, through every API, and checks each
/// against the model. Returns the model's outcome for whole frames.
pub fn check_stream<S: Subject>(
    framing: &S,
    limits: Limits,
    stream: &[u8],
    sizes: &[usize],
) -> Outcome {
    let layout = framing.layout();
    let whole = model::decode(&layout, &limits, stream, Api::WholeFrames);
    let streamed = model::decode(&layout, &limits, stream, Api::Events);
    let pieces = cut(stream, sizes);
    type Driver<S> = fn(&S, Limits, &[&[u8]]) -> Decoded;
    let runs: [(&str, Driver<S>, &Outcome); 4] = [
        ("decode", via_decode::<S>, &whole),
        ("decode_event", via_events::<S>, &streamed),
        ("FrameBuffer::next_frame", via_buffer::<S>, &whole),
        ("FrameBuffer::next_event", via_buffer_events::<S>, &streamed),
    ];
    for (api, run, expected) in runs {
        let got = run(framing, limits, &pieces);
        assert_eq!(
            got.frames, expected.frames,
            "{api}: frames differ from the model ({framing:?}, {limits:?})"
        );
        assert!(
            expected.end_matches(&got.end),
            "{api}: ended with {:?}, the model says {:?} ({framing:?}, {limits:?})",
            got.end,
            expected.end
        );
    }
    let (skipped, end) = via_skip(framing, limits, &pieces);
    let payload_bytes: usize = whole.frames.iter().map(|f| f.payload.len()).sum();
    assert_eq!(
        (skipped.frames, skipped.payload_bytes),
        (whole.frames.len() as u64, payload_bytes as u64),
        "skip_frames: totals differ from the model ({framing:?}, {limits:?})"
    );
    assert!(
        whole.end_matches(&end),
        "skip_frames: ended with {end:?}, the model says {:?} ({framing:?}, {limits:?})",
        whole.end
    );
    whole
}
