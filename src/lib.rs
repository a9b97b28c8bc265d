//! Message boundaries for byte streams.
//!
//! TCP keeps no message boundaries: two `send`s can arrive in one `recv` and
//! one `send` across several (the "sticky packet" problem). sockframe puts
//! the boundaries back, speaking byte-for-byte the three framings common in
//! Python socket programs:
//!
//! | framing | wire | Python peer |
//! |---|---|---|
//! | [`Ascii`] | `b"0005hello"` | `str(len(m)).zfill(4).encode() + m` |
//! | [`Binary`] | `05 00 00 00 hello` | `struct.pack('i', len(m)) + m` |
//! | [`Json`] | `10 00 00 00 {"data_size": 5} hello` | `struct.pack('i', len(hb)) + hb + body` |
//!
//! and the framings protocols are built from: [`LengthField`] (a length
//! field anywhere in a fixed header, as tokio-util's `LengthDelimitedCodec`
//! and netty's `LengthFieldBasedFrameDecoder`), [`Varint`] (protobuf's
//! delimited messages: `05 hello`), [`Netstring`] (`b"5:hello,"`) and
//! [`Delimited`] (lines: `b"hello\n"`).
//!
//! The wire formats byte by byte, with test vectors and the error for each
//! bad input, are in [`spec`] (`docs/FRAMINGS.md` in the repository).
//!
//! # No IO in the core
//!
//! The core reads no socket and keeps no clock. Bytes come in as arguments;
//! frames come out borrowed from them. Running out of bytes is a value,
//! [`Status::Partial`], that says how many more are needed. A [`Decoder`]
//! remembers how far it got, so input trickling in one byte at a time costs
//! O(n) in total. The same state machine is offered three ways:
//!
//! 1. [`Decoder::decode`]: zero-copy over your buffer, no allocation;
//! 2. [`Decoder::decode_event`]: the header, then the body as chunks, for
//!    bodies of any size in bounded memory;
//! 3. [`FrameBuffer`]: push the stream in arbitrary pieces, take frames.
//!
//! The blocking adapters over `std::io` live in [`io`] (feature `std`).
//!
//! # Your own framing
//!
//! Every framing is one [`Framing`] impl, a function from the bytes of the
//! frame so far to its [`Head`], [`Status::Partial`] or an error; the
//! [`framing`] module docs show one in a few lines, and how scanned
//! headers, header fields, trailers and delimiters fit.
//!
//! ```
//! use sockframe::{Binary, Decoder, Status};
//!
//! let mut decoder = Decoder::new(Binary::default());
//! let stream = b"\x05\0\0\0hello\x03\0\0\0you";
//!
//! // A partial header: at least one more byte is needed.
//! assert!(matches!(decoder.decode(&stream[..3])?, Status::Partial(n) if n.bytes() == 1));
//!
//! let mut rest = &stream[..];
//! let mut payloads = Vec::new();
//! while let Status::Complete((frame, used)) = decoder.decode(rest)? {
//!     payloads.push(frame.payload());
//!     rest = &rest[used..];
//! }
//! decoder.finish(rest)?;
//! assert_eq!(payloads, [&b"hello"[..], b"you"]);
//! # Ok::<(), sockframe::Error>(())
//! ```
//!
//! # Limits
//!
//! Every length a peer announces is checked against [`Limits`] (8 MiB
//! payloads held whole, 64 KiB headers, 1 TiB bodies streamed through, by
//! default) as soon as the header is read, before any memory is reserved:
//! `ff ff ff 7f` is refused at once by [`Decoder::decode`].
//!
//! # Errors
//!
//! [`Error`] names what was wrong and where (stream offset, length, limit).
//! Errors are sticky: a failed decoder returns the same error until
//! [`Decoder::reset`], rather than resynchronising into garbage. Frames
//! complete before the error have all been delivered.
//!
//! # Features
//!
//! - `std` (default): `std::error::Error` and the [`io`] adapters.
//! - `json` (default): the [`Json`] framing (serde, serde_json).
//! - `cli`: the `framecat` tool.
//! - `testing`, `proptest`, `arbitrary`: the test kit for framings, yours
//!   and these, `sockframe::testing` (for dev-dependencies and fuzz crates).
//!
//! Without default features the crate is `no_std` + `alloc`.

#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

extern crate alloc;

mod buffer;
mod decoder;
mod error;
mod frame;
pub mod framing;
mod limits;
mod status;

#[cfg(feature = "std")]
pub mod io;

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod tokio;

// The test kit for framings (features `testing`, `proptest`, `arbitrary`),
// documented in its own module docs, whose links resolve there.
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

#[doc = include_str!("../docs/FRAMINGS.md")]
pub mod spec {}

pub use buffer::FrameBuffer;
pub use decoder::Decoder;
pub use error::{ConfigError, Error, JsonKind};
pub use frame::{Event, Frame, OwnedFrame, Skipped};
pub use framing::ascii::Ascii;
pub use framing::binary::{Binary, Endian, Signedness, Width};
pub use framing::delimited::Delimited;
#[cfg(feature = "json")]
pub use framing::json::{Json, JsonFields, JsonHeader, JsonStyle, OwnedJsonHeader};
pub use framing::length_field::{LengthField, LengthFieldBuilder};
pub use framing::netstring::Netstring;
pub use framing::varint::Varint;
pub use framing::{Encode, Framing, Head, HeaderBuf, HeaderBytes, ToOwnedHeader};
pub use limits::Limits;
pub use status::{Needed, Status};

/// The README's examples, compiled and run as doctests.
#[cfg(all(doctest, feature = "std", feature = "json"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
