//! A length field anywhere in a fixed-size header: every configuration of
//! tokio-util's `LengthDelimitedCodec` and of netty's
//! `LengthFieldBasedFrameDecoder`.
//!
//! ```text
//!  <------ offset -------> < 1 to 8 bytes >
//! +-----------------------+----------------+----------+------------------------+
//! |      other header     |  length field  |   more   |        payload         |
//! +-----------------------+----------------+----------+------------------------+
//!  <------------- num_skip: the header --------------> <- field + adjustment ->
//! ```
//!
//! The builder's options have tokio-util's names and meanings, so moving
//! from tokio-util is a rename (`LengthDelimitedCodec::builder()` becomes
//! [`LengthField::builder()`], `new_codec()` becomes
//! [`build()`](LengthFieldBuilder::build)); the defaults are tokio-util's:
//! a 4-byte big-endian unsigned length at offset 0, counting the payload.
//!
//! # How a frame is read
//!
//! As tokio-util's decoder reads it: the length field is read at
//! `length_field_offset`; `field + length_adjustment` bytes follow the
//! first `num_skip` bytes of the frame, and are the payload, so a frame is
//! `num_skip + field + length_adjustment` bytes. The first `num_skip`
//! bytes (by default the header up to the end of the length field) are
//! dropped from the payload and handed out as the frame's header, a
//! `&[u8]`, so that fields around the length stay readable.
//!
//! netty counts differently: its adjusted length counts the bytes after the
//! *length field*, whatever it strips. Its option is here under its own
//! name, [`initial_bytes_to_strip`](LengthFieldBuilder::initial_bytes_to_strip):
//! with it, `length_adjustment` has netty's meaning, so netty's parameters
//! are copied as they are. The two agree when the bytes dropped are exactly
//! the header up to the end of the length field (the default); otherwise
//! tokio-util's adjustment is netty's plus `length_field_offset +
//! length_field_length - num_skip`.
//!
//! | tokio-util `Builder` | netty constructor argument | here |
//! |---|---|---|
//! | `length_field_offset` | `lengthFieldOffset` | [`length_field_offset`](LengthFieldBuilder::length_field_offset) |
//! | `length_field_length`, `length_field_type` | `lengthFieldLength` | [`length_field_length`](LengthFieldBuilder::length_field_length), [`length_field_type`](LengthFieldBuilder::length_field_type) |
//! | `big_endian`, `little_endian`, `native_endian` | `byteOrder` | the same, or [`endian`](LengthFieldBuilder::endian) |
//! | `length_adjustment` | `lengthAdjustment` | [`length_adjustment`](LengthFieldBuilder::length_adjustment) |
//! | `num_skip` | `initialBytesToStrip` (counted differently) | [`num_skip`](LengthFieldBuilder::num_skip), [`initial_bytes_to_strip`](LengthFieldBuilder::initial_bytes_to_strip) |
//! | `max_frame_length` | `maxFrameLength` (counted differently) | [`max_frame_length`](LengthFieldBuilder::max_frame_length) |
//! | — | `LengthFieldPrepender`'s `lengthIncludesLengthFieldLength` | [`length_includes_length_field_length`](LengthFieldBuilder::length_includes_length_field_length) |
//! | — | (a 64-bit field is signed in netty) | [`signed`](LengthFieldBuilder::signed) |
//!
//! # Limits
//!
//! The decoder's [`Limits`] bound the payload (`field + length_adjustment`
//! after the adjustment, not the raw field: tokio-util #4815), before any
//! memory is reserved. [`max_frame_length`](LengthFieldBuilder::max_frame_length)
//! bounds the same number, inclusive, in every API (whole frames and
//! streamed bodies alike), and the encoder refuses payloads over it.
//! netty's `maxFrameLength` differs: it counts the whole frame, header
//! included, and after refusing a frame netty discards it and reads on.
//! Here a frame over a limit is refused as soon as its length field is
//! read, and the error is sticky: the stream is not resynchronised.
//!
//! # Errors
//!
//! Offsets are stream offsets.
//!
//! - A negative signed field, or a length that adjusts below zero:
//!   [`Error::NegativeLength`] with the frame's offset and the value
//!   (`field + length_adjustment`, or the field itself when negative).
//! - A length that makes the frame end inside its own header (say,
//!   `num_skip(0)` and a length of 1 after a 2-byte field):
//!   [`Error::InvalidHeader`] at the length field. tokio-util hands out such
//!   a frame and reads the next one from inside it; netty refuses it.
//! - A payload over `max_frame_length`: [`Error::FrameTooLong`].
//!
//! # Encoding
//!
//! As tokio-util's encoder: the field holds `payload length -
//! length_adjustment` (with
//! [`initial_bytes_to_strip`](LengthFieldBuilder::initial_bytes_to_strip),
//! the bytes after the length field less the adjustment), so that each
//! frame decodes back to its payload, in the field's width, order and
//! signedness. A length the field cannot hold is
//! [`Error::PayloadTooLong`], never a truncated header (tokio-util #5080).
//!
//! Header bytes other than the length field (an offset, or bytes dropped
//! after the field) are the caller's: give them once with
//! [`header_fields`](LengthFieldBuilder::header_fields) (or
//! [`LengthField::set_header_fields`]), or per frame with
//! [`LengthField::encode_header_with`]. Without them, `encode_header`
//! refuses with [`Error::CannotEncode`]. A length field outside the bytes
//! dropped (`num_skip` less than the end of the field) lies in the payload,
//! which is the caller's to write: the encoder refuses such layouts.
//!
//! ```
//! use sockframe::framing::length_field::LengthField;
//! use sockframe::{Decoder, Encode, Status};
//!
//! // tokio-util's `LengthDelimitedCodec::new()`.
//! let framing = LengthField::new();
//! let wire = framing.encode_to_vec(b"hello world")?;
//! assert_eq!(wire, b"\x00\x00\x00\x0bhello world");
//!
//! let mut decoder = Decoder::new(framing);
//! let Status::Complete((frame, used)) = decoder.decode(&wire)? else { panic!() };
//! assert_eq!((frame.payload(), *frame.header(), used), (&b"hello world"[..], &wire[..4], 15));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # netty's examples
//!
//! Each of the examples of netty's `LengthFieldBasedFrameDecoder`
//! documentation, with netty's parameters as they are
//! (`maxFrameLength` aside) and the tokio-util spelling of the same layout.
//!
//! ## 2 bytes length field at offset 0, do not strip header
//!
//! ```text
//! lengthFieldOffset   = 0
//! lengthFieldLength   = 2
//! lengthAdjustment    = 0
//! initialBytesToStrip = 0 (= do not strip header)
//!
//! BEFORE DECODE (14 bytes)         AFTER DECODE (14 bytes)
//! +--------+----------------+      +--------+----------------+
//! | Length | Actual Content |----->| Length | Actual Content |
//! | 0x000C | "HELLO, WORLD" |      | 0x000C | "HELLO, WORLD" |
//! +--------+----------------+      +--------+----------------+
//! ```
//!
//! ```
//! use sockframe::framing::length_field::LengthField;
//! use sockframe::{Decoder, Status};
//!
//! let netty = LengthField::builder()
//!     .length_field_offset(0)
//!     .length_field_length(2)
//!     .length_adjustment(0)
//!     .initial_bytes_to_strip(0)
//!     .build()?;
//! // tokio-util counts the adjusted length after the bytes skipped.
//! let tokio = LengthField::builder().length_field_length(2).length_adjustment(2).num_skip(0).build()?;
//!
//! let before = b"\x00\x0CHELLO, WORLD";
//! for framing in [netty, tokio] {
//!     let mut decoder = Decoder::new(framing);
//!     let Status::Complete((frame, used)) = decoder.decode(before)? else { panic!() };
//!     assert_eq!(frame.payload(), b"\x00\x0CHELLO, WORLD"); // AFTER DECODE, 14 bytes
//!     assert_eq!((*frame.header(), used), (&b""[..], 14));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 2 bytes length field at offset 0, strip header
//!
//! ```text
//! lengthFieldOffset   = 0
//! lengthFieldLength   = 2
//! lengthAdjustment    = 0
//! initialBytesToStrip = 2 (= the length of the Length field)
//!
//! BEFORE DECODE (14 bytes)         AFTER DECODE (12 bytes)
//! +--------+----------------+      +----------------+
//! | Length | Actual Content |----->| Actual Content |
//! | 0x000C | "HELLO, WORLD" |      | "HELLO, WORLD" |
//! +--------+----------------+      +----------------+
//! ```
//!
//! ```
//! use sockframe::framing::length_field::LengthField;
//! use sockframe::{Decoder, Status};
//!
//! let netty = LengthField::builder()
//!     .length_field_offset(0)
//!     .length_field_length(2)
//!     .length_adjustment(0)
//!     .initial_bytes_to_strip(2)
//!     .build()?;
//! // The bytes stripped are the header up to the length field's end: the
//! // two conventions agree, and these are tokio-util's defaults.
//! let tokio = LengthField::builder().length_field_length(2).build()?;
//!
//! let before = b"\x00\x0CHELLO, WORLD";
//! for framing in [netty, tokio] {
//!     let mut decoder = Decoder::new(framing);
//!     let Status::Complete((frame, used)) = decoder.decode(before)? else { panic!() };
//!     assert_eq!(frame.payload(), b"HELLO, WORLD"); // AFTER DECODE, 12 bytes
//!     assert_eq!((*frame.header(), used), (&b"\x00\x0C"[..], 14));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 2 bytes length field at offset 0, do not strip header, the length field represents the length of the whole message
//!
//! ```text
//! lengthFieldOffset   =  0
//! lengthFieldLength   =  2
//! lengthAdjustment    = -2 (= the length of the Length field)
//! initialBytesToStrip =  0
//!
//! BEFORE DECODE (14 bytes)         AFTER DECODE (14 bytes)
//! +--------+----------------+      +--------+----------------+
//! | Length | Actual Content |----->| Length | Actual Content |
//! | 0x000E | "HELLO, WORLD" |      | 0x000E | "HELLO, WORLD" |
//! +--------+----------------+      +--------+----------------+
//! ```
//!
//! ```
//! use sockframe::framing::length_field::LengthField;
//! use sockframe::{Decoder, Status};
//!
//! let netty = LengthField::builder()
//!     .length_field_offset(0)
//!     .length_field_length(2)
//!     .length_adjustment(-2)
//!     .initial_bytes_to_strip(0)
//!     .build()?;
//! let tokio = LengthField::builder().length_field_length(2).length_adjustment(0).num_skip(0).build()?;
//!
//! let before = b"\x00\x0EHELLO, WORLD";
//! for framing in [netty, tokio] {
//!     let mut decoder = Decoder::new(framing);
//!     let Status::Complete((frame, used)) = decoder.decode(before)? else { panic!() };
//!     assert_eq!(frame.payload(), b"\x00\x0EHELLO, WORLD"); // AFTER DECODE, 14 bytes
//!     assert_eq!((*frame.header(), used), (&b""[..], 14));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 3 bytes length field at the end of 5 bytes header, do not strip header
//!
//! ```text
//! lengthFieldOffset   = 2 (= the length of Header 1)
//! lengthFieldLength   = 3
//! lengthAdjustment    = 0
//! initialBytesToStrip = 0
//!
//! BEFORE DECODE (17 bytes)                      AFTER DECODE (17 bytes)
//! +----------+----------+----------------+      +----------+----------+----------------+
//! | Header 1 |  Length  | Actual Content |----->| Header 1 |  Length  | Actual Content |
//! |  0xCAFE  | 0x00000C | "HELLO, WORLD" |      |  0xCAFE  | 0x00000C | "HELLO, WORLD" |
//! +----------+----------+----------------+      +----------+----------+----------------+
//! ```
//!
//! ```
//! use sockframe::framing::length_field::LengthField;
//! use sockframe::{Decoder, Status};
//!
//! let netty = LengthField::builder()
//!     .length_field_offset(2)
//!     .length_field_length(3)
//!     .length_adjustment(0)
//!     .initial_bytes_to_strip(0)
//!     .build()?;
//! let tokio = LengthField::builder()
//!     .length_field_offset(2)
//!     .length_field_length(3)
//!     .length_adjustment(5)
//!     .num_skip(0)
//!     .build()?;
//!
//! let before = b"\xCA\xFE\x00\x00\x0CHELLO, WORLD";
//! for framing in [netty, tokio] {
//!     let mut decoder = Decoder::new(framing);
//!     let Status::Complete((frame, used)) = decoder.decode(before)? else { panic!() };
//!     assert_eq!(frame.payload(), b"\xCA\xFE\x00\x00\x0CHELLO, WORLD"); // 17 bytes
//!     assert_eq!((*frame.header(), used), (&b""[..], 17));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 3 bytes length field at the beginning of 5 bytes header, do not strip header
//!
//! ```text
//! lengthFieldOffset   = 0
//! lengthFieldLength   = 3
//! lengthAdjustment    = 2 (= the length of Header 1)
//! initialBytesToStrip = 0
//!
//! BEFORE DECODE (17 bytes)                      AFTER DECODE (17 bytes)
//! +----------+----------+----------------+      +----------+----------+----------------+
//! |  Length  | Header 1 | Actual Content |----->|  Length  | Header 1 | Actual Content |
//! | 0x00000C |  0xCAFE  | "HELLO, WORLD" |      | 0x00000C |  0xCAFE  | "HELLO, WORLD" |
//! +----------+----------+----------------+      +----------+----------+----------------+
//! ```
//!
//! ```
//! use sockframe::framing::length_field::LengthField;
//! use sockframe::{Decoder, Status};
//!
//! let netty = LengthField::builder()
//!     .length_field_offset(0)
//!     .length_field_length(3)
//!     .length_adjustment(2)
//!     .initial_bytes_to_strip(0)
//!     .build()?;
//! let tokio = LengthField::builder().length_field_length(3).length_adjustment(5).num_skip(0).build()?;
//!
//! let before = b"\x00\x00\x0C\xCA\xFEHELLO, WORLD";
//! for framing in [netty, tokio] {
//!     let mut decoder = Decoder::new(framing);
//!     let Status::Complete((frame, used)) = decoder.decode(before)? else { panic!() };
//!     assert_eq!(frame.payload(), b"\x00\x00\x0C\xCA\xFEHELLO, WORLD"); // 17 bytes
//!     assert_eq!((*frame.header(), used), (&b""[..], 17));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 2 bytes length field at offset 1 in the middle of 4 bytes header, strip the first header field and the length field
//!
//! ```text
//! lengthFieldOffset   = 1 (= the length of HDR1)
//! lengthFieldLength   = 2
//! lengthAdjustment    = 1 (= the length of HDR2)
//! initialBytesToStrip = 3 (= the length of HDR1 + LEN)
//!
//! BEFORE DECODE (16 bytes)                       AFTER DECODE (13 bytes)
//! +------+--------+------+----------------+      +------+----------------+
//! | HDR1 | Length | HDR2 | Actual Content |----->| HDR2 | Actual Content |
//! | 0xCA | 0x000C | 0xFE | "HELLO, WORLD" |      | 0xFE | "HELLO, WORLD" |
//! +------+--------+------+----------------+      +------+----------------+
//! ```
//!
//! The bytes stripped come out as the header: HDR1 is `header[0]`, HDR2
//! the payload's first byte.
//!
//! ```
//! use sockframe::framing::length_field::LengthField;
//! use sockframe::{Decoder, Status};
//!
//! let netty = LengthField::builder()
//!     .length_field_offset(1)
//!     .length_field_length(2)
//!     .length_adjustment(1)
//!     .initial_bytes_to_strip(3)
//!     .build()?;
//! // Stripped up to the length field's end: the conventions agree.
//! let tokio = LengthField::builder()
//!     .length_field_offset(1)
//!     .length_field_length(2)
//!     .length_adjustment(1)
//!     .num_skip(3)
//!     .build()?;
//!
//! let before = b"\xCA\x00\x0C\xFEHELLO, WORLD";
//! for framing in [netty, tokio] {
//!     let mut decoder = Decoder::new(framing);
//!     let Status::Complete((frame, used)) = decoder.decode(before)? else { panic!() };
//!     assert_eq!(frame.payload(), b"\xFEHELLO, WORLD"); // AFTER DECODE, 13 bytes
//!     assert_eq!((*frame.header(), used), (&b"\xCA\x00\x0C"[..], 16));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## 2 bytes length field at offset 1 in the middle of 4 bytes header, strip the first header field and the length field, the length field represents the length of the whole message
//!
//! ```text
//! lengthFieldOffset   =  1
//! lengthFieldLength   =  2
//! lengthAdjustment    = -3 (= the length of HDR1 + LEN, negative)
//! initialBytesToStrip =  3
//!
//! BEFORE DECODE (16 bytes)                       AFTER DECODE (13 bytes)
//! +------+--------+------+----------------+      +------+----------------+
//! | HDR1 | Length | HDR2 | Actual Content |----->| HDR2 | Actual Content |
//! | 0xCA | 0x0010 | 0xFE | "HELLO, WORLD" |      | 0xFE | "HELLO, WORLD" |
//! +------+--------+------+----------------+      +------+----------------+
//! ```
//!
//! The same layout encodes, HDR1 given by the caller:
//!
//! ```
//! use sockframe::framing::length_field::LengthField;
//! use sockframe::{Decoder, Encode, Status};
//!
//! let netty = LengthField::builder()
//!     .length_field_offset(1)
//!     .length_field_length(2)
//!     .length_adjustment(-3)
//!     .initial_bytes_to_strip(3)
//!     .build()?;
//! let tokio = LengthField::builder()
//!     .length_field_offset(1)
//!     .length_field_length(2)
//!     .length_adjustment(-3)
//!     .num_skip(3)
//!     .build()?;
//!
//! let before = b"\xCA\x00\x10\xFEHELLO, WORLD";
//! for framing in [netty, tokio] {
//!     let mut decoder = Decoder::new(framing);
//!     let Status::Complete((frame, used)) = decoder.decode(before)? else { panic!() };
//!     assert_eq!(frame.payload(), b"\xFEHELLO, WORLD"); // AFTER DECODE, 13 bytes
//!     assert_eq!((*frame.header(), used), (&b"\xCA\x00\x10"[..], 16));
//!
//!     let header = framing.encode_header_with(b"\xCA", b"", 13)?;
//!     assert_eq!(&header[..], b"\xCA\x00\x10");
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::format;
use alloc::vec::Vec;

use super::binary::{Endian, Signedness};
use super::{Encode, Framing, Head, HeaderBuf, HeaderBytes};
use crate::error::{ConfigError, Error};
use crate::limits::Limits;
use crate::status::{Needed, Status};

/// Which bytes are dropped before the payload, and so how the adjusted
/// length is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Dropped {
    /// Neither option set: the header up to the end of the length field.
    Default,
    /// tokio-util's `num_skip`: the adjusted length follows these bytes.
    NumSkip(usize),
    /// netty's `initialBytesToStrip`: the adjusted length follows the
    /// length field.
    InitialBytesToStrip(usize),
}

/// A length field at a fixed place in a fixed-size header (see the
/// [module docs](self) for the layout, the options and netty's examples).
///
/// Built with [`LengthField::builder`]; [`LengthField::new`] (also
/// `default()`) is tokio-util's default: a 4-byte big-endian unsigned
/// length at offset 0 counting the payload, the header dropped.
///
/// ```
/// use sockframe::framing::length_field::LengthField;
/// use sockframe::{Decoder, Encode, Status};
///
/// // A little-endian u16 length after a one-byte message type.
/// let framing = LengthField::builder()
///     .length_field_offset(1)
///     .length_field_length(2)
///     .little_endian()
///     .header_fields(b"\x07", b"")
///     .build()?;
/// let wire = framing.encode_to_vec(b"ping")?;
/// assert_eq!(wire, b"\x07\x04\x00ping");
///
/// let mut decoder = Decoder::new(framing);
/// let Status::Complete((frame, _)) = decoder.decode(&wire)? else { panic!() };
/// assert_eq!((frame.header()[0], frame.payload()), (7, &b"ping"[..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LengthField {
    length_field_offset: usize,
    /// 1..=8.
    length_field_length: usize,
    big_endian: bool,
    signedness: Signedness,
    /// As configured.
    length_adjustment: i64,
    includes_length_field_length: bool,
    dropped: Dropped,
    /// `u64::MAX` when not set.
    max_frame_length: u64,

    // Derived once by `build`, so that a header costs a few comparisons.
    /// Bytes dropped before the payload: the header handed out.
    header_len: usize,
    /// `length_field_offset + length_field_length`.
    field_end: usize,
    /// Bytes needed before a frame can be handed out: `max(field_end,
    /// header_len)`.
    fixed_len: usize,
    /// Added to the field: `length_adjustment`, less the field's own
    /// length when the field counts itself.
    adjustment: i64,
    /// Added to the adjusted length to give the payload length: 0 in
    /// tokio-util's convention, `field_end - header_len` in netty's.
    bias: i64,
    /// The shortest payload that leaves the length field inside the frame.
    min_payload: u64,
    /// The longest payload the encoder writes (field and `max_frame_length`).
    max_encoded: u64,
    /// The header written before each payload (field bytes zero), if the
    /// encoder knows every byte of it.
    template: Option<HeaderBuf>,
    /// tokio-util's default layout, decoded with one 4-byte load.
    u32_be_prefix: bool,
}

/// Integer types whose size names a length field's width, for
/// [`LengthFieldBuilder::length_field_type`] (as in tokio-util). Sealed.
pub trait LengthFieldType: sealed::Sealed {}

mod sealed {
    pub trait Sealed {}
}

macro_rules! length_field_types {
    ($($t:ty),*) => {$(
        impl sealed::Sealed for $t {}
        impl LengthFieldType for $t {}
    )*};
}
length_field_types!(u8, u16, u32, u64, usize);

/// Options for a [`LengthField`], named as tokio-util's
/// `length_delimited::Builder`; each says whether it applies to decoding,
/// encoding or both. Nothing is checked until [`build`](Self::build).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LengthFieldBuilder {
    length_field_offset: usize,
    length_field_length: usize,
    endian: Endian,
    signedness: Signedness,
    length_adjustment: isize,
    num_skip: Option<usize>,
    initial_bytes_to_strip: Option<usize>,
    max_frame_length: Option<usize>,
    includes_length_field_length: bool,
    header_fields: Option<(Vec<u8>, Vec<u8>)>,
}

impl Default for LengthFieldBuilder {
    fn default() -> Self {
        LengthFieldBuilder {
            length_field_offset: 0,
            length_field_length: 4,
            endian: Endian::Big,
            signedness: Signedness::Unsigned,
            length_adjustment: 0,
            num_skip: None,
            initial_bytes_to_strip: None,
            max_frame_length: None,
            includes_length_field_length: false,
            header_fields: None,
        }
    }
}

impl LengthFieldBuilder {
    /// tokio-util's defaults: a 4-byte big-endian unsigned length at offset
    /// 0, no adjustment, the header dropped, no `max_frame_length`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Header bytes before the length field (default 0). Both directions.
    pub fn length_field_offset(&mut self, bytes: usize) -> &mut Self {
        self.length_field_offset = bytes;
        self
    }

    /// The length field's width in bytes, 1 to 8 (default 4). Both
    /// directions.
    pub fn length_field_length(&mut self, bytes: usize) -> &mut Self {
        self.length_field_length = bytes;
        self
    }

    /// The length field's width as the size of `T` (`u8`, `u16`, `u32`,
    /// `u64`, `usize`), as tokio-util's `length_field_type::<u16>()`. Both
    /// directions.
    pub fn length_field_type<T: LengthFieldType>(&mut self) -> &mut Self {
        self.length_field_length(core::mem::size_of::<T>())
    }

    /// The length field's byte order: [`Endian::Native`] is this
    /// machine's. Both directions.
    pub fn endian(&mut self, endian: Endian) -> &mut Self {
        self.endian = endian;
        self
    }

    /// Most significant byte first, network order: the default. Both
    /// directions.
    pub fn big_endian(&mut self) -> &mut Self {
        self.endian(Endian::Big)
    }

    /// Least significant byte first. Both directions.
    pub fn little_endian(&mut self) -> &mut Self {
        self.endian(Endian::Little)
    }

    /// This machine's byte order. Both directions.
    pub fn native_endian(&mut self) -> &mut Self {
        self.endian(Endian::Native)
    }

    /// The field is a two's-complement signed integer: a negative one is
    /// [`Error::NegativeLength`] when decoding, and the encoder writes at
    /// most the largest positive value. Both directions.
    pub fn signed(&mut self) -> &mut Self {
        self.signedness = Signedness::Signed;
        self
    }

    /// The field is unsigned: the default. Both directions.
    pub fn unsigned(&mut self) -> &mut Self {
        self.signedness = Signedness::Unsigned;
        self
    }

    /// Added to the field to give the length of what follows (default 0;
    /// negative when the field counts header bytes too). Decoding: the
    /// payload after [`num_skip`](Self::num_skip) bytes is `field +
    /// adjustment` long (with
    /// [`initial_bytes_to_strip`](Self::initial_bytes_to_strip), the bytes
    /// after the length field are). Encoding: the field holds the length
    /// less the adjustment.
    pub fn length_adjustment(&mut self, adjustment: isize) -> &mut Self {
        self.length_adjustment = adjustment;
        self
    }

    /// Bytes dropped from the front of each frame before the payload, and
    /// handed out as its header (default: the header up to the end of the
    /// length field); the adjusted length counts the bytes after them, as
    /// in tokio-util. Less than the end of the length field leaves the
    /// field in the payload (and such frames cannot be encoded). Both
    /// directions; not with
    /// [`initial_bytes_to_strip`](Self::initial_bytes_to_strip).
    pub fn num_skip(&mut self, bytes: usize) -> &mut Self {
        self.num_skip = Some(bytes);
        self
    }

    /// netty's `initialBytesToStrip`: bytes dropped from the front of each
    /// frame before the payload, and handed out as its header, with the
    /// adjusted length counting the bytes after the *length field*, as in
    /// netty, whatever is dropped. Both directions; not with
    /// [`num_skip`](Self::num_skip).
    pub fn initial_bytes_to_strip(&mut self, bytes: usize) -> &mut Self {
        self.initial_bytes_to_strip = Some(bytes);
        self
    }

    /// The longest payload, inclusive, after the length adjustment (unset
    /// by default: the decoder's [`Limits`] still apply). Decoding: a
    /// longer one is [`Error::FrameTooLong`] as soon as the field is read,
    /// in every API, streamed bodies included. Encoding: a longer payload
    /// is [`Error::PayloadTooLong`]. tokio-util checks its limit on the
    /// field before the adjustment (#4815); netty's counts the header too.
    pub fn max_frame_length(&mut self, bytes: usize) -> &mut Self {
        self.max_frame_length = Some(bytes);
        self
    }

    /// netty's `lengthIncludesLengthFieldLength`: the field counts its own
    /// bytes too (default `false`). The same as lowering
    /// [`length_adjustment`](Self::length_adjustment) by
    /// `length_field_length`, in both directions, so that a frame written
    /// with it decodes with it.
    pub fn length_includes_length_field_length(&mut self, includes: bool) -> &mut Self {
        self.includes_length_field_length = includes;
        self
    }

    /// Encoding: the header bytes written around the length field, the
    /// same for every frame: `before` (exactly `length_field_offset`
    /// bytes) and `after` (the bytes after the field that are dropped with
    /// it: exactly `num_skip - length_field_offset - length_field_length`).
    /// The whole header is at most [`HeaderBuf::CAPACITY`] bytes.
    pub fn header_fields(&mut self, before: &[u8], after: &[u8]) -> &mut Self {
        self.header_fields = Some((before.to_vec(), after.to_vec()));
        self
    }

    /// The framing, or the option that cannot work and why: a field
    /// width outside 1 to 8; both `num_skip` and `initial_bytes_to_strip`;
    /// header sizes that overflow; an adjustment under which no frame can
    /// be valid; header fields of the wrong sizes.
    pub fn build(&self) -> Result<LengthField, ConfigError> {
        let width = self.length_field_length;
        if !(1..=8).contains(&width) {
            return Err(invalid(
                "length_field_length",
                format!("a length field is 1 to 8 bytes, not {width}"),
            ));
        }
        let offset = self.length_field_offset;
        let field_end = offset
            .checked_add(width)
            .filter(|&end| end <= isize::MAX as usize)
            .ok_or_else(|| {
                invalid(
                    "length_field_offset",
                    format!("{offset} plus a {width}-byte field is past the largest header"),
                )
            })?;
        let (dropped, header_len) = match (self.num_skip, self.initial_bytes_to_strip) {
            (Some(_), Some(_)) => {
                return Err(invalid(
                    "initial_bytes_to_strip",
                    "num_skip is set too; they count the adjustment differently: set one",
                ))
            }
            (Some(n), None) => (Dropped::NumSkip(n), n),
            (None, Some(n)) => (Dropped::InitialBytesToStrip(n), n),
            (None, None) => (Dropped::Default, field_end),
        };
        if header_len > isize::MAX as usize {
            let option = match dropped {
                Dropped::InitialBytesToStrip(_) => "initial_bytes_to_strip",
                _ => "num_skip",
            };
            return Err(invalid(
                option,
                format!("{header_len} bytes is past the largest header"),
            ));
        }
        // Both are at most `isize::MAX`, so these fit an `i64`.
        let (field_end_i, header_len_i) = (field_end as i64, header_len as i64);
        let length_adjustment = i64::try_from(self.length_adjustment)
            .map_err(|_| invalid("length_adjustment", "does not fit 64 bits"))?;
        let own_length = if self.includes_length_field_length {
            width as i64
        } else {
            0
        };
        let adjustment = length_adjustment.checked_sub(own_length).ok_or_else(|| {
            invalid(
                "length_adjustment",
                "overflows with length_includes_length_field_length",
            )
        })?;
        let bias = match dropped {
            Dropped::InitialBytesToStrip(_) => field_end_i - header_len_i,
            Dropped::Default | Dropped::NumSkip(_) => 0,
        };
        let min_payload = field_end.saturating_sub(header_len) as u64;
        let field_max = field_max(width, self.signedness);
        // The longest payload any field value announces.
        let max_payload = i128::from(field_max) + i128::from(adjustment) + i128::from(bias);
        if max_payload < i128::from(min_payload) {
            return Err(invalid(
                "length_adjustment",
                format!(
                    "{adjustment} with a {width}-byte field makes every length negative \
                     or every frame shorter than its header"
                ),
            ));
        }
        let max_frame_length = self
            .max_frame_length
            .map_or(u64::MAX, |n| u64::try_from(n).unwrap_or(u64::MAX));
        let max_encoded = u64::try_from(max_payload)
            .unwrap_or(u64::MAX)
            .min(max_frame_length);
        let mut framing = LengthField {
            length_field_offset: offset,
            length_field_length: width,
            big_endian: match self.endian {
                Endian::Big => true,
                Endian::Little => false,
                Endian::Native => cfg!(target_endian = "big"),
            },
            signedness: self.signedness,
            length_adjustment,
            includes_length_field_length: self.includes_length_field_length,
            dropped,
            max_frame_length,
            header_len,
            field_end,
            fixed_len: field_end.max(header_len),
            adjustment,
            bias,
            min_payload,
            max_encoded,
            template: None,
            u32_be_prefix: false,
        };
        framing.u32_be_prefix = offset == 0
            && width == 4
            && framing.big_endian
            && self.signedness == Signedness::Unsigned
            && adjustment == 0
            && bias == 0
            && header_len == 4;
        framing.template = match &self.header_fields {
            Some((before, after)) => Some(framing.header_template(before, after)?),
            // A bare length field needs nothing from the caller.
            None if offset == 0 && header_len == field_end => {
                framing.header_template(&[], &[]).ok()
            }
            None => None,
        };
        Ok(framing)
    }
}

/// A [`ConfigError::InvalidOption`].
fn invalid(
    option: &'static str,
    reason: impl Into<alloc::borrow::Cow<'static, str>>,
) -> ConfigError {
    ConfigError::InvalidOption {
        option,
        reason: reason.into(),
    }
}

/// The largest value a field of `width` bytes (1..=8) holds.
const fn field_max(width: usize, signedness: Signedness) -> u64 {
    let bits = 8 * width as u32;
    let bits = match signedness {
        Signedness::Signed => bits - 1,
        Signedness::Unsigned => bits,
    };
    if bits >= 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    }
}

impl Default for LengthField {
    fn default() -> Self {
        Self::new()
    }
}

impl LengthField {
    /// tokio-util's `LengthDelimitedCodec::new()`: a 4-byte big-endian
    /// unsigned length at offset 0 counting the payload, the header
    /// dropped.
    pub fn new() -> Self {
        match LengthFieldBuilder::new().build() {
            Ok(framing) => framing,
            // The defaults are valid; this arm is never taken.
            Err(_) => unreachable!("the default LengthField configuration is valid"),
        }
    }

    /// Options with tokio-util's defaults, to change then
    /// [`build`](LengthFieldBuilder::build).
    pub fn builder() -> LengthFieldBuilder {
        LengthFieldBuilder::new()
    }

    /// Header bytes before the length field.
    pub fn length_field_offset(&self) -> usize {
        self.length_field_offset
    }

    /// The length field's width in bytes.
    pub fn length_field_length(&self) -> usize {
        self.length_field_length
    }

    /// The length field's byte order ([`Endian::Native`] resolved to this
    /// machine's).
    pub fn endian(&self) -> Endian {
        if self.big_endian {
            Endian::Big
        } else {
            Endian::Little
        }
    }

    /// Whether the field is signed.
    pub fn signedness(&self) -> Signedness {
        self.signedness
    }

    /// The length adjustment as configured.
    pub fn length_adjustment(&self) -> i64 {
        self.length_adjustment
    }

    /// Whether the field counts its own bytes.
    pub fn length_includes_length_field_length(&self) -> bool {
        self.includes_length_field_length
    }

    /// Bytes dropped from the front of each frame: the header handed out.
    pub fn num_skip(&self) -> usize {
        self.header_len
    }

    /// The longest payload accepted and encoded, if set.
    pub fn max_frame_length(&self) -> Option<u64> {
        (self.max_frame_length != u64::MAX).then_some(self.max_frame_length)
    }

    /// The longest payload [`encode_header`](Encode::encode_header) writes:
    /// what the field can hold after the adjustment, and
    /// `max_frame_length`.
    pub fn max_encoded_len(&self) -> u64 {
        self.max_encoded
    }

    /// Sets the header bytes written around the length field, as
    /// [`LengthFieldBuilder::header_fields`] does: for a `FrameWriter`
    /// whose header changes from frame to frame, call it through
    /// `encoder_mut()` before each write.
    pub fn set_header_fields(&mut self, before: &[u8], after: &[u8]) -> Result<(), ConfigError> {
        self.template = Some(self.header_template(before, after)?);
        Ok(())
    }

    /// The header announcing `payload_len` bytes, with `before` and
    /// `after` written around the length field (see
    /// [`LengthFieldBuilder::header_fields`] for their sizes), whatever
    /// header fields are set. [`Error::CannotEncode`] for fields of the
    /// wrong sizes; otherwise as [`encode_header`](Encode::encode_header).
    pub fn encode_header_with(
        &self,
        before: &[u8],
        after: &[u8],
        payload_len: usize,
    ) -> Result<HeaderBuf, Error> {
        let template = self.header_template(before, after).map_err(|e| match e {
            ConfigError::InvalidOption { reason, .. } => Error::CannotEncode { reason },
            other => Error::cannot_encode(format!("{other}")),
        })?;
        self.write_header(&template, payload_len)
    }

    /// The whole header with the field's bytes zero, checked against the
    /// layout.
    fn header_template(&self, before: &[u8], after: &[u8]) -> Result<HeaderBuf, ConfigError> {
        if before.len() != self.length_field_offset {
            return Err(invalid(
                "header_fields",
                format!(
                    "{} bytes before the length field, but length_field_offset is {}",
                    before.len(),
                    self.length_field_offset
                ),
            ));
        }
        let Some(dropped_after) = self.header_len.checked_sub(self.field_end) else {
            return Err(invalid(
                "header_fields",
                format!(
                    "the length field ends at byte {} of the frame, after the {} bytes \
                     dropped: it is in the payload, the caller's to write",
                    self.field_end, self.header_len
                ),
            ));
        };
        if after.len() != dropped_after {
            return Err(invalid(
                "header_fields",
                format!(
                    "{} bytes after the length field, but {} are dropped with it",
                    after.len(),
                    dropped_after
                ),
            ));
        }
        let mut bytes = [0u8; HeaderBuf::CAPACITY];
        let too_long = || {
            invalid(
                "header_fields",
                format!(
                    "a {}-byte header is over the {} an encoder writes",
                    self.header_len,
                    HeaderBuf::CAPACITY
                ),
            )
        };
        let parts = [(0, before), (self.field_end, after)];
        for (at, part) in parts {
            bytes
                .get_mut(at..at + part.len())
                .ok_or_else(too_long)?
                .copy_from_slice(part);
        }
        HeaderBuf::from_slice(bytes.get(..self.header_len).ok_or_else(too_long)?)
            .ok_or_else(too_long)
    }

    /// `template` with the field announcing `payload_len` bytes.
    fn write_header(&self, template: &HeaderBuf, payload_len: usize) -> Result<HeaderBuf, Error> {
        let length = u64::try_from(payload_len).unwrap_or(u64::MAX);
        if length > self.max_encoded {
            return Err(Error::PayloadTooLong {
                length,
                max: self.max_encoded,
            });
        }
        let field = i128::from(length) - i128::from(self.adjustment) - i128::from(self.bias);
        let Ok(field) = u64::try_from(field) else {
            return Err(Error::cannot_encode(format!(
                "a payload of {length} bytes is shorter than the length adjustment \
                 allows: the length field would hold {field}"
            )));
        };
        let field_bytes = self.field_bytes(field);
        let mut bytes = [0u8; HeaderBuf::CAPACITY];
        let header = template.as_bytes();
        let width = self.length_field_length;
        let (Some(into), Some(field_bytes)) = (
            bytes.get_mut(..header.len()),
            field_bytes.get(8usize.saturating_sub(width)..),
        ) else {
            return Err(Error::cannot_encode("the header does not fit a HeaderBuf"));
        };
        into.copy_from_slice(header);
        match into.get_mut(self.length_field_offset..self.field_end) {
            Some(slot) if slot.len() == field_bytes.len() => slot.copy_from_slice(field_bytes),
            _ => {
                return Err(Error::cannot_encode(
                    "the length field is outside the header",
                ))
            }
        }
        HeaderBuf::from_slice(into)
            .ok_or_else(|| Error::cannot_encode("the header does not fit a HeaderBuf"))
    }

    /// `field` as 8 bytes whose last `length_field_length` are the field
    /// in its byte order.
    fn field_bytes(&self, field: u64) -> [u8; 8] {
        if self.big_endian {
            field.to_be_bytes()
        } else {
            // Least significant first: the field is the first `width` bytes.
            let mut bytes = field.to_le_bytes();
            bytes.rotate_left(self.length_field_length);
            bytes
        }
    }

    /// Reads the length field (`bytes.len() == length_field_length`),
    /// sign-extended when signed. The usual widths are fixed-size loads.
    #[inline]
    fn read_field(&self, bytes: &[u8]) -> i128 {
        let raw = match (bytes.len(), self.big_endian) {
            (1, _) => bytes.first().map_or(0, |&b| u64::from(b)),
            (2, true) => load(bytes, u16::from_be_bytes).into(),
            (2, false) => load(bytes, u16::from_le_bytes).into(),
            (4, true) => load(bytes, u32::from_be_bytes).into(),
            (4, false) => load(bytes, u32::from_le_bytes).into(),
            (8, true) => load(bytes, u64::from_be_bytes),
            (8, false) => load(bytes, u64::from_le_bytes),
            _ => self.read_odd_width(bytes),
        };
        match self.signedness {
            Signedness::Unsigned => i128::from(raw),
            Signedness::Signed => {
                let unused = 64 - 8 * bytes.len().min(8) as u32;
                i128::from(((raw << unused) as i64) >> unused)
            }
        }
    }

    /// A field of 3, 5, 6 or 7 bytes, read into the low bytes of a `u64`.
    fn read_odd_width(&self, bytes: &[u8]) -> u64 {
        let width = bytes.len().min(8);
        let mut buf = [0u8; 8];
        if self.big_endian {
            buf[8 - width..].copy_from_slice(&bytes[..width]);
            u64::from_be_bytes(buf)
        } else {
            buf[..width].copy_from_slice(&bytes[..width]);
            u64::from_le_bytes(buf)
        }
    }

    /// Every layout but the fast one.
    #[inline(never)]
    fn parse_any(&self, input: &[u8], offset: u64) -> Result<Status<Head>, Error> {
        let Some(field_bytes) = input.get(self.length_field_offset..self.field_end) else {
            return Ok(Status::Partial(Needed::at_least(
                self.field_end.saturating_sub(input.len()),
            )));
        };
        let field = self.read_field(field_bytes);
        if field < 0 {
            return Err(Error::NegativeLength {
                offset,
                length: clamp_i64(field),
            });
        }
        let adjusted = field + i128::from(self.adjustment);
        if adjusted < 0 {
            return Err(Error::NegativeLength {
                offset,
                length: clamp_i64(adjusted),
            });
        }
        let payload = adjusted + i128::from(self.bias);
        if payload < i128::from(self.min_payload) {
            return Err(self.shorter_than_header(offset, field, payload));
        }
        let payload = u64::try_from(payload).unwrap_or(u64::MAX);
        if payload > self.max_frame_length {
            return Err(self.too_long(offset, payload));
        }
        // The length is known, but the bytes dropped must all be here before
        // the frame is handed out.
        if input.len() < self.header_len {
            return Ok(Status::Partial(Needed::at_least(
                self.header_len - input.len(),
            )));
        }
        Ok(Status::Complete(Head::new(self.header_len, payload)))
    }

    #[cold]
    fn too_long(&self, offset: u64, length: u64) -> Error {
        Error::FrameTooLong {
            offset,
            length,
            limit: self.max_frame_length,
        }
    }

    #[cold]
    fn shorter_than_header(&self, offset: u64, field: i128, payload: i128) -> Error {
        let frame = payload + self.header_len as i128;
        Error::invalid_header(
            offset.saturating_add(self.length_field_offset as u64),
            format!(
                "length {field} makes a frame of {frame} bytes, shorter than its {}-byte header",
                self.fixed_len
            ),
        )
    }

    #[cold]
    fn missing_header_fields(&self) -> Error {
        Error::cannot_encode(if self.header_len < self.field_end {
            format!(
                "the length field ends at byte {} of the frame, after the {} bytes \
                 dropped: it is in the payload, the caller's to write",
                self.field_end, self.header_len
            )
        } else {
            format!(
                "the {}-byte header has bytes besides the length field: give them \
                 with LengthFieldBuilder::header_fields or LengthField::encode_header_with",
                self.header_len
            )
        })
    }
}

/// The integer `from_bytes` makes of the first `N` bytes (0 if fewer).
#[inline(always)]
fn load<const N: usize, T: Default>(bytes: &[u8], from_bytes: fn([u8; N]) -> T) -> T {
    bytes
        .first_chunk::<N>()
        .map_or_else(T::default, |b| from_bytes(*b))
}

fn clamp_i64(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

impl Framing for LengthField {
    type Scan = ();
    type Meta = ();
    type Header<'a> = &'a [u8];
    type OwnedHeader = HeaderBytes;

    #[inline(always)]
    fn parse_header(
        &self,
        input: &[u8],
        _scan: &mut (),
        offset: u64,
        _limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        if self.u32_be_prefix {
            // tokio-util's default: one load, one comparison.
            return match input.first_chunk::<4>() {
                Some(field) => {
                    let length = u64::from(u32::from_be_bytes(*field));
                    if length > self.max_frame_length {
                        return Err(self.too_long(offset, length));
                    }
                    Ok(Status::Complete(Head::new(4, length)))
                }
                None => Ok(Status::Partial(Needed::at_least(4 - input.len()))),
            };
        }
        self.parse_any(input, offset)
    }

    #[inline]
    fn header<'a>(&self, header: &'a [u8], _head: &Head) -> &'a [u8] {
        header
    }

    /// The configured header: the bytes dropped, or the header up to the
    /// end of the length field if more. Fixed by the configuration, not
    /// announced by the peer, so [`Limits::max_header`] does not apply.
    fn max_header_len(&self, _limits: &Limits) -> usize {
        self.fixed_len
    }
}

impl Encode for LengthField {
    type Header = HeaderBuf;

    #[inline]
    fn encode_header(&self, payload_len: usize) -> Result<HeaderBuf, Error> {
        if self.u32_be_prefix {
            let length = payload_len as u64;
            if length > self.max_encoded {
                return Err(Error::PayloadTooLong {
                    length,
                    max: self.max_encoded,
                });
            }
            // `max_encoded` is at most `u32::MAX` here.
            return Ok(HeaderBuf::from_array((length as u32).to_be_bytes()));
        }
        match &self.template {
            Some(template) => self.write_header(template, payload_len),
            None => Err(self.missing_header_fields()),
        }
    }
}
