//! Blocking adapters over `std::io` (feature `std`).
//!
//! | type | over | for |
//! |---|---|---|
//! | [`FrameReader`] | any [`Read`](std::io::Read) | frames in, borrowed or owned; bodies streamed to any `Write` |
//! | [`FrameWriter`] | any [`Write`](std::io::Write) | frames out, vectored, optionally gathered |
//! | [`FrameStream`] | `TcpStream`, `UnixStream` | both directions of one connection |
//! | [`udp::DatagramFramer`] | `UdpSocket`, `UnixDatagram` | one frame per datagram |
//!
//! ```
//! use sockframe::io::{FrameReader, FrameWriter};
//! use sockframe::Json;
//!
//! // Any Write: a Vec here, a TcpStream in real life.
//! let mut writer = FrameWriter::buffered(Vec::new(), Json::new());
//! writer.write_frame(b"hello")?;
//! writer.write_frame("你好".as_bytes())?;
//! let wire = writer.into_inner()?; // flushes
//!
//! // Any Read: the same bytes, however the stream cuts them.
//! let mut reader = FrameReader::new(&wire[..], Json::new());
//! let first = reader.read_frame()?.expect("a frame");
//! assert_eq!(first.header().as_str(), r#"{"data_size": 5}"#);
//! assert_eq!(first.payload(), b"hello");
//! assert_eq!(reader.read_frame()?.expect("a frame").payload(), "你好".as_bytes());
//! assert!(reader.read_frame()?.is_none()); // clean end between frames
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Errors
//!
//! Every adapter reports `std::io::Error`. A sockframe [`Error`](crate::Error)
//! travels inside it ([`frame_error`] gets it back): `InvalidData` for bad
//! input from the peer, `UnexpectedEof` for a stream cut mid-frame (with the
//! number of missing bytes), `InvalidInput` for a payload the header cannot
//! describe. `?` converts a sockframe error the same way.

mod error;
pub(crate) mod parts;
mod reader;
pub(crate) mod reading;
mod stream;
pub mod udp;
mod writer;
pub(crate) mod writing;

#[cfg(feature = "tokio")] // The async writer's.
pub(crate) use error::encode_error;
pub use error::frame_error;
pub use reader::{FrameReader, Frames};
pub use reading::DEFAULT_READ_CHUNK;
pub use stream::{FrameStream, TryCloneStream};
pub use writer::{FrameWriter, DEFAULT_BUFFER_LIMIT};
