//! The bodies of sockframe's fuzz targets.
//!
//! Each target is a plain function over `&[u8]`, so that the root crate's
//! `tests/fuzz_replay.rs` runs the committed seeds and every past crash
//! through exactly the code libFuzzer runs. Structured input is read with
//! `arbitrary::Unstructured`; input too short for a case is not a failure.
//!
//! Every target asserts invariants, not only "does not crash": the
//! decoding APIs are driven by `sockframe::testing` (the kit sockframe
//! offers its users), which checks every call's promises and that the APIs
//! agree; what is specific to sockframe's framings is here: the model
//! decoders that say what the frames must be ([`model`],
//! [`framing_models`]), the input layouts ([`spec`], and each target's
//! own), and the checks of the encoders.

#![forbid(unsafe_code)]

pub mod check;
pub mod framing_models;
pub mod framings;
pub mod model;
pub mod spec;

pub use framings::{delimited, length_field, netstring, varint};

/// Runs generic code on whichever framing a [`spec::AnyFraming`] holds.
macro_rules! with_framing {
    ($any:expr, |$framing:ident| $body:expr) => {
        match $any {
            spec::AnyFraming::Ascii($framing) => $body,
            spec::AnyFraming::Binary($framing) => $body,
            spec::AnyFraming::Json($framing) => $body,
        }
    };
}

use arbitrary::{Arbitrary, Unstructured};
use serde_json::Value;
use sockframe::testing::{Options, Split, Step};
use sockframe::{Ascii, Decoder, Encode, Error, Event, Json, JsonFields, Limits, Status};

use check::{check_stream, Subject};
use model::{End, Layout, Outcome};
use spec::{
    expected_outcome, raw_limits, raw_sizes, FrameSpec, FramingSpec, LimitsSpec, ReadMode, ReadStep,
};

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target, by name, for the corpus replay.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode_ascii", decode_ascii),
    ("decode_binary", decode_binary),
    ("decode_json", decode_json),
    ("split_reassembly", split_reassembly),
    ("roundtrip", roundtrip),
    ("blocking_reader", blocking_reader),
    ("length_field", length_field),
    ("varint", varint),
    ("netstring", netstring),
    ("delimited", delimited),
];

/// Piece sizes, cycled (`0`: an empty piece), as a split.
pub fn split_of(sizes: &[usize]) -> Split {
    Split::from_steps(sizes.iter().map(|&size| Step::Bytes(size)))
}

/// The kit's options for the raw and split targets: the two payload
/// limits apart, as the input says, and the kit's lighter mode for
/// fuzzing (how the stream would end checked at a sample of the piece
/// ends).
fn limits_apart() -> Options {
    Options {
        limits_apart: true,
        sample_piece_ends: true,
        ..Options::default()
    }
}

/// Checks that re-encoding every decoded frame gives back the bytes it was
/// decoded from: length-only headers have one spelling per length.
fn check_reencodes<E: Encode>(framing: &E, outcome: &Outcome, stream: &[u8]) {
    let mut wire = Vec::new();
    for frame in &outcome.frames {
        framing
            .encode_into(&frame.payload, &mut wire)
            .expect("a decoded payload fits its header");
    }
    assert_eq!(wire, stream[..wire.len()], "encode(decode(bytes)) != bytes");
}

/// Raw bytes through the ASCII decoder. The first bytes pick the width,
/// the limits and the split; the rest is the stream.
pub fn decode_ascii(data: &[u8]) {
    let _ = (|| -> arbitrary::Result<()> {
        let mut u = Unstructured::new(data);
        let width = u.int_in_range(1..=Ascii::MAX_WIDTH)?;
        let limits = raw_limits(&mut u)?;
        let sizes = raw_sizes(&mut u)?;
        let stream = u.take_rest();
        let framing = Ascii::with_width(width).expect("width in range");
        let outcome = check_stream(&framing, limits, stream, &split_of(&sizes), &limits_apart());
        check_reencodes(&framing, &outcome, stream);
        Ok(())
    })();
}

/// Raw bytes through the binary decoder.
pub fn decode_binary(data: &[u8]) {
    let _ = (|| -> arbitrary::Result<()> {
        let mut u = Unstructured::new(data);
        let framing = spec::PrefixSpec::from_byte(u.arbitrary()?).binary();
        let limits = raw_limits(&mut u)?;
        let sizes = raw_sizes(&mut u)?;
        let stream = u.take_rest();
        let outcome = check_stream(&framing, limits, stream, &split_of(&sizes), &limits_apart());
        check_reencodes(&framing, &outcome, stream);
        Ok(())
    })();
}

/// Size keys for the raw JSON target.
const RAW_KEYS: [&str; 5] = ["data_size", "file_size", "", "a", "gr\u{f6}\u{df}e"];

/// Raw bytes through the JSON decoder.
pub fn decode_json(data: &[u8]) {
    let _ = (|| -> arbitrary::Result<()> {
        let mut u = Unstructured::new(data);
        let prefix = spec::PrefixSpec::from_byte(u.arbitrary()?).binary();
        let key = *u.choose(&RAW_KEYS)?;
        let limits = raw_limits(&mut u)?;
        let sizes = raw_sizes(&mut u)?;
        let stream = u.take_rest();
        let framing = Json::new().with_prefix(prefix).with_size_key(key);
        check_stream(&framing, limits, stream, &split_of(&sizes), &limits_apart());
        Ok(())
    })();
}

/// How a split-reassembly stream ends.
#[derive(Arbitrary, Debug, Clone)]
pub enum Tail {
    /// With the last frame.
    Whole,
    /// Cut short: the stream keeps `cut % len` bytes.
    CutShort(u32),
    /// Followed by arbitrary bytes.
    Junk(Vec<u8>),
}

/// A configuration, frames, a split schedule and an ending.
#[derive(Arbitrary, Debug, Clone)]
pub struct SplitCase {
    /// The framing.
    pub framing: FramingSpec,
    /// The limits.
    pub limits: LimitsSpec,
    /// The frames sent.
    pub frames: Vec<FrameSpec>,
    /// Piece sizes, cycled.
    pub sizes: Vec<u16>,
    /// The end of the stream.
    pub tail: Tail,
}

/// Frames encoded into one stream, cut at arbitrary points, come out of
/// every decoding API exactly as they went in; frames over the limits are
/// refused at their header; a stream cut short reports what it lacks.
pub fn split_reassembly(data: &[u8]) {
    let Ok(case) = SplitCase::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    with_framing!(case.framing.build(), |framing| split_case(&framing, &case));
}

/// Encodes `frames`, leaving out those the header cannot describe (and
/// checking that the encoder said so properly).
fn send_all<S: Subject>(framing: &S, frames: &[FrameSpec]) -> Vec<spec::Sent> {
    let mut sent = Vec::new();
    for frame in frames {
        match framing.send(&frame.payload, &frame.fields()) {
            Ok(s) => sent.push(s),
            Err(Error::PayloadTooLong { length, max }) => {
                assert_eq!(length, frame.payload.len() as u64);
                assert!(length > max);
            }
            // A JSON text too long for a 1- or 2-byte length prefix.
            Err(Error::HeaderTooLong { length, limit, .. }) => assert!(length > limit),
            Err(e) => panic!("encoding {frame:?}: {e}"),
        }
    }
    sent
}

/// A stream made of frames and an ending, and what it must decode to.
pub struct Built {
    /// The stream.
    pub stream: Vec<u8>,
    /// Its decoding, worked out from how it was built.
    pub expected: Outcome,
    /// Junk follows the frames: only the frames before it are known.
    pub junk_after: bool,
}

impl Built {
    /// Encodes `frames` (leaving out those the header cannot describe)
    /// and ends the stream as `tail` says.
    pub fn new<S: Subject>(
        framing: &S,
        limits: &Limits,
        frames: &[FrameSpec],
        tail: &Tail,
    ) -> Self {
        let sent = send_all(framing, frames);
        let mut stream: Vec<u8> = sent.iter().flat_map(|s| s.wire.iter().copied()).collect();
        let mut junk_after = false;
        let cut = match tail {
            Tail::Whole => stream.len(),
            Tail::CutShort(cut) => (*cut as usize).checked_rem(stream.len()).unwrap_or(0),
            Tail::Junk(junk) => {
                let whole = stream.len();
                stream.extend_from_slice(junk);
                junk_after = !junk.is_empty();
                whole
            }
        };
        let expected = expected_outcome(&sent, limits, cut);
        if !junk_after {
            stream.truncate(cut);
        }
        Built {
            stream,
            expected,
            junk_after,
        }
    }

    /// Checks a decoding of the stream against what it must be.
    pub fn check(&self, outcome: &Outcome) {
        if self.junk_after && self.expected.end == End::Clean {
            assert!(
                outcome.frames.starts_with(&self.expected.frames),
                "frames before the junk lost or changed"
            );
        } else {
            assert_eq!(*outcome, self.expected);
        }
    }
}

fn split_case<S: Subject>(framing: &S, case: &SplitCase) {
    let limits = case.limits.build();
    let built = Built::new(framing, &limits, &case.frames, &case.tail);
    let sizes: Vec<usize> = case.sizes.iter().map(|&s| usize::from(s)).collect();
    let outcome = check_stream(
        framing,
        limits,
        &built.stream,
        &split_of(&sizes),
        &limits_apart(),
    );
    built.check(&outcome);
}

/// Frames, an ending, a read script and how to take each frame.
#[derive(Arbitrary, Debug, Clone)]
pub struct ReaderCase {
    /// The framing.
    pub framing: FramingSpec,
    /// The limits.
    pub limits: LimitsSpec,
    /// The frames sent.
    pub frames: Vec<FrameSpec>,
    /// The end of the stream.
    pub tail: Tail,
    /// What each `read` of the source does, cycled.
    pub script: Vec<ReadStep>,
    /// How each frame is taken, cycled.
    pub modes: Vec<ReadMode>,
    /// The reader's read chunk.
    pub read_chunk: u16,
}

/// The blocking `FrameReader` over a source returning short reads,
/// `Interrupted`, `WouldBlock` and `TimedOut` at arbitrary points, frames
/// taken whole, owned, or as a header and a streamed body: the same frames
/// come out, nothing is lost across `WouldBlock`, the end or error is the
/// model's, errors are sticky, and the buffer stays within its bound.
pub fn blocking_reader(data: &[u8]) {
    let Ok(case) = ReaderCase::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    check_reader_case(&case);
}

/// The checks of [`blocking_reader`] on a case built by other means (the
/// property tests generate cases with proptest).
pub fn check_reader_case(case: &ReaderCase) {
    with_framing!(case.framing.build(), |framing| reader_case(&framing, case));
}

fn reader_case<S: Subject>(framing: &S, case: &ReaderCase) {
    // The reader mixes whole, streamed and skipped frames in one stream:
    // one limit for all, so one model fits (the core targets check the two
    // limits apart).
    let mut limits = case.limits.build();
    limits.max_streamed_body = limits.max_frame;
    let built = Built::new(framing, &limits, &case.frames, &case.tail);
    let split = Split::from_steps(case.script.iter().map(|step| step.step()));
    let modes = if case.modes.is_empty() {
        &[ReadMode::Frame][..]
    } else {
        &case.modes
    };
    let options = Options {
        limits_apart: false,
        read_chunk: Some(usize::from(case.read_chunk).max(1)),
        takes: modes.iter().map(|mode| mode.take()).collect(),
        sample_piece_ends: true,
    };
    // Every API, and a reader taking the frames in turn as the case says,
    // against the model; the model against how the stream was built.
    let model = check_stream(framing, limits, &built.stream, &split, &options);
    built.check(&model);
}

/// Encoder inputs.
#[derive(Arbitrary, Debug, Clone)]
pub struct RoundtripCase {
    /// The framing.
    pub framing: FramingSpec,
    /// Payloads (and JSON fields) to encode.
    pub frames: Vec<FrameSpec>,
    /// Lengths to write headers for, without payloads.
    pub lengths: Vec<u64>,
    /// Bytes already in the output buffer.
    pub lead: Vec<u8>,
}

/// Encoders: the header describes the payload or the encoder refuses with
/// `PayloadTooLong`; decode(encode(x)) == x; JSON headers keep every field
/// and re-encode to the same bytes.
pub fn roundtrip(data: &[u8]) {
    let Ok(case) = RoundtripCase::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    let framing = case.framing.build();
    with_framing!(&framing, |framing| roundtrip_case(framing, &case));
    if let (spec::AnyFraming::Json(json), FramingSpec::Json { compact, .. }) =
        (&framing, &case.framing)
    {
        json_roundtrip(json, *compact, &case);
    }
}

/// The longest payload a length-only header describes, from its layout.
fn layout_max_len(layout: &Layout) -> Option<u64> {
    match layout {
        Layout::Ascii { width } => Some(10u64.pow(*width as u32) - 1),
        Layout::Binary(prefix) => {
            let bits = 8 * prefix.width as u32 - u32::from(prefix.signed);
            Some(u64::MAX >> (64 - bits))
        }
        Layout::Json { .. } => None,
    }
}

/// A JSON text too long for its length prefix (a long size key and a
/// 1-byte prefix) is refused, not truncated.
fn check_json_header_too_long<S: Subject>(framing: &S, length: u64, limit: u64) {
    let Layout::Json { prefix, .. } = framing.layout() else {
        panic!("HeaderTooLong from a length-only encoder");
    };
    let bits = 8 * prefix.width as u32 - u32::from(prefix.signed);
    assert_eq!(limit, u64::MAX >> (64 - bits));
    assert!(length > limit);
}

fn roundtrip_case<S: Subject>(framing: &S, case: &RoundtripCase) {
    let max_len = layout_max_len(&framing.layout());
    let any_length = Limits::new()
        .max_frame(u64::MAX)
        .max_streamed_body(u64::MAX);
    for &length in &case.lengths {
        let Ok(len) = usize::try_from(length) else {
            continue;
        };
        let header = match framing.encode_header(len) {
            Ok(header) => header,
            Err(Error::PayloadTooLong { length: l, max }) => {
                assert_eq!((l, Some(max)), (length, max_len));
                assert!(length > max);
                continue;
            }
            Err(Error::HeaderTooLong { length, limit, .. }) => {
                check_json_header_too_long(framing, length, limit);
                continue;
            }
            Err(e) => panic!("header for {length}: {e}"),
        };
        if let Some(max) = max_len {
            assert!(length <= max);
        }
        let header = header.as_ref().to_vec();
        let mut decoder = Decoder::with_limits(framing.clone(), any_length);
        match decoder.decode_event(&header) {
            Ok(Status::Complete((
                Event::Header {
                    header: h,
                    body_len,
                },
                used,
            ))) => {
                assert_eq!((body_len, used), (length, header.len()));
                framing.header_text(&h, body_len);
            }
            Ok(_) => panic!("header for {length}: no header event"),
            Err(e) => panic!("header for {length}: {e}"),
        };
    }
    for frame in &case.frames {
        let payload = &frame.payload;
        let wire = match framing.encode_to_vec(payload) {
            Ok(wire) => wire,
            Err(Error::PayloadTooLong { length, max }) => {
                assert_eq!((length, Some(max)), (payload.len() as u64, max_len));
                assert!(length > max);
                assert!(framing.encode_header(payload.len()).is_err());
                continue;
            }
            Err(Error::HeaderTooLong { length, limit, .. }) => {
                check_json_header_too_long(framing, length, limit);
                continue;
            }
            Err(e) => panic!("encoding {} bytes: {e}", payload.len()),
        };
        let header = framing.encode_header(payload.len()).expect("as above");
        assert_eq!(wire[..wire.len() - payload.len()], *header.as_ref());
        assert_eq!(wire[header.as_ref().len()..], payload[..]);
        let mut out = case.lead.clone();
        framing.encode_into(payload, &mut out).expect("as above");
        assert_eq!(out[..case.lead.len()], case.lead[..]);
        assert_eq!(out[case.lead.len()..], wire[..]);

        let mut decoder = Decoder::with_limits(framing.clone(), any_length);
        match decoder.decode(&wire) {
            Ok(Status::Complete((decoded, used))) => {
                assert_eq!(used, wire.len());
                assert_eq!(decoded.payload(), &payload[..]);
                assert_eq!(decoded.raw(), &wire[..]);
                framing.header_text(decoded.header(), payload.len() as u64);
            }
            Ok(_) => panic!("decoding {wire:?}: partial"),
            Err(e) => panic!("decoding {wire:?}: {e}"),
        }
        assert_eq!(decoder.finish(&[]), Ok(()));
    }
}

/// JSON headers with fields: every field arrives; the header the decoder
/// saw re-encodes to the same bytes; compact headers are serde_json's own
/// spelling; Python-style headers are ASCII, as `json.dumps` writes them.
fn json_roundtrip(json: &Json, compact: bool, case: &RoundtripCase) {
    for frame in &case.frames {
        let fields = frame.fields();
        let header = match json.encode_header_with(&fields, frame.payload.len()) {
            Ok(header) => header,
            Err(Error::HeaderTooLong { length, limit, .. }) => {
                assert!(length > limit);
                assert_eq!(limit, json.prefix().max_len());
                continue;
            }
            Err(e) => panic!("header of {fields:?}: {e}"),
        };
        // The fields in the order they serialize (a map's), the size key
        // in place if present, else last: as Python's `header[key] = n`.
        let size = Value::from(frame.payload.len());
        let mut ordered: Vec<(String, Value)> = fields.clone().into_iter().collect();
        match ordered.iter_mut().find(|(key, _)| key == json.size_key()) {
            Some((_, value)) => *value = size,
            None => ordered.push((json.size_key().to_owned(), size)),
        }
        let expected = JsonFields::from(ordered);
        let text = &header[json.prefix().width().bytes()..];
        if compact {
            let spelled = serde_json::to_vec(&expected).expect("a map serializes");
            assert_eq!(
                text,
                &spelled[..],
                "compact header is serde_json's spelling"
            );
        } else {
            assert!(text.is_ascii(), "Python-style header is ASCII");
        }
        let mut wire = header.clone();
        wire.extend_from_slice(&frame.payload);
        let mut decoder = Decoder::with_limits(json.clone(), Limits::new().max_frame(u64::MAX));
        let Ok(Status::Complete((decoded, used))) = decoder.decode(&wire) else {
            panic!("decoding {wire:?}");
        };
        assert_eq!(used, wire.len());
        assert_eq!(decoded.payload(), &frame.payload[..]);
        let got = decoded.header().fields().expect("a decoded header");
        assert_eq!(got, expected, "fields lost, changed or moved");
        let again = json
            .encode_header_with(&got, frame.payload.len())
            .expect("encoded once");
        assert_eq!(again, header, "encode(decode(header)) != header");
    }
}
