//! The model decoders of the framings of issue 10 ([`LengthField`],
//! [`Varint`], [`Netstring`], [`Delimited`]): each wire format read the
//! obvious way, from a whole stream held in memory, frame by frame, with
//! the decoder's limits (the API's payload limit, `max_header`, a frame's
//! fit in memory). The one copy: the fuzz targets (`framings.rs`) hold
//! sockframe's decoders to them through `sockframe::testing`, and the
//! property tests (tests/varint.rs, tests/netstring.rs, tests/delimited.rs,
//! tests/length_field.rs) include this file with `#[path]`.
//!
//! They are exact where the docs promise exact behaviour; where an error's
//! numbers depend on how the bytes arrive, only what is promised is
//! compared (see [`Want`]).

use std::ops::RangeInclusive;

use sockframe::{Delimited, Endian, Error, LengthField, Limits, Needed, Netstring, Varint};

/// Which limit a decoding API applies to payloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    /// Frames held whole: `max_frame`, and the frame must fit a `usize`.
    Whole,
    /// `decode_event`: `max_streamed_body`.
    Events,
}

impl Api {
    pub fn limit(self, limits: &Limits) -> u64 {
        match self {
            Api::Whole => limits.max_frame,
            Api::Events => limits.max_streamed_body,
        }
    }
}

/// A frame as decoded: the header bytes handed out (`LengthField`'s
/// dropped bytes; empty for the others), the payload and the frame's
/// length on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    /// The header bytes handed out.
    pub header: Vec<u8>,
    /// The payload.
    pub payload: Vec<u8>,
    /// Bytes of the stream the frame takes.
    pub wire: usize,
}

/// The error a model expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Want {
    /// Exactly this error; an `InvalidHeader` at this offset whose reason
    /// contains the model's (reasons are prose).
    Exactly(Error),
    /// `FrameTooLong` at `offset` under `limit`, its `length` (how long the
    /// payload is known to be at least) within `lengths`: a delimited
    /// frame's depends on how far the bytes that arrived reach.
    FrameTooLong {
        /// The frame's offset.
        offset: u64,
        /// The limit.
        limit: u64,
        /// Where `length` may lie.
        lengths: RangeInclusive<u64>,
    },
    /// `HeaderTooLong` at `offset` under `limit`: its `length` (the bytes
    /// seen without an end, plus what was still needed) depends on how the
    /// bytes arrived; it is over the limit.
    HeaderTooLong {
        /// The frame's offset.
        offset: u64,
        /// The framing's `max_header_len`.
        limit: u64,
    },
}

impl Want {
    /// Does `error` match?
    pub fn matches(&self, error: &Error) -> bool {
        match (self, error) {
            (
                Want::Exactly(Error::InvalidHeader {
                    offset,
                    reason: why,
                }),
                Error::InvalidHeader { offset: at, reason },
            ) => offset == at && reason.contains(&**why),
            (Want::Exactly(expected), error) => expected == error,
            (
                Want::FrameTooLong {
                    offset,
                    limit,
                    lengths,
                },
                Error::FrameTooLong {
                    offset: o,
                    length,
                    limit: l,
                },
            ) => (offset, limit) == (o, l) && lengths.contains(length),
            (
                Want::HeaderTooLong { offset, limit },
                Error::HeaderTooLong {
                    offset: o,
                    length,
                    limit: l,
                },
            ) => (offset, limit) == (o, l) && length > limit,
            _ => false,
        }
    }
}

/// Frames, and how the stream ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Every whole frame before the end.
    pub frames: Vec<Taken>,
    /// `Ok` at a frame boundary, or the error.
    pub end: Result<(), Want>,
}

impl Outcome {
    /// Frames, payload bytes and stream bytes, as `skip_frames` counts them.
    pub fn totals(&self) -> (u64, u64, u64) {
        let payload: usize = self.frames.iter().map(|f| f.payload.len()).sum();
        let wire: usize = self.frames.iter().map(|f| f.wire).sum();
        (self.frames.len() as u64, payload as u64, wire as u64)
    }

    pub fn end_matches(&self, end: &Result<(), Error>) -> bool {
        match (&self.end, end) {
            (Ok(()), Ok(())) => true,
            (Err(want), Err(error)) => want.matches(error),
            _ => false,
        }
    }
}

/// One step of a model decoder, at a frame boundary.
pub enum Step {
    /// A whole frame.
    Frame(Taken),
    /// The end of the stream, or the error.
    End(Result<(), Want>),
}

/// Runs `step` at every frame boundary: `step(rest, at)` sees the stream
/// from stream offset `at` on.
pub fn model_decode(stream: &[u8], mut step: impl FnMut(&[u8], u64) -> Step) -> Outcome {
    let mut frames = Vec::new();
    let mut at = 0;
    loop {
        match step(&stream[at..], at as u64) {
            Step::Frame(frame) => {
                at += frame.wire;
                frames.push(frame);
            }
            Step::End(end) => return Outcome { frames, end },
        }
    }
}

pub fn fail(error: Error) -> Step {
    Step::End(Err(Want::Exactly(error)))
}

/// The stream (`rest` from `at`) ends inside a frame.
pub fn cut_short(rest: &[u8], at: u64, needed: Needed) -> Step {
    fail(Error::UnexpectedEof {
        offset: at + rest.len() as u64,
        needed,
    })
}

pub fn header_too_long(at: u64, limit: usize) -> Step {
    Step::End(Err(Want::HeaderTooLong {
        offset: at,
        limit: limit as u64,
    }))
}

/// A frame whose whole header (`header_len` bytes, of which the first
/// `shown` are handed out) announced `payload` bytes, followed by
/// `trailer`: checked as the decoder checks it once a header is parsed.
pub fn body(
    rest: &[u8],
    at: u64,
    limits: &Limits,
    api: Api,
    (header_len, shown): (usize, usize),
    payload: u64,
    trailer: &[u8],
) -> Step {
    let limit = api.limit(limits);
    if payload > limit {
        return fail(Error::FrameTooLong {
            offset: at,
            length: payload,
            limit,
        });
    }
    // Held whole, a frame must fit memory.
    let total = u128::from(payload) + (header_len + trailer.len()) as u128;
    if api == Api::Whole && total > usize::MAX as u128 {
        return fail(Error::FrameTooLong {
            offset: at,
            length: payload,
            limit: usize::MAX as u64,
        });
    }
    if (rest.len() as u128) < total {
        let missing = (total - rest.len() as u128).min(u128::from(u64::MAX));
        let missing = usize::try_from(missing).unwrap_or(usize::MAX);
        return cut_short(rest, at, Needed::exact(missing));
    }
    let end = header_len + payload as usize;
    let got = &rest[end..end + trailer.len()];
    if got != trailer {
        let offset = at + end as u64;
        return fail(Error::invalid_header(offset, "expected ','"));
    }
    Step::Frame(Taken {
        header: rest[..shown].to_vec(),
        payload: rest[header_len..end].to_vec(),
        wire: end + trailer.len(),
    })
}

/// Unsigned LEB128, written the plain way (as protobuf's `_VarintBytes`).
pub fn leb128(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7F) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}

/// The longest varint accepted: 10 bytes, or fewer under `max_header`.
pub fn varint_header_limit(limits: &Limits) -> usize {
    Varint::MAX_HEADER_LEN.min(limits.max_header)
}

/// tests/varint.rs's model, with the API's limit and the header limit: a
/// varint not ended within `max_header` bytes is refused, however its
/// bytes arrive.
pub fn varint_model(limits: &Limits, stream: &[u8], api: Api) -> Outcome {
    let header_limit = varint_header_limit(limits);
    model_decode(stream, |rest, at| {
        // No room for even one byte: refused before any arrives.
        if header_limit == 0 {
            return header_too_long(at, header_limit);
        }
        if rest.is_empty() {
            return Step::End(Ok(()));
        }
        let (mut length, mut header_len) = (0u64, 0usize);
        loop {
            if header_len == header_limit {
                return header_too_long(at, header_limit);
            }
            let Some(&byte) = rest.get(header_len) else {
                return cut_short(rest, at, Needed::at_least(1));
            };
            let offset = at + header_len as u64;
            if header_len == 9 && byte & 0x7E != 0 {
                return fail(Error::invalid_header(offset, "over 64 bits"));
            }
            if header_len == 9 && byte & 0x80 != 0 {
                return fail(Error::invalid_header(offset, "overlong"));
            }
            length |= u64::from(byte & 0x7F) << (7 * header_len);
            header_len += 1;
            if byte & 0x80 == 0 {
                break;
            }
        }
        body(rest, at, limits, api, (header_len, 0), length, b"")
    })
}

/// The limit digits are checked against while they arrive: the larger
/// payload limit (no API accepts more).
pub fn netstring_early_limit(limits: &Limits) -> u64 {
    limits.max_frame.max(limits.max_streamed_body)
}

/// The longest netstring header accepted: the early limit's digits and the
/// `:`, or fewer under `max_header`.
pub fn netstring_header_limit(limits: &Limits) -> usize {
    Netstring::header_len(netstring_early_limit(limits)).min(limits.max_header)
}

/// tests/netstring.rs's model, with the two payload limits apart and the
/// header limit: a length refused at the digit that takes it over the
/// larger limit, then at the `:` over the API's own; a header not ended
/// within `max_header` bytes refused, however its bytes arrive.
pub fn netstring_model(limits: &Limits, stream: &[u8], api: Api) -> Outcome {
    let early = netstring_early_limit(limits);
    let header_limit = netstring_header_limit(limits);
    model_decode(stream, |rest, at| {
        if header_limit == 0 {
            return header_too_long(at, header_limit);
        }
        if rest.is_empty() {
            return Step::End(Ok(()));
        }
        let (mut length, mut digits) = (0u64, 0usize);
        loop {
            if digits == header_limit {
                return header_too_long(at, header_limit);
            }
            let Some(&byte) = rest.get(digits) else {
                return cut_short(rest, at, Needed::at_least(1));
            };
            let offset = at + digits as u64;
            if byte == b':' && digits > 0 {
                break;
            }
            if byte == b':' {
                return fail(Error::invalid_header(offset, "empty"));
            }
            if !byte.is_ascii_digit() {
                return fail(Error::InvalidDigit { offset, byte });
            }
            if digits > 0 && length == 0 {
                return fail(Error::invalid_header(offset, "leading zero"));
            }
            let Some(next) = length
                .checked_mul(10)
                .and_then(|n| n.checked_add(u64::from(byte - b'0')))
            else {
                return fail(Error::invalid_header(offset, "over 64 bits"));
            };
            length = next;
            if length > early {
                return fail(Error::FrameTooLong {
                    offset: at,
                    length,
                    limit: early,
                });
            }
            digits += 1;
        }
        body(rest, at, limits, api, (digits + 1, 0), length, b",")
    })
}

/// The first start of `delimiter` in `bytes`, the slow obvious way.
pub fn naive_find(bytes: &[u8], delimiter: &[u8]) -> Option<usize> {
    (0..=bytes.len().checked_sub(delimiter.len())?).find(|&s| bytes[s..].starts_with(delimiter))
}

/// tests/delimited.rs's model (split at the first delimiter starting
/// within `max_frame`), with the API's limit: a frame is refused once no
/// delimiter can start within `max_frame` bytes of it, its `length`
/// somewhere past the limit but within the delimiter's reach; bytes after
/// the last delimiter are a last frame or a stream cut short.
pub fn delimited_model(framing: &Delimited, limits: &Limits, stream: &[u8], api: Api) -> Outcome {
    let delimiter = framing.delimiter();
    let d = delimiter.len();
    let max_frame = limits.max_frame;
    let max = usize::try_from(max_frame).unwrap_or(usize::MAX);
    // Every API bounds the payload by `max_frame`; the decoder bounds what
    // `decode_event` hands out by `max_streamed_body` too.
    let refuse = |payload: usize, at: u64| {
        let limit = api.limit(limits);
        (payload as u64 > limit).then(|| {
            fail(Error::FrameTooLong {
                offset: at,
                length: payload as u64,
                limit,
            })
        })
    };
    model_decode(stream, |rest, at| {
        // Only a delimiter starting within the limit ends a frame.
        let window = &rest[..rest.len().min(max.saturating_add(d))];
        if let Some(s) = naive_find(window, delimiter) {
            if let Some(refused) = refuse(s, at) {
                return refused;
            }
            return Step::Frame(Taken {
                header: Vec::new(),
                payload: rest[..s].to_vec(),
                wire: s + d,
            });
        }
        // The earliest start whose bytes may still begin a delimiter.
        let viable = (0..=rest.len())
            .find(|&s| s + d > rest.len() && delimiter.starts_with(&rest[s..]))
            .unwrap_or(rest.len());
        if viable > max {
            let reach = (max as u64).saturating_add(d as u64).min(rest.len() as u64);
            return Step::End(Err(Want::FrameTooLong {
                offset: at,
                limit: max_frame,
                lengths: max_frame.saturating_add(1)..=reach,
            }));
        }
        if rest.is_empty() {
            return Step::End(Ok(()));
        }
        if !framing.takes_last_frame() {
            let needed = Needed::at_least(viable + d - rest.len());
            return cut_short(rest, at, needed);
        }
        // The last frame, whole: its length is known.
        if rest.len() > max {
            return fail(Error::FrameTooLong {
                offset: at,
                length: rest.len() as u64,
                limit: max_frame,
            });
        }
        if let Some(refused) = refuse(rest.len(), at) {
            return refused;
        }
        Step::Frame(Taken {
            header: Vec::new(),
            payload: rest.to_vec(),
            wire: rest.len(),
        })
    })
}

/// Which bytes are dropped before the payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dropped {
    /// The header up to the end of the length field.
    Default,
    /// tokio-util's `num_skip`: the adjusted length follows these bytes.
    NumSkip(usize),
    /// netty's `initial_bytes_to_strip`: the adjusted length follows the
    /// length field.
    Strip(usize),
}

/// A `LengthField` configuration, as the model reads it: tokio-util's and
/// netty's options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// `length_field_offset`.
    pub offset: usize,
    /// `length_field_length`, 1 to 8.
    pub width: usize,
    /// The field's byte order.
    pub endian: Endian,
    /// Two's complement.
    pub signed: bool,
    /// `length_adjustment`.
    pub adjustment: i64,
    /// `length_includes_length_field_length`.
    pub includes: bool,
    /// Which bytes are dropped before the payload.
    pub dropped_by: Dropped,
    /// `max_frame_length`.
    pub max: Option<usize>,
}

impl Layout {
    pub fn builder(&self) -> sockframe::LengthFieldBuilder {
        let mut b = LengthField::builder();
        b.length_field_offset(self.offset)
            .length_field_length(self.width)
            .endian(self.endian)
            .length_adjustment(self.adjustment as isize)
            .length_includes_length_field_length(self.includes);
        if self.signed {
            b.signed();
        }
        match self.dropped_by {
            Dropped::Default => {}
            Dropped::NumSkip(n) => {
                b.num_skip(n);
            }
            Dropped::Strip(n) => {
                b.initial_bytes_to_strip(n);
            }
        }
        if let Some(max) = self.max {
            b.max_frame_length(max);
        }
        b
    }

    pub fn big(&self) -> bool {
        match self.endian {
            Endian::Big => true,
            Endian::Little => false,
            Endian::Native => cfg!(target_endian = "big"),
        }
    }

    pub fn field_end(&self) -> usize {
        self.offset + self.width
    }

    /// Bytes dropped: the header handed out.
    pub fn dropped(&self) -> usize {
        match self.dropped_by {
            Dropped::Default => self.field_end(),
            Dropped::NumSkip(n) | Dropped::Strip(n) => n,
        }
    }

    /// Added to the field: the adjustment, less the field's own width when
    /// it counts itself.
    pub fn adjustment(&self) -> i128 {
        i128::from(self.adjustment) - if self.includes { self.width as i128 } else { 0 }
    }

    /// Added to the adjusted length for the payload: netty counts from the
    /// end of the field, whatever is dropped.
    pub fn bias(&self) -> i128 {
        match self.dropped_by {
            Dropped::Strip(n) => self.field_end() as i128 - n as i128,
            Dropped::Default | Dropped::NumSkip(_) => 0,
        }
    }

    /// The shortest payload that leaves the field inside the frame.
    pub fn min_payload(&self) -> i128 {
        self.field_end().saturating_sub(self.dropped()) as i128
    }

    pub fn field_max(&self) -> i128 {
        let bits = 8 * self.width as u32 - u32::from(self.signed);
        (1i128 << bits) - 1
    }

    /// `max_frame_length`, or none.
    pub fn max_frame_length(&self) -> u64 {
        self.max.map_or(u64::MAX, |m| m as u64)
    }

    /// Whether `build` accepts it: some field value makes a frame.
    pub fn builds(&self) -> bool {
        self.field_max() + self.adjustment() + self.bias() >= self.min_payload()
    }

    /// The encoder writes every header byte: the bytes dropped reach past
    /// the field.
    pub fn encodable(&self) -> bool {
        self.dropped() >= self.field_end()
    }

    /// The field value announcing a payload of `len` bytes.
    pub fn field_for(&self, len: usize) -> i128 {
        len as i128 - self.adjustment() - self.bias()
    }

    /// The longest payload the encoder writes.
    pub fn max_encoded(&self) -> u64 {
        let max = self.field_max() + self.adjustment() + self.bias();
        u64::try_from(max)
            .unwrap_or(u64::MAX)
            .min(self.max_frame_length())
    }

    pub fn read_field(&self, bytes: &[u8]) -> i128 {
        let mut value: u64 = 0;
        for i in 0..self.width {
            let byte = if self.big() {
                bytes[i]
            } else {
                bytes[self.width - 1 - i]
            };
            value = value << 8 | u64::from(byte);
        }
        if self.signed && value >> (8 * self.width - 1) & 1 == 1 {
            value as i128 - (1i128 << (8 * self.width))
        } else {
            value as i128
        }
    }

    pub fn write_field(&self, field: i128, frame: &mut [u8]) {
        for i in 0..self.width {
            let byte = (field >> (8 * (self.width - 1 - i))) as u8;
            let at = if self.big() { i } else { self.width - 1 - i };
            frame[self.offset + at] = byte;
        }
    }
}

/// tests/length_field.rs's model (tokio-util's and netty's formulas), with
/// the API's limit and the frame's fit in memory.
pub fn length_field_model(layout: &Layout, limits: &Limits, stream: &[u8], api: Api) -> Outcome {
    model_decode(stream, |rest, at| {
        if rest.is_empty() {
            return Step::End(Ok(()));
        }
        let end = layout.field_end();
        if rest.len() < end {
            return cut_short(rest, at, Needed::at_least(end - rest.len()));
        }
        let field = layout.read_field(&rest[layout.offset..end]);
        let adjusted = field + layout.adjustment();
        let negative = if field < 0 { field } else { adjusted };
        if negative < 0 {
            let length = i64::try_from(negative).unwrap_or(i64::MIN);
            return fail(Error::NegativeLength { offset: at, length });
        }
        let payload = adjusted + layout.bias();
        if payload < layout.min_payload() {
            let offset = at + layout.offset as u64;
            return fail(Error::invalid_header(offset, "shorter than its"));
        }
        let payload = u64::try_from(payload).unwrap_or(u64::MAX);
        if payload > layout.max_frame_length() {
            return fail(Error::FrameTooLong {
                offset: at,
                length: payload,
                limit: layout.max_frame_length(),
            });
        }
        let dropped = layout.dropped();
        if rest.len() < dropped {
            return cut_short(rest, at, Needed::at_least(dropped - rest.len()));
        }
        body(rest, at, limits, api, (dropped, dropped), payload, b"")
    })
}
