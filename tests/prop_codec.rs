//! Properties of the encoders and of the decoders on bad input, for every
//! framing in every configuration:
//!
//! - round trip: decode(encode(x)) == x, JSON fields included; and
//!   encode(decode(bytes)) == bytes for canonical bytes, built here by hand
//!   the way the Python peers build them;
//! - the decoders agree with a tiny model decoder (`fuzz/src/model.rs`) on
//!   valid streams with bytes changed, cut short or left whole;
//! - arbitrary bytes, under limits from 0 to `u64::MAX`, never panic, never
//!   consume more than given, and end in a typed error that is sticky.
//!
//! Every stream goes through every decoding API by `sockframe::testing`
//! (`check_stream` in `fuzz/src/check.rs`), which checks each call's
//! promises; the model says what they must all yield.
#![cfg(all(feature = "testing", feature = "json"))]

#[allow(dead_code)]
#[path = "../fuzz/src/lib.rs"]
mod fuzz_bodies;
mod prop_common;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{Map, Value};
use sockframe::{
    Ascii, Binary, Decoder, Encode, Endian, Error, Json, JsonStyle, Limits, Signedness, Status,
};

use prop_common::*;

const REGRESSIONS: &str = "proptest-regressions/prop_codec.txt";

/// Payload limits from the edges (the raw fuzz targets use the same).
fn any_limits() -> impl Strategy<Value = Limits> {
    let max_frame = select(vec![
        0,
        1,
        5,
        255,
        9_999,
        Limits::DEFAULT_MAX_FRAME,
        u32::MAX as u64,
        i64::MAX as u64,
        u64::MAX - 1,
        u64::MAX,
    ]);
    let max_header = select(vec![0, 1, 16, 100, Limits::DEFAULT_MAX_HEADER, usize::MAX]);
    (max_frame, max_header).prop_map(|(f, h)| Limits::new().max_frame(f).max_header(h))
}

/// An ASCII width and a length of up to `cap` that it can write: only
/// lengths the header describes, so that deep runs reject nothing.
fn ascii_and_length(cap: u64) -> impl Strategy<Value = (Ascii, u64)> {
    (1..=Ascii::MAX_WIDTH).prop_flat_map(move |width| {
        let ascii = Ascii::with_width(width).expect("a width in range");
        (Just(ascii), 0..=ascii.max_len().min(cap))
    })
}

/// A binary layout and a length of up to `cap` that it can write.
fn binary_and_length(cap: u64) -> impl Strategy<Value = (Binary, u64)> {
    binary().prop_flat_map(move |binary| (Just(binary), 0..=binary.max_len().min(cap)))
}

/// A length prefix written by hand, as `struct.pack` writes it.
fn pack(binary: &Binary, n: u64) -> Vec<u8> {
    let width = binary.width().bytes();
    let big = match binary.endian() {
        Endian::Big => true,
        Endian::Little => false,
        Endian::Native => cfg!(target_endian = "big"),
    };
    if big {
        n.to_be_bytes()[8 - width..].to_vec()
    } else {
        n.to_le_bytes()[..width].to_vec()
    }
}

/// A JSON text spelled by hand, as `json.dumps` writes it (`", "` and
/// `": "`) or compact, from ASCII keys and simple values.
fn spell(entries: &[(String, Value)], compact: bool) -> String {
    let (item, key) = if compact { (",", ":") } else { (", ", ": ") };
    let items: Vec<String> = entries
        .iter()
        .map(|(k, v)| format!("\"{k}\"{key}{v}"))
        .collect();
    format!("{{{}}}", items.join(item))
}

proptest! {
    #![proptest_config(config(256, REGRESSIONS))]

    #[test]
    fn decode_of_encode_is_identity(
        framing in framing(),
        frames in vec((payload(300, 40), fields()), 1..6),
    ) {
        let limits = Limits::new().max_frame(u64::MAX);
        let max = max_payload(&framing);
        let key = match &framing {
            AnyFraming::Json(json) => Some(json.size_key().to_owned()),
            _ => None,
        };
        with_framing!(&framing, |framing| {
            let mut sent_frames = Vec::new();
            let mut stream = Vec::new();
            for (payload, fields) in &frames {
                match framing.send(payload, fields) {
                    Ok(sent) => {
                        stream.extend_from_slice(&sent.wire);
                        sent_frames.push((payload, fields));
                    }
                    // Refused only when the header cannot describe it.
                    Err(Error::PayloadTooLong { .. }) => prop_assert!(payload.len() as u64 > max),
                    Err(Error::HeaderTooLong { .. }) => prop_assert!(key.is_some()),
                    Err(e) => return Err(TestCaseError::fail(e.to_string())),
                }
            }
            let outcome = check_stream(framing, limits, &stream, &Split::whole(), &apart());
            prop_assert_eq!(&outcome.end, &End::Clean);
            prop_assert_eq!(outcome.frames.len(), sent_frames.len());
            for (frame, (payload, fields)) in outcome.frames.iter().zip(sent_frames) {
                prop_assert_eq!(&frame.payload, payload);
                prop_assert_eq!(frame.header.is_some(), key.is_some());
                if let (Some(text), Some(key)) = (&frame.header, &key) {
                    let map: Map<String, Value> = serde_json::from_slice(text).unwrap();
                    let mut expected = fields.clone();
                    expected.insert(key.clone(), Value::from(payload.len()));
                    prop_assert_eq!(map, expected);
                }
            }
        });
    }

    #[test]
    fn encode_of_decode_is_identity_for_ascii(
        (ascii, n) in ascii_and_length(300),
        fill in any::<u8>(),
    ) {
        let width = ascii.width();
        let mut wire = format!("{n:0width$}").into_bytes();
        wire.extend(vec![fill; n as usize]);
        reencodes(ascii, &wire)?;
    }

    #[test]
    fn encode_of_decode_is_identity_for_binary(
        (binary, n) in binary_and_length(300),
        fill in any::<u8>(),
    ) {
        let mut wire = pack(&binary, n);
        wire.extend(vec![fill; n as usize]);
        reencodes(binary, &wire)?;
    }

    #[test]
    fn encode_of_decode_is_identity_for_json(
        prefix in binary(),
        key in "[a-z_]{1,10}",
        others in vec(("[a-z]{1,6}", prop_oneof![
            any::<i64>().prop_map(Value::from),
            "[a-zA-Z0-9 ._-]{0,12}".prop_map(Value::from),
            any::<bool>().prop_map(Value::from),
            Just(Value::Null),
        ]), 0..4),
        size_at in any::<prop::sample::Index>(),
        compact in any::<bool>(),
        body in vec(any::<u8>(), 0..64),
    ) {
        // Distinct keys, the size key somewhere among them.
        let mut entries: Vec<(String, Value)> = Vec::new();
        for (k, v) in others {
            if k != key && entries.iter().all(|(e, _)| *e != k) {
                entries.push((k, v));
            }
        }
        let at = size_at.index(entries.len() + 1);
        entries.insert(at, (key.clone(), Value::from(body.len())));
        let text = spell(&entries, compact);
        // A text too long for a 1-byte prefix gets a 2-byte one.
        let prefix = if text.len() as u64 > prefix.max_len() {
            prefix.with_width(sockframe::Width::Two)
        } else {
            prefix
        };
        let mut wire = pack(&prefix, text.len() as u64);
        wire.extend_from_slice(text.as_bytes());
        let style = if compact { JsonStyle::Compact } else { JsonStyle::Python };
        let json = Json::new().with_prefix(prefix).with_size_key(key).with_style(style);

        let mut decoder = Decoder::new(json.clone());
        let mut stream = wire.clone();
        stream.extend_from_slice(&body);
        let Ok(Status::Complete((frame, used))) = decoder.decode(&stream) else {
            return Err(TestCaseError::fail(format!("{text} did not decode")));
        };
        prop_assert_eq!(used, stream.len());
        prop_assert_eq!(frame.payload(), &body[..]);
        let fields = frame.header().fields().unwrap();
        prop_assert_eq!(json.encode_header_with(&fields, body.len()).unwrap(), wire);
    }
}

/// Decodes one canonical frame and encodes its payload again: the same
/// bytes.
fn reencodes<S: Subject>(framing: S, wire: &[u8]) -> Result<(), TestCaseError> {
    let mut decoder = Decoder::new(framing.clone());
    let Ok(Status::Complete((frame, used))) = decoder.decode(wire) else {
        return Err(TestCaseError::fail(format!("{wire:?} did not decode")));
    };
    prop_assert_eq!(used, wire.len());
    prop_assert_eq!(framing.encode_to_vec(frame.payload()).unwrap(), wire);
    Ok(())
}

/// A valid stream, then some of its bytes changed.
fn mutated_case() -> impl Strategy<Value = (AnyFraming, Limits, Vec<u8>)> {
    (framing(), prop_oneof![Just(Limits::new()), any_limits()]).prop_flat_map(
        |(framing, limits)| {
            let cap = max_payload(&framing).min(64) as usize;
            let frames = vec((payload(cap, 16), fields()), 1..5);
            let changes = vec((any::<prop::sample::Index>(), any::<u8>()), 1..4);
            (Just(framing.clone()), Just(limits), frames, changes).prop_map(
                |(framing, limits, frames, changes)| {
                    let mut stream = with_framing!(&framing, |f| wire(&send(f, &frames)));
                    if !stream.is_empty() {
                        for (at, byte) in changes {
                            let i = at.index(stream.len());
                            stream[i] = byte;
                        }
                    }
                    (framing, limits, stream)
                },
            )
        },
    )
}

/// Bytes that look like JSON, for headers that get past the prefix.
fn json_ish() -> impl Strategy<Value = Vec<u8>> {
    vec(
        select(b"{}[]\":, 0123456789-+.eEtruefalsn\\u_dataszi\xc3\xa9\xff".to_vec()),
        0..40,
    )
}

proptest! {
    #![proptest_config(config(256, REGRESSIONS))]

    #[test]
    fn decoders_agree_with_the_model_on_changed_streams(
        (framing, limits, stream) in mutated_case(),
        cut in any::<prop::sample::Index>(),
        truncate in any::<bool>(),
        split in splits(400),
    ) {
        let end = if truncate { cut.index(stream.len() + 1) } else { stream.len() };
        with_framing!(&framing, |framing| {
            check_stream(framing, limits, &stream[..end], &split, &apart());
        });
    }

    #[test]
    fn junk_never_panics_and_errors_stick(
        framing in framing(),
        limits in any_limits(),
        junk in vec(any::<u8>(), 0..200),
        split in splits(200),
    ) {
        with_framing!(&framing, |framing| {
            let outcome = check_stream(framing, limits, &junk, &split, &apart());
            // Typed: every error names a place inside what was given.
            if let End::Failed(model::Expected::Exactly(e)) = &outcome.end {
                prop_assert!(error_offset(e) <= junk.len() as u64, "{e:?}");
            }
        });
    }

    #[test]
    fn json_junk_never_panics(
        prefix in binary(),
        key in select(vec!["data_size", "file_size", "a", ""]),
        limits in prop_oneof![Just(Limits::new()), any_limits()],
        text in json_ish(),
        body in vec(any::<u8>(), 0..16),
        split in splits(100),
    ) {
        // As much of the text as the prefix can announce: nothing rejected.
        let text = &text[..text.len().min(prefix.max_len() as usize)];
        let mut stream = pack(&prefix, text.len() as u64);
        stream.extend_from_slice(text);
        stream.extend_from_slice(&body);
        let json = Json::new().with_prefix(prefix).with_size_key(key);
        check_stream(&json, limits, &stream, &split, &apart());
    }
}

/// Where an error says the problem is.
fn error_offset(error: &sockframe::Error) -> u64 {
    use sockframe::Error::*;
    match error {
        InvalidDigit { offset, .. }
        | NegativeLength { offset, .. }
        | FrameTooLong { offset, .. }
        | HeaderTooLong { offset, .. }
        | HeaderNotUtf8 { offset }
        | HeaderNotJson { offset }
        | HeaderNotObject { offset, .. }
        | MissingSizeKey { offset, .. }
        | SizeNotInteger { offset, .. }
        | UnexpectedEof { offset, .. } => *offset,
        other => panic!("not a decoding error: {other:?}"),
    }
}

#[test]
fn hand_packed_prefixes_match_the_encoder() {
    // Spot check of the hand-written packer against the encoder.
    for (binary, n) in [
        (
            Binary::new(sockframe::Width::Two, Endian::Big, Signedness::Unsigned),
            0xfffe,
        ),
        (Binary::I32_LE, 0x7fff_ffff),
    ] {
        assert_eq!(
            binary.encode_header(n).unwrap().as_bytes(),
            &pack(&binary, n as u64)[..]
        );
    }
}
