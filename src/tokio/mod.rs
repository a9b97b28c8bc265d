//! Async adapters over tokio (feature `tokio`; `futures-io` adds
//! [`futures_io`] streams).
//!
//! | type | over | for |
//! |---|---|---|
//! | [`FrameReader`] | any tokio `AsyncRead` | frames in, borrowed or owned; bodies streamed to any `AsyncWrite`; cancel-safe |
//! | [`FrameWriter`] | any tokio `AsyncWrite` | frames out, vectored, optionally gathered |
//! | [`FrameCodec`] | `tokio_util::codec` | `FramedRead` / `FramedWrite` / `Framed` with any framing, headers included |
//! | [`PayloadCodec`] | `tokio_util::codec` | the same, payloads alone (as `LengthDelimitedCodec` yields them) |
//!
//! [`FrameReader`] and [`FrameWriter`] are the async twins of
//! [`io::FrameReader`](crate::io::FrameReader) and
//! [`io::FrameWriter`](crate::io::FrameWriter): the same methods, `async`,
//! sharing one implementation of what to do with the bytes. Errors are the
//! same `io::Error`s, carrying the sockframe [`Error`](crate::Error)
//! ([`frame_error`](crate::io::frame_error) gets it back).
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! use sockframe::tokio::{FrameReader, FrameWriter};
//! use sockframe::Json;
//!
//! // A socket pair in memory; a TcpStream's halves in real life.
//! let (client, server) = tokio::io::duplex(64);
//! let mut writer = FrameWriter::new(client, Json::new());
//! let mut reader = FrameReader::new(server, Json::new());
//!
//! writer.write_frame(b"hello").await?;
//! let frame = reader.read_frame().await?.expect("a frame");
//! assert_eq!(frame.header().as_str(), r#"{"data_size": 5}"#);
//! assert_eq!(frame.payload(), b"hello");
//! # Ok(())
//! # }
//! ```
//!
//! # futures-io
//!
//! With the `futures-io` feature, [`FrameReader::from_futures_io`] and
//! [`FrameWriter::from_futures_io`] take a [`futures_io::AsyncRead`] or
//! [`futures_io::AsyncWrite`] (async-std, smol, `futures` streams) through
//! tokio-util's compat layer.

mod codec;
mod reader;
mod writer;

pub use codec::{BytesFrame, FrameCodec, PayloadCodec};
pub use reader::FrameReader;
pub use writer::FrameWriter;

#[cfg(feature = "futures-io")]
mod futures {
    use tokio_util::compat::{Compat, FuturesAsyncReadCompatExt, FuturesAsyncWriteCompatExt};

    use super::{FrameReader, FrameWriter};
    use crate::framing::{Encode, Framing};

    impl<R: futures_io::AsyncRead + Unpin, F: Framing> FrameReader<Compat<R>, F> {
        /// A reader over a [`futures_io::AsyncRead`], with the default
        /// limits.
        pub fn from_futures_io(inner: R, framing: F) -> Self {
            Self::new(inner.compat(), framing)
        }
    }

    impl<W: futures_io::AsyncWrite + Unpin, E: Encode> FrameWriter<Compat<W>, E> {
        /// An unbuffered writer over a [`futures_io::AsyncWrite`].
        pub fn from_futures_io(inner: W, encoder: E) -> Self {
            Self::new(inner.compat_write(), encoder)
        }
    }
}
