//! What the core targets check on top of `sockframe::testing`: the kit
//! runs a stream through every decoding API and checks that they agree
//! and keep their promises; here, what they yielded is held to the model
//! decoder ([`model`](super::model)), JSON headers are read as an
//! application reads them, and the encoders are the expectations' source.

use std::collections::BTreeSet;
use std::fmt::Debug;

use serde_json::{Map, Value};
use sockframe::testing::{check_apis_agree_with, Decoded, Options, Split};
use sockframe::{
    Ascii, Binary, Encode, Endian, Error, Framing, Json, JsonHeader, Limits, OwnedJsonHeader,
    Signedness,
};

use super::model::{self, Api, Layout, ModelFrame, Outcome, Prefix};
use super::spec::Sent;

/// A framing the targets can run and the model can describe.
pub trait Subject:
    Framing<OwnedHeader: Clone + PartialEq + Debug> + Encode + Clone + Debug
{
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

/// The frames a run of the kit yielded, as the model writes them (each
/// owned header read by [`Subject::owned_header_text`]).
fn model_frames<S: Subject>(framing: &S, decoded: &Decoded<S::OwnedHeader>) -> Vec<ModelFrame> {
    decoded
        .frames
        .iter()
        .zip(&decoded.wire_lens)
        .map(|(frame, &wire)| ModelFrame {
            header: framing.owned_header_text(&frame.header, frame.payload.len() as u64),
            payload: frame.payload.clone(),
            wire: wire as usize,
        })
        .collect()
}

/// Runs `stream`, cut as `split` says, through every API with
/// `sockframe::testing` (`max_frame` and `max_streamed_body` apart, and,
/// if given, the readers' read chunk and a run taking frames in turn as
/// `options` says), and checks what they yielded against the model: the
/// frames (JSON headers as text, each frame's length on the wire) and the
/// end, of the APIs that hold frames whole and of those that stream
/// bodies; and, wherever the stream could have ended (after each piece),
/// the frames by then and the end, the exact count of missing bytes
/// included. Returns the model's outcome for whole frames.
pub fn check_stream<S: Subject>(
    framing: &S,
    limits: Limits,
    stream: &[u8],
    split: &Split,
    options: &Options,
) -> Outcome {
    let layout = framing.layout();
    assert_eq!(
        framing.max_header_len(&limits),
        max_header_len(&layout, &limits),
        "max_header_len ({framing:?}, {limits:?})"
    );
    let agreed = check_apis_agree_with(framing, limits, stream, split, options);
    let whole = model::decode(&layout, &limits, stream, Api::WholeFrames);
    let runs = if options.limits_apart {
        let streamed = model::decode(&layout, &limits, stream, Api::Events);
        vec![
            (
                "frames held whole",
                &agreed.whole,
                whole.clone(),
                Api::WholeFrames,
            ),
            ("bodies streamed", &agreed.streamed, streamed, Api::Events),
        ]
    } else {
        vec![("every API", &agreed.whole, whole.clone(), Api::WholeFrames)]
    };
    for (apis, got, expected, api) in runs {
        assert_eq!(
            model_frames(framing, got),
            expected.frames,
            "{apis}: frames differ from the model ({framing:?}, {limits:?}, split {split})"
        );
        assert!(
            expected.end_matches(&got.end),
            "{apis}: ended with {:?}, the model says {:?} ({framing:?}, {limits:?}, split {split})",
            got.end,
            expected.end
        );
        // Wherever the stream could have ended: the model of that prefix.
        // The model reads each prefix from the start, so a stream cut in
        // many pieces is checked at a spread of them (every piece end is
        // held to `finish` by the kit itself): at most PREFIXES_CHECKED,
        // the first and last among them, so no input costs quadratic time.
        let mut seen = BTreeSet::new();
        let ends: Vec<_> = got
            .piece_ends
            .iter()
            .filter(|piece_end| seen.insert(piece_end.fed))
            .collect();
        let step = ends.len().div_ceil(PREFIXES_CHECKED).max(1);
        let spread = ends
            .iter()
            .step_by(step)
            .chain(ends.last().filter(|_| (ends.len() - 1) % step != 0));
        for piece_end in spread {
            let prefix = model::decode(&layout, &limits, &stream[..piece_end.fed], api);
            assert!(
                prefix.frames.len() as u64 == piece_end.frames
                    && prefix.end_matches(&piece_end.end),
                "{apis}: were the stream to end after {} bytes, {} frames then {:?}; the model \
                 says {} frames then {:?} ({framing:?}, {limits:?}, split {split})",
                piece_end.fed,
                piece_end.frames,
                piece_end.end,
                prefix.frames.len(),
                prefix.end
            );
        }
    }
    whole
}

/// How many of a split's piece ends are held to the model of that prefix.
const PREFIXES_CHECKED: usize = 48;

/// The longest header a layout allows under `limits`.
pub fn max_header_len(layout: &Layout, limits: &Limits) -> usize {
    match layout {
        Layout::Ascii { width } => *width,
        Layout::Binary(prefix) => prefix.width,
        Layout::Json { prefix, .. } => prefix.width.saturating_add(limits.max_header),
    }
}
