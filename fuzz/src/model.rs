//! A model decoder: the wire formats of FRAMINGS.md read the obvious way,
//! from a whole stream held in memory, with no state machine and no
//! incremental parsing. The real decoders must agree with it whatever way the
//! stream is cut.

use std::num::NonZeroUsize;

use serde_json::Value;
use sockframe::{Error, JsonKind, Limits, Needed};

/// The layout of a binary length prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prefix {
    /// 1, 2, 4 or 8 bytes.
    pub width: usize,
    /// Most significant byte first.
    pub big_endian: bool,
    /// Two's complement; a negative length is an error.
    pub signed: bool,
}

/// What the model needs to know about a framing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// `width` ASCII decimal digits, then the payload.
    Ascii {
        /// Number of digits.
        width: usize,
    },
    /// A binary length, then the payload.
    Binary(Prefix),
    /// A binary header length, a JSON object naming the body size, the body.
    Json {
        /// The header length prefix.
        prefix: Prefix,
        /// The key holding the body size.
        key: String,
    },
}

/// Which API the real decoder is driven through: they differ in two
/// corners. A whole frame must fit a `usize` (header included) to be
/// borrowed as one slice, and its payload `max_frame`; a streamed body only
/// has to be counted, and its length `max_streamed_body`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// `decode`, `FrameBuffer::next_frame`.
    WholeFrames,
    /// `decode_event`, `FrameBuffer::next_event`.
    Events,
}

/// A frame as the model sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelFrame {
    /// The JSON header text (JSON framing only).
    pub header: Option<Vec<u8>>,
    /// The payload (JSON: the body).
    pub payload: Vec<u8>,
    /// The frame's length on the wire: header and payload.
    pub wire: usize,
}

/// An error the model expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// Exactly this error.
    Exactly(Error),
    /// `HeaderNotJson` somewhere in the header text `first..=last`: where
    /// exactly a JSON parser gives up is its business, not the framing's.
    NotJsonWithin {
        /// Stream offset of the text.
        first: u64,
        /// Stream offset just past the text.
        last: u64,
    },
}

impl Expected {
    /// Does `error` match?
    pub fn matches(&self, error: &Error) -> bool {
        match (self, error) {
            (Expected::Exactly(expected), error) => expected == error,
            (Expected::NotJsonWithin { first, last }, Error::HeaderNotJson { offset }) => {
                (*first..=*last).contains(offset)
            }
            _ => false,
        }
    }
}

/// How the stream ends, according to the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// At a frame boundary.
    Clean,
    /// Inside a frame: `UnexpectedEof { offset, needed }` at `finish`.
    Truncated {
        /// The stream length.
        offset: u64,
        /// What the last frame lacked.
        needed: Needed,
    },
    /// A decoding error.
    Failed(Expected),
}

/// Frames in the stream, and how it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Every whole frame before the end or the error.
    pub frames: Vec<ModelFrame>,
    /// How the stream ends.
    pub end: End,
}

impl Outcome {
    /// Whether `end` (the first error a driver met, or the result of
    /// `finish`) is what the model expects.
    pub fn end_matches(&self, end: &Result<(), Error>) -> bool {
        match (&self.end, end) {
            (End::Clean, Ok(())) => true,
            (End::Truncated { offset, needed }, Err(e)) => {
                *e == Error::UnexpectedEof {
                    offset: *offset,
                    needed: *needed,
                }
            }
            (End::Failed(expected), Err(e)) => expected.matches(e),
            _ => false,
        }
    }
}

enum Step {
    Frame(ModelFrame, usize),
    Short(Needed),
    Bad(Expected),
}

/// Decodes a whole stream.
pub fn decode(layout: &Layout, limits: &Limits, stream: &[u8], api: Api) -> Outcome {
    let mut frames = Vec::new();
    let mut at = 0;
    let end = loop {
        if at == stream.len() {
            break End::Clean;
        }
        match frame_at(layout, limits, &stream[at..], at as u64, api) {
            Step::Frame(frame, len) => {
                frames.push(frame);
                at += len;
            }
            Step::Short(needed) => {
                break End::Truncated {
                    offset: stream.len() as u64,
                    needed,
                }
            }
            Step::Bad(expected) => break End::Failed(expected),
        }
    };
    Outcome { frames, end }
}

fn at_least(n: usize) -> Needed {
    Needed::AtLeast(NonZeroUsize::new(n).expect("at least one byte missing"))
}

fn exactly(n: u64) -> Needed {
    let n = usize::try_from(n).unwrap_or(usize::MAX);
    Needed::Exact(NonZeroUsize::new(n).expect("at least one byte missing"))
}

fn bad(error: Error) -> Step {
    Step::Bad(Expected::Exactly(error))
}

/// The length in a binary prefix, or the negative value it holds.
fn read_prefix(prefix: Prefix, bytes: &[u8]) -> Result<u64, i64> {
    let mut value: u64 = 0;
    for i in 0..prefix.width {
        let byte = if prefix.big_endian {
            bytes[i]
        } else {
            bytes[prefix.width - 1 - i]
        };
        value = value << 8 | u64::from(byte);
    }
    let bits = 8 * prefix.width as u32;
    let sign_bit = 1u64 << (bits - 1);
    if prefix.signed && value & sign_bit != 0 {
        // Sign-extend: value - 2^bits, computed in i128 to stay obvious.
        let negative = i128::from(value) - (1i128 << bits);
        return Err(negative as i64);
    }
    Ok(value)
}

fn frame_at(layout: &Layout, limits: &Limits, rest: &[u8], at: u64, api: Api) -> Step {
    match layout {
        Layout::Ascii { width } => {
            let digits = &rest[..rest.len().min(*width)];
            if let Some(i) = digits.iter().position(|b| !b.is_ascii_digit()) {
                return bad(Error::InvalidDigit {
                    offset: at + i as u64,
                    byte: digits[i],
                });
            }
            if rest.len() < *width {
                return Step::Short(at_least(width - rest.len()));
            }
            let body_len = digits
                .iter()
                .fold(0u64, |n, digit| n * 10 + u64::from(digit - b'0'));
            body(limits, rest, at, *width, body_len, None, api)
        }
        Layout::Binary(prefix) => {
            if rest.len() < prefix.width {
                return Step::Short(at_least(prefix.width - rest.len()));
            }
            match read_prefix(*prefix, rest) {
                Ok(body_len) => body(limits, rest, at, prefix.width, body_len, None, api),
                Err(length) => bad(Error::NegativeLength { offset: at, length }),
            }
        }
        Layout::Json { prefix, key } => {
            if rest.len() < prefix.width {
                return Step::Short(at_least(prefix.width - rest.len()));
            }
            let text_len = match read_prefix(*prefix, rest) {
                Ok(len) => len,
                Err(length) => return bad(Error::NegativeLength { offset: at, length }),
            };
            if text_len > limits.max_header as u64 {
                return bad(Error::HeaderTooLong {
                    offset: at,
                    length: text_len,
                    limit: limits.max_header as u64,
                });
            }
            let Some(header_len) = (text_len as usize).checked_add(prefix.width) else {
                return bad(Error::HeaderTooLong {
                    offset: at,
                    length: text_len,
                    limit: limits.max_header as u64,
                });
            };
            if rest.len() < header_len {
                return Step::Short(at_least(header_len - rest.len()));
            }
            let text_at = at + prefix.width as u64;
            let text = &rest[prefix.width..header_len];
            match json_body_len(text, text_at, at, key, limits) {
                Ok(body_len) => body(
                    limits,
                    rest,
                    at,
                    header_len,
                    body_len,
                    Some(text.to_vec()),
                    api,
                ),
                Err(expected) => Step::Bad(expected),
            }
        }
    }
}

/// The body size a JSON header announces (the whole text parsed as a value).
fn json_body_len(
    text: &[u8],
    text_at: u64,
    frame_at: u64,
    key: &str,
    limits: &Limits,
) -> Result<u64, Expected> {
    let text = std::str::from_utf8(text).map_err(|e| {
        Expected::Exactly(Error::HeaderNotUtf8 {
            offset: text_at + e.valid_up_to() as u64,
        })
    })?;
    let value: Value = serde_json::from_str(text).map_err(|_| Expected::NotJsonWithin {
        first: text_at,
        last: text_at + text.len() as u64,
    })?;
    let Value::Object(map) = value else {
        return Err(Expected::Exactly(Error::HeaderNotObject {
            offset: text_at,
            found: kind(&value),
        }));
    };
    // serde_json keeps the last of duplicate keys, as Python does.
    let size = map.get(key).ok_or_else(|| {
        Expected::Exactly(Error::MissingSizeKey {
            offset: text_at,
            key: key.to_owned(),
        })
    })?;
    let error = match size {
        Value::Number(n) => {
            if let Some(n) = n.as_u64() {
                return Ok(n);
            } else if let Some(length) = n.as_i64() {
                Error::NegativeLength {
                    offset: frame_at,
                    length,
                }
            } else {
                // Integers beyond 64 bits arrive as floats.
                let f = n.as_f64().expect("a JSON number");
                if f >= 18_446_744_073_709_551_616.0 {
                    Error::FrameTooLong {
                        offset: frame_at,
                        length: u64::MAX,
                        limit: limits.max_frame,
                    }
                } else if f <= i64::MIN as f64 {
                    Error::NegativeLength {
                        offset: frame_at,
                        length: i64::MIN,
                    }
                } else {
                    Error::SizeNotInteger {
                        offset: text_at,
                        found: JsonKind::Float,
                    }
                }
            }
        }
        other => Error::SizeNotInteger {
            offset: text_at,
            found: kind(other),
        },
    };
    Err(Expected::Exactly(error))
}

fn kind(value: &Value) -> JsonKind {
    match value {
        Value::Null => JsonKind::Null,
        Value::Bool(_) => JsonKind::Bool,
        Value::Number(n) if n.is_f64() => JsonKind::Float,
        Value::Number(_) => JsonKind::Integer,
        Value::String(_) => JsonKind::String,
        Value::Array(_) => JsonKind::Array,
        Value::Object(_) => JsonKind::Object,
    }
}

fn body(
    limits: &Limits,
    rest: &[u8],
    at: u64,
    header_len: usize,
    body_len: u64,
    header: Option<Vec<u8>>,
    api: Api,
) -> Step {
    // Frames handed out whole are held; streamed bodies are not.
    let limit = match api {
        Api::WholeFrames => limits.max_frame,
        Api::Events => limits.max_streamed_body,
    };
    if body_len > limit {
        return bad(Error::FrameTooLong {
            offset: at,
            length: body_len,
            limit,
        });
    }
    let whole = usize::try_from(body_len)
        .ok()
        .and_then(|b| b.checked_add(header_len));
    if whole.is_none() && api == Api::WholeFrames {
        return bad(Error::FrameTooLong {
            offset: at,
            length: body_len,
            limit: usize::MAX as u64,
        });
    }
    let available = (rest.len() - header_len) as u64;
    if available < body_len {
        return Step::Short(exactly(body_len - available));
    }
    let end = header_len + body_len as usize;
    Step::Frame(
        ModelFrame {
            header,
            payload: rest[header_len..end].to_vec(),
            wire: end,
        },
        end,
    )
}
