//! A test kit for framings, yours and sockframe's: run a framing's frames
//! through every decoding API under every way a stream can be cut, and
//! check they all agree and keep their promises.
//!
//! This is what proves sockframe's own framings, made public: a harness
//! ([`check_roundtrip`], [`check_stream`], [`check_apis_agree`]), the ways
//! a stream arrives ([`Split`], and the [`ScriptedReader`] that follows
//! one), proptest strategies (feature `proptest`: [`splits`],
//! [`payloads`], the built-in framings' configurations) and fuzzing in one
//! call (feature `arbitrary`: [`fuzz_framing`], and `Arbitrary` for splits
//! and configurations).
//!
//! | feature | adds | dependencies |
//! |---|---|---|
//! | `testing` | the harness, [`Options`], [`Split`], [`ScriptedReader`], [`AnyFraming`] | none (needs `std`) |
//! | `proptest` | `testing`, and [`splits`], [`payloads`], [`narrow_payloads`], [`takes`], and the framings' configurations: [`ascii`], [`binary`], `json`, [`length_field`], [`varint`], [`netstring`], [`delimited`], [`any_framing`] | proptest |
//! | `arbitrary` | `testing`, and [`fuzz_framing`], `Arbitrary` for [`Split`], [`Step`], [`Take`], [`AnyFraming`] and the framings' configurations | arbitrary |
//!
//! None is on by default; turn them on in `[dev-dependencies]` (or in a
//! fuzz crate's dependencies), so your library's users pay nothing:
//!
//! ```toml
//! [dev-dependencies]
//! sockframe = { version = "0.1", features = ["proptest"] }
//! proptest = "1"
//! ```
//!
//! # Proving your framing
//!
//! A framing, proven under proptest: every list of payloads, cut every way,
//! through every API.
//!
//! ```
//! # #[cfg(feature = "proptest")] {
//! use proptest::prelude::*;
//! use sockframe::framing::{Encode, Framing, Head, HeaderBuf};
//! use sockframe::testing::{check_roundtrip, payloads, splits};
//! use sockframe::{Error, Limits, Needed, Status};
//!
//! /// Two magic bytes `CA FE`, then a big-endian `u16` payload length.
//! #[derive(Clone)]
//! struct Magic;
//!
//! impl Framing for Magic {
//!     type Scan = ();
//!     type Meta = ();
//!     type Header<'a> = ();
//!     type OwnedHeader = ();
//!
//!     fn parse_header(&self, input: &[u8], _: &mut (), offset: u64, _: &Limits)
//!         -> Result<Status<Head>, Error>
//!     {
//!         if let Some(at) = input.iter().zip([0xCA, 0xFE]).position(|(&b, m)| b != m) {
//!             return Err(Error::invalid_header(offset + at as u64, "bad magic byte"));
//!         }
//!         match input.get(..4) {
//!             Some(&[_, _, hi, lo]) => Ok(Status::Complete(Head::new(4, u16::from_be_bytes([hi, lo]).into()))),
//!             _ => Ok(Status::Partial(Needed::at_least(4 - input.len()))),
//!         }
//!     }
//!
//!     fn header(&self, _: &[u8], _: &Head) {}
//! }
//!
//! impl Encode for Magic {
//!     type Header = HeaderBuf;
//!
//!     fn encode_header(&self, len: usize) -> Result<HeaderBuf, Error> {
//!         let [hi, lo] = u16::try_from(len)
//!             .map_err(|_| Error::PayloadTooLong { length: len as u64, max: 65_535 })?
//!             .to_be_bytes();
//!         Ok(HeaderBuf::from_array([0xCA, 0xFE, hi, lo]))
//!     }
//! }
//!
//! // The proof (in a test: `proptest! { #[test] fn magic(..) { .. } }`).
//! proptest!(|(payloads in payloads(6, 300), split in splits(2000))| {
//!     check_roundtrip(&Magic, &payloads, &split);
//! });
//! # }
//! ```
//!
//! For a stream you built yourself (bad bytes, a stream cut short, tight
//! limits), [`check_stream`] takes the frames it must yield and how it
//! must end; for any bytes at all, [`check_apis_agree`] checks only that
//! every API agrees and keeps its promises. Your protocol over any
//! sockframe framing is one property with [`any_framing`] and
//! [`AnyFraming::check_roundtrip`].
//!
//! # What the harness checks
//!
//! The stream is decoded whole by [`Decoder::decode`](crate::Decoder::decode),
//! which must give the frames expected; then, cut as the split says, by
//! every other API, which must give the same frames (payloads, owned
//! headers, bytes on the wire) and end the same way:
//!
//! - `Decoder`: `decode`; `poll_frame` then `decode`; `decode_event`;
//!   `skip_frames`; each with `end_stream` and `finish` at the end;
//! - `FrameBuffer`: `push` and `unfilled`/`commit`, then `next_frame`,
//!   `poll_frame`, `next_event`, `skip_frames`, `end_stream`, `finish`;
//! - `FrameReader` over a [`ScriptedReader`], retrying after `WouldBlock`
//!   and `TimedOut` (`Interrupted` is its own to retry): `read_frame`,
//!   `read_frame_owned`, `frames`, `read_header` then `read_body`,
//!   `read_header_owned` then `copy_body_to`, `read_header` then
//!   `discard_body`, `skip_frame`, `skip_frames`;
//! - `DatagramFramer`: each frame alone, then cut short and padded.
//!
//! On the way, every call's own promises (see [`check_apis_agree`]): a
//! frame is delivered as soon as its last byte arrives, counts and offsets
//! add up, `Partial` counts are right, wherever the stream could end it
//! ends cleanly at a boundary or with [`Error::UnexpectedEof`](crate::Error::UnexpectedEof)
//! and the exact count, errors are sticky, memory stays bounded, a
//! misused decoder (`finish` with a frame unread, a whole frame asked for
//! in the middle of a streamed body, fewer bytes than before) says so as
//! documented. And
//! [`check_roundtrip`] adds the encoder and the limits: the frames are what
//! the encoder wrote, a payload one byte over the limit is refused before
//! it is whole, frames before junk are all delivered.
//!
//! A failure panics with one message naming what went wrong, the API, the
//! split and the frame, which proptest and libFuzzer show whole:
//!
//! ```text
//! sockframe::testing: complete with 1 more bytes after Partial said at least 2 more were needed
//!   api: Decoder::decode
//!   split: [13] repeated
//!   frame: 1 (counting from 0)
//!   limits: Limits { max_frame: 45, max_header: 65536, max_streamed_body: 45 }
//! ```
//!
//! (A framing whose `parse_header` asks for one byte too many while the
//! header is incomplete, caught under proptest; the kit's own tests plant
//! such bugs, `tests/testing_kit.rs`.)
//!
//! # Fuzzing in a few lines
//!
//! [`fuzz_framing`] is a whole fuzz target's body. It runs the harness in
//! its lighter mode for fuzzing ([`Options::sample_piece_ends`]: the piece
//! ends deep inside long frames sampled), so that a short input that makes
//! a long stream in tiny pieces costs milliseconds. A crate defining the
//! framing `my_protocol::Magic` needs this `fuzz/` directory, next to its
//! `Cargo.toml`, and then `cargo fuzz run magic` (`cargo fuzz run -s none
//! magic` on a stable toolchain):
//!
//! `fuzz/Cargo.toml`:
//!
//! ```toml
//! [package]
//! name = "my-protocol-fuzz"
//! version = "0.0.0"
//! edition = "2021"
//! publish = false
//!
//! [package.metadata]
//! cargo-fuzz = true
//!
//! [dependencies]
//! libfuzzer-sys = "0.4"
//! my-protocol = { path = ".." }
//! sockframe = { version = "0.1", features = ["arbitrary"] }
//!
//! [[bin]]
//! name = "magic"
//! path = "fuzz_targets/magic.rs"
//! test = false
//! doc = false
//! bench = false
//!
//! # Not part of the parent crate's workspace.
//! [workspace]
//! ```
//!
//! `fuzz/fuzz_targets/magic.rs`:
//!
//! ```text
//! #![no_main]
//! use libfuzzer_sys::fuzz_target;
//!
//! fuzz_target!(|data: &[u8]| {
//!     sockframe::testing::fuzz_framing(&my_protocol::Magic, data);
//! });
//! ```
//!
//! and `fuzz/.gitignore`: `target corpus artifacts coverage`.
//!
//! # Splits and the scripted reader
//!
//! A [`Split`] is a list of [`Step`]s, repeated until the stream is used
//! up: pieces of so many bytes, and reads failing with `Interrupted`,
//! `WouldBlock` or `TimedOut`. The push-based APIs get the pieces (and are
//! asked again with nothing new where a read would fail); a
//! [`ScriptedReader`] hands out the same pieces to any code that reads.
//! The async twin of the scripted reader comes with the async adapters.

// The docs link the items of every feature; without them, those links
// have nothing to point to.
#![cfg_attr(
    not(all(feature = "proptest", feature = "arbitrary", feature = "json")),
    allow(rustdoc::broken_intra_doc_links)
)]

#[cfg(feature = "tokio")]
mod async_reader;
mod builtin;
mod drivers;
#[cfg(feature = "arbitrary")]
mod fuzzing;
mod harness;
mod options;
mod pushed;
mod read;
mod reader;
mod split;
#[cfg(feature = "proptest")]
mod strategies;

pub use builtin::AnyFraming;
#[cfg(feature = "arbitrary")]
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
pub use fuzzing::fuzz_framing;
pub use harness::{
    check_apis_agree, check_apis_agree_with, check_roundtrip, check_stream, Agreed, Decoded,
    PieceEnd,
};
pub use options::{Options, Take};
pub use reader::ScriptedReader;
pub use split::{Split, Step};
#[cfg(all(feature = "proptest", feature = "json"))]
#[cfg_attr(docsrs, doc(cfg(all(feature = "proptest", feature = "json"))))]
pub use strategies::json;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub use strategies::{
    any_framing, ascii, binary, delimited, length_field, narrow_payloads, netstring, payloads,
    splits, takes, varint,
};
