//! Structured fuzz input: framing configurations and frames, as `Arbitrary`
//! types, and what a stream made of them must decode to.

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{Map, Value};
use sockframe::{Ascii, Binary, Endian, Error, Json, JsonStyle, Limits, Needed, Signedness, Width};

use sockframe::testing::{Step, Take};

use super::model::{End, Expected, ModelFrame, Outcome};

/// The width of a binary length.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum WidthSpec {
    /// 1 byte.
    One,
    /// 2 bytes.
    Two,
    /// 4 bytes.
    Four,
    /// 8 bytes.
    Eight,
}

/// The byte order of a binary length.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndianSpec {
    /// Little-endian.
    Little,
    /// Big-endian.
    Big,
    /// This machine's.
    Native,
}

/// A binary length layout.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixSpec {
    /// Width.
    pub width: WidthSpec,
    /// Byte order.
    pub endian: EndianSpec,
    /// Signed or unsigned.
    pub signed: bool,
}

impl PrefixSpec {
    /// Reads a layout from one byte (for the raw-bytes targets).
    pub fn from_byte(byte: u8) -> Self {
        PrefixSpec {
            width: [
                WidthSpec::One,
                WidthSpec::Two,
                WidthSpec::Four,
                WidthSpec::Eight,
            ][usize::from(byte & 3)],
            endian: [
                EndianSpec::Little,
                EndianSpec::Big,
                EndianSpec::Native,
                EndianSpec::Little,
            ][usize::from(byte >> 2 & 3)],
            signed: byte & 16 != 0,
        }
    }

    /// The framing.
    pub fn binary(self) -> Binary {
        Binary::new(
            match self.width {
                WidthSpec::One => Width::One,
                WidthSpec::Two => Width::Two,
                WidthSpec::Four => Width::Four,
                WidthSpec::Eight => Width::Eight,
            },
            match self.endian {
                EndianSpec::Little => Endian::Little,
                EndianSpec::Big => Endian::Big,
                EndianSpec::Native => Endian::Native,
            },
            if self.signed {
                Signedness::Signed
            } else {
                Signedness::Unsigned
            },
        )
    }
}

/// The JSON key holding the body size.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum KeySpec {
    /// `data_size`.
    DataSize,
    /// `file_size`.
    FileSize,
    /// Anything, including `""` and non-ASCII keys that Python escapes.
    Other(String),
}

impl KeySpec {
    /// The key.
    pub fn key(&self) -> String {
        match self {
            KeySpec::DataSize => Json::DATA_SIZE.to_owned(),
            KeySpec::FileSize => Json::FILE_SIZE.to_owned(),
            KeySpec::Other(key) => key.clone(),
        }
    }
}

/// A framing configuration.
#[derive(Arbitrary, Debug, Clone, PartialEq, Eq)]
pub enum FramingSpec {
    /// ASCII digits; the width is `1 + width % 19`.
    Ascii {
        /// Width selector.
        width: u8,
    },
    /// A binary length.
    Binary(PrefixSpec),
    /// A JSON header.
    Json {
        /// The header length layout.
        prefix: PrefixSpec,
        /// The size key.
        key: KeySpec,
        /// Compact rather than Python spelling.
        compact: bool,
    },
}

/// A framing of any kind.
#[derive(Debug, Clone)]
pub enum AnyFraming {
    /// ASCII.
    Ascii(Ascii),
    /// Binary.
    Binary(Binary),
    /// JSON.
    Json(Json),
}

impl FramingSpec {
    /// The framing.
    pub fn build(&self) -> AnyFraming {
        match self {
            FramingSpec::Ascii { width } => AnyFraming::Ascii(
                Ascii::with_width(1 + usize::from(*width) % Ascii::MAX_WIDTH)
                    .expect("width in 1..=19"),
            ),
            FramingSpec::Binary(prefix) => AnyFraming::Binary(prefix.binary()),
            FramingSpec::Json {
                prefix,
                key,
                compact,
            } => AnyFraming::Json(
                Json::new()
                    .with_prefix(prefix.binary())
                    .with_size_key(key.key())
                    .with_style(if *compact {
                        JsonStyle::Compact
                    } else {
                        JsonStyle::Python
                    }),
            ),
        }
    }
}

/// Limits for structured cases: small ones make over-limit frames likely.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitsSpec {
    /// `None`: the default.
    pub max_frame: Option<u16>,
    /// `None`: the default.
    pub max_header: Option<u16>,
    /// `None`: the default.
    pub max_streamed_body: Option<u16>,
}

impl LimitsSpec {
    /// The limits.
    pub fn build(self) -> Limits {
        let mut limits = Limits::new();
        if let Some(n) = self.max_frame {
            limits = limits.max_frame(u64::from(n));
        }
        if let Some(n) = self.max_header {
            limits = limits.max_header(usize::from(n));
        }
        if let Some(n) = self.max_streamed_body {
            limits = limits.max_streamed_body(u64::from(n));
        }
        limits
    }
}

/// Payload limits for the raw-bytes targets, edge cases included.
const RAW_MAX_FRAMES: [u64; 14] = [
    0,
    1,
    2,
    5,
    100,
    255,
    9_999,
    65_536,
    Limits::DEFAULT_MAX_FRAME,
    u32::MAX as u64,
    i64::MAX as u64,
    u64::MAX - 20,
    u64::MAX - 1,
    u64::MAX,
];

/// JSON header limits for the raw-bytes targets.
const RAW_MAX_HEADERS: [usize; 8] = [
    0,
    1,
    2,
    16,
    100,
    4_096,
    Limits::DEFAULT_MAX_HEADER,
    usize::MAX,
];

/// Limits read from the front of raw fuzz input.
pub fn raw_limits(u: &mut Unstructured<'_>) -> arbitrary::Result<Limits> {
    Ok(Limits::new()
        .max_frame(*u.choose(&RAW_MAX_FRAMES)?)
        .max_header(*u.choose(&RAW_MAX_HEADERS)?)
        .max_streamed_body(*u.choose(&RAW_MAX_FRAMES)?))
}

/// A split schedule read from the front of raw fuzz input: up to four
/// piece sizes of 0..=63 bytes.
pub fn raw_sizes(u: &mut Unstructured<'_>) -> arbitrary::Result<Vec<usize>> {
    let byte = u.arbitrary::<u8>()?;
    let count = 1 + usize::from(byte % 4);
    (0..count)
        .map(|_| Ok(usize::from(u.arbitrary::<u8>()? % 64)))
        .collect()
}

/// A JSON header field value.
#[derive(Arbitrary, Debug, Clone)]
pub enum FieldValue {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(ShortFloat),
    /// A string.
    Text(String),
    /// An array of strings.
    List(Vec<String>),
    /// A nested object.
    Object(Vec<(String, i64)>),
}

impl FieldValue {
    /// As JSON.
    pub fn to_value(&self) -> Value {
        match self {
            FieldValue::Null => Value::Null,
            FieldValue::Bool(b) => Value::Bool(*b),
            FieldValue::Int(n) => Value::from(*n),
            FieldValue::Float(f) => Value::from(f.value()),
            FieldValue::Text(s) => Value::String(s.clone()),
            FieldValue::List(items) => items.iter().cloned().map(Value::String).collect(),
            FieldValue::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::from(*v)))
                    .collect(),
            ),
        }
    }
}

/// A float that survives a trip through JSON text exactly whatever the
/// parser's precision (serde_json's default parsing may be 1 ULP off for
/// long decimals): a small dyadic fraction.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub struct ShortFloat {
    mantissa: i16,
    scale: u8,
}

impl ShortFloat {
    /// The value.
    pub fn value(self) -> f64 {
        f64::from(self.mantissa) / f64::from(1u32 << (self.scale % 8))
    }
}

/// One frame to send.
#[derive(Arbitrary, Debug, Clone)]
pub struct FrameSpec {
    /// The payload.
    pub payload: Vec<u8>,
    /// Extra JSON header fields (JSON framing only).
    pub fields: Vec<(String, FieldValue)>,
}

impl FrameSpec {
    /// The extra fields as a JSON object.
    pub fn fields(&self) -> Map<String, Value> {
        self.fields
            .iter()
            .map(|(k, v)| (k.clone(), v.to_value()))
            .collect()
    }
}

/// A frame as encoded, with the facts needed to predict its decoding.
#[derive(Debug, Clone)]
pub struct Sent {
    /// The whole frame.
    pub wire: Vec<u8>,
    /// Length of its header (prefix and JSON text).
    pub header_len: usize,
    /// Length of the fixed part: where a JSON text length is known.
    pub prefix_len: usize,
    /// The JSON text (JSON framing).
    pub json_text: Option<Vec<u8>>,
    /// Payload length.
    pub payload_len: usize,
}

/// What a stream made of `sent`, cut short at `cut` bytes, must decode to
/// under `limits`: worked out from how the frames were built, not by parsing.
pub fn expected_outcome(sent: &[Sent], limits: &Limits, cut: usize) -> Outcome {
    let mut frames = Vec::new();
    let mut at = 0;
    let truncated = |missing: usize, exact: bool| {
        let n = std::num::NonZeroUsize::new(missing).expect("missing > 0");
        End::Truncated {
            offset: cut as u64,
            needed: if exact {
                Needed::Exact(n)
            } else {
                Needed::AtLeast(n)
            },
        }
    };
    for frame in sent {
        if cut == at {
            return Outcome {
                frames,
                end: End::Clean,
            };
        }
        if cut < at + frame.prefix_len {
            let end = truncated(at + frame.prefix_len - cut, false);
            return Outcome { frames, end };
        }
        if let Some(text) = &frame.json_text {
            if text.len() > limits.max_header {
                let error = Error::HeaderTooLong {
                    offset: at as u64,
                    length: text.len() as u64,
                    limit: limits.max_header as u64,
                };
                let end = End::Failed(Expected::Exactly(error));
                return Outcome { frames, end };
            }
            if cut < at + frame.header_len {
                let end = truncated(at + frame.header_len - cut, false);
                return Outcome { frames, end };
            }
        }
        if frame.payload_len as u64 > limits.max_frame {
            let error = Error::FrameTooLong {
                offset: at as u64,
                length: frame.payload_len as u64,
                limit: limits.max_frame,
            };
            let end = End::Failed(Expected::Exactly(error));
            return Outcome { frames, end };
        }
        if cut < at + frame.wire.len() {
            let end = truncated(at + frame.wire.len() - cut, true);
            return Outcome { frames, end };
        }
        frames.push(ModelFrame {
            header: frame.json_text.clone(),
            payload: frame.wire[frame.header_len..].to_vec(),
            wire: frame.wire.len(),
        });
        at += frame.wire.len();
    }
    assert_eq!(at, cut, "cut beyond the stream");
    Outcome {
        frames,
        end: End::Clean,
    }
}

/// What one `read` call on the source does.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStep {
    /// Returns at most this many bytes (at least 1 while any are left).
    Bytes(u16),
    /// Fails with `Interrupted`: the reader must retry by itself.
    Interrupted,
    /// Fails with `WouldBlock`: the reader returns it, losing nothing.
    WouldBlock,
    /// Fails with `TimedOut`, as a socket with a read timeout does.
    TimedOut,
}

impl ReadStep {
    /// The kit's step: `Bytes(n)` returns at least one byte (`Bytes(0)`
    /// reads as `Bytes(1)`).
    pub fn step(self) -> Step {
        match self {
            ReadStep::Bytes(n) => Step::Bytes(usize::from(n).max(1)),
            ReadStep::Interrupted => Step::Interrupted,
            ReadStep::WouldBlock => Step::WouldBlock,
            ReadStep::TimedOut => Step::TimedOut,
        }
    }
}

/// How the next frame is taken from the reader.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// `read_frame`, borrowed.
    Frame,
    /// `read_frame_owned`.
    Owned,
    /// `read_header`, then `read_body` into a buffer of `1 + n % 64` bytes.
    Body(u8),
    /// `read_header`, then `copy_body_to` a writer taking `1 + n % 64`
    /// bytes per write (and interrupted every third write).
    Copy(u8),
    /// `skip_frame`: only the payload length comes back.
    Skip,
    /// `skip_frames`: a batch, only its totals come back.
    SkipBatch,
}

impl ReadMode {
    /// The kit's take: buffers and writes of `1 + n % 64` bytes.
    pub fn take(self) -> Take {
        match self {
            ReadMode::Frame => Take::Frame,
            ReadMode::Owned => Take::Owned,
            ReadMode::Body(n) => Take::Body(1 + usize::from(n) % 64),
            ReadMode::Copy(n) => Take::Copy(1 + usize::from(n) % 64),
            ReadMode::Skip => Take::Skip,
            ReadMode::SkipBatch => Take::SkipBatch,
        }
    }
}
