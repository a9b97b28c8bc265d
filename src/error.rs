//! Errors: what went wrong and where.
//!
//! Every offset is a byte offset into the whole stream the decoder has seen
//! since it was created or [reset](crate::Decoder::reset), so it points at the
//! offending byte in a capture of the connection.

use alloc::borrow::Cow;
use alloc::string::String;
use core::fmt;

pub(crate) use crate::status::Bytes;
use crate::status::Needed;

/// A decoding or encoding error.
///
/// Decoding errors are sticky: once a decoder returned one, it returns the
/// same error on every later call until it is reset, rather than guessing
/// where the next frame starts.
///
/// `Debug` prints the variant's name and the message
/// (`UnexpectedEof: stream ended at offset 7 ...`), so that an `io::Error`
/// carrying one, or a `Result` returned from `main`, reads as words with
/// every number in them.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A byte of an ASCII length header is not a decimal digit.
    InvalidDigit {
        /// Stream offset of the byte.
        offset: u64,
        /// The byte found.
        byte: u8,
    },
    /// A signed header (or a JSON size) announced a negative length.
    NegativeLength {
        /// Stream offset of the frame.
        offset: u64,
        /// The length announced.
        length: i64,
    },
    /// A frame announced a payload longer than the configured limit.
    FrameTooLong {
        /// Stream offset of the frame.
        offset: u64,
        /// The length announced (`u64::MAX` when it does not even fit a `u64`).
        length: u64,
        /// The limit in force.
        limit: u64,
    },
    /// A header is longer than the configured limit: announced so (JSON),
    /// or still incomplete at the limit (a scanned header).
    HeaderTooLong {
        /// Stream offset of the frame.
        offset: u64,
        /// The header length announced, or the bytes seen without an end.
        length: u64,
        /// The limit in force.
        limit: u64,
    },
    /// A framing refused a header (a custom framing's own check).
    InvalidHeader {
        /// Stream offset of the offending byte.
        offset: u64,
        /// What was wrong.
        reason: Cow<'static, str>,
    },
    /// A JSON header is not valid UTF-8.
    HeaderNotUtf8 {
        /// Stream offset of the first invalid byte.
        offset: u64,
    },
    /// A JSON header is not valid JSON.
    HeaderNotJson {
        /// Stream offset where the JSON parser gave up.
        offset: u64,
    },
    /// A JSON header is valid JSON but not an object.
    HeaderNotObject {
        /// Stream offset of the JSON header.
        offset: u64,
        /// What it is instead.
        found: JsonKind,
    },
    /// A JSON header lacks the key that holds the body size.
    MissingSizeKey {
        /// Stream offset of the JSON header.
        offset: u64,
        /// The key looked for.
        key: String,
    },
    /// The body size in a JSON header is not a non-negative integer.
    SizeNotInteger {
        /// Stream offset of the JSON header.
        offset: u64,
        /// What it is instead.
        found: JsonKind,
    },
    /// The stream ended in the middle of a frame.
    UnexpectedEof {
        /// Stream offset where the input ended.
        offset: u64,
        /// How many more bytes the frame needed.
        needed: Needed,
    },
    /// `finish` was called while a complete frame was still unread.
    UnreadFrame {
        /// Stream offset of that frame.
        offset: u64,
    },
    /// The caller passed fewer bytes than an earlier call had seen of the
    /// current frame (say, `decode_event` after a `Partial` from `decode`
    /// with the header cut off). Not sticky: call again with the bytes.
    InputShrank {
        /// Stream offset of the frame.
        offset: u64,
        /// Bytes of the frame the decoder has already parsed.
        expected: usize,
        /// Bytes given.
        got: usize,
    },
    /// A whole-frame decode was asked for while a streamed body is still due.
    BodyInProgress {
        /// Body bytes still due.
        remaining: u64,
    },
    /// A payload is too long for the header to describe.
    PayloadTooLong {
        /// The payload length.
        length: u64,
        /// The longest the header can describe.
        max: u64,
    },
    /// A framing cannot encode this payload or header field (a custom
    /// framing's own check: a field that would break its header, a payload
    /// holding its delimiter).
    CannotEncode {
        /// What was wrong.
        reason: Cow<'static, str>,
    },
    /// Header fields given to the JSON encoder are not a JSON object.
    HeaderFieldsNotObject {
        /// What they serialize to instead.
        found: JsonKind,
    },
    /// Header fields given to the JSON encoder could not be serialized.
    HeaderFieldsNotSerializable,
}

impl Error {
    /// A custom framing's refusal of a header, at stream offset `offset`:
    /// [`Error::InvalidHeader`].
    pub fn invalid_header(offset: u64, reason: impl Into<Cow<'static, str>>) -> Self {
        Error::InvalidHeader {
            offset,
            reason: reason.into(),
        }
    }

    /// A custom framing's refusal to encode a payload or a header field:
    /// [`Error::CannotEncode`].
    pub fn cannot_encode(reason: impl Into<Cow<'static, str>>) -> Self {
        Error::CannotEncode {
            reason: reason.into(),
        }
    }

    /// The stream offset the error names, if any.
    pub fn offset(&self) -> Option<u64> {
        match self {
            Error::InvalidDigit { offset, .. }
            | Error::NegativeLength { offset, .. }
            | Error::FrameTooLong { offset, .. }
            | Error::HeaderTooLong { offset, .. }
            | Error::InvalidHeader { offset, .. }
            | Error::HeaderNotUtf8 { offset }
            | Error::HeaderNotJson { offset }
            | Error::HeaderNotObject { offset, .. }
            | Error::MissingSizeKey { offset, .. }
            | Error::SizeNotInteger { offset, .. }
            | Error::UnexpectedEof { offset, .. }
            | Error::InputShrank { offset, .. }
            | Error::UnreadFrame { offset } => Some(*offset),
            Error::BodyInProgress { .. }
            | Error::PayloadTooLong { .. }
            | Error::CannotEncode { .. }
            | Error::HeaderFieldsNotObject { .. }
            | Error::HeaderFieldsNotSerializable => None,
        }
    }
}

impl Error {
    /// The variant's name, for `Debug`.
    fn name(&self) -> &'static str {
        match self {
            Error::InvalidDigit { .. } => "InvalidDigit",
            Error::NegativeLength { .. } => "NegativeLength",
            Error::FrameTooLong { .. } => "FrameTooLong",
            Error::HeaderTooLong { .. } => "HeaderTooLong",
            Error::InvalidHeader { .. } => "InvalidHeader",
            Error::HeaderNotUtf8 { .. } => "HeaderNotUtf8",
            Error::HeaderNotJson { .. } => "HeaderNotJson",
            Error::HeaderNotObject { .. } => "HeaderNotObject",
            Error::MissingSizeKey { .. } => "MissingSizeKey",
            Error::SizeNotInteger { .. } => "SizeNotInteger",
            Error::UnexpectedEof { .. } => "UnexpectedEof",
            Error::UnreadFrame { .. } => "UnreadFrame",
            Error::InputShrank { .. } => "InputShrank",
            Error::BodyInProgress { .. } => "BodyInProgress",
            Error::PayloadTooLong { .. } => "PayloadTooLong",
            Error::CannotEncode { .. } => "CannotEncode",
            Error::HeaderFieldsNotObject { .. } => "HeaderFieldsNotObject",
            Error::HeaderFieldsNotSerializable => "HeaderFieldsNotSerializable",
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {self}", self.name())
    }
}

/// The type of a JSON value, for error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonKind {
    /// `null`
    Null,
    /// `true` or `false`
    Bool,
    /// A number with a fraction or exponent.
    Float,
    /// An integer.
    Integer,
    /// A string.
    String,
    /// An array.
    Array,
    /// An object.
    Object,
}

impl fmt::Display for JsonKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            JsonKind::Null => "null",
            JsonKind::Bool => "a boolean",
            JsonKind::Float => "a non-integer number",
            JsonKind::Integer => "an integer",
            JsonKind::String => "a string",
            JsonKind::Array => "an array",
            JsonKind::Object => "an object",
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidDigit { offset, byte } => write!(
                f,
                "length header: byte {:?} (0x{byte:02x}) at offset {offset} is not a decimal digit",
                char::from(*byte)
            ),
            Error::NegativeLength { offset, length } => {
                write!(f, "frame at offset {offset} announces a negative length {length}")
            }
            Error::FrameTooLong { offset, length, limit } => write!(
                f,
                "frame at offset {offset} announces {}, over the limit of {limit}",
                Bytes(*length)
            ),
            Error::HeaderTooLong { offset, length, limit } => write!(
                f,
                "frame at offset {offset} has a header of at least {}, over the limit of {limit}",
                Bytes(*length)
            ),
            Error::InvalidHeader { offset, reason } => {
                write!(f, "invalid header at offset {offset}: {reason}")
            }
            Error::HeaderNotUtf8 { offset } => {
                write!(f, "JSON header is not UTF-8: invalid byte at offset {offset}")
            }
            Error::HeaderNotJson { offset } => {
                write!(f, "JSON header is not valid JSON: error at offset {offset}")
            }
            Error::HeaderNotObject { offset, found } => {
                write!(f, "JSON header at offset {offset} is {found}, not an object")
            }
            Error::MissingSizeKey { offset, key } => {
                write!(f, "JSON header at offset {offset} has no {key:?} key")
            }
            Error::SizeNotInteger { offset, found } => write!(
                f,
                "JSON header at offset {offset}: the body size is {found}, not a non-negative integer"
            ),
            Error::UnexpectedEof { offset, needed } => write!(
                f,
                "stream ended at offset {offset} in the middle of a frame: {} {} missing",
                needed,
                if needed.bytes() == 1 { "was" } else { "were" }
            ),
            Error::UnreadFrame { offset } => write!(
                f,
                "finish called with a complete frame at offset {offset} still unread"
            ),
            Error::InputShrank { offset, expected, got } => write!(
                f,
                "the frame at offset {offset} was parsed over {}, but only {got} {} given again",
                Bytes(*expected as u64),
                if *got == 1 { "was" } else { "were" }
            ),
            Error::BodyInProgress { remaining } => write!(
                f,
                "a streamed body is in progress ({} still due); read it to its end first",
                Bytes(*remaining)
            ),
            Error::PayloadTooLong { length, max } => write!(
                f,
                "payload of {} is too long for the header, which can describe at most {max}",
                Bytes(*length)
            ),
            Error::CannotEncode { reason } => write!(f, "cannot encode: {reason}"),
            Error::HeaderFieldsNotObject { found } => {
                write!(f, "JSON header fields are {found}, not an object")
            }
            Error::HeaderFieldsNotSerializable => {
                f.write_str("JSON header fields could not be serialized")
            }
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for Error {}

/// A framing configuration that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ConfigError {
    /// A Python `struct` format that does not describe a single integer.
    StructFormat {
        /// Offset in the format string.
        offset: usize,
        /// What was expected there.
        expected: &'static str,
    },
    /// An ASCII length width outside `1..=19`.
    AsciiWidth {
        /// The width asked for.
        width: usize,
    },
    /// A framing option, or a combination of options, that cannot work.
    InvalidOption {
        /// The option, as its builder method is named.
        option: &'static str,
        /// Why.
        reason: Cow<'static, str>,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::StructFormat { offset, expected } => {
                write!(f, "struct format: expected {expected} at offset {offset}")
            }
            ConfigError::AsciiWidth { width } => {
                write!(f, "ASCII length width {width} is outside 1..=19")
            }
            ConfigError::InvalidOption { option, reason } => write!(f, "{option}: {reason}"),
        }
    }
}

#[cfg(feature = "std")]
impl std::error::Error for ConfigError {}
